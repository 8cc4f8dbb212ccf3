/*
 * tree_cleanup.h - for fuzz_long.c: remove the files its calls made
 * outside their sandbox. Aspen-only (a native run would walk the host).
 *
 * A worker's paths are mostly names in its sandbox, but a path argument
 * may also point into its scratch area, at whatever bytes earlier calls
 * left there: a read of /proc/self/maps cut after "/tests/musl/fuzz_" and
 * a symlink() whose new path starts at that '/' make "/fuzz_..." in the
 * root directory. Such a file outlives the run as state (as on Linux),
 * not a leak: note every path before the run, and remove the new ones
 * after it, so that init's frame count checks the kernel alone.
 */
#ifndef TREE_CLEANUP_H
#define TREE_CLEANUP_H
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ftw.h>
#include <sys/stat.h>

struct tree_paths {
	char **v;
	size_t n, cap;
};

/* Directories not walked: kernel views (their entries come and go with
 * processes), and the one the caller removes itself. */
static bool tree_skipped(const char *path, const char *own)
{
	return !strcmp(path, "/proc") || !strcmp(path, "/sys") || !strcmp(path, own);
}

static void tree_note(struct tree_paths *t, const char *path)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 1024;
		char **v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return;
		t->v = v;
		t->cap = cap;
	}
	char *copy = strdup(path);
	if (copy)
		t->v[t->n++] = copy;
}

static int tree_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool tree_has(const struct tree_paths *t, const char *path)
{
	return bsearch(&path, t->v, t->n, sizeof(*t->v), tree_cmp) != NULL;
}

/* Call visit on every path under dir (not following symlinks), and go
 * into each directory for which it returns true. */
static void tree_walk(const char *dir, const char *own, bool (*visit)(const char *path, void *arg), void *arg)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];
	struct stat st;
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") ? dir : "", e->d_name);
		if (!tree_skipped(path, own) && visit(path, arg) && lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			tree_walk(path, own, visit, arg);
	}
	if (d)
		closedir(d);
}

static bool tree_visit_note(const char *path, void *arg)
{
	tree_note(arg, path);
	return true;
}

/* Every path in the tree now, but own and what tree_skipped leaves out,
 * sorted. */
static void tree_snapshot(struct tree_paths *t, const char *own)
{
	tree_walk("/", own, tree_visit_note, t);
	qsort(t->v, t->n, sizeof(*t->v), tree_cmp);
}

struct tree_diff {
	const struct tree_paths *old;
	struct tree_paths found;   /* new paths (a new directory, not what it holds) */
};

static bool tree_visit_new(const char *path, void *arg)
{
	struct tree_diff *diff = arg;
	if (tree_has(diff->old, path))
		return true;
	tree_note(&diff->found, path);
	return false;
}

static int tree_remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	remove(path);
	return 0;
}

/* Remove what is new since the snapshot old (a new directory with all
 * it holds); the paths removed are left in removed. Returns how many
 * could not be removed. */
static int tree_remove_new(const struct tree_paths *old, const char *own, struct tree_paths *removed)
{
	struct tree_diff diff = { old, { 0 } };
	int failed = 0;
	struct stat st;
	tree_walk("/", own, tree_visit_new, &diff);
	for (size_t i = 0; i < diff.found.n; i++) {
		char *path = diff.found.v[i];
		nftw(path, tree_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
		if (lstat(path, &st) < 0)
			tree_note(removed, path);
		else
			failed++;
		free(path);
	}
	free(diff.found.v);
	return failed;
}
#endif
