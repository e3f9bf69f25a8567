/*
 * vcl_host_be.c: the backend side of the VCL host operations (bereq.*,
 * beresp.* on a busyobj). Not wired yet: every operation fails, so a
 * backend subroutine that touches them ends in fail.
 */
#include "accel/accel.h"
#include "accel/vcl_host.h"

int
acc_be_var_get(struct vcl_ctx *c, enum vcl_var_id id, union vcl_val *v)
{
	(void)c;
	(void)id;
	(void)v;
	return (-1);
}

int
acc_be_var_set(struct vcl_ctx *c, enum vcl_var_id id, const union vcl_val *v)
{
	(void)c;
	(void)id;
	(void)v;
	return (-1);
}

int
acc_be_var_unset(struct vcl_ctx *c, enum vcl_var_id id)
{
	(void)c;
	(void)id;
	return (-1);
}

int
acc_be_hdr_get(struct vcl_ctx *c, enum vcl_where w, const struct vcl_hdr *h,
    struct vcl_str *s)
{
	(void)c;
	(void)w;
	(void)h;
	s->p = NULL;
	s->len = 0;
	return (-1);
}

int
acc_be_hdr_set(struct vcl_ctx *c, enum vcl_where w, const struct vcl_hdr *h,
    const struct vcl_str *s)
{
	(void)c;
	(void)w;
	(void)h;
	(void)s;
	return (-1);
}

int
acc_be_hdr_unset(struct vcl_ctx *c, enum vcl_where w, const struct vcl_hdr *h)
{
	(void)c;
	(void)w;
	(void)h;
	return (-1);
}
