/* The network step: read the instance's security groups, judge each inbound
 * rule that covers the port, and add the narrowest rule that lets this
 * machine in (this EC2 instance's own group, else this machine's IP/32).
 * A rule open to the world is flagged and, when confirmed, revoked. In
 * inspect mode it only reports. */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws_api.h"
#include "aws_config.h"
#include "step_aws.h"
#include "run.h"
#include "util.h"

/* Where this machine stands: its public address, and on EC2 its VPC and
 * security groups. */
struct here {
	char ip[64];  /* "" when unknown */
	char *ip_why; /* why unknown */
	bool ec2;
	char vpc[64];
	char **groups; /* NULL-terminated, NULL when not on EC2 */
};

static void here_free(struct here *h)
{
	free(h->ip_why);
	aws_strv_free(h->groups);
}

/* The last address checkip gave, so live screens polling every few seconds
 * do not ask it each time. */
static pthread_mutex_t ip_lock = PTHREAD_MUTEX_INITIALIZER;
static char ip_cache[64], ip_cache_url[512];
static double ip_cache_until;

static void find_ip(struct here *h, const char *url)
{
	pthread_mutex_lock(&ip_lock);
	bool cached =
		ip_cache[0] && strcmp(ip_cache_url, url) == 0 && now_monotonic() < ip_cache_until;
	if (cached)
		snprintf(h->ip, sizeof h->ip, "%s", ip_cache);
	pthread_mutex_unlock(&ip_lock);
	if (cached)
		return;
	char *body = NULL, *why = NULL;
	long st = aws_http_plain("GET", url, NULL, 5000, &body, &why);
	unsigned char bin[16];
	if (st == 200) {
		char *ip = str_trim(body);
		if (inet_pton(AF_INET, ip, bin) == 1 || inet_pton(AF_INET6, ip, bin) == 1) {
			snprintf(h->ip, sizeof h->ip, "%s", ip);
			pthread_mutex_lock(&ip_lock);
			snprintf(ip_cache, sizeof ip_cache, "%s", ip);
			snprintf(ip_cache_url, sizeof ip_cache_url, "%s", url);
			ip_cache_until = now_monotonic() + 60;
			pthread_mutex_unlock(&ip_lock);
		} else {
			h->ip_why = xasprintf("%s answered something that is not an address", url);
		}
	} else if (st > 0) {
		h->ip_why = xasprintf("%s answered HTTP %ld", url, st);
	} else {
		h->ip_why = xasprintf("%s: %s", url, why);
	}
	free(body);
	free(why);
}

static void find_here(struct run *r, struct here *h)
{
	memset(h, 0, sizeof *h);
	find_ip(h, r->knobs->checkip_url);

	char *mac = NULL;
	if (aws_imds_get("meta-data/mac", &mac, NULL) == 0) {
		char *m = str_trim(mac);
		char *path = xasprintf("meta-data/network/interfaces/macs/%s/vpc-id", m);
		char *vpc = NULL;
		if (aws_imds_get(path, &vpc, NULL) == 0) {
			h->ec2 = true;
			snprintf(h->vpc, sizeof h->vpc, "%s", str_trim(vpc));
		}
		free(path);
		free(vpc);
		path = xasprintf("meta-data/network/interfaces/macs/%s/security-group-ids", m);
		char *sgs = NULL;
		if (aws_imds_get(path, &sgs, NULL) == 0) {
			size_t n = 0;
			h->groups = xcalloc(1, sizeof *h->groups);
			char *save = NULL;
			for (char *t = strtok_r(sgs, " \r\n", &save); t;
			     t = strtok_r(NULL, " \r\n", &save)) {
				h->groups = xrealloc(h->groups, (n + 2) * sizeof *h->groups);
				h->groups[n++] = xstrdup(t);
				h->groups[n] = NULL;
			}
		}
		free(path);
		free(sgs);
	}
	free(mac);
	if (h->ec2)
		run_finding(r, LEVEL_INFO, "this machine", "an EC2 instance in %s, groups %s%s%s",
			    h->vpc, h->groups && h->groups[0] ? h->groups[0] : "(none)",
			    h->groups && h->groups[0] && h->groups[1] ? ", " : "",
			    h->groups && h->groups[0] && h->groups[1] ? h->groups[1] : "");
	if (h->ip[0])
		run_finding(r, LEVEL_INFO, "this machine", "public address %s", h->ip);
	else
		run_finding(r, LEVEL_WARN, "this machine", "public address unknown: %s", h->ip_why);
}

