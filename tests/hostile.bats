#!/usr/bin/env bats
# Hostile input and faults, one test per row of the table in docs/HOSTILE:
# each test is named "input | answer | exit status", and the last test
# checks that the two lists agree.

load helper

# malformed REPLY: a backend that answers REPLY (printf's format) gets
# the request a 502 and the error log the line that says why.
malformed() {
	printf "$1" > "$T/reply"
	backend -r "$T/reply" -n 1
	run --separate-stderr bridge -- "$SOCK"
	assert_error_page 111 '502 Bad Gateway' || { echo "reply: $1" >&2; return 1; }
	assert_stderr --prefix "cgi2scgi: GET /app: $SOCK: malformed response header: " || return
	wait_pid "$(cat "$T/backend.pid")" 10
}

# cl VALUE: run the bridge with CONTENT_LENGTH=VALUE and a 5-byte body.
cl() {
	run --separate-stderr bridge REQUEST_METHOD=POST "CONTENT_LENGTH=$1" \
	    -- "$SOCK" <<< "abcd"
}

# no_number VALUE: CONTENT_LENGTH=VALUE is refused as no number, and
# nothing is sent.
no_number() {
	backend
	cl "$1"
	assert_error_page 100 '400 Bad Request'
	assert_stderr "cgi2scgi: POST /app: CONTENT_LENGTH: not a decimal number: \"$1\""
	nothing_sent
}

@test "CONTENT_LENGTH empty | no body: CONTENT_LENGTH 0 is sent, stdin is not read | 0" {
	backend
	printf 'abcd' > "$T/in"
	exec 5< "$T/in"
	run bridge REQUEST_METHOD=POST CONTENT_LENGTH= -- "$SOCK" <&5
	assert_success
	wait_for "$REC/1.done"
	grep -qx CONTENT_LENGTH=0 "$REC/1.env"
	assert_equal "$(offset_of_fd5)" 0
}

@test "CONTENT_LENGTH -1, Caddy's for a length it does not know | the body to the end of stdin, sent with its length | 0" {
	backend
	cl -1
	assert_success
	wait_for "$REC/1.done"
	grep -qx CONTENT_LENGTH=5 "$REC/1.env"
	assert_equal "$(cat "$REC/1.body")" abcd
}

@test "CONTENT_LENGTH -2 | 400, nothing sent | 100" {
	no_number -2
}

@test "CONTENT_LENGTH +5 | 400, nothing sent | 100" {
	no_number +5
}

@test "CONTENT_LENGTH ' 5' | 400, nothing sent | 100" {
	no_number ' 5'
}

@test "CONTENT_LENGTH '5 ' | 400, nothing sent | 100" {
	no_number '5 '
}

@test "CONTENT_LENGTH 0x10 | 400, nothing sent | 100" {
	no_number 0x10
}

@test "CONTENT_LENGTH 1e3 | 400, nothing sent | 100" {
	no_number 1e3
}

@test "CONTENT_LENGTH 12a | 400, nothing sent | 100" {
	no_number 12a
}

@test "CONTENT_LENGTH a | 400, nothing sent | 100" {
	no_number a
}

@test "CONTENT_LENGTH of 30 digits | 413, nothing sent | 100" {
	backend
	cl 123456789012345678901234567890
	assert_error_page 100 '413 Content Too Large'
	assert_stderr "cgi2scgi: POST /app: CONTENT_LENGTH: 123456789012345678901234567890 is over the limit of 1073741824 bytes"
	nothing_sent
}

@test "CONTENT_LENGTH over the body limit (-m, SCGI_MAX_BODY) | 413, nothing sent | 100" {
	backend
	run --separate-stderr bridge REQUEST_METHOD=POST CONTENT_LENGTH=1025 \
	    SCGI_MAX_BODY=1k -- "$SOCK" < /dev/zero
	assert_error_page 100 '413 Content Too Large'
	assert_stderr "cgi2scgi: POST /app: CONTENT_LENGTH: 1025 is over the limit of 1024 bytes"
	run --separate-stderr bridge REQUEST_METHOD=POST CONTENT_LENGTH=2049 \
	    -- -m 2k "$SOCK" < /dev/zero
	assert_error_page 100 '413 Content Too Large'
	assert_stderr "cgi2scgi: POST /app: CONTENT_LENGTH: 2049 is over the limit of 2048 bytes"
	nothing_sent
}

@test "CONTENT_LENGTH larger than the body on stdin | 400; the backend sees the body cut short | 100" {
	backend
	cl 10
	assert_error_page 100 '400 Bad Request'
	assert_stderr "cgi2scgi: POST /app: request body: stdin ended after 5 of 10 bytes"
	wait_for "$REC/1.done"
	assert_equal "$(cat "$REC/1.bodyeof")" eof
}

@test "CONTENT_LENGTH smaller than the body on stdin | only CONTENT_LENGTH bytes sent; stdin not read past them | 0" {
	backend
	printf 'abcdefgh' > "$T/in"
	exec 5< "$T/in"
	run bridge REQUEST_METHOD=POST CONTENT_LENGTH=3 -- "$SOCK" <&5
	assert_success
	wait_for "$REC/1.done"
	assert_equal "$(cat "$REC/1.body")" abc
	assert_equal "$(offset_of_fd5)" 3
}

@test "a variable of 128 KiB, the most Linux passes | 431, nothing sent | 100" {
	backend
	# execve(2) takes no string over 128 KiB (MAX_ARG_STRLEN), so no
	# web server can pass a larger one: "HTTP_X_BIG=" and the NUL fit.
	big=$(head -c $((131072 - 12)) /dev/zero | tr '\0' x)
	run --separate-stderr bridge HTTP_X_BIG="$big" -- "$SOCK"
	assert_error_page 100 '431 Request Header Fields Too Large'
	assert_stderr --prefix "cgi2scgi: GET /app: request header: header block of 131"
	assert_stderr --partial " bytes is over the limit of 65536 (-H, SCGI_MAX_HEADER); largest: HTTP_X_BIG 131072, PATH "
	nothing_sent
}

@test "20 000 variables | 431, nothing sent | 100" {
	backend
	# shellcheck disable=SC2046
	run --separate-stderr "$EXECENV" GATEWAY_INTERFACE=CGI/1.1 \
	    $(seq -f 'HTTP_X_%g=v' 20000) -- "$CGI2SCGI" "$SOCK"
	assert_error_page 100 '431 Request Header Fields Too Large'
	nothing_sent
}

