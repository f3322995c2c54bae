/*
 * locks.c: one sync, merge or publish at a time per workspace, and the lock
 * files that a run killed with kill -9 or a power cut leaves behind.
 *
 * libgit2 writes a ref, packed-refs or the config by creating NAME.lock,
 * writing it and renaming it over NAME.  A run that dies in between leaves
 * NAME.lock, and every later run fails to update NAME ("failed to lock
 * file") until someone removes it by hand.  Only sync, merge and publish
 * write to a workspace's repo.git, and each of them holds the workspace's
 * run lock (an flock on sync.lock, which the kernel drops when the process
 * dies, however it dies).  So a process that holds the run lock knows that
 * every .lock file in repo.git was left by a run that is gone, and removes
 * it; so too the indexer's temporary packs (objects/pack/pack_git2_*).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sync_int.h"
#include "util.h"

#define RUN_LOCK "sync.lock"
#define MAX_LOCK_SCAN_DEPTH 16   /* refs/heads/devices/<id> is 4 deep; folders deeper are not ours */

/* Take the workspace's run lock; HW_EBUSY when another process holds it. */
int sync_lock_take(run *r)
{
	char *path = hw_path_join(ws_dir(r->ws), RUN_LOCK);
	int fd = -1, rc = 0;

	r->locked = 0;
	if (!path)
		return hw_error_set(r->err, HW_ERROR, "out of memory");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = hw_error_set(r->err, HW_ERROR, "cannot open %s: %s", path, strerror(errno));
		goto cleanup;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		rc = errno == EWOULDBLOCK
			? hw_error_set(r->err, HW_EBUSY,
				       "another sync, merge or form publish is running on this workspace")
			: hw_error_set(r->err, HW_ERROR, "cannot lock %s: %s", path, strerror(errno));
		close(fd);
		goto cleanup;
	}
	r->lock_fd = fd;
	r->locked = 1;

cleanup:
	free(path);
	return rc;
}

/* Release the run lock (also when it was never taken). */
void sync_lock_release(run *r)
{
	if (r->locked)
		close(r->lock_fd);
	r->locked = 0;
}

/* True if name ends in ".lock". */
static int is_lock_name(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && !strcmp(name + n - 5, ".lock");
}

/* Remove every NAME.lock below dir (rel is its path inside repo.git, for the notes). */
static void clear_dir(run *r, const char *dir, const char *rel, int depth)
{
	DIR *d;
	struct dirent *e;

	if (depth > MAX_LOCK_SCAN_DEPTH || !(d = opendir(dir)))
		return;
	while ((e = readdir(d)) != NULL) {
		char *path, *sub;
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		/*
		 * objects/ may hold 100k loose entries and no lock of ours, except
		 * where the indexer writes a pack's index (pack/PACK.idx.lock,
		 * renamed when done) and where packs are listed (info/): a run
		 * killed in between leaves one there, and the next fetch of the
		 * same pack could not take it.
		 */
		if (depth == 0 && !strcmp(e->d_name, "objects")) {
			static const char *const sub_dirs[] = { "pack", "info" };
			size_t k;

			for (k = 0; k < sizeof(sub_dirs) / sizeof(sub_dirs[0]); k++) {
				char *p2 = sync_fmt("%s/objects/%s", dir, sub_dirs[k]);
				char *r2 = *rel ? sync_fmt("%s/objects/%s", rel, sub_dirs[k]) :
				                  sync_fmt("objects/%s", sub_dirs[k]);

				if (p2 && r2)
					clear_dir(r, p2, r2, depth + 2);
				free(p2);
				free(r2);
			}
			continue;
		}
		path = hw_path_join(dir, e->d_name);
		sub = *rel ? sync_fmt("%s/%s", rel, e->d_name) : hw_strdup(e->d_name);
		if (path && sub && lstat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				clear_dir(r, path, sub, depth + 1);
			else if (S_ISREG(st.st_mode) && is_lock_name(e->d_name) && unlink(path) == 0) {
				r->locks_removed++;
				if (!r->lock_note[0])
					sync_copy_cut(r->lock_note, sizeof(r->lock_note), sub);
			}
		}
		free(path);
		free(sub);
	}
	closedir(d);
}

/*
 * With the run lock held: remove the lock files that a run which died left
 * in the workspace's repo.git, and count them for the note the front end
 * shows.
 */
void sync_clear_stale_locks(run *r)
{
	if (!r->locked)
		return;
	clear_dir(r, ws_repo_dir(r->ws), "", 0);
	/* The indexer's pack_git2_* of a fetch or roll-up that died: never used again. */
	repo_remove_temp_packs(ws_repo_dir(r->ws), 0);
}

/* Copy the note about removed lock files into a result. */
void sync_note_locks(const run *r, sync_result *res)
{
	res->locks_removed = r->locks_removed;
	memcpy(res->lock_note, r->lock_note, sizeof(res->lock_note));
}
