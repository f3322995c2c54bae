/*
 * ws_sql: run SQL on a workspace's database, through its encryption, as an
 * older program or a hand edit would have changed it.  For shell tests only.
 *
 *   ws_sql WORKSPACE SQL    the passphrase is the first line of the file
 *                           descriptor $HOMEWARD_PASSPHRASE_FD
 *
 * SQL may name a file: URI (VACUUM INTO 'file:x?vfs=unix' writes a plain
 * copy, as a workspace of a Homeward before encryption was).
 */
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "store.h"
#include "workspace.h"

/* Print each row, its columns tab-separated. */
static int print_row(void *payload, int n, char **values, char **names)
{
	(void)payload;
	(void)names;
	for (int i = 0; i < n; i++)
		printf("%s%s", i ? "\t" : "", values[i] ? values[i] : "");
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *fdv = getenv("HOMEWARD_PASSPHRASE_FD");
	ws_options o = WS_OPTIONS_INIT;
	hw_error err = { 0, "" };
	hw_secret *pass = NULL;
	hw_ws *ws = NULL;
	char *msg = NULL;
	size_t len = 0;
	int fd, rc = 1;

	if (argc != 3 || !fdv) {
		fprintf(stderr, "usage: HOMEWARD_PASSPHRASE_FD=N ws_sql WORKSPACE SQL\n");
		return 2;
	}
	fd = atoi(fdv);
	if (secret_new(&pass, 1024, &err) < 0)
		return 1;
	for (char c; len + 1 < 1024 && pread(fd, &c, 1, (off_t)len) == 1 && c != '\n';)
		secret_data(pass)[len++] = c;
	secret_set_len(pass, len);
	sqlite3_config(SQLITE_CONFIG_URI, 1);
	o.passphrase = pass;
	if (ws_open_ext(&ws, argv[1], &o, &err) < 0) {
		fprintf(stderr, "ws_sql: %s\n", err.msg);
		goto done;
	}
	if (sqlite3_exec(store_connection(ws_store(ws)), argv[2], print_row, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "ws_sql: %s\n", msg ? msg : "failed");
		sqlite3_free(msg);
		goto done;
	}
	rc = 0;
done:
	ws_free(ws);
	secret_free(pass);
	return rc;
}
