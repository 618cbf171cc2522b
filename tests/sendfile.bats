#!/usr/bin/env bats
# X-Sendfile.  With -sendfile DIR (SCGI_SENDFILE), an answer
# whose head names a file in X-Sendfile is served by the bridge from that
# file, which must be a regular file beneath DIR that it can read; the
# app's body is dropped.  The backend (fakescgi -r) answers with the head
# a test writes to $T/reply.

load helper

# valgrind knows no openat2(2), and says so on stderr: its pass leaves
# this file out, and one test here runs valgrind on purpose, as a kernel
# without it, to try the portable walk.
# bats file_tags=openat2

eval "helper_$(declare -f setup)"
setup() {
	helper_setup
	F=$T/files			# the -sendfile DIR
	mkdir -p "$F/sub"
	head -c 1000 /dev/urandom > "$F/a.bin"
	touch -d '2001-02-03 04:05:06 UTC' "$F/a.bin"
	LM=$(imf "$F/a.bin")
	ET=$(etag "$F/a.bin")
	echo secret > "$T/secret"	# beside DIR: never to be served
}

# imf FILE: FILE's mtime as an IMF-fixdate (RFC 9110 5.6.7), as
# Last-Modified carries it.
imf() {
	LC_ALL=C date -u -r "$1" '+%a, %d %b %Y %H:%M:%S GMT'
}

