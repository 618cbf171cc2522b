/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * spawn: run a command n times the way a web server runs a CGI program
 * (stdin /dev/null, stdout a pipe read to its end) and print the median
 * and the fastest wall-clock time of one run, in microseconds, and the
 * bytes the last run wrote.  Exits 1 if any run fails.
 *
 *	spawn [-n runs] command [arg ...]
 */

#include <sys/wait.h>

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS	10000

extern char	**environ;

static double	 us[MAX_RUNS];
static char	 buf[65536];

static double
now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One run: its time in microseconds, or -1 if it failed. */
static double
run(char *argv[], long *bytes)
{
	posix_spawn_file_actions_t fa;
	double		 t0;
	pid_t		 pid;
	ssize_t		 n;
	int		 p[2], status;

	if (pipe(p) == -1)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	posix_spawn_file_actions_addclose(&fa, p[1]);
	t0 = now_us();
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0)
		return -1;
	close(p[1]);
	for (*bytes = 0; (n = read(p[0], buf, sizeof(buf))) > 0; *bytes += n)
		;
	close(p[0]);
	if (waitpid(pid, &status, 0) == -1)
		return -1;
	posix_spawn_file_actions_destroy(&fa);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	return now_us() - t0;
}

int
main(int argc, char *argv[])
{
	long	 bytes = 0;
	int	 c, n = 100, i;

	while ((c = getopt(argc, argv, "+n:")) != -1)
		switch (c) {
		case 'n': n = atoi(optarg); break;
		default: goto usage;
		}
	if (optind == argc || n < 1 || n > MAX_RUNS) {
usage:
		fputs("usage: spawn [-n runs] command [arg ...]\n", stderr);
		return 2;
	}
	for (i = 0; i < n; i++)
		if ((us[i] = run(argv + optind, &bytes)) < 0) {
			fprintf(stderr, "spawn: %s failed\n", argv[optind]);
			return 1;
		}
	qsort(us, (size_t)n, sizeof(us[0]), cmp);
	printf("%.1f %.1f %ld\n", n % 2 ? us[n / 2] :
	    (us[n / 2 - 1] + us[n / 2]) / 2, us[0], bytes);
	return 0;
}
