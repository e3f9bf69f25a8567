/*
 * hx_accel.c: accel as a child process: start with the harness defaults,
 * wait for its listening lines, stop it, read its stderr and counters.
 */
#include "tests/integration/hx_internal.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* ------------------------------------------------------------------ */
/* accel process                                                       */

#define HX_MAX_ACCELS 64 /* per test (test_vcl_realworld starts one per corpus file) */
static struct hx_accel *accels[HX_MAX_ACCELS];
static char *extra_env[8];

void
hx_accel_env(const char *kv)
{
	int i;

	if (kv == NULL) {
		for (i = 0; i < 8; i++) {
			free(extra_env[i]);
			extra_env[i] = NULL;
		}
		return;
	}
	for (i = 0; i < 8; i++)
		if (extra_env[i] == NULL) {
			extra_env[i] = strdup(kv);
			return;
		}
}

static void
accel_release(void *p)
{
	struct hx_accel *a = p;
	int i;

	if (!a->exited && a->pid > 0) {
		kill(a->pid, SIGKILL);
		waitpid(a->pid, NULL, 0);
		watch_del(a->pid);
		a->exited = 1;
	}
	if (a->dir != NULL && getenv("HX_KEEP") == NULL)
		nftw(a->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (i = 0; i < HX_MAX_ACCELS; i++)
		if (accels[i] == a)
			accels[i] = NULL;
}

void
teardown_accels(void)
{
	int i;

	for (i = 0; i < HX_MAX_ACCELS; i++) {
		struct hx_accel *a = accels[i];

		if (a == NULL || a->exited)
			continue;
		print_error("harness: accel pid %d still running at the end of "
		    "the test; killing it. Its stderr:\n", (int)a->pid);
		hx_accel_dump_log(a, 60);
		kill(a->pid, SIGKILL);
		waitpid(a->pid, NULL, 0);
		watch_del(a->pid);
		a->exited = 1;
	}
	hx_accel_env(NULL);
}

static char *
read_file(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (f != NULL) {
		for (;;) {
			size_t r;

			if (cap - len < 65536) {
				cap = cap ? cap * 2 : 65536;
				buf = xrealloc(buf, cap + 1);
			}
			r = fread(buf + len, 1, cap - len, f);
			len += r;
			if (r == 0)
				break;
		}
		fclose(f);
	}
	{
		char *s = hx_memdup(buf ? buf : "", buf ? len : 0);

		free(buf);
		if (lenp)
			*lenp = buf ? len : 0;
		return s;
	}
}

const char *
hx_accel_log(struct hx_accel *a)
{
	return read_file(a->stderr_path, NULL);
}

void
hx_accel_dump_log(struct hx_accel *a, int max_lines)
{
	const char *log = hx_accel_log(a);
	const char *p = log + strlen(log);
	int n = 0;

	while (p > log && n <= max_lines) {
		p--;
		if (*p == '\n' && p[1] != 0)
			n++;
	}
	if (n > max_lines)
		p++;
	print_error("---- accel stderr (%s) ----\n%s%s---- end ----\n",
	    a->stderr_path, p, (*log && log[strlen(log) - 1] != '\n') ? "\n" : "");
}

/* Split s on spaces into a NULL-terminated argv (arena). */
static char **
split_args(const char *s, int *argc)
{
	char *copy = hx_strdup(s), *save = NULL, *tok;
	char **v = hx_alloc((strlen(s) / 2 + 2) * sizeof(*v));
	int n = 0;

	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		v[n++] = tok;
	v[n] = NULL;
	*argc = n;
	return v;
}

static const char state_sentinel[] = "(state dir)";

static struct hx_accel *
accel_spawn(char **argv)
{
	struct hx_accel *a = hx_alloc(sizeof(*a));
	char tmpl[] = "/tmp/accel-it-XXXXXX";
	const char *bin = getenv("ACCEL_BIN");
	char **envp;
	int i, n, e, fdo, fde, fdi;
	pid_t pid;

	if (bin == NULL)
		bin = "build/san/accel";
	if (mkdtemp(tmpl) == NULL)
		abort();
	a->dir = hx_strdup(tmpl);
	mkdir(hx_printf("%s/state", a->dir), 0700);
	a->stderr_path = hx_printf("%s/stderr", a->dir);
	a->stdout_path = hx_printf("%s/stdout", a->dir);
	argv[0] = (char *)bin;
	for (i = 1; argv[i] != NULL; i++)
		if (argv[i] == state_sentinel)
			argv[i] = hx_printf("%s/state", a->dir);
	for (n = 0; environ[n]; n++)
		;
	envp = hx_alloc((size_t)(n + 9) * sizeof(*envp));
	for (i = 0, e = 0; i < n; i++) {
		int overridden = 0;

		for (int k = 0; k < 8 && extra_env[k]; k++) {
			size_t nl = strcspn(extra_env[k], "=");

			if (strncmp(environ[i], extra_env[k], nl) == 0 &&
			    environ[i][nl] == '=')
				overridden = 1;
		}
		if (!overridden)
			envp[e++] = environ[i];
	}
	for (int k = 0; k < 8 && extra_env[k]; k++)
		envp[e++] = extra_env[k];
	envp[e] = NULL;
	fdo = open(a->stdout_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	fde = open(a->stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	fdi = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fdo < 0 || fde < 0 || fdi < 0)
		abort();
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fdi, 0);
		dup2(fdo, 1);
		dup2(fde, 2);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGALRM, SIG_DFL);
		execve(bin, argv, envp);
		if (write(2, "harness: exec failed\n", 21) < 0) {
			/* nothing */
		}
		_exit(127);
	}
	close(fdo);
	close(fde);
	close(fdi);
	a->pid = pid;
	watch_add(pid);
	for (i = 0; i < HX_MAX_ACCELS; i++)
		if (accels[i] == NULL) {
			accels[i] = a;
			break;
		}
	if (i == HX_MAX_ACCELS)
		abort();
	hx_defer(accel_release, a);
	return a;
}

