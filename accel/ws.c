/* ws.c: the per-request workspace, a bump allocator freed all at once. */
#include "accel/accel.h"

#include <string.h>

void
ws_init(struct ws *ws, char *mem, size_t size)
{
	ws->base = mem;
	ws->size = size;
	ws->used = 0;
	ws->overflow = 0;
}

void
ws_reset(struct ws *ws)
{
	ws->used = 0;
	ws->overflow = 0;
}

/* 8-byte aligned; NULL (and the sticky overflow flag) when full. */
void *
ws_alloc(struct ws *ws, size_t len)
{
	size_t off = (ws->used + 7) & ~(size_t)7;
	if (ws->overflow || off > ws->size || len > ws->size - off) {
		ws->overflow = 1;
		return (NULL);
	}
	ws->used = off + len;
	return (ws->base + off);
}

char *
ws_dup(struct ws *ws, const char *s, size_t len)
{
	char *p = ws_alloc(ws, len + 1);
	if (p == NULL)
		return (NULL);
	memcpy(p, s, len);
	p[len] = '\0';
	return (p);
}
