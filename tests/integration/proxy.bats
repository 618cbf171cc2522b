#!/usr/bin/env bats
# The bridge beside Apache's own SCGI client, mod_proxy_scgi, in front of
# the same uWSGI: what the application sees, and where they part.

load helper

# The variables whose names or values differ, as the README lists them.
readme_differences() {
	awk '/^Compared with mod_proxy_scgi$/ { on = 1; getline; next }
	    on && /^---/ { on = 0 }	# the next section
	    on && /^    [A-Z][A-Z_]+  / { print $1 }' \
	    "$BATS_TEST_DIRNAME/../../README" | sort
}

# differences A B: the names that are in one env dump and not the
# other, or have other values.  HTTP_HOST, SERVER_PORT and REMOTE_PORT
# differ only because the two sit on two ports and two connections.
differences() {
	awk -F= '{ n = $1; v = substr($0, length(n) + 2) }
	    n ~ /^(HTTP_HOST|SERVER_PORT|REMOTE_PORT)$/ { next }
	    FNR == NR { a[n] = v; next }
	    !(n in a) || a[n] != v { print n }
	    { seen[n] = 1 }
	    END { for (n in a) if (!(n in seen)) print n }' "$1" "$2" | sort
}

@test "the app sees the same CGI variables through the bridge as through mod_proxy_scgi, but for those the README explains" {
	local want
	want=$(readme_differences)
	[ -n "$want" ]
	for request in GET POST; do
		for route in apache-tcp proxy; do
			code=$(fetch -X "$request" --data-binary "a=1&b=2" \
			    -H 'Content-Type: application/x-www-form-urlencoded' \
			    -H 'Cookie: c=3' -H 'X-Custom: yes' \
			    "$(url "$route" '/env/a%20b/c?x=1&y=%2F')")
			expect "$request status" "$code" 200
			cp "$T/body" "$T/$route.env"
		done
		route="bridge vs mod_proxy_scgi, $request"
		expect differences "$(differences "$T/apache-tcp.env" "$T/proxy.env")" "$want"
	done
}

@test "uWSGI's HTTP/1.1 status line is a 500 through mod_proxy_scgi and the app's status through the bridge" {
	route=proxy-nph
	code=$(fetch "$(url proxy-nph /status/201)")
	expect status "$code" 500
	for route in apache-wrapper-tcp lighttpd; do
		code=$(fetch "$(url "$route" /status/201)")
		expect status "$code" 201
		expect body "$(cat "$T/body")" 'status 201'
	done
}

@test "a chunked upload is a 411 through mod_proxy_scgi and reaches the app whole through the bridge" {
	route=proxy
	code=$(fetch -H 'Transfer-Encoding: chunked' --data-binary "@$IT/data/64k" \
	    "$(url proxy /body)")
	expect status "$code" 411
	route=apache-tcp
	code=$(fetch -H 'Transfer-Encoding: chunked' --data-binary "@$IT/data/64k" \
	    "$(url apache-tcp /body)")
	expect status "$code" 200
	expect 'at the app' "$(cat "$T/body")" "POST 65536 $(digest 64k)"
}
