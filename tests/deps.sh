#!/bin/sh
# Install what `make check` needs from Debian's packages, when it is
# missing.  Safe to run again: it installs nothing that is there.
set -eu

need=""
want() {	# want COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 || need="$need $2"
}
want bats bats
want mandoc mandoc
want cppcheck cppcheck
want valgrind valgrind
want curl curl
want strace strace

[ -z "$need" ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "deps.sh: missing:$need (install them, or run as root on Debian)" >&2
	exit 1
fi
echo "deps.sh: installing$need" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need >/dev/null
