#!/bin/sh
# aws_steps.sh — the instance and network steps against moto_server with
# signature checking on, behind tests/tools/fakeaws.py (engine versions,
# faults, IMDSv2, checkip). Every request is signed with an IAM user's key
# that moto checks, so a wrongly signed request fails these tests.
. "$(dirname "$0")/../lib/testlib.sh"

PY=python3
INSPECT="$ROOT/$BUILD/tools/aws_inspect"

# moto checking signatures (after the 3 actions that make the IAM user and
# its key), fakeaws in front of it: every AWS request of rds-migrate goes
# through fakeaws
aws_start aws rdsm-test || exit 1
fake() { curl -s "$FAKE/_fake/$1"; }
export AWS_ENDPOINT_URL="$FAKE" RDSM_CHECKIP_URL="$FAKE/checkip" RDSM_POLL_SECONDS=1
export AWS_EC2_METADATA_SERVICE_ENDPOINT="$FAKE" AWS_EC2_METADATA_DISABLED=true

# the signature check is on: a request signed with a wrong secret is refused
if (SK=wrong-secret; awsctl count-dbs) >/dev/null 2>&1; then
	not_ok aws_moto_checks_signatures "moto accepted a wrongly signed request"
else
	ok aws_moto_checks_signatures
fi

SG=$(awsctl sg-create rdsm-db-sg)
# conf NAME [key=value in section lines…]: a config file with the test defaults.
conf() {
	f="$T_TMP/$1.ini"; shift
	{
		echo "[aws]"; echo "region = us-east-1"; echo "profile = ${PROFILE:-}"
		echo "[instance]"; echo "identifier = ${ID:-db1}"; echo "mode = ${MODE:-create}"
		echo "engine_version = ${VERSION:-15}"; echo "master_password = ${PW-Str0ng-Passw0rd-x}"
		echo "security_group = ${SGCONF:-$SG}"; echo "public = ${PUBLIC:-true}"
		echo "[network]"; echo "allow = ${ALLOW:-auto}"
	} >"$f"
	chmod 600 "$f"
	echo "$f"
}
run_plain() { # OUT CONFIG ARGS…
	out=$1; shift
	"$RDSM_BIN" -c "$@" >"$out" 2>&1
}
use_keys() { export AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK"; }
no_keys() { unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN; }

# ---- who: credentials and their errors ---------------------------------------
no_keys
C=$(conf nocreds)
run_plain "$T_TMP/nocreds.out" "$C" --plain instance
expect_eq aws_no_credentials_exit 1 $?
expect_match aws_cost_shown_without_credentials "info: cost: about" "$T_TMP/nocreds.out"
expect_match aws_no_credentials_says_so "FAILED: no AWS credentials: none in the environment.*no profile default" "$T_TMP/nocreds.out"

export AWS_ACCESS_KEY_ID=AKIAUNKNOWNKEY000001 AWS_SECRET_ACCESS_KEY=whatever
run_plain "$T_TMP/badkey.out" "$C" --plain instance
expect_eq aws_unknown_key_exit 1 $?
expect_match aws_unknown_key_message "InvalidClientTokenId.*AWS does not accept the access key AKIA…0001 \(from environment" "$T_TMP/badkey.out"

export AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="not-the-secret"
run_plain "$T_TMP/badsecret.out" "$C" --plain instance
expect_match aws_wrong_secret_message "SignatureDoesNotMatch.*the secret key does not match the access key" "$T_TMP/badsecret.out"

# a profile in ~/.aws with a session token far longer than 200 bytes
no_keys
set -- $(awsctl assume)
TAK=$1 TSK=$2 TTOK=$3
mkdir -p "$HOME/.aws"
cat >"$HOME/.aws/credentials" <<EOC
[default]
aws_access_key_id = AKIAUNKNOWNKEY000002
aws_secret_access_key = nope

[tempo]
aws_access_key_id = $TAK
aws_secret_access_key = $TSK
aws_session_token = $TTOK
EOC
cat >"$HOME/.aws/config" <<'EOC'
[default]
region = eu-west-1

[profile tempo]
region = us-east-1
output = json

[sso-session corp]
sso_start_url = https://example.awsapps.com/start
EOC
expect_eq aws_profile_token_is_long yes "$([ ${#TTOK} -gt 200 ] && echo yes || echo no)"
C=$(PROFILE=tempo conf profile)
"$INSPECT" "$C" instance >"$T_TMP/profile.out" 2>&1
expect_eq aws_profile_session_token_inspect_exit 0 $?
expect_match aws_profile_session_token_signed_in "signed in as arn:aws:sts::123456789012:assumed-role/rdsm-role/rdsm-session \(account 123456789012\) in us-east-1" "$T_TMP/profile.out"
expect_match aws_profile_credentials_source "access key ASIA.* from profile tempo in $HOME/.aws/credentials, with a session token" "$T_TMP/profile.out"
expect_match aws_profiles_listed "profiles: default, tempo \(in" "$T_TMP/profile.out"
# AWS_PROFILE picks it too; a missing named profile is named in the message
AWS_PROFILE=tempo "$INSPECT" "$(conf profenv)" instance >"$T_TMP/profenv.out" 2>&1
expect_match aws_profile_from_env "assumed-role/rdsm-role" "$T_TMP/profenv.out"
AWS_PROFILE=nosuch "$INSPECT" "$(conf profmiss)" instance >"$T_TMP/profmiss.out" 2>&1
expect_match aws_profile_missing_message "profile nosuch is not in $HOME/.aws/credentials or $HOME/.aws/config" "$T_TMP/profmiss.out"
rm -rf "$HOME/.aws"

# IMDSv2: role credentials from the instance metadata service
enc() { "$PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
fake "set?imds_off=0&imds_ak=$TAK&imds_sk=$(enc "$TSK")&imds_token=$(enc "$TTOK")" >/dev/null
AWS_EC2_METADATA_DISABLED=false "$INSPECT" "$(conf imds)" instance >"$T_TMP/imds.out" 2>&1
expect_match aws_imds_credentials "from EC2 instance role fake-role.*with a session token" "$T_TMP/imds.out"
expect_match aws_imds_signed_in "signed in as arn:aws:sts::123456789012:assumed-role/rdsm-role" "$T_TMP/imds.out"
fake "set?imds_off=1" >/dev/null

# ---- the request layer: throttling, 5xx, timeouts ----------------------------
use_keys
C=$(conf retry)
fake "fault?action=GetCallerIdentity&seq=skew" >/dev/null
"$INSPECT" "$C" instance >"$T_TMP/skew.out" 2>&1
expect_match aws_clock_skew_message "this machine's clock is 3[56][0-9][0-9] s behind AWS's: fix the clock" "$T_TMP/skew.out"
fake "fault?action=GetCallerIdentity&seq=expired" >/dev/null
"$INSPECT" "$C" instance >"$T_TMP/expired.out" 2>&1
expect_match aws_expired_token_message "ExpiredToken: .*the session credentials \(from environment.*have expired" "$T_TMP/expired.out"
AWS_ENDPOINT_URL_STS=http://sts.no-such-region.invalid "$INSPECT" "$C" instance >"$T_TMP/dns.out" 2>&1
expect_match aws_no_network_message "cannot resolve sts.no-such-region.invalid: no network or DNS, or no such region \(us-east-1\)" "$T_TMP/dns.out"

n0=$(fake "count?action=GetCallerIdentity")
fake "fault?action=GetCallerIdentity&seq=throttle,throttle" >/dev/null
"$INSPECT" "$C" instance >"$T_TMP/throttle.out" 2>&1
expect_eq aws_throttled_then_success_exit 0 $?
expect_match aws_throttled_retry_shown "GetCallerIdentity: Throttling; retry 2 of 5" "$T_TMP/throttle.out"
expect_eq aws_throttled_three_calls $((n0 + 3)) "$(fake "count?action=GetCallerIdentity")"

fake "fault?action=DescribeDBInstances&seq=500,500bare" >/dev/null
"$INSPECT" "$C" instance >"$T_TMP/500.out" 2>&1
expect_eq aws_500_retried_exit 0 $?
expect_match aws_500_retried_shown "DescribeDBInstances: InternalFailure; retry 2 of 5" "$T_TMP/500.out"

fake "fault?action=DescribeDBInstances&seq=denied" >/dev/null
"$INSPECT" "$C" instance >"$T_TMP/denied.out" 2>&1
expect_match aws_access_denied_not_retried "AccessDenied: User: .*not allowed to do this" "$T_TMP/denied.out"

fake "set?slow_seconds=3" >/dev/null
fake "fault?action=GetCallerIdentity&seq=slow,slow" >/dev/null
start=$(date +%s)
RDSM_AWS_TIMEOUT=1 RDSM_AWS_MAX_ATTEMPTS=2 "$INSPECT" "$C" instance >"$T_TMP/timeout.out" 2>&1
rc=$?
took=$(($(date +%s) - start))
expect_eq aws_timeout_exit 1 $rc
expect_match aws_timeout_message "no answer from 127.0.0.1:$FAKE_PORT within 1 s \(tried 2 times\)" "$T_TMP/timeout.out"
expect_eq aws_timeout_bounded yes "$([ $took -lt 6 ] && echo yes || echo no)"

# ---- instance: create, engine versions, adopt, identifier taken --------------
VERSION=15.99 ID=badver run_plain "$T_TMP/badver.out" "$(VERSION=15.99 ID=badver conf badver)" --plain instance
expect_eq aws_full_version_not_offered_exit 1 $?
expect_match aws_full_version_not_offered "does not offer PostgreSQL 15.99 in us-east-1 \(offered: 15.2, 15.8, 15.10, 15.9\)" "$T_TMP/badver.out"

C=$(ID=db1 conf create)
run_plain "$T_TMP/create.out" "$C" --plain --yes instance network
expect_eq aws_create_exit 0 $?
expect_match aws_create_version_resolved "PostgreSQL 15 resolves to 15.10, the newest RDS offers" "$T_TMP/create.out"
expect_match aws_create_available_endpoint "db1 is available at db1\..*:5432" "$T_TMP/create.out"
expect_match aws_create_cost_shown "cost: about \\$[0-9.]+/month.*prices of 20" "$T_TMP/create.out"
expect_eq aws_create_settings_sent "version=15.10 encrypted=True class=db.t3.micro created-by=rds-migrate secret=no" "$(awsctl db db1)"
expect_match aws_create_state_kept "^instance.created=db1" "$T_TMP/.rds-migrate.state"
expect_match aws_network_rule_added "tcp 5432 from 203.0.113.7/32 \(\"rds-migrate [0-9-]+\"\) — added" "$T_TMP/create.out"
expect_match aws_network_rule_state "^network.rule=$SG:203.0.113.7/32" "$T_TMP/.rds-migrate.state"
awsctl sg-rules "$SG" >"$T_TMP/rules1"
expect_match aws_network_rule_in_moto "^5432 203.0.113.7/32 \| rds-migrate 20" "$T_TMP/rules1"

# run twice: nothing changes and it succeeds
creates=$(fake "count?action=CreateDBInstance")
auths=$(fake "count?action=AuthorizeSecurityGroupIngress")
run_plain "$T_TMP/again.out" "$C" --plain instance network
expect_eq aws_second_run_exit 0 $?
expect_match aws_second_run_adopts "created by an earlier run: adopting it" "$T_TMP/again.out"
expect_match aws_second_run_no_change "no change needed" "$T_TMP/again.out"
expect_eq aws_second_run_no_create "$creates" "$(fake "count?action=CreateDBInstance")"
expect_eq aws_second_run_no_authorize "$auths" "$(fake "count?action=AuthorizeSecurityGroupIngress")"
awsctl sg-rules "$SG" >"$T_TMP/rules2"
expect_eq aws_second_run_same_rules "$(cat "$T_TMP/rules1")" "$(cat "$T_TMP/rules2")"

# identifier taken by an instance we did not create: differences shown, asks
awsctl mkdb taken1 db.t3.small postgres 14.9
C=$(ID=taken1 conf taken)
run_plain "$T_TMP/taken.out" "$C" --plain instance </dev/null
expect_eq aws_identifier_taken_exit 1 $?
expect_match aws_identifier_taken_differences "differs: class: config db.t3.micro, instance db.t3.small" "$T_TMP/taken.out"
expect_match aws_identifier_taken_version_diff "differs: engine_version: config 15, instance 14.9" "$T_TMP/taken.out"
expect_match aws_identifier_taken_message "the identifier taken1 is already taken in us-east-1" "$T_TMP/taken.out"
run_plain "$T_TMP/adopt.out" "$C" --plain --yes instance
expect_eq aws_adopt_with_yes_exit 0 $?
expect_match aws_adopt_with_yes "adopting the existing instance" "$T_TMP/adopt.out"
expect_match aws_adopt_password_unknown "master password: not known to rds-migrate|taken1 is available" "$T_TMP/adopt.out"

awsctl mkdb mysql1 db.t3.micro mysql 8.0.35
run_plain "$T_TMP/mysql.out" "$(ID=mysql1 conf mysql)" --plain --yes instance
expect_match aws_identifier_taken_other_engine "taken in us-east-1 by a mysql instance" "$T_TMP/mysql.out"

# mode = existing lists the region's instances
run_plain "$T_TMP/existing.out" "$(MODE=existing ID=nosuch conf existing)" --plain instance
expect_match aws_existing_lists_instances "no instance named nosuch in us-east-1; the region has: .*db1.*taken1" "$T_TMP/existing.out"
run_plain "$T_TMP/existing2.out" "$(MODE=existing ID=db1 conf existing2)" --plain instance
expect_eq aws_existing_adopt_exit 0 $?
"$INSPECT" "$(MODE=existing ID=db1 conf existing3)" instance >"$T_TMP/existing3.out" 2>&1
expect_match aws_existing_inspect_lists "ok: taken1: available: postgres 14.9, db.t3.small" "$T_TMP/existing3.out"

# waiting shows every status change and survives a failed poll
fake "fault?action=CreateDBInstance&seq=status:creating" >/dev/null
fake "fault?action=DescribeDBInstances&seq=passthrough,status:creating,denied,status:backing-up" >/dev/null
run_plain "$T_TMP/wait.out" "$(ID=dbwait conf wait)" --plain instance
expect_eq aws_wait_exit 0 $?
expect_match aws_wait_status_shown "dbwait is creating — [0-9]+s elapsed, last poll [0-9:]+, polling every 1s, waiting up to 40 min" "$T_TMP/wait.out"
expect_match aws_wait_poll_error_survived "warning: poll: DescribeDBInstances: AccessDenied.*will retry; 1 of 5" "$T_TMP/wait.out"
expect_match aws_wait_change_backing_up "status: creating → backing-up after" "$T_TMP/wait.out"
expect_match aws_wait_change_available "status: backing-up → available after" "$T_TMP/wait.out"
expect_no_match aws_generated_password_not_printed "Str0ng-Passw0rd-x" "$T_TMP/wait.out"

# a generated password is never printed
# (a symlink planted where the secret goes is replaced, never followed)
printf 'precious\n' >"$T_TMP/victim.txt"
chmod 644 "$T_TMP/victim.txt"
ln -s "$T_TMP/victim.txt" "$T_TMP/.rds-migrate.secret"
run_plain "$T_TMP/gen.out" "$(ID=dbgen PW= conf gen)" --plain instance
expect_eq aws_secret_symlink_not_followed "precious 644" "$(cat "$T_TMP/victim.txt") $(stat -c %a "$T_TMP/victim.txt")"
check aws_secret_symlink_replaced test ! -L "$T_TMP/.rds-migrate.secret"
expect_eq aws_generated_password_exit 0 $?
expect_match aws_generated_password_said "master password: generated \(24 characters\)" "$T_TMP/gen.out"
# it waits in a 0600 file until the .env holds it: an interrupted run loses nothing
SECRET="$T_TMP/.rds-migrate.secret"
expect_eq aws_generated_password_kept_private "600" "$(stat -c %a "$SECRET" 2>/dev/null)"
GENPW=$(cat "$SECRET" 2>/dev/null)
expect_eq aws_generated_password_length 24 "${#GENPW}"
expect_no_string aws_generated_password_not_in_state "$GENPW" "$T_TMP/.rds-migrate.state"
GENC=$(ID=dbgen PW= conf gen)
printf '[target]\nsslmode = require\n[env]\nfile = %s\n' "$T_TMP/gen.env" >>"$GENC"
run_plain "$T_TMP/genenv.out" "$GENC" --plain env
expect_eq aws_generated_password_env_exit 0 $?
GENURL=$(sed -n 's/^DATABASE_URL=//p' "$T_TMP/gen.env" | tr -d "'")
expect_eq aws_generated_password_in_env "$GENPW" \
	"$("$PY" -c 'import sys, urllib.parse as u; print(u.unquote(u.urlsplit(sys.argv[1]).password or ""))' "$GENURL")"
expect_match aws_generated_password_env_endpoint "^DATABASE_URL=.*@dbgen\." "$T_TMP/gen.env"
check aws_generated_password_file_removed test ! -e "$SECRET"
expect_no_string aws_generated_password_not_printed_by_env "$GENPW" "$T_TMP/genenv.out"
# steps are idempotent: a later run reads the password back from that .env
run_plain "$T_TMP/genagain.out" "$GENC" --plain instance env
expect_eq aws_generated_password_remembered_exit 0 $?
expect_no_match aws_generated_password_remembered "not known" "$T_TMP/genagain.out"
expect_match aws_generated_password_remembered_env "\[env\] ok: .*unchanged" "$T_TMP/genagain.out"
run_plain "$T_TMP/genagain2.out" "$GENC" --plain env
expect_eq aws_generated_password_remembered_env_alone 0 $?
expect_no_string aws_generated_password_not_printed_again "$GENPW" "$T_TMP/genagain.out"

# engine listing unavailable: said so, the version sent as given
fake "fault?action=DescribeDBEngineVersions&seq=denied" >/dev/null
run_plain "$T_TMP/nolist.out" "$(ID=db2 conf nolist)" --plain instance
expect_eq aws_version_listing_unavailable_exit 0 $?
expect_match aws_version_listing_unavailable "cannot list the versions RDS offers .*AccessDenied.*sending 15 as given" "$T_TMP/nolist.out"

# secrets-manager: RDS keeps the password; read back with GetSecretValue
run_plain "$T_TMP/sm.out" "$(ID=db3 PW=secrets-manager conf sm)" --plain instance
expect_eq aws_secrets_manager_exit 0 $?
expect_match aws_secrets_manager_read_back "master password: read from AWS Secrets Manager \(arn:aws:secretsmanager:" "$T_TMP/sm.out"
expect_eq aws_secrets_manager_sent "yes" "$(awsctl db db3 | sed 's/.*secret=//')"

# ---- network: world rule, duplicate, EC2 group, not public ------------------
SG2=$(awsctl sg-create rdsm-world-sg)
awsctl sg-world "$SG2" 5432
C=$(ID=db4 SGCONF=$SG2 conf world)
run_plain "$T_TMP/w0.out" "$C" --plain instance
"$INSPECT" "$C" network >"$T_TMP/winspect.out" 2>&1
expect_eq aws_network_inspect_exit 0 $?
expect_match aws_network_inspect_world_flagged "error: $SG2: tcp 5432 from 0.0.0.0/0 \(\"anyone\"\) — open to the whole internet" "$T_TMP/winspect.out"
expect_match aws_network_inspect_verdict "error: verdict: port 5432 is open to the whole internet" "$T_TMP/winspect.out"
expect_no_match aws_network_inspect_asks_nothing "UNEXPECTED QUESTION" "$T_TMP/winspect.out"
awsctl sg-rules "$SG2" >"$T_TMP/wr0"
expect_eq aws_network_inspect_changes_nothing "5432 0.0.0.0/0 | anyone" "$(cat "$T_TMP/wr0")"
run_plain "$T_TMP/wno.out" "$C" --plain network </dev/null
expect_match aws_network_world_kept_without_yes "still open to the whole internet" "$T_TMP/wno.out"
run_plain "$T_TMP/wyes.out" "$C" --plain --yes network
expect_eq aws_network_revoke_world_exit 0 $?
expect_match aws_network_revoke_world "revoked tcp 5432 from 0.0.0.0/0" "$T_TMP/wyes.out"
awsctl sg-rules "$SG2" >"$T_TMP/wr1"
expect_no_match aws_network_world_gone_in_moto "0.0.0.0/0" "$T_TMP/wr1"
expect_match aws_network_ip_rule_in_moto "^5432 203.0.113.7/32" "$T_TMP/wr1"

# a duplicate rule (e.g. added by another client meanwhile) counts as success
fake "fault?action=AuthorizeSecurityGroupIngress&seq=dup" >/dev/null
run_plain "$T_TMP/dup.out" "$(ID=db4 SGCONF=$SG2 ALLOW=198.51.100.0/24 conf dup)" --plain network
expect_eq aws_network_duplicate_is_success_exit 0 $?
expect_match aws_network_duplicate_is_success "tcp 5432 from 198.51.100.0/24 .* — already there" "$T_TMP/dup.out"
# a CIDR from [network] allow is added as given
run_plain "$T_TMP/dup2.out" "$(ID=db4 SGCONF=$SG2 ALLOW=198.51.100.0/24 conf dup2)" --plain network
expect_eq aws_network_allow_cidr_exit 0 $?
expect_match aws_network_allow_cidr_added "tcp 5432 from 198.51.100.0/24 .* — added" "$T_TMP/dup2.out"
# a range wider than a /24 (here the world) needs --allow-world; --yes is not enough
run_plain "$T_TMP/world1.out" "$(ID=db4 SGCONF=$SG2 ALLOW=0.0.0.0/0 conf world1)" --plain --yes network
expect_eq aws_network_allow_world_refused_exit 1 $?
expect_match aws_network_allow_world_refused "FAILED: \[network\] allow = 0\.0\.0\.0/0 opens port 5432 to the whole internet: run again with --allow-world" "$T_TMP/world1.out"
awsctl sg-rules "$SG2" >"$T_TMP/wr2"
expect_no_match aws_network_allow_world_not_added "0.0.0.0/0" "$T_TMP/wr2"
run_plain "$T_TMP/wide1.out" "$(ID=db4 SGCONF=$SG2 ALLOW=10.0.0.0/8 conf wide1)" --plain network
expect_eq aws_network_allow_wide_refused_exit 1 $?
run_plain "$T_TMP/world2.out" "$(ID=db4 SGCONF=$SG2 ALLOW=0.0.0.0/0 conf world2)" --plain --allow-world network
expect_eq aws_network_allow_world_confirmed_exit 0 $?
expect_match aws_network_allow_world_added_warned "warning: $SG2: tcp 5432 from 0\.0\.0\.0/0 .* — added \(a wide range" "$T_TMP/world2.out"
run_plain "$T_TMP/world3.out" "$(ID=db4 SGCONF=$SG2 ALLOW=0.0.0.0/0 conf world3)" --plain --allow-world network
expect_match aws_network_world_later_runs_warn "error: .*0\.0\.0\.0/0.*open to the whole internet" "$T_TMP/world3.out"
awsctl sg-unworld "$SG2" 5432 "rds-migrate $(date -u +%F)" >/dev/null 2>&1 || true

# on EC2 (IMDS answers) in the same VPC: the instance's own group, no CIDR
VPC=$(awsctl default-vpc)
SG3=$(awsctl sg-create rdsm-ec2-sg)
SG4=$(awsctl sg-create rdsm-db4-sg)
fake "set?imds_off=0&imds_vpc=$VPC&imds_sgs=$SG3" >/dev/null
C=$(ID=db5 SGCONF=$SG4 conf ec2)
AWS_EC2_METADATA_DISABLED=false run_plain "$T_TMP/ec2.out" "$C" --plain instance network
expect_eq aws_network_ec2_group_exit 0 $?
expect_match aws_network_ec2_group_rule "tcp 5432 from $SG3 .* — added" "$T_TMP/ec2.out"
awsctl sg-rules "$SG4" >"$T_TMP/er"
expect_match aws_network_ec2_group_in_moto "^5432 $SG3 \| rds-migrate" "$T_TMP/er"
expect_no_match aws_network_ec2_no_cidr "/32" "$T_TMP/er"
fake "set?imds_off=1" >/dev/null

# not publicly accessible and outside its VPC: explained, nothing added
awsctl mkdb private1 db.t3.micro postgres 15.10 false
C=$(ID=private1 conf private)
run_plain "$T_TMP/priv.out" "$C" --plain network
expect_eq aws_network_private_exit 1 $?
expect_match aws_network_private_explained "not publicly accessible and this machine is outside its VPC" "$T_TMP/priv.out"

# EC2 throttling shape on the live read
fake "fault?action=DescribeSecurityGroups&seq=ec2throttle" >/dev/null
"$INSPECT" "$(ID=db1 conf ec2thr)" network >"$T_TMP/ec2thr.out" 2>&1
expect_eq aws_ec2_throttle_retried_exit 0 $?
expect_match aws_ec2_throttle_retried "DescribeSecurityGroups: RequestLimitExceeded; retry 2 of 5" "$T_TMP/ec2thr.out"

# ---- the cost from the AWS Price List ----------------------------------------
# moto does not serve the Price List: fakeaws answers GetProducts (after
# checking the signature) with its own prices, published 2026-11-01.
expect_match aws_cost_from_price_list 'cost: about \$15\.44/month .*on-demand prices of 2026-11-01 from the AWS Price List$' "$T_TMP/create.out"
expect_eq aws_price_list_asked_for_the_class_region_and_deployment "db.t3.micro us-east-1 PostgreSQL Single-AZ" \
	"$(for f in instanceType regionCode databaseEngine deploymentOption; do
		fake "param?action=GetProducts:Database%20Instance&name=$f"; done | tr '\n' ' ' | sed 's/ $//')"
fake "set?price_db.t3.micro=0.0200" >/dev/null
n0=$(fake "count?action=GetProducts")
"$INSPECT" "$(ID=pricey conf pricey)" instance >"$T_TMP/pricey.out" 2>&1
expect_match aws_cost_uses_the_price_list_figures 'cost: about \$16\.90/month \(instance \$14\.60, storage gp3 20 GiB \$2\.30.*from the AWS Price List$' "$T_TMP/pricey.out"
expect_eq aws_price_list_asked_once_per_price "3" "$(($(fake "count?action=GetProducts") - n0))"
sed 's/^\[instance\]$/[instance]\nclass = db.m5.large/' "$T_TMP/pricey.ini" >"$T_TMP/m5.ini"
"$INSPECT" "$T_TMP/m5.ini" instance >"$T_TMP/m5.out" 2>&1
expect_match aws_cost_falls_back_to_the_table_naming_why "cost: about \\$[0-9.]+/month .*list prices of 20[0-9-]+ from the shipped table \\(the AWS Price List: the Price List has no on-demand price per Hrs" "$T_TMP/m5.out"
AWS_ENDPOINT_URL_PRICING=http://127.0.0.1:1 "$INSPECT" "$T_TMP/pricey.ini" instance >"$T_TMP/noprice.out" 2>&1
expect_match aws_cost_without_the_price_list_says_so 'cost: about \$15\.44/month .*from the shipped table \(the AWS Price List: GetProducts: cannot connect to 127\.0\.0\.1' "$T_TMP/noprice.out"
expect_match aws_cost_without_credentials_says_the_table "cost: about .*from the shipped table \\(the AWS Price List: no AWS credentials" "$T_TMP/nocreds.out"
fake "set?price_db.t3.micro=0.018" >/dev/null

# the inspect view of the instance: status and cost, changes nothing
n0=$(fake "count?action=CreateDBInstance")
"$INSPECT" "$(ID=db1 conf insp)" instance >"$T_TMP/insp.out" 2>&1
expect_match aws_inspect_instance_status "ok: db1: available: postgres 15.10, db.t3.micro" "$T_TMP/insp.out"
"$INSPECT" "$(ID=notyet conf insp2)" instance network >"$T_TMP/insp2.out" 2>&1
expect_match aws_inspect_instance_absent "notyet: does not exist yet in us-east-1" "$T_TMP/insp2.out"
expect_match aws_inspect_network_absent "skipped: the instance notyet does not exist yet" "$T_TMP/insp2.out"
expect_eq aws_inspect_creates_nothing "$n0" "$(fake "count?action=CreateDBInstance")"
