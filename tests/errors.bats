#!/usr/bin/env bats
# When things go wrong: the CGI error reply, the one stderr line, the
# exit status (0, 100 won't help to retry, 111 may), and no hang.

load helper

@test "no backend configured answers 500, says how to configure one, exits 100" {
	run --separate-stderr bridge
	assert_error_page 100 '500 Internal Server Error'
	assert_stderr "cgi2scgi: GET /app: configuration: no SCGI server: set SCGI_FILE, or SCGI_HOST and SCGI_PORT, or give arguments"
}

@test "an error page to HEAD is its head alone (RFC 3875 4.3.2)" {
	local rc=0
	bridge REQUEST_METHOD=HEAD SCGI_FILE="$T/none.sock" > "$T/out" \
	    2> /dev/null || rc=$?
	assert_equal "$rc" 111
	printf 'Status: 502 Bad Gateway\r\nContent-Type: text/plain\r\n\r\n' |
	    cmp - "$T/out"
}

@test "SCGI_HOST without SCGI_PORT is a configuration error" {
	run --separate-stderr bridge SCGI_HOST=127.0.0.1
	assert_failure 100
	assert_stderr "cgi2scgi: GET /app: configuration: SCGI_HOST is set but SCGI_PORT is not"
}

@test "a missing socket file answers 502, names the socket and the reason, exits 111" {
	run --separate-stderr bridge SCGI_FILE="$T/none.sock"
	assert_error_page 111 '502 Bad Gateway'
	assert_stderr "cgi2scgi: GET /app: connect $T/none.sock: No such file or directory"
}

@test "SCGI_PORT alone means localhost, over TCP" {
	backend_tcp
	run bridge SCGI_PORT="$PORT"
	assert_success
	wait_for "$REC/1.done"
}

@test "an IPv6 literal host works" {
	"$FAKESCGI" -o "$REC" -p "$T/port" '[::1]:0' 3>&- &
	echo $! > "$T/backend.pid"
	wait_for "$T/port" || skip "no IPv6 loopback here"
	run bridge -- ::1 "$(cat "$T/port")"
	assert_success
}

@test "a backend that comes up within the retry time is reached" {
	bridge SCGI_RETRY_TIMEOUT=10 SCGI_FILE="$SOCK" > "$T/out" 2> "$T/err" &
	pid=$!
	backend
	wait_pid "$pid" 20
	assert_equal "$(cat "$T/out")" "$(printf 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok')"
}

@test "a bad timeout or size in the environment is a configuration error" {
	run --separate-stderr bridge SCGI_IDLE_TIMEOUT=soon SCGI_FILE="$SOCK"
	assert_failure 100
	assert_stderr 'cgi2scgi: GET /app: SCGI_IDLE_TIMEOUT: not a number of seconds: "soon"'
	run --separate-stderr bridge SCGI_MAX_BODY=1T SCGI_FILE="$SOCK"
	assert_failure 100
	assert_stderr 'cgi2scgi: GET /app: SCGI_MAX_BODY: not a size in bytes: "1T"'
}

@test "run from a shell, bad usage prints the usage to stderr and exits 100" {
	for args in "a b c" "-x" "-t" "-start sock"; do
		# shellcheck disable=SC2086
		run --separate-stderr env -i ${CGI2SCGI_WRAP:-} "$CGI2SCGI" $args
		assert_failure 100
		refute_output
		assert_stderr --prefix "usage: cgi2scgi "
	done
}

@test "a bad option value names the option, as a bad variable names the variable" {
	while IFS='|' read -r args line; do
		# shellcheck disable=SC2086
		run --separate-stderr env -i ${CGI2SCGI_WRAP:-} "$CGI2SCGI" $args
		assert_failure 100 || { echo "args: $args" >&2; false; }
		refute_output	# from a shell: the line, not a CGI answer
		assert_stderr "cgi2scgi: $line"
	done <<-'EOF'
	-t 1.2345 sock|-t: not a number of seconds: "1.2345"
	-t 2147483.999 sock|-t: not a number of seconds: "2147483.999"
	-r soon sock|-r: not a number of seconds: "soon"
	-i -1 sock|-i: not a number of seconds: "-1"
	-m 5x sock|-m: not a size in bytes: "5x"
	-s 1T sock|-s: not a size in bytes: "1T"
	-H 65537 sock|-H: not a size in bytes up to 64k: "65537"
	-set X sock|-set: not NAME=VALUE: "X"
	-set SCGI=2 sock|-set: SCGI is not to be set: cgi2scgi sends it, or reads it
	-sendfile files sock|-sendfile: not the absolute path of a directory: "files"
	-connect ::1:80|-connect: not a socket, host:port or [address]:port: "::1:80"
	-connect [::1]|-connect: not a socket, host:port or [address]:port: "[::1]"
	EOF
	run --separate-stderr bridge -- -t abc sock
	assert_error_page 100 '500 Internal Server Error'
	assert_stderr 'cgi2scgi: GET /app: -t: not a number of seconds: "abc"'
}

@test "run by a web server, bad usage answers 500" {
	run --separate-stderr bridge -- a b c
	assert_error_page 100 '500 Internal Server Error'
	assert_stderr --prefix "cgi2scgi: GET /app: usage: "
}

