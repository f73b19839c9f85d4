/* A small XML tree for AWS answers, built with expat. */
#ifndef RDSM_AWS_XML_H
#define RDSM_AWS_XML_H

#include <stddef.h>

struct xml_node {
	char *name; /* local name (any "prefix:" removed) */
	char *text; /* character data directly inside, trimmed; never NULL */
	struct xml_node *parent, *child, *last, *next;
};

/* Parse BODY; NULL with a cause when it is not well-formed XML. */
struct xml_node *xml_parse(const char *body, size_t len, char **cause);
void xml_free(struct xml_node *n);

/* The first descendant reached by PATH ("a/b/c", each step a child's name),
 * starting at N's children; NULL when there is none. */
const struct xml_node *xml_find(const struct xml_node *n, const char *path);
/* The text at PATH, or "" when there is none. */
const char *xml_text(const struct xml_node *n, const char *path);
/* The first element named NAME anywhere below N (depth first), or NULL. */
const struct xml_node *xml_find_deep(const struct xml_node *n, const char *name);
/* The next sibling after C named like C (for iterating "member"/"item" lists). */
const struct xml_node *xml_next_same(const struct xml_node *c);

#endif
