/* Raw system calls that glibc 2.36 does not wrap, or wraps without an
 * argument we need (waitid's rusage).
 * All are async-signal-safe: the child between clone3 and execve uses them. */
#ifndef SBX_SYS_H
#define SBX_SYS_H

#include <linux/capability.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static inline long sys_clone3(struct clone_args *args)
{
	return syscall(SYS_clone3, args, sizeof(*args));
}

static inline int sys_pidfd_send_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* waitid with the rusage argument the glibc wrapper leaves out. */
static inline int sys_waitid(int idtype, int id, siginfo_t *info, int options, struct rusage *ru)
{
	return (int)syscall(SYS_waitid, idtype, id, info, options, ru);
}

static inline int sys_close_range(unsigned first, unsigned last, unsigned flags)
{
	return (int)syscall(SYS_close_range, first, last, flags);
}

static inline int sys_pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

static inline int sys_capget(struct __user_cap_header_struct *h, struct __user_cap_data_struct *d)
{
	return (int)syscall(SYS_capget, h, d);
}

static inline int sys_capset(struct __user_cap_header_struct *h,
			     const struct __user_cap_data_struct *d)
{
	return (int)syscall(SYS_capset, h, d);
}

static inline long sys_keyctl(int op, unsigned long a2, unsigned long a3, unsigned long a4,
			      unsigned long a5)
{
	return syscall(SYS_keyctl, op, a2, a3, a4, a5);
}

/* Credentials of the calling thread only. glibc's setresuid() and friends
 * apply to every thread of the process by signalling each one and waiting;
 * in a child cloned from a multithreaded caller glibc still believes those
 * threads exist, and waits forever. The child has exactly one thread. */
static inline int sys_setresuid(uid_t r, uid_t e, uid_t s)
{
	return (int)syscall(SYS_setresuid, r, e, s);
}

static inline int sys_setresgid(gid_t r, gid_t e, gid_t s)
{
	return (int)syscall(SYS_setresgid, r, e, s);
}

static inline int sys_setgroups(size_t n, const gid_t *list)
{
	return (int)syscall(SYS_setgroups, n, list);
}

/* The kernel's struct sigaction, so the child can reset signals that glibc's
 * wrapper refuses to touch (its internal SIGCANCEL and SIGSETXID). */
struct sys_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

static inline int sys_sigaction_default(int sig)
{
	struct sys_sigaction sa = {.handler = SIG_DFL};
	return (int)syscall(SYS_rt_sigaction, sig, &sa, NULL, sizeof(sa.mask));
}

#endif
