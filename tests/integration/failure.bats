#!/usr/bin/env bats
# Backends that are down or broken, behind the Apache recipes: the
# client gets the bridge's 502 page, the error log the bridge's one
# line, and nothing hangs (curl gives up after 120 s: a failure).

load helper

# bad_gateway ROUTE: GET and POST both get the bridge's 502 page.
bad_gateway() {
	route=$1
	code=$(fetch "$(url "$route" /env)")
	expect status "$code" 502
	expect body "$(cat "$T/body")" '502 Bad Gateway'
	expect Content-Type "$(header Content-Type)" text/plain
	code=$(fetch --data-binary "@$IT/data/64k" "$(url "$route" /body)")
	expect 'status after a POST' "$code" 502
}

@test "a missing socket file: the client gets a 502 and the error log says which file and why" {
	bad_gateway missing
	# The line names the request and the client: the web server's log
	# has them only in its own lines, if at all.
	logged missing "cgi2scgi: GET /app/env from 127.0.0.1: connect $IT/missing.sock: No such file or directory"
	logged missing "cgi2scgi: POST /app/body from 127.0.0.1: connect $IT/missing.sock: No such file or directory"
}

@test "a closed port: the client gets a 502 and the error log says which port and why" {
	bad_gateway closed
	logged closed "cgi2scgi: GET /app/env from 127.0.0.1: connect 127.0.0.1:$PORT_UNUSED: Connection refused"
}

@test "a backend that accepts and closes: the client gets a 502 and the error log says so" {
	bad_gateway closer
	# One line for the GET, which went twice, with what the block held.
	logged closer "cgi2scgi: GET /app/env from 127.0.0.1: $IT/closer.sock: closed the connection without a response, twice (no body, header block "
	logged closer "cgi2scgi: POST /app/body from 127.0.0.1: $IT/closer.sock: closed the connection without a response (a body of 65536 bytes, application/x-www-form-urlencoded, header block "
	assert_equal "$(grep -c "closer.sock: closed" <(log_since closer))" 2
}

@test "a backend that answers garbage: the client gets a 502 and the error log says so" {
	bad_gateway garbage
	logged garbage "cgi2scgi: GET /app/env from 127.0.0.1: $IT/garbage.sock: malformed response header: a control character: "
}
