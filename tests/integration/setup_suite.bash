# Starts, once for all of tests/integration, the real programs: Apache
# httpd twice (event MPM with mod_cgid, prefork with mod_cgi), lighttpd
# three times, mini_httpd, busybox httpd, civetweb, uWSGI twice (once
# with its default buffer-size), rtorrent and an SCGI server on
# libscgi-perl, plus three broken backends, the one whose answer
# hosts.bats chooses, and the listeners that hostile.bats's queries
# must never reach.
# Every one is configured here, in a temp dir, listens only on
# 127.0.0.1 or on unix sockets in that dir, and is stopped by its pid.
# A program that is missing or will not start fails the suite: these
# tests never pass by skipping.

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
APACHE=/usr/sbin/apache2
APACHE_MODULES=/usr/lib/apache2/modules
LIGHTTPD=/usr/sbin/lighttpd
MINI_HTTPD=/usr/sbin/mini_httpd
BUSYBOX=/bin/busybox
CIVETWEB=/usr/bin/civetweb
UWSGI=/usr/bin/uwsgi-core
NGINX=/usr/sbin/nginx
FCGIWRAP=/usr/sbin/fcgiwrap
CADDY=/usr/bin/caddy
H2O=/usr/bin/h2o
H2O_CGI=/usr/share/h2o/fastcgi-cgi
PLACKUP=/usr/bin/plackup
RTORRENT=/usr/bin/rtorrent
FAKESCGI=$TOP/tests/fakescgi
export RUN_AS=www-data	# the web servers' user, as on Debian
# In every web server's own environment, for hosts.bats to look for in
# what the server hands a CGI program.
export HOST_OWN_ENV=passed

fail_suite() {
	echo "integration: $*" >&2
	exit 1
}

need() {	# need FILE PACKAGE
	[ -e "$1" ] || fail_suite "$1 is missing: install Debian's $2 (tests/deps.sh does)"
}

# free_ports N: N ports on 127.0.0.1 that nothing listens on, below the
# kernel's ephemeral range, so that no client's connection can take one
# between this check and the server's bind.
free_ports() {
	perl -MIO::Socket::INET -e '
	    my (%seen, @s);
	    while (@s < $ARGV[0]) {
		my $p = 20000 + int(rand(12000));
		next if $seen{$p}++;
		my $s = IO::Socket::INET->new(Listen => 1,
		    LocalAddr => "127.0.0.1:$p") or next;
		push @s, $s;
	    }
	    print join(" ", map { $_->sockport } @s), "\n";' "$1"
}

# started NAME PID: note a server's pid, for wait_until and teardown.
started() {
	echo "$2" > "$IT/pids/$1"
}

# wait_until NAME TEST...: poll TEST until it holds; fail, with NAME's
# log, if NAME dies first or 60 s pass (a loaded machine is slow).
wait_until() {
	local name=$1 i=0
	shift
	until "$@" 2>/dev/null; do
		if ! kill -0 "$(cat "$IT/pids/$name")" 2>/dev/null; then
			cat "$IT/$name.log" "$IT/$name/error.log" \
			    "$IT/$name/server.log" >&2 2>/dev/null
			fail_suite "$name exited while starting"
		fi
		i=$((i + 1))
		[ "$i" -le 600 ] || fail_suite "$name: not ready after 60 s"
		sleep 0.1
	done
}

listening() {	# listening PORT
	(exec 9<>"/dev/tcp/127.0.0.1/$1")
}

# recipe FILE [SOCKET [PORT [SCRIPT]]]: one of the README's snippets
# (conf/FILE) with the example values replaced by this run's.
recipe() {
	sed -e "s|/usr/local/bin/cgi2scgi|$BIN|g" \
	    -e "s|/usr/local/libexec/app|${4:-}|g" \
	    -e "s|/run/app/app.sock|${2:-}|g" \
	    -e "s|/run/app.sock|${2:-}|g" \
	    -e "s|/run/rtorrent/rpc.socket|${2:-}|g" \
	    -e "s|\\b4000\\b|${3:-}|g" "$HERE/conf/$1"
}

# wrapper NAME FILE SOCKET PORT: a README wrapper script, made executable.
wrapper() {
	recipe "$2" "$3" "$4" > "$IT/bin/$1"
	chmod 755 "$IT/bin/$1"
}

make_data() {
	mkdir -p "$IT/data"
	: > "$IT/data/0"
	head -c 1 /dev/urandom > "$IT/data/1"
	head -c 65536 /dev/urandom > "$IT/data/64k"
	head -c 52428800 /dev/urandom > "$IT/data/50m"
	head -c 5242880 "$IT/data/50m" > "$IT/data/5m"
	printf '\0\1garbage\r\n\r\n' > "$IT/data/garbage"
	(cd "$IT/data" && sha256sum 0 1 64k 5m 50m > SHA256SUMS)
}

start_uwsgi() {
	# --die-on-term: uWSGI's SIGTERM otherwise means reload.  Headers
	# over --buffer-size (4 KiB by default) are closed on, unanswered.
	"$UWSGI" --plugin python3 --master --die-on-term \
	    --processes 2 --threads 8 --listen 512 --buffer-size 65535 \
	    --chmod-socket=666 \
	    --scgi-socket "$IT/uwsgi.sock" \
	    --scgi-socket "127.0.0.1:$UWSGI_PORT" \
	    --scgi-nph-socket "$IT/uwsgi-nph.sock" \
	    --scgi-nph-socket "127.0.0.1:$UWSGI_NPH_PORT" \
	    --wsgi-file "$HERE/app.py" --env "DATA=$IT/data" \
	    --logto "$IT/uwsgi.log" 3>&- &
	started uwsgi $!
}

# The same application behind uWSGI as it comes: its buffer-size is
# 4096, and it takes a header block of 4095 bytes less 2 a variable.
# variables.bats.
start_uwsgi_small() {
	"$UWSGI" --plugin python3 --master --die-on-term --processes 1 \
	    --chmod-socket=666 --scgi-socket "$IT/uwsgi-small.sock" \
	    --wsgi-file "$HERE/app.py" --env "DATA=$IT/data" \
	    --logto "$IT/uwsgi-small.log" 3>&- &
	started uwsgi-small $!
}