# bats test_tags=exactenv
@test "a header block of exactly 64 KiB | sent whole | 0" {
	backend
	# CONTENT_LENGTH\0""0\0SCGI\01\0 is 24 bytes, X\0...\0 the rest.
	v=$(head -c $((65536 - 24 - 3)) /dev/zero | tr '\0' v)
	run "$EXECENV" "X=$v" -- "$CGI2SCGI" "$SOCK"
	assert_success
	wait_for "$REC/1.done"
	assert_equal "$(wc -c < "$REC/1.head")" 65536
	run --separate-stderr "$EXECENV" "X=${v}v" -- "$CGI2SCGI" "$SOCK"
	assert_failure 100
	assert_stderr "cgi2scgi: request header: header block of 65537 bytes is over the limit of 65536 (-H, SCGI_MAX_HEADER); largest: X 65513"
}

# bats test_tags=exactenv
@test "duplicate names | the last value sent, once, in the first's place | 0" {
	backend
	# As sh and PHP-FPM take them: nginx's fastcgi_param after an include.
	run "$EXECENV" HTTP_A=1 B=2 HTTP_A=2 CONTENT_LENGTH=9 CONTENT_LENGTH=0 \
	    -- "$CGI2SCGI" "$SOCK"
	assert_success
	wait_for "$REC/1.done"
	printf 'CONTENT_LENGTH\0000\0SCGI\0001\0HTTP_A\0002\0B\0002\0' | cmp - "$REC/1.head"
	[ ! -e "$REC/1.error" ]
}

# bats test_tags=exactenv
@test "names with odd bytes | sent as they are | 0" {
	backend
	run "$EXECENV" "$(printf 'A B\001\377.-')=x" -- "$CGI2SCGI" "$SOCK"
	assert_success
	wait_for "$REC/1.done"
	printf 'CONTENT_LENGTH\0000\0SCGI\0001\0A B\001\377.-\0x\0' | cmp - "$REC/1.head"
}

# bats test_tags=exactenv
@test "an empty name, or no '=' | skipped | 0" {
	backend
	# An empty value is a value: it passes.
	run "$EXECENV" =x NOEQUALS A=1 EMPTY= -- "$CGI2SCGI" "$SOCK"
	assert_success
	wait_for "$REC/1.done"
	printf 'CONTENT_LENGTH\0000\0SCGI\0001\0A\0001\0EMPTY\0\0' | cmp - "$REC/1.head"
}

# bats test_tags=exactenv
@test "values that are not UTF-8 | sent byte for byte | 0" {
	backend
	run "$EXECENV" "HTTP_X=$(printf '\377\376\300\200\001')" -- "$CGI2SCGI" "$SOCK"
	assert_success
	wait_for "$REC/1.done"
	printf 'CONTENT_LENGTH\0000\0SCGI\0001\0HTTP_X\0\377\376\300\200\001\0' | cmp - "$REC/1.head"
}

@test "SCGI_PORT 0 | 500 | 100" {
	run --separate-stderr bridge SCGI_PORT=0
	assert_error_page 100 '500 Internal Server Error'
	assert_stderr "cgi2scgi: GET /app: localhost:0: port out of range 1-65535"
}

@test "SCGI_PORT 70000 | 500 | 100" {
	run --separate-stderr bridge SCGI_PORT=70000
	assert_error_page 100 '500 Internal Server Error'
	assert_stderr "cgi2scgi: GET /app: localhost:70000: port out of range 1-65535"
}

@test "SCGI_PORT abc | 500 | 100" {
	run --separate-stderr bridge SCGI_PORT=abc
	assert_error_page 100 '500 Internal Server Error'
	assert_stderr --prefix "cgi2scgi: GET /app: resolve localhost:abc: "
}

@test "an unknown host | 500 | 100" {
	run --separate-stderr bridge SCGI_HOST=no-such-host.invalid SCGI_PORT=4000
	assert_error_page 100 '500 Internal Server Error'
	assert_stderr --prefix "cgi2scgi: GET /app: resolve no-such-host.invalid:4000: "
}

@test "a socket path longer than sun_path | 500, not truncated | 100" {
	long=$T/$(head -c 120 /dev/zero | tr '\0' s)
	run --separate-stderr bridge SCGI_FILE="$long"
	assert_error_page 100 '500 Internal Server Error'
	assert_stderr "cgi2scgi: GET /app: $long: socket path too long"
}

@test "a socket path that is a regular file | 500 | 100" {
	: > "$T/file"
	run --separate-stderr bridge SCGI_RETRY_TIMEOUT=10 SCGI_FILE="$T/file"
	assert_error_page 100 '500 Internal Server Error'
	assert_stderr "cgi2scgi: GET /app: connect $T/file: not a socket"
}

@test "a socket path that is a directory | 500 | 100" {
	mkdir "$T/dir"
	run --separate-stderr bridge SCGI_RETRY_TIMEOUT=10 SCGI_FILE="$T/dir"
	assert_error_page 100 '500 Internal Server Error'
	assert_stderr "cgi2scgi: GET /app: connect $T/dir: not a socket"
}

@test "REMOTE_USER '..', 'x/../..', '.', '-x' or another name not plain, in a %{REMOTE_USER} socket path | 403, nothing sent: no server outside the template's directory | 100" {
	# Each name, were it used, would reach $SOCK from $T/d/NAME/app.sock.
	mkdir -p "$T/d/x"
	backend
	for user in .. x/../.. . -x $'..\n' ../d/..; do
		run --separate-stderr bridge REMOTE_USER="$user" \
		    SCGI_FILE="$T/d/%{REMOTE_USER}/app.sock"
		assert_error_page 100 '403 Forbidden'
		assert_stderr --prefix "cgi2scgi: GET /app: $T/d/%{REMOTE_USER}/app.sock: REMOTE_USER \""
	done
	nothing_sent
}

@test "SCGI_FILE and SCGI_HOST with SCGI_PORT at once | SCGI_FILE wins | 0" {
	backend
	run bridge SCGI_FILE="$SOCK" SCGI_HOST=127.0.0.1 SCGI_PORT=1
	assert_success
	wait_for "$REC/1.done"
}

@test "a backend that refuses | 502 | 111" {
	run --separate-stderr bridge SCGI_HOST=127.0.0.1 SCGI_PORT=1
	assert_error_page 111 '502 Bad Gateway'
	assert_stderr "cgi2scgi: GET /app: connect 127.0.0.1:1: Connection refused"
}

@test "a backend that accepts and never reads | 504 after the idle timeout | 111" {
	backend -m hang
	head -c 8388608 /dev/zero > "$T/in"
	run --separate-stderr bridge REQUEST_METHOD=POST CONTENT_LENGTH=8388608 \
	    SCGI_IDLE_TIMEOUT=0.1 -- "$SOCK" < "$T/in"
	assert_error_page 111 '504 Gateway Timeout'
	# What the socket's buffers took went; the rest waits.
	assert_regex "$stderr" "^cgi2scgi: POST /app: $SOCK: no byte of the answer for 0\.1 s \(-i, SCGI_IDLE_TIMEOUT\), [0-9]+ of 8388608 body bytes sent, 0 answer bytes\$"
}

