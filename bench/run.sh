#!/bin/sh
# make bench: cgi2scgi as plain `make` builds it, against the exec
# floors, a minimal bridge (minimal.c: the least a bridge can do), the
# Debian package's and the plain libc build, and cgi-fcgi, side by side
# in one run, in interleaved rounds.  Prints the tables docs/BENCHMARKS shows
# and PASS/FAIL against the goals of issues 6, 12 and 18.  Not a test: the
# numbers vary with the machine and its load; the ratios within one run
# are what count.
#
# BENCH_ROUNDS (default 25) rounds of BENCH_RUNS (default 20) execs for
# latency; BENCH_MB (default 256) MiB per transfer, medians of 3;
# BENCH_BASELINE, a cgi2scgi binary to add to the tiny GET's rows.
set -eu
cd "$(dirname "$0")"

ROUNDS=${BENCH_ROUNDS:-25}
RUNS=${BENCH_RUNS:-20}
MB=${BENCH_MB:-256}
SIZE=$((MB * 1048576))
GIB=1073741824
T=$(mktemp -d "${TMPDIR:-/tmp}/cgi2scgi-bench.XXXXXX")
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null || :; done; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

wait_for() {	# wait_for FILE
	i=0
	while [ ! -e "$1" ]; do
		i=$((i + 1))
		[ "$i" -lt 500 ] || { echo "run.sh: no $1" >&2; exit 1; }
		sleep 0.01
	done
}

# cgi [NAME=value ...] command: with the 25 variables Apache gives a
# CGI program for a GET of /app/hello (the ones given last win).
cgi() {
	env -i GATEWAY_INTERFACE=CGI/1.1 SERVER_SOFTWARE=Apache/2.4.62 \
	    SERVER_NAME=localhost SERVER_ADDR=127.0.0.1 SERVER_PORT=80 \
	    REMOTE_ADDR=127.0.0.1 REMOTE_PORT=54321 \
	    DOCUMENT_ROOT=/var/www/html REQUEST_SCHEME=http \
	    CONTEXT_PREFIX=/app CONTEXT_DOCUMENT_ROOT=/usr/local/bin/ \
	    SERVER_ADMIN=webmaster@localhost \
	    SCRIPT_FILENAME=/usr/local/bin/cgi2scgi SERVER_PROTOCOL=HTTP/1.1 \
	    REQUEST_METHOD=GET QUERY_STRING=size=100 \
	    REQUEST_URI=/app/hello?size=100 SCRIPT_NAME=/app \
	    PATH_INFO=/hello HTTP_HOST=localhost \
	    HTTP_USER_AGENT=ApacheBench/2.3 HTTP_ACCEPT='*/*' \
	    HTTP_CONNECTION=close SERVER_SIGNATURE= \
	    PATH=/usr/local/bin:/usr/bin:/bin "$@"
}

# syscalls FILE: those in strace's output, less the execve that started
# the program (it is the web server's), as the issue counts them.
syscalls() {
	grep -E '^([0-9]+ +)?[a-z_0-9]+\(' "$1" | grep -vcE '^([0-9]+ +)?execve\('
}

median() {	# median < numbers
	sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-";
	    else if (NR % 2) print a[(NR + 1) / 2];
	    else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# The servers: an SCGI sink on a unix socket and on TCP, the FastCGI
# app for cgi-fcgi.  Two workers each: one request at a time is sent.
./sink -w 2 "$T/scgi.sock" & pids="$pids $!"
./sink -w 2 -p "$T/port" 127.0.0.1:0 & pids="$pids $!"
./fcgiapp -w 2 "$T/fcgi.sock" & pids="$pids $!"
wait_for "$T/scgi.sock"
wait_for "$T/port"
wait_for "$T/fcgi.sock"
PORT=$(cat "$T/port")

# name|command, in the order of the table.
cat > "$T/bridges" <<EOT
exec+exit, static glibc (floor)|./exit-glibc
exec+exit, static musl|./exit-musl
minimal bridge (minimal.c), unix|./minimal $T/scgi.sock
minimal bridge (minimal.c), TCP|./minimal 127.0.0.1 $PORT
cgi2scgi, make (default), unix|./cgi2scgi-default $T/scgi.sock
cgi2scgi, make (default), TCP|./cgi2scgi-default 127.0.0.1 $PORT
cgi2scgi, Debian package, unix|./cgi2scgi-deb $T/scgi.sock
cgi2scgi, make MUSLCC=, unix|./cgi2scgi-libc $T/scgi.sock
cgi-fcgi (libfcgi), unix|cgi-fcgi -bind -connect $T/fcgi.sock
EOT
# BENCH_BASELINE=path: another cgi2scgi, an older one say, in the same
# rounds, so that a change is measured against what it changes.
[ -z "${BENCH_BASELINE:-}" ] ||
    echo "cgi2scgi, BENCH_BASELINE, unix|$BENCH_BASELINE $T/scgi.sock" \
    >> "$T/bridges"
nb=$(wc -l < "$T/bridges")

line() {	# line N: the command of bridge N
	sed -n "$1p" "$T/bridges" | cut -d'|' -f2
}
name() {
	sed -n "$1p" "$T/bridges" | cut -d'|' -f1
}

uname -a | cut -d' ' -f1,3,12-
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 |
    sed 's/^ *//'), $(getconf _NPROCESSORS_ONLN) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
