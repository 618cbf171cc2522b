#!/usr/bin/env bats
# X-Sendfile under real web servers: the bridge serves the file that an
# answer names in X-Sendfile.  Apache (event, mod_cgid) runs the README's
# X-Sendfile recipe (conf/apache-sendfile.conf: recipe 1 plus SetEnv
# SCGI_SENDFILE), busybox httpd a wrapper with -sendfile; both serve from
# $IT/data, behind fakescgi answering $IT/sendfile.reply.

load helper

SERVERS="apache busybox"

# sendfile_port SERVER, sendfile_path SERVER: where the bridge is.
sendfile_port() {
	case $1 in
	apache)		echo "$PORT_CTL" ;;
	prefork)	echo "$PORT_PREFORK_CTL" ;;
	busybox)	echo "$PORT_BUSYBOX" ;;
	esac
}

sendfile_path() {
	case $1 in
	apache|prefork)	echo /sendfile ;;
	busybox)	echo /cgi-bin/sendfile ;;
	esac
}

sendfile_url() {
	echo "http://127.0.0.1:$(sendfile_port "$1")$(sendfile_path "$1")"
}

# names PATH: the backend answers a 200 naming PATH, with a body of its own.
names() {
	printf 'Status: 200 OK\r\nContent-Type: application/octet-stream\r\nX-Sendfile: %s\r\n\r\napp body\n' \
	    "$1" > "$IT/sendfile.reply"
}

imf() {		# imf FILE: its mtime as Last-Modified carries it
	LC_ALL=C date -u -r "$1" '+%a, %d %b %Y %H:%M:%S GMT'
}

@test "a file named in X-Sendfile reaches the client whole, with its date, and not its path: Apache, busybox httpd" {
	for route in $SERVERS; do
		for f in 64k 50m; do
			names "$f"
			code=$(fetch "$(sendfile_url "$route")")
			expect status "$code" 200
			expect digest "$(sha256sum < "$T/body" | cut -d' ' -f1)" \
			    "$(digest "$f")"
			# The host frames the body: Apache its own length, or
			# chunks; busybox httpd closes the connection.
			[ "$route" = apache ] ||
			    expect Content-Length "$(header Content-Length)" ''
			expect Last-Modified "$(header Last-Modified)" \
			    "$(imf "$IT/data/$f")"
			expect Accept-Ranges "$(header Accept-Ranges)" bytes
			expect X-Sendfile "$(header X-Sendfile)" ''
		done
	done
}

@test "a Range gets 206 and that part through Apache; busybox httpd keeps Range from CGI programs, so there it is the whole file" {
	names 64k
	route=apache
	code=$(fetch -H 'Range: bytes=100-199' "$(sendfile_url apache)")
	expect status "$code" 206
	expect Content-Range "$(header Content-Range)" 'bytes 100-199/65536'
	tail -c +101 "$IT/data/64k" | head -c 100 | cmp - "$T/body"
	route=busybox
	code=$(fetch -H 'Range: bytes=100-199' "$(sendfile_url busybox)")
	expect status "$code" 200
	expect Content-Range "$(header Content-Range)" ''
	cmp "$IT/data/64k" "$T/body"
}

@test "a Range with a failing If-Unmodified-Since is a 412, with a matching If-None-Match a 304, not a 206: Apache mod_cgid and mod_cgi" {
	# Apache evaluates a CGI answer's conditions only when it has no
	# Status line: against the 206 it let them all through.
	names 64k
	for route in apache prefork; do
		url=$(sendfile_url "$route")
		code=$(fetch -H 'Range: bytes=100-199' \
		    -H 'If-Unmodified-Since: Sat, 01 Jan 2000 00:00:00 GMT' "$url")
		expect 'If-Unmodified-Since before the file: status' "$code" 412
		expect 'the 412: body' "$(wc -c < "$T/body")" 0
		code=$(fetch "$url")
		etag=$(header ETag)
		expect 'an ETag' "${etag:0:1}" '"'
		code=$(fetch -H 'Range: bytes=100-199' -H "If-None-Match: $etag" \
		    "$url")
		expect 'If-None-Match the ETag: status' "$code" 304
		expect 'the 304: ETag' "$(header ETag)" "$etag"
		code=$(fetch -H 'Range: bytes=100-199' -H "If-Match: $etag" "$url")
		expect 'If-Match the ETag: status' "$code" 206
	done
}

@test "a '..' escape is the bridge's 404, logged with the path, which the client never sees: Apache, busybox httpd" {
	names ../bin/cgi2scgi
	for route in $SERVERS; do
		log_sizes mark
		code=$(fetch "$(sendfile_url "$route")") || :
		expect status "$code" 404
		expect body "$(cat "$T/body")" '404 Not Found'
		! grep -q -e 'bin/cgi2scgi' -e X-Sendfile "$T/head"
		[ "$route" = apache ] && r=ctl || r=busybox
		logged "$r" "cgi2scgi: " ../bin/cgi2scgi
	done
}

@test "HEAD gets the head, with the file's date, and no body: Apache, busybox httpd" {
	names 64k
	for route in $SERVERS; do
		# Not curl -I, which would not show a body sent after the head.
		exec 9<> "/dev/tcp/127.0.0.1/$(sendfile_port "$route")"
		printf 'HEAD %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' \
		    "$(sendfile_path "$route")" >&9
		timeout 60 cat <&9 > "$T/raw"
		exec 9<&-
		expect 'status' "$(head -n 1 "$T/raw" | cut -d' ' -f2-)" $'200 OK\r'
		expect_line Last-Modified "$T/raw" \
		    "Last-Modified: $(imf "$IT/data/64k")"$'\r'
		expect 'the end of the head' "$(tail -c 4 "$T/raw" | od -An -c)" \
		    "$(printf '\r\n\r\n' | od -An -c)"
	done
}
