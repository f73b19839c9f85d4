#!/bin/sh
# far_link.sh — the copy follows the distance to the source (issue 16), against
# two real PostgreSQL clusters. The far source is tests/tools/farlink (the
# benchmark's loopback link, built by make: a round trip added to every
# exchange and a window per connection, as a TCP stream over a long path; the
# kernel's netem is not available here):
#   - near (the cluster itself): every table read as one stream, the jobs only,
#     the log says how near the source is; the snapshot is opened on the schema
#     step's source connection, not a new one;
#   - far (60 ms of round trip): the run names the tables read as several
#     streams and why, adds reading streams beyond the jobs, and the target
#     holds exactly the source's rows, keys and indexes; the log counts the
#     round trips: 1 for the schema step, and for the data step 1 and one per
#     COPY query (each connection's set-up rides with its first COPY, the
#     small tables' COPYs go several to a query); the split table's rows are
#     in before the other big tables';
#   - a batch of COPYs failing in its middle names the table and leaves
#     nothing running; the run after it copies exactly.
# What a crash in the middle of such a split copy leaves is faults.sh's (split_case far).
. "$(dirname "$0")/../lib/testlib.sh"

pg_start src || exit 1
pg_start dst || exit 1
pg_load_sample src sample 20 || { echo "cannot load the sample"; exit 1; }
pg_sql src sample -c "VACUUM ANALYZE" >/dev/null
rowsums src sample >"$T_TMP/rows.src"
dump src sample >"$T_TMP/schema.src"

# copy_case LABEL DB SOURCE_URL: schema and data into a fresh DB, with a log.
copy_case() {
	new_target "$2" >/dev/null
	cfg=$(migrate_config -s "$3" "$2" "$(pg_url dst "$2")")
	timeout 120 "$RDSM_BIN" -c "$cfg" --plain --log "$T_TMP/$2.log" schema data >"$T_TMP/$2.out" 2>&1
	expect_eq "$1: schema and data exit 0" 0 "$?"
	rowsums dst "$2" >"$T_TMP/rows.$2"
	same "$1: the target holds exactly the source's rows" "$T_TMP/rows.src" "$T_TMP/rows.$2"
	dump dst "$2" >"$T_TMP/schema.$2"
	same "$1: the target has the source's keys and indexes" "$T_TMP/schema.src" "$T_TMP/schema.$2"
}

copy_case "a near source" near "$(pg_url src sample)"
expect_match "a near source: the log says it is near and reads each table as one stream" \
	'\[data\] source [0-9.]+ ms away: each table read as one stream' "$T_TMP/near.log"
expect_no_match "a near source: no table is split" 'read as [0-9]+ streams' "$T_TMP/near.out"
expect_match "a near source: the jobs only" \
	'copying 10 tables \(binary COPY, 2 jobs\)$' "$T_TMP/near.out"
# source connections: the schema step's, which the data step opens its
# snapshot on, and the 2 jobs' (opened while the schema step works: counted
# in whichever step they are made)
conns=$(sed -n 's/.*\] round trips: [0-9]* to the source (\([0-9]*\) connections*).*/\1/p' "$T_TMP/near.log" |
	awk '{n += $1} END {print n}')
expect_eq "the data step opens its snapshot on the schema step's connection: the rest are the jobs'" 3 "$conns"
expect_match "the jobs' connections are opened while the schema step works" \
	'\[schema\] round trips: [0-9]+ to the source \([23] connections\)' "$T_TMP/near.log"

farlink_start src 60 0 1048576 || exit 1
copy_case "a far source" far "postgresql://app:app-secret-pw@127.0.0.1:$FAR_PORT/sample?sslmode=disable"
# 60 ms: a 4 MiB window per round trip fills 70 MB/s, two of them 100 MB/s, and one more
# (more when a busy machine answers later: the round trip is measured)
expect_match "a far source: the run says which table is read as several streams, and why" \
	'info: link: source [0-9]+ ms away: public\.words read as [3-8] streams each \(block ranges of the one snapshot\), one stream being held to a window per round trip' \
	"$T_TMP/far.out"
expect_no_match "a far source: the small tables stay whole" \
	'link: .*public\.(scripts|users|bookmarks)' "$T_TMP/far.out"
