# Shared by the bridge's tests: a temp dir per test, the fake SCGI
# backend (tests/fakescgi.c), and a way to run cgi2scgi as a web server
# would.  CGI2SCGI picks the binary (the sanitizer build, say) and
# CGI2SCGI_WRAP a command to run it under (valgrind).

bats_require_minimum_version 1.5.0

source "${BASH_SOURCE[0]%/*}/assert.bash"

CGI2SCGI=${CGI2SCGI:-$BATS_TEST_DIRNAME/../cgi2scgi}
FAKESCGI=$BATS_TEST_DIRNAME/fakescgi
EXECENV=$BATS_TEST_DIRNAME/execenv
PLAIN=$BATS_TEST_DIRNAME/../cgi2scgi	# the plain build, to help a test

setup() {
	T=$BATS_TEST_TMPDIR
	SOCK=$T/app.sock
	REC=$T/rec
	mkdir -p "$REC"
}

teardown() {
	local pid
	for pid in "$T"/*.pid; do
		[ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null
	done
	[ -z "${S:-}" ] || rm -rf "$S"
	[ -z "${GROUP:-}" ] || groupdel "$GROUP"
	return 0
}

# needs COMMAND WHAT: skip this test, saying why, when COMMAND is
# missing.  `make test` (a packager's build: nothing installed, no root)
# skips; make check has installed everything, sets STRICT=1, and fails.
needs() {
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ -n "${STRICT:-}" ]; then
		echo "no $1 ($2): tests/deps.sh installs it" >&2
		return 1
	fi
	skip "no $1: $2"
}

# needs_root WHAT: the same, for a test that must run as root.
needs_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	if [ -n "${STRICT:-}" ]; then
		echo "not root ($1): make check runs as root" >&2
		return 1
	fi
	skip "not root: $1"
}

# assert_stderr [--partial | --prefix] TEXT: what the last `run
# --separate-stderr` wrote to stderr is TEXT, holds it, or starts with it
# (when libc's words end the line, and glibc's and musl's differ).
# bats-assert 2.1 (Debian 12) has no assert_stderr; this one wins over a
# later one, which has no --prefix.
assert_stderr() {
	local mode=exact
	case $1 in
	--partial|--prefix)
		mode=${1#--}
		shift
		;;
	esac
	case $mode in
	exact)	[[ $stderr == "$1" ]] && return 0 ;;
	partial) [[ $stderr == *"$1"* ]] && return 0 ;;
	prefix)	[[ $stderr == "$1"* ]] && return 0 ;;
	esac
	batslib_print_kv_single_or_multi 8 expected "$1" stderr "$stderr" |
	    batslib_decorate "stderr differs ($mode)" | fail
}

# assert_error_page STATUS REASON: the last `run` exited STATUS and
# answered with the error page for REASON ("502 Bad Gateway").
assert_error_page() {
	if assert_failure "$1" && assert_output "$(error_page "$2")"; then
		return 0
	fi
	[ -z "${stderr:-}" ] || echo "stderr: $stderr" >&2
	return 1
}

# wait_for FILE: until it exists (a socket bound, a request recorded).
wait_for() {
	wait_until 10 test -e "$1"
}

# backend [fakescgi options]: a fake SCGI server on $SOCK, listening.
backend() {
	"$FAKESCGI" -o "$REC" "$@" "$SOCK" 3>&- &
	echo $! > "$T/backend.pid"
	wait_for "$SOCK"
}

# nothing_sent: the backend got no request from the bridge, which has
# exited.  So a connection it made is in the backend's queue by now, or
# served; the backend serves them in order, and records a request before
# it answers: once a probe request sent now has its answer, every one
# before it is recorded, and the probe's is the only one.
nothing_sent() {
	local others
	env -i GATEWAY_INTERFACE=CGI/1.1 HTTP_X_PROBE=1 "$PLAIN" "$SOCK" > /dev/null
	others=$(grep -Lx HTTP_X_PROBE=1 "$REC"/*.env)
	[ -z "$others" ] && return 0
	echo "$others" | batslib_decorate 'the backend got a request' | fail
}

# backend_tcp [fakescgi options]: the same on 127.0.0.1; sets PORT.
backend_tcp() {
	"$FAKESCGI" -o "$REC" -p "$T/port" "$@" 127.0.0.1:0 3>&- &
	echo $! > "$T/backend.pid"
	wait_for "$T/port"
	PORT=$(cat "$T/port")
}

# bridge [NAME=value ...] [-- arg ...]: cgi2scgi with a small CGI
# environment and nothing else; SCGI_RETRY_TIMEOUT=0 unless given.
bridge() {
	bridge_argv "$@"
	"${BRIDGE[@]}"
}

# bridge_bg [NAME=value ...] [-- arg ...]: the same in the background,
# as process $! itself: `bridge ... &` would make $! a subshell, which a
# signal kills and leaves the bridge running.  <&0: without it, bash
# gives a background command /dev/null for stdin.
bridge_bg() {
	bridge_argv "$@"
	"${BRIDGE[@]}" <&0 &
}

bridge_argv() {	# BRIDGE: the command bridge runs
	shell_argv GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
	    SERVER_PROTOCOL=HTTP/1.1 SCRIPT_NAME=/app SCGI_RETRY_TIMEOUT=0 "$@"
}

# shell_argv [NAME=value ...] [-- arg ...]: into BRIDGE, cgi2scgi as run
# from a shell: PATH and the NAMEs (a later one wins) its environment.
shell_argv() {
	local vars=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		vars+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	# shellcheck disable=SC2206
	BRIDGE=(env -i PATH="$PATH" "${vars[@]}" ${CGI2SCGI_WRAP:-} \
	    "$CGI2SCGI" "$@")
}

# The error page cgi2scgi answers with, for status line $1.
error_page() {
	printf 'Status: %s\r\nContent-Type: text/plain\r\n\r\n%s\n' "$1" "$1"
}

# pattern N: the N bytes fakescgi -g N sends.
pattern() {
	"$FAKESCGI" -G "$1"
}

# Where fd 5 of this shell is: how far cgi2scgi read a shared stdin.
offset_of_fd5() {
	awk '/^pos:/ { print $2 }' "/proc/$$/fdinfo/5"
}

# wait_until SECONDS COMMAND...: until COMMAND succeeds; fail, saying
# what did not happen, if it has not after SECONDS.
# The one polling loop of the tests: every wait is for an event, and
# SECONDS only turns a hang into a failure.
wait_until() {
	local i=0 n=$(($1 * 100))
	shift
	until "$@"; do
		i=$((i + 1))
		if [ "$i" -gt "$n" ]; then
			echo "timed out waiting until: $*" >&2
			return 1
		fi
		sleep 0.01
	done
}

# exited PID: that process has exited: it is gone, or a zombie that its
# parent has yet to reap (init may take seconds), its descriptors closed.
exited() {
	case $(ps -o stat= -p "$1") in
	''|Z*)	return 0 ;;
	esac
	return 1
}

# wait_pid PID SECONDS: its exit status, or fail (and kill it) if it is
# still running then; a hang becomes a failure, not a stuck suite.
wait_pid() {
	if ! wait_until "$2" gone "$1"; then
		kill "$1"
		return 1
	fi
	wait "$1"
}

gone() {	# gone PID: no such process (it may be a zombie: see exited)
	! kill -0 "$1" 2>/dev/null
}

HELLO=$BATS_TEST_DIRNAME/../example/hello-scgi

# make_app [FILE]: an SCGI application to start, which notes each start
# (a line in $T/starts, a pid file teardown kills) and its environment,
# then becomes example/hello-scgi with the same pid, as LISTEN_PID needs.
make_app() {
	local app=${1:-$T/app}
	cat > "$app" <<-EOF
	#!/bin/sh
	echo \$\$ >> "$T/starts"
	echo \$\$ > "$T/app.\$\$.pid"
	env > "$T/appenv"
	echo "app \$\$ started" >&2
	exec "$HELLO"
	EOF
	chmod +x "$app"
}

starts() {
	if [ -f "$T/starts" ]; then wc -l < "$T/starts"; else echo 0; fi
}

# assert_ok_page: the last `run` got the example app's page.
assert_ok_page() {
	assert_success || return
	assert_output --regexp '^Status: 200 OK' || return
	assert_output --partial 'Hello from an SCGI application.'
}

# A free TCP port on 127.0.0.1, for a test's server to bind: one that
# nothing listens on, below the kernel's ephemeral ports, so that no
# connection another test makes meanwhile can take it as its own port
# (make check runs passes side by side), and below the range of
# tests/integration's servers.
free_port() {
	perl -MIO::Socket::INET -e '
	    for (;;) {
		my $p = 10000 + int(rand(10000));
		IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:$p")
		    and print("$p\n"), exit;
	    }'
}

# The tests of what another local user can do run as root and play that
# user as nobody; elsewhere (make test as a packager) they are skipped.
need_other_user() {
	needs_root "to act as another user" &&
	    needs setpriv "to act as another user"
}

# socket_group: GROUP, a new group that owns $S/app.sock (a socket of
# root's, mode 0770), which www-data is not in; teardown removes it.
socket_group() {
	GROUP=cgi2scgi$$
	groupadd "$GROUP"
	chgrp "$GROUP" "$S/app.sock"
	chmod 770 "$S/app.sock"
}

as_other() {	# as_other COMMAND...: run it as nobody
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# shared_dir: S, a directory anyone may create names in, as /tmp is
# (world-writable, sticky); teardown removes it.  The bridge is copied
# into it, for another user to run: the checkout may be under a
# directory only we may enter (a 0700 home, a mktemp -d).
shared_dir() {
	S=$(mktemp -d /tmp/cgi2scgi-shared.XXXXXX)
	chmod 1777 "$S"
	mkdir -m 755 "$S/bin"
	cp "$CGI2SCGI" "$S/bin/"
	CGI2SCGI=$S/bin/${CGI2SCGI##*/}
}

