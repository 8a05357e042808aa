/* The sandbox's mount table. Without a root filesystem: the host root
 * read-only, a fresh /proc, a minimal /dev, a private /tmp. With one: that
 * directory as the root, with the default device nodes. Then the caller's
 * mounts, masked paths and read-only paths, all resolved inside the root
 * (inroot.c).
 *
 * How: inside the new mount namespace the host root is bound recursively onto
 * a scratch directory; the host's /proc, /sys, /dev and /tmp are detached from
 * that copy, the rest is made read-only, nosuid and nodev in one recursive
 * mount_setattr, fresh filesystems go where the detached ones were, and the
 * copy becomes the root with pivot_root(".", "."), which leaves the old root
 * stacked on top, to be detached. Nothing of this is visible outside: the
 * first step makes every mount private.
 *
 * The parent builds the list of operations (mount_plan_build); the
 * child applies it (mount_apply) with plain system calls. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "conf.h"
#include "error.h"
#include "inroot.h"
#include "mount.h"
#include "sys.h"

/* The host device nodes bound into the sandbox's /dev. */
static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};

/* /proc entries that let a process with host uid 0 reach the host kernel by
 * file permissions alone (kernel.core_pattern in /proc/sys, sysrq-trigger),
 * made read-only when the sandbox may hold host uid 0. */
static const char *const proc_ro[] = {"sys", "sysrq-trigger", "irq", "bus"};

/* Where the host root copy is assembled: any existing directory will do,
 * since the mount namespace is private by then. */
static const char *const scratch_dirs[] = {"/tmp", "/mnt", "/var/tmp"};

#define RO_ATTRS (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)

/* Collects ops and the strings they point to. On allocation failure it keeps
 * going into a sink and remembers, so the building code needs no checks. */
struct builder {
	struct mount_op *ops;
	size_t n, cap;
	char **strings;
	size_t n_strings, cap_strings;
	struct mount_op sink;
	bool oom;
};

static struct mount_op *add(struct builder *b, enum mount_kind kind, const char *what)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 48;
		struct mount_op *o = realloc(b->ops, cap * sizeof(*o));
		if (!o) {
			b->oom = true;
			return &b->sink;
		}
		b->ops = o;
		b->cap = cap;
	}
	struct mount_op *op = &b->ops[b->n++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->what = what;
	if (!what)
		b->oom = true;
	return op;
}

/* printf-formats one string argument; the builder owns the result. */
__attribute__((format(printf, 2, 3))) static const char *fmt(struct builder *b, const char *f, ...)
{
	char *s = NULL;
	if (b->n_strings == b->cap_strings) {
		size_t cap = b->cap_strings ? 2 * b->cap_strings : 48;
		char **v = realloc(b->strings, cap * sizeof(*v));
		if (!v) {
			b->oom = true;
			return NULL;
		}
		b->strings = v;
		b->cap_strings = cap;
	}
	va_list ap;
	va_start(ap, f);
	int n = vasprintf(&s, f, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return NULL;
	}
	b->strings[b->n_strings++] = s;
	return s;
}

/* One-line builders for each kind of step. */
static struct mount_op *mnt(struct builder *b, const char *what, const char *src, const char *dst,
			    const char *fstype, unsigned long flags, const char *data)
{
	struct mount_op *op = add(b, MOP_MOUNT, what);
	op->src = src;
	op->dst = dst;
	op->fstype = fstype;
	op->flags = flags;
	op->data = data;
	return op;
}

static struct mount_op *at(struct builder *b, enum mount_kind kind, const char *what,
			   const char *dst, unsigned mode)
{
	struct mount_op *op = add(b, kind, what);
	op->dst = dst;
	op->mode = mode;
	return op;
}

static void setattr(struct builder *b, const char *what, const char *dst, uint64_t attr)
{
	struct mount_op *op = add(b, MOP_SETATTR, what);
	op->dst = dst;
	op->attr = attr;
	op->attr_flags = AT_RECURSIVE;
}

