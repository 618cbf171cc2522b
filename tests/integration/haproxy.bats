#!/usr/bin/env bats
# The README's HAProxy recipe (conf/haproxy.cfg, after Debian's own
# defaults section) in front of two uWSGI servers, with README recipe 2
# in Apache pointed at it: one uWSGI is killed with SIGKILL in the
# middle of a stream of POSTs.
#
# In TCP mode HAProxy retries a connection, never a request: one that a
# server had already received when it died cannot be sent again (it was
# forwarded, and only the application knows whether it acted on it).
# So what holds, and what this checks, is: every request gets its own
# answer, but those in flight at the moment of the kill, which get
# cgi2scgi's 502 and nothing else; every request that starts after the
# kill is answered, though HAProxy has not yet seen the server go.  A
# GET in flight is not lost: cgi2scgi sends it once more itself.

load helper

# The helper's teardown (a sanitizer's report in an error log fails the
# test), after stopping what a test here started, passed or failed.
eval "helper_$(declare -f teardown)"
teardown() {
	local f pid
	for f in app1 app2 haproxy; do
		[ -f "$IT/pids/$f" ] || continue
		pid=$(cat "$IT/pids/$f")
		if [ "$f" = haproxy ]; then
			kill "$pid"
		else
			kill -KILL -- "-$pid"	# uWSGI's master and workers
		fi
		wait "$pid" 2>/dev/null || :	# its ports free for the next test
		rm -f "$IT/pids/$f"
	done
	rm -f "$IT"/data/has-* "$IT"/data/go-*
	helper_teardown
}

UWSGI=/usr/bin/uwsgi-core
REQUESTS=300
AT_ONCE=4
KILL_AFTER=100

# backend NAME PORT: uWSGI with app.py on 127.0.0.1:PORT, master and
# workers in a session of their own, so that all of it can be killed at
# once, as when the application on a host dies.
backend() {
	setsid "$UWSGI" --plugin python3 --master --die-on-term \
	    --processes 2 --threads 4 --scgi-socket "127.0.0.1:$2" \
	    --wsgi-file "$BATS_TEST_DIRNAME/app.py" --env "DATA=$IT/data" \
	    --env "BACKEND=$1" --logto "$IT/$1.log" 3>&- &
	echo $! > "$IT/pids/$1"
	until_true 10 leads_group $!	# once setsid has run
}

leads_group() {	# leads_group PID
	[ "$(ps -o pgid= -p "$1" | tr -d ' ')" = "$1" ]
}

# start_all: both servers and HAProxy, listening.
start_all() {
	backend app1 "$APP1_PORT"
	backend app2 "$APP2_PORT"
	# HAProxy's checks start at once: a server that is not listening
	# yet would be down, and get no request until it is up again.
	until_true 60 listening "$APP1_PORT"
	until_true 60 listening "$APP2_PORT"
	start_haproxy
	until_true 60 listening "$HAPROXY_PORT"
}

# kill_app1: SIGKILL to the whole of app1, and wait until it is gone.
kill_app1() {
	local pg
	pg=$(cat "$IT/pids/app1")
	kill -KILL -- "-$pg"
	until_true 10 dead "$pg"
	wait "$pg" || :
	rm -f "$IT/pids/app1"
}

# start_haproxy: the recipe, with this run's ports for the example
# addresses.
start_haproxy() {
	{
		# The log of each connection, and the health checks' reports,
		# go to stderr.
		printf 'global\n    log stderr format raw local0\n\n'
		sed -n '/^defaults/,/^[a-z]/{ /^defaults/p; /^[[:blank:]]/p; }' \
		    /etc/haproxy/haproxy.cfg
		echo
		sed -e "s|10\.0\.0\.1:4000|127.0.0.1:$APP1_PORT|" \
		    -e "s|10\.0\.0\.2:4000|127.0.0.1:$APP2_PORT|" \
		    -e "s|127\.0\.0\.1:4000|127.0.0.1:$HAPROXY_PORT|" \
		    "$BATS_TEST_DIRNAME/conf/haproxy.cfg"
	} > "$IT/haproxy.cfg"
	/usr/sbin/haproxy -db -f "$IT/haproxy.cfg" > "$IT/haproxy.log" 2>&1 3>&- &
	echo $! > "$IT/pids/haproxy"
}