@test "a web server that sets no GATEWAY_INTERFACE (H2O) is known by REQUEST_METHOD and SERVER_PROTOCOL: bad usage answers 500, a -f script is checked" {
	shell_argv REQUEST_METHOD=GET SERVER_PROTOCOL=HTTP/1.1 SCRIPT_NAME=/app -- a b c
	run --separate-stderr "${BRIDGE[@]}"
	assert_error_page 100 '500 Internal Server Error'
	assert_stderr --prefix "cgi2scgi: GET /app: usage: "
	echo "$SOCK" > "$T/args"
	shell_argv REQUEST_METHOD=GET SERVER_PROTOCOL=HTTP/1.1 SCRIPT_NAME=/app -- -f "$T/args"
	run --separate-stderr "${BRIDGE[@]}"
	assert_error_page 100 '500 Internal Server Error'
	assert_stderr "cgi2scgi: GET /app: $T/args: -f names no script run by the web server (SCRIPT_FILENAME)"
	# One of them alone, as a shell may have, is no web server.
	shell_argv REQUEST_METHOD=GET -- a b c
	run --separate-stderr "${BRIDGE[@]}"
	assert_failure 100
	assert_stderr --prefix "usage: "
}

@test "--help and --version print to stdout and exit 0" {
	run --separate-stderr "$CGI2SCGI" --help
	assert_success
	assert_output --regexp '^usage: cgi2scgi '
	assert_output --partial SCGI_FILE
	# Every option, from the settings table, with its variable and default.
	for o in -f -t -r -i -m -s -H -pass -drop -set -sendfile -check -post \
	    -connect -bind -start -fd0 -log; do
		assert_line --regexp "^  $o "
	done
	assert_line --regexp '^  -s bytes .* \(SCGI_MAX_SPOOL, default 64M\)$'
	assert_line --regexp '^  -set name=value .* \(SCGI_SET_name\)$'
	run "$CGI2SCGI" -h
	assert_success
	run "$CGI2SCGI" --version
	assert_success
	assert_output --regexp '^cgi2scgi [0-9]+\.[0-9]+\.[0-9]+$'
	run "$CGI2SCGI" -V
	assert_success
}

@test "options override the environment" {
	backend -m silent
	run --separate-stderr bridge SCGI_IDLE_TIMEOUT=60 -- -i 0.1 "$SOCK"
	assert_error_page 111 '504 Gateway Timeout'
}

@test "a backend that closes at once still gets a posted body drained, so the 502 reaches the client" {
	backend -m close
	head -c 1048576 /dev/zero > "$T/in"
	exec 5<"$T/in"
	run --separate-stderr bridge REQUEST_METHOD=POST CONTENT_LENGTH=1048576 -- "$SOCK" <&5
	assert_error_page 111 '502 Bad Gateway'
	assert_equal "$(offset_of_fd5)" 1048576
}

@test "an error before the body is found still reads it, as fcgiwrap needs, up to its length or, with none known, to its end" {
	# fcgiwrap writes the whole body before it reads the answer, and puts
	# its own 502 in place of one that left it unread.
	printf 'helloEXTRA' > "$T/in"
	exec 5<"$T/in"
	run --separate-stderr bridge REQUEST_METHOD=POST CONTENT_LENGTH=5 \
	    SCGI_MAX_BODY=1T <&5
	assert_error_page 100 '500 Internal Server Error'
	assert_equal "$(offset_of_fd5)" 5
	for cl in 5x -1; do
		exec 5<"$T/in"
		run --separate-stderr bridge REQUEST_METHOD=POST \
		    CONTENT_LENGTH=$cl -- "$T/none.sock" <&5
		assert_equal "$(offset_of_fd5)" 10
	done
	assert_error_page 111 '502 Bad Gateway'
	exec 5<"$T/in"
	run --separate-stderr bridge REQUEST_METHOD=POST \
	    HTTP_TRANSFER_ENCODING=chunked SCGI_MAX_BODY=1T <&5
	assert_equal "$(offset_of_fd5)" 10
}

@test "a response head cut short, or over 64 KiB, answers 502" {
	# Garbage, and heads that break the rules: tests/hostile.bats.
	printf 'Status: 200 OK\r\nContent-Type: text/plain\r\n' > "$T/reply"
	backend -r "$T/reply"
	run --separate-stderr bridge -- "$SOCK"
	assert_error_page 111 '502 Bad Gateway'
	assert_stderr "cgi2scgi: GET /app: $SOCK: response header cut short"
	{ printf 'X-Big: '; head -c 70000 /dev/zero | tr '\0' x; printf '\r\n\r\n'; } > "$T/reply"
	run --separate-stderr bridge -- "$SOCK"
	assert_error_page 111 '502 Bad Gateway'
	assert_stderr "cgi2scgi: GET /app: $SOCK: response header over 64 KiB"
}