# Debian's rtorrent with the README's socket lines: as a user of its own
# (nobody here; rtorrent.bats runs the README's steps with the rtorrent
# user), its XML-RPC socket in a directory of the web server's group,
# set-group-ID, so that the socket is that group's, as it is rtorrent's
# group, with www-data in it, under the recipe.
# The rest keeps it off the network: no listening port, no DHT, no PEX.
# system.daemon.set: no terminal, no curses; it stops on SIGTERM.
start_rtorrent() {
	local d=$IT/rtorrent as=()
	mkdir -p "$d" "$IT/rtorrent-session"
	chmod 2750 "$d"
	if [ "$(id -u)" -eq 0 ]; then
		chown nobody:"$RUN_AS" "$d"
		chown nobody "$IT/rtorrent-session"
		as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	fi
	{
		cat <<-EOF
		system.daemon.set = true
		session.path.set = $IT/rtorrent-session
		directory.default.set = $IT/rtorrent-session
		network.port_open.set = no
		dht.mode.set = disable
		protocol.pex.set = no
		trackers.use_udp.set = no
		EOF
		recipe rtorrent.rc "$d/rpc.socket"
	} > "$IT/rtorrent.rc"
	"${as[@]}" env -i HOME="$IT/rtorrent-session" PATH=/usr/bin:/bin \
	    "$RTORRENT" -n -o "import=$IT/rtorrent.rc" < /dev/null \
	    > "$IT/rtorrent.log" 2>&1 3>&- &
	started rtorrent $!
	# The recipe asks for a password: user rt, password secret.
	htpasswd -cb "$IT/rtorrent.htpasswd" rt secret 2> /dev/null
	chmod 644 "$IT/rtorrent.htpasswd"
}

# rtorrent_recipe FILE: the README's recipe for rtorrent (Apache's or
# lighttpd's), with this run's paths.
rtorrent_recipe() {
	recipe "$1" "$IT/rtorrent/rpc.socket" |
	    sed "s|/etc/[a-z0-9]*/rtorrent.htpasswd|$IT/rtorrent.htpasswd|"
}

# relocate PATH LINE: recipe 1 from stdin, for PATH instead of /app,
# with LINE added to its <Location>.
relocate() {
	sed -e "s|^ScriptAlias /app |ScriptAlias $1 |" \
	    -e "s|^<Location \"/app\">|<Location \"$1\">|" \
	    -e "s|^</Location>|    $2\n</Location>|"
}

start_perl() {
	perl "$HERE/app.pl" "$IT/data" "$IT/perl.sock" > "$IT/perl.log" 2>&1 3>&- &
	started perl $!
}

# broken NAME [fakescgi options]: a backend that misbehaves, on a socket.
broken() {
	local name=$1
	shift
	"$FAKESCGI" "$@" "$IT/$name.sock" > "$IT/$name.log" 2>&1 3>&- &
	started "$name" $!
}

# vhost PORT: what follows, up to end_vhost, answers on 127.0.0.1:PORT.
vhost() {
	printf 'Listen 127.0.0.1:%s\n<VirtualHost 127.0.0.1:%s>\n' "$1" "$1"
}
end_vhost() {
	printf '</VirtualHost>\n'
}

# apache_frame DIR MPM CGIMODULE: the server config around the vhosts,
# with Debian's default of serving nothing unless a section says so.
apache_frame() {
	local d=$1
	cat <<-EOF
	ServerRoot $d
	ServerName 127.0.0.1
	PidFile $d/httpd.pid
	DefaultRuntimeDir $d
	Mutex file:$d default
	ErrorLog $d/error.log
	LogLevel warn
	User $RUN_AS
	Group $RUN_AS
	LoadModule mpm_$2_module $APACHE_MODULES/mod_mpm_$2.so
	LoadModule authz_core_module $APACHE_MODULES/mod_authz_core.so
	LoadModule alias_module $APACHE_MODULES/mod_alias.so
	LoadModule env_module $APACHE_MODULES/mod_env.so
	LoadModule $3_module $APACHE_MODULES/mod_$3.so
	<Directory />
	    AllowOverride None
	    Require all denied
	</Directory>
	EOF
	[ "$3" = cgid ] && echo "ScriptSock $d/cgid.sock"
	# 200 requests at once find a worker, not a queue.
	[ "$2" = prefork ] && printf '%s\n' 'StartServers 20' \
	    'MinSpareServers 20' 'MaxSpareServers 250' 'ServerLimit 250' \
	    'MaxRequestWorkers 250'
	return 0
}

# The event MPM with mod_cgid, Debian's default: the four README
# deployments, mod_proxy_scgi to the same uWSGI for comparison, and
# the bridge pointed at backends that are down or broken.
write_apache() {
	local d=$IT/apache
	mkdir -p "$d"
	wrapper app-tcp wrapper-tcp.sh - "$UWSGI_NPH_PORT"
	wrapper app-unix wrapper-unix.sh "$IT/perl.sock"
	{
		apache_frame "$d" event cgid
		echo "LoadModule proxy_module $APACHE_MODULES/mod_proxy.so"
		echo "LoadModule proxy_scgi_module $APACHE_MODULES/mod_proxy_scgi.so"
		echo "LoadModule setenvif_module $APACHE_MODULES/mod_setenvif.so"
		# The rtorrent recipe asks for a password.
		for m in auth_basic authn_core authn_file authz_user; do
			echo "LoadModule ${m}_module $APACHE_MODULES/mod_$m.so"
		done
		vhost "$PORT_FILE"
		recipe apache-file.conf "$IT/uwsgi.sock"
		end_vhost
		vhost "$PORT_TCP"
		recipe apache-tcp.conf - "$UWSGI_PORT"
		end_vhost
		vhost "$PORT_WRAP_TCP"
		recipe apache-wrapper.conf - - "$IT/bin/app-tcp"
		end_vhost
		vhost "$PORT_WRAP_UNIX"
		recipe apache-wrapper.conf - - "$IT/bin/app-unix"
		end_vhost
		vhost "$PORT_PROXY"
		recipe apache-proxy.conf - "$UWSGI_PORT"
		end_vhost
		vhost "$PORT_PROXY_NPH"
		recipe apache-proxy.conf - "$UWSGI_NPH_PORT"
		end_vhost
		# The same recipes, at backends that fail in four ways.
		vhost "$PORT_MISSING"
		recipe apache-file.conf "$IT/missing.sock"
		end_vhost
		vhost "$PORT_CLOSED"
		recipe apache-tcp.conf - "$PORT_UNUSED"
		end_vhost
		vhost "$PORT_CLOSER"
		recipe apache-file.conf "$IT/closer.sock"
		end_vhost
		vhost "$PORT_GARBAGE"
		recipe apache-file.conf "$IT/garbage.sock"
		end_vhost
		# And at one whose answer hosts.bats chooses.
		vhost "$PORT_CTL"
		recipe apache-file.conf "$IT/ctl.sock"
		host_extras
		sendfile_apache
		end_vhost
		# Recipe 1 with the plain build, for the load test.
		vhost "$PORT_LOAD"
		BIN=$IT/bin/cgi2scgi-plain recipe apache-file.conf "$IT/uwsgi.sock"
		end_vhost
		# Recipe 2 pointed at HAProxy, which haproxy.bats starts.
		vhost "$PORT_HAPROXY"
		recipe apache-tcp.conf - "$HAPROXY_PORT"
		end_vhost
		# The rtorrent recipe (variables.bats), then the same without
		# its SCGI_PASS, and without SCGI_MAX_HEADER and SCGI_MAX_BODY
		# too.
		vhost "$PORT_RTORRENT"
		rtorrent_recipe apache-rtorrent.conf
		end_vhost
		vhost "$PORT_RTORRENT_BARE"
		rtorrent_recipe apache-rtorrent.conf | sed '/SCGI_PASS/d'
		end_vhost
		vhost "$PORT_RTORRENT_PLAIN"
		rtorrent_recipe apache-rtorrent.conf |
		    sed '/SCGI_PASS/d; /SCGI_MAX_HEADER/d; /SCGI_MAX_BODY/d'
		end_vhost
		# Recipe 1 to uWSGI as it comes, at /app; at /drop without
		# the cookie, at /pass with only the variables it names.
		vhost "$PORT_UWSGI_SMALL"
		recipe apache-file.conf "$IT/uwsgi-small.sock"
		recipe apache-file.conf "$IT/uwsgi-small.sock" |
		    relocate /drop 'SetEnv SCGI_DROP HTTP_COOKIE'
		recipe apache-file.conf "$IT/uwsgi-small.sock" |
		    relocate /pass 'SetEnv SCGI_PASS "REQUEST_METHOD SCRIPT_NAME PATH_INFO QUERY_STRING SERVER_NAME SERVER_PORT SERVER_PROTOCOL"'
		end_vhost
		# A cgi-bin, and in it a "#!cgi2scgi -f" script, which
		# starts its app the first time it finds none listening.
		vhost "$PORT_SCRIPT"
		printf 'ScriptAlias /cgi-bin/ %s/cgi-bin/\n' "$IT"
		printf '<Directory "%s/cgi-bin">\n    Require all granted\n</Directory>\n' "$IT"
		end_vhost
	} > "$d/httpd.conf"
}

