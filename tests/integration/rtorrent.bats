#!/usr/bin/env bats
# The README's rtorrent steps, word for word: read from its "ruTorrent
# and rtorrent" section and run as root, as a shell would, in the
# source directory; then Apache and nginx with the section's recipes
# (conf/), only the bridge and the password file moved, call rtorrent
# on the socket where the steps put it, with a browser's 3,500-byte
# cookie; then the section's undo, which must leave nothing behind.
# They make a system user, rtorrent, so the test refuses to run where
# one exists, and holds a lock.
#
# systemd is not PID 1 here (nor in CI): the steps' systemctl is a
# shell function that does what systemd does with the installed unit
# (its User, Group, RuntimeDirectory and ExecStart; a setting it does
# not know fails the test, so the unit stays what is tested), and
# systemd-analyze verifies the unit.

load helper

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
UNIT=/etc/systemd/system/rtorrent.service
# What the steps make; none of it may be there before.
MADE="/var/lib/rtorrent /run/rtorrent $UNIT"

# steps PART: the commands of the section's first block (PART 1), of
# the block after "To undo it all" (PART 2), or of the one after "To
# check it" (PART 3), without the indentation.
steps() {
	awk -v part="$1" '/^ruTorrent and rtorrent$/ { on = 1; next }
	    on && /^---/ && seen { exit }
	    on && /^---/ { seen = 1; next }
	    on && /^Debian.s rtorrent package makes/ { want = 1 }
	    on && /To undo it all/ { want = 2 }
	    on && /^To check it as the web server/ { want = 3 }
	    on && want == part && /^    / { print substr($0, 5); got = 1; next }
	    on && got && /^$/ { exit }' "$TOP/README"
}

# unit_value KEY: the value of KEY= in the installed unit's [Service].
unit_value() {
	awk -v key="$1" '/^\[/ { on = $0 == "[Service]"; next }
	    on && index($0, key "=") == 1 { v = substr($0, length(key) + 2) }
	    END { print v }' "$UNIT"
}

# The stand-in for systemd, which the steps call: daemon-reload does
# nothing, enable --now starts the unit as systemd would, disable --now
# stops it and removes its RuntimeDirectory.
prelude() {
	cat <<-'EOF'
	systemctl() {
		case "$*" in
		daemon-reload) ;;
		"enable --now rtorrent") start_unit ;;
		"disable --now rtorrent") stop_unit ;;
		*) echo "systemctl $*: not stood in for" >&2; return 1 ;;
		esac
	}
	start_unit() {
		local k user group dir mode home
		for k in $(awk '/^\[/ { on = $0 == "[Service]"; next }
		    on && /^[A-Za-z]/ { print substr($0, 1, index($0, "=") - 1) }' "$UNIT"); do
			case $k in
			User|Group|RuntimeDirectory|RuntimeDirectoryMode|ExecStart|Restart) ;;
			*) echo "$UNIT: $k= not stood in for" >&2; return 1 ;;
			esac
		done
		user=$(unit_value User) group=$(unit_value Group)
		dir=/run/$(unit_value RuntimeDirectory)
		mode=$(unit_value RuntimeDirectoryMode)
		home=$(getent passwd "$user" | cut -d: -f6)
		install -d -o "$user" -g "$group" -m "${mode:-0755}" "$dir"
		# As systemd runs a unit's command: the user's groups, HOME,
		# no terminal, none of the caller's environment.
		setpriv --reuid="$user" --regid="$group" --init-groups \
		    env -i HOME="$home" USER="$user" LOGNAME="$user" \
		    PATH=/usr/local/bin:/usr/bin:/bin $(unit_value ExecStart) \
		    < /dev/null > "$T/rtorrent.log" 2>&1 3>&- 8>&- 9>&- &
		echo $! > "$IT/pids/rtorrent-recipe"
	}
	stop_unit() {
		local pid
		pid=$(cat "$IT/pids/rtorrent-recipe")
		kill "$pid"
		while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
		rm -f "$IT/pids/rtorrent-recipe"
		rm -rf "/run/$(unit_value RuntimeDirectory)"
	}
	EOF
	declare -f unit_value
	printf 'UNIT=%s T=%s IT=%s\n' "$UNIT" "$T" "$IT"
}

installed() {	# installed PACKAGE...: all of them
	local p
	for p in "$@"; do
		dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null |
		    grep -qx 'install ok installed' || return 1
	done
}

setup() {
	local p
	T=$BATS_TEST_TMPDIR
	[ "$(id -u)" -eq 0 ] || { echo "the steps run as root" >&2; return 1; }
	exec 9> /run/lock/cgi2scgi-rtorrent.lock
	flock -w 900 9
	if getent passwd rtorrent > /dev/null || getent group rtorrent > /dev/null; then
		echo "a user or group rtorrent exists: something here uses it" >&2
		return 1
	fi
	for p in $MADE; do
		if [ -e "$p" ]; then
			echo "$p exists: something here uses it" >&2
			return 1
		fi
	done
	touch "$T/ours"
}

# teardown: after a failure, what the undo would have removed.
teardown() {
	local name pid
	for name in rtorrent-recipe recipe-apache recipe-nginx; do
		[ -e "$IT/pids/$name" ] || continue
		pid=$(cat "$IT/pids/$name")
		kill "$pid" 2>/dev/null
		while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
		rm -f "$IT/pids/$name"
	done
	[ -e "$T/ours" ] || return 0
	if getent passwd rtorrent > /dev/null; then
		deluser --system --remove-home rtorrent > /dev/null 2>&1 || :
	fi
	! getent group rtorrent > /dev/null || delgroup rtorrent > /dev/null 2>&1 || :
	rm -rf $MADE
}

