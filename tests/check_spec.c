/* Unit tests: spec.json -> configuration. Every bad spec gets an error that
 * names the JSON path and says what was expected. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "conf.h"
#include "filter.h"
#include "spec.h"
#include "vmspec.h"
#include "testutil.h"

/* Loads json, which must fail with `code` and a message that starts with
 * `start` (all of it, with `whole`). */
static void expect_failure(const char *json, int code, const char *start, bool whole)
{
	struct spec s;
	sbx_error err;
	int r = spec_load_string(json, "spec.json", NULL, &s, &err);
	ck_assert_msg(r == -code, "expected -%d for %s, got %d (%s)", code, json, r,
		      r ? err.message : "accepted");
	ck_assert_ptr_null(s.cfg);
	if (whole)
		ck_assert_str_eq(err.message, start);
	else
		ck_assert_msg(!strncmp(err.message, start, strlen(start)),
			      "got \"%s\", want \"%s...\"", err.message, start);
	ck_assert_int_eq(err.stage, SBX_STAGE_CONFIG);
}

static void expect_error(const char *json, int code, const char *message)
{
	expect_failure(json, code, message, true);
}

/* For messages whose tail comes from elsewhere (the policy compiler). */
static void expect_error_start(const char *json, int code, const char *start)
{
	expect_failure(json, code, start, false);
}

static sbx_config *load_ok(const char *json, struct spec *s)
{
	sbx_error err;
	int r = spec_load_string(json, "spec.json", NULL, s, &err);
	ck_assert_msg(r == 0, "rejected %s: %s", json, err.message);
	return s->cfg;
}

START_TEST(minimal_spec)
{
	struct spec s;
	sbx_config *c = load_ok("{\"process\": {\"args\": [\"/bin/true\"]}}", &s);
	ck_assert_str_eq(c->argv[0], "/bin/true");
	ck_assert_uint_eq(sbx_config_get_namespaces(c), SBX_NS_DEFAULT); /* deny by default */
	ck_assert_str_eq(c->cwd, "/");
	ck_assert_uint_eq(c->envc, 0);
	spec_free(&s);
}
END_TEST

START_TEST(full_first_slice)
{
	struct spec s;
	sbx_config *c = load_ok(
		"{\"ociVersion\": \"1.2.0\", \"hostname\": \"h1\","
		" \"annotations\": {\"x\": \"y\"}, \"someFutureField\": [1, 2],"
		" \"mounts\": [], \"process\": {\"args\": [\"sh\", \"-c\", \"exit 3\"],"
		"   \"env\": [\"PATH=/bin\", \"A=b=c\"], \"cwd\": \"/etc\", \"terminal\": false,"
		"   \"rlimits\": [], \"user\": {\"uid\": 5, \"gid\": 6}},"
		" \"linux\": {\"namespaces\": [{\"type\": \"user\"}, {\"type\": \"uts\"},"
		"   {\"type\": \"pid\", \"path\": \"\"}, {\"type\": \"time\"}],"
		"   \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 10}],"
		"   \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 10}],"
		"   \"seccomp\": null},"
		" \"sandbox\": {\"backend\": \"namespaces\"}}",
		&s);
	ck_assert_str_eq(c->argv[2], "exit 3");
	ck_assert_uint_eq(c->envc, 2);
	ck_assert_str_eq(c->envp[1], "A=b=c");
	ck_assert_str_eq(c->cwd, "/etc");
	ck_assert_str_eq(c->hostname, "h1");
	ck_assert_uint_eq(sbx_config_get_namespaces(c),
			  SBX_NS_USER | SBX_NS_UTS | SBX_NS_PID | SBX_NS_TIME);
	ck_assert(c->user_set);
	ck_assert_uint_eq(c->uid, 5);
	ck_assert_uint_eq(c->gid, 6);
	ck_assert_uint_eq(c->n_uid_map, 1);
	ck_assert_uint_eq(c->uid_map[0].outside, 1000);
	ck_assert_uint_eq(c->gid_map[0].count, 10);
	spec_free(&s);

	/* an empty list means: share every namespace */
	c = load_ok("{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"namespaces\": []}}", &s);
	ck_assert_uint_eq(sbx_config_get_namespaces(c), 0);
	spec_free(&s);
}
END_TEST

START_TEST(malformed_json)
{
	expect_error("{\"process\": {\"args\": [\"x\"]},}", EINVAL,
		     "spec.json:1:29: invalid JSON: string or '}' expected near '}'");
	expect_error("{\"process\": {\"args\": [\"a\"], \"args\": [\"b\"]}}", EINVAL,
		     "spec.json:1:34: invalid JSON: duplicate object key near '\"args\"'");
	expect_error("[1]", EINVAL,
		     "spec.json: expected a JSON object at the top level, got an array");
}
END_TEST

START_TEST(process_errors_name_the_path)
{
	expect_error("{}", EINVAL,
		     "spec.json: process: required: an object with at least \"args\"");
	expect_error("{\"process\": []}", EINVAL,
		     "spec.json: process: expected an object, got an array");
	expect_error("{\"process\": {}}", EINVAL,
		     "spec.json: process.args: required: a non-empty array of strings (the program "
		     "and its arguments)");
	expect_error("{\"process\": {\"args\": []}}", EINVAL,
		     "spec.json: process.args: required: a non-empty array of strings (the program "
		     "and its arguments)");
	expect_error("{\"process\": {\"args\": \"/bin/true\"}}", EINVAL,
		     "spec.json: process.args: expected an array of strings, got \"/bin/true\"");
	expect_error("{\"process\": {\"args\": [\"/bin/sh\", 42]}}", EINVAL,
		     "spec.json: process.args[1]: expected a string, got 42");
	expect_error("{\"process\": {\"args\": [\"\"]}}", EINVAL,
		     "spec.json: process.args[0]: expected the program to run, got \"\"");
	expect_error("{\"process\": {\"args\": [\"x\"], \"env\": [\"A=1\", \"B\"]}}", EINVAL,
		     "spec.json: process.env[1]: expected a \"NAME=value\" string, got \"B\"");
	expect_error("{\"process\": {\"args\": [\"x\"], \"env\": [\"=1\"]}}", EINVAL,
		     "spec.json: process.env[0]: expected a \"NAME=value\" string, got \"=1\"");
	expect_error("{\"process\": {\"args\": [\"x\"], \"cwd\": \"tmp\"}}", EINVAL,
		     "spec.json: process.cwd: expected an absolute path, got \"tmp\"");
	expect_error("{\"process\": {\"args\": [\"x\"], \"cwd\": 7}}", EINVAL,
		     "spec.json: process.cwd: expected an absolute path, got 7");
	expect_error("{\"process\": {\"args\": [\"x\"], \"terminal\": \"yes\"}}", EINVAL,
		     "spec.json: process.terminal: expected true or false, got \"yes\"");
	expect_error("{\"process\": {\"args\": [\"x\"], \"user\": {\"uid\": -1, \"gid\": 0}}}",
		     EINVAL,
		     "spec.json: process.user.uid: expected an integer 0-4294967294, got -1");
	expect_error("{\"process\": {\"args\": [\"x\"], \"user\": {\"uid\": 0}}}", EINVAL,
		     "spec.json: process.user.gid: required (an integer 0-4294967294)");
}
END_TEST

