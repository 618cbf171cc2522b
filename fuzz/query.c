/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * fuzz/query.c: libFuzzer target for the query guard.  The input is a
 * query string after two bytes: how many of its words a web server
 * passes, whether it passes them in Apache's form, and which of the
 * first seven it drops.  Property: the arguments a server makes of the
 * query's first words, %-decoded and then as they are (mini_httpd,
 * thttpd) or with Apache's backslashes, some perhaps dropped (Boa), are
 * always taken for the query's, and so never used, when the server ran
 * the bridge itself (SCRIPT_FILENAME).
 */

#define main cgi2scgi_main
int	cgi2scgi_main(int, char *[]);
#include "../cgi2scgi.c"
#undef main

#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define QUERY_MAX	4096
#define WORDS_MAX	64

/* Apache's ap_escape_shell_cmd() set; a backslash goes before each. */
#define SHELL_CHARS	"&;`'\"|*?~<>^()[]{}$\\\n\xff"

/* The next word of *q, decoded as servers do (%00 ends it), into out. */
static void
decode_word(const char **q, char *out)
{
	const char	*w = *q;
	int		 hi, lo, cut = 0;

	for (; *w != '\0' && *w != '+'; w++) {
		int	 c = (unsigned char)*w;

		if (c == '%' && (hi = hex_value(w[1])) >= 0 &&
		    (lo = hex_value(w[2])) >= 0) {
			c = hi * 16 + lo;
			w += 2;
		}
		cut |= c == '\0';
		if (!cut)
			*out++ = (char)c;
	}
	*out = '\0';
	*q = *w == '+' ? w + 1 : w;
}

static void
apache_escape(const char *in, char *out)
{
	for (; *in != '\0'; in++) {
		if (strchr(SHELL_CHARS, *in) != NULL)
			*out++ = '\\';
		*out++ = *in;
	}
	*out = '\0';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char	 query[QUERY_MAX + 16], words[WORDS_MAX][2 * QUERY_MAX];
	static char	 plain[QUERY_MAX + 1];
	static char	 script[] = "SCRIPT_FILENAME=/proc/self/exe";
	static char	*env[3], *argv[WORDS_MAX + 2];
	const char	*q;
	int		 n, i, k, apache, drop;

	if (size < 2 || size - 2 > QUERY_MAX)
		return 0;
	memcpy(query, "QUERY_STRING=", 13);
	memcpy(query + 13, data + 2, size - 2);
	query[13 + size - 2] = '\0';	/* a NUL ends it, as in environ */
	if (query[13] == '\0')
		return 0;		/* no query, no words */
	env[0] = query;
	env[1] = script;
	env[2] = NULL;
	environ = env;
	argv[0] = "cgi2scgi";
	n = 1 + data[0] % WORDS_MAX;
	apache = data[1] & 1;
	drop = data[1] >> 1;
	for (i = k = 0, q = query + 13; k < n && *q != '\0'; k++) {
		decode_word(&q, plain);
		if (k < 7 && (drop >> k & 1))
			continue;	/* a word the server left out */
		if (apache)
			apache_escape(plain, words[i]);
		else
			memcpy(words[i], plain, strlen(plain) + 1);
		argv[i + 1] = words[i];
		i++;
	}
	argv[i + 1] = NULL;
	if (i > 0 && !args_are_query(i + 1, argv))
		abort();
	return 0;
}
