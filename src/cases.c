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
#include "team.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agenda.h"
#include "event.h"
#include "iso.h"
#include "providers.h"
#include "util.h"

const char *const case_field_names[] = {
	"given_name", "family_name", "birth_date", "birth_year", "sex", "nationality",
	"return_country", "language", "vulnerability", "status", "assigned_to", NULL
};
#define NFIELDS 11
#define F_STATUS 9
#define F_ASSIGNED 10
/* Fields the fold tracks beyond the case fields: the decision (a field, so
 * concurrent different decisions are a conflict like any field's). */
#define F_DECISION NFIELDS
#define NSLOTS (NFIELDS + 1)

const char *const case_stages[] = {
	"identified", "counselling", "decided", "pre-departure", "departed", "arrived",
	"follow-up", "closed", "reopened", NULL
};

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
	return hw_minor_on(birth_date, birth_year, day);
}

/* Check one field's value; returns 0 or HW_EINVALID with a message naming it. */
static int field_check(hw_error *err, const char *field, const char *v)
{
	int y, m, d;
	char day[11];
	const char *problem;

	if (!v)
		return 0;
	if (strlen(v) > 500)
		return hw_error_set(err, HW_EINVALID, "%s is too long", field);
	if ((problem = hw_text_problem(v)) != NULL)
		return hw_error_set(err, HW_EINVALID, "%s %s", field, problem);
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
		/* XX, ZZ: two letters, and no country (data/iso3166-1.tsv). */
		if (!iso_country_name(v))
			return hw_error_set(err, HW_EINVALID,
					    "%s \"%s\" is not a country code of ISO 3166-1 (e.g. NG, AF, IQ)",
					    strcmp(field, "nationality") == 0 ? "nationality" : "country of return", v);
	} else if (strcmp(field, "language") == 0) {
		size_t n = strspn(v, "abcdefghijklmnopqrstuvwxyz");
		if (n < 2 || n > 3 || (v[n] && v[n] != '-'))
			return hw_error_set(err, HW_EINVALID,
					    "language \"%s\" is not a language code (e.g. ar, fa, fr)", v);
		if (!iso_language_name(v))
			return hw_error_set(err, HW_EINVALID,
					    "language \"%s\" is not a language code of ISO 639 (e.g. ar, fa, prs)", v);
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

/* The events of the fold being ordered, for sorting indices by event id. */
static const fold *by_id_fold;

static int cmp_by_id(const void *a, const void *b)
{
	return strcmp(by_id_fold->evs[*(const size_t *)a].ev->id,
		      by_id_fold->evs[*(const size_t *)b].ev->id);
}

/* The index of the event with id among the sorted ones, or n. */
static size_t find_id(const fold *f, const size_t *sorted, const char *id)
{
	size_t lo = 0, hi = f->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(f->evs[sorted[mid]].ev->id, id);

		if (c == 0)
			return sorted[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return f->n;
}

/* The ready events, a heap with the earliest (ev_before) on top. */
static void heap_push(const fold *f, size_t *heap, size_t *nh, size_t i)
{
	size_t k = (*nh)++;

	while (k > 0 && ev_before(f->evs[i].ev, f->evs[heap[(k - 1) / 2]].ev)) {
		heap[k] = heap[(k - 1) / 2];
		k = (k - 1) / 2;
	}
	heap[k] = i;
}

static size_t heap_pop(const fold *f, size_t *heap, size_t *nh)
{
	size_t top = heap[0], last = heap[--(*nh)], k = 0;

	for (;;) {
		size_t c = 2 * k + 1;

		if (c >= *nh)
			break;
		if (c + 1 < *nh && ev_before(f->evs[heap[c + 1]].ev, f->evs[heap[c]].ev))
			c++;
		if (!ev_before(f->evs[heap[c]].ev, f->evs[last].ev))
			break;
		heap[k] = heap[c];
		k = c;
	}
	if (*nh)
		heap[k] = last;
	return top;
}

/*
 * Sort into causal order and compute ancestor sets.  Events whose parents
 * are unknown here (not received yet) are ordered as if those were absent.
 * Each step takes the earliest event whose parents are all placed (Kahn's
 * algorithm with a heap); parents are found by id in a sorted index, so a
 * case of 10,000 events orders in O(n log n), its ancestor sets aside.
 */
static int fold_order(fold *f, size_t **order_out)
{
	size_t n = f->n, bytes = (n + 7) / 8, nh = 0, nedges = 0;
	size_t *order = calloc(n ? n : 1, sizeof(size_t)), *sorted = malloc((n ? n : 1) * sizeof(size_t));
	size_t *heap = malloc((n ? n : 1) * sizeof(size_t)), *waiting = calloc(n ? n : 1, sizeof(size_t));
	size_t *first = calloc(n + 1, sizeof(size_t)), *children = NULL;
	int rc = HW_ERROR;

	if (!order || !sorted || !heap || !waiting || !first)
		goto cleanup;
	for (size_t i = 0; i < n; i++)
		sorted[i] = i;
	by_id_fold = f;
	qsort(sorted, n, sizeof(size_t), cmp_by_id);
	for (size_t i = 0; i < n; i++) {
		fold_ev *e = &f->evs[i];

		e->anc = calloc(bytes ? bytes : 1, 1);
		e->parents = calloc(e->ev->nparents ? e->ev->nparents : 1, sizeof(size_t));
		if (!e->anc || !e->parents)
			goto cleanup;
		for (size_t p = 0; p < e->ev->nparents; p++) {
			size_t j = find_id(f, sorted, e->ev->parents[p]);

			if (j < n && j != i) {
				e->parents[e->nparents++] = j;
				first[j + 1]++;
				nedges++;
			}
		}
		waiting[i] = e->nparents;
	}
	/* The children of each event: children[first[j] .. first[j + 1]). */
	for (size_t j = 0; j < n; j++)
		first[j + 1] += first[j];
	if (!(children = malloc((nedges ? nedges : 1) * sizeof(size_t))))
		goto cleanup;
	{
		size_t *at = heap;   /* free until the heap is used: the next slot per event */

		memcpy(at, first, n * sizeof(size_t));
		for (size_t i = 0; i < n; i++)
			for (size_t p = 0; p < f->evs[i].nparents; p++)
				children[at[f->evs[i].parents[p]]++] = i;
	}
	for (size_t i = 0; i < n; i++)
		if (!waiting[i])
			heap_push(f, heap, &nh, i);
	for (size_t k = 0; k < n; k++) {
		size_t best = n;

		while (nh && best == n) {
			best = heap_pop(f, heap, &nh);
			if (f->evs[best].done)
				best = n;
		}
		if (best == n) {
			/* A parent cycle (only a forged log has one): fall back to time order. */
			for (size_t i = 0; i < n; i++)
				if (!f->evs[i].done && (best == n || ev_before(f->evs[i].ev, f->evs[best].ev)))
					best = i;
		}
		f->evs[best].done = 1;
		order[k] = best;
		for (size_t c = first[best]; c < first[best + 1]; c++) {
			size_t child = children[c];

			if (--waiting[child] == 0 && !f->evs[child].done)
				heap_push(f, heap, &nh, child);
		}
		for (size_t p = 0; p < f->evs[best].nparents; p++) {
			size_t q = f->evs[best].parents[p];
			f->evs[best].anc[q / 8] |= (unsigned char)(1u << (q % 8));
			for (size_t b = 0; b < bytes; b++)
				f->evs[best].anc[b] |= f->evs[q].anc[b];
		}
	}
	*order_out = order;
	order = NULL;
	rc = 0;
cleanup:
	free(order);
	free(sorted);
	free(heap);
	free(waiting);
	free(first);
	free(children);
	return rc;
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

	if (fi < 0 || fi == F_STATUS || fi == F_ASSIGNED)
		return 0;   /* derived from case-work events, never set as fields */
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
	} else if (!strcmp(ev->type, EV_CASE_DECIDED)) {
		rc = event_data_get(&value, ev->data, "decision");
		if (rc == 0)
			rc = add_setter(&fields[F_DECISION], i, value);
	} else if (!strcmp(ev->type, EV_CONFLICT_RESOLVED)) {
		int fi;

		if ((rc = event_data_get(&field, ev->data, "field")) == 0)
			rc = event_data_get(&value, ev->data, "value");
		if (rc == 0 && field && !strcmp(field, "decision"))
			rc = add_setter(&fields[F_DECISION], i, value);
		else if (rc == 0 && field && (fi = field_index(field)) >= 0 && fi != F_STATUS && fi != F_ASSIGNED)
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

		/*
		 * Every other setter, those after a first: in causal order a later
		 * one usually supersedes it, so a chain of changes costs O(n).
		 */
		for (size_t k = 1; k < fs->n && !superseded; k++) {
			size_t b = (a + k) % fs->n;

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


/* --- case work: stage, milestones, assignees, consents, referrals -------- */

/* Replace *slot with a copy of v (NULL clears it). */
static void set_str(char **slot, const char *v)
{
	char *c = hw_strdup(v);

	free(*slot);
	*slot = c;
}

/* A member of an event's data (caller frees; NULL when absent). */
static char *dget(const hw_event *ev, const char *key)
{
	char *v = NULL;

	event_data_get(&v, ev->data, key);
	return v;
}

/* The date part of an event time. */
static void ev_day(const hw_event *ev, char out[11])
{
	memcpy(out, ev->at, 10);
	out[10] = '\0';
}

/* What the milestones say, when nothing closed or settled the stage. */
static const char *derive_stage(const store_case_work *w, int has_form, int predeparture)
{
	if (w->follow_up_on)
		return "follow-up";
	if (w->arrived_on)
		return "arrived";
	if (w->departed_on)
		return "departed";
	if (w->decision && !strcmp(w->decision, "return") && (predeparture || w->departure_planned))
		return "pre-departure";
	if (w->decision)
		return "decided";
	return has_form ? "counselling" : "identified";
}

/* True if an event of this type can move the stage. */
static int is_stage_event(const hw_event *ev)
{
	char *field;
	int yes;

	if (!strcmp(ev->type, EV_FORM_SUBMITTED) || !strcmp(ev->type, EV_CASE_DECIDED) ||
	    !strcmp(ev->type, EV_CASE_DEPARTED) || !strcmp(ev->type, EV_CASE_ARRIVED) ||
	    !strcmp(ev->type, EV_CASE_CLOSED) || !strcmp(ev->type, EV_CASE_REOPENED))
		return 1;
	if (strcmp(ev->type, EV_CONFLICT_RESOLVED))
		return 0;
	field = dget(ev, "field");
	yes = field && !strcmp(field, "stage");
	free(field);
	return yes;
}

static store_assignee *find_assignee(store_case_work *w, const char *person)
{
	for (size_t i = 0; person && i < w->nassignees; i++)
		if (!strcmp(w->assignees[i].person, person))
			return &w->assignees[i];
	return NULL;
}

static void drop_assignee(store_case_work *w, const char *person)
{
	store_assignee *a = find_assignee(w, person);
	size_t i;

	if (!a)
		return;
	i = (size_t)(a - w->assignees);
	free(a->person); free(a->role); free(a->organisation); free(a->since); free(a->note);
	memmove(a, a + 1, (w->nassignees - i - 1) * sizeof(*a));
	w->nassignees--;
}

/* Append a zeroed element to a growable array (NULL when out of memory). */
static void *grow_one(void **arr, size_t *n, size_t size)
{
	char *p = realloc(*arr, (*n + 1) * size);

	if (!p)
		return NULL;
	*arr = p;
	memset(p + *n * size, 0, size);
	return p + (*n)++ * size;
}

static store_consent *find_consent(store_case_work *w, const char *purpose, const char *recipient)
{
	for (size_t i = 0; i < w->nconsents; i++)
		if (!strcmp(w->consents[i].purpose, purpose) &&
		    !strcmp(w->consents[i].recipient, recipient ? recipient : ""))
			return &w->consents[i];
	return NULL;
}

/* A JSON list member as words joined by spaces (caller frees; NULL when absent). */
#define dwords dget

/*
 * Apply event ev to the case work w in causal order.  *has_form and
 * *predeparture carry what the stage needs beyond w.
 */
static int work_apply(store_case_work *w, const hw_event *ev, int *has_form, int *predeparture)
{
	char day[11], *a = NULL, *b = NULL, *c = NULL;
	int stage_set = 0, rc = 0;

	ev_day(ev, day);
	if (!strcmp(ev->type, EV_CASE_OPENED)) {
		if (!find_assignee(w, ev->device)) {
			store_assignee *x = grow_one((void **)&w->assignees, &w->nassignees, sizeof(*x));
			if (!x)
				return HW_ERROR;
			x->person = strdup(ev->device);
			x->role = strdup("counsellor");
			x->since = strdup(day);
		}
	} else if (!strcmp(ev->type, EV_FORM_SUBMITTED)) {
		*has_form = 1;
		a = dget(ev, "milestone");
		if (a && !strcmp(a, "pre_departure")) {
			*predeparture = 1;
			if ((b = dget(ev, "departure_date")))
				set_str(&w->departure_planned, b);
			free(b);
			b = NULL;
			if (!w->departed_on && (b = dget(ev, "return_type")))
				set_str(&w->return_type, b);
		} else if (a && !strcmp(a, "follow_up")) {
			if (!w->follow_up_on)
				set_str(&w->follow_up_on, day);
			if ((b = dget(ev, "follow_up_round")))
				set_str(&w->follow_up_round, b);
			free(b);
			b = NULL;
			if (!w->arrived_on && (b = dget(ev, "arrival_date"))) {
				set_str(&w->arrived_on, b);
				set_str(&w->arrival_confirmed_by, ev->device);
			}
		}
	} else if (!strcmp(ev->type, EV_CASE_DECIDED)) {
		store_decision *d = grow_one((void **)&w->decisions, &w->ndecisions, sizeof(*d));

		if (!d)
			return HW_ERROR;
		d->event_id = strdup(ev->id);
		d->decision = dget(ev, "decision");
		d->date = dget(ev, "date");
		d->author = strdup(ev->author);
		d->at = strdup(ev->at);
		set_str(&w->decision, d->decision);
		set_str(&w->decision_date, d->date);
	} else if (!strcmp(ev->type, EV_CASE_DEPARTED)) {
		free(w->departed_on);
		w->departed_on = dget(ev, "date");
		free(w->return_type);
		w->return_type = dget(ev, "return_type");
		free(w->assistance);
		w->assistance = dwords(ev, "assistance");
		a = dget(ev, "assistance_granted");
		w->assistance_granted = a && !strcmp(a, "true");
	} else if (!strcmp(ev->type, EV_CASE_ARRIVED)) {
		free(w->arrived_on);
		w->arrived_on = dget(ev, "date");
		free(w->arrival_confirmed_by);
		w->arrival_confirmed_by = dget(ev, "confirmed_by");
	} else if (!strcmp(ev->type, EV_CASE_CLOSED)) {
		set_str(&w->closed_on, day);
		free(w->close_reason);
		w->close_reason = dget(ev, "reason");
		free(w->close_note);
		w->close_note = dget(ev, "note");
		set_str(&w->stage, "closed");
		stage_set = 1;
	} else if (!strcmp(ev->type, EV_CASE_REOPENED)) {
		set_str(&w->reopened_on, day);
		set_str(&w->stage, "reopened");
		stage_set = 1;
	} else if (!strcmp(ev->type, EV_CONFLICT_RESOLVED)) {
		a = dget(ev, "field");
		b = dget(ev, "value");
		if (a && !strcmp(a, "stage") && b && event_word_in(b, case_stages)) {
			set_str(&w->stage, b);
			stage_set = 1;
		} else if (a && !strcmp(a, "decision") && b) {
			set_str(&w->decision, b);
		}
	} else if (!strcmp(ev->type, EV_CASE_ASSIGNED)) {
		store_assignee *x;
		size_t k = 0;

		a = dget(ev, "assignee");
		c = dget(ev, "unassign");
		/* unassign is a list of ids without spaces, joined with spaces here */
		for (char *p = c, *tok; p && (tok = strsep(&p, " ")) != NULL; k++)
			if (*tok)
				drop_assignee(w, tok);
		if (!(x = find_assignee(w, a))) {
			if (!(x = grow_one((void **)&w->assignees, &w->nassignees, sizeof(*x))))
				rc = HW_ERROR;
			else
				x->person = a, a = NULL;
		}
		if (x) {
			free(x->role);
			x->role = dget(ev, "role");
			free(x->organisation);
			x->organisation = dget(ev, "organisation");
			free(x->note);
			x->note = dget(ev, "note");
			set_str(&x->since, day);
		}
	} else if (!strcmp(ev->type, EV_CONSENT_RECORDED)) {
		store_consent *x;

		a = dget(ev, "purpose");
		b = dget(ev, "recipient");
		if (!(x = find_consent(w, a, b))) {
			if (!(x = grow_one((void **)&w->consents, &w->nconsents, sizeof(*x)))) {
				rc = HW_ERROR;
				goto cleanup;
			}
			x->purpose = a, a = NULL;
			x->recipient = b ? b : strdup(""), b = NULL;
		}
		c = dget(ev, "granted");
		x->granted = c && !strcmp(c, "true");
		free(x->date); x->date = dget(ev, "date");
		free(x->present); x->present = dwords(ev, "present");
		free(x->language); x->language = dget(ev, "language");
		free(x->override_reason); x->override_reason = dget(ev, "override_reason");
		set_str(&x->recorded_by, ev->device);
		set_str(&x->withdrawn_on, NULL);
	} else if (!strcmp(ev->type, EV_CONSENT_WITHDRAWN)) {
		store_consent *x;

		a = dget(ev, "purpose");
		b = dget(ev, "recipient");
		if ((x = find_consent(w, a, b)) != NULL) {
			free(x->withdrawn_on);
			x->withdrawn_on = dget(ev, "date");
		}
	} else if (!strcmp(ev->type, EV_REFERRAL_SENT)) {
		store_referral *r = grow_one((void **)&w->referrals, &w->nreferrals, sizeof(*r));

		if (!r)
			return HW_ERROR;
		r->id = strdup(ev->id);
		r->case_id = strdup(ev->case_id);
		r->provider = dget(ev, "provider");
		r->kinds = dwords(ev, "kinds");
		r->submissions = dwords(ev, "submissions");
		r->urgency = dget(ev, "urgency");
		if (!r->urgency)
			r->urgency = strdup("normal");
		r->note = dget(ev, "note");
		r->sent_at = strdup(ev->at);
		r->sent_by = strdup(ev->device);
		r->status = strdup("sent");
		r->status_at = strdup(ev->at);
	} else if (!strcmp(ev->type, EV_REFERRAL_UPDATED)) {
		a = dget(ev, "referral");
		for (size_t i = 0; a && i < w->nreferrals; i++) {
			store_referral *r = &w->referrals[i];

			if (strcmp(r->id, a))
				continue;
			free(r->status); r->status = dget(ev, "status");
			set_str(&r->status_at, ev->at);
			/* The first acceptance, by time (fold order may differ after a merge). */
			if (r->status && !strcmp(r->status, "accepted") &&
			    (!r->accepted_at || strcmp(ev->at, r->accepted_at) < 0))
				set_str(&r->accepted_at, ev->at);
			free(r->status_note); r->status_note = dget(ev, "note");
			set_str(&r->status_by, ev->device);
		}
	} else if (!strcmp(ev->type, EV_APPOINTMENT_SET) || !strcmp(ev->type, EV_APPOINTMENT_DONE) ||
		   !strcmp(ev->type, EV_APPOINTMENT_MISSED) || !strcmp(ev->type, EV_FAMILY_LINKED) ||
		   !strcmp(ev->type, EV_FAMILY_UNLINKED)) {
		rc = agenda_apply(w, ev);
	}
	/* A follow-up form done for a round also does that round's appointment. */
	if (rc == 0 && !strcmp(ev->type, EV_FORM_SUBMITTED))
		rc = agenda_apply(w, ev);
	/* A closed case stays closed until it is reopened or a person settles its stage. */
	if (rc == 0 && !stage_set && is_stage_event(ev) && (!w->stage || strcmp(w->stage, "closed")))
		set_str(&w->stage, derive_stage(w, *has_form, *predeparture));
cleanup:
	free(a);
	free(b);
	free(c);
	return rc;
}

/*
 * Fold the case work over the events in order that are in subset (NULL for
 * all) into w (cleared first).
 */
static int work_fold(fold *f, const size_t *order, const unsigned char *subset, store_case_work *w)
{
	int has_form = 0, predeparture = 0, rc = 0;

	memset(w, 0, sizeof(*w));
	w->stage = strdup("identified");
	for (size_t k = 0; rc == 0 && k < f->n; k++) {
		size_t i = order[k];

		if (subset && !(subset[i / 8] & (1u << (i % 8))))
			continue;
		rc = work_apply(w, f->evs[i].ev, &has_form, &predeparture);
	}
	return rc;
}

/*
 * Concurrent stage changes: the stage events no other stage event has seen
 * are the heads; when their stages (each as its device saw it) differ and
 * one of them closed or reopened the case, that is a conflict for a person
 * to settle (a conflict.resolved of "stage").  Progress recorded on two
 * devices (a decision here, an arrival there) merges without one.
 */
static int stage_conflict(fold *f, const size_t *order, case_conflict **out)
{
	size_t n = f->n, bytes = (n + 7) / 8, *heads = calloc(n ? n : 1, sizeof(size_t)), nh = 0;
	unsigned char *mask = calloc(bytes ? bytes : 1, 1);
	char **views = calloc(n ? n : 1, sizeof(char *));
	int rc = 0, differ = 0, closing = 0;
	size_t latest = 0;

	*out = NULL;
	if (!heads || !mask || !views) {
		rc = HW_ERROR;
		goto cleanup;
	}
	for (size_t a = 0; a < n; a++) {
		int seen = 0;

		if (!is_stage_event(f->evs[a].ev))
			continue;
		for (size_t b = 0; b < n && !seen; b++)
			seen = b != a && is_stage_event(f->evs[b].ev) && ANC(f, b, a);
		if (!seen)
			heads[nh++] = a;
	}
	if (nh < 2)
		goto cleanup;
	/* Heads in a deterministic order: by time, then id. */
	for (size_t x = 1; x < nh; x++)
		for (size_t y = x; y > 0 && ev_before(f->evs[heads[y]].ev, f->evs[heads[y - 1]].ev); y--) {
			size_t t = heads[y];
			heads[y] = heads[y - 1];
			heads[y - 1] = t;
		}
	for (size_t h = 0; h < nh; h++) {
		store_case_work w;

		memcpy(mask, f->evs[heads[h]].anc, bytes);
		mask[heads[h] / 8] |= (unsigned char)(1u << (heads[h] % 8));
		if ((rc = work_fold(f, order, mask, &w)) < 0) {
			store_case_work_clear(&w);
			goto cleanup;
		}
		views[h] = w.stage;
		w.stage = NULL;
		store_case_work_clear(&w);
		if (h && strcmp(views[h], views[0]))
			differ = 1;
		if (!strcmp(views[h], "closed") || !strcmp(views[h], "reopened"))
			closing = 1;
		latest = h;
	}
	if (differ && closing) {
		case_conflict *c = calloc(1, sizeof(*c));

		if (!c || !(c->values = calloc(nh, sizeof(char *)))) {
			free(c);
			rc = HW_ERROR;
			goto cleanup;
		}
		c->field = strdup("stage");
		for (size_t h = 0; h < nh; h++)
			c->values[c->nvalues++] = strdup(views[h]);
		c->provisional = strdup(views[latest]);
		*out = c;
	}
cleanup:
	for (size_t h = 0; views && h < nh; h++)
		free(views[h]);
	free(views);
	free(heads);
	free(mask);
	return rc;
}

typedef struct fold_result {
	store_case_work work;
	store_case_row row;
	case_conflict *conflicts;
	size_t nconflicts;
} fold_result;

/* Fold the events of a case; the caller frees the result. */
static int fold_case(hw_ws *ws, const char *case_id, fold_result *res)
{
	fold f = { NULL, 0, 0, ws_err(ws) };
	field_state fields[NSLOTS];
	size_t *order = NULL, *heads = NULL;
	case_conflict *stage_cf = NULL;
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
	if ((rc = work_fold(&f, order, NULL, &res->work)) < 0 ||
	    (rc = stage_conflict(&f, order, &stage_cf)) < 0) {
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	for (int fi = 0; fi < NSLOTS; fi++) {
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
			c->field = strdup(fi == F_DECISION ? "decision" : case_field_names[fi]);
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
		case F_DECISION: slot = &res->work.decision; break;
		}
		if (slot) {
			free(*slot);
			*slot = v;
		} else {
			free(v);
		}
	}
	if (stage_cf) {
		/* The stage in conflict: show the provisional one, flagged. */
		case_conflict *p = realloc(res->conflicts, (res->nconflicts + 1) * sizeof(*p));

		if (!p) {
			rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
			goto cleanup;
		}
		res->conflicts = p;
		p[res->nconflicts++] = *stage_cf;
		set_str(&res->work.stage, stage_cf->provisional);
		free(stage_cf);
		stage_cf = NULL;
	}
	/* The decision shown is the field's (latest of concurrent ones); its date goes with it. */
	for (size_t d = res->work.ndecisions; d-- > 0;)
		if (res->work.decision && !strcmp(res->work.decisions[d].decision, res->work.decision)) {
			set_str(&res->work.decision_date, res->work.decisions[d].date);
			break;
		}
	if (!res->work.stage) {   /* the fold could not copy it */
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	free(res->row.status);
	res->row.status = strdup(!strcmp(res->work.stage, "closed") ? "closed" : "open");
	{
		hw_buf b = HW_BUF_INIT;

		for (size_t i = 0; i < res->work.nassignees; i++)
			hw_buf_printf(&b, "%s%s", i ? " " : "", res->work.assignees[i].person);
		if (hw_buf_oom(&b)) {   /* not a case assigned to no one */
			rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
			goto cleanup;
		}
		free(res->row.assigned_to);
		res->row.assigned_to = b.len ? hw_buf_detach(&b) : NULL;
		hw_buf_free(&b);
	}
	res->row.conflicts = (int)res->nconflicts;
	/*
	 * Age and minor are not the fold's: they change with the date, and the
	 * fold never reads the clock (every device computes the same case).
	 * The store computes them against today whenever a case is read.
	 */
	res->row.minor = 0;
	rc = 0;
cleanup:
	case_conflicts_free(stage_cf, stage_cf ? 1 : 0);
	for (int fi = 0; fi < NSLOTS; fi++) {
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
	store_case_work_clear(&r->work);
	store_case_row_clear(&r->row);
	case_conflicts_free(r->conflicts, r->nconflicts);
}

int case_refold(hw_ws *ws, const char *case_id)
{
	fold_result r;
	int rc = fold_case(ws, case_id, &r);

	if (rc == 0)
		rc = store_case_put(ws_store(ws), &r.row, ws_err(ws));
	if (rc == 0)
		rc = store_case_work_put(ws_store(ws), case_id, &r.work, ws_err(ws));
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
	size_t limit;     /* only the first limit events in recording order; 0: all */
	size_t seen;
} heads_ctx;

static int push_str(char ***arr, size_t *n, const char *s)
{
	char **p = realloc(*arr, (*n + 1) * sizeof(char *));

	if (!p)
		return HW_ERROR;
	*arr = p;
	if (!(p[*n] = strdup(s)))
		return HW_ERROR;
	(*n)++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int heads_collect(const char *json, void *payload)
{
	heads_ctx *h = payload;
	hw_event *ev;
	int rc;

	/*
	 * Only valid events are ever stored; anything else (out of memory) is an
	 * error: a head left out would give the next event the wrong parents.
	 */
	if (h->limit && h->seen >= h->limit)
		return 0;
	h->seen++;
	if ((rc = event_parse(&ev, json, strlen(json), NULL)) < 0)
		return rc == HW_EINVALID ? 0 : rc;
	rc = push_str(&h->ids, &h->nids, ev->id);
	for (size_t i = 0; rc == 0 && i < ev->nparents; i++)
		rc = push_str(&h->parents, &h->nparents, ev->parents[i]);
	event_free(ev);
	return rc;
}

/*
 * The latest events of a case as this device knows them: ids no event names
 * as parent.  base > 0: as it knew them when it held base events (its
 * events are kept in recording order).
 */
static int case_heads(hw_ws *ws, const char *case_id, size_t base, char ***out, size_t *n)
{
	heads_ctx h = { NULL, NULL, 0, 0, base, 0 };
	int rc = store_case_events(ws_store(ws), case_id, heads_collect, &h, ws_err(ws));

	*out = NULL;
	*n = 0;
	/* Sorted, each id is looked up among the parents in O(log n): a case may have 10,000 events. */
	if (rc == 0 && h.nparents)
		qsort(h.parents, h.nparents, sizeof(char *), cmp_str);
	for (size_t i = 0; rc == 0 && i < h.nids; i++) {
		const char *id = h.ids[i];

		if (!h.nparents || !bsearch(&id, h.parents, h.nparents, sizeof(char *), cmp_str))
			rc = push_str(out, n, h.ids[i]);
	}
	if (rc == HW_ERROR && !ws_error(ws)->msg[0])
		hw_error_set(ws_err(ws), rc, "out of memory");
	for (size_t i = 0; i < h.nids; i++)
		free(h.ids[i]);
	for (size_t i = 0; i < h.nparents; i++)
		free(h.parents[i]);
	free(h.ids);
	free(h.parents);
	return rc;
}

/*
 * Record one event on a case (parents = current heads, or the heads when
 * the device held base events) and re-fold, in one transaction.
 */
static int record_at(hw_ws *ws, const char *case_id, const char *type, const char *data_json,
		     int require_existing, size_t base, char out_event_id[HW_UUID_LEN + 1])
{
	hw_store *st = ws_store(ws);
	hw_event *ev = NULL;
	char **parents = NULL, *json = NULL, author[TEAM_TEXT_MAX + 1];
	size_t np = 0;
	int rc;

	if (!ws_is_initialised(ws))
		return hw_error_set(ws_err(ws), HW_EINVALID,
				    "this workspace has no device id yet (run: homeward init)");
	if ((rc = store_begin(st, ws_err(ws))) < 0)
		return rc;
	if ((rc = case_heads(ws, case_id, base, &parents, &np)) < 0)
		goto fail;
	if (require_existing && np == 0) {
		rc = hw_error_set(ws_err(ws), HW_ENOTFOUND, "no case %s", case_id);
		goto fail;
	}
	/* The author is the roster's name for this device once it is enrolled. */
	team_author(ws, author, sizeof(author));
	if ((rc = event_new(&ev, case_id, type, author, ws_device_id(ws),
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

static int record(hw_ws *ws, const char *case_id, const char *type, const char *data_json,
		  int require_existing, char out_event_id[HW_UUID_LEN + 1])
{
	return record_at(ws, case_id, type, data_json, require_existing, 0, out_event_id);
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
	return case_update_fields_at(ws, case_id, changes, n, 0, bad);
}

int case_update_fields_at(hw_ws *ws, const char *case_id, const case_change *changes, size_t n,
			  size_t base, size_t *bad)
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
	rc = record_at(ws, case_id, EV_CASE_UPDATED, data, 1, base, NULL);
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

/* What a conflict.resolved may settle, recorded here or imported. */
static int resolve_check(hw_error *err, const char *field, const char *value)
{
	if (!strcmp(field, "stage")) {
		if (!value || !event_word_in(value, case_stages))
			return hw_error_set(err, HW_EINVALID, "stage \"%.60s\" is not a stage",
					    value ? value : "");
	} else if (!strcmp(field, "decision")) {
		if (!value || !event_word_in(value, event_decisions))
			return hw_error_set(err, HW_EINVALID, "decision \"%.60s\" is not a decision",
					    value ? value : "");
	} else if (field_index(field) < 0) {
		return hw_error_set(err, HW_EINVALID, "\"%.60s\" is not a case field", field);
	} else {
		return field_check(err, field, value);
	}
	return 0;
}

int case_resolve(hw_ws *ws, const char *case_id, const char *field, const char *value)
{
	const char *kv[] = { "field", field, "value", value, NULL };
	char *data;
	int rc;

	if ((rc = resolve_check(ws_err(ws), field, value)) < 0)
		return rc;
	data = event_data_build(kv);
	rc = record(ws, case_id, EV_CONFLICT_RESOLVED, data, 1, NULL);
	free(data);
	return rc;
}

/* Check one member of a case.opened or case.updated event's data. */
static int check_case_member(const char *key, const char *value, void *payload)
{
	hw_error *err = payload;
	int fi = field_index(key);

	/* Only what case_open and case_update record: status and assignment have their events. */
	if (fi < 0 || fi == F_STATUS || fi == F_ASSIGNED)
		return hw_error_set(err, HW_EINVALID, "\"%.60s\" is not a case field", key);
	return field_check(err, key, value);
}

/* The most an event's time may lie ahead of this device's clock. */
#define FUTURE_TOLERANCE (24 * 3600)

int case_check_event(const hw_event *ev, hw_error *err)
{
	char limit[HW_TIME_LEN + 1], now[HW_TIME_LEN + 1];
	struct tm tm;
	int rc = 0;

	/* An event far in the future would win every provisional value. */
	hw_now_iso(now);
	memset(&tm, 0, sizeof(tm));
	if (sscanf(now, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec) == 6) {
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		hw_time_iso(timegm(&tm) + FUTURE_TOLERANCE, limit);
		if (strcmp(ev->at, limit) > 0)
			return hw_error_set(err, HW_EINVALID,
					    "the event is dated %s, in the future", ev->at);
	}
	if (!strcmp(ev->type, EV_CASE_OPENED) || !strcmp(ev->type, EV_CASE_UPDATED)) {
		char *given = NULL, *family = NULL;

		rc = event_data_each(ev->data, check_case_member, err);
		if (rc > 0 || (rc < 0 && (!err || !err->code)))
			rc = hw_error_set(err, HW_EINVALID, "the event's data is not a JSON object");
		if (rc == 0 && !strcmp(ev->type, EV_CASE_OPENED)) {
			event_data_get(&given, ev->data, "given_name");
			event_data_get(&family, ev->data, "family_name");
			if ((!given || !*given) && (!family || !*family))
				rc = hw_error_set(err, HW_EINVALID,
						  "a case needs a given name or a family name");
		}
		free(given);
		free(family);
	} else if (!strcmp(ev->type, EV_CONFLICT_RESOLVED)) {
		char *field = NULL, *value = NULL;

		event_data_get(&field, ev->data, "field");
		event_data_get(&value, ev->data, "value");
		rc = resolve_check(err, field ? field : "", value);
		free(field);
		free(value);
	}
	return rc;
}

/*
 * Parse, check and store an imported event without folding; *imported
 * tells whether it was new.  A known id with other content is HW_ECONFLICT.
 */
static int import_one(hw_ws *ws, const char *json, size_t len, const char *expect_case,
		      const char *expect_id, int *imported, char case_id[HW_UUID_LEN + 1])
{
	hw_event *ev = NULL;
	char *canon = NULL, *stored = NULL;
	int rc, ins = 0;

	*imported = 0;
	if ((rc = event_parse(&ev, json, len, ws_err(ws))) < 0)
		return rc;
	if (expect_id && strcmp(ev->id, expect_id) != 0) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID, "the event's id %s is not its file name",
				  ev->id);
		goto cleanup;
	}
	if (expect_case && strcmp(ev->case_id, expect_case) != 0) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID, "the event's case %s is not its folder",
				  ev->case_id);
		goto cleanup;
	}
	if ((rc = case_check_event(ev, ws_err(ws))) < 0 ||
	    (rc = event_to_json(&canon, ev, ws_err(ws))) < 0 ||
	    (rc = store_event_put(ws_store(ws), ev, canon, STORE_IMPORTED, &ins, ws_err(ws))) < 0)
		goto cleanup;
	if (!ins) {
		/* Known: the same event again is fine, another one with its id is not. */
		if ((rc = store_event_json(ws_store(ws), ev->id, &stored, ws_err(ws))) < 0)
			goto cleanup;
		if (strcmp(stored, canon) != 0) {
			rc = hw_error_set(ws_err(ws), HW_ECONFLICT,
					  "the event id %s is already used by another event", ev->id);
			goto cleanup;
		}
	}
	*imported = ins;
	if (case_id)
		memcpy(case_id, ev->case_id, HW_UUID_LEN + 1);
cleanup:
	free(stored);
	free(canon);
	event_free(ev);
	return rc;
}

int case_import_event(hw_ws *ws, const char *json, size_t len, int *imported)
{
	char case_id[HW_UUID_LEN + 1];
	int rc, ins = 0;

	if (imported)
		*imported = 0;
	if ((rc = store_begin(ws_store(ws), ws_err(ws))) < 0)
		return rc;
	if ((rc = import_one(ws, json, len, NULL, NULL, &ins, case_id)) < 0 ||
	    (ins && (rc = case_refold(ws, case_id)) < 0)) {
		store_rollback(ws_store(ws));
		return rc;
	}
	rc = store_commit(ws_store(ws), ws_err(ws));
	if (rc == 0 && imported)
		*imported = ins;
	return rc;
}

int case_import_event_unfolded(hw_ws *ws, const char *json, size_t len, const char *expect_case,
			       const char *expect_id, int *imported, char case_id[HW_UUID_LEN + 1])
{
	int ins = 0, rc = import_one(ws, json, len, expect_case, expect_id, &ins, case_id);

	if (imported)
		*imported = rc == 0 && ins;
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

int case_resolve_id(hw_ws *ws, const char *prefix, char out_id[HW_UUID_LEN + 1])
{
	char found[HW_UUID_LEN + 1];
	store_case_row r;
	int rc, n = 0;

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
	{
		char lower[HW_UUID_LEN + 1];
		size_t i;

		for (i = 0; prefix[i] && i < HW_UUID_LEN; i++)
			lower[i] = (char)tolower((unsigned char)prefix[i]);
		lower[i] = '\0';
		if ((rc = store_case_id_prefix(ws_store(ws), lower, found, &n, ws_err(ws))) < 0)
			return rc;
	}
	if (n == 0)
		return hw_error_set(ws_err(ws), HW_ENOTFOUND, "no case %s", prefix);
	if (n > 1)
		return hw_error_set(ws_err(ws), HW_EINVALID, "case id %s is ambiguous (several cases start with it)", prefix);
	memcpy(out_id, found, HW_UUID_LEN + 1);
	return 0;
}

/* --- recording case work ------------------------------------------------- */

int case_work_get(hw_ws *ws, const char *case_id, store_case_work *out)
{
	return store_case_work_get(ws_store(ws), case_id, out, ws_err(ws));
}

/* A JSON object built member by member (values escaped). */
static void jb_key(hw_buf *b, const char *key)
{
	hw_buf_puts(b, b->len ? "," : "{");
	hw_buf_printf(b, "\"%s\":", key);
}

static void jb_escape(hw_buf *b, const char *v)
{
	hw_buf_puts(b, "\"");
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\')
			hw_buf_printf(b, "\\%c", *p);
		else if (*p < 0x20)
			hw_buf_printf(b, "\\u%04x", *p);
		else
			hw_buf_add(b, p, 1);
	}
	hw_buf_puts(b, "\"");
}

static void jb_str(hw_buf *b, const char *key, const char *v)
{
	if (!v)
		return;
	jb_key(b, key);
	jb_escape(b, v);
}

static void jb_bool(hw_buf *b, const char *key, int v)
{
	jb_key(b, key);
	hw_buf_puts(b, v ? "true" : "false");
}

/* A comma-separated list as a JSON list of its non-empty items (nothing when empty). */
static void jb_list(hw_buf *b, const char *key, const char *csv)
{
	const char *p = csv;
	int n = 0;

	if (!csv || !*csv)
		return;
	while (*p) {
		size_t len = strcspn(p, ",");

		if (len) {
			char *item = strndup(p, len);

			if (!n++) {
				jb_key(b, key);
				hw_buf_puts(b, "[");
			} else {
				hw_buf_puts(b, ",");
			}
			jb_escape(b, item ? item : "");
			free(item);
		}
		p += len;
		if (*p == ',')
			p++;
	}
	if (n)
		hw_buf_puts(b, "]");
}

static char *jb_done(hw_buf *b)
{
	hw_buf_puts(b, b->len ? "}" : "{}");
	return hw_buf_detach(b);
}

/* "a, b or c" from a vocabulary, for messages. */
static void vocab_text(char *out, size_t size, const char *const *list)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; list[i] && len < size; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%s", i ? ", " : "", list[i]);
}

static int word_check(hw_ws *ws, const char *field, const char *v, const char *const *list)
{
	char words[400];

	if (v && event_word_in(v, list))
		return 0;
	vocab_text(words, sizeof(words), list);
	return hw_error_set(ws_err(ws), HW_EINVALID, "%s \"%s\" is not one of: %s", field,
			    v ? v : "", words);
}

/* Every item of a comma-separated list in the vocabulary (an empty list is fine unless required). */
static int list_check(hw_ws *ws, const char *field, const char *csv, const char *const *list,
		      int required)
{
	const char *p = csv;
	char item[201], words[400];
	int n = 0;

	while (p && *p) {
		size_t len = strcspn(p, ",");

		if (len) {
			snprintf(item, sizeof(item), "%.*s", (int)(len > 200 ? 200 : len), p);
			if (!event_word_in(item, list)) {
				vocab_text(words, sizeof(words), list);
				return hw_error_set(ws_err(ws), HW_EINVALID, "%s \"%s\" is not one of: %s",
						    field, item, words);
			}
			n++;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	if (required && !n)
		return hw_error_set(ws_err(ws), HW_EINVALID, "%s: give at least one", field);
	return 0;
}

/* A date given (or today when NULL): a real date, not in the future. */
static int date_check(hw_ws *ws, const char *field, const char *given, char out[11])
{
	char day[11];

	today(day);
	if (!given) {
		memcpy(out, day, 11);
		return 0;
	}
	if (!event_date_valid(given))
		return hw_error_set(ws_err(ws), HW_EINVALID, "%s \"%s\" is not a date (YYYY-MM-DD)",
				    field, given);
	if (strcmp(given, day) > 0)
		return hw_error_set(ws_err(ws), HW_EINVALID, "%s %s is in the future (today is %s)",
				    field, given, day);
	memcpy(out, given, 11);
	return 0;
}

/* Free text: at most 2000 bytes, no control characters but newline and tab. */
static int text_check(hw_ws *ws, const char *field, const char *v, int required)
{
	if (!v || !*v)
		return required ? hw_error_set(ws_err(ws), HW_EINVALID, "%s is required", field) : 0;
	if (strlen(v) > 2000)
		return hw_error_set(ws_err(ws), HW_EINVALID, "%s is too long (at most 2000 bytes)", field);
	for (const char *p = v; *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			return hw_error_set(ws_err(ws), HW_EINVALID, "%s contains control characters", field);
	return 0;
}

/* A person, organisation or provider id: 1..200 bytes without spaces or control characters. */
static int ident_check(hw_ws *ws, const char *field, const char *v)
{
	size_t n = v ? strlen(v) : 0;

	if (n == 0 || n > 200)
		return hw_error_set(ws_err(ws), HW_EINVALID, "%s \"%s\" is empty or too long", field,
				    v ? v : "");
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == ',')
			return hw_error_set(ws_err(ws), HW_EINVALID,
					    "%s \"%s\" must be one word (no spaces or commas)", field, v);
	return 0;
}

/* A name on one line (an organisation): 1..200 bytes, no control characters. */
static int line_check(hw_ws *ws, const char *field, const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > 200)
		return hw_error_set(ws_err(ws), HW_EINVALID, "%s \"%s\" is empty or too long", field, v);
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return hw_error_set(ws_err(ws), HW_EINVALID, "%s contains control characters", field);
	return 0;
}

/* The case's current work and row; refuses a closed case or a stage in conflict when asked. */
enum { NEED_OPEN = 1, NEED_SETTLED = 2 };

static int case_state(hw_ws *ws, const char *case_id, unsigned need, store_case_row *row,
		      store_case_work *w)
{
	case_conflict *cf = NULL;
	size_t n = 0;
	int rc;

	memset(row, 0, sizeof(*row));
	memset(w, 0, sizeof(*w));
	if ((rc = case_get(ws, case_id, row)) < 0 || (rc = case_work_get(ws, case_id, w)) < 0)
		return rc;
	if ((need & NEED_OPEN) && !strcmp(w->stage, "closed"))
		return hw_error_set(ws_err(ws), HW_EINVALID,
				    "case %.8s is closed (reopen it first: homeward case reopen ID --reason TEXT)",
				    case_id);
	if ((need & NEED_SETTLED) && row->conflicts) {
		if ((rc = case_conflicts(ws, case_id, &cf, &n)) < 0)
			return rc;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(cf[i].field, "stage") || !strcmp(cf[i].field, "decision")) {
				rc = hw_error_set(ws_err(ws), HW_ECONFLICT,
						  "the case's %s was changed on two devices at once; decide it first "
						  "(homeward case resolve ID %s VALUE)", cf[i].field, cf[i].field);
				break;
			}
		case_conflicts_free(cf, n);
	}
	return rc;
}

/* Record a built event (data freed here). */
static int record_built(hw_ws *ws, const char *case_id, const char *type, char *data,
			char out_id[HW_UUID_LEN + 1])
{
	int rc = data ? record(ws, case_id, type, data, 1, out_id)
		      : hw_error_set(ws_err(ws), HW_ERROR, "out of memory");

	free(data);
	return rc;
}

int case_decide(hw_ws *ws, const char *case_id, const char *decision, const char *date,
		const char *note)
{
	store_case_row row;
	store_case_work w;
	hw_buf b = HW_BUF_INIT;
	char day[11];
	int rc;

	if ((rc = word_check(ws, "decision", decision, event_decisions)) < 0 ||
	    (rc = date_check(ws, "decision date", date, day)) < 0 ||
	    (rc = text_check(ws, "note", note, 0)) < 0)
		return rc;
	if ((rc = case_state(ws, case_id, NEED_OPEN | NEED_SETTLED, &row, &w)) < 0)
		goto cleanup;
	if (w.departed_on && strcmp(day, w.departed_on) > 0) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID, "decision date %s is after the departure on %s",
				  day, w.departed_on);
		goto cleanup;
	}
	jb_str(&b, "decision", decision);
	jb_str(&b, "date", day);
	jb_str(&b, "note", note && *note ? note : NULL);
	rc = record_built(ws, case_id, EV_CASE_DECIDED, jb_done(&b), NULL);
cleanup:
	hw_buf_free(&b);
	store_case_row_clear(&row);
	store_case_work_clear(&w);
	return rc;
}

int case_depart(hw_ws *ws, const char *case_id, const char *date, const char *return_type,
		const char *assistance)
{
	store_case_row row;
	store_case_work w;
	hw_buf b = HW_BUF_INIT;
	char day[11];
	int rc;

	if (!date)
		return hw_error_set(ws_err(ws), HW_EINVALID, "departure date is required (--date YYYY-MM-DD)");
	if ((rc = date_check(ws, "departure date", date, day)) < 0 ||
	    (rc = word_check(ws, "type of return", return_type, event_return_types)) < 0 ||
	    (rc = list_check(ws, "assistance", assistance, event_assistance_kinds, 0)) < 0)
		return rc;
	if ((rc = case_state(ws, case_id, NEED_OPEN | NEED_SETTLED, &row, &w)) < 0)
		goto cleanup;
	/* A forced return follows no decision of the person's; a voluntary one does. */
	if (strcmp(return_type, "forced") && (!w.decision || strcmp(w.decision, "return"))) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID,
				  "departure: the decision is %s%s%s, not return (record it first: homeward case decide ID return)",
				  w.decision ? "\"" : "", w.decision ? w.decision : "not recorded yet",
				  w.decision ? "\"" : "");
		goto cleanup;
	}
	if (w.decision_date && strcmp(day, w.decision_date) < 0) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID, "departure date %s is before the decision on %s",
				  day, w.decision_date);
		goto cleanup;
	}
	if (w.arrived_on && strcmp(day, w.arrived_on) > 0) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID, "departure date %s is after the arrival on %s",
				  day, w.arrived_on);
		goto cleanup;
	}
	jb_str(&b, "date", day);
	jb_str(&b, "return_type", return_type);
	jb_bool(&b, "assistance_granted", assistance && strspn(assistance, ",") != strlen(assistance));
	jb_list(&b, "assistance", assistance);
	rc = record_built(ws, case_id, EV_CASE_DEPARTED, jb_done(&b), NULL);
