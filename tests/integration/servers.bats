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