# squat ADDRESS [MODE]: another user listens there first (a socket path,
# @name, or 127.0.0.1:PORT), and writes how many bytes each connection
# brought into $S/squat.N.  MODE "lo": a TCP listener bound to the
# loopback device; "handover": it takes one connection, closes its
# listener, so that the port is free for another, touches
# $S/squat.handed, and counts what that connection brings.  Needs
# shared_dir.
squat() {
	setpriv --reuid=65534 --regid=65534 --clear-groups perl -MSocket \
	    -MIO::Socket::UNIX -e '
	    my ($addr, $dir, $mode) = @ARGV;
	    my $s;
	    if ($addr =~ /^\@(.*)/) {
		$s = IO::Socket::UNIX->new(Listen => 5, Local => "\0$1");
	    } elsif ($addr =~ m{/}) {
		$s = IO::Socket::UNIX->new(Listen => 5, Local => $addr);
	    } else {
		my ($host, $port) = split /:/, $addr;
		socket($s, PF_INET, SOCK_STREAM, 0) or die "socket: $!\n";
		setsockopt($s, SOL_SOCKET, SO_REUSEADDR, 1);
		# SO_BINDTODEVICE, which any user may set before bind(2).
		setsockopt($s, SOL_SOCKET, 25, "lo") or die "lo: $!\n"
		    if $mode eq "lo";
		bind($s, pack_sockaddr_in($port, inet_aton($host))) &&
		    listen($s, 5) or undef $s;
	    }
	    $s or die "squat $addr: $!\n";
	    sub mark { open(my $f, ">", "$dir/$_[0]") or die; print $f $_[1]; }
	    mark("squat.ready", "");
	    for (my $n = 1; accept(my $c, $s); $n++) {
		if ($mode eq "handover") {
			close $s;
			mark("squat.handed", "");
		}
		local $/;
		my $d = <$c>;
		mark("squat.$n", length($d // ""));
		last if $mode eq "handover";
	    }' "$1" "$S" "${2:-}" &
	echo $! > "$T/squat.pid"
	wait_for "$S/squat.ready"
}
