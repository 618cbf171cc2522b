#!/usr/bin/env bats
# make install and uninstall honour PREFIX and DESTDIR.

@test "make install puts the program and its man page under DESTDIR and PREFIX; uninstall removes them" {
	cd "$BATS_TEST_DIRNAME/.."
	d=$BATS_TEST_TMPDIR/root
	make -s install DESTDIR="$d" PREFIX=/opt/c2s
	[ -x "$d/opt/c2s/bin/cgi2scgi" ]
	[ -f "$d/opt/c2s/share/man/man1/cgi2scgi.1" ]
	[ "$(stat -c %a "$d/opt/c2s/share/man/man1/cgi2scgi.1")" = 644 ]
	run "$d/opt/c2s/bin/cgi2scgi" --version
	[ "$status" -eq 0 ]
	make -s uninstall DESTDIR="$d" PREFIX=/opt/c2s
	[ ! -e "$d/opt/c2s/bin/cgi2scgi" ]
	[ ! -e "$d/opt/c2s/share/man/man1/cgi2scgi.1" ]
}

@test "an instrumented build comes from the ordinary CC, CFLAGS and LDFLAGS" {
	cd "$BATS_TEST_DIRNAME/.."
	for cc in gcc clang; do
		d=$BATS_TEST_TMPDIR/$cc
		mkdir -p "$d"
		cp Makefile cgi2scgi.c netstring.c netstring.h "$d"
		make -s -C "$d" CC="$cc" CFLAGS='-fsanitize=address,undefined -g' \
		    LDFLAGS='-fsanitize=address,undefined'
		nm "$d/cgi2scgi" | grep -q __asan_init
		nm "$d/cgi2scgi" | grep -q __ubsan_handle
		run "$d/cgi2scgi" --version
		[ "$status" -eq 0 ]
	done
}
