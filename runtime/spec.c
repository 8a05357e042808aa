/* spec.json -> sbx_config. Every error names the file and the JSON path of
 * the offending value, and says what was expected and what was found. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <unistd.h>

#include "filesystem.h"
#include "grants.h"
#include "hooks.h"
#include "json.h"
#include "ocipolicy.h"
#include "privileges.h"
#include "resources.h"
#include "spec.h"
#include "vmspec.h"

/* Fields of the OCI spec this version recognises but cannot honour yet.
 * Dropping them silently would run the program with less protection, or
 * differently, than the spec asks; a value that asks for nothing (null,
 * false, "", [] or {} all the way down) is accepted. */
static const struct {
	const char *path;
	const char *why;
} not_yet[] = {
	{"process.apparmorProfile", "AppArmor profiles are not supported"},
	{"process.selinuxLabel", "SELinux labels are not supported"},
	{"linux.resources.memory.reservation", "memory reservations are not supported"},
	{"linux.resources.memory.kernel", "kernel memory limits are not supported"},
	{"linux.resources.memory.kernelTCP", "kernel TCP memory limits are not supported"},
	{"linux.resources.memory.swappiness", "swappiness is not supported"},
	{"linux.resources.memory.disableOOMKiller", "disabling the OOM killer is not supported"},
	{"linux.resources.cpu.realtimeRuntime", "real-time CPU limits are not supported"},
	{"linux.resources.cpu.realtimePeriod", "real-time CPU limits are not supported"},
	{"linux.resources.cpu.idle", "SCHED_IDLE cgroups are not supported"},
	{"linux.resources.blockIO.weight", "block I/O weights are not supported"},
	{"linux.resources.blockIO.leafWeight", "block I/O weights are not supported"},
	{"linux.resources.blockIO.weightDevice", "block I/O weights are not supported"},
	{"linux.resources.hugepageLimits", "hugepage limits are not supported"},
	{"linux.resources.network", "network priorities are not supported"},
	{"linux.resources.rdma", "RDMA limits are not supported"},
	{"linux.resources.unified", "raw cgroup v2 settings are not supported yet"},
	{"linux.mountLabel", "SELinux mount labels are not supported"},
	{"linux.intelRdt", "Intel RDT is not supported"},
};

static int check_not_yet(struct ctx *c, const json_t *root)
{
	for (size_t i = 0; i < sizeof(not_yet) / sizeof(*not_yet); i++) {
		const json_t *v = json_lookup(root, not_yet[i].path);
		if (v && !json_asks_nothing(v))
			return json_fail(c, ENOTSUP, not_yet[i].path, "%s", not_yet[i].why);
	}
	return 0;
}

/* process.KEY as a NULL-terminated vector of its strings (which stay owned by
 * the JSON document); each element must pass `ok`. *out is NULL when absent. */
static int strings(struct ctx *c, const json_t *process, const char *key, const char *what,
		   const char *elem_what, bool (*ok)(const char *), const char ***out)
{
	char base[PATH_LEN];
	json_join(base, "process", key);
	json_t *arr;
	*out = NULL;
	int r = json_member(c, process, "process", key, JSON_ARRAY, what, &arr);
	if (r < 0 || !arr)
		return r;
	size_t n = json_array_size(arr);
	const char **v = calloc(n + 1, sizeof(*v));
	if (!v)
		return json_fail(c, ENOMEM, base, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(arr, i);
		if (!json_is_string(e) || !ok(json_string_value(e))) {
			char path[PATH_LEN];
			json_index(path, base, i);
			free(v);
			return json_expected(c, path, elem_what, e);
		}
		v[i] = json_string_value(e);
	}
	*out = v;
	return 0;
}

static bool any_string(const char *s)
{
	(void)s;
	return true;
}

static bool env_entry(const char *s)
{
	return *s != '=' && strchr(s, '=');
}

