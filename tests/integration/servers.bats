#!/usr/bin/env bats
# How each real SCGI server answers when asked directly, with no web
# server and no bridge: the README says so, and these check it.

load helper

# first_line ADDRESS: send a GET for /status/200 to the SCGI server at
# ADDRESS (a socket path or 127.0.0.1:port); print its first line.
first_line() {
	perl -MIO::Socket::INET -MIO::Socket::UNIX -e '
	    my $a = shift;
	    my $s = $a =~ m{^/} ? IO::Socket::UNIX->new(Peer => $a) :
		IO::Socket::INET->new(PeerAddr => $a) or die "$a: $!\n";
	    my %h = (REQUEST_METHOD => "GET", PATH_INFO => "/status/200",
		SERVER_PROTOCOL => "HTTP/1.1", SCRIPT_NAME => "/app",
		QUERY_STRING => "", SERVER_NAME => "127.0.0.1",
		SERVER_PORT => "80", REMOTE_ADDR => "127.0.0.1");
	    my $p = "CONTENT_LENGTH\0" . "0\0SCGI\0" . "1\0" .
		join "", map { "$_\0$h{$_}\0" } sort keys %h;
	    print $s length($p), ":", $p, ",";
	    my $line = <$s>;
	    $line =~ s/\r?\n$//;
	    print "$line\n";' "$1"
}

@test "uWSGI's --scgi-socket answers with a Status: line" {
	run first_line "$IT/uwsgi.sock"
	assert_success
	assert_output "Status: 200 OK"
	run first_line "127.0.0.1:$UWSGI_PORT"
	assert_output "Status: 200 OK"
}

@test "uWSGI's --scgi-nph-socket answers with an HTTP/1.1 status line" {
	run first_line "$IT/uwsgi-nph.sock"
	assert_success
	assert_output "HTTP/1.1 200 OK"
	run first_line "127.0.0.1:$UWSGI_NPH_PORT"
	assert_output "HTTP/1.1 200 OK"
}

@test "the libscgi-perl server answers with a Status: line" {
	run first_line "$IT/perl.sock"
	assert_success
	assert_output "Status: 200 OK"
}

# check ARG...: -check as the web servers' user, with the arguments;
# its report in $output, its line in $T/err.
check() {
	status=0
	output=$(runuser -u "$RUN_AS" -- env -i PATH=/usr/bin:/bin \
	    SCRIPT_NAME=/app PATH_INFO=/status/200 "$BIN" -check "$@" \
	    2> "$T/err") || status=$?
}

@test "-check, as the web servers' user, confirms uWSGI and the libscgi-perl server: exit 0 and the Status line" {
	local where
	for where in "$IT/uwsgi.sock" "127.0.0.1 $UWSGI_PORT" "$IT/uwsgi-nph.sock" "$IT/perl.sock"; do
		# shellcheck disable=SC2086
		check $where
		expect "$where: exit" "$status" 0 || { cat "$T/err" >&2; return 1; }
		expect "$where: the head" "$(printf '%s\n' "$output" | tr -d '\r' | sed -n '/^answer:$/{n;p;}')" 'Status: 200 OK'
		printf '%s\n' "$output" | grep -qE '^answered in [0-9]+ ms, with a body of [1-9][0-9]* bytes \(not shown\)$'
	done
}

@test "-check -post confirms rtorrent with an XML-RPC call; a GET, which rtorrent closes on, says so" {
	local xml='<?xml version="1.0"?><methodCall><methodName>system.client_version</methodName></methodCall>'
	status=0
	output=$(printf '%s\n' "$xml" | runuser -u "$RUN_AS" -- "$BIN" -check \
	    -post text/xml "$IT/rtorrent/rpc.socket" 2> "$T/err") || status=$?
	expect exit "$status" 0 || { cat "$T/err" >&2; return 1; }
	printf '%s\n' "$output" | grep -qx $'Status: 200 OK\r'
	printf '%s\n' "$output" | grep -qx $'Content-Type: text/xml\r'
	printf '%s\n' "$output" | grep -q '^request: POST /, a body of 93 bytes, text/xml, '
	check "$IT/rtorrent/rpc.socket"
	expect 'a GET: exit' "$status" 111
	grep -qF 'closed the connection without a response (no body, header block ' "$T/err"
	grep -qF '; rtorrent closes on a request without a body)' "$T/err"
}
