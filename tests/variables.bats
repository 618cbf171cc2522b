#!/usr/bin/env bats
# Which variables reach the server (-pass, -drop, -set and their
# SCGI_PASS, SCGI_DROP, SCGI_SET_NAME forms), the header budget (-H,
# SCGI_MAX_HEADER), and log lines an admin can act on: the request they
# belong to, the header block's size, who we are against who owns the
# socket, and -check.  The fake backend records each request's variables
# in order in $REC/N.env.

load helper

# names [N]: the names request N (1 unless given) sent, in order.
names() {
	wait_for "$REC/${1:-1}.done" &&
	    sed 's/=.*//' "$REC/${1:-1}.env" | paste -sd ' '
}

# name_set [N]: the same, but the environment's in sorted order: the
# bridge keeps the order of its environment, which a wrapper such as
# valgrind does not (request.bats checks the order, unwrapped).
name_set() {
	local n
	n=$(names "$@") || return
	echo "$(echo "$n" | cut -d' ' -f1-2) $(echo "$n" | cut -d' ' -f3- |
	    tr ' ' '\n' | sort | paste -sd ' ')"
}

# sent NAME=VALUE [N]: request N sent that variable, with that value.
sent() {
	wait_for "$REC/${2:-1}.done" || return
	grep -qxF -- "$1" "$REC/${2:-1}.env" && return 0
	batslib_print_kv_single_or_multi 8 expected "$1" \
	    got "$(cat "$REC/${2:-1}.env")" |
	    batslib_decorate "request ${2:-1} lacks a variable" | fail
}

# not_sent NAME [N]: request N sent no variable NAME.
not_sent() {
	wait_for "$REC/${2:-1}.done" || return
	grep -q "^$1=" "$REC/${2:-1}.env" || return 0
	grep "^$1=" "$REC/${2:-1}.env" |
	    batslib_decorate "request ${2:-1} sent $1" | fail
}

# measure NAME=value... -- [arg ...]: the size of the header block the
# bridge builds for such a request (the netstring's length), as a
# backend of its own records it.  Measured, not computed: a wrapper
# such as valgrind adds to the environment.
measure() {
	local m=$T/measure n
	if [ ! -S "$m.sock" ]; then
		mkdir -p "$m"
		# Not on this function's stdout: $(measure) waits for it.
		"$FAKESCGI" -o "$m" "$m.sock" > /dev/null 2>&1 3>&- &
		echo $! > "$T/measure.pid"
		wait_for "$m.sock"
	fi
	n=$(($(find "$m" -name '*.done' | wc -l) + 1))
	bridge "$@" "$m.sock" > /dev/null || return
	wait_for "$m/$n.done" && wc -c < "$m/$n.head"
}

# xs N: N bytes of x.
xs() {
	head -c "$1" /dev/zero | tr '\0' x
}

# by_hand NAME=value... [-- arg ...]: the bridge as run from a shell:
# no CGI variables, PATH and the NAMEs in the environment.
by_hand() {
	shell_argv "$@"
	"${BRIDGE[@]}"
}

# one_line: what the last `run --separate-stderr` wrote to stderr is one line.
one_line() {
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] && return 0
	echo "$stderr" | batslib_decorate 'stderr is not one line' | fail
}

# check_lines: the last run's output has one line of each kind, which
# starts server:, request:, connect: or answer:.
check_lines() {
	local got
	got=$(printf '%s\n' "$output" |
	    grep -oE '^(server|connect|request|answer):' | sort | paste -sd ' ')
	assert_equal "$got" "answer: connect: request: server:"
}

# has_line REGEX: a line of the last run's output matches (grep -E).
has_line() {
	printf '%s\n' "$output" | grep -qE -- "$1" && return 0
	batslib_print_kv_single_or_multi 8 regex "$1" output "$output" |
	    batslib_decorate 'no such line' | fail
}

# --- -pass, -drop ---

@test "-pass sends only the variables it names, after CONTENT_LENGTH and SCGI" {
	backend
	run bridge HTTP_HOST=h HTTP_COOKIE=c QUERY_STRING=q -- \
	    -pass REQUEST_METHOD,QUERY_STRING "$SOCK"
	assert_success
	assert_equal "$(name_set)" "CONTENT_LENGTH SCGI QUERY_STRING REQUEST_METHOD"
	sent REQUEST_METHOD=GET
	sent QUERY_STRING=q
}

@test "-pass takes names separated by commas, blanks, tabs or both" {
	backend
	run bridge HTTP_HOST=h HTTP_COOKIE=c QUERY_STRING=q PATH_INFO=/p -- \
	    -pass $'REQUEST_METHOD, QUERY_STRING  HTTP_HOST\tPATH_INFO' "$SOCK"
	assert_success
	assert_equal "$(name_set)" "CONTENT_LENGTH SCGI HTTP_HOST PATH_INFO QUERY_STRING REQUEST_METHOD"
}

@test "-pass with a prefix ending in * sends every variable that starts with it, and only those" {
	backend
	run bridge HTTP_HOST=h HTTP_COOKIE=c HTTPS=on XHTTP_Y=z QUERY_STRING=q -- \
	    -pass 'HTTP_*' "$SOCK"
	assert_success
	assert_equal "$(name_set)" "CONTENT_LENGTH SCGI HTTP_COOKIE HTTP_HOST"
}

@test "HTTP_PROXY and HTTP_TRANSFER_ENCODING never go, even when -pass names them" {
	backend
	# A chunked upload: no CONTENT_LENGTH, the body on stdin to its end.
	run bridge HTTP_HOST=h HTTP_PROXY=http://evil.example/ \
	    HTTP_TRANSFER_ENCODING=chunked -- \
	    -pass 'HTTP_PROXY HTTP_TRANSFER_ENCODING HTTP_*' "$SOCK" < /dev/null
	assert_success
	assert_equal "$(names)" "CONTENT_LENGTH SCGI HTTP_HOST"
}

@test "SCGI_* settings never go, even when -pass names them" {
	backend
	run bridge SCGI_FILE="$SOCK" SCGI_IDLE_TIMEOUT=5 HTTP_HOST=h -- \
	    -pass 'SCGI_* SCGI_FILE HTTP_HOST'
	assert_success
	assert_equal "$(names)" "CONTENT_LENGTH SCGI HTTP_HOST"
	sent SCGI=1
}