START_TEST(linux_errors_name_the_path)
{
	expect_error(
		"{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"namespaces\": "
		"[{\"type\": \"pid\"}, {\"type\": \"pids\"}]}}",
		EINVAL,
		"spec.json: linux.namespaces[1].type: expected one of pid, network, mount, ipc, "
		"uts, user, cgroup, time, got \"pids\"");
	expect_error("{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"namespaces\": "
		     "[{\"type\": \"pid\"}, {\"type\": \"pid\"}]}}",
		     EINVAL, "spec.json: linux.namespaces[1].type: \"pid\" is listed twice");
	expect_error(
		"{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"namespaces\": [\"pid\"]}}",
		EINVAL,
		"spec.json: linux.namespaces[0]: expected an object such as {\"type\": \"pid\"}, "
		"got \"pid\"");
	expect_error(
		"{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"namespaces\": [{}]}}", EINVAL,
		"spec.json: linux.namespaces[0].type: required: one of pid, network, mount, ipc, "
		"uts, user, cgroup, time");
	expect_error(
		"{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"namespaces\": "
		"[{\"type\": \"net\", \"path\": \"/proc/1/ns/net\"}]}}",
		EINVAL,
		"spec.json: linux.namespaces[0].type: expected one of pid, network, mount, ipc, "
		"uts, user, cgroup, time, got \"net\"");
	expect_error("{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"namespaces\": "
		     "[{\"type\": \"network\", \"path\": \"/proc/self/ns/uts\"}]}}",
		     EINVAL,
		     "spec.json: linux.namespaces[0].path: /proc/self/ns/uts is not a network "
		     "namespace");
	expect_error("{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"namespaces\": "
		     "[{\"type\": \"mount\", \"path\": \"/proc/self/ns/mnt\"}]}}",
		     EINVAL,
		     "spec.json: linux.namespaces[0].path: only network, ipc, uts and cgroup "
		     "namespaces can be joined by path");
	expect_error("{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"uidMappings\": "
		     "[{\"containerID\": 0, \"hostID\": 1, \"size\": 0}]}}",
		     EINVAL, "spec.json: linux.uidMappings[0]: count must be at least 1");
	expect_error("{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"gidMappings\": "
		     "[{\"containerID\": 0, \"size\": 1}]}}",
		     EINVAL,
		     "spec.json: linux.gidMappings[0].hostID: required (an integer 0-4294967294)");
	expect_error("{\"process\": {\"args\": [\"x\"]}, \"linux\": 3}", EINVAL,
		     "spec.json: linux: expected an object, got 3");
}
END_TEST

START_TEST(hostname_errors)
{
	expect_error("{\"process\": {\"args\": [\"x\"]}, \"hostname\": \"h\", \"linux\": "
		     "{\"namespaces\": [{\"type\": \"pid\"}]}}",
		     EINVAL,
		     "spec.json: hostname: needs a new uts namespace (add {\"type\": \"uts\"} to "
		     "linux.namespaces)");
	expect_error("{\"process\": {\"args\": [\"x\"]}, \"hostname\": "
		     "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
		     ENAMETOOLONG, "spec.json: hostname: 65 bytes, at most 64 allowed");
	expect_error("{\"process\": {\"args\": [\"x\"]}, \"hostname\": false}", EINVAL,
		     "spec.json: hostname: expected a name, got false");
	expect_error("{\"process\": {\"args\": [\"x\"]}, \"domainname\": \"d\", \"linux\": "
		     "{\"namespaces\": [{\"type\": \"user\"}]}}",
		     EINVAL,
		     "spec.json: domainname: needs a new uts namespace (add {\"type\": \"uts\"} "
		     "to linux.namespaces)");
	expect_error("{\"process\": {\"args\": [\"x\"]}, \"domainname\": \"\"}", EINVAL,
		     "spec.json: domainname: must not be empty");
	expect_error("{\"process\": {\"args\": [\"x\"], \"user\": {\"uid\": 0, \"gid\": 0, "
		     "\"umask\": 512}}}",
		     EINVAL, "spec.json: process.user.umask: expected an integer 0-511, got 512");
	expect_error("{\"process\": {\"args\": [\"x\"], \"oomScoreAdj\": -1001}}", EINVAL,
		     "spec.json: process.oomScoreAdj: expected an integer -1000-1000, got -1001");
	expect_error("{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"sysctl\": "
		     "{\"net.ipv4.ip_forward\": 1}}}",
		     EINVAL,
		     "spec.json: linux.sysctl.net.ipv4.ip_forward: expected a string value, got 1");
	expect_error("{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"sysctl\": "
		     "{\"net/../x\": \"1\"}}}",
		     EINVAL,
		     "spec.json: linux.sysctl.net/../x: expected a dotted name such as "
		     "net.ipv4.ip_forward");
}
END_TEST

