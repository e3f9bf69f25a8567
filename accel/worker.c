/*
 * worker.c: one thread per core, each with its own libevent base and its
 * own SO_REUSEPORT listening sockets, so the kernel spreads connections and
 * no request ever crosses threads. The main thread talks to a worker only
 * through its eventfd (drain).
 */
#include "accel/accel.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

struct worker *workers;
unsigned nworkers;
atomic_uint n_conns;

static _Thread_local struct worker *tl_wrk;

struct worker *
wrk_self(void)
{
	return (tl_wrk);
}

/* Wake wrk's parked requests: an event_active on our own thread, else
 * one eventfd write until wrk has run its kick (`kicked`). */
void
wrk_kick(struct worker *wrk)
{
	if (atomic_exchange(&wrk->kicked, 1) != 0)
		return;
	if (wrk == tl_wrk) {
		event_active(wrk->kick_ev, EV_READ, 0);
		return;
	}
	uint64_t one = 1;
	(void)!write(wrk->kick_fd, &one, sizeof one);
}

static void
wrk_kicked(evutil_socket_t fd, short what, void *priv)
{
	struct worker *wrk = priv;
	uint64_t v;
	(void)what;
	(void)!read(fd, &v, sizeof v);
	/* Before the walk: a publish during it kicks us again. */
	atomic_store(&wrk->kicked, 0);
	acc_vcl_wrk_sync(wrk); /* a reload: let go of the old program */
	cache_wake_all(wrk);
}

double
now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec * 1e-9);
}

double
now_real(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec * 1e-9);
}

size_t
ws_size(void)
{
	return ((size_t)prm.max_head +
	    ((size_t)prm.max_headers + RESP_MAX_HDRS) * sizeof(struct h1_hdr) +
	    8192);
}

char *
wrk_ws_get(struct worker *wrk)
{
	if (wrk->nws_free > 0)
		return (wrk->ws_free[--wrk->nws_free]);
	return (malloc(ws_size()));
}

void
wrk_ws_put(struct worker *wrk, char *mem)
{
	if (mem == NULL)
		return;
	if (wrk->nws_free < ARRAY_LEN(wrk->ws_free))
		wrk->ws_free[wrk->nws_free++] = mem;
	else
		free(mem);
}

ssize_t
buf_read_copy(struct evbuffer *b, int fd)
{
	static _Thread_local char rb[16384];
	ssize_t n;
	do
		n = read(fd, rb, sizeof rb);
	while (n < 0 && errno == EINTR);
	if (n > 0 && evbuffer_add(b, rb, (size_t)n) != 0) {
		errno = ENOMEM;
		return (-1);
	}
	return (n);
}

ssize_t
buf_read(struct evbuffer *b, int fd, size_t max)
{
	struct evbuffer_iovec v[2];
	int nv = evbuffer_reserve_space(b, (ev_ssize_t)max, v, 2);
	if (nv < 1)
		return (-1);
	struct iovec iov[2];
	for (int i = 0; i < nv; i++) {
		iov[i].iov_base = v[i].iov_base;
		iov[i].iov_len = v[i].iov_len;
	}
	ssize_t n;
	do
		n = readv(fd, iov, nv);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		evbuffer_commit_space(b, v, 0);
		return (n);
	}
	size_t left = (size_t)n;
	for (int i = 0; i < nv; i++) {
		size_t take = left < v[i].iov_len ? left : v[i].iov_len;
		v[i].iov_len = take;
		left -= take;
	}
	AZ(evbuffer_commit_space(b, v, nv));
	return (n);
}

/* New client connections: accept in a batch, refuse past the cap. */
static void
wrk_accept(evutil_socket_t lfd, short what, void *priv)
{
	struct worker *wrk;
	CAST_OBJ_NOTNULL(wrk, (struct worker *)priv, WORKER_MAGIC);
	for (int i = 0; i < 64 && !wrk->draining; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				struct timeval tv = {0, 100000};
				for (unsigned k = 0; k < wrk->nlisten; k++)
					if (wrk->lev[k] != NULL)
						event_del(wrk->lev[k]);
				evtimer_add(wrk->accept_pause_ev, &tv);
			}
			return;
		}
		if (atomic_fetch_add(&n_conns, 1) >= prm.max_connections) {
			atomic_fetch_sub(&n_conns, 1);
			wrk->ctr.sess_refused++;
			close(fd);
			continue;
		}
		int one = 1;
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		wrk->ctr.sess_accepted++;
		sess_new(wrk, fd, (struct sockaddr *)&ss);
	}
}

static void
wrk_accept_resume(evutil_socket_t fd, short what, void *priv)
{
	struct worker *wrk = priv;
	for (unsigned k = 0; k < wrk->nlisten; k++)
		if (wrk->lev[k] != NULL)
			event_add(wrk->lev[k], NULL);
}

static void
wrk_log_tick(evutil_socket_t fd, short what, void *priv)
{
	struct worker *wrk = priv;
	log_flush(wrk);
}

/* The drain deadline passed: close whatever is left and stop. */
static void
wrk_drain_timeout(evutil_socket_t fd, short what, void *priv)
{
	struct worker *wrk = priv;
	struct sess *sp;
	while ((sp = TAILQ_FIRST(&wrk->sessions)) != NULL) {
		if (sp->state == SS_BUSY)
			req_client_error(&sp->req); /* logs it, closes */
		else
			sess_close(sp);
	}
	fetch_abort_detached(wrk);
	event_base_loopexit(wrk->base, NULL);
}

