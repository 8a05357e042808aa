/* root, mounts, maskedPaths, readonlyPaths, devices, rootfsPropagation -> libsandbox's
 * file-system settings. OCI mount options mix mount flags (ro, nosuid, rbind, rprivate)
 * with file-system data (mode=1777, size=64m, newinstance): the flags become
 * SBX_MNT_* bits, the data goes to the file system, and anything else is an
 * error naming the option rather than a setting silently dropped. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filesystem.h"

void filesystem_bundle_path(const struct ctx *c, const char *p, char *out, size_t len)
{
	char cwd[PATH_MAX];
	const char *base = c->dir;
	if (p[0] != '/' && !base)
		base = getcwd(cwd, sizeof(cwd));
	if (p[0] == '/' || !base)
		snprintf(out, len, "%s", p);
	else
		snprintf(out, len, "%s/%s", base, p);
}

static int parse_root(struct ctx *c, const json_t *root)
{
	json_t *obj, *path, *ro;
	int r = json_member(c, root, "", "root", JSON_OBJECT, "an object", &obj);
	if (r < 0 || !obj)
		return r;
	if ((r = json_member(c, obj, "root", "path", JSON_STRING, "a directory", &path)) < 0 ||
	    (r = json_member(c, obj, "root", "readonly", JSON_TRUE, "true or false", &ro)) < 0)
		return r;
	if (!path || !json_string_length(path))
		return json_fail(c, EINVAL, "root.path",
				 "required: the root filesystem's directory, relative to the "
				 "bundle or absolute");
	char full[PATH_MAX * 2];
	filesystem_bundle_path(c, json_string_value(path), full, sizeof(full));
	sbx_error e;
	if (sbx_config_set_rootfs(c->cfg, full, ro && json_is_true(ro), &e) < 0)
		return json_lib_fail(c, "root.path", &e);
	return 0;
}

static const struct {
	const char *name;
	int type;
} types[] = {
	{"bind", SBX_MOUNT_BIND},     {"tmpfs", SBX_MOUNT_TMPFS},    {"proc", SBX_MOUNT_PROC},
	{"sysfs", SBX_MOUNT_SYSFS},   {"devpts", SBX_MOUNT_DEVPTS},  {"mqueue", SBX_MOUNT_MQUEUE},
	{"cgroup", SBX_MOUNT_CGROUP}, {"cgroup2", SBX_MOUNT_CGROUP},
};

/* Mount flags among the options; `set` 0 clears them (the defaults). */
static const struct {
	const char *name;
	unsigned flag;
	bool set;
} flags[] = {
	{"ro", SBX_MNT_RDONLY, true},
	{"rw", SBX_MNT_RDONLY, false},
	{"nosuid", SBX_MNT_NOSUID, true},
	{"suid", SBX_MNT_NOSUID, false},
	{"nodev", SBX_MNT_NODEV, true},
	{"dev", SBX_MNT_NODEV, false},
	{"noexec", SBX_MNT_NOEXEC, true},
	{"exec", SBX_MNT_NOEXEC, false},
	{"noatime", SBX_MNT_NOATIME, true},
	{"atime", SBX_MNT_NOATIME, false},
	{"relatime", 0, true},
	{"strictatime", SBX_MNT_NOATIME, false},
	{"rbind", SBX_MNT_RECURSIVE, true},
	{"bind", 0, true},
	{"private", SBX_MNT_PRIVATE, true},
	{"rprivate", SBX_MNT_PRIVATE, true},
	{"slave", SBX_MNT_SLAVE, true},
	{"rslave", SBX_MNT_SLAVE, true},
	{"shared", SBX_MNT_SHARED, true},
	{"rshared", SBX_MNT_SHARED, true},
};

#define PROPAGATION (SBX_MNT_PRIVATE | SBX_MNT_SLAVE | SBX_MNT_SHARED)

/* File-system options without a value that the file systems we mount take. */
static const char *const data_flags[] = {"newinstance"};

struct mount_opts {
	unsigned flags;
	bool bind;
	char data[1024];
};

static int parse_options(struct ctx *c, const char *base, const json_t *list, struct mount_opts *o)
{
	char path[PATH_LEN];
	json_join(path, base, "options");
	if (!json_is_array(list))
		return json_expected(c, path, "an array of strings", list);
	size_t used = 0;
	for (size_t i = 0; i < json_array_size(list); i++) {
		char ipath[PATH_LEN];
		json_index(ipath, path, i);
		json_t *v = json_array_get(list, i);
		if (!json_is_string(v))
			return json_expected(c, ipath, "a mount option", v);
		const char *s = json_string_value(v);
		bool known = false;
		for (size_t k = 0; k < sizeof(flags) / sizeof(*flags) && !known; k++) {
			if (strcmp(s, flags[k].name))
				continue;
			known = true;
			if (flags[k].flag & PROPAGATION)
				o->flags &= ~PROPAGATION;
			o->flags =
				flags[k].set ? o->flags | flags[k].flag : o->flags & ~flags[k].flag;
			o->bind |= !strcmp(s, "bind") || !strcmp(s, "rbind");
		}
		for (size_t k = 0; k < sizeof(data_flags) / sizeof(*data_flags) && !known; k++)
			known = !strcmp(s, data_flags[k]);
		if (!known && !(strchr(s, '=') && s[0] != '='))
			return json_fail(
				c, EINVAL, ipath,
				"unknown or unsupported mount option \"%s\" (flags: ro, rw, "
				"nosuid, nodev, noexec, noatime, relatime, strictatime, "
				"bind, rbind, [r]private, [r]slave, [r]shared; or key=value "
				"for the file system)",
				s);
		if (known && strcmp(s, "newinstance"))
			continue;
		int n = snprintf(o->data + used, sizeof(o->data) - used, "%s%s", used ? "," : "",
				 s);
		if (n < 0 || (size_t)n >= sizeof(o->data) - used)
			return json_fail(c, E2BIG, path, "the file-system options are too long");
		used += (size_t)n;
	}
	return 0;
}

