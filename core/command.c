/* The user's shell commands: fork, /bin/sh -c, wait with a deadline. */
#include "command.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

/* Keep the last non-empty line of what came so far: TAIL holds the line being
 * read, LAST the last finished one. */
static void keep_tail(const char *buf, size_t n, char *tail, size_t *tlen, char *last, size_t size)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n' || buf[i] == '\r') {
			if (*tlen) {
				tail[*tlen] = 0;
				snprintf(last, size, "%s", tail);
			}
			*tlen = 0;
		} else if (*tlen + 1 < size) {
			tail[(*tlen)++] = buf[i];
		}
	}
}

/* Read what FD has now (non-blocking). */
static void read_some(int fd, char *tail, size_t *tlen, char *last, size_t size)
{
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		keep_tail(buf, (size_t)n, tail, tlen, last, size);
}

/* The child: its own process group, /dev/null in, the pipe out, the shell. */
static void exec_shell(const char *cmd, int out)
{
	setpgid(0, 0);
	int in = open("/dev/null", O_RDONLY);
	if (in >= 0)
		dup2(in, 0);
	dup2(out, 1);
	dup2(out, 2);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/* Stop the group of PID: SIGTERM, a few seconds, then SIGKILL. */
static void stop_group(pid_t pid)
{
	kill(-pid, SIGTERM);
	for (int i = 0; i < 50; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(100000);
	}
	kill(-pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int command_run(const char *cmd, double timeout_s, struct command_result *res, char **cause)
{
	memset(res, 0, sizeof *res);
	res->exit_status = -1;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return fail(cause, "cannot run the command: pipe: %s", strerror(errno));
	double t0 = now_monotonic();
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return fail(cause, "cannot run the command: fork: %s", strerror(errno));
	}
	if (pid == 0)
		exec_shell(cmd, p[1]);
	setpgid(pid, pid); /* as the child does: whichever runs first */
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	char tail[sizeof res->last];
	size_t tlen = 0;
	int status = 0;
	for (;;) {
		struct pollfd pf = {p[0], POLLIN, 0};
		poll(&pf, 1, 100);
		read_some(p[0], tail, &tlen, res->last, sizeof res->last);
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR))
			break;
		if (now_monotonic() - t0 > timeout_s) {
			res->timed_out = true;
			stop_group(pid);
			break;
		}
	}
	read_some(p[0], tail, &tlen, res->last, sizeof res->last);
	close(p[0]);
	if (tlen) {
		tail[tlen] = 0;
		snprintf(res->last, sizeof res->last, "%s", tail);
	}
	res->seconds = now_monotonic() - t0;
	const char *sep = res->last[0] ? ": " : "";
	if (res->timed_out)
		return fail(cause, "still running after %.0f s: stopped%s%s", timeout_s, sep,
			    res->last);
	if (WIFSIGNALED(status)) {
		res->signal = WTERMSIG(status);
		return fail(cause, "killed by signal %d%s%s", res->signal, sep, res->last);
	}
	res->exit_status = WEXITSTATUS(status);
	if (res->exit_status == 0)
		return 0;
	return fail(cause, "exit status %d%s%s", res->exit_status, sep, res->last);
}
