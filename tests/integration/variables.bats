#!/usr/bin/env bats
# What the servers behind the bridge limit, met through real web
# servers: rtorrent (Debian's 0.9.8) closes, unanswered, a request whose
# SCGI header block is over 2000 bytes; uWSGI as it comes drops one
# over 4095 bytes less 2 a variable.  A browser's cookies get there: the
# README's rtorrent recipes (conf/apache-rtorrent.conf and
# lighttpd-rtorrent.conf) send rtorrent only what it reads, and say why
# when a request would not fit, and nginx's (nginx-rtorrent.conf) sends
# no headers; SCGI_DROP and SCGI_PASS do the same for uWSGI.  rtorrent
# closes on a body over 2 MiB, and the recipes say so: 413.

load helper

LIST_METHODS='<?xml version="1.0"?>
<methodCall><methodName>system.listMethods</methodName><params></params></methodCall>'

# cookie N: a Cookie header whose value is N bytes.
cookie() {
	printf 'Cookie: c=%s' "$(head -c $(($1 - 2)) /dev/zero | tr '\0' x)"
}

# body: the request's body, $BODY bytes of system.listMethods padded with
# spaces when BODY is set.
body() {
	printf '%s' "$LIST_METHODS"
	[ -z "${BODY:-}" ] || head -c $((BODY - ${#LIST_METHODS})) /dev/zero | tr '\0' ' '
}

# rpc ROUTE [curl option ...]: POST system.listMethods to /RPC2 there,
# with the recipe's password and ruTorrent's Content-Type; the status.
rpc() {
	local port
	port=$(port_of "$1") || return
	shift
	body | fetch -u rt:secret \
	    -H 'Content-Type: text/xml; charset=UTF-8' --data-binary @- "$@" \
	    "http://127.0.0.1:$port/RPC2"
}

# method_list: the last answer is rtorrent's list of its methods.
method_list() {
	expect Content-Type "$(header Content-Type)" text/xml &&
	    grep -qF '<value><string>system.listMethods</string></value>' "$T/body" &&
	    grep -qF '<value><string>d.multicall2</string></value>' "$T/body" && return 0
	echo "$route: not rtorrent's method list:" >&2
	head -c 500 "$T/body" >&2
	return 1
}

# lines ROUTE TEXT: how many lines with TEXT reached ROUTE's error log
# since the test began.
lines() {
	local f
	f=$(error_log "$1")
	tail -c +"$(($(cat "$T/$(basename "$(dirname "$f")").mark") + 1))" "$f" |
	    grep -cF -- "$2"
}

# new_in FILE SINCE TEXT: TEXT appears in FILE past byte SINCE, within
# 30 s.
new_in() {
	local i=0
	until tail -c +"$(($2 + 1))" "$1" | grep -qF -- "$3"; do
		i=$((i + 1))
		if [ "$i" -gt 300 ]; then
			printf 'no "%s" in %s:\n' "$3" "$1" >&2
			tail -n 5 "$1" >&2
			return 1
		fi
		sleep 0.1
	done
}

@test "rtorrent behind the README's Apache, lighttpd and nginx recipes: system.listMethods with a 3,500-byte cookie answers 200" {
	for route in apache-rtorrent lighttpd-rtorrent nginx-rtorrent; do
		code=$(rpc "$route" -H "$(cookie 3500)")
		expect status "$code" 200
		method_list
	done
}

@test "the nginx recipe without scgi_pass_request_headers off: a 3,500-byte cookie is a 502, nginx logging a reset" {
	route=nginx-rtorrent-headers
	code=$(rpc "$route" -H "$(cookie 3500)")
	expect status "$code" 502
	logged "$route" "recv() failed (104: Connection reset by peer)"
	code=$(rpc "$route")
	expect 'status without the cookie' "$code" 200
	method_list
}

@test "rtorrent takes a body of 2 MiB through each recipe; one byte more is a 413 through each, and a line in Apache's log" {
	for route in apache-rtorrent lighttpd-rtorrent nginx-rtorrent; do
		code=$(BODY=2097152 rpc "$route" -H "$(cookie 3500)")
		expect 'status for 2097152 bytes' "$code" 200
		method_list
		code=$(BODY=2097153 rpc "$route" -H "$(cookie 3500)")
		expect "$route: status for 2097153 bytes" "$code" 413
	done
	logged apache-rtorrent "cgi2scgi: POST /RPC2 from 127.0.0.1: " \
	    "2097153 is over the limit of 2097152 bytes"
}

@test "without SCGI_MAX_BODY, rtorrent closes on a body of 2 MiB and one byte: 502" {
	route=apache-rtorrent-plain
	code=$(BODY=2097153 rpc "$route")
	expect status "$code" 502
	code=$(BODY=2097152 rpc "$route")
	expect 'status for 2097152 bytes' "$code" 200
	method_list
}

@test "the rtorrent recipes ask for the password: without it, 401" {
	for route in apache-rtorrent lighttpd-rtorrent nginx-rtorrent; do
		code=$(printf '%s' "$LIST_METHODS" | fetch --data-binary @- \
		    "http://127.0.0.1:$(port_of "$route")/RPC2")
		expect status "$code" 401
	done
}

@test "the Apache recipe without SCGI_PASS: a 3,500-byte cookie is a 431, logged with the size, rtorrent's limit and the cookie" {
	route=apache-rtorrent-bare
	code=$(rpc "$route" -H "$(cookie 3500)")
	expect status "$code" 431
	# The cookie's size in the block: its name, its value, two NULs.
	logged "$route" "cgi2scgi: POST /RPC2 from 127.0.0.1: request header: header block of " \
	    " bytes is over the limit of 2000 (-H, SCGI_MAX_HEADER); largest: HTTP_COOKIE 3513, "
	# Without the cookie, Apache's variables fit.
	code=$(rpc "$route")
	expect 'status without the cookie' "$code" 200
	method_list
}

@test "without SCGI_PASS and SCGI_MAX_HEADER, rtorrent closes on a 3,500-byte cookie: 502, one line with the header block's size" {
	route=apache-rtorrent-plain
	code=$(rpc "$route" -H "$(cookie 3500)")
	expect status "$code" 502
	logged "$route" "cgi2scgi: POST /RPC2 from 127.0.0.1: " \
	    "closed the connection without a response (a body of "
	logged "$route" " bytes, text/xml; charset=UTF-8, header block " \
	    " variables; over rtorrent's 2000 bytes of header block: see -H"
	expect 'lines logged' "$(lines "$route" 'closed the connection')" 1
	code=$(rpc "$route")
	expect 'status without the cookie' "$code" 200
	method_list
}

@test "uWSGI as it comes drops a request with an 8,000-byte cookie: 502, uWSGI's line, and one line of ours with the header block's size" {
	local before
	route=uwsgi-small
	before=$(wc -c < "$IT/uwsgi-small.log")
	code=$(fetch -H "$(cookie 8000)" "$(url "$route" /env/)")
	expect status "$code" 502
	new_in "$IT/uwsgi-small.log" "$before" 'invalid SCGI request size (max 4096)'
	# A GET is sent once more: one line says so.
	logged "$route" "cgi2scgi: GET /app/env/ from 127.0.0.1: " \
	    "closed the connection without a response, twice (no body, header block "
	expect 'lines logged' "$(lines "$route" 'closed the connection')" 1
}

@test "uWSGI as it comes takes the same request with SCGI_DROP HTTP_COOKIE, and the app sees no cookie" {
	route=uwsgi-small
	code=$(fetch -H "$(cookie 8000)" "http://127.0.0.1:$PORT_UWSGI_SMALL/drop/env/")
	expect status "$code" 200
	expect_line 'the method' "$T/body" REQUEST_METHOD=GET
	expect_line 'the Host header' "$T/body" "HTTP_HOST=127.0.0.1:$PORT_UWSGI_SMALL"
	if grep -q '^HTTP_COOKIE=' "$T/body"; then
		echo "$route: the app got the cookie" >&2
		return 1
	fi
}

@test "uWSGI as it comes takes the same request with SCGI_PASS, and the app sees only what it names" {
	route=uwsgi-small
	code=$(fetch -H "$(cookie 8000)" "http://127.0.0.1:$PORT_UWSGI_SMALL/pass/env/?a=1")
	expect status "$code" 200
	expect_line 'the method' "$T/body" REQUEST_METHOD=GET
	expect_line 'the path' "$T/body" PATH_INFO=/env/
	expect_line 'the query' "$T/body" QUERY_STRING=a=1
	# The app lists what it got, sorted: those, and what SCGI adds.
	expect variables "$(sed 's/=.*//' "$T/body" | paste -sd ' ')" \
	    "CONTENT_LENGTH PATH_INFO QUERY_STRING REQUEST_METHOD SCGI SCRIPT_NAME SERVER_NAME SERVER_PORT SERVER_PROTOCOL"
}

# block_of SOCKET SIZE [option...]: the bridge, by hand, to SOCKET, with
# a header block (the netstring's length, what -H counts) of SIZE bytes
# in 9 variables, CONTENT_LENGTH and SCGI among them, HTTP_X_PAD making
# up the size: a POST of system.listMethods, which rtorrent wants and
# app.py answers at /status/200.  Its exit status in $status, its
# stdout in $T/out, its stderr in $T/err.
block_of() {
	local socket=$1 size=$2 base
	local vars=(GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=POST
	    SERVER_PROTOCOL=HTTP/1.1 SCRIPT_NAME=/app PATH_INFO=/status/200
	    CONTENT_TYPE=text/xml "CONTENT_LENGTH=${#LIST_METHODS}")
	shift 2
	# With an empty pad, as the 431 of -H 1 says, before connecting.
	base=$(env -i "${vars[@]}" HTTP_X_PAD= "$BIN" -H 1 "$socket" \
	    2>&1 > /dev/null < /dev/null |
	    sed -n 's/.* header block of \([0-9]*\) bytes .*/\1/p')
	status=0
	env -i "${vars[@]}" \
	    HTTP_X_PAD="$(head -c $((size - base)) /dev/zero | tr '\0' x)" \
	    "$BIN" "$@" "$socket" < <(printf %s "$LIST_METHODS") \
	    > "$T/out" 2> "$T/err" || status=$?
}

# over_by_one SOCKET LIMIT: a block of LIMIT bytes answered 200 under
# -H LIMIT; one of LIMIT + 1 closed on by the server without -H (so the
# limit is not lower than the server's), its line ending in WHY, and a
# 431 under -H LIMIT.
over_by_one() {
	local over=$(($2 + 1))
	block_of "$1" "$over"
	expect "$over bytes, no -H: exit" "$status" 111 || return
	expect_line "$over bytes, no -H" "$T/err" "cgi2scgi: POST /app/status/200: $1: closed the connection without a response (a body of ${#LIST_METHODS} bytes, text/xml, header block $over bytes in 9 variables; $3)" || return
	block_of "$1" "$2" -H "$2"
	expect "$2 bytes, -H $2: exit" "$status" 0 || return
	expect "$2 bytes, -H $2: status" "$(head -n 1 "$T/out")" $'Status: 200 OK\r' || return
	block_of "$1" "$over" -H "$2"
	expect "$over bytes, -H $2: exit" "$status" 100 || return
	expect "$over bytes, -H $2: status" "$(head -n 1 "$T/out")" \
	    $'Status: 431 Request Header Fields Too Large\r' || return
	grep -qF "header block of $over bytes is over the limit of $2 (-H" "$T/err" ||
	    expect "$over bytes, -H $2" "$(cat "$T/err")" 'a 431 line'
}

@test "rtorrent takes a header block of 2000 bytes, whatever its variables: -H 2000 passes 2000, and 2001, which rtorrent closes on, is a 431" {
	route=rtorrent
	over_by_one "$IT/rtorrent/rpc.socket" 2000 \
	    "over rtorrent's 2000 bytes of header block: see -H"
}

@test "uWSGI with --buffer-size 1024 takes a block of 1023 bytes less 2 a variable: -H 1005 for 9 variables passes 1005, and 1006, which uWSGI closes on, is a 431" {
	route=uwsgi-1024
	/usr/bin/uwsgi-core --plugin python3 --master --die-on-term \
	    --processes 1 --buffer-size 1024 --scgi-socket "$T/uwsgi.sock" \
	    --wsgi-file "$BATS_TEST_DIRNAME/app.py" --env "DATA=$IT/data" \
	    --logto "$T/uwsgi.log" 3>&- &
	echo $! > "$IT/pids/uwsgi-1024"	# teardown_suite's, on failure
	wait_for "$T/uwsgi.sock" 60
	over_by_one "$T/uwsgi.sock" 1005 \
	    "within the limits rtorrent and uWSGI have as they come: see the server's log"
	# uWSGI's own word for 1006: its packet has 2 bytes more a variable.
	grep -q 'unable to add HTTP_X_PAD=x* to uwsgi packet' "$T/uwsgi.log"
	kill "$(cat "$IT/pids/uwsgi-1024")"
	wait "$(cat "$IT/pids/uwsgi-1024")" || :
	rm "$IT/pids/uwsgi-1024"
}
