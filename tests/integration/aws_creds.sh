#!/bin/sh
# aws_creds.sh — every credential source of ~/.aws/config, against moto_server
# with signature checking on, behind tests/tools/fakeaws.py:
#   * role_arn + source_profile (external_id, role_session_name,
#     duration_seconds), a chain of two roles, credential_source = Environment,
#     mfa_serial refused in --plain: moto serves STS AssumeRole and checks the
#     signature made with the source profile's key;
#   * AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN and web_identity_token_file:
#     AssumeRoleWithWebIdentity, sent unsigned as AWS takes it. moto refuses
#     unsigned requests once it checks signatures, so fakeaws (the tests' own
#     loopback stand-in) counts the call as unsigned and signs it before moto
#     answers;
#   * credential_process: run without a shell, failing, printing bad JSON, and
#     credentials that expire during the instance wait and are fetched again;
#   * credential_source = EcsContainer and the container endpoint in the chain
#     (AWS_CONTAINER_CREDENTIALS_FULL_URI, the authorization token or its
#     file): fakeaws serves the endpoint, a stand-in, since moto has none;
#   * IAM Identity Center (sso_session and the legacy keys): the portal's
#     GetRoleCredentials is served by fakeaws, a stand-in, since moto has no
#     portal; the cached token is the file `aws sso login` writes.
. "$(dirname "$0")/../lib/testlib.sh"

INSPECT="$ROOT/$BUILD/tools/aws_inspect"

aws_start aws_creds rdsm-creds || exit 1
fake() { curl -s "$FAKE/_fake/$1"; }
export AWS_ENDPOINT_URL="$FAKE" RDSM_CHECKIP_URL="$FAKE/checkip" RDSM_POLL_SECONDS=1
export AWS_EC2_METADATA_SERVICE_ENDPOINT="$FAKE" AWS_EC2_METADATA_DISABLED=true

OPS_ROLE=$(awsctl mkrole rdsm-ops-role)
CHAIN_ROLE=$(awsctl mkrole rdsm-chain-role)
WEB_ROLE=$(awsctl mkrole rdsm-web-role)
SG=$(awsctl sg-create rdsm-creds-sg)
set -- $(awsctl assume) # temporary credentials of rdsm-role, for IMDS and SSO
TAK=$1 TSK=$2 TTOK=$3
enc() { printf %s "$1" | python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.stdin.read(), safe=""))'; }

conf() { # NAME PROFILE [ID]: a config for the instance step
	f="$T_TMP/$1.ini"
	printf '[aws]\nregion = us-east-1\nprofile = %s\n[instance]\nidentifier = %s\n' "$2" "${3:-nosuch}" >"$f"
	printf 'master_password = Str0ng-Passw0rd-x\nsecurity_group = %s\n' "$SG" >>"$f"
	chmod 600 "$f"
	echo "$f"
}
inspect() { # OUT PROFILE: the instance step in inspect mode (who am I, where)
	"$INSPECT" "$(conf "$1" "$2")" instance >"$T_TMP/$1.out" 2>&1
}
plain() { # OUT PROFILE [ID]: the instance step in --plain
	"$RDSM_BIN" -c "$(conf "$1" "$2" "${3:-}")" --plain instance >"$T_TMP/$1.out" 2>&1
}

cat >"$HOME/.aws/credentials" <<EOC
[base]
aws_access_key_id = $AK
aws_secret_access_key = $SK
EOC
cat >"$HOME/.aws/config" <<EOC
[profile ops]
region = us-east-1
role_arn = $OPS_ROLE
source_profile = base
external_id = ext-4711
role_session_name = rdsm-ops
duration_seconds = 1800

[profile chain]
role_arn = $CHAIN_ROLE
source_profile = ops

[profile envrole]
role_arn = $OPS_ROLE
credential_source = Environment
role_session_name = from-env

[profile imdsrole]
role_arn = $OPS_ROLE
credential_source = Ec2InstanceMetadata
role_session_name = from-imds

[profile ecsrole]
role_arn = $OPS_ROLE
credential_source = EcsContainer
role_session_name = from-ecs

[profile mfa]
role_arn = $OPS_ROLE
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/someone