# server NAME COMMAND...: start a web server in its own session, note
# its pid.
server() {
	local name=$1
	shift
	setsid "$@" > "$T/$name.log" 2>&1 3>&- 8>&- 9>&- &
	echo $! > "$IT/pids/$name"
}

# call PORT: POST system.client_version to /RPC2 there, with the
# password and a browser's 3,500-byte cookie; the status.
call() {
	printf '%s' '<?xml version="1.0"?><methodCall><methodName>system.client_version</methodName><params></params></methodCall>' |
	    fetch -u rt:secret -H 'Content-Type: text/xml; charset=UTF-8' \
	    -H "Cookie: c=$(head -c 3498 /dev/zero | tr '\0' x)" \
	    --data-binary @- "http://127.0.0.1:$1/RPC2"
}

@test "the README's rtorrent steps, run word for word as root, start rtorrent as its user on a socket of its group, which Apache and nginx reach with a 3,500-byte cookie; the undo leaves nothing" {
	local pkgs r=$T/root d=$IT/recipe
	{ prelude; steps 1; } > "$T/steps.sh"
	{ prelude; steps 2; } > "$T/undo.sh"
	grep -q '^adduser --system ' "$T/steps.sh"
	grep -q '^systemctl enable --now rtorrent$' "$T/steps.sh"
	grep -q '^deluser --system ' "$T/undo.sh"
	pkgs=$(sed -n 's/^apt-get install -y //p' "$T/steps.sh")
	if [ -n "$pkgs" ] && installed $pkgs; then
		sed -i 's/^apt-get install -y /: &/' "$T/steps.sh"
	fi
	(cd "$TOP" && bash -ex "$T/steps.sh") > "$T/steps.out" 2>&1 ||
	    { cat "$T/steps.out" >&2; return 1; }

	# The unit as systemd would have it.
	mkdir -p "$r/etc/systemd/system" "$r/usr/lib/systemd" "$r/usr/bin"
	cp -a /usr/lib/systemd/system "$r/usr/lib/systemd/"
	cp "$UNIT" "$r/etc/systemd/system/"
	cp /usr/bin/rtorrent "$r/usr/bin/"
	run systemd-analyze verify --root="$r" rtorrent.service
	assert_success
	assert_output ""

	route=rtorrent-recipe
	wait_for /run/rtorrent/rpc.socket 60 || { cat "$T/rtorrent.log" >&2; return 1; }
	expect 'the directory' "$(stat -c '%U:%G %A' /run/rtorrent)" 'rtorrent:rtorrent drwxr-x---'
	expect 'the socket' "$(stat -c '%U:%G %A' /run/rtorrent/rpc.socket)" 'rtorrent:rtorrent srwxrwx---'
	expect "rtorrent's user" "$(ps -o user= -p "$(cat "$IT/pids/rtorrent-recipe")")" rtorrent
	id -nG "$RUN_AS" | grep -qw rtorrent
	# The section's check, word for word but for the bridge's path.
	steps 3 | sed "s|/usr/local/bin/cgi2scgi|$BIN|" > "$T/check.sh"
	grep -q -- '-check -post text/xml /run/rtorrent/rpc.socket$' "$T/check.sh"
	run bash "$T/check.sh"
	assert_success
	assert_line $'Status: 200 OK\r'
	assert_line $'Content-Type: text/xml\r'

	# Apache and nginx, started after www-data joined the group.
	rtorrent_site() {
		sed -e "s|/usr/local/bin/cgi2scgi|$BIN|" \
		    -e "s|/etc/[a-z0-9]*/rtorrent.htpasswd|$IT/rtorrent.htpasswd|" \
		    "$BATS_TEST_DIRNAME/conf/$1"
	}
	rtorrent_site apache-rtorrent.conf > "$d/apache/site.conf"
	rtorrent_site nginx-rtorrent.conf > "$d/nginx/site.conf"
	grep -q 'SCGI_FILE /run/rtorrent/rpc.socket$' "$d/apache/site.conf"
	server recipe-apache /usr/sbin/apache2 -d "$d/apache" -f "$d/apache/httpd.conf" -DFOREGROUND
	server recipe-nginx /usr/sbin/nginx -e "$d/nginx/error.log" -p "$d/nginx" -c "$d/nginx/nginx.conf"
	i=0
	until (exec 7<>"/dev/tcp/127.0.0.1/$PORT_RECIPE_APACHE") 2>/dev/null &&
	    (exec 7<>"/dev/tcp/127.0.0.1/$PORT_RECIPE_NGINX") 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -le 600 ] || { cat "$T"/recipe-*.log "$d/apache/error.log" "$d/nginx/error.log" >&2; return 1; }
		sleep 0.1
	done
	for port in "$PORT_RECIPE_APACHE" "$PORT_RECIPE_NGINX"; do
		code=$(call "$port")
		expect "status on $port" "$code" 200
		grep -qF '<string>0.9.8</string>' "$T/body" ||
		    { cat "$T/body" "$d/apache/error.log" >&2; return 1; }
	done
	for name in recipe-apache recipe-nginx; do
		pid=$(cat "$IT/pids/$name")
		kill "$pid"
		while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
		rm -f "$IT/pids/$name"
	done

	# The undo, word for word: nothing of the steps is left.
	(cd "$TOP" && bash -ex "$T/undo.sh") > "$T/undo.out" 2>&1 ||
	    { cat "$T/undo.out" >&2; return 1; }
	! getent passwd rtorrent
	! getent group rtorrent || { echo "the undo left group rtorrent" >&2; return 1; }
	! id -nG "$RUN_AS" | grep -qw rtorrent
	for p in $MADE; do
		[ ! -e "$p" ] || { echo "the undo left $p" >&2; return 1; }
	done
}