/* Whether CIDR contains address IP (both IPv4 or both IPv6). */
static bool cidr_contains(const char *cidr, const char *ip)
{
	char net[64];
	snprintf(net, sizeof net, "%s", cidr);
	char *slash = strchr(net, '/');
	int bits = slash ? atoi(slash + 1) : -1;
	if (slash)
		*slash = 0;
	unsigned char a[16], b[16];
	int fam = strchr(net, ':') ? AF_INET6 : AF_INET;
	int len = fam == AF_INET6 ? 16 : 4;
	if (bits < 0)
		bits = len * 8;
	if (inet_pton(fam, net, a) != 1 || inet_pton(fam, ip, b) != 1 || bits > len * 8)
		return false;
	for (int i = 0; i < len && bits > 0; i++, bits -= 8) {
		unsigned mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
		if ((a[i] & mask) != (b[i] & mask))
			return false;
	}
	return true;
}

static int cidr_bits(const char *cidr)
{
	const char *s = strchr(cidr, '/');
	return s ? atoi(s + 1) : (strchr(cidr, ':') ? 128 : 32);
}

static bool is_world(const char *cidr)
{
	return cidr && (strcmp(cidr, "0.0.0.0/0") == 0 || strcmp(cidr, "::/0") == 0);
}

/* Wider than a /24 (IPv6: a /56): more than one site's addresses. */
static bool is_wide(const char *cidr)
{
	return cidr && cidr_bits(cidr) < (strchr(cidr, ':') ? 56 : 24);
}

static bool covers_port(const struct sg_rule *ru, int port)
{
	if (strcmp(ru->proto, "-1") == 0 || strcmp(ru->proto, "all") == 0)
		return true;
	if (strcmp(ru->proto, "tcp") != 0 && strcmp(ru->proto, "6") != 0)
		return false;
	return ru->from <= port && port <= ru->to;
}

static bool in_groups(char **groups, const char *g)
{
	for (size_t i = 0; groups && groups[i]; i++)
		if (strcmp(groups[i], g) == 0)
			return true;
	return false;
}

/* The source to admit, from [network] allow; "" with a cause when none. */
static int pick_source(struct run *r, const struct here *h, const char *inst_vpc, char *out,
		       size_t outsz, char **cause)
{
	const char *allow = config_get(r->cfg, CFG_NETWORK_ALLOW);
	if (strcmp(allow, "auto") != 0 && *allow) {
		snprintf(out, outsz, "%s", allow);
		return 0;
	}
	if (h->ec2 && h->groups && h->groups[0] && strcmp(h->vpc, inst_vpc) == 0) {
		snprintf(out, outsz, "%s", h->groups[0]);
		return 0;
	}
	if (!h->ip[0])
		return fail(cause,
			    "cannot learn this machine's public address (%s): set [network] "
			    "allow to a CIDR or sg-…",
			    h->ip_why ? h->ip_why : "?");
	snprintf(out, outsz, "%s/%d", h->ip, strchr(h->ip, ':') ? 128 : 32);
	return 0;
}

static void rule_text(const struct sg_rule *ru, char *out, size_t outsz)
{
	char ports[32];
	if (strcmp(ru->proto, "-1") == 0)
		snprintf(ports, sizeof ports, "all traffic");
	else if (ru->from == ru->to)
		snprintf(ports, sizeof ports, "%s %d", ru->proto, ru->from);
	else
		snprintf(ports, sizeof ports, "%s %d-%d", ru->proto, ru->from, ru->to);
	snprintf(out, outsz, "%s from %s%s%s%s", ports, ru->cidr ? ru->cidr : ru->group,
		 ru->desc[0] ? " (\"" : "", ru->desc, ru->desc[0] ? "\")" : "");
}