expect_match "a far source: a reading stream beyond the jobs" \
	'copying 10 tables \(binary COPY, 2 jobs and [1-6] more streams?\)$' "$T_TMP/far.out"
expect_match "a far source: the log counts the data step's round trips" \
	'\[data\] round trips: [0-9]+ to the source \([0-9]+ connections?\)' "$T_TMP/far.log"
expect_match "a far source: binary COPY stays" 'binary COPY\)' "$T_TMP/far.out"

# Round trips, not queries: the schema step reads the source in one batch
# (a source user who may read pg_authid makes one more, for the passwords);
# each job's and reader's set-up (session, snapshot) goes
# with its first COPY, so the data step makes 1 round trip (the snapshot, the
# post-data's reads and the tables, one pipeline) and one per COPY query: 9
# whole tables and the split one's parts, the small tables far away several
# to a query.
for c in near far; do
	expect_match "$c: the schema step makes 1 round trip to the source" \
		'\[schema\] round trips: 1 to the source \([0-9]+ connections?\)' "$T_TMP/$c.log"
	parts=$(sed -n 's/.*public\.words read as \([0-9]*\) streams.*/\1/p' "$T_TMP/$c.out")
	copies=$((9 + ${parts:-1}))
	set -- $(sed -n "s/.*\] \([0-9]*\) small tables' COPYs sent in \([0-9]*\) queries.*/\1 \2/p" "$T_TMP/$c.log")
	queries=$((copies - ${1:-0} + ${2:-0}))
	expect_match "$c: the data step: 1 round trip, then one per COPY query" \
		"\\[data\\] round trips: $((1 + queries)) to the source" "$T_TMP/$c.log"
done
expect_no_match "near: every COPY its own query" "small tables' COPYs sent" "$T_TMP/near.log"
expect_match "far: the small tables' COPYs go several to a query" \
	"\\[data\\] [2-9] small tables' COPYs sent in 1 queries" "$T_TMP/far.log"
# Every stream on the split table first: its rows are in before the next
# biggest tables', so its index builds run while they stream.
order=$(grep -n -E '\] public\.(words|scripts|users|bookmarks): [0-9]+/[0-9]+ rows' "$T_TMP/far.out" |
	sed 's/^\([0-9]*\):.*public\.\([a-z]*\):.*/\2/' | head -n 1)
expect_eq "a far source: the split table's rows are in first" words "$order"

# A batch that fails in its middle: the target refuses one small table's rows
# (a check added there). The run names that table and stops; nothing of ours
# is left running on the source; once the check is gone, data again copies
# exactly (the big table is kept then: nothing is split, which it says).
new_target batchfail >/dev/null
cfg=$(migrate_config -s "postgresql://app:app-secret-pw@127.0.0.1:$FAR_PORT/sample?sslmode=disable" \
	batchfail "$(pg_url dst batchfail)")
timeout 120 "$RDSM_BIN" -c "$cfg" --plain schema >"$T_TMP/bf-schema.out" 2>&1
pg_sql dst batchfail -c "ALTER TABLE public.actor_aliases ADD CONSTRAINT no_rows CHECK (false) NOT VALID"
timeout 120 "$RDSM_BIN" -c "$cfg" --plain --log "$T_TMP/bf.log" data >"$T_TMP/bf.out" 2>&1
expect_eq "a batch failing in its middle: data fails" 1 "$?"
expect_match "the failing table is named, left empty" \
	'public\.actor_aliases: target: .*no_rows.*; the target table was left empty' "$T_TMP/bf.out"
sleep 1
expect_eq "nothing of ours left running on the source" 0 \
	"$(pg_sql src postgres -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'rds-migrate'")"
pg_sql dst batchfail -c "ALTER TABLE public.actor_aliases DROP CONSTRAINT no_rows"
timeout 120 "$RDSM_BIN" -c "$cfg" --plain data >"$T_TMP/bf2.out" 2>&1
expect_eq "data again exits 0 (it crashed when no table was left to split)" 0 "$?"
expect_match "data again: the big table copied already, none to split, said so" \
	'link: source [0-9]+ ms away: no table big enough to read as several streams' "$T_TMP/bf2.out"
rowsums dst batchfail >"$T_TMP/rows.batchfail"
same "data again: the target holds exactly the source's rows" "$T_TMP/rows.src" "$T_TMP/rows.batchfail"
