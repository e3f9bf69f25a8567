/*
 * vcl_host.c: accel's side of the VCL interface (vcl/vcl.h): the host
 * operations a program calls. For now the load-time part only: the hint
 * for a header name is the parser's known-header kind (enum h1_hk), so a
 * program's header accesses can use h1_req.seen. The run-time operations
 * come with the request state machine's VCL steps (docs/vcl-internals.md).
 */
#include "accel/accel.h"

static int16_t
acc_hdr_hint(const char *name, size_t len)
{
	return ((int16_t)h1_kind_of(name, len));
}

const struct vcl_host_ops acc_vcl_ops = {
	.ho_hdr_hint = acc_hdr_hint,
};