START_TEST(unsupported_fields_are_errors_not_silence)
{
	/* raw cgroup settings asked for and not set would run the program
	 * otherwise than the spec says: refuse */
	expect_error(
		"{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"resources\": "
		"{\"unified\": {\"memory.high\": \"1M\"}}}}",
		ENOTSUP,
		"spec.json: linux.resources.unified: raw cgroup v2 settings are not supported yet");
	expect_error("{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"timeOffsets\": "
		     "{\"monotonic\": {\"secs\": 10}}}}",
		     EINVAL,
		     "spec.json: linux.timeOffsets: needs a new time namespace (add {\"type\": "
		     "\"time\"} to linux.namespaces)");
	expect_error("{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"timeOffsets\": "
		     "{\"realtime\": {\"secs\": 10}}}}",
		     EINVAL,
		     "spec.json: linux.timeOffsets.realtime: unknown clock: monotonic or boottime");
	expect_error(
		"{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"timeOffsets\": "
		"{\"boottime\": {\"nanosecs\": -1}}}}",
		EINVAL,
		"spec.json: linux.timeOffsets.boottime.nanosecs: expected an integer 0-999999999, "
		"got -1");
	expect_error("{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"personality\": "
		     "{\"domain\": \"LINUX32\", \"flags\": [\"ADDR_NO_RANDOMIZE\"]}}}",
		     ENOTSUP,
		     "spec.json: linux.personality.flags: personality flags are not supported");
	expect_error(
		"{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"personality\": "
		"{\"domain\": \"SVR4\"}}}",
		EINVAL,
		"spec.json: linux.personality.domain: expected LINUX or LINUX32, got \"SVR4\"");
	/* groups: each an id, at most SBX_GROUPS_MAX */
	expect_error("{\"process\": {\"args\": [\"x\"], \"user\": {\"uid\": 0, \"gid\": 0, "
		     "\"additionalGids\": [10, \"wheel\"]}}}",
		     EINVAL,
		     "spec.json: process.user.additionalGids[1]: expected an integer 0-4294967294, "
		     "got \"wheel\"");
	expect_error(
		"{\"process\": {\"args\": [\"x\"], \"user\": {\"uid\": 0, \"gid\": 0, "
		"\"additionalGids\": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,"
		"24,25,26,27,28,29,30,31,32,33]}}}",
		E2BIG, "spec.json: process.user.additionalGids: 33 groups, at most 32");
	expect_error("{\"process\": {\"args\": [\"x\"]}, \"hooks\": {\"poststart\": "
		     "[{\"path\": \"/bin/true\", \"timeout\": 0}]}}",
		     EINVAL,
		     "spec.json: hooks.poststart[0].timeout: expected an integer 1-86400, got 0");
	/* empty values ask for nothing and are fine */
	struct spec s;
	load_ok("{\"process\": {\"args\": [\"x\"], \"capabilities\": {\"bounding\": [], "
		"\"effective\": []}}, \"linux\": {\"sysctl\": {}, \"resources\": {}}}",
		&s);
	spec_free(&s);
}
END_TEST

#define P "{\"process\": {\"args\": [\"x\"]}, "

START_TEST(filesystem_errors_name_the_path)
{
	expect_error(
		P "\"linux\": {\"rootfsPropagation\": 1}}", EINVAL,
		"spec.json: linux.rootfsPropagation: expected one of private, rprivate, slave, "
		"rslave, shared, rshared, unbindable, runbindable, got 1");
	expect_error(P "\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"q\"}]}}",
		     EINVAL,
		     "spec.json: linux.devices[0].type: expected one of c, b, u, p, got \"q\"");
	expect_error(
		P "\"linux\": {\"devices\": [{\"type\": \"p\"}]}}", EINVAL,
		"spec.json: linux.devices[0].path: required: the device's path inside, beneath "
		"/dev");
	expect_error(P "\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"p\", "
		       "\"fileMode\": 4096}]}}",
		     EINVAL,
		     "spec.json: linux.devices[0].fileMode: expected an integer 0-4095, got 4096");
	expect_error(P
		     "\"linux\": {\"devices\": [{\"path\": \"/dev/../etc/x\", \"type\": \"p\"}]}}",
		     EINVAL, "spec.json: linux.devices[0]: must not contain \"..\"");
	expect_error(P "\"root\": {\"path\": \"\"}}", EINVAL,
		     "spec.json: root.path: required: the root filesystem's directory, relative "
		     "to the bundle or absolute");
	expect_error_start(P "\"root\": {\"path\": \"/no/such/rootfs\"}}", ENOENT,
			   "spec.json: root.path: /no/such/rootfs");
	expect_error(P "\"root\": {\"path\": \"/etc/passwd\"}}", ENOTDIR,
		     "spec.json: root.path: /etc/passwd: not a directory");
	expect_error(P "\"mounts\": [{\"type\": \"tmpfs\"}]}", EINVAL,
		     "spec.json: mounts[0].destination: required: where to mount, an absolute "
		     "path");
	expect_error(
		P "\"mounts\": [{\"destination\": \"/t\", \"type\": \"nfs\"}]}", EINVAL,
		"spec.json: mounts[0].type: expected bind, tmpfs, proc, sysfs, devpts, mqueue, "
		"cgroup or cgroup2 (or \"bind\"/\"rbind\" in the options), got \"nfs\"");
	expect_error_start(P "\"mounts\": [{\"destination\": \"/t\", \"type\": \"tmpfs\"}, "
			     "{\"destination\": \"/u\", \"type\": \"tmpfs\", \"options\": "
			     "[\"nosuid\", \"sync\"]}]}",
			   EINVAL,
			   "spec.json: mounts[1].options[1]: unknown or unsupported mount option "
			   "\"sync\"");
	expect_error(P "\"mounts\": [{\"destination\": \"t\", \"type\": \"tmpfs\"}]}", EINVAL,
		     "spec.json: mounts[0].destination: destination \"t\" must be an absolute "
		     "path");
	expect_error_start(P "\"mounts\": [{\"destination\": \"/t\", \"type\": \"bind\", "
			     "\"source\": \"/no/such/dir\"}]}",
			   ENOENT, "spec.json: mounts[0].source: bind source \"/no/such/dir\"");
	expect_error(P "\"mounts\": [{\"destination\": \"/t\", \"source\": \"/tmp\", "
		       "\"options\": [\"rbind\", \"size=1m\"]}]}",
		     EINVAL,
		     "spec.json: mounts[0].options: a bind mount takes flags only, not "
		     "file-system options (\"size=1m\")");
	expect_error(P "\"linux\": {\"maskedPaths\": [\"/proc/kcore\", \"proc/keys\"]}}", EINVAL,
		     "spec.json: linux.maskedPaths[1]: expected an absolute path, got "
		     "\"proc/keys\"");
	expect_error(P "\"linux\": {\"readonlyPaths\": [\"/a/../b\"]}}", EINVAL,
		     "spec.json: linux.readonlyPaths[0]: must not contain \"..\"");
}
END_TEST

