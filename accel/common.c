/* common.c: the panic handler behind AN/AZ/WRONG. */
#include "common.h"

#include <unistd.h>

void
acc_panic(const char *file, int line, const char *func, const char *cond)
{
	char buf[512];
	int n = snprintf(buf, sizeof buf, "accel: panic: %s:%d %s(): assert %s\n",
	    file, line, func, cond);
	if (n > 0)
		(void)!write(2, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
	abort();
}
