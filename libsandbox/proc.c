/* sbx_proc: the handle of a spawned sandbox. Supervision is in supervise.c. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "proc.h"
#include "sys.h"
#include "util.h"

pid_t sbx_proc_pid(const sbx_proc *p)
{
	return p ? p->pid : -1;
}

int sbx_proc_pidfd(const sbx_proc *p)
{
	return p ? p->pidfd : -1;
}

int sbx_proc_notify_fd(const sbx_proc *p)
{
	return p ? p->notify_fd : -1;
}

sbx_chan *sbx_proc_channel(const sbx_proc *p, int target)
{
	for (size_t i = 0; p && i < p->n_chans; i++)
		if (p->chan_target[i] == target)
			return p->chans[i];
	return NULL;
}

int sbx_proc_stdio(const sbx_proc *p, int stream)
{
	if (!p || stream < 0 || stream > 2)
		return -1;
	return p->stdio[stream];
}

void sbx_proc_close_stdio(sbx_proc *p, int stream)
{
	if (p && stream >= 0 && stream <= 2)
		closep(&p->stdio[stream]);
}

int sbx_kill(sbx_proc *p, int sig, sbx_error *err)
{
	if (!p)
		return err_setx(err, SBX_STAGE_RUN, EINVAL, "kill: NULL process");
	if (p->reaped)
		return err_setx(err, SBX_STAGE_RUN, ESRCH, "kill pid %d: already waited for",
				(int)p->pid);
	if (sys_pidfd_send_signal(p->pidfd, sig) < 0)
		return err_set(err, SBX_STAGE_RUN, errno, "kill pid %d with signal %d", (int)p->pid,
			       sig);
	return 0;
}

void proc_kill_all(struct sbx_proc *p)
{
	if (cgroup_any(&p->cg))
		cgroup_kill(&p->cg);
	if (!p->reaped)
		sys_pidfd_send_signal(p->pidfd, SIGKILL);
}

static uint64_t tv_us(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

int proc_reap(struct sbx_proc *p, sbx_error *err)
{
	siginfo_t si;
	struct rusage ru;
	memset(&si, 0, sizeof(si));
	memset(&ru, 0, sizeof(ru));
	/* __WALL: the child was cloned with no exit signal, so that a caller's
	 * own waitpid(-1) cannot reap it from under us */
	int r;
	do
		r = sys_waitid(P_PIDFD, p->pidfd, &si, WEXITED | __WALL, &ru);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return err_set(err, SBX_STAGE_RUN, errno, "wait for pid %d", (int)p->pid);
	uint64_t end = now_us();
	sbx_result *res = &p->result;
	memset(res, 0, sizeof(*res));
	res->size = sizeof(*res);
	if (si.si_code == CLD_EXITED) {
		res->exit_code = si.si_status;
	} else {
		res->exit_code = -1;
		res->signal = si.si_status;
		res->core_dumped = si.si_code == CLD_DUMPED;
	}
	res->cpu_user_us = tv_us(ru.ru_utime);
	res->cpu_sys_us = tv_us(ru.ru_stime);
	res->wall_us = end - p->start_us;
	res->peak_rss_kb = (uint64_t)ru.ru_maxrss;
	p->reaped = true;
	return 0;
}

int sbx_proc_detach(sbx_proc *p, char *dirs, size_t len, sbx_error *err)
{
	if (!p || !dirs || !len)
		return err_setx(err, SBX_STAGE_RUN, EINVAL, "detach: NULL argument");
	if (p->done || p->reaped)
		return err_setx(err, SBX_STAGE_RUN, EINVAL, "detach: the sandbox has ended");
	bool relays = false;
	for (int i = 0; i < 3; i++)
		relays |= p->relay[i] >= 0;
	if (p->wall_deadline_us || p->cpu_limit_us || p->output_cap || relays || p->notify_fd >= 0)
		return err_setx(err, SBX_STAGE_RUN, EINVAL,
				"detach: the sandbox needs its supervisor (a CPU, wall-time or "
				"output limit, relayed output, or a seccomp listener)");
	dirs[0] = 0;
	int r = cgroup_any(&p->cg) ? cgroup_detach(&p->cg, dirs, len, err) : 0;
	if (r < 0)
		return r;
	p->done = true; /* nothing to kill, reap or remove */
	sbx_proc_free(p);
	return 0;
}

void sbx_proc_free(sbx_proc *p)
{
	if (!p)
		return;
	int saved = errno;
	if (!p->done) {
		if (!p->reaped && p->pidfd >= 0) {
			proc_kill_all(p);
			proc_reap(p, NULL);
		}
		proc_finish(p);
	}
	for (int i = 0; i < 3; i++) {
		closep(&p->stdio[i]);
		closep(&p->relay[i]);
		closep(&p->relay_to[i]);
	}
	closep(&p->notify_fd);
	for (size_t i = 0; i < p->n_chans; i++)
		sbx_chan_free(p->chans[i]);
	closep(&p->pidfd);
	free(p);
	errno = saved;
}