static int parse_args(struct ctx *c, const json_t *process)
{
	const char **argv;
	int r = strings(c, process, "args", "an array of strings", "a string", any_string, &argv);
	if (r < 0)
		return r;
	if (!argv || !argv[0]) {
		free(argv);
		return json_fail(
			c, EINVAL, "process.args",
			"required: a non-empty array of strings (the program and its arguments)");
	}
	if (!*argv[0]) {
		free(argv);
		return json_fail(c, EINVAL, "process.args[0]",
				 "expected the program to run, got \"\"");
	}
	sbx_error e;
	r = sbx_config_set_exec(c->cfg, NULL, argv, &e);
	free(argv);
	return r < 0 ? json_lib_fail(c, "process.args", &e) : 0;
}

static int parse_env(struct ctx *c, const json_t *process)
{
	const char **envp;
	int r = strings(c, process, "env", "an array of \"NAME=value\" strings",
			"a \"NAME=value\" string", env_entry, &envp);
	if (r < 0 || !envp)
		return r;
	sbx_error e;
	r = sbx_config_set_env(c->cfg, envp, &e);
	free(envp);
	return r < 0 ? json_lib_fail(c, "process.env", &e) : 0;
}

/* process.user.additionalGids: whether each is mapped is the spawn's to
 * say, once the user namespace's maps are known */
static int parse_groups(struct ctx *c, const json_t *user)
{
	static const char base[] = "process.user.additionalGids";
	json_t *list;
	int r = json_member(c, user, "process.user", "additionalGids", JSON_ARRAY,
			    "an array of integers", &list);
	if (r < 0 || !list || !json_array_size(list))
		return r;
	if (json_array_size(list) > SBX_GROUPS_MAX)
		return json_fail(c, E2BIG, base, "%zu groups, at most %d", json_array_size(list),
				 SBX_GROUPS_MAX);
	gid_t groups[SBX_GROUPS_MAX];
	for (size_t i = 0; i < json_array_size(list); i++) {
		char path[PATH_LEN];
		json_index(path, base, i);
		json_t *v = json_array_get(list, i);
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > (json_int_t)UINT32_MAX - 1)
			return json_expected(c, path, "an integer 0-4294967294", v);
		groups[i] = (gid_t)json_integer_value(v);
	}
	/* said here to name the path; the spawn checks CAP_SETGID itself */
	if (geteuid() != 0)
		return json_fail(c, EPERM, base,
				 "supplementary groups need root (CAP_SETGID): an unprivileged "
				 "user namespace denies setgroups");
	sbx_error e;
	if (sbx_config_set_groups(c->cfg, groups, json_array_size(list), &e) < 0)
		return json_lib_fail(c, base, &e);
	return 0;
}

static int parse_process(struct ctx *c, const json_t *root)
{
	json_t *process, *v;
	int r = json_member(c, root, "", "process", JSON_OBJECT, "an object", &process);
	if (r < 0)
		return r;
	if (!process)
		return json_fail(c, EINVAL, "process",
				 "required: an object with at least \"args\"");
	if ((r = parse_args(c, process)) < 0 || (r = parse_env(c, process)) < 0 ||
	    (r = resources_parse_rlimits(c, process)) < 0 || (r = privileges_parse(c, process)) < 0)
		return r;

	sbx_error e;
	if ((r = json_member(c, process, "process", "cwd", JSON_STRING, "an absolute path", &v)) <
	    0)
		return r;
	if (v) {
		if (json_string_value(v)[0] != '/')
			return json_expected(c, "process.cwd", "an absolute path", v);
		if (sbx_config_set_cwd(c->cfg, json_string_value(v), &e) < 0)
			return json_lib_fail(c, "process.cwd", &e);
	}
	if ((r = json_member(c, process, "process", "terminal", JSON_TRUE, "true or false", &v)) <
	    0)
		return r;

	int64_t adj;
	if ((r = json_i64(c, process, "process", "oomScoreAdj", -1000, 1000, &adj)) < 0)
		return r;
	if (r == 0 && sbx_config_set_oom_score_adj(c->cfg, (int)adj, &e) < 0)
		return json_lib_fail(c, "process.oomScoreAdj", &e);

	json_t *user;
	if ((r = json_member(c, process, "process", "user", JSON_OBJECT, "an object", &user)) < 0)
		return r;
	if (user) {
		uint32_t uid = 0, gid = 0;
		if ((r = json_id(c, user, "process.user", "uid", true, &uid)) < 0 ||
		    (r = json_id(c, user, "process.user", "gid", true, &gid)) < 0)
			return r;
		if (sbx_config_set_user(c->cfg, uid, gid, &e) < 0)
			return json_lib_fail(c, "process.user", &e);
		if ((r = parse_groups(c, user)) < 0)
			return r;
		int64_t mask;
		if ((r = json_i64(c, user, "process.user", "umask", 0, 0777, &mask)) < 0)
			return r;
		if (r == 0 && sbx_config_set_umask(c->cfg, (unsigned)mask, &e) < 0)
			return json_lib_fail(c, "process.user.umask", &e);
	}
	return 0;
}

