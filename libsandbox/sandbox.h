/* libsandbox: run a program in fresh Linux namespaces and get a precise result back.
 *
 * Lifecycle (minijail style): build a configuration (plain data, reusable for
 * many spawns, testable without privileges), spawn it, wait for the result,
 * free the handles.
 *
 *	sbx_error err;
 *	sbx_config *cfg = sbx_config_new();
 *	const char *argv[] = {"/bin/echo", "hi", NULL};
 *	sbx_config_set_exec(cfg, NULL, argv, &err);
 *	sbx_proc *p;
 *	if (sbx_spawn(cfg, &p, &err) < 0)
 *		fprintf(stderr, "%s\n", err.message);   // "exec /bin/echo: ..."
 *	sbx_result r = {.size = sizeof(r)};
 *	sbx_wait(p, -1, &r, &err);
 *	sbx_proc_free(p);
 *	sbx_config_free(cfg);
 *
 * Conventions for every function here:
 * - Functions that can fail return 0 (or a value >= 0) on success and -errno on
 *   failure; errno is set to the same value. A successful call leaves errno alone.
 * - `err` may be NULL. When it is not, a failure fills it with the errno value
 *   and a message that names what failed and why ("chdir /nope: No such file or
 *   directory"). The struct is fixed-size and needs no freeing.
 * - An `int fd` parameter is borrowed: the call does not close it.
 * - The library never writes to stderr, never exits, never installs signal
 *   handlers, and holds no global mutable state. Distinct handles may be used
 *   from distinct threads; one handle must not be used by two threads at once.
 * - Every fd the library creates is close-on-exec.
 */
#ifndef SANDBOX_H
#define SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SBX_VERSION_MAJOR 0
#define SBX_VERSION_MINOR 1
#define SBX_VERSION_PATCH 0

#if defined(__GNUC__)
#define SBX_EXPORT __attribute__((visibility("default")))
#else
#define SBX_EXPORT
#endif

/* "MAJOR.MINOR.PATCH" of the library actually loaded. */
SBX_EXPORT const char *sbx_version(void);

/* ------------------------------------------------------------------ errors */

#define SBX_ERROR_MAX 512

/* Where a failure happened; lets a caller tell a bad configuration from a
 * failed set-up step inside the sandbox and from a program that could not be
 * executed (a CLI maps these to distinct exit codes). */
enum sbx_stage {
	SBX_STAGE_NONE = 0,
	SBX_STAGE_CONFIG,  /* invalid argument to a configuration call */
	SBX_STAGE_PREPARE, /* in the caller, before or while creating the sandbox */
	SBX_STAGE_SETUP,   /* inside the sandbox, before exec */
	SBX_STAGE_EXEC,	   /* execve of the program failed */
	SBX_STAGE_RUN,	   /* waiting for, signalling or reading the running sandbox */
};

typedef struct sbx_error {
	int code;		     /* positive errno value */
	int stage;		     /* enum sbx_stage */
	char message[SBX_ERROR_MAX]; /* NUL-terminated, no trailing newline */
} sbx_error;

/* ------------------------------------------------------------------ namespaces */

#define SBX_NS_USER 0x01u
#define SBX_NS_PID 0x02u
#define SBX_NS_MOUNT 0x04u
#define SBX_NS_UTS 0x08u
#define SBX_NS_IPC 0x10u
#define SBX_NS_NET 0x20u
#define SBX_NS_CGROUP 0x40u
#define SBX_NS_TIME 0x80u
/* What a new configuration gets: everything but time (whose offsets cannot be
 * set from clone3, so a new one isolates nothing by default). */
#define SBX_NS_DEFAULT 0x7fu
#define SBX_NS_ALL 0xffu

/* ------------------------------------------------------------------ configuration */

typedef struct sbx_config sbx_config;

/* A new configuration denies by default:
 * - every namespace in SBX_NS_DEFAULT is new: no network but a loopback
 *   interface, own pid 1, own hostname ("sandbox"), own IPC objects, own mount
 *   table (host root read-only, fresh /proc, minimal /dev, private /tmp);
 * - the sandbox's root user is mapped to the caller's uid/gid when the caller
 *   is unprivileged, and to nobody:nogroup (65534) when the caller is root, so
 *   a sandbox never holds the host's root identity unless a map asks for it;
 * - an empty environment, cwd "/", no fds but stdio (inherited), a new session
 *   and a fresh session keyring, parent-death signal SIGKILL;
 * - no capabilities (bounding, effective, permitted, inheritable and ambient
 *   sets all cleared) and no_new_privs.
 * Returns NULL with errno ENOMEM on allocation failure. */
SBX_EXPORT sbx_config *sbx_config_new(void);

/* Frees the configuration and closes the fds it holds (grants, stdio fds).
 * NULL is allowed. Processes spawned from it are not affected. */
SBX_EXPORT void sbx_config_free(sbx_config *cfg);

/* The program to run. `argv` is NULL-terminated and must have at least one
 * element. `path` is what is executed; NULL means argv[0]. A path without a
 * slash is looked up in the sandbox's PATH (the environment's, else
 * "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") inside the
 * sandbox, after its mounts are in place. Copies the strings. Replaces any
 * fd set by sbx_config_set_exec_fd().
 * Errors: EINVAL (empty argv, empty path), ENOMEM. */
SBX_EXPORT int sbx_config_set_exec(sbx_config *cfg, const char *path, const char *const argv[],
				   sbx_error *err);

/* The program to run is the file open at `fd` (borrowed; the configuration
 * keeps its own duplicate), executed with execveat(AT_EMPTY_PATH) the way
 * Capsicum's fexecve works: the file need not be visible inside the sandbox
 * at all. A dynamically linked program still needs its interpreter and
 * libraries inside (the host root has them). A "#!" script cannot run this
 * way (its interpreter would have to open it again) and is refused.
 * Replaces any path set by sbx_config_set_exec().
 * Errors: EBADF, EINVAL (empty argv, a script), EMFILE, ENOMEM. */
SBX_EXPORT int sbx_config_set_exec_fd(sbx_config *cfg, int fd, const char *const argv[],
				      sbx_error *err);

/* Instead of a program, the sandbox runs fn(arg) and exits with its return
 * value: the classic worker, which sets up its pipes and then enters its
 * sandbox (strict mode, say) before it reads a byte of input. fn runs in a
 * copy of the caller made by clone3, as after fork(): only
 * async-signal-safe functions if the caller has threads, no stdio, and
 * everything in the caller's memory (keys, tokens) is in the worker's too,
 * so spawn workers before secrets are loaded or from a small process.
 * With a "mode strict" policy fn runs under SECCOMP_SET_MODE_STRICT: read,
 * write, exit and sigreturn, nothing else, not even malloc's mmap or
 * exit()'s exit_group (end early with sbx_worker_exit()); with a filter
 * policy it runs under the filter, which must allow close. Replaces any
 * program set before. Errors: EINVAL. */
SBX_EXPORT int sbx_config_set_entry(sbx_config *cfg, int (*fn)(void *arg), void *arg,
				    sbx_error *err);

