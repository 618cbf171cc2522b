#!/usr/bin/env bats
# 200 requests at once through each deployment: every answer right,
# and afterwards no bridge still running and no connection left open.

load helper

# backend_fds: the descriptors uWSGI and the Perl server hold, all told.
backend_fds() {
	local pid n=0
	for pid in $(cat "$IT/pids/uwsgi" "$IT/pids/perl") \
	    $(pgrep -P "$(cat "$IT/pids/uwsgi")"); do
		n=$((n + $(ls "/proc/$pid/fd" | wc -l)))
	done
	echo "$n"
}

# leftovers: what is still there that the requests made.
leftovers() {
	local port
	pgrep -a -f -- "$IT/bin/" || :
	pgrep -a -P "$(cat "$IT/pids/lighttpd")" || :
	for port in "$UWSGI_PORT" "$UWSGI_NPH_PORT" "$PORT_LOAD" $(for r in $ROUTES; do
	    port_of "$r"; done); do
		ss -Htn state established "( sport = :$port or dport = :$port )"
	done
	[ "$(backend_fds)" = "$baseline" ] || echo "backends hold $(backend_fds) descriptors, not $baseline"
}

# post_all URL N: POST $T/in.1 ... $T/in.N to URL, all at once, each
# answer to $T/out.I.
post_all() {
	local i
	for i in $(seq 1 "$2"); do
		[ "$i" -eq 1 ] || echo next	# options are per transfer
		printf 'url = "%s"\ndata-binary = "@%s"\noutput = "%s"\n' \
		    "$1" "$T/in.$i" "$T/out.$i"
		printf 'header = "Content-Type: application/octet-stream"\n'
		printf 'silent\nshow-error\nmax-time = 120\n'
	done > "$T/curl.conf"
	rm -f "$T"/out.*
	curl --parallel --parallel-max "$2" --config "$T/curl.conf"
}

# nothing_left: bridges exit and connections close a moment after the
# answers; wait for that, and fail if it does not come.
nothing_left() {
	local n=0
	route=afterwards
	until [ -z "$(leftovers)" ]; do
		n=$((n + 1))
		[ "$n" -le 300 ] || { leftovers >&2; return 1; }
		sleep 0.1
	done
}

@test "200 concurrent POSTs with distinct bodies all get their own answer, and leave nothing behind" {
	local i
	baseline=$(backend_fds)
	for i in $(seq 1 200); do
		{ echo "request $i"; head -c $((i * 97)) /dev/urandom; } > "$T/in.$i"
	done
	for route in $ROUTES; do
		post_all "$(url "$route" /body)" 200
		for i in $(seq 1 200); do
			expect "answer $i" "$(cat "$T/out.$i")" "POST $(wc -c < "$T/in.$i") $(sha256sum < "$T/in.$i" | cut -d' ' -f1)"
		done
	done
	nothing_left
}

@test "10 000 requests, 50 at a time, through Apache to uWSGI: no error, every sampled body right, nothing left behind" {
	local rate
	# The build a user installs (as README recipe 1): the sanitizers'
	# start-up would make this a test of them, at 200 requests/s.
	route=load
	baseline=$(backend_fds)
	head -c 1000 /dev/urandom > "$T/in"
	want="POST 1000 $(sha256sum < "$T/in" | cut -d' ' -f1)"
	ab -q -n 10000 -c 50 -p "$T/in" -T application/octet-stream \
	    "$(url load /body)" > "$T/ab" 2>&1 || { cat "$T/ab" >&2; return 1; }
	expect "complete requests" "$(awk '/^Complete requests:/ { print $3 }' "$T/ab")" 10000
	expect "failed requests" "$(awk '/^Failed requests:/ { print $3 }' "$T/ab")" 0
	! grep -q '^Non-2xx responses:' "$T/ab" || { cat "$T/ab" >&2; return 1; }
	expect "body length" "$(awk '/^Document Length:/ { print $3 }' "$T/ab")" "$((${#want} + 1))"
	rate=$(awk '/^Requests per second:/ { print $4 }' "$T/ab")
	echo "# load: 10000 requests, 50 at a time, 0 failed, $rate requests/s" >&3
	# ab checks lengths only: a sample of bodies, byte for byte.
	for i in $(seq 1 50); do
		ln -s "$T/in" "$T/in.$i"
	done
	post_all "$(url load /body)" 50
	for i in $(seq 1 50); do
		expect "sampled body $i" "$(cat "$T/out.$i")" "$want"
	done
	nothing_left
}
