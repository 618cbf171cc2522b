#!/usr/bin/env bats
# The Debian package, as an admin gets it: built from this tree by
# dpkg-buildpackage, with its own tests, as a build daemon would;
# lintian-clean; installed with dpkg -i; and what it installed, its man
# page's Apache example and its examples/app.conf, followed as printed
# (only the socket moved into the suite's dir) under an Apache of its
# own (setup_suite.bash writes its frame).  Needs root, as make check
# has; the package is removed again at the end unless it was installed
# before.

load helper

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
VERSION=$(sed -n 's/^VERSION *= *//p' "$TOP/Makefile")
DEB=$IT/package/cgi2scgi_${VERSION}_$(dpkg --print-architecture).deb
DOC=/usr/share/doc/cgi2scgi
PAGE=/usr/share/man/man1/cgi2scgi.1.gz
# The build's uid and gid: no account has it (a normal user's range,
# below Debian's 60000 and systemd's DynamicUser= uids).
BUILDER=59173

setup_file() {
	[ "$(id -u)" -eq 0 ] || { echo "package.bats: dpkg -i needs root" >&2; return 1; }
	# One make check at a time installs the package, and removes it.
	exec 8> /run/lock/cgi2scgi-package.lock
	flock -w 900 8
	if dpkg -s cgi2scgi >/dev/null 2>&1; then
		: > "$IT/package.was-installed"
	fi
}

teardown_file() {
	local name pid i
	for name in package-apache package-hello; do
		[ -e "$IT/pids/$name" ] || continue
		pid=$(cat "$IT/pids/$name")
		kill "$pid" 2>/dev/null
		i=0
		while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 300 ]; do
			i=$((i + 1))
			sleep 0.1
		done
		rm -f "$IT/pids/$name"
	done
	[ -e "$IT/package.was-installed" ] || dpkg -r cgi2scgi >/dev/null 2>&1 || :
}

# literal TEXT: the man page's first literal display (.Bd -literal ...
# .Ed) that holds a line TEXT, whole, from the installed page.
literal() {
	zcat "$PAGE" | awk -v want="$1" '
	    /^\.Bd -literal/ { on = 1; block = ""; hit = 0; next }
	    on && /^\.Ed/ { on = 0; if (hit) { printf "%s", block; exit } next }
	    on { block = block $0 "\n"; if ($0 == want) hit = 1 }'
}

