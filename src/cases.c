/*
 * cases.c: recording case events and folding them into the case row.
 *
 * The fold is deterministic whatever order events arrived in: events are
 * applied in causal order (parents first, ties by time then id).  For each
 * field, the setters that no later setter has seen are its "heads"; one head
 * is a plain value, several with different values are a conflict, shown with
 * a provisional value (latest time, ties by event id) until a
 * conflict.resolved event that has seen all of them settles it.
 */
#include "config.h"
#include "cases.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "util.h"

const char *const case_field_names[] = {
	"given_name", "family_name", "birth_date", "birth_year", "sex", "nationality",
	"return_country", "language", "vulnerability", "status", "assigned_to", NULL
};
#define NFIELDS 11
#define F_STATUS 9
#define F_ASSIGNED 10

/* Index of a field name, or -1. */
static int field_index(const char *name)
{
	for (int i = 0; case_field_names[i]; i++)
		if (strcmp(case_field_names[i], name) == 0)
			return i;
	return -1;
}

/* --- validation ---------------------------------------------------------- */

/* Parse YYYY-MM-DD strictly into y/m/d; 0 on success. */
static int parse_date(const char *s, int *y, int *m, int *d)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return -1;
	*y = atoi(s);
	*m = atoi(s + 5);
	*d = atoi(s + 8);
	if (*m < 1 || *m > 12 || *d < 1 || *d > mdays[*m - 1])
		return -1;
	if (*m == 2 && *d == 29 && !((*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0))
		return -1;
	return 0;
}

/* Today's date as YYYY-MM-DD (honours HOMEWARD_NOW through hw_now_iso). */
static void today(char out[11])
{
	char now[HW_TIME_LEN + 1];

	hw_now_iso(now);
	memcpy(out, now, 10);
	out[10] = '\0';
}

int case_is_minor(const char *birth_date, int birth_year, const char *day)
{
	int by, bm, bd, ty, tm, td;

	if (parse_date(day, &ty, &tm, &td) < 0)
		return 0;
	if (birth_date && parse_date(birth_date, &by, &bm, &bd) == 0) {
		int age = ty - by - ((tm < bm || (tm == bm && td < bd)) ? 1 : 0);
		return age < 18;
	}
	/* Only an estimated year: count as a minor while it could be one. */
	if (birth_year > 0)
		return ty - birth_year < 18;
	return 0;
}

/* Check one field's value; returns 0 or HW_EINVALID with a message naming it. */
static int field_check(hw_error *err, const char *field, const char *v)
{
	int y, m, d;
	char day[11];

	if (!v)
		return 0;
	if (strlen(v) > 500)
		return hw_error_set(err, HW_EINVALID, "%s is too long", field);
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20)
			return hw_error_set(err, HW_EINVALID, "%s contains control characters", field);
	if (strcmp(field, "birth_date") == 0) {
		if (parse_date(v, &y, &m, &d) < 0)
			return hw_error_set(err, HW_EINVALID,
					    "birth date \"%s\" is not a date (YYYY-MM-DD)", v);
		today(day);
		if (strcmp(v, day) > 0 || y < 1900)
			return hw_error_set(err, HW_EINVALID, "birth date %s is not plausible", v);
	} else if (strcmp(field, "birth_year") == 0) {
		char *end;
		long yr = strtol(v, &end, 10);

		today(day);
		if (*v == '\0' || *end || yr < 1900 || yr > atoi(day))
			return hw_error_set(err, HW_EINVALID, "estimated birth year \"%s\" is not plausible", v);
	} else if (strcmp(field, "nationality") == 0 || strcmp(field, "return_country") == 0) {
		if (strlen(v) != 2 || !isupper((unsigned char)v[0]) || !isupper((unsigned char)v[1]))
			return hw_error_set(err, HW_EINVALID,
					    "%s \"%s\" is not a two-letter country code (ISO 3166, e.g. NG)",
					    strcmp(field, "nationality") == 0 ? "nationality" : "country of return", v);
	} else if (strcmp(field, "language") == 0) {
		size_t n = strspn(v, "abcdefghijklmnopqrstuvwxyz");
		if (n < 2 || n > 3 || (v[n] && v[n] != '-'))
			return hw_error_set(err, HW_EINVALID,
					    "language \"%s\" is not a language code (e.g. ar, fa, fr)", v);
	} else if (strcmp(field, "sex") == 0) {
		if (strcmp(v, "female") && strcmp(v, "male") && strcmp(v, "other") && strcmp(v, "unknown"))
			return hw_error_set(err, HW_EINVALID,
					    "sex must be female, male, other or unknown, not \"%s\"", v);
	} else if (strcmp(field, "status") == 0) {
		if (strcmp(v, "open") && strcmp(v, "closed"))
			return hw_error_set(err, HW_EINVALID, "status must be open or closed");
	}
	return 0;
}

