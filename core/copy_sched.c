/* The data copy's task table and the pure choice of the next task. */
#include "copy_sched.h"

#include <stdlib.h>

#include "util.h"

struct copy_sched *copy_sched_new(size_t nt, const bool *skip)
{
	struct copy_sched *s = xcalloc(1, sizeof *s);
	s->t = xcalloc(nt ? nt : 1, sizeof *s->t);
	s->nt = nt;
	for (size_t i = 0; i < nt; i++) {
		if (skip && skip[i])
			s->t[i].state = TABLE_LOADED;
		else
			s->copies_left++;
	}
	return s;
}

void copy_sched_free(struct copy_sched *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nt; i++)
		free(s->t[i].refs);
	free(s->t);
	free(s->g);
	free(s->task);
	free(s);
}

static struct copy_task *add_task(struct copy_sched *s, enum copy_task_kind kind, int table)
{
	s->task = xrealloc(s->task, (s->ntask + 1) * sizeof *s->task);
	struct copy_task *k = &s->task[s->ntask++];
	*k = (struct copy_task){.kind = kind,
				.table = table,
				.ref = -1,
				.group = -1,
				.item = -1,
				.from = -1,
				.to = -1};
	return k;
}

void copy_sched_ref(struct copy_sched *s, int table, int ref)
{
	struct copy_sched_table *t = &s->t[table];
	t->refs = xrealloc(t->refs, (t->nrefs + 1) * sizeof *t->refs);
	t->refs[t->nrefs++] = ref;
}

void copy_sched_copy(struct copy_sched *s, int table, int part, int nparts, int64_t from,
		     int64_t to)
{
	struct copy_task *k = add_task(s, TASK_COPY, table);
	k->part = part;
	k->nparts = nparts;
	k->from = from;
	k->to = to;
	s->t[table].parts_left++;
}

int copy_sched_group(struct copy_sched *s, int table, size_t nindex, bool tail)
{
	s->g = xrealloc(s->g, (s->ng + 1) * sizeof *s->g);
	int gi = (int)s->ng++;
	s->g[gi] = (struct copy_sched_group){.table = table, .index_left = nindex, .tail = tail};
	if (nindex == 0 && !tail) {
		s->g[gi].done = true;
		return gi;
	}
	if (table >= 0)
		s->t[table].groups_left++;
	for (size_t i = 0; i < nindex; i++) {
		struct copy_task *k = add_task(s, TASK_INDEX, table);
		k->group = gi;
		k->item = (int)i;
	}
	if (tail)
		add_task(s, TASK_TAIL, table)->group = gi;
	return gi;
}

void copy_sched_fk(struct copy_sched *s, int item, int table, int ref)
{
	struct copy_task *k = add_task(s, TASK_FK, table);
	k->ref = ref;
	k->item = item;
}

void copy_sched_analyze(struct copy_sched *s, int table)
{
	add_task(s, TASK_ANALYZE, table);
}

/* A group's statements may run: its table's rows are in, or (a group of no
 * table of the copy) every table's are. */
static bool group_ready(const struct copy_sched *s, int g)
{
	int t = s->g[g].table;
	return (t >= 0 && s->t[t].state == TABLE_LOADED) || s->copies_left == 0;
}

/* Table T's rows, keys and indexes are all in. */
static bool table_complete(const struct copy_sched *s, int t)
{
	return s->t[t].state == TABLE_LOADED && s->t[t].groups_left == 0;
}

/* Every table TABLE references is loaded. */
static bool refs_loaded(const struct copy_sched *s, int table)
{
	const struct copy_sched_table *t = &s->t[table];
	for (size_t i = 0; i < t->nrefs; i++)
		if (s->t[t->refs[i]].state != TABLE_LOADED)
			return false;
	return true;
}

/* Whether TASK may start now (it is waiting and what it needs is done). */
static bool can_start(const struct copy_sched *s, const struct copy_task *k)
{
	if (k->state != TASK_WAITING)
		return false;
	switch (k->kind) {
	case TASK_TAIL:
		return group_ready(s, k->group) && s->g[k->group].index_left == 0;
	case TASK_INDEX:
		return group_ready(s, k->group);
	case TASK_FK:
		return table_complete(s, k->table) && table_complete(s, k->ref) &&
		       !s->t[k->table].locked && !s->t[k->ref].locked;
	case TASK_COPY:
		return refs_loaded(s, k->table);
	case TASK_ANALYZE:
		return table_complete(s, k->table) && !s->t[k->table].locked;
	}
	return false;
}

/* The first task of KIND that may start now, in the order tasks were added. */
static struct copy_task *first(const struct copy_sched *s, enum copy_task_kind kind)
{
	for (size_t i = 0; i < s->ntask; i++)
		if (s->task[i].kind == kind && can_start(s, &s->task[i]))
			return &s->task[i];
	return NULL;
}

/* Foreign keys on the target in a cycle: with no COPY running, which could
 * load a table another waits for, the first COPY waiting, whatever it waits on. */
