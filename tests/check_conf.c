/* Unit tests: the configuration builder, id maps and the mount plan. Pure
 * code, no sandbox is created, no privilege needed. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf.h"
#include "mount.h"
#include "ns.h"
#include "spawn.h"
#include "testutil.h"

START_TEST(defaults_deny)
{
	sbx_config *c = sbx_config_new();
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(sbx_config_get_namespaces(c), SBX_NS_DEFAULT);
	ck_assert(SBX_NS_DEFAULT & SBX_NS_NET);
	ck_assert(SBX_NS_DEFAULT & SBX_NS_USER);
	ck_assert_str_eq(c->hostname, "sandbox");
	ck_assert_str_eq(c->cwd, "/");
	ck_assert_uint_eq(c->envc, 0);
	ck_assert_ptr_null(c->envp[0]);
	ck_assert_int_eq(c->pdeathsig, SIGKILL);
	ck_assert_uint_eq(c->n_grants, 0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(c->stdio_mode[i], SBX_STDIO_INHERIT);
	ck_assert_uint_eq(c->uid, 0);
	ck_assert(!c->user_set);
	sbx_config_free(c);
}
END_TEST

START_TEST(exec_validation)
{
	sbx_config *c = sbx_config_new();
	sbx_error err;
	const char *none[] = {NULL};
	const char *empty0[] = {"", NULL};
	ck_assert_int_eq(sbx_config_set_exec(c, NULL, NULL, &err), -EINVAL);
	ck_assert_int_eq(err.stage, SBX_STAGE_CONFIG);
	ck_assert_int_eq(sbx_config_set_exec(c, NULL, none, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "at least one"));
	ck_assert_int_eq(sbx_config_set_exec(c, NULL, empty0, &err), -EINVAL);
	ck_assert_int_eq(sbx_config_set_exec(c, "", (const char *[]){"x", NULL}, &err), -EINVAL);

	/* the strings are copied */
	char arg[] = "hello";
	const char *argv[] = {"/bin/echo", arg, NULL};
	ck_assert_int_eq(sbx_config_set_exec(c, NULL, argv, &err), 0);
	arg[0] = 'J';
	ck_assert_str_eq(c->argv[1], "hello");
	ck_assert_ptr_null(c->argv[2]);
	ck_assert_ptr_null(c->path);

	/* an fd and a path replace each other */
	int fd = open("/bin/true", O_RDONLY | O_CLOEXEC);
	ck_assert_int_eq(sbx_config_set_exec_fd(c, fd, argv, &err), 0);
	ck_assert_int_ge(c->exec_fd, 3);
	ck_assert_str_eq(c->exec_fd_name, "/usr/bin/true");
	ck_assert_int_eq(sbx_config_set_exec_fd(c, -1, argv, &err), -EBADF);
	ck_assert_int_eq(sbx_config_set_exec(c, "/bin/echo", argv, &err), 0);
	ck_assert_int_eq(c->exec_fd, -1);
	ck_assert_str_eq(c->path, "/bin/echo");
	close(fd);
	sbx_config_free(c);
}
END_TEST

START_TEST(env_validation)
{
	sbx_config *c = sbx_config_new();
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_env(c, (const char *[]){"A=1", "NOEQUALS", NULL}, &err),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "\"NOEQUALS\""));
	ck_assert_int_eq(sbx_config_set_env(c, (const char *[]){"=x", NULL}, &err), -EINVAL);
	ck_assert_uint_eq(c->envc, 0); /* a failed call changes nothing */

	ck_assert_int_eq(sbx_config_set_env(c, (const char *[]){"A=1", "B=2", NULL}, &err), 0);
	ck_assert_uint_eq(c->envc, 2);
	ck_assert_int_eq(sbx_config_setenv(c, "A", "one", &err), 0);
	ck_assert_int_eq(sbx_config_setenv(c, "C", "3", &err), 0);
	ck_assert_uint_eq(c->envc, 3);
	ck_assert_str_eq(c->envp[0], "A=one");
	ck_assert_str_eq(c->envp[2], "C=3");
	ck_assert_ptr_null(c->envp[3]);
	ck_assert_int_eq(sbx_config_setenv(c, "B=", "x", &err), -EINVAL);
	ck_assert_int_eq(sbx_config_setenv(c, "", "x", &err), -EINVAL);
	ck_assert_int_eq(sbx_config_set_env(c, NULL, &err), 0);
	ck_assert_uint_eq(c->envc, 0);
	sbx_config_free(c);
}
END_TEST

