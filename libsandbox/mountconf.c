/* The file-system settings of a configuration: root filesystem, mounts,
 * masked and read-only paths. Checked and normalised here, when the caller
 * sets them, so that a spawn only has to plan them (mount.c). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "conf.h"
#include "error.h"

#define CFG_ERR(err, errnum, ...) err_setx(err, SBX_STAGE_CONFIG, errnum, __VA_ARGS__)
#define OPTIONS_MAX 32

static const char *const type_names[] = {
	[SBX_MOUNT_BIND] = "bind",     [SBX_MOUNT_TMPFS] = "tmpfs",   [SBX_MOUNT_PROC] = "proc",
	[SBX_MOUNT_SYSFS] = "sysfs",   [SBX_MOUNT_DEVPTS] = "devpts", [SBX_MOUNT_MQUEUE] = "mqueue",
	[SBX_MOUNT_CGROUP] = "cgroup",
};

static void strv_free_n(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void mount_free(struct conf_mount *m)
{
	free(m->source);
	free(m->target);
	if (m->options)
		strv_free_n(m->options, 2 * m->n_options);
	free(m->options_text);
}

void mountconf_free(struct sbx_config *c)
{
	free(c->rootfs);
	for (size_t i = 0; i < c->n_mounts; i++)
		mount_free(&c->mounts[i]);
	free(c->mounts);
	strv_free_n(c->masked, c->n_masked);
	for (size_t i = 0; i < c->n_devnodes; i++)
		free(c->devnodes[i].path);
	strv_free_n(c->readonly, c->n_readonly);
}

/* "/a//b/./c/" -> "a/b/c" (newly allocated); NULL with *why set for a
 * relative path or one with "..": inside a root, ".." would only be
 * clamped, and a path that says it leaves is a mistake worth naming. */
static char *normalise(const char *path, const char **why)
{
	if (!path || path[0] != '/') {
		*why = "must be an absolute path";
		return NULL;
	}
	if (strlen(path) >= PATH_MAX) {
		*why = "is too long";
		return NULL;
	}
	char *out = malloc(strlen(path) + 1);
	if (!out) {
		*why = "out of memory";
		return NULL;
	}
	size_t n = 0;
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		size_t len = strcspn(p, "/");
		if (len == 0 || (len == 1 && p[0] == '.')) {
			p += len;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			free(out);
			*why = "must not contain \"..\"";
			return NULL;
		}
		if (n)
			out[n++] = '/';
		memcpy(out + n, p, len);
		n += len;
		p += len;
	}
	out[n] = 0;
	return out;
}

int sbx_config_set_rootfs(sbx_config *c, const char *path, int readonly, sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "root filesystem: NULL configuration");
	char *p = NULL;
	if (path) {
		struct stat st;
		if (path[0] != '/')
			return CFG_ERR(err, EINVAL,
				       "root filesystem \"%s\": must be an absolute path", path);
		if (stat(path, &st) < 0)
			return err_set(err, SBX_STAGE_CONFIG, errno, "root filesystem: %s", path);
		if (!S_ISDIR(st.st_mode))
			return CFG_ERR(err, ENOTDIR, "root filesystem: %s: not a directory", path);
		if (!(p = strdup(path)))
			return CFG_ERR(err, ENOMEM, "root filesystem: out of memory");
	}
	free(c->rootfs);
	c->rootfs = p;
	c->rootfs_readonly = readonly;
	return 0;
}

int sbx_config_set_rootfs_propagation(sbx_config *c, unsigned flags, sbx_error *err)
{
	static const struct {
		unsigned flag;
		unsigned long ms;
	} kinds[] = {{SBX_MNT_PRIVATE, MS_PRIVATE},
		     {SBX_MNT_SLAVE, MS_SLAVE},
		     {SBX_MNT_SHARED, MS_SHARED},
		     {SBX_MNT_UNBINDABLE, MS_UNBINDABLE}};
	if (!c)
		return CFG_ERR(err, EINVAL, "root propagation: NULL configuration");
	unsigned kind = flags & ~SBX_MNT_RECURSIVE;
	unsigned long ms = 0;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		if (kind == kinds[i].flag)
			ms = kinds[i].ms;
	if (flags && !ms)
		return CFG_ERR(err, EINVAL,
			       "root propagation: one of private, slave, shared or unbindable, "
			       "recursive or not");
	c->root_propagation = ms ? ms | ((flags & SBX_MNT_RECURSIVE) ? MS_REC : 0) : 0;
	return 0;
}