@test "a backend that reads and never answers | 504 after the idle timeout | 111" {
	backend -m silent
	run --separate-stderr bridge SCGI_IDLE_TIMEOUT=0.1 -- "$SOCK"
	assert_error_page 111 '504 Gateway Timeout'
	assert_stderr "cgi2scgi: GET /app: $SOCK: no byte of the answer for 0.1 s (-i, SCGI_IDLE_TIMEOUT), 0 of 0 body bytes sent, 0 answer bytes"
}

# bats test_tags=slow
@test "a backend that answers 1 GiB | relayed whole | 0" {
	printf 'Status: 200 OK\r\n\r\n' > "$T/head"
	backend -r "$T/head" -g 1073741824
	cmp <(bridge -- "$SOCK") <(cat "$T/head"; pattern 1073741824)
}

@test "a backend that answers with headers only | relayed as it is | 0" {
	printf 'Status: 304 Not Modified\r\nETag: "x"\r\n\r\n' > "$T/reply"
	backend -r "$T/reply"
	bridge -- "$SOCK" > "$T/out"
	cmp "$T/reply" "$T/out"
}

@test "a backend that sends garbage | 502 | 111" {
	# Bytes, HTML, a body with no head, a status code of four digits, a
	# line that continues nothing, a field name with a space.
	for reply in '\0\1\2 garbage\r\n\r\n' '<html>hello</html>\n' '\r\nbody' \
	    'HTTP/1.1 2000 OK\r\n\r\n' 'HTTP/1.1 200 OK\r\n no field\r\n\r\n' \
	    'Bad Name: x\r\n\r\n'; do
		malformed "$reply"
	done
}

@test "a backend that closes before sending anything | 502; a GET goes once more first | 111" {
	backend -m close
	run --separate-stderr bridge REQUEST_METHOD=POST CONTENT_LENGTH=5 \
	    -- "$SOCK" <<< "abcd"
	assert_error_page 111 '502 Bad Gateway'
	assert_regex "$stderr" "^cgi2scgi: POST /app: $SOCK: closed the connection without a response \(a body of 5 bytes, no CONTENT_TYPE, header block [0-9]+ bytes in [0-9]+ variables; within the limits rtorrent and uWSGI have as they come: see the server's log\)\$"
	run --separate-stderr bridge -- "$SOCK"
	assert_error_page 111 '502 Bad Gateway'
	assert_regex "$stderr" "^cgi2scgi: GET /app: $SOCK: closed the connection without a response, twice \(no body, header block [0-9]+ bytes in [0-9]+ variables; rtorrent closes on a request without a body\)\$"
	wait_for "$REC/3.done"
}

@test "a server that dies with a GET, HEAD, OPTIONS, TRACE, PUT or DELETE without a body | sent once more, on a new connection | 0" {
	# fakescgi -K 1: the first connection reads the request whole, then
	# closes unanswered, as a server that died with it.
	died() {	# died [NAME=value ...]: one request; 1 and 2 the same
		if [ -f "$T/backend.pid" ]; then
			kill "$(cat "$T/backend.pid")"
			wait "$(cat "$T/backend.pid")" || :
		fi
		rm -rf "$REC" && mkdir "$REC"
		backend -K 1
		run --separate-stderr bridge "$@" -- "$SOCK" <<< "body"
		assert_success || return
		assert_output --regexp '^Status: 200 OK' || return
		assert_stderr --partial " /app: $SOCK: closed the connection without a response; sent again, and answered" || return
		wait_for "$REC/2.done"
		cmp "$REC/1.head" "$REC/2.head"
	}
	for method in GET HEAD OPTIONS TRACE PUT DELETE; do
		echo "method: $method"
		died REQUEST_METHOD="$method"
		grep -qx "REQUEST_METHOD=$method" "$REC/1.env"
	done
	# A chunked upload is in its spool, so it can go again too.
	died REQUEST_METHOD=PUT HTTP_TRANSFER_ENCODING=chunked
	assert_equal "$(cat "$REC/1.body")" body
	assert_equal "$(cat "$REC/2.body")" body
}

@test "the web server closes stdout early (client gone) | the answer's rest read for -i at most, then the connection closed | 111" {
	# The head and a first piece of 1 MB, more than a pipe holds; the
	# rest waits for $T/go, which never comes.  So the backend's
	# connection ends (N.done) only when no process holds it any more:
	# the bridge reads what comes for -i (rtorrent dies of a write into
	# a closed connection), then closes it.
	backend -m stream -g 4000000 -w "$T/go"
	set +e
	bridge -- -i 0.1 "$SOCK" 2> "$T/err" | head -c 10 > /dev/null
	rc=${PIPESTATUS[0]}
	set -e
	assert_equal "$rc" 111
	assert_equal "$(cat "$T/err")" "cgi2scgi: GET /app: write to stdout: Broken pipe"
	wait_for "$REC/1.done"
}

@test "the client gone while the body still comes | the body's way shut: the server's read ends, then the bridge | 111" {
	# The server answers 1 MiB at once, then reads the body to its end,
	# which stdin never brings: only a shut write side ends its read.
	# Left open, both would wait out -i.
	{ printf 'Status: 200 OK\r\n\r\n'; head -c 1048576 /dev/zero; } > "$T/reply"
	backend -m early -r "$T/reply"
	mkfifo "$T/in"
	exec 5<>"$T/in"
	printf 0123456789 >&5
	bridge_bg REQUEST_METHOD=POST CONTENT_LENGTH=1000 -- -i 600 "$SOCK" \
	    < "$T/in" > >(true) 2> "$T/err"
	set +e
	wait_pid $! 60
	rc=$?
	set -e
	assert_equal "$rc" 111
	assert_equal "$(cat "$T/err")" "cgi2scgi: POST /app: write to stdout: Broken pipe"
	wait_for "$REC/1.done"
	assert_equal "$(cat "$REC/1.bodyeof")" eof
	assert_equal "$(cat "$REC/1.body")" 0123456789
}