/* Upper-case a two-letter country code in place (copy). */
static char *norm_country(const char *v)
{
	char *s = hw_strdup(v);

	for (char *p = s; p && *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return s;
}

/* --- the fold ------------------------------------------------------------ */

typedef struct fold_ev {
	hw_event *ev;
	size_t *parents;      /* indices of known parents */
	size_t nparents;
	unsigned char *anc;   /* ancestor bitmap over all events */
	int done;
} fold_ev;

typedef struct fold {
	fold_ev *evs;
	size_t n, cap;
	hw_error *err;
} fold;

static int collect(const char *json, void *payload)
{
	fold *f = payload;
	hw_event *ev;

	if (event_parse(&ev, json, strlen(json), f->err) < 0)
		return f->err->code;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		fold_ev *p = realloc(f->evs, cap * sizeof(*p));
		if (!p) {
			event_free(ev);
			return hw_error_set(f->err, HW_ERROR, "out of memory");
		}
		f->evs = p;
		f->cap = cap;
	}
	memset(&f->evs[f->n], 0, sizeof(fold_ev));
	f->evs[f->n++].ev = ev;
	return 0;
}

static void fold_free(fold *f)
{
	for (size_t i = 0; i < f->n; i++) {
		event_free(f->evs[i].ev);
		free(f->evs[i].parents);
		free(f->evs[i].anc);
	}
	free(f->evs);
}

/* Order for ties: earlier time first, then smaller id. */
static int ev_before(const hw_event *a, const hw_event *b)
{
	int c = strcmp(a->at, b->at);

	return c < 0 || (c == 0 && strcmp(a->id, b->id) < 0);
}

#define ANC(f, i, j) ((f)->evs[i].anc[(j) / 8] & (1u << ((j) % 8)))

/*
 * Sort into causal order and compute ancestor sets.  Events whose parents
 * are unknown here (not received yet) are ordered as if those were absent.
 */
static int fold_order(fold *f, size_t **order_out)
{
	size_t n = f->n, bytes = (n + 7) / 8, *order = calloc(n ? n : 1, sizeof(size_t));

	if (!order)
		return HW_ERROR;
	for (size_t i = 0; i < n; i++) {
		fold_ev *e = &f->evs[i];

		e->anc = calloc(bytes ? bytes : 1, 1);
		e->parents = calloc(e->ev->nparents ? e->ev->nparents : 1, sizeof(size_t));
		if (!e->anc || !e->parents) {
			free(order);
			return HW_ERROR;
		}
		for (size_t p = 0; p < e->ev->nparents; p++)
			for (size_t j = 0; j < n; j++)
				if (j != i && strcmp(f->evs[j].ev->id, e->ev->parents[p]) == 0)
					e->parents[e->nparents++] = j;
	}
	/* Kahn's algorithm picking the earliest ready event each time: O(n^2), n is one case. */
	for (size_t k = 0; k < n; k++) {
		size_t best = n;

		for (size_t i = 0; i < n; i++) {
			fold_ev *e = &f->evs[i];
			int ready = !e->done;

			for (size_t p = 0; ready && p < e->nparents; p++)
				if (!f->evs[e->parents[p]].done)
					ready = 0;
			if (ready && (best == n || ev_before(e->ev, f->evs[best].ev)))
				best = i;
		}
		if (best == n) {
			/* A parent cycle (only a forged log has one): fall back to time order. */
			for (size_t i = 0; i < n; i++)
				if (!f->evs[i].done && (best == n || ev_before(f->evs[i].ev, f->evs[best].ev)))
					best = i;
		}
		f->evs[best].done = 1;
		order[k] = best;
		for (size_t p = 0; p < f->evs[best].nparents; p++) {
			size_t q = f->evs[best].parents[p];
			f->evs[best].anc[q / 8] |= (unsigned char)(1u << (q % 8));
			for (size_t b = 0; b < bytes; b++)
				f->evs[best].anc[b] |= f->evs[q].anc[b];
		}
	}
	*order_out = order;
	return 0;
}

