#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
}

sbx_config *probe_config(const char *const *queries)
{
	const char *argv[32] = {"probe"};
	size_t n = 1;
	for (; queries && queries[n - 1] && n < 31; n++)
		argv[n] = queries[n - 1];
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

int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