cleanup:
	hw_buf_free(&b);
	store_case_row_clear(&row);
	store_case_work_clear(&w);
	return rc;
}

int case_arrive(hw_ws *ws, const char *case_id, const char *date)
{
	store_case_row row;
	store_case_work w;
	hw_buf b = HW_BUF_INIT;
	char day[11];
	int rc;

	if (!date)
		return hw_error_set(ws_err(ws), HW_EINVALID, "arrival date is required (--date YYYY-MM-DD)");
	if ((rc = date_check(ws, "arrival date", date, day)) < 0)
		return rc;
	if ((rc = case_state(ws, case_id, NEED_OPEN | NEED_SETTLED, &row, &w)) < 0)
		goto cleanup;
	if (!w.departed_on) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID,
				  "arrival: case %.8s has no departure recorded (homeward case depart ID ...)", case_id);
		goto cleanup;
	}
	if (strcmp(day, w.departed_on) < 0) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID, "arrival date %s is before the departure on %s",
				  day, w.departed_on);
		goto cleanup;
	}
	jb_str(&b, "date", day);
	jb_str(&b, "confirmed_by", ws_device_id(ws));
	/* The arrival and the follow-up rounds it schedules (docs/agenda.md): both or neither. */
	if ((rc = store_begin(ws_store(ws), ws_err(ws))) < 0)
		goto cleanup;
	if ((rc = record_built(ws, case_id, EV_CASE_ARRIVED, jb_done(&b), NULL)) < 0 ||
	    (rc = agenda_schedule_rounds(ws, case_id, day)) < 0) {
		store_rollback(ws_store(ws));
		goto cleanup;
	}
	rc = store_commit(ws_store(ws), ws_err(ws));