/* Replaces the whole environment with `envp` (NULL-terminated "NAME=value"
 * strings; NULL means empty). Errors: EINVAL (an entry without '=' or with an
 * empty name), ENOMEM. */
SBX_EXPORT int sbx_config_set_env(sbx_config *cfg, const char *const envp[], sbx_error *err);

/* Sets one variable, replacing an existing one of the same name.
 * Errors: EINVAL (empty name, or a name containing '='), ENOMEM. */
SBX_EXPORT int sbx_config_setenv(sbx_config *cfg, const char *name, const char *value,
				 sbx_error *err);

/* Working directory inside the sandbox; must be absolute. Default "/".
 * Errors: EINVAL, ENAMETOOLONG, ENOMEM. */
SBX_EXPORT int sbx_config_set_cwd(sbx_config *cfg, const char *path, sbx_error *err);

/* Which namespaces are new (SBX_NS_* bits); the others are shared with the
 * caller. A caller without CAP_SYS_ADMIN always gets a new user namespace when
 * it asks for any other new namespace (the kernel requires it). 0 means share
 * everything (no isolation but fds, session, capabilities).
 * What sharing gives away: without SBX_NS_PID the program sees the caller's
 * processes and, running as the caller's uid, may signal or ptrace them;
 * without SBX_NS_NET it reaches the host's network and its abstract UNIX
 * sockets (D-Bus, X11); without SBX_NS_MOUNT it sees the host's files with
 * the caller's rights, writable ones included.
 * Errors: EINVAL (unknown bits). */
SBX_EXPORT int sbx_config_set_namespaces(sbx_config *cfg, unsigned mask, sbx_error *err);

/* The namespace mask currently configured. */
SBX_EXPORT unsigned sbx_config_get_namespaces(const sbx_config *cfg);

/* Hostname inside a new UTS namespace (default "sandbox"). 1-64 bytes.
 * Errors: EINVAL, ENAMETOOLONG. */
SBX_EXPORT int sbx_config_set_hostname(sbx_config *cfg, const char *name, sbx_error *err);

/* NIS domain name inside the new UTS namespace (OCI "domainname"); unset by
 * default. 1-64 bytes; a spawn without SBX_NS_UTS refuses it.
 * Errors: EINVAL, ENAMETOOLONG. */
SBX_EXPORT int sbx_config_set_domainname(sbx_config *cfg, const char *name, sbx_error *err);

/* The program's umask (OCI process.user.umask), 0-0777; default: the
 * caller's. Errors: EINVAL. */
SBX_EXPORT int sbx_config_set_umask(sbx_config *cfg, unsigned mask, sbx_error *err);

/* Offsets of the sandbox's monotonic and boot-time clocks (OCI
 * linux.timeOffsets), seconds and nanoseconds (0-999999999) each, in its
 * new time namespace (SBX_NS_TIME; a spawn without one refuses them). The
 * kernel refuses offsets that would take a clock below zero; sbx_spawn()
 * says so. Errors: EINVAL. */
SBX_EXPORT int sbx_config_set_time_offsets(sbx_config *cfg, int64_t monotonic_sec,
					   long monotonic_nsec, int64_t boottime_sec,
					   long boottime_nsec, sbx_error *err);

/* The program's execution domain (OCI linux.personality), as personality(2)
 * takes it: PER_LINUX, or PER_LINUX32 (uname then says i686 on x86-64);
 * default: the caller's. Other domains and flags: EINVAL. */
SBX_EXPORT int sbx_config_set_personality(sbx_config *cfg, unsigned long persona, sbx_error *err);

/* OCI create/start: the sandbox is set up completely (namespaces, mounts,
 * ids, cgroups, the program found) and then waits, before its capability
 * mode and seccomp filter go on and the program runs, until it can read a
 * byte from `fd`: a FIFO the caller opened O_RDWR (borrowed; the
 * configuration keeps a duplicate). Whoever opens the FIFO by its path and
 * writes a byte starts it. sbx_spawn() returns once the sandbox waits. A
 * policy with notify rules is refused (its listener comes after the gate);
 * so is a function worker. -1 removes the gate.
 * Errors: EBADF, EINVAL (not a FIFO), EMFILE. */
SBX_EXPORT int sbx_config_set_start_gate(sbx_config *cfg, int fd, sbx_error *err);

/* A sysctl inside the sandbox (OCI linux.sysctl): `key` in dotted form
 * ("net.ipv4.ip_forward"). Only namespaced ones: net.* with SBX_NS_NET,
 * the IPC ones (kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*) with
 * SBX_NS_IPC, kernel.hostname and kernel.domainname with SBX_NS_UTS; any
 * other would change the host, and is refused (at spawn when the namespace
 * is missing). Written in the sandbox's namespaces before its mounts.
 * Errors: EINVAL, E2BIG (more than 64), ENOMEM. */
SBX_EXPORT int sbx_config_set_sysctl(sbx_config *cfg, const char *key, const char *value,
				     sbx_error *err);

/* The sandbox's oom_score_adj (OCI process.oomScoreAdj), -1000 to 1000;
 * default: the caller's. Lowering it below the caller's needs
 * CAP_SYS_RESOURCE on the host, and fails the spawn without it.
 * Errors: EINVAL. */
SBX_EXPORT int sbx_config_set_oom_score_adj(sbx_config *cfg, int adj, sbx_error *err);

/* A terminal for the program (OCI process.terminal with a console
 * socket): inside the sandbox, after its mounts, a pseudo-terminal is made
 * from its /dev/ptmx; the program gets the terminal as its controlling
 * terminal and stdin, stdout and stderr, and the master is sent over `fd`,
 * a connected AF_UNIX socket (borrowed; the configuration keeps a
 * duplicate), with SCM_RIGHTS and the terminal's name as data, as runc
 * does for conmon and containerd. -1 removes it.
 * Errors: EBADF, ENOTSOCK, EMFILE. */
SBX_EXPORT int sbx_config_set_console_socket(sbx_config *cfg, int fd, sbx_error *err);

/* The sandbox joins an existing namespace instead of making one: `path`
 * names it (/run/netns/NAME, /proc/PID/ns/net...), checked now to be a
 * namespace of that kind and held open. For SBX_NS_NET, SBX_NS_IPC,
 * SBX_NS_UTS and SBX_NS_CGROUP; joining needs CAP_SYS_ADMIN over the
 * namespace, so not together with a new user namespace unless it owns it.
 * A joined namespace is the sandbox's as far as sysctls go, but its
 * hostname and loopback are left as they are. NULL stops joining.
 * Errors: EINVAL (another kind, or the file is not such a namespace),
 * ENOENT, EACCES. */
SBX_EXPORT int sbx_config_join_namespace(sbx_config *cfg, unsigned kind, const char *path,
					 sbx_error *err);

/* The name of the sandbox's cgroups (one path component, not "sbx-..."),
 * instead of one made up per spawn; sbx_gc() leaves such cgroups alone, so
 * they can outlive the handle (sbx_proc_detach). A spawn fails with EEXIST
 * while a cgroup of that name exists. NULL goes back to made-up names.
 * Errors: EINVAL. */
