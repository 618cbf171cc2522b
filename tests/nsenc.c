/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * nsenc: drive netstring.o from the shell for tests/netstring.bats.
 *   nsenc encode [cap]    netstring of stdin to stdout ("cap too small"
 *                         and exit 1 if it does not fit in cap bytes)
 *   nsenc wrap room       netstring_wrap() of stdin placed after room
 *                         bytes ("room too small" and exit 1 if it fails)
 *   nsenc size len        netstring_size(len)
 *   nsenc decode max      parse stdin: "size off len" and the payload on
 *                         a second line, or "incomplete" or "error"
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netstring.h"

static char	 in[1 << 20], out[(1 << 20) + 32];

static size_t
slurp(void)
{
	size_t	 n = 0;
	ssize_t	 r;

	while (n < sizeof(in) && (r = read(0, in + n, sizeof(in) - n)) > 0)
		n += (size_t)r;
	return n;
}

int
main(int argc, char *argv[])
{
	size_t	 n, cap, r, off = 0, len = 0;

	if (argc >= 2 && strcmp(argv[1], "encode") == 0) {
		n = slurp();
		cap = argc > 2 ? strtoul(argv[2], NULL, 10) : sizeof(out);
		if ((r = netstring_encode(out, cap, in, n)) == 0) {
			puts("cap too small");
			return 1;
		}
		fwrite(out, 1, r, stdout);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "wrap") == 0) {
		char	*start;

		n = slurp();
		cap = strtoul(argv[2], NULL, 10);
		if (cap > sizeof(out) - n - 1)
			return 2;
		memcpy(out + cap, in, n);
		if ((start = netstring_wrap(out, cap, n)) == NULL) {
			puts("room too small");
			return 1;
		}
		fwrite(start, 1, (size_t)(out + cap + n + 1 - start), stdout);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "size") == 0) {
		printf("%zu\n", netstring_size(strtoull(argv[2], NULL, 10)));
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "decode") == 0) {
		n = slurp();
		r = netstring_decode(in, n, strtoul(argv[2], NULL, 10), &off,
		    &len);
		if (r == NETSTRING_INCOMPLETE)
			puts("incomplete");
		else if (r == NETSTRING_ERROR)
			puts("error");
		else {
			printf("%zu %zu %zu\n", r, off, len);
			fwrite(in + off, 1, len, stdout);
		}
		return 0;
	}
	fputs("usage: nsenc encode [cap] | wrap room | size len | decode max\n",
	    stderr);
	return 2;
}
