/* The configuration a caller builds: plain data, read-only once spawning. */
#ifndef SBX_CONF_H
#define SBX_CONF_H

#include <stdbool.h>
#include <stdint.h>

#include "sandbox.h"

#define CONF_HOSTNAME_MAX 64
#define CONF_FD_TARGET_MAX 1048575 /* fs.nr_open's default ceiling */
#define CONF_IO_MAX 16
#define CONF_CHANNELS_MAX 8
#define CONF_CAP_RUNTIME_MAX 16
#define CONF_DEVICE_RULES_MAX 64
#define CONF_RLIMITS 16 /* RLIM_NLIMITS on Linux */
#define CONF_MOUNTS_MAX 256
#define CONF_PATHS_MAX 256 /* masked paths, and read-only paths */
#define CONF_SYSCTLS_MAX 64

struct sysctl_setting {
	char *path;  /* "/proc/sys/net/ipv4/ip_forward"; owned */
	char *value; /* owned */
	unsigned ns; /* the SBX_NS_* it needs */
};

struct io_limit {
	uint32_t major, minor;
	uint64_t rbps, wbps, riops, wiops;
};

/* access bits as the kernel's BPF_DEVCG_ACC_* */
#define DEV_ACC_MKNOD 1u
#define DEV_ACC_READ 2u
#define DEV_ACC_WRITE 4u

struct dev_rule {
	bool allow;
	char type;	      /* 'c', 'b' or 'a' */
	int64_t major, minor; /* -1: any */
	unsigned access;      /* DEV_ACC_* */
};

struct rlimit_setting {
	bool set;
	uint64_t soft, hard;
};

struct idmap {
	uint32_t inside;
	uint32_t outside;
	uint32_t count;
};

/* A mount the caller added (mountconf.c). */
struct conf_mount {
	int type;	    /* SBX_MOUNT_* */
	char *source;	    /* bind: absolute host path; owned */
	char *target;	    /* normalised and relative to the root: "dev/shm"; owned */
	bool file;	    /* bind: the source is not a directory */
	unsigned flags;	    /* SBX_MNT_* */
	char **options;	    /* "key", "value" or NULL, ...; NULL-terminated pairs; owned */
	size_t n_options;   /* pairs */
	char *options_text; /* as given, for messages; owned */
};

struct grant {
	int fd;	    /* owned duplicate */
	int target; /* fd number in the sandbox */
	int rights; /* enum sbx_rights it was narrowed to */
};

struct sbx_config {
	char *path;	      /* what to execute; NULL means argv[0] */
	int exec_fd;	      /* or this file (owned duplicate), -1 if none */
	char *exec_fd_name;   /* what exec_fd was opened as, for messages */
	char **argv;	      /* NULL-terminated, owned; NULL until set */
	int (*entry)(void *); /* or a function of the caller (argv NULL) */
	void *entry_arg;
	char **envp; /* NULL-terminated, owned, never NULL */
	size_t envc;
	char *cwd; /* absolute, owned */
	char hostname[CONF_HOSTNAME_MAX + 1];
	char domainname[CONF_HOSTNAME_MAX + 1]; /* "": not set */
	int umask;				/* -1: the caller's */
	long personality;			/* -1: the caller's */
	bool time_offsets_set;
	int64_t time_offset_sec[2]; /* monotonic, boottime */
	long time_offset_nsec[2];
	int gate_fd;	       /* owned FIFO duplicate, or -1 */
	char cgroup_name[201]; /* "": made up per spawn */
	struct sysctl_setting sysctls[CONF_SYSCTLS_MAX];
	size_t n_sysctls;
	int console_fd; /* owned duplicate of a connected AF_UNIX socket, or -1 */
	struct {
		unsigned kind; /* SBX_NS_*, 0 for an empty slot */
		int fd;	       /* owned */
		char *path;    /* owned, for messages */
	} joins[4];
	unsigned joined; /* SBX_NS_* bits joined rather than made */
	bool oom_score_adj_set;
	int oom_score_adj;
	unsigned namespaces;
	uid_t uid;
	gid_t gid;
	bool user_set;		      /* sbx_config_set_user() was called */
	gid_t groups[SBX_GROUPS_MAX]; /* supplementary, as seen inside */
	size_t n_groups;
	struct idmap uid_map[SBX_IDMAP_MAX];
	struct idmap gid_map[SBX_IDMAP_MAX];
	size_t n_uid_map;
	size_t n_gid_map;
	int stdio_mode[3];
	int stdio_fd[3]; /* owned duplicate for SBX_STDIO_FD, else -1 */
	struct grant *grants;
	size_t n_grants;
	int channels[CONF_CHANNELS_MAX]; /* fd numbers a new channel's end goes to */
	size_t n_channels;
	int pdeathsig;
	sbx_limits limits;
	struct io_limit io[CONF_IO_MAX];
	size_t n_io;
	struct rlimit_setting rlimits[CONF_RLIMITS];
	struct dev_rule devices[CONF_DEVICE_RULES_MAX]; /* before the default allows */
	size_t n_devices;
	/* The device filter loaded into the kernel, shared by every sandbox
	 * spawned from this configuration: loading it costs more than attaching
	 * it. Filled on first use by whichever spawn gets there first (atomic);
	 * dropped when the rules change. */
	int dev_prog_fd;
	struct sbx_policy *policy; /* a reference, or NULL */
	/* capability mode: Landlock rules from the directory grants and these
	 * paths, and its seccomp part, compiled once */
	bool capmode;
	unsigned cap_need;
	char **cap_runtime; /* NULL-terminated, owned */
	struct sbx_policy *cap_policy;
	sbx_caps caps;	   /* kept capabilities; all empty by default */
	bool no_new_privs; /* true unless turned off */
	/* sbx_config_prewarm(): the next sandbox's cgroups made ahead of time
	 * (spare.c), taken and replaced by each spawn (atomic) */
	struct spare *spare;
	bool prewarm;
	/* the file system (mountconf.c) */
	char *rootfs; /* absolute; NULL: the host root */
	bool rootfs_readonly;
	unsigned long root_propagation; /* MS_* for "/" after pivot_root, or 0 */
	struct conf_mount *mounts;
	size_t n_mounts;
	char **masked; /* relative to the root, like conf_mount.target */
	size_t n_masked;
	struct conf_devnode {
		char *path; /* relative to the root, beneath dev/ */
		char type;  /* 'c', 'b' or 'p' */
		unsigned major, minor, mode;
		uid_t uid;
		gid_t gid;
	} devnodes[SBX_DEVICE_NODES_MAX];
	size_t n_devnodes;
	char **readonly;
	size_t n_readonly;
};

/* mountconf.c: frees what the file-system settings own. */
void mountconf_free(struct sbx_config *cfg);

/* "bind", "tmpfs", ... for an SBX_MOUNT_* type. */
const char *mountconf_type_name(int type);

/* The device rules that apply: the default allows, then the configured ones.
 * Returns how many were written to out (at most max). */
size_t conf_device_rules(const struct sbx_config *cfg, struct dev_rule *out, size_t max);

/* SBX_LIMIT_* bits the configuration asks for. */
unsigned conf_limits_asked(const struct sbx_config *cfg);

/* True if the map covers `id` (an id inside the namespace). */
bool conf_map_covers(const struct idmap *map, size_t n, uint32_t id);

#endif