/* "size=64m,mode=1777,newinstance" -> key/value pairs. */
static int split_options(struct conf_mount *m, const char *text, const char *where, sbx_error *err)
{
	if (!text || !*text)
		return 0;
	if (!(m->options_text = strdup(text)) ||
	    !(m->options = calloc(2 * OPTIONS_MAX + 1, sizeof(char *))))
		return CFG_ERR(err, ENOMEM, "%s: out of memory", where);
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, ",");
		if (len == 0 || p[0] == '=')
			return CFG_ERR(err, EINVAL,
				       "%s: options \"%s\": expected key or key=value separated by "
				       "commas",
				       where, text);
		if (m->n_options == OPTIONS_MAX)
			return CFG_ERR(err, E2BIG, "%s: more than %d options", where, OPTIONS_MAX);
		const char *eq = memchr(p, '=', len);
		size_t klen = eq ? (size_t)(eq - p) : len;
		char **kv = &m->options[2 * m->n_options++];
		if (!(kv[0] = strndup(p, klen)) ||
		    (eq && !(kv[1] = strndup(eq + 1, len - klen - 1))))
			return CFG_ERR(err, ENOMEM, "%s: out of memory", where);
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

int sbx_config_add_mount(sbx_config *c, const sbx_mount *m, sbx_error *err)
{
	if (!c || !m || m->size < sizeof(*m))
		return CFG_ERR(err, EINVAL, "mount: NULL argument or sbx_mount.size not set");
	char where[64];
	snprintf(where, sizeof(where), "mounts[%zu]", c->n_mounts);
	if (m->type < 0 || (size_t)m->type >= sizeof(type_names) / sizeof(*type_names))
		return CFG_ERR(err, EINVAL, "%s: unknown type %d", where, m->type);
	unsigned known = SBX_MNT_RDONLY | SBX_MNT_NOSUID | SBX_MNT_NODEV | SBX_MNT_NOEXEC |
			 SBX_MNT_RECURSIVE | SBX_MNT_NOATIME | SBX_MNT_PRIVATE | SBX_MNT_SLAVE |
			 SBX_MNT_SHARED;
	if (m->flags & ~known)
		return CFG_ERR(err, EINVAL, "%s: unknown flags 0x%x", where, m->flags & ~known);
	unsigned prop = m->flags & (SBX_MNT_PRIVATE | SBX_MNT_SLAVE | SBX_MNT_SHARED);
	if (prop & (prop - 1))
		return CFG_ERR(err, EINVAL, "%s: at most one of private, slave and shared", where);
	if (c->n_mounts == CONF_MOUNTS_MAX)
		return CFG_ERR(err, E2BIG, "mounts: more than %d", CONF_MOUNTS_MAX);
	const char *why = NULL;
	struct conf_mount cm = {.type = m->type, .flags = m->flags};
	int r = 0;
	if (!(cm.target = normalise(m->target, &why))) {
		r = CFG_ERR(err, strcmp(why, "out of memory") ? EINVAL : ENOMEM,
			    "%s: destination \"%s\" %s", where, m->target ? m->target : "(null)",
			    why);
		goto fail;
	}
	if (!*cm.target) {
		r = CFG_ERR(err, EINVAL,
			    "%s: destination \"/\": the root is set with the root "
			    "filesystem, not mounted over",
			    where);
		goto fail;
	}
	if (m->type == SBX_MOUNT_BIND) {
		struct stat st;
		if (!m->source || m->source[0] != '/') {
			r = CFG_ERR(err, EINVAL, "%s: bind source \"%s\": must be an absolute path",
				    where, m->source ? m->source : "(null)");
			goto fail;
		}
		if (stat(m->source, &st) < 0) {
			r = err_set(err, SBX_STAGE_CONFIG, errno, "%s: bind source \"%s\"", where,
				    m->source);
			goto fail;
		}
		if (m->options && *m->options) {
			r = CFG_ERR(err, EINVAL,
				    "%s: a bind mount takes flags only, not options \"%s\"", where,
				    m->options);
			goto fail;
		}
		cm.file = !S_ISDIR(st.st_mode);
		if (!(cm.source = strdup(m->source))) {
			r = CFG_ERR(err, ENOMEM, "%s: out of memory", where);
			goto fail;
		}
	} else if ((r = split_options(&cm, m->options, where, err)) < 0) {
		goto fail;
	}
	struct conf_mount *v = realloc(c->mounts, (c->n_mounts + 1) * sizeof(*v));
	if (!v) {
		r = CFG_ERR(err, ENOMEM, "%s: out of memory", where);
		goto fail;
	}
	c->mounts = v;
	c->mounts[c->n_mounts++] = cm;
	return 0;
fail:
	mount_free(&cm);
	return r;
}

