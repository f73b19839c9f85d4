/* The data copy's scheduler: which task runs next, from the task table
 * alone (no server). Tables are numbered biggest first, as the copy lists
 * them. */
#include <stdlib.h>

#include "copy_sched.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Pick, start and return the next task; it must be of KIND (and TABLE). */
static struct copy_task *take(struct copy_sched *s, enum copy_task_kind kind, int table)
{
	struct copy_task *k = copy_sched_pick(s);
	assert_non_null(k);
	assert_int_equal(k->kind, kind);
	assert_int_equal(k->table, table);
	copy_sched_start(s, k);
	return k;
}

static void tables_are_copied_biggest_first(void **state)
{
	(void)state;
	struct copy_sched *s = copy_sched_new(3, NULL);
	for (int t = 0; t < 3; t++)
		copy_sched_copy(s, t, 0, 1, -1, -1);
	take(s, TASK_COPY, 0);
	take(s, TASK_COPY, 1);
	take(s, TASK_COPY, 2);
	assert_null(copy_sched_pick(s));
	assert_true(copy_sched_exhausted(s));
	copy_sched_free(s);
}

static void a_referencing_table_waits_for_the_tables_it_references(void **state)
{
	(void)state;
	/* 0 (the biggest) references 1 through a foreign key on the target */
	struct copy_sched *s = copy_sched_new(2, NULL);
	copy_sched_ref(s, 0, 1);
	copy_sched_copy(s, 0, 0, 1, -1, -1);
	copy_sched_copy(s, 1, 0, 1, -1, -1);
	struct copy_task *k1 = take(s, TASK_COPY, 1);
	assert_null(copy_sched_pick(s)); /* 0 waits while 1 loads */
	assert_false(copy_sched_exhausted(s));
	assert_true(copy_sched_done(s, k1));
	take(s, TASK_COPY, 0);
	copy_sched_free(s);
}

static void a_cycle_of_references_does_not_stall_the_copy(void **state)
{
	(void)state;
	struct copy_sched *s = copy_sched_new(2, NULL);
	copy_sched_ref(s, 0, 1);
	copy_sched_ref(s, 1, 0);
	copy_sched_copy(s, 0, 0, 1, -1, -1);
	copy_sched_copy(s, 1, 0, 1, -1, -1);
	/* nothing is ready; with no COPY running, the first one goes */
	struct copy_task *k0 = take(s, TASK_COPY, 0);
	/* while it runs the other still waits (0 may load and free it) */
	assert_null(copy_sched_pick(s));
	copy_sched_done(s, k0);
	take(s, TASK_COPY, 1);
	copy_sched_free(s);
}

static void a_table_already_copied_is_loaded_and_indexed_at_once(void **state)
{
	(void)state;
	bool skip[2] = {true, false};
	struct copy_sched *s = copy_sched_new(2, skip);
	copy_sched_ref(s, 1, 0);
	copy_sched_copy(s, 1, 0, 1, -1, -1);
	copy_sched_group(s, 0, 1, false);
	assert_int_equal(s->copies_left, 1);
	take(s, TASK_INDEX, 0); /* post-data before rows */
	take(s, TASK_COPY, 1);  /* its reference (0) counts as loaded */
	copy_sched_free(s);
}

static void post_data_goes_before_the_next_copy_once_a_table_is_in(void **state)
{
	(void)state;
	struct copy_sched *s = copy_sched_new(2, NULL);
	copy_sched_copy(s, 0, 0, 1, -1, -1);
	copy_sched_copy(s, 1, 0, 1, -1, -1);
	copy_sched_group(s, 0, 2, true);
	struct copy_task *c0 = take(s, TASK_COPY, 0);
	assert_true(copy_sched_done(s, c0));
	/* table 0's index builds, side by side, before table 1's rows */
	struct copy_task *i0 = take(s, TASK_INDEX, 0);
	struct copy_task *i1 = take(s, TASK_INDEX, 0);
	assert_int_equal(i0->item, 0);
	assert_int_equal(i1->item, 1);
	/* the rest of the group waits for both builds */
	take(s, TASK_COPY, 1);
	assert_null(copy_sched_pick(s));
	copy_sched_done(s, i0);
	assert_null(copy_sched_pick(s));
	copy_sched_done(s, i1);
	struct copy_task *tail = take(s, TASK_TAIL, 0);
	assert_int_equal(s->t[0].groups_left, 1);
	copy_sched_done(s, tail);
	assert_int_equal(s->t[0].groups_left, 0);
	copy_sched_free(s);
}

