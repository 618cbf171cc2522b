/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * cgi2scgi: a CGI program that hands its request to an SCGI server and
 * streams the server's answer back as the CGI response.
 *
 * A request meets the sections below in their order: the arguments and
 * the environment say where it goes (configuration); its body is found
 * and its header block built (the SCGI request); the server is connected
 * to (connecting), or first started (starting an app); the answer's head
 * is checked and written anew (the response head) while both directions
 * move at once (the relay), or the file it names is sent (X-Sendfile),
 * as much of it as the request's conditions and Range ask (conditions
 * and ranges).
 * A failure is reported where it is found, by die() (errors), in words
 * an admin can act on: who may not connect, which limit fired
 * (explaining a failure).
 */

#ifdef __linux__
#define _GNU_SOURCE	/* splice(2), sendfile(2), F_SETPIPE_SZ, POLLRDHUP */
#endif

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/sendfile.h>
#endif

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "netstring.h"

#ifndef VERSION
#define VERSION		"0.1.0"
#endif

/* Limits; the settings table below has the defaults an option changes. */
#define MAX_HEADER	(64 * 1024)	/* the header block: -H at most */
#define MAX_HEAD	(64 * 1024)	/* the response head we check */
#define HEAD_READ	4096
#define MAX_LENGTH	1000000000000000000ULL	/* 10^18: no more is a length */
#define SPOOL_FREE_PCT	10		/* of its file system a spool leaves */
#define STALL_MS	1000		/* both ways full: the body is spooled */
#define DRAIN_MS	60000		/* an answer's rest, the client gone */
/* What servers close on unanswered, measured (docs/PROTOCOLS): */
#define RTORRENT_BLOCK	2000		/* rtorrent 0.9.8's header block */
#define RTORRENT_BODY	(2 * 1024 * 1024)	/* and body, as it comes */
#define UWSGI_BUFFER	4096		/* uWSGI's --buffer-size as it comes */
#define BACKOFF_MIN_MS	50		/* between attempts at a connect */
#define BACKOFF_MAX_MS	500
#define MAX_TARGETS	8		/* servers to fail over between */
#define MAX_SETS	32
#define MAX_COPIES	256
#define MAX_ARGS	32		/* words on the line of a -f file */
#define ARGFILE_MAX	(16 * 1024)	/* how much of a -f file is read */
#define FEW_VARS	64		/* variables that need no malloc(3) */
#define REAP_MS		1000		/* to learn that a started app died */
#define LOOK_MS		10		/* between looks at a lock, a dead app */
#define MESSAGE_MAX	1024		/* a line for the error log */
#define MAX_GROUPS	64		/* of ours, that a line names */
#define MAX_USER	64		/* a REMOTE_USER that names a socket */
#define PLACEHOLDER	"%{REMOTE_USER}"	/* in a socket path */
#define BUFSIZE		(64 * 1024)	/* a piece of the request body */
#define SPLICE_MAX	(1024 * 1024)	/* one splice(2), sendfile(2) */
#define PIPE_SIZE	(256 * 1024)	/* a long answer's pipe grows to */
#define LENGTH_ROOM	(sizeof("65536:") - 1)	/* MAX_HEADER's "len:" */
#define UNTIL_EOF	ULLONG_MAX	/* a read budget with no end */
#define DEFAULT_SPOOL	(64ULL << 20)	/* -s */

/* The server has shut its side: Linux says so before a read of 0 too. */
#ifdef POLLRDHUP
#define HANGUP		(POLLHUP | POLLRDHUP)
#else
#define HANGUP		POLLHUP
#endif

#ifdef __GNUC__
#define NORETURN	__attribute__((__noreturn__))
#define PRINTF(f, a)	__attribute__((__format__(__printf__, f, a)))
#else
#define NORETURN
#define PRINTF(f, a)
#endif

enum { FAIL_PERM = 100, FAIL_TEMP = 111 };	/* won't help to retry / may */
enum step { GO_ON, DONE, NO_ANSWER };	/* how far a step of the relay got */
enum { IO_UNKNOWN, IO_COPY, IO_SPLICE };	/* how a half moves bytes */
enum field { F_OTHER, F_STATUS, F_LENGTH, F_CODING, F_HOP, F_LOCATION,
    F_SENDFILE, F_OFFLOAD, F_FILE, F_KEPT };	/* what a field is to us */
enum { FOR_APP, FOR_FILE, FOR_304 };	/* whose head take_field() keeps */
enum { LOCAL = 1, AWAY };		/* where a Location sends the client */

struct target {				/* one SCGI server */
	const char	*path;		/* a unix-domain socket, or NULL: TCP */
	char		 host[256];
	const char	*port;
	struct addrinfo	*ai;		/* host and port, once looked up, */
	struct sockaddr_storage num;	/* or as they are, in digits */
	socklen_t	 numlen;
	int		 gai;		/* getaddrinfo(3)'s error, kept */
	const char	*tmpl;		/* path, as given with PLACEHOLDER */
	char		 filled[256];	/* path: tmpl filled in, or why not */
};

struct var {				/* a variable to send */
	const char	*name, *value;
	size_t		 nlen, vlen;
};

struct config {				/* all a request is told */
	int		 cgi;		/* run by a web server */
	int		 connect_ms, retry_ms, idle_ms;
	unsigned long long max_body, max_spool, max_header;
	const char	*pass, *drop;
	const char	*sendfile;	/* serve X-Sendfile from here */
	const char	*post;		/* -check's probe: a POST of this type */
	const char	*file, *host, *port;	/* SCGI_FILE, SCGI_HOST, ... */
	int		 nsets;
	struct var	 set[MAX_SETS];	/* -set: a value "$NAME" copies NAME */
	int		 bind, start, check, fd0;
	const char	*app, *log;	/* to start when nothing listens */
	char		**app_env;	/* the app's variables come from */
	int		 copies, ntargets;
	struct target	 to[MAX_TARGETS];	/* in the order to try them */
};

struct head {				/* the answer's head, coming in */
	size_t		 have;		/* bytes in the down half's buf */
	size_t		 scan;		/* the first line not looked at */
	int		 done;
};

struct answer {				/* a whole head, written anew */
	char		*out;		/* into here: the status first, CRLF */
	size_t		 len, fields;	/* its length; where its fields start */
	const char	*status;	/* "404 Not Found", as the server put it */
	size_t		 status_len;
	int		 lengths;	/* Content-Lengths */
	int		 location;	/* a Location: LOCAL or AWAY */
	unsigned long long length;	/* the Content-Length's */
	int		 sendfile;	/* X-Sendfile is ours: leave it out, */
	int		 for_file;	/* and what a sent file replaces */
	const char	*file;		/* X-Sendfile's path */
	size_t		 file_len;
	char		 why[160];
};

struct file {				/* what X-Sendfile sends */
	struct stat	 st;
	char		 etag[80];	/* its strong validator, quoted */
	char		 modified[40];
	int		 code;		/* our status, or 0: the app's */
	long long	 first, last;	/* the bytes of it a 200 or 206 sends */
};

/* Where a body is in RFC 9112's chunked coding, if it is in it. */
enum { CH_SIZE0, CH_SIZE, CH_EXT, CH_SIZE_LF, CH_DATA, CH_DATA_CR,
    CH_DATA_LF, CH_LINE0, CH_LINE, CH_LINE_LF, CH_END_LF, CH_WHOLE, CH_NOT };
struct framing {
	int		 state;
	unsigned long long size;	/* of the chunk: its size, then left */
	int		 digits;
	int		 sizes;		/* chunk-size lines read whole */
};

struct half {				/* one direction of the relay */
	int		 from, to;	/* to == -1: drop what is read */
	unsigned long long unread;	/* bytes still to read from `from' */
	char		*buf;
	size_t		 cap;
	char		*pending;	/* pending[0..len): still to write */
	size_t		 len;
	int		 io;		/* IO_COPY, or IO_SPLICE: no buf */
	int		 wait_to;	/* splice: poll `to' (it was full) */
	int		 from_shut;	/* a short read from `from' ends it */
	unsigned long long moved;	/* by splice(2), to grow a pipe once */
};

/* One request, which main() owns; its small fields share a first page. */
struct request {
	struct config	*cf;
	int		 replied;	/* stdout is no longer ours to answer on */
	int		 backend;	/* our connection to the server, */
	const struct target *server;	/* and which server it reaches */
	int		 lock, listener;	/* while it starts an app */
	int		 started;
	const char	*method;	/* REQUEST_METHOD, found in passing */
	unsigned long long length;	/* the answer's body, said; or UNTIL_EOF */
	unsigned long long unshown;	/* -check: body bytes read, not shown */
	char		*block;		/* the header block, in header[]: */
	size_t		 blocklen;	/* all of it, */
	size_t		 pairslen;	/* and its netstring's payload, */
	size_t		 nvars;		/* in so many variables */
	unsigned long long bodylen;	/* the CONTENT_LENGTH we send */
	int		 chunked;	/* the body's length is stdin's */
	int		 spooled;
	struct half	 up, down;	/* body to the server, answer to us */
	struct head	 head;
	char		 header[LENGTH_ROOM + MAX_HEADER + 1];
	/*
	 * The answer as it comes, at most MAX_HEAD bytes with the head in
	 * them; then, after it (take_head()), on the page a small answer has
	 * touched already, one page fault fewer: the head anew, at most 4/3
	 * as long (CR LF for LF ends "a:" LF, the shortest field) with a
	 * Status line first and X-Sendfile's fields (file_head(), under 320
	 * bytes); then what followed the head.  3.34 * MAX_HEAD + 400 in all.
	 */
	char		 response[4 * MAX_HEAD];
	char		 body_buf[BUFSIZE];
};

/* The request under way: the one error path, die(), answers for it. */
static struct request	*req;
static int		 out_flags;	/* stdout's, as we found them */

extern char	**environ;

static void	 send_again(struct request *);

/* Errors */
static void	 die(int, const char *, ...) NORETURN PRINTF(2, 3);
static const struct status *status_of(int);
static void	 say(const char *, ...) PRINTF(1, 2);
static void	 vsay(const char *, va_list);
static size_t	 about_request(char *, size_t);
static void	 usage(void) NORETURN;
static void	 drain_stdin(struct request *);
static void	 body_to_drain(struct request *);
static int	 write_all(int, const char *, size_t);
static int	 idle_ms(void);
static int	 wait_fd(int, short, int);

/* Configuration */
static void	 configure(int, char *[], struct config *);
static int	 args_are_query(int, char *[]);
static int	 script_is_us(void);
static int	 is_query_word(const char **, const char *);
static int	 hex_value(int);
static void	 args_from_file(const struct config *, const char *, int *,
		    char ***);
static char	*arg_line(char *, size_t, int);
static int	 split_words(char *, char *[], int);

/* Settings */
static void	 read_environment(struct config *, const char **, const char **);
static int	 parse_options(int, char *[], struct config *, const char **,
		    const char **);
static void	 add_set(struct config *, const char *);
static void	 apply_settings(struct config *, const char **, const char **);
static void	 help(void) NORETURN;
static const char *size_text(unsigned long long);
static int	 parse_seconds(const char *, int *);
static int	 parse_length(const char *, unsigned long long,
		    unsigned long long *);
static int	 parse_size(const char *, unsigned long long,
		    unsigned long long *);

/* Servers */
static void	 parse_operands(int, char *[], struct config *);
static void	 targets_from_env(struct config *);
static void	 add_conn(struct config *, const char *);
static struct target *new_target(struct config *);
static void	 set_host(struct target *, const char *, size_t);
static void	 check_target(const struct target *);
static void	 fill_path(struct target *);
static int	 fill_template(const char *, const char *, char *, size_t);
static const char *name_rule(const char *);
static int	 is_nul_ended(const char *, size_t);
static const char *env_get(const char *);
static const char *env_value(const char *);
static const char *after_name(const char *, const char *);
static const char *name_of(const struct target *);
static long long now_ms(void);

/* The request body */
static void	 find_body(struct request *);
static void	 spool_body(struct request *);
static unsigned long long spool_limit(const struct config *);
static int	 is_framing(struct framing *, const char *, size_t);
static int	 framing_next(struct framing *, int);
static void	 spool_rest(struct request *);
static void	 timed_out(const struct request *, const struct pollfd *, int,
		    int) NORETURN;
static int	 open_spool(void);
static void	 spool_write(int, const char *, size_t);
static void	 from_spool(struct request *, int);
static ssize_t	 read_stdin(char *, size_t);

/* The header block */
static void	 build_request(struct request *);
static struct var *var_room(size_t, uint32_t **, size_t *);
static size_t	 collect_vars(const struct config *, struct var *,
		    const char **);
static int	 is_ours(const char *, size_t);
static int	 in_list(const char *, const char *, size_t);
static int	 is_cgi_name(const char *, size_t);
static size_t	 drop_repeats(struct var *, size_t, size_t, uint32_t *,
		    size_t);
static void	 header_too_large(const struct config *, struct var *, size_t,
		    size_t) NORETURN;
static size_t	 add_pair(char *, const char *, size_t, const char *, size_t);
static size_t	 format_ull(char *, unsigned long long);

/* Connecting */
static void	 connect_server(struct request *);
static void	 reconnect(struct request *, int);
static int	 connect_any(struct config *, const struct target **);
static void	 connect_failed(const struct target *, int, int) NORETURN;
static int	 connect_once(const struct config *, struct target *);
static int	 look_up(struct target *);
static socklen_t unix_addr(const char *, struct sockaddr_un *);
static int	 connect_addr(const struct sockaddr *, socklen_t, int);
static int	 new_socket(int);
static void	 unanswered(const struct request *, const char *) NORETURN;
static int	 may_start(int);
static int	 is_resendable(const struct request *);
static void	 rewind_request(struct request *);

/* Explaining a failure */
static void	 why_denied(char *, size_t, const struct stat *);
static size_t	 add_id(char *, size_t, size_t, const char *, long, int);
static size_t	 add_text(char *, size_t, size_t, const char *, ...)
		    PRINTF(4, 5);
static const char *private_tmp(const char *);
static int	 mount_at(const char *, const char *, char *, size_t);
static const char *progress(const struct request *);

/* Starting an app */
static int	 connect_or_start(struct request *);
static void	 start_only(struct request *) NORETURN;
static void	 check_listener(const struct target *, int);
static void	 lock_start(struct request *);
static void	 start_app(struct request *);
static int	 listen_target(const struct target *);
static int	 open_log(const struct config *);
static int	 open_file(const char *, int, int);
static void	 beside(char *, size_t, const struct target *, const char *);

/* The app's process */
static void	 spawn_app(const struct config *, int, int);
static void	 exec_app(const struct config *, int, int, int) NORETURN;
static void	 close_from(int);
static void	 reset_signals(void);
static char	**app_environ(const struct config *);
static void	 explain_exit(const struct request *);
static int	 is_file_socket(const struct target *);

/* The response head */
static ssize_t	 head_end(const char *, struct head *, struct answer *);
static int	 is_tchar(int);
static int	 canonical_head(const char *, size_t, struct answer *);
static int	 take_field(struct answer *, const char *, size_t);
static int	 status_first(struct answer *, size_t);
static int	 bad_head(struct answer *, const char *, const char *, size_t);
static size_t	 status_code_at(const char *, size_t);
static enum field field_kind(const char *, size_t);

/* The relay */
static int	 relay(struct request *);
static void	 choose_io(struct request *);
static int	 want(const struct half *, int, struct pollfd *);
static void	 upload_step(struct request *);
static void	 backend_gone(struct half *);
static enum step download_step(struct request *);
static enum step read_response(struct request *);
static enum step take_head(struct request *, size_t);
static int	 has_body(const struct request *, const struct answer *);
static void	 answer_ended(struct request *);

/* Writing the answer */
static size_t	 write_response(struct request *);
static void	 stdout_nonblock(void);
static void	 restore_stdout(void);
static void	 stdout_failed(void) NORETURN;
static unsigned long long drain_answer(struct request *);
static void	 grow_pipe(int);
static ssize_t	 splice_step(struct half *);
static int	 io_mode(int);

/* X-Sendfile */
static enum step send_file(struct request *, struct answer *, const char *,
		    size_t);
static int	 open_beneath(const char *, const char *, size_t);
static int	 open_walk(int, char *);
static void	 stat_file(int, const struct answer *, struct file *);
static void	 file_head(struct answer *, const struct file *);
static void	 copy_file(int, long long, unsigned long long);

/* Conditions and ranges */
static int	 file_status(const char *, struct file *);
static int	 etag_in(const char *, const char *, int);
static int	 http_date(const char *, long long *);
static int	 date_form(const char *, const char *, long long *);
static long long rfc850_year(long long);
static long long days_from_civil(long long, int, int);
static int	 file_range(const char *, struct file *);
static const char *digits_at(const char *, unsigned long long,
		    unsigned long long *);

/* Checking a setup */
static void	 check_setup(struct request *) NORETURN;
static void	 probe_environment(struct config *);
static int	 probe_keeps(const struct config *, const char *);
static int	 spool_probe(const struct config *);
static void	 show_socket(const struct target *);

/*
 * Every option, what it sets, its SCGI_ variable, its default and its
 * line in --help: one table, so that each option and its variable mean
 * the same, and --help says what the code does.  -connect and -set may
 * be given again, and add a server or a variable each time.  The rows
 * with no option come last.
 */
enum { T_FLAG, T_SECONDS, T_SIZE, T_TEXT, T_CONNECT, T_SET };
#define AT(f)	offsetof(struct config, f)
static const struct setting {
	const char	*option;	/* NULL: none, only the variable */
	const char	*variable;	/* NULL: none, only the option */
	int		 type;
	size_t		 field;		/* in struct config */
	unsigned long long dflt, max;	/* in ms, or bytes */
	const char	*arg, *help;	/* for --help */
} settings[] = {
	{ "-t", "SCGI_CONNECT_TIMEOUT", T_SECONDS, AT(connect_ms), 10000, 0,
	    "seconds", "connect timeout" },
	{ "-r", "SCGI_RETRY_TIMEOUT", T_SECONDS, AT(retry_ms), 3000, 0,
	    "seconds", "retry a refused connect this long" },
	{ "-i", "SCGI_IDLE_TIMEOUT", T_SECONDS, AT(idle_ms), 60000, 0,
	    "seconds", "idle timeout, 0 for none" },
	{ "-m", "SCGI_MAX_BODY", T_SIZE, AT(max_body), 1ULL << 30, ULLONG_MAX,
	    "bytes", "largest request body, k/M/G suffixes" },
	{ "-s", "SCGI_MAX_SPOOL", T_SIZE, AT(max_spool), DEFAULT_SPOOL,
	    ULLONG_MAX, "bytes", "most spooled: a chunked upload, a body's rest" },
	{ "-H", "SCGI_MAX_HEADER", T_SIZE, AT(max_header), MAX_HEADER,
	    MAX_HEADER, "bytes", "largest header block the server takes" },
	{ "-pass", "SCGI_PASS", T_TEXT, AT(pass), 0, 0,
	    "list", "send only these variables: names, PREFIX*, cgi" },
	{ "-drop", "SCGI_DROP", T_TEXT, AT(drop), 0, 0,
	    "list", "send all but these" },
	{ "-set", "SCGI_SET_", T_SET, 0, 0, 0,
	    "name=value", "send name too; a value $VAR copies VAR" },
	{ "-sendfile", "SCGI_SENDFILE", T_TEXT, AT(sendfile), 0, 0,
	    "dir", "serve X-Sendfile from files under dir" },
	{ "-check", NULL, T_FLAG, AT(check), 0, 0,
	    NULL, "try the setup by hand: connect, send a probe, say how" },
	{ "-post", NULL, T_TEXT, AT(post), 0, 0,
	    "type", "-check's probe: a POST of stdin, of this CONTENT_TYPE" },
	{ "-connect", NULL, T_CONNECT, 0, 0, 0, "conn", "the server: a socket "
	    "path, @abstract (@abstract\\0 with a\n                  "
	    "trailing NUL), host:port or [v6]:port; repeated: fail over" },
	{ "-bind", NULL, T_FLAG, AT(bind), 0, 0,
	    NULL, "only connect: start nothing" },
	{ "-start", NULL, T_FLAG, AT(start), 0, 0,
	    NULL, "listen on conn, start n copies of app on it (default 1), exit" },
	{ "-fd0", NULL, T_FLAG, AT(fd0), 0, 0,
	    NULL, "hand app its socket as fd 0, not as fd 3 with LISTEN_FDS=1" },
	{ "-log", NULL, T_TEXT, AT(log), 0, 0,
	    "file", "app's output (default: beside its socket; - for stderr)" },
	{ NULL, "SCGI_FILE", T_TEXT, AT(file), 0, 0, NULL, NULL },
	{ NULL, "SCGI_HOST", T_TEXT, AT(host), 0, 0, NULL, NULL },
	{ NULL, "SCGI_PORT", T_TEXT, AT(port), 0, 0, NULL, NULL },
};
#define NSETTINGS	(sizeof(settings) / sizeof(settings[0]))

