/* Live tests of the sandbox's file system: a root filesystem, each mount
 * type, masked and read-only paths, and a hostile root filesystem whose
 * symlinks try to send mounts to the host. The workload is busybox (static)
 * in a root filesystem made for each test; what it sees is compared with
 * what the host has, and the host's mount table and files are checked to be
 * unchanged afterwards. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#define BUSYBOX "/bin/busybox"

static char rootfs[192];
static int host_mounts;

static int count_host_mounts(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	ck_assert_ptr_nonnull(f);
	int n = 0;
	for (int ch; (ch = fgetc(f)) != EOF;)
		n += ch == '\n';
	fclose(f);
	return n;
}

static void at_rootfs(char *out, size_t len, const char *rel)
{
	ck_assert_int_lt(snprintf(out, len, "%s/%s", rootfs, rel), (int)len);
}

static void put_file(const char *rel, const char *text)
{
	char path[320];
	at_rootfs(path, sizeof(path), rel);
	FILE *f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* The uid the sandbox's root is on the host: what owns the root filesystem,
 * as with any user-namespaced container. */
static uid_t sandbox_root_uid(void)
{
	return running_as_root() ? 65534 : geteuid();
}

/* A fresh root filesystem: busybox and the applets the tests use. */
static void rootfs_setup(void)
{
	leak_setup();
	host_mounts = count_host_mounts();
	test_mkdtemp(rootfs, sizeof(rootfs), "rootfs", false);
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/bin %s/etc %s/data && cp %s %s/bin/busybox", rootfs,
		 rootfs, rootfs, BUSYBOX, rootfs);
	ck_assert_int_eq(system(cmd), 0);
	static const char *const applets[] = {"sh",   "cat",  "ls",    "touch", "echo",
					      "stat", "grep", "mkdir", "test",	"readlink",
					      "id",   "wc",   "true"};
	for (size_t i = 0; i < sizeof(applets) / sizeof(*applets); i++) {
		char link[320];
		snprintf(link, sizeof(link), "%s/bin/%s", rootfs, applets[i]);
		ck_assert_int_eq(symlink("busybox", link), 0);
	}
	put_file("etc/marker", "inside the root filesystem\n");
	snprintf(cmd, sizeof(cmd), "chown -R %u:%u %s", (unsigned)sandbox_root_uid(),
		 (unsigned)sandbox_root_uid(), rootfs);
	ck_assert_int_eq(system(cmd), 0);
}

static void rootfs_teardown(void)
{
	ck_assert_int_eq(count_host_mounts(), host_mounts);
	leak_teardown();
}

static sbx_config *sh_config(const char *script)
{
	sbx_config *c = sbx_config_new();
	ck_assert_ptr_nonnull(c);
	sbx_error err;
	ck_assert_int_eq(
		sbx_config_set_exec(c, "/bin/sh", (const char *[]){"sh", "-c", script, NULL}, &err),
		0);
	ck_assert_msg(sbx_config_set_rootfs(c, rootfs, 0, &err) == 0, "%s", err.message);
	return c;
}

static void add_mount(sbx_config *c, int type, const char *src, const char *dst, unsigned flags,
		      const char *options)
{
	sbx_error err;
	sbx_mount m = {.size = sizeof(m),
		       .type = type,
		       .source = src,
		       .target = dst,
		       .flags = flags,
		       .options = options};
	ck_assert_msg(sbx_config_add_mount(c, &m, &err) == 0, "%s", err.message);
}

/* Runs cfg; its stdout, and status "ok". */
static char *run_ok(sbx_config *c)
{
	sbx_result r;
	char *out = run_capture(c, &r);
	ck_assert_msg(r.status == SBX_STATUS_OK, "status %s (exit %d), output:\n%s",
		      sbx_status_name(r.status), r.exit_code, out);
	return out;
}

/* The mountinfo line of mount point `at` inside, from `cat /proc/self/mountinfo`. */
static const char *mount_line(const char *out, const char *at)
{
	static char line[1024];
	char needle[256];
	snprintf(needle, sizeof(needle), " %s ", at);
	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t n = strcspn(l, "\n");
		if (n < sizeof(line)) {
			memcpy(line, l, n);
			line[n] = 0;
			/* field 5 is the mount point */
			char *p = line;
			for (int f = 0; f < 4 && p; f++)
				p = strchr(p + 1, ' ');
			if (p && !strncmp(p, needle, strlen(needle)))
				return line;
		}
	}
	return NULL;
}

