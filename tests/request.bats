#!/usr/bin/env bats
# The SCGI request cgi2scgi builds: header order, which variables pass,
# CONTENT_LENGTH checks, chunked uploads.  The fake backend records
# the exact bytes it got.

load helper

# bats test_tags=exactenv
@test "a request without a body sends CONTENT_LENGTH 0 first, SCGI=1, then the environment in order" {
	backend
	run --separate-stderr "$EXECENV" GATEWAY_INTERFACE=CGI/1.1 \
	    REQUEST_METHOD=GET QUERY_STRING=a=1 SCGI_FILE="$SOCK" -- "$CGI2SCGI"
	assert_success
	wait_for "$REC/1.done"
	printf 'CONTENT_LENGTH\0000\0SCGI\0001\0GATEWAY_INTERFACE\0CGI/1.1\0REQUEST_METHOD\0GET\0QUERY_STRING\0a=1\0' |
	    cmp - "$REC/1.head"
	[ ! -e "$REC/1.error" ]
}

@test "the header block is one netstring: the backend finds nothing wrong with it" {
	backend
	run bridge HTTP_HOST=example.org HTTP_COOKIE='a=b; c=d' -- "$SOCK"
	assert_success
	wait_for "$REC/1.done"
	[ ! -e "$REC/1.error" ]
	grep -qx 'HTTP_COOKIE=a=b; c=d' "$REC/1.env"
}

@test "SCGI_* configuration, HTTP_PROXY and a stray SCGI or CONTENT_LENGTH are not forwarded" {
	backend
	run bridge SCGI_FILE="$SOCK" SCGI_IDLE_TIMEOUT=5 SCGI=2 \
	    HTTP_PROXY=http://evil.example/ HTTP_PROXY_X=kept CONTENT_LENGTH=
	assert_success
	wait_for "$REC/1.done"
	[ ! -e "$REC/1.error" ]
	assert_equal "$(grep -c '^SCGI' "$REC/1.env")" 1
	grep -qx 'SCGI=1' "$REC/1.env"
	grep -qx 'CONTENT_LENGTH=0' "$REC/1.env"
	refute grep -q '^HTTP_PROXY=' "$REC/1.env"
	grep -qx 'HTTP_PROXY_X=kept' "$REC/1.env"
}

@test "a CONTENT_LENGTH of exactly the limit passes, leading zeros and all" {
	backend
	head -c 1024 /dev/zero > "$T/in"
	run bridge CONTENT_LENGTH=0001024 -- -m 1k "$SOCK" <"$T/in"
	assert_success
	wait_for "$REC/1.done"
	grep -qx 'CONTENT_LENGTH=1024' "$REC/1.env"
	cmp "$T/in" "$REC/1.body"
}

@test "with no CONTENT_LENGTH and no Transfer-Encoding, stdin is not read at all" {
	backend
	echo data > "$T/in"
	exec 5<"$T/in"
	run bridge -- "$SOCK" <&5
	assert_success
	assert_equal "$(offset_of_fd5)" 0
	wait_for "$REC/1.done"
	assert_equal "$(wc -c < "$REC/1.body")" 0
}

@test "a chunked upload (no CONTENT_LENGTH) is spooled and sent whole with its true length" {
	backend
	head -c 300000 /dev/urandom > "$T/in"
	mkdir "$T/tmp"
	run bridge HTTP_TRANSFER_ENCODING=chunked TMPDIR="$T/tmp" -- "$SOCK" <"$T/in"
	assert_success
	wait_for "$REC/1.done"
	grep -qx 'CONTENT_LENGTH=300000' "$REC/1.env"
	refute grep -q '^HTTP_TRANSFER_ENCODING=' "$REC/1.env"
	cmp "$T/in" "$REC/1.body"
	assert_equal "$(ls -A "$T/tmp")" ""	# the spool file was unlinked
}

@test "a chunked upload under limits as large as they go is sent whole, not cut to nothing" {
	backend
	run bridge HTTP_TRANSFER_ENCODING=chunked \
	    SCGI_MAX_SPOOL=18446744073709551615 \
	    SCGI_MAX_BODY=18446744073709551615 -- "$SOCK" <<< "body"
	assert_success
	wait_for "$REC/1.done"
	grep -qx CONTENT_LENGTH=5 "$REC/1.env"
}

@test "a body over -m but within -s is read to its end before the 413, which Apache drops unless its whole body was taken; a larger one is not read" {
	backend
	# The writer finishes only if the bridge reads all 1 MiB.
	{ head -c 1048576 /dev/zero && touch "$T/wrote"; } |
	    bridge REQUEST_METHOD=POST CONTENT_LENGTH=1048576 -- -m 1k "$SOCK" \
	    > "$T/out" 2> "$T/err" || :
	assert [ -e "$T/wrote" ]
	assert_equal "$(head -n 1 "$T/out")" $'Status: 413 Content Too Large\r'
	assert_equal "$(cat "$T/err")" "cgi2scgi: POST /app: CONTENT_LENGTH: 1048576 is over the limit of 1024 bytes"
	nothing_sent
	# Over -s too: not read, not waited for.
	{ head -c 1048576 /dev/zero && touch "$T/wrote2"; } |
	    bridge REQUEST_METHOD=POST CONTENT_LENGTH=1048576 -- -m 1k -s 2k \
	    "$SOCK" > "$T/out" 2> /dev/null || :
	assert [ ! -e "$T/wrote2" ]
	assert_equal "$(head -n 1 "$T/out")" $'Status: 413 Content Too Large\r'
}

@test "CONTENT_LENGTH -1, Caddy's for a body it does not know the length of, is a body to the end of stdin, spooled and sent with its true length" {
	backend
	head -c 100000 /dev/urandom > "$T/in"
	run bridge REQUEST_METHOD=POST CONTENT_LENGTH=-1 -- "$SOCK" <"$T/in"
	assert_success
	wait_for "$REC/1.done"
	grep -qx 'CONTENT_LENGTH=100000' "$REC/1.env"
	cmp "$T/in" "$REC/1.body"
	# Any other negative number is no length.
	run --separate-stderr bridge REQUEST_METHOD=POST CONTENT_LENGTH=-2 -- "$SOCK" </dev/null
	assert_error_page 100 '400 Bad Request'
}

@test "a chunked upload over the body limit (-m) answers 413 and sends nothing" {
	backend
	head -c 5000 /dev/zero > "$T/in"
	run --separate-stderr bridge HTTP_TRANSFER_ENCODING=chunked -- -m 4k "$SOCK" <"$T/in"
	assert_error_page 100 '413 Content Too Large'
	assert_stderr "cgi2scgi: GET /app: request body: chunked upload over the limit of 4096 bytes"
	nothing_sent
}

@test "an empty query as one empty argument (Python's http.server) is no argument" {
	backend
	run --separate-stderr bridge SCGI_FILE="$SOCK" QUERY_STRING= -- ""
	assert_success
	wait_for "$REC/1.done"
}

@test "arguments from a wrapper script still win when the query differs" {
	# Query words used as arguments: tests/hostile.bats.  These are not
	# the query's: only if every argument could be one of its words,
	# in order, are they taken for the query's.
	backend
	run bridge SCGI_FILE=/nonexistent QUERY_STRING=search+words -- "$SOCK"
	assert_success
	wait_for "$REC/1.done"
	run bridge SCGI_FILE=/nonexistent QUERY_STRING=x=1 -- "$SOCK"
	assert_success
	# The first two are the query's first words, the third is not.
	run bridge SCGI_FILE=/nonexistent QUERY_STRING=-t+5+x -- -t 5 "$SOCK"
	assert_success
}
