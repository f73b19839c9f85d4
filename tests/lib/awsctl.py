"""awsctl.py CMD ARGS… — set up and look at moto's state for the tests (boto3,
straight to moto at $MOTO_URL, signed with $T_AK/$T_SK once they exist): the
"other client" of the AWS tests."""
import json, os, sys
import boto3
kw = dict(endpoint_url=os.environ["MOTO_URL"], region_name="us-east-1",
          aws_access_key_id=os.environ.get("T_AK", "bootstrap"),
          aws_secret_access_key=os.environ.get("T_SK", "bootstrap"))
cmd, args = sys.argv[1], sys.argv[2:]
ALLOW_ALL = json.dumps({"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def world(port, description="anyone"):
    return [{"IpProtocol": "tcp", "FromPort": int(port), "ToPort": int(port),
             "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": description}]}]


if cmd == "mkuser":  # NAME: an IAM user allowed everything; prints its key
    iam = boto3.client("iam", **kw)
    iam.create_user(UserName=args[0])
    iam.put_user_policy(UserName=args[0], PolicyName="all", PolicyDocument=ALLOW_ALL)
    k = iam.create_access_key(UserName=args[0])["AccessKey"]
    print(k["AccessKeyId"], k["SecretAccessKey"])
elif cmd == "mkkey":  # USER: another access key of USER; prints it
    k = boto3.client("iam", **kw).create_access_key(UserName=args[0])["AccessKey"]
    print(k["AccessKeyId"], k["SecretAccessKey"])
elif cmd == "mkrole":  # NAME: a role anyone may assume, allowed everything; prints its ARN
    iam = boto3.client("iam", **kw)
    r = iam.create_role(RoleName=args[0], AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                 "Action": "sts:AssumeRole"}]}))["Role"]
    iam.put_role_policy(RoleName=args[0], PolicyName="all", PolicyDocument=ALLOW_ALL)
    print(r["Arn"])
elif cmd == "whoami":
    print(boto3.client("sts", **kw).get_caller_identity()["Arn"])
elif cmd == "assume":
    iam = boto3.client("iam", **kw)
    iam.create_role(RoleName="rdsm-role", AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                 "Action": "sts:AssumeRole"}]}))
    iam.put_role_policy(RoleName="rdsm-role", PolicyName="all", PolicyDocument=ALLOW_ALL)
    c = boto3.client("sts", **kw).assume_role(
        RoleArn="arn:aws:iam::123456789012:role/rdsm-role", RoleSessionName="rdsm-session")["Credentials"]
    print(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
elif cmd == "default-vpc":
    print(boto3.client("ec2", **kw).describe_vpcs(
        Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"])
elif cmd == "sg-create":
    ec2 = boto3.client("ec2", **kw)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    print(ec2.create_security_group(GroupName=args[0], Description="t", VpcId=vpc)["GroupId"])
elif cmd == "sg-world":  # SG PORT [DESCRIPTION]: open PORT to 0.0.0.0/0
    boto3.client("ec2", **kw).authorize_security_group_ingress(GroupId=args[0], IpPermissions=world(*args[1:3]))
elif cmd == "sg-unworld":  # SG PORT [DESCRIPTION]
    boto3.client("ec2", **kw).revoke_security_group_ingress(GroupId=args[0], IpPermissions=world(*args[1:3]))
elif cmd == "sg-rules":  # SG: "PORT SOURCE | DESCRIPTION" per inbound rule
    g = boto3.client("ec2", **kw).describe_security_groups(GroupIds=[args[0]])["SecurityGroups"][0]
    for p in g["IpPermissions"]:
        for r in p.get("IpRanges", []):
            print("%s %s %s %s" % (p.get("FromPort"), r["CidrIp"], "|", r.get("Description", "")))
        for r in p.get("UserIdGroupPairs", []):
            print("%s %s %s %s" % (p.get("FromPort"), r["GroupId"], "|", r.get("Description", "")))
elif cmd == "mkdb":
    boto3.client("rds", **kw).create_db_instance(
        DBInstanceIdentifier=args[0], DBInstanceClass=args[1], Engine=args[2],
        EngineVersion=args[3], MasterUsername="someone", MasterUserPassword="Another-pw-123",
        AllocatedStorage=50, PubliclyAccessible=(args[4] == "true") if len(args) > 4 else True)
elif cmd == "db":
    d = boto3.client("rds", **kw).describe_db_instances(DBInstanceIdentifier=args[0])["DBInstances"][0]
    tags = {t["Key"]: t["Value"] for t in d.get("TagList", [])}
    print("version=%s encrypted=%s class=%s created-by=%s secret=%s" % (
        d["EngineVersion"], d["StorageEncrypted"], d["DBInstanceClass"], tags.get("created-by"),
        "yes" if d.get("MasterUserSecret") else "no"))
elif cmd == "protected":  # DB: its deletion protection
    print(boto3.client("rds", **kw).describe_db_instances(
        DBInstanceIdentifier=args[0])["DBInstances"][0].get("DeletionProtection"))
elif cmd == "snapshots":  # DB: "ID STATUS created-by=… reason=…" per manual snapshot
    rds = boto3.client("rds", **kw)
    for s in rds.describe_db_snapshots(DBInstanceIdentifier=args[0], SnapshotType="manual")["DBSnapshots"]:
        tags = {t["Key"]: t["Value"] for t in rds.list_tags_for_resource(
            ResourceName=s["DBSnapshotArn"])["TagList"]}
        print(s["DBSnapshotIdentifier"], s["Status"], "created-by=%s" % tags.get("created-by"),
              "reason=%s" % tags.get("rds-migrate:reason"))
elif cmd == "alarms":  # PREFIX: one line per alarm, sorted by name
    for a in sorted(boto3.client("cloudwatch", **kw).describe_alarms(
            AlarmNamePrefix=args[0])["MetricAlarms"], key=lambda a: a["AlarmName"]):
        dims = ",".join("%s=%s" % (d["Name"], d["Value"]) for d in a["Dimensions"])
        print(a["AlarmName"], a["Namespace"], a["MetricName"], dims, a["Statistic"],
              repr(float(a["Threshold"])), a["ComparisonOperator"], ",".join(a["AlarmActions"]),
              a["AlarmConfigurationUpdatedTimestamp"].isoformat())
elif cmd == "subs":  # TOPIC-NAME: "PROTOCOL ENDPOINT" per subscription
    sns = boto3.client("sns", **kw)
    for t in sns.list_topics()["Topics"]:
        if t["TopicArn"].endswith(":" + args[0]):
            for sub in sns.list_subscriptions_by_topic(TopicArn=t["TopicArn"])["Subscriptions"]:
                print(sub["Protocol"], sub["Endpoint"])
elif cmd == "count-dbs":
    print(len(boto3.client("rds", **kw).describe_db_instances()["DBInstances"]))
else:
    sys.exit("awsctl: unknown command " + cmd)
