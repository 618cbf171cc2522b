/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * sink: the benchmark's SCGI server.  Fast and dumb: it reads the header
 * block and the body, and answers with a head and a body whose size the
 * request chooses, so that the bridge, not the server, is measured.
 *
 *	sink [-w workers] [-p portfile] socket-path | host:port
 *
 * QUERY_STRING "size=N" asks for N body bytes (default 100); with
 * "early" in it, the answer goes out before the body is read, as a
 * server that rejects an upload early does.  For issue 18,
 * "sendfile=PATH" answers a head naming PATH in X-Sendfile (the bridge
 * serves the file), and "file=PATH" the same head without it, then the
 * file's bytes itself (the bridge relays them): the two ways one file
 * reaches the client.  Words are separated by '&'.
 */

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netstring.h"

#define MAX_HEADER	(1024 * 1024)
#define BUFSIZE		(1024 * 1024)
#define MAX_WORKERS	16
#define HEAD		"Status: 200 OK\r\n" \
			"Content-Type: application/octet-stream\r\n\r\n"

/* What a request asks for, from its QUERY_STRING. */
struct want {
	unsigned long long size;	/* size=: body bytes to send */
	int		 early;		/* early: answer before the body */
	const char	*sendfile;	/* sendfile=: name it in X-Sendfile */
	const char	*file;		/* file=: send its bytes */
};

static char		 hdr[MAX_HEADER];
static char		 buf[BUFSIZE];
static pid_t		 workers[MAX_WORKERS];
static int		 nworkers;
static const char	*sock_path;

static void
fail(const char *what)
{
	perror(what);
	exit(111);
}

