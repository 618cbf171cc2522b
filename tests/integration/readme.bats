#!/usr/bin/env bats
# The README's recipes are the configuration the other tests run: they
# come from conf/, and must appear in the README word for word.

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
