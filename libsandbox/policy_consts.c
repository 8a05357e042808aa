/* Names a policy may use for numbers: constants in conditions and errno
 * values. Taken from the system headers at build time, so they are right
 * for the architecture the filter runs on. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/kvm.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "policy.h"

#define C(x)                                                                                       \
	{                                                                                          \
#x, (uint64_t)(x)                                                                  \
	}

static const struct {
	const char *name;
	uint64_t value;
} consts[] = {
	/* open */
	C(O_RDONLY),
	C(O_WRONLY),
	C(O_RDWR),
	C(O_ACCMODE),
	C(O_CREAT),
	C(O_EXCL),
	C(O_NOCTTY),
	C(O_TRUNC),
	C(O_APPEND),
	C(O_NONBLOCK),
	C(O_DSYNC),
	C(O_SYNC),
	C(O_DIRECTORY),
	C(O_NOFOLLOW),
	C(O_CLOEXEC),
	C(O_PATH),
	C(O_TMPFILE),
	C(O_NOATIME),
	C(O_DIRECT),
	C(O_LARGEFILE),
	C(AT_FDCWD),
	C(AT_EMPTY_PATH),
	C(AT_SYMLINK_NOFOLLOW),
	C(AT_REMOVEDIR),
	/* sockets */
	C(AF_UNSPEC),
	C(AF_UNIX),
	C(AF_LOCAL),
	C(AF_INET),
	C(AF_INET6),
	C(AF_NETLINK),
	C(AF_PACKET),
	C(AF_VSOCK),
	C(AF_ALG),
	C(AF_BLUETOOTH),
	C(AF_KEY),
	C(AF_XDP),
	C(SOCK_STREAM),
	C(SOCK_DGRAM),
	C(SOCK_SEQPACKET),
	C(SOCK_RAW),
	C(SOCK_NONBLOCK),
	C(SOCK_CLOEXEC),
	C(SOL_SOCKET),
	C(MSG_NOSIGNAL),
	C(MSG_DONTWAIT),
	C(MSG_CMSG_CLOEXEC),
	/* memory */
	C(PROT_NONE),
	C(PROT_READ),
	C(PROT_WRITE),
	C(PROT_EXEC),
	C(MAP_SHARED),
	C(MAP_PRIVATE),
	C(MAP_FIXED),
	C(MAP_ANONYMOUS),
	C(MAP_NORESERVE),
	C(MAP_STACK),
	C(MAP_GROWSDOWN),
	C(MAP_HUGETLB),
	C(MAP_POPULATE),
	C(MADV_DONTNEED),
	C(MADV_FREE),
	C(MADV_WILLNEED),
	/* clone */
	C(CLONE_VM),
	C(CLONE_FS),
	C(CLONE_FILES),
	C(CLONE_SIGHAND),
	C(CLONE_PIDFD),
	C(CLONE_PTRACE),
	C(CLONE_VFORK),
	C(CLONE_PARENT),
	C(CLONE_THREAD),
	C(CLONE_NEWNS),
	C(CLONE_SYSVSEM),
	C(CLONE_SETTLS),
	C(CLONE_PARENT_SETTID),
	C(CLONE_CHILD_CLEARTID),
	C(CLONE_DETACHED),
	C(CLONE_UNTRACED),
	C(CLONE_CHILD_SETTID),
	C(CLONE_NEWCGROUP),
	C(CLONE_NEWUTS),
	C(CLONE_NEWIPC),
	C(CLONE_NEWUSER),
	C(CLONE_NEWPID),
	C(CLONE_NEWNET),
	C(CLONE_IO),
	C(CLONE_NEWTIME),
	/* every flag that makes a namespace, for "flags & CLONE_NEWS == 0" */
	{"CLONE_NEWS", CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
			       CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWTIME},
	/* fcntl */
	C(F_DUPFD),
	C(F_DUPFD_CLOEXEC),
	C(F_GETFD),
	C(F_SETFD),
	C(F_GETFL),
	C(F_SETFL),
	C(F_GETLK),
	C(F_SETLK),
	C(F_SETLKW),
	C(F_SETOWN),
	C(F_GETOWN),
	C(F_SETSIG),
	C(F_GETSIG),
	C(F_SETLEASE),
	C(F_GETLEASE),
	C(F_NOTIFY),
	C(F_ADD_SEALS),
	C(F_GET_SEALS),
	C(FD_CLOEXEC),
	C(SEEK_SET),
	C(SEEK_CUR),
	C(SEEK_END),
	/* ioctl: terminal and descriptor requests */
	C(TCGETS),
	C(TCSETS),
	C(TCSETSW),
	C(TCSETSF),
	C(TIOCGWINSZ),
	C(TIOCSWINSZ),
	C(TIOCSTI),
	C(TIOCGPGRP),
	C(TIOCSPGRP),
	C(TIOCSCTTY),
	C(TIOCLINUX),
	C(FIONREAD),
	C(FIONBIO),
	C(FIOCLEX),
	C(FIONCLEX),
	/* ioctl: what a VMM's exit loop asks of KVM (policies/vmm.policy) */
	C(KVM_RUN),
	C(KVM_IRQ_LINE),
	/* prctl */
	C(PR_SET_NAME),
	C(PR_GET_NAME),
	C(PR_SET_NO_NEW_PRIVS),
	C(PR_GET_NO_NEW_PRIVS),
	C(PR_SET_PDEATHSIG),
	C(PR_GET_PDEATHSIG),
	C(PR_SET_DUMPABLE),
	C(PR_GET_DUMPABLE),
	C(PR_SET_SECCOMP),
	C(PR_GET_SECCOMP),
	C(PR_CAPBSET_READ),
	C(PR_CAPBSET_DROP),
	C(PR_SET_KEEPCAPS),
	C(PR_SET_TIMERSLACK),
	C(PR_SET_VMA),
	C(PR_SET_PTRACER),
	/* futex */
	C(FUTEX_WAIT),
	C(FUTEX_WAKE),
	C(FUTEX_REQUEUE),
	C(FUTEX_CMP_REQUEUE),
	C(FUTEX_WAKE_OP),
	C(FUTEX_WAIT_BITSET),
	C(FUTEX_WAKE_BITSET),
	C(FUTEX_LOCK_PI),
	C(FUTEX_UNLOCK_PI),
	C(FUTEX_PRIVATE_FLAG),
	C(FUTEX_CLOCK_REALTIME),
	/* signals */
	C(SIGHUP),
	C(SIGINT),
	C(SIGQUIT),
	C(SIGILL),
	C(SIGTRAP),
	C(SIGABRT),
	C(SIGBUS),
	C(SIGFPE),
	C(SIGKILL),
	C(SIGUSR1),
	C(SIGSEGV),
	C(SIGUSR2),
	C(SIGPIPE),
	C(SIGALRM),
	C(SIGTERM),
	C(SIGCHLD),
	C(SIGCONT),
	C(SIGSTOP),
	C(SIGTSTP),
	C(SIGTTIN),
	C(SIGTTOU),
	C(SIGURG),
	C(SIGXCPU),
	C(SIGXFSZ),
	C(SIGVTALRM),
	C(SIGPROF),
	C(SIGWINCH),
	C(SIGIO),
	C(SIGSYS),
	C(SIG_BLOCK),
	C(SIG_UNBLOCK),
	C(SIG_SETMASK),
	/* rlimits */
	C(RLIMIT_CPU),
	C(RLIMIT_FSIZE),
	C(RLIMIT_DATA),
	C(RLIMIT_STACK),
	C(RLIMIT_CORE),
	C(RLIMIT_RSS),
	C(RLIMIT_NPROC),
	C(RLIMIT_NOFILE),
	C(RLIMIT_MEMLOCK),
	C(RLIMIT_AS),
	/* waiting */
	C(WNOHANG),
	C(WUNTRACED),
	C(WCONTINUED),
	C(WEXITED),
	C(WNOWAIT),
	C(P_ALL),
	C(P_PID),
	C(P_PGID),
	/* file types and modes */
	C(S_IFMT),
	C(S_IFREG),
	C(S_IFDIR),
	C(S_IFCHR),
	C(S_IFBLK),
	C(S_IFIFO),
	C(S_IFSOCK),
	C(S_IFLNK),
	C(S_ISUID),
	C(S_ISGID),
	C(S_ISVTX),
};

