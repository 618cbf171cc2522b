#!/usr/bin/env bats
# How the Makefile builds and installs: the static musl build by default,
# the user's CFLAGS, CPPFLAGS and LDFLAGS, PREFIX and DESTDIR.

load helper

# Not in make check's ASan and valgrind passes: nothing here runs the
# bridge they would watch.
# bats file_tags=build

# Every build the tests below look at, each made once, all at once:
# one after another they took 10 s of the 2-core test machine (22 s
# under load), a third of `make test`.  Where the optimisation is not
# what a test is about, -O0 (OPTFLAGS), which compiles in a quarter of
# the time.  A build that needs a program that is missing is not made;
# its test says so (skips, or fails under STRICT=1).
setup_file() {
	local cc
	build musl musl-gcc make
	build libc - make MUSLCC= OPTFLAGS=-O0
	build no-musl - make MUSLCC=no-such-musl-gcc OPTFLAGS=-O0
	build env-flags - env CFLAGS=-DFROM_ENV CPPFLAGS=-DCPP_ENV \
	    LDFLAGS=-Wl,-O1 make
	build make-flags - make CFLAGS='-O0 -DFROM="the command line"' \
	    CPPFLAGS=-DCPP_CMD LDFLAGS=-Wl,-O1
	# Warnings stay in WFLAGS, so they hold whatever CFLAGS says.
	build warning - with_warning make CFLAGS=-O0
	build warning-allowed - with_warning make CFLAGS=-O0 WERROR=
	build hardening-musl-gcc dpkg-buildflags,musl-gcc hardened musl-gcc
	build hardening-gcc dpkg-buildflags,gcc hardened ""
	for cc in gcc clang; do
		build "sanitizers-$cc" "$cc" make -s CC="$cc" \
		    CFLAGS='-fsanitize=address,undefined -g' \
		    LDFLAGS='-fsanitize=address,undefined'
	done
	wait
}

# build NAME NEEDS COMMAND...: in the background, in a copy of what
# builds the bridge, and with none of the flags or make options of the
# build that runs the tests (a package's, say): COMMAND's stdout, stderr
# and status to NAME/out, NAME/err and NAME/status.  Not if one of the
# programs in NEEDS (a comma-separated list, or -) is missing.
build() {
	local d=$BATS_FILE_TMPDIR/$1 need
	local -a needs
	IFS=, read -ra needs <<< "${2#-}"
	shift 2
	for need in "${needs[@]}"; do
		command -v "$need" > /dev/null || return 0
	done
	mkdir "$d"
	cp "$BATS_TEST_DIRNAME"/../{Makefile,cgi2scgi.c,netstring.c,netstring.h} "$d"
	(
		unset CFLAGS CPPFLAGS LDFLAGS MAKEFLAGS MFLAGS MAKELEVEL
		cd "$d"
		"$@" > out 2> err && echo 0 > status || echo $? > status
	) 3>&- &
}

with_warning() {	# with_warning COMMAND...: netstring.c warns
	echo "static int unused;" >> netstring.c
	"$@"
}

hardened() {	# hardened MUSLCC: make with Debian's hardening flags
	eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
	make CC=cc MUSLCC="$1"
}

# built NAME: cd to its directory; status, output (stdout) and stderr as
# `run --separate-stderr` sets them.
built() {
	cd "$BATS_FILE_TMPDIR/$1"
	status=$(cat status)
	output=$(cat out)
	stderr=$(cat err)
}

# dynamic FILE: whether it asks for a dynamic linker.
dynamic() {
	readelf -lW "$1" | grep -q 'Requesting program interpreter'
}

@test "make install puts the program and its man page under DESTDIR and PREFIX; uninstall removes them" {
	cd "$BATS_TEST_DIRNAME/.."
	d=$BATS_TEST_TMPDIR/root
	make -s install DESTDIR="$d" PREFIX=/opt/c2s
	[ -x "$d/opt/c2s/bin/cgi2scgi" ]
	[ -f "$d/opt/c2s/share/man/man1/cgi2scgi.1" ]
	assert_equal "$(stat -c %a "$d/opt/c2s/share/man/man1/cgi2scgi.1")" 644
	run "$d/opt/c2s/bin/cgi2scgi" --version
	assert_success
	make -s uninstall DESTDIR="$d" PREFIX=/opt/c2s
	[ ! -e "$d/opt/c2s/bin/cgi2scgi" ]
	[ ! -e "$d/opt/c2s/share/man/man1/cgi2scgi.1" ]
}

@test "the installed man page names the installed program, and the source's stays as it is" {
	cd "$BATS_TEST_DIRNAME/.."
	d=$BATS_TEST_TMPDIR/root
	make -s install DESTDIR="$d" PREFIX=/opt/c2s
	page=$d/opt/c2s/share/man/man1/cgi2scgi.1
	grep -q '^ScriptAlias /app /opt/c2s/bin/cgi2scgi$' "$page"
	grep -q '^#!/opt/c2s/bin/cgi2scgi -f$' "$page"
	grep -q '/opt/c2s/libexec/app' "$page"
	# No path of the source's left; nothing else changed.
	run grep -n /usr/local "$page"
	assert_output ""
	run diff man/cgi2scgi.1 "$page"
	assert_output --partial '> ScriptAlias /app /opt/c2s/bin/cgi2scgi'
	[ "$(diff man/cgi2scgi.1 "$page" | grep -c '^<')" -eq "$(grep -c /usr/local/ man/cgi2scgi.1)" ]
	grep -q '^ScriptAlias /app /usr/local/bin/cgi2scgi$' man/cgi2scgi.1
	# BINDIR and LIBEXECDIR, as a packager may set them.
	make -s install DESTDIR="$d" BINDIR=/bin LIBEXECDIR=/srv/apps
	page=$d/usr/local/share/man/man1/cgi2scgi.1
	grep -q '^ScriptAlias /app /bin/cgi2scgi$' "$page"
	grep -q '/srv/apps/app' "$page"
}

