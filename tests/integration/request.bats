#!/usr/bin/env bats
# Requests from curl through each web server and the bridge to a real
# SCGI server: what the application sees.

load helper

# What goes in the URL, and how the app must see it: PATH_INFO decoded
# (RFC 3875 4.1.5), the query string as sent.
ODD_PATH='/env/a%20b/%C3%A9t%C3%A9/%27q%27%3B%24x%2A'
ODD_PATH_INFO=$'/env/a b/\xc3\xa9t\xc3\xa9/\'q\';$x*'
ODD_QUERY='x=1&y=%2F%26+z&q=%22%27%3C%3E&e=&utf=%C3%A9&s=a+b'

@test "GET with an odd query string, PATH_INFO, cookies and 60 headers reaches the app as sent" {
	local h=() i
	for i in $(seq 1 60); do
		h+=(-H "X-Header-$i: value $i; with, punctuation")
	done
	for route in $ROUTES; do
		code=$(fetch "${h[@]}" -H 'Cookie: a=1; b="two words"; c=%41' \
		    "$(url "$route" "$ODD_PATH?$ODD_QUERY")")
		expect status "$code" 200
		expect_line method "$T/body" REQUEST_METHOD=GET
		expect_line 'query string' "$T/body" "QUERY_STRING=$ODD_QUERY"
		expect_line 'PATH_INFO' "$T/body" "PATH_INFO=$ODD_PATH_INFO"
		expect_line 'SCRIPT_NAME' "$T/body" SCRIPT_NAME=/app
		expect_line cookie "$T/body" 'HTTP_COOKIE=a=1; b="two words"; c=%41'
		for i in $(seq 1 60); do
			expect_line "header $i" "$T/body" \
			    "HTTP_X_HEADER_$i=value $i; with, punctuation"
		done
		expect_line 'SCGI' "$T/body" SCGI=1
		# The bridge's own settings stay with the bridge.
		! grep -E '^SCGI_' "$T/body"
	done
}

# upload METHOD NAME [curl options]: send data file NAME, check what the
# app read against its digest.
upload() {
	local method=$1 name=$2
	shift 2
	code=$(fetch -X "$method" -H 'Content-Type: application/octet-stream' \
	    --data-binary "@$IT/data/$name" "$@" "$(url "$route" /body)")
	expect "$method $name status" "$code" 200
	expect "$method $name at the app" "$(cat "$T/body")" \
	    "$method $(wc -c < "$IT/data/$name") $(digest "$name")"
}

@test "POST and PUT bodies of 0 B, 1 B, 64 KiB and 50 MiB reach the app byte for byte" {
	for route in $ROUTES; do
		for method in POST PUT; do
			for name in 0 1 64k 50m; do
				upload "$method" "$name"
			done
		done
	done
}

@test "a chunked upload (Transfer-Encoding: chunked) reaches the app whole" {
	for route in $ROUTES; do
		for name in 1 64k 50m; do
			upload POST "$name" -H 'Transfer-Encoding: chunked'
		done
	done
}

@test "a streaming app behind Apache, which writes the whole body before it reads the answer: a 4 MiB echo arrives whole, not cut at -i" {
	local w=$IT/cgi-bin/echo sock=$IT/echo.sock
	mkdir -p "$T/rec"
	"$BATS_TEST_DIRNAME/../fakescgi" -m echo -o "$T/rec" "$sock" 3>&- &
	echo $! > "$T/echo.pid"
	wait_for "$sock" 30
	chmod 666 "$sock"
	printf '#!/bin/sh\nexec %s -i 30 %s\n' "$BIN" "$sock" > "$w"
	chmod 755 "$w"
	head -c 4194304 /dev/urandom > "$T/in"
	route=echo
	code=$(fetch --data-binary @"$T/in" -H 'Content-Type: application/octet-stream' \
	    "http://127.0.0.1:$PORT_SCRIPT/cgi-bin/echo")
	kill "$(cat "$T/echo.pid")"
	rm -f "$w" "$sock"
	expect status "$code" 200
	cmp "$T/in" "$T/body"
}
