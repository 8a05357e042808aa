/* The plan: everything the child does between clone3 and execve, computed in
 * the parent before the clone. The child works on its own copy of this memory
 * and only makes system calls: no allocation, no stdio, no locks (the caller
 * may be multithreaded, and another thread may have held a lock at the moment
 * of the clone). A failing step is reported back as {step, index, errno}; the
 * parent turns that into a message using its own copy of the plan. */
#ifndef SBX_PLAN_H
#define SBX_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/filter.h>

#include "capmode.h"
#include "conf.h"

/* STEP_CAPMODE indexes at and above this are directory grants */
#define PLAN_CAP_GRANT 1000

enum step {
	STEP_SETSID = 1,
	STEP_SETGROUPS,
	STEP_SETGID,
	STEP_SETUID,
	STEP_PDEATHSIG,
	STEP_MOUNT,  /* index: mount op */
	STEP_SYSCTL, /* index: sysctl */
	STEP_OOM_SCORE,
	STEP_CONSOLE,
	STEP_JOIN, /* index: join slot */
	STEP_HOSTNAME,
	STEP_DOMAINNAME,
	STEP_PERSONALITY,
	STEP_TIMENS,
	STEP_LOOPBACK,
	STEP_RLIMITS, /* index: resource */
	STEP_CHDIR,
	STEP_FDS, /* index: fd move */
	STEP_KEYRING,
	STEP_CAPS,
	STEP_NO_NEW_PRIVS,
	STEP_CAPMODE, /* index: runtime path, or PLAN_CAP_GRANT + grant, or -1 */
	STEP_SECCOMP,
	STEP_LISTENER_AT, /* not a failure: the listener will be fd `index` */
	STEP_ENTERED,	  /* not a failure: a strict-mode entry function runs */
	STEP_GATE,	  /* not a failure: set up, waiting at the start gate */
	STEP_EXEC,	  /* index: PATH entry, or -1 for the path as given */
};

struct child_report {
	int32_t step;
	int32_t index;
	int32_t err;
};

enum mount_kind {
	MOP_MOUNT,   /* mount(src, dst, fstype, flags, data) */
	MOP_UMOUNT,  /* umount2(dst, MNT_DETACH) */
	MOP_SETATTR, /* mount_setattr(dst, attr_flags, {attr}) */
	MOP_MKDIR,   /* mkdir(dst, mode) */
	MOP_MKFILE,  /* mknod(dst, S_IFREG | mode): a mount point for a file bind */
	MOP_SYMLINK, /* symlink(src, dst) */
	MOP_CHDIR,   /* chdir(dst) */
	MOP_PIVOT,   /* pivot_root(".", "."), detach the old root, chdir("/") */
	/* Inside the root (the working directory at MOP_ROOT): dst is resolved
	 * with RESOLVE_IN_ROOT and mounted on through descriptors. */
	MOP_ROOT,	/* hold "." as the root for what follows */
	MOP_FS,		/* a new fstype with fs_options, attrs `attr`, on dst */
	MOP_BIND,	/* open_tree(src), attrs `attr` (attr_flags), on dst */
	MOP_MASK,	/* /dev/null over a file, an empty read-only tmpfs over a dir */
	MOP_READONLY,	/* dst bound on itself, read-only, nosuid, nodev, noexec */
	MOP_LINK,	/* symlink src at dst unless something is there */
	MOP_MKNOD,	/* mknod dst (mode, rdev), owned by uid:gid; an equal node may be there */
	MOP_ROOT_RDONLY /* the root mount itself read-only */
};

