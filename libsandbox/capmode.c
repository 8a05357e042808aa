/* Capability mode: after it, a process reaches only what its descriptors
 * name, as under Capsicum's cap_enter().
 *
 * Landlock does most of it: a ruleset that handles every file system right
 * this kernel knows, with rules only beneath the granted directories (so
 * "..", absolute paths and symlinks that lead out are refused where the
 * file is, not where the path started), that handles TCP bind and connect
 * with no rule (ABI 4), and that scopes signals and abstract UNIX sockets
 * to the domain (ABI 6). What Landlock does not see, seccomp refuses:
 * socket(), and io_uring (which can create sockets and open files without
 * a system call a filter would see). Each need is checked against the
 * kernel's Landlock ABI before anything is applied: capability mode is
 * entered whole or not at all.
 *
 * The Landlock part makes system calls only, so the child of a spawn can
 * apply it between clone and exec. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "capmode.h"
#include "error.h"
#include "filter.h"

/* What the build's headers (Linux 6.1) may not have yet. */
#define LL_FS_TRUNCATE (1ULL << 14)		  /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ULL << 15)		  /* ABI 5 */
#define LL_NET_BIND_TCP (1ULL << 0)		  /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ULL << 1)		  /* ABI 4 */
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL (1ULL << 1)		  /* ABI 6 */

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;	     /* ABI 6 */
};

struct ll_path_beneath {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

#define LL_FS_ABI1 ((1ULL << 13) - 1) /* EXECUTE .. MAKE_SYM */
#define LL_FS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_FS_WRITE                                                                                \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |                           \
	 LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR |                            \
	 LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SYM |                               \
	 LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_REFER | LL_FS_TRUNCATE)
#define LL_FS_EXEC (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE)
/* the rights a rule on a file (not a directory) may carry */
#define LL_FS_FILE                                                                                 \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |                              \
	 LANDLOCK_ACCESS_FS_READ_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV)

int sbx_landlock_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	return abi < 0 ? 0 : (int)abi;
}

const char *capmode_missing(int abi, unsigned need)
{
	if (!need)
		need = SBX_CAP_NEED_FS | SBX_CAP_NEED_NET | SBX_CAP_NEED_SCOPE;
	if (abi < 1)
		return "this kernel has no Landlock (CONFIG_SECURITY_LANDLOCK, and \"landlock\" in "
		       "the lsm= list), which capability mode is built on";
	if ((need & SBX_CAP_NEED_NET) && abi < 4)
		return "refusing TCP bind and connect needs Landlock ABI 4 (Linux 6.7)";
	if ((need & SBX_CAP_NEED_SCOPE) && abi < 6)
		return "scoping signals and abstract UNIX sockets needs Landlock ABI 6 (Linux 6.12)";
	return NULL;
}

static uint64_t handled_fs(int abi)
{
	uint64_t fs = LL_FS_ABI1;
	if (abi >= 2)
		fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		fs |= LL_FS_TRUNCATE;
	if (abi >= 5)
		fs |= LL_FS_IOCTL_DEV;
	return fs;
}

int capmode_landlock(const struct cap_rule *rules, size_t n, unsigned need, size_t *failed)
{
	*failed = (size_t)-1;
	int abi = sbx_landlock_abi();
	if (capmode_missing(abi, need))
		return -ENOTSUP;
	struct ll_ruleset_attr attr = {.handled_access_fs = handled_fs(abi)};
	size_t size = sizeof(attr.handled_access_fs);
	if (abi >= 4) {
		attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		size = offsetof(struct ll_ruleset_attr, scoped);
	}
	if (abi >= 6) {
		attr.scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
		size = sizeof(attr);
	}
	int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (ruleset < 0)
		return -errno;
	for (size_t i = 0; i < n; i++) {
		uint64_t access = 0;
		if (rules[i].access & SBX_CAP_READ)
			access |= LL_FS_READ;
		if (rules[i].access & SBX_CAP_WRITE)
			access |= LL_FS_WRITE;
		if (rules[i].access & SBX_CAP_EXEC)
			access |= LL_FS_EXEC;
		struct stat st;
		if (fstat(rules[i].fd, &st) < 0) {
			int e = errno;
			close(ruleset);
			*failed = i;
			return -e;
		}
		if (!S_ISDIR(st.st_mode))
			access &= LL_FS_FILE;
		struct ll_path_beneath pb = {.allowed_access = access & attr.handled_access_fs,
					     .parent_fd = rules[i].fd};
		if (pb.allowed_access && syscall(SYS_landlock_add_rule, ruleset,
						 LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0) {
			int e = errno;
			close(ruleset);
			*failed = i;
			return -e;
		}
	}
	int r = 0;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
		r = -errno;
	close(ruleset);
	return r < 0 ? r : abi;
}

const char *capmode_policy_text(void)
{
	/* socket(): Landlock does not stop UDP, raw or netlink sockets, nor
	 * pathname UNIX sockets; io_uring can make sockets and open files
	 * out of the filter's sight. socketpair() reaches nothing outside. */
	return "default allow\n"
	       "errno EPERM socket\n"
	       "errno EPERM io_uring_setup, io_uring_enter, io_uring_register\n";
}

/* How many threads this process has (/proc/self/status), -1 if unknown. */
static int threads(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[128];
	int n = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

int sbx_cap_enter(const sbx_cap_path *paths, size_t n, unsigned need, int *abi_out, sbx_error *err)
{
	if (n && !paths)
		return err_setx(err, SBX_STAGE_SETUP, EINVAL, "capability mode: NULL paths");
	/* Landlock restricts the calling thread (and what it starts) only */
	if (threads() != 1)
		return err_setx(err, SBX_STAGE_SETUP, EINVAL,
				"capability mode: this process has %d threads, and Landlock "
				"would restrict only the calling one: enter it before starting "
				"threads",
				threads());
	const char *missing = capmode_missing(sbx_landlock_abi(), need);
	if (missing)
		return err_setx(err, SBX_STAGE_SETUP, ENOTSUP, "capability mode: %s", missing);
	/* compiled before anything is applied: a failure here changes nothing */
	sbx_policy *p;
	int r = sbx_policy_parse(capmode_policy_text(), "capability mode", NULL, &p, err);
	if (r < 0)
		return r;
	struct cap_rule rules[64];
	if (n > sizeof(rules) / sizeof(*rules)) {
		sbx_policy_free(p);
		return err_setx(err, SBX_STAGE_SETUP, EINVAL, "capability mode: at most %zu paths",
				sizeof(rules) / sizeof(*rules));
	}
	for (size_t i = 0; i < n; i++)
		rules[i] = (struct cap_rule){paths[i].fd, paths[i].access};
	size_t failed;
	int abi = capmode_landlock(rules, n, need, &failed);
	if (abi < 0) {
		sbx_policy_free(p);
		if (failed != (size_t)-1)
			return err_set(err, SBX_STAGE_SETUP, -abi,
				       "capability mode: path %zu (fd %d)", failed,
				       paths[failed].fd);
		return err_set(err, SBX_STAGE_SETUP, -abi, "capability mode: Landlock");
	}
	r = sbx_enter(p, err);
	sbx_policy_free(p);
	if (r < 0)
		return r;
	if (abi_out)
		*abi_out = abi;
	return 0;
}
