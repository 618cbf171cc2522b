/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * fuzz/range.c: libFuzzer target for the Range parser, file_range().
 * The first eight bytes give the file's size, the rest is the field.
 * Properties: the verdict and the bytes agree with a reference that
 * reads the numbers with strtoull(3); a 206 stays within the file.
 */

#define main cgi2scgi_main
int	cgi2scgi_main(int, char *[]);
#include "../cgi2scgi.c"
#undef main

#include <ctype.h>
#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The digits at s, all of them up to end, into *v; -1 if none or over. */
static int
number(const char *s, char **end, unsigned long long *v)
{
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoull(s, end, 10);
	return errno == ERANGE ? -1 : 0;
}

/* RFC 9110 14.1.2, one range-spec: 206, 416, or 0 for the whole file. */
static int
reference(const char *r, long long size, long long *first, long long *last)
{
	unsigned long long	 a, b = ULLONG_MAX;
	char			*end;

	if (strncmp(r, "bytes=", 6) != 0)
		return 0;
	r += 6;
	if (*r == '-') {
		if (number(r + 1, &end, &b) == -1 || *end != '\0')
			return 0;
		if (b == 0 || size == 0)
			return 416;
		*first = b >= (unsigned long long)size ? 0 : size - (long long)b;
		*last = size - 1;
		return 206;
	}
	if (number(r, &end, &a) == -1 || *end != '-')
		return 0;
	if (end[1] != '\0' && (number(end + 1, &end, &b) == -1 ||
	    *end != '\0' || b < a))
		return 0;
	if (a >= (unsigned long long)size)
		return 416;
	*first = (long long)a;
	*last = b >= (unsigned long long)size ? size - 1 : (long long)b;
	return 206;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char		 r[4096];
	struct file		 f;
	unsigned long long	 raw;
	long long		 len, first, last;
	int			 want, got;

	if (size < 8 || size - 8 >= sizeof(r))
		return 0;
	memcpy(&raw, data, 8);
	/* Small files often, to meet the ends; any up to 2^63 - 1. */
	len = raw & 1 ? (long long)(raw >> 1) % 2000 : (long long)(raw >> 1);
	memcpy(r, data + 8, size - 8);
	r[size - 8] = '\0';
	memset(&f, 0, sizeof(f));
	f.st.st_size = (off_t)len;
	f.first = first = 0;
	f.last = last = len - 1;
	want = reference(r, len, &first, &last);
	got = file_range(r, &f);
	if (got != want || f.first != first || f.last != last)
		abort();
	if (got == 206 && (f.first < 0 || f.first > f.last || f.last >= len))
		abort();
	return 0;
}