struct hx_accel *
hx_accel_spawn(const char *fmt, ...)
{
	va_list ap;
	char *args;
	char **v, **argv;
	int argc, i;

	va_start(ap, fmt);
	args = hx_vprintf(fmt, ap);
	va_end(ap);
	v = split_args(args, &argc);
	argv = hx_alloc((size_t)(argc + 2) * sizeof(*argv));
	for (i = 0; i < argc; i++)
		argv[i + 1] = v[i];
	argv[argc + 1] = NULL;
	return accel_spawn(argv);
}

static void
status_from_wait(struct hx_accel *a, int st)
{
	a->exited = 1;
	watch_del(a->pid);
	if (WIFEXITED(st))
		a->status = WEXITSTATUS(st);
	else if (WIFSIGNALED(st))
		a->status = 128 + WTERMSIG(st);
	else
		a->status = 255;
}

int
hx_accel_wait(struct hx_accel *a, int ms)
{
	int64_t deadline = hx_now_ms() + ms;
	int st;

	if (a->exited)
		return a->status;
	for (;;) {
		pid_t r = waitpid(a->pid, &st, WNOHANG);

		if (r == a->pid) {
			status_from_wait(a, st);
			return a->status;
		}
		if (hx_now_ms() >= deadline)
			return -1;
		hx_sleep_ms(5);
	}
}

struct hx_accel *
hx_accel_start_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char *args;
	char **v, **argv;
	int argc, i, n = 1, has_a = 0, has_t = 0, has_n = 0, want;
	struct hx_accel *a;
	int64_t deadline;

	va_start(ap, fmt);
	args = hx_vprintf(fmt, ap);
	va_end(ap);
	v = split_args(args, &argc);
	for (i = 0; i < argc; i++) {
		has_a += strcmp(v[i], "-a") == 0;
		has_t += strcmp(v[i], "-t") == 0;
		has_n += strcmp(v[i], "-n") == 0;
	}
	argv = hx_alloc((size_t)(argc + 8) * sizeof(*argv));
	if (!has_a) {
		argv[n++] = "-a";
		argv[n++] = "127.0.0.1:0";
	}
	if (!has_t) {
		argv[n++] = "-t";
		argv[n++] = "2";
	}
	if (!has_n) {
		argv[n++] = "-n";
		argv[n++] = (char *)state_sentinel;
	}
	for (i = 0; i < argc; i++)
		argv[n++] = v[i];
	argv[n] = NULL;
	want = has_a ? has_a : 1;
	a = accel_spawn(argv);
	/* wait for the listening lines */
	deadline = hx_now_ms() + 5000;
	for (;;) {
		const char *log = hx_accel_log(a), *p = log;
		int got = 0;

		while ((p = strstr(p, "accel: listening on ")) != NULL) {
			const char *eol = strchr(p, '\n'), *colon;

			if (eol == NULL)
				break;
			colon = p + strlen("accel: listening on ");
			{
				const char *last = NULL, *x;

				for (x = colon; x < eol; x++)
					if (*x == ':')
						last = x;
				if (last != NULL && got < HX_MAX_PORTS)
					a->ports[got++] = atoi(last + 1);
			}
			p = eol;
		}
		if (got >= want) {
			a->nports = got;
			a->port = a->ports[0];
			return a;
		}
		if (hx_accel_wait(a, 0) >= 0) {
			hx_accel_dump_log(a, 60);
			hx_fail_at(file, line, "accel exited with status %d before "
			    "listening (args: %s)", a->status, args);
		}
		if (hx_now_ms() >= deadline) {
			hx_accel_dump_log(a, 60);
			hx_fail_at(file, line, "accel did not print %d listening "
			    "line(s) within 5 s (args: %s)", want, args);
		}
		hx_sleep_ms(10);
	}
}

