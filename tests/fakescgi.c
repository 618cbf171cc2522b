/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * fakescgi: the test suite's SCGI backend.  It serves one connection at
 * a time, records each request in files, and answers well or badly.
 *
 * With -o dir, connection N leaves dir/N.head (the netstring's payload),
 * N.env (its pairs as NAME=VALUE lines), N.body, N.bodyeof ("complete",
 * or "eof" if the body was cut short), N.error (the first breach of the
 * SCGI rules, if any), N.gone if the peer left before the answer's end
 * and, last, the empty N.done.  Modes (-m):
 *	normal	 read the request, reply, close
 *	early	 reply after the header block, then read the body
 *	noread	 reply after the header block, close with the body unread
 *	hold	 reply after the header block, then neither read nor close
 *		 until the peer does
 *	close	 close at once
 *	reset	 like normal, but stop sending as soon as the peer takes
 *		 no more (TCP: a send would block), and close with RST;
 *		 N.acked holds how many bytes of the answer the peer's
 *		 kernel had acknowledged by then
 *	silent	 read all, never reply	hang	 read nothing, never reply
 *	stream	 reply, then -g bytes in 4 pieces -d ms apart (or -w file);
 *		 a peer that closes meanwhile is seen at once (N.done)
 *	echo	 reply, then the body as it arrives
 *	noaccept listen with a queue of one and never accept
 * With -k N, the first N connections are closed at once, as by a server
 * whose idle timeout struck; with -K N, the first N are read whole (and
 * recorded), then closed unanswered, as by a server that died with the
 * request.
 * The reply is the -r file, read anew each time, or a canned 200.
 * The target is a socket path, "@name" (abstract; -z: with the trailing
 * NUL byte uWSGI binds) or HOST:PORT; -p names a file written once it
 * listens, holding the port.
 */

#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#ifdef __linux__
#include <linux/tcp.h>		/* struct tcp_info's tcpi_bytes_acked */
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stddef.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netstring.h"

#define MAX_HEADER	(16UL * 1024 * 1024)	/* far above cgi2scgi's cap */
#define BUFSIZE		(64 * 1024)
#define BACKLOG		128
#define STREAM_CHUNKS	4
#define STREAM_MS	200
#define DEFAULT_REPLY	"Status: 200 OK\r\n" \
			"Content-Type: text/plain\r\n\r\nok\n"
#define ECHO_REPLY	"Status: 200 OK\r\n" \
			"Content-Type: application/octet-stream\r\n\r\n"

enum mode { NORMAL, EARLY, NOREAD, HOLD, CLOSE, RESET, SILENT, HANG, STREAM,
    ECHO, NOACCEPT };

static const char *const mode_names[] = { "normal", "early", "noread", "hold",
    "close", "reset", "silent", "hang", "stream", "echo", "noaccept", NULL };

struct conn {
	int		 fd;
	unsigned long	 n;		/* connection number, from 1 */
	char		*head;		/* the whole netstring */
	size_t		 off, len;	/* its payload */
	unsigned long long clen;	/* CONTENT_LENGTH; 0 if unusable */
	int		 gone;		/* a send failed: the peer has left */
	char		 err[256];	/* the first fault found */
};

static enum mode	 mode = NORMAL;
static const char	*outdir;
static const char	*reply_path;	/* -r: read anew for each reply */
static const char	*go_path;	/* -w: stream waits for it to exist */
static unsigned long long gen;		/* -g: pattern bytes after the reply */
static unsigned long long count;	/* -n: connections to serve; 0 = all */
static unsigned long long closes;	/* -k: connections to close at once */
static unsigned long long dies;		/* -K: connections read, unanswered */
static long		 delay_ms = -1;	/* -d; -1: the mode's default */
static int		 is_tcp;
static int		 trailing_nul;	/* -z */
static const char	*sock_path;	/* to unlink on exit, once bound */
static char		 buf[BUFSIZE];

static void
usage(void)
{
	fprintf(stderr, "usage: fakescgi [-m mode] [-o dir] [-r file] "
	    "[-g bytes] [-k count] [-K count] [-n count]\n"
	    "                [-p portfile] [-d ms] [-w file] [-z] target\n"
	    "       fakescgi -G bytes\n");
	exit(100);
}

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "fakescgi: %s: %s\n", what, why);
	if (sock_path != NULL)
		unlink(sock_path);
	exit(111);
}

