#!/usr/bin/env bats
# nginx needs no bridge: it speaks SCGI itself.  The README's snippet
# (conf/nginx.conf, with Debian's scgi_params) in front of the same
# uWSGI as the bridge's recipes, on a --scgi-socket and on a
# --scgi-nph-socket (setup_suite.bash's write_nginx): what the README
# says of it, checked.

load helper

# vars ROUTE PATH: the variables the application got, one NAME=VALUE a
# line, through ROUTE, for the names that say where the request went.
vars() {
	local code
	code=$(fetch "$(url "$1" "$2")")
	expect status "$code" 200
	grep -E '^(SCRIPT_NAME|PATH_INFO|QUERY_STRING|REQUEST_METHOD)=' "$T/body"
}

@test "the README's nginx snippet gives the application SCRIPT_NAME and PATH_INFO as cgi2scgi under Apache does" {
	local path
	for path in '/env/a%20b/c?x=1&y=2' '/env' '/env/'; do
		route=nginx
		vars nginx "$path" > "$T/nginx"
		route=apache-file
		vars apache-file "$path" > "$T/apache"
		diff -u "$T/apache" "$T/nginx"
	done
	# Debian's scgi_params alone sets neither.
	! grep -q 'SCRIPT_NAME\|PATH_INFO' /etc/nginx/scgi_params
	grep -qx 'PATH_INFO=/env/' "$T/nginx"
}

@test "nginx takes an HTTP/1.1 status line from the SCGI server, where Apache needs the bridge" {
	route=nginx-nph
	code=$(fetch "$(url nginx-nph /status/201)")
	expect status "$code" 201
	expect_line body "$T/body" "status 201"
}

@test "nginx buffers a chunked upload and sends the SCGI server its length" {
	route=nginx
	code=$(fetch -H 'Transfer-Encoding: chunked' --data-binary "@$IT/data/64k" \
	    "$(url nginx /body)")
	expect status "$code" 200
	expect_line body "$T/body" "POST 65536 $(digest 64k)"
}
