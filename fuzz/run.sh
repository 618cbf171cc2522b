#!/bin/sh
# make fuzz: run each libFuzzer target for SECONDS, two at a time (one
# per core of a small machine), from the seed corpus in fuzz/corpus.
# What a run discovers goes to a scratch directory, not into the repo;
# a failing input is kept in fuzz/ as crash-* to replay with
# `fuzz/TARGET fuzz/crash-...`.
#	sh fuzz/run.sh SECONDS TARGET ...
set -u
cd "$(dirname "$0")/.."
secs=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() {		# run TARGET: fuzz it; its status
	name=$(basename "$1")
	mkdir -p "$work/$name"
	if "$1" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
	    -print_final_stats=1 -artifact_prefix=fuzz/ \
	    "$work/$name" "fuzz/corpus/$name" > "$work/$name.log" 2>&1; then
		echo "fuzz: $name: $(grep -m1 'stat::number_of_executed_units' \
		    "$work/$name.log" | awk '{ print $2 }') runs, no failure"
	else
		echo "fuzz: $name FAILED:" >&2
		tail -n 40 "$work/$name.log" >&2
		return 1
	fi
}

status=0
while [ $# -gt 0 ]; do
	run "$1" & a=$!
	b=
	[ $# -gt 1 ] && { run "$2" & b=$!; }
	wait "$a" || status=1
	[ -n "$b" ] && { wait "$b" || status=1; }
	shift
	[ $# -gt 0 ] && shift
done
exit "$status"
