/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * cgi2scgi: a CGI program that hands its request to an SCGI server and
 * streams the server's answer back as the CGI response.
 *
 * A request meets the sections below in their order: a failure at any
 * point goes through die() (errors); the arguments and environment say
 * where the request goes (configuration); the body is found and the
 * header block built (the SCGI request); the server is connected to
 * (connecting), or first started (starting an app); and the answer's
 * head is checked (the response head) as both directions move at once
 * (the relay).
 */

#ifdef __linux__
#define _GNU_SOURCE		/* splice(2), F_SETPIPE_SZ, POLLRDHUP, ucred */
#endif

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "netstring.h"

#ifndef VERSION
#define VERSION		"0.1.0"
#endif

/* Limits and defaults; an option or SCGI_ variable may change some. */
#define MAX_HEADER	(64 * 1024)	/* the SCGI header block we build */
#define MAX_HEAD	(64 * 1024)	/* the response head we check */
#define MAX_BODY	(1ULL << 30)	/* -m, SCGI_MAX_BODY; Apache's too */
#define MAX_SPOOL	(64ULL << 20)	/* -s, SCGI_MAX_SPOOL: chunked uploads */
#define SPOOL_FREE_PCT	10		/* of its file system a spool leaves */
#define CONNECT_MS	10000		/* -t, SCGI_CONNECT_TIMEOUT */
#define RETRY_MS	3000		/* -r, SCGI_RETRY_TIMEOUT */
#define IDLE_MS		60000		/* -i, SCGI_IDLE_TIMEOUT */
#define DOWN_MS		10000		/* -d, SCGI_DOWN_TIME */
#define BACKOFF_MIN_MS	50		/* between attempts at a connect */
#define BACKOFF_MAX_MS	500
#define MAX_TARGETS	8		/* servers to fail over between */
#define MAX_COPIES	256		/* copies of an app to start */
#define MAX_ARGS	32		/* words on the line of a -f file */
#define ARGFILE_MAX	(16 * 1024)	/* how much of a -f file is read */
#define FEW_VARS	64		/* variables not worth sorting */
#define REAP_MS		1000		/* to learn that a started app died */
#define LOOK_MS		10		/* between looks at a start lock, a dead app */
#define NAME_MAX_LEN	300		/* a server's name, in a message */
#define MESSAGE_MAX	1024		/* a line for the error log */
#define BUFSIZE		(64 * 1024)	/* a piece of the request body */
#define SPLICE_MAX	(1024 * 1024)	/* bytes one splice(2) may move */
#define PIPE_SIZE	(1024 * 1024)	/* a busy stdin or stdout pipe grows to */
#define SNDBUF_SIZE	(1024 * 1024)	/* socket send buffer for a long body */
#define GROW_MIN	(256 * 1024)	/* a transfer worth growing buffers for */

#define KIB(n)		((n) / 1024)	/* for messages that name a limit */
#define STATUS_WORD	"Status: "	/* what "HTTP/1.1 " becomes */
#define HEAD_SLACK	(sizeof(STATUS_WORD) - 1)	/* room to grow into */
#define LENGTH_ROOM	(sizeof("65536:") - 1)	/* a MAX_HEADER netstring's "len:" */
#define UNTIL_EOF	ULLONG_MAX	/* a read budget with no end */
#define UNSET		ULLONG_MAX	/* a size no option has given */
#define UID_UNKNOWN	(-1L)		/* the system cannot tell whose */
#define UID_NONE	(-2L)		/* no socket of anyone's */
#define DIAG_HALF	(-3L)		/* not a whole socket yet */

#ifndef NSIG
#define NSIG		65		/* signals to reset: Linux's number */
#endif

/* The server has shut its side: Linux says so before a read of 0 too. */
#ifdef POLLRDHUP
#define HANGUP		(POLLHUP | POLLRDHUP)
#else
#define HANGUP		POLLHUP
#endif

/*
 * What no ordinary request runs (errors, -f, starting a server) goes
 * apart from what each one does, so that an exec faults in fewer pages.
 */
#ifdef __GNUC__
#define COLD		__attribute__((__cold__))
#define NORETURN	__attribute__((__noreturn__))
#else
#define COLD
#define NORETURN
#endif

enum { FAIL_PERM = 100, FAIL_TEMP = 111 };	/* won't help to retry / may */

/*
 * What can fail, each with its exit status and the CGI answer a client
 * that has seen nothing yet gets; all the pairs are in faults[].
 */
enum fault {
	F_CONFIG,		/* usage or configuration */
	F_REQUEST,		/* a malformed request */
	F_TOO_LARGE,		/* a body over its limit */
	F_HEADERS_TOO_LARGE,	/* a header block over MAX_HEADER */
	F_CLIENT,		/* reading the request failed */
	F_STALLED,		/* the body stopped coming */
	F_GONE,			/* the client left: no one to answer */
	F_SERVER,		/* the server failed or is unreachable */
	F_TIMEOUT,		/* the server took too long */
	F_START,		/* app could not be started */
	F_STORAGE,		/* no room to spool a chunked upload */
	F_SYSTEM		/* a call of ours failed */
};

/* What stopped the relay: its end, or what went wrong. */
enum event {
	EV_NONE,		/* nothing yet: go on */
	EV_END,			/* the whole response is out */
	EV_BODY_SHORT,		/* stdin ended before CONTENT_LENGTH */
	EV_STDIN_FAILED,
	EV_STDIN_STALLED,
	EV_SEND_FAILED,		/* to the server */
	EV_RECV_FAILED,		/* from the server */
	EV_NO_RESPONSE,		/* it closed before a byte of an answer */
	EV_HEAD_CUT,		/* it closed inside the head */
	EV_HEAD_BAD,
	EV_HEAD_TOO_LARGE,
	EV_SERVER_STALLED,
	EV_STDOUT_FAILED,	/* the client has gone */
	EV_POLL_FAILED
};

/* The SCGI_ variables, which configure us, in setting_names[]'s order. */
enum setting {
	S_FILE, S_HOST, S_PORT, S_CONNECT_TIMEOUT, S_RETRY_TIMEOUT,
	S_IDLE_TIMEOUT, S_DOWN_TIME, S_MAX_BODY, S_MAX_SPOOL, S_COUNT
};

/* How a half moves bytes: not known yet, read and write, or splice(2). */
enum { IO_UNKNOWN, IO_COPY, IO_SPLICE };

struct target {				/* one SCGI server */
	const char	*path;		/* unix-domain socket, or NULL */
	char		 host[256];	/* TCP, when path is NULL */
	const char	*port;
	struct addrinfo	*ai;		/* host and port, resolved; or NULL */
	struct addrinfo	 num_ai;	/* ai for an address in digits */
	union {
		struct sockaddr_in	in;
		struct sockaddr_in6	in6;
	}		 num_addr;
};

struct route {				/* where a request goes, and its limits */
	const char	*setting[S_COUNT]; /* the SCGI_ variables' values */
	int		 connect_ms, retry_ms, idle_ms;
	int		 down_ms;	/* a server that timed out is passed over */
	unsigned long long max_body;	/* CONTENT_LENGTH */
	unsigned long long max_spool;	/* a chunked upload, on disk */
	int		 ntargets;
	/* Last: a request touches the page of the first only. */
	struct target	 to[MAX_TARGETS]; /* in the order to try them */
};

struct launch {				/* what starts an app, and how */
	int		 bind, start;	/* -bind, -start */
	const char	*app;		/* to start when nothing listens */
	int		 copies;
	int		 fd0;		/* hand app its socket as fd 0 */
	const char	*log;		/* app's output; "-": our stderr */
	int		 unchecked;	/* its listener need not be known */
	int		 started;	/* this request started it */
};

struct body {				/* the request body */
	unsigned long long len;		/* the CONTENT_LENGTH we send */
	int		 chunked;	/* its length is stdin's, to learn */
	int		 spooled;	/* read from our spool, not stdin */
};

struct var {				/* an environment variable to send */
	const char	*name;		/* "name=value" */
	size_t		 nlen;
	size_t		 pos;		/* its place among those sent */
};

struct head {				/* the response head, being checked */
	size_t		 have;		/* bytes in buf */
	size_t		 line;		/* where the first unchecked line starts */
	char		*start;		/* where the head to pass on starts */
	int		 done;
};

struct half {				/* one direction of the relay */
	int		 from, to;	/* to == -1: drop what is read */
	unsigned long long left;	/* bytes still to read from `from' */
	char		*buf;
	size_t		 cap;
	char		*p;		/* p[0..len) is still to be written */
	size_t		 len;
	int		 io;		/* IO_COPY, or IO_SPLICE: no buf */
	int		 wait_to;	/* splice: poll `to' (it was full) */
	int		 hup;		/* `from' has shut: a short read ends it */
	int		 grown;		/* the pipe was made bigger */
};

/*
 * One request, which main() owns.  The header block is built first,
 * in place; the small fields share its first page, so that a small
 * request touches two pages here, this one and the response's.
 */
struct request {
	int		 backend;	/* our connection to the server */
	int		 tcp;		/* and it is TCP */
	const struct target *server;	/* the server, for messages */
	int		 err;		/* errno of what stopped the relay */
	char		*block;		/* the header block, in header[] */
	size_t		 blocklen;
	int		 resent;	/* it went once more: see may_resend() */
	struct body	 body;
	struct half	 up, down;	/* body to the server, answer to us */
	struct head	 head;		/* the answer's, while it is checked */
	char		 header[LENGTH_ROOM + MAX_HEADER + 1];
	char		 response[HEAD_SLACK + MAX_HEAD];
	char		 body_buf[BUFSIZE];
};

/*
 * All that the one error path, die(), needs: whether and how to answer,
 * the body it must read to its end, and our fds it must close first.
 * Each is set where it comes into being, so die() reaches nothing else.
 */
static struct fate {
	int		 cgi;		/* GATEWAY_INTERFACE is set */
	int		 replied;	/* stdout is no longer ours to answer on */
	int		 drain_ms;	/* how long to wait for the body */
	struct half	*upload;	/* the body, from stdin */
	int		 backend, lock, listener;
} fate = { 0, 0, IDLE_MS, NULL, -1, -1, -1 };

extern char	**environ;

/* Errors */
static COLD NORETURN void die(enum fault, const char *, const char *);
static COLD NORETURN void dief(enum fault, const char *, const char *, ...)
#ifdef __GNUC__
			    __attribute__((__format__(__printf__, 3, 4)))
#endif
			    ;
static COLD NORETURN void die_at(enum fault, const char *,
			    const struct target *, const char *);
static COLD void	 say_at(const char *, const struct target *,
			    const char *);
static COLD NORETURN void fail(const struct request *, enum event);
static COLD NORETURN void usage(void);
static COLD void	 say(const char *, const char *);
static COLD void	 drain_stdin(void);
static int		 write_all(int, const char *, size_t);

/* Configuration */
static void		 configure(int, char *[], struct route *,
			    struct launch *);
static int		 args_are_query(int, char *[]);
static int		 is_query_word(const char **, const char *);
static int		 hex_value(int);
static COLD void	 check_script(const char *);
static COLD void	 args_from_file(const char *, int *, char ***);
static COLD char	*arg_line(char *, size_t, int);
static COLD int		 split_words(char *, char *[], int);
static int		 parse_options(int, char *[], struct route *,
			    struct launch *);
static int		 flag_option(const char *, struct launch *);
static int		 value_option(const char *, const char *,
			    struct route *, struct launch *);
static COLD NORETURN void print_and_exit(const char *, size_t);
static void		 limits_from_env(struct route *);
static void		 read_settings(const char *[S_COUNT]);
static void		 set_seconds(const struct route *, int *, enum setting,
			    int);
static void		 set_size(const struct route *, unsigned long long *,
			    enum setting, unsigned long long);
static void		 get_seconds(const char *, const char *, int *);
static void		 get_size(const char *, const char *,
			    unsigned long long *);
static int		 parse_seconds(const char *, int *);
static int		 parse_length(const char *, unsigned long long,
			    unsigned long long *);
static COLD int		 parse_size(const char *, unsigned long long *);
static void		 parse_operands(int, char *[], struct route *,
			    struct launch *);
static void		 targets_from_env(struct route *);
static COLD void	 add_conn(struct route *, const char *);
static struct target	*new_target(struct route *);
static void		 set_host(struct target *, const char *, size_t);
static void		 check_target(const struct target *);
static int		 is_nul_ended(const char *, size_t);
static void		 resolve_targets(struct route *);
static int		 resolve_numeric(struct target *);
static COLD const char	*gai_reason(int, int);
static void		 free_addresses(struct route *);
static const char	*env_get(const char *);
static const char	*env_value(const char *);
static COLD const char	*tmp_dir(void);
static COLD const char	*name_of(const struct target *);
static COLD void	 put(char *, size_t *, size_t, const char *);
static long long	 now_ms(void);

/* The SCGI request */
static void		 find_body(const struct route *, struct request *);
static COLD void	 spool_body(const struct route *, struct request *);
static COLD int		 spool_file(void);
static COLD int		 spool_full(int, size_t);
static COLD ssize_t	 read_stdin(int, char *, size_t);
static void		 build_request(struct request *);
static size_t		 forwarded_vars(struct var *);
static int		 is_forwarded(const char *, size_t);
static int		 is_name(const char *, size_t, const char *);
static size_t		 drop_repeats(struct var *, size_t);
static int		 same_name(const struct var *, const struct var *);
static COLD int		 by_name(const void *, const void *);
static COLD int		 by_place(const void *, const void *);
static void		 add_pair(char *, size_t *, const char *, size_t,
			    const char *, size_t);
static size_t		 format_ull(char *, unsigned long long);

/* Connecting */
static void		 connect_server(const struct route *,
			    struct launch *, struct request *);
static COLD void	 reconnect_if_closed(const struct route *,
			    struct launch *, struct request *);
static COLD void	 reconnect(const struct route *, struct launch *,
			    struct request *);
