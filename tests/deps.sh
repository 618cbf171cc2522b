#!/bin/sh
# Install what `make check` needs from Debian's packages, when it is
# missing.  Safe to run again: it installs nothing that is there.
# bench/deps.sh has it install its own list: deps.sh --install PACKAGE...
set -eu

need=""
want() {	# want COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 || need="$need $2"
}
want_file() {	# want_file PATH PACKAGE: for what is not on a user's PATH
	[ -e "$1" ] || need="$need $2"
}
want_pkg() {	# want_pkg PACKAGE: for what no command shows, a library
	dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed' ||
	    need="$need $1"
}
if [ "${1:-}" = --install ]; then
	shift
	need=" $*"
else
	want bats bats
	# tests/helper.bash loads them: assert_output and the like.
	want_file /usr/lib/bats/bats-support/load.bash bats-support
	want_file /usr/lib/bats/bats-assert/load.bash bats-assert
	want mandoc mandoc
	want cppcheck cppcheck
	want valgrind valgrind
	want curl curl
	want python3 python3	# tests/modes.bats holds locks and fills queues
	want ab apache2-utils	# tests/integration/load.bats
	want strace strace
	want pgrep procps	# not in Debian's smallest images
	want ss iproute2
	want clang clang	# make fuzz, and the instrumented-build test
	want clang-tidy clang-tidy
	want systemd-socket-activate systemd	# tests/integration/systemd.bats
	want systemd-analyze systemd
	want musl-gcc musl-tools	# the default build: make check tests it
	# tests/integration/package.bats: build, lint and install the .deb.
	want_pkg build-essential	# dpkg-buildpackage insists on it
	want dpkg-buildpackage dpkg-dev
	want dh debhelper
	want lintian lintian
	want_pkg libclang-rt-14-dev	# libFuzzer; clang only recommends it
	# tests/integration: the real web servers and SCGI servers.
	want_file /usr/sbin/apache2 apache2
	want_file /usr/lib/apache2/modules/mod_proxy_scgi.so apache2-bin
	want_file /usr/sbin/lighttpd lighttpd
	# These two pass a query's words to a CGI program in other forms
	# than Apache (raw, or not at all): tests/integration/hostile.bats.
	want_file /usr/sbin/mini_httpd mini-httpd
	want busybox busybox
	# One more CGI host for tests/integration/hosts.bats's matrix.
	want civetweb civetweb
	want_file /usr/bin/uwsgi-core uwsgi-core
	want_file /usr/lib/uwsgi/plugins/python3_plugin.so uwsgi-plugin-python3
	want_file /usr/share/perl5/SCGI.pm libscgi-perl
	want_file /usr/sbin/haproxy haproxy
	# The README's nginx snippet: nginx speaks SCGI itself.
	want_file /usr/sbin/nginx nginx
	# More CGI hosts for hosts.bats: nginx and Caddy through fcgiwrap,
	# H2O's fastcgi-cgi, Plack's WrapCGI (Python's http.server is
	# python3's).
	want_file /usr/sbin/fcgiwrap fcgiwrap
	want caddy caddy
	want_file /usr/share/h2o/fastcgi-cgi h2o
	want plackup libplack-perl
	want_file /usr/share/perl5/CGI/Emulate/PSGI.pm libcgi-emulate-psgi-perl
	want_file /usr/share/perl5/CGI/Compile.pm libcgi-compile-perl
	want_file /usr/lib/python3/dist-packages/twisted python3-twisted
	want ruby ruby
	want_pkg ruby-webrick
	want go golang-go
	want webfsd webfs
	want mighty mighttpd2
	# tests/integration/variables.bats: the README's ruTorrent recipe.
	want_file /usr/bin/rtorrent rtorrent
	# tests/integration/rtorrent.bats: the README's steps make and
	# remove the rtorrent user (deluser's --remove-home needs perl).
	want deluser adduser
	want_pkg perl
fi

[ -z "$need" ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "deps.sh: missing:$need (install them, or run as root on Debian)" >&2
	exit 1
fi
echo "deps.sh: installing$need" >&2
export DEBIAN_FRONTEND=noninteractive
# apache2, lighttpd, mini-httpd and nginx would start on port 80 as they
# install (and the second could not bind, which can fail its install);
# the tests start their own.  invoke-rc.d asks policy-rc.d first, and
# 101 means no; Docker images have one that says so: keep it.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need >/dev/null
