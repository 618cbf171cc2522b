#!/bin/bash
# make check's passes, side by side: most of each pass is waiting (for
# a timeout, a server, a fuzzer's time), which another pass can fill.
#	bash tests/check.sh MAKE TARGET...
# Runs `MAKE TARGET` for each TARGET at once, each with its output in a
# file of its own; prints that output whole when the pass ends, so that
# passes do not interleave, then a line per pass with its result and
# time.  Fails if any pass failed.
set -u
make=$1
shift
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

declare -A target started
for t in "$@"; do
	$make "$t" < /dev/null > "$logs/$t" 2>&1 &
	target[$!]=$t
	started[$!]=$SECONDS
done

status=0
summary=
while [ ${#target[@]} -gt 0 ]; do
	wait -n -p pid
	rc=$?
	t=${target[$pid]}
	took=$((SECONDS - ${started[$pid]}))
	unset "target[$pid]"
	if [ "$rc" -eq 0 ]; then
		result="ok"
	else
		result="FAILED ($rc)"
		status=1
	fi
	echo "==> $t: $result, $took s"
	cat "$logs/$t"
	echo
	summary+=$(printf '%-20s %-12s %4d s' "$t" "$result" "$took")$'\n'
done
printf 'make check, %d s:\n%s' "$SECONDS" "$summary"
exit "$status"
