/* Per-sandbox cgroups.
 *
 * Where: beneath the caller's own cgroup in each hierarchy, never anywhere
 * else, named sbx-<owner pid>-<owner start time>-<random> so that a later
 * sbx_gc() can tell a dead owner's leftovers from a live one's.
 *
 * Which hierarchy, per mechanism: cgroup v2 first. The v2 core gives every
 * cgroup cgroup.kill, cpu.stat (CPU time of all its processes) and birth
 * inside it through CLONE_INTO_CGROUP, whatever controllers are enabled;
 * memory, pids, cpu, cpuset and io come from v2 when our own cgroup
 * delegates them to its children (cgroup.subtree_control), else from a v1
 * hierarchy through libcgroup (hybrid hosts), else not at all. A v1 cgroup
 * costs a migration of the child (a write to cgroup.procs, which waits for
 * an RCU grace period: milliseconds); a v2 one costs nothing extra.
 *
 * libcgroup creates, fills and deletes the v1 cgroups and finds the v1
 * mounts and our place in them. It does not know the v2 core without
 * controllers (here cgroup.kill and cpu.stat on a hierarchy that has none
 * delegated), so the v2 cgroup is made directly, by directory fd. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libcgroup.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "devices.h"
#include "error.h"
#include "util.h"

#define PREP_ERR(err, e, ...) err_setx(err, SBX_STAGE_PREPARE, e, __VA_ARGS__)

/* v1 controller names and v2 file prefixes, per mechanism (the last three
 * have no controller of that name on v2). */
static const char *const v1_ctrl[CGM_COUNT] = {
	[CGM_MEMORY] = "memory", [CGM_PIDS] = "pids",	    [CGM_CPU] = "cpu",
	[CGM_CPUSET] = "cpuset", [CGM_IO] = "blkio",	    [CGM_CPU_TIME] = "cpuacct",
	[CGM_KILL] = "freezer",	 [CGM_DEVICES] = "devices",
};
static const char *const v2_ctrl[CGM_COUNT] = {
	[CGM_MEMORY] = "memory", [CGM_PIDS] = "pids", [CGM_CPU] = "cpu",
	[CGM_CPUSET] = "cpuset", [CGM_IO] = "io",
};
static const char *const mech_name[CGM_COUNT] = {
	[CGM_MEMORY] = "memory", [CGM_PIDS] = "pids",	    [CGM_CPU] = "cpu",
	[CGM_CPUSET] = "cpuset", [CGM_IO] = "io",	    [CGM_CPU_TIME] = "cpu-time",
	[CGM_KILL] = "kill",	 [CGM_DEVICES] = "devices",
};
static const unsigned mech_limit[CGM_COUNT] = {
	[CGM_MEMORY] = SBX_LIMIT_MEMORY,
	[CGM_PIDS] = SBX_LIMIT_PIDS,
	[CGM_CPU] = SBX_LIMIT_CPU_QUOTA | SBX_LIMIT_CPU_WEIGHT,
	[CGM_CPUSET] = SBX_LIMIT_CPUSET,
	[CGM_IO] = SBX_LIMIT_IO,
	[CGM_CPU_TIME] = SBX_LIMIT_CPU_TIME,
	[CGM_DEVICES] = SBX_LIMIT_DEVICES,
};

/* ---------------------------------------------------------------- small file helpers */

__attribute__((format(printf, 3, 4))) static int write_at(int dirfd, const char *file,
							  const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -EINVAL;
	_cleanup_close_ int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, (size_t)n) != n)
		return errno ? -errno : -EIO;
	return 0;
}

static int read_at(int dirfd, const char *file, char *buf, size_t len)
{
	_cleanup_close_ int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return (int)n;
}

/* "key value" lines (cpu.stat, memory.events, memory.oom_control) */
static bool kv_u64(const char *text, const char *key, uint64_t *out)
{
	size_t kl = strlen(key);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, kl) && l[kl] == ' ') {
			*out = strtoull(l + kl + 1, NULL, 10);
			return true;
		}
	return false;
}

static bool read_u64_at(int dirfd, const char *file, uint64_t *out)
{
	char buf[64];
	if (read_at(dirfd, file, buf, sizeof(buf)) <= 0)
		return false;
	*out = strtoull(buf, NULL, 10);
	return true;
}

/* ---------------------------------------------------------------- the host */

struct host {
	char v2_mount[256]; /* where cgroup2 is mounted, or "" */
	char v2_own[1300];  /* our v2 cgroup: v2_mount + path from /proc/self/cgroup */
	bool v2_delegated[CGM_COUNT];
	bool v1_mounted[CGM_COUNT];
};

/* libcgroup keeps process-wide tables; fill them once. */
static pthread_once_t lcg_once = PTHREAD_ONCE_INIT;
static int lcg_status;

static void lcg_init(void)
{
	lcg_status = cgroup_init();
}

static bool libcgroup_ready(void)
{
	pthread_once(&lcg_once, lcg_init);
	return lcg_status == 0;
}

