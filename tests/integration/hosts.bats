#!/usr/bin/env bats
# One matrix on every CGI host the tests run: Apache event with
# mod_cgid, Apache prefork with mod_cgi, lighttpd, mini_httpd, busybox
# httpd and civetweb (the routes of $HOSTS, in helper.bash).  Behind each
# the bridge goes to one backend, fakescgi, which answers every request
# with $IT/ctl.reply as the test last wrote it and records the request
# in $IT/ctl-rec.  Each test tries every host and names each that
# failed.  What a host does by itself, with probe.sh (a plain CGI
# program) in the bridge's place, is here too: docs/HOSTS tabulates it.

load helper

# answer FORMAT [FILE]: the backend's next answers are printf FORMAT
# (and FILE's bytes after it).
answer() {
	printf "$1" > "$IT/ctl.reply"
	[ -z "${2:-}" ] || cat "$2" >> "$IT/ctl.reply"
}

# on_every_host CHECK [ARG...]: CHECK with $route set to each host's
# route in turn, all of them; fails naming each host CHECK failed on.
# CHECK runs without errexit (it is left of a ||): each of its steps
# that can fail ends in "|| return".
on_every_host() {
	local failed=
	for route in $HOSTS; do
		"$@" || failed+=" $route"
	done
	[ -z "$failed" ] || { echo "failed on:$failed" >&2; return 1; }
}

# The cases every host runs: the six, and the six of $MORE_HOSTS
# (nginx and Caddy through fcgiwrap, Python's http.server, H2O, Plack's
# WrapCGI, Twisted's twcgi).  A host's own limit is its exact outcome here, so that a
# bridge that makes it worse still fails.
on_all_hosts() {
	HOSTS="$HOSTS $MORE_HOSTS" on_every_host "$@"
}

# get [curl options]: fetch the route's /x; the status to $code.
get() {
	code=$(fetch "$@" "$(url "$route" /x)") || :
}

# body_is TEXT: the body the client got is TEXT (and newlines).
body_is() {
	expect body "$(cat "$T/body")" "$1"
}

# no_field NAME: the head the client got has no field NAME.
no_field() {
	if grep -qi "^$1:" "$T/head"; then
		printf '%s: a %s field reached the client:\n' "$route" "$1" >&2
		cat "$T/head" >&2
		return 1
	fi
}

# bad_gateway WHAT: the client got the bridge's 502, and the host's log
# (where it keeps the bridge's stderr: see docs/HOSTS) a line from it.
bad_gateway() {
	log_sizes mark
	get
	expect "$1: status" "$code" 502 || return
	body_is '502 Bad Gateway' || return
	logged "$route" 'cgi2scgi: '
}

# requests: how many requests the backend has answered.
requests() {
	ls "$IT/ctl-rec" | grep -c '\.done$'
}

# request_var N NAME: NAME's value in the backend's request N, once
# that request is on record.
request_var() {
	wait_for "$IT/ctl-rec/$1.done" 30 || return
	sed -n "s/^$2=//p" "$IT/ctl-rec/$1.env"
}

# probe_url ROUTE QUERY: probe.sh, in the bridge's place on ROUTE's host.
probe_url() {
	local script
	case $1 in
	apache-ctl|prefork-ctl|lighttpd-ctl|nginx-fcgiwrap-ctl|caddy-ctl|plack-ctl|\
	twisted-ctl|webrick-ctl|go-ctl)
		script=/probe ;;
	civetweb-ctl|h2o-ctl)			script=/cgi-bin/probe.cgi ;;
	*)					script=/cgi-bin/probe ;;
	esac
	echo "http://127.0.0.1:$(port_of "$1")$script$2"
}

# reason CODE: the reason phrase the tests give with CODE.
reason() {
	case $1 in
	200) echo OK ;;			201) echo Created ;;
	204) echo No Content ;;		304) echo Not Modified ;;
	404) echo Not Found ;;		500) echo Internal Server Error ;;
	esac
}

# Every code in every form, for a full account of what fails.
statuses() {
	local c r b form bad=0
	for c in 200 201 204 304 404 500; do
		r=$(reason "$c")
		b="status $c\n"
		[ "$c" != 204 ] && [ "$c" != 304 ] || b=
		for form in first second 'HTTP/1.1'; do
			case $form in
			first)	answer "Status: $c $r\r\nContent-Type: text/plain\r\n\r\n$b" ;;
			second)	answer "Content-Type: text/plain\r\nStatus: $c $r\r\n\r\n$b" ;;
			*)	answer "HTTP/1.1 $c $r\r\nContent-Type: text/plain\r\n\r\n$b" ;;
			esac
			get
			expect "status $c, given $form" "$code" "$c" || { bad=1; continue; }
			body_is "$(printf "$b")" || bad=1
		done
	done
	return "$bad"
}

