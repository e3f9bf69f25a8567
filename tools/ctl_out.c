/*
 * ctl_out.c: how accelctl writes: stored bytes made safe for a terminal
 * or a JSON string, sizes and dates for people, and the progress line a
 * long walk shows on a terminal.
 */
#include "tools/ctl.h"

#include "accel/rfc9111.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

void
ctl_put_text(FILE *f, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		/* Stored bytes are not trusted: no escape sequences. */
		if (s[i] < 0x20 || s[i] == 0x7f)
			fprintf(f, "\\x%02x", s[i]);
		else
			fputc(s[i], f);
	}
}

void
ctl_put_json(FILE *f, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (s[i] < 0x20 || s[i] >= 0x7f)
				fprintf(f, "\\u%04x", s[i]);
			else
				fputc(s[i], f);
		}
	}
	fputc('"', f);
}

void
ctl_put_jsonz(FILE *f, const char *s)
{
	ctl_put_json(f, s, strlen(s));
}

char *
ctl_fmt_bytes(uint64_t n, char *buf)
{
	static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
	double v = (double)n;
	unsigned u = 0;

	if (n < 1024) {
		snprintf(buf, 16, "%u B", (unsigned)n);
		return (buf);
	}
	v /= 1024;
	while (v >= 1024 && u + 1 < sizeof unit / sizeof unit[0]) {
		v /= 1024;
		u++;
	}
	snprintf(buf, 16, "%.1f %s", v, unit[u]);
	return (buf);
}

char *
ctl_fmt_date(double t, char *buf)
{
	if (!(t > 0) || rfc_date_fmt(t, buf) < 0)
		snprintf(buf, 32, "-");
	return (buf);
}

long long
ctl_secs(double t)
{
	long long v;

	if (t != t) /* NaN */
		return (0);
	if (t >= 9e18)
		return (9000000000000000000LL);
	if (t <= -9e18)
		return (-9000000000000000000LL);
	v = (long long)t; /* floor, without libm */
	return ((double)v > t ? v - 1 : v);
}

/* ---- progress ---- */

/* At most four updates a second. */
#define CTL_PROG_MS 250

static int64_t
ctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

void
ctl_prog_init(struct ctl_prog *p)
{
	memset(p, 0, sizeof *p);
	p->p_on = isatty(STDERR_FILENO);
}

void
ctl_prog_tick(struct ctl_prog *p)
{
	int64_t now;

	p->p_n++;
	/* The clock only every 256 objects; the first line after 250 ms,
	 * so a short walk shows none. */
	if (!p->p_on || (p->p_n & 255) != 0)
		return;
	now = ctl_now_ms();
	if (p->p_next_ms == 0) {
		p->p_next_ms = now + CTL_PROG_MS;
		return;
	}
	if (now < p->p_next_ms)
		return;
	fprintf(stderr, "\r  %llu objects", (unsigned long long)p->p_n);
	fflush(stderr);
	p->p_shown = 1;
	p->p_next_ms = now + CTL_PROG_MS;
}

void
ctl_prog_end(struct ctl_prog *p)
{
	if (p->p_shown)
		fprintf(stderr, "\r%40s\r", "");
	p->p_shown = 0;
	p->p_n = 0;
	p->p_next_ms = 0;
}
