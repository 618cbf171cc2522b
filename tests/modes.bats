#!/usr/bin/env bats
# What cgi-fcgi users know: -f scripts, -bind, -start, -connect with a
# start when nothing listens; and failover, abstract sockets.

load helper

@test "-f: a '#!cgi2scgi -f' script takes its arguments from its first line that is no comment" {
	backend
	cat > "$T/script" <<-EOF
	#!$CGI2SCGI -f
	# The server, for cgi2scgi(1):

	-t 5 $SOCK
	this line is not read
	EOF
	chmod +x "$T/script"
	run --separate-stderr env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 \
	    REQUEST_METHOD=GET QUERY_STRING=x+y SCRIPT_FILENAME="$T/script" \
	    "$T/script" x y
	assert_success
	assert_output "$(printf 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok')"
	wait_for "$REC/1.done"
	grep -qx 'QUERY_STRING=x+y' "$REC/1.env"
}

@test "-f: words after the file are ignored, whatever they say" {
	backend
	printf '# comment\n%s\n' "-bind -connect $SOCK" > "$T/args"
	run bridge SCRIPT_FILENAME="$T/args" -- -f "$T/args" /elsewhere.sock -t
	assert_success
}

@test "-f: under a web server, the file must be the script it runs" {
	backend
	printf '%s\n' "$SOCK" > "$T/args"
	cp "$T/args" "$T/other"
	run --separate-stderr bridge SCRIPT_FILENAME="$T/other" -- -f "$T/args"
	assert_error_page 100 '500 Internal Server Error'
	assert_stderr "cgi2scgi: GET /app: $T/args: -f names no script run by the web server (SCRIPT_FILENAME)"
	run --separate-stderr bridge -- -f "$T/args"
	assert_failure 100
	# A relative name, as suEXEC runs a script, is the same file.
	cd "$T"
	run bridge SCRIPT_FILENAME="$T/args" -- -f args
	assert_success
	# From a shell, any file.
	run env -i "$CGI2SCGI" -f "$T/other"
	assert_success
}

@test "-f: a missing file, or one with no line of arguments, is a configuration error" {
	run --separate-stderr env -i ${CGI2SCGI_WRAP:-} "$CGI2SCGI" -f "$T/none"
	assert_failure 100
	assert_stderr "cgi2scgi: $T/none: No such file or directory"
	printf '#!/usr/local/bin/cgi2scgi -f\n# nothing else\n\n' > "$T/args"
	run --separate-stderr bridge SCRIPT_FILENAME="$T/args" -- -f "$T/args"
	assert_error_page 100 '500 Internal Server Error'
	assert_stderr "cgi2scgi: GET /app: $T/args: no line of arguments"
}

@test "-bind -connect: a socket path, host:port and [v6]:port" {
	backend
	run bridge -- -bind -connect "$SOCK"
	assert_success
	"$FAKESCGI" -o "$REC" -p "$T/port4" 127.0.0.1:0 &
	echo $! > "$T/b4.pid"
	"$FAKESCGI" -o "$REC" -p "$T/port6" '[::1]:0' &
	echo $! > "$T/b6.pid"
	wait_for "$T/port4"
	run bridge -- -bind -connect "127.0.0.1:$(cat "$T/port4")"
	assert_success
	wait_for "$T/port6"
	run bridge -- -connect "[::1]:$(cat "$T/port6")"
	assert_success
}

@test "repeated -connect fails over past a dead server, and logs it once" {
	backend
	run --separate-stderr bridge -- -bind -connect "$T/dead.sock" -connect "$SOCK"
	assert_success
	assert_output "$(printf 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok')"
	assert_stderr "cgi2scgi: GET /app: connect $T/dead.sock: No such file or directory"
}

@test "a server whose name does not resolve is passed over, and logged" {
	backend_tcp
	run --separate-stderr bridge -- -connect "no-such-host.invalid:$PORT" \
	    -connect "127.0.0.1:$PORT"
	assert_success
	assert_stderr --prefix "cgi2scgi: GET /app: resolve no-such-host.invalid:$PORT: "
}

@test "SCGI_HOST lists servers separated by commas, tried in order on SCGI_PORT" {
	backend_tcp
	# 127.0.0.2 is loopback too, and nothing listens on it.
	run --separate-stderr bridge SCGI_HOST='127.0.0.2 , 127.0.0.1' SCGI_PORT="$PORT"
	assert_success
	assert_stderr "cgi2scgi: GET /app: connect 127.0.0.2:$PORT: Connection refused"
	run --separate-stderr bridge SCGI_HOST=127.0.0.2,127.0.0.3 SCGI_PORT="$PORT"
	assert_error_page 111 '502 Bad Gateway'
	assert_stderr "cgi2scgi: GET /app: connect 127.0.0.2:$PORT: Connection refused
cgi2scgi: GET /app: connect 127.0.0.3:$PORT: Connection refused"
}