static void a_group_of_no_table_waits_for_every_table(void **state)
{
	(void)state;
	struct copy_sched *s = copy_sched_new(2, NULL);
	copy_sched_copy(s, 0, 0, 1, -1, -1);
	copy_sched_copy(s, 1, 0, 1, -1, -1);
	copy_sched_group(s, -1, 0, true);
	struct copy_task *c0 = take(s, TASK_COPY, 0);
	struct copy_task *c1 = take(s, TASK_COPY, 1);
	copy_sched_done(s, c0);
	assert_null(copy_sched_pick(s));
	copy_sched_done(s, c1);
	take(s, TASK_TAIL, -1);
	copy_sched_free(s);
}

static void an_empty_group_is_done_at_once(void **state)
{
	(void)state;
	struct copy_sched *s = copy_sched_new(1, NULL);
	int g = copy_sched_group(s, 0, 0, false);
	assert_true(s->g[g].done);
	assert_int_equal(s->t[0].groups_left, 0);
	assert_int_equal(s->ntask, 0);
	copy_sched_free(s);
}

static void a_foreign_key_waits_for_both_tables_and_their_indexes(void **state)
{
	(void)state;
	struct copy_sched *s = copy_sched_new(2, NULL);
	copy_sched_copy(s, 0, 0, 1, -1, -1);
	copy_sched_copy(s, 1, 0, 1, -1, -1);
	copy_sched_group(s, 1, 1, false);
	copy_sched_fk(s, 7, 0, 1);
	struct copy_task *c0 = take(s, TASK_COPY, 0);
	struct copy_task *c1 = take(s, TASK_COPY, 1);
	copy_sched_done(s, c0);
	assert_null(copy_sched_pick(s)); /* 1 still loading */
	copy_sched_done(s, c1);
	struct copy_task *ix = take(s, TASK_INDEX, 1);
	assert_null(copy_sched_pick(s)); /* 1's index is being built */
	copy_sched_done(s, ix);
	struct copy_task *fk = take(s, TASK_FK, 0);
	assert_int_equal(fk->item, 7);
	assert_int_equal(fk->ref, 1);
	copy_sched_done(s, fk);
	assert_true(copy_sched_exhausted(s));
	copy_sched_free(s);
}

static void two_foreign_keys_on_one_table_are_added_one_at_a_time(void **state)
{
	(void)state;
	bool skip[3] = {true, true, true};
	struct copy_sched *s = copy_sched_new(3, skip);
	copy_sched_fk(s, 0, 0, 1);
	copy_sched_fk(s, 1, 2, 1);
	copy_sched_fk(s, 2, 2, 2);
	struct copy_task *a = take(s, TASK_FK, 0);
	/* the second locks 1 too; the third (2 on itself) shares no table */
	struct copy_task *c = take(s, TASK_FK, 2);
	assert_int_equal(c->item, 2);
	assert_null(copy_sched_pick(s));
	copy_sched_done(s, a);
	assert_null(copy_sched_pick(s)); /* 2 is still locked by the third */
	copy_sched_done(s, c);
	take(s, TASK_FK, 2);
	copy_sched_free(s);
}

static void a_split_table_is_loaded_when_its_last_part_is(void **state)
{
	(void)state;
	struct copy_sched *s = copy_sched_new(1, NULL);
	copy_sched_copy(s, 0, 0, 2, -1, 500);
	copy_sched_copy(s, 0, 1, 2, 500, -1);
	struct copy_task *p0 = take(s, TASK_COPY, 0);
	assert_int_equal(s->t[0].state, TABLE_LOADING);
	struct copy_task *p1 = take(s, TASK_COPY, 0);
	assert_int_equal(p1->part, 1);
	assert_int_equal(p1->from, 500);
	assert_false(copy_sched_done(s, p1));
	assert_int_equal(s->t[0].state, TABLE_LOADING);
	assert_true(copy_sched_done(s, p0));
	assert_int_equal(s->t[0].state, TABLE_LOADED);
	assert_int_equal(s->copies_left, 0);
	copy_sched_free(s);
}

static void a_near_source_is_read_as_one_stream_per_table(void **state)
{
	(void)state;
	assert_int_equal(copy_sched_streams(0.0002), 1);
	assert_int_equal(copy_sched_streams(0.005), 1);
	assert_int_equal(copy_sched_streams(0.015),
			 1); /* a busy machine's scheduling, not distance */
	/* and nothing is split, however big, unless asked for */
	assert_int_equal(copy_sched_parts(1LL << 34, 1LL << 35, 1 << 21, 2, INT64_MAX, 1), 1);
}

