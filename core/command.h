/* The user's own shell commands ([cutover] stop_command, start_command): run
 * with /bin/sh -c, as the contract says, with the environment as it is (we
 * add nothing to it, so no secret of ours reaches them). */
#ifndef RDSM_COMMAND_H
#define RDSM_COMMAND_H

#include <stdbool.h>

/* How a command ended. */
struct command_result {
	int exit_status; /* its exit status; -1 when killed by a signal or stopped */
	int signal;      /* the signal that killed it, 0 when none */
	bool timed_out;  /* it ran past the timeout and was stopped (SIGTERM, then SIGKILL) */
	char last[256];  /* the last non-empty line it wrote (stdout and stderr) */
	double seconds;  /* how long it ran */
};

/* Run CMD with /bin/sh -c in its own process group, stdin from /dev/null,
 * its output read (the last line kept). Returns when the shell exits: a
 * daemon it leaves behind holding the output open does not keep us waiting.
 * After TIMEOUT_S seconds the group is stopped. 0 when it exited 0, else -1
 * with *CAUSE ("exit status 3: <last line>", "stopped after 300 s"). */
int command_run(const char *cmd, double timeout_s, struct command_result *res, char **cause);

#endif