START_TEST(root_filesystem_is_the_root)
{
	sbx_config *c = sh_config("cat /etc/marker; test -e /etc/debian_version && echo HOST-ROOT; "
				  "echo x > /dev/null && echo devnull=ok; "
				  "echo fd=$(readlink /dev/fd); ls /");
	char *out = run_ok(c);
	ck_assert_ptr_nonnull(strstr(out, "inside the root filesystem\n"));
	ck_assert_msg(!strstr(out, "HOST-ROOT"), "the host root is visible:\n%s", out);
	ck_assert_ptr_nonnull(strstr(out, "devnull=ok\n"));
	ck_assert_ptr_nonnull(strstr(out, "fd=/proc/self/fd\n"));
	free(out);
	sbx_config_free(c);
}
END_TEST

START_TEST(readonly_root)
{
	ck_assert_int_eq(chmod(rootfs, 0777), 0);
	const char *script = "touch /newfile 2>&1 && echo wrote";
	sbx_config *c = sh_config(script);
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_rootfs(c, rootfs, 1, &err), 0);
	char *out = run_capture(c, &(sbx_result){0});
	ck_assert_msg(strstr(out, "Read-only file system"), "%s", out);
	free(out);
	sbx_config_free(c);
	char path[320];
	at_rootfs(path, sizeof(path), "newfile");
	ck_assert_int_ne(access(path, F_OK), 0);

	/* shown to work without */
	c = sh_config(script);
	out = run_ok(c);
	ck_assert_ptr_nonnull(strstr(out, "wrote"));
	ck_assert_int_eq(access(path, F_OK), 0);
	free(out);
	sbx_config_free(c);
}
END_TEST

