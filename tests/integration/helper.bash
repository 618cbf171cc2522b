# For the integration tests: the servers setup_suite.bash started, by
# the route a request takes, and curl with a limit so that a hang is a
# failure.  IT is the suite's temp dir; BIN the cgi2scgi under test.

bats_require_minimum_version 1.5.0

source "${BASH_SOURCE[0]%/*}/../assert.bash"

# Each deployment, and the SCGI server behind it:
#	apache-file		README recipe 1, SCGI_FILE	 uWSGI --scgi-socket
#	apache-tcp		recipe 2, SCGI_HOST/SCGI_PORT	 uWSGI --scgi-socket
#	apache-wrapper-tcp	recipe 3, wrapper host port	 uWSGI --scgi-nph-socket
#	apache-wrapper-unix	recipe 4, wrapper socket	 libscgi-perl
#	prefork-mod-cgi		recipe 1 under prefork/mod_cgi	 uWSGI --scgi-socket
#	lighttpd		the lighttpd recipe		 uWSGI --scgi-nph-socket
ROUTES="apache-file apache-tcp apache-wrapper-tcp apache-wrapper-unix
prefork-mod-cgi lighttpd"
# and, for hostile.bats, where a query's words become arguments:
#	mini-httpd		cgi-bin/app, the binary; no env	 none: a 500
#	busybox			cgi-bin/app, SCGI_FILE inherited uWSGI --scgi-socket
# and, once package.bats has installed the Debian package, its Apache:
#	package			the installed man page's recipe 1 uWSGI --scgi-socket
#	package-conf		the installed examples/app.conf	 hello-scgi, built
#								 from examples/
# and, with no bridge at all, nginx with the README's snippet:
#	nginx			scgi_pass			 uWSGI --scgi-socket
#	nginx-nph		scgi_pass			 uWSGI --scgi-nph-socket
# and, for hosts.bats, to the backend whose answer the test chooses
# (fakescgi -r $IT/ctl.reply -o $IT/ctl-rec), one route a CGI host:
#	apache-ctl		recipe 1 under Apache event, mod_cgid
#	prefork-ctl		recipe 1 under Apache prefork, mod_cgi
#	lighttpd-ctl		the lighttpd recipe
#	mini-httpd-ctl		cgi-bin/ctl, recipe 4's wrapper, stderr to a file
#	busybox-ctl		cgi-bin/ctl, recipe 4's wrapper
#	civetweb-ctl		cgi-bin/ctl.cgi, recipe 4's wrapper, stderr to a file
# and, for hosts.bats's cases every host runs, these too:
#	nginx-fcgiwrap-ctl	the nginx recipe for fcgiwrap
#	caddy-ctl		the Caddy recipe for fcgiwrap
#	http-server-ctl		Python's http.server --cgi, cgi-bin/ctl, recipe 4's
#	h2o-ctl			the H2O recipe, cgi-bin/ctl.cgi, recipe 4's wrapper
#	plack-ctl		the Plack WrapCGI recipe, recipe 4's wrapper
#	twisted-ctl		the Twisted twcgi recipe, recipe 4's wrapper
#	webrick-ctl		the WEBrick recipe, recipe 4's wrapper
#	go-ctl			the Go net/http/cgi recipe, recipe 4's wrapper
#	webfs-ctl		cgi-bin/ctl, recipe 4's wrapper, stderr to a file
#	mighty-ctl		mighttpd2, cgi-bin/ctl, recipe 4's wrapper
HOSTS="apache-ctl prefork-ctl lighttpd-ctl mini-httpd-ctl busybox-ctl
civetweb-ctl"
MORE_HOSTS="nginx-fcgiwrap-ctl caddy-ctl http-server-ctl h2o-ctl plack-ctl
twisted-ctl webrick-ctl go-ctl webfs-ctl mighty-ctl"
# and, for variables.bats (/RPC2 for rtorrent, user rt, password secret):
#	apache-rtorrent		the rtorrent recipe		 rtorrent
#	apache-rtorrent-bare	the same, no SCGI_PASS		 rtorrent
#	apache-rtorrent-plain	no SCGI_PASS, no SCGI_MAX_HEADER rtorrent
#	lighttpd-rtorrent	the lighttpd rtorrent recipe	 rtorrent
#	nginx-rtorrent		the nginx rtorrent recipe	 rtorrent
#	nginx-rtorrent-headers	the same, with the headers	 rtorrent
#	uwsgi-small		recipe 1; /drop, /pass		 uWSGI, buffer-size 4096

