/*
 * xform_int.h: the form engine's private structures, shared by its files
 * (xform_load.c, xform_graph.c, xform_session.c, xform_text.c,
 * xform_nav.c, xform_submit.c, xform_scenario.c).  Not for other modules:
 * their door is xform.h.
 */
#ifndef HW_XFORM_INT_H
#define HW_XFORM_INT_H

#include <stddef.h>
#include <stdint.h>

#include "xform/xform.h"
#include "xpath/xnode.h"
#include "xpath/xpath.h"

/* A string -> int map (open addressing); keys owned. */
typedef struct xf_map {
	char **keys;
	int *vals;
	size_t cap;     /* power of two, or 0 */
	size_t len;
} xf_map;

int xf_map_put(xf_map *m, const char *key, int val);
int xf_map_get(const xf_map *m, const char *key);   /* -1 when absent */
void xf_map_free(xf_map *m);

/* A piece of text: literal parts and <output value=".."/> expressions. */
typedef struct xf_seg {
	char *text;          /* literal, or NULL when expr is set */
	xpath_expr *expr;
} xf_seg;

typedef struct xf_text {
	xf_seg *segs;
	size_t nsegs;
	char *flat;          /* the literal parts joined (for jr:itext() in expressions) */
} xf_text;

enum xf_label_kind { XF_L_NONE = 0, XF_L_LITERAL, XF_L_ITEXT, XF_L_EXPR };

/* A label, hint or message: literal text, an itext id, or an expression. */
typedef struct xf_label {
	int kind;
	xf_text lit;         /* XF_L_LITERAL */
	char *itext_id;      /* XF_L_ITEXT */
	xpath_expr *expr;    /* XF_L_EXPR (e.g. jr:itext(itextId) in an itemset) */
} xf_label;

typedef struct xf_lang {
	char *name;          /* "English (en)" */
	char *code;          /* "en" */
	int child;           /* index of the "-x-child" variant, or -1 */
	int base;            /* for a child variant: index of its plain language, or -1 */
	xf_text **texts;     /* by itext id index; NULL when this language lacks it */
} xf_lang;

struct xf_ctrl;

/* One generic node of the primary instance ("/data/rep/q"), with its bind. */
typedef struct xf_def {
	char *path;          /* generic, local names: "/data/rep/q" */
	const char *local;   /* last step */
	int id;
	struct xf_def *parent;
	struct xf_def **children;
	size_t nchildren;
	int type;            /* enum xform_type */
	char *type_name;     /* as written, for unsupported types */
	int bind_line;       /* 0 if no bind */
	xpath_expr *calculate, *relevant, *required, *readonly, *constraint;
	xf_label constraint_msg, required_msg;
	char *preload, *preload_params;
	int is_repeat;
	int has_template;    /* a jr:template instance existed in the form */
	xnode *template_;    /* a clean repeat instance to clone; owned */
	xpath_expr *jr_count;
	int noaddremove;
	struct xf_ctrl *ctrl;      /* first control bound here */
	struct xf_ctrl *repeat;    /* the <repeat> for a repeat def */
	int *readers;        /* vertices that read this node */
	size_t nreaders;
	int *vertices;       /* vertices that write this node (calc, itemset, count) */
	size_t nvertices;
	int *state_vertices; /* relevant/required/readonly vertices targeting it */
	size_t nstate_vertices;
	struct xf_action **new_repeat;   /* odk-new-repeat actions for a repeat def */
	size_t nnew_repeat;
	struct xf_action **changed;      /* xforms-value-changed actions */
	size_t nchanged;
	char *saveto;        /* entities:saveto: the case property it writes, or NULL */
} xf_def;

typedef struct xf_item {
	char *value;
	xf_label label;
} xf_item;

typedef struct xf_ctrl {
	int kind;            /* enum xform_kind */
	char *ref;           /* generic path or NULL (group without ref) */
	xf_def *def;
	int line;
	char *appearance;
	char *element;       /* element name as written */
	xf_label label, hint;
	xf_item *items;
	size_t nitems;
	xpath_expr *itemset, *iset_value;
	xf_label iset_label;
	char *iset_label_col; /* label ref that names one column ("label"), or NULL */
	int vertex;          /* itemset vertex or -1 */
	struct xf_ctrl **children;
	size_t nchildren;
	struct xf_ctrl *parent;
	int field_list;
} xf_ctrl;

enum xf_event { XF_EV_FIRST_LOAD = 1, XF_EV_NEW_REPEAT = 2, XF_EV_CHANGED = 4 };

typedef struct xf_action {
	int events;          /* enum xf_event bits */
	char *target;        /* generic path */
	xf_def *tdef;
	xpath_expr *value;   /* NULL: literal */
	char *literal;
	int line;
} xf_action;

