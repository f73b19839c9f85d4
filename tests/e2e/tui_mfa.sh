#!/bin/sh
# An AWS profile with mfa_serial in a real terminal (issue 15 item 1): the
# wizard asks for the MFA code in a masked prompt and sends it to STS
# AssumeRole (SerialNumber, TokenCode), against moto_server with signature
# checking on (moto accepts any code); fakeaws.py, the tests' own
# loopback stand-in, only relays to moto here and records what was sent.
# Esc declines: the screen says no code was given. (--plain refuses: see
# tests/integration/aws_creds.sh.)
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/tui.inc"

aws_start tui_mfa rdsm-mfa || exit 0
ROLE=$(awsctl mkrole rdsm-mfa-role)
SERIAL=arn:aws:iam::123456789012:mfa/rdsm-phone
cat >"$HOME/.aws/credentials" <<EOC
[base]
aws_access_key_id = $AK
aws_secret_access_key = $SK
EOC
cat >"$HOME/.aws/config" <<EOC
[profile guarded]
role_arn = $ROLE
source_profile = base
mfa_serial = $SERIAL
role_session_name = with-mfa
EOC

W="$T_TMP/work"
mkdir -p "$W"
printf '[aws]\nregion = us-east-1\nprofile = guarded\n[instance]\nidentifier = mfadb\nmaster_password = Str0ng-Passw0rd-x\n' >"$W/config.ini"
chmod 600 "$W/config.ini"
TUI_ENV="AWS_ENDPOINT_URL=$FAKE AWS_EC2_METADATA_DISABLED=true"

if ! tui_start "$W" -c config.ini; then
	not_ok "wizard starts at the Welcome screen" "no Welcome screen"; sed 's/^/#   | /' "$SCREEN"
	exit 0
fi
ok "wizard starts at the Welcome screen"
keys Enter Enter
expect_screen "the AWS screen asks for the MFA code, naming the profile" \
	"The AWS profile guarded needs a code from the MFA device" 20
expect_screen "the question names the device" "$SERIAL: type the 6 digits" 2
expect_screen "the prompt says how to send or cancel" "Enter send    Esc cancel" 2
type_text 707070
expect_screen "the code is masked as it is typed" "Code: ******_" 5
expect_not_screen "the code itself is not shown" "707070"
n0=$(curl -s "$FAKE/_fake/count?action=AssumeRole")
keys Enter
expect_screen "with the code the role is assumed and the screen says who we are" \
	"signed in as arn:aws:sts::123456789012:assumed-role/rdsm-mfa-role/with-mfa" 20
expect_eq "AssumeRole carried the device's serial number" "$SERIAL" \
	"$(curl -s "$FAKE/_fake/param?action=AssumeRole&name=SerialNumber")"
expect_eq "AssumeRole carried the code typed" 707070 \
	"$(curl -s "$FAKE/_fake/param?action=AssumeRole&name=TokenCode")"
expect_eq "the code was asked for and sent once" "$((n0 + 1))" \
	"$(curl -s "$FAKE/_fake/count?action=AssumeRole")"
expect_no_string "the code is not in the wizard's stderr" 707070 "$T_TMP/stderr"
keys F10
wait_for 'EXIT=' 5 || keys y
expect_clean_exit "the wizard exits cleanly after the MFA prompt" 0

# Esc declines: nothing is sent, and the screen says no code was given
tui_launch -c config.ini
wait_for '1/11  Welcome' 15
keys Enter Enter
expect_screen "a second start asks again (a new process)" "needs a code from the MFA device" 20
n1=$(curl -s "$FAKE/_fake/count?action=AssumeRole")
keys Escape
expect_screen "declining says no code was given" "no MFA code given for $SERIAL" 20
expect_eq "declining sends nothing to STS" "$n1" "$(curl -s "$FAKE/_fake/count?action=AssumeRole")"
