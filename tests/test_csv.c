/*
 * test_csv.c: the CSV tables of the data files: quoting, line ends, a byte
 * order mark, and the hostile cases (an unclosed quote, a row longer than
 * the header, a NUL byte, duplicate columns) refused with the line; the
 * translated columns of a data file added from catalogues; the assistance
 * inventory read for one country in one language.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assist.h"
#include "csv.h"
#include "failalloc.h"
#include "formi18n.h"
#include "util.h"

static hw_csv *parse_ok(const char *text)
{
	hw_csv *t = NULL;
	hw_error err = { 0, "" };

	cr_assert_eq(hw_csv_parse(&t, "t.csv", text, strlen(text), &err), 0, "%s", err.msg);
	return t;
}

static void parse_fails(const char *text, size_t len, const char *msg_part)
{
	hw_csv *t = NULL;
	hw_error err = { 0, "" };

	cr_assert_eq(hw_csv_parse(&t, "t.csv", text, len ? len : strlen(text), &err), HW_EINVALID);
	cr_assert_null(t);
	cr_assert(strstr(err.msg, msg_part) != NULL, "message '%s' lacks '%s'", err.msg, msg_part);
}

Test(csv, quoting_line_ends_and_bom)
{
	hw_csv *t = parse_ok("\xef\xbb\xbfname,label,note\r\n"
		"a,\"One, two\",\"say \"\"hi\"\"\"\r\n"
		"\r\n"
		"b,\"two\nlines\"\n"
		"c\n");

	cr_assert_eq(t->ncols, 3);
	cr_assert_str_eq(t->head[0], "name");
	cr_assert_eq(t->nrows, 3);
	cr_assert_str_eq(hw_csv_get(t, 0, 1), "One, two");
	cr_assert_str_eq(hw_csv_get(t, 0, 2), "say \"hi\"");
	cr_assert_str_eq(hw_csv_get(t, 1, 1), "two\nlines");
	cr_assert_str_eq(hw_csv_get(t, 2, 2), "", "a short row is padded");
	cr_assert_eq(t->lines[2], 6, "a row knows its line, after a multi-line field");
	cr_assert_eq(hw_csv_col(t, "note"), 2);
	cr_assert_eq(hw_csv_col(t, "none"), -1);
	cr_assert_str_eq(hw_csv_get(t, 0, -1), "");
	hw_csv_free(t);
}

Test(csv, write_round_trip)
{
	hw_csv *t = parse_ok("name,label\na,\"x, \"\"y\"\"\"\nb,\"two\nlines\"\n"), *u;
	hw_error err = { 0, "" };
	const char *fr[] = { "X fr", "" };
	char *text = NULL;

	cr_assert_eq(hw_csv_add_column(t, "label_fr", fr, &err), 0);
	cr_assert_eq(hw_csv_add_column(t, "label", NULL, &err), HW_EEXISTS);
	cr_assert_eq(hw_csv_write(&text, t, &err), 0);
	cr_assert_str_eq(text, "name,label,label_fr\na,\"x, \"\"y\"\"\",X fr\nb,\"two\nlines\",\n");
	u = parse_ok(text);
	cr_assert_eq(u->nrows, 2);
	cr_assert_str_eq(hw_csv_get(u, 0, 1), "x, \"y\"");
	cr_assert_str_eq(hw_csv_get(u, 0, 2), "X fr");
	free(text);
	hw_csv_free(t);
	hw_csv_free(u);
}

Test(csv, hostile_input_is_refused_with_the_line)
{
	parse_fails("name,label\na,\"never closed\nb,c\n", 0, "t.csv:2: a quoted field is not closed");
	parse_fails("name,label\na,b,c\n", 0, "t.csv:2: 3 fields");
	parse_fails("name,label\na,\"x\"y\n", 0, "text after the closing quote");
	parse_fails("name,name\n", 0, "two columns are named 'name'");
	parse_fails("name,,x\n", 0, "column 2 has no name");
	parse_fails("name\na\0b\n", 9, "NUL");
}

Test(csv, translated_columns_from_catalogues)
{
	static const char *PO =
		"msgid \"\"\nmsgstr \"Language: fr\\n\"\n\n"
		"msgctxt \"cash:label\"\nmsgid \"Cash\"\nmsgstr \"Argent\"\n\n"
		"#, fuzzy\nmsgctxt \"bus:label\"\nmsgid \"Bus ticket\"\nmsgstr \"Billet\"\n";
	hw_csv *t = parse_ok("name,label,country\ncash,Cash,AF\nbus,Bus ticket,AF\n"
		"cash,Cash,NG\ncash,Money,SN\n");
	formi18n_catalog *tmpl = NULL, *po = NULL;
	formi18n_coverage cov[1];
	formi18n_lang fr = { "fr", NULL };
	hw_error err = { 0, "" };
	const char *cols[] = { "label", "description" };

	cr_assert_eq(formi18n_catalog_from_csv(&tmpl, t, "inv", "inv.csv", cols, 2, &err), 0, "%s", err.msg);
	/* Same name and text share an entry; another text for a name is its own. */
	cr_assert_eq(formi18n_catalog_count(tmpl), 3);
	cr_assert_not_null(formi18n_catalog_find(tmpl, "cash:label"));
	cr_assert_not_null(formi18n_catalog_find(tmpl, "cash/SN:label"));
	cr_assert_str_eq(formi18n_catalog_find(tmpl, "cash/SN:label")->msgid, "Money");
	cr_assert_eq(formi18n_po_parse(&po, "fr.po", PO, strlen(PO), &err), 0, "%s", err.msg);
	fr.po = po;
	cr_assert_eq(formi18n_merge_csv(t, cov, "inv", cols, 2, &fr, 1, &err), 0, "%s", err.msg);
	cr_assert_eq(cov[0].translated, 1);
	cr_assert_eq(cov[0].fuzzy, 1);
	cr_assert_eq(cov[0].missing, 1);
	cr_assert_eq(hw_csv_col(t, "label_fr"), 3);
	cr_assert_str_eq(hw_csv_get(t, 0, 3), "Argent");
	cr_assert_str_eq(hw_csv_get(t, 1, 3), "Bus ticket", "a fuzzy translation is not used");
	cr_assert_str_eq(hw_csv_get(t, 2, 3), "Argent");
	cr_assert_str_eq(hw_csv_get(t, 3, 3), "Money", "a missing translation falls back to English");
	cr_assert_eq(formi18n_merge_csv(t, NULL, "inv", cols, 2, &fr, 1, &err), HW_EEXISTS);
	formi18n_coverage_clear(&cov[0]);
	formi18n_catalog_free(tmpl);
	formi18n_catalog_free(po);
	hw_csv_free(t);
}

