#!/bin/sh
# make bench-apache: requests/s through a real Apache 2.4 (mod_cgid,
# event MPM, ab -c 8) for a tiny GET, four ways: cgi2scgi as plain
# `make` builds it, cgi-fcgi, a static "hello" CGI program that answers
# by itself, and mod_proxy_scgi with no CGI process at all (the ceiling).
# Interleaved rounds, medians.  Apache runs from its own configuration
# in a temporary directory, on a free loopback port; nothing of the
# system's Apache setup is used or changed.
#
# BENCH_REQUESTS (default 2000) requests per ab run, BENCH_ROUNDS
# (default 3) rounds.
set -eu
cd "$(dirname "$0")"

N=${BENCH_REQUESTS:-2000}
ROUNDS=${BENCH_ROUNDS:-3}
MODS=/usr/lib/apache2/modules
T=$(mktemp -d "${TMPDIR:-/tmp}/cgi2scgi-apache.XXXXXX")
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null || :; done; sleep 0.5;
    rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

wait_for() {	# wait_for FILE
	i=0
	while [ ! -e "$1" ]; do
		i=$((i + 1))
		[ "$i" -lt 1000 ] || { echo "apache.sh: no $1" >&2; exit 1; }
		sleep 0.01
	done
}

median() {
	sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2];
	    else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# Apache's children run as www-data when we are root: they must reach
# the programs and the sockets.
chmod 755 "$T"
mkdir "$T/www" "$T/bin"
cp cgi2scgi-default "$T/bin/cgi2scgi"
cp hello "$T/bin/hello"
printf '#!/usr/bin/cgi-fcgi -f\n-bind -connect %s\n' "$T/fcgi.sock" > "$T/bin/fcgi"
chmod 755 "$T/bin/"*

./sink -w 8 "$T/scgi.sock" & pids="$pids $!"
./fcgiapp -w 8 "$T/fcgi.sock" & pids="$pids $!"
wait_for "$T/scgi.sock"
wait_for "$T/fcgi.sock"
chmod 666 "$T/scgi.sock" "$T/fcgi.sock"

# A free port: bind port 0 with the sink's helper, then let it go.
./sink -w 1 -p "$T/port" 127.0.0.1:0 & p=$!
wait_for "$T/port"
kill "$p"
wait "$p" 2>/dev/null || :
PORT=$(cat "$T/port")

user=""
[ "$(id -u)" -ne 0 ] || user="User www-data
Group www-data"
cat > "$T/httpd.conf" <<EOT
ServerRoot $T
ServerName localhost
Listen 127.0.0.1:$PORT
PidFile $T/httpd.pid
ErrorLog $T/error.log
LogLevel warn
$user
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule alias_module $MODS/mod_alias.so
LoadModule cgid_module $MODS/mod_cgid.so
LoadModule env_module $MODS/mod_env.so
LoadModule proxy_module $MODS/mod_proxy.so
LoadModule proxy_scgi_module $MODS/mod_proxy_scgi.so
ScriptSock $T/cgid.sock
DocumentRoot $T/www
MaxRequestWorkers 64
<Location />
    Require all granted
</Location>
ScriptAlias /cgi2scgi $T/bin/cgi2scgi
<Location /cgi2scgi>
    SetEnv SCGI_FILE $T/scgi.sock
</Location>
ScriptAlias /cgi-fcgi $T/bin/fcgi
ScriptAlias /hello $T/bin/hello
ProxyPass /proxy-scgi unix:$T/scgi.sock|scgi://localhost/
EOT
/usr/sbin/apache2 -f "$T/httpd.conf" -DFOREGROUND & pids="$pids $!"
i=0
until ab -q -n 1 "http://127.0.0.1:$PORT/hello" >/dev/null 2>&1; do
	i=$((i + 1))
	[ "$i" -lt 500 ] || { cat "$T/error.log" >&2; exit 1; }
	sleep 0.02
done

cat > "$T/targets" <<EOT
cgi2scgi, make (default) (mod_cgid)|/cgi2scgi/x?size=100
cgi-fcgi (mod_cgid)|/cgi-fcgi/x?size=100
static hello CGI (mod_cgid)|/hello
mod_proxy_scgi, no CGI (ceiling)|/proxy-scgi/x?size=100
EOT
nt=$(wc -l < "$T/targets")

# Each answer must be the 100 bytes, not an error page.
i=1
while [ "$i" -le "$nt" ]; do
	url=$(sed -n "${i}p" "$T/targets" | cut -d'|' -f2)
	len=$(ab -n 1 "http://127.0.0.1:$PORT$url" 2>/dev/null |
	    awk '/^Document Length:/ { print $3 }')
	code=$(ab -n 1 "http://127.0.0.1:$PORT$url" 2>/dev/null |
	    awk '/^Non-2xx responses:/ { print $3 }')
	if [ "$len" != 100 ] || [ -n "$code" ]; then
		echo "apache.sh: $url: answer of $len bytes (non-2xx: ${code:-0})" >&2
		cat "$T/error.log" >&2
		exit 1
	fi
	i=$((i + 1))
done

r=1
while [ "$r" -le "$ROUNDS" ]; do
	i=1
	while [ "$i" -le "$nt" ]; do
		url=$(sed -n "${i}p" "$T/targets" | cut -d'|' -f2)
		ab -q -c 8 -n "$N" "http://127.0.0.1:$PORT$url" 2>&1 |
		    awk '/^Requests per second:/ { print $4 }
			/^Failed requests:/ && $3 != 0 { print "failed" > "/dev/stderr" }' \
		    >> "$T/rps.$i"
		i=$((i + 1))
	done
	r=$((r + 1))
done

uname -a | cut -d' ' -f1,3,12-
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 |
    sed 's/^ *//'), $(getconf _NPROCESSORS_ONLN) cores; $(/usr/sbin/apache2 -v | head -1)"
echo
echo "Through Apache (mod_cgid, event MPM): tiny GET, 100-byte answer,"
echo "ab -c 8 -n $N, median of $ROUNDS interleaved rounds"
base=$(median < "$T/rps.1")
printf '%-36s %10s %14s\n' "" "requests/s" "vs cgi2scgi"
i=1
while [ "$i" -le "$nt" ]; do
	rps=$(median < "$T/rps.$i")
	printf '%-36s %10.0f %14s\n' "$(sed -n "${i}p" "$T/targets" | cut -d'|' -f1)" \
	    "$rps" "$(awk "BEGIN { printf \"%.2f\", $rps / $base }")"
	i=$((i + 1))
done