static void
on_term(int sig)
{
	int	 i;

	(void)sig;
	for (i = 0; i < nworkers; i++)
		kill(workers[i], SIGTERM);
	if (sock_path != NULL)
		unlink(sock_path);
	_exit(0);
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
reply(int fd, unsigned long long size)
{
	size_t	 n;

	if (write_all(fd, HEAD, sizeof(HEAD) - 1) == -1)
		return -1;
	for (; size > 0; size -= n) {
		n = size < sizeof(buf) ? (size_t)size : sizeof(buf);
		if (write_all(fd, buf, n) == -1)
			return -1;
	}
	return 0;
}

/* The head, naming path in X-Sendfile: the bridge is to serve it. */
static int
reply_sendfile(int fd, const char *path)
{
	static const char x[] = "X-Sendfile: ";

	return write_all(fd, HEAD, sizeof(HEAD) - 3) == -1 ||
	    write_all(fd, x, sizeof(x) - 1) == -1 ||
	    write_all(fd, path, strlen(path)) == -1 ||
	    write_all(fd, "\r\n\r\n", 4) == -1 ? -1 : 0;
}

/*
 * The head, then the file's bytes, by sendfile(2) as a fast app sends
 * a file (Python's wsgi.file_wrapper, say): so that the bridge's relay,
 * not the app, is measured.
 */
static int
reply_file(int fd, const char *path)
{
	struct stat	 st;
	off_t		 off = 0;
	ssize_t		 n;
	int		 in, rc = -1;

	if ((in = open(path, O_RDONLY)) == -1 || fstat(in, &st) == -1) {
		perror(path);
		goto out;
	}
	if (write_all(fd, HEAD, sizeof(HEAD) - 1) == -1)
		goto out;
	while (off < st.st_size)
		if ((n = sendfile(fd, in, &off, (size_t)(st.st_size - off))) <=
		    0 && !(n == -1 && errno == EINTR))
			goto out;
	rc = 0;
out:
	if (in != -1)
		close(in);
	return rc;
}

static int
skip_body(int fd, unsigned long long left)
{
	ssize_t	 n;

	while (left > 0) {
		n = read(fd, buf, left < sizeof(buf) ? (size_t)left :
		    sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		left -= (unsigned long long)n;
	}
	return 0;
}

/* QUERY_STRING's words, which it splits in place. */
static void
parse_query(char *q, struct want *w)
{
	char	*word;

	while ((word = q) != NULL) {
		if ((q = strchr(q, '&')) != NULL)
			*q++ = '\0';
		if (strncmp(word, "size=", 5) == 0)
			w->size = strtoull(word + 5, NULL, 10);
		else if (strcmp(word, "early") == 0)
			w->early = 1;
		else if (strncmp(word, "sendfile=", 9) == 0)
			w->sendfile = word + 9;
		else if (strncmp(word, "file=", 5) == 0)
			w->file = word + 5;
	}
}

/* CONTENT_LENGTH and the reply wanted, from the header pairs. */
static void
parse_pairs(char *p, size_t len, unsigned long long *clen, struct want *w)
{
	char	*end = p + len, *name, *value;

	while (p < end) {
		name = p;
		value = name + strlen(name) + 1;
		p = value + strlen(value) + 1;
		if (strcmp(name, "CONTENT_LENGTH") == 0)
			*clen = strtoull(value, NULL, 10);
		else if (strcmp(name, "QUERY_STRING") == 0)
			parse_query(value, w);
	}
}

static int
answer(int fd, const struct want *w)
{
	if (w->sendfile != NULL)
		return reply_sendfile(fd, w->sendfile);
	if (w->file != NULL)
		return reply_file(fd, w->file);
	return reply(fd, w->size);
}

static void
serve(int fd)
{
	struct want	 w = { 100, 0, NULL, NULL };
	unsigned long long clen = 0;
	size_t		 have = 0, total = 0, off, len;
	ssize_t		 n;

	while (total == 0) {
		if (have == sizeof(hdr) ||
		    (n = read(fd, hdr + have, sizeof(hdr) - have)) <= 0)
			return;
		have += (size_t)n;
		total = netstring_decode(hdr, have, sizeof(hdr), &off, &len);
		if (total == NETSTRING_ERROR)
			return;
	}
	parse_pairs(hdr + off, len, &clen, &w);
	clen -= have - total < clen ? have - total : clen;
	if (w.early) {
		if (answer(fd, &w) == 0)
			skip_body(fd, clen);
	} else if (skip_body(fd, clen) == 0)
		answer(fd, &w);
}

static int
listen_on(const char *target, const char *portfile)
{
	struct sockaddr_un	 sun;
	struct sockaddr_in	 sin;
	socklen_t		 slen = sizeof(sin);
	const char		*colon = strrchr(target, ':');
	FILE			*f;
	int			 s, one = 1;

	if (colon == NULL) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (strlen(target) >= sizeof(sun.sun_path))
			fail("socket path too long");
		strcpy(sun.sun_path, target);
		unlink(target);
		if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
		    bind(s, (struct sockaddr *)&sun, sizeof(sun)) == -1)
			fail(target);
		sock_path = target;
	} else {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((unsigned short)atoi(colon + 1));
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
			fail("socket");
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
		    getsockname(s, (struct sockaddr *)&sin, &slen) == -1)
			fail(target);
	}
	if (listen(s, 1024) == -1)
		fail("listen");
	if (portfile != NULL) {
		/* Written last: its existence says we listen. */
		if ((f = fopen(portfile, "w")) == NULL)
			fail(portfile);
		fprintf(f, "%d\n", ntohs(sin.sin_port));
		fclose(f);
	}
	return s;
}

int
main(int argc, char *argv[])
{
	const char	*portfile = NULL;
	int		 c, s, fd, n = 4, i;
	pid_t		 pid = 1;	/* the parent */

	while ((c = getopt(argc, argv, "p:w:")) != -1)
		switch (c) {
		case 'p': portfile = optarg; break;
		case 'w': n = atoi(optarg); break;
		default: goto usage;
		}
	if (optind != argc - 1 || n < 1 || n > MAX_WORKERS) {
usage:
		fputs("usage: sink [-w workers] [-p portfile] path | "
		    "host:port\n", stderr);
		return 100;
	}
	signal(SIGPIPE, SIG_IGN);
	memset(buf, 'x', sizeof(buf));
	s = listen_on(argv[optind], portfile);
	/* n processes accept on one socket: concurrency for ab -c. */
	for (i = 1; i < n; i++) {
		if ((pid = fork()) == -1)
			fail("fork");
		if (pid == 0) {
			sock_path = NULL;
			break;
		}
		workers[nworkers++] = pid;
	}
	if (pid != 0)
		signal(SIGTERM, on_term);
	for (;;) {
		if ((fd = accept(s, NULL, NULL)) == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			fail("accept");
		}
		serve(fd);
		close(fd);
	}
}