cleanup:
	hw_buf_free(&b);
	store_case_row_clear(&row);
	store_case_work_clear(&w);
	return rc;
}

int case_assign(hw_ws *ws, const char *case_id, const char *person, const char *role,
		const char *organisation, const char *note, const char *unassign)
{
	store_case_row row;
	store_case_work w;
	hw_buf b = HW_BUF_INIT;
	int rc;

	if ((rc = ident_check(ws, "person", person)) < 0 ||
	    (rc = word_check(ws, "role", role, event_roles)) < 0 ||
	    (organisation && (rc = line_check(ws, "organisation", organisation)) < 0) ||
	    (rc = text_check(ws, "note", note, 0)) < 0)
		return rc;
	if ((rc = case_state(ws, case_id, 0, &row, &w)) < 0)
		goto cleanup;
	/* The people known: the team's roster, and the devices seen in events. */
	if (strcmp(person, ws_device_id(ws)) && !store_device_known(ws_store(ws), person) &&
	    !team_knows(ws, person)) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID,
				  "person \"%s\" is not known here (a person is named by the device id they work on, "
				  "as seen in synced events)", person);
		goto cleanup;
	}
	for (const char *p = unassign; p && *p;) {
		size_t len = strcspn(p, ",");
		int found = 0;

		for (size_t i = 0; i < w.nassignees && len; i++)
			found |= strlen(w.assignees[i].person) == len && !strncmp(w.assignees[i].person, p, len);
		if (len && !found) {
			rc = hw_error_set(ws_err(ws), HW_EINVALID, "unassign: \"%.*s\" is not assigned to case %.8s",
					  (int)len, p, case_id);
			goto cleanup;
		}
		if (len == strlen(person) && !strncmp(p, person, len)) {
			rc = hw_error_set(ws_err(ws), HW_EINVALID, "unassign: \"%s\" cannot be assigned and unassigned at once",
					  person);
			goto cleanup;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	jb_str(&b, "assignee", person);
	jb_str(&b, "role", role);
	jb_str(&b, "organisation", organisation);
	jb_str(&b, "note", note && *note ? note : NULL);
	jb_list(&b, "unassign", unassign);
	rc = record_built(ws, case_id, EV_CASE_ASSIGNED, jb_done(&b), NULL);
cleanup:
	hw_buf_free(&b);
	store_case_row_clear(&row);
	store_case_work_clear(&w);
	return rc;
}

int case_close_with_reason(hw_ws *ws, const char *case_id, const char *reason, const char *note)
{
	store_case_row row;
	store_case_work w;
	hw_buf b = HW_BUF_INIT;
	int rc;

	if ((rc = word_check(ws, "reason", reason, event_close_reasons)) < 0 ||
	    (rc = text_check(ws, "note", note, !strcmp(reason, "other"))) < 0)
		return rc;
	if ((rc = case_state(ws, case_id, NEED_SETTLED, &row, &w)) < 0)
		goto cleanup;
	if (!strcmp(w.stage, "closed")) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID, "case %.8s is already closed", case_id);
		goto cleanup;
	}
	jb_str(&b, "reason", reason);
	jb_str(&b, "note", note && *note ? note : NULL);
	rc = record_built(ws, case_id, EV_CASE_CLOSED, jb_done(&b), NULL);
