/*
 * vcl_assert.h: assertions and magic checks for vcl/ (private to vcl/ sources).
 * vcl never includes accel/ headers, so it keeps its own small set, named
 * VCL_* so that a file including both never sees a clash. Asserts guard
 * invariants, never input: hostile VCL is an error in the diagnostics.
 */
#ifndef VCL_ASSERT_H
#define VCL_ASSERT_H

void vcl_panic(const char *file, int line, const char *func, const char *cond)
    __attribute__((noreturn));

#define VCL_AN(x)                                                              \
	do {                                                                   \
		if (!(x))                                                      \
			vcl_panic(__FILE__, __LINE__, __func__, #x " != 0");   \
	} while (0)
#define VCL_AZ(x)                                                              \
	do {                                                                   \
		if ((x) != 0)                                                  \
			vcl_panic(__FILE__, __LINE__, __func__, #x " == 0");   \
	} while (0)
#define VCL_ASSERT(x)                                                          \
	do {                                                                   \
		if (!(x))                                                      \
			vcl_panic(__FILE__, __LINE__, __func__, #x);           \
	} while (0)
#define VCL_WRONG(msg) vcl_panic(__FILE__, __LINE__, __func__, msg)

/* Every struct that crosses a module boundary starts with `unsigned magic`. */
#define VCL_CHECK_OBJ(p, m)                                                    \
	do {                                                                   \
		if ((p)->magic != (m))                                         \
			vcl_panic(__FILE__, __LINE__, __func__,                \
				  "bad magic in " #p);                         \
	} while (0)
#define VCL_CHECK_OBJ_NOTNULL(p, m)                                            \
	do {                                                                   \
		VCL_AN(p);                                                     \
		VCL_CHECK_OBJ(p, m);                                           \
	} while (0)

#endif
