/*
 * xlsx.h: writing a workbook of text tables (the one module that includes
 * libxlsxwriter).  Rows go to disk as they are added (constant memory), one
 * sheet a table; cells are always text, never formulas, and one that a
 * spreadsheet would read as a formula keeps a leading "'" as in CSV.
 */
#ifndef HW_XLSX_H
#define HW_XLSX_H

#include <stddef.h>

#include "error.h"

typedef struct hw_xlsx hw_xlsx;

/* A workbook to be written at path; its temporary files go to tmpdir. */
int hw_xlsx_new(hw_xlsx **out, const char *path, const char *tmpdir, hw_error *err);

/*
 * Add a sheet named after name (characters a sheet name cannot hold become
 * "_", cut at 31 characters, made unique); *index gets its number.
 */
int hw_xlsx_sheet(hw_xlsx *x, const char *name, size_t *index, hw_error *err);

/* Append a row of n text cells to sheet i.  A sheet holds 1,048,576 rows at most. */
int hw_xlsx_row(hw_xlsx *x, size_t i, const char *const *cells, size_t n, hw_error *err);

/* How many cells were cut to a spreadsheet cell's 32,767 characters. */
long hw_xlsx_cut(const hw_xlsx *x);

/* Write the workbook out and free x. */
int hw_xlsx_close(hw_xlsx *x, hw_error *err);

/* Free x without a usable file (what was written at path is to be removed). */
void hw_xlsx_free(hw_xlsx *x);

#endif
