/*
 * test_repo.c: the repository module against real bare repositories in a
 * temporary folder, and a real `git daemon` on 127.0.0.1 for what only a
 * server does (hooks that refuse a push).
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sync/repo.h"
#include "util.h"

static char tmp[4096];
static hw_error err;

/* A fresh folder per test under HOMEWARD_TEST_TMP. */
static void setup(void)
{
	static int n;
	const char *base = getenv("HOMEWARD_TEST_TMP");

	snprintf(tmp, sizeof(tmp), "%s/repo-%d-%d", base ? base : "/tmp", (int)getpid(), ++n);
	cr_assert_eq(hw_mkdir_p(tmp, NULL), 0);
	hw_error_clear(&err);
}

/* path under the test folder (static buffer rotation). */
static const char *at(const char *name)
{
	static char bufs[8][4096];
	static int i;
	char *b = bufs[i++ % 8];

	cr_assert_lt(snprintf(b, 4096, "%s/%s", tmp, name), 4096);
	return b;
}

/* Count loose objects: how many objects a commit wrote. */
static int count_objects(const char *repo)
{
	char path[4200];
	int n = 0;
	DIR *d;
	struct dirent *e;
	int i;

	for (i = 0; i < 256; i++) {
		snprintf(path, sizeof(path), "%s/objects/%02x", repo, i);
		if (!(d = opendir(path)))
			continue;
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				n++;
		closedir(d);
	}
	return n;
}

/* An event-like path for case c, event e (both fake uuids made from numbers). */
static char *event_path(int c, int e)
{
	char *p = malloc(200);

	cr_assert_not_null(p);
	snprintf(p, 200, "cases/%02x/%02x%06d-0000-4000-8000-000000000000/events/%08d-0000-4000-8000-%012d.json",
		 c % 256, c % 256, c, e, c);
	return p;
}

/* Collects a diff as "A path" lines. */
static int collect(int kind, const char *path, const char *blob, void *payload)
{
	hw_buf *b = payload;

	hw_buf_printf(b, "%c %s\n", kind == REPO_ADDED ? 'A' : kind == REPO_MODIFIED ? 'M' : 'D', path);
	return 0;
}

TestSuite(repo, .init = setup);

Test(repo, create_is_bare_with_head_on_main)
{
	hw_repo *r = NULL;
	char *head = NULL;

	cr_assert_eq(repo_open(&r, at("a/repo.git"), 1, &err), 0, "%s", err.msg);
	cr_assert(hw_exists(at("a/repo.git/objects")));
	cr_assert(!hw_exists(at("a/repo.git/.git")));
	cr_assert_eq(hw_read_file(at("a/repo.git/HEAD"), &head, NULL, NULL), 0);
	cr_assert_str_eq(head, "ref: refs/heads/main\n");
	repo_free(r);
	free(head);

	/* Opening again works; opening a missing one without create does not. */
	cr_assert_eq(repo_open(&r, at("a/repo.git"), 1, &err), 0);
	repo_free(r);
	cr_assert_eq(repo_open(&r, at("missing.git"), 0, &err), HW_ENOTFOUND);
	cr_assert_null(r);
	repo_free(NULL);
}