@test "abstract sockets: @name, and @name\\0 for uWSGI's name with a trailing NUL" {
	name=@cgi2scgi-test-$$-$RANDOM
	"$FAKESCGI" -o "$REC" -p "$T/ready1" "$name" &
	echo $! > "$T/a1.pid"
	wait_for "$T/ready1"
	run bridge -- "$name"
	assert_success
	"$FAKESCGI" -o "$REC" -z -p "$T/ready2" "${name}z" &
	echo $! > "$T/a2.pid"
	wait_for "$T/ready2"
	run bridge -- -connect "${name}z\\0"
	assert_success
	run --separate-stderr bridge -- "${name}none"
	assert_failure 111
	assert_stderr "cgi2scgi: GET /app: connect ${name}none: Connection refused"
}

@test "-start: listens, starts n copies with the socket as fd 3 and LISTEN_FDS, and exits" {
	make_app
	run --separate-stderr env -i PATH="$PATH" "$CGI2SCGI" -start -connect "$SOCK" "$T/app" 3
	assert_success
	refute_output
	[ -S "$SOCK" ]
	run bridge -- "$SOCK"
	assert_ok_page
	assert_equal "$(starts)" 3
	pid=$(head -n 1 "$T/starts")
	tr '\0' '\n' < "/proc/$pid/environ" > "$T/env1"
	grep -qx 'LISTEN_FDS=1' "$T/env1"
	grep -qx "LISTEN_PID=$pid" "$T/env1"
	assert_equal "$(readlink "/proc/$pid/fd/0")" /dev/null
	assert_equal "$(ls "/proc/$pid/fd" | sort -n | tr '\n' ' ')" "0 1 2 3 "
	# Its own session: the web server's signals to the request miss it.
	assert_equal "$(ps -o sid= -p "$pid" | tr -d ' ')" "$pid"
	grep -q "app $pid started" "$SOCK.log"
}

@test "-start -fd0 hands the socket over as fd 0, as cgi-fcgi does; -log names the log" {
	make_app
	run env -i PATH="$PATH" "$CGI2SCGI" -start -connect "$SOCK" -fd0 -log "$T/my.log" "$T/app"
	assert_success
	run bridge -- "$SOCK"
	assert_ok_page
	pid=$(cat "$T/starts")
	refute grep -q LISTEN_ "$T/appenv"
	assert_regex "$(readlink "/proc/$pid/fd/0")" '^socket:'
	[ ! -e "/proc/$pid/fd/3" ]
	grep -q "app $pid started" "$T/my.log"
	[ ! -e "$SOCK.log" ]
}

@test "-start refuses a socket a server listens on, and replaces a stale one" {
	backend
	run --separate-stderr env -i PATH="$PATH" "$CGI2SCGI" -start -connect "$SOCK" "$HELLO"
	assert_failure 100
	refute_output
	assert_stderr "cgi2scgi: $SOCK: a server listens there already"
	kill -9 "$(cat "$T/backend.pid")"
	wait_pid "$(cat "$T/backend.pid")" 10 || true
	[ -S "$SOCK" ]			# left behind by the dead server
	make_app
	run env -i PATH="$PATH" "$CGI2SCGI" -start -connect "$SOCK" "$T/app"
	assert_success
	run bridge -- "$SOCK"
	assert_ok_page
}

@test "-connect conn app starts app when nothing listens, then bridges the request" {
	make_app
	run bridge REQUEST_METHOD=POST CONTENT_LENGTH=5 -- -connect "$SOCK" "$T/app" <<< "hello"
	assert_ok_page
	assert_output --regexp 'body: 5 bytes.*hello'
	assert_equal "$(starts)" 1
	run bridge -- -connect "$SOCK" "$T/app"
	assert_ok_page
	assert_equal "$(starts)" 1
}

# bats test_tags=slow
@test "-connect app: 20 concurrent first requests start app exactly once, n copies" {
	make_app
	for i in $(seq 20); do
		bridge QUERY_STRING="n=$i" -- -r 10 -connect "$SOCK" "$T/app" 3 \
		    > "$T/out.$i" 2> "$T/err.$i" &
		echo $! > "$T/req.$i"
	done
	for i in $(seq 20); do
		wait_pid "$(cat "$T/req.$i")" 60
		grep -q "QUERY_STRING=n=$i" "$T/out.$i"
	done
	assert_equal "$(starts)" 3
}