@test "statuses 200, 201, 204, 304, 404 and 500 reach the client, given first, after Content-Type, or as an HTTP/1.1 line" {
	on_every_host statuses
}

local_redirect() {
	answer 'Location: /local.txt\r\n\r\n'
	get
	case $route in
	apache-ctl|prefork-ctl)
		expect status "$code" 200 || return
		body_is 'the local page'
		;;
	lighttpd-ctl)
		expect status "$code" 302 || return
		expect Location "$(header Location)" /local.txt || return
		code=$(fetch "http://127.0.0.1:$(port_of "$route")/redir/x") || :
		expect 'status with cgi.local-redir' "$code" 200 || return
		body_is 'the local page'
		;;
	mini-httpd-ctl)
		expect status "$code" 302 || return
		expect Location "$(header Location)" /local.txt
		;;
	civetweb-ctl)
		expect status "$code" 307 || return
		expect Location "$(header Location)" /local.txt
		;;
	busybox-ctl)
		expect status "$code" 200 || return
		expect Location "$(header Location)" /local.txt || return
		body_is ''
		;;
	esac
}

@test "a Location alone, a local path: Apache, and lighttpd with cgi.local-redir, serve that page; lighttpd without, mini_httpd 302, civetweb 307, busybox 200" {
	on_every_host local_redirect
}

absolute_redirect() {
	answer 'Location: http://example.org/moved\r\n\r\n'
	get
	expect status "$code" 302 || return
	expect Location "$(header Location)" http://example.org/moved
}

# civetweb made a 307 of it, and busybox a 200 with no redirect, until
# the bridge said "Status: 302 Found" first, as RFC 3875 6.2.3 makes it.
@test "a Location alone, absolute, is a 302 with it on every host" {
	on_every_host absolute_redirect
}

two_cookies() {
	get
	expect status "$code" 200 || return
	expect Set-Cookie "$(grep -i '^Set-Cookie:' "$T/head" | tr -d '\r')" \
	    $'Set-Cookie: a=1; Path=/\nSet-Cookie: b=2; Path=/' || return
	body_is cookies
}

@test "two Set-Cookie fields both reach the client" {
	answer 'Status: 200 OK\r\nSet-Cookie: a=1; Path=/\r\nContent-Type: text/plain\r\nSet-Cookie: b=2; Path=/\r\n\r\ncookies\n'
	on_every_host two_cookies
}

# head_request [METHOD]: HEAD (or METHOD) /x over HTTP/1.0; all the
# host sends, to $T/raw.
head_request() {
	local port
	port=$(port_of "$route")
	exec 8<>"/dev/tcp/127.0.0.1/$port"
	printf '%s %s HTTP/1.0\r\nHost: 127.0.0.1:%s\r\n\r\n' "${1:-HEAD}" \
	    "$(url "$route" /x | sed 's|^http://[^/]*||')" "$port" >&8
	timeout 60 cat <&8 > "$T/raw"
	exec 8<&-
}

# mighty_head: mighttpd2 answers HEAD to a CGI program with its own 405.
mighty_head() {
	local n
	n=$(requests)
	head_request
	expect status "$(head -n 1 "$T/raw" | tr -d '\r' | cut -d' ' -f2)" 405 || return
	expect 'requests at the backend' "$(requests)" "$n"
}

head_only() {
	local n after=
	[ "$route" != mighty-ctl ] || { mighty_head; return; }
	n=$(($(requests) + 1))
	head_request
	expect status "$(head -n 1 "$T/raw" | tr -d '\r' | cut -d' ' -f2)" 200 || return
	grep -qi $'^X-Head: 1\r$' "$T/raw" || expect X-Head "$(cat "$T/raw")" 'X-Head: 1' || return
	expect 'bytes after the head' "$(sed '1,/^\r$/d' "$T/raw")" "$after" || return
	expect 'method at the app' "$(request_var "$n" REQUEST_METHOD)" HEAD
}

# mini_httpd, busybox and civetweb sent the app's body after the head,
# until the bridge dropped it (RFC 3875 4.3.2).
@test "HEAD: the app is asked HEAD, the client gets its head and no body on every host; mighttpd2 answers 405" {
	answer 'Status: 200 OK\r\nContent-Type: text/plain\r\nX-Head: 1\r\n\r\nbody the client must not get\n'
	on_all_hosts head_only
}

# The bridge's own error page to HEAD: busybox, mini_httpd and civetweb
# passed its body on (RFC 3875 4.3.2: none).
error_head_only() {
	local want=502
	[ "$route" != mighty-ctl ] || { mighty_head; return; }
	[ "$route" != http-server-ctl ] || want=200	# its own, always
	head_request
	expect status "$(head -n 1 "$T/raw" | tr -d '\r' | cut -d' ' -f2)" "$want" || return
	expect 'bytes after the head' "$(sed '1,/^\r$/d' "$T/raw")" ''
}