/* Stop when draining and nothing is in flight. */
static void
wrk_maybe_exit(struct worker *wrk)
{
	if (wrk->draining && wrk->nsess == 0 && wrk->ndetached == 0)
		event_base_loopexit(wrk->base, NULL);
}

static void
wrk_ctl(evutil_socket_t fd, short what, void *priv)
{
	struct worker *wrk = priv;
	uint64_t v;
	if (read(fd, &v, sizeof v) != sizeof v)
		return;
	if (wrk->draining)
		return;
	wrk->draining = 1;
	evtimer_del(wrk->accept_pause_ev);
	for (unsigned i = 0; i < wrk->nlisten; i++) {
		event_free(wrk->lev[i]);
		wrk->lev[i] = NULL;
		close(wrk->lfd[i]);
		wrk->lfd[i] = -1;
	}
	fetch_pool_close_all(wrk);
	struct timeval tv = {(time_t)prm.drain_timeout,
	    (suseconds_t)((prm.drain_timeout - (time_t)prm.drain_timeout) * 1e6)};
	wrk->drain_ev = evtimer_new(wrk->base, wrk_drain_timeout, wrk);
	evtimer_add(wrk->drain_ev, &tv);
	sess_drain_all(wrk);
	wrk_maybe_exit(wrk);
}

/* Called by sess_close: the last session of a draining worker ends it. */
void
wrk_sess_gone(struct worker *wrk)
{
	wrk_maybe_exit(wrk);
}

void
wrk_detached_gone(struct worker *wrk)
{
	wrk_maybe_exit(wrk);
}

int
wrk_init(struct worker *wrk, unsigned id, const int *lfds, unsigned nl)
{
	memset(wrk, 0, sizeof *wrk);
	wrk->magic = WORKER_MAGIC;
	wrk->id = id;
	TAILQ_INIT(&wrk->sessions);
	TAILQ_INIT(&wrk->waiting);
	TAILQ_INIT(&wrk->detached);
	wrk->kick_fd = -1;
	for (unsigned i = 0; i < MAX_BACKENDS; i++)
		TAILQ_INIT(&wrk->pools[i].idle);
	struct event_config *cfg = event_config_new();
	event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
	/* Interest changes are applied once per loop iteration, so the
	 * read/write toggling of a request costs no epoll_ctl when it ends
	 * where it began (we never dup() descriptors, the changelist's one
	 * caveat). */
	event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	wrk->base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (wrk->base == NULL)
		return (-1);
	wrk->nlisten = nl;
	for (unsigned i = 0; i < nl; i++) {
		wrk->lfd[i] = lfds[i];
		wrk->lev[i] = event_new(wrk->base, lfds[i], EV_READ | EV_PERSIST,
		    wrk_accept, wrk);
		event_add(wrk->lev[i], NULL);
	}
	wrk->ctl_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (wrk->ctl_fd < 0)
		return (-1);
	wrk->ctl_ev = event_new(wrk->base, wrk->ctl_fd, EV_READ | EV_PERSIST,
	    wrk_ctl, wrk);
	event_add(wrk->ctl_ev, NULL);
	wrk->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (wrk->kick_fd < 0)
		return (-1);
	wrk->kick_ev = event_new(wrk->base, wrk->kick_fd, EV_READ | EV_PERSIST,
	    wrk_kicked, wrk);
	event_add(wrk->kick_ev, NULL);
	wrk->accept_pause_ev = evtimer_new(wrk->base, wrk_accept_resume, wrk);
	wrk->log_ev = event_new(wrk->base, -1, EV_PERSIST, wrk_log_tick, wrk);
	struct timeval tv = {0, 200000};
	event_add(wrk->log_ev, &tv);
	return (0);
}

void *
wrk_thread(void *priv)
{
	struct worker *wrk = priv;
	tl_wrk = wrk;
	event_base_dispatch(wrk->base);
	/* A loop that stopped (drain timeout) may leave fills behind. */
	fetch_abort_detached(wrk);
	log_flush(wrk);
	wrk->ctr.log_dropped += wrk->log.len; /* what a stuck reader never got */
	wrk->log.len = 0;
	return (NULL);
}

/* Tell a worker to drain (from the main thread). */
void
wrk_signal_drain(struct worker *wrk)
{
	uint64_t one = 1;
	(void)!write(wrk->ctl_fd, &one, sizeof one);
}

/* Free what a stopped worker holds (after its thread is joined). */
void
wrk_fini(struct worker *wrk)
{
	fetch_pool_close_all(wrk);
	acc_vcl_wrk_fini(wrk);
	for (unsigned i = 0; i < wrk->nlisten; i++) {
		if (wrk->lev[i] != NULL)
			event_free(wrk->lev[i]);
		if (wrk->lfd[i] >= 0)
			close(wrk->lfd[i]);
	}
	if (wrk->drain_ev != NULL)
		event_free(wrk->drain_ev);
	event_free(wrk->accept_pause_ev);
	event_free(wrk->ctl_ev);
	event_free(wrk->log_ev);
	event_free(wrk->kick_ev);
	close(wrk->ctl_fd);
	close(wrk->kick_fd);
	while (wrk->nws_free > 0)
		free(wrk->ws_free[--wrk->nws_free]);
	while (wrk->nbo_free > 0)
		free(wrk->bo_free[--wrk->nbo_free]);
	event_base_free(wrk->base);
}
