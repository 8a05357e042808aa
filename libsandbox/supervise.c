/* sbx_wait: the supervisor. While the sandbox runs it enforces what only a
 * watcher can: the wall-clock deadline (monotonic clock), the CPU time of
 * all its processes together (polled from the cgroup; RLIMIT_CPU backs it
 * per process), the output cap on relayed streams, and on cgroup v1 the
 * "OOM kill ends the sandbox" rule that v2 has as memory.oom.group. When the
 * first process exits it ends the rest, reads the whole-sandbox figures,
 * removes the cgroups and decides the verdict. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "proc.h"
#include "util.h"

#define CHECK_MAX_US 20000u /* CPU and OOM checks at least this often */
#define DRAIN_MAX_US 1000000u

const char *sbx_status_name(int status)
{
	static const char *const names[] = {
		[SBX_STATUS_OK] = "ok",
		[SBX_STATUS_NONZERO_EXIT] = "nonzero-exit",
		[SBX_STATUS_SIGNALED] = "signaled",
		[SBX_STATUS_CPU_TIME_LIMIT] = "cpu-time-limit",
		[SBX_STATUS_WALL_TIME_LIMIT] = "wall-time-limit",
		[SBX_STATUS_MEMORY_LIMIT] = "memory-limit",
		[SBX_STATUS_OUTPUT_LIMIT] = "output-limit",
		[SBX_STATUS_SETUP_ERROR] = "setup-error",
		[SBX_STATUS_POLICY_KILL] = "policy-kill",
	};
	if (status < 0 || (size_t)status >= sizeof(names) / sizeof(*names))
		return NULL;
	return names[status];
}

static void kill_for(struct sbx_proc *p, int status)
{
	if (!p->killed_for)
		p->killed_for = status;
	proc_kill_all(p);
}

/* ---------------------------------------------------------------- relays */

/* write() without raising SIGPIPE in the caller's process if the reader of
 * `fd` is gone: block it for the call, and take back the one we caused. */
