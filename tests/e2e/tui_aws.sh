#!/bin/sh
# The AWS screens in a real terminal, against moto_server with signature
# checking on (behind tests/tools/fakeaws.py for checkip and the engine
# version listing): the AWS screen shows who we are signed in as; the Network
# screen shows the security group's rules for the port and follows changes
# made by another client (boto3 straight to moto) without a key pressed; the
# Instance screen shows the estimated monthly cost and updates it on edits.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/tui.inc"


# moto checking signatures once the IAM user exists (the first 3 actions, the
# user, its policy and its key, go unchecked); fakeaws in front of it answers
# checkip (203.0.113.7) and passes the rest to moto.
aws_start tui_aws rdsm-tui || exit 0
# The other client: boto3 straight to moto (tests/lib/awsctl.py).
ARN=$(awsctl whoami)
expect_eq "the IAM user signs in with its key (moto)" "arn:aws:iam::123456789012:user/rdsm-tui" "$ARN"

AWSENV="AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK AWS_ENDPOINT_URL=$FAKE"
AWSENV="$AWSENV RDSM_CHECKIP_URL=$FAKE/checkip AWS_EC2_METADATA_DISABLED=true"
AWSENV="$AWSENV AWS_EC2_METADATA_SERVICE_ENDPOINT=$FAKE RDSM_POLL_SECONDS=1"

SG=$(awsctl sg-create rdsm-tui-sg)
W="$T_TMP/work"
mkdir -p "$W"
cat >"$W/config.ini" <<INI
[aws]
region = us-east-1

[instance]
mode = create
identifier = tuidb
class = db.t3.micro
engine_version = 15
storage_gb = 20
storage_type = gp3
multi_az = false
backup_retention_days = 7
master_password = Str0ng-Passw0rd-x
security_group = $SG
public = true

[network]
allow = auto
port = 5432
INI
chmod 600 "$W/config.ini"

# The instance and this machine's rule, made beforehand by the plain front end.
(cd "$W" && env $AWSENV "$RDSM_BIN" -c config.ini --plain --yes instance network) >"$T_TMP/plain.out" 2>&1
expect_eq "--plain --yes instance network succeeds (setup)" 0 $?
expect_match "setup: the instance is available" "tuidb is available at tuidb\." "$T_TMP/plain.out"
awsctl sg-rules "$SG" | cut -d' ' -f1,2 >"$T_TMP/rules0"
expect_eq "setup: the group admits only this machine" "5432 203.0.113.7/32" "$(cat "$T_TMP/rules0")"

TUI_ENV="$AWSENV"
if ! tui_start "$W" -c config.ini; then
	not_ok "wizard starts at the Welcome screen" "no Welcome screen"; sed 's/^/#   | /' "$SCREEN"
	exit 0
fi
ok "wizard starts at the Welcome screen"

# ---- AWS screen: signed in as the IAM user ------------------------------------
keys Enter Enter
expect_screen "forward to the AWS screen" "3/11  AWS account"
expect_screen "the AWS screen shows the ARN and account" \
	"signed in as arn:aws:iam::123456789012:user/rdsm-tui (account 123456789012)" 20
expect_screen "the AWS screen says the region" "in us-east-1" 5

# ---- Instance screen: cost, updated on edits ----------------------------------
keys Enter
expect_screen "forward to the Instance screen" "4/11  RDS instance"
expect_screen "the Instance screen shows the monthly cost" 'cost' 20
# the panel is short at 30 rows: the instance's own row is further down
keys NPage
expect_screen "the Instance screen shows the instance available (PgDn)" "available: postgres 15.10, db.t3.micro" 20
keys PPage
cost_line() { capture; grep -o 'about \$[0-9][0-9.,]*/month' "$SCREEN" | head -n 1; }
wait_cost() { # the first cost figure, waiting up to 10 s for it
	n=0; c=$(cost_line)
	while [ -z "$c" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); c=$(cost_line); done
	echo "$c"
}
# wait_cost_change NAME WANT SECONDS: one test case — the figure becomes WANT
# (us-east-1 prices of the shipped table: db.t3.micro $0.018/h, db.t3.small
# $0.036/h, 730 h a month, gp3 $0.115/GiB-month, Multi-AZ doubles it).
wait_cost_change() {
	n=0 lim=$(($3 * 10)); c=$(cost_line)
	while [ "$c" != "$2" ] && [ $n -lt $lim ]; do sleep 0.1; n=$((n + 1)); c=$(cost_line); done
	if [ "$c" = "$2" ]; then ok "$1 ($COST → $c)"; else
		not_ok "$1" "want [$2], still [$c]"; sed 's/^/#   | /' "$SCREEN"; fi
	COST=$c
}
COST=$(wait_cost)
expect_eq "the cost of db.t3.micro, 20 GiB gp3, single-AZ" 'about $15.44/month' "$COST"
expect_screen "the cost says the prices are dated" "prices of 20" 2