@test "-pass cgi sends the RFC 3875 variables, HTTP_* and what web servers add, and nothing of the server's own" {
	local v cgi="AUTH_TYPE CONTENT_TYPE GATEWAY_INTERFACE PATH_INFO
	    PATH_TRANSLATED QUERY_STRING REMOTE_ADDR REMOTE_HOST REMOTE_IDENT
	    REMOTE_USER REQUEST_METHOD SCRIPT_NAME SERVER_NAME SERVER_PORT
	    SERVER_PROTOCOL SERVER_SOFTWARE HTTPS REQUEST_URI REQUEST_SCHEME
	    DOCUMENT_ROOT SCRIPT_FILENAME REMOTE_PORT SERVER_ADDR"
	local vars=()
	for v in $cgi; do
		[ "$v" = REQUEST_METHOD ] || vars+=("$v=value of $v")
	done
	backend
	# As busybox httpd runs a CGI program: its own environment whole.
	run bridge "${vars[@]}" HTTP_HOST=h HTTP_X_ANY=y HOME=/root PWD=/srv \
	    SHLVL=1 SECRET=hunter2 HTTPSX=no -- -pass cgi "$SOCK"
	assert_success
	for v in $cgi; do
		[ "$v" = REQUEST_METHOD ] || sent "$v=value of $v"
	done
	sent REQUEST_METHOD=GET
	sent HTTP_HOST=h
	sent HTTP_X_ANY=y
	# PATH, and what a wrapper such as valgrind adds, are the server's.
	for v in PATH HOME PWD SHLVL SECRET HTTPSX LD_PRELOAD; do
		not_sent "$v"
	done
}

@test "-pass cgi and a name: the meta-variables and that one" {
	backend
	run bridge HOME=/root SECRET=s APP_MODE=test -- -pass 'cgi APP_MODE' "$SOCK"
	assert_success
	sent APP_MODE=test
	sent REQUEST_METHOD=GET
	not_sent HOME
	not_sent SECRET
}

@test "-drop sends all but the variables it names" {
	backend
	run bridge HTTP_HOST=h HTTP_COOKIE=c QUERY_STRING=q -- -drop HTTP_COOKIE "$SOCK"
	assert_success
	not_sent HTTP_COOKIE
	sent HTTP_HOST=h
	sent QUERY_STRING=q
	sent REQUEST_METHOD=GET
}

@test "-drop with a prefix drops every variable that starts with it" {
	backend
	run bridge HTTP_HOST=h HTTP_COOKIE=c HTTPS=on QUERY_STRING=q -- \
	    -drop 'HTTP_*, QUERY_STRING' "$SOCK"
	assert_success
	assert_equal "$(grep -c '^HTTP_' "$REC/1.env")" 0
	not_sent QUERY_STRING
	sent HTTPS=on
	sent REQUEST_METHOD=GET
}

@test "-pass and -drop together: what -pass names and -drop does not" {
	backend
	run bridge HTTP_HOST=h HTTP_COOKIE=c HTTP_USER_AGENT=ua QUERY_STRING=q -- \
	    -pass 'HTTP_* QUERY_STRING' -drop HTTP_COOKIE "$SOCK"
	assert_success
	assert_equal "$(name_set)" "CONTENT_LENGTH SCGI HTTP_HOST HTTP_USER_AGENT QUERY_STRING"
}

@test "SCGI_PASS and SCGI_DROP from the environment do what -pass and -drop do" {
	backend
	run bridge SCGI_PASS='REQUEST_METHOD HTTP_*' HTTP_HOST=h QUERY_STRING=q -- "$SOCK"
	assert_success
	assert_equal "$(name_set)" "CONTENT_LENGTH SCGI HTTP_HOST REQUEST_METHOD"
	run bridge SCGI_DROP=HTTP_COOKIE,QUERY_STRING HTTP_HOST=h HTTP_COOKIE=c \
	    QUERY_STRING=q -- "$SOCK"
	assert_success
	not_sent HTTP_COOKIE 2
	not_sent QUERY_STRING 2
	sent HTTP_HOST=h 2
	run bridge SCGI_PASS='HTTP_*' SCGI_DROP=HTTP_COOKIE HTTP_HOST=h \
	    HTTP_COOKIE=c -- "$SOCK"
	assert_success
	assert_equal "$(names 3)" "CONTENT_LENGTH SCGI HTTP_HOST"
}

@test "-pass overrides SCGI_PASS, and -drop SCGI_DROP" {
	backend
	run bridge SCGI_PASS=REQUEST_METHOD QUERY_STRING=q -- -pass QUERY_STRING "$SOCK"
	assert_success
	assert_equal "$(names)" "CONTENT_LENGTH SCGI QUERY_STRING"
	run bridge SCGI_DROP=HTTP_HOST HTTP_HOST=h HTTP_COOKIE=c -- -drop HTTP_COOKIE "$SOCK"
	assert_success
	sent HTTP_HOST=h 2
	not_sent HTTP_COOKIE 2
	# Each option overrides its own variable only.
	run bridge SCGI_DROP=HTTP_COOKIE HTTP_HOST=h HTTP_COOKIE=c -- -pass 'HTTP_*' "$SOCK"
	assert_success
	assert_equal "$(names 3)" "CONTENT_LENGTH SCGI HTTP_HOST"
}

@test "CONTENT_LENGTH goes first and SCGI=1 second whatever -pass and -drop say" {
	backend
	printf 'hello' > "$T/in"
	run bridge REQUEST_METHOD=POST CONTENT_LENGTH=5 CONTENT_TYPE=text/plain -- \
	    -pass QUERY_STRING "$SOCK" < "$T/in"
	assert_success
	assert_equal "$(names)" "CONTENT_LENGTH SCGI"
	sent CONTENT_LENGTH=5
	assert_equal "$(cat "$REC/1.body")" hello
	run bridge REQUEST_METHOD=POST CONTENT_LENGTH=5 CONTENT_TYPE=text/plain -- \
	    -drop 'CONTENT_* SCGI REQUEST_METHOD' "$SOCK" < "$T/in"
	assert_success
	assert_equal "$(names 2 | cut -d' ' -f1-2)" "CONTENT_LENGTH SCGI"
	sent CONTENT_LENGTH=5 2
	sent SCGI=1 2
	not_sent CONTENT_TYPE 2
	not_sent REQUEST_METHOD 2
	assert_equal "$(cat "$REC/2.body")" hello
	[ ! -e "$REC/2.error" ]
}