static void the_streams_grow_with_the_distance(void **state)
{
	(void)state;
	/* a 4 MiB window per round trip, 100 MB/s to fill, and one more */
	assert_int_equal(copy_sched_streams(0.030), 2);
	assert_int_equal(copy_sched_streams(0.100), 4);
	assert_int_equal(copy_sched_streams(0.150), 5);
	assert_int_equal(copy_sched_streams(2.0), COPY_MAX_STREAMS);
}

static void a_far_source_splits_only_tables_worth_the_parts(void **state)
{
	(void)state;
	int64_t mb = 1048576;
	/* the biggest: more than a stream's share and big enough */
	assert_int_equal(copy_sched_parts(60 * mb, 100 * mb, 60 * mb / 8192, 2, INT64_MAX, 4), 4);
	/* a small table, and one under a stream's share, stay whole */
	assert_int_equal(copy_sched_parts(4 * mb, 5 * mb, 4 * mb / 8192, 2, INT64_MAX, 4), 1);
	assert_int_equal(copy_sched_parts(20 * mb, 100 * mb, 20 * mb / 8192, 2, INT64_MAX, 4), 1);
	/* never more parts than blocks */
	assert_int_equal(copy_sched_parts(60 * mb, 100 * mb, 3, 2, INT64_MAX, 4), 1);
	/* the knob still splits into one part per job when that is more */
	assert_int_equal(copy_sched_parts(60 * mb, 100 * mb, 60 * mb / 8192, 8, mb, 4), 8);
	assert_int_equal(copy_sched_parts(60 * mb, 100 * mb, 60 * mb / 8192, 2, mb, 1), 2);
}

static void a_reading_stream_takes_the_split_table_then_by_size(void **state)
{
	(void)state;
	struct copy_sched *s = copy_sched_new(4, NULL);
	copy_sched_copy(s, 0, 0, 2, -1, 100);
	copy_sched_copy(s, 0, 1, 2, 100, -1);
	copy_sched_copy(s, 1, 0, 1, -1, -1);
	copy_sched_copy(s, 2, 0, 1, -1, -1);
	copy_sched_copy(s, 3, 0, 1, -1, -1);
	/* the split table's parts first, whichever end a reader takes from: its
	 * rows are in early, its indexes build while the rest streams */
	struct copy_task *k = copy_sched_pick_copy(s, true);
	assert_int_equal(k->table, 0);
	assert_int_equal(k->part, 0);
	copy_sched_start(s, k);
	k = copy_sched_pick_copy(s, false);
	assert_int_equal(k->table, 0);
	assert_int_equal(k->part, 1);
	copy_sched_start(s, k);
	/* then one reader from the smallest, the other from the biggest */
	k = copy_sched_pick_copy(s, true);
	assert_int_equal(k->table, 3);
	copy_sched_start(s, k);
	k = copy_sched_pick_copy(s, false);
	assert_int_equal(k->table, 1);
	copy_sched_start(s, k);
	assert_int_equal(copy_sched_pick_copy(s, true)->table, 2);
	copy_sched_free(s);
}

static void with_readers_a_job_leaves_the_link_to_them_while_a_split_table_ends(void **state)
{
	(void)state;
	struct copy_sched *s = copy_sched_new(2, NULL);
	s->readers = 2;
	copy_sched_copy(s, 0, 0, 2, -1, 100);
	copy_sched_copy(s, 0, 1, 2, 100, -1);
	copy_sched_copy(s, 1, 0, 1, -1, -1);
	copy_sched_group(s, 0, 2, false);
	struct copy_task *p0 = copy_sched_pick(s);
	copy_sched_start(s, p0);
	struct copy_task *p1 = copy_sched_pick_copy(s, false);
	assert_int_equal(p1->table, 0);
	copy_sched_start(s, p1);
	/* a part still waiting: a job takes work as before */
	copy_sched_done(s, p0);
	/* every part started, one streaming: the job waits for the index builds */
	assert_null(copy_sched_pick(s));
	assert_false(copy_sched_exhausted(s));
	/* a reader still takes the next COPY */
	assert_int_equal(copy_sched_pick_copy(s, false)->table, 1);
	assert_true(copy_sched_done(s, p1));
	assert_int_equal(copy_sched_pick(s)->kind, TASK_INDEX);
	/* without readers, the job takes the next COPY at once */
	copy_sched_free(s);
	s = copy_sched_new(2, NULL);
	copy_sched_copy(s, 0, 0, 2, -1, 100);
	copy_sched_copy(s, 0, 1, 2, 100, -1);
	copy_sched_copy(s, 1, 0, 1, -1, -1);
	copy_sched_start(s, copy_sched_pick(s));
	copy_sched_start(s, copy_sched_pick(s));
	struct copy_task *k = copy_sched_pick(s);
	assert_non_null(k);
	assert_int_equal(k->table, 1);
	copy_sched_free(s);
}

