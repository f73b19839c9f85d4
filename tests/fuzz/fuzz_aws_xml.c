/* Fuzz the AWS XML answer parser and the code that reads answers. The input
 * is the body of an AWS Query/EC2 answer. It goes through xml_parse and the
 * tree walkers, the error shapes (RDS/STS ErrorResponse/Error/Code, EC2
 * Response/Errors/Error/Code) read the way aws_http.c reads them, and then
 * through the real readers in aws_api.c: the link wraps aws_query
 * (-Wl,--wrap=aws_query) so that every request is answered with the input. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "aws_api.h"
#include "aws_xml.h"
#include "fuzz_common.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
struct xml_node *__wrap_aws_query(struct aws_ctx *a, const struct aws_service *svc,
				  const char *action, const struct aws_params *params,
				  struct aws_error *err, char **cause);

static const uint8_t *answer;
static size_t answer_len;
static int answers_left;

/* Every node has a name and text; children point back at their parent. */
static size_t check_tree(const struct xml_node *n, const struct xml_node *parent, int depth)
{
	size_t count = 0;
	for (; n; n = n->next) {
		FUZZ_CHECK(n->name && n->text, "a node without name or text");
		FUZZ_CHECK(n->parent == parent, "a node with the wrong parent");
		FUZZ_CHECK(!strchr(n->name, ':'), "a name with its prefix kept: %s", n->name);
		size_t tl = strlen(n->text);
		FUZZ_CHECK(!tl || (!strchr(" \t\r\n", n->text[0]) &&
				   !strchr(" \t\r\n", n->text[tl - 1])),
			   "untrimmed text [%s]", n->text);
		if (n->child)
			FUZZ_CHECK(n->last && !n->last->next, "children without a last");
		count += 1 + check_tree(n->child, n, depth + 1);
		const struct xml_node *same = xml_next_same(n);
		FUZZ_CHECK(!same || strcmp(same->name, n->name) == 0, "xml_next_same: wrong name");
	}
	return count;
}

/* The error an answer holds, as aws_http.c's parse_error reads it. */
static void read_error(const struct xml_node *root, struct aws_error *err)
{
	err->code[0] = err->message[0] = 0;
	const struct xml_node *e =
		strcmp(root->name, "Error") == 0 ? root : xml_find_deep(root, "Error");
	if (e) {
		snprintf(err->code, sizeof err->code, "%s", xml_text(e, "Code"));
		snprintf(err->message, sizeof err->message, "%s", xml_text(e, "Message"));
	}
}

/* aws_query, answered with the fuzz input: an error shape becomes an error
 * (as an HTTP 400 would), anything else the answer; after ANSWERS_LEFT
 * answers (pages) the "network" fails. */
struct xml_node *__wrap_aws_query(struct aws_ctx *a, const struct aws_service *svc,
				  const char *action, const struct aws_params *params,
				  struct aws_error *err, char **cause)
{
	(void)a;
	(void)svc;
	(void)params;
	struct aws_error local;
	if (!err)
		err = &local;
	memset(err, 0, sizeof *err);
	if (answers_left-- <= 0) {
		fail(cause, "%s: connection reset (fuzz)", action);
		return NULL;
	}
	char *why = NULL;
	struct xml_node *x = xml_parse((const char *)answer, answer_len, &why);
	if (!x) {
		fail(cause, "%s: %s", action, why);
		free(why);
		return NULL;
	}
	if (strcmp(x->name, "ErrorResponse") == 0 || strcmp(x->name, "Response") == 0 ||
	    strcmp(x->name, "Error") == 0) {
		err->http = 400;
		read_error(x, err);
		fail(cause, "%s: %s: %s", action, err->code, err->message);
		xml_free(x);
		return NULL;
	}
	err->http = 200;
	return x;
}

static void call_readers(void)
{
	struct aws_ctx *a = NULL; /* the readers only hand it to aws_query */
	char *cause = NULL;

	answers_left = 1;
	struct sts_identity id;
	if (sts_get_caller_identity(a, &id, &cause) == 0)
		sts_identity_free(&id);
	free(cause);
	cause = NULL;

	answers_left = 1;
	struct rds_instance in;
	if (rds_describe_instance(a, "yousync-db", &in, &cause) == 0) {
		FUZZ_CHECK(in.id && in.status && in.endpoint && in.sg_ids,
			   "an instance with NULLs");
		FUZZ_CHECK(in.sg_ids[in.n_sg] == NULL, "sg_ids not NULL-terminated");
		rds_instance_free(&in);
	}
	free(cause);
	cause = NULL;

	/* Two pages when the answer has a Marker, then the third request fails. */
	for (int pages = 1; pages <= 3; pages += 2) {
		answers_left = pages;
		struct rds_instance *v = NULL;
		size_t n = 0;
		if (rds_list_instances(a, &v, &n, &cause) == 0)
			rds_instances_free(v, n);
		else
			FUZZ_CHECK(!v && !n, "a failed list left instances");
		free(cause);
		cause = NULL;

		answers_left = pages;
		char **versions = NULL;
		if (rds_engine_versions(a, "postgres", &versions, &cause) == 0) {
			FUZZ_CHECK(versions, "no version list");
			for (char **p = versions; *p; p++)
				free(*p);
		}
		free(versions);
		free(cause);
		cause = NULL;

		answers_left = pages;
		struct security_group *g = NULL;
		char *ids[] = {"sg-0123456789abcdef0"};
		if (ec2_describe_security_groups(a, ids, 1, &g, &n, &cause) == 0) {
			for (size_t i = 0; i < n; i++)
				for (size_t j = 0; j < g[i].n; j++)
					FUZZ_CHECK(
						g[i].rules[j].proto && g[i].rules[j].desc &&
							(g[i].rules[j].cidr || g[i].rules[j].group),
						"a rule without protocol, description or source");
			ec2_security_groups_free(g, n);
		}
		free(cause);
		cause = NULL;
	}

	answers_left = 1;
	struct aws_error err;
	if (rds_create_instance(a, NULL, &in, &err, &cause) == 0)
		rds_instance_free(&in);
	free(cause);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cause = NULL;
	struct xml_node *root = xml_parse((const char *)data, size, &cause);
	if (!root) {
		FUZZ_CHECK(cause && *cause, "xml_parse failed without a cause");
		free(cause);
	} else {
		FUZZ_CHECK(!cause, "a cause set on success");
		FUZZ_CHECK(root->parent == NULL && root->next == NULL, "a root with siblings");
		check_tree(root, NULL, 0);
		struct aws_error err;
		read_error(root, &err);
		(void)xml_text(root,
			       "DescribeDBInstancesResult/DBInstances/DBInstance/Endpoint/Address");
		(void)xml_text(root, "");
		(void)xml_text(root, "/");
		(void)xml_text(root, "a//b/");
		(void)xml_find_deep(root, "Code");
		xml_free(root);
	}
	answer = data;
	answer_len = size;
	call_readers();
	return 0;
}