cleanup:
	hw_buf_free(&b);
	store_case_row_clear(&row);
	store_case_work_clear(&w);
	return rc;
}

int case_reopen(hw_ws *ws, const char *case_id, const char *reason)
{
	store_case_row row;
	store_case_work w;
	hw_buf b = HW_BUF_INIT;
	int rc;

	if ((rc = text_check(ws, "reason", reason, 1)) < 0)
		return rc;
	if ((rc = case_state(ws, case_id, NEED_SETTLED, &row, &w)) < 0)
		goto cleanup;
	if (strcmp(w.stage, "closed")) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID, "case %.8s is not closed (its stage is %s)",
				  case_id, w.stage);
		goto cleanup;
	}
	jb_str(&b, "reason", reason);
	rc = record_built(ws, case_id, EV_CASE_REOPENED, jb_done(&b), NULL);
cleanup:
	hw_buf_free(&b);
	store_case_row_clear(&row);
	store_case_work_clear(&w);
	return rc;
}

/* True if the comma- or space-separated list holds word. */
static int list_has(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, ", ");

		if (len == n && !strncmp(p, word, n))
			return 1;
		p += len;
		if (*p)
			p++;
	}
	return 0;
}

/* A provider id known to providers.csv (the name for messages). */
static int provider_check(hw_ws *ws, const char *field, const char *id)
{
	hw_provider_list *l = NULL;
	int rc;

	if ((rc = ident_check(ws, field, id)) < 0 || (rc = providers_load(ws, &l)) < 0)
		return rc;
	if (!providers_find(l, id))
		rc = hw_error_set(ws_err(ws), HW_EINVALID,
				  "%s \"%s\" is not a known provider (see: homeward provider list)", field, id);
	providers_free(l);
	return rc;
}

