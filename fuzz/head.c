/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * fuzz/head.c: libFuzzer target for the response-head check, fed the
 * way read_response() feeds filter_head(), in pieces whose sizes the first byte
 * seeds.  Properties: the verdict does not depend on the pieces; it
 * agrees with a line-by-line reference (which refuses control characters
 * but HTAB anywhere in the head); and a head that passes comes out
 * byte for byte, but for an HTTP status line turned into "Status:".
 */

#define main cgi2scgi_main
int	cgi2scgi_main(int, char *[]);
#include "../cgi2scgi.c"
#undef main

#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

enum { DONE, BAD, CUT, OVER };	/* CUT: the input ended inside the head */

static char	 out[2 * MAX_HEAD + 1024], expect[2 * MAX_HEAD + 1024];

/*
 * Feed in[0..len) in pieces, as read_response() does; the verdict, and
 * for DONE what would be written to stdout, into out.
 */
static int
feed(const char *in, size_t len, unsigned int seed, size_t *outlen)
{
	static char	 response[HEAD_SLACK + MAX_HEAD];
	struct head	 hd = { 0, 0, response + HEAD_SLACK, 0 };
	char		*buf = response + HEAD_SLACK;
	size_t		 pos = 0, n;
	int		 r = 0, whole = seed == 0;

	while (pos < len && r == 0) {
		seed = seed * 1103515245 + 12345;
		n = whole ? len : 1 + (seed >> 16) % 97;
		if (n > len - pos)
			n = len - pos;
		if (n > MAX_HEAD - hd.have)
			n = MAX_HEAD - hd.have;
		memcpy(buf + hd.have, in + pos, n);
		pos += n;
		hd.have += n;
		if ((r = check_head(buf, &hd)) == 0 && hd.have == MAX_HEAD)
			return OVER;
	}
	if (r == -1)
		return BAD;
	if (r == 0)
		return CUT;
	if (hd.start < response)
		abort();		/* the rewrite stays in its slack */
	*outlen = (size_t)(buf + hd.have - hd.start);
	memcpy(out, hd.start, *outlen);
	memcpy(out + *outlen, in + pos, len - pos);
	*outlen += len - pos;
	return DONE;
}

static int
ref_tchar(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || (c != 0 &&
	    strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* HTTP/d[.d] NNN[ reason]: where NNN starts, else 0. */
static size_t
ref_status(const char *l, size_t n)
{
	size_t	 i = 5, d;

	if (n < 5 || memcmp(l, "HTTP/", 5) != 0)
		return 0;
	for (d = i; i < n && l[i] >= '0' && l[i] <= '9'; i++)
		;
	if (i == d)
		return 0;
	if (i < n && l[i] == '.') {
		for (d = ++i; i < n && l[i] >= '0' && l[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	if (i + 4 > n || l[i] != ' ')
		return 0;
	for (d = ++i; i < n && l[i] >= '0' && l[i] <= '9'; i++)
		;
	return i - d == 3 && (i == n || l[i] == ' ') ? d : 0;
}

/* The reference: line by line over the whole input, as RFC 3875 6 says. */
static int
reference(const char *in, size_t len, size_t *wantlen)
{
	const char	*l = in, *nl;
	size_t		 n, code = 0, i;
	int		 first = 1;

	for (; (nl = memchr(l, '\n', len - (size_t)(l - in))) != NULL;
	    l = nl + 1, first = 0) {
		if ((size_t)(nl + 1 - in) > MAX_HEAD)
			return OVER;
		n = (size_t)(nl - l);
		if (n > 0 && l[n - 1] == '\r')
			n--;
		for (i = 0; i < n; i++)	/* no CTL but HTAB (RFC 9110 5.5) */
			if ((unsigned char)l[i] < 0x20 ? l[i] != '\t' :
			    l[i] == 0x7f)
				return BAD;
		if (first && (code = ref_status(l, n)) != 0)
			continue;
		if (n == 0 && !first)
			break;
		for (i = 0; i < n && ref_tchar((unsigned char)l[i]); i++)
			;
		if (i == 0 || i == n || l[i] != ':')
			return BAD;	/* a field, and no folded line */
	}
	if (nl == NULL)
		return len >= MAX_HEAD ? OVER : CUT;
	*wantlen = 0;
	if (code != 0) {
		memcpy(expect, "Status: ", 8);
		*wantlen = 8;
	}
	memcpy(expect + *wantlen, in + code, len - code);
	*wantlen += len - code;
	return DONE;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*in = (const char *)data + 1;
	size_t		 len, outlen = 0, wantlen = 0;
	int		 v;

	if (size < 1 || size - 1 > MAX_HEAD + 1024)
		return 0;
	len = size - 1;
	v = reference(in, len, &wantlen);
	if (feed(in, len, 0, &outlen) != v)	/* at once, or nearly */
		abort();
	if (v == DONE && (outlen != wantlen || memcmp(out, expect, outlen) != 0))
		abort();
	if (feed(in, len, data[0] | 1u, &outlen) != v)	/* in pieces */
		abort();
	if (v == DONE && (outlen != wantlen || memcmp(out, expect, outlen) != 0))
		abort();
	return 0;
}