Test(csv, a_table_without_names_cannot_be_translated)
{
	hw_csv *t = parse_ok("label\nCash\n");
	formi18n_catalog *tmpl = NULL;
	hw_error err = { 0, "" };
	const char *cols[] = { "label" };

	cr_assert_eq(formi18n_catalog_from_csv(&tmpl, t, "inv", "inv.csv", cols, 1, &err), HW_EINVALID);
	cr_assert_null(tmpl);
	hw_csv_free(t);
}

/* Every allocation of parse, template, merge and write may fail: each ends in HW_ERROR, no crash. */
Test(csv, out_of_memory_at_every_allocation)
{
	static const char *TEXT = "name,label,country\ncash,\"Cash, now\",AF\ncash,Money,SN\n";
	static const char *PO = "msgctxt \"cash:label\"\nmsgid \"Cash, now\"\nmsgstr \"Argent\"\n";
	const char *cols[] = { "label" };
	unsigned long n;

	for (n = 1; n < 2000; n++) {
		hw_csv *t = NULL;
		formi18n_catalog *po = NULL, *tmpl = NULL;
		formi18n_lang fr = { "fr", NULL };
		hw_error err = { 0, "" };
		char *out = NULL;
		int rc;

		failalloc_fail_nth(n);
		rc = hw_csv_parse(&t, "t.csv", TEXT, strlen(TEXT), &err);
		if (rc == 0)
			rc = formi18n_po_parse(&po, "fr.po", PO, strlen(PO), &err);
		fr.po = po;
		if (rc == 0)
			rc = formi18n_catalog_from_csv(&tmpl, t, "inv", "inv.csv", cols, 1, &err);
		if (rc == 0)
			rc = formi18n_merge_csv(t, NULL, "inv", cols, 1, &fr, 1, &err);
		if (rc == 0)
			rc = hw_csv_write(&out, t, &err);
		cr_assert(rc == 0 || rc == HW_ERROR, "n=%lu: rc %d (%s)", n, rc, err.msg);
		cr_assert(rc != 0 || failalloc_failures() == 0, "n=%lu: a failed allocation went unnoticed", n);
		if (rc == 0) {
			cr_assert_str_eq(out, "name,label,country,label_fr\ncash,\"Cash, now\",AF,Argent\n"
				"cash,Money,SN,Money\n");
			free(out);
			formi18n_catalog_free(tmpl);
			formi18n_catalog_free(po);
			hw_csv_free(t);
			break;
		}
		free(out);
		formi18n_catalog_free(tmpl);
		formi18n_catalog_free(po);
		hw_csv_free(t);
	}
	failalloc_fail_nth(0);
	cr_assert_lt(n, 2000);
}

