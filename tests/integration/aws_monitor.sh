#!/bin/sh
# aws_monitor.sh — after the move, on AWS: the restore point (a manual DB
# snapshot, tagged as ours) before rds-migrate first writes to an adopted
# instance, the backups and deletion protection it shows and offers, and the
# monitor step's CloudWatch alarms and SNS e-mail topic — against moto_server
# (RDS, CloudWatch, SNS) with signatures checked: every request is signed
# with an IAM user's key that moto verifies. A snapshot still being taken and
# an unconfirmed mail, which moto never shows, come from tests/tools/fakeaws.py
# rewriting moto's answers.
. "$(dirname "$0")/../lib/testlib.sh"

INSPECT="$ROOT/$BUILD/tools/aws_inspect"
aws_start aws_monitor rdsm-monitor || exit 1
export AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK" RDSM_POLL_SECONDS=1
if (SK=wrong-secret; awsctl count-dbs) >/dev/null 2>&1; then
	not_ok aws_monitor_signatures_checked "moto accepted a wrongly signed request"
else
	ok aws_monitor_signatures_checked
fi

awsctl mkdb adopted1 db.t3.micro postgres 15.10
# conf NAME [lines…]: the adopted instance, and [monitor] as given
conf() {
	f="$T_TMP/$1.ini"; shift
	{
		echo "[aws]"; echo "region = us-east-1"
		echo "[instance]"; echo "identifier = adopted1"; echo "mode = existing"
		echo "master_password = Str0ng-Passw0rd-x"
		echo "[target]"; echo "sslmode = require"
		echo "[monitor]"
		for l in "$@"; do echo "$l"; done
	} >"$f"
	chmod 600 "$f"
	echo "$f"
}
plain() { # OUT CONFIG ARGS…
	out=$1 cfg=$2; shift 2
	timeout 120 "$RDSM_BIN" -c "$cfg" --plain "$@" >"$out" 2>&1
	RC=$?
}

# ---- bad thresholds and a malformed e-mail: refused with the field named ------
C=$(conf bad "cpu_percent = 150" "free_storage_percent = 0.5" "email = ops@@example" \
	"read_latency_ms = -3" "enhanced_monitoring = 30")
"$RDSM_BIN" -c "$C" --check-config >"$T_TMP/bad.out" 2>&1
expect_eq aws_monitor_bad_config_exit 1 $?
expect_match aws_monitor_bad_cpu_named 'monitor\.cpu_percent = "150": must be a whole number of percent from 1 to 100, or 0 for no alarm' "$T_TMP/bad.out"
expect_match aws_monitor_bad_storage_named 'monitor\.free_storage_percent = "0\.5": must be a whole number of percent from 1 to 99' "$T_TMP/bad.out"
expect_match aws_monitor_bad_latency_named 'monitor\.read_latency_ms = "-3": must be a whole number of milliseconds' "$T_TMP/bad.out"
expect_match aws_monitor_bad_email_named 'monitor\.email = "ops@@example": not an e-mail address' "$T_TMP/bad.out"
expect_match aws_monitor_em_needs_role 'monitor\.enhanced_monitoring = "30": needs \[monitor\] monitoring_role' "$T_TMP/bad.out"
plain "$T_TMP/badrun.out" "$C" monitor
expect_eq aws_monitor_bad_config_run_refused 1 "$RC"
expect_eq aws_monitor_bad_config_no_alarm "" "$(awsctl alarms rds-migrate-)"

