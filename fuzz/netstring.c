/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * fuzz/netstring.c: libFuzzer target for netstring.c.  Properties: what
 * is encoded decodes to itself; whatever decodes re-encodes to the same
 * bytes (one spelling per netstring); a netstring cut short is never an
 * error, only incomplete; a payload wrapped in place is the netstring
 * encoded, and needs no more room in front than its length and ':'.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netstring.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_roundtrip(const char *src, size_t len)
{
	static char	 buf[70000];
	size_t		 n, off = 0, plen = 0;

	if (netstring_size(len) > sizeof(buf))
		return;
	n = netstring_encode(buf, sizeof(buf), src, len);
	if (n == 0 || n != netstring_size(len))
		abort();
	if (netstring_encode(buf, n - 1, src, len) != 0)
		abort();		/* one byte short must fail */
	if (netstring_decode(buf, n, len, &off, &plen) != n || plen != len ||
	    memcmp(buf + off, src, len) != 0)
		abort();
	if (len > 0 && netstring_decode(buf, n, len - 1, &off, &plen) !=
	    NETSTRING_ERROR)
		abort();		/* over max */
	/* Every proper prefix is a beginning, not an error. */
	if (netstring_decode(buf, n / 2, len, &off, &plen) !=
	    NETSTRING_INCOMPLETE || netstring_decode(buf, n - 1, len, &off,
	    &plen) != NETSTRING_INCOMPLETE)
		abort();
}

static void
check_wrap(const char *src, size_t len)
{
	static char	 buf[70000], want[70000];
	size_t		 n, room = netstring_size(len) - len - 1;
	char		*start;

	if (netstring_size(len) > sizeof(want) || room + len + 1 > sizeof(buf))
		return;
	n = netstring_encode(want, sizeof(want), src, len);
	memcpy(buf + room, src, len);
	if (netstring_wrap(buf, room - 1, len) != NULL)
		abort();		/* one byte of room short must fail */
	if ((start = netstring_wrap(buf, room, len)) != buf ||
	    memcmp(start, want, n) != 0)
		abort();
}

static void
check_decode(const char *src, size_t size)
{
	static char	 buf[70000];
	size_t		 n, off = 0, len = 0;

	n = netstring_decode(src, size, sizeof(buf), &off, &len);
	if (n == NETSTRING_ERROR || n == NETSTRING_INCOMPLETE)
		return;
	if (n > size || off + len + 1 != n || src[n - 1] != ',')
		abort();
	if (netstring_encode(buf, sizeof(buf), src + off, len) != n ||
	    memcmp(buf, src, n) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_roundtrip((const char *)data, size);
	check_wrap((const char *)data, size);
	check_decode((const char *)data, size);
	return 0;
}
