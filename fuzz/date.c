/*
 * Copyright (c) 2026 The cgi2scgi authors.  See LICENSE for terms (ISC).
 *
 * fuzz/date.c: libFuzzer target for the HTTP-date parser, http_date().
 * Properties: a date it takes is one that a reference, gmtime_r(3) and
 * printf, writes back in the same form (the day's name aside, which is
 * not checked against the date, and the leap second's 60); and the time
 * the first eight bytes give, written in each form, reads back as that
 * time (RFC 850's two digits only within 50 years of now).
 */

#define main cgi2scgi_main
int	cgi2scgi_main(int, char *[]);
#include "../cgi2scgi.c"
#undef main

#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const wdays[] = { "Sunday", "Monday", "Tuesday",
    "Wednesday", "Thursday", "Friday", "Saturday" };
static const char *const mons[] = { "Jan", "Feb", "Mar", "Apr", "May",
    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

enum { IMF, RFC850, ASCTIME };

/* t in form into buf; the day's whole name for RFC 850. */
static void
write_date(char *buf, size_t cap, long long t, int form)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL)
		abort();
	if (form == IMF)
		snprintf(buf, cap, "%.3s, %02d %s %04d %02d:%02d:%02d GMT",
		    wdays[tm.tm_wday], tm.tm_mday, mons[tm.tm_mon],
		    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	else if (form == RFC850)
		snprintf(buf, cap, "%s, %02d-%s-%02d %02d:%02d:%02d GMT",
		    wdays[tm.tm_wday], tm.tm_mday, mons[tm.tm_mon],
		    (tm.tm_year + 1900) % 100, tm.tm_hour, tm.tm_min, tm.tm_sec);
	else
		snprintf(buf, cap, "%.3s %s %2d %02d:%02d:%02d %04d",
		    wdays[tm.tm_wday], mons[tm.tm_mon], tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
}

/* s, taken as t: what follows its day's name, as the reference has it. */
static void
check_taken(char *s, long long t)
{
	char		 want[128];
	char		*sec, *day;
	int		 form;

	form = s[3] == ',' ? IMF : s[3] == ' ' ? ASCTIME : RFC850;
	/* The seconds: before " GMT", or asctime's before " yyyy". */
	sec = s + strlen(s) - (form == ASCTIME ? 7 : 6);
	if (memcmp(sec, "60", 2) == 0) {	/* a leap second: 59, and t+1 */
		memcpy(sec, "59", 2);
		t--;
	}
	if (form == ASCTIME && s[8] == '0')	/* 2DIGIT, or SP DIGIT */
		s[8] = ' ';
	write_date(want, sizeof(want), t, form);
	day = strchr(s, form == ASCTIME ? ' ' : ',');
	if (strcmp(day, strchr(want, form == ASCTIME ? ' ' : ',')) != 0)
		abort();
}

/* t, written in each form, is read back as t. */
static void
check_written(long long t)
{
	char		 buf[128];
	struct tm	 now, tm;
	time_t		 clock = time(NULL), tt = (time_t)t;
	long long	 got;
	int		 form;

	if (gmtime_r(&clock, &now) == NULL || gmtime_r(&tt, &tm) == NULL)
		abort();
	for (form = IMF; form <= ASCTIME; form++) {
		if (form == RFC850 && (tm.tm_year > now.tm_year + 50 ||
		    tm.tm_year <= now.tm_year + 50 - 100))
			continue;
		write_date(buf, sizeof(buf), t, form);
		if (http_date(buf, &got) != 0 || got != t)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char		 s[256];
	unsigned long long	 raw = 0;
	long long		 t;
	/* 0000-01-01 to 9999-12-31 23:59:59: four digits of year. */
	const long long		 min = -62167219200LL, span = 253402300800LL - min;

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';		/* a NUL inside ends it, as in environ */
	if (http_date(s, &t) == 0)
		check_taken(s, t);
	if (size >= 8) {
		memcpy(&raw, data, 8);
		check_written(min + (long long)(raw % (unsigned long long)span));
	}
	return 0;
}