static void find_v2(struct host *h)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024];
	while (f && fgets(line, sizeof(line), f)) {
		/* "id parent maj:min root mountpoint opts ... - fstype source super" */
		char *sep = strstr(line, " - ");
		if (!sep || strncmp(sep + 3, "cgroup2 ", 8))
			continue;
		char *save = NULL, *tok = strtok_r(line, " ", &save);
		for (int i = 0; tok && i < 4; i++)
			tok = strtok_r(NULL, " ", &save);
		if (tok)
			snprintf(h->v2_mount, sizeof(h->v2_mount), "%s", tok);
		break;
	}
	if (f)
		fclose(f);
	if (!h->v2_mount[0])
		return;
	f = fopen("/proc/self/cgroup", "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(h->v2_own, sizeof(h->v2_own), "%s%s", h->v2_mount,
			 strcmp(line + 3, "/") ? line + 3 : "");
	}
	if (f)
		fclose(f);
	if (!h->v2_own[0]) {
		h->v2_mount[0] = 0;
		return;
	}
	/* controllers our cgroup hands to its children */
	char buf[256];
	_cleanup_close_ int fd = open(h->v2_own, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || read_at(fd, "cgroup.subtree_control", buf, sizeof(buf)) < 0)
		return;
	for (int m = 0; m < CGM_COUNT; m++) {
		if (!v2_ctrl[m])
			continue;
		size_t n = strlen(v2_ctrl[m]);
		for (char *p = buf; (p = strstr(p, v2_ctrl[m])); p += n)
			if ((p == buf || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || !p[n]))
				h->v2_delegated[m] = true;
	}
}

static void find_v1(struct host *h)
{
	if (!libcgroup_ready())
		return;
	for (int m = 0; m < CGM_COUNT; m++) {
		char *mp = NULL;
		if (cgroup_get_subsys_mount_point(v1_ctrl[m], &mp) == 0 && mp &&
		    (!h->v2_mount[0] || strcmp(mp, h->v2_mount)))
			h->v1_mounted[m] = true;
		free(mp);
	}
}

/* ---------------------------------------------------------------- naming */

static unsigned long long own_start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	/* field 22; the command name (field 2) may hold spaces, so count from
	 * its closing parenthesis */
	char *p = strrchr(buf, ')');
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

static void make_name(char *buf, size_t len)
{
	uint64_t rnd = 0;
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
		rnd = (uint64_t)now_us() ^ ((uint64_t)getpid() << 32);
	snprintf(buf, len, "sbx-%d-%llu-%016llx", (int)getpid(), own_start_time(getpid()),
		 (unsigned long long)rnd);
}

/* ---------------------------------------------------------------- choosing */

void cgroup_set_init(struct cgroup_set *cs)
{
	memset(cs, 0, sizeof(*cs));
	cs->v2_parent_fd = cs->v2_fd = -1;
	for (size_t i = 0; i < CG_V1_MAX; i++)
		cs->v1[i].fd = -1;
}

bool cgroup_any(const struct cgroup_set *cs)
{
	return cs->v2_fd >= 0 || cs->n_v1 > 0;
}

/* What the configuration needs a cgroup for. */
static void needs(const struct sbx_config *cfg, bool need[CGM_COUNT])
{
	const sbx_limits *l = &cfg->limits;
	unsigned asked = conf_limits_asked(cfg);
	memset(need, 0, sizeof(bool) * CGM_COUNT);
	need[CGM_MEMORY] = l->memory_bytes != 0;
	need[CGM_PIDS] = l->pids != 0;
	need[CGM_CPU] = l->cpu_quota_us || l->cpu_weight;
	need[CGM_CPUSET] = l->cpuset_cpus[0] || l->cpuset_mems[0];
	need[CGM_IO] = cfg->n_io > 0;
	need[CGM_CPU_TIME] = l->cpu_time_ms != 0;
	need[CGM_DEVICES] = cfg->n_devices > 0;
	/* ending every process: wanted whenever limits are, and a must without
	 * a pid namespace (whose first process's death ends the others) */
	need[CGM_KILL] = asked != 0;
}

static const char *why_not(const struct host *h, int m)
{
	if (m == CGM_DEVICES)
		return "no cgroup could be created for the sandbox";
	if (h->v2_mount[0] && v2_ctrl[m] && !h->v2_delegated[m])
		return "cgroup v2 does not delegate it to our cgroup and no v1 hierarchy has it";
	if (!h->v2_mount[0] && !h->v1_mounted[m])
		return "no cgroup hierarchy has it mounted";
	return "no cgroup could be created for the sandbox (no permission beneath our own "
	       "cgroup; unprivileged callers need a delegated cgroup v2 subtree)";
}