@test "-start on a port and on an abstract name, which a request will not start an app on" {
	make_app
	port=$(free_port)
	name=@cgi2scgi-test/$$-$RANDOM
	for conn in "127.0.0.1:$port" "$name"; do
		run --separate-stderr bridge -- -connect "$conn" "$T/app"
		assert_error_page 100 '500 Internal Server Error'
		assert_stderr "cgi2scgi: GET /app: $conn: a request starts an app only on a socket file, which no other user can reach; use -start for a port or an abstract name"
		# The log is -start's stderr, as there is no socket file to
		# sit beside; no lock file, as binding is the lock.
		run --separate-stderr env -i PATH="$PATH" "$CGI2SCGI" -start \
		    -connect "$conn" "$T/app"
		assert_success
		run bridge -- -connect "$conn"
		assert_ok_page
	done
	assert_equal "$(starts)" 2
}

@test "a lock or log beside a socket that another user could have planted is refused, with 503" {
	make_app
	# Beside a socket: a symlink, a second name for a file, not a file.
	ln -s "$T/elsewhere" "$SOCK.lock"
	run --separate-stderr bridge -- -connect "$SOCK" "$T/app"
	assert_failure 111
	assert_stderr --prefix "cgi2scgi: GET /app: $SOCK.lock: "
	rm "$SOCK.lock"
	: > "$T/victim"
	ln "$T/victim" "$SOCK.log"
	run --separate-stderr bridge -- -connect "$SOCK" "$T/app"
	assert_failure 111
	assert_stderr "cgi2scgi: GET /app: $SOCK.log: not a plain file of ours"
	[ ! -s "$T/victim" ]
	assert_equal "$(starts)" 0
}

@test "a start lock held too long gives 503, not a hang" {
	needs python3 "it holds the lock"
	make_app
	: > "$SOCK.lock"
	python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "r+"); fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close(); time.sleep(30)' "$SOCK.lock" "$T/locked" &
	echo $! > "$T/locker.pid"
	wait_for "$T/locked"
	run --separate-stderr bridge -- -t 0.1 -r 0.1 -connect "$SOCK" "$T/app"
	assert_error_page 111 '503 Service Unavailable'
	assert_stderr "cgi2scgi: GET /app: $SOCK.lock: held too long by another request starting the server"
}

@test "a failed start lets go of its lock and socket before it drains the body" {
	mkfifo "$T/fifo"
	exec 6<>"$T/fifo"		# a body that does not come
	bridge_bg REQUEST_METHOD=POST CONTENT_LENGTH=10 -- -i 30 -connect "$SOCK" \
	    "$T/app" < "$T/fifo" > "$T/out1" 2>&1 6>&-
	first=$!
	echo "$first" > "$T/first.pid"
	wait_until 10 test -s "$T/out1"	# it has answered 503
	run --separate-stderr bridge -- -connect "$SOCK" "$T/app"
	assert_failure 111
	assert_stderr "cgi2scgi: GET /app: $T/app: No such file or directory"
	exec 6>&-			# the body ends, cut short
	rc=0
	wait_pid "$first" 10 || rc=$?
	assert_equal "$rc" 111		# the 503's status
}

@test "-start leaves a busy server's socket alone" {
	needs python3 "it fills the listen queue"
	backend -m noaccept
	exec 8<>"$SOCK" 2>/dev/null || true
	python3 -c 'import socket, sys, time
s = []
for i in range(8):
    c = socket.socket(socket.AF_UNIX); c.setblocking(False)
    try: c.connect(sys.argv[1])
    except OSError: break
    s.append(c)
open(sys.argv[2], "w").close(); time.sleep(30)' "$SOCK" "$T/full" &
	echo $! > "$T/filler.pid"
	wait_for "$T/full"
	ino=$(stat -c %i "$SOCK")
	make_app
	run --separate-stderr env -i PATH="$PATH" "$CGI2SCGI" -start -connect "$SOCK" "$T/app"
	assert_failure 111
	assert_stderr "cgi2scgi: $SOCK: Resource temporarily unavailable"
	assert_equal "$(stat -c %i "$SOCK")" "$ino"
	assert_equal "$(starts)" 0
}

@test "an app that was killed is started again by the next request" {
	make_app
	run bridge -- -connect "$SOCK" "$T/app"
	assert_ok_page
	pid=$(cat "$T/starts")
	kill -9 "$pid"
	wait_until 10 exited "$pid"	# not our child: wait cannot
	run bridge -- -connect "$SOCK" "$T/app"
	assert_ok_page
	assert_equal "$(starts)" 2
}