static const struct {
	const char *name;
	unsigned bit;
} ns_types[] = {
	{"pid", SBX_NS_PID},	   {"network", SBX_NS_NET}, {"mount", SBX_NS_MOUNT},
	{"ipc", SBX_NS_IPC},	   {"uts", SBX_NS_UTS},	    {"user", SBX_NS_USER},
	{"cgroup", SBX_NS_CGROUP}, {"time", SBX_NS_TIME},
};

static int parse_namespaces(struct ctx *c, const json_t *linux_obj, unsigned *mask)
{
	json_t *list;
	int r = json_member(c, linux_obj, "linux", "namespaces", JSON_ARRAY, "an array of objects",
			    &list);
	if (r < 0 || !list)
		return r; /* absent: keep the deny-by-default set */
	*mask = 0;
	for (size_t i = 0; i < json_array_size(list); i++) {
		char path[PATH_LEN], tpath[PATH_LEN];
		json_index(path, "linux.namespaces", i);
		json_t *ns = json_array_get(list, i), *type, *nspath;
		if (!json_is_object(ns))
			return json_expected(c, path, "an object such as {\"type\": \"pid\"}", ns);
		if ((r = json_member(c, ns, path, "type", JSON_STRING, "a namespace type", &type)) <
		    0)
			return r;
		json_join(tpath, path, "type");
		if (!type)
			return json_fail(
				c, EINVAL, tpath,
				"required: one of pid, network, mount, ipc, uts, user, cgroup, "
				"time");
		unsigned bit = 0;
		for (size_t k = 0; k < sizeof(ns_types) / sizeof(*ns_types); k++)
			if (!strcmp(json_string_value(type), ns_types[k].name))
				bit = ns_types[k].bit;
		if (!bit)
			return json_expected(
				c, tpath,
				"one of pid, network, mount, ipc, uts, user, cgroup, time", type);
		if (*mask & bit)
			return json_fail(c, EINVAL, tpath, "\"%s\" is listed twice",
					 json_string_value(type));
		if ((r = json_member(c, ns, path, "path", JSON_STRING, "a path", &nspath)) < 0)
			return r;
		if (nspath && json_string_length(nspath)) {
			json_join(tpath, path, "path");
			sbx_error e;
			if (sbx_config_join_namespace(c->cfg, bit, json_string_value(nspath), &e) <
			    0)
				return json_lib_fail(c, tpath, &e);
		}
		*mask |= bit;
	}
	return 0;
}

