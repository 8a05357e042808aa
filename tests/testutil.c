#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

const char *probe_path(void)
{
	const char *p = getenv("SBX_PROBE");
	ck_assert_msg(p && *p == '/', "SBX_PROBE must be the absolute path of tests/probe");
	return p;
}

int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

bool has_children(void)
{
	DIR *d = opendir("/proc/self/task");
	ck_assert_ptr_nonnull(d);
	struct dirent *e;
	bool any = false;
	while (!any && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[300], buf[64];
		snprintf(path, sizeof(path), "/proc/self/task/%s/children", e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		any = read(fd, buf, sizeof(buf)) > 0;
		close(fd);
	}
	closedir(d);
	return any;
}

/* Our own cgroup in the hierarchy whose superblock options are `opts`
 * (v1: they name its controllers) or in cgroup2 (opts NULL). */
static bool own_cgroup(const char *opts, char *out, size_t len)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[1024];
	bool found = false;
	while (!found && f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = 0;
		const char *ctrls = c1 + 1, *path = c2 + 1;
		if (!opts) {
			found = !*ctrls;
		} else if (*ctrls) {
			/* every controller of the line is among the mount's options */
			char copy[256];
			snprintf(copy, sizeof(copy), "%s", ctrls);
			found = true;
			for (char *s = NULL, *tok = strtok_r(copy, ",", &s); tok;
			     tok = strtok_r(NULL, ",", &s)) {
				char want[300];
				snprintf(want, sizeof(want), ",%s,", tok);
				char o[512];
				snprintf(o, sizeof(o), ",%s,", opts);
				if (!strstr(o, want))
					found = false;
			}
		}
		if (found)
			snprintf(out, len, "%s", strcmp(path, "/") ? path : "");
	}
	if (f)
		fclose(f);
	return found;
}

/* Calls fn(dir) for our own cgroup directory in every mounted hierarchy. */
static int each_own_cgroup(bool (*fn)(const char *dir, bool v2, void *arg), void *arg)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024];
	int n = 0;
	while (f && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");
		if (!sep)
			continue;
		char fstype[32], source[64], opts[512] = "";
		if (sscanf(sep + 3, "%31s %63s %511s", fstype, source, opts) < 2)
			continue;
		bool v2 = !strcmp(fstype, "cgroup2");
		if (!v2 && strcmp(fstype, "cgroup"))
			continue;
		char own[600] = "", dir[1200];
		char *save = NULL, *tok = strtok_r(line, " ", &save);
		for (int i = 0; tok && i < 4; i++)
			tok = strtok_r(NULL, " ", &save);
		if (!tok || !own_cgroup(v2 ? NULL : opts, own, sizeof(own)))
			continue;
		snprintf(dir, sizeof(dir), "%s%s", tok, own);
		n++;
		if (!fn(dir, v2, arg))
			break;
	}
	if (f)
		fclose(f);
	return n;
}

/* Counts our own: other test programs may run at the same time. */
static bool count_in(const char *dir, bool v2, void *arg)
{
	(void)v2;
	char ours[32];
	snprintf(ours, sizeof(ours), "sbx-%d-", (int)getpid());
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, ours, strlen(ours))) {
			fprintf(stderr, "left behind: %s/%s\n", dir, e->d_name);
			(*(int *)arg)++;
		}
	if (d)
		closedir(d);
	return true;
}

static bool name_in(const char *dir, bool v2, void *arg)
{
	if (v2)
		return true; /* the v1 ones: a spare is made for them */
	char ours[32];
	snprintf(ours, sizeof(ours), "sbx-%d-", (int)getpid());
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;
	while (d && !found && (e = readdir(d)))
		if (!strncmp(e->d_name, ours, strlen(ours))) {
			snprintf(arg, 128, "%.100s", e->d_name);
			found = true;
		}
	if (d)
		closedir(d);
	return !found;
}

bool v1_sandbox_cgroup(char out[128])
{
	out[0] = 0;
	each_own_cgroup(name_in, out);
	return out[0] != 0;
}

int count_sandbox_cgroups(void)
{
	int n = 0;
	each_own_cgroup(count_in, &n);
	return n;
}

static bool find_v2(const char *dir, bool v2, void *arg)
{
	if (!v2)
		return true;
	snprintf(arg, 1200, "%s", dir);
	return false;
}

bool own_v2_cgroup_dir(char *out, size_t len)
{
	char dir[1200] = "";
	each_own_cgroup(find_v2, dir);
	snprintf(out, len, "%s", dir);
	return dir[0] != 0;
}

static int fds_at_start;

void leak_setup(void)
{
	fds_at_start = count_fds();
	ck_assert_msg(!has_children(), "a child process existed before the test");
}

