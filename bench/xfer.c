/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * xfer: run a command with pipes for stdin and stdout, as Apache runs a
 * CGI program, write bytes to its stdin and read its stdout to the end,
 * both at once, and print
 *
 *	seconds bytes-read exit-status cpu-seconds
 *
 * cpu-seconds: the command's user and system time together.
 * -u bytes: what to write (default none; stdin then gets end of file).
 * -a: write all of it before reading anything, as Apache does.
 * -t seconds: give up after this long without progress: kill the
 *    command and print "stall" instead.
 *
 *	xfer [-a] [-u bytes] [-t seconds] command [arg ...]
 */

#include <sys/resource.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK	(1024 * 1024)

extern char	**environ;

static char	 wbuf[CHUNK], rbuf[CHUNK];

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char *argv[])
{
	posix_spawn_file_actions_t fa;
	struct pollfd	 pfd[2];
	struct rusage	 ru;
	unsigned long long up = 0, got = 0;
	double		 t0;
	ssize_t		 n;
	pid_t		 pid;
	int		 c, in[2], out[2], all = 0, timeout = 60, np, status;

	while ((c = getopt(argc, argv, "+au:t:")) != -1)
		switch (c) {
		case 'a': all = 1; break;
		case 'u': up = strtoull(optarg, NULL, 10); break;
		case 't': timeout = atoi(optarg); break;
		default: goto usage;
		}
	if (optind == argc) {
usage:
		fputs("usage: xfer [-a] [-u bytes] [-t seconds] command "
		    "[arg ...]\n", stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	memset(wbuf, 'u', sizeof(wbuf));
	if (pipe(in) == -1 || pipe(out) == -1) {
		perror("pipe");
		return 1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, in[0]);
	posix_spawn_file_actions_addclose(&fa, in[1]);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	posix_spawn_file_actions_addclose(&fa, out[1]);
	t0 = now();
	if (posix_spawnp(&pid, argv[optind], &fa, NULL, argv + optind,
	    environ) != 0) {
		perror(argv[optind]);
		return 1;
	}
	close(in[0]);
	close(out[1]);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	if (up == 0) {
		close(in[1]);
		in[1] = -1;
	}
	while (in[1] != -1 || out[0] != -1) {
		np = 0;
		if (in[1] != -1) {
			pfd[np].fd = in[1];
			pfd[np++].events = POLLOUT;
		}
		if (out[0] != -1 && !(all && in[1] != -1)) {
			pfd[np].fd = out[0];
			pfd[np++].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)np, timeout * 1000) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			printf("stall %llu -1\n", got);
			return 0;
		}
		if (in[1] != -1 && pfd[0].revents != 0) {
			n = write(in[1], wbuf, up < CHUNK ? (size_t)up : CHUNK);
			if (n > 0)
				up -= (unsigned long long)n;
			if (up == 0 || (n == -1 && errno != EAGAIN)) {
				close(in[1]);
				in[1] = -1;
			}
		}
		if (np > 0 && pfd[np - 1].fd == out[0] &&
		    pfd[np - 1].revents != 0) {
			if ((n = read(out[0], rbuf, sizeof(rbuf))) > 0)
				got += (unsigned long long)n;
			else if (n == 0 || errno != EINTR) {
				close(out[0]);
				out[0] = -1;
			}
		}
	}
	if (waitpid(pid, &status, 0) == -1) {
		perror("waitpid");
		return 1;
	}
	t0 = now() - t0;
	/* Our only child, reaped: its times are the children's. */
	if (getrusage(RUSAGE_CHILDREN, &ru) == -1) {
		perror("getrusage");
		return 1;
	}
	printf("%.6f %llu %d %.3f\n", t0, got,
	    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
	    ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	return 0;
}
