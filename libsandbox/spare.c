/* Spares: keeping a cgroup v1 migration off the spawn's critical path.
 *
 * Moving a process into a cgroup v1 (writing cgroup.procs) waits for an RCU
 * grace period unless another migration just happened: 13-18 ms on the
 * development machine, against 0.1-0.5 ms for a sandbox born in its cgroup
 * v2 with CLONE_INTO_CGROUP. v1 has no such clone flag, but a child is born
 * in its parent's cgroups. So after a configuration's second spawn (or
 * sbx_config_prewarm()) the cgroups of its next sandbox are made ahead of
 * time, with a helper inside them that moved itself in, paying the wait in
 * its own time. The next spawn hands the helper its plan; the helper clones
 * the sandbox with CLONE_PARENT, so the sandbox is born in the cgroups and
 * is the caller's child as usual, and exits.
 *
 * The helper shares our memory and descriptor table (CLONE_VM | CLONE_FILES)
 * like posix_spawn's child: it sees the plan the spawn builds and the
 * descriptors it opens, with nothing copied. It runs on its own stack with
 * every signal blocked and the TLS of the thread that made it, so it makes
 * system calls directly and never through libc, which would write errno
 * into that thread. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spare.h"
#include "sys.h"
#include "util.h"

/* The helper's stack is also the sandbox's until it execs (child_run runs
 * on a copy of it): room as for a thread, touched pages only, and a guard
 * page below. */
#define STACK_SIZE (512u << 10)
#define GUARD 4096u

/* What a spare's cgroups were made for: a spawn whose inputs differ gets
 * cgroups of its own. */
struct spare_key {
	sbx_limits limits;
	struct io_limit io[CONF_IO_MAX];
	size_t n_io;
	struct dev_rule devices[CONF_DEVICE_RULES_MAX];
	size_t n_devices;
	struct cg_context ctx;
};

struct spare {
	struct spare_key key;
	struct cgroup_set cg;
	unsigned skipped;
	bool cg_taken;
	uint64_t pids_limit; /* 0, or the limit the helper's place was added to */
	pid_t creator;	     /* our pid, which the helper checks it still has */
	int helper_pidfd;
	bool helper_reaped;
	/* each v1 cgroup's cgroup.procs, opened by us: the helper shares our
	 * descriptor table and may be killed at any point, so it must not be
	 * the one that opens (and would leave open) a descriptor */
	int procs[CG_V1_MAX];
	void *stack;
	int chan[2]; /* [0] the helper's end, [1] ours */
	/* written by the helper */
	int attach_err;
	long child;
	/* written by us before the helper clones */
	struct clone_args *args;
	struct plan *plan;
};

static void key_of(const struct sbx_config *cfg, const struct cg_context *ctx, struct spare_key *k)
{
	memset(k, 0, sizeof(*k));
	k->limits = cfg->limits;
	memcpy(k->io, cfg->io, cfg->n_io * sizeof(*cfg->io));
	k->n_io = cfg->n_io;
	memcpy(k->devices, cfg->devices, cfg->n_devices * sizeof(*cfg->devices));
	k->n_devices = cfg->n_devices;
	/* field by field: the keys are compared whole, padding included */
	k->ctx.pidns = ctx->pidns;
	k->ctx.devices_why = ctx->devices_why;
}

/* ---------------------------------------------------------------- the helper */

#define HELPER __attribute__((no_sanitize_address, no_sanitize_undefined, noinline))

HELPER static long raw(long n, long a1, long a2, long a3)
{
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a1), "S"(a2), "d"(a3)
			 : "rcx", "r11", "memory");
	return ret;
}

/* Moves itself into the v1 cgroups, says so, waits for the plan, clones. */
HELPER static int helper_main(void *arg)
{
	struct spare *sp = arg;
	raw(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0);
	if (raw(SYS_getppid, 0, 0, 0) != sp->creator)
		return 0;
	long e = 0;
	for (size_t i = 0; i < sp->cg.n_v1 && !e; i++) {
		long w = raw(SYS_write, sp->procs[i], (long)"0", 1); /* "0": the writing process */
		if (w < 0)
			e = w;
	}
	sp->attach_err = (int)-e;
	char c = 'r';
	if (raw(SYS_write, sp->chan[0], (long)&c, 1) != 1 || e)
		return 0;
	if (raw(SYS_read, sp->chan[0], (long)&c, 1) != 1)
		return 0; /* discarded */
	long pid = raw(SYS_clone3, (long)sp->args, sizeof(*sp->args), 0);
	if (pid == 0)
		child_run(sp->plan);
	sp->child = pid;
	return 0;
}

/* ---------------------------------------------------------------- our side */

static void reap_helper(struct spare *sp)
{
	if (sp->helper_pidfd < 0 || sp->helper_reaped)
		return;
	siginfo_t si;
	while (sys_waitid(P_PIDFD, sp->helper_pidfd, &si, WEXITED | __WALL, NULL) < 0 &&
	       errno == EINTR)
		;
	sp->helper_reaped = true;
}

static void close_procs(struct spare *sp)
{
	for (size_t i = 0; i < CG_V1_MAX; i++)
		closep(&sp->procs[i]);
}