void leak_teardown(void)
{
	ck_assert_int_eq(count_fds(), fds_at_start);
	ck_assert_msg(!has_children(), "the test left a child process behind");
	ck_assert_msg(count_sandbox_cgroups() == 0, "the test left a sandbox cgroup behind");
}

sbx_config *probe_config(const char *const *queries)
{
	const char *argv[128] = {"probe"};
	size_t n = 1;
	for (; queries && queries[n - 1]; n++) {
		ck_assert_msg(n < 127, "too many probe queries");
		argv[n] = queries[n - 1];
	}
	argv[n] = NULL;
	sbx_config *c = sbx_config_new();
	ck_assert_ptr_nonnull(c);
	/* from an fd: the build tree may be where the sandbox cannot see it
	 * (under /tmp, which is private inside) */
	int fd = open(probe_path(), O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_exec_fd(c, fd, argv, &err), 0);
	close(fd);
	return c;
}

char *run_capture(sbx_config *cfg, sbx_result *res)
{
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_stdio(cfg, 1, SBX_STDIO_PIPE, -1, &err), 0);
	sbx_proc *p = NULL;
	int r = sbx_spawn(cfg, &p, &err);
	ck_assert_msg(r == 0, "spawn: %s", err.message);
	size_t cap = 4096, len = 0;
	char *out = malloc(cap);
	ck_assert_ptr_nonnull(out);
	int fd = sbx_proc_stdio(p, 1);
	for (;;) {
		if (len + 1024 > cap) {
			cap *= 2;
			out = realloc(out, cap);
			ck_assert_ptr_nonnull(out);
		}
		ssize_t n = read(fd, out + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		ck_assert_int_ge(n, 0);
		if (n == 0)
			break;
		len += (size_t)n;
	}
	out[len] = 0;
	res->size = sizeof(*res);
	ck_assert_msg(sbx_wait(p, 30000, res, &err) == 0, "wait: %s", err.message);
	sbx_proc_free(p);
	return out;
}

const char *probe_value(const char *out, const char *key)
{
	static char buf[1024];
	size_t kl = strlen(key);
	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!strncmp(l, key, kl) && l[kl] == '=') {
			const char *v = l + kl + 1;
			size_t n = strcspn(v, "\n");
			if (n >= sizeof(buf))
				n = sizeof(buf) - 1;
			memcpy(buf, v, n);
			buf[n] = 0;
			return buf;
		}
	}
	return NULL;
}

bool running_as_root(void)
{
	return geteuid() == 0;
}

void skip_all_unless_sandboxes_work(void)
{
	sbx_features f = {.size = sizeof(f)};
	if (sbx_probe(&f, NULL) < 0 || (!running_as_root() && !f.unprivileged_userns)) {
		fprintf(stderr,
			"SKIP: this kernel does not let an unprivileged user create user "
			"namespaces, so no sandbox can be created as uid %u\n",
			(unsigned)geteuid());
		exit(77);
	}
}

size_t read_to_eof(int fd, char *buf, size_t len)
{
	size_t n = 0;
	for (;;) {
		ssize_t r = read(fd, buf + n, len - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		ck_assert_int_ge(r, 0);
		if (r == 0 || n + (size_t)r >= len - 1) {
			n += (size_t)(r > 0 ? r : 0);
			break;
		}
		n += (size_t)r;
	}
	buf[n] = 0;
	return n;
}

/* This run's scratch roots: [0] seen by sandboxes, [1] hidden from them. */
static char scratch_root[2][64];

void test_mkdtemp(char *out, size_t len, const char *name, bool hidden)
{
	const char *root = scratch_root[hidden];
	ck_assert_msg(*root, "test_mkdtemp outside run_suite");
	ck_assert_int_lt(snprintf(out, len, "%s/%s.XXXXXX", root, name), (int)len);
	ck_assert_ptr_nonnull(mkdtemp(out));
	ck_assert_int_eq(chmod(out, 0755), 0);
}

static void remove_tree(const char *path)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", path);
}

int run_suite(Suite *s)
{
	const char *base[2] = {"/var/tmp", "/tmp"};
	for (int i = 0; i < 2; i++) {
		snprintf(scratch_root[i], sizeof(scratch_root[i]), "%s/sbx-check.XXXXXX", base[i]);
		if (!mkdtemp(scratch_root[i]) || chmod(scratch_root[i], 0755)) {
			fprintf(stderr, "cannot make a scratch directory in %s: %s\n", base[i],
				strerror(errno));
			if (i)
				remove_tree(scratch_root[0]);
			return EXIT_FAILURE;
		}
	}
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (int i = 0; i < 2; i++)
		remove_tree(scratch_root[i]);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