START_TEST(cwd_hostname_namespaces)
{
	sbx_config *c = sbx_config_new();
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_cwd(c, "relative/dir", &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "absolute"));
	char *longp = malloc(5000);
	memset(longp, 'a', 4999);
	longp[0] = '/';
	longp[4999] = 0;
	ck_assert_int_eq(sbx_config_set_cwd(c, longp, &err), -ENAMETOOLONG);
	free(longp);
	ck_assert_int_eq(sbx_config_set_cwd(c, "/tmp", &err), 0);
	ck_assert_str_eq(c->cwd, "/tmp");

	ck_assert_int_eq(sbx_config_set_hostname(c, "", &err), -EINVAL);
	char h[66];
	memset(h, 'h', 65);
	h[65] = 0;
	ck_assert_int_eq(sbx_config_set_hostname(c, h, &err), -ENAMETOOLONG);
	h[64] = 0;
	ck_assert_int_eq(sbx_config_set_hostname(c, h, &err), 0);

	ck_assert_int_eq(sbx_config_set_namespaces(c, 0x100, &err), -EINVAL);
	ck_assert_uint_eq(sbx_config_get_namespaces(c), SBX_NS_DEFAULT);
	ck_assert_int_eq(sbx_config_set_namespaces(c, SBX_NS_ALL, &err), 0);
	ck_assert_uint_eq(sbx_config_get_namespaces(c), SBX_NS_ALL);
	sbx_config_free(c);
}
END_TEST

START_TEST(idmap_validation)
{
	sbx_config *c = sbx_config_new();
	sbx_error err;
	ck_assert_int_eq(sbx_config_add_uid_map(c, 0, 1000, 0, &err), -EINVAL);
	ck_assert_int_eq(sbx_config_add_uid_map(c, 0xfffffff0u, 0, 100, &err), -EINVAL);
	ck_assert_int_eq(sbx_config_add_uid_map(c, 0, 100000, 1000, &err), 0);
	ck_assert_int_eq(sbx_config_add_uid_map(c, 500, 200000, 10, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "overlaps line 1"));
	ck_assert_int_eq(sbx_config_add_uid_map(c, 5000, 100500, 10, &err), -EINVAL);
	for (unsigned i = 1; i < SBX_IDMAP_MAX; i++)
		ck_assert_int_eq(sbx_config_add_gid_map(c, i * 10, i * 10, 5, &err), 0);
	ck_assert_int_eq(sbx_config_add_gid_map(c, 9000, 9000, 1, &err), 0);
	ck_assert_int_eq(sbx_config_add_gid_map(c, 9100, 9100, 1, &err), -E2BIG);
	ck_assert(conf_map_covers(c->uid_map, c->n_uid_map, 999));
	ck_assert(!conf_map_covers(c->uid_map, c->n_uid_map, 1000));
	sbx_config_free(c);
}
END_TEST

START_TEST(default_idmaps)
{
	sbx_config *c = sbx_config_new();
	sbx_error err;
	struct idmaps m;
	/* privileged: the sandbox's root is nobody on the host */
	ck_assert_int_eq(ns_idmaps(c, true, &m, &err), 0);
	ck_assert_uint_eq(m.n_uid, 1);
	ck_assert_uint_eq(m.uid[0].inside, 0);
	ck_assert_uint_eq(m.uid[0].outside, 65534);
	ck_assert_uint_eq(m.gid[0].outside, 65534);
	ck_assert(!m.deny_setgroups);
	ck_assert(!ns_maps_host_root(m.uid, m.n_uid));
	/* unprivileged: the caller itself */
	ck_assert_int_eq(ns_idmaps(c, false, &m, &err), 0);
	ck_assert_uint_eq(m.uid[0].outside, (uint32_t)geteuid());
	ck_assert_uint_eq(m.gid[0].outside, (uint32_t)getegid());
	ck_assert(m.deny_setgroups);

	/* a user that the map does not cover */
	ck_assert_int_eq(sbx_config_set_user(c, 1000, 1000, &err), 0);
	ck_assert_int_eq(sbx_config_add_uid_map(c, 0, 100000, 10, &err), 0);
	ck_assert_int_eq(ns_idmaps(c, true, &m, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "uid 1000 is not mapped"));
	/* an unprivileged caller may map only itself */
	ck_assert_int_eq(sbx_config_set_user(c, 0, 0, &err), 0);
	ck_assert_int_eq(ns_idmaps(c, false, &m, &err), -EPERM);
	ck_assert_ptr_nonnull(strstr(err.message, "only the caller's own uid"));
	sbx_config_free(c);
}
END_TEST