static int parse_idmaps(struct ctx *c, const json_t *linux_obj, const char *key, bool uid)
{
	json_t *list;
	char base[PATH_LEN];
	json_join(base, "linux", key);
	int r = json_member(c, linux_obj, "linux", key, JSON_ARRAY, "an array of objects", &list);
	if (r < 0 || !list)
		return r;
	for (size_t i = 0; i < json_array_size(list); i++) {
		char path[PATH_LEN];
		json_index(path, base, i);
		json_t *m = json_array_get(list, i);
		if (!json_is_object(m))
			return json_expected(
				c, path,
				"an object {\"containerID\": N, \"hostID\": N, \"size\": N}", m);
		uint32_t in = 0, out = 0, size = 0;
		if ((r = json_id(c, m, path, "containerID", true, &in)) < 0 ||
		    (r = json_id(c, m, path, "hostID", true, &out)) < 0 ||
		    (r = json_id(c, m, path, "size", true, &size)) < 0)
			return r;
		sbx_error e;
		r = uid ? sbx_config_add_uid_map(c->cfg, in, out, size, &e)
			: sbx_config_add_gid_map(c->cfg, in, out, size, &e);
		if (r < 0)
			return json_lib_fail(c, path, &e);
	}
	return 0;
}

static int parse_sysctl(struct ctx *c, const json_t *lx)
{
	json_t *obj;
	int r = json_member(c, lx, "linux", "sysctl", JSON_OBJECT,
			    "an object of \"name\": \"value\" strings", &obj);
	if (r < 0 || !obj)
		return r;
	const char *key;
	json_t *v;
	json_object_foreach (obj, key, v) {
		char path[PATH_LEN];
		json_join(path, "linux.sysctl", key);
		if (!json_is_string(v))
			return json_expected(c, path, "a string value", v);
		sbx_error e;
		if (sbx_config_set_sysctl(c->cfg, key, json_string_value(v), &e) < 0)
			return json_lib_fail(c, path, &e);
	}
	return 0;
}

/* linux.cgroupsPath: "/parent/name", or systemd's "slice:prefix:name".
 * sandboxd makes a sandbox's cgroups beneath its own (it never creates or
 * changes cgroups it does not own), so what it takes from the path is the
 * name: "name", or "prefix-name" in the systemd form. */
static int parse_cgroups_path(struct ctx *c, const json_t *lx, bool *named)
{
	json_t *v;
	int r = json_member(c, lx, "linux", "cgroupsPath", JSON_STRING, "a cgroup path", &v);
	if (r < 0 || !v || !json_string_length(v))
		return r;
	const char *s = json_string_value(v), *colon = strchr(s, ':');
	char name[256];
	if (colon) {
		const char *second = strchr(colon + 1, ':');
		if (!second || !second[1] || strchr(second + 1, ':'))
			return json_expected(c, "linux.cgroupsPath",
					     "\"/path/name\" or \"slice:prefix:name\"", v);
		snprintf(name, sizeof(name), "%.*s-%s", (int)(second - colon - 1), colon + 1,
			 second + 1);
	} else {
		const char *slash = strrchr(s, '/');
		snprintf(name, sizeof(name), "%s", slash ? slash + 1 : s);
	}
	sbx_error e;
	if (sbx_config_set_cgroup_name(c->cfg, name, &e) < 0)
		return json_lib_fail(c, "linux.cgroupsPath", &e);
	*named = true;
	return 0;
}

/* linux.personality: {"domain": "LINUX" or "LINUX32"}; no flags (runc
 * takes none either) */