@test "a backend that answers, then resets the connection mid-body | what came is relayed; a reset ends an answer as a close does | 0" {
	# fakescgi -m reset: the request read, the answer sent, then
	# SO_LINGER 0: what is unsent is dropped, RST.  First a small answer,
	# reset before the bridge has read it.
	printf 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it' > "$T/reply"
	backend_tcp -m reset -r "$T/reply" -n 1
	run --separate-stderr bridge -- 127.0.0.1 "$PORT"
	assert_success
	assert_output "$(cat "$T/reply")"
	# Then 64 MiB, more than the socket buffers hold, with stdout not
	# read until the backend has reset: it stops where its sends would
	# block, with megabytes unsent.  What its peer had acknowledged by
	# then (N.acked) reached the bridge's side, and all of that, no more
	# and in order, must reach stdout.
	printf 'Status: 200 OK\r\n\r\n' > "$T/reply"
	rm "$T/port"
	REC=$T/rec2 && mkdir "$REC"
	backend_tcp -m reset -r "$T/reply" -g 67108864
	set +e
	bridge -- 127.0.0.1 "$PORT" | { wait_for "$REC/1.done" && cat > "$T/out"; }
	rc=${PIPESTATUS[0]}
	set -e
	assert_equal "$rc" 0
	got=$(stat -c %s "$T/out") acked=$(cat "$REC/1.acked")
	head=$(stat -c %s "$T/reply")
	[ "$got" -ge "$acked" ] && [ "$got" -lt $((head + 67108864)) ] ||
	    { echo "$got bytes relayed, $acked acknowledged" >&2; false; }
	cmp "$T/out" <(cat "$T/reply"; pattern $((got - head)))
}

@test "SIGTERM from the web server | exits at once, closing the backend connection, leaving no process | 143" {
	# The backend holds the rest of its answer until $T/go, which never
	# comes: its connection ends (N.done) only when no process holds it.
	backend -m stream -g 4000 -w "$T/go"
	# A process the bridge left would have its environment, and MARK.
	mark=$$.$RANDOM
	bridge_bg MARK="$mark" -- "$SOCK" > "$T/out" 2> "$T/err"
	pid=$!
	wait_until 10 test -s "$T/out"	# relaying
	kill -TERM "$pid"
	set +e
	wait_pid "$pid" 2
	rc=$?
	set -e
	assert_equal "$rc" 143
	wait_for "$REC/1.done"
	assert_equal "$(grep -lszx "MARK=$mark" /proc/[0-9]*/environ || :)" ""
}

@test "file descriptors at exit | none of ours left open | 0" {
	needs valgrind "its --track-fds lists them"
	backend
	fds() {	# fds [NAME=value ...] COMMAND...: descriptors open at its exit
		env -i GATEWAY_INTERFACE=CGI/1.1 "$@" 2>&1 >/dev/null |
		    grep -c '^==[0-9]*== Open '
	}
	vg="valgrind -q --track-fds=yes"	# the plain build: not the sanitizer's
	base=$(fds $vg /bin/true)
	[ "$base" -gt 0 ]
	assert_equal "$(fds $vg "$PLAIN" "$SOCK")" "$base"
	assert_equal "$(fds HTTP_TRANSFER_ENCODING=chunked $vg "$PLAIN" "$SOCK" <<< body)" "$base"
	assert_equal "$(fds CONTENT_LENGTH=5 $vg "$PLAIN" "$SOCK" <<< body)" "$base"
}

