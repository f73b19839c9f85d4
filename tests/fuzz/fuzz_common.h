/* Helpers shared by the libFuzzer targets: a private scratch directory for
 * files a target must read or write, and a check that aborts with a message
 * (so libFuzzer saves the input as a crash). */
#ifndef RDSM_FUZZ_COMMON_H
#define RDSM_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* FUZZ_CHECK(cond, fmt, ...): the property every input must keep. */
#define FUZZ_CHECK(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: property failed: %s\n  ", __FILE__, __LINE__,      \
				#cond);                                                            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* A directory of our own, on tmpfs when there is one (fsync is cheap there),
 * removed at exit. */
static char fuzz_dir[256];

static void fuzz_dir_remove(void)
{
	char cmd[300];
	if (fuzz_dir[0]) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir);
	}
}

static const char *fuzz_scratch_dir(void)
{
	if (fuzz_dir[0])
		return fuzz_dir;
	const char *base = getenv("FUZZ_TMPDIR");
	if (!base || !*base)
		base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(fuzz_dir, sizeof fuzz_dir, "%s/rdsm-fuzz-XXXXXX", base);
	if (!mkdtemp(fuzz_dir)) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(fuzz_dir_remove);
	return fuzz_dir;
}

/* Write LEN bytes to NAME in the scratch directory; returns the path (static). */
static const char *fuzz_write(const char *name, const void *data, size_t len)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/%s", fuzz_scratch_dir(), name);
	unlink(path);
	FILE *f = fopen(path, "wb");
	if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
		perror("fuzz: write");
		abort();
	}
	return path;
}

/* Known core bugs (tests/fuzz/crashes/, README) are stepped around so the
 * rest keeps being fuzzed; FUZZ_STRICT=1 checks them too. */
static int fuzz_strict(void)
{
	static int strict = -1;
	if (strict < 0) {
		const char *s = getenv("FUZZ_STRICT");
		strict = s && *s == '1';
	}
	return strict;
}

/* A NUL-terminated copy of the input. */
static char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	return s;
}

#endif