[profile webfile]
role_arn = $WEB_ROLE
web_identity_token_file = $T_TMP/web-token
role_session_name = web-file
EOC

# ---- role_arn + source_profile ------------------------------------------------
n0=$(fake "count?action=AssumeRole")
inspect ops ops
expect_eq aws_role_source_profile_exit 0 $?
expect_match aws_role_source_profile_signed_in "signed in as arn:aws:sts::123456789012:assumed-role/rdsm-ops-role/rdsm-ops " "$T_TMP/ops.out"
expect_match aws_role_source_profile_source_shown "access key ASIA.* from profile ops \(assumed role arn:aws:sts::123456789012:assumed-role/rdsm-ops-role/rdsm-ops, with profile base in $HOME/.aws/credentials\), with a session token" "$T_TMP/ops.out"
expect_eq aws_role_assume_role_called $((n0 + 1)) "$(fake "count?action=AssumeRole")"
expect_eq aws_role_external_id_sent "ext-4711" "$(fake "param?action=AssumeRole&name=ExternalId")"
expect_eq aws_role_duration_sent "1800" "$(fake "param?action=AssumeRole&name=DurationSeconds")"
expect_eq aws_role_session_name_sent "rdsm-ops" "$(fake "param?action=AssumeRole&name=RoleSessionName")"
expect_eq aws_role_signed_with_source_key 1 "$(fake "keys?action=AssumeRole")"

# a chain: chain's role assumed with ops's assumed role
inspect chain chain
expect_eq aws_role_chain_exit 0 $?
expect_match aws_role_chain_signed_in "signed in as arn:aws:sts::123456789012:assumed-role/rdsm-chain-role/" "$T_TMP/chain.out"
expect_match aws_role_chain_source_shown "from profile chain \(assumed role .*rdsm-chain-role.*, with profile ops \(assumed role .*rdsm-ops-role/rdsm-ops, with profile base in" "$T_TMP/chain.out"
expect_eq aws_role_chain_second_key_signed 2 "$(fake "keys?action=AssumeRole")"

# credential_source = Environment: the environment's keys sign AssumeRole
AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK inspect envrole envrole
expect_eq aws_role_credential_source_env_exit 0 $?
expect_match aws_role_credential_source_env "signed in as arn:aws:sts::123456789012:assumed-role/rdsm-ops-role/from-env .*" "$T_TMP/envrole.out"
expect_match aws_role_credential_source_env_shown "with environment \(AWS_ACCESS_KEY_ID\)\)" "$T_TMP/envrole.out"

# credential_source = Ec2InstanceMetadata: the instance role's keys (IMDSv2) sign AssumeRole
fake "set?imds_off=0&imds_ak=$TAK&imds_sk=$(enc "$TSK")&imds_token=$(enc "$TTOK")" >/dev/null
AWS_EC2_METADATA_DISABLED=false inspect imdsrole imdsrole
expect_eq aws_role_credential_source_imds_exit 0 $?
expect_match aws_role_credential_source_imds "signed in as arn:aws:sts::123456789012:assumed-role/rdsm-ops-role/from-imds " "$T_TMP/imdsrole.out"
expect_match aws_role_credential_source_imds_shown "with EC2 instance role fake-role, expires 2099-01-01T00:00:00Z\)" "$T_TMP/imdsrole.out"
fake "set?imds_off=1" >/dev/null

