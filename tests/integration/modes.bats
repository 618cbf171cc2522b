#!/usr/bin/env bats
# cgi-fcgi's way, under a real Apache: a "#!cgi2scgi -f" script in a
# cgi-bin (the README's, conf/script.cgi) that starts its application,
# example/hello-scgi, the first time a request finds none listening.

load helper

apps() {	# apps: how many copies of the app run
	pgrep -c -f "^$IT/bin/hello-scgi" || :
}

@test "an interpreter-file script run by Apache starts its app once, as the web server's user, and bridges" {
	local i
	for i in 1 2 3; do
		route=script
		status=$(fetch "http://127.0.0.1:$PORT_SCRIPT/cgi-bin/app/x/y?a+b")
		expect "status of request $i" "$status" 200
		expect "page of request $i" "$(sed -n 1p "$T/body")" "Hello from an SCGI application."
		expect_line "SCRIPT_NAME" "$T/body" "SCRIPT_NAME=/cgi-bin/app"
		expect_line "PATH_INFO" "$T/body" "PATH_INFO=/x/y"
		expect_line "QUERY_STRING" "$T/body" "QUERY_STRING=a+b"
		expect "copies after request $i" "$(apps)" 2
	done
	expect "the apps' user" "$(ps -o user= -p "$(pgrep -f "^$IT/bin/hello-scgi" | head -1)")" "$RUN_AS"
	[ -S "$IT/auto/app.sock" ]
	grep -q . "$IT/auto/app.sock.log" || [ -f "$IT/auto/app.sock.log" ]
}

@test "query words cannot make the script read another file, or choose a server" {
	route=script
	status=$(fetch "http://127.0.0.1:$PORT_SCRIPT/cgi-bin/app?-f+%2Fetc%2Fpasswd+-connect+127.0.0.1:1")
	expect status "$status" 200
	expect page "$(sed -n 1p "$T/body")" "Hello from an SCGI application."
}
