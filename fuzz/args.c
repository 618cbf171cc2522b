/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * fuzz/args.c: libFuzzer target for the -f file parser.  The first byte
 * says whether the text is the whole file.  Property: the words found
 * are those a plain reference finds on the first line that is neither
 * blank nor a comment, no more than MAX_ARGS of them, each non-empty
 * and free of blanks.
 */

#define main cgi2scgi_main
int	cgi2scgi_main(int, char *[]);
#include "../cgi2scgi.c"
#undef main

#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define BLANKS	" \t\r"

/* The words the first argument line should give, or -1 for none/too many. */
static int
reference(const char *in, size_t len, int whole, char ref[][ARGFILE_MAX + 1])
{
	const char	*l = in, *nl, *w;
	size_t		 n, k;
	int		 i = 0;

	for (;; l = nl + 1) {
		if (l >= in + len)
			return -1;
		nl = memchr(l, '\n', len - (size_t)(l - in));
		if (nl == NULL && !whole)
			return -1;
		n = nl != NULL ? (size_t)(nl - l) : len - (size_t)(l - in);
		for (k = 0; k < n && strchr(BLANKS, l[k]) && l[k] != '\0'; k++)
			;
		if (n > 0 && l[0] != '#' && k < n)
			break;
		if (nl == NULL)
			return -1;
	}
	if (memchr(l, '\0', n) != NULL)
		return -1;
	for (w = l; w < l + n; ) {
		if (strchr(BLANKS, *w) != NULL) {
			w++;
			continue;
		}
		for (k = 0; w + k < l + n && strchr(BLANKS, w[k]) == NULL; k++)
			;
		if (i == MAX_ARGS)
			return -1;
		memcpy(ref[i], w, k);
		ref[i++][k] = '\0';
		w += k;
	}
	return i;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char	 text[ARGFILE_MAX + 1], ref[MAX_ARGS][ARGFILE_MAX + 1];
	char		*args[MAX_ARGS], *line;
	size_t		 len;
	int		 n, want, i, whole;

	if (size < 1 || size - 1 > ARGFILE_MAX)
		return 0;
	whole = data[0] & 1;
	len = size - 1;
	memcpy(text, data + 1, len);
	want = reference(text, len, whole, ref);
	if ((line = arg_line(text, len, whole)) == NULL)
		n = -1;
	else if (line < text || line > text + len)
		abort();
	else
		n = split_words(line, args, MAX_ARGS);
	if (n != want)
		abort();
	for (i = 0; i < n; i++)
		if (*args[i] == '\0' || strpbrk(args[i], BLANKS) != NULL ||
		    strcmp(args[i], ref[i]) != 0)
			abort();
	return 0;
}
