#!/usr/bin/env bats
# The Debian package, as an admin gets it: built from this tree by
# dpkg-buildpackage, lintian-clean, installed with dpkg -i, and its
# /usr/bin/cgi2scgi serving a request under Apache (README recipe 1, in
# setup_suite.bash).  Needs root, as make check has; the package is
# removed again at the end unless it was installed before.

load helper

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
VERSION=$(sed -n 's/^VERSION *= *//p' "$TOP/Makefile")
DEB=$IT/package/cgi2scgi_${VERSION}_$(dpkg --print-architecture).deb

setup_file() {
	[ "$(id -u)" -eq 0 ] || { echo "package.bats: dpkg -i needs root" >&2; return 1; }
	if dpkg -s cgi2scgi >/dev/null 2>&1; then
		: > "$IT/package.was-installed"
	fi
}

teardown_file() {
	[ -e "$IT/package.was-installed" ] || dpkg -r cgi2scgi >/dev/null 2>&1 || :
}

@test "dpkg-buildpackage builds the package from a copy of this tree, and lintian finds nothing" {
	src=$IT/package/cgi2scgi-$VERSION
	mkdir -p "$src"
	# The files of the tree (edited or new, not ignored), not its builds;
	# all of it, outside a git checkout.
	if git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$TOP" && { git ls-files; git ls-files --others \
		    --exclude-standard; } | sort -u | tar -cf - -T -) |
		    tar -xf - -C "$src"
	else
		cp -R "$TOP/." "$src"
	fi
	# make check runs the suite itself: the package's own make test
	# (dh_auto_test) would only run it once more.
	(cd "$src" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b \
	    -Pnocheck) > "$IT/package/build.log" 2>&1 ||
	    { tail -n 30 "$IT/package/build.log" >&2; return 1; }
	grep -qx 'cgi2scgi: static musl build (musl-gcc)' "$IT/package/build.log"
	run lintian --allow-root -EvIL +pedantic "$IT/package"/*.changes
	assert_success
	assert_output ""
}

@test "dpkg -i installs the static musl build as /usr/bin/cgi2scgi, its man page, and Built-Using: musl" {
	dpkg -i "$DEB" >&2
	run /usr/bin/cgi2scgi --version
	assert_output "cgi2scgi $VERSION"
	! readelf -lW /usr/bin/cgi2scgi | grep -q 'program interpreter'
	[ -f /usr/share/man/man1/cgi2scgi.1.gz ]
	[[ "$(dpkg-query -Wf '${Built-Using}' cgi2scgi)" == "musl (= "*")" ]]
}

@test "Apache runs the installed /usr/bin/cgi2scgi, README recipe 1, to uWSGI" {
	route=package
	code=$(fetch "$(url package /env/installed)")
	expect status "$code" 200
	expect_line "SCRIPT_FILENAME" "$T/body" "SCRIPT_FILENAME=/usr/bin/cgi2scgi"
	expect_line "PATH_INFO" "$T/body" "PATH_INFO=/env/installed"
}