# focus the class field: Tab from the first field until "▶ class"
if focus class; then ok "focus reaches the class field"; else
	not_ok "focus reaches the class field"; sed 's/^/#   | /' "$SCREEN"; fi
keys C-u
type_text "db.t3.small"
expect_screen "the class field shows the edit" "db.t3.small"
wait_cost_change "editing the class to db.t3.small updates the cost" 'about $28.58/month' 15

focus storage_gb || not_ok "focus reaches storage_gb"
keys C-u
type_text "200"
wait_cost_change "editing storage_gb to 200 updates the cost" 'about $49.28/month' 15

focus multi_az || not_ok "focus reaches multi_az"
keys C-u
type_text "true"
wait_cost_change "editing multi_az to true updates the cost" 'about $98.56/month' 15

# ---- Network screen: live rules ------------------------------------------------
keys Enter
expect_screen "forward to the Network screen" "5/11  Network access"
expect_screen "the Network screen shows this machine's address" "public address 203.0.113.7" 20
expect_screen "the rules table shows this machine's rule" "tcp 5432 from 203.0.113.7/32" 20
expect_screen "the rule's verdict: admits this machine" "— admits this" 5
expect_screen "the overall verdict: this machine is allowed" "this machine is allowed on port 5432" 5
expect_not_screen "nothing is open to the world yet" "0.0.0.0/0" 1

# another client opens the port to the world: shown with no key pressed
awsctl sg-world "$SG" 5432 "from another client"
expect_eq "the other client's rule is in moto" "5432 0.0.0.0/0" "$(awsctl sg-rules "$SG" | grep 0.0.0.0/0 | cut -d' ' -f1,2)"
t0=$(date +%s)
expect_screen "the world rule appears without a key pressed" "tcp 5432 from 0.0.0.0/0" 15
echo "# appeared after $(($(date +%s) - t0)) s"
expect_screen "the world rule is flagged as open to the whole internet" "open to the whole internet" 5
expect_screen "the overall verdict says the port is open to the world" "port 5432 is open to the whole internet" 5
# flagged in the error colour (red in the default theme), the allowed rule in green
tm capture-pane -e -p -t w >"$T_TMP/screen.ansi"
E=$(printf '\033')
if grep -F 'tcp 5432 from 0.0.0.0/0' "$T_TMP/screen.ansi" | grep -qF "$E[31m" &&
	! grep -F 'tcp 5432 from 203.0.113.7/32' "$T_TMP/screen.ansi" | grep -qF "$E[31m"; then
	ok "the world rule is drawn in the error colour, this machine's rule is not"; else
	not_ok "the world rule is drawn in the error colour, this machine's rule is not"
	cat -v "$T_TMP/screen.ansi" | sed 's/^/#   | /'; fi
expect_screen "this machine's rule is still listed" "tcp 5432 from 203.0.113.7/32" 2
expect_screen "the key line offers the one-key fix" "F6 fix: revoke world rule" 5
capture
if grep -F "Security group:" "$SCREEN" | grep -q "✓"; then
	not_ok "the step's summary is not marked OK while the port is open to the world"
	sed 's/^/#   | /' "$SCREEN"
else
	ok "the step's summary is not marked OK while the port is open to the world"
fi

# the other client revokes it: the row goes away, again with no key pressed
awsctl sg-unworld "$SG" 5432 "from another client"
t0=$(date +%s)
expect_not_screen "the revoked world rule disappears without a key pressed" "0.0.0.0/0" 15
echo "# disappeared after $(($(date +%s) - t0)) s"
expect_screen "the verdict is back to allowed" "this machine is allowed on port 5432" 5
expect_screen "the key line is back to adding the rule" "F6 add the rule" 5

# F6 does the step for real: it asks before revoking a world rule
awsctl sg-world "$SG" 5432 "from another client"
expect_screen "a new world rule from the other client appears" "tcp 5432 from 0.0.0.0/0" 15
keys F6
expect_screen "F6 asks before revoking the world rule" "open to the whole internet. Revoke it?" 20
keys y
expect_screen "answering y revokes it" "revoked tcp 5432 from 0.0.0.0/0" 20
expect_eq "the world rule is gone from moto, this machine's rule kept" "5432 203.0.113.7/32" \
	"$(awsctl sg-rules "$SG" | cut -d' ' -f1,2)"
expect_not_screen "the live table drops the revoked rule" "0.0.0.0/0" 15

# quit: the class edits are unsaved, so it asks; leave without saving
keys F10
expect_screen "quitting with unsaved edits asks" "not saved"
keys y
expect_clean_exit "quit from the Network screen" 0
expect_match "the config was not changed by quitting unsaved" "^class = db.t3.micro" "$W/config.ini"
