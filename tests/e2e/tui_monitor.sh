#!/bin/sh
# The Monitoring screen in a real terminal, against moto_server with
# signature checking on: the thresholds are shown with what they mean for the
# instance (live, read only), an invalid one shows its rule under the field,
# an edit shows in the live panel, and F6 creates the alarms and the e-mail
# topic (the screen says to confirm the e-mail); moto then holds the alarms.
# The Instance screen shows the automated backups and deletion protection,
# and F6 there offers to turn deletion protection on.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/tui.inc"

aws_start tui_monitor rdsm-tui-mon || exit 0
awsctl mkdb mondb db.t3.micro postgres 15.10
TUI_ENV="AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK AWS_ENDPOINT_URL=$MOTO_URL"
TUI_ENV="$TUI_ENV AWS_EC2_METADATA_DISABLED=true RDSM_POLL_SECONDS=1"

W="$T_TMP/work"
mkdir -p "$W"
cat >"$W/config.ini" <<INI
[aws]
region = us-east-1

[instance]
mode = existing
identifier = mondb
master_password = Str0ng-Passw0rd-x

[target]
sslmode = require

[monitor]
email = ops@example.com
INI
chmod 600 "$W/config.ini"

tui_start "$W" -c config.ini || { not_ok "wizard starts"; sed 's/^/#   | /' "$SCREEN"; exit 0; }
for i in 1 2 3 4 5 6 7 8 9; do keys Enter; done
expect_screen "forward to the Monitoring screen" "10/11  Monitoring"
expect_screen "the form shows the e-mail" "ops@example.com"
expect_screen "the form shows the CPU threshold" "cpu_percent"
expect_screen "the live panel shows what the CPU threshold means, read only" \
	"CPU at or above 80% for 15 min — would be created" 30
expect_screen "the key line offers to create the alarms" "F6 create the alarms"
expect_eq "looking creates nothing in moto" "" "$(awsctl alarms rds-migrate-)"

if focus cpu_percent; then ok "focus reaches cpu_percent"; else
	not_ok "focus reaches cpu_percent"; sed 's/^/#   | /' "$SCREEN"; fi
keys C-u
type_text "150"
expect_screen "an invalid threshold shows its rule under the field" \
	"must be a whole number of percent from 1 to 100, or 0 for no alarm"
keys C-u
type_text "90"
expect_not_screen "a valid threshold clears the rule" "percent from 1 to 100, or 0" 5
expect_screen "the live panel follows the edit" "CPU at or above 90% for 15 min" 30

keys F6
expect_screen "F6 subscribes the e-mail and says to confirm it" "confirm the e-mail" 30
expect_screen "F6 creates the alarms" "7 alarms: 7 created" 30
awsctl alarms rds-migrate-mondb- >"$T_TMP/alarms"
expect_eq "moto holds seven alarms" 7 "$(wc -l <"$T_TMP/alarms")"
expect_match "the CPU alarm has the edited threshold and mails the topic" \
	"^rds-migrate-mondb-cpu AWS/RDS CPUUtilization DBInstanceIdentifier=mondb Average 90\.0 GreaterThanOrEqualToThreshold arn:aws:sns:us-east-1:123456789012:rds-migrate-mondb-alarms " "$T_TMP/alarms"
expect_screen "looking again finds them as configured" "CPU at or above 90% for 15 min — rds-migrate-mondb-cpu, unchanged" 40

# the Instance screen: automated backups and deletion protection, and F6 offers to turn it on
for i in 1 2 3 4 5 6; do keys Escape; done
expect_screen "back to the Instance screen" "4/11  RDS instance"
# page_to NAME TEXT: one test case — PgDn through the live panel's findings
# (from the top) until TEXT shows.
page_to() {
	keys PPage PPage PPage PPage
	n=0
	until wait_for "$2" 2 || [ $n -ge 5 ]; do keys NPage; n=$((n + 1)); done
	expect_screen "$1" "$2" 1
}
expect_screen "the Instance screen's live panel has looked" "of 6 (PgUp/PgDn)" 30
page_to "the Instance screen shows the automated backups" "kept 1 day, taken daily in"
page_to "the Instance screen shows deletion protection off" "off: the instance can be deleted by mistake"
keys F6
expect_screen "F6 offers to turn deletion protection on" "Deletion protection is off on mondb. Turn it on" 30
keys y
expect_screen "the instance step ends" "RDS instance: mondb is available at" 30
expect_eq "answering y turns deletion protection on in moto" True "$(awsctl protected mondb)"

keys F10
expect_screen "quitting with the unsaved edit asks" "not saved"
keys y
expect_clean_exit "quit from the Monitoring screen" 0