# The README's -f script, in a cgi-bin, for example/hello-scgi: run by
# the web server's user, it starts the app in a directory of its own.
write_script() {
	mkdir -p "$IT/cgi-bin" "$IT/auto"
	cp "$TOP/example/hello-scgi" "$IT/bin/hello-scgi"
	[ "$(id -u)" -ne 0 ] || chown "$RUN_AS" "$IT/auto"
	recipe script.cgi "$IT/auto/app.sock" - "$IT/bin/hello-scgi" \
	    > "$IT/cgi-bin/app"
	chmod 755 "$IT/cgi-bin/app"
}

# Prefork with mod_cgi: deployment 1 once more, under the other module,
# and to the backend whose answer hosts.bats chooses.
write_prefork() {
	local d=$IT/prefork
	mkdir -p "$d"
	{
		apache_frame "$d" prefork cgi
		vhost "$PORT_PREFORK"
		recipe apache-file.conf "$IT/uwsgi.sock"
		end_vhost
		vhost "$PORT_PREFORK_CTL"
		recipe apache-file.conf "$IT/ctl.sock"
		host_extras
		sendfile_apache
		end_vhost
	} > "$d/httpd.conf"
}

# What hosts.bats asks of each web server beside the bridge: a static
# page, /local.txt, for a local redirect to land on, and probe.sh, a
# plain CGI program, at /probe.  Here in an Apache vhost.
host_extras() {
	cat <<-EOF
	DocumentRoot $IT/www
	<Directory "$IT/www">
	    Require all granted
	</Directory>
	ScriptAlias /probe $IT/bin/probe
	<Location "/probe">
	    Require all granted
	</Location>
	EOF
}

# local_page DIR: the page a local redirect lands on, in DIR.
local_page() {
	mkdir -p "$1"
	echo 'the local page' > "$1/local.txt"
}

# The Apache that package.bats starts once it has installed the Debian
# package: the frame here, the vhosts package.bats writes to site.conf
# from what the package installed (its man page's example, its
# app.conf, its conf-available snippet for rtorrent), on PORT_PACKAGE
# and PORT_PACKAGE_CONF.
write_package_apache() {
	local d=$IT/package/apache
	mkdir -p "$d"
	{
		apache_frame "$d" event cgid
		# The package's rtorrent snippet asks for a password.
		for m in auth_basic authn_core authn_file authz_user; do
			echo "LoadModule ${m}_module $APACHE_MODULES/mod_$m.so"
		done
		echo "Include $d/site.conf"
	} > "$d/httpd.conf"
}

# The Apache and nginx that rtorrent.bats starts once the README's steps
# have made the rtorrent user and put www-data in its group: the frames
# here, and in site.conf the README's recipes, on PORT_RECIPE_APACHE and
# PORT_RECIPE_NGINX, to rtorrent's socket where the README puts it.
write_recipe_frames() {
	local d=$IT/recipe
	mkdir -p "$d/apache" "$d/nginx"
	{
		apache_frame "$d/apache" event cgid
		for m in auth_basic authn_core authn_file authz_user; do
			echo "LoadModule ${m}_module $APACHE_MODULES/mod_$m.so"
		done
		vhost "$PORT_RECIPE_APACHE"
		echo "Include $d/apache/site.conf"
		end_vhost
	} > "$d/apache/httpd.conf"
	cp /etc/nginx/scgi_params "$d/nginx/"
	cat > "$d/nginx/nginx.conf" <<-EOF
	daemon off;
	user $RUN_AS;
	pid $d/nginx/nginx.pid;
	error_log $d/nginx/error.log;
	events { }
	http {
	    access_log off;
	    client_body_temp_path $d/nginx/body;
	    scgi_temp_path $d/nginx/scgi;
	    server {
	        listen 127.0.0.1:$PORT_RECIPE_NGINX;
	        include $d/nginx/site.conf;
	    }
	}
	EOF
}

# Apache signals its whole process group as it stops: its own session
# keeps bats out of that group.
start_apache() {	# start_apache NAME
	setsid "$APACHE" -d "$IT/$1" -f "$IT/$1/httpd.conf" -DFOREGROUND \
	    > "$IT/$1.log" 2>&1 3>&- &
	started "$1" $!
}

# write_lighttpd NAME PORT SOCKET [RECIPE]: the README's recipe (conf/
# lighttpd.conf unless RECIPE), to SOCKET, and probe.sh at /probe.  Its
# own log is server.log; error.log is for its CGI programs' stderr.
write_lighttpd() {
	local d=$IT/$1
	mkdir -p "$d/htdocs"
	# As root, lighttpd opens its logs as the user it runs as.
	: > "$d/error.log"
	: > "$d/server.log"
	[ "$(id -u)" -ne 0 ] ||
	    chown "$RUN_AS" "$d" "$d/error.log" "$d/server.log"
	{
		cat <<-EOF
		server.document-root = "$d/htdocs"
		server.bind = "127.0.0.1"
		server.port = $2
		server.errorlog = "$d/server.log"
		server.upload-dirs = ( "$d" )
		server.username = "$RUN_AS"
		server.groupname = "$RUN_AS"
		EOF
		recipe "${4:-lighttpd.conf}" "$3" |
		    sed "s|/etc/lighttpd/rtorrent.htpasswd|$IT/rtorrent.htpasswd|"
		cat <<-EOF
		alias.url += ( "/probe" => "$IT/bin/probe" )
		\$HTTP["url"] =~ "^/probe(/|\$)" {
		    cgi.assign = ( "" => "" )
		}
		EOF
	} > "$d/lighttpd.conf"
}