/* Async-signal-safe: unlink(2) and _exit(2) only. */
static void
on_signal(int sig)
{
	(void)sig;
	if (sock_path != NULL)
		unlink(sock_path);
	_exit(0);
}

static int
parse_num(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned long long d = (unsigned long long)(*s - '0');

		if (d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (*s != '\0')
		return -1;
	*out = v;
	return 0;
}

static unsigned long long
number_arg(const char *s, unsigned long long max)
{
	unsigned long long v;

	if (parse_num(s, max, &v) == -1)
		usage();
	return v;
}

static enum mode
mode_arg(const char *s)
{
	int	 i;

	for (i = 0; mode_names[i] != NULL; i++)
		if (strcmp(s, mode_names[i]) == 0)
			return (enum mode)i;
	usage();
	return NORMAL;	/* NOTREACHED */
}

/* A short write is progress, not an error; EPIPE means the peer left. */
static int
write_all(int fd, const void *p, size_t len)
{
	const char	*s = p;

	while (len > 0) {
		ssize_t	 n = write(fd, s, len);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read len bytes unless EOF or an error comes first; say how many came. */
static size_t
read_full(int fd, char *p, size_t len)
{
	size_t	 got = 0;

	while (got < len) {
		ssize_t	 n = read(fd, p + got, len - got);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

/* Byte i of the -g/-G pattern; tests regenerate it with awk or -G. */
static int
write_pattern(int fd, unsigned long long from, unsigned long long n)
{
	size_t	 i, len;

	for (; n > 0; from += len, n -= len) {
		len = n < BUFSIZE ? (size_t)n : BUFSIZE;
		for (i = 0; i < len; i++)
			buf[i] = (char)(unsigned char)((from + i) * 7 +
			    ((from + i) >> 13));
		if (write_all(fd, buf, len) == -1)
			return -1;
	}
	return 0;
}

static void
pause_ms(long ms)
{
	if (ms > 0)
		poll(NULL, 0, (int)ms);
}

static void
note(struct conn *c, const char *fmt, ...)
{
	va_list	 ap;

	if (c->err[0] != '\0')
		return;		/* keep the first fault only */
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err) - 1, fmt, ap);	/* room for '\n' */
	va_end(ap);
}

static int
open_out(const struct conn *c, const char *suffix)
{
	char	 path[PATH_MAX];
	int	 fd;

	if (outdir == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/%lu.%s", outdir, c->n, suffix);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		fprintf(stderr, "fakescgi: %s: %s\n", path, strerror(errno));
	return fd;
}

static void
save(const struct conn *c, const char *suffix, const char *p, size_t len)
{
	int	 fd;

	if ((fd = open_out(c, suffix)) == -1)
		return;
	if (write_all(fd, p, len) == -1)
		fprintf(stderr, "fakescgi: %lu.%s: %s\n", c->n, suffix,
		    strerror(errno));
	close(fd);
}

static void
send_bytes(struct conn *c, const char *p, size_t len)
{
	if (!c->gone && write_all(c->fd, p, len) == -1)
		c->gone = 1;
}

/*
 * The -r file is read at each reply, not at start: tests write it (or
 * change it) between requests.
 */
static void
send_reply_file(struct conn *c)
{
	ssize_t	 n;
	int	 fd;

	if ((fd = open(reply_path, O_RDONLY)) == -1) {
		fprintf(stderr, "fakescgi: %s: %s\n", reply_path,
		    strerror(errno));
		return;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0 && !c->gone) {
		if (n == -1 && errno != EINTR) {
			fprintf(stderr, "fakescgi: %s: %s\n", reply_path,
			    strerror(errno));
			break;
		}
		if (n > 0)
			send_bytes(c, buf, (size_t)n);
	}
	close(fd);
}

/*
 * Pause ms milliseconds, or less if the peer closes the connection
 * meanwhile: then it is gone, and finish() records N.done at once, so
 * that a test sees a close that comes while the answer is held back.
 * The request has been read whole: more bytes from the peer are not a
 * close, and are not waited on.
 */
static void
pause_conn(struct conn *c, long ms)
{
	struct pollfd	 pfd;
	ssize_t		 n;
	char		 b;

	pfd.fd = c->fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, (int)ms) != 1)
		return;
	if (pfd.revents & (POLLHUP | POLLERR))
		c->gone = 1;
	else if ((n = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT)) == 0 ||
	    (n == -1 && errno != EAGAIN && errno != EINTR))
		c->gone = 1;
	else
		pause_ms(ms);
}

/*
 * The reply, then the -g pattern in `chunks' pieces, a pause before
 * each, and with -w the pieces after the first only once go_path exists.
 */
static void
send_reply(struct conn *c, int chunks, long ms)
{
	const char	*canned = mode == ECHO ? ECHO_REPLY : DEFAULT_REPLY;
	unsigned long long sent = 0;
	int		 i;

	if (reply_path != NULL)
		send_reply_file(c);
	else
		send_bytes(c, canned, strlen(canned));
	for (i = 1; i <= chunks && gen > 0 && !c->gone; i++) {
		unsigned long long part;

		part = i < chunks ? gen / chunks : gen - sent;
		while (i > 1 && go_path != NULL && !c->gone &&
		    access(go_path, F_OK) == -1)
			pause_conn(c, 10);
		pause_conn(c, ms);
		if (c->gone || write_pattern(c->fd, sent, part) == -1)
			c->gone = 1;
		sent += part;
	}
}

/*
 * Read exactly the netstring and not one body byte, so that each mode
 * decides when the body is read: the length byte by byte up to ':',
 * then the rest in one go.  netstring_decode() judges every step.
 */
static int
read_header(struct conn *c)
{
	char	 pre[16];
	size_t	 n = 0, want = 0, i;

	do {
		if (n == sizeof(pre) || read_full(c->fd, pre + n, 1) != 1) {
			note(c, "header: closed after %zu bytes", n);
			return -1;
		}
		if (netstring_decode(pre, ++n, MAX_HEADER, &c->off, &c->len) ==
		    NETSTRING_ERROR) {
			note(c, "header: not a netstring");
			return -1;
		}
	} while (pre[n - 1] != ':');
	for (i = 0; i < n - 1; i++)	/* digits checked against MAX_HEADER */
		want = want * 10 + (size_t)(pre[i] - '0');
	want++;				/* the ',' */
	if ((c->head = malloc(n + want)) == NULL)
		die("malloc", strerror(errno));
	memcpy(c->head, pre, n);
	if ((i = read_full(c->fd, c->head + n, want)) != want) {
		note(c, "header: closed after %zu of %zu bytes",
		    n + i, n + want);
		return -1;
	}
	if (netstring_decode(c->head, n + want, MAX_HEADER, &c->off,
	    &c->len) != n + want) {
		note(c, "header: no ',' after the payload");
		return -1;
	}
	return 0;
}

static int
seen_before(const char *p, const char *name)
{
	while (p < name) {
		if (strcmp(p, name) == 0)
			return 1;
		p += strlen(p) + 1;	/* name */
		p += strlen(p) + 1;	/* value */
	}
	return 0;
}

static void
check_pair(struct conn *c, const char *start, const char *name,
    const char *val, int i)
{
	if (*name == '\0')
		note(c, "pair %d: empty name", i);
	else if (i == 1 && strcmp(name, "CONTENT_LENGTH") != 0)
		note(c, "first name is %.64s, not CONTENT_LENGTH", name);
	else if (i == 1 && parse_num(val, ULLONG_MAX, &c->clen) == -1)
		note(c, "CONTENT_LENGTH: not a number: \"%.64s\"", val);
	else if (seen_before(start, name))
		note(c, "duplicate name %.64s", name);
}

/*
 * SCGI: the payload is name NUL value NUL pairs, CONTENT_LENGTH first
 * with a decimal value, SCGI=1 present, names non-empty and unique.
 * "NAME=VALUE\n" has the length of "NAME\0VALUE\0", so .env is the
 * payload with its NULs replaced, up to the last whole pair.
 */
static void
check_pairs(struct conn *c)
{
	const char	*start = c->head + c->off, *end = start + c->len;
	const char	*p = start;
	char		*env;
	size_t		 env_len = 0;
	int		 i, scgi = 0;

	if ((env = malloc(c->len + 1)) == NULL)
		die("malloc", strerror(errno));
	memcpy(env, start, c->len);
	for (i = 1; p < end; i++) {
		const char	*name = p, *val;

		if ((val = memchr(name, '\0', (size_t)(end - name))) == NULL ||
		    ++val == end ||
		    (p = memchr(val, '\0', (size_t)(end - val))) == NULL) {
			note(c, "pair %d: not NUL-terminated", i);
			break;
		}
		env[val - 1 - start] = '=';
		env[p++ - start] = '\n';
		env_len = (size_t)(p - start);
		check_pair(c, start, name, val, i);
		scgi |= strcmp(name, "SCGI") == 0 && strcmp(val, "1") == 0;
	}
	if (c->len == 0)
		note(c, "no CONTENT_LENGTH");
	if (!scgi)
		note(c, "no SCGI=1");
	save(c, "env", env, env_len);
	free(env);
}

/* Stream the body to N.body, and back to the peer in echo mode. */
static void
read_body(struct conn *c, int echo)
{
	unsigned long long left = c->clen;
	int	 fd = open_out(c, "body");

	while (left > 0) {
		size_t	 want = left < BUFSIZE ? (size_t)left : BUFSIZE;
		ssize_t	 n = read(c->fd, buf, want);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;		/* EOF or reset: a short body */
		if (fd != -1 && write_all(fd, buf, (size_t)n) == -1)
			fprintf(stderr, "fakescgi: %lu.body: %s\n", c->n,
			    strerror(errno));
		if (echo)
			send_bytes(c, buf, (size_t)n);
		left -= (unsigned long long)n;
	}
	if (fd != -1)
		close(fd);
	if (left == 0)
		save(c, "bodyeof", "complete\n", 9);
	else
		save(c, "bodyeof", "eof\n", 4);
}

/*
 * Wait for the peer to close.  With drain, read and drop what comes.
 * Without, read nothing: poll for POLLIN only while nothing is pending
 * (then a 0-byte peek is EOF), else for POLLHUP alone, which a unix
 * socket reports when its peer closes; TCP reports only a reset so.
 */
static void
wait_close(int fd, int drain)
{
	struct pollfd	 pfd;
	ssize_t		 n;

	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			return;
		}
		n = 1;
		if (drain && (pfd.revents & POLLIN))
			n = read(fd, buf, sizeof(buf));
		else if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
			return;
		else if (pfd.revents & POLLIN &&
		    (n = recv(fd, buf, 1, MSG_PEEK)) > 0)
			pfd.events = 0;
		if (n == 0 || (n == -1 && errno != EINTR))
			return;
	}
}