# listening PORT: something accepts on 127.0.0.1:PORT.
listening() {
	(exec 9<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# strays USER: what USER owns in the system's temporary directories,
# but for the build's own directory.
strays() {
	find /tmp /var/tmp /dev/shm -xdev -user "$1" 2>/dev/null |
	    grep -v "^$IT/package/" | sort
}

@test "dpkg-buildpackage builds the package as a user, passes its tests, leaves nothing outside its tree, and lintian finds nothing" {
	local src=$IT/package/cgi2scgi-$VERSION out=$IT/package/outside
	mkdir -p "$src" "$out/tmp" "$out/home"
	# The files of the tree (edited or new, not ignored), not its builds;
	# all of it, outside a git checkout.
	if git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$TOP" && { git ls-files; git ls-files --others \
		    --exclude-standard; } | sort -u | tar -cf - -T -) |
		    tar -xf - -C "$src"
	else
		cp -R "$TOP/." "$src"
	fi
	# As a build daemon builds it: as a user that is not root, and that
	# nothing else here runs as (not nobody, whom the unit suite's
	# hostile tests, which may run meanwhile, play), so that its files in
	# /tmp are the build's; with none of this run's environment (the
	# binary under test, STRICT, bats's own); make test included; with a
	# TMPDIR and a HOME of its own, which must stay empty.
	chown "$BUILDER:$BUILDER" "$IT/package"
	chown -R "$BUILDER:$BUILDER" "$src" "$out"
	strays "$BUILDER" > "$BATS_TEST_TMPDIR/before"
	(cd "$src" && setpriv --reuid="$BUILDER" --regid="$BUILDER" --clear-groups \
	    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	    HOME="$out/home" TMPDIR="$out/tmp" LC_ALL=C.UTF-8 \
	    dpkg-buildpackage -us -uc -b 8>&-) > "$IT/package/build.log" 2>&1 ||
	    { tail -n 30 "$IT/package/build.log" >&2; return 1; }
	grep -qx 'cgi2scgi: static musl build (musl-gcc)' "$IT/package/build.log"
	# dh_auto_test ran the unit suite, and it passed.
	grep -q '^1\.\.[1-9]' "$IT/package/build.log"
	! grep -q '^not ok' "$IT/package/build.log"
	run comm -13 "$BATS_TEST_TMPDIR/before" <(strays "$BUILDER")
	assert_output ""
	run ls -A "$out/tmp" "$out/home"
	assert_output "$out/home:

$out/tmp:"
	run lintian --allow-root -EvIL +pedantic "$IT/package"/*.changes
	assert_success
	assert_output ""
}

@test "dpkg -i installs the static musl build as /usr/bin/cgi2scgi, its man page, and Built-Using: musl" {
	dpkg -i "$DEB" >&2
	run /usr/bin/cgi2scgi --version
	assert_output "cgi2scgi $VERSION"
	! readelf -lW /usr/bin/cgi2scgi | grep -q 'program interpreter'
	[ -f "$PAGE" ]
	[[ "$(dpkg-query -Wf '${Built-Using}' cgi2scgi)" == "musl (= "*")" ]]
}

@test "the package's man page and examples name /usr/bin/cgi2scgi, and the admin's own programs in /usr/local/libexec" {
	zcat "$PAGE" | grep -q '^ScriptAlias /app /usr/bin/cgi2scgi$'
	zcat "$PAGE" | grep -q '^#!/usr/bin/cgi2scgi -f$'
	run sh -c "zcat $PAGE | grep -n /usr/local/bin"
	assert_output ""
	zcat "$PAGE" | grep -q '/usr/local/libexec/app 2$'
	grep -qx 'ScriptAlias /app /usr/bin/cgi2scgi' "$DOC/examples/app.conf"
	grep -qx 'ExecStart=/usr/local/libexec/hello-scgi' "$DOC/examples/app.service"
	run grep -rn /usr/local/bin "$DOC/examples"
	assert_output ""
}

@test "the package ships the README, docs/, the examples and a README.Debian that says why the binary is static without PIE" {
	local f
	# The README with the package's paths.
	zcat "$DOC/README.gz" > "$BATS_TEST_TMPDIR/readme"
	sed 's|/usr/local/bin/cgi2scgi|/usr/bin/cgi2scgi|g' "$TOP/README" |
	    cmp - "$BATS_TEST_TMPDIR/readme"
	run grep -c /usr/local/bin "$BATS_TEST_TMPDIR/readme"
	assert_output 0
	for f in "$TOP"/docs/*; do
		[ -e "$DOC/${f##*/}" ] || zcmp "$f" "$DOC/${f##*/}.gz"
	done
	for f in app.conf app.socket app.service hello-scgi.c netstring.c netstring.h \
	    rtorrent.rc rtorrent.service rtorrent-apache.conf; do
		[ -f "$DOC/examples/$f" ]
	done
	zcat -f "$DOC/README.Debian"* > "$BATS_TEST_TMPDIR/readme.debian"
	grep -q 'without PIE or RELRO' "$BATS_TEST_TMPDIR/readme.debian"
	# Each file it names is there.
	for f in README HOSTS HOSTILE BENCHMARKS examples/app.conf \
	    examples/app.socket examples/app.service examples/hello-scgi.c \
	    examples/rtorrent.rc examples/rtorrent.service; do
		grep -q "^ *${f##*/} " "$BATS_TEST_TMPDIR/readme.debian"
		ls "$DOC/$f" "$DOC/$f.gz" 2>/dev/null | grep -q .
	done
}

@test "the package's conf-available snippet for rtorrent is the README's recipe with /usr/bin/cgi2scgi, a conffile, off until a2enconf; README.Debian's steps name what is installed" {
	local conf=/etc/apache2/conf-available/cgi2scgi-rtorrent.conf
	assert_equal "$(cat "$conf")" \
	    "$(sed 's|/usr/local/bin/|/usr/bin/|' "$BATS_TEST_DIRNAME/conf/apache-rtorrent.conf")"
	dpkg-query -W -f '${Conffiles}\n' cgi2scgi | grep -q "^ $conf "
	[ ! -e /etc/apache2/conf-enabled/cgi2scgi-rtorrent.conf ]
	zcat -f "$DOC/README.Debian"* > "$BATS_TEST_TMPDIR/readme.debian"
	grep -qx '    a2enconf cgi2scgi-rtorrent' "$BATS_TEST_TMPDIR/readme.debian"
	for f in $(grep -o "$DOC/examples/[a-z.-]*" "$BATS_TEST_TMPDIR/readme.debian"); do
		[ -f "$f" ]
	done
	# The steps are the README's, but for the examples' directory.
	sed -n '/^    adduser --system/,/^    systemctl enable/p' "$BATS_TEST_TMPDIR/readme.debian" |
	    sed "s|$DOC/examples/|example/|" > "$BATS_TEST_TMPDIR/steps"
	[ -s "$BATS_TEST_TMPDIR/steps" ]
	while IFS= read -r line; do
		grep -qxF -- "$line" "$TOP/README" ||
		    { echo "README lacks: $line" >&2; return 1; }
	done < "$BATS_TEST_TMPDIR/steps"
}

@test "the installed man page's Apache example and -f script, the installed app.conf and the rtorrent snippet work as printed" {
	local d=$IT/package/apache site ex=$DOC/examples
	# The example application, built from the installed examples as
	# README.Debian says, run as the web server's user on app.conf's
	# socket, in a directory of that user's.
	mkdir -p "$IT/package/app"
	chown "$RUN_AS" "$IT/package/app"
	(cd "$ex" && cc -O2 -o "$IT/package/hello-scgi" hello-scgi.c netstring.c)
	setpriv --reuid="$RUN_AS" --regid="$RUN_AS" --clear-groups \
	    "$IT/package/hello-scgi" "$IT/package/app/app.sock" \
	    > "$IT/package/hello.log" 2>&1 3>&- 8>&- &
	echo $! > "$IT/pids/package-hello"
	# The man page's -f script, for the URL /cgi-bin/app.
	mkdir -p "$IT/package/cgi-bin"
	literal '-bind -connect /run/app/app.sock' |
	    sed "s|/run/app/app.sock|$IT/uwsgi.sock|" > "$IT/package/cgi-bin/app"
	chmod 755 "$IT/package/cgi-bin/app"
	head -n 1 "$IT/package/cgi-bin/app" | grep -qx '#!/usr/bin/cgi2scgi -f'
	{
		printf 'Listen 127.0.0.1:%s\n<VirtualHost 127.0.0.1:%s>\n' \
		    "$PORT_PACKAGE" "$PORT_PACKAGE"
		literal '    SetEnv SCGI_FILE /run/app/app.sock' |
		    sed "s|/run/app/app.sock|$IT/uwsgi.sock|"
		# The rtorrent snippet, its socket and password file moved.
		sed -e "s|/run/rtorrent/rpc.socket|$IT/rtorrent/rpc.socket|" \
		    -e "s|/etc/apache2/rtorrent.htpasswd|$IT/rtorrent.htpasswd|" \
		    /etc/apache2/conf-available/cgi2scgi-rtorrent.conf
		printf 'ScriptAlias /cgi-bin/ %s/\n' "$IT/package/cgi-bin"
		printf '<Directory "%s">\n    Require all granted\n</Directory>\n' \
		    "$IT/package/cgi-bin"
		printf '</VirtualHost>\n'
		printf 'Listen 127.0.0.1:%s\n<VirtualHost 127.0.0.1:%s>\n' \
		    "$PORT_PACKAGE_CONF" "$PORT_PACKAGE_CONF"
		sed "s|/run/app/app.sock|$IT/package/app/app.sock|" "$ex/app.conf"
		printf '</VirtualHost>\n'
	} > "$d/site.conf"
	grep -qx 'ScriptAlias /app /usr/bin/cgi2scgi' "$d/site.conf"
	setsid /usr/sbin/apache2 -d "$d" -f "$d/httpd.conf" -DFOREGROUND \
	    > "$IT/package/apache.log" 2>&1 3>&- 8>&- &
	echo $! > "$IT/pids/package-apache"
	i=0
	until listening "$PORT_PACKAGE_CONF" && [ -S "$IT/package/app/app.sock" ]; do
		i=$((i + 1))
		[ "$i" -le 600 ] || { cat "$IT/package/apache.log" "$IT/package/hello.log" >&2; return 1; }
		sleep 0.1
	done

	route=package
	code=$(fetch "$(url package /env/installed)")
	expect status "$code" 200
	expect_line "SCRIPT_FILENAME" "$T/body" "SCRIPT_FILENAME=/usr/bin/cgi2scgi"
	expect_line "PATH_INFO" "$T/body" "PATH_INFO=/env/installed"
	code=$(fetch "http://127.0.0.1:$PORT_PACKAGE/cgi-bin/app/env/script")
	expect status "$code" 200
	expect_line "SCRIPT_FILENAME" "$T/body" "SCRIPT_FILENAME=$IT/package/cgi-bin/app"
	expect_line "PATH_INFO" "$T/body" "PATH_INFO=/env/script"
	# rtorrent through the conf-available snippet, with a 3,500-byte cookie.
	code=$(printf '%s' '<?xml version="1.0"?><methodCall><methodName>system.client_version</methodName><params></params></methodCall>' |
	    fetch -u rt:secret -H "Cookie: c=$(head -c 3498 /dev/zero | tr '\0' x)" \
	    --data-binary @- "http://127.0.0.1:$PORT_PACKAGE/RPC2")
	expect 'status of rtorrent' "$code" 200
	grep -qF '<string>0.9.8</string>' "$T/body"
	route=package-conf
	code=$(fetch "$(url package-conf /hello)")
	expect status "$code" 200
	expect_line "the app" "$T/body" "Hello from an SCGI application."
	expect_line "SCRIPT_NAME" "$T/body" "SCRIPT_NAME=/app"
	expect_line "PATH_INFO" "$T/body" "PATH_INFO=/hello"
}