@test "HEAD: the bridge's own error page is its head alone on every host; mighttpd2 answers 405" {
	answer 'Status: 600 Nonsense\r\n\r\n'
	on_all_hosts error_head_only
}

# No status from the app: busybox took a first field named HTTP... for
# the status line, and the client saw "HTTPS-Only: 1" as the response's.
no_status() {
	get
	expect status "$code" 200 || return
	expect HTTPS-Only "$(header HTTPS-Only)" 1 || return
	body_is 'no status'
}

@test "an answer without a status whose first field is named HTTP... is a 200 with that field on every host" {
	answer 'HTTPS-Only: 1\r\nContent-Type: text/plain\r\n\r\nno status\n'
	on_all_hosts no_status
}

# After a 204 or a 304 a client reads no body: the next answer on its
# connection would start with the app's.  Apache and lighttpd drop it;
# mini_httpd, busybox and civetweb sent it on.
no_body_after() {
	answer "Status: $1\r\nX-Code: 1\r\n\r\nHTTP/1.1 200 OK\r\nX-Evil: 1\r\nContent-Length: 0\r\n\r\n"
	head_request GET
	expect status "$(head -n 1 "$T/raw" | tr -d '\r' | cut -d' ' -f2)" "${1%% *}" || return
	expect 'bytes after the head' "$(sed '1,/^\r$/d' "$T/raw")" ''
}

@test "a body the app sends after a 204 or a 304 never reaches the client" {
	local missed='' s
	for s in '204 No Content' '304 Not Modified'; do
		on_every_host no_body_after "$s" || missed+=" [$s]"
	done
	[ -z "$missed" ] || { echo "a body after:$missed" >&2; return 1; }
}

one_mib() {
	get
	expect status "$code" 200 || return
	expect digest "$(sha256sum < "$T/body" | cut -d' ' -f1)" "$(cat "$T/1m.sum")"
}


chunked_upload() {
	local n
	n=$(($(requests) + 1))
	get -H 'Transfer-Encoding: chunked' --data-binary "@$IT/data/64k"
	case $route in
	busybox-ctl)
		# It hands the app the start of the chunks as they came, as
		# much as it read with the head, and ends stdin: the bridge
		# knows the framing, and refuses it; the server had the
		# connection, and no request on it.  If that read held no
		# byte of the body, the app gets none.
		if [ "$code" = 411 ]; then
			expect 'requests at the backend' "$(requests)" "$n"
			[ ! -s "$IT/ctl-rec/$n.env" ] || {
				echo "busybox-ctl: the backend got a request" >&2
				return 1; }
			return
		fi
		expect status "$code" 200 || return
		expect CONTENT_LENGTH "$(request_var "$n" CONTENT_LENGTH)" 0
		;;
	mini-httpd-ctl)
		# It says nothing of a chunked body: no CONTENT_LENGTH, no
		# HTTP_TRANSFER_ENCODING.  So, to the bridge, there is none.
		expect status "$code" 200 || return
		expect CONTENT_LENGTH "$(request_var "$n" CONTENT_LENGTH)" 0
		;;
	*)
		expect status "$code" 200 || return
		expect CONTENT_LENGTH "$(request_var "$n" CONTENT_LENGTH)" 65536 || return
		expect 'body at the app' "$(sha256sum < "$IT/ctl-rec/$n.body" | cut -d' ' -f1)" \
		    "$(digest 64k)"
		;;
	esac
}

@test "a chunked upload reaches the app whole with its length; busybox's is a 411 or none, mini_httpd's reaches the app empty" {
	answer 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok\n'
	on_every_host chunked_upload
}

# attack NAME FORMAT: the backend answers FORMAT; on every host the
# client must get the bridge's 502.  Each attack a test makes is tried;
# those that got through are in $missed, for refused_all.
attack() {
	answer "$2"
	on_every_host bad_gateway "$1" || missed+=" [$1]"
}

refused_all() {
	[ -z "$missed" ] || { echo "got through:$missed" >&2; return 1; }
}

@test "a status that is not final is the bridge's 502: HTTP/1.1 101 with Upgrade, Status 100, HTTP/1.1 100 Continue" {
	local missed=
	attack '101' 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nGET /secret HTTP/1.1\r\nHost: x\r\n\r\n'
	attack 'Status 100' 'Status: 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nSet-Cookie: evil=1\r\nX-A: a\rb\r\n\r\nbody'
	attack 'HTTP/1.1 100' 'HTTP/1.1 100 Continue\r\n\r\nStatus: 200 OK\r\nSet-Cookie: evil=1\r\n\r\nbody'
	refused_all
}

@test "a status outside 200 to 599 is the bridge's 502: 000, 600, 999" {
	local missed='' s
	for s in 000 600 999; do
		attack "$s" "Status: $s Odd\r\nContent-Type: text/plain\r\n\r\nbody"
	done
	refused_all
}