static COLD int		 may_resend(struct request *);
static int		 connect_backend(const struct route *,
			    const struct target **);
static int		 try_order(const struct route *, int [], int []);
static int		 is_down(const struct route *, const struct target *);
static COLD void	 mark_down(const struct route *, const struct target *);
static COLD void	 mark_up(const struct target *);
static COLD char	*private_file(char *, size_t, const struct target *,
			    const char *, int);
static COLD int		 is_private_dir(const char *);
static int		 connect_once(const struct route *,
			    const struct target *);
static int		 connect_unix(const char *, int);
static socklen_t	 unix_addr(const char *, struct sockaddr_un *);
static int		 connect_addr(const struct sockaddr *, socklen_t, int);
static int		 new_socket(int);
static int		 may_start(int);
static int		 may_retry(int);

/* Starting an app */
static COLD int		 connect_or_start(const struct route *,
			    struct launch *);
static COLD int		 start_and_connect(const struct route *,
			    struct launch *);
static COLD void	 start_only(const struct route *, struct launch *);
static COLD void	 check_listener(const struct launch *,
			    const struct target *, int);
static COLD long	 listener_uid(int);
#ifdef __linux__
union inet;
static COLD long	 tcp_listener_uid(int, const struct sockaddr_storage *);
static COLD long	 diag_uid(const union inet *, const union inet *);
static COLD void	 diag_end(uint32_t [4], uint16_t *, const union inet *);
#endif
static COLD void	 lock_start(const struct route *);
static COLD void	 unlock_start(void);
static COLD int		 start_app(const struct route *, struct launch *);
static COLD int		 listen_target(const struct target *);
static COLD void	 remove_stale(const struct target *);
static COLD int		 open_log(const struct launch *,
			    const struct target *);
static COLD int		 open_admin_log(const char *);
static COLD int		 open_own(const char *, int, const char **);
static COLD void	 beside(char *, size_t, const struct target *,
			    const char *);
static COLD void	 spawn_app(const struct launch *, int, int);
static COLD NORETURN void exec_app(const struct launch *, int, int, int);
static COLD int		 hand_over_fds(const struct launch *, int, int,
			    int *);
static COLD void	 close_from(int);
static COLD void	 reset_signals(void);
static COLD char	**app_environ(const struct launch *);
static COLD int		 is_app_var(const char *);
static COLD void	 explain_exit(const struct launch *);
static int		 is_file_socket(const struct target *);

/* The response head */
static int		 check_head(char *, struct head *);
static size_t		 status_code_at(const char *, size_t);
static int		 is_field(const char *, size_t);
static int		 is_token_char(int);
static int		 has_ctl(const char *, size_t);

/* The relay */
static enum event	 relay(struct request *, int);
static void		 choose_io(struct request *);
static int		 want(const struct half *, int, struct pollfd *);
static enum event	 upload_step(struct request *);
static enum event	 splice_body(struct request *);
static COLD void	 backend_gone(struct half *);
static enum event	 download_step(struct request *);
static enum event	 read_response(struct request *);
static enum event	 filter_head(struct request *, size_t);
static enum event	 write_response(struct request *);
static enum event	 splice_response(struct request *);
static ssize_t		 splice_step(struct half *);
static int		 io_mode(int);
static void		 grow_pipe(struct half *, int);

static const char *const setting_names[S_COUNT] = { "SCGI_FILE",
    "SCGI_HOST", "SCGI_PORT", "SCGI_CONNECT_TIMEOUT", "SCGI_RETRY_TIMEOUT",
    "SCGI_IDLE_TIMEOUT", "SCGI_DOWN_TIME", "SCGI_MAX_BODY", "SCGI_MAX_SPOOL" };

static const char usage_text[] =
    "usage: cgi2scgi [-d seconds] [-i seconds] [-m bytes] [-r seconds]\n"
    "                [-s bytes] [-t seconds] [socket | host port]\n"
    "       cgi2scgi [options] -bind -connect conn [-connect conn ...]\n"
    "       cgi2scgi [options] [-start] -connect conn [-fd0] [-log file]\n"
    "                [-unchecked] app [n]\n"
    "       cgi2scgi -f file\n"
    "       cgi2scgi --help | --version\n";

static const char help_text[] =
    "\n"
    "Run as a CGI program: send the request to an SCGI server, relay the answer.\n"
    "The server is the unix socket or host and port given as arguments, else\n"
    "SCGI_FILE, else SCGI_HOST (default localhost) and SCGI_PORT.\n"
    "\n"
    "  -t seconds  connect timeout (SCGI_CONNECT_TIMEOUT, default 10)\n"
    "  -r seconds  keep retrying a refused connect this long (SCGI_RETRY_TIMEOUT, 3)\n"
    "  -i seconds  idle timeout, 0 for none (SCGI_IDLE_TIMEOUT, default 60)\n"
    "  -d seconds  pass over a server that timed out this long (SCGI_DOWN_TIME, 10)\n"
    "  -m bytes    largest request body, k/M/G suffixes (SCGI_MAX_BODY, default 1G)\n"
    "  -s bytes    largest chunked upload, spooled first (SCGI_MAX_SPOOL, 64M)\n"
    "\n"
    "  -f file         take the arguments from the first line of file not a comment\n"
    "  -connect conn   the server: a socket path, @abstract (@abstract\\0: with a\n"
    "                  trailing NUL), host:port, [v6]:port;\n"
    "                  repeat it to fail over to the next\n"
    "  -bind           only connect: start nothing\n"
    "  -start          listen on conn, start n copies of app on it (default 1), exit\n"
    "  app [n]         with -connect alone: start app as -start does when nothing\n"
    "                  listens on conn, then bridge the request\n"
    "  -fd0            hand app its socket as fd 0, not as fd 3 with LISTEN_FDS=1\n"
    "  -log file       app's output (default: beside the socket; - for stderr)\n"
    "  -unchecked      with app: take a server whose owner the system cannot tell\n"
    "\n"
    "Exit status: 0 success, 100 permanent failure, 111 temporary failure.\n"
    "See cgi2scgi(1).\n";

/*
 * A request: configure, then for -start only start the app; else find
 * the body, build the header block, connect, and relay.  A chunked
 * upload's length is known only once it is spooled, and it is spooled
 * only once a server has taken the connection.  A server that closes
 * without an answer may have died: one that this request started is
 * explained, and an idempotent request goes once more.
 */
int
main(int argc, char *argv[])
{
	static struct route	 route;	/* zeroed by exec(2), for nothing */
	static struct launch	 launch;
	static struct request	 rq;
	enum event		 ev;

	/* A peer that has gone shows up as EPIPE, handled where it occurs. */
	signal(SIGPIPE, SIG_IGN);
	configure(argc, argv, &route, &launch);
	if (launch.start) {
		start_only(&route, &launch);
		return 0;
	}
	find_body(&route, &rq);
	if (!rq.body.chunked)
		build_request(&rq);	/* a 431 before connecting */
	connect_server(&route, &launch, &rq);
	if (rq.body.chunked) {
		spool_body(&route, &rq);
		build_request(&rq);
		reconnect_if_closed(&route, &launch, &rq);
	}
	if ((ev = relay(&rq, route.idle_ms)) == EV_NO_RESPONSE) {
		explain_exit(&launch);
		if (may_resend(&rq)) {
			reconnect(&route, &launch, &rq);
			ev = relay(&rq, route.idle_ms);
		}
	}
	if (ev != EV_END)
		fail(&rq, ev);
	/* Nothing of ours left open at exit (valgrind --track-fds). */
	free_addresses(&route);
	close(rq.backend);
	if (rq.body.spooled)
		close(rq.up.from);
	return 0;
}

/* ----------------------------------------------------------- errors */

/* Each fault's exit status, and the CGI answer a client gets for it. */
static const struct {
	const char	*reason;
	short		 status;	/* 0: no answer */
	unsigned char	 exit;
	unsigned char	 drain;		/* read the rest of the body first */
} faults[] = {
	[F_CONFIG] =	{ "Internal Server Error", 500, FAIL_PERM, 1 },
	[F_REQUEST] =	{ "Bad Request", 400, FAIL_PERM, 1 },
	/* Not a body over the limit, nor one that stalled: not read on. */
	[F_TOO_LARGE] =	{ "Content Too Large", 413, FAIL_PERM, 0 },
	[F_HEADERS_TOO_LARGE] =
			{ "Request Header Fields Too Large", 431, FAIL_PERM, 1 },
	[F_CLIENT] =	{ "Bad Request", 400, FAIL_TEMP, 1 },
	[F_STALLED] =	{ "Request Timeout", 408, FAIL_TEMP, 0 },
	[F_GONE] =	{ NULL, 0, FAIL_TEMP, 0 },
	[F_SERVER] =	{ "Bad Gateway", 502, FAIL_TEMP, 1 },
	[F_TIMEOUT] =	{ "Gateway Timeout", 504, FAIL_TEMP, 1 },
	[F_START] =	{ "Service Unavailable", 503, FAIL_TEMP, 1 },
	[F_STORAGE] =	{ "Insufficient Storage", 507, FAIL_TEMP, 1 },
	[F_SYSTEM] =	{ "Internal Server Error", 500, FAIL_TEMP, 1 }
};

/*
 * Log what went wrong, answer with a CGI error response if the client
 * has seen nothing yet, and exit.  The server sees its connection close
 * before the body is complete, and other requests get at the server, or
 * at starting it, at once.
 */
static void
die(enum fault f, const char *what, const char *why)
{
	char	 msg[MESSAGE_MAX];
	int	 n;

	say(what, why);
	/* From a shell, a configuration error is its line, as usage is. */
	if (!fate.replied && faults[f].status != 0 &&
	    (fate.cgi || f != F_CONFIG)) {
		n = snprintf(msg, sizeof(msg), "Status: %d %s\r\n"
		    "Content-Type: text/plain\r\n\r\n%d %s\n",
		    faults[f].status, faults[f].reason, faults[f].status,
		    faults[f].reason);
		if (n > 0)
			write_all(1, msg, (size_t)n);
	}
	if (fate.backend != -1)
		close(fate.backend);
	if (fate.listener != -1)
		close(fate.listener);
	if (fate.lock != -1)
		close(fate.lock);
	if (faults[f].drain)
		drain_stdin();
	exit(faults[f].exit);
}

/*
 * die() with a why to format: the buffer lives in this cold frame, not
 * on the stack of each hot function that may fail.
 */
static void
dief(enum fault f, const char *what, const char *fmt, ...)
{
	char	 why[MESSAGE_MAX];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	die(f, what, why);
}

/* die() for what failed with server t: "connect /run/app.sock: why". */
static void
die_at(enum fault f, const char *verb, const struct target *t,
    const char *why)
{
	char	 what[NAME_MAX_LEN + sizeof("connect ")];

	snprintf(what, sizeof(what), "%s %s", verb, name_of(t));
	die(f, what, why);
}

/* A server passed over: one line, as die_at() would say it. */
static void
say_at(const char *verb, const struct target *t, const char *why)
{
	char	 what[NAME_MAX_LEN + sizeof("connect ")];

	snprintf(what, sizeof(what), "%s %s", verb, name_of(t));
	say(what, why);
}

/* What stopped the relay, as the fault it is and the line that says so. */
static void
fail(const struct request *rq, enum event ev)
{
	const char	*server = name_of(rq->server), *err = strerror(rq->err);
	char		 why[MESSAGE_MAX];

	switch (ev) {
	case EV_BODY_SHORT:
		/* Exiting closes the connection: the server sees the body
		 * is short, and takes nothing as whole. */
		snprintf(why, sizeof(why), "stdin ended after %llu of %llu "
		    "bytes", rq->body.len - rq->up.left, rq->body.len);
		die(F_REQUEST, "request body", why);
	case EV_STDIN_FAILED:
		die(F_CLIENT, "request body", err);
	case EV_STDIN_STALLED:
		die(F_STALLED, "request body", "timed out");
	case EV_SEND_FAILED:
		die(F_SERVER, "send to backend", err);
	case EV_RECV_FAILED:
		die(F_SERVER, server, err);
	case EV_NO_RESPONSE:
		die(F_SERVER, server, "closed the connection without a "
		    "response");
	case EV_HEAD_CUT:
		die(F_SERVER, server, "response header cut short");
	case EV_HEAD_BAD:
		die(F_SERVER, server, "malformed response header");
	case EV_HEAD_TOO_LARGE:
		snprintf(why, sizeof(why), "response header over %d KiB",
		    KIB(MAX_HEAD));
		die(F_SERVER, server, why);
	case EV_SERVER_STALLED:
		die(F_TIMEOUT, server, "timed out");
	case EV_STDOUT_FAILED:
		die(F_GONE, "write to stdout", err);
	default:
		die(F_SERVER, "poll", err);
	}
}

static void
usage(void)
{
	if (fate.cgi)
		die(F_CONFIG, "usage", "bad arguments (see cgi2scgi(1))");
	write_all(2, usage_text, sizeof(usage_text) - 1);
	exit(FAIL_PERM);
}

/* "cgi2scgi: what: why", one line for the web server's error log. */
static void
say(const char *what, const char *why)
{
	char	 msg[MESSAGE_MAX];
	int	 n;

	n = snprintf(msg, sizeof(msg), "cgi2scgi: %s: %s\n", what, why);
	if (n > 0)
		write_all(2, msg, (size_t)n < sizeof(msg) ? (size_t)n :
		    sizeof(msg) - 1);
}

/*
 * A web server may write the whole body before it reads our answer, and
 * drop the answer if we stop reading (Apache does): so before exiting,
 * read what is left of the declared body.
 */
