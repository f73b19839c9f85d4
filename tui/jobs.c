/* Jobs in threads and the thread-safe queue that carries their events to the loop. */
#include "jobs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "util.h"

struct job {
	atomic_int refs;
	unsigned id;
	bool inspect, force;
	unsigned mask;
	struct config cfg;
	struct state *st;
	struct sink sink;
	struct run run;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int answer;    /* -1 while a question waits */
	char text[64]; /* the answer to a JM_ASK (a secret) */
};

struct node {
	struct node *next;
	struct job_msg m;
};

static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qcond = PTHREAD_COND_INITIALIZER;
static struct node *qhead, *qtail;
static int qpipe[2] = {-1, -1};
static unsigned next_id = 1;
static int running; /* jobs whose thread has not ended */

int jobs_init(void)
{
	if (qpipe[0] >= 0)
		return qpipe[0];
	if (pipe2(qpipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	return qpipe[0];
}

/* Queue M and wake the loop. A progress event replaces a queued one of the
 * same job and item, so a fast copy cannot flood the queue. */
static void post(const struct job_msg *m)
{
	pthread_mutex_lock(&qlock);
	if (m->kind == JM_EVENT && m->ev.kind == EV_PROGRESS) {
		for (struct node *n = qhead; n; n = n->next)
			if (n->m.kind == JM_EVENT && n->m.id == m->id &&
			    n->m.ev.kind == EV_PROGRESS && strcmp(n->m.ev.item, m->ev.item) == 0) {
				n->m = *m;
				pthread_mutex_unlock(&qlock);
				return;
			}
	}
	struct node *n = xcalloc(1, sizeof *n);
	n->m = *m;
	if (qtail)
		qtail->next = n;
	else
		qhead = n;
	qtail = n;
	pthread_mutex_unlock(&qlock);
	char b = 1;
	ssize_t w = write(qpipe[1], &b, 1); /* EAGAIN: the pipe already holds a wake-up */
	(void)w;
}

bool jobs_pop(struct job_msg *m)
{
	char buf[256];
	while (read(qpipe[0], buf, sizeof buf) > 0)
		;
	pthread_mutex_lock(&qlock);
	struct node *n = qhead;
	if (n) {
		qhead = n->next;
		if (!qhead)
			qtail = NULL;
	}
	pthread_mutex_unlock(&qlock);
	if (!n)
		return false;
	*m = n->m;
	free(n);
	return true;
}

static void job_emit(void *ctx, const struct event *ev)
{
	struct job *j = ctx;
	struct job_msg m = {.kind = JM_EVENT, .id = j->id, .inspect = j->inspect, .ev = *ev};
	post(&m);
}

/* Post a question of KIND and wait for the answer; a cancelled job gets "no". */
static int job_ask(struct job *j, enum job_msg_kind kind, int step, const char *question)
{
	if (atomic_load(&j->run.cancel))
		return 0;
	pthread_mutex_lock(&j->lock);
	j->answer = -1;
	pthread_mutex_unlock(&j->lock);
	struct job_msg m = {.kind = kind, .id = j->id, .inspect = j->inspect, .job = job_ref(j)};
	m.ev.kind = EV_STATUS;
	m.ev.step = step;
	snprintf(m.ev.text, sizeof m.ev.text, "%s", question);
	post(&m);
	pthread_mutex_lock(&j->lock);
	while (j->answer < 0 && !atomic_load(&j->run.cancel)) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&j->cond, &j->lock, &ts);
	}
	int yes = j->answer > 0;
	pthread_mutex_unlock(&j->lock);
	return yes;
}

static int job_confirm(void *ctx, int step, const char *question)
{
	return job_ask(ctx, JM_CONFIRM, step, question);
}

/* A secret typed in the UI (masked): 1 with ANSWER filled, 0 declined. */
static int job_ask_secret(void *ctx, int step, const char *question, char *answer, size_t n)
{
	struct job *j = ctx;
	int yes = job_ask(j, JM_ASK, step, question);
	pthread_mutex_lock(&j->lock);
	snprintf(answer, n, "%s", yes ? j->text : "");
	explicit_bzero(j->text, sizeof j->text);
	pthread_mutex_unlock(&j->lock);
	return yes;
}

