#!/usr/bin/env bats
# example/app.socket and app.service, the README's systemd units, as
# systemd runs them.  systemd is not PID 1 here (nor in CI), so
# systemd-socket-activate does its part: it listens on the units'
# socket and, at the first connection, execs the units' command with
# the socket as descriptor 3 (LISTEN_FDS, LISTEN_PID), as systemd does.
# What it cannot do (the socket's owner and mode, the service's user)
# the test does, from the same unit files; a setting it does not know
# fails the test, so the units stay what is tested.  Paths move as for
# the recipes: /run/app/ into the suite's dir, the program beside it.

load helper

EXAMPLE=$BATS_TEST_DIRNAME/../../example
DYNAMIC_UID=61184	# the first of systemd's DynamicUser= uids: no account

# unit_value FILE SECTION KEY: the value of KEY= in [SECTION] of FILE.
unit_value() {
	awk -v sec="[$2]" -v key="$3" '
	    /^\[/ { on = $0 == sec; next }
	    on && index($0, key "=") == 1 { v = substr($0, length(key) + 2) }
	    END { print v }' "$1"
}

# unknown_keys FILE SECTION KEY...: the settings in [SECTION] of FILE
# that are not among the KEYs.
unknown_keys() {
	local file=$1 sec=$2
	shift 2
	awk -v sec="[$sec]" -v keys=" $* " '
	    /^\[/ { on = $0 == sec; next }
	    on && /^[A-Za-z]/ {
		k = substr($0, 1, index($0, "=") - 1)
		if (index(keys, " " k " ") == 0) print k
	    }' "$file"
}

# start_units: the socket and command of the units, as systemd would
# run them; sets SOCK, PROG and APP_UID.
start_units() {
	local listen exec user mode owner d=$IT/systemd
	listen=$(unit_value "$EXAMPLE/app.socket" Socket ListenStream)
	exec=$(unit_value "$EXAMPLE/app.service" Service ExecStart)
	[[ $listen == /run/app/* ]] || { echo "ListenStream=$listen: not in /run/app/" >&2; return 1; }
	[[ $exec == /* && $exec != *" "* ]] || { echo "ExecStart=$exec: not a plain path" >&2; return 1; }
	rm -rf "$d"
	mkdir -p "$d"		# systemd makes the socket's directory 0755
	SOCK=$d/${listen#/run/app/}
	PROG=$d$exec
	install -D -m 755 "$EXAMPLE/hello-scgi" "$PROG"
	user=$(unit_value "$EXAMPLE/app.service" Service User)
	if [ "$(unit_value "$EXAMPLE/app.service" Service DynamicUser)" = yes ]; then
		APP_UID=$DYNAMIC_UID APP_GID=$DYNAMIC_UID
	elif [ -n "$user" ]; then
		APP_UID=$(id -u "$user") APP_GID=$(id -g "$user")
	else
		APP_UID=0 APP_GID=0
	fi
	systemd-socket-activate -l "$SOCK" setpriv --reuid="$APP_UID" \
	    --regid="$APP_GID" --clear-groups "$PROG" > "$d/log" 2>&1 3>&- &
	echo $! > "$IT/pids/systemd-app"	# teardown_suite's, on failure
	wait_for "$SOCK" 60
	owner=$(unit_value "$EXAMPLE/app.socket" Socket SocketUser)
	mode=$(unit_value "$EXAMPLE/app.socket" Socket SocketMode)
	chown "${owner:-root}:$(unit_value "$EXAMPLE/app.socket" Socket SocketGroup)" "$SOCK"
	chmod "${mode:-0666}" "$SOCK"
}

stop_units() {
	kill "$(cat "$IT/pids/systemd-app")"
	rm -f "$IT/pids/systemd-app"
}

# script NAME: the README's -f script for the units, in the cgi-bin.
script() {
	sed -e "s|/usr/local/bin/cgi2scgi|$BIN|g" -e "s|/run/app/app.sock|$SOCK|g" \
	    "$BATS_TEST_DIRNAME/conf/systemd.cgi" > "$IT/cgi-bin/$1"
	chmod 755 "$IT/cgi-bin/$1"
}

# cgi USER NAME: run cgi-bin/NAME as USER, as a web server would, for
# GET /cgi-bin/NAME/hello.
cgi() {
	runuser -u "$1" -- env -i GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
	    SERVER_PROTOCOL=HTTP/1.1 SCRIPT_NAME="/cgi-bin/$2" PATH_INFO=/hello \
	    QUERY_STRING= SCRIPT_FILENAME="$IT/cgi-bin/$2" "$IT/cgi-bin/$2"
}

@test "the units set nothing that this test does not do as systemd would" {
	run unknown_keys "$EXAMPLE/app.socket" Socket ListenStream SocketUser SocketGroup SocketMode
	assert_success
	assert_output ""
	run unknown_keys "$EXAMPLE/app.service" Service ExecStart DynamicUser User Group
	assert_success
	assert_output ""
}

@test "systemd-analyze verify finds nothing wrong with the units" {
	local r=$T/root exec
	exec=$(unit_value "$EXAMPLE/app.service" Service ExecStart)
	# --root: the units, the program they run, and systemd's own units
	# (sockets.target and the rest) in a tree of their own.
	mkdir -p "$r/etc/systemd/system" "$r/usr/lib/systemd"
	cp -a /usr/lib/systemd/system "$r/usr/lib/systemd/"
	cp "$EXAMPLE/app.socket" "$EXAMPLE/app.service" "$r/etc/systemd/system/"
	install -D -m 755 "$EXAMPLE/hello-scgi" "$r$exec"
	run systemd-analyze verify --root="$r" app.socket app.service
	assert_success
	assert_output ""
}

@test "the units' app, socket-activated, answers through the README's -bind script, for the web server's user only" {
	start_units
	script systemd-app
	route=systemd
	# The first connection starts the app, as the unit's user.
	run --separate-stderr cgi "$RUN_AS" systemd-app
	expect "exit status" "$status" 0
	expect "first line" "$(sed -n 1p <<< "$output")" $'Status: 200 OK\r'
	grep -qx 'Hello from an SCGI application.' <<< "$output"
	grep -qx 'PATH_INFO=/hello' <<< "$output"
	expect "the app's uid" "$(ps -o uid= -p "$(cat "$IT/pids/systemd-app")" | tr -d ' ')" "$APP_UID"
	expect "the app's command" "$(ps -o args= -p "$(cat "$IT/pids/systemd-app")")" "$PROG"
	# Through Apache, which runs the script as the same user.
	code=$(fetch "http://127.0.0.1:$PORT_SCRIPT/cgi-bin/systemd-app/hello")
	expect "status through Apache" "$code" 200
	expect "page through Apache" "$(sed -n 1p "$T/body")" "Hello from an SCGI application."
	expect_line "PATH_INFO through Apache" "$T/body" "PATH_INFO=/hello"
	# Another user may not connect: SocketMode=0600.
	run --separate-stderr cgi nobody systemd-app
	expect "exit status for nobody" "$status" 111
	expect "answer for nobody" "$output" "$(printf 'Status: 502 Bad Gateway\r\nContent-Type: text/plain\r\n\r\n502 Bad Gateway')"
	[[ $stderr == *"Permission denied"* ]]
	stop_units
}