/* Write text to a fresh file in a temporary folder; caller frees the path. */
static char *temp_file(const char *text)
{
	char dir[] = "/tmp/homeward-assist.XXXXXX", *path;
	hw_error err = { 0, "" };

	cr_assert_not_null(mkdtemp(dir));
	path = hw_path_join(dir, "assistance.csv");
	cr_assert_eq(hw_write_file_atomic(path, text, strlen(text), &err), 0, "%s", err.msg);
	return path;
}

static void remove_temp(char *path)
{
	char *slash = strrchr(path, '/');

	unlink(path);
	*slash = '\0';
	rmdir(path);
	free(path);
}

Test(assist, one_country_in_one_language)
{
	char *path = temp_file("name,label,country,kind,minors_only,description,max_amount_eur,"
		"label_fr,description_fr\n"
		"cash,Cash,AF,cash,no,Paid after arrival.,600,Argent,\n"
		"school,School,AF,education,yes,For children.,,\"École, frais\",Pour les enfants.\n"
		"cash,Cash,NG,cash,no,Paid in naira.,500,Argent,Payé en naira.\n");
	assist_list *l = NULL;
	hw_error err = { 0, "" };

	cr_assert_eq(assist_load_file(path, "af", "fr", &l, &err), 0, "%s", err.msg);
	cr_assert_eq(l->count, 2, "the country is compared without case");
	cr_assert_str_eq(l->items[0].label, "Argent");
	cr_assert_str_eq(l->items[0].description, "Paid after arrival.", "an empty translation shows English");
	cr_assert_str_eq(l->items[0].max_amount, "600");
	cr_assert_eq(l->items[0].minors_only, 0);
	cr_assert_str_eq(l->items[1].label, "École, frais");
	cr_assert_eq(l->items[1].minors_only, 1);
	cr_assert_eq(l->items[1].line, 3);
	assist_free(l);

	cr_assert_eq(assist_load_file(path, "NG", "fa", &l, &err), 0, "%s", err.msg);
	cr_assert_eq(l->count, 1);
	cr_assert_str_eq(l->items[0].label, "Cash", "a language without columns shows English");
	assist_free(l);
	cr_assert_eq(assist_load_file(path, "PK", "en", &l, &err), 0);
	cr_assert_eq(l->count, 0, "a country without rows offers nothing");
	assist_free(l);
	remove_temp(path);
}

Test(assist, a_broken_inventory_names_the_line)
{
	char *path = temp_file("name,label,country,kind,minors_only,description\n"
		"cash,Cash,AF,cash,no,Fine.\n"
		"bus,Bus,AF,travel,sometimes,Bad.\n");
	char *nokind = temp_file("name,label,country,minors_only,description\ncash,Cash,AF,no,x\n");
	assist_list *l = NULL;
	hw_error err = { 0, "" };

	cr_assert_eq(assist_load_file(path, "AF", "en", &l, &err), HW_EINVALID);
	cr_assert_null(l);
	cr_assert(strstr(err.msg, "assistance.csv:3: minors_only is 'sometimes'"), "%s", err.msg);
	cr_assert_eq(assist_load_file(nokind, "AF", "en", &l, &err), HW_EINVALID);
	cr_assert(strstr(err.msg, "no column 'kind'"), "%s", err.msg);
	cr_assert_eq(assist_load_file("/nonexistent/assistance.csv", "AF", "en", &l, &err), HW_ENOTFOUND);
	remove_temp(path);
	remove_temp(nokind);
}
