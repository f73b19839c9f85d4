/* A small XML tree for AWS answers, built with expat. */
#include "aws_xml.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "util.h"

struct builder {
	struct xml_node *root, *cur;
	char *buf; /* character data of the current element */
	size_t len, cap;
	int depth;
};

static void flush_text(struct builder *b)
{
	if (!b->cur) {
		b->len = 0;
		return;
	}
	size_t s = 0, e = b->len;
	while (s < e && strchr(" \t\r\n", b->buf[s]))
		s++;
	while (e > s && strchr(" \t\r\n", b->buf[e - 1]))
		e--;
	if (e > s) {
		size_t old = strlen(b->cur->text);
		b->cur->text = xrealloc(b->cur->text, old + (e - s) + 1);
		memcpy(b->cur->text + old, b->buf + s, e - s);
		b->cur->text[old + (e - s)] = 0;
	}
	b->len = 0;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct builder *b = ud;
	(void)attrs;
	flush_text(b);
	struct xml_node *n = xcalloc(1, sizeof *n);
	const char *colon = strrchr(name, ':');
	n->name = xstrdup(colon ? colon + 1 : name);
	n->text = xstrdup("");
	n->parent = b->cur;
	if (b->cur) {
		if (b->cur->last)
			b->cur->last->next = n;
		else
			b->cur->child = n;
		b->cur->last = n;
	} else if (!b->root) {
		b->root = n;
	}
	b->cur = n;
	b->depth++;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	struct builder *b = ud;
	(void)name;
	flush_text(b);
	if (b->cur)
		b->cur = b->cur->parent;
	b->depth--;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	struct builder *b = ud;
	if (b->len + (size_t)len + 1 > b->cap) {
		b->cap = (b->len + (size_t)len + 1) * 2;
		b->buf = xrealloc(b->buf, b->cap);
	}
	memcpy(b->buf + b->len, s, (size_t)len);
	b->len += (size_t)len;
}

struct xml_node *xml_parse(const char *body, size_t len, char **cause)
{
	struct builder b = {0};
	XML_Parser p = XML_ParserCreate("UTF-8");
	if (!p) {
		fail(cause, _("cannot create an XML parser"));
		return NULL;
	}
	XML_SetUserData(p, &b);
	XML_SetElementHandler(p, on_start, on_end);
	XML_SetCharacterDataHandler(p, on_text);
	if (XML_Parse(p, body, (int)len, 1) == XML_STATUS_ERROR || !b.root) {
		fail(cause, _("the answer is not valid XML (line %lu: %s)"),
		     (unsigned long)XML_GetCurrentLineNumber(p),
		     b.root ? XML_ErrorString(XML_GetErrorCode(p)) : _("no element"));
		XML_ParserFree(p);
		free(b.buf);
		xml_free(b.root);
		return NULL;
	}
	XML_ParserFree(p);
	free(b.buf);
	return b.root;
}

void xml_free(struct xml_node *n)
{
	while (n) {
		struct xml_node *next = n->next;
		xml_free(n->child);
		free(n->name);
		free(n->text);
		free(n);
		n = next;
	}
}

const struct xml_node *xml_find(const struct xml_node *n, const char *path)
{
	const char *p = path;
	while (n && *p) {
		const char *slash = strchr(p, '/');
		size_t l = slash ? (size_t)(slash - p) : strlen(p);
		const struct xml_node *c = n->child;
		while (c && !(strlen(c->name) == l && memcmp(c->name, p, l) == 0))
			c = c->next;
		n = c;
		p += l;
		if (*p == '/')
			p++;
	}
	return n;
}

const char *xml_text(const struct xml_node *n, const char *path)
{
	const struct xml_node *f = n ? xml_find(n, path) : NULL;
	return f ? f->text : "";
}

const struct xml_node *xml_find_deep(const struct xml_node *n, const char *name)
{
	for (const struct xml_node *c = n ? n->child : NULL; c; c = c->next) {
		if (strcmp(c->name, name) == 0)
			return c;
		const struct xml_node *d = xml_find_deep(c, name);
		if (d)
			return d;
	}
	return NULL;
}

const struct xml_node *xml_next_same(const struct xml_node *c)
{
	for (const struct xml_node *n = c->next; n; n = n->next)
		if (strcmp(n->name, c->name) == 0)
			return n;
	return NULL;
}
