/* Live mode's logical replication: names, the slot's start, the
 * subscription, draining and dropping. */
#include "replica.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "state.h"
#include "util.h"

/* Every object of ours is named REPLICA_PREFIX and the run's id. */
#define REPLICA_PREFIX "rds_migrate_"

static pthread_mutex_t name_lock = PTHREAD_MUTEX_INITIALIZER;

/* The run's name: REPLICA_PREFIX and eight hex digits drawn once and kept in
 * the state file ("replica.id"); without a state file, the bare prefix's. */
static const char *replica_name(const struct run *r)
{
	static char fallback[] = REPLICA_PREFIX "run";
	if (!r->state)
		return fallback;
	pthread_mutex_lock(&name_lock);
	const char *name = state_get(r->state, "replica.name");
	if (!name) {
		unsigned char b[4];
		char buf[64];
		if (random_bytes(b, sizeof b) == 0) {
			snprintf(buf, sizeof buf, REPLICA_PREFIX "%02x%02x%02x%02x", b[0], b[1],
				 b[2], b[3]);
			state_set(r->state, "replica.name", buf, NULL);
			name = state_get(r->state, "replica.name");
		}
	}
	pthread_mutex_unlock(&name_lock);
	return name ? name : fallback;
}

const char *replica_publication(const struct run *r)
{
	return replica_name(r);
}

const char *replica_slot(const struct run *r)
{
	return replica_name(r);
}

const char *replica_subscription(const struct run *r)
{
	return replica_name(r);
}

int replica_drain(struct run *r, int timeout_s, char **cause)
{
	(void)r;
	(void)timeout_s;
	return fail(cause, "replica_drain: not built yet");
}

int replica_drop(struct run *r, char **cause)
{
	(void)r;
	return fail(cause, "replica_drop: not built yet");
}