START_TEST(each_mount_type)
{
	char dir[160], file[192];
	test_mkdtemp(dir, sizeof(dir), "bindsrc", false);
	snprintf(file, sizeof(file), "%s/f", dir);
	FILE *f = fopen(file, "we");
	ck_assert_ptr_nonnull(f);
	fputs("bound file\n", f);
	fclose(f);

	sbx_config *c = sh_config("cat /proc/1/comm; cat /mnt/file; cat /ro/f; "
				  "touch /ro/new 2>&1; stat -c 'tmp=%a' /scratch; "
				  "ls /dev/pts; ls /sys/fs/cgroup | grep -c cgroup.procs; "
				  "cat /proc/self/mountinfo");
	add_mount(c, SBX_MOUNT_PROC, NULL, "/proc", SBX_MNT_NOSUID | SBX_MNT_NODEV | SBX_MNT_NOEXEC,
		  NULL);
	add_mount(c, SBX_MOUNT_SYSFS, NULL, "/sys", SBX_MNT_RDONLY | SBX_MNT_NOSUID, NULL);
	add_mount(c, SBX_MOUNT_CGROUP, NULL, "/sys/fs/cgroup", SBX_MNT_RDONLY, NULL);
	add_mount(c, SBX_MOUNT_TMPFS, NULL, "/dev", SBX_MNT_NOSUID, "mode=755,size=64k");
	add_mount(c, SBX_MOUNT_DEVPTS, NULL, "/dev/pts", SBX_MNT_NOSUID | SBX_MNT_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=0620");
	add_mount(c, SBX_MOUNT_TMPFS, NULL, "/dev/shm", SBX_MNT_NOSUID | SBX_MNT_NODEV,
		  "mode=1777");
	add_mount(c, SBX_MOUNT_MQUEUE, NULL, "/dev/mqueue", SBX_MNT_NOSUID, NULL);
	add_mount(c, SBX_MOUNT_TMPFS, NULL, "/scratch", 0, "mode=1777,size=1m");
	add_mount(c, SBX_MOUNT_BIND, file, "/mnt/file", 0, NULL);
	add_mount(c, SBX_MOUNT_BIND, dir, "/ro", SBX_MNT_RDONLY | SBX_MNT_RECURSIVE, NULL);
	char *out = run_ok(c);
	ck_assert_msg(!strncmp(out, "sh\nbound file\nbound file\n", 24), "%s", out);
	ck_assert_msg(strstr(out, "Read-only file system"), "/ro is writable:\n%s", out);
	ck_assert_ptr_nonnull(strstr(out, "tmp=1777\n"));
	ck_assert_ptr_nonnull(strstr(out, "ptmx\n"));
	static const char *const want[][2] = {
		{"/proc", " - proc "},
		{"/sys", " - sysfs "},
		{"/sys/fs/cgroup", " - cgroup2 "},
		{"/dev", " - tmpfs "},
		{"/dev/pts", " - devpts "},
		{"/dev/shm", " - tmpfs "},
		{"/dev/mqueue", " - mqueue "},
		{"/scratch", " - tmpfs "},
		{"/mnt/file", ""},
		{"/ro", ""},
		{"/dev/null", ""},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++) {
		const char *l = mount_line(out, want[i][0]);
		ck_assert_msg(l, "no mount on %s:\n%s", want[i][0], out);
		ck_assert_msg(strstr(l, want[i][1]), "%s is not %s: %s", want[i][0], want[i][1], l);
	}
	ck_assert_ptr_nonnull(strstr(mount_line(out, "/ro"), " ro,"));
	ck_assert_ptr_nonnull(strstr(mount_line(out, "/sys"), " ro,"));
	ck_assert_ptr_nonnull(strstr(mount_line(out, "/scratch"), "size=1024k"));
	/* the targets were made inside the root filesystem, owned by its root */
	char path[320];
	at_rootfs(path, sizeof(path), "mnt/file");
	ck_assert_int_eq(access(path, F_OK), 0);
	free(out);
	sbx_config_free(c);
	unlink(file);
	rmdir(dir);
}
END_TEST

START_TEST(masked_and_readonly_paths)
{
	ck_assert_int_eq(chmod(rootfs, 0777), 0);
	put_file("data/secret", "SECRET\n");
	put_file("etc/hidden", "HIDDEN\n");
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "chmod 777 %s/data && chown %u %s/data/secret", rootfs,
		 (unsigned)sandbox_root_uid(), rootfs);
	ck_assert_int_eq(system(cmd), 0);
	sbx_config *c = sh_config("cat /etc/hidden; echo hidden-done; ls /data; echo data-done; "
				  "touch /data/new 2>&1; touch /etc/new && echo etc-writable; "
				  "cat /proc/cpuinfo | wc -c; cat /proc/version | wc -c");
	add_mount(c, SBX_MOUNT_PROC, NULL, "/proc", 0, NULL);
	sbx_error err;
	ck_assert_int_eq(sbx_config_mask_path(c, "/etc/hidden", &err), 0);
	ck_assert_int_eq(sbx_config_mask_path(c, "/data", &err), 0);
	ck_assert_int_eq(sbx_config_mask_path(c, "/proc/cpuinfo", &err), 0);
	ck_assert_int_eq(sbx_config_mask_path(c, "/no/such/path", &err), 0);
	ck_assert_int_eq(sbx_config_readonly_path(c, "/etc", &err), 0);
	ck_assert_int_eq(sbx_config_readonly_path(c, "/no/such/dir", &err), 0);
	char *out = run_capture(c, &(sbx_result){0});
	ck_assert_msg(!strncmp(out, "hidden-done\ndata-done\n", 22), "masks failed:\n%s", out);
	ck_assert_msg(strstr(out, "Read-only file system"), "the masked /data is writable:\n%s",
		      out);
	/* a masked /proc file reads empty, an unmasked one does not */
	const char *n = strstr(out, "\n0\n");
	ck_assert_msg(n && atoi(n + 3) > 0, "/proc/cpuinfo is readable:\n%s", out);
	ck_assert_msg(!strstr(out, "SECRET") && !strstr(out, "HIDDEN"), "%s", out);
	ck_assert_msg(!strstr(out, "etc-writable"), "/etc is writable:\n%s", out);
	free(out);
	sbx_config_free(c);
	/* the files themselves are untouched */
	char path[320];
	at_rootfs(path, sizeof(path), "data/secret");
	ck_assert_int_eq(access(path, R_OK), 0);
}
END_TEST

/* A hostile root filesystem: symlinks, absolute and relative, aimed at the
 * host. Every mount and mask must land inside the root filesystem. */
