/*
 * main.c: flags, listening sockets, worker threads and the signals that
 * stop them. Everything that can fail on bad input fails here, before any
 * thread starts, with one line on stderr and exit status 2.
 */
#include "accel/accel.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>


static void
usage(void)
{
	printf("usage: accel [options]\n"
	       "  -a ADDR:PORT   listen address (repeatable; default 127.0.0.1:6081;\n"
	       "                 port 0 lets the kernel choose; IPv6 as [::1]:PORT)\n"
	       "  -b HOST:PORT   backend (repeatable: round-robin, skipping failing ones);\n"
	       "                 not with -f: accel generates the VCL (-C -d prints it)\n"
	       "  -t N           worker threads (default: one per core)\n"
	       "  -n DIR         state directory (default ./var)\n"
	       "  -s mem=SIZE[,policy=s3fifo|slru|lru]\n"
	       "                 the memory tier (default mem=256M)\n"
	       "  -s lmdb=DIR[,SIZE][,sync=on|off][,chunk=SIZE][,promote=SIZE]\n"
	       "                 the disk tier, behind memory (default: lmdb=DIR/store\n"
	       "                 in the -n directory; lmdb=off for none). -s repeats:\n"
	       "                 -s mem=256M -s lmdb=/srv/cache,200G\n"
	       "  -f FILE        the VCL program (docs/vcl.md); SIGHUP loads it again\n"
	       "  -C             check the VCL (-f FILE, -b's, or the built-in one) and\n"
	       "                 exit: 0 when it has no error, 2 otherwise\n"
	       "  -d             with -C: print the compiled program on stdout\n"
	       "  -p NAME=VALUE  set a parameter (see below; repeatable)\n"
	       "  -V             print the version and exit\n"
	       "  -h             this help\n\n");
	prm_usage();
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;
	fputs("accel: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* Split "host:port" or "[v6]:port"; host "" or "*" means any address. */
static void
split_hostport(const char *spec, char *host, size_t hl, char *port, size_t pl)
{
	const char *c;
	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');
		if (rb == NULL || rb[1] != ':' || (size_t)(rb - spec) > hl)
			die("-a %s: expected [IPv6]:PORT", spec);
		snprintf(host, hl, "%.*s", (int)(rb - spec - 1), spec + 1);
		c = rb + 1;
	} else {
		c = strrchr(spec, ':');
		if (c == NULL || (size_t)(c - spec) >= hl)
			die("-a %s: expected ADDR:PORT", spec);
		snprintf(host, hl, "%.*s", (int)(c - spec), spec);
	}
	if (c[1] == '\0' || strspn(c + 1, "0123456789") != strlen(c + 1) ||
	    atoi(c + 1) > 65535)
		die("-a %s: bad port", spec);
	snprintf(port, pl, "%s", c + 1);
}

/* Bind one SO_REUSEPORT socket per worker for `spec`; all share a port
 * (the kernel's choice when the port is 0). */
static void
open_listen(const char *spec, int *fds)
{
	char host[256], port[16];
	split_hostport(spec, host, sizeof host, port, sizeof port);
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE},
			*res;
	int rc = getaddrinfo(host[0] && strcmp(host, "*") ? host : NULL, port,
	    &hints, &res);
	if (rc != 0)
		die("-a %s: %s", spec, gai_strerror(rc));
	struct sockaddr_storage ss;
	socklen_t sl = res->ai_addrlen;
	memcpy(&ss, res->ai_addr, sl);
	freeaddrinfo(res);
	for (unsigned w = 0; w < nworkers; w++) {
		int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		int one = 1;
		if (fd < 0)
			die("-a %s: socket: %s", spec, strerror(errno));
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
		if (bind(fd, (struct sockaddr *)&ss, sl) != 0)
			die("-a %s: cannot bind: %s", spec, strerror(errno));
		if (listen(fd, 1024) != 0)
			die("-a %s: cannot listen: %s", spec, strerror(errno));
		if (w == 0) /* learn the kernel's port for the others */
			(void)getsockname(fd, (struct sockaddr *)&ss, &sl);
		fds[w] = fd;
	}
	char h[NI_MAXHOST], p[NI_MAXSERV];
	(void)getnameinfo((struct sockaddr *)&ss, sl, h, sizeof h, p, sizeof p,
	    NI_NUMERICHOST | NI_NUMERICSERV);
	fprintf(stderr, ss.ss_family == AF_INET6 ? "accel: listening on [%s]:%s\n"
						 : "accel: listening on %s:%s\n",
	    h, p);
}

