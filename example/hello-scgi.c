/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * hello-scgi: a small SCGI application to read as an example of the
 * protocol.  It answers each request with the headers and body it got.
 *
 *	cc -I. -o example/hello-scgi example/hello-scgi.c netstring.c
 *	example/hello-scgi /tmp/hello.sock &
 *	SCGI_FILE=/tmp/hello.sock REQUEST_METHOD=GET ./cgi2scgi
 *
 * Without a socket path it serves the listening socket it was started
 * with, as "cgi2scgi -start" hands it over: fd 3 under systemd's
 * socket-activation convention (LISTEN_FDS=1, LISTEN_PID its pid), or
 * else fd 0, as cgi-fcgi does.
 */

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netstring.h"

#define MAX_HEADER	(64 * 1024)	/* SCGI sets none; cgi2scgi's cap */
#define SHOW_BODY	1024		/* echo bodies shorter than this */

static const char	*sock_path;	/* unlinked on exit */

/* A signal handler may call only async-signal-safe functions: these are. */
static void
on_signal(int sig)
{
	(void)sig;
	if (sock_path != NULL)
		unlink(sock_path);
	_exit(0);
}

/* The listening socket we were given: fd 3 by socket activation, or 0. */
static int
inherited_socket(void)
{
	const char	*fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
	int		 fd = 0, listening = 0;
	socklen_t	 len = sizeof(listening);

	if (fds != NULL && pid != NULL && strcmp(fds, "1") == 0 &&
	    strtol(pid, NULL, 10) == (long)getpid())
		fd = 3;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == -1 ||
	    !listening) {
		errno = ENOTSOCK;
		return -1;
	}
	return fd;
}

static int
listen_unix(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	unlink(path);		/* a socket file left by an earlier run */
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(fd, SOMAXCONN) == -1)
		return -1;
	return fd;
}

/*
 * SCGI: a request starts with a netstring, "<length>:<headers>,".
 * Read until netstring_decode() sees a whole one.  Bytes after it are
 * the start of the body.  Returns the netstring's size, or 0.
 */
static size_t
read_headers(int fd, char *buf, size_t cap, size_t *got, size_t *off,
    size_t *len)
{
	ssize_t	 n;

	for (*got = 0;; *got += (size_t)n) {
		size_t	 size;

		size = netstring_decode(buf, *got, MAX_HEADER, off, len);
		if (size == NETSTRING_ERROR)
			return 0;
		if (size != NETSTRING_INCOMPLETE)
			return size;
		if (*got == cap || (n = read(fd, buf + *got, cap - *got)) <= 0)
			return 0;
	}
}

/*
 * SCGI: the headers are "name NUL value NUL" pairs; the first must be
 * CONTENT_LENGTH, the body's length in decimal.  Returns -1 if not.
 */
static long long
content_length(const char *h, size_t len)
{
	const char	*v = h + sizeof("CONTENT_LENGTH");	/* past NUL */
	long long	 n = 0;

	if (len == 0 || h[len - 1] != '\0' ||
	    strcmp(h, "CONTENT_LENGTH") != 0 || v >= h + len || *v == '\0')
		return -1;
	for (; *v >= '0' && *v <= '9' && n < 1000000000000LL; v++)
		n = n * 10 + (*v - '0');
	return *v == '\0' ? n : -1;
}

/*
 * Read the n body bytes, the first `have' of them already at p; keep the
 * first SHOW_BODY in body[].  Returns the count, short if the client left.
 */
static long long
read_body(int fd, const char *p, size_t have, long long n, char *body)
{
	char		 chunk[8192];
	long long	 seen = 0, r = (long long)have;

	for (;;) {
		if (r > n - seen)
			r = n - seen;	/* SCGI: the body is n bytes */
		if (seen < SHOW_BODY)
			memcpy(body + seen, p, (size_t)(r < SHOW_BODY - seen ?
			    r : SHOW_BODY - seen));
		if ((seen += r) == n ||
		    (r = read(fd, chunk, sizeof(chunk))) <= 0)
			return seen;
		p = chunk;
	}
}

/* The answer is CGI-style: a head ("Status:" first), empty line, body. */
static void
answer(int fd, const char *h, size_t len, const char *body, long long n)
{
	const char	*p;

	dprintf(fd, "Status: 200 OK\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
	    "Hello from an SCGI application.\n\n");
	for (p = h; p < h + len; p += strlen(p) + 1) {
		dprintf(fd, "%s=", p);		/* the name */
		p += strlen(p) + 1;
		dprintf(fd, "%s\n", p);		/* the value */
	}
	dprintf(fd, "\nbody: %lld bytes\n", n);
	if (n < SHOW_BODY && write(fd, body, (size_t)n) == -1)
		perror("hello-scgi: write");
}

static void
serve(int fd)
{
	static char	 buf[MAX_HEADER + 8];	/* + "65536:" and "," */
	char		 body[SHOW_BODY];
	size_t		 got, size, off, len;
	long long	 n;

	size = read_headers(fd, buf, sizeof(buf), &got, &off, &len);
	if (size == 0 || (n = content_length(buf + off, len)) == -1) {
		fprintf(stderr, "hello-scgi: not an SCGI request\n");
		close(fd);
		return;
	}
	n = read_body(fd, buf + size, got - size, n, body);
	answer(fd, buf + off, len, body, n);
	close(fd);	/* SCGI: one request per connection; this ends it */
}

int
main(int argc, char *argv[])
{
	long	 count = 0, i;
	int	 ch, lfd;

	while ((ch = getopt(argc, argv, "n:")) != -1)
		if (ch != 'n' || (count = strtol(optarg, NULL, 10)) <= 0)
			count = -1;
	if (count < 0 || argc - optind > 1) {
		fprintf(stderr, "usage: hello-scgi [-n count] [socket-path]\n");
		return 100;
	}
	signal(SIGPIPE, SIG_IGN);	/* a client that left is EPIPE */
	if (optind == argc)
		lfd = inherited_socket();
	else if ((lfd = listen_unix(argv[optind])) != -1)
		sock_path = argv[optind];
	if (lfd == -1) {
		fprintf(stderr, "hello-scgi: %s: %s\n", optind == argc ?
		    "no listening socket on fd 3 or 0" : argv[optind],
		    strerror(errno));
		return 111;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	/* One request at a time: enough for an example, not for a server. */
	for (i = 0; count == 0 || i < count; i++) {
		int	 fd;

		while ((fd = accept(lfd, NULL, NULL)) == -1)
			if (errno != EINTR && errno != ECONNABORTED) {
				perror("hello-scgi: accept");
				if (sock_path != NULL)
					unlink(sock_path);
				return 111;
			}
		serve(fd);
	}
	if (sock_path != NULL)
		unlink(sock_path);
	return 0;
}