START_TEST(filesystem_spec)
{
	struct spec s;
	sbx_config *c = load_ok(
		P "\"root\": {\"path\": \"/tmp\", \"readonly\": true}, \"mounts\": ["
		  "{\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", "
		  "\"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},"
		  "{\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"options\": "
		  "[\"newinstance\", \"ptmxmode=0666\"]},"
		  "{\"destination\": \"/etc/hosts\", \"type\": \"none\", \"source\": "
		  "\"/etc/hosts\", \"options\": [\"rbind\", \"rprivate\", \"ro\"]}],"
		  "\"linux\": {\"maskedPaths\": [\"/proc/kcore\"], \"readonlyPaths\": "
		  "[\"/proc/sys\"]}}",
		&s);
	ck_assert_str_eq(c->rootfs, "/tmp");
	ck_assert(c->rootfs_readonly);
	ck_assert_uint_eq(c->n_mounts, 3);
	ck_assert_int_eq(c->mounts[0].type, SBX_MOUNT_TMPFS);
	ck_assert_str_eq(c->mounts[0].target, "dev");
	ck_assert_uint_eq(c->mounts[0].flags, SBX_MNT_NOSUID);
	ck_assert_str_eq(c->mounts[0].options_text, "mode=755,size=65536k");
	ck_assert_str_eq(c->mounts[1].options_text, "newinstance,ptmxmode=0666");
	ck_assert_ptr_null(c->mounts[1].options[1]); /* a flag: no value */
	ck_assert_int_eq(c->mounts[2].type, SBX_MOUNT_BIND);
	ck_assert_uint_eq(c->mounts[2].flags, SBX_MNT_RECURSIVE | SBX_MNT_PRIVATE | SBX_MNT_RDONLY);
	ck_assert(c->mounts[2].file);
	ck_assert_str_eq(c->masked[0], "proc/kcore");
	ck_assert_str_eq(c->readonly[0], "proc/sys");
	spec_free(&s);
}
END_TEST

START_TEST(sandbox_object_is_strict)
{
	expect_error(
		"{\"process\": {\"args\": [\"x\"]}, \"sandbox\": {\"limts\": {}}}", EINVAL,
		"spec.json: sandbox.limts: unknown field (known here: backend, capability_mode, grants, "
		"limits, policy, report, vm)");
	expect_error("{\"process\": {\"args\": [\"x\"]}, \"sandbox\": {\"backend\": \"docker\"}}",
		     EINVAL,
		     "spec.json: sandbox.backend: expected \"namespaces\" or \"vm\", got "
		     "\"docker\"");
}
END_TEST