static int parse_personality(struct ctx *c, const json_t *lx)
{
	static const char base[] = "linux.personality";
	json_t *p, *domain, *flags;
	int r = json_member(c, lx, "linux", "personality", JSON_OBJECT, "an object", &p);
	if (r < 0 || !p)
		return r;
	if ((r = json_member(c, p, base, "domain", JSON_STRING, "LINUX or LINUX32", &domain)) < 0 ||
	    (r = json_member(c, p, base, "flags", JSON_ARRAY, "an array", &flags)) < 0)
		return r;
	if (flags && json_array_size(flags))
		return json_fail(c, ENOTSUP, "linux.personality.flags",
				 "personality flags are not supported");
	if (!domain)
		return json_fail(c, EINVAL, "linux.personality.domain",
				 "required: LINUX or LINUX32");
	const char *d = json_string_value(domain);
	if (strcmp(d, "LINUX") && strcmp(d, "LINUX32"))
		return json_expected(c, "linux.personality.domain", "LINUX or LINUX32", domain);
	unsigned long persona = !strcmp(d, "LINUX") ? PER_LINUX : PER_LINUX32;
	sbx_error e;
	if (sbx_config_set_personality(c->cfg, persona, &e) < 0)
		return json_lib_fail(c, base, &e);
	return 0;
}

/* linux.timeOffsets: {"monotonic": {"secs", "nanosecs"}, "boottime": ...} */
static int parse_time_offsets(struct ctx *c, const json_t *lx)
{
	static const char base[] = "linux.timeOffsets";
	static const char *const clocks[] = {"monotonic", "boottime"};
	json_t *t;
	int r = json_member(c, lx, "linux", "timeOffsets", JSON_OBJECT, "an object", &t);
	if (r < 0 || !t || !json_object_size(t))
		return r;
	const char *key;
	json_t *v;
	json_object_foreach (t, key, v) {
		if (strcmp(key, clocks[0]) && strcmp(key, clocks[1])) {
			char path[PATH_LEN];
			json_join(path, base, key);
			return json_fail(c, EINVAL, path, "unknown clock: monotonic or boottime");
		}
	}
	int64_t sec[2] = {0, 0}, nsec[2] = {0, 0};
	for (size_t i = 0; i < 2; i++) {
		char path[PATH_LEN];
		json_t *o;
		json_join(path, base, clocks[i]);
		if ((r = json_member(c, t, base, clocks[i], JSON_OBJECT, "an object", &o)) < 0)
			return r;
		if (o && ((r = json_i64(c, o, path, "secs", INT32_MIN, INT32_MAX, &sec[i])) < 0 ||
			  (r = json_i64(c, o, path, "nanosecs", 0, 999999999, &nsec[i])) < 0))
			return r;
	}
	if (!(sbx_config_get_namespaces(c->cfg) & SBX_NS_TIME))
		return json_fail(c, EINVAL, base,
				 "needs a new time namespace (add {\"type\": \"time\"} to "
				 "linux.namespaces)");
	sbx_error e;
	if (sbx_config_set_time_offsets(c->cfg, sec[0], (long)nsec[0], sec[1], (long)nsec[1], &e) <
	    0)
		return json_lib_fail(c, base, &e);
	return 0;
}

static int parse_linux(struct ctx *c, const json_t *root)
{
	json_t *lx;
	int r = json_member(c, root, "", "linux", JSON_OBJECT, "an object", &lx);
	if (r < 0 || !lx)
		return r;
	unsigned mask = sbx_config_get_namespaces(c->cfg);
	if ((r = parse_namespaces(c, lx, &mask)) < 0)
		return r;
	sbx_error e;
	if (sbx_config_set_namespaces(c->cfg, mask, &e) < 0)
		return json_lib_fail(c, "linux.namespaces", &e);
	if ((r = parse_idmaps(c, lx, "uidMappings", true)) < 0 ||
	    (r = parse_idmaps(c, lx, "gidMappings", false)) < 0 ||
	    (r = resources_parse_linux(c, lx)) < 0)
		return r;
	if ((r = parse_sysctl(c, lx)) < 0 ||
	    (r = parse_cgroups_path(c, lx, &c->cgroup_named)) < 0 ||
	    (r = parse_personality(c, lx)) < 0 || (r = parse_time_offsets(c, lx)) < 0)
		return r;
	json_t *sc = json_object_get(lx, "seccomp");
	if (sc && !json_is_null(sc)) {
		if ((r = ocipolicy_parse(c, sc)) < 0)
			return r;
		c->has_policy = true;
	}
	return 0;
}

