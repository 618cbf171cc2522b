/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * netstring.h: netstrings ("12:hello world!,") in caller-owned memory.
 * No I/O, no allocation, no errno, no globals.
 */

#ifndef NETSTRING_H
#define NETSTRING_H

#include <stddef.h>

/* netstring_decode() results other than a byte count. */
#define NETSTRING_INCOMPLETE	((size_t)0)	/* valid so far; need more bytes */
#define NETSTRING_ERROR		((size_t)-1)	/* not a netstring, or over max */

/*
 * netstring_size: the bytes needed to encode len payload bytes
 * (digits, ':', payload, ',').  Returns 0 if that sum overflows size_t.
 */
size_t	netstring_size(size_t len);

/*
 * netstring_encode: write the netstring of src[0..len) to dst, which
 * holds cap bytes.  Returns the bytes written, or 0 if cap is too small
 * (dst is then untouched).  src and dst must not overlap.
 */
size_t	netstring_encode(char *dst, size_t cap, const char *src, size_t len);

/*
 * netstring_wrap: make the len bytes at buf + room a netstring where they
 * lie, so that a payload built in place needs no copy: its length and
 * ':' go at the end of the room before it, a ',' after it, and buf must
 * hold room + len + 1 bytes.  Returns where the netstring starts, or
 * NULL if room is too small for the length and ':' (buf is untouched).
 */
char	*netstring_wrap(char *buf, size_t room, size_t len);

/*
 * netstring_decode: parse the netstring at the start of src[0..n).
 * A payload longer than max, a length with a leading zero or no digits,
 * or a missing ':' or ',' is NETSTRING_ERROR.  If src holds only a valid
 * beginning, the result is NETSTRING_INCOMPLETE.  Otherwise it is the
 * netstring's whole size, and the payload is src[*off .. *off + *len).
 */
size_t	netstring_decode(const char *src, size_t n, size_t max, size_t *off,
	    size_t *len);

#endif /* NETSTRING_H */