static void
print_counters(void)
{
	struct counters sum;
	memset(&sum, 0, sizeof sum);
	for (unsigned w = 0; w < nworkers; w++) {
#define X(name, help) sum.name += workers[w].ctr.name;
		COUNTER_LIST(X)
#undef X
	}
	fprintf(stderr, "accel: counters");
#define X(name, help) fprintf(stderr, " %s=%llu", #name, (unsigned long long)sum.name);
	COUNTER_LIST(X)
#undef X
	/* The storage tier's own counters, as sto_* (objects, evictions...). */
	if (cache_tier != NULL) {
		struct sto_stats st;
		sto_stats(cache_tier, &st);
#define X(name, help) fprintf(stderr, " sto_%s=%llu", #name, (unsigned long long)st.name);
		STO_STATS_LIST(X)
#undef X
	}
	/* The disk tier's, as lmdb_*. */
	if (cache_disk != NULL) {
		struct sto_stats st;
		struct sto_lmdb_stats ls;
		sto_stats(cache_disk, &st);
		sto_lmdb_stats(cache_disk, &ls);
#define X(name, help) fprintf(stderr, " lmdb_%s=%llu", #name, (unsigned long long)st.name);
		STO_STATS_LIST(X)
#undef X
#define X(name, help) fprintf(stderr, " lmdb_%s=%llu", #name, (unsigned long long)ls.name);
		STO_LMDB_STATS_LIST(X)
#undef X
	}
	fputc('\n', stderr);
}