START_TEST(symlinks_cannot_send_mounts_to_the_host)
{
	char name[64], host_path[128], cmd[1200];
	snprintf(name, sizeof(name), "sbx-escape-%d", (int)getpid());
	snprintf(host_path, sizeof(host_path), "/etc/%s", name);
	char link[320];
	at_rootfs(link, sizeof(link), "abs");
	ck_assert_int_eq(symlink("/etc", link), 0);
	at_rootfs(link, sizeof(link), "rel");
	ck_assert_int_eq(symlink("../../../../../../../../etc", link), 0);
	snprintf(cmd, sizeof(cmd), "chown -h %u %s/abs %s/rel", (unsigned)sandbox_root_uid(),
		 rootfs, rootfs);
	ck_assert_int_eq(system(cmd), 0);

	char t1[160], t2[160];
	snprintf(t1, sizeof(t1), "/abs/%s", name);
	snprintf(t2, sizeof(t2), "/rel/%s-2", name);
	sbx_config *c = sh_config("cat /abs/marker /rel/marker");
	add_mount(c, SBX_MOUNT_TMPFS, NULL, t1, 0, NULL);
	add_mount(c, SBX_MOUNT_TMPFS, NULL, t2, 0, NULL);
	sbx_error err;
	ck_assert_int_eq(sbx_config_mask_path(c, "/abs/hostname", &err), 0);
	char *out = run_ok(c);
	ck_assert_str_eq(out, "inside the root filesystem\ninside the root filesystem\n");
	free(out);
	sbx_config_free(c);
	ck_assert_msg(access(host_path, F_OK) < 0, "%s was made on the host", host_path);
	char inside[320];
	at_rootfs(inside, sizeof(inside), "etc");
	snprintf(cmd, sizeof(cmd), "test -d %s/%s && test -d %s/%s-2", inside, name, inside, name);
	ck_assert_msg(system(cmd) == 0, "the targets were not made inside the root filesystem");

	/* /proc as a symlink would move procfs and its masks: refused */
	char proc[320];
	at_rootfs(proc, sizeof(proc), "proc");
	ck_assert_int_eq(symlink("data", proc), 0);
	c = sh_config("true");
	add_mount(c, SBX_MOUNT_PROC, NULL, "/proc", 0, NULL);
	sbx_proc *p = NULL;
	ck_assert_int_lt(sbx_spawn(c, &p, &err), 0);
	ck_assert_msg(strstr(err.message, "mounts[0]: mount proc on /proc") &&
			      strstr(err.message, "symbolic links"),
		      "%s", err.message);
	sbx_config_free(c);
}
END_TEST

/* linux.devices in a hostile root filesystem: its /dev a symlink that
 * climbs out; the node is made inside it all the same */
START_TEST(device_nodes_stay_in_a_hostile_root)
{
	char name[64], host_path[128], link[320], cmd[1200];
	snprintf(name, sizeof(name), "sbx-fifo-%d", (int)getpid());
	snprintf(host_path, sizeof(host_path), "/tmp/%s", name);
	at_rootfs(link, sizeof(link), "dev");
	ck_assert_int_eq(symlink("../../../../../../../../tmp", link), 0);
	snprintf(cmd, sizeof(cmd), "mkdir %s/tmp && chown -h %u %s/dev %s/tmp", rootfs,
		 (unsigned)sandbox_root_uid(), rootfs, rootfs);
	ck_assert_int_eq(system(cmd), 0);
	char script[200];
	snprintf(script, sizeof(script), "stat -c '%%F %%a' /dev/%s", name);
	sbx_config *c = sh_config(script);
	char path[100];
	snprintf(path, sizeof(path), "/dev/%s", name);
	sbx_device_node fifo = {.path = path, .type = 'p', .mode = 0620};
	sbx_error err;
	ck_assert_int_eq(sbx_config_add_device_node(c, &fifo, &err), 0);
	char *out = run_ok(c);
	ck_assert_str_eq(out, "fifo 620\n");
	free(out);
	sbx_config_free(c);
	ck_assert_msg(access(host_path, F_OK) < 0, "%s was made on the host", host_path);
	char inside[320];
	at_rootfs(inside, sizeof(inside), "tmp");
	snprintf(cmd, sizeof(cmd), "test -p %s/%s", inside, name);
	ck_assert_msg(system(cmd) == 0, "the FIFO was not made inside the root filesystem");
}
END_TEST