@test "make install-doc puts the README, docs/ and the examples, with the install's paths, under DOCDIR" {
	cd "$BATS_TEST_DIRNAME/.."
	d=$BATS_TEST_TMPDIR/root
	doc=$d/usr/share/doc/cgi2scgi
	make -s install-doc DESTDIR="$d" PREFIX=/usr
	assert_equal "$(cat "$doc/README")" \
	    "$(sed 's|/usr/local/bin/cgi2scgi|/usr/bin/cgi2scgi|g; s|/usr/local/libexec/|/usr/libexec/|g' README)"
	run grep -c /usr/local/bin/cgi2scgi "$doc/README"
	assert_output 0
	for f in docs/*; do
		cmp "$f" "$doc/${f##*/}"
	done
	assert_equal "$(cat "$doc/examples/rtorrent-apache.conf")" \
	    "$(sed 's|/usr/local/bin/|/usr/bin/|' example/rtorrent-apache.conf)"
	cmp example/rtorrent.service "$doc/examples/rtorrent.service"
	cmp example/rtorrent.rc "$doc/examples/rtorrent.rc"
	assert_equal "$(cat "$doc/examples/app.conf")" "$(sed 's|/usr/local/bin/|/usr/bin/|' example/app.conf)"
	assert_equal "$(cat "$doc/examples/app.service")" \
	    "$(sed 's|/usr/local/libexec/|/usr/libexec/|' example/app.service)"
	cmp example/app.socket "$doc/examples/app.socket"
	run find "$doc" ! -perm 644 -type f
	assert_output ""
	make -s uninstall DESTDIR="$d" PREFIX=/usr
	[ ! -e "$doc" ]
}

@test "the installed example application builds where it is, and answers through the bridge" {
	needs cc "it builds the example"
	cd "$BATS_TEST_DIRNAME/.."
	d=$BATS_TEST_TMPDIR/root
	make -s install-doc DESTDIR="$d" PREFIX=/usr
	cd "$d/usr/share/doc/cgi2scgi/examples"
	cc -o "$T/hello-scgi" hello-scgi.c netstring.c
	"$T/hello-scgi" -n 1 "$SOCK" 3>&- &
	echo $! > "$T/hello.pid"
	wait_for "$SOCK"
	run bridge SCRIPT_NAME=/app PATH_INFO=/hello -- "$SOCK"
	assert_success
	assert_line 'Hello from an SCGI application.'
	assert_line 'PATH_INFO=/hello'
}

@test "make demo shows the app's answer, and the exit status on a line of its own" {
	cd "$BATS_TEST_DIRNAME/.."
	run sh example/demo.sh
	assert_success
	assert_line 'name=demo'
	assert_line '--- exit status 0'
}

@test "plain make builds statically with musl where musl-gcc is, and says so; MUSLCC= builds with cc" {
	needs musl-gcc "the default build uses it"
	built musl
	assert_success
	assert_output "cgi2scgi: static musl build (musl-gcc)"
	assert_regex "$stderr" '^\+ musl-gcc -static .* -O2 -g '
	refute dynamic cgi2scgi
	./cgi2scgi --version
	built libc
	assert_success
	assert_output "cgi2scgi: build with cc and the system's libc (MUSLCC empty)"
	dynamic cgi2scgi
	built no-musl
	assert_success
	assert_output "cgi2scgi: no-such-musl-gcc not found: dynamic build with cc"
	dynamic cgi2scgi
}

@test "CFLAGS, CPPFLAGS and LDFLAGS from the environment and the command line reach the build, after the project's flags" {
	built env-flags
	assert_success
	assert_stderr --partial " -Werror -DCPP_ENV -DFROM_ENV -Wl,-O1 -o cgi2scgi "
	built make-flags
	assert_success
	assert_stderr --partial " -Werror -DCPP_CMD -O0 -DFROM=the command line -Wl,-O1 -o cgi2scgi "
	built warning
	assert_failure
	assert_stderr --partial "unused-variable"
	built warning-allowed
	assert_success
}

@test "dpkg-buildflags' hardening flags build warning-free, with musl-gcc and with gcc" {
	needs dpkg-buildflags "it gives Debian's flags"
	needs musl-gcc "the default build uses it"
	needs gcc "the build without musl"
	for cc in musl-gcc gcc; do
		built "hardening-$cc"
		assert_success
		# Nothing but the command line, which set -x prints.
		assert_equal "$(grep -v '^+ ' <<< "$stderr")" ""
		assert_regex "$stderr" ' -D_FORTIFY_SOURCE=2 .* -fstack-protector-strong .* -Wl,-z,relro -Wl,-z,now '
		./cgi2scgi --version
	done
}

@test "an instrumented build comes from the ordinary CC, CFLAGS and LDFLAGS" {
	for cc in gcc clang; do
		needs "$cc" "the instrumented build"
		built "sanitizers-$cc"
		assert_success
		nm cgi2scgi | grep -q __asan_init
		nm cgi2scgi | grep -q __ubsan_handle
		run ./cgi2scgi --version
		assert_success
	done
}

@test "the Debian package's version is the Makefile's VERSION" {
	cd "$BATS_TEST_DIRNAME/.."
	version=$(sed -n 's/^VERSION *= *//p' Makefile)
	[ -n "$version" ]
	assert_equal "$(head -n 1 debian/changelog)" "cgi2scgi ($version) unstable; urgency=medium"
}
