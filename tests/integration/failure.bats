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
	logged missing "cgi2scgi: connect $IT/missing.sock: No such file or directory"
}

@test "a closed port: the client gets a 502 and the error log says which port and why" {
	bad_gateway closed
	logged closed "cgi2scgi: connect 127.0.0.1:$PORT_UNUSED: Connection refused"
}

@test "a backend that accepts and closes: the client gets a 502 and the error log says so" {
	bad_gateway closer
	logged closer "cgi2scgi: $IT/closer.sock: closed the connection without a response"
}

@test "a backend that answers garbage: the client gets a 502 and the error log says so" {
	bad_gateway garbage
	logged garbage "cgi2scgi: $IT/garbage.sock: malformed response header"
}
