/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * execenv: run a program with exactly the environment entries given,
 * duplicates and malformed ones included, which env(1) cannot make.
 *   execenv [entry ...] -- program [arg ...]
 */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	int	 i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		;
	if (i + 1 >= argc) {
		fputs("usage: execenv [entry ...] -- program [arg ...]\n",
		    stderr);
		return 2;
	}
	argv[i] = NULL;			/* ends the environment */
	execve(argv[i + 1], argv + i + 1, argv + 1);
	perror(argv[i + 1]);
	return 127;
}
