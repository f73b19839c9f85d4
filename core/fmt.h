/* Sizes, durations and rates written for people: one way of writing each,
 * for the core's findings and both front ends. */
#ifndef RDSM_FMT_H
#define RDSM_FMT_H

#include <stddef.h>
#include <stdint.h>

/* "512 B", "1.5 KiB", "183.2 MiB" (powers of 1024); returns BUF. */
const char *fmt_bytes(char *buf, size_t n, double bytes);
/* "5s", "1m05s", "2h03m"; returns BUF. */
const char *fmt_duration(char *buf, size_t n, double seconds);

/* How fast DONE of TOTAL went in ELAPSED seconds: *PER_S, and *ETA_S the
 * seconds left at that rate (-1 when unknown: no rate yet, or no total). */
void fmt_rate(int64_t done, int64_t total, double elapsed, double *per_s, double *eta_s);

/* Live replication's line: "caught up: lag 1.2 KiB, 0.4 s; 1234 rows applied;
 * 10 tables streaming" for PHASE (enum repl_phase), LAG_BYTES, LAG_S, ROWS,
 * TABLES; returns BUF. */
const char *fmt_replication(char *buf, size_t n, int phase, int64_t lag_bytes, double lag_s,
			    int64_t rows, int64_t tables);

#endif