/* hostname or domainname */
static int parse_uts_name(struct ctx *c, const json_t *root, const char *key,
			  int (*set)(sbx_config *, const char *, sbx_error *))
{
	json_t *v;
	int r = json_member(c, root, "", key, JSON_STRING, "a name", &v);
	if (r < 0 || !v)
		return r;
	if (!(sbx_config_get_namespaces(c->cfg) & SBX_NS_UTS))
		return json_fail(
			c, EINVAL, key,
			"needs a new uts namespace (add {\"type\": \"uts\"} to linux.namespaces)");
	sbx_error e;
	if (set(c->cfg, json_string_value(v), &e) < 0)
		return json_lib_fail(c, key, &e);
	return 0;
}

/* The "sandbox" object is ours, so unlike OCI fields an unknown key in it is
 * an error: a typo must not silently drop a setting. */
static int parse_backend(struct ctx *c, const char *path, const json_t *v)
{
	if (!json_is_string(v))
		return json_expected(c, path, "\"namespaces\" or \"vm\"", v);
	c->vm_backend = !strcmp(json_string_value(v), "vm");
	if (!c->vm_backend && strcmp(json_string_value(v), "namespaces"))
		return json_expected(c, path, "\"namespaces\" or \"vm\"", v);
	return 0;
}

/* The "sandbox" object is ours, so unlike OCI fields an unknown key in it is
 * an error: a typo must not silently drop a setting. */