@test "an app that cannot start answers 503 with the reason; the next request tries again" {
	run --separate-stderr bridge -- -connect "$SOCK" "$T/app"
	assert_error_page 111 '503 Service Unavailable'
	assert_stderr "cgi2scgi: GET /app: $T/app: No such file or directory"
	make_app
	chmod -x "$T/app"
	run --separate-stderr bridge -- -connect "$SOCK" "$T/app"
	assert_failure 111
	assert_stderr "cgi2scgi: GET /app: $T/app: Permission denied"
	chmod +x "$T/app"
	run bridge -- -connect "$SOCK" "$T/app"
	assert_ok_page
}

@test "an app that exits at once answers 503 with its exit status" {
	printf '#!/bin/sh\necho "no config" >&2\nexit 3\n' > "$T/app"
	chmod +x "$T/app"
	run --separate-stderr bridge -- -connect "$SOCK" "$T/app" 2
	assert_error_page 111 '503 Service Unavailable'
	assert_stderr "cgi2scgi: GET /app: $T/app: exited at once, status 3"
	grep -q "no config" "$SOCK.log"
}

@test "a started app gets PATH, HOME, the locale and no more of the environment, and no stray fds" {
	make_app
	bridge HTTP_COOKIE=secret QUERY_STRING=q REMOTE_ADDR=10.1.1.1 \
	    CONTENT_TYPE=text/plain SCGI_IDLE_TIMEOUT=9 OIDC_access_token=t \
	    HOME=/nonexistent LANG=C.UTF-8 LC_TIME=C \
	    -- -connect "$SOCK" "$T/app" > "$T/out" 7< "$T/out"
	grep -v '^PWD=\|^SHLVL=\|^_=' "$T/appenv" | sort > "$T/appenv.sorted"
	printf '%s\n' HOME=/nonexistent LANG=C.UTF-8 LC_TIME=C LISTEN_FDS=1 \
	    "LISTEN_PID=$(cat "$T/starts")" "PATH=$PATH" | sort | diff - "$T/appenv.sorted"
	pid=$(cat "$T/starts")
	assert_equal "$(ls "/proc/$pid/fd" | sort -n | tr '\n' ' ')" "0 1 2 3 "
}

@test "an app that exits at once is explained even when the web server ignores SIGCHLD" {
	printf '#!/bin/sh\nexit 4\n' > "$T/app"
	chmod +x "$T/app"
	run --separate-stderr perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV' \
	    env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 \
	    "$CGI2SCGI" -connect "$SOCK" "$T/app"
	assert_failure 111
	assert_stderr "cgi2scgi: $T/app: exited at once, status 4"
}

@test "mode misuse is a usage error" {
	for args in "-start $SOCK" "-start -connect $SOCK" "-bind $SOCK" \
	    "-bind -connect $SOCK app" "-connect a.sock -connect b.sock app" \
	    "-connect $SOCK app 0" "-connect $SOCK app 257" "-fd0 $SOCK" \
	    "-log x $SOCK" "-connect $SOCK -fd0" "-connect"; do
		# shellcheck disable=SC2086
		run --separate-stderr env -i ${CGI2SCGI_WRAP:-} "$CGI2SCGI" $args
		assert_failure 100 || { echo "args: $args" >&2; false; }
		assert_stderr --prefix "usage: cgi2scgi "
	done
}

# bats test_tags=slow
@test "-connect app hands its socket to the real uWSGI, by socket activation" {
	needs uwsgi "the real uWSGI, socket-activated"
	cat > "$T/app.py" <<-EOF
	def application(env, start_response):
	    start_response('200 OK', [('Content-Type', 'text/plain')])
	    return [b'uWSGI got ' + env['PATH_INFO'].encode()]
	EOF
	cat > "$T/uwsgi" <<-EOF
	#!/bin/sh
	exec uwsgi --plugin python3 --protocol scgi --wsgi-file "$T/app.py" \
	    --master --processes 2 --die-on-term --pidfile "$T/uwsgi.pid"
	EOF
	chmod +x "$T/uwsgi"
	run bridge PATH_INFO=/from/bats -- -connect "$SOCK" "$T/uwsgi"
	assert_success
	assert_output "$(printf 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nuWSGI got /from/bats')"
	grep -q 'SystemD socket activation detected' "$SOCK.log"
	run bridge PATH_INFO=/again -- "$SOCK"
	assert_output --regexp 'uWSGI got /again$'
}