SBX_EXPORT int sbx_config_set_cgroup_name(sbx_config *cfg, const char *name, sbx_error *err);

/* ------------------------------------------------------------------ file system
 *
 * With SBX_NS_MOUNT the sandbox's mount table is built in its own mount
 * namespace: on a root filesystem if one is set, else on a read-only copy of
 * the host root with a fresh /proc, a minimal /dev and a private /tmp. Every
 * target path is resolved inside the sandbox's root as if it were "/"
 * (openat2 RESOLVE_IN_ROOT), so a symlink in a hostile root filesystem
 * cannot send a mount to the host; mounts are attached through descriptors
 * (open_tree, fsopen, move_mount), never by path. */

/* The sandbox's "/" is the directory `path` (pivot_root). Missing mount
 * targets are created in it, as other OCI runtimes do; /dev gets the
 * default device nodes (null, zero, full, random, urandom, tty) bound from
 * the host and the /dev/fd, /dev/std*, /dev/ptmx links. `readonly`: the
 * root mount itself is read-only (mounts on it are as they ask).
 * NULL goes back to the host root. Errors: ENOENT, ENOTDIR (checked now),
 * EINVAL (relative path), ENOMEM. */
SBX_EXPORT int sbx_config_set_rootfs(sbx_config *cfg, const char *path, int readonly,
				     sbx_error *err);

enum {
	SBX_MOUNT_BIND,	  /* source: a host path, file or directory */
	SBX_MOUNT_TMPFS,  /* options: size=, mode=, nr_inodes=, uid=, gid= */
	SBX_MOUNT_PROC,	  /* needs a new pid namespace */
	SBX_MOUNT_SYSFS,  /* needs a new network namespace */
	SBX_MOUNT_DEVPTS, /* a new instance: newinstance, ptmxmode=, mode=, gid= */
	SBX_MOUNT_MQUEUE, /* needs a new IPC namespace */
	SBX_MOUNT_CGROUP, /* cgroup2 (the sandbox's own with a cgroup namespace) */
};

/* Mount flags (SBX_MNT_*), as in OCI's mount options. */
#define SBX_MNT_RDONLY (1u << 0)
#define SBX_MNT_NOSUID (1u << 1)
#define SBX_MNT_NODEV (1u << 2)
#define SBX_MNT_NOEXEC (1u << 3)
#define SBX_MNT_RECURSIVE (1u << 4) /* bind: with the mounts beneath (rbind) */
#define SBX_MNT_NOATIME (1u << 5)
#define SBX_MNT_PRIVATE (1u << 6) /* propagation of the new mount */
#define SBX_MNT_SLAVE (1u << 7)
#define SBX_MNT_SHARED (1u << 8)
#define SBX_MNT_UNBINDABLE (1u << 9)

/* Propagation of the sandbox's root mount (OCI linux.rootfsPropagation):
 * SBX_MNT_PRIVATE, SBX_MNT_SLAVE, SBX_MNT_SHARED or SBX_MNT_UNBINDABLE,
 * with SBX_MNT_RECURSIVE for every mount beneath it too; set on "/" once
 * the sandbox is in it. The sandbox's mount tree is made private before
 * anything is mounted, so no mount event crosses between it and the host
 * whatever this says: shared and slave relate the sandbox's own mounts and
 * the mount namespaces it makes (a slave without a master ends private),
 * unbindable keeps its root from being bound. 0 (the default) leaves it
 * private. Errors: EINVAL. */
SBX_EXPORT int sbx_config_set_rootfs_propagation(sbx_config *cfg, unsigned flags, sbx_error *err);

typedef struct sbx_mount {
	size_t size;	     /* sizeof(sbx_mount) */
	int type;	     /* SBX_MOUNT_* */
	const char *source;  /* SBX_MOUNT_BIND: absolute host path; else ignored */
	const char *target;  /* absolute, inside the sandbox */
	unsigned flags;	     /* SBX_MNT_* */
	const char *options; /* file system options, "k=v,flag,..." (NULL: none) */
} sbx_mount;

/* Adds a mount, applied in the order added, after the root is in place and
 * before masked and read-only paths. A bind's source must exist now; its
 * target is created (a directory, or an empty file for a file) inside a
 * root filesystem, but never on the host root, where it must exist.
 * Errors: EINVAL (bad type, relative or ".." path, unknown option form),
 * ENOENT (bind source), E2BIG (too many), ENOMEM. */
SBX_EXPORT int sbx_config_add_mount(sbx_config *cfg, const sbx_mount *m, sbx_error *err);

/* A path inside the sandbox made unreadable (OCI maskedPaths): /dev/null
 * bound over a file, an empty read-only tmpfs over a directory. A path that
 * does not exist there is left alone. Errors: EINVAL, E2BIG, ENOMEM. */
SBX_EXPORT int sbx_config_mask_path(sbx_config *cfg, const char *path, sbx_error *err);

/* A path inside the sandbox made read-only, nosuid, nodev and noexec with
 * everything beneath it (OCI readonlyPaths). Missing paths are left alone.
 * Errors: EINVAL, E2BIG, ENOMEM. */
SBX_EXPORT int sbx_config_readonly_path(sbx_config *cfg, const char *path, sbx_error *err);

/* A device node made inside the sandbox (OCI linux.devices), beneath /dev.
 * `type`: 'c' (or 'u'), 'b', or 'p' for a FIFO; `mode`: permission bits;
 * `uid`/`gid`: its owner as seen inside. Without a new user namespace it is
 * made with mknod; in one, where the kernel refuses mknod, the host's node
 * at the same path is bound instead, and must be that same device (it
 * keeps the host's mode and owner, as rootless crun's do). A FIFO is
 * always made. The node grants nothing by itself: opening a device takes a
 * device rule (sbx_config_add_device_rule). Errors: EINVAL, E2BIG, ENOMEM. */
typedef struct {
	const char *path;
	char type;
	unsigned major, minor;
	unsigned mode;
	uid_t uid;
	gid_t gid;
} sbx_device_node;
#define SBX_DEVICE_NODES_MAX 64
SBX_EXPORT int sbx_config_add_device_node(sbx_config *cfg, const sbx_device_node *node,
					  sbx_error *err);

/* User and group the program runs as, as seen inside the sandbox (default
 * 0:0). With a new user namespace they must be mapped. Supplementary groups
 * are cleared where the kernel allows it (always as root; an unprivileged
 * caller's own groups stay, unmapped, as the kernel requires). */
SBX_EXPORT int sbx_config_set_user(sbx_config *cfg, uid_t uid, gid_t gid, sbx_error *err);

/* Supplementary groups the program runs with, as seen inside the sandbox
 * (OCI process.user.additionalGids), instead of none; n = 0 goes back to
 * none. Only a caller with CAP_SETGID can give them (an unprivileged user
 * namespace denies setgroups), and with a new user namespace each must be
 * mapped; sbx_spawn() says which is not. Errors: EINVAL (-1 among them),
 * E2BIG (more than SBX_GROUPS_MAX). */