static void
load_counters(struct hx_accel *a)
{
	const char *log = hx_accel_log(a), *p = log, *last = NULL;

	a->log = (char *)log;
	while ((p = strstr(p, "accel: counters")) != NULL) {
		if (p == log || p[-1] == '\n')
			last = p;
		p++;
	}
	if (last != NULL) {
		const char *eol = strchr(last, '\n');

		a->counters_line = hx_memdup(last,
		    eol ? (size_t)(eol - last) : strlen(last));
	}
}

void
hx_accel_signal(struct hx_accel *a, int sig)
{
	if (!a->exited)
		kill(a->pid, sig);
}

int
hx_accel_stop_at(struct hx_accel *a, int sig, int ms, const char *file,
    int line)
{
	if (!a->exited) {
		kill(a->pid, sig);
		if (hx_accel_wait(a, ms) < 0) {
			hx_accel_dump_log(a, 60);
			kill(a->pid, SIGKILL);
			hx_accel_wait(a, 5000);
			hx_fail_at(file, line, "accel did not exit within %d ms "
			    "of signal %d", ms, sig);
		}
	}
	load_counters(a);
	return a->status;
}

void
hx_accel_stop_ok_at(struct hx_accel *a, const char *file, int line)
{
	int st = hx_accel_stop_at(a, SIGTERM, 15000, file, line);

	if (st != 0) {
		hx_accel_dump_log(a, 80);
		hx_fail_at(file, line, "accel exited with status %d, want 0%s", st,
		    st > 128 ? " (killed by a signal: a sanitizer abort?)" : "");
	}
	if (a->counters_line == NULL) {
		hx_accel_dump_log(a, 30);
		hx_fail_at(file, line, "accel printed no \"accel: counters\" line "
		    "at exit");
	}
	/* a malformed request reaching an origin is always accel's fault */
	for (int i = 0; i < HX_MAX_ORIGINS; i++) {
		const char *e;

		if (origins[i] == NULL)
			continue;
		e = hx_origin_errors(origins[i]);
		if (e != NULL)
			hx_fail_at(file, line, "origin :%d saw malformed traffic from "
			    "accel:\n%s", origins[i]->port, origin_describe(origins[i]));
	}
}

uint64_t
hx_counter_at(struct hx_accel *a, const char *name, const char *file, int line)
{
	const char *p;
	char *key = hx_printf(" %s=", name);

	if (a->counters_line == NULL)
		load_counters(a);
	if (a->counters_line == NULL)
		hx_fail_at(file, line, "no counters line in accel's stderr "
		    "(stop accel first)");
	p = strstr(a->counters_line, key);
	if (p == NULL)
		hx_fail_at(file, line, "counter %s absent from: %s", name,
		    a->counters_line);
	return strtoull(p + strlen(key), NULL, 10);
}

int
hx_accel_log_count(struct hx_accel *a, const char *needle)
{
	const char *log = hx_accel_log(a), *p = log;
	int n = 0;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t l = eol ? (size_t)(eol - p) : strlen(p);

		if (memmem(p, l, needle, strlen(needle)) != NULL)
			n++;
		p += l + (eol ? 1 : 0);
	}
	return n;
}

void
hx_accel_wait_log_at(struct hx_accel *a, const char *needle, int n, int ms,
    const char *file, int line)
{
	int64_t deadline = hx_now_ms() + ms;

	for (;;) {
		if (hx_accel_log_count(a, needle) >= n)
			return;
		if (hx_now_ms() >= deadline) {
			hx_accel_dump_log(a, 40);
			hx_fail_at(file, line, "accel's stderr did not get %d "
			    "line(s) with \"%s\" within %d ms", n, needle, ms);
		}
		hx_sleep_ms(10);
	}
}

long
hx_accel_mem_kb(struct hx_accel *a, const char *field)
{
	char path[64];
	FILE *f;
	char line[256];
	long v = -1;
	size_t fl = strlen(field);

	snprintf(path, sizeof(path), "/proc/%d/status", (int)a->pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, fl) == 0 && line[fl] == ':') {
			v = strtol(line + fl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}
