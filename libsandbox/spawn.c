/* sbx_spawn: the parent's side of creating a sandbox.
 *
 * 1. Build the plan (everything the child will do) from the configuration.
 * 2. clone3 with CLONE_PIDFD and the namespace flags; signals are blocked
 *    around it so no handler of the caller runs in the child.
 * 3. With a new user namespace, write its id maps and release the child.
 * 4. Read the report pipe: EOF means the child reached execve; a report
 *    means a step failed, and the child is reaped before returning. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capmode.h"
#include "caps.h"
#include "chan.h"
#include "cgroup.h"
#include "error.h"
#include "fds.h"
#include "filter.h"
#include "mount.h"
#include "ns.h"
#include "plan.h"
#include "proc.h"
#include "spare.h"
#include "spawn.h"
#include "sys.h"
#include "util.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Everything one spawn owns until it returns. */
struct spawn {
	struct plan plan;
	struct cgroup_set cg;
	struct cg_context ctx;
	struct spare *spare; /* the cgroups came ready, with a helper in them */
	struct cap_rule *cap_grants;
	unsigned skipped; /* best-effort limits not applied */
	struct mount_plan mounts;
	struct fds_parent fds;
	struct idmaps maps;
	char *path_copy;
	const char **search;
	char *exec_buf;
	int report[2];
	int sync[2];
};

static void spawn_release(struct spawn *s)
{
	spare_free(s->spare);
	free(s->cap_grants);
	cgroup_destroy(&s->cg, NULL);
	mount_plan_free(&s->mounts);
	fds_release(&s->fds);
	free(s->path_copy);
	free(s->search);
	free(s->exec_buf);
	for (int i = 0; i < 2; i++) {
		closep(&s->report[i]);
		closep(&s->sync[i]);
	}
}

/* For a program name without a slash: the PATH directories to try, split in
 * the parent so the child only concatenates. */
static int plan_search(struct spawn *s, const struct sbx_config *cfg, sbx_error *err)
{
	const char *path = DEFAULT_PATH;
	for (size_t i = 0; i < cfg->envc; i++)
		if (!strncmp(cfg->envp[i], "PATH=", 5))
			path = cfg->envp[i] + 5;
	s->path_copy = strdup(path);
	size_t n = 1;
	for (const char *c = path; *c; c++)
		n += *c == ':';
	s->search = calloc(n + 1, sizeof(*s->search));
	if (!s->path_copy || !s->search)
		return err_setx(err, SBX_STAGE_PREPARE, ENOMEM, "exec: out of memory");
	size_t k = 0, longest = 1;
	for (char *tok = s->path_copy, *next; tok; tok = next) {
		next = strchr(tok, ':');
		if (next)
			*next++ = 0;
		s->search[k++] = *tok ? tok : "."; /* an empty entry means the cwd */
		if (strlen(s->search[k - 1]) > longest)
			longest = strlen(s->search[k - 1]);
	}
	s->plan.exec_buf_len = longest + 1 + strlen(s->plan.path) + 1;
	s->exec_buf = malloc(s->plan.exec_buf_len);
	if (!s->exec_buf)
		return err_setx(err, SBX_STAGE_PREPARE, ENOMEM, "exec: out of memory");
	s->plan.search = s->search;
	s->plan.exec_buf = s->exec_buf;
	return 0;
}

static bool relays(const struct sbx_config *cfg)
{
	return cfg->stdio_mode[1] == SBX_STDIO_RELAY || cfg->stdio_mode[2] == SBX_STDIO_RELAY;
}

/* Why the sandbox needs a device cgroup even when no limit asks for one: it
 * could reach device nodes beyond its /dev's harmless defaults. NULL if
 * not. */