@test "a name given twice in the environment goes once, its last value, with -pass too" {
	backend
	run "$EXECENV" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
	    HTTP_HOST=first HTTP_HOST=second -- "$CGI2SCGI" -pass 'HTTP_*' "$SOCK"
	assert_success
	assert_equal "$(names)" "CONTENT_LENGTH SCGI HTTP_HOST"
	sent HTTP_HOST=second
	[ ! -e "$REC/1.error" ]
}

@test "of a setting or an SCGI_SET_ given twice the last holds, and -set beats the environment's repeats" {
	backend
	run "$EXECENV" REQUEST_METHOD=GET SCGI_FILE=/nowhere SCGI_FILE="$SOCK" \
	    SCGI_SET_A=1 SCGI_SET_A=2 X=env1 X=env2 -- "$CGI2SCGI" -set X=ours
	assert_success
	sent A=2
	sent X=ours
	assert_equal "$(names | tr ' ' '\n' | grep -c '^X$')" 1
}

# --- -set, SCGI_SET_NAME ---

@test "-set NAME=VALUE adds a literal variable, after CONTENT_LENGTH and SCGI and before the environment's" {
	backend
	run bridge HTTP_HOST=h -- -set X_ONE=hello -set 'X_TWO=a b=c,d' \
	    -set X_EMPTY= "$SOCK"
	assert_success
	assert_equal "$(names | cut -d' ' -f1-5)" "CONTENT_LENGTH SCGI X_ONE X_TWO X_EMPTY"
	sent X_ONE=hello
	sent 'X_TWO=a b=c,d'
	sent X_EMPTY=
	sent HTTP_HOST=h
}

@test "-set NAME=\$OTHER copies the CGI variable OTHER, and the original goes too" {
	backend
	run bridge HTTP_ACCEPT_ENCODING='gzip, br' -- \
	    -set 'ACCEPT_ENCODING=$HTTP_ACCEPT_ENCODING' "$SOCK"
	assert_success
	sent 'ACCEPT_ENCODING=gzip, br'
	sent 'HTTP_ACCEPT_ENCODING=gzip, br'
}

@test "-set NAME=\$OTHER sends nothing when OTHER is unset, and a value that is not \$NAME is literal" {
	backend
	run bridge -- -set 'X_COPY=$HTTP_NOT_THERE' -set 'X_PRICE=5$' \
	    -set 'X_MIX=a$REQUEST_METHOD' "$SOCK"
	assert_success
	not_sent X_COPY
	sent 'X_PRICE=5$'
	sent 'X_MIX=a$REQUEST_METHOD'
}

@test "-set NAME=\$OTHER with OTHER unset sends no NAME at all, not the environment's: a client's header cannot stand in" {
	backend
	# The admin passes the user as a header an app trusts; with no
	# REMOTE_USER, the client's own X-Remote-User must not go instead.
	run bridge HTTP_X_REMOTE_USER=admin -- \
	    -set 'HTTP_X_REMOTE_USER=$REMOTE_USER' "$SOCK"
	assert_success
	not_sent HTTP_X_REMOTE_USER
	run bridge SCGI_SET_HTTP_X_REMOTE_USER='$REMOTE_USER' \
	    HTTP_X_REMOTE_USER=admin -- "$SOCK"
	assert_success
	not_sent HTTP_X_REMOTE_USER 2
	# Set, it is the copy that goes, once.
	run bridge REMOTE_USER=alice HTTP_X_REMOTE_USER=admin -- \
	    -set 'HTTP_X_REMOTE_USER=$REMOTE_USER' "$SOCK"
	assert_success
	assert_equal "$(grep -c '^HTTP_X_REMOTE_USER=' "$REC/3.env")" 1
	sent HTTP_X_REMOTE_USER=alice 3
}

@test "-set renames: a lower-case copy goes though -pass names only another" {
	backend
	# sph-lib's hand-picked set: scgi_param request_method $request_method.
	run bridge QUERY_STRING=q -- -pass QUERY_STRING \
	    -set 'request_method=$REQUEST_METHOD' "$SOCK"
	assert_success
	assert_equal "$(names)" "CONTENT_LENGTH SCGI request_method QUERY_STRING"
	sent request_method=GET
}

@test "-set replaces the environment's variable of the same name: one variable, the set value" {
	backend
	run bridge HTTP_HOST=client.example SERVER_NAME=a -- \
	    -set HTTP_HOST=app.internal -set 'SERVER_NAME=$HTTP_HOST' "$SOCK"
	assert_success
	assert_equal "$(grep -c '^HTTP_HOST=' "$REC/1.env")" 1
	assert_equal "$(grep -c '^SERVER_NAME=' "$REC/1.env")" 1
	sent HTTP_HOST=app.internal
	# $NAME is the CGI variable, not one -set made.
	sent SERVER_NAME=client.example
	assert_equal "$(names | cut -d' ' -f1-4)" "CONTENT_LENGTH SCGI HTTP_HOST SERVER_NAME"
}

@test "SCGI_SET_NAME=VALUE from the environment sets NAME, as mod_env's SetEnv can say it" {
	backend
	# SetEnv does not expand $: the bridge does.
	run bridge SCGI_SET_X_APP=hello \
	    SCGI_SET_ACCEPT_ENCODING='$HTTP_ACCEPT_ENCODING' \
	    HTTP_ACCEPT_ENCODING=gzip SCGI_SET_request_method='$REQUEST_METHOD' \
	    SCGI_SET_X_NONE='$HTTP_NOT_THERE' -- "$SOCK"
	assert_success
	sent X_APP=hello
	sent ACCEPT_ENCODING=gzip
	sent request_method=GET
	not_sent X_NONE
	assert_equal "$(grep -c '^SCGI_' "$REC/1.env")" 0
}