@test "a connect that gets no answer times out with 504" {
	# A listener whose queue is full drops new SYNs: the connect hangs.
	backend_tcp -m noaccept
	exec 8<>"/dev/tcp/127.0.0.1/$PORT"	# fills the queue of one
	exec 9<>"/dev/tcp/127.0.0.1/$PORT" || true
	run --separate-stderr bridge -- -t 0.1 127.0.0.1 "$PORT"
	assert_error_page 111 '504 Gateway Timeout'
	# strerror(ETIMEDOUT): glibc's words, or musl's.
	assert_regex "$stderr" "^cgi2scgi: GET /app: connect 127\.0\.0\.1:$PORT: (Connection|Operation) timed out \(no answer in 0\.1 s: -t, SCGI_CONNECT_TIMEOUT\)\$"
}

@test "a stalled request body times out with 408" {
	backend
	mkfifo "$T/fifo"
	exec 6<>"$T/fifo"
	printf 'ab' >&6
	run --separate-stderr bridge REQUEST_METHOD=POST CONTENT_LENGTH=10 -- -i 0.1 "$SOCK" < "$T/fifo"
	assert_error_page 111 '408 Request Timeout'
	# The 2 bytes went on; the server had nothing to answer yet.
	assert_stderr "cgi2scgi: POST /app: request body: no byte from the client for 0.1 s (-i, SCGI_IDLE_TIMEOUT), 2 of 10 body bytes sent, 0 answer bytes"
}


@test "a stalled chunked upload times out with 408, and the line says how much was spooled" {
	backend
	mkfifo "$T/fifo"
	exec 6<>"$T/fifo"
	printf 'abc' >&6
	run --separate-stderr bridge REQUEST_METHOD=POST \
	    HTTP_TRANSFER_ENCODING=chunked TMPDIR="$T" -- -i 0.1 "$SOCK" < "$T/fifo"
	assert_error_page 111 '408 Request Timeout'
	assert_stderr "cgi2scgi: POST /app: request body: no byte from the client for 0.1 s (-i, SCGI_IDLE_TIMEOUT), 3 bytes of a chunked upload spooled"
}

@test "a client that takes no byte of a long answer: the idle timeout's line blames the client, not the server" {
	backend -g 8388608
	mkfifo "$T/fifo"
	exec 7<>"$T/fifo"	# open, and never read: the pipe fills
	rc=0
	bridge -- -i 0.1 "$SOCK" > "$T/fifo" 2> "$T/err" || rc=$?
	assert_equal "$rc" 111
	assert_equal "$(cat "$T/err")" "cgi2scgi: GET /app: $SOCK: the client took no byte of the answer for 0.1 s (-i, SCGI_IDLE_TIMEOUT), 0 of 0 body bytes sent, the answer's head passed on"
}

@test "a client that leaves mid-answer: the rest of the answer is read to its end, so that the server never writes into a closed connection" {
	backend -m stream -g 262144 -w "$T/go"
	# The reader takes a byte, closes, and only then lets the server
	# send the rest.
	bridge -- "$SOCK" 2> "$T/err" |
	    { head -c 1 > /dev/null; exec 0<&-; touch "$T/go"; }
	wait_for "$REC/1.done"
	assert [ ! -e "$REC/1.gone" ]
	assert_equal "$(cat "$T/err")" "cgi2scgi: GET /app: write to stdout: Broken pipe"
}

@test "a client that takes no byte of an answer cut short: its last piece waits no longer than -i either" {
	# While the full pipe holds the bridge, the server sends the rest
	# and closes; with a little room, the bridge reads what is left, and
	# the end with it: what it writes last is over PIPE_BUF.
	printf 'Status: 200 OK\r\nContent-Length: 100000\r\n\r\n' > "$T/reply"
	backend -m stream -g 40000 -w "$T/go" -r "$T/reply"
	mkfifo "$T/fifo"
	exec 7<>"$T/fifo"
	head -c 65536 /dev/zero >&7	# the pipe's 16 pages
	rc=0
	bridge -- -i 3 "$SOCK" > "$T/fifo" 2> "$T/err" &
	touch "$T/go"
	wait_for "$REC/1.done"
	head -c 8192 <&7 > /dev/null
	wait $! || rc=$?
	assert_equal "$rc" 111
	assert_regex "$(cat "$T/err")" "^cgi2scgi: GET /app: $SOCK: the client took no byte of the answer for 3 s"
}

@test "a client that takes no byte, with room in its pipe for less than a read: the write that does not fit waits no longer than -i" {
	# The head and 64 KiB in one write: the bridge's first two reads
	# take 4 KiB and 64 KiB.
	{ printf 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n'
	  head -c 65536 /dev/zero; } > "$T/reply"
	backend -r "$T/reply"
	mkfifo "$T/fifo"
	exec 7<>"$T/fifo"
	head -c 57344 /dev/zero >&7	# 14 of the pipe's 16 pages
	rc=0
	bridge -- -i 0.1 "$SOCK" > "$T/fifo" 2> "$T/err" || rc=$?
	assert_equal "$rc" 111
	assert_equal "$(cat "$T/err")" "cgi2scgi: GET /app: $SOCK: the client took no byte of the answer for 0.1 s (-i, SCGI_IDLE_TIMEOUT), 0 of 0 body bytes sent, the answer's head passed on"
}
