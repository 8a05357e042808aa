/* A job in a microVM. The agent's protocol (runtime/vm/agent/agent.c):
 * /job, /job.env, /job.cwd in the initramfs; the job's stdout and stderr
 * on COM2 and COM3; "ready" and then the report on COM4. */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error.h"
#include "initramfs.h"
#include "jail.h"
#include "job.h"
#include "util.h"
#include "vm.h"

#define PREP(err, e, ...) err_set(err, SBX_STAGE_PREPARE, e, __VA_ARGS__)
#define SETUP(err, e, ...) err_setx(err, SBX_STAGE_SETUP, e, __VA_ARGS__)
#define CONTROL_MAX 4096
#define CONSOLE_TAIL 600
/* what the VMM holds beyond guest RAM (the kernel's page cache it read,
 * KVM's own structures): between a memory limit and the RAM it implies */
#define VMM_OVERHEAD_MB 32

/* memory_mb if given; else what a memory limit leaves beside the VMM;
 * else the default */
static uint64_t guest_ram_mb(const struct vm_job *j)
{
	if (j->memory_mb)
		return j->memory_mb;
	uint64_t limit = j->limits.memory_bytes >> 20;
	if (!limit)
		return VM_MEMORY_MB_DEFAULT;
	return limit < 16 + VMM_OVERHEAD_MB	? 16
	       : limit - VMM_OVERHEAD_MB > 3072 ? 3072
						: limit - VMM_OVERHEAD_MB;
}

/* NUL-terminated strings, one after another, as one cpio file. */
static int add_strings(struct cpio *c, const char *name, const char *const *v, sbx_error *err)
{
	size_t len = 0;
	for (size_t i = 0; v[i]; i++)
		len += strlen(v[i]) + 1;
	char *buf = malloc(len ? len : 1), *p = buf;
	if (!buf)
		return PREP(err, ENOMEM, "vm: %s", name);
	for (size_t i = 0; v[i]; i++)
		p = stpcpy(p, v[i]) + 1;
	int r = cpio_add(c, name, S_IFREG | 0444, buf, len, err);
	free(buf);
	return r;
}

/* What a program needs to run alone: a static ELF, or "#!" and a static
 * interpreter (returned in interp). A dynamic program would need its
 * libraries, which only a root gives. */
static int lone_program(const char *path, char *interp, size_t len, sbx_error *err)
{
	interp[0] = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, SBX_STAGE_CONFIG, errno, "process.args[0]: %s", path);
	uint8_t head[4097];
	ssize_t n = pread(fd, head, sizeof(head) - 1, 0);
	int r = 0;
	if (n >= 2 && head[0] == '#' && head[1] == '!') {
		head[n] = 0;
		char *s = (char *)head + 2, *end;
		s += strspn(s, " \t");
		end = s + strcspn(s, " \t\n");
		*end = 0;
		if (*s != '/' || (size_t)(end - s) >= len)
			r = err_setx(err, SBX_STAGE_CONFIG, ENOEXEC,
				     "process.args[0]: %s: its #! line names no absolute "
				     "interpreter",
				     path);
		else
			snprintf(interp, len, "%s", s);
	} else if (n >= (ssize_t)sizeof(Elf64_Ehdr) && !memcmp(head, ELFMAG, SELFMAG)) {
		Elf64_Ehdr eh;
		memcpy(&eh, head, sizeof(eh));
		for (unsigned i = 0; r == 0 && i < eh.e_phnum && i < 256; i++) {
			Elf64_Phdr ph;
			if (pread(fd, &ph, sizeof(ph),
				  (off_t)(eh.e_phoff + (uint64_t)i * sizeof(ph))) !=
			    (ssize_t)sizeof(ph))
				break;
			if (ph.p_type == PT_INTERP)
				r = err_setx(
					err, SBX_STAGE_CONFIG, ENOEXEC,
					"process.args[0]: %s is dynamically linked: without "
					"\"root\" the vm backend packs the program alone; give "
					"a root, or a static program",
					path);
		}
	} else {
		r = err_setx(err, SBX_STAGE_CONFIG, ENOEXEC,
			     "process.args[0]: %s: expected an ELF program or a #! script", path);
	}
	close(fd);
	return r;
}