int consent_record(hw_ws *ws, const char *case_id, const char *purpose, int granted,
		   const char *recipient, const char *present, const char *language,
		   const char *override_reason)
{
	store_case_row row;
	store_case_work w;
	hw_buf b = HW_BUF_INIT;
	char day[11];
	int rc;

	if ((rc = word_check(ws, "purpose", purpose, event_purposes)) < 0 ||
	    (rc = list_check(ws, "present", present, event_present, 0)) < 0 ||
	    (rc = text_check(ws, "override reason", override_reason, 0)) < 0)
		return rc;
	if (!strcmp(purpose, "share_with_provider") && !recipient)
		return hw_error_set(ws_err(ws), HW_EINVALID,
				    "purpose share_with_provider needs the recipient (--recipient PROVIDER)");
	if (recipient && !strcmp(purpose, "share_with_provider") &&
	    (rc = provider_check(ws, "recipient", recipient)) < 0)
		return rc;
	if (recipient && (rc = ident_check(ws, "recipient", recipient)) < 0)
		return rc;
	if (language) {
		size_t n = strspn(language, "abcdefghijklmnopqrstuvwxyz");
		if (n < 2 || n > 3 || (language[n] && language[n] != '-'))
			return hw_error_set(ws_err(ws), HW_EINVALID,
					    "language \"%s\" is not a language code (e.g. ar, fa, fr)", language);
	}
	if ((rc = case_state(ws, case_id, 0, &row, &w)) < 0)
		goto cleanup;
	/* A child's consent counts with a guardian present, or for the child's best interests. */
	if (row.minor && granted && !list_has(present, "guardian") &&
	    (!override_reason || !*override_reason)) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID,
				  "consent for a minor: present does not include guardian; record the guardian's "
				  "presence or the override reason (best interests of the child)");
		goto cleanup;
	}
	today(day);
	jb_str(&b, "purpose", purpose);
	jb_bool(&b, "granted", granted);
	jb_str(&b, "recipient", recipient);
	jb_str(&b, "language", language ? language : row.language);
	jb_list(&b, "present", present);
	jb_str(&b, "date", day);
	jb_str(&b, "override_reason", override_reason && *override_reason ? override_reason : NULL);
	rc = record_built(ws, case_id, EV_CONSENT_RECORDED, jb_done(&b), NULL);
