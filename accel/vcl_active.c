/*
 * vcl_active.c: the VCL program the daemon runs. It is loaded at start
 * (-f FILE with the built-in VCL appended, or the built-in VCL alone) and
 * kept until exit; reload comes next (docs/vcl-internals.md).
 */
#include "accel/accel.h"
#include "accel/vcl_host.h"

#include <string.h>

static struct vcl_prog *acc_prog;

int
acc_vcl_init(const char *file, char *err, size_t errlen)
{
	struct vcl_diag *d = vcl_diag_new();

	if (d == NULL) {
		snprintf(err, errlen, "out of memory");
		return (-1);
	}
	err[0] = '\0';
	acc_prog = acc_vcl_load(file, d, err, errlen);
	/* Warnings (an unused backend...) and errors, file:line:col each. */
	vcl_diag_print(d, stderr);
	if (acc_prog == NULL && err[0] == '\0')
		snprintf(err, errlen, "%s: the VCL does not load (%u errors)",
		    file != NULL ? file : "the built-in VCL",
		    vcl_diag_errors(d));
	vcl_diag_free(&d);
	return (acc_prog != NULL ? 0 : -1);
}

void
acc_vcl_fini(void)
{
	if (acc_prog != NULL)
		vcl_prog_rel(&acc_prog);
}

const struct vcl_prog *
acc_vcl_prog_req(struct req *req)
{
	(void)req;
	return (acc_prog);
}

const struct vcl_prog *
acc_vcl_prog_bo(struct busyobj *bo)
{
	(void)bo;
	return (acc_prog);
}

enum vcl_action
acc_vcl_run(struct req *req, enum vcl_sub sub, struct vcl_ret *ret)
{
	struct vcl_ctx c = {req, NULL, &req->ws, NULL};

	return (vcl_run(acc_vcl_prog_req(req), sub, &c, ret));
}

int
acc_vcl_hash(struct req *req, struct sto_hashin *hi, struct vcl_ret *ret)
{
	struct vcl_ctx c = {req, NULL, &req->ws, hi};

	return (vcl_run(acc_vcl_prog_req(req), VCL_SUB_HASH, &c, ret) ==
	    VCL_A_LOOKUP &&
	    !hi->hi_overflow ? 0 : -1);
}