# credential_source = EcsContainer: the container endpoint's keys sign AssumeRole.
# The endpoint (ECS task role, EKS Pod Identity) is fakeaws's /container/credentials,
# a loopback stand-in: moto has none. The token is read from its file each time.
fake "set?imds_ak=$TAK&imds_sk=$(enc "$TSK")&imds_token=$(enc "$TTOK")&container_auth=ecs-token-7" >/dev/null
printf 'ecs-token-7\n' >"$T_TMP/ecs-token"
export AWS_CONTAINER_CREDENTIALS_FULL_URI="$FAKE/container/credentials"
AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T_TMP/ecs-token" inspect ecsrole ecsrole
expect_eq aws_role_credential_source_ecs_exit 0 $?
expect_match aws_role_credential_source_ecs "signed in as arn:aws:sts::123456789012:assumed-role/rdsm-ops-role/from-ecs " "$T_TMP/ecsrole.out"
expect_match aws_role_credential_source_ecs_shown "with container credentials \(AWS_CONTAINER_CREDENTIALS_FULL_URI $FAKE/container/credentials\), expires 2099-01-01T00:00:00Z\)" "$T_TMP/ecsrole.out"
AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong-token inspect ecsbad ecsrole
expect_match aws_role_credential_source_ecs_refused "profile ecsrole: credential_source = EcsContainer: AWS_CONTAINER_CREDENTIALS_FULL_URI: the container's credentials endpoint answered HTTP 403" "$T_TMP/ecsbad.out"
expect_no_match aws_container_token_not_shown "wrong-token|ecs-token-7" "$T_TMP/ecsbad.out"
AWS_CONTAINER_CREDENTIALS_FULL_URI=http://198.51.100.7/creds inspect ecsfar ecsrole
expect_match aws_container_plain_http_only_to_loopback "AWS_CONTAINER_CREDENTIALS_FULL_URI = http://198.51.100.7/creds: plain http is used only to a loopback address" "$T_TMP/ecsfar.out"
# in the chain without a profile (after the environment's keys and the shared
# files, before the instance role), as the AWS SDKs find it
n0=$(curl -s "$FAKE/_fake/count?action=container")
HOME="$T_TMP/nohome" AWS_CONTAINER_AUTHORIZATION_TOKEN=ecs-token-7 inspect ecsenv ""
expect_eq aws_container_chain_exit 0 $?
expect_match aws_container_chain_source "access key ASIA.* from container credentials \(AWS_CONTAINER_CREDENTIALS_FULL_URI $FAKE/container/credentials\), expires 2099-01-01T00:00:00Z, with a session token" "$T_TMP/ecsenv.out"
expect_eq aws_container_asked_once "$((n0 + 1))" "$(curl -s "$FAKE/_fake/count?action=container")"
unset AWS_CONTAINER_CREDENTIALS_FULL_URI
inspect ecsnone ecsrole
expect_match aws_role_credential_source_ecs_unset "profile ecsrole: credential_source = EcsContainer, but neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set" "$T_TMP/ecsnone.out"

# a wrong source key: moto's signature check refuses AssumeRole, said with the profile
sed "s#^aws_secret_access_key = .*#aws_secret_access_key = not-the-secret#" "$HOME/.aws/credentials" >"$T_TMP/badcreds"
AWS_SHARED_CREDENTIALS_FILE="$T_TMP/badcreds" inspect opsbad ops
expect_match aws_role_bad_source_key "profile ops: AssumeRole: SignatureDoesNotMatch.*\(signed with profile base in $T_TMP/badcreds\)" "$T_TMP/opsbad.out"

# mfa_serial: --plain cannot ask for the code and says so, naming the profile
n0=$(fake "count?action=AssumeRole")
plain mfa mfa
expect_eq aws_role_mfa_plain_exit 1 $?
expect_match aws_role_mfa_plain_refused "FAILED: profile mfa assumes $OPS_ROLE with an MFA code \(mfa_serial arn:aws:iam::123456789012:mfa/someone\), which --plain cannot ask for: run the wizard \(it asks for the code\), or export credentials first" "$T_TMP/mfa.out"
expect_eq aws_role_mfa_no_call "$n0" "$(fake "count?action=AssumeRole")"

# ---- web identity ---------------------------------------------------------------
printf 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZHNtIn0.c2lnbmF0dXJl\n' >"$T_TMP/web-token"
AWS_WEB_IDENTITY_TOKEN_FILE="$T_TMP/web-token" AWS_ROLE_ARN="$WEB_ROLE" AWS_ROLE_SESSION_NAME=web-env \
	inspect webenv ""
