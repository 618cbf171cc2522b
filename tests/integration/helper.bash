# For the integration tests: the servers setup_suite.bash started, by
# the route a request takes, and curl with a limit so that a hang is a
# failure.  IT is the suite's temp dir; BIN the cgi2scgi under test.

bats_require_minimum_version 1.5.0

# Each deployment, and the SCGI server behind it:
#	apache-file		README recipe 1, SCGI_FILE	 uWSGI --scgi-socket
#	apache-tcp		recipe 2, SCGI_HOST/SCGI_PORT	 uWSGI --scgi-socket
#	apache-wrapper-tcp	recipe 3, wrapper host port	 uWSGI --scgi-nph-socket
#	apache-wrapper-unix	recipe 4, wrapper socket	 libscgi-perl
#	prefork-mod-cgi		recipe 1 under prefork/mod_cgi	 uWSGI --scgi-socket
#	lighttpd		the lighttpd recipe		 uWSGI --scgi-nph-socket
ROUTES="apache-file apache-tcp apache-wrapper-tcp apache-wrapper-unix
prefork-mod-cgi lighttpd"

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
	*)			echo "no route $1" >&2; return 1 ;;
	esac
}

url() {		# url ROUTE PATH
	echo "http://127.0.0.1:$(port_of "$1")/app$2"
}

error_log() {	# error_log ROUTE: where the web server logs the bridge's stderr
	case $1 in
	prefork-*)	echo "$IT/prefork/error.log" ;;
	lighttpd)	echo "$IT/lighttpd/error.log" ;;
	*)		echo "$IT/apache/error.log" ;;
	esac
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

digest() {	# digest NAME: the sha256 of data file NAME
	awk -v n="$1" '$2 == n { print $1 }' "$IT/data/SHA256SUMS"
}

# A sanitizer's report goes to the error log, and the web server takes
# no notice; so every test looks for one that appeared while it ran.
setup() {
	T=$BATS_TEST_TMPDIR
	route=
	local f
	for f in "$IT"/apache/error.log "$IT"/prefork/error.log \
	    "$IT"/lighttpd/error.log; do
		wc -c < "$f" > "$T/$(basename "$(dirname "$f")").logsize"
	done
}

teardown() {
	local f n
	for f in "$IT"/apache/error.log "$IT"/prefork/error.log \
	    "$IT"/lighttpd/error.log; do
		n=$(cat "$T/$(basename "$(dirname "$f")").logsize")
		if tail -c +"$((n + 1))" "$f" |
		    grep -E 'Sanitizer|runtime error:|valgrind'; then
			echo "a sanitizer spoke in $f" >&2
			return 1
		fi
	done
}
