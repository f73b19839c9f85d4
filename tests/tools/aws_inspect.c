/* aws_inspect CONFIG STEP…: run the instance/network/monitor steps in inspect mode
 * (as the TUI's live AWS, Instance and Network screens do), one line per
 * event, so the AWS integration tests can check what those screens get.
 * Exit 0 when every step succeeded or was skipped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "run.h"
#include "state.h"
#include "util.h"

static void emit(void *ctx, const struct event *ev)
{
	(void)ctx;
	static const char *const kinds[] = {"start", "status", "progress", "finding",
					    "done",  "failed", "skipped"};
	if (ev->kind == EV_FINDING)
		printf("[%s] %s: %s: %s\n", step_name(ev->step), level_name(ev->level), ev->item,
		       ev->text);
	else
		printf("[%s] %s: %s\n", step_name(ev->step), kinds[ev->kind], ev->text);
	fflush(stdout);
}

static int confirm(void *ctx, int step, const char *q)
{
	(void)ctx;
	printf("[%s] UNEXPECTED QUESTION in inspect mode: %s\n", step_name(step), q);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: aws_inspect CONFIG STEP...\n");
		return 2;
	}
	struct config cfg;
	struct problems probs = {0};
	char *cause = NULL;
	config_init(&cfg);
	if (config_load(&cfg, argv[1], false, &probs, &cause) < 0) {
		fprintf(stderr, "aws_inspect: %s\n", cause);
		return 2;
	}
	struct state st;
	char *sp = state_path_for(argv[1]);
	if (state_load(&st, sp, &cause) < 0) {
		fprintf(stderr, "aws_inspect: %s\n", cause);
		return 2;
	}
	struct sink sink = {.emit = emit, .confirm = confirm};
	struct run r;
	struct run_knobs knobs; /* as main.c reads them */
	run_knobs_from_env(&knobs);
	run_init(&r, &cfg, &st, &sink);
	r.knobs = &knobs;
	r.inspect = true;
	int rc = 0;
	for (int i = 2; i < argc; i++) {
		int s = step_find(argv[i]);
		if (s != step_index(&step_instance) && s != step_index(&step_network) &&
		    s != step_index(&step_monitor)) {
			fprintf(stderr, "aws_inspect: only instance, network and monitor\n");
			return 2;
		}
		if (run_step(&r, s) != 0)
			rc = 1;
	}
	run_free(&r);
	state_free(&st);
	free(sp);
	problems_free(&probs);
	config_free(&cfg);
	return rc;
}