static ssize_t write_nosigpipe(int fd, const void *buf, size_t n)
{
	sigset_t pipe_only, old, pending;
	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	sigpending(&pending);
	bool was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
	ssize_t r = write(fd, buf, n);
	int e = errno;
	if (r < 0 && e == EPIPE && !was_pending) {
		struct timespec zero = {0, 0};
		sigtimedwait(&pipe_only, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return r;
}

/* Moves what one relay pipe holds to its target, at most PIPE_BUF at a time
 * (a write that size to a pipe that polled writable does not block), and
 * counts it against the output cap. Returns false once the stream is done. */
static bool relay_once(struct sbx_proc *p, int i)
{
	char buf[PIPE_BUF];
	size_t want = sizeof(buf);
	if (p->output_cap) {
		uint64_t left = p->output_cap - p->output_bytes;
		/* one byte past the cap tells "more than allowed" from "exactly" */
		if (left + 1 < want)
			want = (size_t)left + 1;
	}
	ssize_t n = read(p->relay[i], buf, want);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0)
		return false;
	size_t deliver = (size_t)n;
	bool over = false;
	if (p->output_cap && p->output_bytes + deliver > p->output_cap) {
		deliver = (size_t)(p->output_cap - p->output_bytes);
		over = true;
	}
	for (size_t off = 0; off < deliver;) {
		ssize_t w = write_nosigpipe(p->relay_to[i], buf + off, deliver - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false; /* our reader is gone: so is the program's */
		off += (size_t)w;
	}
	p->output_bytes += deliver;
	if (over) {
		kill_for(p, SBX_STATUS_OUTPUT_LIMIT);
		return false;
	}
	return true;
}

/* Adds the relays to a poll set: a relay's target first has to be
 * writable, then its pipe readable. */
static size_t relay_pollfds(const struct sbx_proc *p, struct pollfd *fds, int *which,
			    bool *target_turn, bool turn[3])
{
	size_t n = 0;
	for (int i = 1; i < 3; i++) {
		if (p->relay[i] < 0)
			continue;
		fds[n] = (struct pollfd){.fd = turn[i] ? p->relay_to[i] : p->relay[i],
					 .events = turn[i] ? POLLOUT : POLLIN};
		which[n] = i;
		target_turn[n] = turn[i];
		n++;
	}
	return n;
}

/* Handles the relays that poll found ready. */
static void relay_ready(struct sbx_proc *p, const struct pollfd *fds, const int *which,
			const bool *target_turn, size_t n, bool turn[3])
{
	for (size_t k = 0; k < n; k++) {
		int i = which[k];
		if (!fds[k].revents)
			continue;
		if (target_turn[k]) {
			turn[i] = false; /* writable: now read */
			if (fds[k].revents & (POLLERR | POLLHUP | POLLNVAL))
				closep(&p->relay[i]);
			continue;
		}
		if (relay_once(p, i))
			turn[i] = true;
		else
			closep(&p->relay[i]);
	}
}

/* ---------------------------------------------------------------- limits */

/* Checks the limits only a watcher can enforce; returns the next time to
 * look again (UINT64_MAX: no need). */
static uint64_t check_limits(struct sbx_proc *p, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	if (p->killed_for)
		return next;
	if (p->wall_deadline_us) {
		if (now >= p->wall_deadline_us) {
			kill_for(p, SBX_STATUS_WALL_TIME_LIMIT);
			return next;
		}
		next = p->wall_deadline_us;
	}
	if (p->cpu_limit_us && p->cg.where[CGM_CPU_TIME]) {
		uint64_t u = 0, s = 0;
		if (cgroup_cpu_usage(&p->cg, &u, &s) == 0) {
			if (u + s >= p->cpu_limit_us) {
				kill_for(p, SBX_STATUS_CPU_TIME_LIMIT);
				return next;
			}
			/* look again before the rest could be used up by every CPU */
			long cpus = sysconf(_SC_NPROCESSORS_ONLN);
			uint64_t gap =
				(p->cpu_limit_us - u - s) / (uint64_t)(cpus > 0 ? cpus : 1) / 2;
			gap = gap < 1000 ? 1000 : gap > CHECK_MAX_US ? CHECK_MAX_US : gap;
			if (now + gap < next)
				next = now + gap;
		}
	}
	if (p->oom_group_v1) {
		sbx_result tmp = {0};
		cgroup_stats(&p->cg, &tmp);
		if (tmp.oom_kills) {
			kill_for(p, SBX_STATUS_MEMORY_LIMIT);
			return next;
		}
		if (now + CHECK_MAX_US < next)
			next = now + CHECK_MAX_US;
	}
	return next;
}

static int ms_until(uint64_t when, uint64_t now)
{
	if (when == UINT64_MAX)
		return -1;
	if (when <= now)
		return 0;
	uint64_t ms = (when - now + 999) / 1000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* Runs until the first process has exited and is reaped, or until
 * `deadline` (UINT64_MAX: none) passes (-ETIMEDOUT), or a signal (-EINTR). */
static int supervise(struct sbx_proc *p, uint64_t deadline, sbx_error *err)
{
	bool turn[3] = {false, false, false};
	for (;;) {
		uint64_t now = now_us();
		uint64_t next = check_limits(p, now);
		if (deadline < next)
			next = deadline;
		struct pollfd fds[3];
		int which[3];
		bool target_turn[3];
		fds[0] = (struct pollfd){.fd = p->pidfd, .events = POLLIN};
		size_t n = 1 + relay_pollfds(p, fds + 1, which + 1, target_turn + 1, turn);
		int r = poll(fds, n, ms_until(next, now));
		if (r < 0) {
			if (errno == EINTR)
				return err_setx(err, SBX_STAGE_RUN, EINTR,
						"wait: interrupted by a signal");
			return err_set(err, SBX_STAGE_RUN, errno, "wait: poll");
		}
		relay_ready(p, fds + 1, which + 1, target_turn + 1, n - 1, turn);
		if (fds[0].revents & POLLIN)
			return proc_reap(p, err);
		if (deadline != UINT64_MAX && now_us() >= deadline)
			return err_setx(err, SBX_STAGE_RUN, ETIMEDOUT,
					"wait for pid %d: still running", (int)p->pid);
	}
}

/* What is left in the relay pipes after the first process has gone: until
 * every writer has closed them, for a bounded time (a process that escaped
 * both the pid namespace and the cgroup could hold one open forever). */
static void drain(struct sbx_proc *p)
{
	bool turn[3] = {false, false, false};
	uint64_t until = now_us() + DRAIN_MAX_US;
	for (;;) {
		struct pollfd fds[2];
		int which[2];
		bool target_turn[2];
		size_t n = relay_pollfds(p, fds, which, target_turn, turn);
		uint64_t now = now_us();
		if (!n || now >= until)
			break;
		if (poll(fds, n, ms_until(until, now)) <= 0)
			break;
		relay_ready(p, fds, which, target_turn, n, turn);
	}
	for (int i = 0; i < 3; i++)
		closep(&p->relay[i]);
}

static int verdict(const struct sbx_proc *p, const sbx_result *r)
{
	if (p->killed_for)
		return p->killed_for;
	bool ended_ok = r->signal == 0 && r->exit_code == 0;
	if (r->oom_kills && !ended_ok)
		return SBX_STATUS_MEMORY_LIMIT;
	/* RLIMIT_CPU, the per-process backstop, ends a process with SIGXCPU */
	if (p->cpu_limit_us && (r->signal == SIGXCPU || r->signal == SIGKILL) &&
	    r->cpu_user_us + r->cpu_sys_us >= p->cpu_limit_us)
		return SBX_STATUS_CPU_TIME_LIMIT;
	/* strict mode kills with SIGKILL, which says nothing of why */
	if (r->signal == SIGSYS && p->filtered)
		return SBX_STATUS_POLICY_KILL;
	if (r->signal)
		return SBX_STATUS_SIGNALED;
	return r->exit_code ? SBX_STATUS_NONZERO_EXIT : SBX_STATUS_OK;
}

void proc_finish(struct sbx_proc *p)
{
	if (p->done)
		return;
	sbx_result *res = &p->result;
	if (cgroup_any(&p->cg) && !cgroup_empty(&p->cg)) {
		/* what the first process left behind (a double-forked daemon) ends
		 * with it; with a pid namespace the kernel has done it already */
		cgroup_kill(&p->cg);
	}
	drain(p);
	if (cgroup_any(&p->cg)) {
		for (int i = 0; i < 2000 && !cgroup_empty(&p->cg); i++)
			usleep(i < 100 ? 100 : 5000);
		cgroup_stats(&p->cg, res);
		if (p->helper_counted) { /* its peak includes a spare's helper */
			res->pids_peak = 0;
			res->measured &= ~SBX_MEASURED_PIDS;
		}
		cgroup_destroy(&p->cg, NULL);
	}
	res->output_bytes = p->output_bytes;
	res->limits_not_applied = p->skipped;
	res->status = verdict(p, res);
	p->done = true;
}

int sbx_wait(sbx_proc *p, int timeout_ms, sbx_result *res, sbx_error *err)
{
	if (!p || !res)
		return err_setx(err, SBX_STAGE_RUN, EINVAL, "wait: NULL argument");
	if (res->size < offsetof(sbx_result, peak_rss_kb) + sizeof(res->peak_rss_kb))
		return err_setx(err, SBX_STAGE_RUN, EINVAL,
				"wait: result size %zu is too small (set it to sizeof(sbx_result))",
				res->size);
	if (!p->done) {
		uint64_t deadline =
			timeout_ms < 0 ? UINT64_MAX : now_us() + (uint64_t)timeout_ms * 1000u;
		if (!p->reaped) {
			int r = supervise(p, deadline, err);
			if (r < 0)
				return r;
		}
		proc_finish(p);
	}
	/* copy what both sides know; size then says how much that was */
	size_t n = res->size < sizeof(p->result) ? res->size : sizeof(p->result);
	memcpy(res, &p->result, n);
	res->size = n;
	return 0;
}