#define SBX_GROUPS_MAX 32
SBX_EXPORT int sbx_config_set_groups(sbx_config *cfg, const gid_t *groups, size_t n,
				     sbx_error *err);

/* Adds a line to the new user namespace's uid (gid) map: `count` ids from
 * `inside` map to host ids from `outside`. With no line added, the default map
 * described at sbx_config_new() is used. An unprivileged caller may only map
 * its own id, count 1. Errors: EINVAL (count 0, overflow, overlapping lines),
 * E2BIG (more than SBX_IDMAP_MAX lines). */
#define SBX_IDMAP_MAX 32
SBX_EXPORT int sbx_config_add_uid_map(sbx_config *cfg, uid_t inside, uid_t outside, uint32_t count,
				      sbx_error *err);
SBX_EXPORT int sbx_config_add_gid_map(sbx_config *cfg, gid_t inside, gid_t outside, uint32_t count,
				      sbx_error *err);

/* Standard streams. `stream` is 0, 1 or 2.
 *   SBX_STDIO_INHERIT  the caller's fd of the same number (default)
 *   SBX_STDIO_NULL     /dev/null
 *   SBX_STDIO_PIPE     a new pipe; the caller's end is sbx_proc_stdio()
 *   SBX_STDIO_FD       `fd` (borrowed; the configuration keeps its own dup)
 *   SBX_STDIO_RELAY    (1 and 2 only) a pipe whose data sbx_wait() copies to
 *                      `fd`, counting it against the output limit; when the
 *                      limit is reached the sandbox is killed, with exactly
 *                      output_bytes bytes delivered
 * Errors: EINVAL, EBADF (SBX_STDIO_FD or RELAY with a bad fd), EMFILE. */
enum sbx_stdio_mode {
	SBX_STDIO_INHERIT = 0,
	SBX_STDIO_NULL,
	SBX_STDIO_PIPE,
	SBX_STDIO_FD,
	SBX_STDIO_RELAY,
};
SBX_EXPORT int sbx_config_set_stdio(sbx_config *cfg, int stream, int mode, int fd, sbx_error *err);

/* Grants `fd` to the sandbox as fd number `target` (>= 3). The configuration
 * keeps its own duplicate (the caller may close `fd`), so every spawn gets
 * the same open file description. Every fd that is neither stdio nor granted
 * is closed in the sandbox. Granting a second fd at the same target replaces
 * the first. Errors: EBADF, EINVAL (target < 3 or > 1048575), EMFILE, ENOMEM. */
SBX_EXPORT int sbx_config_grant_fd(sbx_config *cfg, int fd, int target, sbx_error *err);

/* Signal the sandbox receives when the thread that spawned it exits (default
 * SIGKILL; 0 disables). Note that it is the spawning *thread*, as prctl(2)
 * defines it: spawn from a thread that outlives the sandbox.
 * Errors: EINVAL. */
SBX_EXPORT int sbx_config_set_parent_death_signal(sbx_config *cfg, int sig, sbx_error *err);

/* ------------------------------------------------------------------ limits */

/* Limits, by name: in best-effort masks and in results. */
#define SBX_LIMIT_MEMORY 0x001u	    /* memory_bytes, swap_bytes */
#define SBX_LIMIT_PIDS 0x002u	    /* pids */
#define SBX_LIMIT_CPU_TIME 0x004u   /* cpu_time_ms, for all processes together */
#define SBX_LIMIT_WALL_TIME 0x008u  /* wall_time_ms */
#define SBX_LIMIT_OUTPUT 0x010u	    /* output_bytes */
#define SBX_LIMIT_CPU_QUOTA 0x020u  /* cpu_quota_us / cpu_period_us */
#define SBX_LIMIT_CPU_WEIGHT 0x040u /* cpu_weight */
#define SBX_LIMIT_CPUSET 0x080u	    /* cpuset_cpus, cpuset_mems */
#define SBX_LIMIT_IO 0x100u	    /* sbx_config_add_io_limit() */
#define SBX_LIMIT_DEVICES 0x200u    /* sbx_config_add_device_rule() */
#define SBX_LIMIT_ALL 0x3ffu

#define SBX_UNLIMITED UINT64_MAX

/* Resource limits of a whole sandbox: every process in it together. 0 means
 * "no limit" everywhere. Memory, pids, CPU accounting and the kill of every
 * process at the end use a cgroup made for the sandbox beneath the caller's
 * own (cgroup v2, or v1 for controllers a hybrid host has only there). A
 * limit that this host or this caller cannot enforce makes sbx_spawn() fail
 * with an error that names it, unless its bit is in best_effort: then the
 * sandbox runs without it and the result says so (limits_not_applied). */
typedef struct sbx_limits {
	size_t size;		/* sizeof(sbx_limits) */
	uint64_t memory_bytes;	/* memory.max */
	uint64_t swap_bytes;	/* swap beyond memory_bytes: 0 none (the default with a
				   memory limit), SBX_UNLIMITED any */
	uint64_t pids;		/* processes and threads at once */
	uint64_t cpu_time_ms;	/* CPU time of all processes together, then killed;
				   RLIMIT_CPU backs it per process */
	uint64_t wall_time_ms;	/* from spawn, then killed */
	uint64_t output_bytes;	/* SBX_STDIO_RELAY streams together, then killed */
	uint32_t cpu_quota_us;	/* cpu.max: this much CPU time per period */
	uint32_t cpu_period_us; /* 0: 100000 */
	uint32_t cpu_weight;	/* cpu.weight 1-10000; 0: default */
	char cpuset_cpus[128];	/* "0-1,3"; "": all */
	char cpuset_mems[64];
	unsigned best_effort; /* SBX_LIMIT_* that may be skipped if unenforceable */
} sbx_limits;

/* Replaces the limits. Errors: EINVAL (size, cpu_weight > 10000, quota
 * without a period that can hold it, cpuset strings that are not lists). */
SBX_EXPORT int sbx_config_set_limits(sbx_config *cfg, const sbx_limits *limits, sbx_error *err);

/* The limits currently configured; the caller sets limits->size. */
SBX_EXPORT int sbx_config_get_limits(const sbx_config *cfg, sbx_limits *limits, sbx_error *err);

/* Throttles block device major:minor (0: no limit for that field).
 * Errors: EINVAL, E2BIG (more than 16 devices). */
SBX_EXPORT int sbx_config_add_io_limit(sbx_config *cfg, uint32_t major, uint32_t minor,
				       uint64_t read_bps, uint64_t write_bps, uint64_t read_iops,
				       uint64_t write_iops, sbx_error *err);

/* A resource limit (RLIMIT_*) for every process in the sandbox.
 * RLIMIT_CORE is 0 unless set here: a crashing sandbox writes no core dump
 * through the host's core_pattern. Errors: EINVAL (resource, soft > hard). */
SBX_EXPORT int sbx_config_set_rlimit(sbx_config *cfg, int resource, uint64_t soft, uint64_t hard,
				     sbx_error *err);

