/* Child side of the in-root mount steps: every target is resolved inside
 * the sandbox's root as if it were "/" (openat2 RESOLVE_IN_ROOT), so a
 * symlink planted in a root filesystem, absolute or full of "..", stays
 * inside it; and every mount is attached to the descriptor that resolution
 * gave (move_mount), so nothing can swap the path in between. Missing
 * targets are made one component at a time beneath descriptors resolved the
 * same way. System calls only: this runs between clone and exec. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "inroot.h"
#include "util.h"

static int open_in(int root, const char *rel, bool no_symlinks)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
			   (no_symlinks ? RESOLVE_NO_SYMLINKS : 0),
	};
	return (int)syscall(SYS_openat2, root, *rel ? rel : ".", &how, sizeof(how));
}

/* Opens rel (O_PATH) inside root; with `create`, missing components are
 * made: directories, and the last one as `create` says. */
static int resolve(int root, const char *rel, unsigned create, bool no_symlinks)
{
	int fd = open_in(root, rel, no_symlinks);
	if (fd >= 0 || errno != ENOENT || !create)
		return fd;
	char buf[4096];
	size_t len = strlen(rel);
	if (len >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, rel, len + 1);
	int parent = -1;
	for (size_t start = 0; start < len;) {
		size_t end = start + strcspn(buf + start, "/");
		bool last = end == len;
		buf[end] = 0;
		fd = open_in(root, buf, no_symlinks);
		if (fd < 0 && errno == ENOENT) {
			int dir = parent >= 0 ? parent : root;
			int r;
			if (last && create == S_IFREG)
				r = mknodat(dir, buf + start, S_IFREG | 0644, 0);
			else
				r = mkdirat(dir, buf + start, 0755);
			/* EEXIST: made meanwhile, or a dangling symlink, which
			 * the open below refuses */
			if (r < 0 && errno != EEXIST) {
				closep(&parent);
				return -1;
			}
			fd = open_in(root, buf, no_symlinks);
		}
		closep(&parent);
		if (fd < 0)
			return -1;
		if (!last)
			buf[end] = '/';
		parent = fd;
		start = end + 1;
	}
	return parent;
}

/* The directory that holds rel's last component, resolved (and made)
 * inside root; *name points at that component. */
static int resolve_parent(int root, const char *rel, const char **name)
{
	const char *slash = strrchr(rel, '/');
	char dir[256];
	size_t n = slash ? (size_t)(slash - rel) : 0;
	if (n >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, rel, n);
	dir[n] = 0;
	*name = slash ? slash + 1 : rel;
	return resolve(root, dir, S_IFDIR, false);
}

/* A device node or FIFO; one already there (the root filesystem's own) is
 * fine if it is the same, and anything else there an error. Its mode is set
 * after mknod, which the umask would narrow. */
static int make_node(int root, const struct mount_op *op)
{
	const char *name;
	_cleanup_close_ int parent = resolve_parent(root, op->dst, &name);
	if (parent < 0)
		return -1;
	if (mknodat(parent, name, op->mode, op->rdev) < 0) {
		struct stat st;
		if (errno != EEXIST)
			return -1;
		if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -1;
		if ((st.st_mode & S_IFMT) != (op->mode & S_IFMT) || st.st_rdev != op->rdev) {
			errno = EEXIST;
			return -1;
		}
	}
	if (fchownat(parent, name, op->uid, op->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	return fchmodat(parent, name, op->mode & 07777, 0);
}

static int attach(int tree, int target, unsigned propagation)
{
	int r = move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
	if (r == 0 && propagation) {
		/* the new mount is what the target path now leads to */
		struct mount_attr a = {.propagation = propagation};
		r = mount_setattr(tree, "", AT_EMPTY_PATH, &a, sizeof(a));
	}
	return r;
}

/* A new file system, configured and mounted through a descriptor. */
static int new_fs(const char *fstype, const char *const *opts, uint64_t attr)
{
	_cleanup_close_ int ctx = fsopen(fstype, FSOPEN_CLOEXEC);
	if (ctx < 0)
		return -1;
	/* the "device" in the mount table, as mount(8) would name it */
	if (fsconfig(ctx, FSCONFIG_SET_STRING, "source", fstype, 0) < 0)
		return -1;
	for (const char *const *o = opts; o && o[0]; o += 2) {
		int r = o[1] ? fsconfig(ctx, FSCONFIG_SET_STRING, o[0], o[1], 0)
			     : fsconfig(ctx, FSCONFIG_SET_FLAG, o[0], NULL, 0);
		if (r < 0)
			return -1;
	}
	if (fsconfig(ctx, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -1;
	return fsmount(ctx, FSMOUNT_CLOEXEC, (unsigned)attr);
}

/* A detached copy of the mount at (dirfd, path), attrs applied. */
static int copy_tree(int dirfd, const char *path, unsigned flags, uint64_t attr, bool recursive)
{
	int tree = open_tree(dirfd, path,
			     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | flags |
				     (recursive ? AT_RECURSIVE : 0));
	if (tree < 0 || !attr)
		return tree;
	struct mount_attr a = {.attr_set = attr};
	if (mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof(a)) <
	    0) {
		close(tree);
		return -1;
	}
	return tree;
}

/* After a mount, dst must be what was mounted (procfs, say): a check
 * against anything that could have moved it. */
static int check_magic(int root, const struct mount_op *op)
{
	_cleanup_close_ int fd = open_in(root, op->dst, true);
	struct statfs sf;
	if (fd < 0 || fstatfs(fd, &sf) < 0)
		return -1;
	if (sf.f_type != op->magic) {
		errno = EXDEV;
		return -1;
	}
	return 0;
}

int inroot_apply(const struct mount_op *op, int *root)
{
	if (op->kind == MOP_ROOT) {
		*root = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		return *root < 0 ? -1 : 0;
	}
	if (op->kind == MOP_ROOT_RDONLY) {
		struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
		return mount_setattr(*root, "", AT_EMPTY_PATH, &a, sizeof(a));
	}
	if (op->kind == MOP_LINK) {
		/* dev/fd and the like */
		const char *name;
		_cleanup_close_ int parent = resolve_parent(*root, op->dst, &name);
		if (parent < 0)
			return -1;
		int r = symlinkat(op->src, parent, name);
		return r < 0 && errno == EEXIST ? 0 : r;
	}
	if (op->kind == MOP_MKNOD)
		return make_node(*root, op);
	_cleanup_close_ int target = resolve(*root, op->dst, op->create, op->no_symlinks);
	if (target < 0)
		return -1;
	_cleanup_close_ int tree = -1;
	switch (op->kind) {
	case MOP_FS:
		tree = new_fs(op->fstype, op->fs_options, op->attr);
		break;
	case MOP_BIND:
		tree = copy_tree(AT_FDCWD, op->src, 0, op->attr, op->attr_flags & AT_RECURSIVE);
		break;
	case MOP_MASK: {
		struct stat st;
		if (fstat(target, &st) < 0)
			return -1;
		if (S_ISDIR(st.st_mode)) {
			static const char *const empty[] = {"size", "0", "nr_inodes", "1", NULL};
			tree = new_fs("tmpfs", empty,
				      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					      MOUNT_ATTR_NOEXEC);
		} else {
			tree = copy_tree(AT_FDCWD, "/dev/null", 0, 0, false);
		}
		break;
	}
	case MOP_READONLY:
		tree = copy_tree(target, "", AT_EMPTY_PATH, op->attr, true);
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	if (tree < 0 || attach(tree, target, op->propagation) < 0)
		return -1;
	return op->magic ? check_magic(*root, op) : 0;
}
