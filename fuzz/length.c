/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * fuzz/length.c: libFuzzer target for the CONTENT_LENGTH parser.  The
 * first eight bytes pick the limit, the rest is the value.  Property:
 * the verdict and the number agree with a reference that compares
 * decimal strings, and so cannot overflow.
 */

#define main cgi2scgi_main
int	cgi2scgi_main(int, char *[]);
#include "../cgi2scgi.c"
#undef main

#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* -1 unless digits; 1 if over max; else 0.  canon: without leading 0s. */
static int
reference(const char *s, unsigned long long max, const char **canon)
{
	char	 maxs[32];
	size_t	 n, m;

	if (*s == '\0' || s[strspn(s, "0123456789")] != '\0')
		return -1;
	while (s[0] == '0' && s[1] != '\0')
		s++;
	*canon = s;
	snprintf(maxs, sizeof(maxs), "%llu", max);
	n = strlen(s);
	m = strlen(maxs);
	return n > m || (n == m && strcmp(s, maxs) > 0) ? 1 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char		 s[4096];
	char			 got[32];
	const char		*canon = NULL;
	unsigned long long	 max = 0, v = 12345;
	int			 want, r;

	if (size < 8 || size - 8 >= sizeof(s))
		return 0;
	memcpy(&max, data, 8);
	memcpy(s, data + 8, size - 8);
	s[size - 8] = '\0';		/* a NUL inside ends it, as in environ */
	want = reference(s, max, &canon);
	r = parse_length(s, max, &v);
	if (r != want)
		abort();
	if (r != 0) {
		if (v != 12345)
			abort();	/* untouched on failure */
		return 0;
	}
	snprintf(got, sizeof(got), "%llu", v);
	if (strcmp(got, canon) != 0 || v > max)
		abort();
	return 0;
}