/* Device access, OCI style: rules are checked last to first, the first that
 * matches decides, and nothing matching means denied. Whatever the rules,
 * null, zero, full, random, urandom, tty, ptmx and /dev/pts/N are allowed
 * (read, write, mknod), as runc and crun do: their rules come last. So a
 * new configuration allows just those. `type` is 'c', 'b' or 'a' (both);
 * major/minor -1 is any; `access` is a subset of "rwm" ("" means all).
 * Enforced by the sandbox's cgroup (an eBPF program on cgroup v2, the devices
 * controller on v1). Errors: EINVAL, E2BIG (more than 64 rules). */
SBX_EXPORT int sbx_config_add_device_rule(sbx_config *cfg, int allow, char type, int64_t major,
					  int64_t minor, const char *access, sbx_error *err);

/* For a supervisor that spawns from cfg again and again on a cgroup v1 (or
 * hybrid) host: makes the cgroups of cfg's next sandbox now, with a helper
 * process inside them, so that the sandbox is born in them rather than
 * moved in; and from then on each spawn does the same for the next one,
 * while its sandbox runs. Moving a process into a v1 cgroup waits for an
 * RCU grace period (10-20 ms) unless another move just happened; the
 * helper pays it in its own time. (v2 sandboxes are born in their cgroup
 * anyway: nothing to gain there.) The wait still holds the kernel's cgroup
 * lock, so a sandbox that ends sooner waits for it at sbx_wait(): the gain
 * is for sandboxes that run longer than that, or spawns spaced out.
 * What it costs: the helper is a child of the calling thread, and so is
 * each sandbox it starts (their parent-death signal follows that thread);
 * with a pids limit on cgroup v1 the helper shares the sandbox's pids
 * cgroup for an instant, so that sandbox's pids_peak is not measured
 * (SBX_MEASURED_PIDS unset), though the limit itself is exact. Best effort:
 * what cannot be prepared is done at the spawn as usual; a spare made for
 * other limits than the configuration has by then is thrown away.
 * sbx_config_free() removes an unused one. Errors: EINVAL, and those of the
 * configuration's id maps. */
SBX_EXPORT int sbx_config_prewarm(sbx_config *cfg, sbx_error *err);

/* ------------------------------------------------------------------ seccomp policies */

/* A compiled seccomp policy: text in the language of sandbox-policy(5),
 * parsed, checked and compiled with libseccomp into a BPF filter for this
 * architecture. Compiling takes milliseconds: do it once and reuse the
 * handle, or give a cache directory. Handles are reference counted: a
 * configuration keeps the one it was given. */
typedef struct sbx_policy sbx_policy;

typedef struct sbx_policy_opts {
	size_t size;			 /* sizeof(sbx_policy_opts) */
	const char *groups_file;	 /* NULL: the built-in syscalls.groups */
	const char *const *include_dirs; /* for "include NAME" (NULL-terminated) after the
					    including file's directory; NULL: the shipped
					    policy directory */
	const char *cache_dir;		 /* compiled filters kept here by content (the
					    directory must be ours and not group- or
					    world-writable); NULL: no cache */
} sbx_policy_opts;

/* Parses and compiles the policy in `path` (or `text`, named `name` in
 * messages). opts may be NULL. Errors: EINVAL with err->message
 * "file:line:column: what was expected, got what", ENOENT, ENOMEM, and
 * libseccomp's failures. */
SBX_EXPORT int sbx_policy_load(const char *path, const sbx_policy_opts *opts, sbx_policy **out,
			       sbx_error *err);
SBX_EXPORT int sbx_policy_parse(const char *text, const char *name, const sbx_policy_opts *opts,
				sbx_policy **out, sbx_error *err);
SBX_EXPORT void sbx_policy_free(sbx_policy *policy);

typedef struct sbx_policy_info {
	size_t size;
	int strict;	    /* "mode strict": no filter, SECCOMP_SET_MODE_STRICT */
	unsigned rules;	    /* after groups are expanded */
	unsigned syscalls;  /* distinct system calls with a rule */
	unsigned bpf_insns; /* length of the compiled filter */
	int from_cache;	    /* the filter came from the cache directory */
	char default_action[32];
	int notifies;	 /* some rule or the default is notify: someone must answer */
	int log_denials; /* "log-denials": the kernel logs every action but allow */
} sbx_policy_info;
SBX_EXPORT int sbx_policy_get_info(const sbx_policy *policy, sbx_policy_info *info, sbx_error *err);

/* Writes the compiled filter to fd as raw struct sock_filter instructions,
 * the format bwrap --seccomp reads. Errors: EINVAL (a strict-mode policy has
 * no filter), and write's. */
SBX_EXPORT int sbx_policy_export(const sbx_policy *policy, int fd, sbx_error *err);

/* What the compiled filter does with one call, and which rule says so. */
typedef struct sbx_decision {
	size_t size;
	char action[48];   /* "allow", "errno EPERM", "kill-process", "trap", "log", "notify" */
	int errnum;	   /* for errno */
	char because[256]; /* "file:line: allow write if fd == 1", "the default", ... */
} sbx_decision;
SBX_EXPORT int sbx_policy_explain(const sbx_policy *policy, const char *syscall,
				  const uint64_t args[6], sbx_decision *d, sbx_error *err);

/* The number of system call `name` on this architecture, or -1 if it has
 * none here (or is unknown to this libseccomp). */
SBX_EXPORT int sbx_syscall_resolve(const char *name);

/* The name of system call `nr` on this architecture into buf, or -ENOENT. */
SBX_EXPORT int sbx_syscall_name(int nr, char *buf, size_t len);

/* A draft policy that allows the calls in `used` (indexed by system call
 * number, nonzero for used), grouped the way the built-in catalog groups
 * them: a group used whole is allowed by name, others call by call, and
 * calls the shipped policies deny are listed as comments for a human to
 * judge. *text is malloc'd. Errors: ENOMEM. */
SBX_EXPORT int sbx_policy_draft(const unsigned char *used, size_t n, char **text, sbx_error *err);

/* The policy every process of the sandbox runs under; NULL for none. The
 * filter is installed last, just before execve, so the policy must allow
 * execve (a "mode strict" policy cannot start a program: the program calls
 * sbx_enter() itself). Errors: EINVAL. */
SBX_EXPORT int sbx_config_set_policy(sbx_config *cfg, sbx_policy *policy, sbx_error *err);

/* Sandboxes the calling process itself, the worker's own "EnterSandbox()":
 * sets no_new_privs, then installs `policy` on every thread
 * (SECCOMP_FILTER_FLAG_TSYNC), or with NULL enters strict mode (read, write,
 * exit, sigreturn), which applies to the calling thread only: call it before
 * starting threads. There is no way back. Errors: ENOSYS, EPERM, EINVAL. */
SBX_EXPORT int sbx_enter(const sbx_policy *policy, sbx_error *err);

/* Ends the calling thread with `status` through the exit system call, which
 * strict mode allows (exit() and _exit() use exit_group, which it kills);
 * in a single-threaded worker that ends the process. */
SBX_EXPORT __attribute__((noreturn)) void sbx_worker_exit(int status);

/* ------------------------------------------------------------------ running sandboxes */