static int parse_mount(struct ctx *c, const char *base, const json_t *m)
{
	if (!json_is_object(m))
		return json_expected(
			c, base, "an object {\"destination\": ..., \"type\": ..., \"source\": ...}",
			m);
	json_t *dst, *type, *src, *options;
	int r;
	if ((r = json_member(c, m, base, "destination", JSON_STRING, "an absolute path", &dst)) <
		    0 ||
	    (r = json_member(c, m, base, "type", JSON_STRING, "a file-system type", &type)) < 0 ||
	    (r = json_member(c, m, base, "source", JSON_STRING, "a path or a name", &src)) < 0)
		return r;
	char path[PATH_LEN];
	if (!dst) {
		json_join(path, base, "destination");
		return json_fail(c, EINVAL, path, "required: where to mount, an absolute path");
	}
	struct mount_opts o = {0};
	options = json_object_get(m, "options");
	if (options && !json_is_null(options) && (r = parse_options(c, base, options, &o)) < 0)
		return r;
	int t = -1;
	if (o.bind) {
		t = SBX_MOUNT_BIND; /* OCI: "bind" in the options makes a bind whatever the type */
	} else if (type) {
		for (size_t k = 0; k < sizeof(types) / sizeof(*types); k++)
			if (!strcmp(json_string_value(type), types[k].name))
				t = types[k].type;
	}
	if (t < 0) {
		json_join(path, base, "type");
		return type ? json_expected(c, path,
					    "bind, tmpfs, proc, sysfs, devpts, mqueue, cgroup or "
					    "cgroup2 (or \"bind\"/\"rbind\" in the options)",
					    type)
			    : json_fail(c, EINVAL, path,
					"required: a file-system type, or \"bind\" in the options");
	}
	if (t == SBX_MOUNT_BIND && o.data[0]) {
		json_join(path, base, "options");
		return json_fail(c, EINVAL, path,
				 "a bind mount takes flags only, not file-system options (\"%s\")",
				 o.data);
	}
	if (t == SBX_MOUNT_BIND && !src) {
		json_join(path, base, "source");
		return json_fail(c, EINVAL, path, "required for a bind mount: the host path");
	}
	/* a bind's source is relative to the bundle, like root.path */
	char full[PATH_MAX * 2];
	const char *source = src ? json_string_value(src) : NULL;
	if (t == SBX_MOUNT_BIND && source[0] != '/' && c->dir) {
		snprintf(full, sizeof(full), "%s/%s", c->dir, source);
		source = full;
	}
	sbx_mount sm = {.size = sizeof(sm),
			.type = t,
			.source = t == SBX_MOUNT_BIND ? source : NULL,
			.target = json_string_value(dst),
			.flags = o.flags,
			.options = o.data[0] ? o.data : NULL};
	sbx_error e;
	if (sbx_config_add_mount(c->cfg, &sm, &e) < 0) {
		const char *field = strstr(e.message, "source")	       ? "source"
				    : strstr(e.message, "destination") ? "destination"
				    : strstr(e.message, "options")     ? "options"
								       : NULL;
		if (field)
			json_join(path, base, field);
		return json_lib_fail(c, field ? path : base, &e);
	}
	return 0;
}

static int parse_paths(struct ctx *c, const json_t *lx, const char *key,
		       int (*add)(sbx_config *, const char *, sbx_error *))
{
	char base[PATH_LEN];
	json_join(base, "linux", key);
	json_t *list;
	int r = json_member(c, lx, "linux", key, JSON_ARRAY, "an array of absolute paths", &list);
	if (r < 0 || !list)
		return r;
	for (size_t i = 0; i < json_array_size(list); i++) {
		char path[PATH_LEN];
		json_index(path, base, i);
		json_t *v = json_array_get(list, i);
		if (!json_is_string(v) || json_string_value(v)[0] != '/')
			return json_expected(c, path, "an absolute path", v);
		sbx_error e;
		if (add(c->cfg, json_string_value(v), &e) < 0)
			return json_lib_fail(c, path, &e);
	}
	return 0;
}

/* linux.devices[i]: {"path", "type", "major", "minor", "fileMode", "uid",
 * "gid"}; a FIFO has no numbers */