static const char *device_filter_needed(const struct sbx_config *cfg, unsigned ns, bool host_root)
{
	/* host uid 0 opens root's device nodes by file permission alone */
	if (host_root && !(ns & SBX_NS_MOUNT))
		return "it may be host uid 0 and sees the host's /dev; a mount namespace or a "
		       "user namespace would not need one";
	/* nodes of its own, which its caller could not have opened: made by
	 * mknod, or bound from the host where the sandbox may be host uid 0
	 * (in a user namespace that is not, a bound node opens only as its
	 * caller's own host ids could) */
	for (size_t i = 0; i < cfg->n_devnodes; i++)
		if (cfg->devnodes[i].type != 'p' && (!(ns & SBX_NS_USER) || host_root))
			return "it has device nodes of its own";
	/* uid 0 gets its bounding set back at exec */
	const sbx_caps *c = &cfg->caps;
	if (!(ns & SBX_NS_USER) && ((c->bounding | c->permitted | c->ambient) >> CAP_MKNOD & 1))
		return "it keeps CAP_MKNOD outside a user namespace";
	return NULL;
}

/* The sandbox's cgroups and rlimits, and whether each limit asked for can be
 * enforced: an error naming it if not, unless it is best-effort. */
static int plan_limits(struct spawn *s, const struct sbx_config *cfg, unsigned ns, bool host_root,
		       sbx_error *err)
{
	struct plan *p = &s->plan;
	const sbx_limits *l = &cfg->limits;
	unsigned asked = conf_limits_asked(cfg);
	if ((asked & SBX_LIMIT_OUTPUT) && !relays(cfg))
		return err_setx(err, SBX_STAGE_CONFIG, EINVAL,
				"output limit: no output stream is relayed through the supervisor "
				"(set stdout or stderr to SBX_STDIO_RELAY)");
	s->ctx = (struct cg_context){
		.pidns = ns & SBX_NS_PID,
		.devices_why = device_filter_needed(cfg, ns, host_root),
	};
	int r = 0;
	s->spare = spare_take((struct sbx_config *)cfg, &s->ctx, &s->cg, &s->skipped);
	if (!s->spare && (r = cgroup_prepare(cfg, &s->ctx, &s->cg, &s->skipped, err)) < 0)
		return r;
	/* Wall time, CPU time and output end in a kill of the whole sandbox:
	 * its cgroup, or a pid namespace whose first process takes the others. */
	unsigned killing = asked & (SBX_LIMIT_WALL_TIME | SBX_LIMIT_CPU_TIME | SBX_LIMIT_OUTPUT);
	if (killing && !s->cg.where[CGM_KILL] && !(ns & SBX_NS_PID)) {
		if (killing & ~l->best_effort)
			return err_setx(
				err, SBX_STAGE_PREPARE, ENOTSUP,
				"time and output limits: without a pid namespace or a cgroup, "
				"processes that leave the first one's tree could not be "
				"killed");
		s->skipped |= killing;
	}
	for (int res = 0; res < CONF_RLIMITS; res++) {
		if (!cfg->rlimits[res].set)
			continue;
		p->rlimits[p->n_rlimits].resource = res;
		p->rlimits[p->n_rlimits].soft = cfg->rlimits[res].soft;
		p->rlimits[p->n_rlimits].hard = cfg->rlimits[res].hard;
		p->n_rlimits++;
	}
	/* RLIMIT_CPU backs the whole-sandbox CPU limit per process: a second
	 * later than the supervisor would act, or at the limit itself if the
	 * supervisor cannot measure it */
	if (l->cpu_time_ms && !cfg->rlimits[RLIMIT_CPU].set) {
		uint64_t secs = (l->cpu_time_ms + 999) / 1000 + (s->cg.where[CGM_CPU_TIME] ? 1 : 0);
		p->rlimits[p->n_rlimits].resource = RLIMIT_CPU;
		p->rlimits[p->n_rlimits].soft = secs;
		p->rlimits[p->n_rlimits].hard = secs + 1;
		p->n_rlimits++;
	}
	return 0;
}

/* The id maps of a user namespace, and whether the sandbox may hold host
 * uid 0 (a map sends an id there, or without a user namespace it runs as
 * root). */
static int identity(const struct sbx_config *cfg, unsigned ns, bool can_map, struct idmaps *maps,
		    bool *host_root, sbx_error *err)
{
	if (ns & SBX_NS_USER) {
		int r = ns_idmaps(cfg, can_map, maps, err);
		if (r < 0)
			return r;
		*host_root = ns_maps_host_root(maps->uid, maps->n_uid);
	} else {
		*host_root = cfg->user_set ? cfg->uid == 0 : geteuid() == 0;
	}
	return 0;
}

