#!/bin/sh
# --plain --dry-run: every step looks (real PostgreSQL clusters, moto_server
# behind tests/tools/fakeaws.py for the engine versions moto cannot serve)
# and names each change a real run would make: the AWS calls with their
# parameters (the password masked), the SQL statements on the target, the
# .env line; afterwards nothing was created, changed or written.
. "$(dirname "$0")/../lib/testlib.sh"

pg_start src || exit 1
pg_start dst || exit 1
pg_load_sample src sample 1 || { echo "cannot load the sample"; exit 1; }
SRC_URL=$(pg_url src sample)
W="$T_TMP/app"
mkdir -p "$W"
cd "$W" || exit 1

# user tables in DB on dst
target_tables() {
	pg_sql dst "$1" -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
}

# a role of the application's that the source user may not read the password
# of (no superuser): a real run makes it with a new password, written to
# [migrate] role_passwords; the target user may create roles, as RDS's does
pg_sql src postgres -c "CREATE ROLE dry_reader LOGIN PASSWORD 'reader-Old-pw'" >/dev/null
app_sql src sample -c "GRANT SELECT ON public.users TO dry_reader" >/dev/null
pg_sql src sample -c "CREATE TABLE public.dry_owned (id int)" \
	-c "ALTER TABLE public.dry_owned OWNER TO dry_reader" -c "GRANT SELECT ON public.dry_owned TO app" >/dev/null
pg_sql dst postgres -c "ALTER ROLE app CREATEROLE" >/dev/null

# --- into a PostgreSQL of our own ([target] url) -------------------------------
new_target plan
CFG=$(migrate_config plan "$(pg_url dst plan)" "exclude_tables = public.words" \
	"role_passwords = $W/role-passwords" "[env]" "file = $W/.env")
rdsm "$CFG" "$T_TMP/plan.out" --dry-run
expect_eq dry_run_exits_0 0 "$RC"
expect_match dry_run_says_nothing_changes '^dry run: nothing is created, changed or written' "$T_TMP/plan.out"
expect_match dry_run_lists_source_tables '^\[source\] info: public\.users: table, (about [0-9]+ rows|rows not counted yet), [0-9.]+ KiB' "$T_TMP/plan.out"
expect_match dry_run_probes_target '^\[probe\] ok: PostgreSQL [0-9]' "$T_TMP/plan.out"
expect_match dry_run_lists_create_table '^\[schema\] info: would run: CREATE TABLE public\.users' "$T_TMP/plan.out"
expect_match dry_run_lists_post_data '^\[schema\] info: would run: ALTER TABLE ONLY public\.users ADD CONSTRAINT' "$T_TMP/plan.out"
expect_match dry_run_counts_statements '^\[schema\] skipped: a real run runs [0-9]+ statements before the data and [0-9]+ after it' "$T_TMP/plan.out"
expect_match dry_run_lists_copy '^\[data\] info: would run: COPY public\.users \(.*\) FROM STDIN \(FORMAT (binary|text)\)' "$T_TMP/plan.out"
expect_no_match dry_run_no_copy_of_excluded 'would run: COPY public\.words ' "$T_TMP/plan.out"
expect_match dry_run_names_excluded '^\[data\] info: public\.words: not copied: named in \[migrate\] exclude_tables' "$T_TMP/plan.out"
expect_match dry_run_data_estimate '^\[data\] info: to copy: about [0-9]+ rows, [0-9.]+ [KM]iB on the source; about [0-9hms]+ at the [0-9.]+ [KMG]?i?B/s measured from the source now' "$T_TMP/plan.out"
expect_match dry_run_lists_env_line "^\[env\] info: would write: DATABASE_URL=postgresql://app:\*\*\*\*@127\.0\.0\.1:$PORT_dst/plan.* into $W/\.env" "$T_TMP/plan.out"
expect_no_match dry_run_no_password_shown 'app-secret-pw' "$T_TMP/plan.out"
expect_match dry_run_lists_create_role '^\[schema\] info: would run: CREATE ROLE dry_reader WITH LOGIN .* PASSWORD \*\*\*\*$' "$T_TMP/plan.out"
expect_match dry_run_lists_grant '^\[schema\] info: would run: GRANT SELECT ON .*users.* TO dry_reader' "$T_TMP/plan.out"
expect_match dry_run_lists_owner '^\[schema\] info: would run: .*ALTER TABLE public\.dry_owned OWNER TO dry_reader' "$T_TMP/plan.out"
expect_match dry_run_lists_role_passwords "^\[schema\] info: would write: $W/role-passwords: the new passwords? of 1 role" "$T_TMP/plan.out"
expect_eq dry_run_target_has_no_table 0 "$(target_tables plan)"
expect_eq dry_run_target_has_no_new_role 0 "$(pg_sql dst postgres -c "SELECT count(*) FROM pg_roles WHERE rolname = 'dry_reader'")"
check dry_run_no_role_passwords_written test ! -e "$W/role-passwords"
check dry_run_no_env_written test ! -e "$W/.env"
check dry_run_no_state_written test ! -e "$T_TMP/plan/.rds-migrate.state"