@test "SCGI_SET_NAME replaces the environment's NAME" {
	backend
	run bridge HTTP_HOST=client.example SCGI_SET_HTTP_HOST=app.internal -- "$SOCK"
	assert_success
	assert_equal "$(grep -c '^HTTP_HOST=' "$REC/1.env")" 1
	sent HTTP_HOST=app.internal
}

@test "-set of CONTENT_LENGTH, SCGI or an SCGI_ name is a configuration error: 500, nothing sent, exit 100" {
	local set
	backend
	for set in CONTENT_LENGTH=5 SCGI=2 SCGI_FILE=/x \
	    'CONTENT_LENGTH=$QUERY_STRING'; do
		run --separate-stderr bridge QUERY_STRING=7 -- -set "$set" "$SOCK"
		assert_error_page 100 '500 Internal Server Error' ||
		    { echo "-set $set" >&2; return 1; }
		assert_stderr --prefix 'cgi2scgi: '
	done
	run --separate-stderr bridge SCGI_SET_CONTENT_LENGTH=5 -- "$SOCK"
	assert_error_page 100 '500 Internal Server Error'
	run --separate-stderr bridge SCGI_SET_SCGI=2 -- "$SOCK"
	assert_error_page 100 '500 Internal Server Error'
	nothing_sent
}

@test "-set SCGI_=1 is refused too: the name SCGI_ starts with SCGI_, and SCGI_* never go" {
	backend
	run --separate-stderr bridge -- -set SCGI_=1 "$SOCK"
	assert_error_page 100 '500 Internal Server Error'
	nothing_sent
}

@test "-set without NAME= is a configuration error" {
	local set
	backend
	for set in X_NO_EQUALS =value ''; do
		run --separate-stderr bridge -- -set "$set" "$SOCK"
		assert_error_page 100 '500 Internal Server Error' ||
		    { echo "-set '$set'" >&2; return 1; }
	done
	nothing_sent
}

# --- -H, SCGI_MAX_HEADER ---

@test "a header block of exactly -H bytes goes; one byte over answers 431 and sends nothing" {
	local n cookie
	cookie=$(xs 1500)
	n=$(measure HTTP_COOKIE="$cookie" --)
	backend
	run --separate-stderr bridge HTTP_COOKIE="$cookie" -- -H "$((n - 1))" "$SOCK"
	assert_error_page 100 '431 Request Header Fields Too Large'
	nothing_sent
	run bridge HTTP_COOKIE="$cookie" -- -H "$n" "$SOCK"
	assert_success
	wait_for "$REC/2.done"
	assert_equal "$(wc -c < "$REC/2.head")" "$n"
	[ ! -e "$REC/2.error" ]
}

@test "a chunked upload whose header block is over -H answers 431 before connecting" {
	backend
	run --separate-stderr bridge REQUEST_METHOD=POST \
	    HTTP_TRANSFER_ENCODING=chunked HTTP_COOKIE="$(xs 3000)" -- \
	    -H 2000 "$SOCK" <<< body
	assert_error_page 100 '431 Request Header Fields Too Large'
	# Not even a connection: the probe nothing_sent makes is the first.
	nothing_sent
	grep -qx HTTP_X_PROBE=1 "$REC/1.env"
}

@test "a chunked upload counts the most digits its length may take, so its 431 comes before the body is read" {
	local n cookie
	cookie=$(xs 1500)
	# Spooled, "body\n" has a length of one digit; the spool's limit
	# of 64 MiB has eight, which the first block must leave room for.
	n=$(measure REQUEST_METHOD=POST HTTP_TRANSFER_ENCODING=chunked \
	    HTTP_COOKIE="$cookie" -- <<< body)
	backend
	run --separate-stderr bridge REQUEST_METHOD=POST \
	    HTTP_TRANSFER_ENCODING=chunked HTTP_COOKIE="$cookie" -- \
	    -H "$((n + 6))" "$SOCK" <<< body
	assert_error_page 100 '431 Request Header Fields Too Large'
	assert_stderr --partial "header block of $((n + 7)) bytes is over the limit of $((n + 6))"
	nothing_sent
	run bridge REQUEST_METHOD=POST HTTP_TRANSFER_ENCODING=chunked \
	    HTTP_COOKIE="$cookie" -- -H "$((n + 7))" "$SOCK" <<< body
	assert_success
}

@test "SCGI_MAX_HEADER sets the limit, k means 1024, and -H overrides it" {
	local n pad
	n=$(measure --)
	pad=$((1025 - n - 12))	# "HTTP_X_PAD" NUL value NUL: 1025 bytes in all
	backend
	run --separate-stderr bridge HTTP_X_PAD="$(xs "$pad")" SCGI_MAX_HEADER=1k -- "$SOCK"
	assert_error_page 100 '431 Request Header Fields Too Large'
	assert_stderr --partial "header block of 1025 bytes is over the limit of 1024 (-H, SCGI_MAX_HEADER)"
	nothing_sent
	run bridge HTTP_X_PAD="$(xs "$pad")" SCGI_MAX_HEADER=1024 -- -H 2k "$SOCK"
	assert_success
	wait_for "$REC/2.done"
	run bridge HTTP_X_PAD="$(xs $((pad - 1)))" SCGI_MAX_HEADER=1k -- "$SOCK"
	assert_success
	wait_for "$REC/3.done"
}

@test "-H counts the block as sent: a cookie -pass leaves out does not count" {
	backend
	# README's rtorrent recipe: SCGI_PASS, SCGI_MAX_HEADER 2000.
	run bridge REQUEST_METHOD=POST CONTENT_LENGTH=0 HTTP_COOKIE="$(xs 3000)" \
	    SCGI_PASS=REQUEST_METHOD SCGI_MAX_HEADER=2000 -- "$SOCK"
	assert_success
	assert_equal "$(names)" "CONTENT_LENGTH SCGI REQUEST_METHOD"
	run bridge HTTP_COOKIE="$(xs 3000)" -- -H 2000 -drop HTTP_COOKIE "$SOCK"
	assert_success
	not_sent HTTP_COOKIE 2
}