/* One setter of a field: event index and value. */
typedef struct setter {
	size_t ev;
	char *value;
} setter;

typedef struct field_state {
	setter *s;
	size_t n;
} field_state;

static int add_setter(field_state *fs, size_t ev, const char *value)
{
	setter *p = realloc(fs->s, (fs->n + 1) * sizeof(*p));

	if (!p)
		return HW_ERROR;
	fs->s = p;
	fs->s[fs->n].ev = ev;
	fs->s[fs->n].value = hw_strdup(value);
	if (value && !fs->s[fs->n].value)
		return HW_ERROR;
	fs->n++;
	return 0;
}

typedef struct setter_ctx {
	field_state *fields;
	size_t ev;
} setter_ctx;

static int add_data_setter(const char *key, const char *value, void *payload)
{
	setter_ctx *c = payload;
	int fi = field_index(key);

	if (fi < 0 || fi == F_STATUS)
		return 0;
	return add_setter(&c->fields[fi], c->ev, value);
}

/* Record what event i sets, per field. */
static int event_setters(fold *f, size_t i, field_state *fields)
{
	hw_event *ev = f->evs[i].ev;
	setter_ctx c = { fields, i };
	char *field = NULL, *value = NULL;
	int rc = 0;

	if (!strcmp(ev->type, EV_CASE_OPENED) || !strcmp(ev->type, EV_CASE_UPDATED)) {
		rc = event_data_each(ev->data, add_data_setter, &c);
	} else if (!strcmp(ev->type, EV_CASE_ASSIGNED)) {
		rc = event_data_get(&value, ev->data, "assigned_to");
		if (rc == 0)
			rc = add_setter(&fields[F_ASSIGNED], i, value);
	} else if (!strcmp(ev->type, EV_CASE_CLOSED)) {
		rc = add_setter(&fields[F_STATUS], i, "closed");
	} else if (!strcmp(ev->type, EV_CASE_REOPENED)) {
		rc = add_setter(&fields[F_STATUS], i, "open");
	} else if (!strcmp(ev->type, EV_CONFLICT_RESOLVED)) {
		int fi;

		if ((rc = event_data_get(&field, ev->data, "field")) == 0)
			rc = event_data_get(&value, ev->data, "value");
		if (rc == 0 && field && (fi = field_index(field)) >= 0)
			rc = add_setter(&fields[fi], i, value);
	}
	free(field);
	free(value);
	return rc;
}

/*
 * The heads of a field: setters no other setter descends from.  Returns how
 * many, and puts the provisional one (latest time, then id) in *winner.
 */