typedef struct sbx_proc sbx_proc;

/* Creates the sandbox and starts the program in it. Returns 0 once the program
 * has been executed: any failure before that (a mount, chdir, exec...) is
 * reported here with the step and errno from inside the sandbox, and leaves
 * nothing behind (no process, fd or mount). On success *procp owns the
 * process; release it with sbx_proc_free().
 * Errors: any errno of the failing step, with err->stage telling where. */
SBX_EXPORT int sbx_spawn(const sbx_config *cfg, sbx_proc **procp, sbx_error *err);

/* Host pid of the sandbox's first process (pid 1 inside a new pid namespace). */
SBX_EXPORT pid_t sbx_proc_pid(const sbx_proc *proc);

/* pidfd of the sandbox's first process: a process capability. Borrowed; valid
 * until sbx_proc_free(). Readable (poll) once the process has exited. */
SBX_EXPORT int sbx_proc_pidfd(const sbx_proc *proc);

/* With a policy that has notify rules: the seccomp user-notification
 * listener of the sandbox (SECCOMP_IOCTL_NOTIF_RECV...), or -1. Borrowed;
 * valid until sbx_proc_free(). */
SBX_EXPORT int sbx_proc_notify_fd(const sbx_proc *proc);

/* The caller's end of a SBX_STDIO_PIPE stream (write end for 0, read end for
 * 1 and 2), or -1. Borrowed; valid until sbx_proc_close_stdio() or
 * sbx_proc_free(). As with any pipe, writing to stdin after the program
 * closed it raises SIGPIPE in the writer unless that is ignored. */
SBX_EXPORT int sbx_proc_stdio(const sbx_proc *proc, int stream);

/* Closes the caller's end of a stdio pipe (for example to send EOF). */
SBX_EXPORT void sbx_proc_close_stdio(sbx_proc *proc, int stream);

/* Sends `sig` to the sandbox's first process through its pidfd. Note that a
 * pid 1 ignores signals it has no handler for, except SIGKILL and SIGSTOP.
 * Sending to a process that has exited but is not yet waited for succeeds.
 * Errors: EINVAL (bad signal), ESRCH (already waited for), EPERM. */
SBX_EXPORT int sbx_kill(sbx_proc *proc, int sig, sbx_error *err);

/* The verdict. A limit's status wins over how the process ended (a sandbox
 * killed for its wall time reports wall-time-limit, not signaled). */
enum sbx_status {
	SBX_STATUS_OK = 0,	   /* exited with code 0 */
	SBX_STATUS_NONZERO_EXIT,   /* exited with another code */
	SBX_STATUS_SIGNALED,	   /* killed by a signal not caused by a limit */
	SBX_STATUS_CPU_TIME_LIMIT, /* used its CPU time */
	SBX_STATUS_WALL_TIME_LIMIT,
	SBX_STATUS_MEMORY_LIMIT, /* an OOM kill in its cgroup, and it did not end ok */
	SBX_STATUS_OUTPUT_LIMIT,
	SBX_STATUS_SETUP_ERROR, /* never started (for callers that report spawn failures) */
	SBX_STATUS_POLICY_KILL, /* SIGSYS under a seccomp filter: a call its policy kills */
};

/* "ok", "nonzero-exit", "signaled", "cpu-time-limit", "wall-time-limit",
 * "memory-limit", "output-limit", "setup-error", "policy-kill"; NULL for
 * other values. */
SBX_EXPORT const char *sbx_status_name(int status);

/* Which fields of a result cover every process of the sandbox (from its
 * cgroup) rather than only the first process and the children it waited for. */
#define SBX_MEASURED_CPU 0x1u
#define SBX_MEASURED_MEMORY 0x2u
#define SBX_MEASURED_PIDS 0x4u

/* What sbx_wait() reports. The caller sets `size` to sizeof(sbx_result);
 * sbx_wait() fills that many bytes at most and sets `size` to the number it
 * filled, so old callers keep working when fields are added. */
typedef struct sbx_result {
	size_t size;
	int status;	      /* enum sbx_status */
	int exit_code;	      /* 0-255 when exited, -1 when signaled */
	int signal;	      /* terminating signal, 0 when exited */
	int core_dumped;      /* 1 when the signal dumped core */
	uint64_t cpu_user_us; /* user CPU of the process and its reaped descendants */
	uint64_t cpu_sys_us;  /* system CPU, likewise */
	uint64_t wall_us;     /* from the start of sbx_spawn() until sbx_wait() saw the exit */
	uint64_t peak_rss_kb; /* largest resident set of the process or a reaped descendant */
	uint64_t memory_peak_bytes;  /* whole sandbox, from its cgroup; 0 unless measured */
	uint64_t oom_kills;	     /* processes the kernel killed for the memory limit */
	uint64_t pids_peak;	     /* most processes and threads at once; 0 unless measured */
	uint64_t output_bytes;	     /* relayed from SBX_STDIO_RELAY streams */
	unsigned measured;	     /* SBX_MEASURED_*: whole-sandbox figures */
	unsigned limits_not_applied; /* SBX_LIMIT_*: best-effort limits not enforced */
	char cgroups[128];	     /* where each mechanism came from, e.g. "memory:v1
					pids:v1 cpu-time:v2 kill:v2 devices:v2-bpf", or "" */
} sbx_result;

/* Supervises the sandbox until its first process exits, then ends every
 * other process in it, reaps, removes its cgroup and fills `res`. While it
 * waits it enforces the wall-time, CPU-time and output limits and relays
 * SBX_STDIO_RELAY streams, so a sandbox with those limits must be waited
 * for. `timeout_ms` < 0 waits forever, 0 polls. Once done, later calls
 * return the same result. Errors: ETIMEDOUT (still running; nothing
 * changed), EINVAL (res is NULL or res->size too small), EINTR. */
SBX_EXPORT int sbx_wait(sbx_proc *proc, int timeout_ms, sbx_result *res, sbx_error *err);

/* Releases the handle: a sandbox still running is killed with SIGKILL and
 * reaped first (this blocks until it is gone). NULL is allowed. */
SBX_EXPORT void sbx_proc_free(sbx_proc *proc);

/* Lets the sandbox run on without this handle, as an OCI runtime's
 * "create" does before it exits. Its cgroups' directories are written into
 * `dirs`, one a line ("" with none): give each to sbx_cgroup_remove() when
 * the sandbox is deleted. They must have been named with
 * sbx_config_set_cgroup_name(), since sbx_gc() removes the cgroups of a
 * handle's owner that has died. Limits that only
 * a supervisor enforces (CPU time, wall time, output) are no longer
 * watched, so a sandbox with any of those, relayed output or a seccomp
 * listener is refused. With a cgroup v1 memory limit an OOM kill then ends
 * only the process the kernel picked, as with other runtimes on v1. The first process stays the
 * caller's child (to reap, or to be inherited by a subreaper when the caller exits). Frees proc on
 * success; on error it is left as it was.
 * Errors: EINVAL, ENAMETOOLONG. */
SBX_EXPORT int sbx_proc_detach(sbx_proc *proc, char *dirs, size_t len, sbx_error *err);

