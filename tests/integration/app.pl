#!/usr/bin/perl
# An SCGI server on Debian's libscgi-perl (SCGI.pm) for the integration
# tests: the same paths and answers as app.py, in CGI style ("Status:").
#
#	perl app.pl DATA SOCKET
#
# One child per connection, as SCGI.pm serves one at a time and the
# tests send 200 at once.
use strict;
use warnings;
use Digest::SHA;
use File::Basename qw(basename);
use IO::Socket::UNIX;
use POSIX qw(WNOHANG);
use SCGI;
use Time::HiRes qw(sleep time);

my ($data, $path) = @ARGV;
my %reason = (200 => 'OK', 201 => 'Created', 204 => 'No Content',
    302 => 'Found', 404 => 'Not Found', 500 => 'Internal Server Error');

# The web server's user connects: the socket is writable by all from
# the moment it exists.
unlink $path;
my $umask = umask 0;
my $listen = IO::Socket::UNIX->new(Local => $path, Listen => 256)
    or die "app.pl: $path: $!\n";
umask $umask;
$SIG{TERM} = sub { exit 0 };
$SIG{CHLD} = sub { 1 while waitpid(-1, WNOHANG) > 0 };

my $scgi = SCGI->new($listen, blocking => 1);
while (1) {
	my $request = $scgi->accept or next;	# EINTR from SIGCHLD
	my $pid = fork;
	if (defined $pid && $pid == 0) {
		$SIG{CHLD} = 'DEFAULT';
		serve($request);
		exit 0;
	}
	$request->close;
}

sub serve {
	my ($request) = @_;
	$request->read_env;
	my $env = $request->env;
	my $c = $request->connection;
	my @path = split m{/}, $env->{PATH_INFO} // '', -1;
	my $what = $path[1] // '';
	my $method = $env->{REQUEST_METHOD};
	my ($status, @head, $body) = (200);
	if ($what eq 'env') {
		@head = ('Content-Type: text/plain');
		$body = join '', map { "$_=$env->{$_}\n" } sort keys %$env;
	} elsif ($what eq 'body') {
		my ($sha, $n, $left) = (Digest::SHA->new(256), 0,
		    $env->{CONTENT_LENGTH});
		while ($left > 0) {
			my $got = read $c, my $buf, $left > 65536 ? 65536 : $left;
			last unless $got;
			$sha->add($buf);
			$n += $got;
			$left -= $got;
		}
		@head = ('Content-Type: text/plain');
		$body = "$method $n " . $sha->hexdigest . "\n";
	} elsif ($what eq 'status') {
		$status = $path[2];
		push @head, 'Location: http://example.org/moved' if $status == 302;
		if ($status != 204) {
			push @head, 'Content-Type: text/plain';
			$body = "status $status\n";
		}
	} elsif ($what eq 'headers') {
		@head = ('Content-Type: text/plain', 'X-Custom-One: 1',
		    'X-Custom-Two: two words', 'Set-Cookie: a=1; Path=/',
		    'Set-Cookie: b=2; Path=/', 'Cache-Control: no-store');
		$body = "headers\n";
	} elsif ($what eq 'file') {
		my $name = "$data/" . basename($path[2]);
		open my $f, '<:raw', $name or die "app.pl: $name: $!\n";
		reply($c, $status, $method, 'Content-Type: application/octet-stream',
		    'Content-Length: ' . -s $name);
		my $buf;
		print $c $buf while read $f, $buf, 65536;
		return;
	} elsif ($what eq 'stream') {
		reply($c, $status, $method, 'Content-Type: text/event-stream',
		    'Cache-Control: no-cache');
		$c->autoflush(1);
		print $c "data: first\n\n";
		# As in app.py: the test makes the file on seeing the event.
		my $go = "$data/go-" . ($env->{QUERY_STRING} // '');
		my $deadline = time + 60;
		sleep 0.01 while !-e $go && time < $deadline;
		print $c "data: second\n\n";
		return;
	} else {
		$status = 404;
		@head = ('Content-Type: text/plain');
		$body = "no such path: " . ($env->{PATH_INFO} // "") . "\n";
	}
	reply($c, $status, $method, @head);
	print $c $body if defined $body;
}

sub reply {
	my ($c, $status, $method, @head) = @_;
	binmode $c;
	print $c "Status: $status $reason{$status}\r\n";
	print $c "X-Method: $method\r\n";
	print $c "$_\r\n" for @head;
	print $c "\r\n";
}
