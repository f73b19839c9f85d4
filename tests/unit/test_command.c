/* The user's shell commands ([cutover] stop_command, start_command): how
 * they end, what they said, a daemon they leave, one that runs too long. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* before cmocka.h, whose fail() macro would hide util.h's fail() */
#include "command.h"
#include "util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static char dir[] = "/tmp/rdsm-command-XXXXXX";

/* The pid a command wrote into FILE under the temp directory, or 0. */
static pid_t pid_in(const char *file)
{
	char *path = xasprintf("%s/%s", dir, file);
	char *text = read_file(path, NULL, NULL);
	pid_t pid = text ? (pid_t)strtol(text, NULL, 10) : 0;
	free(text);
	free(path);
	return pid;
}

static void a_command_that_succeeds_keeps_its_last_line(void **state)
{
	(void)state;
	struct command_result res;
	char *cause = NULL;
	assert_int_equal(command_run("echo one; echo two >&2; echo; cat", 30, &res, &cause), 0);
	assert_null(cause);
	assert_int_equal(res.exit_status, 0);
	assert_string_equal(res.last, "two"); /* stderr too; blank lines skipped; stdin empty */
}

static void a_failing_command_is_named_with_its_status_and_last_line(void **state)
{
	(void)state;
	struct command_result res;
	char *cause = NULL;
	assert_int_equal(command_run("echo 'api.service: not found' >&2; exit 3", 30, &res, &cause),
			 -1);
	assert_int_equal(res.exit_status, 3);
	assert_string_equal(cause, "exit status 3: api.service: not found");
	free(cause);
	cause = NULL;
	assert_int_equal(command_run("kill -TERM $$", 30, &res, &cause), -1);
	assert_int_equal(res.signal, SIGTERM);
	assert_non_null(strstr(cause, "killed by signal"));
	free(cause);
}

/* A start command that leaves the application running, its output still
 * open: we go on when the shell has ended, the application keeps running. */
static void a_daemon_left_behind_does_not_hold_the_run(void **state)
{
	(void)state;
	struct command_result res;
	char *cause = NULL;
	char *cmd = xasprintf("sleep 60 & echo $! >%s/daemon.pid; echo started", dir);
	assert_int_equal(command_run(cmd, 30, &res, &cause), 0);
	free(cmd);
	assert_string_equal(res.last, "started");
	pid_t pid = pid_in("daemon.pid");
	assert_true(pid > 0);
	assert_int_equal(kill(pid, 0), 0); /* still running after we returned */
	kill(pid, SIGKILL);
}

/* A command still running at the deadline is stopped, with what it started. */
static void a_command_past_its_deadline_is_stopped_with_its_children(void **state)
{
	(void)state;
	struct command_result res;
	char *cause = NULL;
	char *cmd = xasprintf("sleep 60 & echo $! >%s/child.pid; echo waiting; wait", dir);
	assert_int_equal(command_run(cmd, 0.5, &res, &cause), -1);
	free(cmd);
	assert_true(res.timed_out);
	assert_non_null(strstr(cause, "still running after"));
	assert_non_null(strstr(cause, "waiting"));
	free(cause);
	pid_t pid = pid_in("child.pid");
	assert_true(pid > 0);
	for (int i = 0; i < 50 && kill(pid, 0) == 0; i++) /* a zombie until init reaps it */
		usleep(100000);
	char *status = xasprintf("/proc/%d/status", (int)pid);
	char *text = read_file(status, NULL, NULL);
	assert_true(!text || strstr(text, "State:\tZ"));
	free(text);
	free(status);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf %s", dir);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_command_that_succeeds_keeps_its_last_line),
		cmocka_unit_test(a_failing_command_is_named_with_its_status_and_last_line),
		cmocka_unit_test(a_daemon_left_behind_does_not_hold_the_run),
		cmocka_unit_test(a_command_past_its_deadline_is_stopped_with_its_children),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
