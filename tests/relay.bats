#!/usr/bin/env bats
# Moving bytes: the body to the backend, the answer to stdout, both at
# once; exact sizes; the response head and its one rewrite.

load helper

post() {	# post FILE [bridge args]: POST FILE through a pipe, as Apache does
	local f=$1
	shift
	cat "$f" | bridge REQUEST_METHOD=POST CONTENT_LENGTH="$(wc -c < "$f")" \
	    -- "$@" > "$T/out" 2> "$T/err"
}

@test "bodies of 0 B, 1 B and 64 KiB reach the backend byte for byte" {
	backend
	i=0
	for n in 0 1 65536; do
		i=$((i + 1))
		head -c "$n" /dev/urandom > "$T/in"
		post "$T/in" "$SOCK"
		wait_for "$REC/$i.done"
		grep -qx "CONTENT_LENGTH=$n" "$REC/$i.env"
		cmp "$T/in" "$REC/$i.body"
		assert_equal "$(cat "$REC/$i.bodyeof")" complete
	done
}

# bats test_tags=slow
@test "a 100 MiB binary body reaches the backend byte for byte" {
	backend
	head -c 104857600 /dev/urandom > "$T/in"
	post "$T/in" "$SOCK"
	wait_for "$REC/1.done"
	cmp "$T/in" "$REC/1.body"
}

# bats test_tags=slow
@test "a 100 MiB binary response reaches stdout byte for byte" {
	printf 'Status: 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n' > "$T/head"
	backend -r "$T/head" -g 104857600
	bridge -- "$SOCK" > "$T/out"
	{ cat "$T/head"; pattern 104857600; } | cmp - "$T/out"
}

@test "the body ends at CONTENT_LENGTH even if stdin never reaches end of file" {
	backend
	mkfifo "$T/fifo"
	exec 6<>"$T/fifo"	# a writer that never closes
	printf 'abcd' >&6
	bridge REQUEST_METHOD=POST CONTENT_LENGTH=4 -- "$SOCK" < "$T/fifo" > "$T/out" &
	wait_pid $! 20
	exec 6>&-
	wait_for "$REC/1.done"
	assert_equal "$(cat "$REC/1.body")" abcd
}

