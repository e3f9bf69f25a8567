/*
 * test_sto_lmdb_ctl.c: the LMDB tier's functions for accelctl: walking the
 * store read-only (entries, ids, nested reads), verify and delete, and
 * opening a tier from accel's -s and -n arguments.
 */
#include "sto_lmdb_test_util.h"

/* ---- accelctl ---- */

struct walk_arg {
	unsigned n, bad, err;
	uint64_t disk;
	struct sto_key last;
	uint64_t del_id;
};

static int
walk_one(const struct sto_lmdb_ent *e, void *priv)
{
	struct walk_arg *wa = priv;

	/* key order */
	if (wa->n > 0 &&
	    (e->le_key.hi < wa->last.hi ||
	     (e->le_key.hi == wa->last.hi && e->le_key.lo < wa->last.lo)))
		wa->bad++;
	wa->last = e->le_key;
	wa->n++;
	wa->disk += e->le_disk;
	if (e->le_err != 0)
		wa->err++;
	else if (e->le_obj == NULL ||
		 !sto_key_eq(&e->le_obj->o_key, &e->le_key) ||
		 !(sto_obj_flags(e->le_obj) & STO_F_DISKBODY) ||
		 e->le_obj->o_dsk.dl_id != e->le_id || e->le_id == 0 ||
		 e->le_dead_at == 0)
		wa->bad++;
	return (0);
}

static int
stop_at_3(const struct sto_lmdb_ent *e, void *priv)
{
	unsigned *n = priv;

	(void)e;
	return (++*n == 3 ? 42 : 0);
}

static int
grab_id(const struct sto_lmdb_ent *e, void *priv)
{
	uint64_t *id = priv;

	*id = e->le_id;
	return (0);
}

/* From inside a walk: the body by id, and the object by key. */
struct nest_arg {
	struct sto_tier *t;
	unsigned n, bad;
};

static int
nested(const struct sto_lmdb_ent *e, void *priv)
{
	struct nest_arg *na = priv;
	struct rbuf rb = {0};
	unsigned n = 0;

	na->n++;
	if (sto_lmdb_body(na->t, e->le_id, rb_add, &rb) != 0 ||
	    rb.len != sto_obj_len(e->le_obj) ||
	    rb_bad(&rb, rb.len - 20000, 0) != 0)
		na->bad++;
	rb_reset(&rb);
	if (sto_lmdb_get(na->t, &e->le_key, count_ent, &n) != 0 || n != 1)
		na->bad++;
	return (0);
}

static int
count_obj(struct sto_obj *o, void *priv)
{
	unsigned *n = priv;

	(*n) += (sto_obj_flags(o) & STO_F_DISKBODY) != 0;
	return (0);
}