static size_t field_heads(fold *f, field_state *fs, size_t *heads, size_t *winner)
{
	size_t nh = 0;

	for (size_t a = 0; a < fs->n; a++) {
		int superseded = 0;

		for (size_t b = 0; b < fs->n && !superseded; b++) {
			if (a == b)
				continue;
			if (fs->s[a].ev == fs->s[b].ev)
				superseded = b > a;   /* the same event set it twice: the last wins */
			else if (ANC(f, fs->s[b].ev, fs->s[a].ev))
				superseded = 1;
		}
		if (!superseded)
			heads[nh++] = a;
	}
	*winner = nh ? heads[0] : 0;
	for (size_t h = 1; h < nh; h++)
		if (ev_before(f->evs[fs->s[*winner].ev].ev, f->evs[fs->s[heads[h]].ev].ev))
			*winner = heads[h];
	return nh;
}

/* True if the heads disagree. */
static int heads_conflict(field_state *fs, const size_t *heads, size_t nh)
{
	for (size_t h = 1; h < nh; h++) {
		const char *a = fs->s[heads[0]].value, *b = fs->s[heads[h]].value;
		if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
			return 1;
	}
	return 0;
}

typedef struct fold_result {
	store_case_row row;
	case_conflict *conflicts;
	size_t nconflicts;
} fold_result;

/* Fold the events of a case; the caller frees the result. */
static int fold_case(hw_ws *ws, const char *case_id, fold_result *res)
{
	fold f = { NULL, 0, 0, ws_err(ws) };
	field_state fields[NFIELDS];
	size_t *order = NULL, *heads = NULL;
	char day[11];
	int rc;

	memset(res, 0, sizeof(*res));
	memset(fields, 0, sizeof(fields));
	rc = store_case_events(ws_store(ws), case_id, collect, &f, ws_err(ws));
	if (rc < 0)
		goto cleanup;
	if (f.n == 0) {
		rc = hw_error_set(ws_err(ws), HW_ENOTFOUND, "no case %s", case_id);
		goto cleanup;
	}
	if (fold_order(&f, &order) < 0 || !(heads = calloc(f.n + 1, sizeof(size_t)))) {
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	for (size_t k = 0; k < f.n; k++)
		if ((rc = event_setters(&f, order[k], fields)) < 0) {
			if (rc == HW_EINVALID)
				hw_error_set(ws_err(ws), rc, "case %s: an event's data is not an object", case_id);
			else
				hw_error_set(ws_err(ws), rc, "out of memory");
			goto cleanup;
		}

	res->row.id = strdup(case_id);
	res->row.status = strdup("open");
	res->row.nevents = (int)f.n;
	for (size_t k = 0; k < f.n; k++) {
		hw_event *ev = f.evs[order[k]].ev;
		if (!res->row.opened_at && !strcmp(ev->type, EV_CASE_OPENED))
			res->row.opened_at = strdup(ev->at);
		if (!res->row.updated_at || strcmp(ev->at, res->row.updated_at) > 0) {
			free(res->row.updated_at);
			res->row.updated_at = strdup(ev->at);
		}
	}
	for (int fi = 0; fi < NFIELDS; fi++) {
		size_t nh, winner;
		char *v, **slot = NULL;

		if (!fields[fi].n)
			continue;
		nh = field_heads(&f, &fields[fi], heads, &winner);
		v = hw_strdup(fields[fi].s[winner].value);
		if (nh > 1 && heads_conflict(&fields[fi], heads, nh)) {
			case_conflict *c, *p = realloc(res->conflicts, (res->nconflicts + 1) * sizeof(*p));
			if (!p) {
				free(v);
				rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
				goto cleanup;
			}
			res->conflicts = p;
			c = &p[res->nconflicts++];
			c->field = strdup(case_field_names[fi]);
			c->values = calloc(nh, sizeof(char *));
			c->nvalues = 0;
			c->provisional = hw_strdup(v);
			for (size_t h = 0; c->values && h < nh; h++) {
				/* Deterministic order: by event time then id (heads are in setter order). */
				c->values[c->nvalues++] = hw_strdup(fields[fi].s[heads[h]].value
								    ? fields[fi].s[heads[h]].value : "");
			}
		}
		switch (fi) {
		case 0: slot = &res->row.given_name; break;
		case 1: slot = &res->row.family_name; break;
		case 2: slot = &res->row.birth_date; break;
		case 3: res->row.birth_year = v ? atoi(v) : 0; break;
		case 4: slot = &res->row.sex; break;
		case 5: slot = &res->row.nationality; break;
		case 6: slot = &res->row.return_country; break;
		case 7: slot = &res->row.language; break;
		case 8: slot = &res->row.vulnerability; break;
		case F_STATUS: slot = &res->row.status; break;
		case F_ASSIGNED: slot = &res->row.assigned_to; break;
		}
		if (slot) {
			free(*slot);
			*slot = v;
		} else {
			free(v);
		}
	}
	if (!res->row.status)
		res->row.status = strdup("open");
	res->row.conflicts = (int)res->nconflicts;
	today(day);
	res->row.minor = case_is_minor(res->row.birth_date, res->row.birth_year, day);
	rc = 0;
cleanup:
	for (int fi = 0; fi < NFIELDS; fi++) {
		for (size_t s = 0; s < fields[fi].n; s++)
			free(fields[fi].s[s].value);
		free(fields[fi].s);
	}
	free(order);
	free(heads);
	fold_free(&f);
	return rc;
}

static void fold_result_free(fold_result *r)
{
	store_case_row_clear(&r->row);
	case_conflicts_free(r->conflicts, r->nconflicts);
}

int case_refold(hw_ws *ws, const char *case_id)
{
	fold_result r;
	int rc = fold_case(ws, case_id, &r);

	if (rc == 0)
		rc = store_case_put(ws_store(ws), &r.row, ws_err(ws));
	fold_result_free(&r);
	return rc;
}

int case_conflicts(hw_ws *ws, const char *case_id, case_conflict **out, size_t *n)
{
	fold_result r;
	int rc = fold_case(ws, case_id, &r);

	*out = NULL;
	*n = 0;
	if (rc == 0) {
		*out = r.conflicts;
		*n = r.nconflicts;
		r.conflicts = NULL;
		r.nconflicts = 0;
	}
	fold_result_free(&r);
	return rc;
}

void case_conflicts_free(case_conflict *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++) {
		free(c[i].field);
		for (size_t v = 0; v < c[i].nvalues; v++)
			free(c[i].values[v]);
		free(c[i].values);
		free(c[i].provisional);
	}
	free(c);
}