static void
handle(struct conn *c)
{
	if (mode == CLOSE || c->n <= closes)
		return;
	if (mode == HANG) {
		wait_close(c->fd, 0);
		return;
	}
	if (read_header(c) == -1)
		return;
	save(c, "head", c->head + c->off, c->len);
	check_pairs(c);
	if (c->n <= dies) {
		read_body(c, 0);
		return;
	}
	switch (mode) {
	case EARLY:
	case NOREAD:
	case HOLD:
	case ECHO:
		pause_ms(delay_ms);
		send_reply(c, 1, 0);
		if (mode == HOLD)
			wait_close(c->fd, 0);
		else if (mode != NOREAD)
			read_body(c, mode == ECHO);
		break;
	case SILENT:
		read_body(c, 0);
		wait_close(c->fd, 1);
		break;
	case STREAM:
		read_body(c, 0);
		send_reply(c, STREAM_CHUNKS, delay_ms);
		break;
	default:
		read_body(c, 0);
		pause_ms(delay_ms);
		/* reset: a send that would block ends the answer */
		if (mode == RESET && is_tcp)
			fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
		send_reply(c, 1, 0);
		break;
	}
}

/*
 * How many bytes the peer's kernel has acknowledged, as a decimal line
 * in N.acked: all that reached it, whether its program read them or not.
 */