START_TEST(vm_backend_takes_what_it_honours_and_refuses_the_rest)
{
	struct spec s;
	load_ok("{\"process\": {\"args\": [\"/bin/sh\", \"-c\", \"exit 3\"], \"env\": [\"A=1\"],"
		" \"cwd\": \"/tmp\"}, \"root\": {\"path\": \"/\"},"
		" \"sandbox\": {\"backend\": \"vm\", \"limits\": {\"wall_time_ms\": 5000},"
		" \"vm\": {\"kernel\": \"/boot/k\", \"memory_mb\": 128, \"vcpus\": 1,"
		" \"boot_timeout_ms\": 9000}}}",
		&s);
	ck_assert_ptr_nonnull(s.vm);
	ck_assert_str_eq(s.vm->argv[2], "exit 3");
	ck_assert_ptr_null(s.vm->argv[3]);
	ck_assert_str_eq(s.vm->env[0], "A=1");
	ck_assert_str_eq(s.vm->cwd, "/tmp");
	ck_assert_str_eq(s.vm->root, "/");
	ck_assert_str_eq(s.vm->kernel, "/boot/k");
	ck_assert_uint_eq(s.vm->memory_mb, 128);
	ck_assert_uint_eq(s.vm->boot_timeout_ms, 9000);
	ck_assert_uint_eq(s.vm->wall_time_ms, 5000);
	spec_free(&s);
	load_ok("{\"process\": {\"args\": [\"/x\"], \"user\": {\"uid\": 0, \"gid\": 0}},"
		" \"sandbox\": {\"backend\": \"vm\"}}",
		&s);
	spec_free(&s);
	/* the namespace backend has none */
	load_ok("{\"process\": {\"args\": [\"/bin/true\"]}}", &s);
	ck_assert_ptr_null(s.vm);
	spec_free(&s);

	const char *vm = "\"sandbox\": {\"backend\": \"vm\"";
	char json[512];
#define VM_SPEC(...) (snprintf(json, sizeof(json), __VA_ARGS__), json)
	expect_error(
		VM_SPEC("{\"process\": {\"args\": [\"/x\"]}, %s, \"vm\": {\"vcpus\": 2}}}", vm),
		ENOTSUP, "spec.json: sandbox.vm.vcpus: the vm backend runs one vCPU so far");
	expect_error(
		VM_SPEC("{\"process\": {\"args\": [\"/x\"]}, %s, \"vm\": {\"memory_mb\": 8}}}", vm),
		EINVAL,
		"spec.json: sandbox.vm.memory_mb: expected an integer from 16 to 3072, got 8");
	expect_error(
		VM_SPEC("{\"process\": {\"args\": [\"/x\"]}, %s, \"vm\": {\"cpus\": 1}}}", vm),
		EINVAL,
		"spec.json: sandbox.vm.cpus: unknown field (known here: kernel, memory_mb, vcpus, "
		"boot_timeout_ms)");
	expect_error("{\"process\": {\"args\": [\"/x\"]}, \"sandbox\": {\"vm\": {}}}", EINVAL,
		     "spec.json: sandbox.vm: needs \"backend\": \"vm\" in sandbox");
	expect_error(VM_SPEC("{\"process\": {\"args\": [\"x\"]}, %s}}", vm), EINVAL,
		     "spec.json: process.args[0]: the vm backend needs an absolute path (the guest "
		     "has no PATH search before its agent runs the job)");
	/* never silently weaker: what the guest would not get is refused */
	expect_error(VM_SPEC("{\"process\": {\"args\": [\"/x\"]}, \"mounts\": [{\"destination\": "
			     "\"/tmp\", \"type\": \"tmpfs\"}], %s}}",
			     vm),
		     ENOTSUP,
		     "spec.json: mounts: not supported with the vm backend yet (it is with "
		     "\"backend\": \"namespaces\")");
	expect_error(
		VM_SPEC("{\"process\": {\"args\": [\"/x\"]}, %s, \"limits\": "
			"{\"output_bytes\": 100}}}",
			vm),
		ENOTSUP,
		"spec.json: sandbox.limits.output_bytes: not supported with the vm backend yet "
		"(it is with \"backend\": \"namespaces\")");
	/* the VMM's cgroup holds memory and CPU; limits on what runs inside
	 * the guest it cannot hold are refused by path */
	expect_error(VM_SPEC("{\"process\": {\"args\": [\"/x\"]}, \"linux\": {\"resources\": "
			     "{\"pids\": {\"limit\": 5}}}, %s}}",
			     vm),
		     ENOTSUP,
		     "spec.json: linux.resources.pids: not supported with the vm backend (its "
		     "cgroup holds the VMM: memory.limit and cpu are taken)");
	expect_error_start(
		VM_SPEC("{\"process\": {\"args\": [\"/x\"]}, \"linux\": {\"resources\": "
			"{\"memory\": {\"limit\": 134217728, \"swap\": 134217728}}}, "
			"%s}}",
			vm),
		ENOTSUP,
		"spec.json: linux.resources.memory.swap: not supported with the vm backend");
	load_ok(VM_SPEC("{\"process\": {\"args\": [\"/x\"]}, \"linux\": {\"resources\": "
			"{\"memory\": {\"limit\": 134217728}, \"cpu\": {\"quota\": 50000, "
			"\"period\": 100000}, \"pids\": {}}}, %s, \"limits\": {\"cpu_time_ms\": "
			"2000}}}",
			vm),
		&s);
	sbx_limits l = {.size = sizeof(l)};
	ck_assert_int_eq(sbx_config_get_limits(s.cfg, &l, NULL), 0);
	ck_assert_uint_eq(l.memory_bytes, 134217728);
	ck_assert_uint_eq(l.cpu_quota_us, 50000);
	ck_assert_uint_eq(l.cpu_time_ms, 2000);
	spec_free(&s);
	expect_error(VM_SPEC("{\"process\": {\"args\": [\"/x\"], \"user\": {\"uid\": 1000, "
			     "\"gid\": 1000, \"umask\": 18}}, %s}}",
			     vm),
		     ENOTSUP,
		     "spec.json: process.user.umask: not supported with the vm backend yet "
		     "(it is with \"backend\": \"namespaces\")");
	/* the job's user in the guest */
	load_ok(VM_SPEC("{\"process\": {\"args\": [\"/x\"], \"user\": {\"uid\": 1000, \"gid\": "
			"1001}}, %s}}",
			vm),
		&s);
	ck_assert_uint_eq(s.vm->uid, 1000);
	ck_assert_uint_eq(s.vm->gid, 1001);
	spec_free(&s);
#undef VM_SPEC
}
END_TEST

static sbx_limits limits_of(sbx_config *c)
{
	sbx_limits l = {.size = sizeof(l)};
	ck_assert_int_eq(sbx_config_get_limits(c, &l, NULL), 0);
	return l;
}

