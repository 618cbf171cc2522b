#!/usr/bin/env bats
# netstring.c, through tests/nsenc: the encoder and decoder alone.

load helper

NSENC="$BATS_TEST_DIRNAME/nsenc"

@test "the empty string encodes as 0:," {
	run sh -c "printf '' | '$NSENC' encode"
	assert_success
	assert_output "0:,"
}

@test "hello world! encodes as 12:hello world!," {
	run sh -c "printf 'hello world!' | '$NSENC' encode"
	assert_output "12:hello world!,"
}

@test "binary payloads with NUL and newline bytes pass unchanged" {
	printf 'a\0b\n\377,:' > "$BATS_TEST_TMPDIR/in"
	"$NSENC" encode < "$BATS_TEST_TMPDIR/in" > "$BATS_TEST_TMPDIR/out"
	printf '7:a\0b\n\377,:,' | cmp - "$BATS_TEST_TMPDIR/out"
}

@test "a payload of ten bytes gets two length digits" {
	run sh -c "printf 0123456789 | '$NSENC' encode"
	assert_output "10:0123456789,"
}

@test "encoding into a buffer exactly large enough works, one byte less fails" {
	run sh -c "printf hello | '$NSENC' encode 8"
	assert_success
	assert_output "5:hello,"
	run sh -c "printf hello | '$NSENC' encode 7"
	assert_failure 1
	assert_output "cap too small"
	run sh -c "printf '' | '$NSENC' encode 2"
	assert_failure 1
}

@test "netstring_size counts digits, colon and comma, and reports overflow as 0" {
	run "$NSENC" size 0
	assert_output 3
	run "$NSENC" size 12
	assert_output 16
	run "$NSENC" size 18446744073709551615
	assert_output 0
	run "$NSENC" size 18446744073709551593
	assert_output 18446744073709551615
	run "$NSENC" size 18446744073709551594
	assert_output 0
}

@test "decode returns size, payload offset and length" {
	run sh -c "printf '12:hello world!,rest' | '$NSENC' decode 100"
	assert_line --index 0 "16 3 12"
	assert_line --index 1 "hello world!"
	run sh -c "printf '0:,' | '$NSENC' decode 0"
	assert_output "3 2 0"
}

@test "decode asks for more on every proper prefix" {
	s='12:hello world!,'
	for i in $(seq 0 $((${#s} - 1))); do
		run sh -c "printf '%s' '${s:0:$i}' | '$NSENC' decode 100"
		assert_output incomplete
	done
}

@test "decode rejects a missing colon or comma, a leading zero, no digits, and sign" {
	for bad in '5xhello,' '5:hello;' '05:hello,' ':hello,' '-5:hello,' '+5:hello,' ' 5:hello,'; do
		run sh -c "printf '%s' '$bad' | '$NSENC' decode 100"
		assert_output error || { echo "accepted: $bad" >&2; false; }
	done
}

@test "decode rejects a length over max before the payload arrives" {
	run sh -c "printf '6:' | '$NSENC' decode 5"
	assert_output error
	run sh -c "printf '99999999999999999999999:' | '$NSENC' decode 18446744073709551615"
	assert_output error
	run sh -c "printf '5:hello,' | '$NSENC' decode 5"
	assert_line --index 0 "8 2 5"
}

@test "netstring_wrap frames a payload where it lies, given room for its length and colon" {
	run sh -c "printf 'hello world!' | '$NSENC' wrap 3"
	assert_success
	assert_output "12:hello world!,"
	run sh -c "printf '' | '$NSENC' wrap 2"
	assert_output "0:,"
	# Room to spare stays in front, unwritten.
	run sh -c "printf abc | '$NSENC' wrap 6"
	assert_output "3:abc,"
	run sh -c "printf 'hello world!' | '$NSENC' wrap 2"
	assert_failure 1
	assert_output "room too small"
}
