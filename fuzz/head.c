/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * fuzz/head.c: libFuzzer target for the response head: found as
 * read_response() feeds take_head(), in pieces whose sizes the first
 * byte seeds, then checked and written anew by canonical_head().
 * Properties: the verdict does not depend on the pieces; it agrees with
 * a reference written apart from the code, line by line; and a head
 * that passes comes out as the reference writes it: its status first
 * (200 when it has none), the other fields in order but those left out
 * (Content-Length among them), every line in CR LF.
 */

#define main cgi2scgi_main
int	cgi2scgi_main(int, char *[]);
#include "../cgi2scgi.c"
#undef main

#include <ctype.h>
#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

enum { PASS, BAD, CUT, OVER };	/* CUT: the input ended inside the head */

static char	 out[2 * MAX_HEAD + 16];	/* as take_head() gives it */
static char	 expect[sizeof(out)];

/* Feed in[0..len) in pieces; the verdict, and for PASS the head anew. */
static int
feed(const char *in, size_t len, unsigned int seed, size_t *outlen)
{
	static char	 buf[MAX_HEAD];
	struct head	 hd = { 0, 0, 0 };
	struct answer	 a;
	size_t		 pos = 0, n;
	ssize_t		 end = 0;
	int		 whole = seed == 0;

	while (end == 0) {
		if (pos == len)
			return CUT;
		if (hd.have == MAX_HEAD)
			return OVER;
		seed = seed * 1103515245 + 12345;
		n = whole ? len : 1 + (seed >> 16) % 97;
		if (n > len - pos)
			n = len - pos;
		if (n > MAX_HEAD - hd.have)
			n = MAX_HEAD - hd.have;
		memcpy(buf + hd.have, in + pos, n);
		pos += n;
		hd.have += n;
		end = head_end(buf, &hd, &a);
	}
	a.out = out;
	a.sendfile = a.for_file = 0;
	if (end == -1 || canonical_head(buf, (size_t)end, &a) == -1)
		return BAD;
	*outlen = a.len;
	return PASS;
}

static int
ref_token(const char *l, size_t n)	/* the name's length, if a field */
{
	size_t	 i;

	for (i = 0; i < n && (isalnum((unsigned char)l[i]) ||
	    (l[i] != '\0' && strchr("!#$%&'*+-.^_`|~", l[i]) != NULL)); i++)
		;
	return i > 0 && i < n && l[i] == ':' ? (int)i : 0;
}

/* HTTP/d[.d] NNN[ reason]: where NNN starts, else 0. */
static size_t
ref_status_line(const char *l, size_t n)
{
	size_t	 i = 5, d;

	if (n < 5 || memcmp(l, "HTTP/", 5) != 0)
		return 0;
	for (d = i; i < n && isdigit((unsigned char)l[i]); i++)
		;
	if (i == d)
		return 0;
	if (i < n && l[i] == '.') {
		for (d = ++i; i < n && isdigit((unsigned char)l[i]); i++)
			;
		if (i == d)
			return 0;
	}
	if (i + 4 > n || l[i] != ' ')
		return 0;
	for (d = ++i; i < n && isdigit((unsigned char)l[i]); i++)
		;
	return i - d == 3 && (i == n || l[i] == ' ') ? d : 0;
}

static int
named(const char *l, int name, const char *s)
{
	return (size_t)name == strlen(s) && strncasecmp(l, s, (size_t)name) == 0;
}

