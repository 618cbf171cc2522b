#!/usr/bin/env bats
# The README's quick start, word for word: its commands are read from
# the README's "Quick start" section and run as root, as a shell would,
# in a fresh copy of the sources; then the section's commands that undo
# it, which must leave nothing of it behind.  They change the machine (/usr/local,
# /run/app, Apache's configuration, the system's Apache on port 80), so
# the test saves what they change first and puts it back after, and
# holds a lock so that two `make check`s do not run it at once.
#
# Three things differ from a user's run.  The apt-get line is left out
# when the packages it names are installed (it would do nothing, and
# another apt may hold apt's lock).  Apache's ports.conf says
# 127.0.0.1:80, not 80, while the test runs, so that it listens on
# loopback only.  And the commands run in a PID namespace of their own:
# where systemd is not running, `service apache2 restart` is Debian's
# init script, which will not stop or start Apache while any process
# named apache2 runs that is not its own, as the other tests' are; in
# the namespace there are none, as on a machine without other Apaches.
# Its end ends whatever the quick start left running there.

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

# What the quick start makes or changes; restore puts it back as it was.
TOUCHED="/usr/local/bin/cgi2scgi /usr/local/share/man/man1/cgi2scgi.1
/usr/local/libexec/hello-scgi /run/app
/etc/apache2/conf-available/app.conf /etc/apache2/conf-enabled/app.conf
/etc/apache2/mods-enabled/cgid.load /etc/apache2/mods-enabled/cgid.conf
/etc/apache2/ports.conf /var/lib/apache2/module/enabled_by_admin/cgid
/var/lib/apache2/conf/enabled_by_admin/app
/var/lib/apache2/module/disabled_by_admin/cgid
/var/lib/apache2/conf/disabled_by_admin/app"
# Directories it may make: removed after, when it did and they are empty.
DIRS="/usr/local/libexec /usr/local/share/man/man1 /usr/local/share/man
/var/lib/apache2/module/enabled_by_admin /var/lib/apache2/conf/enabled_by_admin
/var/lib/apache2/module/disabled_by_admin /var/lib/apache2/conf/disabled_by_admin"
# Apache's runtime directories: removed after, with what is in them, when
# they were not there before.
RUNTIME="/run/apache2 /run/lock/apache2"
APP=/usr/local/libexec/hello-scgi
SOCK=/run/app/app.sock

# quick_start PART: the commands of the README's "Quick start" section,
# the lines indented by four spaces, as they are but for that
# indentation: PART 1 those before the paragraph "To undo it...", 2
# those after it.
quick_start() {
	awk -v part="$1" '/^Quick start$/ { on = 1; n = 1; getline; next }
	    on && /^---/ { exit }
	    on && /^To undo it/ { n = 2 }
	    on && n == part && /^    / { print substr($0, 5) }' "$TOP/README"
}

installed() {	# installed PACKAGE...: all of them
	local p
	for p in "$@"; do
		dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null |
		    grep -qx 'install ok installed' || return 1
	done
}

port80_free() {
	[ -z "$(ss -Htln 'sport = :80')" ]
}

setup() {
	local p
	T=$BATS_TEST_TMPDIR
	[ "$(id -u)" -eq 0 ] || { echo "the quick start runs as root" >&2; return 1; }
	exec 9> /run/lock/cgi2scgi-quickstart.lock
	flock -w 900 9
	# What the test would clobber, it refuses to touch.
	if [ -e /run/app ]; then
		echo "/run/app exists: something on this machine uses it" >&2
		return 1
	fi
	if ! unshare --pid --fork --mount-proc true; then
		echo "unshare: no PID namespace here (a container without CAP_SYS_ADMIN?)" >&2
		return 1
	fi
	if ! port80_free; then
		echo "port 80 is taken: the quick start's Apache needs it" >&2
		ss -Htlnp 'sport = :80' >&2
		return 1
	fi
	mkdir -p "$T/saved"
	: > "$T/absent"
	for p in $TOUCHED; do
		if [ -e "$p" ] || [ -L "$p" ]; then
			mkdir -p "$T/saved$(dirname "$p")"
			cp -a "$p" "$T/saved$p"
		fi
	done
	for p in $DIRS; do
		[ -e "$p" ] || echo "$p" >> "$T/absent"
	done
	for p in $RUNTIME; do
		[ -e "$p" ] || echo "$p" >> "$T/runtime-absent"
	done
	touch "$T/saving-done"
}

