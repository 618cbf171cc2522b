#!/bin/sh
# Install what `make bench` and `make bench-apache` need from Debian's
# packages, when it is missing.  Safe to run again: it installs nothing
# that is there.
set -eu

need=""
want() {	# want COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 || need="$need $2"
}
want musl-gcc musl-tools
want dpkg-buildflags dpkg-dev	# the Debian package's build
want cgi-fcgi libfcgi-bin
want strace strace
want valgrind valgrind
[ -f /usr/include/fcgiapp.h ] || need="$need libfcgi-dev"
if [ "${1:-}" = apache ]; then
	want apache2 apache2
	want ab apache2-utils
fi

[ -z "$need" ] && exit 0
# The tests' installer: the same checks, and no apache2 left running.
# shellcheck disable=SC2086
exec sh "$(dirname "$0")/../tests/deps.sh" --install $need