static void
drain_stdin(void)
{
	struct half	*h = fate.upload;
	struct pollfd	 pfd;
	ssize_t		 n;

	pfd.fd = 0;
	pfd.events = POLLIN;
	while (h != NULL && h->from == 0 && h->left > 0) {
		switch (poll(&pfd, 1, fate.drain_ms > 0 ? fate.drain_ms : -1)) {
		case -1:
			if (errno == EINTR)
				continue;
			return;
		case 0:
			return;		/* a stalled client: not our problem now */
		}
		n = read(0, h->buf, h->left < h->cap ? (size_t)h->left :
		    h->cap);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return;
		h->left -= (unsigned long long)n;
	}
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

/* ---------------------------------------------------- configuration */

/*
 * Where the request goes, what may start its server, and the limits:
 * from the arguments (unless they are the query's words), a -f file,
 * the environment, checked and resolved before a byte is read.
 */
static void
configure(int argc, char *argv[], struct route *r, struct launch *l)
{
	int	 first, i;

	fate.cgi = env_get("GATEWAY_INTERFACE") != NULL;
	read_settings(r->setting);
	r->connect_ms = r->retry_ms = r->idle_ms = r->down_ms = -1;
	r->max_body = r->max_spool = UNSET;
	if (args_are_query(argc, argv))
		argc = 1;		/* the client's words: none of ours */
	else if (argc > 2 && strcmp(argv[1], "-f") == 0) {
		check_script(argv[2]);
		args_from_file(argv[2], &argc, &argv);
	}
	first = parse_options(argc, argv, r, l);
	limits_from_env(r);
	fate.drain_ms = r->idle_ms;
	parse_operands(argc - first, argv + first, r, l);
	for (i = 0; i < r->ntargets; i++)
		check_target(&r->to[i]);
	resolve_targets(r);
}

/*
 * RFC 3875 4.4: for a query without '=', a web server may pass the
 * query's words as arguments, and Apache, mini_httpd and thttpd do.
 * Those words come from the client, so they must never choose the
 * backend: /app?host+25 would otherwise make us connect wherever the
 * client likes, and /app?-connect+sock+app run what it likes.  So
 * whenever the arguments could be words of the query, in any form a
 * server passes them, none of them is used.  Some of the words, in
 * their order, are enough: a server may pass only the first ones
 * (Apache: 4091 of them), or drop some (Boa: those it cannot decode),
 * and padding or junk must not make a client's words look like ours.
 * The '=' rule is not trusted either: a server that passes words
 * anyway must not open the hole again.
 */
static int
args_are_query(int argc, char *argv[])
{
	const char	*q = env_get("QUERY_STRING"), *p;
	int		 i, words = 1;

	if (!fate.cgi || argc < 2 || q == NULL || *q == '\0')
		return 0;
	for (p = q; (p = strchr(p, '+')) != NULL; p++)
		words++;
	/* Each argument the earliest word that can be it: if any can. */
	for (i = 1; i < argc && words > 0; words--)
		if (is_query_word(&q, argv[i]))
			i++;
	return i == argc;
}

/*
 * Could arg be the query word at *q (up to '+'), as a web server passes
 * it?  Servers %-decode the word (a %00 ends it); Apache then puts a
 * backslash before shell metacharacters, mini_httpd and thttpd do not.
 * Any of these forms counts, and the word as it stands too: better to
 * take an argument of the admin's for the client's than the other way
 * round.  *q moves past the word.
 */
static int
is_query_word(const char **q, const char *arg)
{
	const char	*w = *q, *end = w + strcspn(w, "+");
	const char	*raw = arg, *esc = arg;
	int		 as_raw = 1, as_esc = 1, c, hi, lo;
	int		 as_is = strncmp(arg, w, (size_t)(end - w)) == 0 &&
			    arg[end - w] == '\0';

	*q = *end == '+' ? end + 1 : end;
	for (; w < end; w++) {
		c = (unsigned char)*w;
		if (c == '%' && (hi = hex_value(w[1])) >= 0 &&
		    (lo = hex_value(w[2])) >= 0) {
			c = hi * 16 + lo;
			w += 2;
		}
		if (c == '\0')
			break;
		if (as_raw && (unsigned char)*raw == c)
			raw++;
		else
			as_raw = 0;
		if (as_esc && *esc == '\\')
			esc++;
		if (as_esc && (unsigned char)*esc == c)
			esc++;
		else
			as_esc = 0;
	}
	return as_is || (as_raw && *raw == '\0') || (as_esc && *esc == '\0');
}

static int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Under a web server, -f must name the script being run, as the kernel
 * hands it to a "#!" interpreter (by a relative name under suEXEC):
 * nothing from the client may choose the file.
 */
static void
check_script(const char *path)
{
	const char	*script = env_value("SCRIPT_FILENAME");
	struct stat	 a, b;

	if (!fate.cgi)
		return;
	if (script == NULL || stat(path, &a) == -1 || stat(script, &b) == -1 ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		die(F_CONFIG, path, "-f names no script run by the web server "
		    "(SCRIPT_FILENAME)");
}

/*
 * cgi-fcgi's -f: the arguments are the words of the first line of file
 * that is neither blank nor a comment, so that a script starting with
 * "#!/usr/local/bin/cgi2scgi -f" runs as a CGI program.  What follows
 * file on the command line is ignored: a web server may put the words
 * of the query there.
 */
static void
args_from_file(const char *path, int *argc, char ***argv)
{
	static char	 text[ARGFILE_MAX + 1];
	static char	*args[MAX_ARGS + 2];
	char		*line;
	size_t		 got = 0;
	ssize_t		 n;
	int		 fd, i;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		die(F_CONFIG, path, strerror(errno));
	while (got < ARGFILE_MAX &&
	    (n = read(fd, text + got, ARGFILE_MAX - got)) != 0)
		if (n > 0)
			got += (size_t)n;
		else if (errno != EINTR)
			die(F_CONFIG, path, strerror(errno));
	close(fd);
	if ((line = arg_line(text, got, got < ARGFILE_MAX)) == NULL) {
		if (got < ARGFILE_MAX)
			die(F_CONFIG, path, "no line of arguments");
		dief(F_CONFIG, path, "no line of arguments in its first %d "
		    "KiB", KIB(ARGFILE_MAX));
	}
	if ((i = split_words(line, args + 1, MAX_ARGS)) == -1)
		dief(F_CONFIG, path, "over %d arguments", MAX_ARGS);
	args[0] = (*argv)[0];
	args[i + 1] = NULL;
	*argc = i + 1;
	*argv = args;
}

/*
 * The first line of text[0..len) that is neither blank nor a comment,
 * ended with a NUL in place of its newline; NULL if there is none, or if
 * it holds a NUL byte, or runs to the end of a text that is not the whole
 * file.  text has room for one more byte.
 */
static char *
arg_line(char *text, size_t len, int whole)
{
	char	*line, *end;

	for (line = text; line < text + len; line = end + 1) {
		if ((end = memchr(line, '\n', len - (size_t)(line - text))) ==
		    NULL) {
			if (!whole)
				return NULL;
			end = text + len;
		}
		*end = '\0';
		if (*line != '#' && strspn(line, " \t\r") != (size_t)(end - line))
			return strlen(line) == (size_t)(end - line) ? line : NULL;
	}
	return NULL;
}

/* line's words, split at blanks, into args[0..max); their count, or -1. */
static int
split_words(char *line, char *args[], int max)
{
	size_t	 n;
	int	 i = 0;

	for (; *(line += strspn(line, " \t\r")) != '\0'; line += n) {
		if (i == max)
			return -1;
		args[i++] = line;
		if (line[n = strcspn(line, " \t\r")] != '\0')
			line[n++] = '\0';
	}
	return i;
}

/* Options into r and l, which start unset; the first operand's index. */
static int
parse_options(int argc, char *argv[], struct route *r, struct launch *l)
{
	int	 i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--") == 0)
			return i + 1;
		if (flag_option(argv[i], l))
			continue;
		if (i + 1 == argc || value_option(argv[i], argv[i + 1], r, l) ==
		    -1)
			usage();
		i++;			/* past the value */
	}
	return i;
}

/* An option that takes no value; 0 if a is none. */
static int
flag_option(const char *a, struct launch *l)
{
	if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
		write_all(1, usage_text, sizeof(usage_text) - 1);
		print_and_exit(help_text, sizeof(help_text) - 1);
	}
	if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0)
		print_and_exit("cgi2scgi " VERSION "\n",
		    sizeof("cgi2scgi " VERSION "\n") - 1);
	if (strcmp(a, "-bind") == 0)
		l->bind = 1;
	else if (strcmp(a, "-start") == 0)
		l->start = 1;
	else if (strcmp(a, "-fd0") == 0)
		l->fd0 = 1;
	else if (strcmp(a, "-unchecked") == 0)
		l->unchecked = 1;
	else
		return 0;
	return 1;
}

/* An option with the value v; -1 if a is none.  A bad v names a. */
static int
value_option(const char *a, const char *v, struct route *r, struct launch *l)
{
	if (strcmp(a, "-connect") == 0)
		add_conn(r, v);
	else if (strcmp(a, "-log") == 0)
		l->log = v;
	else if (strcmp(a, "-t") == 0)
		get_seconds(a, v, &r->connect_ms);
	else if (strcmp(a, "-r") == 0)
		get_seconds(a, v, &r->retry_ms);
	else if (strcmp(a, "-i") == 0)
		get_seconds(a, v, &r->idle_ms);
	else if (strcmp(a, "-d") == 0)
		get_seconds(a, v, &r->down_ms);
	else if (strcmp(a, "-m") == 0)
		get_size(a, v, &r->max_body);
	else if (strcmp(a, "-s") == 0)
		get_size(a, v, &r->max_spool);
	else
		return -1;
	return 0;
}

static void
print_and_exit(const char *text, size_t len)
{
	write_all(1, text, len);
	exit(0);
}

/*
 * The SCGI_ variables, from one pass over the environment, not one pass
 * each: a request pays for every pass.  The first of a name wins, as
 * with getenv(3); an empty one counts as unset.
 */
static void
read_settings(const char *setting[S_COUNT])
{
	const char	*p, *n;
	char		**e;
	int		 k;

	for (e = environ; *e != NULL; e++) {
		if (**e != 'S' || strncmp(*e, "SCGI_", 5) != 0)
			continue;
		for (k = 0; k < S_COUNT; k++) {
			for (p = *e + 5, n = setting_names[k] + 5;
			    *n != '\0' && *p == *n; p++, n++)
				;
			if (*n == '\0' && *p == '=' && setting[k] == NULL)
				setting[k] = p + 1;
		}
	}
	for (k = 0; k < S_COUNT; k++)
		if (setting[k] != NULL && *setting[k] == '\0')
			setting[k] = NULL;
}

/* Whatever no option set comes from the environment, else the default. */
static void
limits_from_env(struct route *r)
{
	if (r->connect_ms == -1)
		set_seconds(r, &r->connect_ms, S_CONNECT_TIMEOUT, CONNECT_MS);
	if (r->retry_ms == -1)
		set_seconds(r, &r->retry_ms, S_RETRY_TIMEOUT, RETRY_MS);
	if (r->idle_ms == -1)
		set_seconds(r, &r->idle_ms, S_IDLE_TIMEOUT, IDLE_MS);
	if (r->down_ms == -1)
		set_seconds(r, &r->down_ms, S_DOWN_TIME, DOWN_MS);
	if (r->max_body == UNSET)
		set_size(r, &r->max_body, S_MAX_BODY, MAX_BODY);
	if (r->max_spool == UNSET)
		set_size(r, &r->max_spool, S_MAX_SPOOL, MAX_SPOOL);
}

/* A setting's value, else the default. */
static void
set_seconds(const struct route *r, int *ms, enum setting k, int dflt)
{
	*ms = dflt;
	if (r->setting[k] != NULL)
		get_seconds(setting_names[k], r->setting[k], ms);
}

static void
set_size(const struct route *r, unsigned long long *v, enum setting k,
    unsigned long long dflt)
{
	*v = dflt;
	if (r->setting[k] != NULL)
		get_size(setting_names[k], r->setting[k], v);
}

/* s as a number of seconds into *ms, or an error that names its source. */
static void
get_seconds(const char *name, const char *s, int *ms)
{
	if (parse_seconds(s, ms) == -1)
		dief(F_CONFIG, name, "not a number of seconds: \"%.40s\"", s);
}

static void
get_size(const char *name, const char *s, unsigned long long *v)
{
	if (parse_size(s, v) == -1)
		dief(F_CONFIG, name, "not a size in bytes: \"%.40s\"", s);
}

/* "7", "0.25", "90.5": seconds, to the millisecond, as ms. */
static int
parse_seconds(const char *s, int *ms)
{
	long long v = 0;
	int	 scale = 100;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((v = v * 10 + (*s - '0')) > INT_MAX / 1000)
			return -1;
	v *= 1000;
	if (*s == '.') {
		/* One to three fraction digits. */
		if (s[1] < '0' || s[1] > '9')
			return -1;
		for (s++; *s >= '0' && *s <= '9' && scale > 0; s++, scale /= 10)
			v += (*s - '0') * scale;
	}
	if (*s != '\0' || v > INT_MAX)
		return -1;
	*ms = (int)v;
	return 0;
}

/*
 * Digits only: no sign, no space, no base prefix.  Returns 0, or the
 * status to answer: 400 for a malformed value, 413 for one over max.
 */
static int
parse_length(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0, d;
	int	 over = 0;

	if (*s == '\0')
		return 400;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return 400;
		d = (unsigned long long)(*s - '0');
		if (d > max || v > (max - d) / 10)
			over = 1;
		else
			v = v * 10 + d;
	}
	if (over)
		return 413;
	*out = v;
	return 0;
}

/* "1048576", "512k", "1G": bytes, with binary suffixes. */
static int
parse_size(const char *s, unsigned long long *out)
{
	char	 digits[32];
	size_t	 n = strspn(s, "0123456789");
	int	 shift = 0;

	if (n == 0 || n >= sizeof(digits))
		return -1;
	switch (s[n]) {
	case '\0':			break;
	case 'k': case 'K':	shift = 10; break;
	case 'm': case 'M':	shift = 20; break;
	case 'g': case 'G':	shift = 30; break;
	default:		return -1;
	}
	if (s[n] != '\0' && s[n + 1] != '\0')
		return -1;
	memcpy(digits, s, n);
	digits[n] = '\0';
	if (parse_length(digits, ULLONG_MAX >> shift, out) != 0)
		return -1;
	*out <<= shift;
	return 0;
}