/*
 * The statuses we answer with ourselves, with RFC 9110 15's reasons;
 * and for a failure, what die() does after its answer: exit with
 * FAIL_TEMP where a retry may help, else FAIL_PERM; read the rest of
 * the body (for a host that writes it all before it reads the answer)
 * unless the body is the trouble; from a shell, write no page for a
 * configuration error, whose line is enough.  0: no one to answer.
 */
enum { NO_DRAIN = 1, NO_PAGE_FROM_SHELL = 2 };
static const struct status {
	int		 code;
	const char	*reason;
	int		 exit;
	int		 flags;
} statuses[] = {
	{ 0,   NULL,				FAIL_TEMP, NO_DRAIN },
	{ 206, "Partial Content",		0, 0 },
	{ 304, "Not Modified",			0, 0 },
	{ 400, "Bad Request",			FAIL_PERM, 0 },
	{ 403, "Forbidden",			FAIL_PERM, 0 },
	{ 404, "Not Found",			FAIL_PERM, 0 },
	{ 408, "Request Timeout",		FAIL_TEMP, NO_DRAIN },
	{ 411, "Length Required",		FAIL_PERM, 0 },
	{ 412, "Precondition Failed",		0, 0 },
	{ 413, "Content Too Large",		FAIL_PERM, 0 },
	{ 416, "Range Not Satisfiable",		0, 0 },
	{ 431, "Request Header Fields Too Large", FAIL_PERM, 0 },
	{ 500, "Internal Server Error",		FAIL_PERM, NO_PAGE_FROM_SHELL },
	{ 502, "Bad Gateway",			FAIL_TEMP, 0 },
	{ 503, "Service Unavailable",		FAIL_TEMP, 0 },
	{ 504, "Gateway Timeout",		FAIL_TEMP, 0 },
	{ 507, "Insufficient Storage",		FAIL_TEMP, 0 },
};

static const char usage_text[] =
    "usage: cgi2scgi [-H bytes] [-i seconds] [-m bytes] [-r seconds]\n"
    "                [-s bytes] [-t seconds] [-pass list] [-drop list]\n"
    "                [-set name=value] [-sendfile dir] [-check [-post type]]\n"
    "                [socket | host port]\n"
    "       cgi2scgi [options] -bind -connect conn [-connect conn ...]\n"
    "       cgi2scgi [options] [-start] -connect conn [-fd0] [-log file]\n"
    "                app [n]\n"
    "       cgi2scgi -f file\n"
    "       cgi2scgi --help | --version\n";

static const char help_intro[] =
    "\n"
    "Run as a CGI program: send the request to an SCGI server, relay the answer.\n"
    "The server: the socket, or host and port, given; else SCGI_FILE; else\n"
    "SCGI_HOST (default localhost) and SCGI_PORT.  Options, and their variables:\n"
    "\n"
    "  -f file         the arguments: the first line of file not a comment\n";
static const char help_end[] =
    "  app [n]         with -connect alone, a socket file: start app as -start\n"
    "                  does when nothing listens there, then bridge the request\n"
    "\n"
    "Exit status: 0 success, 100 permanent failure, 111 temporary failure.\n"
    "See cgi2scgi(1).\n";

/*
 * A request: configure; -start only starts the app, -check only tries
 * the setup; else find the body, build the header block, connect, and
 * relay.  A chunked upload is spooled, to learn its length, once a
 * server has taken the connection.
 */
int
main(int argc, char *argv[])
{
	static struct config	 cf;	/* zeroed by exec(2), for nothing */
	static struct request	 rq;

	/* A peer that has gone shows up as EPIPE, handled where it occurs. */
	signal(SIGPIPE, SIG_IGN);
	rq.cf = &cf;
	rq.backend = rq.lock = rq.listener = -1;
	req = &rq;
	configure(argc, argv, &cf);
	if (cf.start)
		start_only(&rq);
	if (cf.check)
		check_setup(&rq);
	find_body(&rq);
	/* A 431 before connecting, or reading a chunked body. */
	build_request(&rq);
	connect_server(&rq);
	if (rq.chunked) {
		spool_body(&rq);
		build_request(&rq);	/* with the length it has */
		reconnect(&rq, 1);	/* if the server has gone */
	}
	if (!relay(&rq))
		send_again(&rq);
	/*
	 * Nothing of ours left open at exit (valgrind --track-fds).  What
	 * the server did not read of the body is read, for a host that
	 * writes all of it before it reads the answer.
	 */
	if (rq.backend != -1)
		close(rq.backend);
	if (rq.spooled)
		close(rq.up.from);
	drain_stdin(&rq);
	return 0;
}

/*
 * The server closed without an answer: it may have died.  One this
 * request started is explained; an idempotent request goes once more.
 */
static void
send_again(struct request *rq)
{
	explain_exit(rq);
	if (!is_resendable(rq))
		unanswered(rq, "");
	rewind_request(rq);
	reconnect(rq, 0);
	if (!relay(rq))
		unanswered(rq, ", twice");
	say("%s: closed the connection without a response; sent again, and "
	    "answered", name_of(rq->server));
}

/* ----------------------------------------------------------- errors */

/*
 * Log what failed; answer with code if the client has seen nothing
 * yet; then do as statuses[] says.  The server's connection closes
 * first, so that it sees the body cut short and is free at once.  An
 * answer to HEAD has no body (RFC 3875 4.3.2): not every host takes it
 * out.
 */
static void
die(int code, const char *fmt, ...)
{
	struct request		*rq = req;
	const struct status	*s = status_of(code);
	const char		*method = env_value("REQUEST_METHOD");
	va_list			 ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	if (!rq->replied && code != 0 &&
	    (rq->cf->cgi || !(s->flags & NO_PAGE_FROM_SHELL))) {
		dprintf(1, "Status: %d %s\r\nContent-Type: text/plain\r\n\r\n",
		    code, s->reason);
		if (method == NULL || strcmp(method, "HEAD") != 0)
			dprintf(1, "%d %s\n", code, s->reason);
	}
	if (rq->backend != -1)
		close(rq->backend);
	if (rq->listener != -1)
		close(rq->listener);
	if (rq->lock != -1)
		close(rq->lock);
	if (!(s->flags & NO_DRAIN)) {
		if (rq->up.buf == NULL)
			body_to_drain(rq);
		drain_stdin(rq);
	}
	exit(s->exit);
}

/* The status table's row for code, which must be there. */
static const struct status *
status_of(int code)
{
	size_t	 i;

	for (i = 0; statuses[i].code != code; i++)
		;
	return &statuses[i];
}