/* --- recording ----------------------------------------------------------- */

typedef struct heads_ctx {
	char **ids;       /* all event ids of the case */
	char **parents;   /* every id named as a parent */
	size_t nids, nparents;
} heads_ctx;

static int push_str(char ***arr, size_t *n, const char *s)
{
	char **p = realloc(*arr, (*n + 1) * sizeof(char *));

	if (!p)
		return HW_ERROR;
	*arr = p;
	p[(*n)++] = strdup(s);
	return 0;
}

static int heads_collect(const char *json, void *payload)
{
	heads_ctx *h = payload;
	hw_event *ev;

	if (event_parse(&ev, json, strlen(json), NULL) < 0)
		return 0;   /* only valid events are ever stored */
	push_str(&h->ids, &h->nids, ev->id);
	for (size_t i = 0; i < ev->nparents; i++)
		push_str(&h->parents, &h->nparents, ev->parents[i]);
	event_free(ev);
	return 0;
}

/* The latest events of a case as this device knows them: ids no event names as parent. */
static int case_heads(hw_ws *ws, const char *case_id, char ***out, size_t *n)
{
	heads_ctx h = { NULL, NULL, 0, 0 };
	int rc = store_case_events(ws_store(ws), case_id, heads_collect, &h, ws_err(ws));

	*out = NULL;
	*n = 0;
	for (size_t i = 0; rc == 0 && i < h.nids; i++) {
		int named = 0;
		for (size_t p = 0; p < h.nparents && !named; p++)
			named = strcmp(h.ids[i], h.parents[p]) == 0;
		if (!named)
			push_str(out, n, h.ids[i]);
	}
	for (size_t i = 0; i < h.nids; i++)
		free(h.ids[i]);
	for (size_t i = 0; i < h.nparents; i++)
		free(h.parents[i]);
	free(h.ids);
	free(h.parents);
	return rc;
}