restore() {
	local p i=0
	[ -e "$T/saving-done" ] || return 0
	while ! port80_free && [ "$i" -lt 300 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	for p in $TOUCHED; do
		rm -rf "$p"
		if [ -e "$T/saved$p" ] || [ -L "$T/saved$p" ]; then
			cp -a "$T/saved$p" "$(dirname "$p")/"
		fi
	done
	for p in $(tac "$T/absent"); do
		rmdir "$p" 2>/dev/null || :
	done
	[ ! -e "$T/runtime-absent" ] || rm -rf $(cat "$T/runtime-absent")
}

teardown() {
	restore
	port80_free || { echo "Apache still listens on port 80" >&2; return 1; }
}

@test "the README's quick start, run word for word as root, answers through Apache on port 80, and its undo leaves nothing of it" {
	local pkgs p
	quick_start 1 > "$T/quick-start.sh"
	quick_start 2 > "$T/undo.sh"
	grep -q '^make && make install$' "$T/quick-start.sh"
	grep -q '^curl ' "$T/quick-start.sh"
	grep -q '^make uninstall$' "$T/undo.sh"
	# The apt-get line, when it would install nothing.
	pkgs=$(sed -n 's/^apt-get install -y //p' "$T/quick-start.sh")
	if [ -n "$pkgs" ] && installed $pkgs; then
		sed -i 's/^apt-get install -y /: &/' "$T/quick-start.sh"
	fi
	# Loopback only, for the duration.
	sed -i 's/^Listen 80$/Listen 127.0.0.1:80/' /etc/apache2/ports.conf
	[ "$(grep '^Listen' /etc/apache2/ports.conf)" = 'Listen 127.0.0.1:80' ]
	# A fresh copy of the sources, as from a clone or a tarball.
	mkdir "$T/src"
	tar -C "$TOP" --exclude=.git -cf - . | tar -C "$T/src" -xf -
	make -s -C "$T/src" clean > /dev/null
	# In the namespace: the quick start, a look at what it left running,
	# and a clean stop of Apache (the namespace's end kills the rest).
	cat > "$T/run.sh" <<-EOF
	cd "$T/src"
	sh -ex "$T/quick-start.sh" > "$T/out" 2> "$T/log"
	echo \$? > "$T/rc"
	ps -o user=,args= -C hello-scgi > "$T/apps"
	stat -c %U "$SOCK" > "$T/sock-owner"
	cmp /usr/local/bin/cgi2scgi cgi2scgi > "$T/cmp" 2>&1 && echo same > "$T/cmp"
	sh -ex "$T/undo.sh" > "$T/undo.out" 2> "$T/undo.log"
	echo \$? > "$T/undo.rc"
	curl -sS -o /dev/null -w '%{http_code}\n' http://localhost/app/hello > "$T/after"
	ps -o user=,args= -C hello-scgi > "$T/apps-after"
	service apache2 stop > "$T/stop.log" 2>&1
	echo \$? >> "$T/stop.log"
	EOF
	# Not bats's descriptors: Apache, started there, would hold them.
	unshare --pid --fork --mount-proc sh "$T/run.sh" 3>&- 9>&-
	if [ "$(cat "$T/rc")" != 0 ] ||
	    ! grep -qx 'Hello from an SCGI application.' "$T/out"; then
		cat "$T/log" "$T/out" >&2
		return 1
	fi
	grep -qx 'SCRIPT_NAME=/app' "$T/out"
	grep -qx 'PATH_INFO=/hello' "$T/out"
	# One app, run as the web server's user, on a socket of that user.
	[ "$(cat "$T/apps")" = "www-data $APP" ]
	[ "$(cat "$T/sock-owner")" = www-data ]
	[ "$(tail -n 1 "$T/stop.log")" = 0 ] || { cat "$T/stop.log" >&2; return 1; }
	# The undo: Apache still serves, but not /app; no app runs; what
	# the quick start made is gone (ports.conf is the test's edit).
	if [ "$(cat "$T/undo.rc")" != 0 ]; then
		cat "$T/undo.log" "$T/undo.out" >&2
		return 1
	fi
	[ "$(cat "$T/after")" = 404 ]
	[ ! -s "$T/apps-after" ]
	for p in $TOUCHED; do
		[ "$p" != /etc/apache2/ports.conf ] || continue
		if [ -e "$T/saved$p" ] || [ -L "$T/saved$p" ]; then
			continue
		fi
		if [ -e "$p" ] || [ -L "$p" ]; then
			echo "the undo left $p" >&2
			return 1
		fi
	done
	# What make install put in place was what answered.
	[ "$(cat "$T/cmp")" = same ]
}