static void
test_ctl(void **state TEST_UNUSED)
{
	struct tdir d;
	struct sto_lmdb_conf lc;
	struct sto_lmdb_info li;
	struct sto_tier *t;
	struct sto_obj *o;
	struct walk_arg wa;
	struct rbuf rb = {0};
	struct hin h[10];
	char url[32];
	uint64_t id;
	unsigned u, n;

	tdir_make(&d);
	t = topen(d.path, 16 << 20, 8 << 10, 0);
	for (u = 0; u < 10; u++) {
		snprintf(url, sizeof url, "/c%u", u);
		hin_make(&h[u], "h", url);
		put(t, &h[u], 20000 + u, u, NULL);
	}
	assert_int_equal(sto_lmdb_flush(t), 0);
	memset(&wa, 0, sizeof wa);
	assert_int_equal(sto_lmdb_walk(t, 1, walk_one, &wa), 0);
	assert_int_equal(wa.n, 10);
	assert_int_equal(wa.bad, 0);
	assert_int_equal(wa.err, 0);
	assert_int_equal(sto_lmdb_info(t, &li), 0);
	assert_int_equal(wa.disk, li.li_bytes);
	n = 0;
	assert_int_equal(sto_lmdb_walk(t, 0, stop_at_3, &n), 42);
	n = 0;
	assert_int_equal(t->t_ops->foreach (t, count_obj, &n), 0);
	assert_int_equal(n, 10);
	{
		struct nest_arg na = {t, 0, 0};

		assert_int_equal(sto_lmdb_walk(t, 0, nested, &na), 0);
		assert_int_equal(na.n, 10);
		assert_int_equal(na.bad, 0);
	}
	/* body by id */
	id = 0;
	assert_int_equal(sto_lmdb_get(t, &h[4].key, grab_id, &id), 0);
	assert_int_equal(sto_lmdb_body(t, id, rb_add, &rb), 0);
	assert_int_equal(rb.len, 20004);
	assert_int_equal(rb_bad(&rb, 4, 0), 0);
	rb_reset(&rb);
	assert_int_equal(sto_lmdb_body(t, 999999, rb_add, &rb), ENOENT);
	/* synchronous deletes: by id, by key and inputs, by key alone */
	assert_int_equal(sto_lmdb_delete(t, &h[4].key, NULL, 0, id, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(stored(t, &h[4]), 0);
	assert_int_equal(sto_lmdb_delete(t, &h[4].key, NULL, 0, id, &n),
			 ENOENT);
	assert_int_equal(
	    sto_lmdb_delete(t, &h[5].key, h[6].buf, h[6].len, 0, &n), ENOENT);
	assert_int_equal(
	    sto_lmdb_delete(t, &h[5].key, h[5].buf, h[5].len, 0, &n), 0);
	assert_int_equal(sto_lmdb_delete(t, &h[6].key, NULL, 0, 0, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(sto_lmdb_info(t, &li), 0);
	assert_int_equal(li.li_objects, 7);
	/* the writer's view follows: a put after the deletes counts right */
	put(t, &h[4], 10, 1, NULL);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(sto_lmdb_info(t, &li), 0);
	assert_int_equal(li.li_objects, 8);
	sto_tier_close(&t);

	/* read-only: walks work, writes do not */
	conf_make(&lc, d.path, 0, 64 << 10, 0);
	lc.lc_readonly = 1;
	t = conf_open(&lc);
	memset(&wa, 0, sizeof wa);
	assert_int_equal(sto_lmdb_walk(t, 1, walk_one, &wa), 0);
	assert_int_equal(wa.n, 8);
	assert_int_equal(wa.bad + wa.err, 0);
	assert_int_equal(
	    sto_lookup(t, &h[0].key, h[0].buf, h[0].len, NULL, NULL, &o), 0);
	sto_obj_deref(&o);
	o = tobj(&h[0], 10, 1, NULL);
	assert_int_equal(sto_insert(t, o), EROFS);
	sto_obj_deref(&o);
	assert_int_equal(sto_remove(t, &h[0].key, NULL, 0, NULL), EROFS);
	assert_int_equal(sto_lmdb_delete(t, &h[0].key, NULL, 0, 0, &n), EROFS);
	assert_int_equal(sto_lmdb_flush(t), 0);
	sto_tier_close(&t);
	tdir_rm(&d);
}

/* sto_tier_open("lmdb=DIR,...") opens one like the others. */
static void
test_tier_open(void **state TEST_UNUSED)
{
	struct tdir d;
	struct sto_tier *t;
	struct sto_obj *o;
	struct hin h;
	char spec[128];

	tdir_make(&d);
	snprintf(spec, sizeof spec, "lmdb=%s,16M,sync=off,batch=0", d.path);
	assert_int_equal(sto_tier_open(&t, spec), 0);
	assert_true(t->t_ops->blocking);
	hin_make(&h, "h", "/x");
	put(t, &h, 10, 1, NULL);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(sto_lookup(t, &h.key, h.buf, h.len, NULL, NULL, &o),
			 0);
	sto_obj_deref(&o);
	sto_tier_close(&t);
	assert_null(t);
	tdir_rm(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ctl),
	    cmocka_unit_test(test_tier_open),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