static int parse_device(struct ctx *c, const char *base, const json_t *d)
{
	if (!json_is_object(d))
		return json_expected(c, base,
				     "an object {\"path\", \"type\", \"major\", \"minor\"}", d);
	json_t *path, *type;
	int r;
	if ((r = json_member(c, d, base, "path", JSON_STRING, "an absolute path", &path)) < 0 ||
	    (r = json_member(c, d, base, "type", JSON_STRING, "one of c, b, u, p", &type)) < 0)
		return r;
	char where[PATH_LEN];
	if (!path) {
		json_join(where, base, "path");
		return json_fail(c, EINVAL, where,
				 "required: the device's path inside, beneath /dev");
	}
	const char *t = type ? json_string_value(type) : "";
	if (strlen(t) != 1 || !strchr("cbup", t[0])) {
		json_join(where, base, "type");
		return type ? json_expected(c, where, "one of c, b, u, p", type)
			    : json_fail(c, EINVAL, where, "required: one of c, b, u, p");
	}
	sbx_device_node n = {.path = json_string_value(path), .type = t[0], .mode = 0666};
	int64_t v;
	static const char *const numbers[] = {"major", "minor"};
	for (size_t i = 0; i < 2; i++) {
		if ((r = json_i64(c, d, base, numbers[i], 0, UINT32_MAX, &v)) < 0)
			return r;
		if (r == 1 && t[0] != 'p') {
			json_join(where, base, numbers[i]);
			return json_fail(c, EINVAL, where, "required for a device of type %s", t);
		}
		if (r == 0)
			*(i ? &n.minor : &n.major) = (unsigned)v;
	}
	if ((r = json_i64(c, d, base, "fileMode", 0, 07777, &v)) < 0)
		return r;
	if (r == 0)
		n.mode = (unsigned)v;
	uint32_t id;
	if ((r = json_id(c, d, base, "uid", false, &id)) < 0)
		return r;
	if (r == 0)
		n.uid = id;
	if ((r = json_id(c, d, base, "gid", false, &id)) < 0)
		return r;
	if (r == 0)
		n.gid = id;
	sbx_error e;
	if (sbx_config_add_device_node(c->cfg, &n, &e) < 0)
		return json_lib_fail(c, base, &e);
	return 0;
}

static int parse_propagation(struct ctx *c, const json_t *lx)
{
	static const struct {
		const char *name;
		unsigned flags;
	} kinds[] = {
		{"private", SBX_MNT_PRIVATE},
		{"rprivate", SBX_MNT_PRIVATE | SBX_MNT_RECURSIVE},
		{"slave", SBX_MNT_SLAVE},
		{"rslave", SBX_MNT_SLAVE | SBX_MNT_RECURSIVE},
		{"shared", SBX_MNT_SHARED},
		{"rshared", SBX_MNT_SHARED | SBX_MNT_RECURSIVE},
		{"unbindable", SBX_MNT_UNBINDABLE},
		{"runbindable", SBX_MNT_UNBINDABLE | SBX_MNT_RECURSIVE},
	};
	static const char what[] = "one of private, rprivate, slave, rslave, shared, rshared, "
				   "unbindable, runbindable";
	json_t *v;
	int r = json_member(c, lx, "linux", "rootfsPropagation", JSON_STRING, what, &v);
	if (r < 0 || !v || !json_string_length(v))
		return r;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
		if (strcmp(json_string_value(v), kinds[i].name))
			continue;
		sbx_error e;
		if (sbx_config_set_rootfs_propagation(c->cfg, kinds[i].flags, &e) < 0)
			return json_lib_fail(c, "linux.rootfsPropagation", &e);
		return 0;
	}
	return json_expected(c, "linux.rootfsPropagation", what, v);
}

int filesystem_parse(struct ctx *c, const json_t *root)
{
	int r = parse_root(c, root);
	if (r < 0)
		return r;
	json_t *mounts;
	if ((r = json_member(c, root, "", "mounts", JSON_ARRAY, "an array of objects", &mounts)) <
	    0)
		return r;
	for (size_t i = 0; mounts && i < json_array_size(mounts); i++) {
		char base[PATH_LEN];
		json_index(base, "mounts", i);
		if ((r = parse_mount(c, base, json_array_get(mounts, i))) < 0)
			return r;
	}
	json_t *lx = json_object_get(root, "linux");
	if (!json_is_object(lx))
		return 0;
	if ((r = parse_paths(c, lx, "maskedPaths", sbx_config_mask_path)) < 0 ||
	    (r = parse_paths(c, lx, "readonlyPaths", sbx_config_readonly_path)) < 0 ||
	    (r = parse_propagation(c, lx)) < 0)
		return r;
	json_t *devices;
	if ((r = json_member(c, lx, "linux", "devices", JSON_ARRAY, "an array of objects",
			     &devices)) < 0)
		return r;
	for (size_t i = 0; devices && i < json_array_size(devices); i++) {
		char base[PATH_LEN];
		json_index(base, "linux.devices", i);
		if ((r = parse_device(c, base, json_array_get(devices, i))) < 0)
			return r;
	}
	return 0;
}