/* The namespaces a spawn of cfg makes: the kernel only lets a process
 * without CAP_SYS_ADMIN create others together with a user namespace it
 * owns. */
static unsigned namespaces(const struct sbx_config *cfg)
{
	unsigned ns = cfg->namespaces & ~cfg->joined; /* joined ones are not made */
	if (ns && !(ns & SBX_NS_USER) && !caps_caller_has(CAP_SYS_ADMIN))
		ns |= SBX_NS_USER;
	return ns;
}

int sbx_config_prewarm(sbx_config *cfg, sbx_error *err)
{
	if (!cfg)
		return err_setx(err, SBX_STAGE_CONFIG, EINVAL, "prewarm: NULL configuration");
	unsigned ns = namespaces(cfg);
	struct idmaps maps;
	bool host_root;
	bool can_map = caps_caller_has(CAP_SETUID) && caps_caller_has(CAP_SETGID);
	int r = identity(cfg, ns, can_map, &maps, &host_root, err);
	if (r < 0)
		return r;
	struct cg_context ctx = {.pidns = ns & SBX_NS_PID,
				 .devices_why = device_filter_needed(cfg, ns, host_root)};
	cfg->prewarm = true;
	spare_arm(cfg, &ctx);
	return 0;
}

/* Capability mode: checked against the kernel here, so that what it cannot
 * give is an error before anything starts; the directory grants become its
 * rules. */
static int plan_capmode(struct spawn *s, const struct sbx_config *cfg, sbx_error *err)
{
	struct plan *p = &s->plan;
	if (!cfg->capmode)
		return 0;
	const char *missing = capmode_missing(sbx_landlock_abi(), cfg->cap_need);
	if (missing)
		return err_setx(err, SBX_STAGE_CONFIG, ENOTSUP, "capability mode: %s", missing);
	s->cap_grants = calloc(cfg->n_grants + 1, sizeof(*s->cap_grants));
	if (!s->cap_grants)
		return err_setx(err, SBX_STAGE_PREPARE, ENOMEM, "spawn: out of memory");
	for (size_t i = 0; i < cfg->n_grants && p->n_cap_grants < 64; i++) {
		int rights = cfg->grants[i].rights;
		if (rights == SBX_RIGHTS_DIR || rights == SBX_RIGHTS_DIR_WRITE)
			s->cap_grants[p->n_cap_grants++] = (struct cap_rule){
				cfg->grants[i].target,
				SBX_CAP_READ |
					(rights == SBX_RIGHTS_DIR_WRITE ? SBX_CAP_WRITE : 0)};
	}
	p->capmode = true;
	p->cap_need = cfg->cap_need;
	p->cap_runtime = cfg->cap_runtime;
	p->cap_grants = s->cap_grants;
	p->cap_filter = &cfg->cap_policy->prog;
	return 0;
}

