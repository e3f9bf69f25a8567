/*
 * fetch_int.h: what fetch.c and fetch_body.c share inside the fetch
 * module; nothing else includes it.
 */
#ifndef ACCEL_FETCH_INT_H
#define ACCEL_FETCH_INT_H

#include "accel/accel.h"

/* Read timeouts follow the phase: none while the request is still being
 * sent, first-byte until the head, between-bytes during the body (the
 * fetch's own, bo->tmo_*); an idle pooled connection: backend_idle. */
void vbc_arm_read(struct vbc *vc);
/* A timeout: the fetch's own (VCL set bereq's; negative: not set), else
 * the backend's (its VCL declaration, else -p timeout_*). */
static inline double
fetch_tmo(double own, double be)
{
	return (own >= 0 ? own : be);
}
/* Move response body bytes to the client; pause when its buffer fills.
 * Detached: fetch_pump_fill(bo, 0). */
void fetch_pump_resp(struct busyobj *bo);
/* Detached: move the body into the object at the origin's pace (eof: the
 * origin closed). The pump's sink is a scratch buffer emptied at once;
 * the tee stores. May end the fetch. */
void fetch_pump_fill(struct busyobj *bo, int eof);

#endif