# ---- the restore point before the first write to an adopted instance ---------
C=$(conf adopt)
plain "$T_TMP/adopt.out" "$C" instance
expect_eq aws_adopt_exit 0 "$RC"
expect_match aws_adopt_backups_shown 'automated backups: kept 1 day, taken daily in [0-9:-]+ UTC; latest restorable time' "$T_TMP/adopt.out"
expect_match aws_adopt_snapshot_said 'ok: restore point: snapshot rds-migrate-adopted1-[0-9]{8}-[0-9]{6} of adopted1 is available \(adopted' "$T_TMP/adopt.out"
awsctl snapshots adopted1 >"$T_TMP/snaps1"
expect_match aws_adopt_snapshot_in_moto_tagged '^rds-migrate-adopted1-[0-9]{8}-[0-9]{6} available created-by=rds-migrate reason=adopted$' "$T_TMP/snaps1"
expect_match aws_adopt_deletion_protection_offered 'deletion protection: left off' "$T_TMP/adopt.out"
expect_eq aws_adopt_deletion_protection_unchanged False "$(awsctl protected adopted1)"
plain "$T_TMP/adopt2.out" "$C" --yes instance
expect_eq aws_adopt_again_exit 0 "$RC"
expect_eq aws_adopt_again_no_second_snapshot 1 "$(awsctl snapshots adopted1 | wc -l)"
expect_match aws_adopt_again_names_it 'restore point: snapshot rds-migrate-adopted1-.*, taken when it was adopted' "$T_TMP/adopt2.out"
expect_match aws_deletion_protection_turned_on 'ok: deletion protection: turned on' "$T_TMP/adopt2.out"
expect_eq aws_deletion_protection_in_moto True "$(awsctl protected adopted1)"
"$INSPECT" "$C" instance >"$T_TMP/insp.out" 2>&1
expect_match aws_inspect_shows_backups 'ok: deletion protection: on' "$T_TMP/insp.out"
# [instance] snapshot = false: none, and said so
awsctl mkdb adopted2 db.t3.micro postgres 15.10
sed -e 's/adopted1/adopted2/' -e 's/^\[instance\]$/[instance]\nsnapshot = false/' "$C" >"$T_TMP/nosnap.ini"
chmod 600 "$T_TMP/nosnap.ini"
plain "$T_TMP/nosnap.out" "$T_TMP/nosnap.ini" instance
expect_match aws_no_snapshot_said 'restore point: none taken before writing to the adopted adopted2 \(\[instance\] snapshot = false\)' "$T_TMP/nosnap.out"
expect_eq aws_no_snapshot_in_moto "" "$(awsctl snapshots adopted2)"

# ---- alarms and the e-mail topic ---------------------------------------------
C=$(conf mon "email = ops@example.com")
"$INSPECT" "$C" monitor >"$T_TMP/mon0.out" 2>&1
expect_match aws_monitor_inspect_would 'cpu_percent: CPU at or above 80% for 15 min — would be created' "$T_TMP/mon0.out"
expect_eq aws_monitor_inspect_changes_nothing "" "$(awsctl alarms rds-migrate-)"
plain "$T_TMP/mon1.out" "$C" monitor
expect_eq aws_monitor_exit 0 "$RC"
expect_match aws_monitor_thresholds_shown 'free_storage_percent: free storage below 5.0 GiB \(10% of 50 GiB\)' "$T_TMP/mon1.out"
expect_match aws_monitor_max_connections_default 'max_connections: 112, RDS.s default for db.t3.micro' "$T_TMP/mon1.out"
expect_match aws_monitor_confirm_mail 'warning: e-mail: subscribed ops@example.com: AWS has sent it a mail; confirm the e-mail' "$T_TMP/mon1.out"
expect_match aws_monitor_summary_created '\[monitor\] ok: 7 alarms: 7 created, 0 updated, 0 unchanged' "$T_TMP/mon1.out"
TOPIC="arn:aws:sns:us-east-1:123456789012:rds-migrate-adopted1-alarms"
awsctl alarms rds-migrate-adopted1- >"$T_TMP/alarms1"
D="DBInstanceIdentifier=adopted1"
expect_match aws_alarm_cpu "^rds-migrate-adopted1-cpu AWS/RDS CPUUtilization $D Average 80\.0 GreaterThanOrEqualToThreshold $TOPIC " "$T_TMP/alarms1"
expect_match aws_alarm_free_storage "^rds-migrate-adopted1-free-storage AWS/RDS FreeStorageSpace $D Minimum 5368709120\.0 LessThanThreshold $TOPIC " "$T_TMP/alarms1"
expect_match aws_alarm_freeable_memory "^rds-migrate-adopted1-freeable-memory AWS/RDS FreeableMemory $D Average 107374182\.0 LessThanThreshold $TOPIC " "$T_TMP/alarms1"
expect_match aws_alarm_connections "^rds-migrate-adopted1-connections AWS/RDS DatabaseConnections $D Maximum 90\.0 GreaterThanOrEqualToThreshold $TOPIC " "$T_TMP/alarms1"
expect_match aws_alarm_cpu_credits "^rds-migrate-adopted1-cpu-credits AWS/RDS CPUCreditBalance $D Minimum 20\.0 LessThanThreshold $TOPIC " "$T_TMP/alarms1"
expect_match aws_alarm_read_latency "^rds-migrate-adopted1-read-latency AWS/RDS ReadLatency $D Average 0\.02 GreaterThanThreshold $TOPIC " "$T_TMP/alarms1"
expect_match aws_alarm_write_latency "^rds-migrate-adopted1-write-latency AWS/RDS WriteLatency $D Average 0\.02 GreaterThanThreshold $TOPIC " "$T_TMP/alarms1"
expect_eq aws_alarm_count 7 "$(wc -l <"$T_TMP/alarms1")"
expect_eq aws_topic_mails_the_address "email ops@example.com" "$(awsctl subs rds-migrate-adopted1-alarms)"

