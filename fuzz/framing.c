/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * fuzz/framing.c: libFuzzer target for is_framing(), which tells a
 * chunked upload passed on undecoded.  The first byte says where to cut
 * the rest in two.  Property: fed whole or in two pieces, it says the
 * same as a plain reference parser of RFC 9112 7.1 (as is_framing()
 * reads it: at most 15 size digits, extensions and trailer lines any
 * bytes but CR and LF): whether the bytes are one whole message, with
 * nothing after it.
 */

#define main cgi2scgi_main
int	cgi2scgi_main(int, char *[]);
#include "../cgi2scgi.c"
#undef main

#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* p[0..len) up to a CRLF, with no CR or LF before it: the CRLF's end. */
static const char *
line_end(const char *p, const char *end)
{
	for (; p < end && *p != '\r' && *p != '\n'; p++)
		;
	return end - p >= 2 && p[0] == '\r' && p[1] == '\n' ? p + 2 : NULL;
}

static int
reference(const char *p, const char *end)
{
	unsigned long long size;
	const char	*q;
	int		 digits;

	for (;;) {
		size = 0;
		for (digits = 0; p < end && strchr("0123456789abcdefABCDEF",
		    *p) != NULL && *p != '\0'; p++, digits++)
			size = size * 16 + (unsigned)(*p <= '9' ? *p - '0' :
			    (*p | 0x20) - 'a' + 10);
		if (digits == 0 || digits > 15 || p == end)
			return 0;
		if (*p == ';') {
			if ((p = line_end(p, end)) == NULL)
				return 0;
		} else if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			return 0;
		else
			p += 2;
		if (size == 0)
			break;
		if ((unsigned long long)(end - p) < size + 2 ||
		    p[size] != '\r' || p[size + 1] != '\n')
			return 0;
		p += size + 2;
	}
	while (p < end && *p != '\r') {		/* trailer lines */
		if (*p == '\n' || (q = line_end(p, end)) == NULL)
			return 0;
		p = q;
	}
	return end - p == 2 && p[0] == '\r' && p[1] == '\n';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct framing	 whole = { CH_SIZE0, 0, 0, 0 }, split = whole;
	const char	*text = (const char *)data + 1;
	size_t		 len, cut;
	int		 a, b;

	if (size < 1)
		return 0;
	len = size - 1;
	cut = len > 0 ? data[0] % (len + 1) : 0;
	a = is_framing(&whole, text, len);
	is_framing(&split, text, cut);
	b = is_framing(&split, text + cut, len - cut);
	if (a != b || a != reference(text, text + len) ||
	    whole.state != split.state || whole.sizes != split.sizes)
		abort();
	return 0;
}