@test "a Content-Length that is not one run of digits is the bridge's 502: '5, 62', '-1', two fields" {
	local missed=
	attack '5, 62' 'Status: 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5, 62\r\n\r\nhelloHTTP/1.1 200 OK\r\n\r\n'
	attack '-1' 'Status: 200 OK\r\nContent-Type: text/plain\r\nContent-Length: -1\r\n\r\nhello'
	attack 'two' 'Status: 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\nContent-Length: 62\r\n\r\nhello'
	refused_all
}

@test "a Transfer-Encoding field in the answer is the bridge's 502" {
	local missed=
	attack 'Transfer-Encoding' 'Status: 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'
	refused_all
}

hop_by_hop_dropped() {
	get
	expect status "$code" 200 || return
	body_is 'hop' || return
	# The host may add fields of these names of its own; the app's
	# values, each with "evil" in it, must not get through.
	if grep -qi evil "$T/head"; then
		printf '%s: the app'\''s hop-by-hop fields reached the client:\n' \
		    "$route" >&2
		cat "$T/head" >&2
		return 1
	fi
}

@test "Connection, Keep-Alive, Upgrade, TE, Trailer and Proxy-Connection from the app never reach the client" {
	answer 'Status: 200 OK\r\nContent-Type: text/plain\r\nconnection: X-Evil\r\nKeep-Alive: timeout=991, evil\r\nUPGRADE: evil/1\r\nTE: evil-te\r\nTrailer: X-Evil\r\nProxy-Connection: evil\r\n\r\nhop\n'
	on_every_host hop_by_hop_dropped
}

# Left out, they left an empty head: mini_httpd took the body's Status
# for the client's (302), civetweb dropped the body up to its blank line.
@test "a head of nothing but Connection or Keep-Alive is the bridge's 502, though its body holds a CRLF head" {
	local missed=
	attack 'Connection' 'Connection: close\r\n\r\n<!-- \r\nStatus: 302 Found\r\nLocation: http://evil/\r\n\r\n -->'
	attack 'Keep-Alive' 'Keep-Alive: timeout=5\n\nStatus: 503 Evil\r\n\r\nbody'
	refused_all
}

# The LF-only heads, in printf's notation, each with a body that holds
# a CRLF head: mini_httpd takes the first CRLF CRLF it finds for the
# end of the head, and a Status or Location before it for the status.
LF_HEADS='Content-Type: text/plain\n\n
Content-Type: text/plain\n\r\n
Status: 200 OK\nContent-Type: text/plain\n\n'
LF_BODY='body\nStatus: 302 Found\r\nLocation: http://evil/\r\n\r\nmore\n'

lf_head() {
	get
	expect status "$code" 200 || return
	no_field Location || return
	cmp -s "$T/lfbody" "$T/body" ||
	    expect body "$(od -c "$T/body")" "$(od -c "$T/lfbody")"
}

@test "an LF-only head: the client gets the app's status and its body whole, though the body holds a CRLF head" {
	local head missed=
	printf "$LF_BODY" > "$T/lfbody"
	while IFS= read -r head; do
		answer "$head$LF_BODY"
		on_every_host lf_head || missed+=" [$head]"
	done <<< "$LF_HEADS"
	[ -z "$missed" ] || { echo "wrong with:$missed" >&2; return 1; }
}

# The heads with a byte out of place, each with the body "body": a bare
# CR, a NUL or another control character, a name that is not a token.
# (tests/hostile.bats tries more on the bridge alone.)
BAD_HEADS='Status: 200 OK\r\nContent-Type: text/plain\r\nX-A: a\rb\r\n\r\n
Status: 200 OK\r\nContent-Type: text/plain\r\nX-A: a\r\r\n\r\n
Status: 200 OK\r\nContent-Type: text/plain\r\nX-A: a\x00b\r\n\r\n
Status: 200 OK\r\nContent-Type: text/plain\r\nX-A: \x1b[31mred\x1b[0m\r\n\r\n
Status: 200 OK\r\nContent-Type: text/plain\r\nX-\x1fA: a\r\n\r\n
Status: 200 O\x0bK\r\nContent-Type: text/plain\r\n\r\n
Status: 200 OK\nContent-Type: text/plain\nX-A: a\x02b\n\n
Status: 200 OK\r\nContent-Type: text/plain\r\nX Evil: 1\r\n\r\n'

@test "a bare CR, a NUL, another control character or a name with a space in the head is the bridge's 502" {
	local missed=
	local head
	while IFS= read -r head; do
		attack "$head" "${head}body"
	done <<< "$BAD_HEADS"
	refused_all
}

tab_passes() {
	get
	case $route in
	civetweb-ctl)
		expect status "$code" 500 || return
		# Its page shows the client the head it refused.
		grep -q 'X-A: a.b' "$T/body" ||
		    expect body "$(cat "$T/body")" '... X-A: a<TAB>b ...'
		;;
	*)
		expect status "$code" 200 || return
		expect X-A "$(header X-A)" $'a\tb'
		;;
	esac
}