# live mode: the publication and slot the data step would make on the source,
# the subscription (the source's password masked), the cutover's phases and
# cleanup's drops are listed; none of them exists afterwards
new_target live
CFG=$(migrate_config live "$(pg_url dst live)" "mode = live" "[cutover]" "start_command = true" "[env]" "file = $W/.env")
rdsm "$CFG" "$T_TMP/live.out" --dry-run data replicate cutover cleanup
expect_eq dry_run_live_exits_0 0 "$RC"
expect_match dry_run_live_publication '^\[data\] info: would run: on the source: DROP PUBLICATION IF EXISTS rds_migrate_[0-9a-f]+; CREATE PUBLICATION rds_migrate_[0-9a-f]+ FOR TABLE' "$T_TMP/live.out"
expect_match dry_run_live_slot '^\[data\] info: would run: on the source, a replication connection: CREATE_REPLICATION_SLOT rds_migrate_[0-9a-f]+ LOGICAL pgoutput' "$T_TMP/live.out"
expect_match dry_run_live_analyze '^\[data\] info: would run: ANALYZE of each table copied as soon as its rows and indexes are in, then of the partitioned tables and materialized views, 2 at a time' "$T_TMP/live.out"
expect_match dry_run_live_subscription "^\[replicate\] info: would run: CREATE SUBSCRIPTION rds_migrate_[0-9a-f]+ CONNECTION '… password=\*\*\*\*' PUBLICATION" "$T_TMP/live.out"
expect_match dry_run_live_cutover_stop '^\[cutover\] info: would run: on the source: ALTER DATABASE … SET default_transaction_read_only = on' "$T_TMP/live.out"
expect_match dry_run_live_cutover_env "^\[cutover\] info: would write: DATABASE_URL=postgresql://app:\*\*\*\*@127\.0\.0\.1:$PORT_dst/live" "$T_TMP/live.out"
expect_match dry_run_live_cutover_start '^\[cutover\] info: would run: \[cutover\] start_command: true' "$T_TMP/live.out"
expect_match dry_run_live_cleanup '^\[cleanup\] info: would run: on the source: DROP PUBLICATION rds_migrate_' "$T_TMP/live.out"
expect_no_match dry_run_live_no_password 'app-secret-pw' "$T_TMP/live.out"
expect_eq dry_run_live_no_slot 0 "$(pg_sql src postgres -c "SELECT count(*) FROM pg_replication_slots")"
expect_eq dry_run_live_no_publication 0 "$(pg_sql src sample -c "SELECT count(*) FROM pg_publication")"
expect_eq dry_run_live_no_subscription 0 "$(pg_sql dst postgres -c "SELECT count(*) FROM pg_subscription")"
check dry_run_live_no_env_written test ! -e "$W/.env"