expect_eq aws_web_identity_env_exit 0 $?
expect_match aws_web_identity_env_signed_in "signed in as arn:aws:sts::123456789012:assumed-role/rdsm-web-role/web-env " "$T_TMP/webenv.out"
expect_match aws_web_identity_env_source "from web identity token $T_TMP/web-token \(AWS_WEB_IDENTITY_TOKEN_FILE\), assumed role arn:aws:sts::123456789012:assumed-role/rdsm-web-role/web-env, with a session token" "$T_TMP/webenv.out"
expect_eq aws_web_identity_sent_unsigned 1 "$(fake "unsigned?action=AssumeRoleWithWebIdentity")"
expect_eq aws_web_identity_token_sent "length 53" "$(fake "param?action=AssumeRoleWithWebIdentity&name=WebIdentityToken")"
expect_no_match aws_web_identity_token_not_shown "c2lnbmF0dXJl" "$T_TMP/webenv.out"
inspect webfile webfile
expect_eq aws_web_identity_profile_exit 0 $?
expect_match aws_web_identity_profile_source "from profile webfile \(web identity token $T_TMP/web-token, assumed role arn:aws:sts::123456789012:assumed-role/rdsm-web-role/web-file\)" "$T_TMP/webfile.out"

# ---- credential_process ---------------------------------------------------------
# The process sees its arguments as written (no shell: no $HOME, no ;), writes
# them down, and prints the user's key, or the second key on odd runs, with an
# Expiration 302 s ahead: within the 300 s margin 2 s later, so a long wait
# fetches credentials again.
set -- $(awsctl mkkey rdsm-creds)
AK2=$1 SK2=$2
mkdir -p "$T_TMP/bin dir"
cat >"$T_TMP/bin dir/get creds" <<EOS
#!/bin/sh
printf '%s\n' "\$@" >"$T_TMP/proc-args"
n=\$(cat "$T_TMP/proc-runs" 2>/dev/null || echo 0); n=\$((n + 1)); echo \$n >"$T_TMP/proc-runs"
if [ \$((n % 2)) -eq 0 ]; then k=$AK2 s=$SK2; else k=$AK s=$SK; fi
exp=\$(date -u -d "@\$((\$(date +%s) + \${EXPIRES_IN:-3600}))" +%Y-%m-%dT%H:%M:%SZ)
printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "Expiration": "%s"}\n' "\$k" "\$s" "\$exp"
EOS
chmod 700 "$T_TMP/bin dir/get creds"
cat >>"$HOME/.aws/config" <<EOC

[profile proc]
region = us-east-1
credential_process = "$T_TMP/bin dir/get creds" --profile 'x \$HOME; y' "a\"b"

[profile procfail]
credential_process = sh -c 'echo "the vault is sealed" >&2; exit 2'

[profile procjson]
credential_process = printf '{"Version": 1, "AccessKeyId": "AKIA", "SecretAccessKey": "s3cr3t-in-output",}'
EOC
inspect proc proc
expect_eq aws_process_exit 0 $?
expect_match aws_process_signed_in "signed in as arn:aws:iam::123456789012:user/rdsm-creds" "$T_TMP/proc.out"
expect_match aws_process_source_shown "from profile proc \(credential_process $T_TMP/bin dir/get creds, expires [0-9-]+ [0-9:]+ UTC\)" "$T_TMP/proc.out"
expect_eq aws_process_argv_without_shell "--profile|x \$HOME; y|a\"b" "$(tr '\n' '|' <"$T_TMP/proc-args" | sed 's/|$//')"
expect_no_match aws_process_secret_not_shown "$SK" "$T_TMP/proc.out"

plain procfail procfail
expect_eq aws_process_failing_exit 1 $?
expect_match aws_process_failing_named "FAILED: profile procfail: credential_process sh failed \(exit status 2\): the vault is sealed" "$T_TMP/procfail.out"
plain procjson procjson
expect_eq aws_process_bad_json_exit 1 $?
expect_match aws_process_bad_json_named "FAILED: profile procjson: credential_process printf: its output is not valid JSON: .* at line 1, column [0-9]+" "$T_TMP/procjson.out"
expect_no_match aws_process_bad_json_secret_not_shown "s3cr3t-in-output" "$T_TMP/procjson.out"

# AWS finds them expired before their Expiration (revoked, a clock behind):
# fetched again once and the call sent again
rm -f "$T_TMP/proc-runs"
fake "fault?action=GetCallerIdentity&seq=expired" >/dev/null
inspect procexp proc
expect_eq aws_process_expired_token_refreshed_exit 0 $?
expect_match aws_process_expired_token_refreshed "signed in as arn:aws:iam::123456789012:user/rdsm-creds" "$T_TMP/procexp.out"
expect_eq aws_process_expired_token_ran_again 2 "$(cat "$T_TMP/proc-runs" 2>/dev/null)"