# lighttpd_extras NAME: for hosts.bats, the page a local redirect lands
# on, at /redir the recipe once more with cgi.local-redir, to the same
# backend, and the CGI programs' stderr in server.breakagelog.  With a
# server.tag of "", as admins who hide the Server field set it: then
# SERVER_SOFTWARE names no lighttpd, and the bridge must not need it to.
lighttpd_extras() {
	local_page "$IT/$1/htdocs"
	cat >> "$IT/$1/lighttpd.conf" <<-EOF
	server.tag = ""
	server.breakagelog = "$IT/$1/error.log"
	alias.url += ( "/redir" => "$BIN" )
	\$HTTP["url"] =~ "^/redir(/|\$)" {
	    cgi.assign = ( "" => "" )
	    setenv.add-environment = ( "SCGI_FILE" => "$IT/ctl.sock" )
	    cgi.local-redir = "enable"
	}
	EOF
}

# lighttpd gives its CGI programs server.breakagelog for stderr, if set,
# else its own stderr (in the foreground, as here and under Debian's
# lighttpd.service): so that goes to error.log unless the configuration
# has a server.breakagelog.
start_lighttpd() {	# start_lighttpd NAME
	local err=$IT/$1/error.log
	! grep -q '^server.breakagelog' "$IT/$1/lighttpd.conf" ||
	    err=$IT/$1.stderr
	"$LIGHTTPD" -D -f "$IT/$1/lighttpd.conf" > "$IT/$1.log" \
	    2>> "$err" 3>&- &
	started "$1" $!
}