static int add_path(char ***list, size_t *n, const char *what, const char *path, sbx_error *err)
{
	if (*n == CONF_PATHS_MAX)
		return CFG_ERR(err, E2BIG, "%s: more than %d", what, CONF_PATHS_MAX);
	const char *why = NULL;
	char *p = normalise(path, &why);
	if (!p)
		return CFG_ERR(err, EINVAL, "%s[%zu] \"%s\": %s", what, *n, path ? path : "(null)",
			       why);
	if (!*p) {
		free(p);
		return CFG_ERR(err, EINVAL, "%s[%zu]: \"/\" is the whole root", what, *n);
	}
	char **v = realloc(*list, (*n + 1) * sizeof(*v));
	if (!v) {
		free(p);
		return CFG_ERR(err, ENOMEM, "%s: out of memory", what);
	}
	v[(*n)++] = p;
	*list = v;
	return 0;
}

int sbx_config_mask_path(sbx_config *c, const char *path, sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "masked path: NULL configuration");
	return add_path(&c->masked, &c->n_masked, "maskedPaths", path, err);
}

int sbx_config_readonly_path(sbx_config *c, const char *path, sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "read-only path: NULL configuration");
	return add_path(&c->readonly, &c->n_readonly, "readonlyPaths", path, err);
}

int sbx_config_add_device_node(sbx_config *c, const sbx_device_node *d, sbx_error *err)
{
	if (!c || !d)
		return CFG_ERR(err, EINVAL, "device node: NULL configuration or node");
	if (c->n_devnodes == SBX_DEVICE_NODES_MAX)
		return CFG_ERR(err, E2BIG, "device node: more than %d", SBX_DEVICE_NODES_MAX);
	const char *why = NULL;
	char type = d->type == 'u' ? 'c' : d->type;
	if (type != 'c' && type != 'b' && type != 'p')
		return CFG_ERR(err, EINVAL, "device node %s: type must be c, u, b or p",
			       d->path ? d->path : "(null)");
	if (d->mode & ~07777u)
		return CFG_ERR(err, EINVAL,
			       "device node %s: mode %#o has more than permission bits",
			       d->path ? d->path : "(null)", d->mode);
	if (d->uid == (uid_t)-1 || d->gid == (gid_t)-1)
		return CFG_ERR(err, EINVAL, "device node %s: -1 is not a valid uid or gid",
			       d->path ? d->path : "(null)");
	char *p = normalise(d->path, &why);
	if (!p)
		return CFG_ERR(err, EINVAL, "device node \"%s\": %s", d->path ? d->path : "(null)",
			       why);
	/* the sandbox's /dev is its own; anywhere else a node would be made in
	 * a directory of the root filesystem, or refused on the host's */
	if (strncmp(p, "dev/", 4) || !p[4]) {
		free(p);
		return CFG_ERR(err, EINVAL, "device node %s: must be beneath /dev", d->path);
	}
	c->devnodes[c->n_devnodes++] =
		(struct conf_devnode){p, type, d->major, d->minor, d->mode, d->uid, d->gid};
	return 0;
}

const char *mountconf_type_name(int type)
{
	return type_names[type];
}