@test "a tab in a field reaches the client: civetweb's own 500 instead" {
	answer 'Status: 200 OK\r\nContent-Type: text/plain\r\nX-A: a\tb\r\n\r\nbody'
	on_every_host tab_passes
}

control_body() {
	get
	expect status "$code" 200 || return
	cmp -s "$T/want" "$T/body" ||
	    expect body "$(od -c "$T/body")" "$(od -c "$T/want")"
}

@test "control bytes in the body reach the client as they are" {
	printf 'body\0\1\r\33[0m\177\n' > "$T/want"
	answer 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n' "$T/want"
	on_every_host control_body
}

# What the hosts do by themselves, with probe.sh or the bridge's own
# stderr: each test is a column of docs/HOSTS.

stderr_lands() {
	local logs
	log_sizes mark
	mark "$IT/lighttpd-ctl/server.log" "$IT/lighttpd-ctl.stderr"
	case $route in
	mini-httpd-ctl)
		# A plain CGI program's stderr reaches the client: mini_httpd
		# gives it one pipe for stdout and stderr.
		code=$(fetch "$(probe_url "$route" '/x?mode=stderr')") || :
		expect status "$code" 200 || return
		grep -q '^probe\.sh: on stderr' "$T/head" "$T/body" ||
		    expect response "$(cat "$T/head" "$T/body")" \
		    'probe.sh: on stderr' || return
		# The bridge's lines go to syslog: cgi-bin/app has no server
		# to go to (500), bare is the README wrapper to this head (502).
		no_line_in 500 "http://127.0.0.1:$PORT_MINI/cgi-bin/app/x" ||
		    return
		no_line_in 502 "http://127.0.0.1:$PORT_MINI/cgi-bin/bare/x"
		return
		;;
	civetweb-ctl)
		# bare.cgi is the bridge with its stderr as civetweb gave it:
		# no line of it in the response, or in any of civetweb's logs.
		logs="$IT/civetweb/server.log $IT/civetweb.log $IT/civetweb/error.log"
		mark $logs
		code=$(fetch "http://127.0.0.1:$PORT_CIVETWEB/cgi-bin/bare.cgi/x") || :
		expect status "$code" 502 || return
		! grep -q 'cgi2scgi: ' "$T/head" "$T/body" ||
		    expect 'the response' "$(cat "$T/head" "$T/body")" \
		    'no line of the bridge' || return
		not_since_mark 'cgi2scgi: ' $logs || return
		# ctl.cgi sends it to error.log: so there was a line to lose.
		get
		logged "$route" "cgi2scgi: "
		return
		;;
	esac
	get
	expect status "$code" 502 || return
	case $route in
	prefork-ctl)	log_has "$route" '^\[.*AH01215: stderr from .*: cgi2scgi: ' ;;
	*)		log_has "$route" '^cgi2scgi: ' ;;	# as the bridge wrote it
	esac || return
	# lighttpd-ctl has a server.breakagelog, error.log: not in its own
	# log, or on its stderr.
	[ "$route" != lighttpd-ctl ] ||
	    not_since_mark 'cgi2scgi: ' "$IT/lighttpd-ctl/server.log" \
	    "$IT/lighttpd-ctl.stderr"
}

# no_line_in CODE URL: URL answers CODE, with no line of the bridge's in
# the head or the body.
no_line_in() {
	code=$(fetch "$2") || :
	expect "$2: status" "$code" "$1" || return
	! grep -q 'cgi2scgi: ' "$T/head" "$T/body" ||
	    expect "$2" "$(cat "$T/head" "$T/body")" 'no line of the bridge'
}

# mark FILE...: note each FILE's size, for not_since_mark.
mark() {
	local f
	for f; do
		wc -c < "$f" > "$T/size.${f//\//_}"
	done
}

