/*
 * sto_common.h: assertions and magic checks for storage's own files, the
 * storage copies of accel's AN/AZ/CHECK_OBJ (storage includes no accel
 * header). Asserts stay on in every build and guard invariants only; data
 * from outside (a request, a disk file) is an error code, never an assert.
 */
#ifndef STO_COMMON_H
#define STO_COMMON_H

#include "storage/storage.h"

void sto_panic(const char *file, int line, const char *func, const char *cond)
    __attribute__((noreturn));

#define STO_AN(x)                                                              \
	do {                                                                   \
		if (!(x))                                                      \
			sto_panic(__FILE__, __LINE__, __func__, #x " != 0");   \
	} while (0)
#define STO_AZ(x)                                                              \
	do {                                                                   \
		if ((x) != 0)                                                  \
			sto_panic(__FILE__, __LINE__, __func__, #x " == 0");   \
	} while (0)
#define STO_ASSERT(x)                                                          \
	do {                                                                   \
		if (!(x))                                                      \
			sto_panic(__FILE__, __LINE__, __func__, #x);           \
	} while (0)
#define STO_WRONG(msg) sto_panic(__FILE__, __LINE__, __func__, msg)

#define STO_CHECK_OBJ(p, m)                                                    \
	do {                                                                   \
		if ((p)->magic != (m))                                         \
			sto_panic(__FILE__, __LINE__, __func__,                \
				  "bad magic in " #p);                         \
	} while (0)
#define STO_CHECK_OBJ_NOTNULL(p, m)                                            \
	do {                                                                   \
		STO_AN(p);                                                     \
		STO_CHECK_OBJ(p, m);                                           \
	} while (0)
/* Cast a pointer that must point at a struct with magic m. */
#define STO_CAST_OBJ_NOTNULL(to, from, m)                                      \
	do {                                                                   \
		(to) = (void *)(from);                                         \
		STO_CHECK_OBJ_NOTNULL(to, m);                                  \
	} while (0)

#define STO_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* o's hash inputs are (hashin, len). */
int sto_hashin_eq(const struct sto_obj *o, const void *hashin, size_t len);
int sto_bytes_eq(struct sto_bytes a, struct sto_bytes b);
/*
 * Whether o replaces old: old is an earlier copy of o's variant, or of a
 * way of varying that o's answer supersedes. Two objects under one key
 * and hash inputs coexist only as variants of one Vary: the same names
 * and different values. So a response that varies where its predecessor
 * did not (or the reverse, or on other fields) replaces every older copy.
 * old must be published (STREAMING or later) for its Vary to count.
 */
int sto_same_variant(const struct sto_obj *old, const struct sto_obj *o);

/*
 * A disk view (sto_lmdb.c): BUSY o becomes COMPLETE with len body bytes
 * that live on disk (STO_F_DISKBODY | STO_F_ONDISK, o_dsk to be set by the
 * caller); no segment is allocated and cursors on it return STO_EFAILED.
 * Notifies nobody (no one can wait on an object not yet returned).
 */
void sto_obj_set_diskbody(struct sto_obj *o, size_t len);

/*
 * Set the metadata fields whose bit (1u << m) is in mask to nv[m], in one
 * allocation (the setters of storage.h make one per call): a disk tier
 * rebuilding an object. Writer only, while BUSY; a field left out of mask
 * stays as it was (never set, for a new object). 0, ENOMEM or EINVAL.
 */
int sto_obj_set_meta(struct sto_obj *o, unsigned mask,
		     const struct sto_bytes *nv);

#endif