# credentials that expire during the instance wait are fetched again
rm -f "$T_TMP/proc-runs"
fake "keys?action=DescribeDBInstances&reset=1" >/dev/null
fake "fault?action=CreateDBInstance&seq=status:creating" >/dev/null
fake "fault?action=DescribeDBInstances&seq=passthrough,status:creating,status:creating,status:creating,status:backing-up" >/dev/null
EXPIRES_IN=302 plain procwait proc dbrefresh
expect_eq aws_process_refresh_wait_exit 0 $?
expect_match aws_process_refresh_wait_available "dbrefresh is available" "$T_TMP/procwait.out"
runs=$(cat "$T_TMP/proc-runs" 2>/dev/null || echo 0)
expect_eq aws_process_refreshed_during_wait yes "$([ "$runs" -ge 3 ] && echo yes || echo "no ($runs runs)")"
expect_eq aws_process_refreshed_keys_signed 2 "$(fake "keys?action=DescribeDBInstances")"

# ---- IAM Identity Center ----------------------------------------------------------
export AWS_ENDPOINT_URL_SSO="$FAKE"
fake "set?sso_token=aoa-cached-token-1&sso_ak=$TAK&sso_sk=$(enc "$TSK")&sso_tok=$(enc "$TTOK")&sso_account=123456789012&sso_role=Admin" >/dev/null
cat >>"$HOME/.aws/config" <<'EOC'

[profile dev-sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Admin
region = us-east-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile old-sso]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 123456789012
sso_role_name = Admin
EOC
mkdir -p "$HOME/.aws/sso/cache"
future=$(date -u -d "+1 hour" +%Y-%m-%dT%H:%M:%SZ)
cache() { # KEY TOKEN EXPIRES: the file aws sso login leaves for KEY
	printf '{"startUrl": "x", "region": "eu-west-1", "accessToken": "%s", "expiresAt": "%s"}' "$2" "$3" \
		>"$HOME/.aws/sso/cache/$(printf %s "$1" | sha1sum | cut -d' ' -f1).json"
}
cache corp aoa-cached-token-1 "$future"
inspect sso dev-sso
expect_eq aws_sso_session_exit 0 $?
expect_match aws_sso_session_signed_in "signed in as arn:aws:sts::123456789012:assumed-role/rdsm-role/rdsm-session" "$T_TMP/sso.out"
expect_match aws_sso_session_source "from profile dev-sso \(IAM Identity Center: account 123456789012, role Admin, https://corp.awsapps.com/start, expires [0-9-]+ [0-9:]+ UTC\), with a session token" "$T_TMP/sso.out"
expect_eq aws_sso_role_asked "Admin" "$(fake "param?action=GetRoleCredentials&name=role_name")"
expect_no_match aws_sso_token_not_shown "aoa-cached-token-1" "$T_TMP/sso.out"

cache https://legacy.awsapps.com/start aoa-cached-token-1 "$future"
inspect ssolegacy old-sso
expect_eq aws_sso_legacy_exit 0 $?
expect_match aws_sso_legacy_source "from profile old-sso \(IAM Identity Center: account 123456789012, role Admin, https://legacy.awsapps.com/start" "$T_TMP/ssolegacy.out"

cache corp aoa-cached-token-1 "2020-01-01T00:00:00Z"
plain ssoexp dev-sso
expect_eq aws_sso_expired_exit 1 $?
expect_match aws_sso_expired_says_login "FAILED: profile dev-sso: the IAM Identity Center token expired at 2020-01-01T00:00:00Z: run aws sso login --profile dev-sso" "$T_TMP/ssoexp.out"

cache corp aoa-revoked-token "$future"
plain ssorev dev-sso
expect_eq aws_sso_refused_exit 1 $?
expect_match aws_sso_refused_says_login "FAILED: profile dev-sso: IAM Identity Center refused the cached token \(HTTP 401: expired or revoked\): run aws sso login --profile dev-sso" "$T_TMP/ssorev.out"
