#!/usr/bin/env bats
# The recipes in the README and the man page are the configuration the
# other tests run: they come from conf/, and must appear word for word.

load helper

@test "the README shows every recipe the tests run, word for word" {
	local readme f block
	readme=$(cat "$BATS_TEST_DIRNAME/../../README")
	for f in "$BATS_TEST_DIRNAME"/conf/*; do
		block=$(sed 's/^/    /' "$f")
		if [[ "$readme" != *"$block"* ]]; then
			echo "README lacks ${f##*/}, indented by four spaces:" >&2
			echo "$block" >&2
			return 1
		fi
	done
}

@test "the README shows the systemd units of example/ word for word" {
	local readme f block
	readme=$(cat "$BATS_TEST_DIRNAME/../../README")
	for f in "$BATS_TEST_DIRNAME"/../../example/app.socket \
	    "$BATS_TEST_DIRNAME"/../../example/app.service; do
		block=$(sed 's/^./    &/' "$f")
		if [[ "$readme" != *"$block"* ]]; then
			echo "README lacks ${f##*/}, indented by four spaces:" >&2
			echo "$block" >&2
			return 1
		fi
	done
}

@test "the quick start's example/app.conf is README recipe 1" {
	cmp "$BATS_TEST_DIRNAME/../../example/app.conf" "$BATS_TEST_DIRNAME/conf/apache-file.conf"
}

@test "the man page's examples are recipes the tests run, word for word" {
	local man f block
	man=$(cat "$BATS_TEST_DIRNAME/../../man/cgi2scgi.1")
	for f in apache-file.conf apache-tcp.conf wrapper-tcp.sh systemd.cgi; do
		block=$(cat "$BATS_TEST_DIRNAME/conf/$f")
		if [[ "$man" != *$'.Bd -literal -offset indent\n'"$block"$'\n.Ed'* ]]; then
			echo "man/cgi2scgi.1 lacks ${f}:" >&2
			echo "$block" >&2
			return 1
		fi
	done
}

@test "the README links the tables it moved to docs/, and they are there" {
	local f
	for f in docs/HOSTILE docs/BENCHMARKS; do
		grep -qF "$f" "$BATS_TEST_DIRNAME/../../README"
		[ -s "$BATS_TEST_DIRNAME/../../$f" ]
	done
}