START_TEST(resources_and_limits)
{
	struct spec s;
	sbx_config *c = load_ok(
		"{\"process\": {\"args\": [\"x\"], \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\","
		" \"soft\": 64, \"hard\": 128}]},"
		" \"linux\": {\"resources\": {\"memory\": {\"limit\": 1048576, \"swap\": 3145728},"
		"   \"pids\": {\"limit\": 50}, \"cpu\": {\"shares\": 1024, \"quota\": 50000,"
		"   \"period\": 100000, \"cpus\": \"0-1\", \"mems\": \"0\"},"
		"   \"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 1000}],"
		"     \"throttleWriteIOPSDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 10}]},"
		"   \"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
		"     {\"allow\": true, \"type\": \"b\", \"major\": 7, \"minor\": null, \"access\": \"r\"}]}},"
		" \"sandbox\": {\"limits\": {\"cpu_time_ms\": 1500, \"wall_time_ms\": 3000,"
		"   \"output_bytes\": 4096, \"best_effort\": [\"memory\", \"io\"]},"
		"   \"report\": \"result.json\"}}",
		&s);
	sbx_limits l = limits_of(c);
	ck_assert_uint_eq(l.memory_bytes, 1048576);
	ck_assert_uint_eq(l.swap_bytes, 2097152); /* OCI swap counts memory too */
	ck_assert_uint_eq(l.pids, 50);
	ck_assert_uint_eq(l.cpu_weight, 39); /* 1024 shares, converted as crun does */
	ck_assert_uint_eq(l.cpu_quota_us, 50000);
	ck_assert_uint_eq(l.cpu_period_us, 100000);
	ck_assert_str_eq(l.cpuset_cpus, "0-1");
	ck_assert_uint_eq(l.cpu_time_ms, 1500);
	ck_assert_uint_eq(l.wall_time_ms, 3000);
	ck_assert_uint_eq(l.output_bytes, 4096);
	ck_assert_uint_eq(l.best_effort, SBX_LIMIT_MEMORY | SBX_LIMIT_IO);
	ck_assert_uint_eq(c->n_io, 1); /* merged per device */
	ck_assert_uint_eq(c->io[0].rbps, 1000);
	ck_assert_uint_eq(c->io[0].wiops, 10);
	ck_assert_uint_eq(c->n_devices, 2);
	ck_assert(!c->devices[0].allow);
	ck_assert_int_eq(c->devices[1].type, 'b');
	ck_assert_int_eq(c->devices[1].minor, -1);
	ck_assert(c->rlimits[RLIMIT_NOFILE].set);
	ck_assert_uint_eq(c->rlimits[RLIMIT_NOFILE].hard, 128);
	ck_assert_str_eq(s.report, "result.json");
	ck_assert(s.relay_output);
	spec_free(&s);

	/* -1 means unlimited in OCI */
	c = load_ok("{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"resources\": {\"memory\":"
		    " {\"limit\": 1048576, \"swap\": -1}, \"pids\": {\"limit\": -1},"
		    " \"cpu\": {\"quota\": -1}}}}",
		    &s);
	l = limits_of(c);
	ck_assert_uint_eq(l.swap_bytes, SBX_UNLIMITED);
	ck_assert_uint_eq(l.pids, 0);
	ck_assert_uint_eq(l.cpu_quota_us, 0);
	ck_assert(!s.relay_output);
	spec_free(&s);
}
END_TEST

START_TEST(resource_errors_name_the_path)
{
	expect_error(
		"{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"resources\": {\"memory\":"
		" {\"limit\": 4194304, \"swap\": 1048576}}}}",
		EINVAL,
		"spec.json: linux.resources.memory.swap: 1048576 is below memory.limit 4194304 "
		"(it counts memory and swap together)");
	expect_error("{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"resources\": {\"memory\":"
		     " {\"swap\": 1048576}}}}",
		     EINVAL,
		     "spec.json: linux.resources.memory.swap: needs linux.resources.memory.limit");
	expect_error("{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"resources\": {\"memory\":"
		     " {\"limit\": \"lots\"}}}}",
		     EINVAL,
		     "spec.json: linux.resources.memory.limit: expected an integer "
		     "-1-9223372036854775807, got \"lots\"");
	expect_error(
		"{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"resources\": {\"cpu\":"
		" {\"shares\": 999999}}}}",
		EINVAL,
		"spec.json: linux.resources.cpu.shares: expected an integer 0-262144, got 999999");
	expect_error(
		"{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"resources\": {\"cpu\":"
		" {\"cpus\": \"0-1;rm\"}}}}",
		EINVAL,
		"spec.json: linux.resources: cpuset \"0-1;rm\" / \"\": expected lists like 0-3,5");
	expect_error("{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"resources\": {\"devices\":"
		     " [{\"access\": \"rwm\"}]}}}",
		     EINVAL,
		     "spec.json: linux.resources.devices[0].allow: required (true or false)");
	expect_error(
		"{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"resources\": {\"devices\":"
		" [{\"allow\": true, \"access\": \"rwx\"}]}}}",
		EINVAL,
		"spec.json: linux.resources.devices[0]: access \"rwx\" is not made of r, w, m");
	expect_error(
		"{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"resources\": {\"blockIO\":"
		" {\"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0}]}}}}",
		EINVAL,
		"spec.json: linux.resources.blockIO.throttleReadBpsDevice[0]: rate: required (a "
		"positive integer)");
	expect_error(
		"{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"resources\":"
		" {\"unified\": {\"memory.high\": \"1G\"}}}}",
		ENOTSUP,
		"spec.json: linux.resources.unified: raw cgroup v2 settings are not supported yet");
	expect_error("{\"process\": {\"args\": [\"x\"], \"rlimits\": [{\"type\": \"RLIMIT_FOO\","
		     " \"soft\": 1, \"hard\": 1}]}}",
		     EINVAL,
		     "spec.json: process.rlimits[0].type: expected an RLIMIT_ name such as "
		     "RLIMIT_NOFILE, got \"RLIMIT_FOO\"");
	expect_error(
		"{\"process\": {\"args\": [\"x\"], \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\","
		" \"soft\": 1, \"hard\": 1}, {\"type\": \"RLIMIT_NOFILE\", \"soft\": 2, \"hard\": 2}]}}",
		EINVAL, "spec.json: process.rlimits[1].type: RLIMIT_NOFILE is listed twice");
	expect_error("{\"process\": {\"args\": [\"x\"], \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\","
		     " \"soft\": 9, \"hard\": 1}]}}",
		     EINVAL, "spec.json: process.rlimits[0]: soft limit 9 above hard limit 1");
	expect_error(
		"{\"process\": {\"args\": [\"x\"]}, \"sandbox\": {\"limits\": {\"wall_ms\": 5}}}",
		EINVAL,
		"spec.json: sandbox.limits.wall_ms: unknown field (known here: cpu_time_ms, "
		"wall_time_ms, output_bytes, best_effort)");
	expect_error(
		"{\"process\": {\"args\": [\"x\"]}, \"sandbox\": {\"limits\":"
		" {\"best_effort\": [\"memry\"]}}}",
		EINVAL,
		"spec.json: sandbox.limits.best_effort[0]: expected one of memory, pids, cpu-time, "
		"wall-time, output, cpu-quota, cpu-weight, cpuset, io, devices, got \"memry\"");
	expect_error(
		"{\"process\": {\"args\": [\"x\"]}, \"sandbox\": {\"limits\":"
		" {\"cpu_time_ms\": -5}}}",
		EINVAL,
		"spec.json: sandbox.limits.cpu_time_ms: expected a non-negative integer, got -5");
	expect_error("{\"process\": {\"args\": [\"x\"]}, \"sandbox\": {\"report\": 5}}", EINVAL,
		     "spec.json: sandbox.report: expected a file name, got 5");
}
END_TEST