/* Record one event on a case (parents = current heads) and re-fold, in one transaction. */
static int record(hw_ws *ws, const char *case_id, const char *type, const char *data_json,
		  int require_existing, char out_event_id[HW_UUID_LEN + 1])
{
	hw_store *st = ws_store(ws);
	hw_event *ev = NULL;
	char **parents = NULL, *json = NULL;
	size_t np = 0;
	int rc;

	if (!ws_is_initialised(ws))
		return hw_error_set(ws_err(ws), HW_EINVALID,
				    "this workspace has no device id yet (run: homeward init)");
	if ((rc = store_begin(st, ws_err(ws))) < 0)
		return rc;
	if ((rc = case_heads(ws, case_id, &parents, &np)) < 0)
		goto fail;
	if (require_existing && np == 0) {
		rc = hw_error_set(ws_err(ws), HW_ENOTFOUND, "no case %s", case_id);
		goto fail;
	}
	if ((rc = event_new(&ev, case_id, type, ws_author(ws), ws_device_id(ws),
			    (const char *const *)parents, np, data_json, ws_err(ws))) < 0 ||
	    (rc = event_to_json(&json, ev, ws_err(ws))) < 0 ||
	    (rc = store_event_put(st, ev, json, STORE_LOCAL, NULL, ws_err(ws))) < 0 ||
	    (rc = case_refold(ws, case_id)) < 0)
		goto fail;
	if ((rc = store_commit(st, ws_err(ws))) < 0)
		goto cleanup;
	if (out_event_id)
		memcpy(out_event_id, ev->id, HW_UUID_LEN + 1);
	goto cleanup;
fail:
	store_rollback(st);
cleanup:
	for (size_t i = 0; i < np; i++)
		free(parents[i]);
	free(parents);
	free(json);
	event_free(ev);
	return rc;
}

int case_open(hw_ws *ws, const case_fields *f, char out_id[HW_UUID_LEN + 1])
{
	const char *vals[] = { f->given_name, f->family_name, f->birth_date, f->birth_year,
			       f->sex, f->nationality, f->return_country, f->language,
			       f->vulnerability };
	const char *kv[2 * 9 + 1];
	char *nat = norm_country(f->nationality), *ret = norm_country(f->return_country);
	char *data = NULL, id[HW_UUID_LEN + 1];
	size_t k = 0;
	int rc = 0;

	vals[5] = nat;
	vals[6] = ret;
	if ((!f->given_name || !*f->given_name) && (!f->family_name || !*f->family_name)) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID, "a case needs a given name or a family name");
		goto cleanup;
	}
	for (int i = 0; i < 9; i++) {
		if (vals[i] && *vals[i]) {
			if ((rc = field_check(ws_err(ws), case_field_names[i], vals[i])) < 0)
				goto cleanup;
			kv[k++] = case_field_names[i];
			kv[k++] = vals[i];
		}
	}
	kv[k] = NULL;
	data = event_data_build(kv);
	if (!data || hw_uuid(id) < 0) {
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	if ((rc = record(ws, id, EV_CASE_OPENED, data, 0, NULL)) == 0)
		memcpy(out_id, id, sizeof(id));
cleanup:
	free(nat);
	free(ret);
	free(data);
	return rc;
}

int case_update(hw_ws *ws, const char *case_id, const char *field, const char *value)
{
	case_change c = { field, value };

	return case_update_fields(ws, case_id, &c, 1, NULL);
}

/* True if the name field i (given or family) is empty once changes apply, given row r. */
static int name_left_empty(const store_case_row *r, const case_change *changes, size_t n,
			   const char *field)
{
	const char *v = !strcmp(field, "given_name") ? r->given_name : r->family_name;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(changes[i].field, field))
			v = changes[i].value;
	return !v || !v[strspn(v, " ")];
}