static struct copy_task *any_copy(const struct copy_sched *s)
{
	bool copying = false;
	struct copy_task *any = NULL;
	for (size_t i = 0; i < s->ntask; i++) {
		const struct copy_task *k = &s->task[i];
		if (k->kind != TASK_COPY)
			continue;
		copying = copying || k->state == TASK_RUNNING;
		if (!any && k->state == TASK_WAITING)
			any = &s->task[i];
	}
	return copying ? NULL : any;
}

/* A split table's parts are all started and some still stream. */
static bool split_finishing(const struct copy_sched *s)
{
	int table = -1;
	for (size_t i = 0; i < s->ntask && table < 0; i++) {
		const struct copy_task *k = &s->task[i];
		if (k->kind == TASK_COPY && k->nparts > 1 && k->state == TASK_RUNNING)
			table = k->table;
	}
	for (size_t i = 0; i < s->ntask && table >= 0; i++) {
		const struct copy_task *k = &s->task[i];
		if (k->kind == TASK_COPY && k->table == table && k->state == TASK_WAITING)
			return false;
	}
	return table >= 0;
}

struct copy_task *copy_sched_pick(const struct copy_sched *s)
{
	static const enum copy_task_kind order[] = {TASK_TAIL, TASK_INDEX, TASK_FK, TASK_ANALYZE,
						    TASK_COPY};
	bool leave_copies = s->readers > 0 && split_finishing(s);
	for (size_t o = 0; o < sizeof order / sizeof order[0]; o++) {
		if (order[o] == TASK_COPY && leave_copies)
			return NULL;
		struct copy_task *k = first(s, order[o]);
		if (k)
			return k;
	}
	return any_copy(s);
}

struct copy_task *copy_sched_pick_copy(const struct copy_sched *s, bool smallest)
{
	for (size_t i = 0; i < s->ntask; i++)
		if (s->task[i].kind == TASK_COPY && (!smallest || s->task[i].nparts > 1) &&
		    can_start(s, &s->task[i]))
			return &s->task[i];
	for (size_t i = s->ntask; i-- > 0;)
		if (s->task[i].kind == TASK_COPY && can_start(s, &s->task[i]))
			return &s->task[i];
	return any_copy(s);
}

bool copy_sched_copies_waiting(const struct copy_sched *s)
{
	for (size_t i = 0; i < s->ntask; i++)
		if (s->task[i].kind == TASK_COPY && s->task[i].state == TASK_WAITING)
			return true;
	return false;
}

int copy_sched_streams(double rtt_s)
{
	if (rtt_s < COPY_FAR_RTT)
		return 1;
	double need = rtt_s * COPY_LINK_RATE / COPY_STREAM_WINDOW;
	int n = (int)need + (need > (int)need) + 1;
	return n < 2 ? 2 : n > COPY_MAX_STREAMS ? COPY_MAX_STREAMS : n;
}

int copy_sched_parts(int64_t bytes, int64_t total, int64_t blocks, int jobs, int64_t split_min,
		     int streams)
{
	int n = 1;
	if (jobs > 1 && bytes >= split_min && bytes * jobs > total && blocks >= jobs)
		n = jobs; /* asked for (RDSM_COPY_SPLIT_BYTES) */
	if (streams > n && bytes >= COPY_FAR_SPLIT_MIN && bytes * streams > total &&
	    blocks >= streams)
		n = streams; /* one stream would be held back by the distance */
	return n;
}

void copy_sched_start(struct copy_sched *s, struct copy_task *k)
{
	k->state = TASK_RUNNING;
	if (k->kind == TASK_COPY && s->t[k->table].state == TABLE_WAITING)
		s->t[k->table].state = TABLE_LOADING;
	if (k->kind == TASK_FK)
		s->t[k->table].locked = s->t[k->ref].locked = true;
	if (k->kind == TASK_ANALYZE)
		s->t[k->table].locked = true;
}

/* Group G's last statement is done. */
static void group_done(struct copy_sched *s, int g)
{
	s->g[g].done = true;
	if (s->g[g].table >= 0)
		s->t[s->g[g].table].groups_left--;
}

bool copy_sched_done(struct copy_sched *s, struct copy_task *k)
{
	k->state = TASK_DONE;
	switch (k->kind) {
	case TASK_COPY:
		if (--s->t[k->table].parts_left > 0)
			return false;
		s->t[k->table].state = TABLE_LOADED;
		s->copies_left--;
		return true;
	case TASK_INDEX:
		if (--s->g[k->group].index_left == 0 && !s->g[k->group].tail)
			group_done(s, k->group);
		return false;
	case TASK_TAIL:
		group_done(s, k->group);
		return false;
	case TASK_FK:
		s->t[k->table].locked = s->t[k->ref].locked = false;
		return false;
	case TASK_ANALYZE:
		s->t[k->table].locked = false;
		return false;
	}
	return false;
}

bool copy_sched_exhausted(const struct copy_sched *s)
{
	for (size_t i = 0; i < s->ntask; i++)
		if (s->task[i].state == TASK_WAITING)
			return false;
	return true;
}