Test(repo, second_commit_rewrites_only_one_shard)
{
	hw_repo *r = NULL;
	repo_file *files = calloc(300, sizeof(*files));
	char c1[41], c2[41], c3[41];
	hw_buf diff = HW_BUF_INIT;
	int created, before, i;
	char *extra;

	cr_assert_eq(repo_open(&r, at("repo.git"), 1, &err), 0);
	for (i = 0; i < 300; i++) {
		files[i].path = event_path(i, i);
		files[i].data = files[i].path;
		files[i].len = strlen(files[i].path);
	}
	cr_assert_eq(repo_commit_files(c1, &created, r, "refs/heads/devices/d1", NULL,
				       files, 300, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(created, 1);

	/*
	 * One new event in an existing case: a blob, its events folder, the
	 * case folder, one shard, cases/, the root tree and the commit.
	 * Nothing else of the 300 cases is rewritten.
	 */
	before = count_objects(at("repo.git"));
	extra = event_path(7, 1000);
	{
		repo_file one = { extra, "new", 3, NULL };

		cr_assert_eq(repo_commit_files(c2, &created, r, "refs/heads/devices/d1", c1,
					       &one, 1, NULL, &err), 0, "%s", err.msg);
	}
	cr_assert_eq(created, 1);
	cr_assert_eq(count_objects(at("repo.git")) - before, 7);

	/* The diff names exactly that file. */
	cr_assert_eq(repo_diff(r, c1, c2, collect, &diff, &err), 0, "%s", err.msg);
	{
		char expect[300];

		snprintf(expect, sizeof(expect), "A %s\n", extra);
		cr_assert_str_eq(diff.ptr, expect);
	}

	/* The ref followed. */
	{
		char tip[41];

		cr_assert_eq(repo_ref_get(tip, r, "refs/heads/devices/d1", &err), 0);
		cr_assert_str_eq(tip, c2);
	}

	/* Committing what is already there makes no commit. */
	cr_assert_eq(repo_commit_files(c3, &created, r, "refs/heads/devices/d1", c2,
				       files, 10, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(created, 0);
	cr_assert_str_eq(c3, c2);

	for (i = 0; i < 300; i++)
		free((char *)files[i].path);
	free(files);
	free(extra);
	hw_buf_free(&diff);
	repo_free(r);
}

Test(repo, nothing_is_overwritten)
{
	hw_repo *r = NULL;
	repo_file f = { "cases/ab/x/events/e.json", "one", 3, NULL };
	repo_file g = { "cases/ab/x/events/e.json", "two", 3, NULL };
	repo_file h = { "cases/ab/x/events/e.json/deeper", "three", 5, NULL };
	repo_file bad = { "cases/../x", "x", 1, NULL };
	char c1[41], c2[41], tip[41];
	int created;

	cr_assert_eq(repo_open(&r, at("repo.git"), 1, &err), 0);
	cr_assert_eq(repo_commit_files(c1, &created, r, "refs/heads/main", NULL, &f, 1, NULL, &err), 0);
	cr_assert_eq(repo_commit_files(c2, &created, r, "refs/heads/main", c1, &g, 1, NULL, &err),
		     HW_ECONFLICT);
	cr_assert(strstr(err.msg, "cases/ab/x/events/e.json"), "%s", err.msg);
	cr_assert_eq(repo_commit_files(c2, &created, r, "refs/heads/main", c1, &h, 1, NULL, &err),
		     HW_ECONFLICT);
	cr_assert_eq(repo_commit_files(c2, &created, r, "refs/heads/main", c1, &bad, 1, NULL, &err),
		     HW_EINVALID);
	cr_assert_eq(repo_ref_get(tip, r, "refs/heads/main", &err), 0);
	cr_assert_str_eq(tip, c1);
	repo_free(r);
}

/* Counts the files of a diff and checks each one's content against its path. */
struct read_back {
	hw_repo *r;
	int files, wrong;
};

static int read_back_file(int kind, const char *path, const char *blob, void *payload)
{
	struct read_back *b = payload;
	char *data = NULL;
	size_t len = 0;
	unsigned seed = 0;
	size_t i;

	if (kind != REPO_ADDED || repo_blob_read(&data, &len, b->r, blob, &err) < 0) {
		b->wrong++;
		return 0;
	}
	sscanf(strrchr(path, '/') + 1, "%u", &seed);
	for (i = 0; i < len; i++)
		if ((unsigned char)data[i] != (unsigned char)rand_r(&seed))
			break;
	b->wrong += i != len || len < 300;
	b->files++;
	free(data);
	return 0;
}

/*
 * A commit of many files is written as one pack through libgit2's indexer,
 * which parses the pack through windows of the file it writes.  With small
 * windows a compressed folder straddles a window's end somewhere in the
 * pack; the whole pack must still be indexed and every file read back.
 */
Test(repo, a_large_commit_is_indexed_through_small_pack_windows)
{
	hw_repo *r = NULL;
	enum { N = 2500, K = 32 };   /* folders of 32 files: trees zlib codes with tables */
	repo_file *files = calloc(N, sizeof(*files));
	char *data = malloc((size_t)N * 700);
	char c1[41];
	struct read_back b = { NULL, 0, 0 };
	int created, i, j;

	cr_assert(files && data, "out of memory");
	repo_pack_windows(8192, 65536);
	cr_assert_eq(repo_open(&r, at("repo.git"), 1, &err), 0);
	for (i = 0; i < N; i++) {
		/* Content like a sealed file: bytes zlib cannot shrink, from a seed in the name. */
		unsigned seed = (unsigned)i + 1;
		char *p = malloc(200);

		cr_assert_not_null(p);
		snprintf(p, 200, "cases/%x/%08d-0000-4000-8000-000000000000/events/%u.json",
			 (i / K) % 16, i / K, seed);
		files[i].path = p;
		files[i].data = data + (size_t)i * 700;
		files[i].len = 300 + (size_t)(i * 37) % 400;
		for (j = 0; j < (int)files[i].len; j++)
			data[(size_t)i * 700 + (size_t)j] = (char)rand_r(&seed);
	}
	cr_assert_eq(repo_commit_files(c1, &created, r, "refs/heads/main", NULL, files, N, NULL,
				       &err), 0, "%s", err.msg);
	cr_assert_eq(created, 1);
	/* Read back through a fresh handle: from the pack on disk alone. */
	repo_free(r);
	cr_assert_eq(repo_open(&r, at("repo.git"), 0, &err), 0);
	b.r = r;
	cr_assert_eq(repo_diff(r, NULL, c1, read_back_file, &b, &err), 0, "%s", err.msg);
	cr_assert_eq(b.files, N);
	cr_assert_eq(b.wrong, 0);
	repo_pack_windows(0, 0);
	for (i = 0; i < N; i++)
		free((char *)files[i].path);
	free(files);
	free(data);
	repo_free(r);
}

/* The *.pack files of a repository, and the name of the first (without .pack) in first. */
static int count_packs(const char *repo, char first[4096])
{
	char dir[3900];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/objects/pack", repo);
	cr_assert_not_null(d = opendir(dir));
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len > 5 && strcmp(e->d_name + len - 5, ".pack") == 0) {
			if (first && n == 0)
				snprintf(first, 4096, "%s/%.*s", dir, (int)(len - 5), e->d_name);
			n++;
		}
	}
	closedir(d);
	return n;
}

/* One pack of n blobs "<tag> <i>", their ids into ids. */
static void make_pack(hw_repo *r, const char *tag, int n, char (*ids)[41])
{
	char text[64];

	cr_assert_eq(repo_bulk_begin(r, &err), 0, "%s", err.msg);
	for (int i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "%s %d", tag, i);
		cr_assert_eq(repo_blob_write(ids[i], r, text, strlen(text), &err), 0, "%s", err.msg);
	}
	cr_assert_eq(repo_bulk_end(r, 1, &err), 0, "%s", err.msg);
}

/* Every blob of make_pack(tag, n) reads back as written. */
static void check_pack(hw_repo *r, const char *tag, int n, char (*ids)[41])
{
	char text[64], *got = NULL;
	size_t len;

	for (int i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "%s %d", tag, i);
		cr_assert_eq(repo_blob_read(&got, &len, r, ids[i], &err), 0, "%s %d: %s", tag, i, err.msg);
		cr_assert_eq(len, strlen(text));
		cr_assert_eq(memcmp(got, text, len), 0);
		free(got);
	}
}

/*
 * Every bulk write and every fetch adds a pack, and nothing removed one: a
 * supervisor's repo.git gained twenty a merge.  From REPO_ROLLUP_PACKS on,
 * the small ones become one; the large one and one with a .keep file stay,
 * and every object reads back, through the same handle and a new one.
 */