# --- a new RDS instance (moto) -----------------------------------------------------
moto_start || { not_ok dry_run_moto_server "$MOTO_WHY"; exit 1; }
unset AWS_PROFILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE SOURCE_DATABASE_URL
export HOME="$T_TMP/home"
mkdir -p "$HOME"
set -- $(awsctl mkuser rdsm-dry) || true
AK=$1 SK=$2
[ -n "$AK" ] || { not_ok dry_run_iam_user "cannot create the IAM user in moto"; exit 1; }
fakeaws_start "$AK" "$SK" || { not_ok dry_run_fake_start "fakeaws did not start"; exit 1; }
export AWS_ENDPOINT_URL="$FAKE" RDSM_CHECKIP_URL="$FAKE/checkip" AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK"
SG=$(awsctl sg-create rdsm-dry-sg)
awsctl sg-rules "$SG" | sort >"$T_TMP/rules.before"
PW='Dry-Run-Secret-9x'
cat >"$W/rds.ini" <<EOF2
[source]
url = $SRC_URL
[aws]
region = us-east-1
[instance]
identifier = dry1
mode = create
engine_version = 15
class = db.t3.micro
storage_gb = 20
master_password = $PW
security_group = $SG
[network]
allow = 203.0.113.7/32
[migrate]
role_passwords = $W/role-passwords
[env]
file = $W/.env
EOF2
chmod 600 "$W/rds.ini"
rdsm "$W/rds.ini" "$T_TMP/rds.out" --dry-run
expect_eq dry_run_rds_exits_0 0 "$RC"
expect_match dry_run_rds_instance_summary '^\[instance\] info: dry1: would create: db\.t3\.micro, PostgreSQL 15, 20 GiB gp3, encrypted, single-AZ, publicly accessible' "$T_TMP/rds.out"
expect_match dry_run_rds_cost '^\[instance\] info: cost: about \$[0-9.]+/month' "$T_TMP/rds.out"
expect_match dry_run_rds_create_call '^\[instance\] info: would call: rds:CreateDBInstance DBInstanceIdentifier=dry1 DBInstanceClass=db\.t3\.micro Engine=postgres EngineVersion=15\.[0-9]+ AllocatedStorage=20 StorageType=gp3 StorageEncrypted=true .*MasterUserPassword=\*\*\*\* .*VpcSecurityGroupIds\.VpcSecurityGroupId\.1='"$SG" "$T_TMP/rds.out"
expect_no_string dry_run_rds_password_masked "$PW" "$T_TMP/rds.out"
expect_match dry_run_rds_rule_call "^\[network\] info: would call: ec2:AuthorizeSecurityGroupIngress GroupId=$SG IpPermissions\.1\.IpProtocol=tcp IpPermissions\.1\.FromPort=5432 IpPermissions\.1\.ToPort=5432 IpPermissions\.1\.IpRanges\.1\.CidrIp=203\.0\.113\.7/32" "$T_TMP/rds.out"
expect_match dry_run_rds_probe_waits '^\[probe\] skipped: the target does not exist yet: it is the instance a real run creates, reached with sslmode=verify-full' "$T_TMP/rds.out"
expect_match dry_run_rds_schema_listed '^\[schema\] info: would run: CREATE TABLE public\.users' "$T_TMP/rds.out"
expect_match dry_run_rds_role_listed '^\[schema\] info: would run: CREATE ROLE dry_reader WITH LOGIN .* PASSWORD \*\*\*\*$' "$T_TMP/rds.out"
expect_match dry_run_rds_role_passwords "^\[schema\] info: would write: $W/role-passwords: " "$T_TMP/rds.out"
expect_match dry_run_rds_copy_listed '^\[data\] info: would run: COPY public\.users \(.*\) FROM STDIN \(FORMAT text\)' "$T_TMP/rds.out"
expect_match dry_run_rds_estimate '^\[data\] info: to copy: about [0-9]+ rows, .* measured from the source now' "$T_TMP/rds.out"
expect_match dry_run_rds_env_pending '^\[env\] info: would write: DATABASE_URL=the URL of the instance, once it exists' "$T_TMP/rds.out"
expect_match dry_run_rds_protection_asked '^\[instance\] info: deletion protection: off: a real run asks whether to turn it on' "$T_TMP/rds.out"
expect_eq dry_run_rds_no_instance_in_moto 0 "$(awsctl count-dbs)"
awsctl sg-rules "$SG" | sort >"$T_TMP/rules.after"
if cmp -s "$T_TMP/rules.before" "$T_TMP/rules.after"; then ok dry_run_rds_security_group_unchanged; else
	not_ok dry_run_rds_security_group_unchanged; diff "$T_TMP/rules.before" "$T_TMP/rules.after" | sed 's/^/#   /'; fi