static int parse_sandbox(struct ctx *c, const json_t *root)
{
	json_t *sb;
	int r = json_member(c, root, "", "sandbox", JSON_OBJECT, "an object", &sb);
	if (r < 0 || !sb)
		return r;
	const char *key;
	json_t *v;
	json_object_foreach (sb, key, v) {
		char path[PATH_LEN];
		json_join(path, "sandbox", key);
		if (!strcmp(key, "backend")) {
			r = parse_backend(c, path, v);
		} else if (!strcmp(key, "vm")) {
			c->vm = v;
			r = json_is_object(v) ? 0 : json_expected(c, path, "an object", v);
		} else if (!strcmp(key, "limits")) {
			r = json_is_object(v) ? resources_parse_sandbox(c, v)
					      : json_expected(c, path, "an object", v);
		} else if (!strcmp(key, "policy")) {
			if (c->has_policy)
				return json_fail(
					c, EINVAL, path,
					"linux.seccomp is given too: one policy per sandbox");
			r = ocipolicy_load(c, path, v);
			c->has_policy = true;
		} else if (!strcmp(key, "grants")) {
			r = grants_parse(c, path, v);
		} else if (!strcmp(key, "capability_mode")) {
			r = grants_parse_capmode(c, path, v);
		} else if (!strcmp(key, "report")) {
			if (!json_is_string(v) || !json_string_length(v))
				return json_expected(c, path, "a file name", v);
			free(c->report);
			c->report = strdup(json_string_value(v));
			r = c->report ? 0 : json_fail(c, ENOMEM, path, "out of memory");
		} else {
			r = json_fail(
				c, EINVAL, path,
				"unknown field (known here: backend, capability_mode, grants, "
				"limits, policy, report, vm)");
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* Limits gathered from linux.resources and sandbox.limits, applied once. */
static int apply_limits(struct ctx *c)
{
	static const sbx_limits none = {.size = sizeof(sbx_limits)};
	if (!memcmp(&c->limits, &none, sizeof(none)))
		return 0;
	sbx_error e;
	if (sbx_config_set_limits(c->cfg, &c->limits, &e) < 0)
		return json_lib_fail(c, "linux.resources", &e);
	return 0;
}

static int parse(struct ctx *c, json_t *root)
{
	if (!json_is_object(root))
		return json_expected(c, "", "a JSON object at the top level", root);
	json_t *v;
	int r = json_member(c, root, "", "ociVersion", JSON_STRING, "a version string", &v);
	if (r < 0 || (r = check_not_yet(c, root)) < 0)
		return r;
	/* linux first: hostname depends on the namespaces it sets */
	if ((r = parse_linux(c, root)) < 0 || (r = parse_process(c, root)) < 0 ||
	    (r = parse_uts_name(c, root, "hostname", sbx_config_set_hostname)) < 0 ||
	    (r = parse_uts_name(c, root, "domainname", sbx_config_set_domainname)) < 0 ||
	    (r = filesystem_parse(c, root)) < 0 || (r = parse_sandbox(c, root)) < 0 ||
	    (r = apply_limits(c)) < 0)
		return r;
	return 0;
}

static int load(struct ctx *c, json_t *root, json_error_t *jerr, struct spec *out)
{
	if (!root) {
		if (c->err) {
			c->err->code = EINVAL;
			c->err->stage = SBX_STAGE_CONFIG;
			snprintf(c->err->message, sizeof(c->err->message),
				 "%s:%d:%d: invalid JSON: %s", c->file, jerr->line, jerr->column,
				 jerr->text);
		}
		errno = EINVAL;
		return -EINVAL;
	}
	c->cfg = sbx_config_new();
	if (!c->cfg) {
		json_decref(root);
		return json_fail(c, ENOMEM, "", "out of memory");
	}
	c->limits.size = sizeof(c->limits);
	int r = parse(c, root);
	char *hooks = NULL;
	struct spec_vm *vm = NULL;
	if (r == 0)
		r = hooks_parse(c, root, &hooks);
	if (r == 0)
		r = vmspec_load(c, root, &vm);
	json_t *ann = json_object_get(root, "annotations");
	char *annotations = r == 0 && json_is_object(ann) ? json_dumps(ann, JSON_COMPACT) : NULL;
	json_t *process = json_object_get(root, "process");
	bool terminal = json_is_true(json_object_get(process, "terminal"));
	json_decref(root);
	if (r < 0) {
		free(annotations);
		free(hooks);
		sbx_config_free(c->cfg);
		free(c->report);
		errno = -r;
		return r;
	}
	out->cfg = c->cfg;
	out->report = c->report;
	out->relay_output = c->relay_output;
	out->annotations = annotations;
	out->hooks = hooks;
	out->terminal = terminal;
	out->cgroup_named = c->cgroup_named;
	out->vm = vm;
	return 0;
}

int spec_load(const char *path, const sbx_policy_opts *policy_opts, struct spec *out,
	      sbx_error *err)
{
	char *copy = strdup(path), *slash = copy ? strrchr(copy, '/') : NULL;
	if (slash)
		*slash = 0;
	struct ctx c = {.file = path,
			.err = err,
			.policy_opts = policy_opts,
			.dir = slash ? (slash == copy ? "/" : copy) : NULL};
	memset(out, 0, sizeof(*out));
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!f) {
		int e = errno;
		free(copy);
		return json_fail(&c, e, "", "cannot open the spec: %s", strerror(e));
	}
	json_error_t jerr;
	json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	if (f != stdin)
		fclose(f);
	int r = load(&c, root, &jerr, out);
	free(copy);
	return r;
}

int spec_load_string(const char *json, const char *name, const sbx_policy_opts *policy_opts,
		     struct spec *out, sbx_error *err)
{
	struct ctx c = {.file = name, .err = err, .policy_opts = policy_opts};
	memset(out, 0, sizeof(*out));
	json_error_t jerr;
	json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
	return load(&c, root, &jerr, out);
}

void spec_free(struct spec *s)
{
	sbx_config_free(s->cfg);
	s->cfg = NULL;
	free(s->report);
	s->report = NULL;
	free(s->annotations);
	s->annotations = NULL;
	free(s->hooks);
	s->hooks = NULL;
	vmspec_free(s->vm);
	s->vm = NULL;
}
