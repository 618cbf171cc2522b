/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * fcgiapp: the sink's twin for FastCGI (libfcgi), so that cgi-fcgi can
 * be measured doing the same work as cgi2scgi.  Same QUERY_STRING:
 * "size=N" body bytes (default 100), "early" to answer first.
 *
 *	fcgiapp [-w workers] socket-path | :port
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#define BUFSIZE		(1024 * 1024)
#define MAX_WORKERS	16
#define HEAD		"Status: 200 OK\r\n" \
			"Content-Type: application/octet-stream\r\n\r\n"

static char		 buf[BUFSIZE];
static pid_t		 workers[MAX_WORKERS];
static int		 nworkers;
static const char	*sock_path;

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

static void
reply(FCGX_Request *r, unsigned long long size)
{
	size_t	 n;

	FCGX_PutStr(HEAD, sizeof(HEAD) - 1, r->out);
	for (; size > 0; size -= n) {
		n = size < sizeof(buf) ? (size_t)size : sizeof(buf);
		if (FCGX_PutStr(buf, (int)n, r->out) != (int)n)
			return;
	}
}

static void
skip_body(FCGX_Request *r)
{
	while (FCGX_GetStr(buf, sizeof(buf), r->in) > 0)
		;
}

static void
serve(int s)
{
	FCGX_Request	 r;
	const char	*q, *p;
	unsigned long long size;

	FCGX_InitRequest(&r, s, 0);
	while (FCGX_Accept_r(&r) >= 0) {
		q = FCGX_GetParam("QUERY_STRING", r.envp);
		size = 100;
		if (q != NULL && (p = strstr(q, "size=")) != NULL)
			size = strtoull(p + 5, NULL, 10);
		if (q != NULL && strstr(q, "early") != NULL) {
			reply(&r, size);
			FCGX_FFlush(r.out);
			skip_body(&r);
		} else {
			skip_body(&r);
			reply(&r, size);
		}
		FCGX_Finish_r(&r);
	}
}

int
main(int argc, char *argv[])
{
	int	 c, s, n = 4, i;
	pid_t	 pid = 1;

	while ((c = getopt(argc, argv, "w:")) != -1)
		switch (c) {
		case 'w': n = atoi(optarg); break;
		default: goto usage;
		}
	if (optind != argc - 1 || n < 1 || n > MAX_WORKERS) {
usage:
		fputs("usage: fcgiapp [-w workers] path | :port\n", stderr);
		return 100;
	}
	memset(buf, 'x', sizeof(buf));
	if (FCGX_Init() != 0 ||
	    (s = FCGX_OpenSocket(argv[optind], 1024)) == -1) {
		perror(argv[optind]);
		return 111;
	}
	if (argv[optind][0] != ':')
		sock_path = argv[optind];
	for (i = 1; i < n; i++) {
		if ((pid = fork()) == -1) {
			perror("fork");
			return 111;
		}
		if (pid == 0)
			break;
		workers[nworkers++] = pid;
	}
	if (pid != 0)
		signal(SIGTERM, on_term);
	serve(s);
	return 0;
}