static void a_reading_stream_takes_copies_never_post_data(void **state)
{
	(void)state;
	struct copy_sched *s = copy_sched_new(2, NULL);
	copy_sched_copy(s, 0, 0, 1, -1, -1);
	copy_sched_copy(s, 1, 0, 1, -1, -1);
	copy_sched_group(s, 0, 1, false);
	struct copy_task *c0 = take(s, TASK_COPY, 0);
	copy_sched_done(s, c0);
	/* table 0's index is ready: a job takes it, a reading stream the next COPY */
	assert_int_equal(copy_sched_pick(s)->kind, TASK_INDEX);
	struct copy_task *k = copy_sched_pick_copy(s, false);
	assert_non_null(k);
	assert_int_equal(k->kind, TASK_COPY);
	assert_int_equal(k->table, 1);
	assert_true(copy_sched_copies_waiting(s));
	copy_sched_start(s, k);
	assert_false(copy_sched_copies_waiting(s));
	assert_null(copy_sched_pick_copy(s, false));
	copy_sched_free(s);
}

static void a_table_is_analyzed_once_its_rows_and_indexes_are_in(void **state)
{
	(void)state;
	struct copy_sched *s = copy_sched_new(3, NULL);
	for (int t = 0; t < 3; t++)
		copy_sched_copy(s, t, 0, 1, -1, -1);
	copy_sched_group(s, 0, 1, false);
	copy_sched_fk(s, 0, 1, 0);
	copy_sched_analyze(s, 0);
	copy_sched_analyze(s, 1);
	struct copy_task *c0 = take(s, TASK_COPY, 0);
	struct copy_task *c1 = take(s, TASK_COPY, 1);
	/* no table in yet: the next COPY */
	assert_int_equal(copy_sched_pick(s)->kind, TASK_COPY);
	/* table 1 is in (no index of its own): analyzed before the next COPY */
	assert_true(copy_sched_done(s, c1));
	struct copy_task *a1 = take(s, TASK_ANALYZE, 1);
	/* table 0: its index first, and not analyzed while it builds */
	assert_true(copy_sched_done(s, c0));
	struct copy_task *i0 = take(s, TASK_INDEX, 0);
	assert_int_equal(copy_sched_pick(s)->kind, TASK_COPY);
	copy_sched_done(s, i0);
	/* both in: the key between them waits while table 1 is analyzed (the
	 * locks conflict); table 0's ANALYZE may run */
	struct copy_task *a0 = take(s, TASK_ANALYZE, 0);
	copy_sched_done(s, a1);
	assert_int_equal(copy_sched_pick(s)->kind, TASK_COPY);
	copy_sched_done(s, a0);
	struct copy_task *fk = take(s, TASK_FK, 1);
	struct copy_task *c2 = take(s, TASK_COPY, 2);
	copy_sched_done(s, fk);
	assert_true(copy_sched_done(s, c2));
	assert_true(copy_sched_exhausted(s));
	copy_sched_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tables_are_copied_biggest_first),
		cmocka_unit_test(a_referencing_table_waits_for_the_tables_it_references),
		cmocka_unit_test(a_cycle_of_references_does_not_stall_the_copy),
		cmocka_unit_test(a_table_already_copied_is_loaded_and_indexed_at_once),
		cmocka_unit_test(post_data_goes_before_the_next_copy_once_a_table_is_in),
		cmocka_unit_test(a_group_of_no_table_waits_for_every_table),
		cmocka_unit_test(an_empty_group_is_done_at_once),
		cmocka_unit_test(a_foreign_key_waits_for_both_tables_and_their_indexes),
		cmocka_unit_test(two_foreign_keys_on_one_table_are_added_one_at_a_time),
		cmocka_unit_test(a_split_table_is_loaded_when_its_last_part_is),
		cmocka_unit_test(a_near_source_is_read_as_one_stream_per_table),
		cmocka_unit_test(the_streams_grow_with_the_distance),
		cmocka_unit_test(a_far_source_splits_only_tables_worth_the_parts),
		cmocka_unit_test(a_reading_stream_takes_the_split_table_then_by_size),
		cmocka_unit_test(
			with_readers_a_job_leaves_the_link_to_them_while_a_split_table_ends),
		cmocka_unit_test(a_reading_stream_takes_copies_never_post_data),
		cmocka_unit_test(a_table_is_analyzed_once_its_rows_and_indexes_are_in),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
