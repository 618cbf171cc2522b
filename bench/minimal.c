/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * minimal: the least a CGI-to-SCGI bridge can do, for make bench to
 * measure cgi2scgi against (the reachable floor): the environment into
 * an SCGI header, connect, send it and the body, splice the answer to
 * stdout, exit.  Not a product: no limits, no timeouts, no error page,
 * no checks of what the server sends; any failure is exit 1.
 *
 *	minimal socket-path | minimal ipv4-address port
 */

#define _GNU_SOURCE		/* splice(2) */

#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ROOM	12		/* before the header: its length and ':' */

extern char	**environ;

static char	 buf[ROOM + 65536];

static int
put(size_t *at, const char *s, size_t n)
{
	if (n > sizeof(buf) - *at)
		return -1;
	memcpy(buf + *at, s, n);
	*at += n;
	return 0;
}

/* The header as a netstring; its first byte's offset in *start. */
static size_t
header(size_t *start)
{
	const char	*cl = getenv("CONTENT_LENGTH"), *eq;
	char		**e;
	size_t		 at = ROOM, len;

	if (cl == NULL || *cl == '\0')
		cl = "0";
	if (put(&at, "CONTENT_LENGTH", 15) || put(&at, cl, strlen(cl) + 1) ||
	    put(&at, "SCGI\0" "1", 7))
		exit(1);
	for (e = environ; *e != NULL; e++) {
		if ((eq = strchr(*e, '=')) == NULL || eq == *e ||
		    strncmp(*e, "CONTENT_LENGTH=", 15) == 0 ||
		    strncmp(*e, "SCGI=", 5) == 0)
			continue;
		len = strlen(*e);
		if (put(&at, *e, len + 1))
			exit(1);
		buf[at - len - 1 + (size_t)(eq - *e)] = '\0';
	}
	if (put(&at, ",", 1))
		exit(1);
	len = at - ROOM - 1;
	*start = ROOM;
	buf[--*start] = ':';
	do
		buf[--*start] = (char)('0' + len % 10);
	while ((len /= 10) > 0);
	return at;
}

static int
dial(int argc, char *argv[])
{
	struct sockaddr_un	 un;
	struct sockaddr_in	 in;
	int			 s;

	if (argc == 2) {
		memset(&un, 0, sizeof(un));
		un.sun_family = AF_UNIX;
		if (strlen(argv[1]) >= sizeof(un.sun_path))
			exit(1);
		strcpy(un.sun_path, argv[1]);
		if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
		    connect(s, (struct sockaddr *)&un, sizeof(un)) == -1)
			exit(1);
	} else if (argc == 3) {
		memset(&in, 0, sizeof(in));
		in.sin_family = AF_INET;
		in.sin_port = htons((unsigned short)atoi(argv[2]));
		if (inet_pton(AF_INET, argv[1], &in.sin_addr) != 1 ||
		    (s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
		    connect(s, (struct sockaddr *)&in, sizeof(in)) == -1)
			exit(1);
	} else
		exit(1);
	return s;
}

static void
send_all(int fd, const char *p, size_t n)
{
	ssize_t	 w;

	for (; n > 0; p += w, n -= (size_t)w)
		if ((w = write(fd, p, n)) <= 0)
			exit(1);
}

/* from to, n bytes or (n == -1) to EOF: splice, or read and write. */
static void
relay(int from, int to, long long n)
{
	ssize_t	 r;
	size_t	 want;

	while (n != 0) {
		want = n < 0 || n > 1 << 20 ? 1 << 20 : (size_t)n;
		r = splice(from, NULL, to, NULL, want, 0);
		if (r == -1 && errno == EINVAL) {	/* neither is a pipe */
			if ((r = read(from, buf, want < sizeof(buf) ?
			    want : sizeof(buf))) > 0)
				send_all(to, buf, (size_t)r);
		}
		if (r == 0 && n < 0)
			return;
		if (r <= 0)
			exit(1);
		if (n > 0)
			n -= r;
	}
}

int
main(int argc, char *argv[])
{
	const char	*cl = getenv("CONTENT_LENGTH");
	size_t		 start, end;
	int		 s;

	end = header(&start);
	s = dial(argc, argv);
	send_all(s, buf + start, end - start);
	relay(0, s, cl != NULL ? atoll(cl) : 0);
	relay(s, 1, -1);
	return 0;
}