# nginx, which needs no bridge: the README's snippet, scgi_pass to
# uWSGI, in a server on PORT_NGINX (uWSGI's --scgi-socket) and one on
# PORT_NGINX_NPH (--scgi-nph-socket).  Debian's scgi_params beside the
# configuration, where its `include scgi_params` finds it.
write_nginx() {
	local d=$IT/nginx pair
	mkdir -p "$d/html"
	cp /etc/nginx/scgi_params /etc/nginx/fastcgi_params "$d/"
	local_page "$d/html"
	{
		cat <<-EOF
		daemon off;
		user $RUN_AS;
		pid $d/nginx.pid;
		error_log $d/error.log;
		events { }
		http {
		    access_log off;
		    root $d/html;
		    client_body_temp_path $d/body;
		    scgi_temp_path $d/scgi;
		EOF
		for pair in "$PORT_NGINX:$IT/uwsgi.sock" \
		    "$PORT_NGINX_NPH:$IT/uwsgi-nph.sock"; do
			printf 'server {\n    listen 127.0.0.1:%s;\n' "${pair%%:*}"
			recipe nginx.conf "${pair#*:}" | sed 's/^/    /'
			printf '}\n'
		done
		# The rtorrent recipe (variables.bats), and the same without
		# scgi_pass_request_headers off.
		printf 'server {\n    listen 127.0.0.1:%s;\n' "$PORT_NGINX_RTORRENT"
		nginx_rtorrent | sed 's/^/    /'
		printf '}\nserver {\n    listen 127.0.0.1:%s;\n' \
		    "$PORT_NGINX_RTORRENT_HEADERS"
		nginx_rtorrent | sed '/scgi_pass_request_headers/d; s/^/    /'
		printf '}\n'
		nginx_fcgiwrap
		echo '}'
	} > "$d/nginx.conf"
}

# nginx_rtorrent: the README's nginx recipe for rtorrent, this run's paths.
nginx_rtorrent() {
	recipe nginx-rtorrent.conf "$IT/rtorrent/rpc.socket" |
	    sed "s|/etc/nginx/rtorrent.htpasswd|$IT/rtorrent.htpasswd|"
}

start_nginx() {
	"$NGINX" -e "$IT/nginx/error.log" -p "$IT/nginx" -c "$IT/nginx/nginx.conf" \
	    > "$IT/nginx.log" 2>&1 3>&- &
	started nginx $!
}

# mini_httpd passes a query's words to a CGI program as its arguments,
# %-decoded and raw, and makes the program's environment from scratch:
# nothing of its own passes, and there is no SetEnv.  So its cgi-bin
# holds the bridge itself as app, with no server to go to, and as ctl
# a README wrapper to the backend whose answer hosts.bats chooses, and
# probe.sh as probe.  It gives a CGI program one pipe for stdout and
# stderr, so that its stderr reaches the client: ctl sends it to
# error.log instead, as a site would; bare is the same wrapper with
# stderr as mini_httpd gives it, where the bridge logs to syslog.
write_mini_httpd() {
	local d=$IT/mini_httpd
	mkdir -p "$d/www/cgi-bin"
	cp "$BIN" "$d/www/cgi-bin/app"
	stderr_to "$d/error.log" "$d/www/cgi-bin/ctl"
	ctl_wrapper "$d/www/cgi-bin/bare"
	cp "$IT/bin/probe" "$d/www/cgi-bin/probe"
	local_page "$d/www"
}

# stderr_to LOG FILE: to FILE, README recipe 4's wrapper to the backend
# whose answer hosts.bats chooses, with its stderr appended to LOG.
stderr_to() {
	recipe wrapper-unix.sh "$IT/ctl.sock" |
	    sed "/^exec /s|\$| 2>>$1|" > "$2"
	chmod 755 "$2"
	: > "$1"
	[ "$(id -u)" -ne 0 ] || chown "$RUN_AS" "$1"
}

start_mini_httpd() {
	"$MINI_HTTPD" -D -h 127.0.0.1 -p "$PORT_MINI" -d "$IT/mini_httpd/www" \
	    -c 'cgi-bin/*' -u "$RUN_AS" -l "$IT/mini_httpd/access.log" \
	    > "$IT/mini_httpd.log" 2>&1 3>&- &
	started mini_httpd $!
}

# busybox httpd passes a CGI program no arguments, and its own
# environment whole: so it starts with nothing in it but PATH and
# SCGI_FILE, which names uWSGI's socket (recipe 1, as it were), and
# its cgi-bin holds the bridge itself as app; and as ctl recipe 4's
# wrapper to the backend whose answer hosts.bats chooses, and probe.sh
# as probe.  A CGI program's stderr is busybox's own: error.log.
write_busybox() {
	local d=$IT/busybox
	mkdir -p "$d/www/cgi-bin"
	cp "$BIN" "$d/www/cgi-bin/app"
	ctl_wrapper "$d/www/cgi-bin/ctl"
	cp "$IT/bin/probe" "$d/www/cgi-bin/probe"
	local_page "$d/www"
	: > "$d/httpd.conf"	# else it reads /etc/httpd.conf
}

start_busybox() {
	env -i PATH=/usr/bin:/bin SCGI_FILE="$IT/uwsgi.sock" \
	    HOST_OWN_ENV="$HOST_OWN_ENV" \
	    "$BUSYBOX" httpd -f -p "127.0.0.1:$PORT_BUSYBOX" \
	    -h "$IT/busybox/www" -c "$IT/busybox/httpd.conf" -u "$RUN_AS" \
	    > "$IT/busybox.log" 2> "$IT/busybox/error.log" 3>&- &
	started busybox $!
}

# civetweb runs as CGI programs the files that match -cgi_pattern, with
# no arguments, the variables of -cgi_environment, and of its own
# environment PATH only.  Once a program has sent a head, civetweb
# throws its stderr away (before that, it logs it and sends it to the
# client): so in its cgi-bin ctl.cgi is recipe 4's wrapper with stderr
# to error.log, as for mini_httpd, and bare.cgi the bridge itself, with
# SCGI_FILE from -cgi_environment, both to the backend whose answer
# hosts.bats chooses; probe.cgi is probe.sh.  Its own log is server.log.
write_civetweb() {
	local d=$IT/civetweb
	mkdir -p "$d/www/cgi-bin"
	cp "$BIN" "$d/www/cgi-bin/bare.cgi"
	stderr_to "$d/error.log" "$d/www/cgi-bin/ctl.cgi"
	cp "$IT/bin/probe" "$d/www/cgi-bin/probe.cgi"
	local_page "$d/www"
	# It opens its log at each line, as the user it runs as.
	: > "$d/server.log"
	[ "$(id -u)" -ne 0 ] || chown "$RUN_AS" "$d/server.log"
}

start_civetweb() {
	local user=()
	[ "$(id -u)" -ne 0 ] || user=(-run_as_user "$RUN_AS")
	"$CIVETWEB" -listening_ports "127.0.0.1:$PORT_CIVETWEB" \
	    -document_root "$IT/civetweb/www" -cgi_pattern '**.cgi$' \
	    -cgi_environment "SCGI_FILE=$IT/ctl.sock" -num_threads 8 \
	    -error_log_file "$IT/civetweb/server.log" "${user[@]}" \
	    > "$IT/civetweb.log" 2>&1 3>&- &
	started civetweb $!
}

# as_run_as COMMAND... &: become COMMAND, as the web servers' user when
# we are root, as its service would run it.  Only in the background:
# $! must be the server's own pid, for teardown_suite to stop it.
as_run_as() {
	if [ "$(id -u)" -eq 0 ]; then
		exec setpriv --reuid="$RUN_AS" --regid="$RUN_AS" \
		    --init-groups -- "$@"
	fi
	exec "$@"
}

# ctl_wrapper FILE: recipe 4's wrapper to the backend whose answer
# hosts.bats chooses, as FILE.
ctl_wrapper() {
	recipe wrapper-unix.sh "$IT/ctl.sock" > "$1"
	chmod 755 "$1"
}

# serve NAME COMMAND...: a host that is a program of its own, started
# as the web servers' user with nothing of our environment, its stderr
# (and so its CGI programs') to NAME/error.log.
serve() {
	local name=$1
	shift
	as_run_as env -i PATH=/usr/bin:/bin HOST_OWN_ENV="$HOST_OWN_ENV" \
	    "$@" > "$IT/$name.log" 2> "$IT/$name/error.log" 3>&- &
	started "$name" $!
}

# fcgiwrap, as Debian's fcgiwrap.service runs it (-f), for nginx and
# Caddy: it runs SCRIPT_FILENAME with the FastCGI parameters for
# environment, and its own beside them; -f sends a program's stderr to
# the web server, which logs it.  One process (-c 1): its forks would
# outlive a SIGTERM, and requests here come one at a time.
start_fcgiwrap() {
	mkdir -p "$IT/fcgiwrap"
	[ "$(id -u)" -ne 0 ] || chown "$RUN_AS" "$IT/fcgiwrap"
	as_run_as env -i PATH=/usr/bin:/bin HOST_OWN_ENV="$HOST_OWN_ENV" \
	    "$FCGIWRAP" -f -c 1 -s "unix:$IT/fcgiwrap/fcgiwrap.sock" \
	    > "$IT/fcgiwrap.log" 2>&1 3>&- &
	started fcgiwrap $!
}

# fcgi_recipe CONF: the README's nginx or Caddy recipe for fcgiwrap,
# to the backend whose answer hosts.bats chooses.
fcgi_recipe() {
	recipe "$1" "$IT/ctl.sock" |
	    sed "s|/run/fcgiwrap.socket|$IT/fcgiwrap/fcgiwrap.sock|"
}

# nginx and fcgiwrap: the README's recipe at /app, probe.sh at /probe,
# in a server of its own in write_nginx's nginx.conf.
nginx_fcgiwrap() {
	cat <<-EOF
	server {
	    listen 127.0.0.1:$PORT_NGINX_CGI;
	$(fcgi_recipe nginx-fcgiwrap.conf | sed 's/^/    /')
	    location /probe {
	        fastcgi_split_path_info ^(/probe)(.*)\$;
	        include fastcgi_params;
	        fastcgi_param SCRIPT_FILENAME $IT/bin/probe;
	        fastcgi_param PATH_INFO \$fastcgi_path_info;
	        fastcgi_pass unix:$IT/fcgiwrap/fcgiwrap.sock;
	    }
	}
	EOF
}

# Caddy and fcgiwrap: the README's recipe, probe.sh at /probe, no admin
# endpoint; its log, with what fcgiwrap passes of a program's stderr,
# is error.log.
write_caddy() {
	local d=$IT/caddy
	mkdir -p "$d/www"
	local_page "$d/www"
	{
		printf '{\n    admin off\n    log {\n        output file %s\n    }\n}\n' \
		    "$d/error.log"
		printf 'http://127.0.0.1:%s {\n    root * %s\n' "$PORT_CADDY" "$d/www"
		fcgi_recipe caddy-fcgiwrap.conf | sed 's/^/    /'
		cat <<-EOF
		    handle /probe* {
		        reverse_proxy unix/$IT/fcgiwrap/fcgiwrap.sock {
		            transport fastcgi {
		                split /probe
		                env SCRIPT_FILENAME $IT/bin/probe
		            }
		        }
		    }
		    file_server
		}
		EOF
	} > "$d/Caddyfile"
	: > "$d/error.log"
	[ "$(id -u)" -ne 0 ] || chown -R "$RUN_AS" "$d"
}

start_caddy() {
	as_run_as env -i PATH=/usr/bin:/bin HOME="$IT/caddy" \
	    XDG_DATA_HOME="$IT/caddy" XDG_CONFIG_HOME="$IT/caddy" \
	    "$CADDY" run --adapter caddyfile --config "$IT/caddy/Caddyfile" \
	    > "$IT/caddy.log" 2>&1 3>&- &
	started caddy $!
}

