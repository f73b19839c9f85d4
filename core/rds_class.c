/* RDS instance classes by family and size: burstable (t) classes by size,
 * general purpose (m) 4 GiB per vCPU, memory optimized (r) 8, x2g 16. */
#include "rds_class.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The class's family ("t3") and size ("micro"), or false. */
static bool class_parts(const char *cls, char *family, size_t fn, char *size, size_t sn)
{
	if (!cls || strncmp(cls, "db.", 3) != 0)
		return false;
	const char *dot = strchr(cls + 3, '.');
	if (!dot || (size_t)(dot - cls - 3) >= fn)
		return false;
	snprintf(family, fn, "%.*s", (int)(dot - cls - 3), cls + 3);
	snprintf(size, sn, "%s", dot + 1);
	return true;
}

bool rds_class_burstable(const char *cls)
{
	char f[32], s[32];
	return class_parts(cls, f, sizeof f, s, sizeof s) && f[0] == 't';
}

/* vCPUs of a size: large 2, xlarge 4, Nxlarge 4N; 0 when not such a size. */
static long size_vcpus(const char *s)
{
	if (strcmp(s, "large") == 0)
		return 2;
	if (strcmp(s, "xlarge") == 0)
		return 4;
	char *end;
	long n = strtol(s, &end, 10);
	return n > 0 && strcmp(end, "xlarge") == 0 ? 4 * n : 0;
}

long rds_class_memory_mib(const char *cls)
{
	static const struct {
		const char *size;
		long mib;
	} burstable[] = {{"micro", 1024}, {"small", 2048},   {"medium", 4096},
			 {"large", 8192}, {"xlarge", 16384}, {"2xlarge", 32768}};
	char f[32], s[32];
	if (!class_parts(cls, f, sizeof f, s, sizeof s))
		return 0;
	if (f[0] == 't') {
		for (size_t i = 0; i < sizeof burstable / sizeof *burstable; i++)
			if (strcmp(s, burstable[i].size) == 0)
				return burstable[i].mib;
		return 0;
	}
	/* general purpose: 4 GiB per vCPU; memory optimized: 8 (r), 16 (x2g) */
	long per = f[0] == 'm' ? 4 : f[0] == 'r' ? 8 : strncmp(f, "x2", 2) == 0 ? 16 : 0;
	return per * size_vcpus(s) * 1024;
}

long rds_default_max_connections(const char *cls)
{
	double bytes = (double)rds_class_memory_mib(cls) * 1024.0 * 1024.0;
	long n = (long)(bytes / 9531392.0);
	return n > 5000 ? 5000 : n;
}