# not_since_mark TEXT FILE...: no FILE has TEXT after its mark.
not_since_mark() {
	local text=$1 f
	shift
	for f; do
		if tail -c +"$(($(cat "$T/size.${f//\//_}") + 1))" "$f" |
		    grep -qF -- "$text"; then
			printf '%s: "%s" in %s\n' "$route" "$text" "$f" >&2
			return 1
		fi
	done
}

# log_has ROUTE ERE: a line that matches ERE reaches ROUTE's error log
# after the last log_sizes mark.
log_has() {
	local f i=0
	f=$(error_log "$1")
	until tail -c +"$(($(cat "$T/$(basename "$(dirname "$f")").mark") + 1))" "$f" |
	    grep -qE -- "$2"; do
		i=$((i + 1))
		if [ "$i" -gt 300 ]; then
			printf '%s: no line like /%s/ in %s:\n' "$1" "$2" "$f" >&2
			tail -n 5 "$f" >&2
			return 1
		fi
		sleep 0.1
	done
}

@test "the bridge's stderr: Apache's error log (mod_cgi adds a prefix), lighttpd's server.breakagelog, busybox's stderr; mini_httpd's, the response's pipe, goes unused for syslog; civetweb loses it" {
	answer 'Status: 200 OK\r\nContent-Type: text/plain\r\nX-A: a\rb\r\n\r\nbody'
	on_every_host stderr_lands
}

@test "lighttpd without a server.breakagelog gives a CGI program its own stderr, never its server.errorlog" {
	route=lighttpd
	log_sizes mark
	mark "$IT/lighttpd/server.log"
	code=$(fetch "http://127.0.0.1:$PORT_LIGHTTPD/probe?mode=stderr")
	expect status "$code" 200
	log_has lighttpd '^probe\.sh: on stderr$'
	not_since_mark 'probe.sh' "$IT/lighttpd/server.log"
}

query_words() {
	code=$(fetch "$(probe_url "$route" '/x?a+b')") || :
	expect status "$code" 200 || return
	case $route in
	apache-ctl|prefork-ctl|mini-httpd-ctl)
		expect arguments "$(grep '^arg=' "$T/body")" $'arg=a\narg=b' ;;
	*)	expect arguments "$(grep '^arg=' "$T/body")" '' ;;
	esac
}

@test "a query without '=' is a CGI program's arguments under Apache and mini_httpd, not lighttpd, busybox or civetweb" {
	on_every_host query_words
}

# The hosts were started with this PATH, and HOST_OWN_ENV=passed.
own_environment() {
	local own path
	code=$(fetch "$(probe_url "$route" '/x?mode=env')") || :
	expect status "$code" 200 || return
	own=$(grep '^HOST_OWN_ENV=' "$T/body")
	path=$(grep '^PATH=' "$T/body")
	case $route in
	busybox-ctl)
		expect 'its own variable' "$own" HOST_OWN_ENV=passed ;;
	apache-ctl|prefork-ctl|civetweb-ctl)
		expect 'its own variable' "$own" '' || return
		expect 'its PATH' "$path" "PATH=$PATH"
		;;
	lighttpd-ctl)
		expect 'its own variable' "$own" '' || return
		expect 'its PATH' "$path" ''
		;;
	mini-httpd-ctl)
		expect 'its own variable' "$own" '' || return
		expect 'a PATH of its own making' "$path" PATH=/usr/local/bin:/usr/ucb:/bin:/usr/bin
		;;
	esac
}

@test "busybox hands a CGI program its own environment, Apache and civetweb their PATH, mini_httpd a PATH of its own, lighttpd none" {
	on_every_host own_environment
}

status_second() {
	code=$(fetch "$(probe_url "$route" '?mode=status-second')") || :
	case $route in
	busybox-ctl)	expect status "$code" 200 ;;
	*)		expect status "$code" 404 ;;
	esac || return
	case $route in
	apache-ctl|prefork-ctl|lighttpd-ctl)
		no_field Status ;;
	*)	expect 'the Status field, passed on' "$(header Status)" '404 Not Found' ;;
	esac
}

@test "a Status after Content-Type from a plain CGI program: busybox ignores it, the others obey; mini_httpd, busybox and civetweb pass it on as a field" {
	on_every_host status_second
}