# a second run changes nothing, and says so
plain "$T_TMP/mon2.out" "$C" monitor
expect_eq aws_monitor_again_exit 0 "$RC"
expect_match aws_monitor_again_nothing '\[monitor\] ok: nothing to change: 7 alarms already as configured' "$T_TMP/mon2.out"
expect_match aws_monitor_again_topic_kept 'topic: .*rds-migrate-adopted1-alarms \(already there\)' "$T_TMP/mon2.out"
awsctl alarms rds-migrate-adopted1- >"$T_TMP/alarms2"
expect_eq aws_monitor_again_alarms_untouched "$(cat "$T_TMP/alarms1")" "$(cat "$T_TMP/alarms2")"
expect_eq aws_monitor_again_one_subscription 1 "$(awsctl subs rds-migrate-adopted1-alarms | wc -l)"

# an edited threshold updates that alarm only; 0 removes none but creates none
C=$(conf mon3 "email = ops@example.com" "cpu_percent = 90" "cpu_credit_balance = 0")
plain "$T_TMP/mon3.out" "$C" monitor
expect_match aws_monitor_edit_updates_one '\[monitor\] ok: 6 alarms: 0 created, 1 updated, 5 unchanged' "$T_TMP/mon3.out"
expect_match aws_monitor_zero_is_no_alarm 'cpu_credit_balance: no alarm: 0 in the config' "$T_TMP/mon3.out"
expect_match aws_alarm_cpu_updated_in_moto "^rds-migrate-adopted1-cpu AWS/RDS CPUUtilization $D Average 90\.0 " "$(awsctl alarms rds-migrate-adopted1-cpu >"$T_TMP/a3"; echo "$T_TMP/a3")"

# a class that does not burst: no credit alarm; a class whose memory is known
awsctl mkdb big1 db.m6g.large postgres 15.10
sed -e 's/adopted1/big1/' "$(conf big)" >"$T_TMP/big1.ini"
chmod 600 "$T_TMP/big1.ini"
plain "$T_TMP/big.out" "$T_TMP/big1.ini" monitor
expect_match aws_monitor_not_burstable 'cpu_credit_balance: no alarm: not a burstable \(t3/t4g\) class' "$T_TMP/big.out"
expect_match aws_monitor_m6g_memory 'freeable memory below 819.2 MiB \(10% of 8.0 GiB, db.m6g.large\)' "$T_TMP/big.out"
expect_match aws_monitor_no_email_said 'no \[monitor\] email: the alarms show in the CloudWatch console only' "$T_TMP/big.out"