@test "-H over 64k, zero, or not a size is a configuration error" {
	local h
	backend
	for h in 65537 65k 1M -1 2x ''; do
		run --separate-stderr bridge -- -H "$h" "$SOCK"
		assert_error_page 100 '500 Internal Server Error' ||
		    { echo "-H $h" >&2; return 1; }
	done
	run --separate-stderr bridge SCGI_MAX_HEADER=100000 -- "$SOCK"
	assert_error_page 100 '500 Internal Server Error'
	nothing_sent
	run bridge -- -H 64k "$SOCK"
	assert_success
}

@test "over the limit, the one log line gives the request, the size, the limit and the largest variables" {
	local n vars
	vars=(REQUEST_METHOD=POST REQUEST_URI=/RPC2 REMOTE_ADDR=127.0.0.1
	    CONTENT_LENGTH=0 HTTP_COOKIE="$(xs 3000)" HTTP_USER_AGENT="$(xs 700)"
	    HTTP_REFERER="$(xs 500)")
	n=$(measure "${vars[@]}" --)
	backend
	run --separate-stderr bridge "${vars[@]}" -- -H 2000 "$SOCK"
	assert_error_page 100 '431 Request Header Fields Too Large'
	one_line
	# A variable's size is what it takes in the block: name, value, 2 NULs.
	assert_stderr --prefix "cgi2scgi: POST /RPC2 from 127.0.0.1: request header: header block of $n bytes is over the limit of 2000 (-H, SCGI_MAX_HEADER); largest: HTTP_COOKIE 3013, HTTP_USER_AGENT 717, HTTP_REFERER 514"
	nothing_sent
}

@test "over the default limit of 64 KiB, the line says so in the same words" {
	backend
	run --separate-stderr bridge REMOTE_ADDR=127.0.0.1 HTTP_X_BIG="$(xs 70000)" -- "$SOCK"
	assert_error_page 100 '431 Request Header Fields Too Large'
	one_line
	assert_stderr --prefix "cgi2scgi: GET /app from 127.0.0.1: request header: header block of "
	assert_stderr --partial " bytes is over the limit of 65536 (-H, SCGI_MAX_HEADER); largest: HTTP_X_BIG 70012, "
	nothing_sent
}

# --- the log line: which request, what, why ---

@test "under a web server, a log line starts with the method, REQUEST_URI and the client's address" {
	run --separate-stderr bridge REQUEST_METHOD=POST REQUEST_URI='/RPC2?x=1' \
	    REMOTE_ADDR=192.0.2.7 SCRIPT_NAME=/RPC2 QUERY_STRING=x=1 CONTENT_LENGTH=0 \
	    SCGI_FILE=/nonexistent/app.sock
	assert_error_page 111 '502 Bad Gateway'
	assert_stderr "cgi2scgi: POST /RPC2?x=1 from 192.0.2.7: connect /nonexistent/app.sock: No such file or directory"
}

@test "without REQUEST_URI, the line's URI is SCRIPT_NAME, PATH_INFO and ?QUERY_STRING" {
	run --separate-stderr bridge SCRIPT_NAME=/app PATH_INFO=/a/b \
	    QUERY_STRING='x=1&y' REMOTE_ADDR=2001:db8::1 SCGI_FILE=/nonexistent/app.sock
	assert_error_page 111 '502 Bad Gateway'
	assert_stderr "cgi2scgi: GET /app/a/b?x=1&y from 2001:db8::1: connect /nonexistent/app.sock: No such file or directory"
	run --separate-stderr bridge SCRIPT_NAME=/app PATH_INFO=/a \
	    REMOTE_ADDR=192.0.2.7 SCGI_FILE=/nonexistent/app.sock
	assert_stderr "cgi2scgi: GET /app/a from 192.0.2.7: connect /nonexistent/app.sock: No such file or directory"
}

@test "a newline or another control byte in the URI is shown as \\xHH, and the line stays one line" {
	run --separate-stderr bridge REQUEST_URI=$'/a\nb\rc\033d\001e' \
	    REMOTE_ADDR=192.0.2.7 SCGI_FILE=/nonexistent/app.sock
	assert_error_page 111 '502 Bad Gateway'
	one_line
	assert_regex "$stderr" '^cgi2scgi: GET /a\\x0[aA]b\\x0[dD]c\\x1[bB]d\\x01e from 192\.0\.2\.7: connect /nonexistent/app\.sock: No such file or directory$'
}

@test "a byte over 0x7e in the URI is shown as \\xHH too: 0x9b is CSI to a terminal in 8-bit mode" {
	run --separate-stderr bridge REQUEST_URI=$'/a\x9b31mb\xc3\xa9' \
	    REMOTE_ADDR=192.0.2.7 SCGI_FILE=/nonexistent/app.sock
	assert_error_page 111 '502 Bad Gateway'
	one_line
	assert_regex "$stderr" '^cgi2scgi: GET /a\\x9[bB]31mb\\x[cC]3\\x[aA]9 from 192\.0\.2\.7: '
}

# with_syslog LOG COMMAND...: COMMAND with a /dev/log that appends each
# message it gets to LOG, a line each, in a mount namespace of its own
# (the machine's /dev stays as it is); once COMMAND is done, until LOG
# has a line or 10 s have passed: a datagram sent is queued already.
with_syslog() {
	cat > "$T/syslogd.pl" <<-'EOF'
	use IO::Socket::UNIX;
	my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => '/dev/log')
	    or die "/dev/log: $!\n";
	open(my $log, '>>', $ARGV[0]) or die "$ARGV[0]: $!\n";
	$log->autoflush(1);
	# Bound: on in the background, its pid on the stdout it leaves.
	if (my $pid = fork) { print "$pid\n"; exit 0 }
	close STDOUT;
	print $log $_, "\n" while defined $s->recv($_, 8192);
	EOF
	: > "$1"
	unshare -m sh -c '
		log=$1 pl=$2
		shift 2
		mount -t tmpfs tmpfs /dev || exit 99
		pid=$(perl "$pl" "$log") || exit 99
		"$@"
		status=$?
		i=0
		until [ -s "$log" ] || [ "$i" -gt 1000 ]; do
			i=$((i + 1))
			sleep 0.01
		done
		kill "$pid"
		exit "$status"' sh "$1" "$T/syslogd.pl" "${@:2}"
}