/* A host file at the same path in the guest, with its directories. */
static int add_at_same_path(struct cpio *c, const char *path, sbx_error *err)
{
	char name[4096];
	snprintf(name, sizeof(name), "%s", path + strspn(path, "/"));
	for (char *slash = strchr(name, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = 0;
		int r = cpio_add(c, name, S_IFDIR | 0755, NULL, 0, err);
		*slash = '/';
		if (r < 0)
			return r;
	}
	return cpio_add_file(c, name, 0755, path, err);
}

static int pack(const struct vm_job *j, int fd, sbx_error *err)
{
	struct cpio c = {.fd = fd};
	int r = 0;
	if (j->root) {
		r = cpio_add_tree(&c, "", j->root, err);
	} else {
		char interp[256], interp2[256];
		if ((r = lone_program(j->argv[0], interp, sizeof(interp), err)) == 0 && interp[0]) {
			r = lone_program(interp, interp2, sizeof(interp2), err);
			if (r == 0 && interp2[0])
				r = err_setx(err, SBX_STAGE_CONFIG, ENOEXEC,
					     "process.args[0]: %s: its interpreter %s is a script "
					     "too: without \"root\" give a static interpreter",
					     j->argv[0], interp);
			else if (r < 0)
				snprintf(err->message + strlen(err->message),
					 sizeof(err->message) - strlen(err->message),
					 " (the interpreter of %s)", j->argv[0]);
		}
		if (r == 0)
			r = add_at_same_path(&c, j->argv[0], err);
		if (r == 0 && interp[0])
			r = add_at_same_path(&c, interp, err);
	}
	/* after the rootfs, so that ours win over files of the same names */
	static const struct {
		const char *name;
		mode_t mode;
	} dirs[] = {{"dev", 0755}, {"proc", 0555}, {"tmp", 01777}};
	for (size_t i = 0; r == 0 && i < sizeof(dirs) / sizeof(*dirs); i++)
		r = cpio_add(&c, dirs[i].name, S_IFDIR | dirs[i].mode, NULL, 0, err);
	if (r == 0)
		r = cpio_add_file(&c, "init", 0755, j->agent, err);
	if (r == 0)
		r = add_strings(&c, "job", j->argv, err);
	if (r == 0 && j->env)
		r = add_strings(&c, "job.env", j->env, err);
	if (r == 0 && j->cwd)
		r = cpio_add(&c, "job.cwd", S_IFREG | 0444, j->cwd, strlen(j->cwd) + 1, err);
	if (r == 0 && (j->uid || j->gid)) {
		char ids[32];
		int n = snprintf(ids, sizeof(ids), "%" PRIu32 " %" PRIu32, j->uid, j->gid);
		r = cpio_add(&c, "job.user", S_IFREG | 0444, ids, (size_t)n + 1, err);
	}
	if (r == 0)
		r = cpio_finish(&c, err);
	/* the kernel unpacks the archive into RAM while it still holds it */
	uint64_t mem = guest_ram_mb(j) << 20;
	if (r == 0 && c.size > mem / 2)
		r = err_setx(err, SBX_STAGE_CONFIG, EFBIG,
			     "%s: packs to %llu MiB, more than half the guest's %llu MiB of RAM "
			     "(sandbox.vm.memory_mb): give the guest more memory or the job a "
			     "smaller root",
			     j->root ? "root.path" : "process.args[0]",
			     (unsigned long long)(c.size >> 20), (unsigned long long)(mem >> 20));
	return r;
}

/* The last len-1 bytes the guest wrote, as text fit for a message: the
 * guest chooses them, so control characters other than newline (terminal
 * escapes, NULs) become '?' before they reach the user's terminal. */
static void read_tail(int fd, char *buf, size_t len)
{
	off_t size = lseek(fd, 0, SEEK_END);
	off_t from = size > (off_t)len - 1 ? size - (off_t)len + 1 : 0;
	ssize_t n = pread(fd, buf, len - 1, from);
	buf[n > 0 ? n : 0] = 0;
	for (ssize_t i = 0; i < n; i++)
		if (((unsigned char)buf[i] < 0x20 && buf[i] != '\n') || buf[i] == 0x7f)
			buf[i] = '?';
}

/* The VMM process died before the agent reported: a limit of its cgroup
 * is the job's verdict; anything else is the VMM's failure. */
static int judge_vmm(const struct vm_result *vr, const sbx_result *vmm, const char *console,
		     sbx_result *res, sbx_error *err)
{
	switch (vmm->status) {
	case SBX_STATUS_MEMORY_LIMIT:
	case SBX_STATUS_CPU_TIME_LIMIT:
	case SBX_STATUS_WALL_TIME_LIMIT:
		res->status = vmm->status;
		res->exit_code = -1;
		res->signal = vmm->signal ? vmm->signal : SIGKILL;
		return 0;
	case SBX_STATUS_POLICY_KILL:
		return SETUP(err, EIO,
			     "the VMM broke its seccomp policy (vmm.policy) and was killed: a "
			     "bug in the VMM, or a guest that took it over (%s); the kernel's "
			     "console ends: %s",
			     vr->detail, console);
	default:
		return SETUP(err, EIO, "the VMM died (%s); the kernel's console ends: %s",
			     vr->detail, console);
	}
}

/* The agent's last line on COM4 into res, or an error. */
static int judge(const char *control, const char *console, const struct vm_result *vr,
		 const sbx_result *vmm, sbx_result *res, sbx_error *err)
{
	/* the last complete line */
	char line[512] = "";
	const char *end = strrchr(control, '\n');
	if (end) {
		const char *start = end;
		while (start > control && start[-1] != '\n')
			start--;
		snprintf(line, sizeof(line), "%.*s", (int)(end - start), start);
	}
	int code, e;
	unsigned long long user = 0, sys = 0;
	char what[400];
	/* the report comes from the guest: only what an exit can be is taken */
	if (sscanf(line, "exit %d user_ms=%llu sys_ms=%llu", &code, &user, &sys) == 3 &&
	    code >= 0 && code <= 255) {
		res->status = code ? SBX_STATUS_NONZERO_EXIT : SBX_STATUS_OK;
		res->exit_code = code;
	} else if (sscanf(line, "signal %d user_ms=%llu sys_ms=%llu", &code, &user, &sys) == 3 &&
		   code >= 1 && code <= 64) {
		res->status = SBX_STATUS_SIGNALED;
		res->exit_code = -1;
		res->signal = code;
	} else if (sscanf(line, "error exec %399[^\n] (errno %d)", what, &e) == 2) {
		return err_setx(err, SBX_STAGE_EXEC, e, "exec in the guest: %s", what);
	} else if (!strncmp(line, "error ", 6)) {
		return SETUP(err, EIO, "the guest agent: %s", line + 6);
	} else if (vr->end == VM_END_VMM_KILLED) {
		return judge_vmm(vr, vmm, console, res, err);
	} else if (vr->end == VM_END_TIMEOUT) {
		res->status = SBX_STATUS_WALL_TIME_LIMIT;
		res->exit_code = -1;
		res->signal = SIGKILL;
		return 0;
	} else if (vr->end == VM_END_NOT_READY) {
		return SETUP(err, ETIMEDOUT,
			     "the guest did not reach its agent in time (%s); the kernel's "
			     "console ends: %s",
			     vr->detail, console);
	} else {
		return SETUP(err, EIO,
			     "the guest ended (%s%s%s) without a report from its agent; the "
			     "kernel's console ends: %s",
			     vm_end_name(vr->end), vr->detail[0] ? ": " : "", vr->detail, console);
	}
	res->cpu_user_us = user * 1000;
	res->cpu_sys_us = sys * 1000;
	/* the guest's RAM is the job's memory limit: an OOM kill in the guest
	 * that the job did not survive is that limit, as a cgroup's would be */
	const char *oom = strstr(line, " oom_kills=");
	if (oom && sscanf(oom, " oom_kills=%" SCNu64, &res->oom_kills) == 1 && res->oom_kills &&
	    res->status != SBX_STATUS_OK)
		res->status = SBX_STATUS_MEMORY_LIMIT;
	return 0;
}

/* The VMM's cgroup: the job's limits that a VMM can be held to, and by
 * default a memory cap of guest RAM and the VMM's own needs (best effort:
 * a host without a memory controller for us runs without it). The wall
 * time is the VMM's to enforce from the agent's word; the cgroup's is a
 * backstop for a VMM stuck outside KVM_RUN (a write to a full pipe). */
static uint64_t boot_timeout_ms(const struct vm_job *j)
{
	return j->boot_timeout_ms ? j->boot_timeout_ms : 60000;
}

static void jail_limits(const struct vm_job *j, sbx_limits *l)
{
	*l = (sbx_limits){.size = sizeof(*l)};
	uint64_t ram = guest_ram_mb(j);
	l->memory_bytes = j->limits.memory_bytes;
	if (!l->memory_bytes) {
		l->memory_bytes = (ram + VMM_OVERHEAD_MB) << 20;
		l->best_effort |= SBX_LIMIT_MEMORY;
	}
	l->pids = 8; /* one thread now; vCPU threads later */
	l->best_effort |= SBX_LIMIT_PIDS;
	l->cpu_time_ms = j->limits.cpu_time_ms;
	l->cpu_quota_us = j->limits.cpu_quota_us;
	l->cpu_period_us = j->limits.cpu_period_us;
	l->cpu_weight = j->limits.cpu_weight;
	memcpy(l->cpuset_cpus, j->limits.cpuset_cpus, sizeof(l->cpuset_cpus));
	memcpy(l->cpuset_mems, j->limits.cpuset_mems, sizeof(l->cpuset_mems));
	if (j->wall_time_ms)
		l->wall_time_ms = boot_timeout_ms(j) + j->wall_time_ms + 30000;
}

int vm_job_run(const struct vm_job *j, sbx_result *res, sbx_error *err)
{
	if (!j->argv || !j->argv[0])
		return err_setx(err, SBX_STAGE_CONFIG, EINVAL, "process.args: empty");
	if (!j->vmm_policy)
		return err_setx(err, SBX_STAGE_PREPARE, EINVAL,
				"vm: the VMM's jail needs its policy (vmm.policy)");
	_cleanup_close_ int initrd = memfd_create("sbx-initramfs", MFD_CLOEXEC);
	_cleanup_close_ int control = memfd_create("sbx-control", MFD_CLOEXEC);
	_cleanup_close_ int console = memfd_create("sbx-console", MFD_CLOEXEC);
	int r = 0;
	if (initrd < 0 || control < 0 || console < 0)
		r = PREP(err, errno, "vm: memfd");
	if (r == 0)
		r = pack(j, initrd, err);
	struct vm_result vr;
	sbx_result vmm = {.size = sizeof(vmm)};
	if (r == 0) {
		struct vm_options o;
		vm_options_init(&o);
		o.kernel = j->kernel;
		o.initrd = "(the job's initramfs)";
		o.initrd_fd = initrd;
		o.cmdline = "console=ttyS0 reboot=k panic=-1 quiet";
		o.memory_mb = (unsigned)guest_ram_mb(j);
		o.wall_time_ms = j->wall_time_ms;
		o.ready_ms = boot_timeout_ms(j);
		o.ready_uart = 3;
		o.serial_out[0] = console;
		o.serial_out[1] = j->out_fd;
		o.serial_out[2] = j->err_fd;
		o.serial_out[3] = control;
		struct vm_jail jail = {.policy = j->vmm_policy};
		jail_limits(j, &jail.limits);
		r = vm_run_jailed(&o, &jail, &vr, &vmm, err);
	}
	if (r == 0) {
		char ctl[CONTROL_MAX], tail[CONSOLE_TAIL];
		read_tail(control, ctl, sizeof(ctl));
		read_tail(console, tail, sizeof(tail));
		if (j->console_fd >= 0) {
			char buf[65536];
			ssize_t n;
			lseek(console, 0, SEEK_SET);
			while ((n = read(console, buf, sizeof(buf))) > 0)
				if (write(j->console_fd, buf, (size_t)n) != n)
					break;
		}
		res->wall_us = vr.wall_us;
		res->memory_peak_bytes = vmm.memory_peak_bytes;
		res->measured = vmm.measured & SBX_MEASURED_MEMORY;
		res->limits_not_applied = vmm.limits_not_applied;
		snprintf(res->cgroups, sizeof(res->cgroups), "%s", vmm.cgroups);
		r = judge(ctl, tail, &vr, &vmm, res, err);
	}
	return r;
}