for b in default deb libc; do
	echo "$b: $(grep '^cgi2scgi: ' "cgi2scgi-$b.build")"
done
echo

# --- Tiny GET: latency, syscalls, instructions --------------------------
r=1
while [ "$r" -le "$ROUNDS" ]; do
	i=1
	while [ "$i" -le "$nb" ]; do
		# shellcheck disable=SC2046
		set -- $(cgi ./spawn -n "$RUNS" $(line "$i"))
		echo "$1" >> "$T/lat.$i"
		[ "$i" -le 2 ] || [ "$3" -ge 100 ] ||
		    { echo "run.sh: $(name "$i"): answer too short" >&2; exit 1; }
		i=$((i + 1))
	done
	r=$((r + 1))
done
i=1
while [ "$i" -le "$nb" ]; do
	# shellcheck disable=SC2046
	cgi ./spawn -n 1 strace -qq -f -o "$T/strace.$i" $(line "$i") > /dev/null
	syscalls "$T/strace.$i" > "$T/sys.$i"
	# shellcheck disable=SC2046
	cgi ./spawn -n 1 valgrind --tool=callgrind \
	    --callgrind-out-file=/dev/null --log-file="$T/cg.$i" \
	    $(line "$i") > /dev/null
	sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$T/cg.$i" > "$T/ins.$i"
	i=$((i + 1))
done
floor=$(median < "$T/lat.1")

echo "Tiny GET: exec, connect, 100-byte answer, exit; 25 CGI variables;"
echo "median of $ROUNDS interleaved rounds of $RUNS execs each"
printf '%-36s %10s %9s %9s %13s\n' bridge latency "vs floor" syscalls instructions
i=1
while [ "$i" -le "$nb" ]; do
	lat=$(median < "$T/lat.$i")
	ratio=$(awk "BEGIN { printf \"%.2f\", $lat / $floor }")
	echo "$ratio" > "$T/ratio.$i"
	printf '%-36s %7.0f us %9s %9s %11s k\n' "$(name "$i")" "$lat" "$ratio" \
	    "$(cat "$T/sys.$i")" "$(awk '{ printf "%.1f", $1 / 1000 }' "$T/ins.$i")"
	i=$((i + 1))
done
echo

