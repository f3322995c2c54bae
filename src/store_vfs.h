/*
 * store_vfs.h: the store's encrypting file layer (docs/security.md, "The
 * database at rest").  Used by src/store.c only.
 *
 * Every page of the database, of its write-ahead log and of its rollback
 * journal is sealed with XChaCha20-Poly1305 under the database key; the
 * nonce and tag live in the page's last STORE_VFS_RESERVE bytes, which the
 * database sets aside for them (its "reserved bytes").  Temporary files
 * (sorts, statement journals) never reach the disk: they live in memory.
 */
#ifndef HW_STORE_VFS_H
#define HW_STORE_VFS_H

#include "crypto.h"

/* The page size of an encrypted database: fixed, so that any page can be found unread. */
#define STORE_VFS_PAGE 4096
/* The bytes each page keeps for its nonce and tag. */
#define STORE_VFS_RESERVE CRYPTO_PAGE_EXTRA

typedef struct store_vfs store_vfs;

/*
 * Register a file layer that seals with key (borrowed: it must outlive the
 * layer) under a name of its own (store_vfs_name).  0 or HW_ERROR.
 */
int store_vfs_new(store_vfs **out, const hw_secret *key, hw_error *err);

/* The name to open a database with. */
const char *store_vfs_name(const store_vfs *v);

/* Unregister and free; NULL is fine.  Every connection using it must be closed. */
void store_vfs_free(store_vfs *v);

/* True if the first bytes of the file at path say it is a plain (unencrypted) SQLite database. */
int store_vfs_is_plain(const char *path);

#endif