/* A line for the error log, and nothing else. */
static void
say(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

/*
 * "cgi2scgi: GET /app/x from 192.0.2.1: what: why", the request first,
 * which web servers do not add to our line.  A byte that could end the
 * line early, or that a terminal could take for a control (0x9b is CSI
 * in 8-bit mode), is written as \xHH, and a backslash as \\, as Apache
 * logs them: the request's part is the client's.
 */
static void
vsay(const char *fmt, va_list ap)
{
	char		 raw[MESSAGE_MAX], line[4 * MESSAGE_MAX + 16];
	size_t		 i, at = sizeof("cgi2scgi: ") - 1;
	unsigned char	 c;
	struct stat	 out, err;

	i = about_request(raw, sizeof(raw));
	vsnprintf(raw + i, sizeof(raw) - i, fmt, ap);
	memcpy(line, "cgi2scgi: ", at);
	for (i = 0; raw[i] != '\0'; i++)
		if ((c = (unsigned char)raw[i]) < ' ' || c >= 0x7f)
			at = add_text(line, sizeof(line), at, "\\x%02x", c);
		else if (c == '\\')
			at = add_text(line, sizeof(line), at, "\\\\");
		else
			line[at++] = (char)c;
	/*
	 * mini_httpd gives a CGI program one pipe for stdout and stderr, so
	 * that a line there reaches the client, in the answer: under a web
	 * server, a stderr that is stdout's pipe or socket is no log.  From
	 * a shell, a terminal or file both share is where the line is wanted.
	 */
	if (req->cf->cgi && fstat(1, &out) == 0 && fstat(2, &err) == 0 &&
	    out.st_dev == err.st_dev && out.st_ino == err.st_ino &&
	    (S_ISFIFO(err.st_mode) || S_ISSOCK(err.st_mode))) {
		openlog("cgi2scgi", LOG_PID, LOG_DAEMON);
		syslog(LOG_ERR, "%.*s", (int)(at - 10), line + 10);
		return;
	}
	line[at++] = '\n';
	write_all(2, line, at);
}

/* "GET /app/x from 192.0.2.1: " under a web server, else nothing. */
static size_t
about_request(char *buf, size_t cap)
{
	const char	*method = env_value("REQUEST_METHOD");
	const char	*uri = env_value("REQUEST_URI");
	const char	*addr = env_value("REMOTE_ADDR");
	const char	*path = "", *q = NULL;

	if (!req->cf->cgi || method == NULL)
		return 0;
	if (uri == NULL) {	/* SCRIPT_NAME, PATH_INFO and the query */
		if ((uri = env_value("SCRIPT_NAME")) == NULL)
			uri = "";
		if ((path = env_value("PATH_INFO")) == NULL)
			path = "";
		q = env_value("QUERY_STRING");
	}
	return add_text(buf, cap, 0, "%.16s %.200s%.200s%s%.200s%s%.50s: ",
	    method, uri, path, q != NULL ? "?" : "", q != NULL ? q : "",
	    addr != NULL ? " from " : "", addr != NULL ? addr : "");
}

static void
usage(void)
{
	if (req->cf->cgi)
		die(500, "usage: bad arguments (see cgi2scgi(1))");
	write_all(2, usage_text, sizeof(usage_text) - 1);
	exit(FAIL_PERM);
}

/*
 * A web server may write the whole body before it reads our answer, and
 * drop the answer if we stop reading (Apache does): so before exiting,
 * read what is left of the declared body.
 */
static void
drain_stdin(struct request *rq)
{
	struct half	*h = &rq->up;
	ssize_t		 n;

	while (h->from == 0 && h->unread > 0) {
		if (wait_fd(0, POLLIN, idle_ms()) <= 0)
			return;	/* a stalled client too: not our problem now */
		n = read(0, rq->body_buf, h->unread < BUFSIZE ?
		    (size_t)h->unread : BUFSIZE);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return;
		h->unread -= (unsigned long long)n;
	}
}

/*
 * An error before find_body() reads the body too: fcgiwrap and WEBrick
 * write all of it before they read the answer, and put their own 502 or
 * EPIPE in place of one that left it unread.  A declared length is read
 * to its end, up to -s; a length the host does not know (a Transfer-
 * Encoding with none, Caddy's -1, one that is no number), to the end of
 * stdin, up to -s.
 */
static void
body_to_drain(struct request *rq)
{
	const char	*cl = env_value("CONTENT_LENGTH");
	unsigned long long most = rq->cf->max_spool;
	struct half	*up = &rq->up;

	up->from = 0;
	up->unread = 0;
	if (cl != NULL ? parse_length(cl, most, &up->unread) == -1 :
	    env_value("HTTP_TRANSFER_ENCODING") != NULL)
		up->unread = most;
}

/* poll(2)'s wait for -i: none is forever. */
static int
idle_ms(void)
{
	return req->cf->idle_ms > 0 ? req->cf->idle_ms : -1;
}

/*
 * The one wait on one fd: up to ms (-1: forever) for events, again when
 * a signal cuts it short.  Its revents once ready, 0 with errno
 * ETIMEDOUT once ms passed, or -1 with poll(2)'s errno.
 */
static int
wait_fd(int fd, short events, int ms)
{
	struct pollfd	 pfd = { .fd = fd, .events = events };
	int		 n;

	while ((n = poll(&pfd, 1, ms)) == -1 && errno == EINTR)
		;
	if (n == 0)
		errno = ETIMEDOUT;
	return n > 0 ? pfd.revents : n;
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t		 n;

	if (fd == 1 && len > PIPE_BUF)
		stdout_nonblock();	/* else it may block past -i */
	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno != EINTR && (errno != EAGAIN ||
			    wait_fd(fd, POLLOUT, idle_ms()) <= 0))
				return -1;
			continue;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---------------------------------------------------- configuration */

/*
 * Where the request goes, what may start its server, what is sent, and
 * the limits: from the arguments (unless they are the query's words), a
 * -f file, and the environment, all checked before a byte is read.
 */
static void
configure(int argc, char *argv[], struct config *cf)
{
	const char	*value[NSETTINGS] = { NULL }, *from[NSETTINGS] = { NULL };
	int		 first, i;

	cf->app_env = environ;
	/* The defaults first: an early error drains and waits by them. */
	apply_settings(cf, value, from);
	/* Run by a web server: H2O's fastcgi-cgi sets no GATEWAY_INTERFACE. */
	cf->cgi = env_get("GATEWAY_INTERFACE") != NULL ||
	    (env_get("REQUEST_METHOD") != NULL &&
	    env_get("SERVER_PROTOCOL") != NULL);
	read_environment(cf, value, from);
	if (args_are_query(argc, argv))
		argc = 1;		/* the client's words: none of ours */
	else if (argc > 2 && strcmp(argv[1], "-f") == 0)
		args_from_file(cf, argv[2], &argc, &argv);
	first = parse_options(argc, argv, cf, value, from);
	apply_settings(cf, value, from);
	parse_operands(argc - first, argv + first, cf);
	for (i = 0; i < cf->ntargets; i++) {
		fill_path(&cf->to[i]);
		check_target(&cf->to[i]);
	}
}

/*
 * RFC 3875 4.4: for a query without '=', a web server may pass the
 * query's words as arguments, and Apache, mini_httpd and thttpd do.
 * Those words come from the client, and must never choose the backend
 * (/app?host+25) or run a program (/app?-connect+sock+app); nor may a
 * query that spells a wrapper's arguments (?-sendfile+/srv) turn them
 * off.  So when the arguments could be words of the query, in any form
 * a server passes them, they are the host's only if it ran this program
 * itself (SCRIPT_FILENAME), and none is used; if they may be a
 * wrapper's, we refuse rather than guess.  Some of the words, in their
 * order, are enough: a server may pass only the first ones (Apache:
 * 4091), or drop some (Boa: those it cannot decode).  The '=' rule is
 * not trusted, nor GATEWAY_INTERFACE (H2O sets none).
 */
static int
args_are_query(int argc, char *argv[])
{
	const char	*q = env_get("QUERY_STRING"), *p, *w;
	int		 i, empty = 1, spaced;

	if (argc < 2 || q == NULL)
		return 0;
	/* Python's http.server: the whole query, '+' as ' ', as one. */
	for (p = q, w = argv[1]; *p != '\0' && *w == (*p == '+' ? ' ' : *p);
	    p++, w++)
		;
	spaced = argc == 2 && *p == '\0' && *w == '\0';
	/* Each argument the earliest word that can be it: if any can. */
	for (i = 1; i < argc && q != NULL; )
		if (is_query_word(&q, argv[i]))
			i++;
	if (i < argc && !spaced)
		return 0;
	for (i = 1; i < argc; i++)
		empty &= *argv[i] == '\0';
	if (!empty && !script_is_us())
		die(500, "configuration: the arguments could be the query's "
		    "words, and SCRIPT_FILENAME is not this program: give "
		    "the server and options in the environment (SCGI_FILE, "
		    "...) or a -f script");
	return 1;
}

/* Did the web server run this program itself, not a wrapper script? */
static int
script_is_us(void)
{
	const char	*script = env_value("SCRIPT_FILENAME");
	struct stat	 a, b;
	int		 fd, same;

	/* Opened, not stat(2)ed: valgrind's /proc/self/exe is its own. */
	if (script == NULL || stat(script, &a) == -1 ||
	    (fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	same = fstat(fd, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino;
	close(fd);
	return same;
}

/*
 * Could arg be the query word at *q (up to '+'), as a web server passes
 * it?  Servers %-decode the word (a %00 ends it); Apache then puts a
 * backslash before shell metacharacters, mini_httpd and thttpd do not.
 * Any form counts, and the word as it stands too: better to take an
 * argument of the admin's for the client's than the other way round.
 * *q moves past the word, to NULL past the last.
 */
static int
is_query_word(const char **q, const char *arg)
{
	const char	*w = *q, *end = w + strcspn(w, "+");
	const char	*raw = arg, *esc = arg;
	int		 c, hi, lo;
	int		 as_is = strncmp(arg, w, (size_t)(end - w)) == 0 &&
			    arg[end - w] == '\0';

	*q = *end == '+' ? end + 1 : NULL;
	for (; w < end; w++) {
		c = (unsigned char)*w;
		if (c == '%' && (hi = hex_value(w[1])) >= 0 &&
		    (lo = hex_value(w[2])) >= 0) {
			c = hi * 16 + lo;
			w += 2;
		}
		if (c == '\0')
			break;
		if (raw != NULL)
			raw = (unsigned char)*raw == c ? raw + 1 : NULL;
		if (esc != NULL && *esc == '\\')
			esc++;
		if (esc != NULL)
			esc = (unsigned char)*esc == c ? esc + 1 : NULL;
	}
	return as_is || (raw != NULL && *raw == '\0') ||
	    (esc != NULL && *esc == '\0');
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
 * cgi-fcgi's -f: the arguments are the words of the first line of file
 * that is neither blank nor a comment, so that a script starting with
 * "#!/usr/local/bin/cgi2scgi -f" runs as a CGI program.  What follows
 * file is ignored: a web server may put the words of the query there.
 * Under a web server, -f must name the script being run, as the kernel
 * hands it to a "#!" interpreter (by a relative name under suEXEC):
 * nothing from the client may choose the file.
 */
static void
args_from_file(const struct config *cf, const char *path, int *argc,
    char ***argv)
{
	static char	 text[ARGFILE_MAX + 1];
	static char	*args[MAX_ARGS + 2];
	const char	*script = env_value("SCRIPT_FILENAME");
	char		*line;
	struct stat	 a, b;
	size_t		 got = 0;
	ssize_t		 n;
	int		 fd, i;

	if (cf->cgi && (script == NULL || stat(path, &a) == -1 ||
	    stat(script, &b) == -1 || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino))
		die(500, "%s: -f names no script run by the web server "
		    "(SCRIPT_FILENAME)", path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		die(500, "%s: %s", path, strerror(errno));
	while (got < ARGFILE_MAX &&
	    (n = read(fd, text + got, ARGFILE_MAX - got)) != 0)
		if (n > 0)
			got += (size_t)n;
		else if (errno != EINTR)
			die(500, "%s: %s", path, strerror(errno));
	close(fd);
	if ((line = arg_line(text, got, got < ARGFILE_MAX)) == NULL)
		die(500, "%s: no line of arguments%s", path, got < ARGFILE_MAX ?
		    "" : " in its first 16 KiB");
	if ((i = split_words(line, args + 1, MAX_ARGS)) == -1)
		die(500, "%s: over %d arguments", path, MAX_ARGS);
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

/* --------------------------------------------------------- settings */

/*
 * Each setting from its option, else its SCGI_ variable, else its
 * default, as settings[] says; each parsed where it is read, and a bad
 * one a 500 that names it.
 */

/*
 * The SCGI_ variables, in one pass over the environment: a request pays
 * for every pass.  The last of a name wins, as everywhere (env_get());
 * an empty one counts as unset.
 */
static void
read_environment(struct config *cf, const char **value, const char **from)
{
	const char	*v;
	char		**e;
	size_t		 k;

	for (e = environ; *e != NULL; e++) {
		if (**e != 'S' || strncmp(*e, "SCGI_", 5) != 0)
			continue;
		if (strncmp(*e + 5, "SET_", 4) == 0)
			add_set(cf, *e + 9);
		for (k = 0; k < NSETTINGS; k++)
			if (settings[k].variable != NULL &&
			    (v = after_name(*e, settings[k].variable)) != NULL) {
				value[k] = *v != '\0' ? v : NULL;
				from[k] = settings[k].variable;
			}
	}
}

/* The options into cf and value[]; the index of the first operand. */
static int
parse_options(int argc, char *argv[], struct config *cf, const char **value,
    const char **from)
{
	const char	*a;
	size_t		 k;
	int		 i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(a = argv[i], "--") == 0)
			return i + 1;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
			help();
		if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			dprintf(1, "cgi2scgi %s\n", VERSION);
			exit(0);
		}
		for (k = 0; k < NSETTINGS && (settings[k].option == NULL ||
		    strcmp(a, settings[k].option) != 0); k++)
			;
		if (k == NSETTINGS || (settings[k].type != T_FLAG &&
		    i + 1 == argc))
			usage();
		if (settings[k].type == T_FLAG)
			*(int *)((char *)cf + settings[k].field) = 1;
		else if (settings[k].type == T_CONNECT)
			add_conn(cf, argv[++i]);
		else if (settings[k].type == T_SET)
			add_set(cf, argv[++i]);
		else {
			value[k] = argv[++i];
			from[k] = a;
		}
	}
	return i;
}

/*
 * -set NAME=VALUE, or SCGI_SET_NAME=VALUE: one variable more to send,
 * in place of the environment's of that name.  A later one replaces an
 * earlier, and an option the environment's.  SCGI's rules for
 * CONTENT_LENGTH and SCGI are not to be set aside.
 */
static void
add_set(struct config *cf, const char *spec)
{
	const char	*eq = strchr(spec, '=');
	size_t		 nlen = eq != NULL ? (size_t)(eq - spec) : 0;
	int		 i;

	if (nlen == 0)
		die(500, "-set: not NAME=VALUE: \"%.80s\"", spec);
	if (is_ours(spec, nlen))
		die(500, "-set: %.*s is not to be set: cgi2scgi sends it, or "
		    "reads it", (int)nlen, spec);
	for (i = 0; i < cf->nsets && (cf->set[i].nlen != nlen ||
	    memcmp(cf->set[i].name, spec, nlen) != 0); i++)
		;
	if (i == MAX_SETS)
		die(500, "-set: over %d variables", MAX_SETS);
	if (i == cf->nsets)
		cf->nsets++;
	cf->set[i].name = spec;
	cf->set[i].nlen = nlen;
	cf->set[i].value = eq + 1;
}

/* Each setting from its option, else its variable, else its default. */
static void
apply_settings(struct config *cf, const char **value, const char **from)
{
	const struct setting	*s;
	const char		*v;
	void			*field;
	struct stat		 st;
	size_t			 k;

	for (k = 0; k < NSETTINGS; k++) {
		s = &settings[k];
		field = (char *)cf + s->field;
		v = value[k];
		switch (s->type) {
		case T_SECONDS:
			if (v == NULL)
				*(int *)field = (int)s->dflt;
			else if (parse_seconds(v, field) == -1)
				die(500, "%s: not a number of seconds: "
				    "\"%.40s\"", from[k], v);
			break;
		case T_SIZE:
			if (v == NULL)
				*(unsigned long long *)field = s->dflt;
			else if (parse_size(v, s->max, field) == -1)
				die(500, "%s: not a size in bytes%s%s: "
				    "\"%.40s\"", from[k], s->max < ULLONG_MAX ?
				    " up to " : "", s->max < ULLONG_MAX ?
				    size_text(s->max) : "", v);
			break;
		case T_TEXT:
			*(const char **)field = v;
			break;
		}	/* T_FLAG, T_CONNECT and T_SET: parse_options() */
	}
	if (cf->sendfile != NULL && (*cf->sendfile != '/' ||
	    stat(cf->sendfile, &st) == -1 || !S_ISDIR(st.st_mode)))
		die(500, "-sendfile: not the absolute path of a directory: "
		    "\"%s\"", cf->sendfile);
}

/* --help: the usage, then each option of the table, as the table has it. */
static void
help(void)
{
	const struct setting	*s;
	char			 word[32];

	dprintf(1, "%s%s", usage_text, help_intro);
	for (s = settings; s < settings + NSETTINGS && s->option != NULL; s++) {
		snprintf(word, sizeof(word), "%s %s", s->option,
		    s->arg != NULL ? s->arg : "");
		dprintf(1, "  %-15s %s", word, s->help);
		if (s->type == T_SET)
			dprintf(1, " (%sname)", s->variable);
		else if (s->type == T_SECONDS)
			dprintf(1, " (%s, default %llu)", s->variable,
			    s->dflt / 1000);
		else if (s->type == T_SIZE)
			dprintf(1, " (%s, default %s)", s->variable,
			    size_text(s->dflt));
		else if (s->variable != NULL)
			dprintf(1, " (%s)", s->variable);
		dprintf(1, "\n");
	}
	dprintf(1, "%s", help_end);
	exit(0);
}

/* "1G", "64M", "64k", "1000": a size as -m takes it, in its largest unit. */
static const char *
size_text(unsigned long long v)
{
	static const char units[][2] = { "", "k", "M", "G" };
	static char	 text[32];
	int		 unit = 3;

	while (unit > 0 && v % (1ULL << (10 * unit)) != 0)
		unit--;
	snprintf(text, sizeof(text), "%llu%s", v >> (10 * unit), units[unit]);
	return text;
}

/* "7", "0.25", "90.5": seconds, to the millisecond, as ms. */
static int
parse_seconds(const char *s, int *ms)
{
	unsigned long long v;
	int		 scale = 100;

	if ((s = digits_at(s, INT_MAX / 1000, &v)) == NULL)
		return -1;
	v *= 1000;
	if (*s == '.') {
		/* One to three fraction digits. */
		if (s[1] < '0' || s[1] > '9')
			return -1;
		for (s++; *s >= '0' && *s <= '9' && scale > 0; s++, scale /= 10)
			v += (unsigned)((*s - '0') * scale);
	}
	if (*s != '\0' || v > INT_MAX)
		return -1;
	*ms = (int)v;
	return 0;
}

/*
 * Digits only: no sign, no space, no base prefix.  0, -1 if s is no
 * such number, 1 if it is over max; *out is set only for 0.
 */
static int
parse_length(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v;
	size_t		 n = strspn(s, "0123456789");

	if (n == 0 || s[n] != '\0')
		return -1;
	if (digits_at(s, max, &v) == NULL)
		return 1;
	*out = v;
	return 0;
}

/* "1048576", "512k", "1G": bytes, with binary suffixes, up to max. */
static int
parse_size(const char *s, unsigned long long max, unsigned long long *out)
{
	static const char units[] = "kKmMgG";	/* << 10, 20, 30 */
	const char	*end = s + strspn(s, "0123456789"), *u;
	int		 shift = 0;

	if (*end != '\0') {
		if (end[1] != '\0' || (u = strchr(units, *end)) == NULL)
			return -1;
		shift = 10 * (int)(1 + (u - units) / 2);
	}
	if (digits_at(s, max >> shift, out) != end)
		return -1;
	*out <<= shift;
	return 0;
}

/* ---------------------------------------------------------- servers */

/*
 * Where the request goes: the operands, -connect, or SCGI_FILE, or
 * SCGI_HOST and SCGI_PORT; up to MAX_TARGETS, tried in order.  And the
 * environment as the bridge reads it: of a name given twice, the last.
 */

/*
 * The operands: the app and its copies with -connect, else the server
 * (a socket, or a host and a port), else none, and the environment names
 * the server.  A request starts an app on a socket file only: whoever
 * can connect to a port or an abstract name could drive the app.
 */
static void
parse_operands(int nargs, char *args[], struct config *cf)
{
	unsigned long long	 n = 1;
	int			 app_only = cf->fd0 || cf->log != NULL;

	if (nargs > 2 || (cf->ntargets == 0 && (cf->bind || cf->start ||
	    app_only)) || (nargs == 0 && (cf->start || app_only)) ||
	    (cf->post != NULL && !cf->check))
		usage();
	if (cf->ntargets == 0 && nargs == 1)
		new_target(cf)->path = args[0];
	else if (cf->ntargets == 0 && nargs == 2) {
		set_host(new_target(cf), args[0], strlen(args[0]));
		cf->to[0].port = args[1];
	} else if (cf->ntargets == 0 && cf->file != NULL)
		new_target(cf)->path = cf->file;
	else if (cf->ntargets == 0)
		targets_from_env(cf);
	else if (nargs > 0) {
		if (cf->bind || cf->ntargets > 1 || (nargs == 2 &&
		    (parse_length(args[1], MAX_COPIES, &n) != 0 || n == 0)))
			usage();
		cf->app = args[0];
		cf->copies = (int)n;
		if (!cf->start && !is_file_socket(&cf->to[0]))
			die(500, "%s: a request starts an app only on a socket "
			    "file, which no other user can reach; use -start for "
			    "a port or an abstract name", name_of(&cf->to[0]));
	}
}

/* SCGI_HOST's hosts, separated by commas, on SCGI_PORT. */
static void
targets_from_env(struct config *cf)
{
	const char	*h = cf->host != NULL ? cf->host : "localhost";
	struct target	*t;
	size_t		 len, from, to;

	if (cf->port == NULL)
		die(500, "configuration: %s", cf->host != NULL ?
		    "SCGI_HOST is set but SCGI_PORT is not" :
		    "no SCGI server: set SCGI_FILE, or SCGI_HOST and "
		    "SCGI_PORT, or give arguments");
	for (;; h += len + 1) {
		len = strcspn(h, ",");
		/* Blanks around a comma are no part of a name. */
		from = strspn(h, " \t");
		for (to = len; to > from && (h[to - 1] == ' ' ||
		    h[to - 1] == '\t'); to--)
			;
		t = new_target(cf);
		set_host(t, h + from, to - from);
		t->port = cf->port;
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
add_conn(struct config *cf, const char *conn)
{
	struct target	*t = new_target(cf);
	const char	*colon = strrchr(conn, ':');

	if (*conn == '@' || strchr(conn, '/') != NULL || colon == NULL) {
		t->path = conn;
		return;
	}
	/* An IPv6 address needs its brackets, and a port after them. */
	if (*conn == '[' ? colon[-1] != ']' :
	    memchr(conn, ':', (size_t)(colon - conn)) != NULL)
		die(500, "-connect: not a socket, host:port or [address]:port: "
		    "\"%.80s\"", conn);
	set_host(t, conn, (size_t)(colon - conn));
	t->port = colon + 1;
}

static struct target *
new_target(struct config *cf)
{
	if (cf->ntargets == MAX_TARGETS)
		die(500, "configuration: over %d servers", MAX_TARGETS);
	return &cf->to[cf->ntargets++];	/* zeroed, as cf is static */
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
		die(500, "configuration: host name too long");
	memcpy(t->host, host, len);
	t->host[len] = '\0';
}

/* A socket path must fit, never truncated; a port be 1 to 65535. */
static void
check_target(const struct target *t)
{
	struct sockaddr_un	 sun;
	unsigned long long	 port = 1;	/* a service's name passes */
	size_t			 len;

	if (t->path != NULL) {
		/* A path needs its NUL; an abstract name has none. */
		if ((len = strlen(t->path)) == 0)
			die(500, "configuration: empty socket path");
		if (len - is_nul_ended(t->path, len) >= sizeof(sun.sun_path) +
		    (*t->path == '@'))
			die(500, "%s: socket path too long", t->path);
#ifndef __linux__
		if (*t->path == '@')
			die(500, "%s: abstract sockets are Linux's", t->path);
#endif
	} else if (*t->host == '\0' || *t->port == '\0')
		die(500, "%s: empty host or port", name_of(t));
	else if (parse_length(t->port, 65535, &port) == 1 || port == 0)
		die(500, "%s: port out of range 1-65535", name_of(t));
}

/* A path with PLACEHOLDER is the authenticated user's: one recipe for all. */
static void
fill_path(struct target *t)
{
	int		 status;

	if (t->path == NULL || strstr(t->path, "%{") == NULL)
		return;		/* used as it is, byte for byte */
	t->tmpl = t->path;
	t->path = t->filled;
	if ((status = fill_template(t->tmpl, env_get("REMOTE_USER"),
	    t->filled, sizeof(t->filled))) != 0)
		die(status, "%s: %s", t->tmpl, t->filled);
}

/*
 * tmpl, each PLACEHOLDER in it user, into out[0..cap): 0, or the status
 * to answer with and, in out, why not.  A typo fails for every user.
 */
static int
fill_template(const char *tmpl, const char *user, char *out, size_t cap)
{
	const size_t	 plen = sizeof(PLACEHOLDER) - 1;
	const char	*p, *from, *why;
	size_t		 n = 0, len;

	for (p = tmpl; (p = strstr(p, "%{")) != NULL; p += plen)
		if (strncmp(p, PLACEHOLDER, plen) != 0)
			return snprintf(out, cap, "unknown placeholder %.*s: only "
			    "%s is filled in", (int)strcspn(p, "}") + 1, p,
			    PLACEHOLDER), 500;
	if (strstr(tmpl, "%{") != NULL && (user == NULL || *user == '\0'))
		return snprintf(out, cap, "the web server authenticated no user "
		    "for this location (REMOTE_USER is unset or empty): require "
		    "one, as Apache's Require valid-user does"), 500;
	if (strstr(tmpl, "%{") != NULL && (why = name_rule(user)) != NULL)
		return snprintf(out, cap, "REMOTE_USER \"%.80s\" is not a plain "
		    "name: %s", user, why), 403;
	for (p = tmpl; *p != '\0'; n += len) {
		if (strncmp(p, "%{", 2) == 0) {
			from = user;
			len = strlen(user);
			p += plen;
		} else {
			from = p++;
			len = 1;
		}
		if (len >= cap - n)
			return snprintf(out, cap, "socket path too long"), 500;
		memcpy(out + n, from, len);
	}
	out[n] = '\0';
	return 0;
}

/*
 * A user's name as one plain path component: never "." or "..", nor an
 * option's look, nor an abstract name ('@', for user@REALM, not first).
 * NULL, or the rule a non-empty name breaks.
 */
static const char *
name_rule(const char *user)
{
	size_t	 len = strlen(user);

	if (len > MAX_USER)
		return "it is over 64 bytes";
	if (strspn(user, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-@") != len)
		return "it has a byte other than A-Z a-z 0-9 . _ - @";
	if (*user == '.' || *user == '-' || *user == '@')
		return "it starts with '.', '-' or '@'";
	return NULL;
}

/*
 * "@name" is a name in Linux's abstract namespace, and "@name\\0" (a
 * backslash and a zero) the same name with a NUL byte after it, as uWSGI
 * binds "@name".  Two names: nothing falls back from one to the other,
 * for any user can bind an abstract name, and would get our requests.
 */
static int
is_nul_ended(const char *path, size_t len)
{
	return *path == '@' && len > 3 && memcmp(path + len - 2, "\\0", 2) == 0;
}

/*
 * A variable's value; of a name given twice, the last.  fcgiwrap puts
 * both of nginx's "include fastcgi_params; fastcgi_param SCRIPT_NAME x;"
 * in the environment, and the admin's second is the one PHP-FPM and sh
 * take (getenv(3), Perl and Python take the first).  No strncmp(3) per
 * entry: most names differ in their first byte (callgrind, the bench's
 * tiny GET: 2,900 instructions fewer than with getenv(3), a seventh).
 */
static const char *
env_get(const char *name)
{
	const char	*v, *last = NULL;
	char		**e;

	for (e = environ; *e != NULL; e++)
		if (**e == *name && (v = after_name(*e, name)) != NULL)
			last = v;
	return last;
}

/* A variable's value, or NULL if it is unset or empty. */
static const char *
env_value(const char *name)
{
	const char	*v = env_get(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* The value in entry "NAME=value" if its name is name, else NULL. */
static const char *
after_name(const char *entry, const char *name)
{
	for (; *name != '\0' && *entry == *name; entry++, name++)
		;
	return *name == '\0' && *entry == '=' ? entry + 1 : NULL;
}

/* How messages name t: its path, "host:port" or "[v6]:port". */
static const char *
name_of(const struct target *t)
{
	static char	 name[300];

	if (t->path != NULL)
		return t->path;
	snprintf(name, sizeof(name), strchr(t->host, ':') != NULL ?
	    "[%s]:%s" : "%s:%s", t->host, t->port);
	return name;
}

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------- the request body */

/*
 * The body is CONTENT_LENGTH bytes of stdin; with no CONTENT_LENGTH but
 * a Transfer-Encoding, or Caddy's -1 for a length it does not know, all
 * of stdin, to be spooled (one byte over the limit is one too many);
 * with neither, nothing (and stdin is not read: RFC 3875 4.2).
 */
static void
find_body(struct request *rq)
{
	const struct config *cf = rq->cf;
	const char	*cl = env_value("CONTENT_LENGTH");
	struct half	*up = &rq->up;
	int		 unknown = cl != NULL && strcmp(cl, "-1") == 0;

	up->from = up->to = -1;
	if (cl != NULL && !unknown) {
		/*
		 * A bad length dies before up->buf is set, so that die()
		 * reads and drops the body as body_to_drain() says, for
		 * Apache writes it all before it reads an answer, and
		 * answers nothing of one that did not read it.
		 */
		switch (parse_length(cl, cf->max_body, &rq->bodylen)) {
		case -1:
			die(400, "CONTENT_LENGTH: not a decimal number: "
			    "\"%.40s\"", cl);
		case 1:
			die(413, "CONTENT_LENGTH: %.40s is over the limit of "
			    "%llu bytes", cl, cf->max_body);
		}
		up->from = 0;
		up->unread = rq->bodylen;
	} else if (unknown || env_value("HTTP_TRANSFER_ENCODING") != NULL) {
		rq->chunked = 1;
		up->from = 0;
		up->unread = spool_limit(cf);	/* what an error drains */
	}
	up->buf = rq->body_buf;
	up->cap = sizeof(rq->body_buf);
}

/*
 * SCGI sends the length first, and a chunked upload ends at end of file:
 * spool it to an unlinked file in TMPDIR, once a server has taken our
 * connection (no disk while servers are down), up to the spool's limit
 * (413) or a full disk (507), before a byte is sent.
 *
 * A body in chunked framing from its first byte, whole or cut off where
 * stdin ended after a chunk-size line, is the client's framing passed
 * on undecoded: Plack's WrapCGI passes it whole, busybox httpd what it
 * read with the head, and then ends stdin.  No length is to be learnt
 * from it, and the app must not take it for the body (411).  A whole
 * message is refused as soon as its end is read, for stdin may not end.
 */
static void
spool_body(struct request *rq)
{
	const struct config *cf = rq->cf;
	struct half	*up = &rq->up;
	struct framing	 f = { CH_SIZE0, 0, 0, 0 };
	ssize_t		 n;
	int		 fd = open_spool();

	while ((n = read_stdin(up->buf, up->cap)) > 0 &&
	    !is_framing(&f, up->buf, (size_t)n)) {
		if ((rq->bodylen += (unsigned long long)n) > spool_limit(cf)) {
			up->unread = 0;	/* the body is the trouble */
			die(413, "request body: chunked upload over the limit "
			    "of %llu bytes", spool_limit(cf));
		}
		spool_write(fd, up->buf, (size_t)n);
	}
	/* Whole (CH_WHOLE), or cut off at end of file after a size line. */
	if (f.state != CH_NOT && f.sizes > 0) {
		up->unread = 0;	/* its end is read: nothing to drain */
		die(411, "request body: the web server passed a chunked "
		    "upload on undecoded, its framing and all: the client "
		    "must send a Content-Length");
	}
	rq->up.unread = rq->bodylen;
	from_spool(rq, fd);
}

/* The most of a chunked upload: -s, or -m where it is less. */
static unsigned long long
spool_limit(const struct config *cf)
{
	return cf->max_spool < cf->max_body ? cf->max_spool : cf->max_body;
}

/*
 * RFC 9112 7.1's chunked coding, fed as it comes: 1 once the bytes so
 * far are one whole message.  The last chunk's size is 0; extensions
 * and trailer lines are taken as any bytes but CR and LF; a bare LF, a
 * size over 15 hex digits or a byte after the end is no framing.
 */
static int
is_framing(struct framing *f, const char *p, size_t len)
{
	const char	*end = p + len;
	size_t		 n;

	for (; p < end && f->state != CH_NOT; p++)
		if (f->state == CH_DATA) {	/* skipped whole */
			n = (size_t)(end - p) < f->size ? (size_t)(end - p) :
			    (size_t)f->size;
			p += n - 1;
			if ((f->size -= n) == 0)
				f->state = CH_DATA_CR;
		} else
			f->state = framing_next(f, (unsigned char)*p);
	return f->state == CH_WHOLE;
}

/* The state after byte c, outside a chunk's data. */
static int
framing_next(struct framing *f, int c)
{
	switch (f->state) {
	case CH_SIZE0:
	case CH_SIZE:
		if (isxdigit(c) && f->digits++ < 15) {
			f->size = f->size * 16 + (unsigned)hex_value(c);
			return CH_SIZE;
		}
		if (f->state == CH_SIZE && (c == ';' || c == '\r'))
			return c == ';' ? CH_EXT : CH_SIZE_LF;
		return CH_NOT;
	case CH_EXT:
		return c == '\r' ? CH_SIZE_LF : c == '\n' ? CH_NOT : CH_EXT;
	case CH_SIZE_LF:
		if (c != '\n')
			return CH_NOT;
		f->sizes++;
		f->digits = 0;
		return f->size > 0 ? CH_DATA : CH_LINE0;
	case CH_DATA_CR:
		return c == '\r' ? CH_DATA_LF : CH_NOT;
	case CH_DATA_LF:
		return c == '\n' ? CH_SIZE0 : CH_NOT;
	case CH_LINE0:
	case CH_LINE:
		if (c == '\r')
			return f->state == CH_LINE0 ? CH_END_LF : CH_LINE_LF;
		return c == '\n' ? CH_NOT : CH_LINE;
	case CH_LINE_LF:
		return c == '\n' ? CH_LINE0 : CH_NOT;
	case CH_END_LF:
		return c == '\n' ? CH_WHOLE : CH_NOT;
	default:		/* CH_WHOLE: a byte after the end */
		return CH_NOT;
	}
}

/*
 * A host that writes the whole body before it reads the answer (Apache's
 * mod_cgi and mod_cgid) and a server that answers as it reads (a
 * streaming app) wait on each other once stdout and the server's socket
 * are full.  Then the rest of the body is spooled: the host, done
 * writing, reads the answer, and the server reads on from the spool.
 * Memory stays as it was; the file holds at most -s bytes.  An answer
 * has begun, so the request is not one to send again (is_resendable()).
 */
static void
spool_rest(struct request *rq)
{
	struct half	*up = &rq->up;
	unsigned long long left = up->unread;
	ssize_t		 n;
	int		 fd = open_spool();

	/* What was read and not yet sent first: body_buf is read into. */
	spool_write(fd, up->pending, up->len);
	up->unread += up->len;
	up->len = 0;
	for (; left > 0; left -= (unsigned long long)n) {
		if ((n = read_stdin(rq->body_buf, left < sizeof(rq->body_buf) ?
		    (size_t)left : sizeof(rq->body_buf))) == 0)
			die(400, "request body: stdin ended after %llu of %llu "
			    "bytes", rq->bodylen - left, rq->bodylen);
		spool_write(fd, rq->body_buf, (size_t)n);
	}
	up->io = IO_COPY;
	up->wait_to = 0;
	from_spool(rq, fd);
}

/* An unlinked file in TMPDIR. */
static int
open_spool(void)
{
	const char	*dir = env_value("TMPDIR");
	char		 path[PATH_MAX];
	int		 fd;

	if (snprintf(path, sizeof(path), "%s/cgi2scgi.XXXXXX", dir != NULL ?
	    dir : "/tmp") >= (int)sizeof(path))
		die(500, "TMPDIR: path too long");
	if ((fd = mkstemp(path)) == -1)
		die(503, "%s: %s", path, strerror(errno));
	unlink(path);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

/* n bytes more, unless they would leave under SPOOL_FREE_PCT free. */
static void
spool_write(int fd, const char *buf, size_t n)
{
	struct statvfs	 fs;

	/* If fstatvfs(2) fails, the write will say if there is room. */
	if (fstatvfs(fd, &fs) == 0 && fs.f_bavail < fs.f_blocks / 100 *
	    SPOOL_FREE_PCT + n / (fs.f_frsize > 0 ? fs.f_frsize : 1) + 1)
		die(507, "TMPDIR: under %d%% free: no room to spool the "
		    "request body", SPOOL_FREE_PCT);
	if (write_all(fd, buf, n) == -1)
		die(507, "spool request body: %s", strerror(errno));
}

/* The body's rest, up->unread bytes, is read from the spool fd from now. */
static void
from_spool(struct request *rq, int fd)
{
	if (lseek(fd, 0, SEEK_SET) == -1)
		die(503, "spool request body: %s", strerror(errno));
	rq->spooled = 1;
	rq->up.from = fd;
}

/* Wait up to -i (idle_ms()) for stdin, then read; for spooling a body. */
static ssize_t
read_stdin(char *buf, size_t cap)
{
	ssize_t		 n;

	for (;;) {
		switch (wait_fd(0, POLLIN, idle_ms())) {
		case -1:
			die(503, "poll: %s", strerror(errno));
		case 0:
			die(408, "request body: no byte from the client for "
			    "%g s (-i, SCGI_IDLE_TIMEOUT), %llu bytes of a "
			    "chunked upload spooled", req->cf->idle_ms / 1000.0,
			    req->bodylen);
		}
		if ((n = read(0, buf, cap)) >= 0)
			return n;
		if (errno != EINTR && errno != EAGAIN)
			die(400, "read stdin: %s", strerror(errno));
	}
}

/* ------------------------------------------------- the header block */

/*
 * The netstring SCGI sends first: CONTENT_LENGTH, SCGI=1, the -set
 * variables, then the environment's that -pass and -drop let through,
 * each name once; a block over -H is a 431, before a connection.
 */

/*
 * The header block, built in place: CONTENT_LENGTH first and SCGI=1
 * second, as SCGI requires, then the -set variables and the
 * environment's, as -pass and -drop choose, each name once; 431 over -H.
 */
static void
build_request(struct request *rq)
{
	const struct config *cf = rq->cf;
	struct var	*v;
	uint32_t	*slots;
	char		*pairs = rq->header + LENGTH_ROOM, len[20], most[20];
	char		**e;
	size_t		 all = (size_t)cf->nsets, n, i, k, nslots;
	size_t		 used, digits = format_ull(len, rq->bodylen);
	/* A chunked body's length is not known yet: count its most. */
	size_t		 room = rq->chunked && !rq->spooled ?
			    format_ull(most, spool_limit(cf)) : digits;

	for (e = environ; *e != NULL; e++)
		all++;
	v = var_room(all, &slots, &nslots);
	n = drop_repeats(v, collect_vars(cf, v, &rq->method),
	    (size_t)cf->nsets, slots, nslots);
	if (cf->nsets > 0) {
		for (i = k = 0; i < n; i++)
			if (v[i].value != NULL)	/* a held name goes now */
				v[k++] = v[i];
		n = k;
	}
	/* Each name and value ends in a NUL. */
	used = sizeof("CONTENT_LENGTH") + room + 1 + sizeof("SCGI") +
	    sizeof("1");
	for (i = 0; i < n; i++)
		used += v[i].nlen + v[i].vlen + 2;
	if (used > cf->max_header)
		header_too_large(cf, v, n, used);
	used = add_pair(pairs, "CONTENT_LENGTH", 14, len, digits);
	used += add_pair(pairs + used, "SCGI", 4, "1", 1);
	for (i = 0; i < n; i++)
		used += add_pair(pairs + used, v[i].name, v[i].nlen,
		    v[i].value, v[i].vlen);
	if (all > FEW_VARS)
		free(v);
	rq->block = netstring_wrap(rq->header, LENGTH_ROOM, used);
	rq->blocklen = (size_t)(pairs + used + 1 - rq->block);
	rq->pairslen = used;
	rq->nvars = n + 2;
}

/*
 * Room for n variables, and for drop_repeats()' hash of them at most
 * half full: up to FEW_VARS, static, off the stack (the tiny GET's page
 * faults, 10 and not 14); else malloc(3)'s, which the caller frees.
 */
static struct var *
var_room(size_t n, uint32_t **slots, size_t *nslots)
{
	static struct var few[FEW_VARS];
	static uint32_t	 few_slots[2 * FEW_VARS];
	struct var	*v;

	*slots = few_slots;
	*nslots = 2 * FEW_VARS;
	if (n <= FEW_VARS)
		return few;
	for (; *nslots < 2 * n; *nslots *= 2)
		;
	if ((v = malloc(n * sizeof(*v) + *nslots * sizeof(**slots))) == NULL)
		die(503, "request header: %s", strerror(errno));
	*slots = (uint32_t *)(v + n);
	return v;
}

/*
 * The variables to send, the -set ones first, into v; their number.
 * REQUEST_METHOD in *method, sent or not, for the answer needs it.
 */
static size_t
collect_vars(const struct config *cf, struct var *v, const char **method)
{
	const char	*eq, *val;
	char		**e;
	size_t		 n = 0, nlen;
	int		 i;

	for (i = 0; i < cf->nsets; i++) {
		v[n] = cf->set[i];
		/*
		 * "$NAME" copies a variable, renaming it.  Unset, none goes,
		 * but the name is held (a NULL value): the environment's of
		 * that name, maybe a client's header, must not go instead.
		 */
		val = v[n].value;
		if (*val == '$' && val[1] != '\0')
			v[n].value = val = env_get(val + 1);
		v[n++].vlen = val != NULL ? strlen(val) : 0;
	}
	for (e = environ; *e != NULL; e++) {
		for (eq = *e; *eq != '\0' && *eq != '='; eq++)
			;
		nlen = (size_t)(eq - *e);
		if (nlen == 14 && memcmp(*e, "REQUEST_METHOD", 14) == 0)
			*method = eq + 1;
		/*
		 * httpoxy: a client's "Proxy:" header is no proxy setting.
		 * And the body goes out plain, CONTENT_LENGTH bytes of it: a
		 * spooled one is no longer chunked, and beside a length the
		 * header could only make a server look for chunks that are
		 * not there.
		 */
		if (*eq == '\0' || nlen == 0 || is_ours(*e, nlen) ||
		    (nlen == 10 && memcmp(*e, "HTTP_PROXY", 10) == 0) ||
		    (nlen == 22 &&
		    memcmp(*e, "HTTP_TRANSFER_ENCODING", 22) == 0) ||
		    (cf->pass != NULL && !in_list(cf->pass, *e, nlen)) ||
		    (cf->drop != NULL && in_list(cf->drop, *e, nlen)))
			continue;
		v[n].name = *e;
		v[n].nlen = nlen;
		v[n].value = eq + 1;
		v[n++].vlen = strlen(eq + 1);
	}
	return n;
}

/*
 * CONTENT_LENGTH and SCGI=1 are ours to send, first, as SCGI wants; the
 * SCGI_ variables configure us, not the application.
 */
static int
is_ours(const char *name, size_t nlen)
{
	return (nlen == 14 && memcmp(name, "CONTENT_LENGTH", 14) == 0) ||
	    (nlen == 4 && memcmp(name, "SCGI", 4) == 0) ||
	    (nlen >= 5 && memcmp(name, "SCGI_", 5) == 0);
}

/*
 * Is name in list: its words, separated by commas or blanks, each a
 * name, a prefix ending in '*', or "cgi" (is_cgi_name())?
 */
static int
in_list(const char *list, const char *name, size_t nlen)
{
	size_t	 n;

	for (; *(list += strspn(list, ", \t")) != '\0'; list += n) {
		n = strcspn(list, ", \t");
		if ((n == nlen && memcmp(list, name, n) == 0) ||
		    (list[n - 1] == '*' && n - 1 <= nlen &&
		    memcmp(list, name, n - 1) == 0) ||
		    (n == 3 && memcmp(list, "cgi", 3) == 0 &&
		    is_cgi_name(name, nlen)))
			return 1;
	}
	return 0;
}

/*
 * "cgi": RFC 3875's meta-variables, the request's headers, and those web
 * servers add that applications read; not busybox httpd's environment.
 */
static int
is_cgi_name(const char *name, size_t nlen)
{
	static const char *const cgi[] = { "AUTH_TYPE", "CONTENT_TYPE",
	    "GATEWAY_INTERFACE", "PATH_INFO", "PATH_TRANSLATED",
	    "QUERY_STRING", "REMOTE_ADDR", "REMOTE_HOST", "REMOTE_IDENT",
	    "REMOTE_USER", "REQUEST_METHOD", "SCRIPT_NAME", "SERVER_NAME",
	    "SERVER_PORT", "SERVER_PROTOCOL", "SERVER_SOFTWARE", "HTTPS",
	    "REQUEST_URI", "REQUEST_SCHEME", "DOCUMENT_ROOT",
	    "SCRIPT_FILENAME", "REMOTE_PORT", "SERVER_ADDR", NULL };
	const char *const *c;

	if (nlen > 5 && memcmp(name, "HTTP_", 5) == 0)
		return 1;
	for (c = cgi; *c != NULL; c++)
		if (strlen(*c) == nlen && memcmp(*c, name, nlen) == 0)
			return 1;
	return 0;
}

/*
 * SCGI forbids duplicate names: a name goes once, in its first place,
 * with its last value (env_get()), but for the -set variables, v[0..sets),
 * which the environment's never replace.  The names kept go in a hash
 * table (nslots, a power of two: a name's index plus one, or 0): make
 * bench's 119,300 variables, 9,300 names twelve times over, take 2.7
 * million instructions, where a sort took 42 million and comparing each
 * with all before it 550 million.  How many of v[0..n) are kept.
 */
static size_t
drop_repeats(struct var *v, size_t n, size_t sets, uint32_t *slots,
    size_t nslots)
{
	size_t		 i, j, kept = 0;
	uint32_t	 h, k;

	memset(slots, 0, nslots * sizeof(*slots));
	for (i = 0; i < n; i++) {
		for (h = 2166136261u, j = 0; j < v[i].nlen; j++)
			h = (h ^ (unsigned char)v[i].name[j]) * 16777619u;
		for (j = h & (nslots - 1); (k = slots[j]) != 0; j = (j + 1) &
		    (nslots - 1))
			if (v[k - 1].nlen == v[i].nlen &&
			    memcmp(v[k - 1].name, v[i].name, v[i].nlen) == 0)
				break;
		if (k != 0) {		/* a repeat */
			if (k > sets)
				v[k - 1] = v[i];
			continue;
		}
		v[kept] = v[i];
		slots[j] = (uint32_t)++kept;
	}
	return kept;
}

/*
 * 431, saying by how much and why: the largest variables, by name, for
 * they are what an admin drops (-drop), or has the web server drop.
 */
static void
header_too_large(const struct config *cf, struct var *v, size_t n,
    size_t size)
{
	struct var	 t;
	char		 big[MESSAGE_MAX / 2] = "";
	size_t		 at = 0, i, k, top;

	for (k = 0; k < 3 && k < n; k++) {
		for (top = k, i = k + 1; i < n; i++)
			if (v[i].nlen + v[i].vlen > v[top].nlen + v[top].vlen)
				top = i;
		t = v[k];
		v[k] = v[top];
		v[top] = t;
		at = add_text(big, sizeof(big), at, "%s%.*s %zu",
		    k > 0 ? ", " : "", (int)(v[k].nlen < 60 ? v[k].nlen : 60),
		    v[k].name, v[k].nlen + v[k].vlen + 2);
	}
	die(431, "request header: header block of %zu bytes is over the limit "
	    "of %llu (-H, SCGI_MAX_HEADER); largest: %s", size,
	    cf->max_header, big);
}

/* name NUL value NUL at pairs; its length. */
static size_t
add_pair(char *pairs, const char *name, size_t nlen, const char *value,
    size_t vlen)
{
	memcpy(pairs, name, nlen);
	pairs[nlen] = '\0';
	memcpy(pairs + nlen + 1, value, vlen);
	pairs[nlen + 1 + vlen] = '\0';
	return nlen + vlen + 2;
}

/*
 * v in decimal.  Not snprintf(3), which nothing else on a request's way
 * calls: with it the tiny GET took 700 more of its 20,000 instructions
 * (make bench, BENCH_BASELINE).
 */
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
 * Connect the request to its server: the first that takes it, or with
 * an app, the one it starts when none listens.
 */
static void
connect_server(struct request *rq)
{
	if (rq->cf->app != NULL) {
		rq->server = &rq->cf->to[0];
		rq->backend = connect_or_start(rq);
	} else
		rq->backend = connect_any(rq->cf, &rq->server);
}

/*
 * A new connection for the request; with if_closed, only if the server
 * closed the one we have, idle while we spooled (uWSGI after 4 s).
 */
static void
reconnect(struct request *rq, int if_closed)
{
	if (if_closed && wait_fd(rq->backend, HANGUP, 0) <= 0)
		return;
	close(rq->backend);
	rq->backend = -1;
	connect_server(rq);
}

/*
 * Each server in turn, so that one dead server of several fails no
 * request, again while one may come up within the retry time; one
 * passed over is logged, once.  The socket, and in *server
 * which one it reaches.  The clock costs two page faults (the vDSO): with
 * one server it is read only once it has refused.
 */
static int
connect_any(struct config *cf, const struct target **server)
{
	long long	 start = cf->ntargets > 1 ? now_ms() : 0;
	struct target	*t = cf->to;
	int		 s, i, err = 0, again, delay = BACKOFF_MIN_MS, round;

	for (round = 1;; round++) {
		for (i = again = 0; i < cf->ntargets; i++) {
			t = &cf->to[i];
			if ((s = connect_once(cf, t)) != -1) {
				*server = t;
				return s;
			}
			err = errno;
			again |= may_start(err) || err == EAGAIN;
			if (round == 1 && i + 1 < cf->ntargets)
				say("%s %s: %s", t->gai != 0 ? "resolve" :
				    "connect", name_of(t), t->gai != 0 ?
				    gai_strerror(t->gai) : strerror(err));
		}
		if (!again)
			break;
		if (start == 0)
			start = now_ms();
		if (now_ms() + delay > start + cf->retry_ms)
			break;
		poll(NULL, 0, delay);
		delay = delay * 2 < BACKOFF_MAX_MS ? delay * 2 : BACKOFF_MAX_MS;
	}
	connect_failed(t, err, cf->connect_ms);
}

/*
 * No server took the request: say why, and what an admin may mend.  ms
 * is the connect timeout, which fired unless the kernel gave up first
 * (Linux does after some 2 minutes of unanswered SYNs).
 */
static void
connect_failed(const struct target *t, int err, int ms)
{
	struct stat	 st;
	const char	*tmp;
	char		 more[MESSAGE_MAX / 2] = "";

	if (t->gai != 0)
		die(t->gai == EAI_AGAIN ? 502 : 500, "resolve %s: %s",
		    name_of(t), gai_strerror(t->gai));
	if (err == ENOTSOCK)
		die(500, "connect %s: not a socket", name_of(t));
	if (err == EACCES && t->path != NULL && stat(t->path, &st) == 0)
		why_denied(more, sizeof(more), &st);
	else if (err == EACCES && t->path != NULL)
		add_text(more, sizeof(more), add_id(more, sizeof(more),
		    add_id(more, sizeof(more), 0, " (we are uid=",
		    (long)geteuid(), 1), " gid=", (long)getegid(), 0),
		    ", and may not look into its directory)");
	else if (err == ENOENT && t->path != NULL &&
	    (tmp = private_tmp(t->path)) != NULL)
		add_text(more, sizeof(more), 0, " (this process has a %s of its "
		    "own, as systemd's PrivateTmp= gives: put the socket "
		    "elsewhere, such as /run)", tmp);
	else if (err == ETIMEDOUT && ms > 0)
		add_text(more, sizeof(more), 0, " (no answer in %g s: -t, "
		    "SCGI_CONNECT_TIMEOUT)", ms / 1000.0);
	die(err == ETIMEDOUT ? 504 : 502, "connect %s: %s%s", name_of(t),
	    strerror(err), more);
}

/* One attempt at one server: its socket, or -1 with errno set. */
static int
connect_once(const struct config *cf, struct target *t)
{
	struct sockaddr_un	 sun;
	const struct addrinfo	*ai;
	struct stat		 st;
	int			 s = -1;

	if (t->path != NULL) {
		s = connect_addr((struct sockaddr *)&sun,
		    unix_addr(t->path, &sun), cf->connect_ms);
		/* Linux refuses a file or a directory as a dead socket. */
		if (s == -1 && errno == ECONNREFUSED && *t->path != '@' &&
		    stat(t->path, &st) == 0 && !S_ISSOCK(st.st_mode))
			errno = ENOTSOCK;
		return s;
	}
	if (look_up(t) != 0) {
		errno = 0;
		return -1;
	}
	if (t->numlen != 0)
		return connect_addr((struct sockaddr *)&t->num, t->numlen,
		    cf->connect_ms);
	/* Every address of the name in turn, as getaddrinfo(3) sorted them. */
	for (ai = t->ai; ai != NULL && s == -1; ai = ai->ai_next)
		s = connect_addr(ai->ai_addr, ai->ai_addrlen, cf->connect_ms);
	return s;
}

/*
 * t's addresses, once; in digits, as they are, for getaddrinfo(3) costs
 * the bench's tiny GET over TCP 4 system calls and 2,800 instructions
 * more (16 and 24 k).  0, or getaddrinfo's error, which t->gai keeps.
 */
static int
look_up(struct target *t)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&t->num;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&t->num;
	const struct addrinfo	 hints = { .ai_family = AF_UNSPEC,
	    .ai_socktype = SOCK_STREAM };
	unsigned long long	 port;

	if (t->numlen != 0 || t->ai != NULL || t->gai != 0)
		return t->gai;
	if (parse_length(t->port, 65535, &port) == 0) {
		if (inet_pton(AF_INET, t->host, &sin->sin_addr) == 1) {
			sin->sin_family = AF_INET;
			sin->sin_port = htons((unsigned short)port);
			t->numlen = sizeof(*sin);
		} else if (inet_pton(AF_INET6, t->host,
		    &sin6->sin6_addr) == 1) {
			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons((unsigned short)port);
			t->numlen = sizeof(*sin6);
		}
	}
	if (t->numlen == 0)
		t->gai = getaddrinfo(t->host, t->port, &hints, &t->ai);
	return t->gai;
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
	socklen_t	 len = sizeof(int);
	int		 s, n, err = 0;

	if ((s = new_socket(sa->sa_family)) == -1)
		return -1;
	if (connect(s, sa, salen) == -1 && ((err = errno) == EINPROGRESS ||
	    err == EINTR)) {
		n = wait_fd(s, POLLOUT, ms > 0 ? ms : -1);
		/* Writable, with no error or hangup: connected. */
		if (n > 0 && (n & (POLLERR | POLLHUP)) == 0)
			err = 0;
		else if (n <= 0 || getsockopt(s, SOL_SOCKET, SO_ERROR, &err,
		    &len) == -1)
			err = errno;
	}
	if (err != 0) {
		close(s);
		errno = err;
		return -1;
	}
	return s;
}

/*
 * Our own socket, and only it, is non-blocking: fds 0 and 1 are shared.
 * As fd 0 to 2, left closed by the web server, it would take our error
 * line or give our bytes as the client's: so it moves up, and those open
 * on /dev/null.  A request with all three open pays nothing.
 */
static int
new_socket(int family)
{
	int	 s, fd;

#ifdef SOCK_NONBLOCK
	/* One call instead of three (Linux, the BSDs, POSIX.1-2024). */
	s = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
#else
	if ((s = socket(family, SOCK_STREAM, 0)) != -1 &&
	    (fcntl(s, F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(s, F_SETFL, O_NONBLOCK) == -1)) {
		close(s);
		s = -1;
	}
#endif
	if (s < 0 || s > 2)
		return s;
	fd = fcntl(s, F_DUPFD_CLOEXEC, 3);
	close(s);
	while ((s = open("/dev/null", O_RDWR)) >= 0 && s <= 2)
		;
	if (s > 2)
		close(s);
	return fd;
}

/*
 * The server closed without a byte of an answer, as rtorrent and uWSGI
 * do on what they do not take: the line says what was sent, and which
 * of their limits as they come it crossed.  again: ", twice".
 */
static void
unanswered(const struct request *rq, const char *again)
{
	const char	*type = env_value("CONTENT_TYPE");
	char		 why[400];
	size_t		 at, plain;

	if (rq->bodylen == 0)
		at = add_text(why, sizeof(why), 0, "no body");
	else
		at = add_text(why, sizeof(why), 0, "a body of %llu bytes, %.60s",
		    rq->bodylen, type != NULL ? type : "no CONTENT_TYPE");
	at = add_text(why, sizeof(why), at, ", header block %zu bytes in %zu "
	    "variables", rq->pairslen, rq->nvars);
	plain = at;
	if (rq->bodylen == 0)
		at = add_text(why, sizeof(why), at, "; rtorrent closes on a "
		    "request without a body");
	if (rq->pairslen > RTORRENT_BLOCK)
		at = add_text(why, sizeof(why), at, "; over rtorrent's %d "
		    "bytes of header block: see -H", RTORRENT_BLOCK);
	if (rq->pairslen + 1 + 2 * rq->nvars > UWSGI_BUFFER)
		at = add_text(why, sizeof(why), at, "; over uWSGI's: its "
		    "--buffer-size, %d unless set, less 1 and 2 a variable: "
		    "see -H", UWSGI_BUFFER);
	if (rq->bodylen > RTORRENT_BODY)
		at = add_text(why, sizeof(why), at, "; over rtorrent's body "
		    "limit, %d unless network.xmlrpc.size_limit is set: see -m",
		    RTORRENT_BODY);
	if (at == plain)
		add_text(why, sizeof(why), at, "; within the limits rtorrent and "
		    "uWSGI have as they come: see the server's log");
	die(502, "%s: closed the connection without a response%s (%s)",
	    name_of(rq->server), again, why);
}

/* Nothing listens: the server is down, or its socket not there yet. */
static int
may_start(int err)
{
	return err == ECONNREFUSED || err == ENOENT;
}

/*
 * A server that closed without a byte of an answer may have died with
 * the request: it may go once more, as nginx's proxy_next_upstream does,
 * if it is idempotent (RFC 9110 9.2.2) and its body can be read again.
 */
static int
is_resendable(const struct request *rq)
{
	static const char *const idempotent[] = { "GET", "HEAD", "OPTIONS",
	    "TRACE", "PUT", "DELETE", NULL };
	const char *const	*m;

	if (rq->method == NULL || rq->replied ||
	    (rq->bodylen > 0 && !rq->spooled))
		return 0;
	for (m = idempotent; *m != NULL && strcmp(*m, rq->method) != 0; m++)
		;
	return *m != NULL;
}

/* The request as it was before it went: its body from the start. */
static void
rewind_request(struct request *rq)
{
	if (rq->spooled && lseek(rq->up.from, 0, SEEK_SET) == -1)
		die(503, "spool request body: %s", strerror(errno));
	rq->up.unread = rq->bodylen;
	rq->up.io = IO_UNKNOWN;
	rq->up.wait_to = rq->up.from_shut = 0;
	memset(&rq->down, 0, sizeof(rq->down));
	memset(&rq->head, 0, sizeof(rq->head));
}

/* ---------------------------------------------- explaining a failure */

/*
 * Why we may not connect to a socket we can see, in id(1)'s words; and
 * where its group may write to it and we are not in that group, the fix.
 * /etc/group tells a user never added from one added after the web
 * server started: a process keeps the groups it started with, and a
 * reload may keep the processes.
 */
static void
why_denied(char *buf, size_t cap, const struct stat *st)
{
	const struct passwd	*pw = getpwuid(geteuid());
	const struct group	*gr;
	gid_t			 g[MAX_GROUPS], gid = pw != NULL ? pw->pw_gid : 0;
	char			 user[64] = "", *const *m;
	int			 n, i, in = getegid() == st->st_gid;
	size_t			 at;

	if (pw != NULL)
		snprintf(user, sizeof(user), "%s", pw->pw_name);
	at = add_id(buf, cap, add_id(buf, cap, 0, " (we are uid=",
	    (long)geteuid(), 1), " gid=", (long)getegid(), 0);
	if ((n = getgroups(MAX_GROUPS, g)) == 0)
		at = add_text(buf, cap, at, " groups=none");
	else if (n == -1)
		at = add_text(buf, cap, at, " groups=(over %d)", MAX_GROUPS);
	for (i = 0; i < n; i++) {
		at = add_id(buf, cap, at, i > 0 ? "," : " groups=",
		    (long)g[i], 0);
		in |= g[i] == st->st_gid;
	}
	at = add_id(buf, cap, add_id(buf, cap, at, "; it is uid=",
	    (long)st->st_uid, 1), " gid=", (long)st->st_gid, 0);
	at = add_text(buf, cap, at, " mode %04o", (unsigned)st->st_mode & 07777);
	if (n >= 0 && !in && geteuid() != st->st_uid &&
	    (st->st_mode & S_IWGRP) && *user != '\0' &&
	    (gr = getgrgid(st->st_gid)) != NULL) {
		/* Does /etc/group put user (its own group gid) in gr? */
		for (m = gr->gr_mem; *m != NULL && strcmp(*m, user) != 0; m++)
			;
		if (gid == gr->gr_gid || *m != NULL)
			at = add_text(buf, cap, at, "; %s is in group %s by "
			    "/etc/group, but this process is not:", user,
			    gr->gr_name);
		else
			at = add_text(buf, cap, at, "; to fix: usermod -aG %s "
			    "%s, then", gr->gr_name, user);
		at = add_text(buf, cap, at, " restart the web server, not "
		    "just reload it: a process keeps the groups it started "
		    "with");
	}
	add_text(buf, cap, at, ")");
}

/* At buf + at: pre, then a uid (user) or gid as id(1) writes it. */
static size_t
add_id(char *buf, size_t cap, size_t at, const char *pre, long id, int user)
{
	const struct passwd	*pw;
	const struct group	*gr;
	const char		*name = NULL;

	if (user)
		name = (pw = getpwuid((uid_t)id)) != NULL ? pw->pw_name : NULL;
	else if ((gr = getgrgid((gid_t)id)) != NULL)
		name = gr->gr_name;
	return add_text(buf, cap, at, "%s%ld%s%s%s", pre, id, name != NULL ?
	    "(" : "", name != NULL ? name : "", name != NULL ? ")" : "");
}

/* Append to buf[0..at); the new length, at most cap - 1: cut, not over. */
static size_t
add_text(char *buf, size_t cap, size_t at, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (at + 1 >= cap)
		return at;
	va_start(ap, fmt);
	n = vsnprintf(buf + at, cap - at, fmt, ap);
	va_end(ap);
	return n < 0 ? at : at + (size_t)n < cap ? at + (size_t)n : cap - 1;
}

/*
 * The /tmp or /var/tmp that path is in, if that is a mount of this
 * process's own, as systemd's PrivateTmp= makes: a directory of the real
 * one bound there, or a new tmpfs; else NULL.  A mount's ID is new in
 * every mount namespace, even for a mere copy (ProtectSystem= makes one),
 * so what tells is its device and root: if PID 1, whose mountinfo anyone
 * may read (but under hidepid=), has no mount there with the same, the
 * /tmp is not the system's.  Unable to read it, a root other than "/"
 * tells: PrivateTmp= binds /systemd-private-.../tmp.  Where nothing is
 * sure, no hint: a wrong one sends the admin after the wrong cause.
 */
static const char *
private_tmp(const char *path)
{
	const char	*dir;
	char		 ours[PATH_MAX + 32], init[PATH_MAX + 32];

	if (strncmp(path, "/tmp/", 5) == 0)
		dir = "/tmp";
	else if (strncmp(path, "/var/tmp/", 9) == 0)
		dir = "/var/tmp";
	else
		return NULL;
	if (mount_at("/proc/self/mountinfo", dir, ours, sizeof(ours)) != 1)
		return NULL;
	switch (mount_at("/proc/1/mountinfo", dir, init, sizeof(init))) {
	case -1:
		return strcmp(strchr(ours, ' '), " /") != 0 ? dir : NULL;
	case 0:
		return dir;
	default:
		return strcmp(ours, init) != 0 ? dir : NULL;
	}
}

/*
 * In mountinfo file, the last mount at dir, the one seen there: its
 * "major:minor root" into buf.  1, or 0 if none is, -1 if unreadable.
 */
static int
mount_at(const char *file, const char *dir, char *buf, size_t cap)
{
	FILE	*f;
	char	*line = NULL, dev[32], root[PATH_MAX], at[PATH_MAX];
	size_t	 len = 0;
	int	 found = 0;

	if ((f = fopen(file, "r")) == NULL)
		return -1;
	/* proc(5): ID, parent ID, major:minor, root, mount point, ... */
	while (getline(&line, &len, f) != -1)
		if (sscanf(line, "%*s %*s %31s %4095s %4095s", dev, root,
		    at) == 3 && strcmp(at, dir) == 0)
			found = snprintf(buf, cap, "%s %s", dev, root) > 0;
	free(line);
	fclose(f);
	return found;
}

/*
 * An idle timeout's end of a line: the limit, and how far the request
 * had got, for an admin to tell a slow client, a server that takes no
 * body and one slow to answer apart.  Once any body is read the header
 * block is out, and what is read but not yet written waits in up.len.
 * Static: die() takes it at once.
 */
static const char *
progress(const struct request *rq)
{
	static char	 buf[160];
	unsigned long long got = rq->bodylen - rq->up.unread;
	size_t		 at;

	at = add_text(buf, sizeof(buf), 0, " for %g s (-i, SCGI_IDLE_TIMEOUT)"
	    ", %llu of %llu body bytes sent, ", rq->cf->idle_ms / 1000.0,
	    got - (got > 0 ? rq->up.len : 0), rq->bodylen);
	if (!rq->head.done)
		add_text(buf, sizeof(buf), at, "%zu answer bytes",
		    rq->head.have);
	else
		add_text(buf, sizeof(buf), at, "the answer's head passed on");
	return buf;
}

/* -------------------------------------------------- starting an app */

/*
 * -connect conn app: connect, and if nothing listens, start app, one
 * request at a time, and connect again; whoever listens must be us.
 */
static int
connect_or_start(struct request *rq)
{
	struct config	*cf = rq->cf;
	struct target	*t = &cf->to[0];
	int		 s;

	if ((s = connect_once(cf, t)) == -1 && may_start(errno)) {
		lock_start(rq);
		/* The request that held the lock may have started it. */
		if ((s = connect_once(cf, t)) == -1 && may_start(errno)) {
			start_app(rq);
			s = connect_once(cf, t);
			close(rq->listener);
			rq->listener = -1;
		}
		close(rq->lock);
		rq->lock = -1;
	}
	if (s == -1)	/* connect_any() retries, says why not */
		s = connect_any(cf, &rq->server);
	check_listener(t, s);
	return s;
}

/* -start: start app on conn unless a server listens there, and exit. */
static void
start_only(struct request *rq)
{
	struct config	*cf = rq->cf;
	struct target	*t = &cf->to[0];

	rq->replied = 1;	/* no request to answer, just the log line */
	if (is_file_socket(t))
		lock_start(rq);
	if (connect_once(cf, t) != -1)
		die(500, "%s: a server listens there already", name_of(t));
	if (t->gai != 0)
		connect_failed(t, 0, cf->connect_ms);
	/* A busy server is no dead one: leave its socket alone. */
	if (!may_start(errno))
		die(503, "%s: %s", name_of(t), strerror(errno));
	start_app(rq);
	exit(0);
}

/*
 * Another user may have made an app's socket file first, to read its
 * requests: before a byte is sent, the listener must be us, or root.
 */
static void
check_listener(const struct target *t, int s)
{
	long		 uid = -1;
#ifdef SO_PEERCRED
	struct ucred	 cred;
	socklen_t	 len = sizeof(cred);

	/* A unix socket's peer is as it was when it called listen(2). */
	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
		uid = (long)cred.uid;
#else
	uid_t		 u;
	gid_t		 g;

	if (getpeereid(s, &u, &g) == 0)
		uid = (long)u;
#endif
	if (uid == -1)
		die(502, "%s: cannot tell who listens there: %s", name_of(t),
		    strerror(errno));
	if (uid != (long)geteuid() && uid != 0)
		die(502, "%s: another user listens there (uid %ld)",
		    name_of(t), uid);
}

/* One start at a time: the others wait here, then find it up. */
static void
lock_start(struct request *rq)
{
	const struct config *cf = rq->cf;
	struct flock	 fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char		 path[PATH_MAX];
	long long	 give_up = now_ms() + cf->connect_ms + cf->retry_ms;

	beside(path, sizeof(path), &cf->to[0], ".lock");
	rq->lock = open_file(path, O_RDWR, 1);
	/* Starting takes a moment: a lock held longer is held by mistake. */
	while (fcntl(rq->lock, F_SETLK, &fl) == -1) {
		if (errno != EACCES && errno != EAGAIN && errno != EINTR)
			die(503, "%s: %s", path, strerror(errno));
		if (cf->connect_ms > 0 && now_ms() >= give_up)
			die(503, "%s: held too long by another request "
			    "starting the server", path);
		poll(NULL, 0, LOOK_MS);
	}
}

/* Listen on the server's socket, and start its copies on it. */
static void
start_app(struct request *rq)
{
	const struct config *cf = rq->cf;
	int	 logfd, i;

	/* A web server may ignore SIGCHLD; explain_exit() must reap. */
	signal(SIGCHLD, SIG_DFL);
	rq->listener = listen_target(&cf->to[0]);
	logfd = open_log(cf);
	for (i = 0; i < cf->copies; i++)
		spawn_app(cf, rq->listener, logfd);
	if (logfd != 2)
		close(logfd);
	rq->started = 1;
}

/*
 * The server's listening socket, blocking; a stale socket file goes.  A
 * socket file is 0600 whatever the umask: the app is our user's alone.
 */
static int
listen_target(const struct target *t)
{
	struct sockaddr_un	 sun;
	const struct sockaddr	*sa = (struct sockaddr *)&sun;
	struct stat		 st;
	socklen_t		 len;
	mode_t			 mask;
	int			 s, one = 1, err = 0;

	if (t->path != NULL)
		len = unix_addr(t->path, &sun);
	else if (t->numlen != 0) {
		sa = (const struct sockaddr *)&t->num;
		len = t->numlen;
	} else {
		sa = t->ai->ai_addr;
		len = t->ai->ai_addrlen;
	}
	if (is_file_socket(t) && lstat(t->path, &st) == 0 &&
	    (!S_ISSOCK(st.st_mode) || unlink(t->path) == -1))
		die(S_ISSOCK(st.st_mode) ? 503 : 500, "%s: %s", t->path,
		    S_ISSOCK(st.st_mode) ? strerror(errno) :
		    "exists and is not a socket");
	mask = umask(0177);
	if ((s = socket(sa->sa_family, SOCK_STREAM, 0)) == -1 ||
	    fcntl(s, F_SETFD, FD_CLOEXEC) == -1 ||
	    (t->path == NULL && setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) == -1) ||
	    bind(s, sa, len) == -1 || listen(s, SOMAXCONN) == -1)
		err = errno;
	umask(mask);
	if (err != 0)
		die(503, "listen %s: %s", name_of(t), strerror(err));
	return s;
}

/* app's output: -log's file, else beside its socket file, else stderr. */
static int
open_log(const struct config *cf)
{
	char	 path[PATH_MAX];

	if (cf->log != NULL && strcmp(cf->log, "-") != 0)
		return open_file(cf->log, O_WRONLY | O_APPEND, 0);
	if (cf->log != NULL || !is_file_socket(&cf->to[0]))
		return 2;
	beside(path, sizeof(path), &cf->to[0], ".log");
	return open_file(path, O_WRONLY | O_APPEND, 1);
}

/*
 * A file to write app's output to, as -log names it; or, ours, our own
 * lock or log: a plain file of ours with one name, not a link.
 * O_NONBLOCK: a FIFO is not waited on, nor one planted there hangs us.
 */
static int
open_file(const char *path, int flags, int ours)
{
	struct stat	 st;
	int		 fd;

	/* O_NOFOLLOW: no symlink, planted or not. */
	if ((fd = open(path, flags | O_CREAT | (ours ? O_NOFOLLOW : 0) |
	    O_NONBLOCK | O_CLOEXEC, 0600)) == -1)
		die(503, "%s: %s", path, strerror(errno));
	if (ours && (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || st.st_nlink != 1)) {
		close(fd);
		die(503, "%s: not a plain file of ours", path);
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
		die(500, "%s: lock or log path too long", t->path);
}

/* ------------------------------------------------ the app's process */

/*
 * A copy of the app in a session of its own: its socket on fd 3 with
 * LISTEN_FDS=1 as systemd passes one (fd 0 with -fd0), its output to
 * -log, its signals as a new process has them.
 */

/* One copy of app on lfd.  Its exec failing is this request's 503. */
static void
spawn_app(const struct config *cf, int lfd, int logfd)
{
	int	 pfd[2], err;
	ssize_t	 n;
	pid_t	 pid;

	if (pipe(pfd) == -1 || fcntl(pfd[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(pfd[1], F_SETFD, FD_CLOEXEC) == -1)
		die(503, "pipe: %s", strerror(errno));
	if ((pid = fork()) == -1)
		die(503, "fork: %s", strerror(errno));
	if (pid == 0)
		exec_app(cf, lfd, logfd, pfd[1]);
	close(pfd[1]);
	/* The pipe closes unread on a successful exec(2). */
	while ((n = read(pfd[0], &err, sizeof(err))) == -1 && errno == EINTR)
		;
	close(pfd[0]);
	if (n == (ssize_t)sizeof(err)) {
		waitpid(pid, NULL, 0);
		die(503, "%s: %s", cf->app, strerror(err));
	}
}

/*
 * In the child: app in a session of its own, its socket as fd 3
 * (systemd's socket activation) or fd 0 (cgi-fcgi's); errfd says why not.
 * Descriptors 0 to 3 as app gets them, and errfd, still closed on exec,
 * just above them; everything else is closed.
 */
static void
exec_app(const struct config *cf, int lfd, int logfd, int errfd)
{
	char	*argv[2], **env;
	int	 null, fd, err, top = cf->fd0 ? 3 : 4;

	reset_signals();
	/* Out of the way of fds 0 to 4, which they may hold now. */
	if ((fd = fcntl(errfd, F_DUPFD_CLOEXEC, 5)) == -1)
		goto fail;
	errfd = fd;
	if ((null = open("/dev/null", O_RDONLY)) == -1 ||
	    (null = fcntl(null, F_DUPFD, 5)) == -1 ||
	    (lfd = fcntl(lfd, F_DUPFD, 5)) == -1 ||
	    (logfd = fcntl(logfd, F_DUPFD, 5)) == -1 ||
	    dup2(cf->fd0 ? lfd : null, 0) == -1 || dup2(logfd, 1) == -1 ||
	    dup2(logfd, 2) == -1 || (!cf->fd0 && dup2(lfd, 3) == -1) ||
	    dup2(errfd, top) == -1 || fcntl(top, F_SETFD, FD_CLOEXEC) == -1)
		goto fail;
	errfd = top;
	close_from(top + 1);
	if (setsid() == -1 || (env = app_environ(cf)) == NULL)
		goto fail;
	argv[0] = (char *)cf->app;
	argv[1] = NULL;
	execve(cf->app, argv, env);
fail:
	err = errno;
	write_all(errfd, (char *)&err, sizeof(err));
	_exit(127);
}

/*
 * Close every descriptor from fd up, however high: one above the soft
 * RLIMIT_NOFILE, which sysconf(3) reports, is open all the same.
 */
static void
close_from(int fd)
{
	struct rlimit	 rl;
	long		 n, max = INT_MAX;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned int)fd, ~0U, 0) == 0)
		return;			/* Linux 5.9 */
#endif
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max < INT_MAX)
		max = (long)rl.rlim_max;
	for (n = fd; n < max; n++)
		close((int)n);
}

/*
 * Every signal at its default and none blocked, whatever the web server
 * left.  The C library will not touch those it keeps for itself (glibc
 * 32 and 33, musl 32 to 34): the kernel resets them, for a host can
 * leave them ignored (perl's %SIG loop does: SigIgn 0x180001000).
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

/*
 * app's environment: the socket-activation pair, and nothing of the
 * request's (cookies, tokens...); NULL if out of memory.
 */
static char **
app_environ(const struct config *cf)
{
	static const char *const keep[] = { "PATH=", "HOME=", "LANG=",
	    "LANGUAGE=", "LC_", "TZ=", "TMPDIR=", "USER=", "LOGNAME=",
	    "SHELL=", NULL };
	static char		 pid[32], fds[] = "LISTEN_FDS=1";
	const char *const	*k;
	char			**env, **e;
	size_t			 n = 0;

	for (e = cf->app_env; *e != NULL; e++)
		n++;
	if ((env = malloc((n + 3) * sizeof(*env))) == NULL)
		return NULL;
	for (n = 0, e = cf->app_env; *e != NULL; e++)
		for (k = keep; *k != NULL; k++)
			if (strncmp(*e, *k, strlen(*k)) == 0) {
				env[n++] = *e;
				break;
			}
	if (!cf->fd0) {
		snprintf(pid, sizeof(pid), "LISTEN_PID=%ld", (long)getpid());
		env[n++] = fds;
		env[n++] = pid;
	}
	env[n] = NULL;
	return env;
}

/* The app this request started closed unanswered: has it died? */
static void
explain_exit(const struct request *rq)
{
	pid_t	 pid;
	int	 i, status;

	for (i = 0; rq->started && i < REAP_MS / LOOK_MS; i++) {
		if ((pid = waitpid(-1, &status, WNOHANG)) == -1)
			return;
		if (pid > 0 && WIFEXITED(status))
			die(503, "%s: exited at once, status %d",
			    rq->cf->app, WEXITSTATUS(status));
		if (pid > 0)
			die(503, "%s: killed at once by signal %d",
			    rq->cf->app, WTERMSIG(status));
		poll(NULL, 0, LOOK_MS);
	}
}

/* A socket file, unlike a port or an abstract name, has a directory. */
static int
is_file_socket(const struct target *t)
{
	return t->path != NULL && *t->path != '@';
}

/* ------------------------------------------------ the response head */

/*
 * Where the head ends, past its empty line; 0 while it is not all in;
 * -1 and a->why at the first line that is no field, a token and no CTL
 * but HTAB (RFC 9110 5.5, 9112 5.2), nor a first HTTP status line.
 */
static ssize_t
head_end(const char *buf, struct head *hd, struct answer *a)
{
	const char	*line, *nl;
	size_t		 n, i, j;

	while ((nl = memchr(line = buf + hd->scan, '\n', hd->have - hd->scan))
	    != NULL) {
		hd->scan = (size_t)(nl + 1 - buf);
		if ((n = (size_t)(nl - line)) > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0)
			return (ssize_t)hd->scan;
		for (i = 0; i < n && is_tchar((unsigned char)line[i]); i++)
			;
		/* The rest: a CTL could end the line early, or split it. */
		for (j = i; j < n && ((unsigned char)line[j] >= ' ' ||
		    line[j] == '\t') && line[j] != 0x7f; j++)
			;
		if (j < n)
			return bad_head(a, "a control character", line, n);
		if ((i == 0 || i == n || line[i] != ':') && (line != buf ||
		    status_code_at(line, n) == 0))
			return bad_head(a, "a line that is no field", line, n);
	}
	return 0;
}

/*
 * RFC 9110 5.6.2's tchar, what a field name is made of.  Not strspn(3):
 * musl's builds a table at each call, 1,600 of the tiny GET's 20,000
 * instructions (make bench).
 */
static int
is_tchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/*
 * The head in[0..len), lines checked, anew into a->out as every CGI host
 * takes it (RFC 3875 6): the status first, where busybox httpd alone
 * looks; every line CR LF, where mini_httpd alone finds the head's end.
 */
static int
canonical_head(const char *in, size_t len, struct answer *a)
{
	const char	*line, *nl;
	size_t		 n, code, used = 0;
	int		 keep;

	a->status = a->file = NULL;
	a->lengths = a->location = 0;
	for (line = in;; line = nl + 1) {
		if ((nl = memchr(line, '\n', len - (size_t)(line - in))) == NULL)
			return bad_head(a, "no empty line at its end", NULL, 0);
		if ((n = (size_t)(nl - line)) > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0)
			break;
		if (line == in && (code = status_code_at(line, n)) != 0) {
			a->status = line + code;
			a->status_len = n - code;
		} else if ((keep = take_field(a, line, n)) == -1)
			return -1;
		else if (keep) {
			memcpy(a->out + used, line, n);
			memcpy(a->out + used + n, "\r\n", 2);
			used += n + 2;
		}
	}
	/*
	 * Nothing left (an empty line first, or only fields left out): an
	 * empty head, whose end mini_httpd and civetweb would look for in
	 * the body, and find at its first CRLF CRLF.
	 */
	if (used == 0 && a->status == NULL && a->file == NULL)
		return bad_head(a, "no field", NULL, 0);
	return status_first(a, used);
}

/*
 * The field line[0..n): 1 to keep, 0 to leave out, -1 if wrong.  Framing
 * is the host's (RFC 3875 6.3.4): Content-Length only as digits, no
 * Transfer-Encoding, no field of the connection (RFC 9110 7.6.1).  The
 * length is ours, to know the end by, not the host's: told one, lighttpd
 * keeps the client's connection after a body that falls short of it,
 * and the next answer on it is read as the rest of this one; no host can
 * be known by a name (SERVER_SOFTWARE is lighttpd's server.tag).
 */
static int
take_field(struct answer *a, const char *line, size_t n)
{
	const char	*v, *colon = memchr(line, ':', n);
	size_t		 vlen;

	for (v = colon + 1; v < line + n && (*v == ' ' || *v == '\t'); v++)
		;
	for (vlen = (size_t)(line + n - v); vlen > 0 && (v[vlen - 1] == ' ' ||
	    v[vlen - 1] == '\t'); vlen--)
		;
	switch (field_kind(line, (size_t)(colon - line))) {
	case F_STATUS:
		if (a->status != NULL)
			return bad_head(a, "a second status", line, n);
		a->status = v;
		a->status_len = vlen;
		return 0;
	case F_LENGTH:		/* the value ends in a blank, CR or LF */
		if (a->lengths++ > 0 ||
		    digits_at(v, MAX_LENGTH, &a->length) != v + vlen)
			return bad_head(a, "a Content-Length that is not one "
			    "number", line, n);
		return 0;
	case F_CODING:
		return bad_head(a, "a Transfer-Encoding (the web server frames "
		    "the body)", line, n);
	case F_HOP:
		return 0;
	case F_LOCATION:
		a->location = vlen > 0 && *v != '/' ? AWAY : LOCAL;
		return 1;
	case F_SENDFILE:
		a->file = a->sendfile ? v : NULL;
		a->file_len = vlen;
		/* FALLTHROUGH */
	case F_OFFLOAD:		/* -sendfile's directory, not the host's */
		return !a->sendfile;
	case F_FILE:
		return !a->for_file;
	case F_KEPT:
		return 1;
	default:		/* a 304 keeps what 15.4.5 of RFC 9110 names */
		return a->for_file != FOR_304;
	}
}

/*
 * The status before the fields a->out[0..used), final: after a 1xx the
 * client reads our body as a head, after 101 a proxy switches protocols.
 * None is a 200, written: busybox httpd takes a first field named
 * HTTP... for a status line.  A Location elsewhere alone is a 302 (RFC
 * 3875 6.2.3), which busybox httpd and civetweb do not make of it; a
 * local one alone is the host's to follow (6.2.2), with no status.
 */
static int
status_first(struct answer *a, size_t used)
{
	const char	*s;

	if (a->status == NULL && a->location != LOCAL) {
		a->status = a->location == AWAY ? "302 Found" : "200 OK";
		a->status_len = strlen(a->status);
	}
	a->fields = 0;
	if ((s = a->status) != NULL) {
		if (a->status_len < 3 || s[0] < '2' || s[0] > '5' ||
		    s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9' ||
		    (a->status_len > 3 && s[3] != ' ' && s[3] != '\t'))
			return bad_head(a, "a status that is not final, 200 to "
			    "599", s, a->status_len);
		a->fields = sizeof("Status: \r\n") - 1 + a->status_len;
		memmove(a->out + a->fields, a->out, used);
		memcpy(a->out, "Status: ", 8);
		memcpy(a->out + 8, s, a->status_len);
		memcpy(a->out + a->fields - 2, "\r\n", 2);
		used += a->fields;
	}
	memcpy(a->out + used, "\r\n", 2);
	a->len = used + 2;
	return 0;
}

/* The head is malformed: why, and the line that shows it, into a->why. */
static int
bad_head(struct answer *a, const char *why, const char *line, size_t n)
{
	size_t	 at = add_text(a->why, sizeof(a->why), 0,
	    "malformed response header: %s", why);

	if (line != NULL)
		add_text(a->why, sizeof(a->why), at, ": \"%.*s\"",
		    (int)(n < 60 ? n : 60), line);
	return -1;
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
	return i - code == 3 && (i == len || line[i] == ' ') ? code : 0;
}

static enum field
field_kind(const char *name, size_t len)
{
	static const struct {
		const char	*name;
		size_t		 len;
		enum field	 kind;
	} fields[] = {
		{ "Status", 6, F_STATUS }, { "Content-Length", 14, F_LENGTH },
		{ "Transfer-Encoding", 17, F_CODING }, { "Connection", 10, F_HOP },
		{ "Keep-Alive", 10, F_HOP }, { "Upgrade", 7, F_HOP },
		{ "TE", 2, F_HOP }, { "Trailer", 7, F_HOP },
		{ "Proxy-Connection", 16, F_HOP }, { "Location", 8, F_LOCATION },
		{ "X-Sendfile", 10, F_SENDFILE }, { "X-Sendfile2", 11, F_OFFLOAD },
		{ "X-LIGHTTPD-send-file", 20, F_OFFLOAD },
		{ "X-Accel-Redirect", 16, F_OFFLOAD }, { "Last-Modified", 13, F_FILE },
		{ "Content-Range", 13, F_FILE }, { "Accept-Ranges", 13, F_FILE },
		{ "ETag", 4, F_FILE }, { "Cache-Control", 13, F_KEPT },
		{ "Expires", 7, F_KEPT }, { "Vary", 4, F_KEPT },
		{ "Content-Location", 16, F_KEPT }, { "Set-Cookie", 10, F_KEPT },
		{ NULL, 0, F_OTHER }
	};
	int	 i;

	for (i = 0; fields[i].name != NULL && (fields[i].len != len ||
	    strncasecmp(fields[i].name, name, len) != 0); i++)
		;
	return fields[i].kind;
}

/* -------------------------------------------------------- the relay */

/*
 * Both directions at once: a server may answer before it has read the
 * body.  Each step moves what poll(2) said could move.  1 once the whole
 * answer is out, whatever of the body the server has not read, 0 if the
 * server closed before a byte of one.
 */
static int
relay(struct request *rq)
{
	struct pollfd	 pfd[2];
	enum step	 st = GO_ON;
	int		 nup, ndown, stuck, ready, ms = idle_ms();

	rq->up.pending = rq->block;	/* the header block goes first */
	rq->up.len = rq->blocklen;
	rq->up.to = rq->down.from = rq->backend;
	rq->down.to = 1;
	rq->down.unread = rq->length = UNTIL_EOF;
	rq->down.buf = rq->response;
	rq->down.cap = MAX_HEAD;
	upload_step(rq);	/* into the new socket's empty buffer */
	while (st == GO_ON) {
		choose_io(rq);
		nup = want(&rq->up, rq->backend, &pfd[0]);
		ndown = want(&rq->down, rq->backend, &pfd[nup]);
		if (ndown == 0)
			return 1;
		/* Each way waits on its output: see spool_rest(). */
		stuck = nup && rq->up.from == 0 && pfd[0].events == POLLOUT &&
		    pfd[nup].fd == 1;
		if (stuck && rq->up.unread + rq->up.len <= rq->cf->max_spool &&
		    poll(pfd, (nfds_t)nup + (nfds_t)ndown, ms > 0 && ms <
		    STALL_MS ? ms : STALL_MS) == 0) {
			spool_rest(rq);
			continue;
		}
		/* Interrupted, it leaves revents 0 (want()): nothing moves. */
		ready = poll(pfd, (nfds_t)nup + (nfds_t)ndown, ms);
		if (ready == -1 && errno != EINTR)
			die(503, "poll: %s", strerror(errno));
		if (ready == 0)
			timed_out(rq, pfd, nup, stuck);
		if (nup && pfd[0].revents != 0)
			upload_step(rq);
		if (pfd[nup].revents != 0) {
			if (pfd[nup].fd == rq->backend &&
			    (pfd[nup].revents & HANGUP))
				rq->down.from_shut = 1;
			st = download_step(rq);
		}
	}
	return st == DONE;
}

/*
 * -i struck: waiting on the client's body is the client's fault; both
 * ways full, the web server's, which reads no answer while it writes a
 * body longer than the spool may hold; else the server's, or a client
 * that takes no answer.
 */
static void
timed_out(const struct request *rq, const struct pollfd *pfd, int nup,
    int stuck)
{
	if (nup && pfd[0].fd == 0)
		die(408, "request body: no byte from the client%s",
		    progress(rq));
	if (stuck)
		die(503, "request body: the web server reads no answer while "
		    "it writes the body, and the %llu bytes left of it are over "
		    "the spool's limit of %llu (-s)", rq->up.unread + rq->up.len,
		    rq->cf->max_spool);
	die(504, "%s: %s%s", name_of(rq->server), pfd[nup].fd == 1 ?
	    "the client took no byte of the answer" : "no byte of the answer",
	    progress(rq));
}

/*
 * How each half moves its bytes, decided when it first has some to
 * move, so that a request without a body or a short answer asks nothing.
 */
static void
choose_io(struct request *rq)
{
	struct half	*u = &rq->up, *d = &rq->down;
	int		 one = 1;

	if (u->io == IO_UNKNOWN && u->len == 0 && u->unread > 0) {
		/*
		 * The body's last small write must not wait for an ACK
		 * (Nagle): 40 ms on Linux.  The header block alone, first on
		 * the wire, never does, so a request without a body needs no
		 * call.
		 */
		if (rq->server->path == NULL && u->to != -1)
			setsockopt(u->to, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof(one));
		/* A spooled body is a file: read and write. */
		u->io = u->to == -1 || u->from != 0 ? IO_COPY : io_mode(0);
		if (u->io == IO_SPLICE && u->unread >= PIPE_SIZE)
			grow_pipe(0);	/* a long body */
	}
	if (d->io == IO_UNKNOWN && rq->head.done && d->len == 0 && d->unread > 0)
		d->io = io_mode(d->to);
}

/* Set up pfd to move h on; returns 0 if h has nothing left to do. */
static int
want(const struct half *h, int backend, struct pollfd *pfd)
{
	int	 out = h->io == IO_SPLICE && h->unread > 0 ? h->wait_to :
		    h->len > 0;

	if (h->len == 0 && h->unread == 0)
		return 0;
	pfd->fd = out ? h->to : h->from;
	pfd->events = out ? POLLOUT : POLLIN;
	/*
	 * To learn that the server has closed before a read of 0 bytes,
	 * which costs a small request a system call more.
	 */
	if (pfd->fd == backend && pfd->events == POLLIN)
		pfd->events |= HANGUP;
	pfd->revents = 0;
	return 1;
}

/*
 * The body on: read into buf while nothing is pending, then written;
 * or, stdin a pipe, spliced to the socket once the header block is out.
 */
static void
upload_step(struct request *rq)
{
	struct half	*h = &rq->up;
	ssize_t		 n;

	if (h->io != IO_SPLICE && h->len == 0) {
		n = read(h->from, h->buf, h->unread < h->cap ? h->unread : h->cap);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			return;
		/* Exiting closes the connection: the server sees the body
		 * is short, and takes nothing as whole. */
		if (n <= 0)
			die(400, "request body: %s after %llu of %llu bytes",
			    n == 0 ? "stdin ended" : strerror(errno),
			    rq->bodylen - h->unread, rq->bodylen);
		h->unread -= (unsigned long long)n;
		if (h->to == -1)
			return;
		h->pending = h->buf;
		h->len = (size_t)n;
		/* Our socket never blocks, so try it now. */
	}
	if (h->io == IO_SPLICE)
		n = splice_step(h);
	else if ((n = write(h->to, h->pending, h->len)) >= 0) {
		h->pending += n;
		h->len -= (size_t)n;
		return;
	}
	if (n == 0)
		die(400, "request body: stdin ended after %llu of %llu bytes",
		    rq->bodylen - h->unread, rq->bodylen);
	if (n > 0 || errno == EINTR || errno == EAGAIN)
		return;
	if (errno == EPIPE || errno == ECONNRESET)
		backend_gone(h);
	else if (errno == EINVAL && h->io == IO_SPLICE)
		h->io = IO_COPY;	/* splice(2) cannot here: copy */
	else
		die(502, "send to %s: %s", name_of(rq->server),
		    strerror(errno));
}

/* The server stopped reading; the rest of stdin is read (drain_stdin()). */
static void
backend_gone(struct half *h)
{
	h->to = -1;
	h->len = 0;
	h->io = IO_COPY;
	if (h->from != 0)
		h->unread = 0;
}

static enum step
download_step(struct request *rq)
{
	struct half	*h = &rq->down;
	enum step	 st = GO_ON;
	ssize_t		 n;

	/*
	 * Reading the first bytes of the answer: nothing is in stdout yet,
	 * so up to PIPE_BUF bytes fit without a poll(2), and a short answer
	 * may be whole, so look for its end at once too: the bench's tiny
	 * GET takes 11 system calls, not 12.
	 */
	if (h->io != IO_SPLICE) {
		if (h->len > 0)
			(void)write_response(rq);
		else if ((st = read_response(rq)) == GO_ON && !rq->replied &&
		    h->len > 0 && h->len <= PIPE_BUF &&
		    write_response(rq) == 0 && h->unread > 0)
			st = read_response(rq);
		return st;
	}
	/* Spliced, socket to stdout pipe: the pipe grows once it is long. */
	if ((n = splice_step(h)) > 0) {
		if (h->moved < PIPE_SIZE && (h->moved += (size_t)n) >= PIPE_SIZE)
			grow_pipe(h->to);
	} else if (n == 0 || errno == ECONNRESET)
		answer_ended(rq);	/* a reset is an end: read_response() */
	else if (errno == EINVAL)
		h->io = IO_COPY;	/* splice(2) cannot here: copy */
	else if (errno == EPIPE)
		stdout_failed();
	else if (errno != EINTR && errno != EAGAIN)
		die(502, "%s: %s", name_of(rq->server), strerror(errno));
	return GO_ON;
}

static enum step
read_response(struct request *rq)
{
	struct half	*h = &rq->down;
	char		*dst = rq->head.done ? h->buf : h->buf + rq->head.have;
	size_t		 room = h->cap - (size_t)(dst - h->buf);
	ssize_t		 n;
	enum step	 st;

	/*
	 * The head a page at a time: what follows it is copied after the
	 * head anew, and a long answer's first read would touch 32 pages
	 * (make bench: 288 KiB peak RSS for 1 GiB down, not 164).
	 */
	if (!rq->head.done && room > HEAD_READ)
		room = HEAD_READ;
	if (rq->head.done && room > h->unread)
		room = (size_t)h->unread;
	/*
	 * SCGI ends a response by closing the connection; a server that
	 * closes with request bytes unread resets it instead.
	 */
	if ((n = read(h->from, dst, room)) == -1 && errno != ECONNRESET) {
		if (errno == EINTR || errno == EAGAIN)
			return GO_ON;
		die(502, "%s: %s", name_of(rq->server), strerror(errno));
	}
	if (n <= 0 && !rq->head.done) {
		h->unread = 0;
		if (rq->head.have == 0)
			return NO_ANSWER;
		die(502, "%s: response header cut short", name_of(rq->server));
	}
	if (n > 0 && !rq->head.done) {
		if ((st = take_head(rq, (size_t)n)) != GO_ON || !rq->head.done)
			return st;
	} else if (n > 0) {
		h->pending = h->buf;
		h->len = (size_t)n;
		h->unread -= (unsigned long long)n;
	}
	/*
	 * The end: a read of nothing or a reset, or the server had shut its
	 * side and this read took all there was.
	 */
	if (n <= 0 || (h->from_shut && (size_t)n < room))
		answer_ended(rq);
	return GO_ON;
}

/*
 * n more bytes of the head: once it is whole and good, it goes anew, and
 * what followed it (no body for HEAD, RFC 3875 4.3.2, nor after a 204 or
 * a 304, RFC 9110 6.4.1, which not every host drops, nor for -check); or
 * with X-Sendfile, the file.
 */
static enum step
take_head(struct request *rq, size_t n)
{
	struct half	*h = &rq->down;
	struct answer	 a = { .sendfile = rq->cf->sendfile != NULL };
	ssize_t		 end;
	size_t		 rest;

	rq->head.have += n;
	a.out = h->buf + rq->head.have;	/* past the head as it came */
	if ((end = head_end(h->buf, &rq->head, &a)) == 0) {
		if (rq->head.have == h->cap)
			die(502, "%s: response header over %d KiB",
			    name_of(rq->server), MAX_HEAD / 1024);
		return GO_ON;
	}
	if (end == -1 || canonical_head(h->buf, (size_t)end, &a) == -1)
		die(502, "%s: %s", name_of(rq->server), a.why);
	rq->head.done = 1;
	if (a.file != NULL)
		return send_file(rq, &a, h->buf, (size_t)end);
	rest = rq->head.have - (size_t)end;
	if (rq->cf->check)
		rq->unshown = rest;
	if (rq->cf->check || !has_body(rq, &a))
		rest = h->unread = 0;
	else if (a.lengths > 0) {	/* what it said, and no more */
		rq->length = a.length;
		if (rest > a.length)
			rest = (size_t)a.length;
		h->unread = a.length - rest;
	}
	memcpy(a.out + a.len, h->buf + end, rest);
	h->pending = a.out;
	h->len = a.len + rest;
	return GO_ON;
}

/*
 * Does the answer go on past its head?  Not for HEAD, nor after a 204 or
 * a 304: mini_httpd, busybox httpd and civetweb would send it on, and a
 * client read it as the head of the next answer on the connection.
 */
static int
has_body(const struct request *rq, const struct answer *a)
{
	return (rq->method == NULL || strcmp(rq->method, "HEAD") != 0) &&
	    (a->status == NULL || (memcmp(a->status, "204", 3) != 0 &&
	    memcmp(a->status, "304", 3) != 0));
}

/*
 * The server closed the connection, or reset it, which ends an answer
 * too (read_response()); but not one shorter than its Content-Length,
 * which the client takes as cut short: so do we (exit 111).
 */
static void
answer_ended(struct request *rq)
{
	struct half	*h = &rq->down;

	if (rq->length != UNTIL_EOF && h->unread > 0) {
		if (write_all(h->to, h->pending, h->len) == -1)  /* as it came */
			stdout_failed();
		die(0, "%s: the answer ended after %llu of the %llu bytes its "
		    "Content-Length said", name_of(rq->server), rq->length -
		    h->unread, rq->length);
	}
	h->unread = 0;
}

/* ----------------------------------------------- writing the answer */

/*
 * stdout, which the web server may not read while it writes the body:
 * written as it takes it, non-blocking while the relay runs; and what
 * is read of an answer the client no longer takes.
 */

/*
 * Write the answer on, what stdout takes now: a web server may read none
 * of it while it writes the body (Apache), or a client none.  What is left.
 */
static size_t
write_response(struct request *rq)
{
	struct half	*h = &rq->down;
	ssize_t		 n;

	if (h->len > PIPE_BUF)
		stdout_nonblock();
	rq->replied = 1;
	if ((n = write(h->to, h->pending, h->len)) > 0) {
		h->pending += n;
		h->len -= (size_t)n;
	} else if (n == -1 && errno != EINTR && errno != EAGAIN)
		stdout_failed();
	return h->len;
}

/*
 * A write(2) that blocks never sees -i: with 47 bytes in a pipe, one of
 * 64 KiB waits for a client that may never read, and the web server may
 * never give up.  So once more than PIPE_BUF goes at once (poll(2)'s
 * POLLOUT promises no more), stdout, a pipe or a socket, blocks no
 * longer; at exit its flags are put back, for whoever shares it (under
 * mod_cgid, stdin: every read of it waits in poll(2) first).  Not for
 * -check: its reader is the admin, and dprintf(3) would lose its report.
 */
static void
stdout_nonblock(void)
{
	static int	 asked;
	struct stat	 st;

	if (asked++ || req->cf->check || fstat(1, &st) == -1 ||
	    !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) ||
	    (out_flags = fcntl(1, F_GETFL)) == -1 || (out_flags & O_NONBLOCK))
		return;
	if (fcntl(1, F_SETFL, out_flags | O_NONBLOCK) == 0)
		atexit(restore_stdout);
}

static void
restore_stdout(void)
{
	fcntl(1, F_SETFL, out_flags);
}

/* The client took no byte for -i, or has gone. */
static void
stdout_failed(void)
{
	int	 err = errno;

	if (err == ETIMEDOUT)
		die(0, "%s: the client took no byte of the answer%s",
		    name_of(req->server), progress(req));
	drain_answer(req);
	die(0, "write to stdout: %s", strerror(err));
}

/*
 * The client has gone: the rest of the answer is read and dropped, for
 * -i at most (else DRAIN_MS), so that the server does not write into a
 * reset: some rtorrent versions die of the SIGPIPE (rakshasa/rtorrent
 * 1310).  -check counts its body so.  How many bytes it read.
 */
static unsigned long long
drain_answer(struct request *rq)
{
	long long		 end = now_ms() + (rq->cf->idle_ms > 0 ?
				    rq->cf->idle_ms : DRAIN_MS), ms;
	unsigned long long	 got = 0;
	ssize_t			 n;

	/* A server waiting for the rest of the body answers its end. */
	if (rq->backend != -1 && (rq->up.unread > 0 || rq->up.len > 0))
		shutdown(rq->backend, SHUT_WR);
	while (rq->backend != -1 && (ms = end - now_ms()) > 0 &&
	    wait_fd(rq->backend, POLLIN, (int)ms) > 0) {
		if ((n = read(rq->backend, rq->body_buf,
		    sizeof(rq->body_buf))) > 0)
			got += (unsigned long long)n;
		else if (n == 0 || (errno != EAGAIN && errno != EINTR))
			break;
	}
	return got;
}

/*
 * A pipe holds 64 KiB: one of a long transfer grows to PIPE_SIZE, once
 * (make bench's 256 MiB through pipes, medians: 3,250 MB/s down and
 * 1,590 up, against 2,430 and 550 at 64 KiB; no faster at 1 MiB).
 * Linux charges pipes to their user, the web server's, and past
 * pipe-user-pages-soft (64 MiB) gives each new pipe of that user 8 KiB:
 * 256 KiB a pipe, two a request, leave room for 128 long transfers at
 * once beside the web server's own pipes.
 */
static void
grow_pipe(int fd)
{
#ifdef F_SETPIPE_SZ
	fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE);
#else
	(void)fd;
#endif
}

/*
 * Move what is ready from h->from to h->to.  poll(2) waited on one side
 * of it (h->wait_to: the output); EAGAIN means the other one is not
 * ready, and is the one to wait on next.  Bytes moved, 0 at end of
 * file, or -1.
 */
static ssize_t
splice_step(struct half *h)
{
#ifdef SPLICE_F_NONBLOCK
	ssize_t	 n = splice(h->from, NULL, h->to, NULL, h->unread < SPLICE_MAX ?
	    (size_t)h->unread : SPLICE_MAX, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);

	if (n > 0) {
		h->unread -= (unsigned long long)n;
		h->wait_to = 0;
	} else if (n == -1 && errno == EAGAIN)
		h->wait_to = !h->wait_to;
	return n;
#else
	(void)h;
	errno = ENOSYS;			/* io_mode() never chose it */
	return -1;
#endif
}

/*
 * splice(2) where fd is a pipe, as under Apache: no copies through user
 * space.  Asked once per fd, when there is something to move.
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

/* -------------------------------------------------------- X-Sendfile */

/*
 * X-Sendfile, as mod_xsendfile serves it: the app's connection closes
 * now, the rest of the request body is read, and the file goes from the
 * page cache to stdout, under the head in[0..len) and the request's
 * conditions.  Its path never reaches the client; -check shows the head
 * alone, not a file of escape sequences on a terminal.
 */
static enum step
send_file(struct request *rq, struct answer *a, const char *in, size_t len)
{
	struct file	 f;
	int		 fd;

	close(rq->backend);
	rq->backend = -1;
	backend_gone(&rq->up);
	drain_stdin(rq);
	fd = open_beneath(rq->cf->sendfile, a->file, a->file_len);
	stat_file(fd, a, &f);
	/* RFC 9110 13.2.1: the conditions of a 200; a 404's page goes whole. */
	f.code = a->status == NULL || memcmp(a->status, "200", 3) == 0 ?
	    file_status(rq->method, &f) : 0;
	/*
	 * The head anew, now that the file's status is known: its own fields
	 * replace the app's (FOR_FILE), and a 304 keeps only those of RFC
	 * 9110 15.4.5 (FOR_304).  take_head()'s pass found the file and
	 * checked these same lines: this one cannot fail.
	 */
	a->for_file = f.code == 304 ? FOR_304 : FOR_FILE;
	(void)canonical_head(in, len, a);
	file_head(a, &f);
	rq->replied = 1;
	stdout_nonblock();
	if (write_all(1, a->out, a->len) == -1)
		stdout_failed();
	/* A 412, 304 or 416 sends none of the file. */
	if (!rq->cf->check && has_body(rq, a) && (f.code == 0 ||
	    f.code == 206))
		copy_file(fd, f.first, (unsigned long long)(f.last - f.first + 1));
	close(fd);
	return DONE;
}

/*
 * The file, absolute under dir or relative to it, beneath dir: no ".."
 * or symbolic link leading out, else 404.  openat2(2) RESOLVE_BENEATH
 * follows a link that stays beneath (a deploy's current -> releases/7);
 * elsewhere open_walk() refuses every link.  O_NONBLOCK: a FIFO is not
 * waited on.
 */
static int
open_beneath(const char *dir, const char *path, size_t len)
{
	char		 rel[PATH_MAX];
	size_t		 dlen = strlen(dir), skip;
	int		 dfd, fd = -1, err;

	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	if (*path == '/' && dlen > 1 && (len <= dlen ||
	    memcmp(path, dir, dlen) != 0 || path[dlen] != '/'))
		die(404, "X-Sendfile %.*s: not under %s", (int)len, path, dir);
	for (skip = *path == '/' ? dlen : 0; skip < len && path[skip] == '/';
	    skip++)
		;
	if (len - skip >= sizeof(rel))
		die(404, "X-Sendfile: path too long");
	memcpy(rel, path + skip, len - skip);
	rel[len - skip] = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		die(500, "-sendfile %s: %s", dir, strerror(errno));
#ifdef SYS_openat2
	uint64_t	 how[3] = { O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
			    0, 0x08 | 0x02 };	/* open_how: BENEATH, NO_MAGICLINKS */

	/* EPERM: a seccomp filter that knows no openat2(2) (old Docker). */
	if ((fd = (int)syscall(SYS_openat2, dfd, rel, how, sizeof(how))) ==
	    -1 && (errno == ENOSYS || errno == EPERM))
#endif
		fd = open_walk(dfd, rel);
	err = errno;
	close(dfd);
	if (fd == -1)
		die(err == EACCES || err == EPERM || err == ENXIO ? 403 : 404,
		    "X-Sendfile %.*s: %s", (int)len, path, err == EXDEV ?
		    "leads out of the -sendfile directory" : strerror(err));
	return fd;
}

/* Without openat2(2): no ".." nor symbolic link at all, a name at a time. */
static int
open_walk(int dfd, char *rel)
{
	char	*name = rel, *slash;
	int	 fd = dfd, next;

	for (;; name = slash + 1) {
		if ((slash = strchr(name, '/')) != NULL)
			*slash = '\0';
		if (strcmp(name, "..") == 0)
			next = -1, errno = EXDEV;
		else
			next = openat(fd, *name != '\0' ? name : ".",
			    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (slash != NULL ?
			    O_DIRECTORY : O_NONBLOCK | O_NOCTTY));
		if (fd != dfd)
			close(fd);
		if (next == -1 || slash == NULL)
			return next;
		fd = next;
	}
}

/*
 * fd's file, for the whole of it: its Last-Modified and a strong ETag
 * (RFC 9110 8.8.3), which its inode, size and modification time to the
 * nanosecond make: a file written anew, or renamed over, gets another.
 */
static void
stat_file(int fd, const struct answer *a, struct file *f)
{
	struct tm	 tm;

	if (fstat(fd, &f->st) == -1 || !S_ISREG(f->st.st_mode))
		die(403, "X-Sendfile %.*s: not a plain file",
		    (int)a->file_len, a->file);
	/* tmpfs keeps any date: past the year 2^31, gmtime_r(3) gives none. */
	if (gmtime_r(&f->st.st_mtime, &tm) == NULL)
		die(403, "X-Sendfile %.*s: its date is out of range",
		    (int)a->file_len, a->file);
	strftime(f->modified, sizeof(f->modified), "%a, %d %b %Y %H:%M:%S GMT",
	    &tm);
	snprintf(f->etag, sizeof(f->etag), "\"%llx-%llx-%llx.%lx\"",
	    (unsigned long long)f->st.st_ino, (unsigned long long)f->st.st_size,
	    (unsigned long long)f->st.st_mtime, (long)f->st.st_mtim.tv_nsec);
	f->first = 0;
	f->last = (long long)f->st.st_size - 1;
}

/*
 * The app's head, with the status of ours and the file's length, range
 * and validators; a 304 of ours says no more than RFC 9110 15.4.5 asks.
 */
static void
file_head(struct answer *a, const struct file *f)
{
	char		 more[320];
	size_t		 fields = a->len - 2 - a->fields;	/* the app's */
	size_t		 n;
	long long	 size = (long long)f->st.st_size;

	if (f->code != 0) {
		n = add_text(more, sizeof(more), 0, "Status: %d %s\r\n",
		    f->code, status_of(f->code)->reason);
		memmove(a->out + n, a->out + a->fields, fields);
		memcpy(a->out, more, n);
		a->fields = n;
	}
	n = 0;
	if (f->code == 416)
		n = add_text(more, sizeof(more), 0, "Content-Range: bytes "
		    "*/%lld\r\n", size);
	else if (f->code == 206)
		n = add_text(more, sizeof(more), 0, "Content-Range: bytes "
		    "%lld-%lld/%lld\r\n", f->first, f->last, size);
	/* No Content-Length: the host frames the body (take_field()). */
	n = add_text(more, sizeof(more), n, "ETag: %s\r\n", f->etag);
	if (f->code != 304)
		n = add_text(more, sizeof(more), n, "Last-Modified: %s\r\n"
		    "Accept-Ranges: bytes\r\n", f->modified);
	n = add_text(more, sizeof(more), n, "\r\n");
	memcpy(a->out + a->fields + fields, more, n);
	a->len = a->fields + fields + n;
}

/*
 * count bytes of fd from off to stdout, by sendfile(2) where there is
 * one.  A file cut short under us is an answer cut short.
 */
static void
copy_file(int fd, long long off, unsigned long long count)
{
	off_t		 at = (off_t)off;
	size_t		 len;
	ssize_t		 n;
	int		 copy = 0;

	if (count >= PIPE_SIZE)
		grow_pipe(1);
	while (count > 0) {
		len = count < sizeof(req->body_buf) ? (size_t)count :
		    sizeof(req->body_buf);
#ifdef __linux__
		if (!copy && (n = sendfile(1, fd, &at, count < SPLICE_MAX ?
		    (size_t)count : SPLICE_MAX)) == -1 && (errno == EINVAL ||
		    errno == ENOSYS))
			copy = 1;
		if (copy)
#endif
		if ((n = pread(fd, req->body_buf, len, at)) > 0) {
			if (write_all(1, req->body_buf, (size_t)n) == -1)
				stdout_failed();
			at += n;
		}
		if (n == 0)
			die(0, "X-Sendfile: the file was cut short while sent");
		if (n > 0)
			count -= (unsigned long long)n;
		else if (errno != EINTR && (errno != EAGAIN ||
		    wait_fd(1, POLLOUT, idle_ms()) <= 0))
			stdout_failed();
	}
}

/* -------------------------------------------- conditions and ranges */

/*
 * The request's preconditions against the file, in the order of RFC
 * 9110 13.2.2, then its Range: 412, 304, 416, or 206 and the bytes of
 * f to send, or 0 for all.  For GET and HEAD alone: the app has performed
 * any other method already, and a condition comes before that (13.2.1),
 * which only the app could evaluate.  HEAD gets GET's head (9.3.2), its
 * Range too, which is for GET alone (14.2).  A date that is none is none.
 */
static int
file_status(const char *method, struct file *f)
{
	const char	*im = env_value("HTTP_IF_MATCH");
	const char	*inm = env_value("HTTP_IF_NONE_MATCH");
	const char	*ir = env_value("HTTP_IF_RANGE");
	long long	 t, mtime = (long long)f->st.st_mtime;

	if (method == NULL || (strcmp(method, "GET") != 0 &&
	    strcmp(method, "HEAD") != 0))
		return 0;
	if (im != NULL ? !etag_in(im, f->etag, 0) :
	    http_date(env_value("HTTP_IF_UNMODIFIED_SINCE"), &t) == 0 &&
	    mtime > t)
		return 412;
	if (inm != NULL ? etag_in(inm, f->etag, 1) :
	    http_date(env_value("HTTP_IF_MODIFIED_SINCE"), &t) == 0 &&
	    mtime <= t)
		return 304;
	/*
	 * If-Range (13.1.5) holds with our ETag, or the file's date exactly
	 * once it is a strong validator (8.8.2.2): a file changed within the
	 * last second may change again within that second.
	 */
	if (ir != NULL && (*ir == '"' ? strcmp(ir, f->etag) != 0 :
	    http_date(ir, &t) != 0 || t != mtime || time(NULL) - t <= 1))
		return 0;
	return file_range(env_value("HTTP_RANGE"), f);
}

/*
 * Does the list of entity-tags v hold ours, or is it "*"?  A weak tag
 * matches only if weak, the weak comparison (RFC 9110 8.8.3.2).  Where
 * v stops being a list, the search stops, unmatched.
 */
static int
etag_in(const char *v, const char *etag, int weak)
{
	const char	*q;
	size_t		 n = strlen(etag);
	int		 w;

	if (strcmp(v, "*") == 0)
		return 1;
	for (;; v = q + 1) {
		v += strspn(v, " \t,");
		w = strncmp(v, "W/", 2) == 0;
		v += w ? 2 : 0;
		if (*v != '"' || (q = strchr(v + 1, '"')) == NULL)
			return 0;
		if ((weak || !w) && (size_t)(q + 1 - v) == n &&
		    memcmp(v, etag, n) == 0)
			return 1;
	}
}

/*
 * The HTTP-date s (RFC 9110 5.6.7) into *t: an IMF-fixdate, or one of
 * the obsolete forms a recipient must take too, RFC 850's and asctime(3)'s;
 * 0, or -1 if s is none.  Case counts.  As in strftime(3), a is a day's
 * name, A its whole name, b a month's; d, y, h, m and s are digits, and
 * _ one or a space.
 */
static int
http_date(const char *s, long long *t)
{
	if (s != NULL && (date_form(s, "a, dd b yyyy hh:mm:ss GMT", t) == 0 ||
	    date_form(s, "A, dd-b-yy hh:mm:ss GMT", t) == 0 ||
	    date_form(s, "a b _d hh:mm:ss yyyy", t) == 0))
		return 0;
	return -1;
}

/* s as the form of http_date(): 0 and *t, or -1. */
static int
date_form(const char *s, const char *form, long long *t)
{
	static const char	 months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	static const char *const days[] = { "Monday", "Tuesday", "Wednesday",
	    "Thursday", "Friday", "Saturday", "Sunday" };
	long long	 v[5] = { 0 };	/* day, year, hour, minute, second */
	long long	 ndays;
	size_t		 n;
	int		 i, mon = 0, yy = 0;

	for (; *form != '\0'; form++)
		if (*form == 'a' || *form == 'A') {
			for (i = 0; i < 7 && strncmp(s, days[i], n = *form ==
			    'a' ? 3 : strlen(days[i])) != 0; i++)
				;
			if (i == 7)
				return -1;
			s += n;
		} else if (*form == 'b') {
			for (mon = 0; mon < 12 && strncmp(s, months + 3 * mon,
			    3) != 0; mon++)
				;
			if (mon++ == 12)
				return -1;
			s += 3;
		} else if (*form == '_' && *s == ' ')
			s++;
		else if (strchr("_dyhms", *form) != NULL) {
			if (*s < '0' || *s > '9')
				return -1;
			i = (int)(strchr("dyhms", *form == '_' ? 'd' : *form) -
			    "dyhms");
			v[i] = v[i] * 10 + (*s++ - '0');
			yy += *form == 'y';
		} else if (*s++ != *form)
			return -1;
	if (yy == 2)
		v[1] = rfc850_year(v[1]);
	/* A day of the month is one before the first of the next. */
	ndays = days_from_civil(v[1], mon, (int)v[0]);
	if (*s != '\0' || v[0] < 1 || v[2] > 23 || v[3] > 59 || v[4] > 60 ||
	    ndays >= days_from_civil(v[1], mon + 1, 1))	/* 60: leap second */
		return -1;
	*t = ndays * 86400 + v[2] * 3600 + v[3] * 60 + v[4];
	return 0;
}

/*
 * RFC 850's two digits yy: the year of this century, or of the last
 * when that would be more than 50 years away (RFC 9110 5.6.7).
 */
static long long
rfc850_year(long long yy)
{
	struct tm	 tm;
	time_t		 now = time(NULL);
	long long	 year;

	year = gmtime_r(&now, &tm) != NULL ? tm.tm_year + 1900LL : 2000;
	yy += year - year % 100;
	return yy > year + 50 ? yy - 100 : yy;
}

/*
 * Days from 1970-01-01 to y-m-d, Gregorian: H. Hinnant's algorithm.  Month
 * 13 is January of y + 1.
 */
static long long
days_from_civil(long long y, int m, int d)
{
	long long	 era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;					/* [0, 399] */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;	/* [0, 365] */
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/*
 * The one range of bytes r asks for (RFC 9110 14.2), into f: 206; 416 if
 * it is unsatisfiable; 0 for the whole file (none, several, malformed).
 */
static int
file_range(const char *r, struct file *f)
{
	unsigned long long	 size = (unsigned long long)f->st.st_size;
	unsigned long long	 a = 0, b = ULLONG_MAX;

	if (r == NULL || strncmp(r, "bytes=", 6) != 0)
		return 0;
	if (*(r += 6) == '-') {		/* the last b bytes: from size - b */
		if ((r = digits_at(r + 1, ULLONG_MAX, &b)) == NULL || *r != '\0')
			return 0;
		a = b < size ? size - b : 0;
		b = ULLONG_MAX;
	} else if ((r = digits_at(r, ULLONG_MAX, &a)) == NULL || *r++ != '-' ||
	    (*r != '\0' && ((r = digits_at(r, ULLONG_MAX, &b)) == NULL ||
	    *r != '\0' || b < a)))
		return 0;
	if (a >= size)		/* past the end, the last 0 bytes, or of none */
		return 416;
	f->first = (long long)a;
	f->last = (long long)(b < size ? b : size - 1);
	return 206;
}

/*
 * The number whose digits start s, into *v: past them, or NULL if there
 * are none or it is over max.  Every decimal number read whole is read
 * here: lengths, sizes, ports, copies, seconds, ranges.
 */
static const char *
digits_at(const char *s, unsigned long long max, unsigned long long *v)
{
	const char	*p = s;
	unsigned	 d;

	for (*v = 0; *p >= '0' && *p <= '9'; p++)
		if ((d = (unsigned)(*p - '0')) > max || *v > (max - d) / 10)
			return NULL;
		else
			*v = *v * 10 + d;
	return p > s ? p : NULL;
}

/* ------------------------------------------------- checking a setup */

/*
 * -check, run by hand as the web server's user, as apachectl configtest:
 * where a request goes, whether we may connect, and the head a probe
 * gets: a GET, or with -post a POST of standard input, as rtorrent
 * wants.  0 if the server answered; else as a request would fail.
 */
static void
check_setup(struct request *rq)
{
	struct config	*cf = rq->cf;
	const char	*type;
	long long	 t0;
	int		 i, spool;

	rq->replied = 1;	/* stdout is the report's, not an answer's */
	dprintf(1, "cgi2scgi -check: uid %ld, gid %ld\n", (long)geteuid(),
	    (long)getegid());
	for (i = 0; i < cf->ntargets; i++)
		show_socket(&cf->to[i]);
	probe_environment(cf);
	spool = cf->post != NULL ? spool_probe(cf) : -1;
	find_body(rq);
	if (spool != -1)
		from_spool(rq, spool);
	build_request(rq);
	dprintf(1, "request: %s %s, ", env_value("REQUEST_METHOD"),
	    env_value("REQUEST_URI"));
	if (rq->bodylen > 0)
		dprintf(1, "a body of %llu bytes, %s, ", rq->bodylen,
		    (type = env_value("CONTENT_TYPE")) != NULL ? type :
		    "no CONTENT_TYPE");
	dprintf(1, "header block %zu bytes in %zu variables (-H %llu)\n",
	    rq->pairslen, rq->nvars, cf->max_header);
	t0 = now_ms();
	connect_server(rq);
	dprintf(1, "connect: %s, in %lld ms\nanswer:\n", name_of(rq->server),
	    now_ms() - t0);
	if (!relay(rq))
		unanswered(rq, "");
	rq->unshown += drain_answer(rq);
	dprintf(1, "answered in %lld ms, with a body of %llu bytes (not "
	    "shown)\n", now_ms() - t0, rq->unshown);
	exit(0);
}

/*
 * The probe's environment, as a web server makes one: the caller's CGI
 * variables (is_cgi_name()), PATH and TMPDIR, what -pass and -set ask
 * for, and none of the rest of a shell's, which a request never has
 * (LS_COLORS alone is 1,500 bytes of header block); then what a host
 * sets that is missing.  Set but empty counts as unset, as everywhere
 * else.  An app -check starts gets the caller's variables all the same.
 */
static void
probe_environment(struct config *cf)
{
	static const char *const probe[] = { "GATEWAY_INTERFACE", "CGI/1.1",
	    "REQUEST_METHOD", "GET", "SERVER_PROTOCOL", "HTTP/1.1",
	    "SCRIPT_NAME", "/", "QUERY_STRING", "", "SERVER_NAME",
	    "localhost", "SERVER_PORT", "80", "REMOTE_ADDR", "127.0.0.1",
	    "HTTP_USER_AGENT", "cgi2scgi -check", NULL };
	const char *const	*p;
	char			**e, **kept = environ;
	size_t			 n = 1;

	for (e = environ; *e != NULL; e++)
		n++;
	if ((cf->app_env = malloc(n * sizeof(*e))) == NULL)
		die(503, "-check: %s", strerror(errno));
	memcpy(cf->app_env, environ, n * sizeof(*e));
	for (e = environ; *e != NULL; e++)
		if (probe_keeps(cf, *e))
			*kept++ = *e;
	*kept = NULL;
	for (p = probe; *p != NULL; p += 2)
		setenv(p[0], p[1], env_value(p[0]) == NULL);
	setenv("REQUEST_URI", env_value("SCRIPT_NAME"),
	    env_value("REQUEST_URI") == NULL);
	if (cf->post != NULL) {
		setenv("REQUEST_METHOD", "POST", 1);
		setenv("CONTENT_TYPE", cf->post, 1);
	}
}

/*
 * Whether the probe keeps the caller's NAME=value: not a chunked body's
 * TRANSFER_ENCODING, for the probe's body is stdin, whole (-post).
 */
static int
probe_keeps(const struct config *cf, const char *e)
{
	size_t	 nlen = strcspn(e, "=");
	int	 i;

	if (nlen == 22 && memcmp(e, "HTTP_TRANSFER_ENCODING", 22) == 0)
		return 0;
	if (is_cgi_name(e, nlen) || in_list("PATH TMPDIR", e, nlen) ||
	    (cf->pass != NULL && in_list(cf->pass, e, nlen)))
		return 1;
	for (i = 0; i < cf->nsets; i++)
		if (cf->set[i].value[0] == '$' &&
		    strlen(cf->set[i].value + 1) == nlen &&
		    memcmp(cf->set[i].value + 1, e, nlen) == 0)
			return 1;
	return 0;
}

/*
 * -post's body: standard input to its end in the spool, and its size
 * in CONTENT_LENGTH, which find_body() holds to -m as a request's.
 */
static int
spool_probe(const struct config *cf)
{
	unsigned long long	 len = 0;
	char			 num[24];
	ssize_t			 n;
	int			 fd = open_spool();

	while ((n = read(0, req->body_buf, sizeof(req->body_buf))) > 0 ||
	    (n == -1 && errno == EINTR))
		if (n > 0) {
			spool_write(fd, req->body_buf, (size_t)n);
			if ((len += (unsigned long long)n) > cf->max_body)
				die(413, "-post: standard input is over the "
				    "limit of %llu bytes", cf->max_body);
		}
	if (n == -1)
		die(400, "read stdin: %s", strerror(errno));
	num[format_ull(num, len)] = '\0';
	setenv("CONTENT_LENGTH", num, 1);
	return fd;
}

/* Where t is, and for a socket file whether we may connect to it. */
static void
show_socket(const struct target *t)
{
	struct stat	 st;
	char		 owner[160];

	if (t->tmpl != NULL)
		dprintf(1, "template: %s, for REMOTE_USER %s\n", t->tmpl,
		    env_get("REMOTE_USER"));
	if (t->path == NULL)
		dprintf(1, "server: %s, TCP: whoever reaches the port may "
		    "connect\n", name_of(t));
	else if (*t->path == '@')
		dprintf(1, "server: %s, an abstract socket: any local user may "
		    "connect\n", t->path);
	else if (stat(t->path, &st) == -1)
		dprintf(1, "server: %s: %s\n", t->path, strerror(errno));
	else {
		add_id(owner, sizeof(owner), add_id(owner, sizeof(owner), 0,
		    "uid=", (long)st.st_uid, 1), " gid=", (long)st.st_gid, 0);
		dprintf(1, "server: %s, %s %s mode %04o: we may%s connect\n",
		    t->path, S_ISSOCK(st.st_mode) ? "a socket," :
		    "NOT A SOCKET,", owner, (unsigned)st.st_mode & 07777,
		    faccessat(AT_FDCWD, t->path, W_OK, AT_EACCESS) == 0 ? "" :
		    " NOT");
	}
}