static int plan_build(struct spawn *s, const struct sbx_config *cfg, unsigned ns, sbx_error *err)
{
	struct plan *p = &s->plan;
	bool can_map = caps_caller_has(CAP_SETUID) && caps_caller_has(CAP_SETGID);
	bool host_root;
	int r;

	p->clone_flags = ns_clone_flags(ns);
	p->userns = ns & SBX_NS_USER;
	p->sync_fd = p->sync_peer = -1;
	p->uid = cfg->uid;
	p->gid = cfg->gid;
	memcpy(p->groups, cfg->groups, cfg->n_groups * sizeof(*p->groups));
	p->n_groups = cfg->n_groups;
	if (cfg->n_groups && !can_map)
		return err_setx(err, SBX_STAGE_CONFIG, EPERM,
				"supplementary groups need CAP_SETGID: an unprivileged user "
				"namespace denies setgroups");
	if ((r = identity(cfg, ns, can_map, &s->maps, &host_root, err)) < 0)
		return r;
	if (p->userns) {
		p->need_sync = true;
		/* the child starts as the caller's host ids, unmapped until the
		 * maps are written: switch to the sandbox's own */
		p->set_ids = true;
		p->set_groups = can_map; /* setgroups stays allowed only then */
	} else {
		p->set_ids = cfg->user_set || cfg->n_groups;
		p->set_groups = p->set_ids && can_map;
	}
	if ((r = plan_limits(s, cfg, ns, host_root, err)) < 0)
		return r;
	p->drop_bounding = p->userns || caps_caller_has(CAP_SETPCAP);
	p->last_cap = caps_last_cap();
	p->caps = cfg->caps;
	if ((r = plan_capmode(s, cfg, err)) < 0)
		return r;
	/* a filter or Landlock needs it anyway */
	p->no_new_privs = cfg->no_new_privs || cfg->policy || cfg->capmode;
	p->pdeathsig = cfg->pdeathsig;

	if (!(ns & SBX_NS_MOUNT) &&
	    (cfg->rootfs || cfg->n_mounts || cfg->n_masked || cfg->n_readonly))
		return err_setx(err, SBX_STAGE_CONFIG, EINVAL,
				"a root filesystem, mounts, masked and read-only paths need a "
				"new mount namespace (SBX_NS_MOUNT)");
	if (ns & SBX_NS_MOUNT) {
		if ((r = mount_plan_build(&s->mounts, cfg, ns, p->userns, host_root, err)) < 0)
			return r;
		p->mounts = s->mounts.ops;
		p->n_mounts = s->mounts.n;
	}
	p->hostname = (ns & SBX_NS_UTS) ? cfg->hostname : NULL;
	if (cfg->domainname[0] && !(ns & SBX_NS_UTS))
		return err_setx(err, SBX_STAGE_CONFIG, EINVAL,
				"domainname: needs a new UTS namespace (SBX_NS_UTS)");
	p->domainname = cfg->domainname[0] ? cfg->domainname : NULL;
	p->umask = cfg->umask;
	p->personality = cfg->personality;
	if (cfg->time_offsets_set) {
		if (!(ns & SBX_NS_TIME))
			return err_setx(err, SBX_STAGE_CONFIG, EINVAL,
					"time offsets need a new time namespace (SBX_NS_TIME)");
		/* a time namespace's offsets are fixed once a process is in it,
		 * and clone3 would put the child in at once: the child makes it */
		p->clone_flags &= ~(uint64_t)CLONE_NEWTIME;
		snprintf(p->timens_offsets, sizeof(p->timens_offsets),
			 "monotonic %" PRId64 " %ld\nboottime %" PRId64 " %ld\n",
			 cfg->time_offset_sec[0], cfg->time_offset_nsec[0], cfg->time_offset_sec[1],
			 cfg->time_offset_nsec[1]);
	}
	p->gate_fd = cfg->gate_fd;
	for (size_t i = 0; i < 4; i++) {
		p->join_fd[i] = cfg->joins[i].kind ? cfg->joins[i].fd : -1;
		p->join_type[i] = (int)ns_clone_flags(cfg->joins[i].kind);
		p->join_path[i] = cfg->joins[i].path;
	}
	for (size_t i = 0; i < cfg->n_sysctls; i++)
		if (!((ns | cfg->joined) & cfg->sysctls[i].ns))
			return err_setx(err, SBX_STAGE_CONFIG, EINVAL,
					"sysctl %s: needs the sandbox's own %s namespace",
					cfg->sysctls[i].path + 10,
					cfg->sysctls[i].ns == SBX_NS_NET   ? "network"
					: cfg->sysctls[i].ns == SBX_NS_IPC ? "IPC"
									   : "UTS");
	if (cfg->oom_score_adj_set)
		snprintf(p->oom_score_adj, sizeof(p->oom_score_adj), "%d", cfg->oom_score_adj);
	p->console_fd = cfg->console_fd;
	p->sysctls = cfg->sysctls;
	p->n_sysctls = cfg->n_sysctls;
	if (p->gate_fd >= 0 && (cfg->entry || (cfg->policy && cfg->policy->notifies)))
		return err_setx(err, SBX_STAGE_CONFIG, EINVAL,
				"start gate: not with a function worker or a policy that notifies "
				"(the listener would come after the gate)");
	p->loopback = ns & SBX_NS_NET;
	p->cwd = cfg->cwd;

	if ((r = fds_prepare(cfg, &s->fds, p, err)) < 0)
		return r;
	/* the child waits while v1 cgroups take it in, or while a spare's
	 * helper gives its place back */
	p->need_sync |= s->spare ? spare_needs_settle(s->spare) : s->cg.n_v1 > 0;

	if (cfg->policy) {
		const char *why = cfg->entry ? filter_cannot_enter(cfg->policy)
					     : filter_cannot_exec(cfg->policy, cfg->exec_fd >= 0);
		if (why)
			return err_setx(err, SBX_STAGE_CONFIG, EINVAL, "policy %s: %s",
					cfg->policy->name, why);
		p->strict = cfg->policy->ir.strict;
		p->filter = p->strict ? NULL : &cfg->policy->prog;
		p->listener = cfg->policy->notifies;
		p->log_denials = cfg->policy->ir.log_denials;
	}
	p->entry = cfg->entry;
	p->entry_arg = cfg->entry_arg;
	/* a worker runs no program: capability mode must not take fd 0 for
	 * one and give it a rule */
	p->exec_fd = -1;
	if (cfg->entry)
		return 0;
	p->exec_fd = cfg->exec_fd;
	p->path = cfg->exec_fd >= 0 ? cfg->exec_fd_name : cfg->path ? cfg->path : cfg->argv[0];
	p->argv = cfg->argv;
	p->envp = cfg->envp;
	if (p->exec_fd < 0 && !strchr(p->path, '/') && (r = plan_search(s, cfg, err)) < 0)
		return r;
	return 0;
}