# --- Repeated names: 9,300 names, then 12 more copies of them ----------
# What a web server can be made to pass: 119,300 variables, the most
# that fit in a 64 KiB header once each.  Each must go once (fakescgi
# notes a name sent twice in N.error), and the instructions show that
# finding the repeats is O(n log n): 42 million instructions when this
# was written, where comparing each name with all before it took 550
# million.
mkdir "$T/rec"
./fakescgi -o "$T/rec" "$T/names.sock" & pids="$pids $!"
wait_for "$T/names.sock"
seq 9300 | sed 's/^/H/; s/$/=/' > "$T/names"
i=0
while [ "$i" -le 12 ]; do cat "$T/names"; i=$((i + 1)); done > "$T/vars"
(
	# Room for them in execve(2).  Not POSIX, but dash and bash have it.
	# shellcheck disable=SC3045
	ulimit -s unlimited
	# shellcheck disable=SC2046
	set -- $(cat "$T/vars")
	./execenv GATEWAY_INTERFACE=CGI/1.1 "$@" -- "$(command -v valgrind)" \
	    --tool=callgrind --callgrind-out-file=/dev/null \
	    --log-file="$T/cg.names" ./cgi2scgi-default "$T/names.sock"
) > /dev/null || echo "run.sh: repeated names: the bridge failed" >&2
wait_for "$T/rec/1.done"
names_ins=$(sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$T/cg.names")
names_sent=$(grep -c '^H' "$T/rec/1.env" || :)
# What fakescgi found wrong with the request, a name sent twice say.
names_err=$(cat "$T/rec/1.error" 2>/dev/null || echo none)
echo "Repeated names: 9,300 names and 12 copies of each (119,300 variables):"
echo "$names_sent names sent, faults: $names_err; ${names_ins:-?} instructions"
echo

# --- Throughput: SIZE bytes up, SIZE bytes down, through pipes ---------
# cat between two pipes is the reference; xfer writes and reads both
# ends, as Apache does.
cat > "$T/movers" <<EOT
cat (pipe to pipe)|cat
cgi2scgi, make (default), unix|./cgi2scgi-default $T/scgi.sock
cgi2scgi, make (default), TCP|./cgi2scgi-default 127.0.0.1 $PORT
cgi-fcgi (libfcgi), unix|cgi-fcgi -bind -connect $T/fcgi.sock
EOT
nm=$(wc -l < "$T/movers")
mover() { sed -n "$1p" "$T/movers" | cut -d'|' -f2; }
mname() { sed -n "$1p" "$T/movers" | cut -d'|' -f1; }

mbps() {	# mbps FILE-FOR-RESULT xfer-output...: MB/s, or fail
	if [ "$1" = stall ] || [ "$4" -ne 0 ]; then
		echo "run.sh: transfer failed: $*" >&2
		exit 1
	fi
	awk "BEGIN { printf \"%.0f\n\", $SIZE / 1e6 / $2 }"
}

r=1
while [ "$r" -le 3 ]; do
	# shellcheck disable=SC2046
	mbps x $(./xfer -u "$SIZE" cat) >> "$T/up.1"
	i=2
	while [ "$i" -le "$nm" ]; do
		# shellcheck disable=SC2046
		mbps x $(cgi REQUEST_METHOD=POST CONTENT_LENGTH="$SIZE" \
		    ./xfer -u "$SIZE" $(mover "$i")) >> "$T/up.$i"
		# shellcheck disable=SC2046
		mbps x $(cgi QUERY_STRING=size="$SIZE" ./xfer $(mover "$i")) \
		    >> "$T/down.$i"
		i=$((i + 1))
	done
	r=$((r + 1))
done
cp "$T/up.1" "$T/down.1"

# Syscalls per MiB: a 64 MiB transfer each way, less a tiny one.
i=2
while [ "$i" -le "$nm" ]; do
	for dir in up down; do
		if [ $dir = up ]; then
			set -- REQUEST_METHOD=POST CONTENT_LENGTH=67108864 \
			    ./xfer -u 67108864
			t="REQUEST_METHOD=POST CONTENT_LENGTH=1 ./xfer -u 1"
		else
			set -- QUERY_STRING=size=67108864 ./xfer
			t="QUERY_STRING=size=1 ./xfer"
		fi
		# shellcheck disable=SC2046
		cgi "$@" strace -qq -f -o "$T/st" $(mover "$i") > /dev/null
		big=$(syscalls "$T/st")
		# shellcheck disable=SC2046,SC2086
		cgi $t strace -qq -f -o "$T/st" $(mover "$i") > /dev/null
		small=$(syscalls "$T/st")
		awk "BEGIN { printf \"%.1f\n\", ($big - $small) / 64 }" \
		    > "$T/spm.$dir.$i"
	done
	i=$((i + 1))
done

# Peak RSS of one transfer of 1 KiB and of 1 GiB each way.
i=1
while [ "$i" -le "$nm" ]; do
	for n in 1024 $GIB; do
		if [ "$i" -eq 1 ]; then
			./xfer -u "$n" ./rss "$T/rss" cat > /dev/null
			cp "$T/rss" "$T/rss.up.$n.$i"
			cp "$T/rss" "$T/rss.down.$n.$i"
			continue
		fi
		# shellcheck disable=SC2046
		cgi REQUEST_METHOD=POST CONTENT_LENGTH="$n" ./xfer -u "$n" \
		    ./rss "$T/rss" $(mover "$i") > /dev/null
		cp "$T/rss" "$T/rss.up.$n.$i"
		# shellcheck disable=SC2046
		cgi QUERY_STRING=size="$n" ./xfer ./rss "$T/rss" $(mover "$i") \
		    > /dev/null
		cp "$T/rss" "$T/rss.down.$n.$i"
	done
	i=$((i + 1))
done

# Early reply: the server answers 8 MiB before it reads an 8 MiB body;
# the client writes and reads at once.  A bridge that copies body first,
# answer second, stalls.
i=2
while [ "$i" -le "$nm" ]; do
	# shellcheck disable=SC2046
	set -- $(cgi REQUEST_METHOD=POST CONTENT_LENGTH=8388608 \
	    QUERY_STRING='size=8388608&early' ./xfer -t 10 -u 8388608 \
	    $(mover "$i"))
	if [ "$1" != stall ] && [ "$2" -ge 8388608 ] && [ "$3" -eq 0 ]; then
		echo ok > "$T/early.$i"
	else
		echo "STALLS" > "$T/early.$i"
	fi
	i=$((i + 1))
done
echo - > "$T/early.1"
# Apache's way (issue 23): the client writes all of an 8 MiB body before
# it reads a byte; the server answers 1 GiB before it reads the body.
# The bridge, each way full, spools the body's rest, then relays the
# answer: its peak RSS, against the plain 1 GiB answer's.
# shellcheck disable=SC2046
set -- $(cgi REQUEST_METHOD=POST CONTENT_LENGTH=8388608 \
    QUERY_STRING="size=$GIB&early" ./xfer -a -t 60 -u 8388608 \
    ./rss "$T/rss" $(mover 2))
[ "$1" != stall ] && [ "$2" -ge "$GIB" ] && [ "$3" -eq 0 ] ||
    { echo "run.sh: the held transfer failed: $*" >&2; exit 1; }
held_rss=$(cat "$T/rss")
echo - > "$T/spm.up.1"
echo - > "$T/spm.down.1"

cup=$(median < "$T/up.1")
echo "Throughput: $MB MiB through pipes (stdin, stdout), median of 3;"
echo "syscalls per MiB from a 64 MiB transfer; peak RSS for 1 KiB / 1 GiB"
printf '%-28s %8s %6s %8s %6s %9s %9s %15s %15s %6s\n' "" "up MB/s" "vs cat" \
    "down" "vs cat" "sys/MiB" "sys/MiB" "RSS KiB up" "RSS KiB down" early
printf '%-28s %8s %6s %8s %6s %9s %9s %15s %15s %6s\n' "" "" "" "MB/s" "" up \
    down "1K / 1G" "1K / 1G" reply
i=1
while [ "$i" -le "$nm" ]; do
	up=$(median < "$T/up.$i")
	down=$(median < "$T/down.$i")
	upr=$(awk "BEGIN { printf \"%.2f\", $up / $cup }")
	downr=$(awk "BEGIN { printf \"%.2f\", $down / $cup }")
	echo "$upr $downr" > "$T/tratio.$i"
	printf '%-28s %8s %6s %8s %6s %9s %9s %15s %15s %6s\n' "$(mname "$i")" \
	    "$up" "$upr" "$down" "$downr" "$(cat "$T/spm.up.$i")" \
	    "$(cat "$T/spm.down.$i")" \
	    "$(cat "$T/rss.up.1024.$i") / $(cat "$T/rss.up.$GIB.$i")" \
	    "$(cat "$T/rss.down.1024.$i") / $(cat "$T/rss.down.$GIB.$i")" \
	    "$(cat "$T/early.$i")"
	i=$((i + 1))
done
echo "Host writes the 8 MiB body first, server answers 1 GiB as it reads:"
echo "$(mname 2): peak RSS $held_rss KiB (the body's rest spooled, -s)"
echo

# --- X-Sendfile: a 1 GiB file, served by the bridge or relayed ---------
# Issue 18.  The same bytes reach stdout (a pipe, as under mod_cgi) two
# ways: the sink names the file in X-Sendfile and the bridge serves it
# (-sendfile), or the sink sends the file itself (by sendfile(2), as a
# fast app would) and the bridge relays it; cat, which copies it through
# user space, is the reference.  Medians of 3; CPU is the command's
# user+sys; peak RSS for a 1 KiB and a 1 GiB file.
mkdir "$T/files"
head -c "$GIB" /dev/zero > "$T/files/big"
head -c 1024 /dev/zero > "$T/files/small"
sfok=ok
r=1
while [ "$r" -le 3 ]; do
	for how in cat relay sendfile; do
		if [ $how = cat ]; then
			# shellcheck disable=SC2046
			set -- $(./xfer cat "$T/files/big")
			set -- "$1" $(($2 + 1)) "$3" "$4"	# no head
		elif [ $how = relay ]; then
			# shellcheck disable=SC2046
			set -- $(cgi QUERY_STRING="file=$T/files/big" \
			    ./xfer ./cgi2scgi-default "$T/scgi.sock")
		else
			# shellcheck disable=SC2046
			set -- $(cgi QUERY_STRING=sendfile=big \
			    ./xfer ./cgi2scgi-default -sendfile "$T/files" "$T/scgi.sock")
		fi
		# All the bytes, and a head, or the row is no measurement.
		if [ "$1" = stall ] || [ "$3" -ne 0 ] || [ "$2" -le "$GIB" ]; then
			echo "$how: $*" >> "$T/sf.fail"
			sfok="not served"
			set -- 0 0 0 0
			echo 0
		else
			awk "BEGIN { printf \"%.0f\n\", $GIB / 1e6 / $1 }"
		fi >> "$T/sf.mbps.$how"
		echo "$4" >> "$T/sf.cpu.$how"
	done
	r=$((r + 1))
done
# The peaks count only for a file served whole: else "-".
for n in small big; do
	for how in relay sendfile; do
		if [ $how = relay ]; then
			# shellcheck disable=SC2046
			set -- $(cgi QUERY_STRING="file=$T/files/$n" ./xfer \
			    ./rss "$T/rss" ./cgi2scgi-default "$T/scgi.sock")
		else
			# shellcheck disable=SC2046
			set -- $(cgi QUERY_STRING="sendfile=$n" ./xfer \
			    ./rss "$T/rss" ./cgi2scgi-default -sendfile "$T/files" \
			    "$T/scgi.sock")
		fi
		if [ "$1" != stall ] && [ "$3" -eq 0 ] &&
		    [ "$2" -gt "$(wc -c < "$T/files/$n")" ]; then
			cp "$T/rss" "$T/sf.rss.$how.$n"
		else
			echo - > "$T/sf.rss.$how.$n"
		fi
	done
done
echo "X-Sendfile: a 1 GiB file to a pipe, cgi2scgi make (default), unix;"
echo "median of 3; CPU is the command's user+sys; peak RSS for 1 KiB / 1 GiB"
printf '%-40s %8s %8s %15s\n' "" MB/s "CPU s" "RSS KiB 1K / 1G"
printf '%-40s %8s %8s %15s\n' "cat FILE (read and write)" \
    "$(median < "$T/sf.mbps.cat")" "$(median < "$T/sf.cpu.cat")" -
printf '%-40s %8s %8s %15s\n' "relayed from the app (file=)" \
    "$(median < "$T/sf.mbps.relay")" "$(median < "$T/sf.cpu.relay")" \
    "$(cat "$T/sf.rss.relay.small") / $(cat "$T/sf.rss.relay.big")"
printf '%-40s %8s %8s %15s\n' "served by the bridge (X-Sendfile)" \
    "$(median < "$T/sf.mbps.sendfile")" "$(median < "$T/sf.cpu.sendfile")" \
    "$(cat "$T/sf.rss.sendfile.small") / $(cat "$T/sf.rss.sendfile.big")"
[ ! -f "$T/sf.fail" ] || sed 's/^/  not served: /' "$T/sf.fail"
echo

# --- The goals, for cgi2scgi as plain `make` builds it -----------------
verdict() {	# verdict TEXT AWK-CONDITION
	if awk "BEGIN { exit !($2) }"; then
		echo "PASS  $1"
	else
		echo "FAIL  $1"
	fi
}
set -- $(cat "$T/tratio.2")
uu=$1 ud=$2
set -- $(cat "$T/tratio.3")
tu=$1 td=$2
# Rows of the tiny GET: 3 minimal unix, 5 default unix, 6 default TCP.
vsmin=$(awk "BEGIN { printf \"%.2f\", $(median < "$T/lat.5") / $(median < "$T/lat.3") }")
echo "Goals (issues 12, 6 and 18), cgi2scgi as plain 'make' builds it:"
verdict "unix tiny GET latency $(cat "$T/ratio.5") <= 0.45 x floor" \
    "$(cat "$T/ratio.5") <= 0.45"
verdict "unix tiny GET latency $vsmin <= 1.05 x the minimal bridge" \
    "$vsmin <= 1.05"
# `make static` before issue 12: 11 system calls, 20,817 instructions
# here (the socket's path in TMPDIR moves that by a few per byte).
verdict "unix tiny GET syscalls $(cat "$T/sys.5") <= 11" \
    "$(cat "$T/sys.5") <= 11"
verdict "unix tiny GET instructions $(cat "$T/ins.5") <= 20900" \
    "$(cat "$T/ins.5") <= 20900"
verdict "TCP tiny GET latency $(cat "$T/ratio.6") <= 0.60 x floor" \
    "$(cat "$T/ratio.6") <= 0.60"
verdict "TCP tiny GET syscalls $(cat "$T/sys.6") <= 12" \
    "$(cat "$T/sys.6") <= 12"
verdict "repeated names: $names_sent of 9300 sent, faults: $names_err; ${names_ins:-?} instructions <= 100 M" \
    "$names_sent == 9300 && \"$names_err\" == \"none\" && ${names_ins:-1e99} <= 100000000"
verdict "unix download $ud x cat >= 2, upload $uu x cat >= 1.5" \
    "$ud >= 2 && $uu >= 1.5"
verdict "unix syscalls/MiB up $(cat "$T/spm.up.2"), down $(cat "$T/spm.down.2") <= 20" \
    "$(cat "$T/spm.up.2") <= 20 && $(cat "$T/spm.down.2") <= 20"
for d in up down; do
	a=$(cat "$T/rss.$d.1024.2") b=$(cat "$T/rss.$d.$GIB.2")
	verdict "peak RSS $d 1 KiB $a KiB, 1 GiB $b KiB: same (within 64 KiB), <= 2048" \
	    "$b - $a <= 64 && $a - $b <= 64 && $b <= 2048"
done
verdict "early reply: $(cat "$T/early.2") (unix), $(cat "$T/early.3") (TCP)" \
    "\"$(cat "$T/early.2")$(cat "$T/early.3")\" == \"okok\""
sfm=$(median < "$T/sf.mbps.sendfile") rlm=$(median < "$T/sf.mbps.relay")
sfc=$(median < "$T/sf.cpu.sendfile") catc=$(median < "$T/sf.cpu.cat")
a=$(cat "$T/sf.rss.sendfile.small") b=$(cat "$T/sf.rss.sendfile.big")
verdict "X-Sendfile: 1 GiB served whole, 3 times out of 3: $sfok" \
    "\"$sfok\" == \"ok\""
if [ "$a" != - ] && [ "$b" != - ]; then
	cond="$b - $a <= 64 && $a - $b <= 64 && $b <= 2048"
else
	cond=0
fi
verdict "X-Sendfile peak RSS 1 KiB $a KiB, 1 GiB $b KiB: same (within 64 KiB), <= 2048" \
    "$cond"
# Loose, for a loaded machine, yet a copy through user space fails it:
# here (2 cores, Linux 6.18) a sendfile(2) loop from the page cache to
# a pipe took 0.06-0.12 s of CPU per GiB, cat 0.29-0.31 s, the relay
# 0.04-0.10 s; throughput swung 2x from run to run.
verdict "X-Sendfile $sfm MB/s >= 0.5 x relayed $rlm, CPU $sfc s <= 0.6 x cat's $catc s" \
    "\"$sfok\" == \"ok\" && $sfm >= 0.5 * $rlm && $sfc <= 0.6 * $catc"
verdict "TCP download $td x cat >= 2, upload $tu x cat >= 1.5 (not a goal)" \
    "$td >= 2 && $tu >= 1.5"
verdict "TCP syscalls/MiB up $(cat "$T/spm.up.3"), down $(cat "$T/spm.down.3") <= 20" \
    "$(cat "$T/spm.up.3") <= 20 && $(cat "$T/spm.down.3") <= 20"