check dry_run_rds_no_env_written test ! -e "$W/.env"
check dry_run_rds_no_role_passwords_written test ! -e "$W/role-passwords"

# an instance that exists, its port open to the world: the plan adopts it,
# names the rule a real run would ask to revoke, and revokes nothing
awsctl mkdb have1 db.t3.micro postgres 15.10 >/dev/null
SG1=$(awsctl db-sg have1)
awsctl sg-world "$SG1" 5432 "from another client"
awsctl sg-rules "$SG1" | sort >"$T_TMP/rules1.before"
sed -e 's/^identifier = dry1/identifier = have1/' -e 's/^mode = create/mode = existing/' \
	-e "s/^security_group = .*/security_group = $SG1/" "$W/rds.ini" >"$W/have.ini"
chmod 600 "$W/have.ini"
rdsm "$W/have.ini" "$T_TMP/have.out" --dry-run instance network
expect_eq dry_run_existing_exits_0 0 "$RC"
expect_match dry_run_existing_adopted '^\[instance\] info: have1: would adopt this instance' "$T_TMP/have.out"
expect_match dry_run_existing_restore_point '^\[instance\] info: would call: rds:CreateDBSnapshot DBInstanceIdentifier=have1 DBSnapshotIdentifier=rds-migrate-have1-YYYYMMDD-HHMMSS .*Tags\.Tag\.2\.Value=adopted' "$T_TMP/have.out"
expect_match dry_run_existing_protection '^\[instance\] info: would call: rds:ModifyDBInstance DBInstanceIdentifier=have1 DeletionProtection=true' "$T_TMP/have.out"
expect_match dry_run_world_rule_asked "^\[network\] warning: $SG1: $SG1 allows tcp 5432 from 0\.0\.0\.0/0.*: a real run asks whether to revoke it" "$T_TMP/have.out"
expect_match dry_run_world_revoke_call "^\[network\] info: would call: ec2:RevokeSecurityGroupIngress GroupId=$SG1 IpPermissions\.1\.IpProtocol=tcp IpPermissions\.1\.FromPort=5432 IpPermissions\.1\.ToPort=5432 IpPermissions\.1\.IpRanges\.1\.CidrIp=0\.0\.0\.0/0" "$T_TMP/have.out"
expect_match dry_run_existing_rule_call "^\[network\] info: would call: ec2:AuthorizeSecurityGroupIngress GroupId=$SG1 .*CidrIp=203\.0\.113\.7/32" "$T_TMP/have.out"
expect_eq dry_run_existing_no_snapshot "" "$(awsctl snapshots have1)"
expect_eq dry_run_existing_protection_unchanged False "$(awsctl protected have1)"
awsctl sg-rules "$SG1" | sort >"$T_TMP/rules1.after"
if cmp -s "$T_TMP/rules1.before" "$T_TMP/rules1.after"; then ok dry_run_world_rule_kept; else
	not_ok dry_run_world_rule_kept; diff "$T_TMP/rules1.before" "$T_TMP/rules1.after" | sed 's/^/#   /'; fi

# --dry-run is for --plain
"$RDSM_BIN" -c "$W/rds.ini" --dry-run >"$T_TMP/usage.out" 2>&1
expect_eq dry_run_without_plain_is_a_usage_error 2 $?