listening() {	# listening PORT
	(exec 9<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# until_true SECONDS TEST...: poll TEST until it holds, or fail.
until_true() {
	local n=$(($1 * 20))
	shift
	until "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || { echo "not so after a while: $*" >&2; return 1; }
		sleep 0.05
	done
}

# poster W: POST $T/in.W.1, $T/in.W.2 ... one after the other, each
# line of $T/log.W "W.J START END STATUS" (times in nanoseconds).
poster() {
	local j start end code
	for j in $(seq 1 $((REQUESTS / AT_ONCE))); do
		start=$(date +%s%N)
		code=$(curl -sS --max-time 120 -o "$T/out.$1.$j" -w '%{http_code}' \
		    -H 'Content-Type: application/octet-stream' \
		    --data-binary "@$T/in.$1.$j" "$(url haproxy /body)") || code=000
		end=$(date +%s%N)
		echo "$1.$j $start $end $code"
	done > "$T/log.$1"
}

answered() {	# answered: how many requests have had their answer
	cat "$T"/log.* 2>/dev/null | wc -l
}

answered_at_least() {	# answered_at_least N
	[ "$(answered)" -ge "$1" ]
}

# hold Q1 Q2 [curl option ...]: a request for /held?Q1, then one for
# /held?Q2, each held by a server (round robin: one each), answered once
# $IT/data/go-Q exists; clients in $clients, and $on1 the one app1 has.
hold() {
	local q a=$1 b=$2
	shift 2
	clients=
	for q in "$a" "$b"; do
		curl -sS --max-time 120 -o "$T/out.$q" -w '%{http_code}' "$@" \
		    "$(url haproxy "/held?$q")" > "$T/status.$q" &
		clients="$clients $!"
		until_true 60 test -e "$IT/data/has-$q"
	done
	on1=$(grep -l '^app1$' "$IT/data/has-$a" "$IT/data/has-$b" |
	    sed 's/.*has-//')
	expect "the request app1 holds" "$(echo $on1 | wc -w)" 1
}

dead() {	# dead PGID: no process of the group is left but zombies
	[ -z "$(ps -o stat= -g "$1" | grep -v '^Z')" ]
}

@test "HAProxy in TCP mode, one of two uWSGI killed mid-run: only the requests in flight at the kill fail, with a 502" {
	local w j posters= before killed_at dead_at lost=0 inflight=0 after=0 id start end code want
	start_all
	for w in $(seq 1 "$AT_ONCE"); do
		for j in $(seq 1 $((REQUESTS / AT_ONCE))); do
			{ echo "request $w.$j"; head -c $((RANDOM % 4000)) /dev/urandom; } > "$T/in.$w.$j"
		done
	done

	for w in $(seq 1 "$AT_ONCE"); do
		poster "$w" &
		posters="$posters $!"
	done
	until_true 120 answered_at_least "$KILL_AFTER"
	killed_at=$(date +%s%N)
	before=$(answered)
	kill_app1
	dead_at=$(date +%s%N)
	# shellcheck disable=SC2086
	wait $posters

	while read -r id start end code; do
		want="POST $(wc -c < "$T/in.$id") $(sha256sum < "$T/in.$id" | cut -d' ' -f1)"
		[ "$start" -gt "$dead_at" ] && after=$((after + 1))
		[ "$start" -lt "$dead_at" ] && [ "$end" -gt "$killed_at" ] &&
		    inflight=$((inflight + 1))
		[ "$code" = 200 ] && [ "$(cat "$T/out.$id")" = "$want" ] && continue
		lost=$((lost + 1))
		route="request $id, $(((start - killed_at) / 1000)) to $(((end - killed_at) / 1000)) us from the kill"
		# Lost only if it was in flight, and then a 502 from the bridge.
		[ "$start" -lt "$dead_at" ] && [ "$end" -gt "$killed_at" ] ||
		    expect "a request not in flight at the kill" \
		    "$code $(cat "$T/out.$id")" "200 $want"
		expect "status of a request in flight at the kill" "$code" 502
		expect "its page" "$(cat "$T/out.$id")" "502 Bad Gateway"
	done < <(cat "$T"/log.*)
	route=haproxy
	expect "answers" "$(answered)" "$REQUESTS"
	# The run went on well past the kill, all to the other server.
	[ "$after" -ge $((REQUESTS / 2)) ]
	# The health checks saw app1 go.
	until_true 10 grep -q 'Server scgi/app1 is DOWN' "$IT/haproxy.log"
	echo "# haproxy: $REQUESTS POSTs, $AT_ONCE at a time, app1 killed after $before:" \
	    "$inflight in flight while it died, $lost of them lost (502)," \
	    "$after started after it, all answered" >&3
}

@test "HAProxy in TCP mode does not resend a request the killed uWSGI had: the client gets cgi2scgi's 502, the next request an answer" {
	local q clients on1 on2
	start_all
	route=haproxy
	hold a b --data-binary "a held POST"
	on2=$(grep -l '^app2$' "$IT/data/has-a" "$IT/data/has-b" | sed 's/.*has-//')
	kill_app1
	touch "$IT/data/go-a" "$IT/data/go-b"
	# shellcheck disable=SC2086
	wait $clients || :
	expect "status of the request app1 had" "$(cat "$T/status.$on1")" 502
	expect "its page" "$(cat "$T/out.$on1")" "502 Bad Gateway"
	expect "status of the request app2 had" "$(cat "$T/status.$on2")" 200
	expect "its page" "$(cat "$T/out.$on2")" "held by app2"
	# The next requests, before the health checks can have marked app1
	# down: one is tried on app1, refused, and sent to app2.
	for q in 1 2; do
		code=$(fetch --data-binary "after $q" "$(url haproxy /body)")
		expect "status of request $q after the kill" "$code" 200
	done
	# HAProxy's log says so (+1: redispatched), unless the machine was
	# so slow that the health checks had taken app1 out already.
	grep -q ' scgi/app2 .* [0-9]*/[0-9]*/[0-9]*/[0-9]*/+1 ' "$IT/haproxy.log" ||
	    grep -q 'Server scgi/app1 is DOWN' "$IT/haproxy.log"
}

@test "a GET the killed uWSGI had goes once more through HAProxy, and the other server answers it" {
	local clients on1
	start_all
	route=haproxy
	hold c d
	kill_app1
	touch "$IT/data/go-c" "$IT/data/go-d"
	# shellcheck disable=SC2086
	wait $clients || :
	expect "status of the GET app1 had" "$(cat "$T/status.$on1")" 200
	expect "its page" "$(cat "$T/out.$on1")" "held by app2"
	logged haproxy \
	    "closed the connection without a response; sent again, and answered"
}