# Python's http.server --cgi, for development only: cgi-bin/ctl is
# recipe 4's wrapper, cgi-bin/probe probe.sh.  As root it runs a CGI
# program as nobody; the program's stderr is the server's: error.log.
write_http_server() {
	local d=$IT/http_server
	mkdir -p "$d/www/cgi-bin"
	ctl_wrapper "$d/www/cgi-bin/ctl"
	cp "$IT/bin/probe" "$d/www/cgi-bin/probe"
	local_page "$d/www"
}

start_http_server() {
	(cd "$IT/http_server/www" && exec env -i PATH=/usr/bin:/bin \
	    HOST_OWN_ENV="$HOST_OWN_ENV" python3 -W ignore -m http.server \
	    --cgi --bind 127.0.0.1 "$PORT_HTTP_SERVER") \
	    > "$IT/http_server.log" 2> "$IT/http_server/error.log" 3>&- &
	started http_server $!
}

# H2O, with the README's recipe: its fastcgi-cgi runs cgi-bin/ctl.cgi,
# recipe 4's wrapper, and probe.cgi, probe.sh.  A program's stderr is
# H2O's error log.
write_h2o() {
	local d=$IT/h2o
	mkdir -p "$d/cgi-bin"
	ctl_wrapper "$d/cgi-bin/ctl.cgi"
	cp "$IT/bin/probe" "$d/cgi-bin/probe.cgi"
	local_page "$d/www"
	{
		[ "$(id -u)" -ne 0 ] || echo "user: $RUN_AS"
		cat <<-EOF
		pid-file: $d/h2o.pid
		error-log: $d/error.log
		hosts:
		  default:
		    listen:
		      host: 127.0.0.1
		      port: $PORT_H2O
		    paths:
		      /:
		        file.dir: $d/www
		EOF
		recipe h2o.conf | sed -e "s|/usr/local/lib/cgi-bin|$d/cgi-bin|" \
		    -e 's/^/      /'
	} > "$d/h2o.conf"
	: > "$d/error.log"
	[ "$(id -u)" -ne 0 ] || chown -R "$RUN_AS" "$d"
}

start_h2o() {
	env -i PATH=/usr/bin:/bin HOST_OWN_ENV="$HOST_OWN_ENV" \
	    "$H2O" -c "$IT/h2o/h2o.conf" > "$IT/h2o.log" 2>&1 3>&- &
	started h2o $!
}

# Plack's WrapCGI under plackup's own server: the README's app.psgi,
# with recipe 4's wrapper as the script, and probe.sh at /probe.  A
# program's stderr is plackup's: error.log.
write_plack() {
	local d=$IT/plack
	mkdir -p "$d"
	ctl_wrapper "$d/ctl"
	recipe plack-wrapcgi.psgi "" "" "$d/ctl" |
	    sed "s|^    mount|    mount \"/probe\" => Plack::App::WrapCGI->new(\n        script => \"$IT/bin/probe\", execute => 1)->to_app;\n    mount|" \
	    > "$d/app.psgi"
}

start_plack() {
	serve plack "$PLACKUP" -s HTTP::Server::PSGI --host 127.0.0.1 \
	    --port "$PORT_PLACK" "$IT/plack/app.psgi"
}

# Twisted's twcgi, with the README's server: recipe 4's wrapper at
# /app, probe.sh at /probe.  A program's stderr goes to Twisted's log,
# its stderr: error.log.
write_twisted() {
	local d=$IT/twisted
	mkdir -p "$d/www"
	local_page "$d/www"
	ctl_wrapper "$d/ctl"
	recipe twisted-cgi.py "" "" "$d/ctl" | sed \
	    -e "s|/var/www/html|$d/www|" -e "s|8080|$PORT_TWISTED|" \
	    -e "s|^root.putChild(b\"app\".*|&\nroot.putChild(b\"probe\", Script(\"$IT/bin/probe\"))|" \
	    > "$d/serve.py"
}

start_twisted() {
	serve twisted /usr/bin/python3 "$IT/twisted/serve.py"
}

# Ruby's WEBrick, with the README's server: recipe 4's wrapper at /app,
# probe.sh at /probe; a program's stderr is WEBrick's: error.log.
write_webrick() {
	local d=$IT/webrick
	mkdir -p "$d/www"
	local_page "$d/www"
	ctl_wrapper "$d/ctl"
	recipe webrick-cgi.rb "" "" "$d/ctl" | sed \
	    -e "s|/var/www/html|$d/www|" -e "s|8080|$PORT_WEBRICK|" \
	    -e "s|^server.mount(\"/app\".*|&\nserver.mount(\"/probe\", WEBrick::HTTPServlet::CGIHandler, \"$IT/bin/probe\")|" \
	    > "$d/serve.rb"
}

start_webrick() {
	serve webrick ruby "$IT/webrick/serve.rb"
}

# Go's net/http/cgi, the README's program built here: recipe 4's wrapper
# at /app/, probe.sh at /probe/; a program's stderr is the server's.
write_go() {
	local d=$IT/go
	mkdir -p "$d"
	ctl_wrapper "$d/ctl"
	recipe go-cgi.go "" "" "$d/ctl" | sed -e "s|8080|$PORT_GO|" \
	    -e "s|^	http.Handle(\"/app/\".*|&\n	http.Handle(\"/probe/\", \&cgi.Handler{Path: \"$IT/bin/probe\", Root: \"/probe\"})|" \
	    > "$d/host.go"
	env -i PATH=/usr/bin:/bin HOME="$d" GOCACHE="$d/cache" GO111MODULE=off \
	    go build -o "$d/host" "$d/host.go" ||
	    fail_suite "go build of $d/host.go failed"
}

start_go() {
	serve go "$IT/go/host"
}

# webfs runs the programs in its -x directory, for GET only: cgi-bin/ctl
# is recipe 4's wrapper, cgi-bin/probe probe.sh.  A program's stderr
# is /dev/null: ctl sends the bridge's to error.log, as a site would.
write_webfs() {
	local d=$IT/webfs
	mkdir -p "$d/www/cgi-bin"
	stderr_to "$d/error.log" "$d/www/cgi-bin/ctl"
	cp "$IT/bin/probe" "$d/www/cgi-bin/probe"
	local_page "$d/www"
}

start_webfs() {
	local user=()
	[ "$(id -u)" -ne 0 ] || user=(-u "$RUN_AS" -g "$RUN_AS")
	env -i PATH=/usr/bin:/bin HOST_OWN_ENV="$HOST_OWN_ENV" \
	    webfsd -F -i 127.0.0.1 -p "$PORT_WEBFS" -r "$IT/webfs/www" \
	    -x /cgi-bin/ "${user[@]}" > "$IT/webfs.log" 2>&1 3>&- &
	started webfs $!
}