static void
save_acked(struct conn *c)
{
#ifdef __linux__
	struct tcp_info	 ti;
	socklen_t	 len = sizeof(ti);
	char		 line[32];

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0) {
		snprintf(line, sizeof(line), "%llu\n",
		    (unsigned long long)ti.tcpi_bytes_acked);
		save(c, "acked", line, strlen(line));
	}
#else
	(void)c;
#endif
}

/* Close (with a reset in reset mode), then write N.done, which tests await. */
static void
finish(struct conn *c)
{
	struct linger	 lg;

	if (mode == RESET && is_tcp) {
		save_acked(c);
		lg.l_onoff = 1;
		lg.l_linger = 0;
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(c->fd);
	if (c->err[0] != '\0') {
		strcat(c->err, "\n");
		save(c, "error", c->err, strlen(c->err));
	}
	if (c->gone)
		save(c, "gone", "", 0);
	save(c, "done", "", 0);
	free(c->head);
}

/*
 * noaccept leaves connections in a queue of one (Linux takes one more),
 * so that tests can fill it and make the next connect() hang.
 */
static int
backlog(void)
{
	return mode == NOACCEPT ? 1 : BACKLOG;
}

/*
 * Bind a temporary name and rename it into place after listen(), so
 * the file tests wait for never exists while connect() is refused.
 * When the temporary name would not fit, bind the path itself.
 */
static int
listen_unix(const char *path)
{
	struct sockaddr_un	 sun;
	char			 tmp[sizeof(sun.sun_path)];
	int			 fd, direct;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		die(path, "socket path too long");
	direct = snprintf(tmp, sizeof(tmp), "%s.tmp", path) >=
	    (int)sizeof(tmp);
	strcpy(sun.sun_path, direct ? path : tmp);
	unlink(path);			/* a stale socket from a past run */
	unlink(sun.sun_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		die(path, strerror(errno));
	if (listen(fd, backlog()) == -1 ||
	    (!direct && rename(tmp, path) == -1))
		die(path, strerror(errno));
	sock_path = path;
	return fd;
}

static void
write_portfile(int fd, const char *path)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof(ss);
	char			 tmp[PATH_MAX], line[16];
	unsigned int		 port;
	int			 out;

	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1)
		die("getsockname", strerror(errno));
	if (ss.ss_family == AF_INET)
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6)
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		port = 0;		/* an abstract socket: just "ready" */
	snprintf(line, sizeof(line), "%u\n", port);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		die(path, "path too long");
	/* Written whole under another name, so a reader never sees half. */
	if ((out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1 ||
	    write_all(out, line, strlen(line)) == -1 || close(out) == -1 ||
	    rename(tmp, path) == -1)
		die(path, strerror(errno));
}

