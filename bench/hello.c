/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * hello: a static CGI program that answers 100 bytes by itself, the
 * reference for a CGI process that does no bridging (bench-apache).
 */

#include <unistd.h>

static const char reply[] =
    "Status: 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

int
main(void)
{
	return write(1, reply, sizeof(reply) - 1) == sizeof(reply) - 1 ? 0 : 1;
}