# CloudWatch and SNS requests are signed and checked too: a wrong secret fails
AWS_SECRET_ACCESS_KEY=not-the-secret plain "$T_TMP/badsig.out" "$C" monitor
expect_eq aws_monitor_wrong_secret_exit 1 "$RC"
expect_match aws_monitor_wrong_secret_refused 'SignatureDoesNotMatch|InvalidClientTokenId|secret key does not match' "$T_TMP/badsig.out"

# ---- what moto does not show: a snapshot still being taken, a mail not yet
# confirmed (moto's are available and confirmed at once): tests/tools/fakeaws.py
# in front of moto rewrites those answers, everything else passes through
fake() { curl -s "$FAKE/_fake/$1"; }
awsctl mkdb adopted3 db.t3.micro postgres 15.10
sed -e 's/adopted1/adopted3/' "$(conf wait)" >"$T_TMP/wait3.ini"
chmod 600 "$T_TMP/wait3.ini"
fake "fault?action=CreateDBSnapshot&seq=snapshot:creating" >/dev/null
fake "fault?action=DescribeDBSnapshots&seq=snapshot:creating,snapshot:backing-up" >/dev/null
AWS_ENDPOINT_URL="$FAKE" plain "$T_TMP/wait3.out" "$T_TMP/wait3.ini" instance
expect_eq aws_snapshot_wait_exit 0 "$RC"
expect_match aws_snapshot_wait_status_shown 'snapshot rds-migrate-adopted3-[0-9-]+ is creating, 40% — [0-9]+s elapsed, polling every 1s' "$T_TMP/wait3.out"
expect_match aws_snapshot_wait_then_available 'ok: restore point: snapshot rds-migrate-adopted3-.* is available' "$T_TMP/wait3.out"
fake "fault?action=ListSubscriptionsByTopic&seq=pending" >/dev/null
AWS_ENDPOINT_URL="$FAKE" plain "$T_TMP/pending.out" "$(conf pending "email = ops@example.com")" monitor
expect_match aws_monitor_pending_mail_said 'warning: e-mail: ops@example.com has not confirmed yet: open the mail from AWS Notifications' "$T_TMP/pending.out"

# Performance Insights and Enhanced Monitoring asked for: turned on with one
# ModifyDBInstance; once the instance has them (fakeaws shows them: moto
# keeps neither), nothing is sent again
C=$(conf insights "performance_insights = true" "enhanced_monitoring = 60" \
	"monitoring_role = arn:aws:iam::123456789012:role/rds-monitoring-role")
n0=$(fake "count?action=ModifyDBInstance")
AWS_ENDPOINT_URL="$FAKE" plain "$T_TMP/pi1.out" "$C" monitor
expect_eq aws_insights_exit 0 "$RC"
expect_match aws_insights_pi_turned_on 'performance_insights: turning on, free tier \(7 days of history, no charge\)' "$T_TMP/pi1.out"
expect_match aws_insights_em_cost 'enhanced_monitoring: turning on every 60 s \(about \$0\.09 a month\)' "$T_TMP/pi1.out"
expect_eq aws_insights_one_modify $((n0 + 1)) "$(fake "count?action=ModifyDBInstance")"
fake "fault?action=DescribeDBInstances&seq=insights:60" >/dev/null
AWS_ENDPOINT_URL="$FAKE" plain "$T_TMP/pi2.out" "$C" monitor
expect_match aws_insights_pi_on 'ok: performance_insights: on' "$T_TMP/pi2.out"
expect_match aws_insights_em_on 'ok: enhanced_monitoring: every 60 s' "$T_TMP/pi2.out"
expect_match aws_insights_nothing_to_change '\[monitor\] ok: nothing to change' "$T_TMP/pi2.out"
expect_eq aws_insights_no_second_modify $((n0 + 1)) "$(fake "count?action=ModifyDBInstance")"