static int network_run(struct run *r, char **cause)
{
	const struct config *c = r->cfg;
	if (*config_get(c, CFG_TARGET_URL)) {
		*cause = xstrdup("[target] url is set: no security group to open");
		return 1;
	}
	const char *id = config_get(c, CFG_INSTANCE_IDENTIFIER);
	struct aws_ctx a;
	if (step_aws_open(r, &a, cause) < 0) {
		aws_ctx_free(&a);
		return -1;
	}
	int rc = 0;
	struct rds_instance in;
	memset(&in, 0, sizeof in);
	struct security_group *g = NULL;
	size_t ng = 0;
	struct here h;
	memset(&h, 0, sizeof h);

	run_status(r, "reading the instance %s", id);
	int found = rds_describe_instance(&a, id, &in, cause);
	if (found != 0) {
		if (found == 1) {
			if (r->inspect) {
				*cause = xasprintf("the instance %s does not exist yet in %s", id,
						   a.region);
				rc = 1;
			} else {
				rc = fail(cause,
					  "the instance %s does not exist in %s: run the "
					  "instance step first",
					  id, a.region);
			}
		} else {
			rc = -1;
		}
		goto out;
	}
	int port = in.port ? in.port : (int)config_int(c, CFG_NETWORK_PORT);
	if (in.n_sg == 0) {
		rc = fail(cause, "the instance %s has no VPC security group: nothing to open", id);
		goto out;
	}
	run_status(r, "reading security groups of %s", id);
	if (ec2_describe_security_groups(&a, in.sg_ids, in.n_sg, &g, &ng, cause) < 0) {
		rc = -1;
		goto out;
	}
	find_here(r, &h);
	/* the instance's VPC; its security groups' VPC when RDS does not say */
	const char *vpc = in.vpc_id[0] ? in.vpc_id : g[0].vpc_id;
	char source[128];
	char *why = NULL;
	bool have_source = pick_source(r, &h, vpc, source, sizeof source, &why) == 0;

	/* one finding per rule that covers the port, with its verdict */
	bool allowed = false, world = false, exact = false;
	size_t nrules = 0;
	for (size_t i = 0; i < ng; i++) {
		for (size_t j = 0; j < g[i].n; j++) {
			const struct sg_rule *ru = &g[i].rules[j];
			if (!covers_port(ru, port))
				continue;
			nrules++;
			char text[400], item[160];
			rule_text(ru, text, sizeof text);
			snprintf(item, sizeof item, "%s", g[i].id);
			if (have_source && ((ru->cidr && strcmp(ru->cidr, source) == 0) ||
					    (ru->group && strcmp(ru->group, source) == 0)))
				exact = true;
			if (is_world(ru->cidr)) {
				world = true;
				allowed = true;
				run_finding(r, LEVEL_ERROR, item,
					    "%s — open to the whole internet: anyone can try "
					    "passwords on port %d",
					    text, port);
			} else if (ru->cidr && h.ip[0] && cidr_contains(ru->cidr, h.ip)) {
				allowed = true;
				if (is_wide(ru->cidr))
					run_finding(
						r, LEVEL_WARN, item,
						"%s — admits this machine (%s), and a wide range "
						"(wider than a /%d) with it",
						text, h.ip, strchr(ru->cidr, ':') ? 56 : 24);
				else
					run_finding(r, LEVEL_OK, item,
						    "%s — admits this machine (%s)", text, h.ip);
			} else if (ru->group && in_groups(h.groups, ru->group)) {
				allowed = true;
				run_finding(r, LEVEL_OK, item,
					    "%s — admits this EC2 instance's security group", text);
			} else if (ru->cidr &&
				   cidr_bits(ru->cidr) < (strchr(ru->cidr, ':') ? 64 : 16)) {
				run_finding(r, LEVEL_WARN, item,
					    "%s — a wide range; does not admit this machine", text);
			} else {
				run_finding(r, LEVEL_INFO, item, "%s — does not admit this machine",
					    text);
			}
		}
	}
	if (nrules == 0)
		run_finding(r, LEVEL_INFO, "rules", "no inbound rule of %s covers port %d", g[0].id,
			    port);

	bool same_vpc = h.ec2 && strcmp(h.vpc, vpc) == 0;
	bool reachable = in.public_access || same_vpc;
	if (!reachable)
		run_finding(
			r, LEVEL_ERROR, "reachability",
			"%s is not publicly accessible and this machine is outside its VPC (%s): "
			"no security-group rule can let it in; use a tunnel through a host in the "
			"VPC ([target] hostaddr), or make it public (aws rds modify-db-instance "
			"--publicly-accessible)",
			id, vpc[0] ? vpc : "?");

	if (world)
		run_finding_code(r, LEVEL_ERROR, FIND_WORLD_OPEN, "verdict",
				 "port %d is open to the whole internet", port);
	else if (allowed)
		run_finding(r, LEVEL_OK, "verdict", "this machine is allowed on port %d", port);
	else
		run_finding(r, LEVEL_WARN, "verdict",
			    "this machine is not allowed on port %d yet%s%s", port,
			    have_source ? "; the rule to add: " : "", have_source ? source : "");

	if (r->inspect) {
		*cause = xasprintf("%s: %zu rule%s for port %d; this machine %s%s", g[0].id, nrules,
				   nrules == 1 ? "" : "s", port,
				   allowed ? "is allowed" : "is not allowed",
				   world ? "; OPEN TO THE WORLD" : "");
		free(why);
		goto out;
	}
	if (!reachable && !*config_get(c, CFG_TARGET_HOSTADDR)) {
		rc = fail(cause,
			  "%s is not publicly accessible and this machine is outside its VPC: "
			  "use a tunnel ([target] hostaddr) or make the instance public",
			  id);
		free(why);
		goto out;
	}

	/* add the narrowest rule unless an identical one is there (or another,
	 * non-world rule already admits this machine) */
	const char *target_sg = g[0].id;
	const char *want_sg = config_get(c, CFG_INSTANCE_SECURITY_GROUP);
	for (size_t i = 0; i < ng; i++)
		if (*want_sg && strcmp(g[i].id, want_sg) == 0)
			target_sg = g[i].id;
	/* an explicit [network] allow is added as asked; auto only when nothing
	 * but a world-open rule lets this machine in */
	const char *allow = config_get(c, CFG_NETWORK_ALLOW);
	bool explicit_allow = *allow && strcmp(allow, "auto") != 0;
	bool need = !exact && (explicit_allow || !(allowed && !world));
	if (need && !have_source) {
		rc = fail(cause, "%s", why);
		free(why);
		goto out;
	}
	free(why);
	if (need && is_wide(source) && strncmp(source, "sg-", 3) != 0 && !r->allow_world) {
		rc = fail(cause,
			  "[network] allow = %s opens port %d to %s: run again with "
			  "--allow-world to confirm (--yes is not enough), or allow a narrower "
			  "range (a /%d or smaller)",
			  source, port,
			  is_world(source) ? "the whole internet" : "a range wider than one site",
			  strchr(source, ':') ? 56 : 24);
		goto out;
	}
	char note[200] = "";
	if (need) {
		char desc[128], date[16];
		time_t t = time(NULL);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(date, sizeof date, "%Y-%m-%d", &tm);
		snprintf(desc, sizeof desc, "rds-migrate %s", date);
		run_status(r, "adding a rule to %s: tcp %d from %s", target_sg, port, source);
		bool dup = false;
		if (ec2_authorize_ingress(&a, target_sg, port, source, desc, &dup, cause) < 0) {
			rc = -1;
			goto out;
		}
		run_finding(r, is_wide(source) ? LEVEL_WARN : LEVEL_OK, target_sg,
			    "tcp %d from %s (\"%s\") — %s%s", port, source, desc,
			    dup ? "already there" : "added",
			    is_wide(source) ? " (a wide range, confirmed with --allow-world)" : "");
		snprintf(note, sizeof note, "; %s rule tcp %d from %s", dup ? "kept" : "added",
			 port, source);
		char *sv = xasprintf("%s:%s", target_sg, source);
		state_set(r->state, "network.rule", sv, NULL);
		free(sv);
	} else {
		snprintf(note, sizeof note, "; no change needed");
	}

	/* offer to revoke rules open to the world */
	int kept_world = 0;
	for (size_t i = 0; i < ng; i++) {
		for (size_t j = 0; j < g[i].n; j++) {
			const struct sg_rule *ru = &g[i].rules[j];
			if (!covers_port(ru, port) || !is_world(ru->cidr))
				continue;
			if (have_source && strcmp(ru->cidr, source) == 0)
				continue; /* [network] allow asks for exactly this */
			char text[400];
			rule_text(ru, text, sizeof text);
			if (!run_confirm(r, "%s allows %s: open to the whole internet. Revoke it?",
					 g[i].id, text)) {
				kept_world++;
				continue;
			}
			char *rwhy = NULL;
			if (ec2_revoke_ingress(&a, g[i].id, ru->proto, ru->from, ru->to, ru->cidr,
					       &rwhy) < 0) {
				run_finding(r, LEVEL_ERROR, g[i].id, "cannot revoke %s: %s", text,
					    rwhy);
				free(rwhy);
				kept_world++;
				continue;
			}
			run_finding(r, LEVEL_OK, g[i].id, "revoked %s", text);
		}
	}
	*cause = xasprintf("%s admits %s on port %d%s%s", target_sg,
			   need || exact ? source : "this machine", port, note,
			   kept_world ? "; WARNING: still open to the whole internet" : "");
out:
	here_free(&h);
	ec2_security_groups_free(g, ng);
	rds_instance_free(&in);
	aws_ctx_free(&a);
	return rc;
}

const struct step step_network = {
	.name = "network",
	.title = "Security group",
	.what = "open the security group to this machine only",
	.run = network_run,
};