/*
 * "@name", in Linux's abstract namespace; with -z, bound with a trailing
 * NUL byte in the name, as uWSGI does.
 */
static int
listen_abstract(const char *name, const char *portfile)
{
	struct sockaddr_un	 sun;
	size_t			 len = strlen(name);
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (len + trailing_nul > sizeof(sun.sun_path))
		die(name, "socket name too long");
	memcpy(sun.sun_path, name, len);
	sun.sun_path[0] = '\0';
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, (socklen_t)(offsetof(struct
	    sockaddr_un, sun_path) + len + trailing_nul)) == -1 ||
	    listen(fd, backlog()) == -1)
		die(name, strerror(errno));
	if (portfile != NULL)
		write_portfile(fd, portfile);
	return fd;
}

/* HOST:PORT, where HOST may be a bracketed IPv6 literal: [::1]:0. */
static int
listen_tcp(const char *target, const char *portfile)
{
	struct addrinfo	 hints, *res, *ai;
	char		 host[256];
	const char	*colon = strrchr(target, ':');
	size_t		 len;
	int		 fd = -1, on = 1, e;

	if (colon == NULL)
		usage();
	if ((len = (size_t)(colon - target)) >= sizeof(host))
		die(target, "host name too long");
	if (len >= 2 && target[0] == '[' && target[len - 1] == ']')
		memcpy(host, target + 1, len -= 2);
	else
		memcpy(host, target, len);
	host[len] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((e = getaddrinfo(host, colon + 1, &hints, &res)) != 0)
		die(target, gai_strerror(e));
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype, 0)) == -1)
			continue;
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
		    sizeof(on)) == -1 ||
		    bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
		    listen(fd, backlog()) == -1) {
			e = errno;
			close(fd);
			fd = -1;
			errno = e;
		}
	}
	freeaddrinfo(res);
	if (fd == -1)
		die(target, strerror(errno));
	if (portfile != NULL)
		write_portfile(fd, portfile);
	is_tcp = 1;
	return fd;
}