/* -errno on failure; EACCES, EPERM and EROFS mean v2 is not ours to use */
static int make_v2(struct host *h, struct cgroup_set *cs)
{
	cs->v2_parent_fd = open(h->v2_own, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cs->v2_parent_fd < 0)
		return -errno;
	if (mkdirat(cs->v2_parent_fd, cs->name, 0755) < 0) {
		int e = errno;
		closep(&cs->v2_parent_fd);
		return -e;
	}
	/* O_RDONLY: CLONE_INTO_CGROUP takes the fd of the directory itself */
	cs->v2_fd = openat(cs->v2_parent_fd, cs->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cs->v2_fd < 0) {
		int e = errno;
		unlinkat(cs->v2_parent_fd, cs->name, AT_REMOVEDIR);
		closep(&cs->v2_parent_fd);
		return -e;
	}
	if (asprintf(&cs->v2_path, "%s/%s", h->v2_own, cs->name) < 0)
		cs->v2_path = NULL;
	return 0;
}

/* The v2 limit files; an error names the file. */
static int fill_v2(const struct sbx_config *cfg, struct cgroup_set *cs, sbx_error *err)
{
	const sbx_limits *l = &cfg->limits;
	int fd = cs->v2_fd, r = 0;
	const char *file = NULL;
#define W(f, ...)                                                                                  \
	do {                                                                                       \
		file = f;                                                                          \
		if ((r = write_at(fd, f, __VA_ARGS__)) < 0)                                        \
			goto fail;                                                                 \
	} while (0)
	if (cs->where[CGM_MEMORY] == CG_V2) {
		W("memory.max", "%llu", (unsigned long long)l->memory_bytes);
		if (l->swap_bytes == SBX_UNLIMITED)
			W("memory.swap.max", "max");
		else
			W("memory.swap.max", "%llu", (unsigned long long)l->swap_bytes);
		W("memory.oom.group", "1"); /* an OOM kill takes the whole sandbox */
	}
	if (cs->where[CGM_PIDS] == CG_V2)
		W("pids.max", "%llu", (unsigned long long)l->pids);
	if (cs->where[CGM_CPU] == CG_V2) {
		if (l->cpu_quota_us)
			W("cpu.max", "%u %u", l->cpu_quota_us,
			  l->cpu_period_us ? l->cpu_period_us : 100000);
		if (l->cpu_weight)
			W("cpu.weight", "%u", l->cpu_weight);
	}
	if (cs->where[CGM_CPUSET] == CG_V2) {
		if (l->cpuset_cpus[0])
			W("cpuset.cpus", "%s", l->cpuset_cpus);
		if (l->cpuset_mems[0])
			W("cpuset.mems", "%s", l->cpuset_mems);
	}
	if (cs->where[CGM_IO] == CG_V2) {
		for (size_t i = 0; i < cfg->n_io; i++) {
			const struct io_limit *io = &cfg->io[i];
			char v[4][32];
			const uint64_t vals[4] = {io->rbps, io->wbps, io->riops, io->wiops};
			for (int k = 0; k < 4; k++)
				snprintf(v[k], sizeof(v[k]), vals[k] ? "%llu" : "max",
					 (unsigned long long)vals[k]);
			W("io.max", "%u:%u rbps=%s wbps=%s riops=%s wiops=%s", io->major, io->minor,
			  v[0], v[1], v[2], v[3]);
		}
	}
#undef W
	return 0;
fail:
	return err_set(err, SBX_STAGE_PREPARE, -r, "cgroup: write %s/%s", cs->v2_path, file);
}

/* One v1 hierarchy: the mechanisms cs->where puts there whose controller is
 * mounted at `mount`. Returns the libcgroup error as -errno with err filled. */
