/* The plain front end: one line per event on stdout, answers from --yes or a tty. */
#include "plain.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "run.h"
#include "util.h"

/* A progress line per item at most this often (seconds). */
#define PLAIN_PROGRESS_EVERY 2.0

struct plain_sink {
	pthread_mutex_t lock;
	FILE *log;
	const char *log_path;
	double last_progress;
	double last_total_progress;
};

static struct run *active_run;

static void on_signal(int sig)
{
	(void)sig;
	if (active_run)
		atomic_store(&active_run->cancel, 1);
}

/* One line for EV; an empty line when the event is throttled away. A finished
 * table always gets its line. */
static void format_event(struct plain_sink *ps, const struct event *ev, char *line, size_t n)
{
	const char *step = step_name(ev->step);
	line[0] = 0;
	switch (ev->kind) {
	case EV_STEP_START:
		snprintf(line, n, "[%s] start: %s", step, ev->text);
		break;
	case EV_STATUS:
		snprintf(line, n, "[%s] %s", step, ev->text);
		break;
	case EV_FINDING:
		if (ev->item[0])
			snprintf(line, n, "[%s] %s: %s: %s", step, level_name(ev->level), ev->item,
				 ev->text);
		else
			snprintf(line, n, "[%s] %s: %s", step, level_name(ev->level), ev->text);
		break;
	case EV_PROGRESS: {
		bool total = ev->flags & EVF_TOTAL;
		bool finished = ev->total > 0 && ev->done >= ev->total;
		double now = now_monotonic();
		double *last = total ? &ps->last_total_progress : &ps->last_progress;
		if (!finished && now - *last < PLAIN_PROGRESS_EVERY)
			return;
		*last = now;
		if (ev->unit == UNIT_TABLES) {
			snprintf(line, n, "[%s] %s: %lld/%lld tables", step, ev->item,
				 (long long)ev->done, (long long)ev->total);
			break;
		}
		char done_b[32], rate_b[32], eta[32] = "", d[16];
		double per_s, left;
		fmt_rate(ev->bytes, ev->bytes_total, ev->elapsed, &per_s, &left);
		fmt_bytes(done_b, sizeof done_b, (double)ev->bytes);
		fmt_bytes(rate_b, sizeof rate_b, per_s);
		if (left >= 0)
			snprintf(eta, sizeof eta, ", ETA %s", fmt_duration(d, sizeof d, left));
		if (ev->total > 0)
			snprintf(line, n, "[%s] %s: %lld/%lld rows, %s, %s/s%s", step, ev->item,
				 (long long)ev->done, (long long)ev->total, done_b, rate_b, eta);
		else
			snprintf(line, n, "[%s] %s: %lld rows, %s, %s/s", step, ev->item,
				 (long long)ev->done, done_b, rate_b);
		break;
	}
	case EV_REPLICATION: {
		char text[256];
		snprintf(line, n, "[%s] %s", step,
			 fmt_replication(text, sizeof text, ev->phase, ev->lag_bytes,
					 ev->lag_seconds, ev->done, ev->total));
		break;
	}
	case EV_STEP_DONE:
		/* "ok" only when nothing was left out */
		snprintf(line, n, "[%s] %s: %s (%.1fs)", step,
			 (ev->flags & EVF_INCOMPLETE) ? "incomplete" : "ok", ev->text, ev->elapsed);
		break;
	case EV_STEP_FAILED:
		snprintf(line, n, "[%s] FAILED: %s", step, ev->text);
		break;
	case EV_STEP_SKIPPED:
		snprintf(line, n, "[%s] skipped: %s", step, ev->text);
		break;
	}
}

static void plain_emit(void *ctx, const struct event *ev)
{
	struct plain_sink *ps = ctx;
	char line[1400];
	pthread_mutex_lock(&ps->lock);
	format_event(ps, ev, line, sizeof line);
	if (line[0]) {
		if (!(ev->flags & EVF_DETAIL)) {
			puts(line);
			fflush(stdout);
		}
		if (ps->log) {
			time_t t = time(NULL);
			struct tm tm;
			char ts[32];
			strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", localtime_r(&t, &tm));
			if (fprintf(ps->log, "%s %s\n", ts, line) < 0 || fflush(ps->log) != 0) {
				/* a full disk, a closed pipe: say so once, log no more */
				fprintf(stderr,
					"rds-migrate: writing the log %s failed: %s; the rest of "
					"this run is not logged\n",
					ps->log_path, strerror(errno));
				fclose(ps->log);
				ps->log = NULL;
			}
		}
	}
	pthread_mutex_unlock(&ps->lock);
}

/* Ask on the terminal when there is one; otherwise the answer is no. */
static int plain_confirm(void *ctx, int step, const char *question)
{
	struct plain_sink *ps = ctx;
	pthread_mutex_lock(&ps->lock);
	int yes = 0;
	if (isatty(STDIN_FILENO)) {
		fprintf(stderr, "[%s] %s [y/N] ", step_name(step), question);
		fflush(stderr);
		char buf[16];
		if (fgets(buf, sizeof buf, stdin))
			yes = buf[0] == 'y' || buf[0] == 'Y';
	} else {
		printf("[%s] question: %s — answered no (no terminal; run with --yes or --force)\n",
		       step_name(step), question);
		fflush(stdout);
	}
	pthread_mutex_unlock(&ps->lock);
	return yes;
}

int plain_run(struct config *cfg, struct state *st, const struct plain_options *opt)
{
	struct plain_sink ps = {.lock = PTHREAD_MUTEX_INITIALIZER};
	if (opt->log_path) {
		ps.log = fopen(opt->log_path, "ae");
		ps.log_path = opt->log_path;
		if (!ps.log) {
			fprintf(stderr, "rds-migrate: cannot open the log %s: %s\n", opt->log_path,
				strerror(errno));
			return 1;
		}
	}
	struct sink sink = {.emit = plain_emit, .confirm = plain_confirm, .ctx = &ps};
	struct run r;
	run_init(&r, cfg, st, &sink);
	r.force = opt->force;
	r.yes = opt->yes;
	r.allow_world = opt->allow_world;
	r.knobs = opt->knobs;
	active_run = &r;
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	int rc = run_steps(&r, opt->steps);
	if (rc == 130)
		printf("interrupted: the state is saved in %s; run the same command again to "
		       "resume\n",
		       st->path);
	int left_out = atomic_load(&r.incomplete);
	if (rc == RUN_INCOMPLETE)
		printf("incomplete: %d object%s of the source %s not copied (named above): the "
		       "target is not identical to the source\n",
		       left_out, left_out == 1 ? "" : "s", left_out == 1 ? "was" : "were");
	active_run = NULL;
	run_free(&r);
	if (ps.log)
		fclose(ps.log);
	return rc == 0 ? 0 : rc == RUN_INCOMPLETE ? PLAIN_EXIT_INCOMPLETE : rc == 130 ? 130 : 1;
}