START_TEST(stdio_and_grants)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	int before = count_fds();
	sbx_config *c = sbx_config_new();
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_stdio(c, 3, SBX_STDIO_NULL, -1, &err), -EINVAL);
	ck_assert_int_eq(sbx_config_set_stdio(c, 0, 42, -1, &err), -EINVAL);
	ck_assert_int_eq(sbx_config_set_stdio(c, 0, SBX_STDIO_FD, 999, &err), -EBADF);
	ck_assert_int_eq(sbx_config_set_stdio(c, 0, SBX_STDIO_FD, fd, &err), 0);
	ck_assert_int_eq(count_fds(), before + 1); /* the config holds a dup */

	ck_assert_int_eq(sbx_config_grant_fd(c, fd, 2, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "0-2 are stdio"));
	ck_assert_int_eq(sbx_config_grant_fd(c, 12345, 5, &err), -EBADF);
	ck_assert_int_eq(sbx_config_grant_fd(c, fd, 5, &err), 0);
	ck_assert_int_eq(sbx_config_grant_fd(c, fd, 5, &err), 0); /* replaces */
	ck_assert_int_eq(sbx_config_grant_fd(c, fd, 6, &err), 0);
	ck_assert_uint_eq(c->n_grants, 2);
	ck_assert_int_eq(count_fds(), before + 3);
	/* the config's duplicates are close-on-exec */
	ck_assert_int_eq(fcntl(c->grants[0].fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	sbx_config_free(c);
	ck_assert_int_eq(count_fds(), before);
	close(fd);
}
END_TEST

START_TEST(errno_contract)
{
	sbx_config *c = sbx_config_new();
	sbx_error err;
	errno = 1234;
	ck_assert_int_eq(sbx_config_set_hostname(c, "ok", &err), 0);
	ck_assert_int_eq(errno, 1234); /* success leaves errno alone */
	ck_assert_int_eq(sbx_config_set_hostname(c, "", &err), -EINVAL);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(err.code, EINVAL);
	/* err may be NULL */
	ck_assert_int_eq(sbx_config_set_hostname(c, "", NULL), -EINVAL);
	ck_assert_int_eq(sbx_config_set_parent_death_signal(c, -1, &err), -EINVAL);
	ck_assert_int_eq(sbx_config_set_user(c, (uid_t)-1, 0, &err), -EINVAL);
	gid_t groups[SBX_GROUPS_MAX + 1] = {5, (gid_t)-1};
	ck_assert_int_eq(sbx_config_set_groups(c, groups, 2, &err), -EINVAL);
	ck_assert_int_eq(sbx_config_set_groups(c, groups, SBX_GROUPS_MAX + 1, &err), -E2BIG);
	ck_assert_int_eq(sbx_config_set_groups(c, NULL, 1, &err), -EINVAL);
	ck_assert_int_eq(sbx_config_set_rootfs_propagation(c, SBX_MNT_SHARED | SBX_MNT_SLAVE, &err),
			 -EINVAL);
	ck_assert_int_eq(sbx_config_set_rootfs_propagation(c, SBX_MNT_RDONLY, &err), -EINVAL);
	ck_assert_int_eq(
		sbx_config_set_rootfs_propagation(c, SBX_MNT_SHARED | SBX_MNT_RECURSIVE, &err), 0);
	sbx_device_node node = {.path = "/etc/x", .type = 'p'};
	ck_assert_int_eq(sbx_config_add_device_node(c, &node, &err), -EINVAL);
	node.path = "/dev/x";
	node.type = 'x';
	ck_assert_int_eq(sbx_config_add_device_node(c, &node, &err), -EINVAL);
	node.type = 'u';
	node.mode = 010000;
	ck_assert_int_eq(sbx_config_add_device_node(c, &node, &err), -EINVAL);
	/* NULL handles are errors, not crashes */
	ck_assert_int_eq(sbx_config_set_cwd(NULL, "/", &err), -EINVAL);
	sbx_config_free(NULL);
	sbx_proc *p = (sbx_proc *)0x1;
	ck_assert_int_eq(sbx_spawn(c, &p, &err), -EINVAL); /* no program set */
	ck_assert_ptr_null(p);
	ck_assert_ptr_nonnull(strstr(err.message, "no program"));
	sbx_config_free(c);
}
END_TEST

START_TEST(version_and_probe)
{
	char want[32];
	snprintf(want, sizeof(want), "%d.%d.%d", SBX_VERSION_MAJOR, SBX_VERSION_MINOR,
		 SBX_VERSION_PATCH);
	ck_assert_str_eq(sbx_version(), want);
	sbx_features f = {.size = 4};
	ck_assert_int_eq(sbx_probe(&f, NULL), -EINVAL);
	f.size = sizeof(f);
	ck_assert_int_eq(sbx_probe(&f, NULL), 0);
	ck_assert(f.namespaces & SBX_NS_USER);
	ck_assert(f.namespaces & SBX_NS_PID);
	ck_assert_int_ge(f.kernel_major, 5);
}
END_TEST

static size_t count_kind(const struct mount_plan *mp, enum mount_kind k)
{
	size_t n = 0;
	for (size_t i = 0; i < mp->n; i++)
		n += mp->ops[i].kind == k;
	return n;
}

static bool has_dst(const struct mount_plan *mp, const char *dst)
{
	for (size_t i = 0; i < mp->n; i++)
		if (mp->ops[i].dst && !strcmp(mp->ops[i].dst, dst))
			return true;
	return false;
}

START_TEST(mount_plan_shapes)
{
	struct mount_plan mp = {0};
	sbx_error err;
	sbx_config *c = sbx_config_new(); /* no root filesystem, no mounts */
	ck_assert_ptr_nonnull(c);
	/* user namespace: host mounts are locked, so nothing is detached */
	ck_assert_int_eq(mount_plan_build(&mp, c, SBX_NS_DEFAULT, true, false, &err), 0);
	ck_assert_uint_eq(count_kind(&mp, MOP_UMOUNT), 0);
	ck_assert_uint_eq(count_kind(&mp, MOP_PIVOT), 1);
	ck_assert_int_eq(mp.ops[mp.n - 1].kind, MOP_PIVOT); /* pivot last */
	ck_assert(has_dst(&mp, "proc") && has_dst(&mp, "sys") && has_dst(&mp, "tmp"));
	ck_assert(!has_dst(&mp, "proc/sys")); /* no host uid 0, no extra cover */
	for (size_t i = 0; i < mp.n; i++)
		ck_assert_ptr_nonnull(mp.ops[i].what);
	mount_plan_free(&mp);

	/* root without a user namespace, host uid 0: detach, and cover /proc/sys */
	ck_assert_int_eq(mount_plan_build(&mp, c, SBX_NS_DEFAULT & ~SBX_NS_USER, false, true, &err),
			 0);
	ck_assert_uint_eq(count_kind(&mp, MOP_UMOUNT), 4);
	ck_assert(has_dst(&mp, "proc/sys"));
	mount_plan_free(&mp);

	/* without pid and net namespaces the host's /proc and /sys stay (read-only) */
	ck_assert_int_eq(mount_plan_build(&mp, c, SBX_NS_MOUNT | SBX_NS_USER, true, false, &err),
			 0);
	ck_assert(!has_dst(&mp, "proc") && !has_dst(&mp, "sys"));
	ck_assert(has_dst(&mp, "dev/null") && has_dst(&mp, "tmp"));
	mount_plan_free(&mp);
	sbx_config_free(c);
}
END_TEST

/* Regression: releasing a child that died before reading the sync byte
 * used to write() to a pipe, raising SIGPIPE in the caller's process. The
 * channel is the one sbx_spawn uses. */
START_TEST(releasing_a_dead_child_raises_no_sigpipe)
{
	/* blocked, a raised SIGPIPE stays pending, whatever the disposition
	 * this process inherited */
	sigset_t pipe_only, pending;
	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &pipe_only, NULL), 0);
	sigpending(&pending);
	ck_assert(!sigismember(&pending, SIGPIPE));
	int sv[2];
	ck_assert_int_eq(spawn_sync_channel(sv), 0);
	close(sv[0]); /* the child's end: gone */
	ck_assert_int_eq(spawn_release_child(sv[1]), -EPIPE);
	sigpending(&pending);
	ck_assert_msg(!sigismember(&pending, SIGPIPE), "releasing the child raised SIGPIPE");
	close(sv[1]);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("conf");
	TCase *t = tcase_create("builder");
	tcase_add_checked_fixture(t, leak_setup, leak_teardown);
	tcase_add_test(t, defaults_deny);
	tcase_add_test(t, exec_validation);
	tcase_add_test(t, env_validation);
	tcase_add_test(t, cwd_hostname_namespaces);
	tcase_add_test(t, idmap_validation);
	tcase_add_test(t, default_idmaps);
	tcase_add_test(t, stdio_and_grants);
	tcase_add_test(t, errno_contract);
	tcase_add_test(t, version_and_probe);
	tcase_add_test(t, mount_plan_shapes);
	tcase_add_test(t, releasing_a_dead_child_raises_no_sigpipe);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
