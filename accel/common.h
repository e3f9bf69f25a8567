/*
 * common.h: assertions, magic-checked structs and small helpers shared by
 * every module of the daemon. Asserts stay on in every build: they guard
 * invariants, never input (bad input is an error the caller answers).
 */
#ifndef ACCEL_COMMON_H
#define ACCEL_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

void acc_panic(const char *file, int line, const char *func, const char *cond)
    __attribute__((noreturn));

#define AN(x)                                                                  \
	do {                                                                   \
		if (!(x))                                                      \
			acc_panic(__FILE__, __LINE__, __func__, #x " != 0");   \
	} while (0)
#define AZ(x)                                                                  \
	do {                                                                   \
		if ((x) != 0)                                                  \
			acc_panic(__FILE__, __LINE__, __func__, #x " == 0");   \
	} while (0)
#define assert_acc(x)                                                          \
	do {                                                                   \
		if (!(x))                                                      \
			acc_panic(__FILE__, __LINE__, __func__, #x);           \
	} while (0)
#define WRONG(msg) acc_panic(__FILE__, __LINE__, __func__, msg)

/* Every long-lived struct starts with `unsigned magic;`. */
#define CHECK_OBJ(p, m)                                                        \
	do {                                                                   \
		if ((p)->magic != (m))                                         \
			acc_panic(__FILE__, __LINE__, __func__,                \
			    "bad magic in " #p);                               \
	} while (0)
#define CHECK_OBJ_NOTNULL(p, m)                                                \
	do {                                                                   \
		AN(p);                                                         \
		CHECK_OBJ(p, m);                                               \
	} while (0)
/* Cast a void * that must point at a struct with magic m. */
#define CAST_OBJ_NOTNULL(to, from, m)                                          \
	do {                                                                   \
		(to) = (from);                                                 \
		CHECK_OBJ_NOTNULL(to, m);                                      \
	} while (0)

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define ACC_UNUSED __attribute__((unused))

#endif
