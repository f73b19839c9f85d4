#!/usr/bin/env python3
"""fakeaws.py — a small loopback HTTP server of the tests' own, for what
moto_server cannot serve. It stands in front of moto as the AWS endpoint:

  * DescribeDBEngineVersions: a fixed listing of postgres versions, in two
    pages (Marker), after checking the request's SigV4 signature itself;
  * faults scripted per action (/_fake/fault?action=A&seq=throttle,500,slow,
    dup, denied, status:creating; snapshot:creating shows a DB snapshot in
    that status, pending an SNS e-mail subscription not confirmed yet,
    insights:N an instance with Performance Insights on and Enhanced
    Monitoring every N s):
    each request for A takes the next fault; when none is left the request
    is forwarded to moto unchanged (same Host header, so moto's own SigV4
    check still applies);
  * IMDSv2 under /latest/ (token, role credentials, mac -> vpc-id,
    security-group-ids, region), for AWS_EC2_METADATA_SERVICE_ENDPOINT;
  * /checkip: this machine's "public address", for RDSM_CHECKIP_URL;
  * /container/credentials: the ECS/EKS container credentials endpoint, for
    AWS_CONTAINER_CREDENTIALS_FULL_URI (Authorization checked against
    container_auth when set);
  * the IAM Identity Center portal's GetRoleCredentials (GET
    /federation/credentials, bearer token in x-amz-sso_bearer_token), which
    moto does not serve: the token must be sso_token, the answer holds
    sso_ak/sso_sk/sso_tok, expiring in sso_seconds;
  * the AWS Price List's GetProducts (AWSPriceListService, JSON), which moto
    does not serve: after checking the signature, the on-demand price of the
    product the filters name (instance class and deployment, storage volume
    type, provisioned IOPS, snapshots), published "2026-11-01"; an instance
    class it does not know gets an empty list. Prices: PRICES below, an
    instance's overridable by /_fake/set?price_CLASS=USD;
  * AssumeRoleWithWebIdentity arrives unsigned, as AWS takes it, but moto
    (with INITIAL_NO_AUTH_ACTION_COUNT) refuses any unsigned request: the
    call is counted as unsigned, then signed here with the test user's key
    and forwarded to moto, which answers it.

Usage: fakeaws.py PORT MOTO_URL ACCESS_KEY SECRET_KEY
Settings: GET /_fake/set?key=value (imds_vpc, imds_sgs, imds_region, checkip,
imds_off=1, slow_seconds, sso_*); GET /_fake/count?action=A; GET
/_fake/keys?action=A[&reset=1]: how many access keys signed A (then forget them); /_fake/unsigned?action=A:
how many A arrived unsigned; /_fake/param?action=A&name=N: N of the last A
(never a secret: WebIdentityToken is reported as its length).
"""
import hashlib
import hmac
import http.client
import json
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
MOTO = urllib.parse.urlparse(sys.argv[2])
ACCESS_KEY = sys.argv[3]
SECRET_KEY = sys.argv[4]

LOCK = threading.Lock()
FAULTS = {}  # action -> [fault, ...]
COUNTS = {}  # action -> requests seen
KEYS = {}  # action -> access key ids that signed it
UNSIGNED = {}  # action -> unsigned requests seen
LAST = {}  # action -> the form of its last request
SETTINGS = {
    "imds_vpc": "vpc-fake",
    "imds_sgs": "sg-fake1",
    "imds_region": "eu-west-1",
    "imds_off": "1",
    "checkip": "203.0.113.7",
    "slow_seconds": "5",
    "sso_token": "",
    "sso_seconds": "3600",
}
TOKEN = "fake-imds-token-0123456789"

# The Price List's single-AZ on-demand prices (USD): per hour for instances,
# per GB-month for storage and snapshots, per IOPS-month. Multi-AZ doubles.
PRICES = {
    ("Database Instance", "db.t3.micro"): ("Hrs", 0.018),
    ("Database Instance", "db.t3.small"): ("Hrs", 0.036),
    ("Database Instance", "db.t4g.micro"): ("Hrs", 0.016),
    ("Database Instance", "db.m7g.large"): ("Hrs", 0.168),
    ("Database Storage", "General Purpose"): ("GB-Mo", 0.115),
    ("Database Storage", "General Purpose-GP3"): ("GB-Mo", 0.115),
    ("Database Storage", "Provisioned IOPS"): ("GB-Mo", 0.125),
    ("Database Storage", "Provisioned IOPS-IO2"): ("GB-Mo", 0.125),
    ("Provisioned IOPS", None): ("IOPS-Mo", 0.10),
    ("Storage Snapshot", None): ("GB-Mo", 0.095),
}