enum xf_vkind { XV_CALC = 1, XV_REL, XV_REQ, XV_RO, XV_ITEMSET, XV_COUNT };

/* One computation of the dependency graph; vertices are kept in topological order. */
typedef struct xf_vertex {
	int kind;
	xf_def *def;         /* target node (for XV_COUNT: the repeat) */
	xf_ctrl *ctrl;       /* XV_ITEMSET */
	const xpath_expr *expr;
	int line;
	int *reads;          /* def ids */
	size_t nreads;
	int lang;            /* uses jr:itext or jr:choice-name: redo on a language switch */
} xf_vertex;

typedef struct xf_secondary {
	char *id;
	xnode *doc;
} xf_secondary;

struct xform {
	char *path;
	char *dir;
	char *id, *version, *title;
	xnode *primary;          /* the instance as the form gives it, templates removed */
	xf_secondary *secondary;
	size_t nsecondary;
	xf_def **defs;
	size_t ndefs;
	xf_map def_map;          /* generic path -> def id */
	xf_ctrl *body;           /* a pseudo group holding the body's controls */
	xf_action **actions;
	size_t nactions;
	xf_lang *langs;
	size_t nlangs;
	int default_lang;
	xf_map itext_ids;
	size_t nitext;
	xf_vertex *vertices;     /* topological order */
	size_t nvertices;
	xf_map bind_ids;         /* bind id -> def id */
	int has_case;            /* the model declares instance('case') (the secondary "case") */
	char *applies_to;        /* homeward:applies-to as written, or NULL */
	xpath_expr *applies_expr;/* compiled ("minor" expanded) */
	int applies_line;
};

/* Per-node state of a session, hung on xnode.data. */
typedef struct xf_nstate {
	xf_def *def;
	unsigned char rel;       /* own relevant expression */
	unsigned char req;
	unsigned char ro;
} xf_nstate;

#define XF_RING 256     /* strings lent to the evaluator stay valid for the next 255 loans */

struct xform_session {
	const xform *form;
	xnode *doc;
	int lang;                /* index or -1 */
	int minor;
	char *deviceid, *username;
	time_t now;
	xpath_env env;
	unsigned long evals;
	uint32_t *marks;         /* per vertex */
	uint32_t epoch;
	char *ring[XF_RING];     /* strings lent to the evaluator */
	size_t ring_pos;
	hw_error scratch;
	char *instance_id_cache;
	xnode *case_doc;         /* instance('case') given by the host; owned; NULL: the form's */
};

/* xform_csv.c: CSV text -> <root><item>...; msg gets the problem. */
/* Limits of an external CSV instance (docs/form-engine.md). */
#define XFORM_CSV_MAX_BYTES (16L * 1024 * 1024)
#define XFORM_CSV_MAX_ROWS 100000

int xf_csv_to_doc(xnode **out, const char *data, char *msg, size_t msglen);

/* xform_load.c */
char *xf_local_path(const char *path);
xf_def *xf_def_by_path(const xform *f, const char *generic);
void xf_text_free(xf_text *t);
void xf_label_free(xf_label *l);
int xf_parse_instance(xnode **out, const char *xml, size_t len, hw_error *err);

/* xform_graph.c */
int xf_graph_build(xform *f, hw_error *err);

/* xform_session.c */
xf_nstate *xf_state(const xnode *n);
int xf_nodes_of(xform_session *s, const xf_def *def, xnode ***out, size_t *n);
int xf_node_at(xnode **out, xform_session *s, const char *path, hw_error *err);
int xf_relevant(const xnode *n);
int xf_readonly(const xnode *n);
int xf_required(const xnode *n);
void xf_ctx(xform_session *s, xpath_ctx *ctx, xnode *node);
const char *xf_lend(xform_session *s, char *str);
xnode *xf_resolve(xform_session *s, xnode *context, const xf_def *def);
/* 1 if node's choices offer value now, 0 if not, HW_ERROR when out of memory. */
int xf_itemset_offers(xform_session *s, xnode *node, const char *value);
int xf_finalise(xform_session *s);
int xf_session_edit_doc(xform_session **out, const xform *form, const xnode *sub,
			const xform_session_options *opts, hw_error *err);

/* xform_entity.c */
#define XF_CASE_ID "case"
int xf_case_load(xform_session *s, const xform_session_options *opts, hw_error *err);
int xf_entity_fill(xform_session *s);

/* xform_text.c */
int xf_label_render(char **out, xform_session *s, const xf_label *l, xnode *ctx);
const xf_text *xf_itext(const xform_session *s, const char *id);
int xf_choices(xform_choice_list **out, xform_session *s, const xf_ctrl *c, xnode *node);
int xf_env_itext(const char **out, const char *id, void *payload);
int xf_env_choice_name(const char **out, const char *value, const xnode *node, void *payload);
int xf_lang_find(const xform *f, const char *code);

#endif