cleanup:
	hw_buf_free(&b);
	store_case_row_clear(&row);
	store_case_work_clear(&w);
	return rc;
}

/* The consent standing for purpose and recipient (NULL when none). */
static const store_consent *consent_of(const store_case_work *w, const char *purpose,
				       const char *recipient)
{
	for (size_t i = 0; i < w->nconsents; i++)
		if (!strcmp(w->consents[i].purpose, purpose) &&
		    !strcmp(w->consents[i].recipient, recipient ? recipient : ""))
			return &w->consents[i];
	return NULL;
}

int consent_withdraw(hw_ws *ws, const char *case_id, const char *purpose, const char *recipient)
{
	store_case_row row;
	store_case_work w;
	const store_consent *c;
	hw_buf b = HW_BUF_INIT;
	char day[11];
	int rc;

	if ((rc = word_check(ws, "purpose", purpose, event_purposes)) < 0)
		return rc;
	if ((rc = case_state(ws, case_id, 0, &row, &w)) < 0)
		goto cleanup;
	c = consent_of(&w, purpose, recipient);
	if (!c || !c->granted || c->withdrawn_on) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID,
				  "purpose %s%s%s has no granted consent to withdraw on case %.8s", purpose,
				  recipient ? " for " : "", recipient ? recipient : "", case_id);
		goto cleanup;
	}
	today(day);
	jb_str(&b, "purpose", purpose);
	jb_str(&b, "recipient", recipient);
	jb_str(&b, "date", day);
	rc = record_built(ws, case_id, EV_CONSENT_WITHDRAWN, jb_done(&b), NULL);