@test "under a web server, with stderr the pipe stdout is (mini_httpd), the line goes to syslog, never into the answer" {
	needs_root 'a /dev/log of its own, in a mount namespace'
	needs unshare 'a mount namespace'
	bridge_argv REQUEST_URI=/a REMOTE_ADDR=192.0.2.7 \
	    SCGI_FILE=/nonexistent/app.sock
	# run, without --separate-stderr, gives both one pipe, as mini_httpd.
	run with_syslog "$T/syslog" "${BRIDGE[@]}"
	assert_error_page 111 '502 Bad Gateway'
	assert_regex "$(cat "$T/syslog")" '^<27>.* cgi2scgi\[[0-9]+\]: GET /a from 192\.0\.2\.7: connect /nonexistent/app\.sock: No such file or directory$'
}

@test "from a shell, with stderr the pipe stdout is, the line goes there" {
	run by_hand SCGI_FILE=/nonexistent/app.sock SCGI_RETRY_TIMEOUT=0
	assert_failure 111
	assert_line --index 0 "cgi2scgi: connect /nonexistent/app.sock: No such file or directory"
}

@test "run from a shell (no REQUEST_METHOD), a log line names no request" {
	run --separate-stderr by_hand SCGI_FILE=/nonexistent/app.sock SCGI_RETRY_TIMEOUT=0
	assert_failure 111
	assert_stderr "cgi2scgi: connect /nonexistent/app.sock: No such file or directory"
}

@test "a server that closes without a byte: one line with the header block's size and variables, even for a GET sent twice" {
	local n v
	n=$(measure REMOTE_ADDR=127.0.0.1 --)
	v=$(wc -l < "$T/measure/1.env")
	# As rtorrent does: it reads the request, and closes with no answer.
	: > "$T/empty"
	backend -r "$T/empty"
	run --separate-stderr bridge REMOTE_ADDR=127.0.0.1 -- "$SOCK"
	assert_error_page 111 '502 Bad Gateway'
	one_line
	assert_stderr "cgi2scgi: GET /app from 127.0.0.1: $SOCK: closed the connection without a response, twice (no body, header block $n bytes in $v variables; rtorrent closes on a request without a body)"
	wait_for "$REC/2.done"
	n=$(measure REMOTE_ADDR=127.0.0.1 REQUEST_METHOD=POST CONTENT_LENGTH=3 CONTENT_TYPE=text/xml -- < <(printf abc))
	v=$(wc -l < "$T/measure/2.env")
	run --separate-stderr bridge REMOTE_ADDR=127.0.0.1 REQUEST_METHOD=POST \
	    CONTENT_LENGTH=3 CONTENT_TYPE=text/xml -- "$SOCK" < <(printf abc)
	assert_error_page 111 '502 Bad Gateway'
	one_line
	assert_stderr "cgi2scgi: POST /app from 127.0.0.1: $SOCK: closed the connection without a response (a body of 3 bytes, text/xml, header block $n bytes in $v variables; within the limits rtorrent and uWSGI have as they come: see the server's log)"
}

@test "a server that closes without a byte: the line names each known limit the request crossed, rtorrent's header block and body, uWSGI's buffer" {
	: > "$T/empty"
	backend -r "$T/empty"
	cookie=$(head -c 2100 /dev/zero | tr '\0' c)
	run --separate-stderr bridge REQUEST_METHOD=POST CONTENT_LENGTH=2097153 \
	    HTTP_COOKIE="$cookie" -- -m 3000000 "$SOCK" < <(head -c 2097153 /dev/zero)
	assert_error_page 111 '502 Bad Gateway'
	assert_regex "$stderr" "closed the connection without a response \(a body of 2097153 bytes, no CONTENT_TYPE, header block [0-9]+ bytes in [0-9]+ variables; over rtorrent's 2000 bytes of header block: see -H; over rtorrent's body limit, 2097152 unless network.xmlrpc.size_limit is set: see -m\)\$"
	cookie=$(head -c 4000 /dev/zero | tr '\0' c)
	run --separate-stderr bridge HTTP_COOKIE="$cookie" -- "$SOCK"
	assert_regex "$stderr" "closed the connection without a response, twice \(no body, header block [0-9]+ bytes in [0-9]+ variables; rtorrent closes on a request without a body; over rtorrent's 2000 bytes of header block: see -H; over uWSGI's: its --buffer-size, 4096 unless set, less 1 and 2 a variable: see -H\)\$"
	# A type with a ';' still gets the fallback; a long one is cut.
	run --separate-stderr bridge REQUEST_METHOD=POST CONTENT_LENGTH=1 \
	    CONTENT_TYPE="text/xml; charset=UTF-8" -- "$SOCK" < <(printf a)
	assert_regex "$stderr" "\(a body of 1 bytes, text/xml; charset=UTF-8, header block [0-9]+ bytes in [0-9]+ variables; within the limits rtorrent and uWSGI have as they come: see the server's log\)\$"
	type=$(head -c 400 /dev/zero | tr '\0' t)
	run --separate-stderr bridge REQUEST_METHOD=POST CONTENT_LENGTH=1 \
	    CONTENT_TYPE="$type" -- "$SOCK" < <(printf a)
	assert_regex "$stderr" "\(a body of 1 bytes, ${type:0:60}, header block [0-9]+ bytes in [0-9]+ variables; within the limits"
}

@test "EACCES: the line adds our uid, gid and groups, and the socket's owner, group and mode, with their names" {
	needs_root "to run the bridge as www-data against root's socket"
	id www-data > /dev/null
	shared_dir
	"$FAKESCGI" -o "$REC" "$S/app.sock" 3>&- &
	echo $! > "$T/backend.pid"
	wait_for "$S/app.sock"
	chmod 600 "$S/app.sock"
	# shellcheck disable=SC2086
	run --separate-stderr runuser -u www-data -- env -i \
	    GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET SCRIPT_NAME=/app \
	    REMOTE_ADDR=127.0.0.1 SCGI_FILE="$S/app.sock" \
	    SCGI_RETRY_TIMEOUT=0 ${CGI2SCGI_WRAP:-} "$CGI2SCGI"
	assert_error_page 111 '502 Bad Gateway'
	one_line
	# Who we are, as id(1) says it; who owns the socket: root, 0600.  No
	# group of ours would help: no fix is offered.
	assert_stderr "cgi2scgi: GET /app from 127.0.0.1: connect $S/app.sock: Permission denied (we are $(id www-data); it is uid=0(root) gid=0(root) mode 0600)"
	# -check, run by hand as the web server's user, says the same.
	# shellcheck disable=SC2086
	run runuser -u www-data -- env -i SCGI_FILE="$S/app.sock" \
	    ${CGI2SCGI_WRAP:-} "$CGI2SCGI" -check
	assert_failure 111
	has_line "^server: $S/app.sock, a socket, uid=0\(root\) gid=0\(root\) mode 0600: we may NOT connect"
	assert_output --partial "Permission denied (we are $(id www-data); it is uid=0(root) gid=0(root) mode 0600)"
}