@test "a backend that answers 8 MiB before reading an 8 MiB body does not deadlock, through pipes or files" {
	head -c 8388608 /dev/urandom > "$T/in"
	{ printf 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok\n'; pattern 8388608; } > "$T/want"
	backend -m early -g 8388608
	# Pipes both ways, as Apache has them: splice(2).
	cat "$T/in" | bridge REQUEST_METHOD=POST CONTENT_LENGTH=8388608 \
	    -- "$SOCK" | cat > "$T/out"
	wait_for "$REC/1.done"
	cmp "$T/in" "$REC/1.body"
	cmp "$T/want" "$T/out"
	# Files both ways: read(2) and write(2).
	bridge REQUEST_METHOD=POST CONTENT_LENGTH=8388608 -- "$SOCK" \
	    < "$T/in" > "$T/out"
	wait_for "$REC/2.done"
	cmp "$T/in" "$REC/2.body"
	cmp "$T/want" "$T/out"
}

@test "a backend that never reads the body: its answer is relayed and stdin is drained to CONTENT_LENGTH" {
	head -c 4194304 /dev/zero > "$T/in"
	backend -m noread
	exec 5<"$T/in"
	run bridge REQUEST_METHOD=POST CONTENT_LENGTH=4194304 -- "$SOCK" <&5
	assert_success
	assert_output "$(printf 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok')"
	assert_equal "$(offset_of_fd5)" 4194304
}

# host_writes_first FILE [bridge args]: as Apache does, write all of
# FILE to the bridge's stdin, through a pipe, before reading a byte of
# its stdout (a FIFO, held open here on fd 7, for the caller to read).
host_writes_first() {
	local f=$1
	shift
	mkfifo "$T/stdout"
	exec 7<>"$T/stdout"
	bridge REQUEST_METHOD=POST CONTENT_LENGTH="$(wc -c < "$f")" -- "$@" \
	    < <(cat "$f"; touch "$T/written") > "$T/stdout" 2> "$T/err" &
	echo $! > "$T/bridge.pid"
	wait_for "$T/written"
}

# relayed REPLY EXPECTED: the backend answers printf REPLY, and stdout
# is printf EXPECTED.
relayed() {
	printf "$1" > "$T/reply"
	bridge -- "$SOCK" > "$T/out"
	printf "$2" | cmp - "$T/out"
}

ECHO_HEAD=$'Status: 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n'

@test "a host that writes the whole body before it reads the answer, and a server that answers as it reads: no stall, memory as before" {
	head -c 8388608 /dev/urandom > "$T/in"
	backend -m echo
	# Before, each waited on the other until -i: 311 KB of 4 MB.
	host_writes_first "$T/in" -i 20 "$SOCK"
	# (timeout: a bridge that stalls would write less, never an end.)
	timeout 120 head -c "$((8388608 + ${#ECHO_HEAD}))" <&7 > "$T/out"
	{ printf '%s' "$ECHO_HEAD"; cat "$T/in"; } | cmp - "$T/out"
	wait_pid "$(cat "$T/bridge.pid")" 20
	assert_equal "$(cat "$T/err")" ''
	wait_for "$REC/1.done"
	cmp "$T/in" "$REC/1.body"
}

@test "a host that writes the whole body first, with more of it left than -s allows: the request ends, one line says why" {
	head -c 8388608 /dev/zero > "$T/in"
	backend -m echo
	host_writes_first "$T/in" -s 1m -i 2 "$SOCK"
	rc=0
	wait_pid "$(cat "$T/bridge.pid")" 60 || rc=$?
	assert_equal "$rc" 111
	wait_for "$REC/1.done"
	grep -q "the web server reads no answer while it writes the body, and the [0-9]* bytes left of it are over the spool's limit of 1048576 (-s)" "$T/err"
}

@test "an answer whole by its Content-Length ends the request at once, exit 0, though the server reads none of the body and keeps the connection" {
	printf 'Status: 200 OK\r\nContent-Length: 5\r\n\r\nhello' > "$T/reply"
	backend -m hold -r "$T/reply"
	head -c 8388608 /dev/zero > "$T/in"
	exec 5<"$T/in"
	# Before, the bridge pushed the body at the server until -i struck:
	# 504, exit 111.
	run --separate-stderr bridge REQUEST_METHOD=POST CONTENT_LENGTH=8388608 \
	    -- -i 30 "$SOCK" <&5
	assert_success
	assert_output "$(printf 'Status: 200 OK\r\n\r\nhello')"
	assert_equal "$stderr" ''
	# The rest of the body read, so that a host writing it all is free.
	assert_equal "$(offset_of_fd5)" 8388608
	wait_for "$REC/1.done"
}

@test "an HTTP status line from the backend becomes a Status: line, first, and every line ends in CR LF" {
	backend -n 5 -m normal -r "$T/reply"
	relayed 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhi' \
	    'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nhi'
	relayed 'HTTP/1.0 404 Not Found\nContent-Type: text/html\n\n<p>' \
	    'Status: 404 Not Found\r\nContent-Type: text/html\r\n\r\n<p>'
	relayed 'HTTP/2 302 Found\r\nLocation: /x\r\n\r\n' \
	    'Status: 302 Found\r\nLocation: /x\r\n\r\n'
	relayed 'HTTP/1.1 204\r\nX-A: 1\r\n\r\n' \
	    'Status: 204\r\nX-A: 1\r\n\r\n'
	relayed 'HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nHTTP/1.1 200 OK\r\n' \
	    'Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nHTTP/1.1 200 OK\r\n'
}

@test "an answer without a status gets Status: 200 OK first, but a local Location alone is the host's to follow" {
	backend -n 3 -m normal -r "$T/reply"
	# busybox httpd would take HTTPS-Only for the status line.
	relayed 'HTTPS-Only: 1\r\nContent-Type: text/plain\r\n\r\nhi' \
	    'Status: 200 OK\r\nHTTPS-Only: 1\r\nContent-Type: text/plain\r\n\r\nhi'
	relayed 'Location: /elsewhere\r\n\r\n' 'Location: /elsewhere\r\n\r\n'
	relayed 'Location: http://example.org/\r\n\r\n' \
	    'Status: 302 Found\r\nLocation: http://example.org/\r\n\r\n'
}

@test "a head is written anew: its Status first, its fields in order, CR LF; the body byte for byte" {
	printf 'Content-Type: application/octet-stream\nX-A: a\tb \377\nSet-Cookie: a=b; Path=/\r\nStatus:   201 Created \nSet-Cookie: c=d\n\n\0\1\2\377HTTP/1.1 200 OK\n\n' > "$T/reply"
	backend -r "$T/reply"
	bridge -- "$SOCK" > "$T/out"
	printf 'Status: 201 Created\r\nContent-Type: application/octet-stream\r\nX-A: a\tb \377\r\nSet-Cookie: a=b; Path=/\r\nSet-Cookie: c=d\r\n\r\n\0\1\2\377HTTP/1.1 200 OK\n\n' |
	    cmp - "$T/out"
}

@test "the response streams: its first part reaches stdout while the backend still holds the rest" {
	# The backend sends its head and first chunk, then waits for the
	# file "$T/go", which the reader makes on seeing that chunk.
	backend -m stream -g 4096 -w "$T/go"
	mkfifo "$T/pipe"
	bridge -- "$SOCK" > "$T/pipe" &
	pid=$!
	exec 7<"$T/pipe"
	IFS= read -r -t 10 line <&7
	assert_equal "$line" $'Status: 200 OK\r'
	head -c 100 <&7 >/dev/null	# part of the first chunk: the rest waits
	touch "$T/go"
	cat <&7 >/dev/null
	wait_pid "$pid" 20
}

# The two ways bytes move: splice(2) where stdin or stdout is a pipe, as
# under Apache; read and write for anything else (files here).

@test "through pipes (splice), a 32 MiB body and its echo arrive byte for byte" {
	head -c 33554432 /dev/urandom > "$T/in"
	backend -m echo
	cat "$T/in" | bridge REQUEST_METHOD=POST CONTENT_LENGTH=33554432 \
	    -- "$SOCK" | cat > "$T/out"
	wait_for "$REC/1.done"
	cmp "$T/in" "$REC/1.body"
	{ printf 'Status: 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n'; cat "$T/in"; } |
	    cmp - "$T/out"
}

@test "through regular files (read and write), a 32 MiB body and its echo arrive byte for byte" {
	head -c 33554432 /dev/urandom > "$T/in"
	backend -m echo
	bridge REQUEST_METHOD=POST CONTENT_LENGTH=33554432 -- "$SOCK" \
	    < "$T/in" > "$T/out"
	wait_for "$REC/1.done"
	cmp "$T/in" "$REC/1.body"
	{ printf 'Status: 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n'; cat "$T/in"; } |
	    cmp - "$T/out"
}

@test "through a pipe (splice), a 10 MiB answer arrives byte for byte" {
	printf 'Status: 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n' > "$T/head"
	backend -r "$T/head" -g 10485760
	bridge -- "$SOCK" | cat > "$T/out"
	{ cat "$T/head"; pattern 10485760; } | cmp - "$T/out"
}

@test "splice(2) moves the bytes where stdin and stdout are pipes, read and write where they are files" {
	[ "$(uname -s)" = Linux ] || skip "splice(2) is Linux's"
	needs strace "it shows which calls move the bytes"
	head -c 1048576 /dev/urandom > "$T/in"
	backend -m echo
	# LeakSanitizer cannot run under ptrace(2), so not here.
	cat "$T/in" | CGI2SCGI_WRAP="strace -qq -o $T/pipes -e trace=splice,read,write" \
	    bridge ASAN_OPTIONS=detect_leaks=0 REQUEST_METHOD=POST \
	    CONTENT_LENGTH=1048576 -- "$SOCK" | cat > "$T/out"
	grep -q '^splice(0, NULL, [0-9]*, NULL, ' "$T/pipes"
	grep -q '^splice([0-9]*, NULL, 1, NULL, ' "$T/pipes"
	refute grep -q '^read(0, ' "$T/pipes"
	CGI2SCGI_WRAP="strace -qq -o $T/files -e trace=splice,read,write" \
	    bridge ASAN_OPTIONS=detect_leaks=0 REQUEST_METHOD=POST \
	    CONTENT_LENGTH=1048576 -- "$SOCK" < "$T/in" > "$T/out2"
	refute grep -q '^splice(' "$T/files"
	grep -q '^read(0, ' "$T/files"
	grep -q '^write(1, ' "$T/files"
	cmp "$T/out" "$T/out2"
}
