/* A private temporary directory for a group of unit tests: tmpdir_setup
 * makes it (mode 0700), tmpdir_teardown removes it with all it holds. For
 * cmocka_run_group_tests; include after cmocka.h. */
#ifndef RDSM_TEST_TMPDIR_H
#define RDSM_TEST_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>

static char tmpdir[] = "/tmp/rdsm-unit-XXXXXX";

static int tmpdir_setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int tmpdir_teardown(void **state)
{
	(void)state;
	char cmd[64];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