VERSIONS = ["13.14", "13.15", "14.9", "14.12", "15.2", "15.8", "15.10", "15.9", "16.3", "16.4"]


def sigv4_ok(method, path, headers, body, signed_for=("rds", None)):
    """Verify an AWS4-HMAC-SHA256 Authorization header the way AWS does, and
    that it is signed for SIGNED_FOR: (service, region or None for any)."""
    auth = headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return False, "no SigV4 Authorization header"
    parts = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    cred = parts["Credential"].split("/")
    keys = {ACCESS_KEY: SECRET_KEY, SETTINGS.get("imds_ak"): SETTINGS.get("imds_sk")}
    secret = keys.get(cred[0])
    if not secret:
        return False, "unknown access key " + cred[0]
    date, region, service = cred[1], cred[2], cred[3]
    signed = parts["SignedHeaders"].split(";")
    amzdate = headers.get("X-Amz-Date", "")
    canon_headers = "".join(
        "%s:%s\n" % (h, " ".join((headers.get(h) or "").split())) for h in signed)
    u = urllib.parse.urlsplit(path)
    canon = "\n".join([method, u.path or "/", u.query, canon_headers, ";".join(signed),
                       hashlib.sha256(body).hexdigest()])
    scope = "/".join([date, region, service, "aws4_request"])
    sts = "\n".join(["AWS4-HMAC-SHA256", amzdate, scope,
                     hashlib.sha256(canon.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for m in (date, region, service, "aws4_request"):
        k = hmac.new(k, m.encode(), hashlib.sha256).digest()
    want = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, parts["Signature"]):
        return False, "signature mismatch"
    if service != signed_for[0]:
        return False, "signed for service " + service
    if signed_for[1] and region != signed_for[1]:
        return False, "signed for region " + region
    return True, ""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("fakeaws: " + (fmt % args) + "\n")

    def reply(self, code, body, ctype="text/xml"):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    # ---- control, IMDS, checkip -------------------------------------------
    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        if u.path == "/_fake/set":
            with LOCK:
                SETTINGS.update(q)
            return self.reply(200, "ok\n", "text/plain")
        if u.path == "/_fake/fault":
            with LOCK:
                FAULTS[q["action"]] = [f for f in q.get("seq", "").split(",") if f]
            return self.reply(200, "ok\n", "text/plain")
        if u.path == "/_fake/count":
            with LOCK:
                n = COUNTS.get(q["action"], 0)
            return self.reply(200, "%d\n" % n, "text/plain")
        if u.path == "/_fake/keys":
            with LOCK:
                n = len(KEYS.get(q["action"], ()))
                if q.get("reset"):
                    KEYS.pop(q["action"], None)
            return self.reply(200, "%d\n" % n, "text/plain")
        if u.path == "/_fake/unsigned":
            with LOCK:
                n = UNSIGNED.get(q["action"], 0)
            return self.reply(200, "%d\n" % n, "text/plain")
        if u.path == "/_fake/param":
            with LOCK:
                v = LAST.get(q["action"], {}).get(q["name"], "")
            if q["name"] == "WebIdentityToken":
                v = "length %d" % len(v)
            return self.reply(200, v + "\n", "text/plain")
        if u.path == "/federation/credentials":
            return self.sso_role_credentials(q)
        if u.path == "/container/credentials":
            return self.container_credentials()
        if u.path == "/checkip":
            return self.reply(200, SETTINGS["checkip"] + "\n", "text/plain")
        if u.path.startswith("/latest/"):
            return self.imds(u.path)
        self.reply(404, "not found\n", "text/plain")

    def container_credentials(self):
        """The ECS/EKS container credentials endpoint (moto has none): the
        Authorization header must be container_auth when that is set; the
        keys are imds_ak/imds_sk/imds_token's."""
        with LOCK:
            COUNTS["container"] = COUNTS.get("container", 0) + 1
        want = SETTINGS.get("container_auth", "")
        if want and self.headers.get("Authorization") != want:
            return self.reply(403, json.dumps({"message": "bad authorization token"}),
                              "application/json")
        self.reply(200, json.dumps({
            "AccessKeyId": SETTINGS.get("imds_ak", ACCESS_KEY),
            "SecretAccessKey": SETTINGS.get("imds_sk", SECRET_KEY),
            "Token": SETTINGS.get("imds_token", "container-session-token"),
            "RoleArn": "arn:aws:iam::123456789012:role/task-role",
            "Expiration": "2099-01-01T00:00:00Z"}), "application/json")

    def sso_role_credentials(self, q):
        """GetRoleCredentials as the IAM Identity Center portal answers it."""
        with LOCK:
            COUNTS["GetRoleCredentials"] = COUNTS.get("GetRoleCredentials", 0) + 1
            LAST["GetRoleCredentials"] = dict(q)
        tok = self.headers.get("x-amz-sso_bearer_token")
        if not tok or tok != SETTINGS["sso_token"]:
            return self.reply(401, json.dumps({"message": "Session token not found or invalid"}),
                              "application/json")
        if q.get("role_name") != SETTINGS.get("sso_role") or \
                q.get("account_id") != SETTINGS.get("sso_account"):
            return self.reply(403, json.dumps({"message": "No access"}), "application/json")
        exp = int((time.time() + float(SETTINGS["sso_seconds"])) * 1000)
        self.reply(200, json.dumps({"roleCredentials": {
            "accessKeyId": SETTINGS["sso_ak"], "secretAccessKey": SETTINGS["sso_sk"],
            "sessionToken": SETTINGS["sso_tok"], "expiration": exp}}), "application/json")

    def sign(self, body):
        """Sign the request's headers (host, x-amz-date) and BODY for STS as
        the test user, the way botocore does."""
        amzdate = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        date = amzdate[:8]
        host = self.headers.get("Host")
        canon = "\n".join(["POST", urllib.parse.urlsplit(self.path).path or "/", "",
                           "host:%s\nx-amz-date:%s\n" % (host, amzdate), "host;x-amz-date",
                           hashlib.sha256(body).hexdigest()])
        scope = "/".join([date, "us-east-1", "sts", "aws4_request"])
        sts = "\n".join(["AWS4-HMAC-SHA256", amzdate, scope,
                         hashlib.sha256(canon.encode()).hexdigest()])
        k = ("AWS4" + SECRET_KEY).encode()
        for m in (date, "us-east-1", "sts", "aws4_request"):
            k = hmac.new(k, m.encode(), hashlib.sha256).digest()
        sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
        return {"X-Amz-Date": amzdate, "Authorization":
                "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=host;x-amz-date, Signature=%s"
                % (ACCESS_KEY, scope, sig)}

    def do_PUT(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        if self.path == "/latest/api/token":
            if SETTINGS["imds_off"] == "1":
                return self.reply(404, "no imds\n", "text/plain")
            if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                return self.reply(400, "missing ttl\n", "text/plain")
            return self.reply(200, TOKEN, "text/plain")
        self.reply(404, "not found\n", "text/plain")

    def imds(self, path):
        if SETTINGS["imds_off"] == "1":
            return self.reply(404, "no imds\n", "text/plain")
        if self.headers.get("X-aws-ec2-metadata-token") != TOKEN:
            return self.reply(401, "token required\n", "text/plain")
        mac = "0e:11:22:33:44:55"
        md = {
            "/latest/meta-data/mac": mac,
            "/latest/meta-data/placement/region": SETTINGS["imds_region"],
            "/latest/meta-data/iam/security-credentials/": "fake-role",
            "/latest/meta-data/iam/security-credentials/fake-role": json.dumps({
                "Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": SETTINGS.get("imds_ak", ACCESS_KEY),
                "SecretAccessKey": SETTINGS.get("imds_sk", SECRET_KEY),
                "Token": SETTINGS.get("imds_token", "imds-session-token"),
                "Expiration": "2099-01-01T00:00:00Z"}),
            "/latest/meta-data/network/interfaces/macs/%s/vpc-id" % mac: SETTINGS["imds_vpc"],
            "/latest/meta-data/network/interfaces/macs/%s/security-group-ids" % mac:
                "\n".join(SETTINGS["imds_sgs"].split(",")),
        }
        if path not in md:
            return self.reply(404, "not found\n", "text/plain")
        self.reply(200, md[path], "text/plain")

    # ---- the AWS endpoint --------------------------------------------------
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        form = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
        action = form.get("Action") or (self.headers.get("X-Amz-Target") or "").split(".")[-1]
        auth = self.headers.get("Authorization", "")
        m = re.search(r"Credential=([^/]+)/", auth)
        with LOCK:
            COUNTS[action] = COUNTS.get(action, 0) + 1
            LAST[action] = form
            if m:
                KEYS.setdefault(action, set()).add(m.group(1))
            else:
                UNSIGNED[action] = UNSIGNED.get(action, 0) + 1
            q = FAULTS.get(action) or []
            fault = q.pop(0) if q else None
        if fault == "throttle":
            return self.reply(400, "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling"
                              "</Code><Message>Rate exceeded</Message></Error>"
                              "<RequestId>f1</RequestId></ErrorResponse>")
        if fault == "ec2throttle":
            return self.reply(503, "<Response><Errors><Error><Code>RequestLimitExceeded</Code>"
                              "<Message>Request limit exceeded.</Message></Error></Errors>"
                              "<RequestID>f2</RequestID></Response>")
        if fault == "dup":
            return self.reply(400, "<Response><Errors><Error><Code>InvalidPermission.Duplicate"
                              "</Code><Message>the specified rule already exists</Message>"
                              "</Error></Errors><RequestID>f4</RequestID></Response>")
        if fault == "skew":  # a server whose clock is an hour ahead of ours
            body = (b"<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>"
                    b"Signature expired: 20250101T000000Z is now earlier than 20250101T010000Z"
                    b"</Message></Error></ErrorResponse>")
            self.send_response_only(403)
            self.send_header("Date", self.date_time_string(time.time() + 3600))
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return self.wfile.write(body)
        if fault == "expired":
            return self.reply(403, "<ErrorResponse><Error><Code>ExpiredToken</Code><Message>"
                              "The security token included in the request is expired"
                              "</Message></Error></ErrorResponse>")
        if fault == "500":
            return self.reply(500, "<ErrorResponse><Error><Code>InternalFailure</Code>"
                              "<Message>fake internal error</Message></Error></ErrorResponse>")
        if fault == "500bare":
            return self.reply(500, "Internal Server Error", "text/plain")
        if fault == "denied":
            return self.reply(403, "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied"
                              "</Code><Message>User: arn:aws:iam::123456789012:user/t is not "
                              "authorized to perform: rds:CreateDBInstance</Message></Error>"
                              "</ErrorResponse>")
        if fault == "slow":
            time.sleep(float(SETTINGS["slow_seconds"]))
        if action == "DescribeDBEngineVersions" and fault != "passthrough":
            return self.engine_versions(body, form)
        if action == "GetProducts":
            return self.get_products(body)
        status = fault[len("status:"):] if fault and fault.startswith("status:") else None
        if fault and (fault.startswith(("snapshot:", "insights:")) or fault == "pending"):
            status = fault
        extra = self.sign(body) if action == "AssumeRoleWithWebIdentity" and not m else None
        self.forward(body, status, extra)

    def get_products(self, body):
        ok, why = sigv4_ok("POST", self.path, self.headers, body, ("pricing", "us-east-1"))
        if not ok:
            return self.reply(400, json.dumps({"__type": "SignatureDoesNotMatch",
                                               "message": why}), "application/x-amz-json-1.1")
        req = json.loads(body)
        f = {x["Field"]: x["Value"] for x in req.get("Filters", [])}
        with LOCK:
            LAST["GetProducts:%s" % f.get("productFamily")] = f
        fam = f.get("productFamily")
        what = f.get("instanceType") or f.get("volumeType")
        unit, usd = PRICES.get((fam, what), (None, None))
        if fam == "Database Instance" and ("price_" + str(what)) in SETTINGS:
            usd = float(SETTINGS["price_" + what])
        products = []
        if unit and req.get("ServiceCode") == "AmazonRDS" and f.get("databaseEngine") == "PostgreSQL":
            if f.get("deploymentOption") == "Multi-AZ":
                usd *= 2
            products.append(json.dumps({
                "product": {"productFamily": fam, "attributes": dict(f)},
                "serviceCode": "AmazonRDS",
                "terms": {"OnDemand": {"SKU.JRTCKXETXF": {
                    "priceDimensions": {"SKU.JRTCKXETXF.6YS6EN2CT7": {
                        "unit": unit, "pricePerUnit": {"USD": "%.10f" % usd}}},
                    "effectiveDate": "2026-11-01T00:00:00Z"}}},
                "publicationDate": "2026-11-01T12:00:00Z"}))
        self.reply(200, json.dumps({"FormatVersion": "aws_v1", "PriceList": products}),
                   "application/x-amz-json-1.1")

    def engine_versions(self, body, form):
        ok, why = sigv4_ok("POST", self.path, self.headers, body)
        if not ok:
            return self.reply(403, "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code>"
                              "<Message>%s</Message></Error></ErrorResponse>" % why)
        if form.get("Engine") != "postgres":
            vs = []
        else:
            vs = VERSIONS
        half = len(vs) // 2
        if form.get("Marker") == "page2":
            page, marker = vs[half:], ""
        else:
            page, marker = vs[:half], "page2" if half else ""
        items = "".join("<DBEngineVersion><Engine>postgres</Engine><EngineVersion>%s"
                        "</EngineVersion><DBParameterGroupFamily>postgres%s"
                        "</DBParameterGroupFamily></DBEngineVersion>" % (v, v.split(".")[0])
                        for v in page)
        xml = ('<DescribeDBEngineVersionsResponse xmlns="http://rds.amazonaws.com/doc/'
               '2014-10-31/"><DescribeDBEngineVersionsResult>%s<DBEngineVersions>%s'
               '</DBEngineVersions></DescribeDBEngineVersionsResult><ResponseMetadata>'
               '<RequestId>f3</RequestId></ResponseMetadata></DescribeDBEngineVersionsResponse>'
               % ("<Marker>%s</Marker>" % marker if marker else "", items))
        self.reply(200, xml)

    def forward(self, body, status=None, extra=None):
        c = http.client.HTTPConnection(MOTO.hostname, MOTO.port, timeout=60)
        hdrs = {k: v for k, v in self.headers.items()
                if k.lower() not in ("connection", "content-length")}
        hdrs["Content-Length"] = str(len(body))
        hdrs.update(extra or {})
        c.request("POST", self.path, body=body, headers=hdrs)
        r = c.getresponse()
        data = r.read()
        if status and status.startswith("snapshot:"):  # a snapshot still being taken
            data = re.sub(rb"<PercentProgress>[^<]*</PercentProgress>", b"", data)
            data = re.sub(rb"<Status>[^<]*</Status>",
                          b"<Status>" + status[len("snapshot:"):].encode() +
                          b"</Status><PercentProgress>40</PercentProgress>", data)
        elif status and status.startswith("insights:"):  # PI on, EM every N s (moto has neither)
            data = data.replace(b"</DBInstanceStatus>", b"</DBInstanceStatus>"
                                b"<PerformanceInsightsEnabled>true</PerformanceInsightsEnabled>"
                                b"<MonitoringInterval>" + status[len("insights:"):].encode() +
                                b"</MonitoringInterval>")
        elif status == "pending":  # an e-mail subscription not confirmed yet (moto confirms)
            data = re.sub(rb"<SubscriptionArn>arn:[^<]*</SubscriptionArn>",
                          b"<SubscriptionArn>PendingConfirmation</SubscriptionArn>", data)
        elif status:  # show the instance in another status (creating, backing-up…)
            data = re.sub(rb"<DBInstanceStatus>[^<]*</DBInstanceStatus>",
                          b"<DBInstanceStatus>" + status.encode() + b"</DBInstanceStatus>", data)
            if status == "creating":
                data = re.sub(rb"<Endpoint>.*?</Endpoint>", b"", data, flags=re.S)
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("content-length", "connection", "transfer-encoding", "server",
                                 "date"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        c.close()


if __name__ == "__main__":
    ThreadingHTTPServer.daemon_threads = True
    srv = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    print("fakeaws listening on %d" % PORT, flush=True)
    srv.serve_forever()