/* Kills every process in the cgroup directory `dir` (one sbx_proc_detach()
 * reported) and removes it with the cgroups beneath it. A directory that is
 * gone already is not an error. Errors: EINVAL (not a cgroup beneath a
 * hierarchy in /sys/fs/cgroup, or a path with an empty, "." or ".."
 * component), EBUSY (processes would not die within 10 s). */
SBX_EXPORT int sbx_cgroup_remove(const char *dir, sbx_error *err);

/* Kills and removes the cgroups that sandboxes of a process that has died
 * (a supervisor that was SIGKILLed, say) left beneath the caller's own
 * cgroups. Cgroups of live owners are left alone; nothing else is touched.
 * *removed (may be NULL) gets how many were removed. Errors: none so far
 * (what cannot be read is skipped). */
SBX_EXPORT int sbx_gc(unsigned *removed, sbx_error *err);

/* ------------------------------------------------------------------ capabilities as descriptors */

/* A sandbox holds rights only as descriptors it was handed, the way
 * Capsicum does: what each kind of descriptor allows, and what narrowing
 * gives:
 *
 *   descriptor                      holder may                  narrowed by
 *   regular file, SBX_RIGHTS_READ   read, pread, mmap read-only  a reopen O_RDONLY
 *   regular file, SBX_RIGHTS_WRITE  write, ftruncate             a reopen O_WRONLY
 *   SBX_RIGHTS_APPEND               write at the end             O_WRONLY|O_APPEND (*)
 *   SBX_RIGHTS_READ_WRITE           both                         a reopen O_RDWR
 *   directory, SBX_RIGHTS_DIR       resolve names beneath it     O_PATH|O_DIRECTORY; in
 *                                   (openat, RESOLVE_BENEATH)    capability mode it is
 *                                                                read-only beneath (**)
 *   SBX_RIGHTS_DIR_WRITE            also create, write, remove   the same, read-write (**)
 *   sealed memfd (sbx_shm_*)        map a buffer whose size      F_SEAL_GROW|SHRINK, and
 *                                   cannot change under it       FUTURE_WRITE for read-only
 *   pidfd (sbx_proc_pidfd)          wait for that one process    what a pidfd is
 *                                   (poll), and signal it (***)
 *   channel end (sbx_chan)          messages and descriptors     what a socket is
 *                                   with its one peer
 *
 * Narrowing never widens: asking for write on a descriptor open read-only
 * is EACCES. (*) Linux lets a holder clear O_APPEND with fcntl(F_SETFL):
 * append-only is a convenience, not a boundary; hand a pipe where it must
 * be one. (**) Outside capability mode a directory descriptor is only a
 * starting point: plain openat() may leave it with "..". In capability mode
 * (sbx_cap_enter) Landlock confines every path to the granted directories.
 * (***) pidfd_send_signal() reaches only processes the sandbox's pid
 * namespace can see, and in capability mode Landlock's signal scoping
 * refuses even those outside the sandbox, descriptor or not. */
enum sbx_rights {
	SBX_RIGHTS_AS_IS = 0, /* the same open file description */
	SBX_RIGHTS_READ,
	SBX_RIGHTS_WRITE,
	SBX_RIGHTS_APPEND,
	SBX_RIGHTS_READ_WRITE,
	SBX_RIGHTS_DIR,
	SBX_RIGHTS_DIR_WRITE,
};

/* A new descriptor for the file `fd` refers to, with `rights` (close-on-
 * exec). The original is left alone. Errors: EBADF, EACCES (wider than
 * fd), ENOTDIR (DIR rights on a non-directory), EISDIR (file rights on a
 * directory), ENXIO (sockets and the like cannot be reopened), EINVAL. */
SBX_EXPORT int sbx_fd_narrow(int fd, int rights, sbx_error *err);

/* Grants `fd` narrowed to `rights` as fd `target` (see sbx_config_grant_fd;
 * with SBX_RIGHTS_DIR*, capability mode gets a rule for it). */
SBX_EXPORT int sbx_config_grant(sbx_config *cfg, int fd, int target, int rights, sbx_error *err);

/* Opens `path` in the caller's view with `rights` and grants it (the
 * configuration keeps the descriptor, so the path is resolved once, now).
 * Errors: those of open(2) (ENOENT...), and those of sbx_config_grant. */
SBX_EXPORT int sbx_config_grant_path(sbx_config *cfg, const char *path, int target, int rights,
				     sbx_error *err);

/* openat2(dirfd, path, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS): never
 * outside dirfd, whatever ".." or absolute paths or symlinks say
 * (EXDEV then). O_CLOEXEC is added. Returns the fd or -errno. */
SBX_EXPORT int sbx_openat_beneath(int dirfd, const char *path, int flags, mode_t mode);

/* Shared buffers: a memfd of `size` bytes whose size is sealed (neither
 * side can shrink it under the other's mapping, which would be SIGBUS), and
 * which can be sealed against writes (F_SEAL_FUTURE_WRITE: mappings made
 * before stay writable, no new write access is possible) before it is
 * handed over read-only. sbx_shm_check() is the receiver's side: the size
 * and the seals as promised, or an error. */
SBX_EXPORT int sbx_shm_create(const char *name, size_t size, sbx_error *err);
SBX_EXPORT int sbx_shm_seal_readonly(int fd, sbx_error *err);
SBX_EXPORT int sbx_shm_check(int fd, size_t size, int readonly, sbx_error *err);

/* Channels: messages of at least one byte, each with up to
 * SBX_CHAN_MAX_FDS descriptors, over an AF_UNIX SOCK_SEQPACKET socket.
 * Descriptors arrive close-on-exec. A message too large for the buffer, or
 * with more descriptors than there is room for, is an error (EMSGSIZE), and
 * every descriptor it carried is closed. Sends never raise SIGPIPE. */
#define SBX_CHAN_MAX_FDS 16
typedef struct sbx_chan sbx_chan;
SBX_EXPORT int sbx_chan_pair(sbx_chan **a, sbx_chan **b, sbx_error *err);
/* Wraps (and owns) a socket received or inherited, such as the worker's end
 * of sbx_config_add_channel(). Errors: ENOTSOCK (not AF_UNIX seqpacket). */
SBX_EXPORT int sbx_chan_wrap(int fd, sbx_chan **out, sbx_error *err);
SBX_EXPORT int sbx_chan_fd(const sbx_chan *ch); /* for poll(2) */
SBX_EXPORT int sbx_chan_send(sbx_chan *ch, const void *data, size_t len, const int *fds,
			     size_t nfds, sbx_error *err);
/* Receives one message into buf (cap bytes) and its descriptors into fds
 * (room for *nfds, which gets how many came). Returns its length, 0 when
 * the peer has closed its end, or -errno. */
SBX_EXPORT ssize_t sbx_chan_recv(sbx_chan *ch, void *buf, size_t cap, int *fds, size_t *nfds,
				 sbx_error *err);
SBX_EXPORT void sbx_chan_free(sbx_chan *ch);