cleanup:
	hw_buf_free(&b);
	store_case_row_clear(&row);
	store_case_work_clear(&w);
	return rc;
}

typedef struct sub_find {
	const char *id;     /* without "uuid:" */
	int found;
} sub_find;

static int sub_find_cb(const store_submission *s, void *payload)
{
	sub_find *f = payload;
	const char *id = strncmp(s->instance_id, "uuid:", 5) ? s->instance_id : s->instance_id + 5;

	if (!strcmp(id, f->id))
		f->found = 1;
	return 0;
}

int referral_send(hw_ws *ws, const char *case_id, const char *provider, const char *kinds,
		  const char *submissions, const char *urgency, const char *note,
		  char out_id[HW_UUID_LEN + 1])
{
	store_case_row row;
	store_case_work w;
	const store_consent *c;
	hw_buf b = HW_BUF_INIT, subs = HW_BUF_INIT;
	int rc;

	if ((rc = provider_check(ws, "provider", provider)) < 0 ||
	    (rc = list_check(ws, "kinds", kinds, event_assistance_kinds, 1)) < 0 ||
	    (urgency && (rc = word_check(ws, "urgency", urgency, event_urgencies)) < 0) ||
	    (rc = text_check(ws, "note", note, 0)) < 0)
		return rc;
	if ((rc = case_state(ws, case_id, NEED_OPEN, &row, &w)) < 0)
		goto cleanup;
	/* The submissions that travel with it: this case's, named with or without "uuid:". */
	for (const char *p = submissions; p && *p;) {
		size_t len = strcspn(p, ",");
		char *item = strndup(p, len);
		sub_find f = { NULL, 0 };

		if (!item) {
			rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
			goto cleanup;
		}
		f.id = strncmp(item, "uuid:", 5) ? item : item + 5;
		if (len && (rc = store_case_submissions(ws_store(ws), case_id, sub_find_cb, &f, ws_err(ws))) == 0 &&
		    !f.found)
			rc = hw_error_set(ws_err(ws), HW_EINVALID,
					  "submission \"%s\" is not a submission of case %.8s", item, case_id);
		if (len && rc == 0)
			hw_buf_printf(&subs, "%suuid:%s", subs.len ? "," : "", f.id);
		free(item);
		if (rc < 0)
			goto cleanup;
		p += len;
		if (*p == ',')
			p++;
	}
	c = consent_of(&w, "share_with_provider", provider);
	if (!c || !c->granted || c->withdrawn_on) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID,
				  "referral to %s needs a granted consent share_with_provider for %s (%s)",
				  provider, provider, !c ? "none is recorded" : !c->granted ? "it was refused"
				  : "it was withdrawn");
		goto cleanup;
	}
	if (row.minor && !list_has(c->present, "guardian") && !c->override_reason) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID,
				  "referral to %s: the case is a minor and the consent was given without a guardian "
				  "present or an override reason; record the consent again", provider);
		goto cleanup;
	}
	jb_str(&b, "provider", provider);
	jb_list(&b, "kinds", kinds);
	jb_list(&b, "submissions", subs.len ? subs.ptr : NULL);
	jb_str(&b, "urgency", urgency);
	jb_str(&b, "note", note && *note ? note : NULL);
	rc = record_built(ws, case_id, EV_REFERRAL_SENT, jb_done(&b), out_id);