port_of() {
	case $1 in
	apache-file)		echo "$PORT_FILE" ;;
	apache-tcp)		echo "$PORT_TCP" ;;
	apache-wrapper-tcp)	echo "$PORT_WRAP_TCP" ;;
	apache-wrapper-unix)	echo "$PORT_WRAP_UNIX" ;;
	prefork-mod-cgi)	echo "$PORT_PREFORK" ;;
	lighttpd)		echo "$PORT_LIGHTTPD" ;;
	proxy)			echo "$PORT_PROXY" ;;
	proxy-nph)		echo "$PORT_PROXY_NPH" ;;
	missing)		echo "$PORT_MISSING" ;;
	closed)			echo "$PORT_CLOSED" ;;
	closer)			echo "$PORT_CLOSER" ;;
	garbage)		echo "$PORT_GARBAGE" ;;
	load)			echo "$PORT_LOAD" ;;
	haproxy)		echo "$PORT_HAPROXY" ;;
	package)		echo "$PORT_PACKAGE" ;;
	package-conf)		echo "$PORT_PACKAGE_CONF" ;;
	nginx)			echo "$PORT_NGINX" ;;
	nginx-nph)		echo "$PORT_NGINX_NPH" ;;
	mini-httpd*)		echo "$PORT_MINI" ;;
	busybox)		echo "$PORT_BUSYBOX" ;;
	apache-ctl)		echo "$PORT_CTL" ;;
	prefork-ctl)		echo "$PORT_PREFORK_CTL" ;;
	lighttpd-ctl)		echo "$PORT_LIGHTTPD_CTL" ;;
	busybox-ctl)		echo "$PORT_BUSYBOX" ;;
	civetweb-ctl)		echo "$PORT_CIVETWEB" ;;
	nginx-fcgiwrap-ctl)	echo "$PORT_NGINX_CGI" ;;
	caddy-ctl)		echo "$PORT_CADDY" ;;
	http-server-ctl)	echo "$PORT_HTTP_SERVER" ;;
	h2o-ctl)		echo "$PORT_H2O" ;;
	plack-ctl)		echo "$PORT_PLACK" ;;
	twisted-ctl)		echo "$PORT_TWISTED" ;;
	webrick-ctl)		echo "$PORT_WEBRICK" ;;
	go-ctl)			echo "$PORT_GO" ;;
	webfs-ctl)		echo "$PORT_WEBFS" ;;
	mighty-ctl)		echo "$PORT_MIGHTY" ;;
	apache-rtorrent)	echo "$PORT_RTORRENT" ;;
	apache-rtorrent-bare)	echo "$PORT_RTORRENT_BARE" ;;
	apache-rtorrent-plain)	echo "$PORT_RTORRENT_PLAIN" ;;
	lighttpd-rtorrent)	echo "$PORT_LIGHTTPD_RTORRENT" ;;
	nginx-rtorrent)		echo "$PORT_NGINX_RTORRENT" ;;
	nginx-rtorrent-headers)	echo "$PORT_NGINX_RTORRENT_HEADERS" ;;
	uwsgi-small)		echo "$PORT_UWSGI_SMALL" ;;
	*)			echo "no route $1" >&2; return 1 ;;
	esac
}

url() {		# url ROUTE PATH
	local script=/app
	case $1 in
	mini-httpd-ctl|busybox-ctl|http-server-ctl|webfs-ctl|mighty-ctl)
		script=/cgi-bin/ctl ;;
	civetweb-ctl|h2o-ctl)	script=/cgi-bin/ctl.cgi ;;
	mini-httpd|busybox)	script=/cgi-bin/app ;;
	esac
	echo "http://127.0.0.1:$(port_of "$1")$script$2"
}