START_TEST(bad_settings_are_named)
{
	sbx_config *c = sh_config("true");
	sbx_error err;
	sbx_mount m = {.size = sizeof(m),
		       .type = SBX_MOUNT_BIND,
		       .source = "/no/such/source",
		       .target = "/mnt"};
	ck_assert_int_eq(sbx_config_add_mount(c, &m, &err), -ENOENT);
	ck_assert_msg(strstr(err.message, "mounts[0]: bind source \"/no/such/source\""), "%s",
		      err.message);
	m = (sbx_mount){.size = sizeof(m), .type = SBX_MOUNT_TMPFS, .target = "mnt"};
	ck_assert_int_eq(sbx_config_add_mount(c, &m, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "must be an absolute path"));
	m.target = "/mnt/../etc";
	ck_assert_int_eq(sbx_config_add_mount(c, &m, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "\"..\""));
	m.target = "/mnt";
	m.options = "size=1m,,mode=1777";
	ck_assert_int_eq(sbx_config_add_mount(c, &m, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "expected key or key=value"));
	m.options = "size=banana";
	ck_assert_int_eq(sbx_config_add_mount(c, &m, &err), 0);
	/* the kernel's verdict on an option comes at spawn, named */
	sbx_proc *p = NULL;
	ck_assert_int_lt(sbx_spawn(c, &p, &err), 0);
	ck_assert_msg(strstr(err.message, "mounts[0]: mount tmpfs -o size=banana on /mnt"), "%s",
		      err.message);
	ck_assert_int_eq(sbx_config_set_rootfs(c, "/no/such/root", 0, &err), -ENOENT);
	ck_assert_int_eq(sbx_config_set_rootfs(c, "/etc/passwd", 0, &err), -ENOTDIR);
	ck_assert_int_eq(sbx_config_mask_path(c, "relative", &err), -EINVAL);
	ck_assert_int_eq(sbx_config_readonly_path(c, "/", &err), -EINVAL);
	sbx_config_free(c);

	c = sh_config("true");
	ck_assert_int_eq(sbx_config_set_namespaces(c, SBX_NS_DEFAULT & ~SBX_NS_MOUNT, &err), 0);
	ck_assert_int_eq(sbx_spawn(c, &p, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "new mount namespace"));
	sbx_config_free(c);
}
END_TEST

/* Without a root filesystem mounts go on the host root's read-only copy,
 * where nothing is created. */
START_TEST(mounts_on_the_host_root)
{
	char dir[160];
	test_mkdtemp(dir, sizeof(dir), "bindsrc", false);
	sbx_config *c = probe_config((const char *const[]){"exit", "0", NULL});
	sbx_error err;
	add_mount(c, SBX_MOUNT_BIND, dir, "/mnt", 0, NULL);
	add_mount(c, SBX_MOUNT_TMPFS, NULL, "/srv", SBX_MNT_RDONLY, "size=4k");
	sbx_result r;
	free(run_capture(c, &r));
	ck_assert_str_eq(sbx_status_name(r.status), "ok");
	sbx_config_free(c);

	c = probe_config((const char *const[]){"exit", "0", NULL});
	add_mount(c, SBX_MOUNT_TMPFS, NULL, "/no-such-dir-on-the-host", 0, NULL);
	sbx_proc *p = NULL;
	ck_assert_int_lt(sbx_spawn(c, &p, &err), 0);
	ck_assert_msg(strstr(err.message, "mounts[0]") && strstr(err.message, "No such file"), "%s",
		      err.message);
	ck_assert_int_ne(access("/no-such-dir-on-the-host", F_OK), 0);
	sbx_config_free(c);
	rmdir(dir);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("rootfs");
	TCase *t = tcase_create("rootfs");
	tcase_add_checked_fixture(t, rootfs_setup, rootfs_teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, root_filesystem_is_the_root);
	tcase_add_test(t, readonly_root);
	tcase_add_test(t, each_mount_type);
	tcase_add_test(t, masked_and_readonly_paths);
	tcase_add_test(t, symlinks_cannot_send_mounts_to_the_host);
	tcase_add_test(t, device_nodes_stay_in_a_hostile_root);
	tcase_add_test(t, bad_settings_are_named);
	tcase_add_test(t, mounts_on_the_host_root);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	skip_all_unless_sandboxes_work();
	return run_suite(suite());
}