lf_only() {
	local mode
	printf 'body\nStatus: 302 Found\r\nLocation: http://evil/\r\n\r\nmore\n' \
	    > "$T/want"
	for mode in lf-only lf-crlf; do
		code=$(fetch "$(probe_url "$route" "?mode=$mode")") || :
		case $route/$mode in
		mini-httpd-ctl/*)
			expect "$mode: status" "$code" 302 ;;
		civetweb-ctl/lf-crlf)
			expect "$mode: status" "$code" 200 || return
			expect "$mode: body" "$(cat "$T/body")" more ;;
		*)
			expect "$mode: status" "$code" 200 || return
			cmp -s "$T/want" "$T/body" || expect "$mode: body" \
			    "$(od -c "$T/body")" "$(od -c "$T/want")" ;;
		esac || return
	done
}

@test "a head that ends in LF LF or LF CR LF from a plain CGI program: mini_httpd takes a status from the body, civetweb loses the body up to a CRLF CRLF" {
	on_every_host lf_only
}

dechunks() {
	[ "$route" != mini-httpd-ctl ] || return 0
	code=$(fetch -H 'Transfer-Encoding: chunked' --data-binary "@$IT/data/64k" \
	    "$(probe_url "$route" '?mode=body')") || :
	expect status "$code" 200 || return
	case $route in
	busybox-ctl)
		expect CONTENT_LENGTH "$(sed -n 1p "$T/body")" CONTENT_LENGTH=unset || return
		if [ "$(sed -n 2p "$T/body")" = "65536 $(digest 64k)" ]; then
			echo "busybox: a chunked body reached the app decoded" >&2
			return 1
		fi
		;;
	lighttpd-ctl)
		expect body "$(cat "$T/body")" $'CONTENT_LENGTH=65536\n'"65536 $(digest 64k)" ;;
	*)
		expect body "$(cat "$T/body")" $'CONTENT_LENGTH=unset\n'"65536 $(digest 64k)" ;;
	esac
}

@test "a chunked upload to a plain CGI program: Apache and civetweb decode it, lighttpd gives its length too, busybox does neither" {
	on_every_host dechunks
}

# short_body: two GETs pipelined on one connection, the first answered
# with a body shorter than its Content-Length: a second answer that
# comes is its own.  lighttpd keeps the connection after the short body
# whatever the CGI program does, and its next answer was read as the
# rest of the first, until the bridge left the length out there.
short_body() {
	local url
	url=$(url "$route" /x)
	python3 - "$url" <<-'EOF' || { echo "$route: the next answer was not its own" >&2; return 1; }
	import http.client, socket, sys, urllib.parse
	u = urllib.parse.urlsplit(sys.argv[1])
	s = socket.create_connection((u.hostname, u.port), timeout=10)
	get = "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (u.path, u.netloc)
	s.sendall((get * 2).encode())
	class Kept:			# one buffer for both answers, left open
	    def __init__(self, f):
	        self.f = f
	    def __getattr__(self, name):
	        return getattr(self.f, name)
	    def close(self):
	        pass
	f = Kept(s.makefile("rb"))
	class One:
	    def makefile(self, *args, **kwargs):
	        return f
	for i in (1, 2):
	    r = http.client.HTTPResponse(One())
	    try:
	        r.begin()
	    except http.client.RemoteDisconnected:
	        break			# the host closed after the short body
	    try:
	        body = r.read()
	    except http.client.IncompleteRead as e:
	        body = e.partial	# cut short, and closed: the client knows
	    assert r.status == 200 and body == b"x" * 44, (i, r.status, body)
	EOF
}

@test "a body shorter than its Content-Length: the next answer on the connection is its own, on every host" {
	answer 'Status: 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
	on_all_hosts short_body
}

query_and_path() {
	local n query='x=1&y=%26'
	n=$(($(requests) + 1))
	code=$(fetch "$(url "$route" '/a/b?x=1&y=%26')") || :
	expect status "$code" 200 || return
	body_is ok || return
	expect PATH_INFO "$(request_var "$n" PATH_INFO)" /a/b || return
	# webfs decodes the query it passes: %26 is an & there.
	[ "$route" != webfs-ctl ] || query='x=1&y=&'
	expect QUERY_STRING "$(request_var "$n" QUERY_STRING)" "$query"
}

@test "a GET with a query and a PATH_INFO: the app gets both, the client its page, on every host; webfs decodes the query" {
	answer 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok\n'
	on_all_hosts query_and_path
}

# upload NAME [curl options]: data file NAME posted; the app must get it
# whole, with its length.
upload() {
	local n name=$1
	shift
	n=$(($(requests) + 1))
	code=$(fetch "$@" --data-binary "@$IT/data/$name" "$(url "$route" /x)") || :
	if [ "$route" = webfs-ctl ]; then	# CGI for GET only
		expect status "$code" 501 || return
		expect 'requests at the backend' "$(requests)" "$((n - 1))"
		return
	fi
	expect status "$code" 200 || return
	expect CONTENT_LENGTH "$(request_var "$n" CONTENT_LENGTH)" \
	    "$(wc -c < "$IT/data/$name")" || return
	expect 'body at the app' "$(sha256sum < "$IT/ctl-rec/$n.body" |
	    cut -d' ' -f1)" "$(digest "$name")"
}

@test "a 5 MiB POST reaches the app whole, with its length, on every host; webfs answers 501" {
	answer 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok\n'
	on_all_hosts upload 5m
}

chunked_5m() {
	local n
	case $route in
	go-ctl)
		# net/http/cgi refuses a chunked body itself.
		n=$(requests)
		code=$(fetch -H 'Transfer-Encoding: chunked' \
		    --data-binary "@$IT/data/5m" "$(url "$route" /x)") || :
		expect status "$code" 400 || return
		expect 'requests at the backend' "$(requests)" "$n"
		return
		;;
	mighty-ctl)
		# It decodes the body and passes neither its length nor the
		# Transfer-Encoding: to the bridge there is none, and mighty,
		# its body unread, answers 500.
		n=$(($(requests) + 1))
		code=$(fetch -H 'Transfer-Encoding: chunked' \
		    --data-binary "@$IT/data/5m" "$(url "$route" /x)") || :
		expect status "$code" 500 || return
		expect CONTENT_LENGTH "$(request_var "$n" CONTENT_LENGTH)" 0
		return
		;;
	busybox-ctl|plack-ctl|mini-httpd-ctl|http-server-ctl)
		n=$(($(requests) + 1))
		code=$(fetch -H 'Transfer-Encoding: chunked' \
		    --data-binary "@$IT/data/5m" "$(url "$route" /x)") || :
		;;
	*)
		upload 5m -H 'Transfer-Encoding: chunked'
		return
		;;
	esac
	# busybox and Plack pass on the framing they had read when they
	# ran the program, and end its stdin: a 411 from the bridge; after
	# curl's Expect: 100-continue they had read none.  mini_httpd and
	# http.server pass neither a length nor the Transfer-Encoding.
	# Either way the app never gets the framing for a body.
	case $route:$code in
	busybox-ctl:411|plack-ctl:411)
		return 0 ;;
	esac
	expect status "$code" 200 || return
	expect CONTENT_LENGTH "$(request_var "$n" CONTENT_LENGTH)" 0
}

@test "a 5 MiB chunked upload reaches the app whole with its length; busybox and Plack pass their framing (a 411) or nothing, mini_httpd, http.server and mighttpd2 nothing, Go answers 400" {
	answer 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok\n'
	on_all_hosts chunked_5m
}

app_errors() {
	answer 'Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nno such page\n'
	get
	case $route in
	http-server-ctl)
		# It sends its own 200 before a program's head, which it
		# passes on as fields: a CGI program chooses no status.
		expect status "$code" 200 || return
		expect Status "$(header Status)" '404 Not Found'
		return
		;;
	esac
	expect status "$code" 404 || return
	body_is 'no such page' || return
	answer 'Status: 302 Found\r\nLocation: http://127.0.0.1/elsewhere\r\nContent-Type: text/plain\r\n\r\nmoved\n'
	get
	expect status "$code" 302 || return
	expect Location "$(header Location)" http://127.0.0.1/elsewhere
}

@test "an app's 404 and 302 reach the client; http.server sends its own 200 before any program's head" {
	on_all_hosts app_errors
}

cookie_3k() {
	local n c
	n=$(($(requests) + 1))
	c=$(head -c 3000 /dev/zero | tr '\0' c)
	code=$(fetch -H "Cookie: k=$c" "$(url "$route" /x)") || :
	expect status "$code" 200 || return
	expect HTTP_COOKIE "$(request_var "$n" HTTP_COOKIE)" "k=$c"
}

@test "a 3 KB cookie reaches the app on every host" {
	answer 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok\n'
	on_all_hosts cookie_3k
}

# own_env: what of the host's own environment (HOST_OWN_ENV, set in
# each server's) reaches the app through the bridge.
own_env() {
	local n want=
	n=$(($(requests) + 1))
	get
	expect status "$code" 200 || return
	case $route in
	busybox-ctl|http-server-ctl|h2o-ctl|plack-ctl|twisted-ctl|nginx-fcgiwrap-ctl|caddy-ctl)
		want=passed ;;
	esac
	expect HOST_OWN_ENV "$(request_var "$n" HOST_OWN_ENV)" "$want"
}

@test "busybox, http.server, H2O, Plack, Twisted and fcgiwrap hand a CGI program their own environment, the others do not" {
	answer 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok\n'
	on_all_hosts own_env
}

# bridge_error: an answer the bridge refuses is its 502 to the client,
# and its line in the host's log (docs/HOSTS: where each keeps it).
bridge_error() {
	answer 'Status: 999 Odd\r\nContent-Type: text/plain\r\n\r\nodd\n'
	log_sizes mark
	get
	case $route in
	http-server-ctl)
		expect status "$code" 200 || return
		expect Status "$(header Status)" '502 Bad Gateway' || return
		;;
	*)
		expect status "$code" 502 || return ;;
	esac
	body_is '502 Bad Gateway' || return
	# Caddy 2.6.2 drops what fcgiwrap -f passes of a program's stderr;
	# its capture_stderr, which would log it, works from 2.7.
	[ "$route" = caddy-ctl ] || logged "$route" 'cgi2scgi: ' '999'
}

@test "an answer the bridge refuses is its 502 on every host, and its line in the host's log; Caddy drops it" {
	on_all_hosts bridge_error
}

@test "a 1 MiB answer body reaches the client byte for byte, on every host" {
	head -c 1048576 /dev/urandom > "$T/1m"
	sha256sum < "$T/1m" | cut -d' ' -f1 > "$T/1m.sum"
	answer 'Status: 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n' "$T/1m"
	on_all_hosts one_mib
}

@test "the table in docs/HOSTS names every test in this file, and only those" {
	sed -n 's/^    \* //p' "$BATS_TEST_DIRNAME/../../docs/HOSTS" | sort > "$T/doc"
	sed -n 's/^@test "\(.*\)" {$/\1/p' "$BATS_TEST_FILENAME" | sort > "$T/tests"
	diff "$T/tests" "$T/doc"
}