/* The reference: the head's lines, as RFC 3875 6 and issue 15 say. */
static int
reference(const char *in, size_t len, size_t *wantlen)
{
	const char	*l = in, *nl, *v, *status = NULL;
	size_t		 n, i, slen = 0, at = 0, vlen;
	int		 name, lengths = 0, bad = 0;
	int		 away = 0;	/* a Location: 1 away, -1 local */
	unsigned long long cl;

	for (;; l = nl + 1) {
		if ((nl = memchr(l, '\n', len - (size_t)(l - in))) == NULL)
			return len - (size_t)(l - in) >= MAX_HEAD ||
			    len >= MAX_HEAD ? OVER : CUT;
		if ((size_t)(nl + 1 - in) > MAX_HEAD)
			return OVER;
		n = (size_t)(nl - l);
		if (n > 0 && l[n - 1] == '\r')
			n--;
		if (n == 0)
			break;
		if (l == in && (i = ref_status_line(l, n)) != 0) {
			status = l + i;
			slen = n - i;
			for (i = 0; i < n; i++)
				if ((unsigned char)l[i] < 0x20 ? l[i] != '\t' :
				    l[i] == 0x7f)
					return BAD;
			continue;
		}
		if ((name = ref_token(l, n)) == 0)
			return BAD;
		for (i = 0; i < n; i++)	/* no CTL but HTAB (RFC 9110 5.5) */
			if ((unsigned char)l[i] < 0x20 ? l[i] != '\t' :
			    l[i] == 0x7f)
				return BAD;
		for (v = l + name + 1; v < l + n && (*v == ' ' || *v == '\t');
		    v++)
			;
		for (vlen = (size_t)(l + n - v); vlen > 0 && (v[vlen - 1] ==
		    ' ' || v[vlen - 1] == '\t'); vlen--)
			;
		/* What a field says counts once the head is whole. */
		if (named(l, name, "Status")) {
			if (status != NULL)
				bad = 1;
			status = v;
			slen = vlen;
			continue;
		}
		if (named(l, name, "Content-Length")) {
			if (lengths++ || vlen == 0)
				bad = 1;
			for (i = 0, cl = 0; i < vlen && !bad; i++)
				if (!isdigit((unsigned char)v[i]) ||
				    (cl = cl * 10 + (unsigned)(v[i] - '0')) >
				    1000000000000000000ULL)
					bad = 1;	/* over 10^18: no length */
			continue;	/* ours, not the web server's */
		}
		if (named(l, name, "Transfer-Encoding"))
			bad = 1;
		if (named(l, name, "Location"))
			away = vlen > 0 && *v != '/' ? 1 : -1;
		if (named(l, name, "Connection") || named(l, name, "Keep-Alive") ||
		    named(l, name, "Upgrade") || named(l, name, "TE") ||
		    named(l, name, "Trailer") ||
		    named(l, name, "Proxy-Connection"))
			continue;
		memcpy(expect + at, l, n);
		memcpy(expect + at + n, "\r\n", 2);
		at += n + 2;
	}
	if (at == 0 && status == NULL)
		bad = 1;		/* no field, or none but those left out */
	if (bad)
		return BAD;
	/* None is 200; a client redirect 302; a local one the host's. */
	if (status == NULL && away >= 0) {
		status = away ? "302 Found" : "200 OK";
		slen = strlen(status);
	}
	if (status != NULL) {
		if (slen < 3 || status[0] < '2' || status[0] > '5' ||
		    !isdigit((unsigned char)status[1]) ||
		    !isdigit((unsigned char)status[2]) ||
		    (slen > 3 && status[3] != ' ' && status[3] != '\t'))
			return BAD;
		memmove(expect + 10 + slen, expect, at);
		memcpy(expect, "Status: ", 8);
		memcpy(expect + 8, status, slen);
		memcpy(expect + 8 + slen, "\r\n", 2);
		at += 10 + slen;
	}
	memcpy(expect + at, "\r\n", 2);
	*wantlen = at + 2;
	return PASS;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*in = (const char *)data + 1;
	size_t		 len, outlen = 0, wantlen = 0;
	int		 v, got;

	if (size < 1 || size - 1 > MAX_HEAD + 1024)
		return 0;
	len = size - 1;
	v = reference(in, len, &wantlen);
	/* At once, or nearly; then in pieces. */
	if ((got = feed(in, len, 0, &outlen)) != v)
		abort();
	if (v == PASS && (outlen != wantlen || memcmp(out, expect, outlen) != 0))
		abort();
	if ((got = feed(in, len, data[0] | 1u, &outlen)) != v)
		abort();
	if (v == PASS && (outlen != wantlen || memcmp(out, expect, outlen) != 0))
		abort();
	return 0;
}
