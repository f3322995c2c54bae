/*
 * fuzz_xpath.c: libFuzzer target for the XPath engine.  Every input is
 * compiled; what compiles has its references listed, is checked for
 * portability and is evaluated over a small instance with a repeat and a
 * secondary instance, so the evaluator and the function library are
 * exercised as well as the parser.
 *
 * Build and run: make fuzz-xpath && ./fuzz/fuzz_xpath -max_total_time=600
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xpath/xnode.h"
#include "xpath/xpath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static xnode *doc, *sec;

/* Add an element with a value. */
static xnode *add(xnode *parent, const char *name, const char *value)
{
	xnode *n = NULL;

	if (xnode_new_element(&n, name) < 0)
		abort();
	xnode_set_value(n, value);
	xnode_append(parent, n);
	return n;
}

/* The instance every input is evaluated over, built once. */
static void build(void)
{
	xnode *data, *rep, *root, *item;
	int i;

	xnode_new_document(&doc);
	xnode_new_element(&data, "data");
	xnode_append(doc, data);
	xnode_set_attr(NULL, data, "id", "f");
	add(data, "name", "Maria");
	add(data, "age", "12");
	add(data, "dob", "2010-05-17");
	add(data, "multi", "a b c");
	for (i = 0; i < 3; i++) {
		rep = add(data, "rep", "");
		add(rep, "q", i == 1 ? "2" : "1");
	}
	xnode_new_document(&sec);
	xnode_new_element(&root, "root");
	xnode_append(sec, root);
	for (i = 0; i < 3; i++) {
		item = add(root, "item", "");
		add(item, "name", i ? "x" : "y");
	}
}

static int env_instance(xnode **out, const char *id, void *payload)
{
	(void)payload;
	(void)id;
	*out = sec;
	return 0;
}

static int env_itext(const char **out, const char *id, void *payload)
{
	(void)payload;
	*out = id;
	return 0;
}

static int env_choice(const char **out, const char *value, const xnode *node, void *payload)
{
	(void)payload;
	(void)node;
	*out = value;
	return 0;
}

static int env_now(double *secs, int *off, void *payload)
{
	(void)payload;
	*secs = 1795948927.0;
	*off = -330;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const xpath_env env = { env_instance, env_itext, env_choice, env_now, NULL };
	xpath_expr *e = NULL;
	xpath_refs refs = XPATH_REFS_INIT;
	xpath_ctx ctx = XPATH_CTX_INIT;
	hw_error err = { 0, "" };
	char *src, *s = NULL;
	xnode *node = NULL;

	if (!doc)
		build();
	if (size > 4096)
		return 0;
	src = malloc(size + 1);
	if (!src)
		return 0;
	memcpy(src, data, size);
	src[size] = '\0';
	if (xpath_compile(&e, src, &err) == 0) {
		xpath_refs_collect(&refs, e, "/data/rep/q", &err);
		xpath_refs_free(&refs);
		xpath_portability(e, NULL, NULL);
		xnode_find(&node, doc, "/data/rep[2]/q", NULL);
		ctx.node = node;
		ctx.root = doc;
		ctx.env = &env;
		if (xpath_eval_string(&s, e, &ctx, &err) == 0)
			free(s);
		xpath_expr_free(e);
	}
	free(src);
	return 0;
}