# denied_www_data: the bridge as www-data with no supplementary groups,
# as a web server started before www-data joined one, against $S/app.sock.
denied_www_data() {
	# shellcheck disable=SC2086
	run --separate-stderr setpriv --reuid=33 --regid=33 --clear-groups \
	    env -i GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
	    SCRIPT_NAME=/app SCGI_FILE="$S/app.sock" SCGI_RETRY_TIMEOUT=0 \
	    ${CGI2SCGI_WRAP:-} "$CGI2SCGI"
	assert_error_page 111 '502 Bad Gateway'
	one_line
}

@test "EACCES where the socket's group may connect and www-data is not in it: the line says how to add it, and to restart the web server" {
	needs_root "to make a group and act as www-data"
	needs setpriv "to run without the group"
	needs groupadd "to make a group"
	shared_dir
	"$FAKESCGI" -o "$REC" "$S/app.sock" 3>&- &
	echo $! > "$T/backend.pid"
	wait_for "$S/app.sock"
	socket_group
	denied_www_data
	assert_stderr "cgi2scgi: GET /app: connect $S/app.sock: Permission denied (we are uid=33(www-data) gid=33(www-data) groups=none; it is uid=0(root) gid=$(getent group "$GROUP" | cut -d: -f3)($GROUP) mode 0770; to fix: usermod -aG $GROUP www-data, then restart the web server, not just reload it: a process keeps the groups it started with)"
}

@test "EACCES where /etc/group has www-data in the socket's group but the process lacks it: the line says restart, not reload" {
	needs_root "to make a group and act as www-data"
	needs setpriv "to run without the group"
	needs gpasswd "to add www-data to a group"
	shared_dir
	"$FAKESCGI" -o "$REC" "$S/app.sock" 3>&- &
	echo $! > "$T/backend.pid"
	wait_for "$S/app.sock"
	socket_group
	gpasswd -a www-data "$GROUP" > /dev/null
	denied_www_data
	assert_stderr "cgi2scgi: GET /app: connect $S/app.sock: Permission denied (we are uid=33(www-data) gid=33(www-data) groups=none; it is uid=0(root) gid=$(getent group "$GROUP" | cut -d: -f3)($GROUP) mode 0770; www-data is in group $GROUP by /etc/group, but this process is not: restart the web server, not just reload it: a process keeps the groups it started with)"
	# A process started now, as a restart starts one, has the group.
	# shellcheck disable=SC2086
	run runuser -u www-data -- env -i GATEWAY_INTERFACE=CGI/1.1 \
	    REQUEST_METHOD=GET SCRIPT_NAME=/app SCGI_FILE="$S/app.sock" \
	    ${CGI2SCGI_WRAP:-} "$CGI2SCGI"
	assert_success
}

@test "ENOENT under /tmp or /var/tmp mentions a private /tmp only where this process has one: a mount of its own there" {
	needs_root "to mount a /tmp of the bridge's own"
	needs unshare "to mount a /tmp of the bridge's own"
	local d bin
	# The bridge where neither mount hides it, for a clone under /tmp.
	bin=$(mktemp -d /run/cgi2scgi-bin.XXXXXX)
	cp "$CGI2SCGI" "$bin/"
	for d in /tmp /var/tmp; do
		# shellcheck disable=SC2086
		run --separate-stderr env -i GATEWAY_INTERFACE=CGI/1.1 \
		    REQUEST_METHOD=GET SCRIPT_NAME=/app \
		    SCGI_FILE="$d/cgi2scgi-none-$$/app.sock" \
		    SCGI_RETRY_TIMEOUT=0 unshare -m sh -c \
		    'mount -t tmpfs none "$0" && exec "$@"' "$d" \
		    ${CGI2SCGI_WRAP:-} "$bin/${CGI2SCGI##*/}"
		assert_error_page 111 '502 Bad Gateway'
		one_line
		assert_stderr "cgi2scgi: GET /app: connect $d/cgi2scgi-none-$$/app.sock: No such file or directory (this process has a $d of its own, as systemd's PrivateTmp= gives: put the socket elsewhere, such as /run)"
		# The system's /tmp: the socket is just not there.
		run --separate-stderr bridge SCGI_FILE="$d/cgi2scgi-none-$$/app.sock"
		assert_error_page 111 '502 Bad Gateway'
		assert_stderr "cgi2scgi: GET /app: connect $d/cgi2scgi-none-$$/app.sock: No such file or directory"
	done
	rm -r "$bin"
}

# --- -check ---

@test "-check with a working server: where the request goes, the head of the answer, exit 0" {
	backend
	run by_hand SCGI_FILE="$SOCK" -- -check
	assert_success
	check_lines
	has_line "^server:.*$SOCK"
	# The head the probe got, written anew, after "answer:".
	has_line '^answer:$'
	has_line $'^Status: 200 OK\r$'
	has_line '^answered in [0-9]+ ms, with a body of 3 bytes \(not shown\)$'
	# It sent one probe GET, a request the server took.
	wait_for "$REC/1.done"
	sent REQUEST_METHOD=GET
	[ ! -e "$REC/1.error" ]
	[ ! -e "$REC/2.env" ]
}