/* Every spawn makes a new channel and gives the sandbox its end as fd
 * `target` (>= 3); the caller's end is sbx_proc_channel(proc, target).
 * Errors: EINVAL, ENOMEM. */
SBX_EXPORT int sbx_config_add_channel(sbx_config *cfg, int target, sbx_error *err);
SBX_EXPORT sbx_chan *sbx_proc_channel(const sbx_proc *proc, int target);

/* ------------------------------------------------------------------ capability mode */

/* What capability mode allows beneath a directory (or on a file). */
#define SBX_CAP_READ 0x1u  /* read files, list directories */
#define SBX_CAP_WRITE 0x2u /* write, create, remove, rename within */
#define SBX_CAP_EXEC 0x4u  /* execute files */

typedef struct sbx_cap_path {
	int fd;		 /* O_PATH or open directory (or file) */
	unsigned access; /* SBX_CAP_* */
} sbx_cap_path;

/* What capability mode must give; the default (0) is all three. Entering
 * fails, changing nothing, if the kernel's Landlock cannot give one asked
 * for. */
#define SBX_CAP_NEED_FS 0x1u	/* no path outside the granted ones (Landlock ABI 1) */
#define SBX_CAP_NEED_NET 0x2u	/* no TCP bind or connect (ABI 4) */
#define SBX_CAP_NEED_SCOPE 0x4u /* no signals or abstract UNIX sockets out (ABI 6) */

/* Enters capability mode: afterwards this process and its children can
 * reach the file system only beneath paths[] (Landlock: every access right
 * this kernel knows is handled), cannot bind or connect TCP, cannot signal
 * processes or connect to abstract UNIX sockets outside the sandbox that
 * entered, and cannot create sockets (seccomp: socket() and io_uring are
 * refused; socketpair() is allowed, as in Capsicum). Sets no_new_privs.
 * There is no way back. Landlock restricts the calling thread and what it
 * starts: call it before starting threads (with more, it refuses).
 * *abi (may be NULL) gets the Landlock ABI applied.
 * Errors: ENOTSUP (a need the kernel cannot meet, with what is missing),
 * EBADF, EINVAL; after Landlock is in, a failing seccomp step is reported
 * too (the process is then half-restricted and should exit). */
SBX_EXPORT int sbx_cap_enter(const sbx_cap_path *paths, size_t n, unsigned need, int *abi,
			     sbx_error *err);

/* The sandbox enters capability mode before its program runs: granted
 * directories (SBX_RIGHTS_DIR*) are its rules, plus read and execute on
 * each of `runtime` (paths inside the sandbox the program needs to start:
 * NULL for /usr, /lib, /lib64, /bin and /etc/ld.so.cache; missing ones are
 * skipped). `need` as for sbx_cap_enter. enable 0 turns it off. */
SBX_EXPORT int sbx_config_set_capability_mode(sbx_config *cfg, int enable,
					      const char *const *runtime, unsigned need,
					      sbx_error *err);

/* Landlock ABI of this kernel, 0 without Landlock. */
SBX_EXPORT int sbx_landlock_abi(void);

/* ------------------------------------------------------------------ Linux capabilities */

/* Which capabilities the sandbox keeps (bit n = capability n); every set
 * is empty by default. Ambient must be within permitted and inheritable,
 * effective within permitted. The bounding set is what a program running
 * as the sandbox's uid 0 gets at exec. Errors: EINVAL. */
typedef struct sbx_caps {
	uint64_t bounding, effective, permitted, inheritable, ambient;
} sbx_caps;
SBX_EXPORT int sbx_config_set_caps(sbx_config *cfg, const sbx_caps *caps, sbx_error *err);

/* A capability by name ("CAP_NET_BIND_SERVICE" or "net_bind_service"), or
 * -1 (libcap's names). */
SBX_EXPORT int sbx_cap_from_name(const char *name);

/* no_new_privs is set in every sandbox unless turned off here (a sandbox
 * with a seccomp policy or capability mode always has it). */
SBX_EXPORT int sbx_config_set_no_new_privs(sbx_config *cfg, int on, sbx_error *err);

/* ------------------------------------------------------------------ file broker */

/* The broker answers a worker's requests to open paths, against an
 * allowlist, in the caller's view of the file system (the Chrome pattern):
 * the worker holds no path at all, only the channel. */
typedef struct sbx_broker sbx_broker;
#define SBX_BROKER_READ 0x1u
#define SBX_BROKER_WRITE 0x2u  /* O_WRONLY / O_RDWR, O_TRUNC */
#define SBX_BROKER_CREATE 0x4u /* O_CREAT (with write) */
SBX_EXPORT sbx_broker *sbx_broker_new(void);
SBX_EXPORT void sbx_broker_free(sbx_broker *b);
/* Allows `path` (an absolute path: a directory and everything beneath it,
 * or one file) with SBX_BROKER_* access. Resolved now: later requests are
 * opened beneath it with RESOLVE_BENEATH, so no symlink or ".." leads out.
 * Errors: EINVAL (relative path), those of open(2). */
SBX_EXPORT int sbx_broker_allow(sbx_broker *b, const char *path, unsigned access, sbx_error *err);
/* Parent side: answers one request from ch with a descriptor or an errno.
 * Returns 1 if one was answered, 0 when the worker closed the channel,
 * -errno on a broken channel. */
SBX_EXPORT int sbx_broker_serve(sbx_broker *b, sbx_chan *ch, sbx_error *err);
/* Worker side: asks for `path` opened with `flags`; the fd or -errno. */
SBX_EXPORT int sbx_broker_open(sbx_chan *ch, const char *path, int flags, mode_t mode);
/* For unmodified programs: a seccomp policy that notifies open, openat and
 * openat2 (sbx_broker_policy()), and the caller answering each notification
 * from sbx_proc_notify_fd() with this: the path is read from the sandbox's
 * memory, checked, opened here and put into the sandbox as the call's
 * result (SECCOMP_IOCTL_NOTIF_ADDFD). Returns 1 if one was answered, 0 if
 * the sandbox has gone, -errno. */
SBX_EXPORT int sbx_broker_serve_notify(sbx_broker *b, int notify_fd, sbx_error *err);
/* The policy text for that: `base` (a policy's text, or NULL for "default
 * allow") with open, openat, openat2 and creat notified. Malloc'd. */
SBX_EXPORT char *sbx_broker_policy(const char *base);

/* ------------------------------------------------------------------ host probe */

/* What this kernel offers, probed at run time. The caller sets `size`. */
typedef struct sbx_features {
	size_t size;
	unsigned namespaces;	 /* SBX_NS_* kinds this kernel has */
	int unprivileged_userns; /* 1 if an unprivileged process may create a user ns */
	int kernel_major;
	int kernel_minor;
	int landlock_abi;    /* 0 without Landlock; capability mode needs 6 */
	char libseccomp[16]; /* the version the library runs with */
} sbx_features;

/* Fills `f`. Errors: EINVAL (f NULL or size too small). */
SBX_EXPORT int sbx_probe(sbx_features *f, sbx_error *err);

#ifdef __cplusplus
}
#endif
#endif