static const char *find_scratch(void)
{
	struct stat st;
	for (size_t i = 0; i < sizeof(scratch_dirs) / sizeof(*scratch_dirs); i++)
		if (stat(scratch_dirs[i], &st) == 0 && S_ISDIR(st.st_mode))
			return scratch_dirs[i];
	return NULL;
}

/* Fresh /proc; with host uid 0 possible, its dangerous entries read-only. */
static void plan_proc(struct builder *b, bool host_root_uid)
{
	mnt(b, "mount proc on /proc", "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	    NULL);
	if (!host_root_uid)
		return;
	for (size_t i = 0; i < sizeof(proc_ro) / sizeof(*proc_ro); i++) {
		const char *rel = fmt(b, "proc/%s", proc_ro[i]);
		struct mount_op *op = mnt(b, fmt(b, "bind /proc/%s", proc_ro[i]), rel, rel, NULL,
					  MS_BIND | MS_REC, NULL);
		op->ok_errno = ENOENT; /* not built into this kernel: nothing to protect */
		op->skip_rest = 1;
		setattr(b, fmt(b, "make /proc/%s read-only", proc_ro[i]), rel,
			RO_ATTRS | MOUNT_ATTR_NOEXEC);
	}
}

/* /dev's links: `kind` MOP_SYMLINK on our own /dev, MOP_LINK (resolved
 * inside, left alone where something is there) in a root filesystem. */
static void plan_dev_links(struct builder *b, enum mount_kind kind)
{
	static const char *const links[][2] = {
		{"pts/ptmx", "dev/ptmx"},	   {"/proc/self/fd", "dev/fd"},
		{"/proc/self/fd/0", "dev/stdin"},  {"/proc/self/fd/1", "dev/stdout"},
		{"/proc/self/fd/2", "dev/stderr"},
	};
	for (size_t i = 0; i < sizeof(links) / sizeof(*links); i++)
		at(b, kind, fmt(b, "create the /%s symlink", links[i][1]), links[i][1], 0)->src =
			links[i][0];
}

/* A tmpfs /dev holding binds of the host's harmless device nodes: a bind
 * keeps the host mount's flags, so the nodes work although the tmpfs under
 * them is nodev. */
static void plan_dev(struct builder *b)
{
	struct stat st;
	mnt(b, "mount tmpfs on /dev", "tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV,
	    "mode=0755,size=1m,nr_inodes=4096");
	for (size_t i = 0; i < sizeof(dev_nodes) / sizeof(*dev_nodes); i++) {
		const char *host = fmt(b, "/dev/%s", dev_nodes[i]);
		if (host && stat(host, &st) < 0)
			continue; /* this host lacks it; so will the sandbox */
		const char *rel = fmt(b, "dev/%s", dev_nodes[i]);
		at(b, MOP_MKFILE, fmt(b, "create /dev/%s", dev_nodes[i]), rel, 0666);
		mnt(b, fmt(b, "bind %s", host), host, rel, NULL, MS_BIND, NULL);
	}
	at(b, MOP_MKDIR, "create /dev/pts", "dev/pts", 0755);
	mnt(b, "mount devpts on /dev/pts", "devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	    "newinstance,ptmxmode=0666,mode=620");
	at(b, MOP_MKDIR, "create /dev/shm", "dev/shm", 01777);
	mnt(b, "mount tmpfs on /dev/shm", "tmpfs", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV,
	    "mode=1777");
	plan_dev_links(b, MOP_SYMLINK);
}

/* The host root read-only, fresh /proc, /sys, /dev and /tmp. */
static int plan_host_root(struct builder *b, unsigned ns, bool userns, bool host_root_uid,
			  sbx_error *err)
{
	const char *scratch = find_scratch();
	if (!scratch)
		return err_setx(err, SBX_STAGE_PREPARE, ENOENT,
				"mount namespace: no directory to assemble the sandbox root on "
				"(tried /tmp, /mnt, /var/tmp)");
	mnt(b, fmt(b, "bind the host root on %s", scratch), "/", scratch, NULL, MS_BIND | MS_REC,
	    NULL);
	at(b, MOP_CHDIR, fmt(b, "enter the new root at %s", scratch), scratch, 0);

	/* Detach host filesystems the sandbox gets fresh ones of; EINVAL means
	 * the directory is not a mount point on this host. Without a new pid
	 * (net) namespace the host's /proc (/sys) stays, read-only: a fresh one
	 * could not be mounted there anyway. In a user namespace the kernel
	 * locks mounts copied from the host to their parents (umount fails with
	 * EINVAL), so there the fresh ones are stacked on top instead; the locked
	 * ones beneath stay unreachable, since unmounting ours takes
	 * CAP_SYS_ADMIN, which the program never has. */
	if (!userns) {
		const char *detach[] = {(ns & SBX_NS_PID) ? "proc" : NULL,
					(ns & SBX_NS_NET) ? "sys" : NULL, "dev", "tmp"};
		for (size_t i = 0; i < sizeof(detach) / sizeof(*detach); i++)
			if (detach[i])
				at(b, MOP_UMOUNT, fmt(b, "detach the host's /%s", detach[i]),
				   detach[i], 0)
					->ok_errno = EINVAL;
	}
	setattr(b, "make the host root read-only, nosuid and nodev", ".", RO_ATTRS);

	if (ns & SBX_NS_PID)
		plan_proc(b, host_root_uid);
	if (ns & SBX_NS_NET) /* a fresh sysfs shows the sandbox's devices, not the host's */
		mnt(b, "mount sysfs on /sys", "sysfs", "sys", "sysfs",
		    MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	plan_dev(b);
	mnt(b, "mount tmpfs on /tmp", "tmpfs", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	add(b, MOP_ROOT, "open the new root");
	return 0;
}

/* A root filesystem: bound on itself (pivot_root needs a mount point) and
 * entered; its /dev gets the default nodes after the caller's mounts. */
static void plan_rootfs(struct builder *b, const struct sbx_config *cfg)
{
	mnt(b, fmt(b, "bind the root filesystem %s on itself", cfg->rootfs), cfg->rootfs,
	    cfg->rootfs, NULL, MS_BIND | MS_REC, NULL);
	at(b, MOP_CHDIR, fmt(b, "enter the root filesystem %s", cfg->rootfs), cfg->rootfs, 0);
	add(b, MOP_ROOT, "open the root filesystem");
}

/* The OCI default devices, bound from the host, and /dev's links. */
static void plan_rootfs_dev(struct builder *b)
{
	struct stat st;
	for (size_t i = 0; i < sizeof(dev_nodes) / sizeof(*dev_nodes); i++) {
		const char *host = fmt(b, "/dev/%s", dev_nodes[i]);
		if (!host || stat(host, &st) < 0)
			continue; /* out of memory (noted), or this host lacks it */
		struct mount_op *op =
			add(b, MOP_BIND, fmt(b, "bind %s in the root filesystem", host));
		op->src = host;
		op->dst = host + 1;
		op->create = S_IFREG;
	}
	plan_dev_links(b, MOP_LINK);
}

static uint64_t attrs_of(unsigned f)
{
	return ((f & SBX_MNT_RDONLY) ? MOUNT_ATTR_RDONLY : 0) |
	       ((f & SBX_MNT_NOSUID) ? MOUNT_ATTR_NOSUID : 0) |
	       ((f & SBX_MNT_NODEV) ? MOUNT_ATTR_NODEV : 0) |
	       ((f & SBX_MNT_NOEXEC) ? MOUNT_ATTR_NOEXEC : 0) |
	       ((f & SBX_MNT_NOATIME) ? MOUNT_ATTR_NOATIME : 0);
}

/* The caller's mounts, in order. On the host root nothing is created: that
 * would write to the host's file system. */
static void plan_mounts(struct builder *b, const struct sbx_config *cfg)
{
	static const struct {
		const char *fstype;
		long magic;
	} fs[] = {
		[SBX_MOUNT_TMPFS] = {"tmpfs", 0},
		[SBX_MOUNT_PROC] = {"proc", PROC_SUPER_MAGIC},
		[SBX_MOUNT_SYSFS] = {"sysfs", SYSFS_MAGIC},
		[SBX_MOUNT_DEVPTS] = {"devpts", DEVPTS_SUPER_MAGIC},
		[SBX_MOUNT_MQUEUE] = {"mqueue", 0},
		[SBX_MOUNT_CGROUP] = {"cgroup2", CGROUP2_SUPER_MAGIC},
	};
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const struct conf_mount *m = &cfg->mounts[i];
		struct mount_op *op;
		if (m->type == SBX_MOUNT_BIND) {
			op = add(b, MOP_BIND,
				 fmt(b, "mounts[%zu]: bind %s on /%s", i, m->source, m->target));
			op->src = m->source;
			op->attr_flags = (m->flags & SBX_MNT_RECURSIVE) ? AT_RECURSIVE : 0;
			op->create = m->file ? S_IFREG : S_IFDIR;
		} else {
			op = add(b, MOP_FS,
				 fmt(b, "mounts[%zu]: mount %s%s%s on /%s", i, fs[m->type].fstype,
				     m->options_text ? " -o " : "",
				     m->options_text ? m->options_text : "", m->target));
			op->fstype = fs[m->type].fstype;
			op->fs_options = (const char *const *)m->options;
			op->magic = fs[m->type].magic;
			/* a /proc that is a symlink would put the masks elsewhere */
			op->no_symlinks = m->type == SBX_MOUNT_PROC;
			op->create = S_IFDIR;
		}
		op->dst = m->target;
		op->attr = attrs_of(m->flags);
		op->propagation = (m->flags & SBX_MNT_PRIVATE)	? MS_PRIVATE
				  : (m->flags & SBX_MNT_SLAVE)	? MS_SLAVE
				  : (m->flags & SBX_MNT_SHARED) ? MS_SHARED
								: 0;
		if (!cfg->rootfs)
			op->create = 0;
	}
}

/* Device nodes (OCI linux.devices), after the caller's mounts (a tmpfs on
 * /dev would hide them). In a new user namespace the kernel refuses mknod
 * of a device: the host's node at the same path is bound instead, if it is
 * the same device. */
static int plan_devnodes(struct builder *b, const struct sbx_config *cfg, bool userns,
			 sbx_error *err)
{
	for (size_t i = 0; i < cfg->n_devnodes; i++) {
		const struct conf_devnode *d = &cfg->devnodes[i];
		unsigned fmt_type = d->type == 'c' ? S_IFCHR : d->type == 'b' ? S_IFBLK : S_IFIFO;
		dev_t rdev = d->type == 'p' ? 0 : makedev(d->major, d->minor);
		if (!userns || d->type == 'p') {
			struct mount_op *op =
				at(b, MOP_MKNOD, fmt(b, "devices[%zu]: make /%s", i, d->path),
				   d->path, fmt_type | d->mode);
			op->rdev = rdev;
			op->uid = d->uid;
			op->gid = d->gid;
			continue;
		}
		const char *host = fmt(b, "/%s", d->path);
		struct stat st;
		if (!host)
			continue; /* out of memory, noted */
		if (stat(host, &st) < 0 || (st.st_mode & S_IFMT) != fmt_type || st.st_rdev != rdev)
			return err_setx(
				err, SBX_STAGE_CONFIG, ENODEV,
				"devices[%zu] %s (%c %u:%u): in a new user namespace the "
				"kernel refuses mknod, and the host has no such device at %s "
				"to bind",
				i, host, d->type, d->major, d->minor, host);
		struct mount_op *op =
			add(b, MOP_BIND, fmt(b, "devices[%zu]: bind the host's %s", i, host));
		op->src = host;
		op->dst = d->path;
		op->create = S_IFREG;
		op->attr = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC;
	}
	return 0;
}

/* Read-only paths first: a mask inside one keeps its own flags (a nodev
 * /dev/null would refuse to open rather than read empty). */
static void plan_paths(struct builder *b, const struct sbx_config *cfg)
{
	for (size_t i = 0; i < cfg->n_readonly; i++) {
		struct mount_op *op =
			at(b, MOP_READONLY,
			   fmt(b, "readonlyPaths[%zu]: make /%s read-only", i, cfg->readonly[i]),
			   cfg->readonly[i], 0);
		op->ok_errno = ENOENT;
		op->attr = RO_ATTRS | MOUNT_ATTR_NOEXEC;
	}
	for (size_t i = 0; i < cfg->n_masked; i++)
		at(b, MOP_MASK, fmt(b, "maskedPaths[%zu]: mask /%s", i, cfg->masked[i]),
		   cfg->masked[i], 0)
			->ok_errno = ENOENT;
}

int mount_plan_build(struct mount_plan *mp, const struct sbx_config *cfg, unsigned ns, bool userns,
		     bool host_root_uid, sbx_error *err)
{
	struct builder b = {0};
	int r = 0;
	mnt(&b, "make the mount tree private", NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	if (cfg->rootfs)
		plan_rootfs(&b, cfg);
	else if ((r = plan_host_root(&b, ns, userns, host_root_uid, err)) < 0)
		goto out;
	plan_mounts(&b, cfg);
	if (cfg->rootfs)
		plan_rootfs_dev(&b);
	if ((r = plan_devnodes(&b, cfg, userns, err)) < 0)
		goto out;
	plan_paths(&b, cfg);
	if (cfg->rootfs && cfg->rootfs_readonly)
		add(&b, MOP_ROOT_RDONLY, "make the root filesystem read-only");
	add(&b, MOP_PIVOT, "pivot_root into the new root");
	if (cfg->root_propagation)
		mnt(&b, "set the root's propagation (rootfsPropagation)", NULL, "/", NULL,
		    cfg->root_propagation, NULL);
out:
	mp->ops = b.ops;
	mp->n = b.n;
	mp->strings = b.strings;
	mp->n_strings = b.n_strings;
	if (r == 0 && b.oom)
		r = err_setx(err, SBX_STAGE_PREPARE, ENOMEM, "mount plan: out of memory");
	if (r < 0)
		mount_plan_free(mp);
	return r;
}

void mount_plan_free(struct mount_plan *mp)
{
	for (size_t i = 0; i < mp->n_strings; i++)
		free(mp->strings[i]);
	free(mp->strings);
	free(mp->ops);
	memset(mp, 0, sizeof(*mp));
}

/* pivot_root(".", ".") puts the old root on top of the new one at "/";
 * detaching "." then removes it and everything under it. */
static int pivot(void)
{
	if (sys_pivot_root(".", ".") < 0)
		return -1;
	if (umount2(".", MNT_DETACH) < 0)
		return -1;
	return chdir("/");
}

/* Child side: async-signal-safe system calls only. */
int mount_apply(const struct mount_op *ops, size_t n, size_t *failed)
{
	int root = -1, r = 0;
	for (size_t i = 0; i < n; i++) {
		const struct mount_op *op = &ops[i];
		r = 0;
		switch (op->kind) {
		case MOP_MOUNT:
			r = mount(op->src, op->dst, op->fstype, op->flags, op->data);
			break;
		case MOP_UMOUNT:
			r = umount2(op->dst, MNT_DETACH);
			break;
		case MOP_SETATTR: {
			struct mount_attr a = {.attr_set = op->attr};
			r = mount_setattr(AT_FDCWD, op->dst, op->attr_flags, &a, sizeof(a));
			break;
		}
		case MOP_MKDIR:
			r = mkdir(op->dst, op->mode);
			break;
		case MOP_MKFILE:
			r = mknod(op->dst, S_IFREG | op->mode, 0);
			break;
		case MOP_SYMLINK:
			r = symlink(op->src, op->dst);
			break;
		case MOP_CHDIR:
			r = chdir(op->dst);
			break;
		case MOP_PIVOT:
			r = pivot();
			break;
		default:
			r = inroot_apply(op, &root);
			break;
		}
		if (r < 0) {
			if (op->ok_errno && errno == op->ok_errno) {
				i += (size_t)op->skip_rest;
				continue;
			}
			*failed = i;
			r = -errno;
			break;
		}
	}
	if (root >= 0)
		close(root);
	return r;
}
