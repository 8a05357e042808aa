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

#include "spec.h"

struct ctx {
	const char *file;
	sbx_error *err;
	sbx_config *cfg;
};

#define PATH_LEN 256

__attribute__((format(printf, 4, 5))) static int fail(struct ctx *c, int errnum, const char *path,
						      const char *fmt, ...)
{
	if (c->err) {
		c->err->code = errnum;
		c->err->stage = SBX_STAGE_CONFIG;
		int n = snprintf(c->err->message, sizeof(c->err->message), "%s: %s%s", c->file,
				 path, *path ? ": " : "");
		if (n >= 0 && (size_t)n < sizeof(c->err->message)) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(c->err->message + n, sizeof(c->err->message) - (size_t)n, fmt,
				  ap);
			va_end(ap);
		}
	}
	errno = errnum;
	return -errnum;
}

/* A library error while applying a value. Its message starts with a label
 * for direct callers ("hostname: 65 bytes, ..."); here the JSON path takes
 * the label's place. */
static int lib_fail(struct ctx *c, const char *path, const sbx_error *e)
{
	const char *detail = strstr(e->message, ": ");
	return fail(c, e->code, path, "%s", detail ? detail + 2 : e->message);
}

/* "an integer (42)", "\"lots\"", "an array"...: what the user wrote. */
static const char *found(const json_t *v, char *buf, size_t len)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		snprintf(buf, len, "\"%.40s%s\"", json_string_value(v),
			 json_string_length(v) > 40 ? "..." : "");
		return buf;
	case JSON_INTEGER:
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	case JSON_REAL:
		snprintf(buf, len, "%g", json_real_value(v));
		return buf;
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

static int expected(struct ctx *c, const char *path, const char *what, const json_t *v)
{
	char buf[64];
	return fail(c, EINVAL, path, "expected %s, got %s", what, found(v, buf, sizeof(buf)));
}

/* JSON paths are short; one that does not fit is cut, visibly. */
static void cut(char *out, int n)
{
	if (n >= PATH_LEN)
		memcpy(out + PATH_LEN - 4, "...", 4);
}

static void join(char *out, const char *base, const char *key)
{
	cut(out, snprintf(out, PATH_LEN, "%s%s%s", base, *base ? "." : "", key));
}

static void index_path(char *out, const char *base, size_t i)
{
	cut(out, snprintf(out, PATH_LEN, "%s[%zu]", base, i));
}

/* The member `key` of `obj` if present, checked to be of type `t`. */
static int member(struct ctx *c, const json_t *obj, const char *base, const char *key, json_type t,
		  const char *what, json_t **out)
{
	*out = NULL;
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	char path[PATH_LEN];
	join(path, base, key);
	if (json_typeof(v) != t && !(t == JSON_TRUE && json_is_boolean(v)))
		return expected(c, path, what, v);
	*out = v;
	return 0;
}

static int get_id(struct ctx *c, const json_t *obj, const char *base, const char *key,
		  bool required, uint32_t *out)
{
	char path[PATH_LEN];
	join(path, base, key);
	json_t *v = json_object_get(obj, key);
	if (!v) {
		if (required)
			return fail(c, EINVAL, path, "required (an integer 0-4294967294)");
		return 1;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > (json_int_t)UINT32_MAX - 1)
		return expected(c, path, "an integer 0-4294967294", v);
	*out = (uint32_t)json_integer_value(v);
	return 0;
}

/* Fields of the OCI spec this version recognises but cannot honour yet.
 * Dropping them silently would run the program with less protection, or
 * differently, than the spec asks; a value that asks for nothing (null,
 * false, "", [] or {} all the way down) is accepted. */
