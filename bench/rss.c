/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * rss: run a command and write its peak resident set size, in KiB, to
 * a file; exit with its exit status.
 *
 *	rss file command [arg ...]
 *
 * getrusage(2) will not do: Linux counts in a child's peak the memory
 * its parent had when it forked, and (since 6.2) reads the counters
 * behind it approximately, so that a small static program shows 0.
 * Instead the command runs traced, and stops as it exits (with its
 * memory still there) for /proc/pid/smaps_rollup to say its resident
 * size, walked page by page, and /proc/pid/status its peak.
 */

#include <sys/ptrace.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The number after "name" in a /proc file, in KiB; 0 if none. */
static long
proc_kib(pid_t pid, const char *file, const char *name)
{
	char	 path[64], line[256];
	FILE	*f;
	long	 v = 0;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, name, strlen(name)) == 0)
			v = strtol(line + strlen(name), NULL, 10);
	fclose(f);
	return v;
}

int
main(int argc, char *argv[])
{
	FILE	*out;
	long	 peak = 0, v;
	pid_t	 pid;
	int	 status, sig;

	if (argc < 3) {
		fputs("usage: rss file command [arg ...]\n", stderr);
		return 2;
	}
	if ((pid = fork()) == -1)
		return 1;
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) == -1 ||
	    ptrace(PTRACE_SETOPTIONS, pid, NULL,
	    PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC) == -1)
		return 1;
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	while (waitpid(pid, &status, 0) != -1 && WIFSTOPPED(status)) {
		sig = WSTOPSIG(status);
		if (status >> 8 == (SIGTRAP | PTRACE_EVENT_EXIT << 8)) {
			peak = proc_kib(pid, "status", "VmHWM:");
			if ((v = proc_kib(pid, "smaps_rollup", "Rss:")) > peak)
				peak = v;
			sig = 0;
		} else if (status >> 8 == (SIGTRAP | PTRACE_EVENT_EXEC << 8))
			sig = 0;
		ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig);
	}
	if ((out = fopen(argv[1], "w")) == NULL)
		return 1;
	fprintf(out, "%ld\n", peak);
	fclose(out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
