/* Sizes, durations and rates written for people. */
#include "fmt.h"

#include <stdio.h>

#include "event.h"

const char *fmt_bytes(char *buf, size_t n, double bytes)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	int i = 0;
	while (bytes >= 1024 && i < 4) {
		bytes /= 1024;
		i++;
	}
	snprintf(buf, n, i ? "%.1f %s" : "%.0f %s", bytes, unit[i]);
	return buf;
}

const char *fmt_duration(char *buf, size_t n, double seconds)
{
	long t = (long)(seconds + 0.5);
	if (t >= 3600)
		snprintf(buf, n, "%ldh%02ldm", t / 3600, t / 60 % 60);
	else if (t >= 60)
		snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(buf, n, "%lds", t);
	return buf;
}

void fmt_rate(int64_t done, int64_t total, double elapsed, double *per_s, double *eta_s)
{
	*per_s = elapsed > 0 ? (double)done / elapsed : 0;
	*eta_s = total > done && *per_s > 0 ? (double)(total - done) / *per_s : -1;
}

const char *fmt_replication(char *buf, size_t n, int phase, int64_t lag_bytes, double lag_s,
			    int64_t rows, int64_t tables)
{
	static const char *const phases[] = {[REPL_CATCHING_UP] = "catching up",
					     [REPL_CAUGHT_UP] = "caught up",
					     [REPL_STALLED] = "STALLED"};
	char sz[32];
	const char *word = phase >= 0 && phase <= REPL_STALLED ? phases[phase] : "?";
	snprintf(buf, n, "%s: lag %s, %.1f s; %lld rows applied; %lld table%s streaming", word,
		 fmt_bytes(sz, sizeof sz, (double)(lag_bytes > 0 ? lag_bytes : 0)), lag_s,
		 (long long)rows, (long long)tables, tables == 1 ? "" : "s");
	return buf;
}