static const struct {
	const char *path;
	const char *why;
} not_yet[] = {
	{"root", "a root filesystem is not supported yet; without \"root\" the sandbox runs on "
		 "the host root, read-only"},
	{"mounts", "extra mounts are not supported yet"},
	{"hooks", "hooks are not supported yet"},
	{"domainname", "setting the domain name is not supported yet"},
	{"process.rlimits", "rlimits are not supported yet; the program would run without them"},
	{"process.capabilities",
	 "keeping capabilities is not supported yet (the sandbox drops every capability)"},
	{"process.user.additionalGids", "additional groups are not supported yet"},
	{"process.user.umask", "setting the umask is not supported yet"},
	{"process.apparmorProfile", "AppArmor profiles are not supported"},
	{"process.selinuxLabel", "SELinux labels are not supported"},
	{"process.oomScoreAdj", "oomScoreAdj is not supported yet"},
	{"linux.resources", "resource limits are not supported yet; the program would run "
			    "unlimited"},
	{"linux.seccomp", "seccomp filters are not supported yet; the program would run "
			  "unfiltered"},
	{"linux.maskedPaths", "masked paths are not supported yet"},
	{"linux.readonlyPaths", "read-only paths are not supported yet"},
	{"linux.devices", "device nodes are not supported yet"},
	{"linux.sysctl", "sysctls are not supported yet"},
	{"linux.cgroupsPath", "cgroups are not supported yet"},
	{"linux.rootfsPropagation", "rootfs propagation is not supported yet"},
	{"linux.mountLabel", "SELinux mount labels are not supported"},
	{"linux.intelRdt", "Intel RDT is not supported"},
	{"linux.personality", "personality is not supported yet"},
	{"linux.timeOffsets", "time namespace offsets are not supported yet"},
};

static bool asks_nothing(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE:
		return true;
	case JSON_STRING:
		return json_string_length(v) == 0;
	case JSON_ARRAY:
		return json_array_size(v) == 0;
	case JSON_OBJECT: {
		const char *k;
		json_t *m;
		json_object_foreach ((json_t *)v, k, m)
			if (!asks_nothing(m))
				return false;
		return true;
	}
	default:
		return false;
	}
}

static const json_t *lookup(const json_t *root, const char *dotted)
{
	char buf[PATH_LEN];
	snprintf(buf, sizeof(buf), "%s", dotted);
	const json_t *v = root;
	for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && v;
	     k = strtok_r(NULL, ".", &save))
		v = json_is_object(v) ? json_object_get(v, k) : NULL;
	return v;
}

static int check_not_yet(struct ctx *c, const json_t *root)
{
	for (size_t i = 0; i < sizeof(not_yet) / sizeof(*not_yet); i++) {
		const json_t *v = lookup(root, not_yet[i].path);
		if (v && !asks_nothing(v))
			return fail(c, ENOTSUP, not_yet[i].path, "%s", not_yet[i].why);
	}
	return 0;
}

/* process.KEY as a NULL-terminated vector of its strings (which stay owned by
 * the JSON document); each element must pass `ok`. *out is NULL when absent. */