static int make_v1_dir(const struct sbx_config *cfg, struct cgroup_set *cs, const char *mount,
		       const bool mechs[CGM_COUNT], sbx_error *err)
{
	const sbx_limits *l = &cfg->limits;
	struct cg_v1 *d = &cs->v1[cs->n_v1];
	char *own = NULL;
	int first = -1;
	for (int m = 0; m < CGM_COUNT && first < 0; m++)
		if (mechs[m])
			first = m;
	if (first < 0)
		return 0;
	if (cgroup_get_current_controller_path(getpid(), v1_ctrl[first], &own) != 0 || !own)
		return PREP_ERR(err, ENOENT, "cgroup: cannot find our own v1 %s cgroup",
				v1_ctrl[first]);
	char name[1024];
	snprintf(name, sizeof(name), "%s/%s", strcmp(own, "/") ? own : "", cs->name);
	free(own);
	struct cgroup *cg = cgroup_new_cgroup(name);
	if (!cg)
		return PREP_ERR(err, ENOMEM, "cgroup: out of memory");
	d->controllers[0] = 0;
	for (int m = 0; m < CGM_COUNT; m++) {
		if (!mechs[m])
			continue;
		struct cgroup_controller *c = cgroup_add_controller(cg, v1_ctrl[m]);
		if (!c) {
			cgroup_free(&cg);
			return PREP_ERR(err, ENOMEM, "cgroup: out of memory");
		}
		size_t len = strlen(d->controllers);
		snprintf(d->controllers + len, sizeof(d->controllers) - len, "%s%s", len ? "," : "",
			 v1_ctrl[m]);
		switch (m) {
		case CGM_MEMORY:
			cgroup_add_value_uint64(c, "memory.limit_in_bytes", l->memory_bytes);
			/* memsw is memory plus swap; absent without swap accounting */
			if (l->swap_bytes != SBX_UNLIMITED)
				cgroup_add_value_uint64(c, "memory.memsw.limit_in_bytes",
							l->memory_bytes + l->swap_bytes);
			break;
		case CGM_PIDS:
			cgroup_add_value_uint64(c, "pids.max", l->pids);
			break;
		case CGM_CPU:
			if (l->cpu_quota_us) {
				cgroup_add_value_uint64(c, "cpu.cfs_period_us",
							l->cpu_period_us ? l->cpu_period_us
									 : 100000);
				cgroup_add_value_uint64(c, "cpu.cfs_quota_us", l->cpu_quota_us);
			}
			if (l->cpu_weight) /* v2 weight 100 is v1 shares 1024 */
				cgroup_add_value_uint64(c, "cpu.shares",
							l->cpu_weight * 1024u / 100u < 2
								? 2
								: l->cpu_weight * 1024u / 100u);
			break;
		case CGM_CPUSET:
			/* a new v1 cpuset is empty and takes no task until both are set */
			cgroup_add_value_string(c, "cpuset.cpus",
						l->cpuset_cpus[0] ? l->cpuset_cpus : NULL);
			cgroup_add_value_string(c, "cpuset.mems",
						l->cpuset_mems[0] ? l->cpuset_mems : NULL);
			break;
		case CGM_IO:
			for (size_t i = 0; i < cfg->n_io; i++) {
				const struct io_limit *io = &cfg->io[i];
				char v[64];
				static const char *const files[4] = {
					"blkio.throttle.read_bps_device",
					"blkio.throttle.write_bps_device",
					"blkio.throttle.read_iops_device",
					"blkio.throttle.write_iops_device"};
				const uint64_t vals[4] = {io->rbps, io->wbps, io->riops, io->wiops};
				for (int k = 0; k < 4; k++) {
					if (!vals[k])
						continue;
					snprintf(v, sizeof(v), "%u:%u %llu", io->major, io->minor,
						 (unsigned long long)vals[k]);
					cgroup_add_value_string(c, files[k], v);
				}
			}
			break;
		}
	}
	int r = cgroup_create_cgroup(cg, 1);
	if (r != 0) {
		int e = cgroup_get_last_errno();
		cgroup_delete_cgroup_ext(cg, CGFLAG_DELETE_EMPTY_ONLY);
		cgroup_free(&cg);
		return err_setx(err, SBX_STAGE_PREPARE, e > 0 ? e : EIO,
				"cgroup: create %s:%s: %s%s%s", d->controllers, name,
				cgroup_strerror(r), e > 0 ? ": " : "", e > 0 ? strerror(e) : "");
	}
	d->lcg = cg;
	if (asprintf(&d->path, "%s%s", mount, name) < 0)
		d->path = NULL;
	d->fd = d->path ? open(d->path, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	cs->n_v1++;
	if (d->fd < 0)
		return err_set(err, SBX_STAGE_PREPARE, errno ? errno : ENOMEM, "cgroup: open %s",
			       d->path ? d->path : name);
	return 0;
}

/* The v1 dirs for every mechanism cs->where puts on v1, grouped by the
 * hierarchy their controllers are mounted in. */
static int make_v1(const struct sbx_config *cfg, struct cgroup_set *cs, sbx_error *err)
{
	bool done[CGM_COUNT] = {false};
	for (int m = 0; m < CGM_COUNT; m++) {
		if (cs->where[m] != CG_V1 || done[m])
			continue;
		char *mount = NULL;
		if (cgroup_get_subsys_mount_point(v1_ctrl[m], &mount) != 0 || !mount)
			return PREP_ERR(err, ENOENT, "cgroup: v1 %s is not mounted", v1_ctrl[m]);
		bool mechs[CGM_COUNT] = {false};
		for (int k = m; k < CGM_COUNT; k++) {
			char *mk = NULL;
			if (cs->where[k] == CG_V1 && !done[k] &&
			    cgroup_get_subsys_mount_point(v1_ctrl[k], &mk) == 0 && mk &&
			    !strcmp(mk, mount))
				mechs[k] = done[k] = true;
			free(mk);
		}
		if (cs->n_v1 >= CG_V1_MAX) {
			free(mount);
			return PREP_ERR(err, E2BIG, "cgroup: too many v1 hierarchies");
		}
		int r = make_v1_dir(cfg, cs, mount, mechs, err);
		free(mount);
		if (r < 0)
			return r;
	}
	return 0;
}

int cgroup_prepare(const struct sbx_config *cfg, const struct cg_context *ctx,
		   struct cgroup_set *cs, unsigned *skipped, sbx_error *err)
{
	bool need[CGM_COUNT];
	bool pidns = ctx->pidns;
	needs(cfg, need);
	need[CGM_DEVICES] |= ctx->devices_why != NULL;
	*skipped = 0;
	bool any = false;
	for (int m = 0; m < CGM_COUNT; m++)
		any |= need[m];
	if (!any)
		return 0;

	struct host h = {0};
	find_v2(&h);
	if (cfg->cgroup_name[0])
		snprintf(cs->name, sizeof(cs->name), "%s", cfg->cgroup_name);
	else
		make_name(cs->name, sizeof(cs->name));
	bool v2 = false;
	if (h.v2_mount[0]) {
		int r = make_v2(&h, cs);
		if (r == 0)
			v2 = true;
		else if (r != -EACCES && r != -EPERM && r != -EROFS)
			return err_set(err, SBX_STAGE_PREPARE, -r, "cgroup: create %s/%s", h.v2_own,
				       cs->name);
	}
	/* v1 only for what v2 cannot give */
	bool v1_wanted = false;
	for (int m = 0; m < CGM_COUNT; m++)
		if (need[m] && !(v2 && (!v2_ctrl[m] || h.v2_delegated[m])))
			v1_wanted = true;
	if (v1_wanted)
		find_v1(&h);

	unsigned limits_asked = conf_limits_asked(cfg);
	const unsigned best = cfg->limits.best_effort;
	for (int m = 0; m < CGM_COUNT; m++) {
		if (!need[m])
			continue;
		if (v2 && (!v2_ctrl[m] || h.v2_delegated[m]))
			cs->where[m] = CG_V2;
		else if (m == CGM_KILL)
			continue; /* decided below: a pid namespace may do */
		else if (h.v1_mounted[m] && geteuid() == 0)
			cs->where[m] = CG_V1;
		else if ((mech_limit[m] & limits_asked & ~best) == 0 &&
			 !(m == CGM_DEVICES && ctx->devices_why))
			*skipped |= mech_limit[m] & limits_asked;
		else {
			cgroup_destroy(cs, NULL);
			return PREP_ERR(err, ENOTSUP, "%s limit: cannot be enforced here: %s",
					mech_name[m], why_not(&h, m));
		}
	}
	/* Without v2, the kill takes the v1 freezer. That is one more hierarchy
	 * to migrate the child into, so only if no pid namespace ends the
	 * sandbox when its first process does, or if the child migrates to v1
	 * anyway (then the freezer costs next to nothing). */
	if (!cs->where[CGM_KILL] && h.v1_mounted[CGM_KILL] && geteuid() == 0) {
		bool v1_used = false;
		for (int m = 0; m < CGM_COUNT; m++)
			v1_used |= cs->where[m] == CG_V1;
		if (v1_used || !pidns)
			cs->where[CGM_KILL] = CG_V1;
	}
	int r = 0;
	if (v2 && (r = fill_v2(cfg, cs, err)) < 0)
		goto fail;
	if ((r = make_v1(cfg, cs, err)) < 0)
		goto fail;
	if (!cgroup_any(cs))
		return 0;

	/* devices: the rules asked for, or the defaults wherever a cgroup exists */
	struct dev_rule rules[CONF_DEVICE_RULES_MAX + 16];
	size_t n = conf_device_rules(cfg, rules, sizeof(rules) / sizeof(*rules));
	if (cs->v2_fd >= 0) {
		r = devices_attach_bpf(cfg, cs->v2_fd, err);
		if (r == 0)
			cs->where[CGM_DEVICES] = CG_V2;
	} else {
		for (size_t i = 0; i < cs->n_v1 && r == 0; i++)
			if (strstr(cs->v1[i].controllers, "devices")) {
				r = devices_write_v1(cs->v1[i].fd, rules, n, err);
				if (r == 0)
					cs->where[CGM_DEVICES] = CG_V1;
			}
		if (!cs->where[CGM_DEVICES] && r == 0)
			r = -ENOTSUP;
	}
	if (r < 0) {
		if (ctx->devices_why) {
			r = err_setx(err, SBX_STAGE_PREPARE, err && err->code ? err->code : ENOTSUP,
				     "devices: this sandbox needs a device cgroup (%s), and none "
				     "could be had (%s)",
				     ctx->devices_why,
				     err && err->message[0] ? err->message : "no cgroup");
			goto fail;
		}
		if (cfg->n_devices && !(best & SBX_LIMIT_DEVICES))
			goto fail;
		/* only the default filter, which the mount table backs up: go on */
		if (cfg->n_devices)
			*skipped |= SBX_LIMIT_DEVICES;
		r = 0;
	}
	return 0;
fail:
	cgroup_destroy(cs, NULL);
	return r;
}

/* ---------------------------------------------------------------- running */

int cgroup_attach_v1(struct cgroup_set *cs, pid_t pid, sbx_error *err)
{
	for (size_t i = 0; i < cs->n_v1; i++) {
		int r = write_at(cs->v1[i].fd, "cgroup.procs", "%d", (int)pid);
		if (r < 0)
			return err_set(err, SBX_STAGE_PREPARE, -r, "cgroup: attach to %s",
				       cs->v1[i].path);
	}
	return 0;
}

static const struct cg_v1 *v1_for(const struct cgroup_set *cs, int mech)
{
	for (size_t i = 0; i < cs->n_v1; i++)
		if (strstr(cs->v1[i].controllers, v1_ctrl[mech]))
			return &cs->v1[i];
	return NULL;
}

int cgroup_set_pids_max(struct cgroup_set *cs, uint64_t max, sbx_error *err)
{
	const struct cg_v1 *d = cs->where[CGM_PIDS] == CG_V1 ? v1_for(cs, CGM_PIDS) : NULL;
	int r = d ? write_at(d->fd, "pids.max", "%llu", (unsigned long long)max) : -ENOENT;
	if (r < 0)
		return err_set(err, SBX_STAGE_PREPARE, -r, "cgroup: pids.max of %s",
			       d ? d->path : "(no v1 pids cgroup)");
	return 0;
}

/* Signals every process listed in a v1 cgroup; returns how many. */
static int kill_listed(int dirfd)
{
	char buf[8192];
	int n = 0;
	if (read_at(dirfd, "cgroup.procs", buf, sizeof(buf)) <= 0)
		return 0;
	for (char *p = buf; *p;) {
		pid_t pid = (pid_t)strtol(p, &p, 10);
		if (pid > 0 && kill(pid, SIGKILL) == 0)
			n++;
		while (*p == '\n')
			p++;
	}
	return n;
}

int cgroup_kill(struct cgroup_set *cs)
{
	if (cs->v2_fd >= 0)
		return write_at(cs->v2_fd, "cgroup.kill", "1");
	if (!cs->n_v1)
		return -ENOENT;
	/* v1: freeze, so nothing forks while we list and kill, then thaw to
	 * let the SIGKILLs land */
	const struct cg_v1 *fz = v1_for(cs, CGM_KILL);
	if (fz)
		write_at(fz->fd, "freezer.state", "FROZEN");
	for (int round = 0; round < 100 && kill_listed(cs->v1[0].fd) > 0; round++)
		if (!fz)
			usleep(1000);
	if (fz)
		write_at(fz->fd, "freezer.state", "THAWED");
	return 0;
}

int cgroup_cpu_usage(const struct cgroup_set *cs, uint64_t *user_us, uint64_t *sys_us)
{
	char buf[512];
	if (cs->where[CGM_CPU_TIME] == CG_V2 || (cs->v2_fd >= 0 && !cs->where[CGM_CPU_TIME])) {
		if (read_at(cs->v2_fd, "cpu.stat", buf, sizeof(buf)) <= 0)
			return -EIO;
		return kv_u64(buf, "user_usec", user_us) && kv_u64(buf, "system_usec", sys_us)
			       ? 0
			       : -EIO;
	}
	const struct cg_v1 *d = v1_for(cs, CGM_CPU_TIME);
	if (!d)
		return -ENOENT;
	uint64_t u = 0, s = 0;
	if (!read_u64_at(d->fd, "cpuacct.usage_user", &u) ||
	    !read_u64_at(d->fd, "cpuacct.usage_sys", &s))
		return -EIO;
	*user_us = u / 1000;
	*sys_us = s / 1000;
	return 0;
}

void cgroup_stats(const struct cgroup_set *cs, sbx_result *res)
{
	char buf[2048];
	uint64_t v = 0, u = 0, s = 0;
	if (cgroup_cpu_usage(cs, &u, &s) == 0) {
		res->cpu_user_us = u;
		res->cpu_sys_us = s;
		res->measured |= SBX_MEASURED_CPU;
	}
	if (cs->where[CGM_MEMORY] == CG_V2) {
		if (read_u64_at(cs->v2_fd, "memory.peak", &v)) {
			res->memory_peak_bytes = v;
			res->measured |= SBX_MEASURED_MEMORY;
		}
		if (read_at(cs->v2_fd, "memory.events", buf, sizeof(buf)) > 0 &&
		    kv_u64(buf, "oom_kill", &v))
			res->oom_kills = v;
	} else if (cs->where[CGM_MEMORY] == CG_V1) {
		const struct cg_v1 *d = v1_for(cs, CGM_MEMORY);
		if (d && read_u64_at(d->fd, "memory.max_usage_in_bytes", &v)) {
			res->memory_peak_bytes = v;
			res->measured |= SBX_MEASURED_MEMORY;
		}
		if (d && read_at(d->fd, "memory.oom_control", buf, sizeof(buf)) > 0 &&
		    kv_u64(buf, "oom_kill", &v))
			res->oom_kills = v;
	}
	int pfd = cs->where[CGM_PIDS] == CG_V2 ? cs->v2_fd
		  : cs->where[CGM_PIDS] == CG_V1
			  ? (v1_for(cs, CGM_PIDS) ? v1_for(cs, CGM_PIDS)->fd : -1)
			  : -1;
	if (pfd >= 0 && read_u64_at(pfd, "pids.peak", &v)) {
		res->pids_peak = v;
		res->measured |= SBX_MEASURED_PIDS;
	}
	/* where each mechanism came from */
	size_t off = 0;
	res->cgroups[0] = 0;
	for (int m = 0; m < CGM_COUNT; m++) {
		if (!cs->where[m])
			continue;
		const char *w = cs->where[m] == CG_V1 ? "v1" : m == CGM_DEVICES ? "v2-bpf" : "v2";
		int n = snprintf(res->cgroups + off, sizeof(res->cgroups) - off, "%s%s:%s",
				 off ? " " : "", mech_name[m], w);
		if (n < 0 || (size_t)n >= sizeof(res->cgroups) - off)
			break;
		off += (size_t)n;
	}
}

bool cgroup_empty(const struct cgroup_set *cs)
{
	char buf[256];
	uint64_t populated = 0;
	if (cs->v2_fd >= 0 && read_at(cs->v2_fd, "cgroup.events", buf, sizeof(buf)) > 0 &&
	    kv_u64(buf, "populated", &populated) && populated)
		return false;
	for (size_t i = 0; i < cs->n_v1; i++)
		if (read_at(cs->v1[i].fd, "cgroup.procs", buf, sizeof(buf)) > 0)
			return false;
	return true;
}

/* Removes a cgroup directory and whatever child cgroups the sandbox made in
 * it (a sandbox with a delegated subtree may have), deepest first. */
static int remove_tree(int parent_fd, const char *name)
{
	int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		DIR *d = fdopendir(fd);
		struct dirent *e;
		while (d && (e = readdir(d)))
			if (e->d_type == DT_DIR && strcmp(e->d_name, ".") &&
			    strcmp(e->d_name, ".."))
				remove_tree(dirfd(d), e->d_name);
		if (d)
			closedir(d);
		else
			close(fd);
	}
	return unlinkat(parent_fd, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}

/* Closes and frees what the set holds; the cgroups stay. */
static void cgroup_release(struct cgroup_set *cs)
{
	for (size_t i = 0; i < cs->n_v1; i++) {
		struct cgroup *cg = cs->v1[i].lcg;
		if (cg)
			cgroup_free(&cg);
		closep(&cs->v1[i].fd);
		free(cs->v1[i].path);
	}
	closep(&cs->v2_fd);
	closep(&cs->v2_parent_fd);
	free(cs->v2_path);
	cgroup_set_init(cs);
}

int cgroup_detach(struct cgroup_set *cs, char *out, size_t len, sbx_error *err)
{
	if (!strncmp(cs->name, "sbx-", 4))
		return err_setx(err, SBX_STAGE_RUN, EINVAL,
				"detach: the sandbox's cgroups have made-up names, which sbx_gc "
				"removes once this process is gone (name them with "
				"sbx_config_set_cgroup_name)");
	const char *paths[CG_V1_MAX + 1];
	size_t n = 0, need = 1;
	if (cs->v2_fd >= 0)
		paths[n++] = cs->v2_path;
	for (size_t i = 0; i < cs->n_v1; i++)
		paths[n++] = cs->v1[i].path;
	for (size_t i = 0; i < n; i++)
		need += strlen(paths[i]) + 1;
	if (need > len)
		return err_setx(err, SBX_STAGE_RUN, ENAMETOOLONG,
				"detach: %zu bytes needed for the cgroup directories", need);
	size_t used = 0;
	out[0] = 0;
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(out + used, len - used, "%s\n", paths[i]);
	cgroup_release(cs);
	return 0;
}

/* Every component a name: no "", "." or "..", which could lead to a
 * hierarchy's root and everything in it. */
static bool plain_path(const char *p)
{
	for (const char *c = p; *c;) {
		size_t n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += n + (c[n] == '/');
	}
	return true;
}

static int not_a_cgroup(const char *dir, sbx_error *err)
{
	return err_setx(
		err, SBX_STAGE_RUN, EINVAL,
		"cgroup remove: \"%s\" is not a cgroup beneath a hierarchy in /sys/fs/cgroup",
		dir ? dir : "");
}

int sbx_cgroup_remove(const char *dir, sbx_error *err)
{
	static const char root[] = "/sys/fs/cgroup/";
	if (!dir || strncmp(dir, root, sizeof(root) - 1) || !dir[sizeof(root) - 1] ||
	    !plain_path(dir + sizeof(root) - 1))
		return not_a_cgroup(dir, err);
	const char *base = strrchr(dir, '/') + 1;
	char parent[PATH_MAX];
	snprintf(parent, sizeof(parent), "%.*s", (int)(base - dir), dir);
	_cleanup_close_ int pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fd =
		pfd < 0 ? -1 : openat(pfd, base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : err_set(err, SBX_STAGE_RUN, errno, "cgroup %s", dir);
	/* a cgroup, and not a hierarchy's root (/sys/fs/cgroup/memory on a v1
	 * or hybrid host): it and its parent are on one cgroup file system */
	struct statfs sfs;
	struct stat st, pst;
	if (fstatfs(fd, &sfs) < 0 ||
	    (sfs.f_type != CGROUP_SUPER_MAGIC && sfs.f_type != CGROUP2_SUPER_MAGIC) ||
	    fstat(fd, &st) < 0 || fstat(pfd, &pst) < 0 || st.st_dev != pst.st_dev)
		return not_a_cgroup(dir, err);
	/* v2 kills in one write; elsewhere kill what is listed until nothing
	 * is (a pid namespace's init takes the rest with it) */
	write_at(fd, "cgroup.kill", "1");
	uint64_t until = now_us() + 10000000u;
	while (kill_listed(fd) > 0 && now_us() < until)
		usleep(2000);
	char buf[64];
	uint64_t populated = 1;
	while (now_us() < until && (read_at(fd, "cgroup.procs", buf, sizeof(buf)) > 0 ||
				    (read_at(fd, "cgroup.events", buf, sizeof(buf)) > 0 &&
				     kv_u64(buf, "populated", &populated) && populated)))
		usleep(2000);
	int e = remove_tree(pfd, base);
	if (e == -ENOENT)
		return 0;
	if (e < 0)
		return err_set(err, SBX_STAGE_RUN, -e, "cgroup: remove %s", dir);
	return 0;
}

int cgroup_destroy(struct cgroup_set *cs, sbx_error *err)
{
	int r = 0;
	if (cgroup_any(cs)) {
		/* processes die asynchronously after the kill: wait, up to 10 s */
		uint64_t until = now_us() + 10000000u;
		useconds_t nap = 200;
		cgroup_kill(cs);
		while (!cgroup_empty(cs) && now_us() < until) {
			usleep(nap);
			nap = nap < 20000 ? nap * 2 : nap;
			cgroup_kill(cs);
		}
		if (cs->v2_fd >= 0) {
			int e = remove_tree(cs->v2_parent_fd, cs->name);
			if (e < 0 && r == 0)
				r = err_set(err, SBX_STAGE_RUN, -e, "cgroup: remove %s",
					    cs->v2_path);
		}
		for (size_t i = 0; i < cs->n_v1; i++) {
			struct cgroup *cg = cs->v1[i].lcg;
			int e = cg ? cgroup_delete_cgroup_ext(cg, CGFLAG_DELETE_EMPTY_ONLY) : 0;
			if (e && r == 0)
				r = err_setx(err, SBX_STAGE_RUN, EBUSY, "cgroup: remove %s: %s",
					     cs->v1[i].path, cgroup_strerror(e));
		}
	}
	cgroup_release(cs);
	return r;
}

/* ---------------------------------------------------------------- gc */

/* sbx-<pid>-<start>-<16 hex>, and whether that owner is gone */
static bool stale(const char *name)
{
	int pid = 0, len = 0;
	unsigned long long start = 0;
	char hex[17];
	if (sscanf(name, "sbx-%d-%llu-%16[0-9a-f]%n", &pid, &start, hex, &len) != 3 ||
	    (size_t)len != strlen(name) || strlen(hex) != 16 || pid <= 0)
		return false;
	return own_start_time(pid) != start;
}

/* Kills and removes the stale sandbox cgroups directly beneath dir. */
static unsigned gc_dir(const char *dir)
{
	unsigned removed = 0;
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	DIR *d = fdopendir(dup(dfd));
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_type != DT_DIR || !stale(e->d_name))
			continue;
		int fd = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (write_at(fd, "cgroup.kill", "1") < 0)
			for (int round = 0; round < 100 && kill_listed(fd) > 0; round++)
				usleep(1000);
		close(fd);
		for (int tries = 0; tries < 200; tries++) {
			if (remove_tree(dfd, e->d_name) == 0) {
				removed++;
				break;
			}
			usleep(5000);
		}
	}
	if (d)
		closedir(d);
	return removed;
}

int sbx_gc(unsigned *removed, sbx_error *err)
{
	unsigned n = 0;
	struct host h = {0};
	find_v2(&h);
	if (h.v2_own[0])
		n += gc_dir(h.v2_own);
	if (geteuid() == 0 && libcgroup_ready()) {
		for (int m = 0; m < CGM_COUNT; m++) {
			char *mount = NULL, *own = NULL;
			if (cgroup_get_subsys_mount_point(v1_ctrl[m], &mount) == 0 && mount &&
			    cgroup_get_current_controller_path(getpid(), v1_ctrl[m], &own) == 0 &&
			    own && (!h.v2_mount[0] || strcmp(mount, h.v2_mount))) {
				char dir[1024];
				snprintf(dir, sizeof(dir), "%s%s", mount,
					 strcmp(own, "/") ? own : "");
				n += gc_dir(dir);
			}
			free(mount);
			free(own);
		}
	}
	if (removed)
		*removed = n;
	(void)err;
	return 0;
}