int spawn_sync_channel(int fds[2])
{
	return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0 ? -errno : 0;
}

int spawn_release_child(int sync_fd)
{
	return send(sync_fd, "g", 1, MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

static int clone_error(unsigned ns, int e, sbx_error *err)
{
	char names[96];
	ns_describe(ns, names, sizeof(names));
	const char *hint = "";
	if (e == EPERM && (ns & SBX_NS_USER))
		hint = " (creating user namespaces is not allowed here: see "
		       "kernel.unprivileged_userns_clone and user.max_user_namespaces)";
	else if (e == ENOSPC)
		hint = " (a user.max_*_namespaces limit is reached)";
	return err_set(err, SBX_STAGE_PREPARE, e, "clone3 with new namespaces [%s]%s", names, hint);
}

/* Takes the seccomp listener the child is about to make as fd `nr`: it
 * appears once the filter is in, a few microseconds after the child said. */
static int take_listener(int pidfd, int nr, int *out, sbx_error *err)
{
	for (int tries = 0; tries < 20000; tries++) {
		int fd = (int)syscall(SYS_pidfd_getfd, pidfd, nr, 0);
		if (fd >= 0) {
			char link[64], target[64] = "";
			snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
			ssize_t n = readlink(link, target, sizeof(target) - 1);
			if (n > 0 && strstr(target, "seccomp notify")) {
				*out = fd;
				return 0;
			}
			close(fd); /* not yet: whatever had the number before */
		} else if (errno != EBADF) {
			return err_set(err, SBX_STAGE_PREPARE, errno,
				       "take the seccomp listener from the sandbox");
		}
		struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
		if (poll(&pfd, 1, 0) == 1)
			break; /* the child died: its report says why */
		usleep(50);
	}
	return err_setx(err, SBX_STAGE_PREPARE, EPROTO,
			"the sandbox did not create its seccomp listener");
}

/* Until exec the child's own calls that notify are its business, not the
 * caller's: let them go on. */
static void continue_one(int listener)
{
	struct seccomp_notif req;
	memset(&req, 0, sizeof(req));
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return;
	struct seccomp_notif_resp resp = {.id = req.id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE};
	ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

/* Reads the child's report: 0 when it reached execve (EOF), -errno with err
 * filled when a step failed. A notifying filter's listener lands in
 * *listener on the way. */
static int read_report(struct spawn *s, int pidfd, int *listener, sbx_error *err)
{
	for (;;) {
		struct pollfd pfd[2] = {{.fd = s->report[0], .events = POLLIN},
					{.fd = *listener, .events = POLLIN}};
		if (poll(pfd, *listener >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return err_set(err, SBX_STAGE_PREPARE, errno,
				       "wait for the sandbox's set-up");
		}
		if (*listener >= 0 && (pfd[1].revents & POLLIN) &&
		    !(pfd[0].revents & (POLLIN | POLLHUP))) {
			continue_one(*listener);
			continue;
		}
		struct child_report rep;
		ssize_t n = recv(s->report[0], &rep, sizeof(rep), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			return 0;
		if (n < 0)
			return err_set(err, SBX_STAGE_PREPARE, errno,
				       "read the sandbox's set-up report");
		if (n == (ssize_t)sizeof(rep) &&
		    (rep.step == STEP_ENTERED || rep.step == STEP_GATE))
			return 0; /* a strict-mode worker runs, or the sandbox waits to
				   * be started (and keeps its end) */
		if (n == (ssize_t)sizeof(rep) && rep.step == STEP_LISTENER_AT && *listener < 0) {
			int r = take_listener(pidfd, rep.index, listener, err);
			if (r < 0)
				return r;
			/* the child waits for this before it execs, which would
			 * close the listener */
			if ((r = spawn_release_child(s->report[0])) < 0)
				return err_set(err, SBX_STAGE_PREPARE, -r,
					       "spawn: release the child");
			continue;
		}
		if (n != (ssize_t)sizeof(rep) || rep.err <= 0)
			return err_setx(err, SBX_STAGE_PREPARE, EPROTO,
					"the sandbox sent a malformed set-up report (%zd bytes)",
					n);
		char msg[SBX_ERROR_MAX];
		child_describe_failure(&s->plan, &rep, msg, sizeof(msg));
		return err_setx(err, rep.step == STEP_EXEC ? SBX_STAGE_EXEC : SBX_STAGE_SETUP,
				rep.err, "%s", msg);
	}
}

int sbx_spawn(const sbx_config *cfg, sbx_proc **procp, sbx_error *err)
{
	if (!cfg || !procp)
		return err_setx(err, SBX_STAGE_CONFIG, EINVAL, "spawn: NULL argument");
	*procp = NULL;
	if (!cfg->argv && !cfg->entry)
		return err_setx(
			err, SBX_STAGE_CONFIG, EINVAL,
			"spawn: no program set (sbx_config_set_exec or sbx_config_set_entry)");

	uint64_t start = now_us();
	unsigned ns = namespaces(cfg);

	/* every fd field -1 before anything can fail: 0 is the caller's stdin */
	struct spawn s = {.report = {-1, -1}, .sync = {-1, -1}};
	cgroup_set_init(&s.cg);
	fds_init(&s.fds);
	int r = plan_build(&s, cfg, ns, err);
	if (r < 0)
		goto out;

	sbx_proc *proc = calloc(1, sizeof(*proc));
	if (!proc) {
		r = err_setx(err, SBX_STAGE_PREPARE, ENOMEM, "spawn: out of memory");
		goto out;
	}
	proc->pidfd = -1;
	proc->notify_fd = -1;
	proc->start_us = start;
	for (int i = 0; i < 3; i++)
		proc->stdio[i] = proc->relay[i] = proc->relay_to[i] = -1;
	cgroup_set_init(&proc->cg);

	/* Both channels are sockets: EOF when the child execs, no SIGPIPE in
	 * the caller when it has died, and room for a descriptor. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, s.report) < 0 ||
	    (s.plan.need_sync && spawn_sync_channel(s.sync) < 0)) {
		r = err_set(err, SBX_STAGE_PREPARE, errno, "spawn: socketpair");
		free(proc);
		goto out;
	}
	s.plan.report_fd = s.report[1];
	s.plan.report_peer = s.report[0];
	s.plan.sync_fd = s.sync[0];
	s.plan.sync_peer = s.sync[1];

	int pidfd = -1;
	struct clone_args ca = {
		.flags = s.plan.clone_flags | CLONE_PIDFD,
		.pidfd = (uint64_t)(uintptr_t)&pidfd,
		.exit_signal = 0,
	};
	if (s.cg.v2_fd >= 0) { /* born in its cgroup: no migration, nothing runs outside */
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)s.cg.v2_fd;
	}
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid_t pid;
	int clone_errno;
	if (s.spare) {
		long r2 = spare_launch(s.spare, &ca, &s.plan);
		pid = r2 < 0 ? -1 : (pid_t)r2;
		clone_errno = r2 < 0 ? (int)-r2 : 0;
	} else {
		pid = (pid_t)sys_clone3(&ca);
		if (pid == 0)
			child_run(&s.plan);
		clone_errno = errno;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		r = clone_error(ns, clone_errno, err);
		free(proc);
		goto out;
	}
	proc->pid = pid;
	proc->pidfd = pidfd;

	/* the child's ends now live in the child */
	closep(&s.report[1]);
	closep(&s.sync[0]);
	for (int i = 0; i < 3; i++)
		closep(&s.fds.child_end[i]);
	for (size_t i = 0; i < s.fds.n_chan; i++)
		closep(&s.fds.chan_child[i]);

	if (s.plan.need_sync) {
		r = s.plan.userns ? ns_write_idmaps(pid, &s.maps, err) : 0;
		if (r == 0)
			r = s.spare ? spare_settle(s.spare, &s.cg, err)
				    : cgroup_attach_v1(&s.cg, pid, err);
		if (r == 0 && (r = spawn_release_child(s.sync[1])) < 0)
			r = err_set(err, SBX_STAGE_PREPARE, -r, "spawn: release the child");
		closep(&s.sync[1]);
		if (r < 0)
			goto fail_reap;
	}

	r = read_report(&s, pidfd, &proc->notify_fd, err);
	if (r < 0)
		goto fail_reap;

	for (size_t i = 0; i < s.fds.n_chan; i++) {
		proc->chans[i] = chan_adopt(s.fds.chan_ours[i]);
		if (!proc->chans[i]) {
			r = err_setx(err, SBX_STAGE_PREPARE, ENOMEM, "spawn: out of memory");
			goto fail_reap;
		}
		s.fds.chan_ours[i] = -1;
		proc->chan_target[i] = cfg->channels[i];
		proc->n_chans = i + 1;
	}
	for (int i = 0; i < 3; i++) {
		proc->stdio[i] = TAKE_FD(s.fds.our_end[i]);
		proc->relay[i] = TAKE_FD(s.fds.relay_end[i]);
		proc->relay_to[i] = TAKE_FD(s.fds.relay_to[i]);
	}
	/* the cgroups now belong to the running sandbox */
	proc->cg = s.cg;
	cgroup_set_init(&s.cg);
	proc->pidns = ns & SBX_NS_PID;
	proc->filtered = s.plan.filter != NULL;
	proc->helper_counted = s.spare && spare_needs_settle(s.spare);
	proc->skipped = s.skipped;
	const sbx_limits *l = &cfg->limits;
	if (l->wall_time_ms)
		proc->wall_deadline_us = start + l->wall_time_ms * 1000u;
	proc->cpu_limit_us = l->cpu_time_ms * 1000u;
	if (proc->cpu_limit_us) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		proc->cpus = cpus > 0 ? (unsigned)cpus : 1;
	}
	proc->output_cap = l->output_bytes;
	proc->oom_group_v1 = proc->cg.where[CGM_MEMORY] == CG_V1;
	*procp = proc;
	/* prewarmed: the next sandbox's v1 cgroups are made now, while this
	 * one runs */
	if (proc->cg.n_v1 && cfg->prewarm)
		spare_arm((struct sbx_config *)cfg, &s.ctx);
	r = 0;
	goto out;

fail_reap:
	/* usually the child has exited already; make sure, and reap it, so
	 * nothing is left behind (the cgroups go with spawn_release) */
	sys_pidfd_send_signal(pidfd, SIGKILL);
	proc_reap(proc, NULL);
	proc->done = true;
	sbx_proc_free(proc);
out:
	spawn_release(&s);
	if (r < 0)
		errno = -r;
	return r;
}
