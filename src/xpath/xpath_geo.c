/*
 * xpath_geo.c: distance() and area() over ODK geopoints.
 *
 * A geopoint is "lat lon [alt [accuracy]]"; a geotrace or geoshape is
 * geopoints separated by ";".  Both functions take one such string, or a
 * node-set whose nodes each hold a geopoint (points in a repeat).  The
 * earth is a sphere of ODK's radius; an unanswered question gives 0, a
 * malformed point NaN, so a calculation never stops the form.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xpath_internal.h"

#define EARTH_RADIUS_M 6378100.0
#define DEG 0.017453292519943295

typedef struct geo_points {
	double *lat, *lon;    /* radians */
	size_t n, cap;
	int bad;              /* a point could not be read */
} geo_points;

/* Read "lat lon ..." from len bytes at s into the list. */
static int add_point(geo_points *g, const char *s, size_t len)
{
	const char *p = s, *end = s + len, *ws;
	double v[2];
	int k;

	for (k = 0; k < 2; k++) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
			p++;
		ws = p;
		while (p < end && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p++;
		if (p == ws) {
			g->bad = 1;
			return 0;
		}
		v[k] = xp_parse_number(ws, (size_t)(p - ws));
		if (isnan(v[k])) {
			g->bad = 1;
			return 0;
		}
	}
	if (fabs(v[0]) > 90 || fabs(v[1]) > 180) {
		g->bad = 1;
		return 0;
	}
	if (g->n == g->cap) {
		size_t ncap = g->cap ? g->cap * 2 : 16;
		double *nl = realloc(g->lat, ncap * sizeof(*nl));
		if (!nl)
			return HW_ERROR;
		g->lat = nl;
		nl = realloc(g->lon, ncap * sizeof(*nl));
		if (!nl)
			return HW_ERROR;
		g->lon = nl;
		g->cap = ncap;
	}
	g->lat[g->n] = v[0] * DEG;
	g->lon[g->n] = v[1] * DEG;
	g->n++;
	return 0;
}

/* Split a value on ";" into points; blank pieces (a trailing ";") are skipped. */
static int add_value(geo_points *g, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t j = i, k;
		int blank = 1;
		while (j < len && s[j] != ';')
			j++;
		for (k = i; k < j; k++)
			if (s[k] != ' ' && s[k] != '\t' && s[k] != '\n' && s[k] != '\r')
				blank = 0;
		if (!blank && add_point(g, s + i, j - i) < 0)
			return HW_ERROR;
		i = j + 1;
	}
	return 0;
}

/* The points of argument 0. */
static int read_points(geo_points *g, const xp_node *call, const xp_cx *cx)
{
	xpath_value v = XPATH_VALUE_INIT;
	char buf[XPATH_NUMBER_MAX];
	const char *s;
	size_t len, i;
	int rc = xp_eval_node(&v, call->args[0], cx);

	memset(g, 0, sizeof(*g));
	if (rc < 0)
		goto cleanup;
	if (v.type == XPATH_NODESET && v.nnodes > 1) {
		for (i = 0; i < v.nnodes && rc == 0; i++)
			rc = add_value(g, v.nodes[i]->value, v.nodes[i]->value_len);
	} else {
		s = xp_value_view(&v, &len, buf);
		rc = add_value(g, s, len);
	}
	if (rc < 0)
		rc = hw_error_set(cx->st->err, HW_ERROR, "out of memory");
cleanup:
	xpath_value_free(&v);
	return rc;
}

static void free_points(geo_points *g)
{
	free(g->lat);
	free(g->lon);
}

/* distance(trace): metres along the points, great-circle (haversine) legs. */
int xp_fn_distance(xpath_value *out, const xp_node *call, const xp_cx *cx)
{
	geo_points g;
	double d = 0;
	size_t i;
	int rc = read_points(&g, call, cx);

	if (rc == 0) {
		for (i = 1; i < g.n; i++) {
			double dlat = g.lat[i] - g.lat[i - 1], dlon = g.lon[i] - g.lon[i - 1];
			double a = sin(dlat / 2) * sin(dlat / 2) +
			           cos(g.lat[i - 1]) * cos(g.lat[i]) * sin(dlon / 2) * sin(dlon / 2);
			d += 2 * EARTH_RADIUS_M * atan2(sqrt(a), sqrt(1 - a));
		}
		xp_set_number(out, g.bad ? NAN : d);
	}
	free_points(&g);
	return rc;
}

/* area(shape): square metres enclosed, by the spherical polygon formula. */
int xp_fn_area(xpath_value *out, const xp_node *call, const xp_cx *cx)
{
	geo_points g;
	double sum = 0;
	size_t i;
	int rc = read_points(&g, call, cx);

	if (rc == 0) {
		for (i = 0; g.n > 2 && i < g.n; i++) {
			size_t j = (i + 1) % g.n;
			sum += (g.lon[j] - g.lon[i]) * (2 + sin(g.lat[i]) + sin(g.lat[j]));
		}
		xp_set_number(out, g.bad ? NAN : fabs(sum * EARTH_RADIUS_M * EARTH_RADIUS_M / 2));
	}
	free_points(&g);
	return rc;
}