#define SECCOMP(x) "{\"process\": {\"args\": [\"x\"]}, \"linux\": {\"seccomp\": " x "}}"

START_TEST(oci_seccomp_errors_name_the_path)
{
	expect_error(SECCOMP("{\"syscalls\": []}"), EINVAL,
		     "spec.json: linux.seccomp.defaultAction: required (an SCMP_ACT_ action)");
	expect_error_start(SECCOMP("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
				   "[{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_FROB\"}]}"),
			   EINVAL, "spec.json: linux.seccomp.syscalls[0].action: expected");
	expect_error(SECCOMP("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
			     "[\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 0}]}"),
		     EINVAL,
		     "spec.json: linux.seccomp.syscalls[0].errnoRet: expected an errno value "
		     "1-4095, got 0");
	expect_error_start(
		SECCOMP("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
			"[\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": "
			"6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}"),
		EINVAL, "spec.json: linux.seccomp.syscalls[0].args[0].index:");
	expect_error_start(
		SECCOMP("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
			"[\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": "
			"0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 0, \"value\": "
			"2, \"op\": \"SCMP_CMP_NE\"}]}]}"),
		EINVAL,
		"spec.json: linux.seccomp.syscalls[0].args[1]: a second condition on "
		"argument 0");
	expect_error_start(
		SECCOMP("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
			"[\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": "
			"0, \"value\": 1, \"op\": \"SCMP_CMP_ABOUT\"}]}]}"),
		EINVAL, "spec.json: linux.seccomp.syscalls[0].args[0].op: expected");
	expect_error_start(SECCOMP("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": "
				   "[\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_FROB\"]}"),
			   EINVAL,
			   "spec.json: linux.seccomp.flags[1]: expected SECCOMP_FILTER_FLAG_LOG");
	expect_error_start(SECCOMP("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": "
				   "[\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"]}"),
			   ENOTSUP,
			   "spec.json: linux.seccomp.flags[0]: SECCOMP_FILTER_FLAG_SPEC_ALLOW");
	expect_error(SECCOMP("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": "
			     "\"/run/agent.sock\"}"),
		     ENOTSUP,
		     "spec.json: linux.seccomp.listenerPath: seccomp agents are not supported");
	expect_error_start(
		SECCOMP("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
			"[\"getppid\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"),
		ENOTSUP, "spec.json: linux.seccomp: notify rules need a supervisor");
	expect_error_start(
		SECCOMP("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
			"[\"getppid\"], \"action\": \"SCMP_ACT_TRACE\"}]}"),
		ENOTSUP, "spec.json: linux.seccomp.syscalls[0].action: SCMP_ACT_TRACE");
	expect_error_start(
		SECCOMP("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": "
			"[\"mount\"], \"action\": \"SCMP_ACT_ALLOW\", \"excludes\": {}}]}"),
		EINVAL, "spec.json: linux.seccomp.syscalls[0].excludes: a profile template");
}
END_TEST

/* libseccomp's meaning: an unconditional entry for a call wins over its
 * entries with arguments, names of other architectures are skipped, an
 * entry that can never match is dropped, and the flags that matter carry. */
START_TEST(oci_seccomp_means_what_libseccomp_means)
{
	struct spec s;
	sbx_config *c = load_ok(
		SECCOMP("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38, "
			"\"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"], "
			"\"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_TSYNC\"], "
			"\"syscalls\": ["
			"{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
			"[{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]},"
			"{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1},"
			"{\"names\": [\"execve\", \"exit_group\", \"arm_fadvise64_64\", \"brk\"], "
			"\"action\": \"SCMP_ACT_ALLOW\"},"
			"{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": "
			"0, \"value\": 240, \"valueTwo\": 256, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},"
			"{\"names\": [\"write\"], \"action\": \"SCMP_ACT_KILL\"}]}"),
		&s);
	sbx_policy *p = c->policy;
	ck_assert_ptr_nonnull(p);
	sbx_policy_info info = {.size = sizeof(info)};
	ck_assert_int_eq(sbx_policy_get_info(p, &info, NULL), 0);
	ck_assert_int_eq(info.log_denials, 1);
	ck_assert_str_eq(info.default_action, "errno ENOSYS");
	sbx_decision d = {.size = sizeof(d)};
	uint64_t zero[6] = {0};
	ck_assert_int_eq(sbx_policy_explain(p, "personality", zero, &d, NULL), 0);
	ck_assert_str_eq(d.action, "errno EPERM");
	ck_assert_int_eq(sbx_policy_explain(p, "execve", zero, &d, NULL), 0);
	ck_assert_str_eq(d.action, "allow");
	ck_assert_int_eq(sbx_policy_explain(p, "read", zero, &d, NULL), 0);
	ck_assert_str_eq(d.action, "errno ENOSYS"); /* the never-true entry is gone */
	ck_assert_int_eq(sbx_policy_explain(p, "write", zero, &d, NULL), 0);
	ck_assert_str_eq(d.action, "kill-thread"); /* libseccomp's SCMP_ACT_KILL */
	spec_free(&s);
}
END_TEST

#define SANDBOX(x) "{\"process\": {\"args\": [\"x\"]}, \"sandbox\": " x "}"