int
main(int argc, char **argv)
{
	const char *listen_specs[MAX_LISTEN];
	unsigned nlisten = 0;
	const char *state_dir = "./var";
	const char *storage[4];
	unsigned nstorage = 0;
	long threads = sysconf(_SC_NPROCESSORS_ONLN);
	char err[512];
	const char *vcl_file = NULL;
	int opt, check_only = 0, dump = 0;
	unsigned nb = 0;

	setvbuf(stderr, NULL, _IOLBF, 0);
	/* Before any thread (the disk tier's writer, the workers) starts, so
	 * that every thread inherits the mask: a process signal must never
	 * land on a thread that would take its default action (SIGTERM or
	 * SIGHUP killing accel while the main thread is busy, reloading or
	 * starting). They wait for the sigwait loop at the end. */
	signal(SIGPIPE, SIG_IGN);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	prm_defaults(&prm);
	opterr = 0;
	while ((opt = getopt(argc, argv, "a:b:t:n:p:s:f:CdVh")) != -1) {
		switch (opt) {
		case 'a':
			if (nlisten == MAX_LISTEN)
				die("-a: at most %d listen addresses", MAX_LISTEN);
			listen_specs[nlisten++] = optarg;
			break;
		case 'b':
			if (acc_vcl_backend_spec(optarg, err, sizeof err) != 0)
				die("%s", err);
			nb++;
			break;
		case 't': {
			char *end;
			threads = strtol(optarg, &end, 10);
			if (*end != '\0' || threads < 1 || threads > 256)
				die("-t %s: expected 1..256", optarg);
			break;
		}
		case 'n': state_dir = optarg; break;
		case 's':
			if (nstorage == ARRAY_LEN(storage))
				die("-s %s: too many -s", optarg);
			storage[nstorage++] = optarg;
			break;
		case 'p':
			if (prm_set(&prm, optarg, err, sizeof err) != 0)
				die("%s", err);
			break;
		case 'f': vcl_file = optarg; break;
		case 'C': check_only = 1; break;
		case 'd': dump = 1; break;
		case 'V': printf("accel %s\n", ACCEL_VERSION); return (0);
		case 'h': usage(); return (0);
		default:
			if (optopt != 0 && strchr("abtnpsf", optopt) != NULL)
				die("-%c needs a value (accel -h)", optopt);
			die("unknown flag -%c (accel -h lists them)", optopt ? optopt : '?');
		}
	}
	if (optind < argc)
		die("unexpected argument '%s' (accel -h)", argv[optind]);
	/* As varnishd: the backends come from the VCL or from -b, whose
	 * program is generated (accel -C -d -b ... prints it). */
	if (nb > 0 && vcl_file != NULL)
		die("-b and -f do not go together: declare the backends in "
		    "the VCL file, or give -b alone");
	if (check_only)
		return (acc_vcl_check(vcl_file, dump));
	if (dump)
		die("-d goes with -C (accel -h)");
	if (nb == 0 && vcl_file == NULL)
		die("no backend: give one with -b HOST:PORT, or a VCL program "
		    "with -f FILE");
	if (nlisten == 0)
		listen_specs[nlisten++] = "127.0.0.1:6081";
	if (prm.max_headers < 1 || prm.max_headers > 10000)
		die("-p max_headers: expected 1..10000");
	if (prm.max_head < 64 || prm.max_head > (64u << 20))
		die("-p max_head: expected 64..64m");
	if (mkdir(state_dir, 0755) != 0 && errno != EEXIST)
		die("-n %s: %s", state_dir, strerror(errno));
	if (log_open(prm.access_log, err, sizeof err) != 0)
		die("%s", err);
	sto_panic_hook = acc_panic;
	/* A file size limit (ulimit -f) is a full disk to the store's writer
	 * (EFBIG: it evicts), not a reason to die. */
	signal(SIGXFSZ, SIG_IGN);
	nworkers = (unsigned)threads; /* the program counts work per worker */
	if (acc_vcl_init(vcl_file, err, sizeof err) != 0)
		die("%s", err);
	if (cache_init(storage, nstorage, state_dir, err, sizeof err) != 0)
		die("%s", err);

	/* Every client holds a descriptor (and may hold an origin one): raise the soft fd
	 * limit to the hard one, and say so when max_connections cannot fit
	 * (accept then pauses on EMFILE rather than spinning). */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur != RLIM_INFINITY &&
		    prm.max_connections + 64 > rl.rlim_cur)
			fprintf(stderr, "accel: warning: max_connections=%llu needs about "
			    "%llu file descriptors, the limit is %llu\n",
			    (unsigned long long)prm.max_connections,
			    (unsigned long long)(prm.max_connections + 64),
			    (unsigned long long)rl.rlim_cur);
	}

	workers = calloc(nworkers, sizeof *workers);
	AN(workers);
	int lfds[MAX_LISTEN][256];
	for (unsigned i = 0; i < nlisten; i++)
		open_listen(listen_specs[i], lfds[i]);


	for (unsigned w = 0; w < nworkers; w++) {
		int fds[MAX_LISTEN];
		for (unsigned i = 0; i < nlisten; i++)
			fds[i] = lfds[i][w];
		if (wrk_init(&workers[w], w, fds, nlisten) != 0)
			die("cannot create worker %u", w);
		if (pthread_create(&workers[w].thr, NULL, wrk_thread, &workers[w]) != 0)
			die("cannot start worker %u", w);
	}

	/* SIGHUP: load the VCL again; the workers switch at their next
	 * request, and the kick makes an idle one let go of the old program. */
	int sig = 0;
	for (;;) {
		while (sigwait(&set, &sig) != 0)
			;
		if (sig != SIGHUP)
			break;
		if (acc_vcl_reload() == 0)
			for (unsigned w = 0; w < nworkers; w++)
				wrk_kick(&workers[w]);
	}
	fprintf(stderr, "accel: signal %d: draining\n", sig);
	for (unsigned w = 0; w < nworkers; w++)
		wrk_signal_drain(&workers[w]);
	for (unsigned w = 0; w < nworkers; w++)
		pthread_join(workers[w].thr, NULL);
	cache_flush();
	print_counters();
	for (unsigned w = 0; w < nworkers; w++)
		wrk_fini(&workers[w]);
	free(workers);
	cache_fini();
	acc_vcl_fini();
	log_close();
	return (0);
}