cleanup:
	hw_buf_free(&b);
	hw_buf_free(&subs);
	store_case_row_clear(&row);
	store_case_work_clear(&w);
	return rc;
}

int referral_update(hw_ws *ws, const char *referral_id, const char *status, const char *note)
{
	store_referral r;
	hw_buf b = HW_BUF_INIT;
	int rc;

	if ((rc = word_check(ws, "status", status, event_referral_statuses)) < 0 ||
	    (rc = text_check(ws, "note", note, !strcmp(status, "declined"))) < 0)
		return rc;
	if ((rc = store_referral_find(ws_store(ws), referral_id, &r, ws_err(ws))) < 0)
		return rc;
	if (!strcmp(r.status, "closed")) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID, "referral %.8s is closed", r.id);
		goto cleanup;
	}
	jb_str(&b, "referral", r.id);
	jb_str(&b, "status", status);
	jb_str(&b, "note", note && *note ? note : NULL);
	rc = record_built(ws, r.case_id, EV_REFERRAL_UPDATED, jb_done(&b), NULL);
cleanup:
	hw_buf_free(&b);
	store_referral_clear(&r);
	return rc;
}

int case_query(hw_ws *ws, const store_case_query *q,
	       int (*cb)(const store_case_row *r, void *payload), void *payload)
{
	return store_case_query_each(ws_store(ws), q, cb, payload, ws_err(ws));
}

int case_count(hw_ws *ws, const char *search, int *matches, int *total)
{
	return store_case_count(ws_store(ws), search, matches, total, ws_err(ws));
}

int case_referrals(hw_ws *ws, const char *status,
		   int (*cb)(const store_referral *r, void *payload), void *payload)
{
	if (status && strcmp(status, "sent") && !event_word_in(status, event_referral_statuses))
		return word_check(ws, "status", status, event_referral_statuses);
	return store_referrals(ws_store(ws), status, cb, payload, ws_err(ws));
}

int referral_get(hw_ws *ws, const char *referral_id, store_referral *out)
{
	return store_referral_find(ws_store(ws), referral_id, out, ws_err(ws));
}