# mighttpd2 runs what its route file maps with "=>": cgi-bin/ctl, recipe
# 4's wrapper, and cgi-bin/probe, probe.sh.  A program's stderr is
# mighty's: error.log.
write_mighty() {
	local d=$IT/mighty user
	user=$(id -un)
	[ "$(id -u)" -ne 0 ] || user=$RUN_AS
	mkdir -p "$d/www/cgi-bin"
	ctl_wrapper "$d/www/cgi-bin/ctl"
	cp "$IT/bin/probe" "$d/www/cgi-bin/probe"
	local_page "$d/www"
	cat > "$d/mighty.conf" <<-EOF
	Port: $PORT_MIGHTY
	Host: 127.0.0.1
	Debug_Mode: Yes
	User: $user
	Group: $(id -gn "$user")
	Pid_File: $d/mighty.pid
	Logging: No
	Log_File: $d/access.log
	Log_File_Size: 16777216
	Log_Backup_Number: 1
	Index_File: index.html
	Index_Cgi: index.cgi
	Status_File_Dir: $d
	Connection_Timeout: 30
	Proxy_Timeout: 0
	Fd_Cache_Duration: 10
	Service: 0
	Tls_Port: 443
	Tls_Cert_File: cert.pem
	Tls_Key_File: privkey.pem
	Server_Name: Mighttpd/4
	EOF
	printf '[*]\n/cgi-bin/ => %s/www/cgi-bin/\n/ -> %s/www/\n' "$d" "$d" \
	    > "$d/mighty.route"
}

start_mighty() {
	env -i PATH=/usr/bin:/bin HOST_OWN_ENV="$HOST_OWN_ENV" \
	    mighty "$IT/mighty/mighty.conf" "$IT/mighty/mighty.route" \
	    > "$IT/mighty.log" 2> "$IT/mighty/error.log" 3>&- &
	started mighty $!
}

# X-Sendfile: a backend whose head sendfile.bats writes (fakescgi -r
# $IT/sendfile.reply), and the bridge serving its X-Sendfile from
# $IT/data: under Apache the README's X-Sendfile recipe (recipe 1 plus
# SetEnv SCGI_SENDFILE) at /sendfile of the ctl vhosts, event with
# mod_cgid and prefork with mod_cgi; under busybox
# httpd cgi-bin/sendfile, a wrapper with -sendfile.
sendfile_apache() {
	recipe apache-sendfile.conf "$IT/sendfile.sock" | sed \
	    -e 's|^ScriptAlias /app |ScriptAlias /sendfile |' \
	    -e 's|<Location "/app">|<Location "/sendfile">|' \
	    -e "s|/srv/files|$IT/data|"
}

start_sendfile() {
	printf 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok\n' \
	    > "$IT/sendfile.reply"
	broken sendfile -r "$IT/sendfile.reply"
	printf '#!/bin/sh\nexec %s -sendfile %s %s\n' "$BIN" "$IT/data" \
	    "$IT/sendfile.sock" > "$IT/busybox/www/cgi-bin/sendfile"
	chmod 755 "$IT/busybox/www/cgi-bin/sendfile"
}

# What hostile.bats's queries must never reach.  Listeners on a port and
# on two unix sockets, one with a quote and two backslashes in its name,
# record each connection in evil-rec/NAME.  evil/, where the web servers'
# user may write, holds an app that would leave app-ran there and a -f
# file naming the port: so a bridge that obeyed a query could do all it
# can, and the tests need only look for what is new in evil/.
write_evil() {
	local d=$IT/evil
	mkdir -p "$d"
	printf '#!/bin/sh\ntouch %s/app-ran\n' "$d" > "$d/app"
	chmod 755 "$d/app"
	printf -- '-connect 127.0.0.1:%s\n' "$EVIL_PORT" > "$d/args"
	[ "$(id -u)" -ne 0 ] || chown "$RUN_AS" "$d"
}

evil() {	# evil NAME TARGET: a listener that records each connection
	mkdir -p "$IT/evil-rec/$1"
	"$FAKESCGI" -o "$IT/evil-rec/$1" "$2" > "$IT/evil-$1.log" 2>&1 3>&- &
	started "evil-$1" $!
}