struct mount_op {
	enum mount_kind kind;
	int ok_errno;  /* an errno that means "nothing to do" (0: none) */
	int skip_rest; /* with ok_errno: on that errno also skip this many following ops */
	const char *src;
	const char *dst;
	const char *fstype;
	const char *data;
	unsigned long flags;
	uint64_t attr;	     /* MOUNT_ATTR_* to set */
	unsigned attr_flags; /* AT_RECURSIVE or 0 */
	unsigned mode;
	dev_t rdev;	  /* MOP_MKNOD */
	uid_t uid;	  /* MOP_MKNOD */
	gid_t gid;	  /* MOP_MKNOD */
	const char *what; /* for the error message: "mount proc on /proc" */
	/* in-root kinds */
	unsigned create;	       /* 0, S_IFDIR or S_IFREG: make a missing dst */
	unsigned propagation;	       /* 0 or MS_PRIVATE, MS_SLAVE, MS_SHARED */
	bool no_symlinks;	       /* dst must not pass a symlink (/proc) */
	long magic;		       /* 0, or the f_type dst must have afterwards */
	const char *const *fs_options; /* MOP_FS: key, value or NULL, ..., NULL */
};

/* One fd to place in the sandbox: src (a parent-side fd, inherited by the
 * child) becomes `target`. */
struct fd_move {
	int src;
	int target;
	int tmp; /* child scratch: src moved above every target first */
};

struct plan {
	uint64_t clone_flags;
	bool userns;	/* a new user namespace: the parent writes id maps */
	bool need_sync; /* the child waits for the parent before going on */

	/* identity, as seen inside */
	bool set_ids;
	bool set_groups; /* setgroups(n_groups, groups): the caller's go */
	uid_t uid;
	gid_t gid;
	gid_t groups[SBX_GROUPS_MAX];
	size_t n_groups;

	int pdeathsig;

	struct mount_op *mounts;
	size_t n_mounts;

	struct {
		int resource;
		uint64_t soft, hard;
	} rlimits[CONF_RLIMITS];
	size_t n_rlimits;

	const char *hostname;	 /* NULL: leave */
	const char *domainname;	 /* NULL: leave */
	int umask;		 /* -1: leave */
	long personality;	 /* -1: leave */
	char timens_offsets[96]; /* "" or /proc/self/timens_offsets' lines */
	int gate_fd;		 /* wait for a byte here before the program, or -1 */
	char oom_score_adj[8];	 /* "" to leave */
	int console_fd;		 /* send a terminal's master here, or -1 */
	int join_fd[4];		 /* setns() into these first (-1: none) */
	int join_type[4];	 /* their CLONE_NEW* */
	const char *join_path[4];
	const struct sysctl_setting *sysctls;
	size_t n_sysctls;
	bool loopback;
	const char *cwd;

	struct fd_move *fds;
	size_t n_fds;
	int fd_floor; /* first fd number above every target */

	const struct sock_fprog *filter; /* installed last; NULL for none */
	bool strict;			 /* SECCOMP_SET_MODE_STRICT instead (entry only) */
	bool listener;			 /* the filter notifies: hand its fd over */
	bool log_denials;		 /* SECCOMP_FILTER_FLAG_LOG */

	bool drop_bounding; /* we hold CAP_SETPCAP where the sandbox runs */
	int last_cap;
	sbx_caps caps; /* kept */
	bool no_new_privs;

	/* capability mode: Landlock rules on the runtime paths (opened in the
	 * sandbox), the directory grants (by target) and the program */
	bool capmode;
	unsigned cap_need;
	char *const *cap_runtime;
	struct cap_rule *cap_grants; /* fd = the grant's target */
	size_t n_cap_grants;
	const struct sock_fprog *cap_filter;

	int (*entry)(void *); /* run this instead of a program */
	void *entry_arg;
	int exec_fd;	  /* execveat this file, or -1 to use path */
	const char *path; /* as configured; no slash means PATH search */
	char *const *argv;
	char *const *envp;
	const char **search; /* PATH directories for a bare name, NULL-terminated */
	char *exec_buf;	     /* scratch for "dir/name" */
	size_t exec_buf_len;

	/* fds the child uses (inherited through clone, close-on-exec) */
	int report_fd;
	int sync_fd;	 /* -1 without need_sync */
	int report_peer; /* the parent's ends, which the child closes */
	int sync_peer;
};

/* child.c: runs in the child; never returns. */
__attribute__((noreturn)) void child_run(struct plan *p);

/* child.c: "exec /bin/foo: No such file or directory" and the like. */
void child_describe_failure(const struct plan *p, const struct child_report *r, char *buf,
			    size_t len);

#endif
