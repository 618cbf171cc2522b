#!/usr/bin/env bats
# The recipes in the README and the man page are the configuration the
# other tests run: they come from conf/, and must appear word for word.

load helper

# in_readme INDENT FILE...: the README shows each FILE whole, with INDENT
# (a sed script) putting four spaces where the README has them.
in_readme() {
	local readme f block indent=$1
	shift
	readme=$(cat "$BATS_TEST_DIRNAME/../../README")
	for f in "$@"; do
		block=$(sed "$indent" "$f")
		if [[ "$readme" != *"$block"* ]]; then
			echo "README lacks ${f##*/}, indented by four spaces:" >&2
			echo "$block" >&2
			return 1
		fi
	done
}

@test "the README shows every recipe the tests run, word for word" {
	# Their empty lines are empty there too.
	in_readme 's/^./    &/' "$BATS_TEST_DIRNAME"/conf/*
}

@test "the README shows the systemd units of example/ word for word" {
	# Their empty lines are empty there too.
	in_readme 's/^./    &/' "$BATS_TEST_DIRNAME"/../../example/app.socket \
	    "$BATS_TEST_DIRNAME"/../../example/app.service
}

@test "the README shows example/rtorrent.service and rtorrent.rc word for word, and the rc ends with the suite's lines" {
	in_readme 's/^./    &/' "$BATS_TEST_DIRNAME"/../../example/rtorrent.service \
	    "$BATS_TEST_DIRNAME"/../../example/rtorrent.rc
	tail -n "$(wc -l < "$BATS_TEST_DIRNAME/conf/rtorrent.rc")" \
	    "$BATS_TEST_DIRNAME"/../../example/rtorrent.rc |
	    cmp - "$BATS_TEST_DIRNAME/conf/rtorrent.rc"
}

@test "example/rtorrent-apache.conf, the package's conf-available snippet, is the README's Apache recipe for rtorrent" {
	cmp "$BATS_TEST_DIRNAME/../../example/rtorrent-apache.conf" "$BATS_TEST_DIRNAME/conf/apache-rtorrent.conf"
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
	for f in docs/HOSTILE docs/BENCHMARKS docs/HOSTS; do
		grep -qF "$f" "$BATS_TEST_DIRNAME/../../README"
		[ -s "$BATS_TEST_DIRNAME/../../$f" ]
	done
}