@test "query words passed as arguments to the bridge itself, raw or escaped, all or some | never used: the environment names the server | 0" {
	backend
	mkdir "$T/evil"
	"$FAKESCGI" -o "$T/evil" -p "$T/evilport" 127.0.0.1:0 &
	echo $! > "$T/evil.pid"
	"$FAKESCGI" -o "$T/evil" "$T/evil.sock" &
	echo $! > "$T/evilsock.pid"
	wait_for "$T/evilport"
	wait_for "$T/evil.sock"
	evil=127.0.0.1:$(cat "$T/evilport")
	# Each query, then the arguments a web server makes of it (RFC 3875
	# 4.4), each a request with SCGI_FILE set that must go there:
	# mini_httpd and thttpd pass the words %-decoded (%5C%5C is two
	# backslashes), Apache puts a backslash before each shell character
	# (so four), Boa leaves out the words it cannot decode, and Apache
	# passes only the first 4091.  The body on stdin names the evil
	# server too, for a -f /dev/stdin from the query.
	body="-connect $evil"
	n=0
	while IFS='|' read -r query args; do
		read -ra words <<< "$args"
		run --separate-stderr bridge SCGI_FILE="$SOCK" \
		    SCRIPT_FILENAME="$CGI2SCGI" \
		    QUERY_STRING="$query" REQUEST_METHOD=POST \
		    CONTENT_LENGTH=${#body} -- "${words[@]}" <<< "$body"
		assert_success || { echo "query $query: $status" >&2; false; }
		[ ! -e "$T/evil/1.head" ] ||
		    { echo "query $query: sent to the evil server" >&2; false; }
		n=$((n + 1))
	done <<-EOF
	-connect+$evil+-connect+%5C%5C|-connect $evil -connect \\\\
	-connect+$evil+-connect+%5C%5C|-connect $evil -connect \\\\\\\\
	-connect+$evil+-connect+a%5Cb|-connect $evil -connect a\b
	-connect+$evil+-connect+a%3Bb|-connect $evil -connect a\\;b
	-connect+$evil+-connect+%5C%27|-connect $evil -connect \'
	127.0.0.1+${evil#*:}+%5C|127.0.0.1 ${evil#*:}
	${T//\//%2F}%2Fevil.sock|$T/evil.sock
	%+-connect+$evil+%zz|-connect $evil
	-connect+$evil+-connect+x+-t+5|-connect $evil
	-f+%2Fdev%2Fstdin+x|-f /dev/stdin
	EOF
	# Padded, so that the cut leaves the client's words and empty ones.
	run bridge SCGI_FILE="$SOCK" SCRIPT_FILENAME="$CGI2SCGI" \
	    QUERY_STRING="-connect+$evil++++++" -- -connect "$evil" "" "" ""
	assert_success
	[ ! -e "$T/evil/1.head" ]
	wait_for "$REC/$((n + 1)).done"	# all reached the server named
	[ ! -e "$T/evil/1.done" ]
}

@test "a query that spells a wrapper's arguments (?-sendfile+DIR, ?-set+...) | 500, nothing sent: the admin's options are never dropped | 100" {
	backend
	printf '#!/bin/sh\nexec cgi2scgi -sendfile /srv "$@"\n' > "$T/wrapper"
	for words in '-sendfile|/srv' '-set|HTTP_X_FORWARDED_FOR=$REMOTE_ADDR' \
	    '-H|100000' "$SOCK"; do
		IFS='|' read -ra args <<< "$words"
		query=$(IFS=+; echo "${args[*]}")
		run --separate-stderr bridge SCGI_FILE="$SOCK" \
		    SCRIPT_FILENAME="$T/wrapper" QUERY_STRING="$query" -- \
		    "${args[@]}"
		assert_error_page 100 '500 Internal Server Error'
		assert_stderr "cgi2scgi: GET /app?$query: configuration: the arguments could be the query's words, and SCRIPT_FILENAME is not this program: give the server and options in the environment (SCGI_FILE, ...) or a -f script"
	done
	# No SCRIPT_FILENAME (Python's http.server) cannot tell either; it
	# passes the query as one argument, a '+' made a space.
	run --separate-stderr bridge SCGI_FILE="$SOCK" QUERY_STRING=-sendfile+/srv \
	    -- -sendfile /srv
	assert_error_page 100 '500 Internal Server Error'
	run --separate-stderr bridge SCGI_FILE="$SOCK" QUERY_STRING=-t+5 \
	    -- '-t 5'
	assert_error_page 100 '500 Internal Server Error'
	nothing_sent
	# A query the arguments are not: the wrapper's, used.
	run --separate-stderr bridge SCRIPT_FILENAME="$T/wrapper" \
	    QUERY_STRING=-sendfile+/elsewhere -- -sendfile /srv "$SOCK"
	assert_success
}

@test "a response header with a bare CR, a NUL or another control character | 502 | 111" {
	for bad in 'X-A: a\rb' 'X-A: a\0b' 'X-A: a\001b' 'X-A: \033[31m' \
	    'X-A: a\177b' 'X-A: a\r\nX-B: b\rc' 'X\r: v'; do
		malformed "Status: 200 OK\r\n$bad\r\n\r\nbody"
	done
	# A tab is no control character here (RFC 9110 5.5), nor is 0x80.
	printf 'Status: 200 OK\r\nX-A: a\tb\200\r\n\r\nbody' > "$T/reply"
	backend -r "$T/reply"
	bridge -- "$SOCK" | cmp - "$T/reply"
}

@test "a response header folded onto a second line | 502 | 111" {
	malformed 'Status: 200 OK\r\nX-A: a\r\n Location: /elsewhere\r\n\r\nbody'
}

@test "a status that is not final: 1xx, 101, 000, 600, 999, or not three digits | 502 | 111" {
	# A host would send 1xx as an interim answer, and the client read
	# our body as the head to follow; with 101 a proxy switches protocols.
	for status in 'Status: 100 Continue' 'HTTP/1.1 100 Continue' \
	    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade' \
	    'Status: 103' 'Status: 000' 'Status: 199 X' 'Status: 600 X' \
	    'Status: 999' 'Status: abc' 'Status: 2000' 'Status: 20' 'Status:'; do
		malformed "$status\r\nContent-Type: text/plain\r\n\r\nbody"
	done
}

@test "two statuses | 502 | 111" {
	malformed 'Status: 200 OK\r\nStatus: 302 Found\r\nLocation: /x\r\n\r\n'
	malformed 'HTTP/1.1 200 OK\r\nStatus: 404 Not Found\r\n\r\n'
}

@test "a Content-Length that is not one run of digits, or two of them | 502 | 111" {
	for length in '5, 62' '-1' '+5' '0x10' '5 5' '' '5\r\nContent-Length: 5' \
	    18446744073709551621; do
		malformed "Status: 200 OK\r\nContent-Length: $length\r\n\r\nhello"
	done
	# One run of digits, blanks around it, passes (to be left out).
	printf 'Status: 200 OK\r\nContent-Length:  5 \r\n\r\nhello' > "$T/reply"
	backend -r "$T/reply"
	bridge -- "$SOCK" | cmp - <(printf 'Status: 200 OK\r\n\r\nhello')
}

@test "a body longer than its Content-Length | cut at it: no more is read or written | 0" {
	printf 'Status: 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\n\r\nsmuggled' > "$T/reply"
	backend -r "$T/reply" -n 2
	run bridge -- "$SOCK"			# to a file: read and write
	assert_success
	assert_output "$(printf 'Status: 200 OK\r\n\r\nhello')"
	bridge -- "$SOCK" | cat > "$T/out"	# to a pipe: splice(2)
	printf 'Status: 200 OK\r\n\r\nhello' | cmp - "$T/out"
}

@test "a body shorter than its Content-Length | what came is relayed, and one line says it was cut short | 111" {
	{ printf 'Status: 200 OK\r\nContent-Length: 100\r\n\r\n'; head -c 44 /dev/zero | tr '\0' x; } > "$T/reply"
	{ printf 'Status: 200 OK\r\n\r\n'; head -c 44 /dev/zero | tr '\0' x; } > "$T/want"
	backend -r "$T/reply" -n 2
	run --separate-stderr bridge -- "$SOCK"
	assert_failure 111
	assert_output "$(cat "$T/want")"
	assert_stderr "cgi2scgi: GET /app: $SOCK: the answer ended after 44 of the 100 bytes its Content-Length said"
	set +e
	bridge -- "$SOCK" 2> "$T/err" | cat > "$T/out"
	rc=${PIPESTATUS[0]}
	set -e
	assert_equal "$rc" 111
	cmp "$T/want" "$T/out"
}

@test "a Content-Length (a host may keep the connection after a shorter body), whatever the host's name | left out: the host frames the body | 0" {
	printf 'Status: 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello' > "$T/reply"
	backend -r "$T/reply" -n 3
	for sw in lighttpd/1.4.69 '' Apache; do
		run bridge SERVER_SOFTWARE="$sw" -- "$SOCK"
		assert_success
		assert_output "$(printf 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nhello')"
	done
}

@test "a Transfer-Encoding in the answer | 502 | 111" {
	malformed 'Status: 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'
	malformed 'Status: 200 OK\r\ntransfer-encoding: identity\r\n\r\nhello'
}

@test "fields about the client's connection: Connection, Keep-Alive, Upgrade, TE, Trailer, Proxy-Connection | left out | 0" {
	printf 'Status: 200 OK\r\nConnection: keep-alive\r\nKEEP-ALIVE: timeout=5\r\nContent-Type: text/plain\r\nUpgrade: h2c\r\nTE: trailers\r\nTrailer: X-A\r\nproxy-connection: close\r\nX-Connection: kept\r\n\r\nbody' > "$T/reply"
	backend -r "$T/reply"
	run bridge -- "$SOCK"
	assert_success
	assert_output "$(printf 'Status: 200 OK\r\nContent-Type: text/plain\r\nX-Connection: kept\r\n\r\nbody')"
}

@test "a head of nothing but fields about the connection | 502: left out, they would leave no head | 111" {
	# An empty head: mini_httpd and civetweb would take the body's first
	# CRLF CRLF for its end, mini_httpd the body's Status for the status,
	# civetweb drop the body up to there.
	for head in 'Connection: close' 'Keep-Alive: timeout=5\r\nUpgrade: h2c'; do
		malformed "$head\r\n\r\n<!-- \r\nStatus: 302 Found\r\nLocation: http://evil/\r\n\r\n -->"
	done
}

@test "a body after a 204 or a 304 | dropped, as for HEAD: a client would read it as the next answer | 0" {
	# mini_httpd, busybox httpd and civetweb pass it on.
	for code in '204 No Content' '304 Not Modified' 204; do
		printf 'Status: %s\r\nETag: "x"\r\n\r\nHTTP/1.1 200 OK\r\nX-Evil: 1\r\n\r\n' "$code" > "$T/reply"
		backend -r "$T/reply" -n 1
		run bridge -- "$SOCK"
		assert_success
		assert_output "$(printf 'Status: %s\r\nETag: "x"\r\n\r\n' "$code")"
		wait_pid "$(cat "$T/backend.pid")" 10
	done
}

@test "a head with LF line ends, a status after other fields | written anew: Status first, every line CR LF | 0" {
	# mini_httpd finds a head's end only at CR LF CR LF, so a body that
	# holds one would give it fields; busybox httpd reads Status: only
	# as the first line.
	printf 'Content-Type: text/html\nStatus: 404 Not Found\n\n<!-- \r\n\r\nStatus: 302 Found\r\nLocation: http://evil/\r\n\r\n -->' > "$T/reply"
	backend -r "$T/reply"
	run bridge -- "$SOCK"
	assert_success
	assert_output "$(printf 'Status: 404 Not Found\r\nContent-Type: text/html\r\n\r\n<!-- \r\n\r\nStatus: 302 Found\r\nLocation: http://evil/\r\n\r\n -->')"
}

# served FILE [NAME=value ...]: the bridge's answer when the app names
# FILE, in a -sendfile directory $T/files, in X-Sendfile; its head (to
# the empty line) in $T/head, then the rest in $T/body.
served() {
	local file=$1
	shift
	printf 'Status: 200 OK\r\nContent-Type: text/plain\r\nX-Sendfile: %s\r\n\r\n' \
	    "$file" > "$T/reply"
	[ -s "$T/backend.pid" ] || backend -r "$T/reply"
	status=0
	bridge "$@" -- -sendfile "$T/files" "$SOCK" > "$T/out" || status=$?
	sed -n '1,/^\r$/p' "$T/out" > "$T/head"
	sed '1,/^\r$/d' "$T/out" > "$T/body"
}

# a_file: $T/files/a, 1000 bytes dated 2001-02-03 04:05:06 UTC.
a_file() {
	mkdir -p "$T/files"
	head -c 1000 /dev/zero | tr '\0' a > "$T/files/a"
	touch -d '2001-02-03 04:05:06 UTC' "$T/files/a"
}

@test "a Range for an X-Sendfile file that fails If-Unmodified-Since, or matches If-None-Match | 412, or 304, with no body: never a 206 | 0" {
	a_file
	served a HTTP_RANGE=bytes=0-9 \
	    HTTP_IF_UNMODIFIED_SINCE='Sat, 03 Feb 2001 04:05:05 GMT'
	assert_equal "$status" 0
	assert_equal "$(head -n 1 "$T/head")" $'Status: 412 Precondition Failed\r'
	[ ! -s "$T/body" ]
	etag=$(sed -n 's/^ETag: \(.*\)\r$/\1/p' "$T/head")
	served a HTTP_RANGE=bytes=0-9 HTTP_IF_NONE_MATCH="$etag"
	assert_equal "$status" 0
	assert_equal "$(head -n 1 "$T/head")" $'Status: 304 Not Modified\r'
	[ ! -s "$T/body" ]
}

@test "an X-Sendfile answer to a POST with a Range | the whole file with 200: a Range is for GET | 0" {
	a_file
	served a REQUEST_METHOD=POST HTTP_RANGE=bytes=0-9
	assert_equal "$status" 0
	assert_equal "$(head -n 1 "$T/head")" $'Status: 200 OK\r'
	cmp "$T/files/a" "$T/body"
}

@test "an If-Unmodified-Since, If-Modified-Since or If-Range that is no HTTP-date | ignored: the whole file with 200 | 0" {
	a_file
	# Each, read as the date it looks, would be a 412, a 304, a 206.
	for cond in "HTTP_IF_UNMODIFIED_SINCE=Fri, 02 Feb 2001 04:05:06 UTC" \
	    "HTTP_IF_MODIFIED_SINCE=Sun, 04 Feb 2001 04:05:06 GMT, Sun, 04 Feb 2001 04:05:06 GMT" \
	    "HTTP_IF_RANGE=Sat, 3 Feb 2001 04:05:06 GMT"; do
		# shellcheck disable=SC2046
		served a "$cond" $([[ $cond != HTTP_IF_RANGE=* ]] ||
		    echo HTTP_RANGE=bytes=0-9)
		assert_equal "$status" 0
		assert_equal "$(head -n 1 "$T/head")" $'Status: 200 OK\r' ||
		    { echo "$cond" >&2; return 1; }
		cmp "$T/files/a" "$T/body"
	done
}

@test "-check, when the answer is an X-Sendfile of a file of escape sequences | the head alone: no byte of the file reaches the terminal | 0" {
	mkdir -p "$T/files"
	printf '\033]0;owned\007\033[2J\033[31m' > "$T/files/esc"
	printf 'Status: 200 OK\r\nX-Sendfile: esc\r\n\r\n' > "$T/reply"
	backend -r "$T/reply"
	shell_argv -- -check -sendfile "$T/files" "$SOCK"
	run "${BRIDGE[@]}"
	assert_success
	assert_output --partial $'Status: 200 OK\r'
	refute_output --partial $'\033'
}

@test "fd 0, 1 or 2 left closed by the web server | opened on /dev/null: our socket never takes one | 100" {
	# With stderr closed, the socket would be fd 2, and our error line
	# a part of the body, making a short one look whole.
	backend
	run bridge REQUEST_METHOD=POST CONTENT_LENGTH=10 -- "$SOCK" \
	    2>&- <<< "abcd"
	assert_failure 100
	wait_for "$REC/1.done"
	assert_equal "$(cat "$REC/1.body")" abcd
	assert_equal "$(cat "$REC/1.bodyeof")" eof
	# With stdin closed, the body is /dev/null's: none, and short.
	no_stdin() { "$@" 0<&-; }
	run --separate-stderr no_stdin bridge REQUEST_METHOD=POST \
	    CONTENT_LENGTH=5 -- "$SOCK"
	assert_error_page 100 '400 Bad Request'
	assert_stderr "cgi2scgi: POST /app: request body: stdin ended after 0 of 5 bytes"
	wait_for "$REC/2.done"
	assert_equal "$(cat "$REC/2.bodyeof")" eof
}

@test "a chunked upload passed on undecoded, as busybox httpd and Plack do, whatever the host's name | 411, nothing sent | 100" {
	backend
	mkfifo "$T/in"
	exec 6<>"$T/in"	# stdin never ends: the framing says it is whole
	printf '5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nX-T: 1\r\n\r\n' >&6
	run --separate-stderr bridge REQUEST_METHOD=POST \
	    HTTP_TRANSFER_ENCODING=chunked -- "$SOCK" < "$T/in"
	assert_error_page 100 '411 Length Required'
	assert_stderr "cgi2scgi: POST /app: request body: the web server passed a chunked upload on undecoded, its framing and all: the client must send a Content-Length"
	nothing_sent
}

@test "a chunked upload cut short in its framing, as busybox httpd passes what it read with the head | 411, nothing sent | 100" {
	backend
	printf '5\r\nhello\r\nfff4\r\nwor' > "$T/in"
	run --separate-stderr bridge REQUEST_METHOD=POST \
	    HTTP_TRANSFER_ENCODING=chunked -- "$SOCK" < "$T/in"
	assert_error_page 100 '411 Length Required'
	nothing_sent
}

@test "a decoded chunked upload that strays from the framing by a byte, or has no whole size line | sent as it is | 0" {
	backend
	local i=0 body
	for body in $'5\nhello\n0\n\n' $'5\r\nhello\r\n0\r\n\r\nX' \
	    $'1234567890abcdef\r\n' $'5\r\nhello!' 'cafe'; do
		i=$((i + 1))
		printf '%s' "$body" > "$T/in"
		run bridge REQUEST_METHOD=POST HTTP_TRANSFER_ENCODING=chunked \
		    TMPDIR="$T" -- "$SOCK" < "$T/in"
		assert_success
		wait_for "$REC/$i.done"
		cmp "$T/in" "$REC/$i.body"
		grep -qx "CONTENT_LENGTH=${#body}" "$REC/$i.env"
	done
}

@test "HTTP_TRANSFER_ENCODING beside CONTENT_LENGTH | not sent: the body is CONTENT_LENGTH bytes, plain | 0" {
	backend
	run bridge REQUEST_METHOD=POST CONTENT_LENGTH=5 \
	    HTTP_TRANSFER_ENCODING=chunked -- "$SOCK" <<< "abcd"
	assert_success
	wait_for "$REC/1.done"
	grep -qx CONTENT_LENGTH=5 "$REC/1.env"
	refute grep -q '^HTTP_TRANSFER_ENCODING=' "$REC/1.env"
}

@test "a chunked upload while no server can be reached | 502; nothing spooled | 111" {
	mkdir "$T/tmp"
	mkfifo "$T/fifo"
	bridge HTTP_TRANSFER_ENCODING=chunked TMPDIR="$T/tmp" -- "$SOCK" \
	    < "$T/fifo" > "$T/out" 2> "$T/err" &
	pid=$!
	exec 6> "$T/fifo"
	echo "the first part of an upload that goes on" >&6
	# The answer comes while the upload goes on, and no file holds it.
	wait_until 10 grep -qx '502 Bad Gateway' "$T/out"
	assert_equal "$(cat "$T/out")" "$(error_page '502 Bad Gateway')"
	assert_equal "$(ls -l /proc/[0-9]*/fd/ 2>/dev/null | grep "$T/tmp/cgi2scgi")" ""
	exec 6>&-
	rc=0
	wait_pid "$pid" 10 || rc=$?
	assert_equal "$rc" 111
	assert_equal "$(cat "$T/err")" "cgi2scgi: GET /app: connect $SOCK: No such file or directory"
}

@test "a chunked upload over the spool limit (-s, SCGI_MAX_SPOOL; 64 MiB unless set) | 413, nothing sent | 100" {
	backend
	head -c 4097 /dev/zero > "$T/in"
	run --separate-stderr bridge HTTP_TRANSFER_ENCODING=chunked \
	    SCGI_MAX_SPOOL=4k -- "$SOCK" < "$T/in"
	assert_error_page 100 '413 Content Too Large'
	assert_stderr "cgi2scgi: GET /app: request body: chunked upload over the limit of 4096 bytes"
	run --separate-stderr bridge HTTP_TRANSFER_ENCODING=chunked \
	    -- -s 2k "$SOCK" < "$T/in"
	assert_error_page 100 '413 Content Too Large'
	assert_stderr "cgi2scgi: GET /app: request body: chunked upload over the limit of 2048 bytes"
	head -c $((64 * 1048576 + 1)) /dev/zero > "$T/in"
	run --separate-stderr bridge HTTP_TRANSFER_ENCODING=chunked \
	    -- "$SOCK" < "$T/in"
	assert_error_page 100 '413 Content Too Large'
	assert_stderr "cgi2scgi: GET /app: request body: chunked upload over the limit of 67108864 bytes"
	nothing_sent
}

@test "a chunked upload that would leave its file system under 10% free | 507, nothing sent | 111" {
	needs_root "to mount a small file system"
	backend
	mkdir "$T/small"
	# TMPDIR: a file system of 4 MiB, in a mount namespace of its own.
	small() {	# small BYTES: a chunked upload of BYTES spooled there
		head -c "$1" /dev/zero | unshare -m sh -c \
		    'mount -t tmpfs -o size=4m tmpfs "$0" && exec "$@"' \
		    "$T/small" env -i GATEWAY_INTERFACE=CGI/1.1 \
		    HTTP_TRANSFER_ENCODING=chunked TMPDIR="$T/small" \
		    ${CGI2SCGI_WRAP:-} "$CGI2SCGI" "$SOCK"
	}
	run --separate-stderr small 1048576
	assert_success
	run --separate-stderr small 3800000
	assert_error_page 111 '507 Insufficient Storage'
	assert_stderr "cgi2scgi: TMPDIR: under 10% free: no room to spool the request body"
	wait_for "$REC/2.done"
	[ ! -e "$REC/2.head" ]
}

@test "a server that closed our connection while a chunked upload spooled | connected to again | 0" {
	backend -k 1
	mkfifo "$T/fifo"
	bridge HTTP_TRANSFER_ENCODING=chunked -- "$SOCK" < "$T/fifo" \
	    > "$T/out" 2> "$T/err" &
	pid=$!
	exec 6> "$T/fifo"
	wait_for "$REC/1.done"		# it closed the idle connection
	echo body >&6
	exec 6>&-
	wait_pid "$pid" 10
	assert_equal "$(cat "$REC/2.body")" body
}

@test "@name, while another user binds @name and the server listens on @name\\0 | only the name given is tried | 0" {
	name=@cgi2scgi-test-$$-$RANDOM
	"$FAKESCGI" -o "$REC" -z -p "$T/ready" "$name" &
	echo $! > "$T/real.pid"
	wait_for "$T/ready"
	run --separate-stderr bridge -- "$name"
	assert_error_page 111 '502 Bad Gateway'	# no fall back to @name\0
	mkdir "$T/evil"
	"$FAKESCGI" -o "$T/evil" -p "$T/evilready" "$name" &
	echo $! > "$T/evil.pid"
	wait_for "$T/evilready"
	run bridge -- "$name\\0"
	assert_success
	wait_for "$REC/1.done"
	[ ! -e "$T/evil/1.done" ]
}

@test "-connect conn app, when another user listens on conn first | 502, nothing sent, app not started | 111" {
	need_other_user
	make_app
	shared_dir
	squat "$S/app.sock"
	run --separate-stderr bridge -- -connect "$S/app.sock" "$T/app"
	assert_error_page 111 '502 Bad Gateway'
	assert_stderr "cgi2scgi: GET /app: $S/app.sock: another user listens there (uid 65534)"
	wait_for "$S/squat.1"
	assert_equal "$(cat "$S/squat.1")" 0
	assert_equal "$(starts)" 0
	# Root's own server is good: root could read the requests anyway.
	backend
	run bridge -- -connect "$SOCK" "$T/app"
	assert_success
}

@test "-connect host:port app or -connect @name app, which any local user could reach | 500: a request starts an app on a socket file only | 100" {
	make_app
	for conn in "127.0.0.1:$(free_port)" "@cgi2scgi-test-$$-$RANDOM"; do
		run --separate-stderr bridge -- -connect "$conn" "$T/app"
		assert_error_page 100 '500 Internal Server Error'
		assert_stderr --partial "a request starts an app only on a socket file"
	done
	assert_equal "$(starts)" 0
}

@test "a web server's umask of 000, and another user who connects to the app a request started | its socket is 0600: refused | 111" {
	need_other_user
	make_app
	shared_dir
	mkdir -m 755 "$S/app"
	(umask 000 && bridge -- -connect "$S/app/app.sock" "$T/app" > "$T/out")
	assert_equal "$(stat -c %a "$S/app/app.sock")" 600
	assert_equal "$(stat -c %a "$S/app/app.sock.log")" 600
	assert_equal "$(stat -c %a "$S/app/app.sock.lock")" 600
	run --separate-stderr as_other env -i GATEWAY_INTERFACE=CGI/1.1 \
	    REQUEST_METHOD=GET SCRIPT_NAME=/app REMOTE_USER=admin \
	    "$CGI2SCGI" "$S/app/app.sock"
	assert_error_page 111 '502 Bad Gateway'
	assert_stderr --partial "connect $S/app/app.sock: Permission denied (we are uid=65534(nobody) gid=65534(nogroup) groups=none; it is uid=0(root) gid=0(root) mode 0600)"
}

@test "a FIFO planted at conn.log or conn.lock | 503 at once: it is not waited on | 111" {
	make_app
	# A FIFO with no reader: opened for writing (the log) or both (the
	# lock), open(2) would wait for one.
	for fifo in "$SOCK.log|No such device or address" \
	    "$SOCK.lock|not a plain file of ours"; do
		rm -f "$SOCK.log" "$SOCK.lock"
		mkfifo "${fifo%%|*}"
		bridge -- -connect "$SOCK" "$T/app" > "$T/out" 2> "$T/err" &
		rc=0
		wait_pid $! 10 || rc=$?
		assert_equal "$rc" 111
		assert_equal "$(cat "$T/out")" "$(error_page '503 Service Unavailable')"
		assert_equal "$(cat "$T/err")" "cgi2scgi: GET /app: ${fifo%%|*}: ${fifo#*|}"
	done
	assert_equal "$(starts)" 0
}

@test "a descriptor above the soft RLIMIT_NOFILE | closed in a started app | 0" {
	make_app
	ulimit -n 8192
	exec 5000< "$T/app"		# no close-on-exec, as a web server may
	ulimit -Sn 1024
	# Not under valgrind, whose close_range(2) leaves alone the fds
	# above the soft limit, which it takes to be its own.
	run env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 "$CGI2SCGI" \
	    -connect "$SOCK" "$T/app"
	exec 5000<&-
	assert_ok_page
	pid=$(cat "$T/starts")
	assert_equal "$(ls "/proc/$pid/fd" | sort -n | tr '\n' ' ')" "0 1 2 3 "
}

@test "signals the web server left ignored or blocked | back to their defaults in a started app | 0" {
	make_app
	perl -MPOSIX -e 'for (qw(TERM HUP CHLD TSTP TTOU TTIN URG WINCH USR1 RTMAX)) {
		$SIG{$_} = "IGNORE" }
	    sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGUSR2));
	    exec @ARGV' env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 \
	    "$CGI2SCGI" -connect "$SOCK" "$T/app" > "$T/out"
	assert_equal "$(head -n 1 "$T/out")" $'Status: 200 OK\r'
	pid=$(cat "$T/starts")
	grep Sig "/proc/$pid/status" > "$T/sigs"
	# hello-scgi ignores SIGPIPE itself, and only it.
	grep -qx 'SigBlk:	0000000000000000' "$T/sigs" &&
	    grep -qx 'SigIgn:	0000000000001000' "$T/sigs" ||
	    { cat "$T/sigs" >&2; false; }
}