@test "-check leaves stdout blocking, for a slow reader: the report is whole" {
	# A head over PIPE_BUF, then the rest of the body only once $T/go
	# exists: the bridge is relaying, past the point where a request
	# makes stdout non-blocking and dprintf(3) would lose what a full
	# pipe refuses.
	printf 'Status: 200 OK\r\nX-Big: %s\r\n\r\n' \
	    "$(head -c 8000 /dev/zero | tr '\0' x)" > "$T/reply"
	backend -m stream -r "$T/reply" -g 1000 -w "$T/go"
	mkfifo "$T/report"
	shell_argv -- -check "$SOCK"
	"${BRIDGE[@]}" > "$T/report" &
	pid=$!
	exec 6< "$T/report"
	while IFS= read -r line <&6 && [ "$line" != $'\r' ]; do
		:
	done
	flags=$(awk '$1 == "flags:" { print $2 }' "/proc/$pid/fdinfo/1")
	assert_equal "$(( flags & 04000 ))" 0	# O_NONBLOCK
	touch "$T/go"
	output=$(cat <&6)
	has_line '^answered in [0-9]+ ms, with a body of 1000 bytes \(not shown\)$'
	wait_pid "$pid" 20
}

@test "-check takes the same arguments and options as a request: a socket argument, -pass, -H" {
	backend
	run by_hand -- -check -pass REQUEST_METHOD -H 2000 "$SOCK"
	assert_success
	check_lines
	assert_equal "$(names)" "CONTENT_LENGTH SCGI REQUEST_METHOD"
}

@test "-check sends a request's variables, never the caller's shell's: a 1,500-byte LS_COLORS is no false 431 under -H 2000" {
	backend
	run by_hand LS_COLORS="$(head -c 1500 /dev/zero | tr '\0' x)" \
	    HOME=/root TERM=xterm HTTP_COOKIE=c=1 SCRIPT_NAME=/RPC2 -- \
	    -check -H 2000 "$SOCK"
	assert_success
	has_line '^request: GET /RPC2, header block [0-9]+ bytes'
	not_sent LS_COLORS
	not_sent HOME
	not_sent TERM
	sent "PATH=$PATH"	# as web servers send it
	sent HTTP_COOKIE=c=1
	sent SERVER_NAME=localhost
}

@test "-check -post TYPE: the probe is a POST of stdin, of that type, as rtorrent wants; the answer's body is counted, not shown" {
	backend
	xml='<?xml version="1.0"?><methodCall><methodName>system.client_version</methodName></methodCall>'
	run by_hand -- -check -post text/xml "$SOCK" <<< "$xml"
	assert_success
	has_line "^request: POST /, a body of $((${#xml} + 1)) bytes, text/xml, header block "
	has_line '^answered in [0-9]+ ms, with a body of 3 bytes \(not shown\)$'
	sent REQUEST_METHOD=POST
	sent CONTENT_TYPE=text/xml
	sent "CONTENT_LENGTH=$((${#xml} + 1))"
	assert_equal "$(cat "$REC/1.body")" "$xml"
	# Over -m, a 413 as for a request, and nothing sent.
	run by_hand -- -check -post text/xml -m 10 "$SOCK" <<< "$xml"
	assert_failure 100
	assert_output --partial 'cgi2scgi: -post: standard input is over the limit of 10 bytes'
	[ ! -e "$REC/2.env" ]
	# It reads no further than -m: a stdin that never ends is no wait.
	mkfifo "$T/fifo"
	exec 7<>"$T/fifo"
	head -c 20 /dev/zero >&7
	run by_hand -- -check -post text/xml -m 10 -i 600 "$SOCK" < "$T/fifo"
	assert_failure 100
	assert_output --partial 'cgi2scgi: -post: standard input is over the limit of 10 bytes'
	# -post is -check's.
	run by_hand -- -post text/xml "$SOCK"
	assert_failure 100
	assert_output --partial 'usage: cgi2scgi'
}

@test "-check keeps what -pass and -set ask for of the caller's variables, drops a TRANSFER_ENCODING, and starts an app with the caller's own" {
	backend
	run by_hand MY_TOKEN=t1 MY_HOST=h1 ADMIN=alice LS_COLORS=x \
	    HTTP_TRANSFER_ENCODING=chunked -- -check -pass 'cgi,MY_*' \
	    -set 'APP_USER=$ADMIN' "$SOCK" < /dev/null
	assert_success
	sent MY_TOKEN=t1
	sent MY_HOST=h1
	sent APP_USER=alice
	not_sent LS_COLORS
	not_sent HTTP_TRANSFER_ENCODING
	has_line '^request: GET /, header block'
	kill "$(cat "$T/backend.pid")"
	wait_pid "$(cat "$T/backend.pid")" 10
	make_app
	run by_hand HOME=/home/admin LANG=C.UTF-8 TZ=UTC LS_COLORS=x \
	    -- -check -connect "$SOCK" "$T/app"
	assert_success
	grep -qx 'HOME=/home/admin' "$T/appenv"
	grep -qx 'LANG=C.UTF-8' "$T/appenv"
	grep -qx 'TZ=UTC' "$T/appenv"
	! grep -q '^LS_COLORS=' "$T/appenv"
}

@test "-check with SCRIPT_NAME or REQUEST_URI set but empty probes /, as with them unset" {
	backend
	run by_hand SCRIPT_NAME= -- -check "$SOCK"
	assert_success
	has_line '^request: GET /, '
	sent SCRIPT_NAME=/
	run by_hand REQUEST_URI= -- -check "$SOCK"
	assert_success
	has_line '^request: GET /, '
	sent REQUEST_URI=/ 2
}

@test "-check with no server there exits 111 and says why" {
	run by_hand SCGI_FILE="$T/none.sock" SCGI_RETRY_TIMEOUT=0 -- -check
	assert_failure 111
	has_line "^server:.*$T/none.sock"
	assert_output --partial 'No such file or directory'
}

@test "-check with a server that closes without an answer exits 111" {
	: > "$T/empty"
	backend -r "$T/empty"
	run by_hand SCGI_FILE="$SOCK" -- -check
	assert_failure 111
	assert_output --partial 'closed the connection without a response'
}

@test "-check with a bad setting exits 100" {
	backend
	run by_hand SCGI_HOST=127.0.0.1 -- -check
	assert_failure 100
	run by_hand SCGI_FILE="$SOCK" SCGI_MAX_HEADER=lots -- -check
	assert_failure 100
	run by_hand -- -check -set SCGI=2 "$SOCK"
	assert_failure 100
	nothing_sent
}