/*
 * The operands: APP and N with -start or -connect, else the server
 * (a socket, or a host and a port), else none, and the environment
 * names the server.
 */
static void
parse_operands(int nargs, char *args[], struct route *r, struct launch *l)
{
	unsigned long long	 n = 1;
	int			 app_only = l->fd0 || l->log != NULL ||
				    l->unchecked;

	if (nargs > 2)
		usage();
	if (r->ntargets == 0) {
		if (l->bind || l->start || app_only)
			usage();
		if (nargs == 1)
			new_target(r)->path = args[0];
		else if (nargs == 2) {
			set_host(new_target(r), args[0], strlen(args[0]));
			r->to[0].port = args[1];
		} else
			targets_from_env(r);
		return;
	}
	if (nargs == 0) {		/* -bind, said or not */
		if (l->start || app_only)
			usage();
		return;
	}
	if (l->bind || r->ntargets > 1 || (nargs == 2 &&
	    (parse_length(args[1], MAX_COPIES, &n) != 0 || n == 0)))
		usage();
	l->app = args[0];
	l->copies = (int)n;
}

/* SCGI_FILE, else SCGI_HOST's hosts, separated by commas, on SCGI_PORT. */
static void
targets_from_env(struct route *r)
{
	const char	*file = r->setting[S_FILE];
	const char	*hosts = r->setting[S_HOST], *port, *h;
	struct target	*t;
	size_t		 len, from, to;

	if (file != NULL) {
		new_target(r)->path = file;
		return;
	}
	if ((port = r->setting[S_PORT]) == NULL)
		die(F_CONFIG, "configuration", hosts != NULL ?
		    "SCGI_HOST is set but SCGI_PORT is not" :
		    "no SCGI server: set SCGI_FILE, or SCGI_HOST and "
		    "SCGI_PORT, or give arguments");
	if (hosts == NULL)
		hosts = "localhost";
	for (h = hosts;; h += len + 1) {
		len = strcspn(h, ",");
		/* Blanks around a comma are no part of a name. */
		from = strspn(h, " \t");
		for (to = len; to > from && (h[to - 1] == ' ' ||
		    h[to - 1] == '\t'); to--)
			;
		t = new_target(r);
		set_host(t, h + from, to - from);
		t->port = port;
		if (h[len] == '\0')
			break;
	}
}

/*
 * -connect's conn: "@name" or a name with a '/' or without a ':' is a
 * unix-domain socket, anything else host:port, with an IPv6 address in
 * brackets.
 */
static void
add_conn(struct route *r, const char *conn)
{
	struct target	*t = new_target(r);
	const char	*colon = strrchr(conn, ':');

	if (*conn == '@' || strchr(conn, '/') != NULL || colon == NULL) {
		t->path = conn;
		return;
	}
	/* An IPv6 address needs its brackets, and a port after them. */
	if (*conn == '[' ? colon[-1] != ']' :
	    memchr(conn, ':', (size_t)(colon - conn)) != NULL)
		dief(F_CONFIG, "-connect", "not a socket, host:port or "
		    "[address]:port: \"%.80s\"", conn);
	set_host(t, conn, (size_t)(colon - conn));
	t->port = colon + 1;
}

static struct target *
new_target(struct route *r)
{
	if (r->ntargets == MAX_TARGETS)
		dief(F_CONFIG, "configuration", "over %d servers", MAX_TARGETS);
	return &r->to[r->ntargets++];	/* zeroed, as r is static */
}

/* A host name, without the brackets an IPv6 address may come in. */
static void
set_host(struct target *t, const char *host, size_t len)
{
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len >= sizeof(t->host))
		die(F_CONFIG, "configuration", "host name too long");
	memcpy(t->host, host, len);
	t->host[len] = '\0';
}

static void
check_target(const struct target *t)
{
	struct sockaddr_un	 sun;
	unsigned long long	 port;
	size_t			 len;

	if (t->path != NULL) {
		if (*t->path == '\0')
			die(F_CONFIG, "configuration", "empty socket path");
		/* A path needs its NUL; an abstract name has none. */
		len = strlen(t->path);
		if (len - is_nul_ended(t->path, len) >= sizeof(sun.sun_path) +
		    (*t->path == '@'))
			die(F_CONFIG, name_of(t), "socket path too long");
#ifndef __linux__
		if (*t->path == '@')
			die(F_CONFIG, name_of(t), "abstract sockets are "
			    "Linux's");
#endif
		return;
	}
	if (*t->host == '\0' || *t->port == '\0')
		die(F_CONFIG, name_of(t), "empty host or port");
	if (t->port[strspn(t->port, "0123456789")] == '\0' &&
	    (parse_length(t->port, 65535, &port) != 0 || port == 0))
		die(F_CONFIG, name_of(t), "port out of range 1-65535");
}

/*
 * "@name" is a name in Linux's abstract namespace, and "@name\\0" (a
 * backslash and a zero) the same name with a NUL byte after it, which is
 * what uWSGI binds for "@name".  They are two names, and nothing falls
 * back from one to the other: any user can bind an abstract name, and
 * would get the requests meant for the name we do not use.
 */
static int
is_nul_ended(const char *path, size_t len)
{
	return *path == '@' && len > 3 && memcmp(path + len - 2, "\\0", 2) == 0;
}

/*
 * Look up every TCP server.  One that fails is logged and passed over
 * (its ai stays NULL) if there are others; a name that does not exist
 * is a configuration error.
 */
static void
resolve_targets(struct route *r)
{
	struct addrinfo	 hints;
	struct target	*t = &r->to[0];
	int		 i, n = 0, res = 0, err = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	for (i = 0; i < r->ntargets; i++) {
		t = &r->to[i];
		if (t->path != NULL || resolve_numeric(t) ||
		    (res = getaddrinfo(t->host, t->port, &hints, &t->ai)) == 0) {
			n++;
			continue;
		}
		err = errno;
		t->ai = NULL;
		if (i + 1 < r->ntargets || n > 0)
			say_at("resolve", t, gai_reason(res, err));
	}
	if (n == 0)
		die_at(res == EAI_AGAIN ? F_SERVER : F_CONFIG, "resolve", t,
		    gai_reason(res, err));
}

/*
 * An address and port in digits, as a web server's configuration mostly
 * gives them, need no getaddrinfo(3), which allocates on every request
 * (and with glibc reads files and opens sockets).  0 if not numeric.
 */