@test "a URI that spells out an escape, \\x0a | its backslash logged as \\\\: never read as a newline | 111" {
	run --separate-stderr bridge REQUEST_URI='/a\x0ab\\c' \
	    REMOTE_ADDR=192.0.2.7 SCGI_FILE=/nonexistent/app.sock
	assert_error_page 111 '502 Bad Gateway'
	assert_stderr 'cgi2scgi: GET /a\\x0ab\\\\c from 192.0.2.7: connect /nonexistent/app.sock: No such file or directory'
}

# on_socket COMMAND...: COMMAND with stdout and stderr one socket, as
# mini_httpd gives an nph- program the client's connection; what it
# wrote there on our stdout, its exit status ours.
on_socket() {
	python3 -c '
import socket, subprocess, sys
ours, its = socket.socketpair()
p = subprocess.Popen(sys.argv[1:], stdout=its, stderr=its)
its.close()
sys.stdout.buffer.write(b"".join(iter(lambda: ours.recv(65536), b"")))
sys.exit(p.wait())' "$@"
}

@test "stderr the pipe or socket stdout is, as mini_httpd gives it | the line goes to syslog, never into the answer | 111" {
	# run, without --separate-stderr, gives both one pipe.
	run bridge REQUEST_URI=/a SCGI_FILE=/nonexistent/app.sock
	assert_error_page 111 '502 Bad Gateway'
	bridge_argv REQUEST_URI=/a SCGI_FILE=/nonexistent/app.sock
	run on_socket "${BRIDGE[@]}"
	assert_error_page 111 '502 Bad Gateway'
}

@test "the table in docs/HOSTILE lists exactly these tests" {
	awk -F'|' '/^    \|/ && !/^    \| input/ {
		for (i = 2; i <= 4; i++) gsub(/^ +| +$/, "", $i)
		print $2 " | " $3 " | " $4 }' "$BATS_TEST_DIRNAME/../docs/HOSTILE" |
	    sort > "$T/table"
	sed -n 's/^@test "\(.*|.*|.*\)" {$/\1/p' "$BATS_TEST_FILENAME" |
	    sed 's/\\"/"/g; s/\\\\/\\/g' | sort > "$T/tests"
	diff "$T/tests" "$T/table"
}