/* Errno names are the C library's (strerrorname_np), and these spellings
 * of the same numbers. */
static const struct {
	const char *name;
	int value;
} errno_aliases[] = {C(ENOTSUP), C(EWOULDBLOCK), C(EDEADLOCK)};

#define ERRNO_NAMED_MAX 200 /* above every errno the C library names */

bool policy_const(const char *name, uint64_t *value)
{
	for (size_t i = 0; i < sizeof(consts) / sizeof(*consts); i++)
		if (!strcmp(consts[i].name, name)) {
			*value = consts[i].value;
			return true;
		}
	int e;
	if (policy_errno(name, &e)) {
		*value = (uint64_t)e;
		return true;
	}
	return false;
}

bool policy_errno(const char *name, int *value)
{
	if (name[0] != 'E')
		return false;
	for (size_t i = 0; i < sizeof(errno_aliases) / sizeof(*errno_aliases); i++)
		if (!strcmp(errno_aliases[i].name, name)) {
			*value = errno_aliases[i].value;
			return true;
		}
	for (int e = 1; e < ERRNO_NAMED_MAX; e++) {
		const char *n = strerrorname_np(e);
		if (n && !strcmp(n, name)) {
			*value = e;
			return true;
		}
	}
	return false;
}

const char *policy_errno_name(int value)
{
	return value > 0 ? strerrorname_np(value) : NULL;
}