static void
catch_signals(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;	/* a peer that left is EPIPE */
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

static void
serve(int lfd)
{
	struct conn	 c;
	unsigned long	 n;

	for (n = 1; count == 0 || n <= count; n++) {
		memset(&c, 0, sizeof(c));
		c.n = n;
		while ((c.fd = accept(lfd, NULL, NULL)) == -1)
			if (errno != EINTR && errno != ECONNABORTED)
				die("accept", strerror(errno));
		handle(&c);
		finish(&c);
	}
}

int
main(int argc, char *argv[])
{
	const char	*portfile = NULL;
	int		 ch, lfd;

	while ((ch = getopt(argc, argv, "d:G:g:K:k:m:n:o:p:r:w:z")) != -1) {
		switch (ch) {
		case 'd':
			delay_ms = (long)number_arg(optarg, INT_MAX);
			break;
		case 'G':
			return write_pattern(STDOUT_FILENO,
			    0, number_arg(optarg, ULLONG_MAX)) == -1 ? 111 : 0;
		case 'g':
			gen = number_arg(optarg, ULLONG_MAX);
			break;
		case 'K':
			dies = number_arg(optarg, ULONG_MAX);
			break;
		case 'k':
			closes = number_arg(optarg, ULONG_MAX);
			break;
		case 'm':
			mode = mode_arg(optarg);
			break;
		case 'n':
			count = number_arg(optarg, ULONG_MAX);
			break;
		case 'o':
			outdir = optarg;
			break;
		case 'p':
			portfile = optarg;
			break;
		case 'r':
			reply_path = optarg;
			break;
		case 'w':
			go_path = optarg;
			break;
		case 'z':
			trailing_nul = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	if (delay_ms == -1)
		delay_ms = mode == STREAM && go_path == NULL ? STREAM_MS : 0;
	catch_signals();
	if (argv[optind][0] == '@')
		lfd = listen_abstract(argv[optind], portfile);
	else if (strchr(argv[optind], '/') != NULL)
		lfd = listen_unix(argv[optind]);
	else
		lfd = listen_tcp(argv[optind], portfile);
	while (mode == NOACCEPT)
		pause();	/* until SIGTERM */
	serve(lfd);
	if (sock_path != NULL)
		unlink(sock_path);
	return 0;
}