setup_suite() {
	need "$APACHE" apache2
	need "$APACHE_MODULES/mod_proxy_scgi.so" apache2-bin
	need "$LIGHTTPD" lighttpd
	need "$MINI_HTTPD" mini-httpd
	need "$BUSYBOX" busybox
	need "$CIVETWEB" civetweb
	need "$UWSGI" uwsgi-core
	need /usr/lib/uwsgi/plugins/python3_plugin.so uwsgi-plugin-python3
	need /usr/share/perl5/SCGI.pm libscgi-perl
	need /usr/sbin/haproxy haproxy
	need "$NGINX" nginx
	need "$FCGIWRAP" fcgiwrap
	need "$CADDY" caddy
	need "$H2O_CGI" h2o
	need "$PLACKUP" libplack-perl
	need /usr/lib/python3/dist-packages/twisted python3-twisted
	need /usr/bin/ruby ruby
	ruby -rwebrick -e 1 2>/dev/null ||
	    fail_suite "no WEBrick: install Debian's ruby-webrick (tests/deps.sh does)"
	need /usr/bin/go golang-go
	need /usr/bin/webfsd webfs
	need /usr/bin/mighty mighttpd2
	need "$RTORRENT" rtorrent
	need /usr/bin/htpasswd apache2-utils
	[ -x "$FAKESCGI" ] || fail_suite "$FAKESCGI is missing: make check builds it"
	id "$RUN_AS" >/dev/null 2>&1 || fail_suite "no user $RUN_AS"

	# The web servers' user must reach everything here: so /tmp, not
	# a TMPDIR that may sit in root's home.
	IT=$(mktemp -d /tmp/cgi2scgi-integ.XXXXXX)
	chmod 755 "$IT"
	export IT
	mkdir -p "$IT/bin" "$IT/pids"
	BIN=$IT/bin/cgi2scgi
	cp "${CGI2SCGI:-$TOP/cgi2scgi}" "$BIN"
	cp "$TOP/cgi2scgi" "$IT/bin/cgi2scgi-plain"
	export BIN

	set -- $(free_ports 51)
	[ $# -eq 51 ] || fail_suite "could not find 51 free ports"
	export PORT_FILE=$1 PORT_TCP=$2 PORT_WRAP_TCP=$3 PORT_WRAP_UNIX=$4 \
	    PORT_PREFORK=$5 PORT_LIGHTTPD=$6 PORT_PROXY=$7 PORT_PROXY_NPH=$8 \
	    PORT_MISSING=$9 PORT_CLOSED=${10} PORT_CLOSER=${11} \
	    PORT_GARBAGE=${12} UWSGI_PORT=${13} UWSGI_NPH_PORT=${14} \
	    PORT_UNUSED=${15} PORT_SCRIPT=${16} PORT_LOAD=${17} \
	    PORT_HAPROXY=${18} HAPROXY_PORT=${19} APP1_PORT=${20} APP2_PORT=${21} \
	    PORT_PACKAGE=${22} \
	    PORT_MINI=${23} PORT_BUSYBOX=${24} PORT_CTL=${25} \
	    PORT_LIGHTTPD_CTL=${26} EVIL_PORT=${27} PORT_PACKAGE_CONF=${28} \
	    PORT_NGINX=${29} PORT_NGINX_NPH=${30} PORT_PREFORK_CTL=${31} \
	    PORT_CIVETWEB=${32} \
	    PORT_RTORRENT=${33} PORT_RTORRENT_BARE=${34} PORT_RTORRENT_PLAIN=${35} \
	    PORT_LIGHTTPD_RTORRENT=${36} PORT_UWSGI_SMALL=${37} \
	    PORT_NGINX_RTORRENT=${38} PORT_NGINX_RTORRENT_HEADERS=${39} \
	    PORT_RECIPE_APACHE=${40} PORT_RECIPE_NGINX=${41} \
	    PORT_NGINX_CGI=${42} PORT_CADDY=${43} PORT_HTTP_SERVER=${44} \
	    PORT_H2O=${45} PORT_PLACK=${46} PORT_TWISTED=${47} \
	    PORT_WEBRICK=${48} PORT_GO=${49} PORT_WEBFS=${50} PORT_MIGHTY=${51}
	export EVIL_DIR=$IT/evil EVIL_SOCK=$IT/evil/evil.sock
	export EVIL_ODD=$IT/evil/"e'v"'\\'"il.sock"

	make_data
	start_uwsgi
	start_uwsgi_small
	start_rtorrent
	start_perl
	broken closer -m close
	broken garbage -r "$IT/data/garbage"
	# hosts.bats writes the reply, read anew for each request, and
	# reads what the backend got in ctl-rec/.
	printf 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok\n' \
	    > "$IT/ctl.reply"
	mkdir "$IT/ctl-rec"
	broken ctl -o "$IT/ctl-rec" -r "$IT/ctl.reply"
	write_evil
	evil tcp "127.0.0.1:$EVIL_PORT"
	evil unix "$EVIL_SOCK"
	evil odd "$EVIL_ODD"
	write_script
	cp "$HERE/probe.sh" "$IT/bin/probe"
	local_page "$IT/www"
	write_apache
	write_prefork
	write_package_apache
	write_recipe_frames
	write_lighttpd lighttpd "$PORT_LIGHTTPD" "$IT/uwsgi-nph.sock"
	write_lighttpd lighttpd-ctl "$PORT_LIGHTTPD_CTL" "$IT/ctl.sock"
	lighttpd_extras lighttpd-ctl
	write_lighttpd lighttpd-rtorrent "$PORT_LIGHTTPD_RTORRENT" \
	    "$IT/rtorrent/rpc.socket" lighttpd-rtorrent.conf
	write_mini_httpd
	write_busybox
	write_civetweb
	start_sendfile
	write_nginx
	write_caddy
	write_http_server
	write_h2o
	write_plack
	write_twisted
	write_webrick
	write_go
	write_webfs
	write_mighty
	start_apache apache
	start_apache prefork
	start_lighttpd lighttpd
	start_lighttpd lighttpd-ctl
	start_lighttpd lighttpd-rtorrent
	start_mini_httpd
	start_busybox
	start_civetweb
	start_nginx
	start_fcgiwrap
	start_caddy
	start_http_server
	start_h2o
	start_plack
	start_twisted
	start_webrick
	start_go
	start_webfs
	start_mighty

	wait_until uwsgi listening "$UWSGI_PORT"
	wait_until uwsgi listening "$UWSGI_NPH_PORT"
	wait_until uwsgi test -S "$IT/uwsgi.sock" -a -S "$IT/uwsgi-nph.sock"
	wait_until uwsgi-small test -S "$IT/uwsgi-small.sock"
	wait_until rtorrent test -S "$IT/rtorrent/rpc.socket"
	wait_until perl test -S "$IT/perl.sock"
	wait_until closer test -S "$IT/closer.sock"
	wait_until garbage test -S "$IT/garbage.sock"
	wait_until ctl test -S "$IT/ctl.sock"
	wait_until evil-tcp listening "$EVIL_PORT"
	wait_until evil-unix test -S "$EVIL_SOCK"
	wait_until evil-odd test -S "$EVIL_ODD"
	chmod 666 "$IT/closer.sock" "$IT/garbage.sock" "$IT/ctl.sock" \
	    "$EVIL_SOCK" "$EVIL_ODD"
	wait_until apache listening "$PORT_GARBAGE"
	wait_until apache listening "$PORT_CTL"
	wait_until prefork listening "$PORT_PREFORK"
	wait_until prefork listening "$PORT_PREFORK_CTL"
	wait_until lighttpd listening "$PORT_LIGHTTPD"
	wait_until lighttpd-ctl listening "$PORT_LIGHTTPD_CTL"
	wait_until lighttpd-rtorrent listening "$PORT_LIGHTTPD_RTORRENT"
	wait_until apache listening "$PORT_UWSGI_SMALL"
	wait_until mini_httpd listening "$PORT_MINI"
	wait_until busybox listening "$PORT_BUSYBOX"
	wait_until civetweb listening "$PORT_CIVETWEB"
	wait_until sendfile test -S "$IT/sendfile.sock"
	chmod 666 "$IT/sendfile.sock"
	wait_until nginx listening "$PORT_NGINX_NPH"
	wait_until nginx listening "$PORT_NGINX_RTORRENT_HEADERS"
	wait_until fcgiwrap test -S "$IT/fcgiwrap/fcgiwrap.sock"
	wait_until caddy listening "$PORT_CADDY"
	wait_until http_server listening "$PORT_HTTP_SERVER"
	wait_until h2o listening "$PORT_H2O"
	wait_until plack listening "$PORT_PLACK"
	wait_until twisted listening "$PORT_TWISTED"
	wait_until webrick listening "$PORT_WEBRICK"
	wait_until go listening "$PORT_GO"
	wait_until webfs listening "$PORT_WEBFS"
	wait_until mighty listening "$PORT_MIGHTY"
}

teardown_suite() {
	local f pid i
	[ -n "${IT:-}" ] && [ -d "$IT/pids" ] || return 0
	for f in "$IT"/pids/*; do
		kill "$(cat "$f")" 2>/dev/null
	done
	# The apps the -f script started, detached from every request.
	pkill -f "^$IT/bin/hello-scgi" 2>/dev/null
	# Ports and sockets are free again once each has exited.
	for f in "$IT"/pids/*; do
		pid=$(cat "$f")
		i=0
		while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 300 ]; do
			i=$((i + 1))
			sleep 0.1
		done
	done
	rm -rf "$IT"
}