static void *job_main(void *arg)
{
	struct job *j = arg;
	int rc = run_steps(&j->run, j->mask);
	struct job_msg m = {.kind = JM_DONE, .id = j->id, .inspect = j->inspect, .rc = rc};
	post(&m);
	pthread_mutex_lock(&qlock);
	running--;
	pthread_cond_broadcast(&qcond);
	pthread_mutex_unlock(&qlock);
	job_release(j);
	return NULL;
}

struct job *job_start(const struct config *cfg, struct state *st, unsigned mask, bool inspect,
		      const struct tui_options *opt)
{
	struct job *j = xcalloc(1, sizeof *j);
	atomic_init(&j->refs, 2); /* the caller and the thread */
	pthread_mutex_lock(&qlock);
	j->id = next_id++;
	pthread_mutex_unlock(&qlock);
	j->inspect = inspect;
	j->force = opt->force;
	j->mask = mask;
	j->st = st;
	config_init(&j->cfg);
	for (int k = 0; k < CFG_COUNT; k++) {
		config_set(&j->cfg, (enum config_key)k, config_get(cfg, (enum config_key)k));
		j->cfg.lines[k] = cfg->lines[k];
	}
	free(j->cfg.path);
	j->cfg.path = cfg->path ? xstrdup(cfg->path) : NULL;
	j->cfg.from_file = cfg->from_file;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->cond, NULL);
	j->answer = -1;
	j->sink = (struct sink){
		.emit = job_emit, .confirm = job_confirm, .ask_secret = job_ask_secret, .ctx = j};
	run_init(&j->run, &j->cfg, st, &j->sink);
	j->run.inspect = inspect;
	j->run.force = opt->force;
	j->run.allow_world = opt->allow_world;
	j->run.knobs = opt->knobs;

	pthread_t tid;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_mutex_lock(&qlock);
	running++;
	pthread_mutex_unlock(&qlock);
	if (pthread_create(&tid, &attr, job_main, j) != 0) {
		pthread_mutex_lock(&qlock);
		running--;
		pthread_mutex_unlock(&qlock);
		struct job_msg m = {.kind = JM_EVENT, .id = j->id, .inspect = inspect};
		m.ev.kind = EV_STEP_FAILED;
		snprintf(m.ev.text, sizeof m.ev.text, "cannot start a thread: %s", strerror(errno));
		post(&m);
		m.kind = JM_DONE;
		m.rc = -1;
		post(&m);
		job_release(j);
	}
	pthread_attr_destroy(&attr);
	return j;
}

unsigned job_id(const struct job *j)
{
	return j ? j->id : 0;
}

void job_cancel(struct job *j)
{
	if (!j)
		return;
	atomic_store(&j->run.cancel, 1);
	pthread_mutex_lock(&j->lock);
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->lock);
}

bool job_cancelled(struct job *j)
{
	return atomic_load(&j->run.cancel) != 0;
}

void job_answer(struct job *j, bool yes)
{
	pthread_mutex_lock(&j->lock);
	j->answer = yes ? 1 : 0;
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->lock);
}

void job_answer_text(struct job *j, const char *text)
{
	pthread_mutex_lock(&j->lock);
	snprintf(j->text, sizeof j->text, "%s", text);
	j->answer = 1;
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->lock);
}

struct job *job_ref(struct job *j)
{
	atomic_fetch_add(&j->refs, 1);
	return j;
}

void job_release(struct job *j)
{
	if (!j || atomic_fetch_sub(&j->refs, 1) != 1)
		return;
	run_free(&j->run);
	config_free(&j->cfg);
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->cond);
	free(j);
}

int jobs_wait(double seconds)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	long ns = (long)((seconds - (long)seconds) * 1e9);
	ts.tv_sec += (time_t)seconds;
	ts.tv_nsec += ns;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&qlock);
	while (running > 0)
		if (pthread_cond_timedwait(&qcond, &qlock, &ts) == ETIMEDOUT)
			break;
	int left = running;
	pthread_mutex_unlock(&qlock);
	return left;
}