static int
resolve_numeric(struct target *t)
{
	struct sockaddr_in6	*sin6 = &t->num_addr.in6;
	struct sockaddr_in	*sin = &t->num_addr.in;
	unsigned long long	 port;

	if (parse_length(t->port, 65535, &port) != 0)
		return 0;
	memset(&t->num_ai, 0, sizeof(t->num_ai));
	memset(&t->num_addr, 0, sizeof(t->num_addr));
	t->num_ai.ai_socktype = SOCK_STREAM;
	if (inet_pton(AF_INET, t->host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((unsigned short)port);
		t->num_ai.ai_addrlen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, t->host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((unsigned short)port);
		t->num_ai.ai_addrlen = sizeof(*sin6);
	} else
		return 0;
	t->num_ai.ai_addr = (struct sockaddr *)&t->num_addr;
	t->num_ai.ai_family = t->num_ai.ai_addr->sa_family;
	t->ai = &t->num_ai;
	return 1;
}

static const char *
gai_reason(int res, int err)
{
	return res == EAI_SYSTEM ? strerror(err) : gai_strerror(res);
}

static void
free_addresses(struct route *r)
{
	int	 i;

	for (i = 0; i < r->ntargets; i++)
		if (r->to[i].ai != NULL && r->to[i].ai != &r->to[i].num_ai)
			freeaddrinfo(r->to[i].ai);
}

/*
 * getenv(3) without a strncmp(3) call per entry: a request looks up a
 * dozen names in an environment of thirty or more, most of which differ
 * from the name in their first byte or two.
 */
static const char *
env_get(const char *name)
{
	const char	*p, *n;
	char		**e;

	for (e = environ; *e != NULL; e++) {
		for (p = *e, n = name; *n != '\0' && *p == *n; p++, n++)
			;
		if (*n == '\0' && *p == '=')
			return p + 1;
	}
	return NULL;
}

/* Where temporary files go: TMPDIR, else /tmp. */
static const char *
tmp_dir(void)
{
	const char	*dir = env_value("TMPDIR");

	return dir != NULL ? dir : "/tmp";
}

/* A variable's value, or NULL if it is unset or empty. */
static const char *
env_value(const char *name)
{
	const char	*v = env_get(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/*
 * How messages name t: its path, "host:port" or "[v6]:port", in a
 * buffer that the next call reuses.  Only a message needs it.
 */
static const char *
name_of(const struct target *t)
{
	static char	 name[NAME_MAX_LEN];
	size_t		 at = 0;
	int		 v6 = t->path == NULL && strchr(t->host, ':') != NULL;

	if (t->path != NULL) {
		put(name, &at, sizeof(name), t->path);
		return name;
	}
	put(name, &at, sizeof(name), v6 ? "[" : "");
	put(name, &at, sizeof(name), t->host);
	put(name, &at, sizeof(name), v6 ? "]:" : ":");
	put(name, &at, sizeof(name), t->port);
	return name;
}

/* s at dst[*at], as much as fits with a NUL in cap. */
static void
put(char *dst, size_t *at, size_t cap, const char *s)
{
	for (; *s != '\0' && *at + 1 < cap; s++)
		dst[(*at)++] = *s;
	dst[*at] = '\0';
}

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------- the SCGI request */

/*
 * The body is CONTENT_LENGTH bytes of stdin; with no CONTENT_LENGTH but
 * a Transfer-Encoding, all of stdin, to be spooled (one byte over the
 * limit is one too many); with neither, nothing (and stdin is not read:
 * RFC 3875 4.2).
 */
static void
find_body(const struct route *r, struct request *rq)
{
	const char	*cl = env_value("CONTENT_LENGTH");
	struct half	*up = &rq->up;

	up->from = up->to = -1;
	up->buf = rq->body_buf;
	up->cap = sizeof(rq->body_buf);
	fate.upload = up;
	if (cl != NULL) {
		switch (parse_length(cl, r->max_body, &rq->body.len)) {
		case 400:
			dief(F_REQUEST, "CONTENT_LENGTH",
			    "not a decimal number: \"%.40s\"", cl);
		case 413:
			dief(F_TOO_LARGE, "CONTENT_LENGTH", "%.40s is over the "
			    "limit of %llu bytes", cl, r->max_body);
		}
		up->from = 0;
		up->left = rq->body.len;
	} else if (env_value("HTTP_TRANSFER_ENCODING") != NULL) {
		rq->body.chunked = 1;
		up->from = 0;
		up->left = r->max_spool < r->max_body ? r->max_spool :
		    r->max_body;
		if (up->left < UNTIL_EOF)
			up->left++;
	}
}

/*
 * A chunked upload reaches a CGI program with no CONTENT_LENGTH and ends
 * at end of file, but SCGI must send the length first: so spool it to an
 * unlinked file (constant memory), and learn the length.  This waits
 * until a server has taken our connection, so that while servers are
 * down no upload takes disk space, and stops at the spool's own limit
 * (413) or where the disk gets full (507), before a byte is sent.
 */
static void
spool_body(const struct route *r, struct request *rq)
{
	struct half	*up = &rq->up;
	ssize_t		 n;
	int		 fd = spool_file();

	while ((n = read_stdin(r->idle_ms, up->buf, up->left < up->cap ?
	    (size_t)up->left : up->cap)) > 0) {
		if ((up->left -= (unsigned long long)n) == 0)
			dief(F_TOO_LARGE, "request body", "chunked upload over "
			    "the limit of %llu bytes", rq->body.len + (size_t)n - 1);
		if (spool_full(fd, (size_t)n))
			dief(F_STORAGE, "TMPDIR", "under %d%% free: no room for "
			    "a chunked upload", SPOOL_FREE_PCT);
		if (write_all(fd, up->buf, (size_t)n) == -1)
			die(F_STORAGE, "spool request body", strerror(errno));
		rq->body.len += (unsigned long long)n;
	}
	if (lseek(fd, 0, SEEK_SET) == -1)
		die(F_SYSTEM, "spool request body", strerror(errno));
	rq->body.spooled = 1;
	up->from = fd;
	up->left = rq->body.len;
}

/* An unlinked file in TMPDIR for the body: gone however we exit. */
static int
spool_file(void)
{
	char		 path[PATH_MAX];
	int		 fd;

	if (snprintf(path, sizeof(path), "%s/cgi2scgi.XXXXXX", tmp_dir()) >=
	    (int)sizeof(path))
		die(F_CONFIG, "TMPDIR", "path too long");
	if ((fd = mkstemp(path)) == -1)
		die(F_SYSTEM, path, strerror(errno));
	unlink(path);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

/*
 * Would n more bytes leave the spool's file system with less than
 * SPOOL_FREE_PCT of its space?  Then the disk is not ours to fill: other
 * uploads, and everything else on the machine, need it too.
 */
static int
spool_full(int fd, size_t n)
{
	struct statvfs	 fs;

	if (fstatvfs(fd, &fs) == -1)
		return 0;		/* the write will say if it is */
	return fs.f_bavail < fs.f_blocks / 100 * SPOOL_FREE_PCT +
	    n / (fs.f_frsize > 0 ? fs.f_frsize : 1) + 1;
}

/* Wait up to ms for stdin, then read; for spooling a chunked upload. */
static ssize_t
read_stdin(int ms, char *buf, size_t cap)
{
	struct pollfd	 pfd;
	ssize_t		 n;

	pfd.fd = 0;
	pfd.events = POLLIN;
	for (;;) {
		switch (poll(&pfd, 1, ms > 0 ? ms : -1)) {
		case -1:
			if (errno == EINTR)
				continue;
			die(F_SYSTEM, "poll", strerror(errno));
		case 0:
			die(F_STALLED, "request body", "timed out");
		}
		if ((n = read(0, buf, cap)) >= 0)
			return n;
		if (errno != EINTR && errno != EAGAIN)
			die(F_CLIENT, "read stdin", strerror(errno));
	}
}

/*
 * The SCGI header block, built in place in rq->header, to go before the
 * body: CONTENT_LENGTH first, SCGI=1, then the environment.
 */
static void
build_request(struct request *rq)
{
	struct var	 few[FEW_VARS], *v = few;
	char		*pairs = rq->header + LENGTH_ROOM, len[20];
	char		**e;
	size_t		 used = 0, n, i;

	for (e = environ; *e != NULL; e++)
		;
	if ((size_t)(e - environ) > FEW_VARS &&
	    (v = malloc((size_t)(e - environ) * sizeof(*v))) == NULL)
		die(F_SYSTEM, "request header", strerror(errno));
	n = format_ull(len, rq->body.len);
	add_pair(pairs, &used, "CONTENT_LENGTH", 14, len, n);
	add_pair(pairs, &used, "SCGI", 4, "1", 1);
	n = drop_repeats(v, forwarded_vars(v));
	for (i = 0; i < n; i++)
		add_pair(pairs, &used, v[i].name, v[i].nlen,
		    v[i].name + v[i].nlen + 1, strlen(v[i].name + v[i].nlen + 1));
	if (v != few)
		free(v);
	rq->block = netstring_wrap(rq->header, LENGTH_ROOM, used);
	rq->blocklen = (size_t)(pairs + used + 1 - rq->block);
}

/* The environment's variables to send, in order; their count. */
static size_t
forwarded_vars(struct var *v)
{
	const char	*eq;
	char		**e;
	size_t		 n = 0;

	for (e = environ; *e != NULL; e++) {
		for (eq = *e; *eq != '\0' && *eq != '='; eq++)
			;
		if (*eq == '\0' || eq == *e || !is_forwarded(*e,
		    (size_t)(eq - *e)))
			continue;
		v[n].name = *e;
		v[n].nlen = (size_t)(eq - *e);
		v[n].pos = n;
		n++;
	}
	return n;
}

/* Which environment variables become SCGI headers. */
static int
is_forwarded(const char *var, size_t nlen)
{
	/* Ours to set: SCGI wants CONTENT_LENGTH first and SCGI=1. */
	if (is_name(var, nlen, "CONTENT_LENGTH") || is_name(var, nlen, "SCGI"))
		return 0;
	/* SCGI_FILE and the like configure us, not the application. */
	if (nlen >= 5 && memcmp(var, "SCGI_", 5) == 0)
		return 0;
	/* httpoxy: a client's "Proxy:" header is no proxy setting. */
	if (is_name(var, nlen, "HTTP_PROXY"))
		return 0;
	/*
	 * The body goes out plain, CONTENT_LENGTH bytes of it: a spooled
	 * one is no longer chunked, and beside a length the header could
	 * only make a server look for chunks that are not there.
	 */
	if (is_name(var, nlen, "HTTP_TRANSFER_ENCODING"))
		return 0;
	return 1;
}

static int
is_name(const char *var, size_t nlen, const char *name)
{
	return strlen(name) == nlen && memcmp(var, name, nlen) == 0;
}

/*
 * SCGI forbids duplicate names; the first wins, as with getenv(3).  A
 * request has a few dozen variables, and comparing each with those kept
 * before it is quickest then; more are sorted by name, so that a client
 * repeating a header 100 000 times costs O(n log n), not O(n^2).
 * Returns how many of v[0..n) are kept, in their order.
 */
static size_t
drop_repeats(struct var *v, size_t n)
{
	size_t	 i, j, kept = 0;

	if (n <= FEW_VARS) {
		for (i = 0; i < n; i++) {
			for (j = 0; j < kept && !same_name(&v[j], &v[i]); j++)
				;
			if (j == kept)
				v[kept++] = v[i];
		}
		return kept;
	}
	qsort(v, n, sizeof(*v), by_name);
	for (i = 0; i < n; i++)
		if (kept == 0 || !same_name(&v[kept - 1], &v[i]))
			v[kept++] = v[i];
	qsort(v, kept, sizeof(*v), by_place);
	return kept;
}

/* Byte by byte, not memcmp(3): most names part within a few bytes. */
static int
same_name(const struct var *a, const struct var *b)
{
	size_t	 i;

	if (a->nlen != b->nlen)
		return 0;
	for (i = 0; i < a->nlen && a->name[i] == b->name[i]; i++)
		;
	return i == a->nlen;
}

/* By name, and a name's repeats in the order of the environment. */
static int
by_name(const void *a, const void *b)
{
	const struct var	*x = a, *y = b;
	int			 r;

	r = memcmp(x->name, y->name, x->nlen < y->nlen ? x->nlen : y->nlen);
	if (r == 0 && x->nlen != y->nlen)
		r = x->nlen < y->nlen ? -1 : 1;
	if (r == 0)
		r = x->pos < y->pos ? -1 : x->pos > y->pos;
	return r;
}

static int
by_place(const void *a, const void *b)
{
	const struct var	*x = a, *y = b;

	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* name NUL value NUL at pairs[*used], unless MAX_HEADER would be passed. */
static void
add_pair(char *pairs, size_t *used, const char *name, size_t nlen,
    const char *value, size_t vlen)
{
	if (nlen > MAX_HEADER || vlen > MAX_HEADER ||
	    nlen + vlen + 2 > MAX_HEADER - *used)
		dief(F_HEADERS_TOO_LARGE, "request header", "over %d KiB",
		    KIB(MAX_HEADER));
	memcpy(pairs + *used, name, nlen);
	pairs[*used + nlen] = '\0';
	memcpy(pairs + *used + nlen + 1, value, vlen);
	pairs[*used + nlen + 1 + vlen] = '\0';
	*used += nlen + vlen + 2;
}

/* v in decimal, without snprintf(3): nothing else on our way needs it. */
static size_t
format_ull(char *buf, unsigned long long v)
{
	char	 rev[20];
	size_t	 n = 0, i;

	do
		rev[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	for (i = 0; i < n; i++)
		buf[i] = rev[n - 1 - i];
	return n;
}

/* ------------------------------------------------------- connecting */

/*
 * Connect the request to its server, or with an app, to the one it
 * starts when none listens.  The halves of the relay learn their fds.
 */
static void
connect_server(const struct route *r, struct launch *l, struct request *rq)
{
	if (l->app != NULL) {
		rq->backend = connect_or_start(r, l);
		rq->server = &r->to[0];
	} else
		rq->backend = connect_backend(r, &rq->server);
	rq->tcp = rq->server->path == NULL;
	fate.backend = rq->backend;
}

/*
 * A server may close a connection that stays idle (uWSGI does after 4 s
 * by default): if it closed ours while we spooled, connect again.
 */
static void
reconnect_if_closed(const struct route *r, struct launch *l,
    struct request *rq)
{
	struct pollfd	 pfd;

	pfd.fd = rq->backend;
	pfd.events = HANGUP;
	if (poll(&pfd, 1, 0) == 1)
		reconnect(r, l, rq);
}

/* A new connection for the request, as its first one was made. */
static void
reconnect(const struct route *r, struct launch *l, struct request *rq)
{
	close(rq->backend);
	fate.backend = -1;
	connect_server(r, l, rq);
}

/*
 * The server closed the connection without a byte of an answer: it may
 * have died with the request.  Another connection may then take it, as
 * nginx's proxy_next_upstream does, if doing it twice is as doing it
 * once (RFC 9110 9.2.2: its method is idempotent), the client has seen
 * nothing, and its body can be read again (none, or spooled).  Once.
 */
static int
may_resend(struct request *rq)
{
	static const char *const idempotent[] = { "GET", "HEAD", "OPTIONS",
	    "TRACE", "PUT", "DELETE", NULL };
	const char		*method = env_value("REQUEST_METHOD");
	const char *const	*m;

	if (rq->resent++ || method == NULL || fate.replied ||
	    (rq->body.len > 0 && !rq->body.spooled))
		return 0;
	for (m = idempotent; *m != NULL && strcmp(*m, method) != 0; m++)
		;
	if (*m == NULL || (rq->body.spooled && lseek(rq->up.from, 0,
	    SEEK_SET) == -1))
		return 0;
	say(name_of(rq->server), "closed the connection without a response: "
	    "sending the request again");
	rq->up.left = rq->body.len;
	rq->up.io = IO_UNKNOWN;
	rq->up.wait_to = rq->up.hup = 0;
	memset(&rq->down, 0, sizeof(rq->down));
	memset(&rq->head, 0, sizeof(rq->head));
	return 1;
}

/*
 * Each server in turn, and again while one of them may come up within
 * the retry time.  A server passed over is logged, once.  The socket,
 * and in *server which one it reaches.  The clock costs an exec two
 * page faults (the vDSO), so with one server it is read only once that
 * server has refused, which takes no time; with more, one may time out.
 */
static int
connect_backend(const struct route *r, const struct target **server)
{
	long long	 start = r->ntargets > 1 ? now_ms() : 0;
	int		 order[MAX_TARGETS], down[MAX_TARGETS];
	int		 s, i, k, n, last = 0, err = 0, again, round;
	int		 delay = BACKOFF_MIN_MS;

	n = try_order(r, order, down);
	for (round = 1;; round++) {
		for (k = again = 0; k < n; k++) {
			i = order[k];
			if ((s = connect_once(r, &r->to[i])) != -1) {
				if (down[i])
					mark_up(&r->to[i]);
				*server = &r->to[i];
				return s;
			}
			if ((err = errno) == ETIMEDOUT && n > 1)
				mark_down(r, &r->to[i]);
			again |= may_retry(err);
			last = i;
			if (round == 1 && k + 1 < n)
				say_at("connect", &r->to[i], strerror(err));
		}
		if (!again)
			break;
		if (start == 0)
			start = now_ms();
		if (now_ms() + delay > start + r->retry_ms)
			break;
		poll(NULL, 0, delay);
		delay = delay * 2 < BACKOFF_MAX_MS ? delay * 2 : BACKOFF_MAX_MS;
	}
	if (err == ENOTSOCK)
		die_at(F_CONFIG, "connect", &r->to[last], "not a socket");
	die_at(err == ETIMEDOUT ? F_TIMEOUT : F_SERVER, "connect",
	    &r->to[last], strerror(err));
}

/*
 * The order to try the servers in: as given, but those that timed out
 * within the -d time last, so that each request does not wait for
 * their timeout again, as nginx's fail_timeout spares them.  A name
 * that did not resolve is left out.  Their number; down[i] for each.
 */
static int
try_order(const struct route *r, int order[], int down[])
{
	int	 i, n = 0, pass;

	for (i = 0; i < r->ntargets; i++)
		down[i] = r->ntargets > 1 && is_down(r, &r->to[i]);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < r->ntargets; i++)
			if (down[i] == pass && (r->to[i].path != NULL ||
			    r->to[i].ai != NULL))
				order[n++] = i;
	return n;
}

/*
 * A TCP server timed out within the -d time if its mark in our private
 * directory, a file of ours, was touched since.  Any other file there
 * is not ours, and marks nothing: another user who took the directory
 * cannot make us pass over a server.
 */
static int
is_down(const struct route *r, const struct target *t)
{
	char		 path[PATH_MAX];
	struct stat	 st;
	struct timespec	 now;
	long long	 ago;

	if (t->path != NULL || r->down_ms == 0 ||
	    private_file(path, sizeof(path), t, ".down", 0) == NULL ||
	    lstat(path, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid())
		return 0;
	clock_gettime(CLOCK_REALTIME, &now);
	ago = (long long)(now.tv_sec - st.st_mtim.tv_sec) * 1000 +
	    (now.tv_nsec - st.st_mtim.tv_nsec) / 1000000;
	return ago >= 0 && ago < r->down_ms;
}

/* t timed out: mark it so, for the -d time. */
static void
mark_down(const struct route *r, const struct target *t)
{
	char		 path[PATH_MAX];
	const char	*why;
	int		 fd;

	if (t->path != NULL || r->down_ms == 0 ||
	    private_file(path, sizeof(path), t, ".down", 1) == NULL ||
	    (fd = open_own(path, O_WRONLY, &why)) == -1)
		return;
	futimens(fd, NULL);
	close(fd);
}

/* t, passed over, answered after all: it is up again. */
static void
mark_up(const struct target *t)
{
	char	 path[PATH_MAX];

	if (private_file(path, sizeof(path), t, ".down", 0) != NULL)
		unlink(path);
}

/*
 * TMPDIR/cgi2scgi-UID/name.ext for server t, into path, any '/' of an
 * abstract name as '_'; with make, the directory is made if need be,
 * and must be a private one of ours: else NULL, with its name in path.
 */
static char *
private_file(char *path, size_t cap, const struct target *t,
    const char *ext, int make)
{
	char		*p;
	int		 n;

	n = snprintf(path, cap, "%s/cgi2scgi-%ld", tmp_dir(), (long)geteuid());
	if (n < 0 || (size_t)n >= cap)
		die(F_CONFIG, "TMPDIR", "path too long");
	if (make && !is_private_dir(path))
		return NULL;
	p = path + n;
	if (snprintf(p, cap - (size_t)n, "/%s%s", name_of(t), ext) >=
	    (int)(cap - (size_t)n))
		die(F_CONFIG, name_of(t), "path in TMPDIR too long");
	while (*++p != '\0')
		if (*p == '/')
			*p = '_';
	return path;
}

/*
 * A directory in TMPDIR that only we can write to, "cgi2scgi-UID", for
 * the marks of servers that timed out and the log of an app on TCP or
 * an abstract name: in a directory shared with other users, they could
 * plant a mark or a log.  Another user may have taken the name first,
 * and can keep it: then it is not ours, and we do without.
 */
static int
is_private_dir(const char *dir)
{
	struct stat	 st;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return 0;
	return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid == geteuid() && (st.st_mode & 077) == 0;
}

/* One attempt at one server: its socket, or -1 with errno set. */
static int
connect_once(const struct route *r, const struct target *t)
{
	const struct addrinfo	*ai;
	int			 s = -1;

	if (t->path != NULL)
		return connect_unix(t->path, r->connect_ms);
	/* Every address of the name in turn, as getaddrinfo(3) sorted them. */
	for (ai = t->ai; ai != NULL && s == -1; ai = ai->ai_next)
		s = connect_addr(ai->ai_addr, ai->ai_addrlen, r->connect_ms);
	return s;
}

static int
connect_unix(const char *path, int ms)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	socklen_t		 len = unix_addr(path, &sun);
	int			 s;

	s = connect_addr((struct sockaddr *)&sun, len, ms);
	/* Linux refuses a file or a directory as it would a dead socket. */
	if (s == -1 && errno == ECONNREFUSED && *path != '@' &&
	    stat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
		errno = ENOTSOCK;
	return s;
}

/* A socket path as an address; check_target() saw that it fits. */
static socklen_t
unix_addr(const char *path, struct sockaddr_un *sun)
{
	size_t	 len = strlen(path);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (*path != '@') {
		memcpy(sun->sun_path, path, len);
		return sizeof(*sun);
	}
	/* The name after the '@'; "\\0" is one byte, a NUL, zeroed already. */
	if (is_nul_ended(path, len)) {
		memcpy(sun->sun_path + 1, path + 1, len - 3);
		len--;
	} else
		memcpy(sun->sun_path + 1, path + 1, len - 1);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
}

/* Connect within ms (0: no limit); the socket, or -1 with errno set. */
static int
connect_addr(const struct sockaddr *sa, socklen_t salen, int ms)
{
	struct pollfd	 pfd;
	socklen_t	 len = sizeof(int);
	int		 s, n, err = 0;

	if ((s = new_socket(sa->sa_family)) == -1)
		return -1;
	if (connect(s, sa, salen) == -1) {
		if ((err = errno) == EINPROGRESS || err == EINTR) {
			pfd.fd = s;
			pfd.events = POLLOUT;
			while ((n = poll(&pfd, 1, ms > 0 ? ms : -1)) == -1 &&
			    errno == EINTR)
				;
			if (n == 0)
				err = ETIMEDOUT;
			/* Writable, with no error or hangup: connected. */
			else if (n == 1 &&
			    (pfd.revents & (POLLERR | POLLHUP)) == 0)
				err = 0;
			else if (n == -1 || getsockopt(s, SOL_SOCKET, SO_ERROR,
			    &err, &len) == -1)
				err = errno;
		}
	}
	if (err != 0) {
		close(s);
		errno = err;
		return -1;
	}
	return s;
}

/* Our own socket, and only it, is non-blocking: fds 0 and 1 are shared. */
static int
new_socket(int family)
{
	int	 s;

#ifdef SOCK_NONBLOCK
	/* One call instead of three (Linux, the BSDs, POSIX.1-2024). */
	s = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
#else
	if ((s = socket(family, SOCK_STREAM, 0)) == -1)
		return -1;
	if (fcntl(s, F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(s, F_SETFL, O_NONBLOCK) == -1) {
		close(s);
		return -1;
	}
#endif
	return s;
}

/* Nothing listens: the server is down, or its socket not there yet. */
static int
may_start(int err)
{
	return err == ECONNREFUSED || err == ENOENT;
}

/* A server that is restarting may not listen yet, or be too busy. */
static int
may_retry(int err)
{
	return may_start(err) || err == EAGAIN;
}

/* -------------------------------------------------- starting an app */

/*
 * -connect conn app: connect, and if nothing listens, start app and
 * connect again.  The connection waits in the new socket's queue until
 * app accepts it.  Whoever listens must be us, or root.
 */
static int
connect_or_start(const struct route *r, struct launch *l)
{
	const struct target	*server;
	int			 s;

	if ((s = connect_once(r, &r->to[0])) == -1 && may_start(errno))
		s = start_and_connect(r, l);
	if (s == -1)
		s = connect_backend(r, &server); /* retries, says why not */
	check_listener(l, &r->to[0], s);
	return s;
}

/* Start app, and connect to it: the socket, or -1 with errno set. */
static int
start_and_connect(const struct route *r, struct launch *l)
{
	const struct target	*t = &r->to[0];
	int			 s = -1;

	if (is_file_socket(t)) {
		lock_start(r);
		/* The request that held the lock may have started it. */
		if ((s = connect_once(r, t)) != -1 || !may_start(errno)) {
			unlock_start();
			return s;
		}
	}
	if (start_app(r, l) != -1) {
		s = connect_once(r, t);
		close(fate.listener);
		fate.listener = -1;
	}
	unlock_start();
	return s;
}

/* -start: start app on conn unless a server listens there, and exit. */
static void
start_only(const struct route *r, struct launch *l)
{
	const char	*name = name_of(&r->to[0]);

	fate.replied = 1;	/* no request to answer, just the log line */
	if (is_file_socket(&r->to[0]))
		lock_start(r);
	if (connect_once(r, &r->to[0]) != -1)
		die(F_CONFIG, name, "a server listens there already");
	/* A busy server is no dead one: leave its socket alone. */
	if (!may_start(errno))
		die(F_START, name, strerror(errno));
	if (start_app(r, l) == -1)
		die(F_START, name, "another request is starting a server "
		    "there");
	close(fate.listener);
	fate.listener = -1;
	unlock_start();
}

/*
 * With an app, whoever listens on conn gets the requests meant for it,
 * cookies and all, and on a shared host another user can listen there
 * first: on a name in a shared directory, an abstract name, a port.
 * So before a byte is sent the listener must be us, who start app, or
 * root; where the system cannot tell, only -unchecked lets it pass.
 */
static void
check_listener(const struct launch *l, const struct target *t, int s)
{
	long	 uid = listener_uid(s);

	if (uid == UID_UNKNOWN && l->unchecked)
		return;
	if (uid == UID_UNKNOWN)
		die(F_SERVER, name_of(t), "cannot tell who listens there "
		    "(see -unchecked)");
	if (uid == UID_NONE)
		die(F_SERVER, name_of(t), "no socket of anyone's holds our "
		    "connection");
	if (uid != (long)geteuid() && uid != 0)
		dief(F_SERVER, name_of(t), "another user listens there "
		    "(uid %ld)", uid);
}

/*
 * The uid of whoever holds the other end of our connection s; UID_NONE
 * if no one's socket does, UID_UNKNOWN if the system cannot tell.
 */
static long
listener_uid(int s)
{
#ifdef __linux__
	struct sockaddr_storage	 ss;
	struct ucred		 cred;
	socklen_t		 len = sizeof(ss);

	ss.ss_family = AF_UNSPEC;
	if (getsockname(s, (struct sockaddr *)&ss, &len) == -1)
		return UID_UNKNOWN;
	if (ss.ss_family != AF_UNIX)
		return tcp_listener_uid(s, &ss);
	/* A unix socket's peer is as it was when it called listen(2). */
	len = sizeof(cred);
	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return UID_UNKNOWN;
	return (long)cred.uid;
#else
	(void)s;
	return UID_UNKNOWN;
#endif
}

#ifdef __linux__
/*
 * The kernel's sock_diag interface, as <linux/inet_diag.h> has it; the
 * kernel keeps it as it is, and musl-gcc does not see its headers.
 */
#define NETLINK_SOCK_DIAG	4
#define SOCK_DIAG_BY_FAMILY	20
#define NLM_F_REQUEST		1
#define NLMSG_ERROR		2
#define TCP_SYN_RECV		3	/* a request, not yet a socket */
#define TCP_TIME_WAIT		6
#define TCP_NEW_SYN_RECV	12
#define LOOPBACK_IFINDEX	1	/* lo's, in every network namespace */
#define DIAG_REPLY_MAX		512
#define HALF_TRIES		100	/* ms for a handshake to complete */

struct nl_header {			/* struct nlmsghdr */
	uint32_t	 len;
	uint16_t	 type, flags;
	uint32_t	 seq, pid;
};

struct nl_error {			/* struct nlmsgerr */
	struct nl_header hdr;
	int32_t		 error;		/* a negative errno */
};

union inet {				/* a TCP end's address */
	struct sockaddr_in	 in;
	struct sockaddr_in6	 in6;
};

struct diag_id {			/* struct inet_diag_sockid */
	uint16_t	 sport, dport;	/* in network order */
	uint32_t	 src[4], dst[4];
	uint32_t	 ifindex, cookie[2];
};

struct diag_request {			/* and struct inet_diag_req_v2 */
	struct nl_header hdr;
	uint8_t		 family, protocol, ext, pad;
	uint32_t	 states;
	struct diag_id	 id;
};

struct diag_reply {			/* and struct inet_diag_msg */
	struct nl_header hdr;
	uint8_t		 family, state, timer, retrans;
	struct diag_id	 id;
	uint32_t	 expires, rqueue, wqueue, uid, inode;
};

/*
 * Whose socket holds the other end of our TCP connection s: the one the
 * listener that took the connection made, which carries the listener's
 * owner.  It, and no other: whoever listens now may not be who took
 * us.  The kernel tells through sock_diag, looking it up by both ends'
 * addresses and ports, on the loopback device, so that a listener bound
 * to a device is found too.  Until it is a whole socket (the handshake
 * may still be in the server's queue) the kernel has no owner for it:
 * ask again.  If it is not there, our own end shows whether the kernel
 * can tell at all.
 */
static long
tcp_listener_uid(int s, const struct sockaddr_storage *ours)
{
	union inet	 me, peer;
	socklen_t	 len = sizeof(peer);
	long		 uid = DIAG_HALF;
	int		 i;

	memcpy(&me, ours, sizeof(me));	/* listener_uid() got our end */
	memset(&peer, 0, sizeof(peer));
	if (getpeername(s, (struct sockaddr *)&peer, &len) == -1)
		return UID_UNKNOWN;
	for (i = 0; uid == DIAG_HALF && i < HALF_TRIES; i++)
		if ((uid = diag_uid(&peer, &me)) == DIAG_HALF)
			poll(NULL, 0, 1);
	if (uid == DIAG_HALF)
		return UID_NONE;
	if (uid == UID_NONE && diag_uid(&me, &peer) < 0)
		return UID_UNKNOWN;	/* not even ours: no sock_diag */
	return uid;
}

/*
 * Ask sock_diag for the owner of the TCP socket whose own end is `end'
 * and whose peer is `other'.  Its uid; UID_NONE if there is no such
 * socket, or it is closing; DIAG_HALF if it is not a whole socket yet;
 * UID_UNKNOWN if the kernel does not answer.
 */
static long
diag_uid(const union inet *end, const union inet *other)
{
	struct diag_request	 req;
	union {
		struct diag_reply	 rep;
		struct nl_error		 err;
		char			 buf[DIAG_REPLY_MAX];
	}			 in;
	ssize_t			 n;
	int			 nl;

	memset(&req, 0, sizeof(req));
	req.hdr.len = sizeof(req);
	req.hdr.type = SOCK_DIAG_BY_FAMILY;
	req.hdr.flags = NLM_F_REQUEST;
	req.family = (uint8_t)end->in.sin_family;
	req.protocol = IPPROTO_TCP;
	req.states = ~0U;
	req.id.ifindex = LOOPBACK_IFINDEX;
	req.id.cookie[0] = req.id.cookie[1] = ~0U;	/* any socket */
	diag_end(req.id.src, &req.id.sport, end);
	diag_end(req.id.dst, &req.id.dport, other);
	if ((nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
	    NETLINK_SOCK_DIAG)) == -1)
		return UID_UNKNOWN;
	n = send(nl, &req, sizeof(req), 0) == -1 ? -1 :
	    recv(nl, &in, sizeof(in), 0);
	close(nl);
	if (n >= (ssize_t)sizeof(in.err) && in.err.hdr.type == NLMSG_ERROR)
		return in.err.error == -ENOENT ? UID_NONE : UID_UNKNOWN;
	if (n < (ssize_t)sizeof(in.rep) || in.rep.hdr.type != SOCK_DIAG_BY_FAMILY)
		return UID_UNKNOWN;
	switch (in.rep.state) {
	case TCP_SYN_RECV:
	case TCP_NEW_SYN_RECV:
		return DIAG_HALF;
	case TCP_TIME_WAIT:
		return UID_NONE;
	}
	return (long)in.rep.uid;
}

/* An address and port as sock_diag takes them, in network order. */
static void
diag_end(uint32_t addr[4], uint16_t *port, const union inet *a)
{
	if (a->in.sin_family == AF_INET)
		memcpy(addr, &a->in.sin_addr, sizeof(a->in.sin_addr));
	else
		memcpy(addr, &a->in6.sin6_addr, sizeof(a->in6.sin6_addr));
	*port = a->in.sin_port;		/* sin6_port is at the same place */
}
#endif

/*
 * One start at a time on a socket file: a request that finds nothing
 * listening waits here for the one starting the server, then finds it
 * up.  (Over TCP or an abstract name, binding the address is the lock.)
 */
static void
lock_start(const struct route *r)
{
	struct flock	 fl;
	char		 path[PATH_MAX];
	const char	*why;
	long long	 give_up = now_ms() + r->connect_ms + r->retry_ms;

	beside(path, sizeof(path), &r->to[0], ".lock");
	if ((fate.lock = open_own(path, O_RDWR, &why)) == -1)
		die(F_START, path, why);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	/* Starting takes a moment: a lock held longer is held by mistake. */
	while (fcntl(fate.lock, F_SETLK, &fl) == -1) {
		if (errno != EACCES && errno != EAGAIN && errno != EINTR)
			die(F_START, path, strerror(errno));
		if (r->connect_ms > 0 && now_ms() >= give_up)
			die(F_START, path, "held too long by another request "
			    "starting the server");
		poll(NULL, 0, LOOK_MS);
	}
}

static void
unlock_start(void)
{
	if (fate.lock != -1)
		close(fate.lock);
	fate.lock = -1;
}

/*
 * Listen on the server's socket and start its copies: the socket, or
 * -1 if another request is starting them.
 */
static int
start_app(const struct route *r, struct launch *l)
{
	const struct target	*t = &r->to[0];
	int			 logfd, i;

	/* A web server may ignore SIGCHLD; explain_exit() must reap. */
	signal(SIGCHLD, SIG_DFL);
	if ((fate.listener = listen_target(t)) == -1)
		return -1;
	logfd = open_log(l, t);
	for (i = 0; i < l->copies; i++)
		spawn_app(l, fate.listener, logfd);
	if (logfd != 2)
		close(logfd);
	l->started = 1;
	return fate.listener;
}

/*
 * The server's listening socket, blocking, as servers expect; -1 if
 * another request has just bound it, to start the server itself.
 */
static int
listen_target(const struct target *t)
{
	struct sockaddr_un	 sun;
	const struct sockaddr	*sa = (struct sockaddr *)&sun;
	socklen_t		 len;
	int			 s, one = 1;

	if (t->path != NULL)
		len = unix_addr(t->path, &sun);
	else {
		sa = t->ai->ai_addr;
		len = t->ai->ai_addrlen;
	}
	remove_stale(t);
	if ((s = socket(sa->sa_family, SOCK_STREAM, 0)) == -1 ||
	    fcntl(s, F_SETFD, FD_CLOEXEC) == -1 ||
	    (t->path == NULL && setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) == -1) ||
	    bind(s, sa, len) == -1 || listen(s, SOMAXCONN) == -1) {
		if (errno == EADDRINUSE && !is_file_socket(t)) {
			close(s);
			return -1;
		}
		die_at(F_START, "listen", t, strerror(errno));
	}
	return s;
}

/* Nothing listens on t, so a socket file there is stale: remove it. */
static void
remove_stale(const struct target *t)
{
	struct stat	 st;

	if (!is_file_socket(t) || lstat(t->path, &st) == -1)
		return;
	if (!S_ISSOCK(st.st_mode))
		die(F_CONFIG, name_of(t), "exists and is not a socket");
	if (unlink(t->path) == -1)
		die(F_START, name_of(t), strerror(errno));
}

/*
 * app's output: -log's file, our stderr for "-", else beside a socket
 * file, else in our private directory, else (another user took its
 * name) nowhere, which is better than no app.
 */
static int
open_log(const struct launch *l, const struct target *t)
{
	char		 path[PATH_MAX], msg[MESSAGE_MAX];
	const char	*why = "not a private directory of ours";
	int		 fd;

	if (l->log != NULL)
		return strcmp(l->log, "-") == 0 ? 2 : open_admin_log(l->log);
	if (is_file_socket(t)) {
		beside(path, sizeof(path), t, ".log");
		if ((fd = open_own(path, O_WRONLY | O_APPEND, &why)) == -1)
			die(F_START, path, why);
		return fd;
	}
	if (private_file(path, sizeof(path), t, ".log", 1) != NULL &&
	    (fd = open_own(path, O_WRONLY | O_APPEND, &why)) != -1)
		return fd;
	snprintf(msg, sizeof(msg), "%s: app's output to /dev/null (see -log)",
	    why);
	say(path, msg);
	return open("/dev/null", O_WRONLY | O_CLOEXEC);
}

/* -log's file, the admin's choice: a file of the web server's logs, say. */
static int
open_admin_log(const char *path)
{
	int	 fd;

	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK |
	    O_CLOEXEC, 0600)) == -1)
		die(F_START, path, strerror(errno));
	fcntl(fd, F_SETFL, O_WRONLY | O_APPEND);
	return fd;
}

/*
 * Open our own lock or log: a plain file of ours, and no other name's;
 * -1, and why not in *why.  O_NONBLOCK, so that a FIFO planted in its
 * place cannot hang us (and with us every request waiting for the lock).
 */
static int
open_own(const char *path, int flags, const char **why)
{
	struct stat	 st;
	int		 fd;

	/* O_NOFOLLOW: no symlink, planted or not. */
	if ((fd = open(path, flags | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, 0600)) == -1) {
		*why = strerror(errno);
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || st.st_nlink != 1) {
		close(fd);
		*why = "not a plain file of ours";
		return -1;
	}
	fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return fd;
}

/* socket file + ext, for the lock and the log beside it. */
static void
beside(char *buf, size_t cap, const struct target *t, const char *ext)
{
	int	 n = snprintf(buf, cap, "%s%s", t->path, ext);

	if (n < 0 || (size_t)n >= cap)
		die(F_CONFIG, t->path, "lock or log path too long");
}

/* One copy of app on lfd.  Its exec failing is this request's 503. */
static void
spawn_app(const struct launch *l, int lfd, int logfd)
{
	int	 pfd[2], err;
	ssize_t	 n;
	pid_t	 pid;

	if (pipe(pfd) == -1 || fcntl(pfd[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(pfd[1], F_SETFD, FD_CLOEXEC) == -1)
		die(F_START, "pipe", strerror(errno));
	if ((pid = fork()) == -1)
		die(F_START, "fork", strerror(errno));
	if (pid == 0)
		exec_app(l, lfd, logfd, pfd[1]);
	close(pfd[1]);
	/* The pipe closes unread on a successful exec(2). */
	while ((n = read(pfd[0], &err, sizeof(err))) == -1 && errno == EINTR)
		;
	close(pfd[0]);
	if (n == (ssize_t)sizeof(err)) {
		waitpid(pid, NULL, 0);
		die(F_START, l->app, strerror(err));
	}
}

/*
 * In the child: detach app from the request, in a session of its own
 * with no tie to the web server's pipes, and run it with the listening
 * socket as fd 3 (systemd's socket activation) or fd 0 (cgi-fcgi's).
 * If that fails, tell the parent why through errfd.
 */
static void
exec_app(const struct launch *l, int lfd, int logfd, int errfd)
{
	char	*argv[2], **env;
	int	 err;

	reset_signals();
	if (hand_over_fds(l, lfd, logfd, &errfd) == -1 || setsid() == -1 ||
	    (env = app_environ(l)) == NULL)
		goto fail;
	argv[0] = (char *)l->app;
	argv[1] = NULL;
	execve(l->app, argv, env);
fail:
	err = errno;
	write_all(errfd, (char *)&err, sizeof(err));
	_exit(127);
}

/*
 * In the child: descriptors 0 to 3 as app gets them, and errfd, still
 * closed on exec, just above them.  Everything else is closed.
 */
static int
hand_over_fds(const struct launch *l, int lfd, int logfd, int *errfd)
{
	int	 null, fd, top = l->fd0 ? 3 : 4;

	/* Out of the way of fds 0 to 4, which they may hold now. */
	if ((fd = fcntl(*errfd, F_DUPFD_CLOEXEC, 5)) == -1)
		return -1;
	*errfd = fd;
	if ((null = open("/dev/null", O_RDONLY)) == -1 ||
	    (null = fcntl(null, F_DUPFD, 5)) == -1 ||
	    (lfd = fcntl(lfd, F_DUPFD, 5)) == -1 ||
	    (logfd = fcntl(logfd, F_DUPFD, 5)) == -1 ||
	    dup2(l->fd0 ? lfd : null, 0) == -1 || dup2(logfd, 1) == -1 ||
	    dup2(logfd, 2) == -1 || (!l->fd0 && dup2(lfd, 3) == -1) ||
	    dup2(*errfd, top) == -1 || fcntl(top, F_SETFD, FD_CLOEXEC) == -1)
		return -1;
	*errfd = top;
	close_from(top + 1);
	return 0;
}

/*
 * Close every descriptor from fd up, however high: one opened above the
 * soft RLIMIT_NOFILE, which sysconf(3) reports, is open all the same.
 */
static void
close_from(int fd)
{
	struct rlimit	 rl;
	DIR		*d;
	struct dirent	*de;
	long		 n, max = INT_MAX;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned int)fd, ~0U, 0) == 0)
		return;			/* Linux 5.9 */
#endif
	if ((d = opendir("/proc/self/fd")) != NULL) {
		while ((de = readdir(d)) != NULL)
			if ((n = strtol(de->d_name, NULL, 10)) >= fd &&
			    n != dirfd(d))
				close((int)n);
		closedir(d);
		return;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max < INT_MAX)
		max = (long)rl.rlim_max;
	for (n = fd; n < max; n++)
		close((int)n);
}

/*
 * A server starts with every signal at its default and none blocked;
 * exec(2) keeps both what is ignored and the mask, whatever the web
 * server left there.  The C library keeps a few signals for itself and
 * will not touch them (glibc 32 and 33, musl 32 to 34), but a program
 * built on another may have ignored them: the kernel resets those.  A
 * zeroed struct is SIG_DFL, no flags, no mask, in every kernel's layout.
 */
static void
reset_signals(void)
{
	static const unsigned long dfl[8] = { 0 };
	struct sigaction	 sa;
	int			 sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		if (sigaction(sig, &sa, NULL) == -1 && errno == EINVAL)
#ifdef SYS_rt_sigaction
			syscall(SYS_rt_sigaction, sig, dfl, NULL,
			    (size_t)(NSIG - 1) / 8);	/* SIGKILL: EINVAL */
#else
			(void)dfl;
#endif
	sigprocmask(SIG_SETMASK, &sa.sa_mask, NULL);
}

/* is_app_var()'s, and the socket-activation pair; NULL if out of memory. */
static char **
app_environ(const struct launch *l)
{
	static char	 pid[32], fds[] = "LISTEN_FDS=1";
	char		**env, **e;
	size_t		 n = 0;

	for (e = environ; *e != NULL; e++)
		n++;
	if ((env = malloc((n + 3) * sizeof(*env))) == NULL)
		return NULL;
	for (n = 0, e = environ; *e != NULL; e++)
		if (is_app_var(*e))
			env[n++] = *e;
	if (!l->fd0) {
		snprintf(pid, sizeof(pid), "LISTEN_PID=%ld", (long)getpid());
		env[n++] = fds;
		env[n++] = pid;
	}
	env[n] = NULL;
	return env;
}

/*
 * What a long-running server may keep of our environment: nothing of
 * the request that started it, whose variables (cookies, tokens, and
 * whatever a web server's modules add) no list could name in full.
 */
static int
is_app_var(const char *e)
{
	static const char *const keep[] = { "PATH=", "HOME=", "LANG=",
	    "LANGUAGE=", "LC_", "TZ=", "TMPDIR=", "USER=", "LOGNAME=",
	    "SHELL=", NULL };
	const char *const *k;

	for (k = keep; *k != NULL; k++)
		if (strncmp(e, *k, strlen(*k)) == 0)
			return 1;
	return 0;
}

/*
 * The app this request started closed the connection unanswered: if it
 * has died, say so.  Its sockets close as it exits, a moment before it
 * can be reaped, so wait a little for that.
 */
static void
explain_exit(const struct launch *l)
{
	pid_t	 pid;
	int	 i, status;

	for (i = 0; l->started && i < REAP_MS / LOOK_MS; i++) {
		if ((pid = waitpid(-1, &status, WNOHANG)) == -1)
			return;
		if (pid > 0 && WIFEXITED(status))
			dief(F_START, l->app, "exited at once, status %d",
			    WEXITSTATUS(status));
		if (pid > 0)
			dief(F_START, l->app, "killed at once by signal %d",
			    WTERMSIG(status));
		poll(NULL, 0, LOOK_MS);
	}
}

/* A socket file, unlike TCP or an abstract name, has a directory. */
static int
is_file_socket(const struct target *t)
{
	return t->path != NULL && *t->path != '@';
}

/* ------------------------------------------------ the response head */

/*
 * Check the response head line by line as it arrives: header fields up
 * to an empty line, which CGI hosts need (RFC 3875 6.2), each on a line
 * of its own: a field folded onto the next line is one that hosts read
 * each their own way, and Apache refuses.  A first line
 * that is an HTTP status line, as some SCGI servers send, becomes a
 * "Status:" line, which CGI hosts take.  Returns 1 when the head is
 * complete, 0 while it is not, -1 if it is malformed.  buf has
 * HEAD_SLACK bytes before it, for "Status: " to grow into.
 */
static int
check_head(char *buf, struct head *hd)
{
	char	*line, *nl;
	size_t	 len, code;

	while ((nl = memchr(line = buf + hd->line, '\n',
	    hd->have - hd->line)) != NULL) {
		len = (size_t)(nl - line);
		if (len > 0 && line[len - 1] == '\r')
			len--;
		if (has_ctl(line, len))
			return -1;
		if (hd->line == 0 && (code = status_code_at(line, len)) != 0) {
			hd->start = line + code - HEAD_SLACK;
			memcpy(hd->start, STATUS_WORD, HEAD_SLACK);
		} else if (len == 0 && hd->line != 0) {
			hd->done = 1;
			return 1;
		} else if (!is_field(line, len))
			return -1;	/* RFC 9112 5.2: nor is a folded line */
		hd->line = (size_t)(nl + 1 - buf);
	}
	return 0;
}

/*
 * "HTTP/1.1 404 Not Found", "HTTP/2 200": the offset of the status code,
 * or 0 if line is no HTTP status line.
 */
static size_t
status_code_at(const char *line, size_t len)
{
	size_t	 i = 5, code;

	if (len < 5 || memcmp(line, "HTTP/", 5) != 0)
		return 0;
	for (; i < len && line[i] >= '0' && line[i] <= '9'; i++)
		;
	if (i > 5 && i < len && line[i] == '.')
		for (i++; i < len && line[i] >= '0' && line[i] <= '9'; i++)
			;
	if (i == 5 || line[i - 1] == '.' || i >= len || line[i] != ' ')
		return 0;
	for (code = ++i; i < len && line[i] >= '0' && line[i] <= '9'; i++)
		;
	if (i - code != 3 || (i < len && line[i] != ' '))
		return 0;
	return code;
}

/* "Name: value" (RFC 3875 6.3: a field name is an RFC 2616 token). */
static int
is_field(const char *line, size_t len)
{
	size_t	 i;

	for (i = 0; i < len && is_token_char((unsigned char)line[i]); i++)
		;
	return i > 0 && i < len && line[i] == ':';
}

static int
is_token_char(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || (ch != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

/*
 * A control character other than HTAB: a bare CR or a NUL, say.  Some
 * web servers pass such a byte on, and it could end a header line early
 * or split the response (RFC 9110 5.5: CTLs are no part of a field).
 */
static int
has_ctl(const char *line, size_t len)
{
	size_t	 i;
	int	 c;

	for (i = 0; i < len; i++)
		if (((c = (unsigned char)line[i]) < ' ' && c != '\t') ||
		    c == 0x7f)
			return 1;
	return 0;
}

/* -------------------------------------------------------- the relay */

/*
 * Both directions at once: a server may answer before it has read the
 * body, and the answer streams to the client as it comes.  Each step
 * moves what poll(2) said could move; the first event other than
 * EV_NONE ends the relay, EV_END when the whole answer is out.
 */
static enum event
relay(struct request *rq, int idle_ms)
{
	struct pollfd	 pfd[2];
	enum event	 ev;
	int		 nup, ndown;

	rq->up.p = rq->block;	/* the header block goes first */
	rq->up.len = rq->blocklen;
	rq->up.to = rq->down.from = rq->backend;
	rq->down.to = 1;
	rq->down.left = UNTIL_EOF;
	rq->down.buf = rq->head.start = rq->response + HEAD_SLACK;
	rq->down.cap = MAX_HEAD;
	ev = upload_step(rq);	/* into the new socket's empty buffer */
	while (ev == EV_NONE) {
		choose_io(rq);
		nup = want(&rq->up, rq->backend, &pfd[0]);
		ndown = want(&rq->down, rq->backend, &pfd[nup]);
		if (nup + ndown == 0)
			return EV_END;
		switch (poll(pfd, nup + ndown, idle_ms > 0 ? idle_ms : -1)) {
		case -1:
			rq->err = errno;
			if (errno != EINTR)
				return EV_POLL_FAILED;
			continue;
		case 0:
			/* Waiting on the client's body is the client's fault. */
			return nup && pfd[0].fd == 0 ? EV_STDIN_STALLED :
			    EV_SERVER_STALLED;
		}
		if (nup && pfd[0].revents != 0)
			ev = upload_step(rq);
		if (ev == EV_NONE && ndown && pfd[nup].revents != 0) {
			if (pfd[nup].fd == rq->backend &&
			    (pfd[nup].revents & HANGUP))
				rq->down.hup = 1;
			ev = download_step(rq);
		}
	}
	return ev;
}

/*
 * How each half moves its bytes, decided when it first has some to
 * move, so that a request without a body or a short answer asks nothing.
 */
static void
choose_io(struct request *rq)
{
	struct half	*u = &rq->up, *d = &rq->down;
	int		 big = SNDBUF_SIZE, one = 1;

	if (u->io == IO_UNKNOWN && u->len == 0 && u->left > 0) {
		/*
		 * The body's last small write must not wait for an ACK
		 * (Nagle); the header block alone, first on the wire, never
		 * does, so a request without a body needs no call.
		 */
		if (rq->tcp && u->to != -1)
			setsockopt(u->to, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof(one));
		/* A spooled body is a file: read and write. */
		u->io = u->to == -1 || u->from != 0 ? IO_COPY : io_mode(0);
		/* A long body: more per splice(2), into a bigger buffer
		 * (the kernel caps it at twice net.core.wmem_max). */
		if (u->io == IO_SPLICE && u->left >= GROW_MIN) {
			grow_pipe(u, u->from);
			setsockopt(u->to, SOL_SOCKET, SO_SNDBUF, &big,
			    sizeof(big));
		}
	}
	if (d->io == IO_UNKNOWN && rq->head.done && d->len == 0 && d->left > 0)
		d->io = io_mode(d->to);
}

/* Set up pfd to move h on; returns 0 if h has nothing left to do. */
static int
want(const struct half *h, int backend, struct pollfd *pfd)
{
	if (h->io == IO_SPLICE && h->left > 0) {
		pfd->fd = h->wait_to ? h->to : h->from;
		pfd->events = h->wait_to ? POLLOUT : POLLIN;
	} else if (h->len > 0) {
		pfd->fd = h->to;
		pfd->events = POLLOUT;
	} else if (h->left > 0) {
		pfd->fd = h->from;
		pfd->events = POLLIN;
	} else
		return 0;
	/* To learn that the server has closed before a read of 0 bytes. */
	if (pfd->fd == backend && pfd->events == POLLIN)
		pfd->events |= HANGUP;
	pfd->revents = 0;
	return 1;
}

/* Move the request on: its header block, then the body, to the server. */
static enum event
upload_step(struct request *rq)
{
	struct half	*h = &rq->up;
	ssize_t		 n;

	if (h->io == IO_SPLICE)
		return splice_body(rq);
	if (h->len == 0) {
		n = read(h->from, h->buf, h->left < h->cap ? h->left : h->cap);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			return EV_NONE;
		if (n <= 0) {
			rq->err = errno;
			return n == 0 ? EV_BODY_SHORT : EV_STDIN_FAILED;
		}
		h->left -= (unsigned long long)n;
		if (h->to == -1)
			return EV_NONE;
		h->p = h->buf;
		h->len = (size_t)n;
		/* FALLTHROUGH: our socket never blocks, so try it now. */
	}
	if ((n = write(h->to, h->p, h->len)) == -1) {
		if (errno == EINTR || errno == EAGAIN)
			return EV_NONE;
		rq->err = errno;
		if (errno != EPIPE && errno != ECONNRESET)
			return EV_SEND_FAILED;
		backend_gone(h);
		return EV_NONE;
	}
	h->p += n;
	h->len -= (size_t)n;
	return EV_NONE;
}

/* The body, stdin pipe to socket, once the header block is out. */
static enum event
splice_body(struct request *rq)
{
	struct half	*h = &rq->up;
	ssize_t		 n;

	if ((n = splice_step(h)) > 0 || (n == -1 && (errno == EINTR ||
	    errno == EAGAIN)))
		return EV_NONE;
	if (n == 0)
		return EV_BODY_SHORT;
	rq->err = errno;
	if (errno == EPIPE || errno == ECONNRESET)
		backend_gone(h);
	else if (errno == EINVAL)
		h->io = IO_COPY;	/* splice(2) cannot here: copy */
	else
		return EV_SEND_FAILED;
	return EV_NONE;
}

/*
 * The server stopped reading: it has answered, or given up.  Still
 * read the rest of the body, for a web server may write all of it
 * before it reads our answer (Apache does); but not the rest of a spool.
 */
static void
backend_gone(struct half *h)
{
	h->to = -1;
	h->len = 0;
	h->io = IO_COPY;
	if (h->from != 0)
		h->left = 0;
}

/* Move the answer on, by whichever way its io says. */
static enum event
download_step(struct request *rq)
{
	enum event	 ev;

	if (rq->down.io == IO_SPLICE)
		return splice_response(rq);
	if (rq->down.len > 0)
		return write_response(rq);
	/*
	 * The first bytes of the answer: nothing is in stdout yet, so up
	 * to PIPE_BUF bytes fit without a poll(2), and a short answer may
	 * be whole, so look for its end at once too.
	 */
	if ((ev = read_response(rq)) == EV_NONE && !fate.replied &&
	    rq->down.len > 0 && rq->down.len <= PIPE_BUF &&
	    (ev = write_response(rq)) == EV_NONE && rq->down.len == 0 &&
	    rq->down.left > 0)
		ev = read_response(rq);
	return ev;
}

/* Read the answer: through the head filter until the head is whole. */
static enum event
read_response(struct request *rq)
{
	struct half	*h = &rq->down;
	char		*dst = rq->head.done ? h->buf : h->buf + rq->head.have;
	size_t		 room = h->cap - (size_t)(dst - h->buf);
	ssize_t		 n;
	enum event	 ev;

	if ((n = read(h->from, dst, room)) == -1) {
		if (errno == EINTR || errno == EAGAIN)
			return EV_NONE;
		/*
		 * SCGI ends a response by closing the connection; a server
		 * that closes with request bytes unread resets it instead.
		 */
		rq->err = errno;
		if (errno != ECONNRESET)
			return EV_RECV_FAILED;
		n = 0;
	}
	if (n == 0) {
		h->left = 0;
		if (rq->head.done)
			return EV_NONE;
		return rq->head.have == 0 ? EV_NO_RESPONSE : EV_HEAD_CUT;
	}
	if (!rq->head.done) {
		if ((ev = filter_head(rq, (size_t)n)) != EV_NONE ||
		    !rq->head.done)
			return ev;
	} else {
		h->p = h->buf;
		h->len = (size_t)n;
	}
	/* The server had shut its side, and this read took all there was. */
	if (h->hup && (size_t)n < room)
		h->left = 0;
	return EV_NONE;
}

/*
 * The head filter: n more bytes of the head are in; pass nothing on
 * until the head is whole and good, then all of it and what follows.
 */
static enum event
filter_head(struct request *rq, size_t n)
{
	struct half	*h = &rq->down;
	struct head	*hd = &rq->head;

	hd->have += n;
	switch (check_head(h->buf, hd)) {
	case -1:
		return EV_HEAD_BAD;
	case 0:
		return hd->have == h->cap ? EV_HEAD_TOO_LARGE : EV_NONE;
	}
	h->p = hd->start;
	h->len = (size_t)(h->buf + hd->have - hd->start);
	return EV_NONE;
}

/*
 * Write the answer on.  While the web server may still be writing the
 * body to our stdin, it may not be reading our stdout (Apache does
 * not), so write no more than poll(2) promised room for, or both block.
 */
static enum event
write_response(struct request *rq)
{
	struct half	*h = &rq->down;
	size_t		 len = h->len;
	ssize_t		 n;

	if (rq->up.from == 0 && rq->up.left > 0 && len > PIPE_BUF)
		len = PIPE_BUF;
	if ((n = write(h->to, h->p, len)) == -1) {
		if (errno == EINTR || errno == EAGAIN)
			return EV_NONE;
		rq->err = errno;
		fate.replied = 1;	/* the client is gone */
		return EV_STDOUT_FAILED;
	}
	fate.replied = 1;
	h->p += n;
	h->len -= (size_t)n;
	return EV_NONE;
}

/* The rest of the answer, socket to stdout pipe, once the head is out. */
static enum event
splice_response(struct request *rq)
{
	struct half	*h = &rq->down;
	ssize_t		 n;

	if ((n = splice_step(h)) > 0) {
		if (UNTIL_EOF - h->left >= GROW_MIN)
			grow_pipe(h, h->to);	/* a long answer */
		return EV_NONE;
	}
	if (n == 0 || (n == -1 && errno == ECONNRESET)) {
		h->left = 0;		/* a reset is an end: see above */
		return EV_NONE;
	}
	if (errno == EINTR || errno == EAGAIN)
		return EV_NONE;
	if (errno == EINVAL) {
		h->io = IO_COPY;	/* splice(2) cannot here: copy */
		return EV_NONE;
	}
	rq->err = errno;
	return errno == EPIPE ? EV_STDOUT_FAILED : EV_RECV_FAILED;
}

#ifdef SPLICE_F_NONBLOCK
/*
 * Move what is ready from h->from to h->to.  Neither side blocks
 * (SPLICE_F_NONBLOCK for the pipe, O_NONBLOCK for our socket), but
 * EAGAIN does not say which side would have: the one poll(2) said was
 * ready was, so it is the other.  Bytes moved, 0 at end of file, or -1.
 */
static ssize_t
splice_step(struct half *h)
{
	size_t	 len = h->left < SPLICE_MAX ? (size_t)h->left : SPLICE_MAX;
	ssize_t	 n;

	n = splice(h->from, NULL, h->to, NULL, len,
	    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n > 0) {
		h->left -= (unsigned long long)n;
		h->wait_to = 0;
	} else if (n == -1 && errno == EAGAIN)
		h->wait_to = !h->wait_to;
	return n;
}
#else
static ssize_t
splice_step(struct half *h)
{
	(void)h;
	errno = ENOSYS;			/* io_mode() never chose it */
	return -1;
}
#endif

/*
 * splice(2) moves bytes between a pipe and our socket inside the kernel,
 * without the two copies through user space that read and write make.
 * Under Apache both stdin and stdout are pipes.  Asked once per fd, and
 * only when there is something to move; elsewhere, read and write.
 */
static int
io_mode(int fd)
{
#ifdef SPLICE_F_NONBLOCK
	struct stat	 st;

	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		return IO_SPLICE;
#else
	(void)fd;
#endif
	return IO_COPY;
}

/*
 * A pipe holds 64 KiB by default, so a long transfer would take a
 * splice(2) and a poll(2) every 64 KiB.  A bigger one, once a transfer
 * shows it is long, cuts that: only then, for Linux charges pipe memory
 * to the user, and past a limit (pipe-user-pages-soft) says no to this
 * and gives new pipes less.  The pipe is the web server's too, but its
 * size changes no meaning; if the kernel says no, so be it.
 */
static void
grow_pipe(struct half *h, int fd)
{
#ifdef F_SETPIPE_SZ
	if (!h->grown)
		fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE);
#else
	(void)fd;
#endif
	h->grown = 1;
}