Test(repo, small_packs_are_rolled_into_one_and_nothing_is_lost)
{
	static char big[400][41], small[REPO_ROLLUP_PACKS][10][41];
	char tag[32], keep[4200], kept[4096], cmd[4400];
	hw_repo *r = NULL;
	size_t rolled = 99, loose = 99;
	FILE *f;

	cr_assert_eq(repo_open(&r, at("repo.git"), 1, &err), 0, "%s", err.msg);
	make_pack(r, "big", 400, big);
	/* Below the threshold nothing moves. */
	for (int k = 0; k < REPO_ROLLUP_PACKS - 2; k++) {
		snprintf(tag, sizeof(tag), "small %d", k);
		make_pack(r, tag, 10, small[k]);
	}
	cr_assert_eq(count_packs(at("repo.git"), NULL), REPO_ROLLUP_PACKS - 1);
	cr_assert_eq(repo_rollup(r, &rolled, &loose, NULL, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(rolled, 0);
	cr_assert_eq(count_packs(at("repo.git"), NULL), REPO_ROLLUP_PACKS - 1);

	/* One with a .keep file is never touched: the last one made. */
	snprintf(tag, sizeof(tag), "small %d", REPO_ROLLUP_PACKS - 2);
	make_pack(r, tag, 10, small[REPO_ROLLUP_PACKS - 2]);
	/* Which pack holds it: git's own reading of each index. */
	snprintf(cmd, sizeof(cmd), "for i in '%s'/objects/pack/*.idx; do git --git-dir='%s' show-index "
		 "< \"$i\" | grep -q %s && echo \"${i%%.idx}\"; done", at("repo.git"), at("repo.git"),
		 small[REPO_ROLLUP_PACKS - 2][0]);
	cr_assert_not_null(f = popen(cmd, "r"));
	cr_assert_not_null(fgets(kept, sizeof(kept), f));
	pclose(f);
	kept[strcspn(kept, "\n")] = '\0';
	snprintf(keep, sizeof(keep), "%s.keep", kept);
	cr_assert_eq(hw_write_file_atomic(keep, "", 0, NULL), 0);

	/* One more makes REPO_ROLLUP_PACKS + 1 packs: the small ones but the kept one roll up. */
	snprintf(tag, sizeof(tag), "small %d", REPO_ROLLUP_PACKS - 1);
	make_pack(r, tag, 10, small[REPO_ROLLUP_PACKS - 1]);
	cr_assert_eq(count_packs(at("repo.git"), NULL), REPO_ROLLUP_PACKS + 1);
	cr_assert_eq(repo_rollup(r, &rolled, &loose, NULL, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(rolled, REPO_ROLLUP_PACKS - 1);
	cr_assert_eq(count_packs(at("repo.git"), NULL), 3);   /* big, kept, new */
	snprintf(cmd, sizeof(cmd), "%s.pack", kept);
	cr_assert(hw_exists(cmd), "the pack with a .keep file was removed");

	/* Everything reads back, through the handle that rolled and a new one. */
	check_pack(r, "big", 400, big);
	for (int k = 0; k < REPO_ROLLUP_PACKS; k++) {
		snprintf(tag, sizeof(tag), "small %d", k);
		check_pack(r, tag, 10, small[k]);
	}
	repo_free(r);
	cr_assert_eq(repo_open(&r, at("repo.git"), 0, &err), 0, "%s", err.msg);
	check_pack(r, "big", 400, big);
	for (int k = 0; k < REPO_ROLLUP_PACKS; k++) {
		snprintf(tag, sizeof(tag), "small %d", k);
		check_pack(r, tag, 10, small[k]);
	}
	/* git agrees: every pack whole. */
	snprintf(cmd, sizeof(cmd), "git --git-dir='%s' fsck --full --no-dangling >/dev/null 2>&1 && "
		 "test \"$(git --git-dir='%s' count-objects -v | sed -n 's/^in-pack: //p')\" -ge %d",
		 at("repo.git"), at("repo.git"), 400 + 10 * REPO_ROLLUP_PACKS);
	cr_assert_eq(system(cmd), 0, "git fsck or count-objects disagrees");
	/* Three packs: nothing to do. */
	cr_assert_eq(repo_rollup(r, &rolled, &loose, NULL, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(rolled, 0);
	repo_free(r);
}

/* Write an index file (version 2) listing the one object hex, for a pack that does not hold it. */
static void forge_index(const char *path, const char *hex)
{
	unsigned char idx[8 + 256 * 4 + 28 + 40] = { 0xff, 't', 'O', 'c', 0, 0, 0, 2 };
	unsigned first;
	FILE *f;

	cr_assert_eq(sscanf(hex, "%2x", &first), 1);
	for (unsigned b = first; b < 256; b++)
		idx[8 + b * 4 + 3] = 1;   /* the fan-out: one object from its first byte on */
	for (int i = 0; i < 20; i++) {
		unsigned byte;

		cr_assert_eq(sscanf(hex + 2 * i, "%2x", &byte), 1);
		idx[8 + 256 * 4 + i] = (unsigned char)byte;
	}
	cr_assert_not_null(f = fopen(path, "wb"));
	cr_assert_eq(fwrite(idx, 1, sizeof(idx), f), sizeof(idx));
	fclose(f);
}

/*
 * A central repository in a folder is anyone's to write, and it is rolled
 * up too.  An index that is a FIFO (libgit2 opening it waited for ever)
 * stops the roll-up, said, before anything is read.  Packs a roll-up
 * cannot read safely stay as they are, and the others roll: an empty
 * index, one shorter than the objects it claims, one listing an object its
 * pack does not hold, and a pack holding an object over
 * REPO_MAX_FILE_SIZE (the packbuilder reads each object whole).
 */
Test(repo, packs_a_roll_up_cannot_read_safely_stay_and_the_rest_roll, .timeout = 60)
{
	static char small[REPO_ROLLUP_PACKS][10][41];
	char tag[32], path[4200], cmd[4400];
	const char *fifo = "pack-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		   *shortidx = "pack-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
		   *forged = "pack-cccccccccccccccccccccccccccccccccccccccc";
	hw_repo *r = NULL;
	size_t rolled = 99, loose = 99;
	FILE *f;

	cr_assert_eq(repo_open(&r, at("central.git"), 1, &err), 0, "%s", err.msg);
	for (int k = 0; k < REPO_ROLLUP_PACKS; k++) {
		snprintf(tag, sizeof(tag), "small %d", k);
		make_pack(r, tag, 10, small[k]);
	}
	/* A pack of one blob of 17 MiB of zeros (17 KiB on disk), made
	 * before the FIFO: git would wait on it too. */
	snprintf(cmd, sizeof(cmd), "python3 -c 'import sys; n = 17 << 20; "
		 "sys.stdout.buffer.write(b\"blob\\ndata %%d\\n\" %% n + bytes(n) + b\"\\n\")' | "
		 "git -c fastimport.unpackLimit=0 --git-dir='%s' fast-import --quiet", at("central.git"));
	cr_assert_eq(system(cmd), 0);
	/* A FIFO, and an index whose header claims a million objects. */
	snprintf(path, sizeof(path), "%s/objects/pack/%s.idx", at("central.git"), fifo);
	cr_assert_eq(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/objects/pack/%s.idx", at("central.git"), shortidx);
	cr_assert_not_null(f = fopen(path, "wb"));
	fwrite("\377tOc\0\0\0\2", 1, 8, f);
	for (int b = 0; b < 256; b++)
		fwrite("\0\x0f\x42\x40", 1, 4, f);
	fclose(f);
	/* An index naming an object nobody has. */
	snprintf(path, sizeof(path), "%s/objects/pack/%s.idx", at("central.git"), forged);
	forge_index(path, "ffffffffffffffffffffffffffffffffffffffff");
	const char *packs[] = { fifo, shortidx, forged };
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/objects/pack/%s.pack", at("central.git"), packs[i]);
		cr_assert_eq(hw_write_file_atomic(path, "PACK", 4, NULL), 0);
	}

	/* The FIFO: said, and nothing touched. */
	cr_assert_eq(repo_rollup(r, &rolled, &loose, NULL, NULL, &err), HW_ECORRUPT);
	cr_assert(strstr(err.msg, fifo) && strstr(err.msg, "a FIFO"), "%s", err.msg);
	cr_assert_eq(rolled, 0);
	cr_assert_eq(count_packs(at("central.git"), NULL), REPO_ROLLUP_PACKS + 4, "%d packs",
		     count_packs(at("central.git"), NULL));
	hw_error_clear(&err);
	snprintf(path, sizeof(path), "%s/objects/pack/%s.idx", at("central.git"), fifo);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(hw_write_file_atomic(path, "", 0, NULL), 0);   /* now an empty file */

	cr_assert_eq(repo_rollup(r, &rolled, &loose, NULL, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(rolled, REPO_ROLLUP_PACKS, "%zu packs rolled", rolled);
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/objects/pack/%s.idx", at("central.git"), packs[i]);
		cr_assert(hw_exists(path), "%s was removed", path);
	}
	/* The small packs' objects in one new pack, the large blob's pack as it was. */
	snprintf(cmd, sizeof(cmd), "test $(ls '%s/objects/pack' | grep -c '\\.pack$') = 5",
		 at("central.git"));
	cr_assert_eq(system(cmd), 0, "not the three left, the large one and the new one");
	for (int k = 0; k < REPO_ROLLUP_PACKS; k++) {
		snprintf(tag, sizeof(tag), "small %d", k);
		check_pack(r, tag, 10, small[k]);
	}
	repo_free(r);
}

/*
 * What repo_folder_check finds in a central repository's folder before
 * libgit2 opens anything there: a FIFO as HEAD, a link to a device as the
 * config, a FIFO deep in refs/ behind a link, objects borrowed from
 * another folder, a commondir; a loop of links ends; a FIFO beside the
 * repository (not where git reads) is not its business.
 */
Test(repo, a_folder_with_a_fifo_or_a_device_where_git_reads_is_refused, .timeout = 30)
{
	char path[4200], target[4200];
	hw_repo *r = NULL;

	cr_assert_eq(repo_open(&r, at("folder.git"), 1, &err), 0, "%s", err.msg);
	repo_free(r);
	cr_assert_eq(repo_folder_check(at("folder.git"), &err), 0, "%s", err.msg);

	/* A loop of links in refs/ ends, and a FIFO outside what git reads is left alone. */
	snprintf(path, sizeof(path), "%s/refs/heads/loop", at("folder.git"));
	cr_assert_eq(symlink("..", path), 0);
	snprintf(path, sizeof(path), "%s/description.fifo", at("folder.git"));
	cr_assert_eq(mkfifo(path, 0600), 0);
	cr_assert_eq(repo_folder_check(at("folder.git"), &err), 0, "%s", err.msg);

	/* A FIFO reached through a link, deep in refs/. */
	snprintf(target, sizeof(target), "%s", at("elsewhere.fifo"));
	cr_assert_eq(mkfifo(target, 0600), 0);
	snprintf(path, sizeof(path), "%s/refs/heads/devices", at("folder.git"));
	cr_assert_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/refs/heads/devices/laptop", at("folder.git"));
	cr_assert_eq(symlink(target, path), 0);
	cr_assert_eq(repo_folder_check(at("folder.git"), &err), HW_ECORRUPT);
	cr_assert(strstr(err.msg, "refs/heads/devices/laptop, which is a FIFO"), "%s", err.msg);
	hw_error_clear(&err);
	cr_assert_eq(unlink(path), 0);

	/* The config a link to a device. */
	snprintf(path, sizeof(path), "%s/config", at("folder.git"));
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(symlink("/dev/zero", path), 0);
	cr_assert_eq(repo_folder_check(at("folder.git"), &err), HW_ECORRUPT);
	cr_assert(strstr(err.msg, "holds config, which is a device"), "%s", err.msg);
	hw_error_clear(&err);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(hw_write_file_atomic(path, "", 0, NULL), 0);

	/* Objects borrowed from another folder, and the repository itself elsewhere. */
	snprintf(path, sizeof(path), "%s/objects/info/alternates", at("folder.git"));
	cr_assert_eq(hw_write_file_atomic(path, "/tmp\n", 5, NULL), 0);
	cr_assert_eq(repo_folder_check(at("folder.git"), &err), HW_ECORRUPT);
	cr_assert(strstr(err.msg, "reads from another folder (objects/info/alternates)"), "%s", err.msg);
	hw_error_clear(&err);
	cr_assert_eq(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/commondir", at("folder.git"));
	cr_assert_eq(symlink("/dev/null", path), 0);
	cr_assert_eq(repo_folder_check(at("folder.git"), &err), HW_ECORRUPT);
	cr_assert(strstr(err.msg, "(commondir)"), "%s", err.msg);
	hw_error_clear(&err);
	cr_assert_eq(unlink(path), 0);

	/* HEAD a FIFO. */
	snprintf(path, sizeof(path), "%s/HEAD", at("folder.git"));
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(mkfifo(path, 0600), 0);
	cr_assert_eq(repo_folder_check(at("folder.git"), &err), HW_ECORRUPT);
	cr_assert(strstr(err.msg, "holds HEAD, which is a FIFO"), "%s", err.msg);
	hw_error_clear(&err);
}

/*
 * Loose objects (a small commit writes them one file each) are packed once
 * there are REPO_ROLLUP_LOOSE of them: their files go, they read back.
 */
Test(repo, loose_objects_are_rolled_into_a_pack)
{
	static char ids[REPO_ROLLUP_LOOSE][41];
	char text[64], *got = NULL;
	hw_repo *r = NULL;
	size_t rolled = 99, loose = 99, len;

	repo_set_fsync(0);   /* a thousand files; what is tested is not the disk */
	cr_assert_eq(repo_open(&r, at("repo.git"), 1, &err), 0, "%s", err.msg);
	for (int i = 0; i < REPO_ROLLUP_LOOSE; i++) {
		snprintf(text, sizeof(text), "loose %d", i);
		cr_assert_eq(repo_blob_write(ids[i], r, text, strlen(text), &err), 0, "%s", err.msg);
		if (i == REPO_ROLLUP_LOOSE - 2) {
			/* One short of the threshold: left as they are. */
			cr_assert_eq(repo_rollup(r, &rolled, &loose, NULL, NULL, &err), 0, "%s", err.msg);
			cr_assert_eq(loose, 0);
			cr_assert_eq(count_objects(at("repo.git")), REPO_ROLLUP_LOOSE - 1);
		}
	}
	cr_assert_eq(repo_rollup(r, &rolled, &loose, NULL, NULL, &err), 0, "%s", err.msg);
	repo_set_fsync(1);
	cr_assert_eq(loose, REPO_ROLLUP_LOOSE);
	cr_assert_eq(rolled, 0);
	cr_assert_eq(count_objects(at("repo.git")), 0);
	cr_assert_eq(count_packs(at("repo.git"), NULL), 1);
	for (int i = 0; i < REPO_ROLLUP_LOOSE; i++) {
		snprintf(text, sizeof(text), "loose %d", i);
		cr_assert_eq(repo_blob_read(&got, &len, r, ids[i], &err), 0, "%d: %s", i, err.msg);
		cr_assert(len == strlen(text) && memcmp(got, text, len) == 0);
		free(got);
	}
	repo_free(r);
}

/*
 * A bulk write ended on its final tree packs what that tree reaches and
 * was written meanwhile: the tree of the first step, replaced by the
 * second, is left out, and a tree the repository already had is not
 * packed again.
 */
Test(repo, a_bulk_write_ended_on_a_tree_packs_only_what_it_reaches)
{
	hw_repo *r = NULL;
	repo_file one[2] = { { "cases/a/x.json", "x", 1, NULL }, { "cases/b/y.json", "y", 1, NULL } };
	repo_file two[1] = { { "cases/a/z.json", "z", 1, NULL } };
	char base[41], t1[41], t2[41], again[41], first[4096];

	cr_assert_eq(repo_open(&r, at("repo.git"), 1, &err), 0, "%s", err.msg);
	/* cases/b as it will be in the end, already in the repository (loose). */
	cr_assert_eq(repo_tree_add(base, r, NULL, &one[1], 1, &err), 0, "%s", err.msg);
	cr_assert_eq(repo_bulk_begin(r, &err), 0, "%s", err.msg);
	cr_assert_eq(repo_tree_add(t1, r, NULL, one, 2, &err), 0, "%s", err.msg);
	cr_assert_eq(repo_tree_add(t2, r, t1, two, 1, &err), 0, "%s", err.msg);
	cr_assert_eq(repo_bulk_end_tree(r, t2, &err), 0, "%s", err.msg);
	repo_free(r);

	cr_assert_eq(count_packs(at("repo.git"), first), 1);
	{
		char cmd[4400];
		FILE *f;
		int objects = -1;

		/* t2, cases, cases/a, x and z: not t1, and not cases/b or y (loose already). */
		snprintf(cmd, sizeof(cmd), "git show-index < '%s.idx' | wc -l", first);
		cr_assert_not_null(f = popen(cmd, "r"));
		cr_assert_eq(fscanf(f, "%d", &objects), 1);
		pclose(f);
		cr_assert_eq(objects, 5);
	}
	cr_assert_eq(repo_open(&r, at("repo.git"), 0, &err), 0, "%s", err.msg);
	/* The final tree reads whole; the replaced one is gone. */
	cr_assert_eq(repo_tree_add(again, r, t2, two, 1, &err), 0, "%s", err.msg);
	cr_assert_str_eq(again, t2);
	cr_assert_neq(repo_commit_create(again, r, NULL, t1, NULL, NULL, &err), 0,
		      "the replaced tree was packed");
	cr_assert_eq(repo_commit_create(again, r, NULL, t2, NULL, NULL, &err), 0, "%s", err.msg);
	repo_free(r);
}

Test(repo, diff_reports_modified_and_deleted)
{
	hw_repo *r = NULL;
	repo_file a[] = {
		{ "cases/aa/1/events/x.json", "x", 1, NULL },
		{ "cases/aa/1/events/y.json", "y", 1, NULL },
		{ "cases/bb/2/events/k.json", "k", 1, NULL },
	};
	repo_file b[] = {
		{ "cases/aa/1/events/x.json", "x changed", 9, NULL },
		{ "cases/aa/1/events/z.json", "z", 1, NULL },
		{ "cases/bb/2/events/k.json", "k", 1, NULL },
	};
	char ca[41], cb[41], blob[41];
	hw_buf diff = HW_BUF_INIT;
	int created;
	char *content = NULL;

	cr_assert_eq(repo_open(&r, at("repo.git"), 1, &err), 0);
	cr_assert_eq(repo_commit_files(ca, &created, r, NULL, NULL, a, 3, NULL, &err), 0);
	cr_assert_eq(repo_commit_files(cb, &created, r, NULL, NULL, b, 3, NULL, &err), 0);
	cr_assert_eq(repo_diff(r, ca, cb, collect, &diff, &err), 0, "%s", err.msg);
	cr_assert_str_eq(diff.ptr,
			 "M cases/aa/1/events/x.json\n"
			 "A cases/aa/1/events/z.json\n"
			 "D cases/aa/1/events/y.json\n");
	hw_buf_free(&diff);

	/* From nothing, everything is added; blobs can be read back. */
	cr_assert_eq(repo_diff(r, NULL, ca, collect, &diff, &err), 0);
	cr_assert_str_eq(diff.ptr,
			 "A cases/aa/1/events/x.json\n"
			 "A cases/aa/1/events/y.json\n"
			 "A cases/bb/2/events/k.json\n");
	cr_assert_eq(repo_blob_write(blob, r, "k", 1, &err), 0);
	cr_assert_eq(repo_blob_read(&content, NULL, r, blob, &err), 0);
	cr_assert_str_eq(content, "k");

	/* Adding a file by the id of an existing blob. */
	{
		repo_file byid = { "cases/cc/3/events/k.json", NULL, 0, blob };
		char cc[41], merged[41];

		cr_assert_eq(repo_commit_files(cc, &created, r, NULL, ca, &byid, 1, NULL, &err), 0);
		cr_assert_eq(repo_merge_base(merged, r, cc, ca, &err), 0);
		cr_assert_str_eq(merged, ca);
		cr_assert_eq(repo_merge_base(merged, r, cc, cb, &err), HW_ENOTFOUND);
	}
	free(content);
	hw_buf_free(&diff);
	repo_free(r);
}

/* Counts refs seen by repo_ref_each. */
static int count_ref(const char *name, const char *commit, void *payload)
{
	hw_buf *b = payload;

	hw_buf_printf(b, "%s\n", name);
	return 0;
}

Test(repo, push_and_fetch_over_a_folder)
{
	hw_repo *dev = NULL, *central = NULL, *other = NULL;
	repo_file f = { "cases/aa/1/events/x.json", "x", 1, NULL };
	repo_file g = { "cases/aa/1/events/y.json", "y", 1, NULL };
	const char *push_spec[] = { "refs/heads/devices/d1:refs/heads/devices/d1" };
	const char *fetch_spec[] = { "+refs/heads/main:refs/remotes/central/main",
				     "+refs/heads/devices/*:refs/remotes/central/devices/*" };
	char c1[41], c2[41], tip[41];
	hw_buf refs = HW_BUF_INIT;
	int created;

	cr_assert_eq(repo_open(&central, at("central.git"), 1, &err), 0);
	cr_assert_eq(repo_open(&dev, at("dev/repo.git"), 1, &err), 0);
	cr_assert_eq(repo_open(&other, at("other/repo.git"), 1, &err), 0);

	/* An empty remote: fetching is fine and makes no refs. */
	cr_assert_eq(repo_fetch(dev, at("central.git"), fetch_spec, 2, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(repo_ref_get(tip, dev, "refs/remotes/central/main", &err), HW_ENOTFOUND);

	cr_assert_eq(repo_commit_files(c1, &created, dev, "refs/heads/devices/d1", NULL, &f, 1, NULL, &err), 0);
	cr_assert_eq(repo_push(dev, at("central.git"), push_spec, 1, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(repo_ref_get(tip, central, "refs/heads/devices/d1", &err), 0);
	cr_assert_str_eq(tip, c1);

	/* Another repository fetches it into remote-tracking refs. */
	cr_assert_eq(repo_fetch(other, at("central.git"), fetch_spec, 2, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(repo_ref_get(tip, other, "refs/remotes/central/devices/d1", &err), 0);
	cr_assert_str_eq(tip, c1);
	cr_assert_eq(repo_ref_each(other, "refs/remotes/central/devices/*", count_ref, &refs, &err), 0);
	cr_assert_str_eq(refs.ptr, "refs/remotes/central/devices/d1\n");

	/* A history that does not contain the remote's tip is not fast-forward. */
	cr_assert_eq(repo_commit_files(c2, &created, other, "refs/heads/devices/d1", NULL, &g, 1, NULL, &err), 0);
	cr_assert_eq(repo_push(other, at("central.git"), push_spec, 1, NULL, &err), REPO_ENONFASTFORWARD,
		     "%d %s", err.code, err.msg);
	cr_assert_eq(repo_ref_get(tip, central, "refs/heads/devices/d1", &err), 0);
	cr_assert_str_eq(tip, c1);

	/* Unreachable remotes are network errors. */
	cr_assert_eq(repo_push(dev, at("nowhere.git"), push_spec, 1, NULL, &err), HW_ENETWORK,
		     "%d %s", err.code, err.msg);
	cr_assert_eq(repo_fetch(dev, "git://127.0.0.1:1/x.git", fetch_spec, 2, NULL, &err), HW_ENETWORK,
		     "%d %s", err.code, err.msg);
	cr_assert_eq(repo_push(dev, "", push_spec, 1, NULL, &err), HW_EINVALID);

	hw_buf_free(&refs);
	repo_free(dev);
	repo_free(central);
	repo_free(other);
}

/* Writes down each ref a fetch pruned, with its commit. */
static int note_pruned(const char *refname, const char *commit, void *payload)
{
	hw_buf *b = payload;

	hw_buf_printf(b, "%s %s\n", refname, commit);
	return 0;
}

Test(repo, a_fetch_prunes_the_refs_of_its_globs_only)
{
	hw_repo *dev = NULL, *central = NULL, *sup = NULL;
	repo_file f = { "cases/aa/1/events/x.json", "x", 1, NULL };
	repo_remote_opts opts = REPO_REMOTE_OPTS_INIT;
	const char *push_spec[] = { "refs/heads/devices/d1:refs/heads/devices/d1",
				    "refs/heads/devices/d1:refs/heads/devices/d2",
				    "refs/heads/devices/d1:refs/heads/main" };
	const char *nested_spec[] = { "refs/heads/devices/d1:refs/heads/devices/d2/x" };
	const char *fetch_spec[] = { "+refs/heads/main:refs/remotes/central/main",
				     "+refs/heads/devices/*:refs/remotes/central/devices/*",
				     "+refs/heads/devices/d9:refs/remotes/central/devices/d9" };
	char c1[41], tip[41], want[200];
	hw_buf pruned = HW_BUF_INIT, refs = HW_BUF_INIT;
	int created;

	cr_assert_eq(repo_open(&central, at("central.git"), 1, &err), 0);
	cr_assert_eq(repo_open(&dev, at("dev/repo.git"), 1, &err), 0);
	cr_assert_eq(repo_open(&sup, at("sup/repo.git"), 1, &err), 0);
	cr_assert_eq(repo_commit_files(c1, &created, dev, "refs/heads/devices/d1", NULL, &f, 1, NULL, &err), 0);
	cr_assert_eq(repo_push(dev, at("central.git"), push_spec, 3, NULL, &err), 0, "%s", err.msg);
	opts.prune = 1;
	opts.pruned = note_pruned;
	opts.payload = &pruned;
	cr_assert_eq(repo_fetch(sup, at("central.git"), fetch_spec, 3, &opts, &err), 0, "%s", err.msg);
	cr_assert_eq(repo_ref_each(sup, "refs/remotes/central/*", count_ref, &refs, &err), 0);
	cr_assert_str_eq(refs.ptr, "refs/remotes/central/devices/d1\nrefs/remotes/central/devices/d2\n"
			 "refs/remotes/central/main\n");
	cr_assert_eq(pruned.len, 0, "%s", pruned.ptr);

	/*
	 * The server loses devices/d1 and main.  The glob's copy goes, and
	 * is told; main's stays, as does a named refspec's copy inside the
	 * glob's namespace (d9, which the server never had).
	 */
	cr_assert_eq(repo_ref_set(sup, "refs/remotes/central/devices/d9", c1, &err), 0);
	cr_assert_eq(unlink(at("central.git/refs/heads/devices/d1")), 0);
	cr_assert_eq(unlink(at("central.git/refs/heads/main")), 0);
	cr_assert_eq(repo_fetch(sup, at("central.git"), fetch_spec, 3, &opts, &err), 0, "%s", err.msg);
	hw_buf_truncate(&refs, 0);
	cr_assert_eq(repo_ref_each(sup, "refs/remotes/central/*", count_ref, &refs, &err), 0);
	cr_assert_str_eq(refs.ptr, "refs/remotes/central/devices/d2\nrefs/remotes/central/devices/d9\n"
			 "refs/remotes/central/main\n");
	snprintf(want, sizeof(want), "refs/remotes/central/devices/d1 %s\n", c1);
	cr_assert_str_eq(pruned.ptr, want);

	/* Without prune a copy the server lost stays. */
	cr_assert_eq(unlink(at("central.git/refs/heads/devices/d2")), 0);
	cr_assert_eq(repo_fetch(sup, at("central.git"), fetch_spec, 3, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(repo_ref_get(tip, sup, "refs/remotes/central/devices/d2", &err), 0);

	/*
	 * A copy of a removed devices/d2 where the server now has devices/d2/x:
	 * pruned before the fetch writes its refs, so the new one fits.
	 */
	cr_assert_eq(repo_push(dev, at("central.git"), nested_spec, 1, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(repo_fetch(sup, at("central.git"), fetch_spec, 3, &opts, &err), 0, "%s", err.msg);
	cr_assert_eq(repo_ref_get(tip, sup, "refs/remotes/central/devices/d2/x", &err), 0, "%s", err.msg);
	cr_assert_str_eq(tip, c1);
	cr_assert_eq(repo_ref_get(tip, sup, "refs/remotes/central/devices/d2", &err), HW_ENOTFOUND);

	hw_buf_free(&pruned);
	hw_buf_free(&refs);
	repo_free(dev);
	repo_free(central);
	repo_free(sup);
}

static pid_t daemon_pid;

/* Stop the git daemon this test started (by its pid), even after a failure. */
static void stop_daemon(void)
{
	if (daemon_pid > 0) {
		kill(daemon_pid, SIGTERM);
		waitpid(daemon_pid, NULL, 0);
		daemon_pid = 0;
	}
}

/* A port nobody listens on right now. */
static int free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(getsockname(s, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(s);
	return port;
}

/* Start `git daemon` serving base on 127.0.0.1:port, and wait until it answers. */
static void start_daemon(const char *base, int port)
{
	const char *git = getenv("GIT_BIN");
	char base_arg[4200], port_arg[32];
	int i;

	if (!git || !*git)
		git = "git";
	snprintf(base_arg, sizeof(base_arg), "--base-path=%s", base);
	snprintf(port_arg, sizeof(port_arg), "--port=%d", port);
	daemon_pid = fork();
	cr_assert_neq(daemon_pid, -1);
	if (daemon_pid == 0) {
		execlp(git, git, "daemon", "--reuseaddr", base_arg, "--export-all",
		       "--enable=receive-pack", "--listen=127.0.0.1", port_arg, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100; i++) {
		struct sockaddr_in a;
		int s = socket(AF_INET, SOCK_STREAM, 0), ok;
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_port = htons((unsigned short)port);
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		ok = connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
		close(s);
		if (ok)
			return;
		nanosleep(&ts, NULL);
	}
	cr_assert_fail("git daemon did not start");
}

/* Records progress messages from the server. */
static int on_progress(const repo_progress *p, void *payload)
{
	int *n = payload;

	(*n)++;
	return 0;
}

Test(repo, server_rejection_is_an_error, .fini = stop_daemon)
{
	hw_repo *dev = NULL, *central = NULL;
	repo_file f = { "cases/aa/1/events/x.json", "x", 1, NULL };
	const char *push_spec[] = { "refs/heads/devices/d1:refs/heads/devices/d1" };
	repo_remote_opts opts = REPO_REMOTE_OPTS_INIT;
	char c1[41], tip[41], url[200];
	int created, port = free_port(), events = 0;
	const char *hook = "#!/bin/sh\necho 'bundles are closed today' >&2\nexit 1\n";

	cr_assert_eq(repo_open(&central, at("srv/central.git"), 1, &err), 0);
	cr_assert_eq(repo_open(&dev, at("dev/repo.git"), 1, &err), 0);
	cr_assert_eq(repo_commit_files(c1, &created, dev, "refs/heads/devices/d1", NULL, &f, 1, NULL, &err), 0);

	start_daemon(at("srv"), port);
	snprintf(url, sizeof(url), "git://127.0.0.1:%d/central.git", port);
	opts.progress = on_progress;
	opts.payload = &events;

	/* Accepted first, through the daemon. */
	cr_assert_eq(repo_push(dev, url, push_spec, 1, &opts, &err), 0, "%s", err.msg);
	cr_assert_eq(repo_ref_get(tip, central, "refs/heads/devices/d1", &err), 0);
	cr_assert_str_eq(tip, c1);
	cr_assert_gt(events, 0);

	/* Then a pre-receive hook refuses everything. */
	{
		repo_file g = { "cases/aa/1/events/y.json", "y", 1, NULL };
		char c2[41];

		cr_assert_eq(hw_write_file_atomic(at("srv/central.git/hooks/pre-receive"), hook,
						  strlen(hook), NULL), 0);
		cr_assert_eq(chmod(at("srv/central.git/hooks/pre-receive"), 0755), 0);
		cr_assert_eq(repo_commit_files(c2, &created, dev, "refs/heads/devices/d1", c1, &g, 1,
					       NULL, &err), 0);
		cr_assert_eq(repo_push(dev, url, push_spec, 1, &opts, &err), HW_EREJECTED,
			     "%d %s", err.code, err.msg);
		cr_assert(strstr(err.msg, "bundles are closed today"), "%s", err.msg);
		cr_assert_eq(repo_ref_get(tip, central, "refs/heads/devices/d1", &err), 0);
		cr_assert_str_eq(tip, c1);
	}
	repo_free(dev);
	repo_free(central);
}

static pid_t http_pid;

/* Stop the refusing web server this test started, by its pid. */
static void stop_http(void)
{
	if (http_pid > 0) {
		kill(http_pid, SIGTERM);
		waitpid(http_pid, NULL, 0);
		http_pid = 0;
	}
}

/* A web server on 127.0.0.1 that refuses every request with 401 (runs in a child). */
static int start_refusing_http(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(listen(s, 8), 0);
	cr_assert_eq(getsockname(s, (struct sockaddr *)&a, &len), 0);
	http_pid = fork();
	cr_assert_neq(http_pid, -1);
	if (http_pid == 0) {
		static const char reply[] =
			"HTTP/1.1 401 Unauthorized\r\n"
			"WWW-Authenticate: Basic realm=\"central\"\r\n"
			"Content-Length: 0\r\nConnection: close\r\n\r\n";
		for (;;) {
			char buf[8192];
			size_t got = 0;
			int c = accept(s, NULL, NULL);

			if (c < 0)
				_exit(0);
			/* Read the request headers, then refuse. */
			while (got < sizeof(buf) - 1) {
				ssize_t r = read(c, buf + got, sizeof(buf) - 1 - got);

				if (r <= 0)
					break;
				got += (size_t)r;
				buf[got] = '\0';
				if (strstr(buf, "\r\n\r\n"))
					break;
			}
			if (write(c, reply, sizeof(reply) - 1) < 0)
				_exit(1);
			close(c);
		}
	}
	close(s);
	return ntohs(a.sin_port);
}

/* Gives a wrong password every time, counting the calls. */
static int wrong_password(repo_cred *out, const char *url, const char *user, unsigned allowed,
			  int attempt, void *payload)
{
	int *calls = payload;

	(*calls)++;
	cr_assert(allowed & REPO_CRED_USERPASS);
	out->kind = REPO_CRED_USERPASS;
	strcpy(out->username, "amina");
	strcpy(out->secret, "wrong");
	return 0;
}

Test(repo, refused_credentials_are_given_up_after_a_few_tries, .fini = stop_http)
{
	hw_repo *dev = NULL;
	repo_file f = { "cases/aa/1/events/x.json", "x", 1, NULL };
	const char *push_spec[] = { "refs/heads/devices/d1:refs/heads/devices/d1" };
	repo_remote_opts opts = REPO_REMOTE_OPTS_INIT;
	char c1[41], url[100];
	int created, calls = 0, port = start_refusing_http();

	cr_assert_eq(repo_open(&dev, at("dev/repo.git"), 1, &err), 0);
	cr_assert_eq(repo_commit_files(c1, &created, dev, "refs/heads/devices/d1", NULL, &f, 1, NULL, &err), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/central.git", port);
	opts.credentials = wrong_password;
	opts.payload = &calls;
	opts.max_auth_tries = 2;
	cr_assert_eq(repo_push(dev, url, push_spec, 1, &opts, &err), HW_EAUTH, "%d %s", err.code, err.msg);
	cr_assert_eq(calls, 2);

	/* With no callback at all, https credentials are not invented. */
	cr_assert_eq(repo_push(dev, url, push_spec, 1, NULL, &err), HW_EAUTH, "%d %s", err.code, err.msg);
	repo_free(dev);
}