void spare_free(struct spare *sp)
{
	if (!sp)
		return;
	if (sp->helper_pidfd >= 0 && !sp->helper_reaped)
		sys_pidfd_send_signal(sp->helper_pidfd, SIGKILL);
	reap_helper(sp);
	closep(&sp->helper_pidfd);
	close_procs(sp);
	closep(&sp->chan[0]);
	closep(&sp->chan[1]);
	if (sp->stack)
		munmap(sp->stack, STACK_SIZE);
	if (!sp->cg_taken)
		cgroup_destroy(&sp->cg, NULL);
	free(sp);
}

static struct spare *make(const struct sbx_config *cfg, const struct cg_context *ctx)
{
	if (cfg->cgroup_name[0])
		return NULL; /* one name, one sandbox at a time */
	struct spare *sp = calloc(1, sizeof(*sp));
	if (!sp)
		return NULL;
	sp->helper_pidfd = sp->chan[0] = sp->chan[1] = -1;
	for (size_t i = 0; i < CG_V1_MAX; i++)
		sp->procs[i] = -1;
	cgroup_set_init(&sp->cg);
	key_of(cfg, ctx, &sp->key);
	/* the helper is a task of the sandbox's pids limit until it exits:
	 * room for it now, the limit as asked once it is gone (before the
	 * program runs), and a limit of one leaves no room for both */
	/* A v1 cpuset would rebind the memory policy of the mm the helper
	 * shares with us to the sandbox's nodes: not for a spare. */
	if (cgroup_prepare(cfg, ctx, &sp->cg, &sp->skipped, NULL) < 0 || sp->cg.n_v1 == 0 ||
	    (sp->cg.where[CGM_PIDS] == CG_V1 && cfg->limits.pids < 2) ||
	    sp->cg.where[CGM_CPUSET] == CG_V1)
		goto fail;
	if (sp->cg.where[CGM_PIDS] == CG_V1) {
		sp->pids_limit = cfg->limits.pids;
		if (cgroup_set_pids_max(&sp->cg, sp->pids_limit + 1, NULL) < 0)
			goto fail;
	}
	for (size_t i = 0; i < sp->cg.n_v1; i++) {
		sp->procs[i] = openat(sp->cg.v1[i].fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
		if (sp->procs[i] < 0)
			goto fail;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp->chan) < 0)
		goto fail;
	sp->stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (sp->stack == MAP_FAILED) {
		sp->stack = NULL;
		goto fail;
	}
	if (mprotect(sp->stack, GUARD, PROT_NONE) < 0)
		goto fail;
	sp->creator = getpid();
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int pid = clone(helper_main, (char *)sp->stack + STACK_SIZE,
			CLONE_VM | CLONE_FILES | CLONE_PIDFD, sp, &sp->helper_pidfd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		sp->helper_pidfd = -1;
		goto fail;
	}
	return sp;
fail:
	spare_free(sp);
	return NULL;
}

void spare_arm(struct sbx_config *cfg, const struct cg_context *ctx)
{
	if (__atomic_load_n(&cfg->spare, __ATOMIC_ACQUIRE))
		return;
	struct spare *sp = make(cfg, ctx);
	struct spare *none = NULL;
	if (sp && !__atomic_compare_exchange_n(&cfg->spare, &none, sp, false, __ATOMIC_ACQ_REL,
					       __ATOMIC_ACQUIRE))
		spare_free(sp); /* another thread armed one first */
}

struct spare *spare_take(struct sbx_config *cfg, const struct cg_context *ctx,
			 struct cgroup_set *cs, unsigned *skipped)
{
	struct spare *sp = __atomic_exchange_n(&cfg->spare, NULL, __ATOMIC_ACQ_REL);
	if (!sp)
		return NULL;
	struct spare_key k;
	key_of(cfg, ctx, &k);
	char c;
	ssize_t n;
	if (memcmp(&k, &sp->key, sizeof(k))) {
		spare_free(sp); /* made for other limits */
		return NULL;
	}
	/* the helper says once it is in the cgroups (it may still be waiting
	 * for the grace period if the spawns come back to back) */
	do
		n = recv(sp->chan[1], &c, 1, 0);
	while (n < 0 && errno == EINTR);
	if (n != 1 || sp->attach_err) {
		spare_free(sp);
		return NULL;
	}
	close_procs(sp); /* the helper is done with them */
	*cs = sp->cg;
	*skipped = sp->skipped;
	sp->cg_taken = true;
	return sp;
}

bool spare_needs_settle(const struct spare *sp)
{
	return sp->pids_limit != 0;
}

long spare_launch(struct spare *sp, struct clone_args *args, struct plan *plan)
{
	args->flags |= CLONE_PARENT;
	sp->args = args;
	sp->plan = plan;
	sp->child = -ECHILD;
	if (send(sp->chan[1], "g", 1, MSG_NOSIGNAL) != 1)
		return -errno;
	reap_helper(sp); /* it exits once it has cloned */
	return sp->child;
}

int spare_settle(struct spare *sp, struct cgroup_set *cs, sbx_error *err)
{
	reap_helper(sp);
	if (!sp->pids_limit)
		return 0;
	return cgroup_set_pids_max(cs, sp->pids_limit, err);
}