error_log() {	# error_log ROUTE: where the web server logs the bridge's stderr
	case $1 in
	prefork-*)	echo "$IT/prefork/error.log" ;;
	lighttpd*)	echo "$IT/$1/error.log" ;;
	mini-httpd*)	echo "$IT/mini_httpd/error.log" ;;
	busybox*)	echo "$IT/busybox/error.log" ;;
	civetweb*)	echo "$IT/civetweb/error.log" ;;
	caddy*)		echo "$IT/caddy/error.log" ;;
	http-server*)	echo "$IT/http_server/error.log" ;;
	h2o*)		echo "$IT/h2o/error.log" ;;
	plack*)		echo "$IT/plack/error.log" ;;
	twisted*)	echo "$IT/twisted/error.log" ;;
	webrick*)	echo "$IT/webrick/error.log" ;;
	go-*)		echo "$IT/go/error.log" ;;
	webfs*)		echo "$IT/webfs/error.log" ;;
	mighty*)	echo "$IT/mighty/error.log" ;;
	nginx*)		echo "$IT/nginx/error.log" ;;
	*)		echo "$IT/apache/error.log" ;;
	esac
}

# Every error log, each in a directory named for its server.
LOGS="apache prefork lighttpd lighttpd-ctl lighttpd-rtorrent mini_httpd busybox
civetweb nginx caddy http_server h2o plack twisted webrick go webfs mighty"

# log_sizes SUFFIX: each log's size now, in $T/SERVER.SUFFIX.
log_sizes() {
	local n
	for n in $LOGS; do
		wc -c < "$IT/$n/error.log" > "$T/$n.$1"
	done
}

# logged ROUTE TEXT [MORE]: a line with TEXT (and MORE) reaches ROUTE's
# error log after the last log_sizes mark (at the latest, the start of
# the test); Apache may write the script's stderr after the response.
logged() {
	local f i=0
	f=$(error_log "$1")
	until tail -c +"$(($(cat "$T/$(basename "$(dirname "$f")").mark") + 1))" "$f" |
	    grep -F -- "$2" | grep -qF -- "${3:-$2}"; do
		i=$((i + 1))
		if [ "$i" -gt 300 ]; then
			printf '%s: no "%s" with "%s" in %s:\n' "$1" "$2" \
			    "${3:-$2}" "$f" >&2
			tail -n 20 "$f" >&2
			return 1
		fi
		sleep 0.1
	done
}

# log_since ROUTE: what ROUTE's error log got since the last mark.
log_since() {
	local f
	f=$(error_log "$1")
	tail -c +"$(($(cat "$T/$(basename "$(dirname "$f")").mark") + 1))" "$f"
}

# fetch [curl options] URL: the body to $T/body, the head to $T/head,
# the status to stdout.  Two minutes is a hang, not a slow machine.
fetch() {
	curl -sS --max-time 120 -o "$T/body" -D "$T/head" -w '%{http_code}' "$@"
}

# header NAME: its value in $T/head (the last one, without the CR).
header() {
	awk -v name="$1" '{ sub(/\r$/, "") }
	    tolower(substr($0, 1, length(name) + 1)) == tolower(name) ":" {
		v = substr($0, length(name) + 2)
		sub(/^ */, "", v)
	    }
	    END { print v }' "$T/head"
}

# expect WHAT ACTUAL EXPECTED: compare, and say which route and what.
expect() {
	if [ "$2" != "$3" ]; then
		printf '%s: %s\n  got:      %s\n  expected: %s\n' \
		    "$route" "$1" "$2" "$3" >&2
		return 1
	fi
}

# expect_line WHAT FILE LINE: FILE has LINE, whole.
expect_line() {
	if ! grep -qxF -- "$3" "$2"; then
		printf '%s: %s: no line "%s" in:\n' "$route" "$1" "$3" >&2
		cat "$2" >&2
		return 1
	fi
}

# wait_for FILE SECONDS: until FILE exists; fail, naming it, after SECONDS.
wait_for() {
	local i=0
	until [ -e "$1" ]; do
		i=$((i + 1))
		[ "$i" -le $(($2 * 10)) ] || { echo "no $1 after $2 s" >&2; return 1; }
		sleep 0.1
	done
}

digest() {	# digest NAME: the sha256 of data file NAME
	awk -v n="$1" '$2 == n { print $1 }' "$IT/data/SHA256SUMS"
}

# A sanitizer's report goes to the error log, and the web server takes
# no notice; so every test looks for one that appeared while it ran.
setup() {
	T=$BATS_TEST_TMPDIR
	route=
	log_sizes logsize
	log_sizes mark
}

teardown() {
	local f n
	for n in $LOGS; do
		f=$IT/$n/error.log
		n=$(cat "$T/$n.logsize")
		if tail -c +"$((n + 1))" "$f" |
		    grep -E 'Sanitizer|runtime error:|valgrind'; then
			echo "a sanitizer spoke in $f" >&2
			return 1
		fi
	done
}
