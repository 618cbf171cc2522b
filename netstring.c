/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * netstring.c: netstring encoder and decoder (D. J. Bernstein's
 * "Netstrings", 1997), the framing of an SCGI request's header block.
 */

#include <string.h>

#include "netstring.h"

static size_t
digits(size_t v)
{
	size_t	 nd = 1;

	while (v >= 10) {
		v /= 10;
		nd++;
	}
	return nd;
}

size_t
netstring_size(size_t len)
{
	size_t	 nd = digits(len);

	if (len > (size_t)-1 - nd - 2)
		return 0;
	return nd + 1 + len + 1;
}

size_t
netstring_encode(char *dst, size_t cap, const char *src, size_t len)
{
	size_t	 nd = digits(len), i, v;

	/* Written so that no sum can overflow. */
	if (cap < nd + 2 || cap - nd - 2 < len)
		return 0;
	for (i = nd, v = len; i > 0; v /= 10)
		dst[--i] = (char)('0' + v % 10);
	dst[nd] = ':';
	if (len > 0)
		memcpy(dst + nd + 1, src, len);
	dst[nd + 1 + len] = ',';
	return nd + 1 + len + 1;
}

char *
netstring_wrap(char *buf, size_t room, size_t len)
{
	size_t	 nd = digits(len), i, v;
	char	*start;

	if (room < nd + 1)
		return NULL;
	start = buf + room - nd - 1;
	for (i = nd, v = len; i > 0; v /= 10)
		start[--i] = (char)('0' + v % 10);
	start[nd] = ':';
	buf[room + len] = ',';
	return start;
}

size_t
netstring_decode(const char *src, size_t n, size_t max, size_t *off,
    size_t *len)
{
	size_t	 i, v = 0, d;

	for (i = 0; i < n && src[i] >= '0' && src[i] <= '9'; i++) {
		d = (size_t)(src[i] - '0');
		if (i == 1 && v == 0)
			return NETSTRING_ERROR;	/* leading zero */
		if (d > max || v > (max - d) / 10)
			return NETSTRING_ERROR;
		v = v * 10 + d;
	}
	if (i == n)
		return NETSTRING_INCOMPLETE;
	if (i == 0 || src[i] != ':')
		return NETSTRING_ERROR;
	if (n - i - 1 <= v)
		return NETSTRING_INCOMPLETE;
	if (src[i + 1 + v] != ',')
		return NETSTRING_ERROR;
	*off = i + 1;
	*len = v;
	return i + 1 + v + 1;
}