static int strings(struct ctx *c, const json_t *process, const char *key, const char *what,
		   const char *elem_what, bool (*ok)(const char *), const char ***out)
{
	char base[PATH_LEN];
	join(base, "process", key);
	json_t *arr;
	*out = NULL;
	int r = member(c, process, "process", key, JSON_ARRAY, what, &arr);
	if (r < 0 || !arr)
		return r;
	size_t n = json_array_size(arr);
	const char **v = calloc(n + 1, sizeof(*v));
	if (!v)
		return fail(c, ENOMEM, base, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(arr, i);
		if (!json_is_string(e) || !ok(json_string_value(e))) {
			char path[PATH_LEN];
			index_path(path, base, i);
			free(v);
			return expected(c, path, elem_what, e);
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
		return fail(
			c, EINVAL, "process.args",
			"required: a non-empty array of strings (the program and its arguments)");
	}
	if (!*argv[0]) {
		free(argv);
		return fail(c, EINVAL, "process.args[0]", "expected the program to run, got \"\"");
	}
	sbx_error e;
	r = sbx_config_set_exec(c->cfg, NULL, argv, &e);
	free(argv);
	return r < 0 ? lib_fail(c, "process.args", &e) : 0;
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
	return r < 0 ? lib_fail(c, "process.env", &e) : 0;
}

static int parse_process(struct ctx *c, const json_t *root)
{
	json_t *process, *v;
	int r = member(c, root, "", "process", JSON_OBJECT, "an object", &process);
	if (r < 0)
		return r;
	if (!process)
		return fail(c, EINVAL, "process", "required: an object with at least \"args\"");
	if ((r = parse_args(c, process)) < 0 || (r = parse_env(c, process)) < 0)
		return r;

	sbx_error e;
	if ((r = member(c, process, "process", "cwd", JSON_STRING, "an absolute path", &v)) < 0)
		return r;
	if (v) {
		if (json_string_value(v)[0] != '/')
			return expected(c, "process.cwd", "an absolute path", v);
		if (sbx_config_set_cwd(c->cfg, json_string_value(v), &e) < 0)
			return lib_fail(c, "process.cwd", &e);
	}
	if ((r = member(c, process, "process", "terminal", JSON_TRUE, "true or false", &v)) < 0)
		return r;

	json_t *user;
	if ((r = member(c, process, "process", "user", JSON_OBJECT, "an object", &user)) < 0)
		return r;
	if (user) {
		uint32_t uid = 0, gid = 0;
		if ((r = get_id(c, user, "process.user", "uid", true, &uid)) < 0 ||
		    (r = get_id(c, user, "process.user", "gid", true, &gid)) < 0)
			return r;
		if (sbx_config_set_user(c->cfg, uid, gid, &e) < 0)
			return lib_fail(c, "process.user", &e);
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
	int r = member(c, linux_obj, "linux", "namespaces", JSON_ARRAY, "an array of objects",
		       &list);
	if (r < 0 || !list)
		return r; /* absent: keep the deny-by-default set */
	*mask = 0;
	for (size_t i = 0; i < json_array_size(list); i++) {
		char path[PATH_LEN], tpath[PATH_LEN];
		index_path(path, "linux.namespaces", i);
		json_t *ns = json_array_get(list, i), *type, *nspath;
		if (!json_is_object(ns))
			return expected(c, path, "an object such as {\"type\": \"pid\"}", ns);
		if ((r = member(c, ns, path, "type", JSON_STRING, "a namespace type", &type)) < 0)
			return r;
		join(tpath, path, "type");
		if (!type)
			return fail(c, EINVAL, tpath,
				    "required: one of pid, network, mount, ipc, uts, user, cgroup, "
				    "time");
		unsigned bit = 0;
		for (size_t k = 0; k < sizeof(ns_types) / sizeof(*ns_types); k++)
			if (!strcmp(json_string_value(type), ns_types[k].name))
				bit = ns_types[k].bit;
		if (!bit)
			return expected(c, tpath,
					"one of pid, network, mount, ipc, uts, user, cgroup, time",
					type);
		if (*mask & bit)
			return fail(c, EINVAL, tpath, "\"%s\" is listed twice",
				    json_string_value(type));
		if ((r = member(c, ns, path, "path", JSON_STRING, "a path", &nspath)) < 0)
			return r;
		if (nspath && json_string_length(nspath)) {
			join(tpath, path, "path");
			return fail(c, ENOTSUP, tpath,
				    "joining an existing namespace is not supported yet");
		}
		*mask |= bit;
	}
	return 0;
}

static int parse_idmaps(struct ctx *c, const json_t *linux_obj, const char *key, bool uid)
{
	json_t *list;
	char base[PATH_LEN];
	join(base, "linux", key);
	int r = member(c, linux_obj, "linux", key, JSON_ARRAY, "an array of objects", &list);
	if (r < 0 || !list)
		return r;
	for (size_t i = 0; i < json_array_size(list); i++) {
		char path[PATH_LEN];
		index_path(path, base, i);
		json_t *m = json_array_get(list, i);
		if (!json_is_object(m))
			return expected(
				c, path,
				"an object {\"containerID\": N, \"hostID\": N, \"size\": N}", m);
		uint32_t in = 0, out = 0, size = 0;
		if ((r = get_id(c, m, path, "containerID", true, &in)) < 0 ||
		    (r = get_id(c, m, path, "hostID", true, &out)) < 0 ||
		    (r = get_id(c, m, path, "size", true, &size)) < 0)
			return r;
		sbx_error e;
		r = uid ? sbx_config_add_uid_map(c->cfg, in, out, size, &e)
			: sbx_config_add_gid_map(c->cfg, in, out, size, &e);
		if (r < 0)
			return lib_fail(c, path, &e);
	}
	return 0;
}

static int parse_linux(struct ctx *c, const json_t *root)
{
	json_t *lx;
	int r = member(c, root, "", "linux", JSON_OBJECT, "an object", &lx);
	if (r < 0 || !lx)
		return r;
	unsigned mask = sbx_config_get_namespaces(c->cfg);
	if ((r = parse_namespaces(c, lx, &mask)) < 0)
		return r;
	sbx_error e;
	if (sbx_config_set_namespaces(c->cfg, mask, &e) < 0)
		return lib_fail(c, "linux.namespaces", &e);
	if ((r = parse_idmaps(c, lx, "uidMappings", true)) < 0 ||
	    (r = parse_idmaps(c, lx, "gidMappings", false)) < 0)
		return r;
	return 0;
}

static int parse_hostname(struct ctx *c, const json_t *root)
{
	json_t *v;
	int r = member(c, root, "", "hostname", JSON_STRING, "a host name", &v);
	if (r < 0 || !v)
		return r;
	if (!(sbx_config_get_namespaces(c->cfg) & SBX_NS_UTS))
		return fail(
			c, EINVAL, "hostname",
			"needs a new uts namespace (add {\"type\": \"uts\"} to linux.namespaces)");
	sbx_error e;
	if (sbx_config_set_hostname(c->cfg, json_string_value(v), &e) < 0)
		return lib_fail(c, "hostname", &e);
	return 0;
}

/* The "sandbox" object is ours, so unlike OCI fields an unknown key in it is
 * an error: a typo must not silently drop a setting. */
static int parse_sandbox(struct ctx *c, const json_t *root)
{
	json_t *sb;
	int r = member(c, root, "", "sandbox", JSON_OBJECT, "an object", &sb);
	if (r < 0 || !sb)
		return r;
	const char *key;
	json_t *v;
	json_object_foreach (sb, key, v) {
		char path[PATH_LEN];
		join(path, "sandbox", key);
		if (strcmp(key, "backend"))
			return fail(c, EINVAL, path, "unknown field (known here: backend)");
		if (!json_is_string(v))
			return expected(c, path, "\"namespaces\" or \"vm\"", v);
		if (!strcmp(json_string_value(v), "vm"))
			return fail(c, ENOTSUP, path, "the vm backend is not supported yet");
		if (strcmp(json_string_value(v), "namespaces"))
			return expected(c, path, "\"namespaces\" or \"vm\"", v);
	}
	return 0;
}

static int parse(struct ctx *c, json_t *root)
{
	if (!json_is_object(root))
		return expected(c, "", "a JSON object at the top level", root);
	json_t *v;
	int r = member(c, root, "", "ociVersion", JSON_STRING, "a version string", &v);
	if (r < 0 || (r = check_not_yet(c, root)) < 0)
		return r;
	/* linux first: hostname depends on the namespaces it sets */
	if ((r = parse_linux(c, root)) < 0 || (r = parse_process(c, root)) < 0 ||
	    (r = parse_hostname(c, root)) < 0 || (r = parse_sandbox(c, root)) < 0)
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
		return fail(c, ENOMEM, "", "out of memory");
	}
	int r = parse(c, root);
	json_decref(root);
	if (r < 0) {
		sbx_config_free(c->cfg);
		errno = -r;
		return r;
	}
	out->cfg = c->cfg;
	return 0;
}

int spec_load(const char *path, struct spec *out, sbx_error *err)
{
	struct ctx c = {.file = path, .err = err};
	out->cfg = NULL;
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!f) {
		int e = errno;
		return fail(&c, e, "", "cannot open the spec: %s", strerror(e));
	}
	json_error_t jerr;
	json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	if (f != stdin)
		fclose(f);
	return load(&c, root, &jerr, out);
}

int spec_load_string(const char *json, const char *name, struct spec *out, sbx_error *err)
{
	struct ctx c = {.file = name, .err = err};
	out->cfg = NULL;
	json_error_t jerr;
	json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
	return load(&c, root, &jerr, out);
}

void spec_free(struct spec *s)
{
	sbx_config_free(s->cfg);
	s->cfg = NULL;
}
