/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * fuzz/template.c: libFuzzer target for the socket path template,
 * fill_template().  The first byte picks the room for the path (0: as
 * much as a target has), then comes REMOTE_USER up to a NUL (no NUL: it
 * is unset), then the template.  Properties: the verdict and the path
 * agree with a reference that replaces the placeholder by hand; a path
 * has every '/' of the template and no other, a "." or ".." component
 * only where the template has it whole, and its expected length; a
 * template with no "%{" comes back as it is, whoever the user.
 */

#define main cgi2scgi_main
int	cgi2scgi_main(int, char *[]);
#include "../cgi2scgi.c"
#undef main

#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The rules, byte by byte: 0 if user may name a socket, else 403. */
static int
ref_user(const char *user)
{
	size_t	 i;
	int	 c;

	if (strlen(user) > 64 || *user == '.' || *user == '-' || *user == '@')
		return 403;
	for (i = 0; (c = (unsigned char)user[i]) != '\0'; i++)
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
		    c == '@'))
			return 403;
	return 0;
}

/* The template filled in, into out[cap]: 0, or the status. */
static int
reference(const char *tmpl, const char *user, char *out, size_t cap)
{
	const char	*p;
	size_t		 n = 0, k;
	int		 placeholders = 0;

	for (p = tmpl; (p = strstr(p, "%{")) != NULL; p += 14, placeholders++)
		if (strncmp(p, "%{REMOTE_USER}", 14) != 0)
			return 500;
	if (placeholders > 0 && (user == NULL || *user == '\0'))
		return 500;
	if (placeholders > 0 && ref_user(user) != 0)
		return 403;
	for (p = tmpl; *p != '\0'; p++) {
		if (strncmp(p, "%{REMOTE_USER}", 14) == 0) {
			for (k = 0; user[k] != '\0'; k++)
				if (n + 1 < cap)
					out[n++] = user[k];
				else
					return 500;
			p += 13;
		} else if (n + 1 < cap)
			out[n++] = *p;
		else
			return 500;
	}
	out[n] = '\0';
	return 0;
}

/* Is the component at s, up to '/' or the end, "." or ".."? */
static int
is_dots(const char *s)
{
	size_t	 len = strcspn(s, "/");

	return (len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' &&
	    s[1] == '.');
}

/* Each "." or ".." component of path is the template's, whole. */
static void
check_dots(const char *tmpl, const char *path)
{
	const char	*t = tmpl, *p = path;

	for (;;) {
		if (is_dots(p) && (strcspn(t, "/") != strcspn(p, "/") ||
		    strncmp(t, p, strcspn(p, "/")) != 0))
			abort();
		t += strcspn(t, "/");
		p += strcspn(p, "/");
		if ((*t == '\0') != (*p == '\0'))
			abort();	/* not the template's '/'s */
		if (*p == '\0')
			return;
		t++;
		p++;
	}
}

/* The number of c in s. */
static size_t
count(const char *s, int c)
{
	size_t	 n = 0;

	for (; (s = strchr(s, c)) != NULL; s++)
		n++;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char	 in[8192], out[256], ref[256];
	const char	*user = NULL, *tmpl = in, *p;
	size_t		 cap, nul, k = 0;
	int		 want, got;

	if (size < 1 || size - 1 >= sizeof(in))
		return 0;
	cap = data[0] == 0 ? sizeof(out) : data[0];
	memcpy(in, data + 1, size - 1);
	in[size - 1] = '\0';
	if ((nul = strlen(in)) < size - 1) {
		user = in;
		tmpl = in + nul + 1;
	}
	if (memchr(tmpl, '\0', (size_t)(in + size - 1 - tmpl)) != NULL)
		return 0;	/* a template is one string */
	memset(out, 'x', sizeof(out));
	want = reference(tmpl, user, ref, cap);
	got = fill_template(tmpl, user, out, cap);
	if (got != want || memchr(out, '\0', cap) == NULL)
		abort();
	if (strstr(tmpl, "%{") == NULL && strlen(tmpl) < cap &&
	    (got != 0 || strcmp(out, tmpl) != 0))
		abort();
	if (got != 0)
		return 0;
	if (strcmp(out, ref) != 0 || strlen(out) >= cap)
		abort();
	for (p = tmpl; (p = strstr(p, PLACEHOLDER)) != NULL; p++)
		k++;
	if (strlen(out) != strlen(tmpl) + k * (user != NULL ? strlen(user) :
	    0) - k * 14 || count(out, '/') != count(tmpl, '/'))
		abort();
	check_dots(tmpl, out);
	return 0;
}