START_TEST(grants_and_capability_mode)
{
	struct spec s;
	sbx_config *c = load_ok(SANDBOX("{\"grants\": [{\"fd\": 3, \"path\": \"/etc/hostname\", "
					"\"rights\": \"read\"}, {\"fd\": 4, \"path\": \"/usr\", "
					"\"rights\": \"dir\"}, {\"fd\": 5, \"from_fd\": 0}], "
					"\"capability_mode\": {\"need\": [\"fs\"]}}"),
				&s);
	ck_assert_uint_eq(c->n_grants, 3);
	ck_assert_int_eq(c->grants[0].target, 3);
	ck_assert_int_eq(c->grants[0].rights, SBX_RIGHTS_READ);
	ck_assert_int_eq(c->grants[1].rights, SBX_RIGHTS_DIR);
	ck_assert_int_eq(c->grants[2].rights, SBX_RIGHTS_AS_IS);
	ck_assert(c->capmode);
	ck_assert_uint_eq(c->cap_need, SBX_CAP_NEED_FS);
	ck_assert_str_eq(c->cap_runtime[0], "/usr"); /* the default runtime */
	spec_free(&s);

	c = load_ok(SANDBOX("{\"capability_mode\": {\"runtime\": [\"/opt/app\"]}}"), &s);
	ck_assert_str_eq(c->cap_runtime[0], "/opt/app");
	ck_assert_ptr_null(c->cap_runtime[1]);
	spec_free(&s);

	expect_error(SANDBOX("{\"grants\": [{\"path\": \"/etc/hostname\"}]}"), EINVAL,
		     "spec.json: sandbox.grants[0].fd: required: the descriptor number in the "
		     "sandbox (3 or more)");
	expect_error_start(SANDBOX("{\"grants\": [{\"fd\": 2, \"path\": \"/etc/hostname\"}]}"),
			   EINVAL, "spec.json: sandbox.grants[0].fd: expected");
	expect_error(SANDBOX("{\"grants\": [{\"fd\": 3}]}"), EINVAL,
		     "spec.json: sandbox.grants[0]: give either \"path\" or \"from_fd\"");
	expect_error_start(SANDBOX("{\"grants\": [{\"fd\": 3, \"path\": \"/etc/hostname\", "
				   "\"rights\": \"everything\"}]}"),
			   EINVAL, "spec.json: sandbox.grants[0].rights: expected \"read\"");
	expect_error_start(SANDBOX("{\"grants\": [{\"fd\": 3, \"path\": \"/nonexistent\"}]}"),
			   ENOENT, "spec.json: sandbox.grants[0].path: ");
	expect_error_start(SANDBOX("{\"grants\": [{\"fd\": 3, \"path\": \"/etc/hostname\", "
				   "\"rights\": \"dir\"}]}"),
			   ENOTDIR, "spec.json: sandbox.grants[0].path: ");
	expect_error(SANDBOX("{\"grants\": [{\"fd\": 3, \"from_fd\": 999}]}"), EBADF,
		     "spec.json: sandbox.grants[0].from_fd: sandboxd has no descriptor 999");
	expect_error_start(SANDBOX("{\"capability_mode\": {\"need\": [\"everything\"]}}"), EINVAL,
			   "spec.json: sandbox.capability_mode.need[0]: expected");
	expect_error_start(
		SANDBOX("{\"capability_mode\": {\"runtime\": [\"usr\"]}}"), EINVAL,
		"spec.json: sandbox.capability_mode.runtime[0]: expected an absolute path");
	expect_error(SANDBOX("{\"capability_mode\": {\"rules\": []}}"), EINVAL,
		     "spec.json: sandbox.capability_mode.rules: unknown field (known here: "
		     "runtime, need)");
}
END_TEST

START_TEST(capabilities_and_no_new_privileges)
{
	struct spec s;
	sbx_config *c = load_ok(
		"{\"process\": {\"args\": [\"x\"], \"noNewPrivileges\": false, \"capabilities\": "
		"{\"bounding\": [\"CAP_NET_BIND_SERVICE\", \"CAP_KILL\"], \"effective\": "
		"[\"CAP_KILL\"], \"permitted\": [\"CAP_KILL\"]}}}",
		&s);
	ck_assert_uint_eq(c->caps.bounding, (1ull << 10) | (1ull << 5));
	ck_assert_uint_eq(c->caps.effective, 1ull << 5);
	ck_assert_uint_eq(c->caps.ambient, 0);
	ck_assert(!c->no_new_privs);
	spec_free(&s);
	c = load_ok("{\"process\": {\"args\": [\"x\"]}}", &s);
	ck_assert(c->no_new_privs); /* on unless turned off */
	ck_assert_uint_eq(c->caps.bounding, 0);
	spec_free(&s);
	expect_error_start("{\"process\": {\"args\": [\"x\"], \"capabilities\": {\"bounding\": "
			   "[\"CAP_FLY\"]}}}",
			   EINVAL,
			   "spec.json: process.capabilities.bounding[0]: expected a "
			   "capability name");
	expect_error_start("{\"process\": {\"args\": [\"x\"], \"capabilities\": {\"effective\": "
			   "[\"CAP_KILL\"]}}}",
			   EINVAL, "spec.json: process.capabilities: ");
}
END_TEST

START_TEST(missing_file)
{
	struct spec s;
	sbx_error err;
	ck_assert_int_eq(spec_load("/nonexistent/spec.json", NULL, &s, &err), -ENOENT);
	ck_assert_str_eq(err.message,
			 "/nonexistent/spec.json: cannot open the spec: No such file or directory");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("spec");
	TCase *t = tcase_create("spec");
	tcase_add_checked_fixture(t, leak_setup, leak_teardown);
	tcase_add_test(t, minimal_spec);
	tcase_add_test(t, full_first_slice);
	tcase_add_test(t, malformed_json);
	tcase_add_test(t, process_errors_name_the_path);
	tcase_add_test(t, linux_errors_name_the_path);
	tcase_add_test(t, hostname_errors);
	tcase_add_test(t, unsupported_fields_are_errors_not_silence);
	tcase_add_test(t, filesystem_errors_name_the_path);
	tcase_add_test(t, filesystem_spec);
	tcase_add_test(t, sandbox_object_is_strict);
	tcase_add_test(t, vm_backend_takes_what_it_honours_and_refuses_the_rest);
	tcase_add_test(t, resources_and_limits);
	tcase_add_test(t, resource_errors_name_the_path);
	tcase_add_test(t, oci_seccomp_errors_name_the_path);
	tcase_add_test(t, oci_seccomp_means_what_libseccomp_means);
	tcase_add_test(t, grants_and_capability_mode);
	tcase_add_test(t, capabilities_and_no_new_privileges);
	tcase_add_test(t, missing_file);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