int case_update_fields(hw_ws *ws, const char *case_id, const case_change *changes, size_t n,
		       size_t *bad)
{
	const char **kv = NULL;
	char **norm = NULL, *data = NULL;
	store_case_row r;
	int rc = 0, names = 0;
	size_t i, j;

	memset(&r, 0, sizeof r);
	if (bad)
		*bad = n;
	if (n == 0)
		return hw_error_set(ws_err(ws), HW_EINVALID, "no field to change");
	kv = calloc(2 * n + 1, sizeof *kv);
	norm = calloc(n, sizeof *norm);
	if (!kv || !norm) {
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	/* Everything is checked before anything is recorded. */
	for (i = 0; i < n; i++) {
		const char *field = changes[i].field, *value = changes[i].value;
		int fi = field ? field_index(field) : -1;

		if (fi < 0 || fi == F_STATUS || fi == F_ASSIGNED) {
			rc = hw_error_set(ws_err(ws), HW_EINVALID,
					  "\"%s\" is not a case field that can be edited", field ? field : "");
			goto invalid;
		}
		for (j = 0; j < i; j++)
			if (!strcmp(changes[j].field, field)) {
				rc = hw_error_set(ws_err(ws), HW_EINVALID, "%s is given twice", field);
				goto invalid;
			}
		if (value && (!strcmp(field, "nationality") || !strcmp(field, "return_country"))) {
			if (!(norm[i] = norm_country(value))) {
				rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
				goto cleanup;
			}
			value = norm[i];
		}
		if (value && !*value)
			value = NULL;
		if ((rc = field_check(ws_err(ws), field, value)) < 0)
			goto invalid;
		names |= !strcmp(field, "given_name") || !strcmp(field, "family_name");
		kv[2 * i] = field;
		kv[2 * i + 1] = value;
	}
	kv[2 * n] = NULL;
	/* A case keeps at least one name (each may be cleared alone). */
	if (names) {
		if ((rc = store_case_get(ws_store(ws), case_id, &r, ws_err(ws))) < 0)
			goto cleanup;
		if (name_left_empty(&r, changes, n, "given_name") &&
		    name_left_empty(&r, changes, n, "family_name")) {
			for (i = 0; i < n && strcmp(changes[i].field, "given_name") &&
				    strcmp(changes[i].field, "family_name"); i++)
				;
			rc = hw_error_set(ws_err(ws), HW_EINVALID, "a case needs a given name or a family name");
			goto invalid;
		}
	}
	if (!(data = event_data_build(kv))) {
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	rc = record(ws, case_id, EV_CASE_UPDATED, data, 1, NULL);
	goto cleanup;
invalid:
	if (bad)
		*bad = i;
cleanup:
	store_case_row_clear(&r);
	for (i = 0; norm && i < n; i++)
		free(norm[i]);
	free(norm);
	free(kv);
	free(data);
	return rc;
}

int case_record(hw_ws *ws, const char *case_id, const char *type, const char *data_json,
		char out_event_id[HW_UUID_LEN + 1])
{
	if (!strcmp(type, EV_CASE_OPENED))
		return hw_error_set(ws_err(ws), HW_EINVALID, "use case_open to open a case");
	return record(ws, case_id, type, data_json, 1, out_event_id);
}

int case_resolve(hw_ws *ws, const char *case_id, const char *field, const char *value)
{
	const char *kv[] = { "field", field, "value", value, NULL };
	char *data;
	int rc;

	if (field_index(field) < 0)
		return hw_error_set(ws_err(ws), HW_EINVALID, "\"%s\" is not a case field", field);
	if ((rc = field_check(ws_err(ws), field, value)) < 0)
		return rc;
	data = event_data_build(kv);
	rc = record(ws, case_id, EV_CONFLICT_RESOLVED, data, 1, NULL);
	free(data);
	return rc;
}

int case_import_event(hw_ws *ws, const char *json, size_t len, int *imported)
{
	hw_event *ev = NULL;
	char *canon = NULL;
	int rc, ins = 0;

	if (imported)
		*imported = 0;
	if ((rc = event_parse(&ev, json, len, ws_err(ws))) < 0)
		return rc;
	if ((rc = event_to_json(&canon, ev, ws_err(ws))) < 0)
		goto cleanup;
	if ((rc = store_begin(ws_store(ws), ws_err(ws))) < 0)
		goto cleanup;
	if ((rc = store_event_put(ws_store(ws), ev, canon, STORE_IMPORTED, &ins, ws_err(ws))) < 0 ||
	    (ins && (rc = case_refold(ws, ev->case_id)) < 0)) {
		store_rollback(ws_store(ws));
		goto cleanup;
	}
	rc = store_commit(ws_store(ws), ws_err(ws));
	if (rc == 0 && imported)
		*imported = ins;
cleanup:
	free(canon);
	event_free(ev);
	return rc;
}

int case_get(hw_ws *ws, const char *case_id, store_case_row *out)
{
	return store_case_get(ws_store(ws), case_id, out, ws_err(ws));
}

int case_search(hw_ws *ws, const char *search, int limit,
	      int (*cb)(const store_case_row *r, void *payload), void *payload)
{
	return store_case_list(ws_store(ws), search, limit, cb, payload, ws_err(ws));
}

int case_events(hw_ws *ws, const char *case_id,
		int (*cb)(const char *json, void *payload), void *payload)
{
	return store_case_events(ws_store(ws), case_id, cb, payload, ws_err(ws));
}

int case_submissions(hw_ws *ws, const char *case_id,
		     int (*cb)(const store_submission *s, void *payload), void *payload)
{
	return store_case_submissions(ws_store(ws), case_id, cb, payload, ws_err(ws));
}

typedef struct prefix_ctx {
	const char *prefix;
	char found[HW_UUID_LEN + 1];
	int n;
} prefix_ctx;

static int prefix_cb(const store_case_row *r, void *payload)
{
	prefix_ctx *c = payload;

	if (strncmp(r->id, c->prefix, strlen(c->prefix)) == 0) {
		if (c->n++ == 0)
			snprintf(c->found, sizeof(c->found), "%s", r->id);
	}
	return 0;
}

int case_resolve_id(hw_ws *ws, const char *prefix, char out_id[HW_UUID_LEN + 1])
{
	prefix_ctx c = { prefix, "", 0 };
	store_case_row r;
	int rc;

	if (hw_uuid_valid(prefix)) {
		if ((rc = store_case_get(ws_store(ws), prefix, &r, ws_err(ws))) < 0)
			return rc;
		store_case_row_clear(&r);
		memcpy(out_id, prefix, HW_UUID_LEN + 1);
		return 0;
	}
	if (strlen(prefix) < 4)
		return hw_error_set(ws_err(ws), HW_EINVALID,
				    "case id \"%s\" is too short (give at least 4 characters)", prefix);
	/*
	 * The search index holds the id's groups as words, so the first group of
	 * the prefix narrows the scan to the few cases that can match.
	 */
	{
		char first[HW_UUID_LEN + 1];

		snprintf(first, sizeof(first), "%.*s", (int)strcspn(prefix, "-"), prefix);
		if ((rc = store_case_list(ws_store(ws), first, 0, prefix_cb, &c, ws_err(ws))) < 0)
			return rc;
	}
	if (c.n == 0)
		return hw_error_set(ws_err(ws), HW_ENOTFOUND, "no case %s", prefix);
	if (c.n > 1)
		return hw_error_set(ws_err(ws), HW_EINVALID, "case id %s is ambiguous (%d cases)", prefix, c.n);
	memcpy(out_id, c.found, HW_UUID_LEN + 1);
	return 0;
}