# etag FILE: the strong ETag the bridge makes of FILE: its inode, size,
# and modification time in seconds and nanoseconds, in hex.
etag() {
	local ns
	ns=$(stat -c %y "$1")		# 2001-02-03 04:05:06.123456789 +0000
	ns=${ns#*.}
	ns=${ns%% *}
	printf '"%x-%x-%x.%x"' "$(stat -c %i "$1")" "$(stat -c %s "$1")" \
	    "$(stat -c %Y "$1")" "$((10#$ns))"
}

# reply FORMAT [ARG...]: what the backend answers, by printf.
reply() {
	# shellcheck disable=SC2059
	printf "$@" > "$T/reply"
}

# answer PATH: the backend answers a 200 naming PATH in X-Sendfile, with
# a body of its own.
answer() {
	reply 'Status: 200 OK\r\nContent-Type: application/octet-stream\r\nX-Sendfile: %s\r\n\r\napp body\n' "$1"
}

# sendfile [NAME=value ...]: the bridge, with -sendfile $F, to the
# backend; its answer in $T/out, split into $T/head (the lines before
# the empty one) and $T/body; its stderr in $T/err, its exit status in
# $status.
sendfile() {
	status=0
	bridge "$@" -- -sendfile "$F" "$SOCK" > "$T/out" 2> "$T/err" ||
	    status=$?
	split_answer
}

split_answer() {
	perl -0777 -e '
	    local $_ = <STDIN> // "";
	    my $i = index($_, "\r\n\r\n");
	    my ($h, $b) = $i < 0 ? ($_, "") :
		(substr($_, 0, $i + 2), substr($_, $i + 4));
	    open(my $fh, ">", "$ARGV[0]/head") or die;
	    print $fh $h;
	    open(my $fb, ">", "$ARGV[0]/body") or die;
	    print $fb $b;' "$T" < "$T/out"
}

# assert_head STATUS FIELD...: the head is the line STATUS first (- for
# no Status line), then the FIELDs in any order, each line ending CRLF.
assert_head() {
	local want got
	if [ "$1" = - ]; then
		shift
		want=$(printf '%s\r\n' "$@" | LC_ALL=C sort)
		got=$(LC_ALL=C sort "$T/head")
	else
		want=$(printf '%s\r\n' "$1"; shift; printf '%s\r\n' "$@" |
		    LC_ALL=C sort)
		got=$(head -n 1 "$T/head"; tail -n +2 "$T/head" | LC_ALL=C sort)
	fi
	assert_equal "$got" "$want"
}

# assert_part FILE FROM TO: the body is bytes FROM to TO of FILE.
assert_part() {
	tail -c +$(($2 + 1)) "$1" | head -c $(($3 - $2 + 1)) | cmp - "$T/body"
}

# refused PATH STATUS: an X-Sendfile of PATH gets the bridge's STATUS
# page (so not the path), exit 100, and one log line that names PATH.
refused() {
	answer "$1"
	run --separate-stderr bridge -- -sendfile "$F" "$SOCK"
	assert_error_page 100 "$2" || { echo "X-Sendfile: $1" >&2; return 1; }
	one_log_line "$1"
}

# one_log_line TEXT: the bridge wrote one line to stderr, holding TEXT.
one_log_line() {
	if [ "${#stderr_lines[@]}" -eq 1 ] && [[ $stderr == "cgi2scgi: "* ]] &&
	    [[ $stderr == *"$1"* ]]; then
		return 0
	fi
	batslib_print_kv_single_or_multi 8 'one line with' "$1" stderr \
	    "$stderr" | batslib_decorate 'not one log line naming it' | fail
}

# to_pipe: the bridge, with -sendfile $F, in the background (process
# $pid), its stdout the FIFO $T/pipe, which it opens once a reader does.
# Not `bridge_bg > FIFO`: this shell would open the FIFO, and wait.
to_pipe() {
	mkfifo "$T/pipe"
	bridge_argv -- -sendfile "$F" "$SOCK"
	"${BRIDGE[@]}" > "$T/pipe" 2> "$T/err" &
	pid=$!
}

# openat2 (Linux 5.6) resolves a path beneath DIR in the kernel, which
# follows a symlink or `..` that stays inside; a portable fallback as
# strict may refuse them all.
openat2_kernel() {
	local v
	v=$(uname -r)
	[ "$(uname -s)" = Linux ] && printf '%s\n' 5.6 "${v%%[!0-9.]*}" |
	    sort -C -V
}

@test "a file named in X-Sendfile is served: Status first, the app's other fields kept, its length, range, date and ETag fields replaced, its body dropped" {
	reply 'Status: 200 OK\r\nContent-Type: application/octet-stream\r\nX-Sendfile: a.bin\r\nContent-Length: 9\r\nSet-Cookie: a=b; Path=/\r\nLast-Modified: Thu, 01 Jan 1970 00:00:00 GMT\r\nETag: \"app\"\r\nContent-Range: bytes 0-8/9\r\naccept-ranges: none\r\nCache-Control: private\r\n\r\napp body\n'
	backend -r "$T/reply"
	assert_equal "$LM" 'Sat, 03 Feb 2001 04:05:06 GMT'
	sendfile
	assert_equal "$status" 0
	{
		printf 'Status: 200 OK\r\nContent-Type: application/octet-stream\r\nSet-Cookie: a=b; Path=/\r\nCache-Control: private\r\n'
		printf 'ETag: %s\r\nLast-Modified: %s\r\nAccept-Ranges: bytes\r\n\r\n' "$ET" "$LM"
		cat "$F/a.bin"
	} | cmp - "$T/out"
	assert_equal "$(cat "$T/err")" ''
}

@test "without a Status from the app 200 OK is written; X-Sendfile in any case, an LF head, an HTTP status line: all canonical" {
	backend -r "$T/reply"
	reply 'x-sendfile: a.bin\nContent-Type: text/plain\n\napp body\n'
	sendfile
	assert_equal "$status" 0
	{
		printf 'Status: 200 OK\r\nContent-Type: text/plain\r\n'
		printf 'ETag: %s\r\nLast-Modified: %s\r\nAccept-Ranges: bytes\r\n\r\n' "$ET" "$LM"
		cat "$F/a.bin"
	} | cmp - "$T/out"
	reply 'HTTP/1.1 200 OK\r\nX-SENDFILE: a.bin\r\nCONTENT-LENGTH: 9\r\n\r\napp body\n'
	sendfile
	assert_equal "$status" 0
	assert_head 'Status: 200 OK' \
	    "ETag: $ET" "Last-Modified: $LM" 'Accept-Ranges: bytes'
	cmp "$F/a.bin" "$T/body"
}

@test "a path relative to DIR, in a subdirectory, absolute beneath DIR, or spaced any way, is served" {
	backend -r "$T/reply"
	printf 'bee\n' > "$F/sub/b.txt"
	for path in sub/b.txt ./sub/b.txt "$F/sub/b.txt" "$F//sub/./b.txt"; do
		answer "$path"
		sendfile
		assert_equal "$status" 0
		assert_equal "$(cat "$T/body")" bee
	done
	for line in 'X-Sendfile:a.bin' 'X-Sendfile:   a.bin' 'X-Sendfile:	a.bin'; do
		reply 'Status: 200 OK\r\n%s\r\n\r\n' "$line"
		sendfile
		assert_equal "$status" 0
		cmp "$F/a.bin" "$T/body"
	done
}

@test "through a pipe and into a file, a 4 MiB file arrives byte for byte" {
	head -c 4194304 /dev/urandom > "$F/big"
	answer big
	backend -r "$T/reply"
	bridge -- -sendfile "$F" "$SOCK" | cat > "$T/out"
	split_answer
	cmp "$F/big" "$T/body"
	sendfile
	assert_equal "$status" 0
	cmp "$F/big" "$T/body"
	! grep -qi '^Content-Length:' "$T/head"
}

@test "into a file opened for appending, which sendfile(2) refuses (EINVAL), the file and a range arrive by read and write" {
	head -c 4194304 /dev/urandom > "$F/big"
	answer big
	backend -n 2 -r "$T/reply"
	: > "$T/out"
	bridge -- -sendfile "$F" "$SOCK" >> "$T/out"
	split_answer
	cmp "$F/big" "$T/body"
	: > "$T/out"
	bridge HTTP_RANGE=bytes=1000-1999 -- -sendfile "$F" "$SOCK" >> "$T/out"
	split_answer
	assert_part "$F/big" 1000 1999
}

@test "an empty file is served with no body" {
	: > "$F/empty"
	answer empty
	backend -r "$T/reply"
	sendfile
	assert_equal "$status" 0
	assert_head 'Status: 200 OK' 'Content-Type: application/octet-stream' \
	    "ETag: $(etag "$F/empty")" \
	    "Last-Modified: $(imf "$F/empty")" 'Accept-Ranges: bytes'
	[ ! -s "$T/body" ]
}

@test "HEAD gets the head a GET gets, and no body, with or without a Range" {
	answer a.bin
	backend -r "$T/reply"
	for range in '' HTTP_RANGE=bytes=0-9; do
		# shellcheck disable=SC2086
		sendfile $range
		cp "$T/head" "$T/gethead"
		# shellcheck disable=SC2086
		sendfile $range REQUEST_METHOD=HEAD
		assert_equal "$status" 0
		cmp "$T/gethead" "$T/head"
		[ "$(wc -c < "$T/out")" -eq $(($(wc -c < "$T/head") + 2)) ]
	done
	grep -qx REQUEST_METHOD=HEAD "$REC/4.env"
}

@test "one Range, a-b, a-, -n, past the end, the whole: 206 with Content-Range and that part" {
	reply 'Status: 200 OK\r\nContent-Type: application/octet-stream\r\nX-Sendfile: a.bin\r\nContent-Length: 9\r\nContent-Range: bytes 0-8/9\r\n\r\napp body\n'
	backend -r "$T/reply"
	while read -r range from to; do
		sendfile HTTP_RANGE="$range"
		assert_equal "$status" 0
		assert_head 'Status: 206 Partial Content' \
		    'Content-Type: application/octet-stream' \
	    "ETag: $ET" "Last-Modified: $LM" \
		    'Accept-Ranges: bytes' "Content-Range: bytes $from-$to/1000"
		assert_part "$F/a.bin" "$from" "$to"
	done <<-EOF
	bytes=0-99	0	99
	bytes=5-5	5	5
	bytes=990-	990	999
	bytes=0-	0	999
	bytes=-10	990	999
	bytes=900-2000	900	999
	bytes=-2000	0	999
	bytes=999-999	999	999
	EOF
}

@test "a Range with no Status from the app gets 206 too" {
	reply 'X-Sendfile: a.bin\r\nContent-Type: text/plain\r\n\r\n'
	backend -r "$T/reply"
	sendfile HTTP_RANGE=bytes=10-19
	assert_equal "$status" 0
	assert_head 'Status: 206 Partial Content' 'Content-Type: text/plain' \
	    "ETag: $ET" "Last-Modified: $LM" 'Accept-Ranges: bytes' \
	    'Content-Range: bytes 10-19/1000'
	assert_part "$F/a.bin" 10 19
}

@test "a Range that starts at or past the end, or asks for the last 0 bytes, gets 416 with Content-Range bytes */size and no body" {
	answer a.bin
	backend -r "$T/reply"
	# RFC 7233 2.1 (RFC 9110 14.1.1 keeps it): a range set is
	# satisfiable by a first-pos below the length or a suffix of more
	# than 0 bytes; bytes=-0 has neither.
	for range in bytes=1000- bytes=1000-1001 bytes=5000-6000 bytes=-0; do
		sendfile HTTP_RANGE="$range"
		assert_equal "$status" 0
		assert_equal "$(head -n 1 "$T/head")" $'Status: 416 Range Not Satisfiable\r'
		grep -qx $'Content-Range: bytes \*/1000\r' "$T/head"
		! grep -qi '^Content-Length:' "$T/head"
		[ ! -s "$T/body" ]
	done
}

@test "several ranges get the whole file with 200, as many servers answer" {
	answer a.bin
	backend -r "$T/reply"
	for range in bytes=0-1,5-6 'bytes=0-1, 5-6' bytes=-5,0-1 bytes=0-0,0-0; do
		sendfile HTTP_RANGE="$range"
		assert_equal "$status" 0
		assert_head 'Status: 200 OK' 'Content-Type: application/octet-stream' \
	    "ETag: $ET" "Last-Modified: $LM" 'Accept-Ranges: bytes'
		cmp "$F/a.bin" "$T/body"
	done
}

@test "a malformed Range is ignored: the whole file with 200" {
	answer a.bin
	backend -r "$T/reply"
	for range in bytes=abc bytes=5-2 bytes= bytes=- bytes=1-2-3 \
	    items=0-5 0-5 bytes=0x10-20 bytes=+1-5 bytes=1-+5 bytes=--5 \
	    'bytes=0-5 junk'; do
		sendfile HTTP_RANGE="$range"
		assert_equal "$status" 0
		assert_head 'Status: 200 OK' 'Content-Type: application/octet-stream' \
	    "ETag: $ET" "Last-Modified: $LM" 'Accept-Ranges: bytes' ||
		    { echo "Range: $range" >&2; return 1; }
		cmp "$F/a.bin" "$T/body"
	done
}

# --- The request's preconditions (RFC 9110 13), for the file ---

# The file's date, 2001-02-03 04:05:06 UTC, a second before and after,
# in each of the three forms of an HTTP-date (RFC 9110 5.6.7).
AT=('Sat, 03 Feb 2001 04:05:06 GMT' 'Saturday, 03-Feb-01 04:05:06 GMT'
    'Sat Feb  3 04:05:06 2001')
BEFORE=('Sat, 03 Feb 2001 04:05:05 GMT' 'Saturday, 03-Feb-01 04:05:05 GMT'
    'Sat Feb  3 04:05:05 2001' 'Fri, 02 Feb 2001 04:05:06 GMT'
    'Sunday, 06-Nov-94 08:49:37 GMT')	# 1994: 94 is no year to come
AFTER=('Sat, 03 Feb 2001 04:05:07 GMT' 'Saturday, 03-Feb-01 04:05:07 GMT'
    'Sat Feb  3 04:05:07 2001' 'Thu, 01 Jan 2026 00:00:00 GMT')

# whole [WHAT]: the answer is the app's 200 with the whole file; else
# fail, naming WHAT.
whole() {
	assert_equal "$status" 0 &&
	    assert_head 'Status: 200 OK' \
	    'Content-Type: application/octet-stream' \
	    "ETag: $ET" "Last-Modified: $LM" 'Accept-Ranges: bytes' &&
	    cmp "$F/a.bin" "$T/body" || { echo "not whole: ${1:-}" >&2; false; }
}

# failed [WHAT]: a 412 Precondition Failed with no body.
failed() {
	assert_equal "$status" 0 &&
	    assert_head 'Status: 412 Precondition Failed' \
	    'Content-Type: application/octet-stream' \
	    "ETag: $ET" "Last-Modified: $LM" 'Accept-Ranges: bytes' &&
	    [ ! -s "$T/body" ] || { echo "no 412: ${1:-}" >&2; false; }
}

# not_modified [WHAT]: a 304 Not Modified with the ETag and no body.
not_modified() {
	assert_equal "$status" 0 &&
	    assert_head 'Status: 304 Not Modified' "ETag: $ET" &&
	    [ ! -s "$T/body" ] || { echo "no 304: ${1:-}" >&2; false; }
}

# partial [WHAT]: the 206 of bytes 0-9.
partial() {
	assert_equal "$(head -n 1 "$T/head")" $'Status: 206 Partial Content\r' &&
	    assert_part "$F/a.bin" 0 9 || { echo "no 206: ${1:-}" >&2; false; }
}

@test "the ETag is strong and the file's: another inode, size or modification time, to the nanosecond, makes another" {
	answer a.bin
	backend -r "$T/reply"
	sendfile
	whole
	[[ $ET =~ ^\"[0-9a-f]+-3e8-[0-9a-f]+\.0\"$ ]]
	tags=("$ET")
	touch -d '2001-02-03 04:05:06.000000001 UTC' "$F/a.bin"
	tags+=("$(etag "$F/a.bin")")
	head -c 999 "$F/a.bin" > "$T/short"
	cat "$T/short" > "$F/a.bin"
	touch -d '2001-02-03 04:05:06 UTC' "$F/a.bin"
	tags+=("$(etag "$F/a.bin")")
	cp -p "$F/a.bin" "$T/copy"
	mv "$T/copy" "$F/a.bin"
	tags+=("$(etag "$F/a.bin")")
	sendfile
	grep -qxF "ETag: ${tags[3]}"$'\r' "$T/head"
	[ "$(printf '%s\n' "${tags[@]}" | sort -u | wc -l)" -eq 4 ]
}

@test "If-Match: our ETag, alone or in a list, or * serves the file; another, ours made weak, or no list of tags is a 412 with no body" {
	answer a.bin
	backend -r "$T/reply"
	for im in "$ET" "\"x\", $ET" "\"x\",$ET ,\"y\"" '*'; do
		sendfile HTTP_IF_MATCH="$im"
		whole "If-Match: $im"
	done
	for im in '"x"' "W/$ET" "\"x\", W/$ET" "${ET%?}x\"" junk "${ET//\"/}"; do
		sendfile HTTP_IF_MATCH="$im"
		failed "If-Match: $im"
	done
}

@test "If-Unmodified-Since: the file's date or a later one serves the file, an earlier one is a 412, in IMF-fixdate, RFC 850 and asctime alike" {
	answer a.bin
	backend -r "$T/reply"
	for d in "${AT[@]}" "${AFTER[@]}"; do
		sendfile HTTP_IF_UNMODIFIED_SINCE="$d"
		whole "If-Unmodified-Since: $d"
	done
	for d in "${BEFORE[@]}"; do
		sendfile HTTP_IF_UNMODIFIED_SINCE="$d"
		failed "If-Unmodified-Since: $d"
	done
}

@test "If-None-Match: our ETag, weak or strong, in a list, or * is a 304 to GET and HEAD; another tag serves the file" {
	answer a.bin
	backend -r "$T/reply"
	for inm in "$ET" "W/$ET" "\"x\", W/$ET" '*'; do
		for m in GET HEAD; do
			sendfile REQUEST_METHOD=$m HTTP_IF_NONE_MATCH="$inm"
			not_modified "$m, If-None-Match: $inm"
		done
	done
	for inm in '"x"' 'W/"x"' "${ET%?}x\"" junk; do
		sendfile HTTP_IF_NONE_MATCH="$inm"
		whole "If-None-Match: $inm"
	done
}

@test "If-Modified-Since: the file's date or a later one is a 304 to GET and HEAD, an earlier one serves the file, in each form" {
	answer a.bin
	backend -r "$T/reply"
	for d in "${AT[@]}" "${AFTER[@]}"; do
		for m in GET HEAD; do
			sendfile REQUEST_METHOD=$m HTTP_IF_MODIFIED_SINCE="$d"
			not_modified "$m, If-Modified-Since: $d"
		done
	done
	for d in "${BEFORE[@]}"; do
		sendfile HTTP_IF_MODIFIED_SINCE="$d"
		whole "If-Modified-Since: $d"
	done
}

@test "a date that is no HTTP-date is ignored (RFC 9110 13.1.3, 13.1.4): another zone, lower case, a day or an hour out of range, a list, text after it" {
	answer a.bin
	backend -r "$T/reply"
	# Each would be a 412, or a 304, were it read as the date it looks.
	for d in 'Fri, 02 Feb 2001 04:05:06 UTC' 'fri, 02 Feb 2001 04:05:06 GMT' \
	    'Fri, 02 feb 2001 04:05:06 GMT' 'Fri, 2 Feb 2001 04:05:06 GMT' \
	    'Fri, 32 Jan 2001 04:05:06 GMT' 'Fri, 02 Feb 2001 24:05:06 GMT' \
	    'Fri, 02 Feb 2001 04:60:06 GMT' 'Fri, 02 Feb 2001 04:05:06 GMT, Fri, 02 Feb 2001 04:05:06 GMT' \
	    'Fri, 02 Feb 2001 04:05:06 GMTx' 'Fri, 02 Feb 2001 04:05:06' \
	    'Friday, 02-Feb-2001 04:05:06 GMT' 'Fri Feb 2 04:05:06 2001' \
	    'Fri Feb 02 04:05:06 2001 GMT' 'Fri, 02 Feb 01 04:05:06 GMT' \
	    'Fri, 02 Feb -001 04:05:06 GMT' yesterday 981000000 ''; do
		sendfile HTTP_IF_UNMODIFIED_SINCE="$d"
		whole "If-Unmodified-Since: $d"
	done
	for d in 'Sun, 04 Feb 2001 04:05:06 UTC' 'Sun, 4 Feb 2001 04:05:06 GMT' \
	    'Thu, 29 Feb 2001 04:05:06 GMT' 'Sun, 04 Feb 2001 04:05:61 GMT' \
	    'Sun, 04 Feb 2001 04:05:06 GMT, Sun, 04 Feb 2001 04:05:06 GMT' \
	    'Sun Feb 4 04:05:06 2001' 'Sunday, 04-Feb-2001 04:05:06 GMT' \
	    'Sunday, 04 Feb 2001 04:05:06 GMT' 'Sun, 04-Feb-01 04:05:06 GMT'; do
		sendfile HTTP_IF_MODIFIED_SINCE="$d"
		whole "If-Modified-Since: $d"
	done
	# A leap year's 29 February, and the leap second, are dates.
	sendfile HTTP_IF_MODIFIED_SINCE='Tue, 29 Feb 2028 00:00:00 GMT'
	not_modified
	sendfile HTTP_IF_MODIFIED_SINCE='Sat, 31 Dec 2016 23:59:60 GMT'
	not_modified
}

@test "the order of RFC 9110 13.2.2: If-Match before If-Unmodified-Since, If-None-Match before If-Modified-Since, a 412 before a 304" {
	answer a.bin
	backend -r "$T/reply"
	# If-Match, true or false, and If-Unmodified-Since is not looked at.
	sendfile HTTP_IF_MATCH="$ET" HTTP_IF_UNMODIFIED_SINCE="${BEFORE[0]}"
	whole 'If-Match true, If-Unmodified-Since false'
	sendfile HTTP_IF_MATCH='"x"' HTTP_IF_UNMODIFIED_SINCE="${AFTER[0]}"
	failed 'If-Match false, If-Unmodified-Since true'
	# Likewise If-None-Match and If-Modified-Since.
	sendfile HTTP_IF_NONE_MATCH='"x"' HTTP_IF_MODIFIED_SINCE="${AFTER[0]}"
	whole 'If-None-Match true, If-Modified-Since false'
	sendfile HTTP_IF_NONE_MATCH="$ET" HTTP_IF_MODIFIED_SINCE="${BEFORE[0]}"
	not_modified 'If-None-Match false, If-Modified-Since true'
	# The 412 wins.
	sendfile HTTP_IF_MATCH='"x"' HTTP_IF_NONE_MATCH="$ET"
	failed 'If-Match false, If-None-Match false'
	sendfile HTTP_IF_UNMODIFIED_SINCE="${BEFORE[0]}" \
	    HTTP_IF_MODIFIED_SINCE="${AFTER[0]}"
	failed 'If-Unmodified-Since false, If-Modified-Since false'
}

@test "a Range with an If-Unmodified-Since the file fails is a 412, with an If-None-Match it matches a 304, not a 206" {
	answer a.bin
	backend -r "$T/reply"
	sendfile HTTP_RANGE=bytes=0-9 HTTP_IF_UNMODIFIED_SINCE="${BEFORE[0]}"
	failed
	sendfile HTTP_RANGE=bytes=0-9 HTTP_IF_MATCH='"x"'
	failed
	sendfile HTTP_RANGE=bytes=0-9 HTTP_IF_NONE_MATCH="$ET"
	not_modified
	sendfile HTTP_RANGE=bytes=0-9 HTTP_IF_MODIFIED_SINCE="$LM"
	not_modified
	# Preconditions that hold leave the Range its 206.
	sendfile HTTP_RANGE=bytes=0-9 HTTP_IF_MATCH="$ET" \
	    HTTP_IF_UNMODIFIED_SINCE="$LM" HTTP_IF_NONE_MATCH='"x"' \
	    HTTP_IF_MODIFIED_SINCE="${BEFORE[0]}"
	partial
}

@test "a POST, PUT or DELETE: no condition is evaluated, for the app has acted on it already; its answer goes as it is" {
	answer a.bin
	backend -r "$T/reply"
	# A PUT with If-Match of the file it replaced: the app has written
	# the new file, whose ETag is another; a 412 would tell the client
	# that nothing was written.
	for m in POST PUT DELETE; do
		for cond in HTTP_IF_MATCH='"x"' HTTP_IF_NONE_MATCH="$ET" \
		    HTTP_IF_NONE_MATCH='*' \
		    HTTP_IF_UNMODIFIED_SINCE="${BEFORE[0]}" \
		    HTTP_IF_MODIFIED_SINCE="$LM"; do
			sendfile REQUEST_METHOD=$m "$cond"
			whole "$m, $cond"
		done
	done
}

@test "a POST, PUT or OPTIONS with a Range gets the whole file with 200: a Range is for GET alone (RFC 9110 14.2)" {
	answer a.bin
	backend -r "$T/reply"
	for m in POST PUT OPTIONS; do
		sendfile REQUEST_METHOD=$m HTTP_RANGE=bytes=0-9
		whole "$m"
		sendfile REQUEST_METHOD=$m HTTP_RANGE=bytes=5000-
		whole "$m, unsatisfiable"
	done
}

@test "If-Range: our ETag keeps the Range; a weak one, another, or a list gets the whole file" {
	answer a.bin
	backend -r "$T/reply"
	sendfile HTTP_RANGE=bytes=0-9 HTTP_IF_RANGE="$ET"
	partial
	for ifr in "W/$ET" '"an-etag"' 'W/"an-etag"' "$ET, $ET" "\"x\", $ET" '*'; do
		sendfile HTTP_RANGE=bytes=0-9 HTTP_IF_RANGE="$ifr"
		whole "If-Range: $ifr"
	done
}

@test "If-Range: the file's date, in any of the three forms, keeps the Range; another date, one that is no date, or that of a file changed within the second gets the whole file" {
	answer a.bin
	backend -r "$T/reply"
	for d in "${AT[@]}"; do
		sendfile HTTP_RANGE=bytes=0-9 HTTP_IF_RANGE="$d"
		partial "If-Range: $d"
	done
	# Exact, not "no later than", as If-Unmodified-Since compares.
	for d in "${BEFORE[@]}" "${AFTER[@]}" 'Sat, 03 Feb 2001 04:05:06 UTC' \
	    'Sat, 3 Feb 2001 04:05:06 GMT' junk; do
		sendfile HTTP_RANGE=bytes=0-9 HTTP_IF_RANGE="$d"
		whole "If-Range: $d"
	done
	# A date is a strong validator only once its second is over, and
	# then some (RFC 9110 8.8.2.2): a file dated in the future, as one
	# changed just now, may change again within the second it names.
	touch -d '+1 hour' "$F/a.bin"
	LM=$(imf "$F/a.bin")
	ET=$(etag "$F/a.bin")
	sendfile HTTP_RANGE=bytes=0-9 HTTP_IF_RANGE="$LM"
	whole "If-Range: $LM, a date to come"
	sendfile HTTP_RANGE=bytes=0-9 HTTP_IF_RANGE="$ET"
	partial 'its ETag'
}

@test "a 404 or another status from the app keeps it, the file served whole: no precondition is evaluated (RFC 9110 13.2.1)" {
	backend -r "$T/reply"
	for s in '404 Not Found' '403 Forbidden' '201 Created'; do
		reply 'Status: %s\r\nContent-Type: text/html\r\nX-Sendfile: a.bin\r\n\r\napp body\n' "$s"
		for cond in HTTP_IF_MATCH='"x"' HTTP_IF_NONE_MATCH="$ET" \
		    HTTP_IF_UNMODIFIED_SINCE="${BEFORE[0]}" \
		    HTTP_IF_MODIFIED_SINCE="$LM"; do
			sendfile "$cond" HTTP_RANGE=bytes=0-9
			assert_equal "$status" 0
			assert_head "Status: $s" 'Content-Type: text/html' \
			    "ETag: $ET" \
			    "Last-Modified: $LM" 'Accept-Ranges: bytes'
			cmp "$F/a.bin" "$T/body"
		done
	done
}

@test "a 304 of ours keeps of the app's fields Cache-Control, Expires, Vary, Content-Location and Set-Cookie (RFC 9110 15.4.5), none of the others" {
	reply 'Status: 200 OK\r\nContent-Type: text/plain\r\nCache-Control: max-age=60\r\nExpires: Thu, 01 Jan 2026 00:00:00 GMT\r\nVary: Accept-Encoding\r\nContent-Location: /a.bin\r\nSet-Cookie: a=b\r\nContent-Language: en\r\nX-Other: 1\r\nETag: "app"\r\nLast-Modified: %s\r\nX-Sendfile: a.bin\r\n\r\napp body\n' "$LM"
	backend -r "$T/reply"
	sendfile HTTP_IF_NONE_MATCH="$ET"
	assert_equal "$status" 0
	assert_head 'Status: 304 Not Modified' 'Cache-Control: max-age=60' \
	    'Expires: Thu, 01 Jan 2026 00:00:00 GMT' 'Vary: Accept-Encoding' \
	    'Content-Location: /a.bin' 'Set-Cookie: a=b' "ETag: $ET"
	[ ! -s "$T/body" ]
}

@test "-check with X-Sendfile shows the head the file gets, never a byte of the file" {
	printf 'secret \033]0;title\007\033[2J\n' > "$F/esc"
	answer esc
	backend -r "$T/reply"
	shell_argv -- -check -sendfile "$F" "$SOCK"
	run "${BRIDGE[@]}"
	assert_success
	assert_output --partial $'\r\n\r\nanswered in '
	refute_output --partial secret
	refute_output --partial $'\033'
}

@test "a status other than 200 from the app is kept, and the file served whole under it, Range or not" {
	reply 'Status: 404 Not Found\r\nContent-Type: text/html\r\nX-Sendfile: a.bin\r\n\r\napp body\n'
	backend -r "$T/reply"
	sendfile HTTP_RANGE=bytes=0-9
	assert_equal "$status" 0
	assert_head 'Status: 404 Not Found' 'Content-Type: text/html' \
	    "ETag: $ET" "Last-Modified: $LM" 'Accept-Ranges: bytes'
	cmp "$F/a.bin" "$T/body"
}

@test "a 304 from the app gets the file's head and no body, as HEAD does" {
	reply 'Status: 304 Not Modified\r\nX-Sendfile: a.bin\r\n\r\napp body\n'
	backend -r "$T/reply"
	sendfile
	assert_equal "$status" 0
	assert_head 'Status: 304 Not Modified' \
	    "ETag: $ET" "Last-Modified: $LM" 'Accept-Ranges: bytes'
	[ ! -s "$T/body" ]
}

@test "a 204 from the app gets the file's head without Content-Length (RFC 9110 8.6), and no body" {
	reply 'Status: 204 No Content\r\nX-Sendfile: a.bin\r\n\r\napp body\n'
	backend -r "$T/reply"
	sendfile
	assert_equal "$status" 0
	assert_head 'Status: 204 No Content' "ETag: $ET" "Last-Modified: $LM" \
	    'Accept-Ranges: bytes'
	[ ! -s "$T/body" ]
}

@test "a missing file, or a path outside DIR, absolute or by '..', is a 404 with one log line" {
	backend -r "$T/reply"
	mkdir "${F}x"
	echo secret > "${F}x/secret"
	for path in missing sub/missing /etc/passwd "$T/secret" ../secret \
	    sub/../../secret "$F/../secret" "$F/sub/../../secret" \
	    "${F}x/secret" ../files/../secret ../files/a.bin ..; do
		refused "$path" '404 Not Found'
	done
}

@test "a symlink leading out of DIR, or dangling, is a 404" {
	backend -r "$T/reply"
	ln -s ../secret "$F/rel"
	ln -s "$T/secret" "$F/abs"
	ln -s /etc "$F/etc"
	ln -s .. "$F/up"
	ln -s ../rel "$F/sub/hop"	# a link inside, to a link out
	ln -s nowhere "$F/dangling"
	for path in rel abs etc/passwd up/secret up/files/a.bin sub/hop \
	    "$F/rel" dangling; do
		refused "$path" '404 Not Found'
	done
}

@test "a symlink or '..' that stays inside DIR is followed (openat2's RESOLVE_BENEATH)" {
	openat2_kernel || skip "no openat2(2): a fallback may refuse these"
	backend -r "$T/reply"
	ln -s a.bin "$F/link"
	ln -s ../a.bin "$F/sub/link"
	ln -s .. "$F/sub/up"
	for path in link sub/link sub/up/a.bin sub/../a.bin "$F/sub/../link"; do
		answer "$path"
		sendfile
		assert_equal "$status" 0
		assert_head 'Status: 200 OK' 'Content-Type: application/octet-stream' \
	    "ETag: $ET" "Last-Modified: $LM" 'Accept-Ranges: bytes'
		cmp "$F/a.bin" "$T/body"
	done
}

@test "where the kernel has no openat2(2), as under valgrind, every symlink and '..' is refused, even inside DIR, and a plain path served" {
	needs valgrind "a kernel without openat2(2), as valgrind plays it"
	backend -r "$T/reply"
	ln -s a.bin "$F/link"
	cp "$F/a.bin" "$F/sub/b.bin"
	for path in link sub/../a.bin "$F/link"; do
		answer "$path"
		CGI2SCGI_WRAP="valgrind -q" CGI2SCGI=$PLAIN sendfile
		assert_equal "$status" 100
		assert_equal "$(head -n 1 "$T/head")" $'Status: 404 Not Found\r'
		grep -qF "X-Sendfile $path: " "$T/err"
	done
	for path in sub/b.bin "$F/sub/./b.bin"; do
		answer "$path"
		CGI2SCGI_WRAP="valgrind -q" CGI2SCGI=$PLAIN sendfile
		assert_equal "$status" 0
		cmp "$F/a.bin" "$T/body"
	done
}

@test "a directory or a socket is a 403 with one log line" {
	backend -r "$T/reply"
	perl -MIO::Socket::UNIX -e 'IO::Socket::UNIX->new(Listen => 1,
	    Local => $ARGV[0]) or die "$!\n"' "$F/sock"
	for path in sub sub/ . "$F/sub" "$F/sock"; do
		refused "$path" '403 Forbidden'
	done
}

@test "a FIFO is a 403, at once: nothing waits for a writer" {
	mkfifo "$F/fifo"
	answer fifo
	backend -r "$T/reply"
	bridge_bg -- -sendfile "$F" "$SOCK" > "$T/out" 2> "$T/err"
	status=0
	wait_pid $! 10 || status=$?
	assert_equal "$status" 100
	error_page '403 Forbidden' | cmp - "$T/out"
	grep -q '^cgi2scgi: .*fifo' "$T/err"
	[ "$(wc -l < "$T/err")" -eq 1 ]
}

@test "a device is a 403 with one log line" {
	needs_root "mknod(2) makes the device"
	mknod "$F/null" c 1 3
	backend -r "$T/reply"
	refused null '403 Forbidden'
}

@test "a file dated past what a date can say (year 2^31) is a 403 with one log line, not a crash" {
	# tmpfs keeps any mtime, as ext4 does not (past 2446): whoever may
	# write in DIR may set one.
	S=$(mktemp -d /dev/shm/cgi2scgi.XXXXXX)
	echo far > "$S/far"
	perl -e 'utime(undef, 2**62, $ARGV[0]) or die "$!\n"' "$S/far"
	[ "$(stat -c %Y "$S/far")" = 4611686018427387904 ] ||
	    skip "/dev/shm does not keep a date of 2^62 s"
	F=$S
	backend -r "$T/reply"
	refused far '403 Forbidden'
}

@test "a file the bridge's user cannot read is a 403; one it can is served" {
	need_other_user
	# Where nobody (the bridge here) may look: DIR, and the socket.
	shared_dir
	mkdir "$S/files"
	echo open > "$S/files/open"
	echo locked > "$S/files/locked"
	chmod 000 "$S/files/locked"
	chmod 755 "$S/files"
	SOCK=$S/app.sock
	backend -r "$T/reply"
	chmod 666 "$SOCK"
	answer open
	bridge_argv -- -sendfile "$S/files" "$SOCK"
	run --separate-stderr as_other "${BRIDGE[@]}"
	assert_success
	assert_output --partial open
	answer locked
	run --separate-stderr as_other "${BRIDGE[@]}"
	assert_error_page 100 '403 Forbidden'
	one_log_line locked
}

@test "whatever the answer, the file's path never reaches the client" {
	backend -r "$T/reply"
	cp "$F/a.bin" "$F/sub/Zq9-distinct"
	mkdir "$F/sub/Zq9-dir"
	for path in sub/Zq9-distinct "$F/sub/Zq9-distinct" sub/Zq9-missing \
	    sub/Zq9-dir ../Zq9-outside; do
		for range in '' HTTP_RANGE=bytes=0-9 HTTP_RANGE=bytes=5000- \
		    HTTP_RANGE=bytes=0-1,3-4; do
			answer "$path"
			# shellcheck disable=SC2086
			sendfile $range
			[[ $path != *distinct ]] || [ "$status" -eq 0 ]
			! grep -aq -e Zq9 -e X-Sendfile -e "$F" "$T/head" "$T/body" ||
			    { echo "$path, Range: $range" >&2; false; }
		done
	done
}

@test "the app's connection is let go while the file is still being sent" {
	head -c 8388608 /dev/urandom > "$F/big"
	answer big
	# After its head, the backend sends 64 MiB: done (N.done) only
	# once the bridge has closed the connection, or read them all.
	backend -r "$T/reply" -g 67108864
	to_pipe
	exec 7< "$T/pipe"
	head -c 4096 <&7 > "$T/first"
	# The bridge is blocked on its stdout, with most of the file to go.
	wait_for "$REC/1.done"
	cat <&7 > "$T/rest"
	exec 7<&-
	wait_pid "$pid" 20
	cat "$T/first" "$T/rest" > "$T/out"
	split_answer
	cmp "$F/big" "$T/body"
}

@test "an app that holds its connection open after the head does not hold the answer" {
	answer a.bin
	# The head, a first piece of body, then nothing until $T/never.
	backend -r "$T/reply" -m stream -g 1048576 -w "$T/never"
	bridge_bg -- -sendfile "$F" "$SOCK" > "$T/out" 2> "$T/err"
	wait_pid $! 10
	split_answer
	cmp "$F/a.bin" "$T/body"
}

@test "a file renamed over while it is sent: the client gets the old file whole" {
	head -c 8388608 /dev/urandom > "$F/big"
	cp "$F/big" "$T/old"
	head -c 4096 /dev/urandom > "$T/new"
	answer big
	backend -r "$T/reply"
	to_pipe
	exec 7< "$T/pipe"
	# The head and the first 60 KiB of the file: it is open, and the
	# bridge blocked on a full pipe with the rest to send.
	head -c 65536 <&7 > "$T/first"
	mv "$T/new" "$F/big"
	cat <&7 > "$T/rest"
	exec 7<&-
	wait_pid "$pid" 20
	cat "$T/first" "$T/rest" > "$T/out"
	split_answer
	! grep -qi '^Content-Length:' "$T/head"
	cmp "$T/old" "$T/body"
}

@test "without -sendfile, X-Sendfile passes through untouched" {
	reply 'Status: 200 OK\r\nContent-Type: application/octet-stream\r\nX-Sendfile: %s/a.bin\r\n\r\napp body\n' "$F"
	backend -r "$T/reply"
	bridge -- "$SOCK" > "$T/out"
	cmp "$T/reply" "$T/out"
	# An empty variable counts as unset, as every SCGI_ one does.
	bridge SCGI_SENDFILE= -- "$SOCK" > "$T/out"
	cmp "$T/reply" "$T/out"
}

@test "with -sendfile, a host's own offload fields (X-Sendfile2, X-LIGHTTPD-send-file, X-Accel-Redirect) are left out, for its root may be wider" {
	reply 'Status: 200 OK\r\nContent-Type: text/plain\r\nX-LIGHTTPD-send-file: /etc/passwd\r\nx-sendfile2: /etc/passwd 0-\r\nX-Accel-Redirect: /internal/passwd\r\n\r\napp body\n'
	backend -r "$T/reply"
	sendfile
	assert_equal "$status" 0
	assert_head 'Status: 200 OK' 'Content-Type: text/plain'
	assert_equal "$(cat "$T/body")" 'app body'
}

@test "SCGI_SENDFILE in the environment does what -sendfile does" {
	answer a.bin
	backend -r "$T/reply"
	bridge SCGI_SENDFILE="$F" -- "$SOCK" > "$T/out"
	split_answer
	assert_head 'Status: 200 OK' 'Content-Type: application/octet-stream' \
	    "ETag: $ET" "Last-Modified: $LM" 'Accept-Ranges: bytes'
	cmp "$F/a.bin" "$T/body"
}

@test "-sendfile overrides SCGI_SENDFILE" {
	mkdir "$T/other"
	echo other > "$T/other/a.bin"
	answer a.bin
	backend -r "$T/reply"
	sendfile SCGI_SENDFILE="$T/other"
	assert_equal "$status" 0
	cmp "$F/a.bin" "$T/body"
}

@test "a DIR that is relative, missing or not a directory is a configuration error: 500, nothing sent" {
	reply 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok\n'
	backend -r "$T/reply"
	cd "$T"
	for dir in files "$T/none" "$F/a.bin"; do
		run --separate-stderr bridge -- -sendfile "$dir" "$SOCK"
		assert_error_page 100 '500 Internal Server Error' ||
		    { echo "-sendfile '$dir'" >&2; return 1; }
		assert_stderr --partial "$dir"
		run --separate-stderr bridge SCGI_SENDFILE="$dir" -- "$SOCK"
		assert_error_page 100 '500 Internal Server Error' ||
		    { echo "SCGI_SENDFILE='$dir'" >&2; return 1; }
		assert_stderr --partial "$dir"
	done
	run --separate-stderr bridge -- -sendfile '' "$SOCK"
	assert_error_page 100 '500 Internal Server Error'
	nothing_sent
}

@test "a client that takes no byte of a sent file: -i ends it, with its line" {
	head -c 8388608 /dev/zero > "$F/big"
	answer big
	backend -r "$T/reply"
	mkfifo "$T/fifo"
	exec 7<>"$T/fifo"	# open, and never read: the pipe fills
	status=0
	bridge -- -i 0.1 -sendfile "$F" "$SOCK" > "$T/fifo" 2> "$T/err" ||
	    status=$?
	assert_equal "$status" 111
	assert_equal "$(cat "$T/err")" "cgi2scgi: GET /app: $SOCK: the client took no byte of the answer for 0.1 s (-i, SCGI_IDLE_TIMEOUT), 0 of 0 body bytes sent, the answer's head passed on"
}
