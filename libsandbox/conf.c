/* sbx_config_*: the configuration builder. Pure data and validation; nothing
 * here touches the system beyond duplicating fds handed to it. */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/nsfs.h>
#include <sched.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/ioctl.h>

#include "caps.h"
#include "capmode.h"
#include "conf.h"
#include "spare.h"
#include "error.h"
#include "filter.h"
#include "rights.h"
#include "util.h"

#define CFG_ERR(err, errnum, ...) err_setx(err, SBX_STAGE_CONFIG, errnum, __VA_ARGS__)

static void strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

/* Copies a NULL-terminated string vector; *np gets its length. */
static char **strv_dup(const char *const *v, size_t *np)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	char **c = calloc(n + 1, sizeof(*c));
	if (!c)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		c[i] = strdup(v[i]);
		if (!c[i]) {
			strv_free(c);
			return NULL;
		}
	}
	if (np)
		*np = n;
	return c;
}

sbx_config *sbx_config_new(void)
{
	sbx_config *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->envp = calloc(1, sizeof(*c->envp));
	c->cwd = strdup("/");
	if (!c->envp || !c->cwd) {
		sbx_config_free(c);
		errno = ENOMEM;
		return NULL;
	}
	c->exec_fd = -1;
	c->dev_prog_fd = -1;
	c->namespaces = SBX_NS_DEFAULT;
	strcpy(c->hostname, "sandbox");
	c->umask = -1;
	c->personality = -1;
	c->gate_fd = -1;
	c->console_fd = -1;
	for (int i = 0; i < 3; i++) {
		c->stdio_mode[i] = SBX_STDIO_INHERIT;
		c->stdio_fd[i] = -1;
	}
	c->pdeathsig = SIGKILL;
	c->no_new_privs = true;
	c->limits.size = sizeof(c->limits);
	/* no core dumps: a crash must not hand memory to the host's core_pattern */
	c->rlimits[RLIMIT_CORE] = (struct rlimit_setting){true, 0, 0};
	return c;
}

void sbx_config_free(sbx_config *c)
{
	if (!c)
		return;
	int saved = errno;
	free(c->path);
	if (c->exec_fd >= 0)
		close(c->exec_fd);
	free(c->exec_fd_name);
	strv_free(c->argv);
	strv_free(c->envp);
	free(c->cwd);
	for (int i = 0; i < 3; i++)
		if (c->stdio_fd[i] >= 0)
			close(c->stdio_fd[i]);
	for (size_t i = 0; i < c->n_grants; i++)
		close(c->grants[i].fd);
	free(c->grants);
	if (c->dev_prog_fd >= 0)
		close(c->dev_prog_fd);
	if (c->gate_fd >= 0)
		close(c->gate_fd);
	if (c->console_fd >= 0)
		close(c->console_fd);
	for (size_t i = 0; i < 4; i++)
		if (c->joins[i].kind) {
			close(c->joins[i].fd);
			free(c->joins[i].path);
		}
	sbx_policy_free(c->policy);
	sbx_policy_free(c->cap_policy);
	strv_free(c->cap_runtime);
	spare_free(c->spare);
	mountconf_free(c);
	for (size_t i = 0; i < c->n_sysctls; i++) {
		free(c->sysctls[i].path);
		free(c->sysctls[i].value);
	}
	free(c);
	errno = saved;
}

int sbx_config_set_exec(sbx_config *c, const char *path, const char *const argv[], sbx_error *err)
{
	if (!c || !argv || !argv[0])
		return CFG_ERR(err, EINVAL, "program: argv must have at least one element");
	if (path && !*path)
		return CFG_ERR(err, EINVAL, "program: the path to execute is empty");
	if (!path && !*argv[0])
		return CFG_ERR(err, EINVAL, "program: argv[0] is empty and no path was given");
	char *p = NULL;
	if (path && !(p = strdup(path)))
		return CFG_ERR(err, ENOMEM, "program: out of memory");
	char **v = strv_dup(argv, NULL);
	if (!v) {
		free(p);
		return CFG_ERR(err, ENOMEM, "program: out of memory");
	}
	free(c->path);
	strv_free(c->argv);
	c->path = p;
	c->argv = v;
	c->entry = NULL;
	if (c->exec_fd >= 0)
		close(c->exec_fd);
	c->exec_fd = -1;
	free(c->exec_fd_name);
	c->exec_fd_name = NULL;
	return 0;
}

int sbx_config_set_exec_fd(sbx_config *c, int fd, const char *const argv[], sbx_error *err)
{
	if (!c || !argv || !argv[0])
		return CFG_ERR(err, EINVAL, "program: argv must have at least one element");
	char link[64], name[PATH_MAX] = "";
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, name, sizeof(name) - 1);
	name[n > 0 ? n : 0] = 0;
	char magic[2];
	if (pread(fd, magic, 2, 0) == 2 && magic[0] == '#' && magic[1] == '!')
		return CFG_ERR(err, EINVAL,
			       "program: fd %d (%s) is a #! script, which cannot be executed from "
			       "an fd: its interpreter would have to open it by path",
			       fd, name);
	int dup = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (dup < 0)
		return err_set(err, SBX_STAGE_CONFIG, errno, "program: fd %d", fd);
	char *nm = strdup(*name ? name : "(fd)");
	char **v = strv_dup(argv, NULL);
	if (!nm || !v) {
		close(dup);
		free(nm);
		strv_free(v);
		return CFG_ERR(err, ENOMEM, "program: out of memory");
	}
	free(c->path);
	c->path = NULL;
	strv_free(c->argv);
	c->argv = v;
	c->entry = NULL;
	if (c->exec_fd >= 0)
		close(c->exec_fd);
	c->exec_fd = dup;
	free(c->exec_fd_name);
	c->exec_fd_name = nm;
	return 0;
}

int sbx_config_set_entry(sbx_config *c, int (*fn)(void *), void *arg, sbx_error *err)
{
	if (!c || !fn)
		return CFG_ERR(err, EINVAL, "entry: NULL configuration or function");
	free(c->path);
	c->path = NULL;
	strv_free(c->argv);
	c->argv = NULL;
	if (c->exec_fd >= 0)
		close(c->exec_fd);
	c->exec_fd = -1;
	free(c->exec_fd_name);
	c->exec_fd_name = NULL;
	c->entry = fn;
	c->entry_arg = arg;
	return 0;
}

int sbx_config_set_env(sbx_config *c, const char *const envp[], sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "environment: NULL configuration");
	for (size_t i = 0; envp && envp[i]; i++) {
		const char *eq = strchr(envp[i], '=');
		if (!eq)
			return CFG_ERR(err, EINVAL, "environment: \"%s\": expected NAME=value",
				       envp[i]);
		if (eq == envp[i])
			return CFG_ERR(err, EINVAL, "environment: \"%s\": empty variable name",
				       envp[i]);
	}
	size_t n = 0;
	static const char *const empty[] = {NULL};
	char **v = strv_dup(envp ? envp : empty, &n);
	if (!v)
		return CFG_ERR(err, ENOMEM, "environment: out of memory");
	strv_free(c->envp);
	c->envp = v;
	c->envc = n;
	return 0;
}

int sbx_config_setenv(sbx_config *c, const char *name, const char *value, sbx_error *err)
{
	if (!c || !name || !value)
		return CFG_ERR(err, EINVAL, "environment: NULL argument");
	size_t nl = strlen(name);
	if (nl == 0 || strchr(name, '='))
		return CFG_ERR(err, EINVAL, "environment: \"%s\": invalid variable name", name);
	size_t len = nl + 1 + strlen(value) + 1;
	char *entry = malloc(len);
	if (!entry)
		return CFG_ERR(err, ENOMEM, "environment: out of memory");
	snprintf(entry, len, "%s=%s", name, value);
	for (size_t i = 0; i < c->envc; i++) {
		if (!strncmp(c->envp[i], name, nl) && c->envp[i][nl] == '=') {
			free(c->envp[i]);
			c->envp[i] = entry;
			return 0;
		}
	}
	char **v = realloc(c->envp, (c->envc + 2) * sizeof(*v));
	if (!v) {
		free(entry);
		return CFG_ERR(err, ENOMEM, "environment: out of memory");
	}
	v[c->envc++] = entry;
	v[c->envc] = NULL;
	c->envp = v;
	return 0;
}

int sbx_config_set_cwd(sbx_config *c, const char *path, sbx_error *err)
{
	if (!c || !path)
		return CFG_ERR(err, EINVAL, "cwd: NULL argument");
	if (path[0] != '/')
		return CFG_ERR(err, EINVAL, "cwd: \"%s\": must be an absolute path", path);
	if (strlen(path) >= PATH_MAX)
		return CFG_ERR(err, ENAMETOOLONG, "cwd: path longer than %d bytes", PATH_MAX - 1);
	char *p = strdup(path);
	if (!p)
		return CFG_ERR(err, ENOMEM, "cwd: out of memory");
	free(c->cwd);
	c->cwd = p;
	return 0;
}

int sbx_config_set_namespaces(sbx_config *c, unsigned mask, sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "namespaces: NULL configuration");
	if (mask & ~SBX_NS_ALL)
		return CFG_ERR(err, EINVAL, "namespaces: unknown bits 0x%x", mask & ~SBX_NS_ALL);
	c->namespaces = mask;
	return 0;
}

unsigned sbx_config_get_namespaces(const sbx_config *c)
{
	return c ? c->namespaces : 0;
}

/* A host or domain name into `out`: 1 to CONF_HOSTNAME_MAX bytes. */
static int set_uts_name(char *out, const char *what, const char *name, sbx_error *err)
{
	if (!name)
		return CFG_ERR(err, EINVAL, "%s: NULL argument", what);
	size_t n = strlen(name);
	if (n == 0)
		return CFG_ERR(err, EINVAL, "%s: must not be empty", what);
	if (n > CONF_HOSTNAME_MAX)
		return CFG_ERR(err, ENAMETOOLONG, "%s: %zu bytes, at most %d allowed", what, n,
			       CONF_HOSTNAME_MAX);
	memcpy(out, name, n + 1);
	return 0;
}

int sbx_config_set_hostname(sbx_config *c, const char *name, sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "hostname: NULL configuration");
	return set_uts_name(c->hostname, "hostname", name, err);
}

int sbx_config_set_domainname(sbx_config *c, const char *name, sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "domainname: NULL configuration");
	return set_uts_name(c->domainname, "domainname", name, err);
}

/* Replaces *slot (an owned fd, or -1) with a duplicate of fd, checked to
 * be of file type `type` (S_IFIFO, S_IFSOCK; errnum if not), or with -1. */
static int set_typed_fd(int *slot, int fd, mode_t type, int errnum, const char *what,
			const char *kind, sbx_error *err)
{
	int dup = -1;
	if (fd >= 0) {
		struct stat st;
		if (fstat(fd, &st) < 0)
			return err_set(err, SBX_STAGE_CONFIG, errno, "%s: fd %d", what, fd);
		if ((st.st_mode & S_IFMT) != type)
			return CFG_ERR(err, errnum, "%s: fd %d is not %s", what, fd, kind);
		if ((dup = fcntl(fd, F_DUPFD_CLOEXEC, 3)) < 0)
			return err_set(err, SBX_STAGE_CONFIG, errno, "%s: duplicate fd %d", what,
				       fd);
	}
	if (*slot >= 0)
		close(*slot);
	*slot = dup;
	return 0;
}

int sbx_config_set_start_gate(sbx_config *c, int fd, sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "start gate: NULL configuration");
	return set_typed_fd(&c->gate_fd, fd, S_IFIFO, EINVAL, "start gate", "a FIFO", err);
}

/* Which namespace makes a sysctl the sandbox's own, or 0 if none does. */
static unsigned sysctl_namespace(const char *key)
{
	static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb",	    "kernel.msgmni",
					  "kernel.sem",	   "kernel.shmall",	    "kernel.shmmax",
					  "kernel.shmmni", "kernel.shm_rmid_forced"};
	if (!strncmp(key, "net.", 4))
		return SBX_NS_NET;
	if (!strncmp(key, "fs.mqueue.", 10))
		return SBX_NS_IPC;
	for (size_t i = 0; i < sizeof(ipc) / sizeof(*ipc); i++)
		if (!strcmp(key, ipc[i]))
			return SBX_NS_IPC;
	if (!strcmp(key, "kernel.hostname") || !strcmp(key, "kernel.domainname"))
		return SBX_NS_UTS;
	return 0;
}

int sbx_config_set_sysctl(sbx_config *c, const char *key, const char *value, sbx_error *err)
{
	if (!c || !key || !value)
		return CFG_ERR(err, EINVAL, "sysctl: NULL argument");
	size_t n = strlen(key);
	if (!n || n > 200 || strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != n ||
	    strstr(key, "..") || key[0] == '.' || key[n - 1] == '.')
		return CFG_ERR(err, EINVAL,
			       "sysctl \"%s\": expected a dotted name such as "
			       "net.ipv4.ip_forward",
			       key);
	unsigned ns = sysctl_namespace(key);
	if (!ns)
		return CFG_ERR(err, EINVAL,
			       "sysctl %s: not namespaced, so setting it would change the host "
			       "(allowed: net.*, the IPC ones, kernel.hostname/domainname)",
			       key);
	if (c->n_sysctls == CONF_SYSCTLS_MAX)
		return CFG_ERR(err, E2BIG, "sysctl: more than %d", CONF_SYSCTLS_MAX);
	struct sysctl_setting *s = &c->sysctls[c->n_sysctls];
	if (asprintf(&s->path, "/proc/sys/%s", key) < 0 || !(s->value = strdup(value))) {
		free(s->path);
		return CFG_ERR(err, ENOMEM, "sysctl: out of memory");
	}
	for (char *p = s->path + 10; *p; p++)
		if (*p == '.')
			*p = '/';
	s->ns = ns;
	c->n_sysctls++;
	return 0;
}

int sbx_config_join_namespace(sbx_config *c, unsigned kind, const char *path, sbx_error *err)
{
	static const struct {
		unsigned kind;
		int nstype;
		const char *name;
	} ok[] = {{SBX_NS_NET, CLONE_NEWNET, "network"},
		  {SBX_NS_IPC, CLONE_NEWIPC, "ipc"},
		  {SBX_NS_UTS, CLONE_NEWUTS, "uts"},
		  {SBX_NS_CGROUP, CLONE_NEWCGROUP, "cgroup"}};
	size_t k = 0;
	while (k < 4 && ok[k].kind != kind)
		k++;
	if (!c || k == 4)
		return CFG_ERR(
			err, EINVAL,
			"join namespace: only network, ipc, uts and cgroup namespaces can be "
			"joined by path");
	int fd = -1;
	char *copy = NULL;
	if (path) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return err_set(err, SBX_STAGE_CONFIG, errno, "join %s namespace: %s",
				       ok[k].name, path);
		int type = ioctl(fd, NS_GET_NSTYPE);
		if (type != ok[k].nstype) {
			close(fd);
			return CFG_ERR(err, EINVAL, "join %s namespace: %s is not a %s namespace",
				       ok[k].name, path, ok[k].name);
		}
		if (!(copy = strdup(path))) {
			close(fd);
			return CFG_ERR(err, ENOMEM, "join namespace: out of memory");
		}
	}
	if (c->joins[k].kind) {
		close(c->joins[k].fd);
		free(c->joins[k].path);
	}
	c->joins[k].kind = path ? kind : 0;
	c->joins[k].fd = fd;
	c->joins[k].path = copy;
	c->joined = path ? c->joined | kind : c->joined & ~kind;
	return 0;
}

int sbx_config_set_console_socket(sbx_config *c, int fd, sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "console socket: NULL configuration");
	return set_typed_fd(&c->console_fd, fd, S_IFSOCK, ENOTSOCK, "console socket", "a socket",
			    err);
}

int sbx_config_set_oom_score_adj(sbx_config *c, int adj, sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "oom_score_adj: NULL configuration");
	if (adj < -1000 || adj > 1000)
		return CFG_ERR(err, EINVAL, "oom_score_adj: %d is outside -1000..1000", adj);
	c->oom_score_adj = adj;
	c->oom_score_adj_set = true;
	return 0;
}

int sbx_config_set_cgroup_name(sbx_config *c, const char *name, sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "cgroup name: NULL configuration");
	if (name && (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") ||
		     !strncmp(name, "sbx-", 4) || strlen(name) >= sizeof(c->cgroup_name)))
		return CFG_ERR(err, EINVAL,
			       "cgroup name \"%s\": expected one path component, not \"sbx-...\", "
			       "at most %zu bytes",
			       name, sizeof(c->cgroup_name) - 1);
	snprintf(c->cgroup_name, sizeof(c->cgroup_name), "%s", name ? name : "");
	return 0;
}

int sbx_config_set_umask(sbx_config *c, unsigned mask, sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "umask: NULL configuration");
	if (mask > 0777)
		return CFG_ERR(err, EINVAL, "umask: %#o is more than 0777", mask);
	c->umask = (int)mask;
	return 0;
}

int sbx_config_set_time_offsets(sbx_config *c, int64_t mono_sec, long mono_nsec, int64_t boot_sec,
				long boot_nsec, sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "time offsets: NULL configuration");
	if (mono_nsec < 0 || mono_nsec > 999999999 || boot_nsec < 0 || boot_nsec > 999999999)
		return CFG_ERR(err, EINVAL, "time offsets: nanoseconds must be 0-999999999");
	c->time_offsets_set = true;
	c->time_offset_sec[0] = mono_sec;
	c->time_offset_sec[1] = boot_sec;
	c->time_offset_nsec[0] = mono_nsec;
	c->time_offset_nsec[1] = boot_nsec;
	return 0;
}

int sbx_config_set_personality(sbx_config *c, unsigned long persona, sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "personality: NULL configuration");
	if (persona != PER_LINUX && persona != PER_LINUX32)
		return CFG_ERR(err, EINVAL, "personality %#lx: only PER_LINUX and PER_LINUX32",
			       persona);
	c->personality = (long)persona;
	return 0;
}

int sbx_config_set_user(sbx_config *c, uid_t uid, gid_t gid, sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "user: NULL configuration");
	if (uid == (uid_t)-1 || gid == (gid_t)-1)
		return CFG_ERR(err, EINVAL, "user: -1 is not a valid uid or gid");
	c->uid = uid;
	c->gid = gid;
	c->user_set = true;
	return 0;
}

int sbx_config_set_groups(sbx_config *c, const gid_t *groups, size_t n, sbx_error *err)
{
	if (!c || (n && !groups))
		return CFG_ERR(err, EINVAL, "groups: NULL configuration or list");
	if (n > SBX_GROUPS_MAX)
		return CFG_ERR(err, E2BIG, "groups: %zu given, at most %d", n, SBX_GROUPS_MAX);
	for (size_t i = 0; i < n; i++)
		if (groups[i] == (gid_t)-1)
			return CFG_ERR(err, EINVAL, "groups: -1 is not a valid gid");
	if (n)
		memcpy(c->groups, groups, n * sizeof(*groups));
	c->n_groups = n;
	return 0;
}

bool conf_map_covers(const struct idmap *map, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (id >= map[i].inside && id - map[i].inside < map[i].count)
			return true;
	return false;
}

static bool ranges_overlap(uint32_t a, uint32_t na, uint32_t b, uint32_t nb)
{
	return a < b + (uint64_t)nb && b < a + (uint64_t)na;
}

static int add_map(struct idmap *map, size_t *n, const char *what, uint32_t inside,
		   uint32_t outside, uint32_t count, sbx_error *err)
{
	if (count == 0)
		return CFG_ERR(err, EINVAL, "%s map: count must be at least 1", what);
	if ((uint64_t)inside + count > UINT32_MAX || (uint64_t)outside + count > UINT32_MAX)
		return CFG_ERR(err, EINVAL, "%s map: %u..+%u or %u..+%u overflows 32-bit ids", what,
			       inside, count, outside, count);
	if (*n >= SBX_IDMAP_MAX)
		return CFG_ERR(err, E2BIG, "%s map: at most %d lines", what, SBX_IDMAP_MAX);
	/* the kernel rejects overlapping ranges on either side; say which here */
	for (size_t i = 0; i < *n; i++) {
		if (ranges_overlap(inside, count, map[i].inside, map[i].count) ||
		    ranges_overlap(outside, count, map[i].outside, map[i].count))
			return CFG_ERR(err, EINVAL, "%s map: %u %u %u overlaps line %zu (%u %u %u)",
				       what, inside, outside, count, i + 1, map[i].inside,
				       map[i].outside, map[i].count);
	}
	map[*n] = (struct idmap){inside, outside, count};
	(*n)++;
	return 0;
}

int sbx_config_add_uid_map(sbx_config *c, uid_t inside, uid_t outside, uint32_t count,
			   sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "uid map: NULL configuration");
	return add_map(c->uid_map, &c->n_uid_map, "uid", inside, outside, count, err);
}

int sbx_config_add_gid_map(sbx_config *c, gid_t inside, gid_t outside, uint32_t count,
			   sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "gid map: NULL configuration");
	return add_map(c->gid_map, &c->n_gid_map, "gid", inside, outside, count, err);
}

int sbx_config_set_stdio(sbx_config *c, int stream, int mode, int fd, sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "stdio: NULL configuration");
	if (stream < 0 || stream > 2)
		return CFG_ERR(err, EINVAL, "stdio: stream %d is not 0, 1 or 2", stream);
	if (mode < SBX_STDIO_INHERIT || mode > SBX_STDIO_RELAY)
		return CFG_ERR(err, EINVAL, "stdio %d: unknown mode %d", stream, mode);
	if (mode == SBX_STDIO_RELAY && stream == 0)
		return CFG_ERR(err, EINVAL, "stdio 0: only output streams can be relayed");
	int dup = -1;
	if (mode == SBX_STDIO_FD || mode == SBX_STDIO_RELAY) {
		dup = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (dup < 0)
			return err_set(err, SBX_STAGE_CONFIG, errno, "stdio %d: fd %d", stream, fd);
	}
	if (c->stdio_fd[stream] >= 0)
		close(c->stdio_fd[stream]);
	c->stdio_mode[stream] = mode;
	c->stdio_fd[stream] = dup;
	return 0;
}

/* Adds (or replaces) the grant at `target`, taking `fd` over. */
static int add_grant(sbx_config *c, int fd, int target, int rights, sbx_error *err)
{
	for (size_t i = 0; i < c->n_grants; i++) {
		if (c->grants[i].target == target) {
			close(c->grants[i].fd);
			c->grants[i].fd = fd;
			c->grants[i].rights = rights;
			return 0;
		}
	}
	struct grant *g = realloc(c->grants, (c->n_grants + 1) * sizeof(*g));
	if (!g) {
		close(fd);
		return CFG_ERR(err, ENOMEM, "grant: out of memory");
	}
	g[c->n_grants++] = (struct grant){fd, target, rights};
	c->grants = g;
	return 0;
}

static int check_target(sbx_config *c, int fd, int target, sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "grant: NULL configuration");
	if (target < 3 || target > CONF_FD_TARGET_MAX)
		return CFG_ERR(err, EINVAL,
			       "grant fd %d as %d: the target must be 3..%d (0-2 are stdio, see "
			       "sbx_config_set_stdio)",
			       fd, target, CONF_FD_TARGET_MAX);
	return 0;
}

int sbx_config_grant_fd(sbx_config *c, int fd, int target, sbx_error *err)
{
	return sbx_config_grant(c, fd, target, SBX_RIGHTS_AS_IS, err);
}

int sbx_config_grant(sbx_config *c, int fd, int target, int rights, sbx_error *err)
{
	int r = check_target(c, fd, target, err);
	if (r < 0)
		return r;
	int narrowed = sbx_fd_narrow(fd, rights, err);
	if (narrowed < 0) {
		/* say which grant */
		if (err) {
			char msg[SBX_ERROR_MAX];
			snprintf(msg, sizeof(msg), "%s", err->message);
			err_setx(err, SBX_STAGE_CONFIG, err->code, "grant fd %d as %d: %s", fd,
				 target, msg);
		}
		return narrowed;
	}
	return add_grant(c, narrowed, target, rights, err);
}

int sbx_config_grant_path(sbx_config *c, const char *path, int target, int rights, sbx_error *err)
{
	int r = check_target(c, -1, target, err);
	if (r < 0)
		return r;
	if (!path || !*path)
		return CFG_ERR(err, EINVAL, "grant as %d: an empty path", target);
	int flags = rights_open_flags(rights);
	if (flags < 0)
		return CFG_ERR(err, EINVAL, "grant %s as %d: unknown rights %d", path, target,
			       rights);
	int fd = open(path, flags | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return err_set(err, SBX_STAGE_CONFIG, errno, "grant %s as %d", path, target);
	if ((r = rights_check(fd, rights)) < 0) {
		close(fd);
		return err_setx(err, SBX_STAGE_CONFIG, -r, "grant %s as %d: %s", path, target,
				rights_problem(-r, rights));
	}
	return add_grant(c, fd, target, rights, err);
}

int sbx_config_set_capability_mode(sbx_config *c, int enable, const char *const *runtime,
				   unsigned need, sbx_error *err)
{
	static const char *const defaults[] = {"/usr", "/lib", "/lib64", "/bin", "/etc/ld.so.cache",
					       NULL};
	if (!c)
		return CFG_ERR(err, EINVAL, "capability mode: NULL configuration");
	if (need & ~(SBX_CAP_NEED_FS | SBX_CAP_NEED_NET | SBX_CAP_NEED_SCOPE))
		return CFG_ERR(err, EINVAL, "capability mode: unknown needs 0x%x", need);
	size_t n = 0;
	for (; runtime && runtime[n]; n++)
		if (runtime[n][0] != '/')
			return CFG_ERR(err, EINVAL,
				       "capability mode: \"%s\" is not an absolute path",
				       runtime[n]);
	if (n > CONF_CAP_RUNTIME_MAX)
		return CFG_ERR(err, EINVAL, "capability mode: at most %d runtime paths",
			       CONF_CAP_RUNTIME_MAX);
	sbx_policy *p = NULL;
	char **rt = NULL;
	if (enable) {
		int r = sbx_policy_parse(capmode_policy_text(), "capability mode", NULL, &p, err);
		if (r < 0)
			return r;
		if (!(rt = strv_dup(runtime ? runtime : defaults, NULL))) {
			sbx_policy_free(p);
			return CFG_ERR(err, ENOMEM, "capability mode: out of memory");
		}
	}
	sbx_policy_free(c->cap_policy);
	strv_free(c->cap_runtime);
	c->capmode = enable;
	c->cap_need = need;
	c->cap_policy = p;
	c->cap_runtime = rt;
	return 0;
}

int sbx_config_set_caps(sbx_config *c, const sbx_caps *caps, sbx_error *err)
{
	if (!c || !caps)
		return CFG_ERR(err, EINVAL, "capabilities: NULL argument");
	if ((caps->effective & ~caps->permitted) ||
	    (caps->ambient & ~(caps->permitted & caps->inheritable)))
		return CFG_ERR(err, EINVAL,
			       "capabilities: effective must be within permitted, ambient within "
			       "permitted and inheritable");
	int last = caps_last_cap();
	uint64_t all = last >= 63 ? ~0ull : (1ull << (last + 1)) - 1;
	uint64_t any = caps->bounding | caps->effective | caps->permitted | caps->inheritable |
		       caps->ambient;
	if (any & ~all)
		return CFG_ERR(err, EINVAL, "capabilities: this kernel knows 0..%d", last);
	c->caps = *caps;
	return 0;
}

int sbx_cap_from_name(const char *name)
{
	cap_value_t v;
	if (!name)
		return -1;
	char buf[64];
	/* libcap takes "cap_net_bind_service" in any case */
	snprintf(buf, sizeof(buf), "%s%s", strncasecmp(name, "CAP_", 4) ? "cap_" : "", name);
	return cap_from_name(buf, &v) == 0 ? (int)v : -1;
}

int sbx_config_set_no_new_privs(sbx_config *c, int on, sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "no_new_privs: NULL configuration");
	c->no_new_privs = on;
	return 0;
}

int sbx_config_add_channel(sbx_config *c, int target, sbx_error *err)
{
	int r = check_target(c, -1, target, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->n_channels; i++)
		if (c->channels[i] == target)
			return CFG_ERR(err, EINVAL, "channel: fd %d already has one", target);
	if (c->n_channels == CONF_CHANNELS_MAX)
		return CFG_ERR(err, EINVAL, "channel: at most %d", CONF_CHANNELS_MAX);
	c->channels[c->n_channels++] = target;
	return 0;
}

int sbx_config_set_parent_death_signal(sbx_config *c, int sig, sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "parent-death signal: NULL configuration");
	if (sig < 0 || sig > SIGRTMAX)
		return CFG_ERR(err, EINVAL, "parent-death signal: %d is not a signal", sig);
	c->pdeathsig = sig;
	return 0;
}

/* ---------------------------------------------------------------- limits */

static bool cpu_list(const char *s)
{
	/* "0-3,5,7-8": digits, commas and dashes, nothing else */
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || *s == ',' || *s == '-'))
			return false;
	return true;
}

int sbx_config_set_limits(sbx_config *c, const sbx_limits *l, sbx_error *err)
{
	if (!c || !l)
		return CFG_ERR(err, EINVAL, "limits: NULL argument");
	if (l->size < sizeof(sbx_limits))
		return CFG_ERR(err, EINVAL, "limits: size %zu, expected %zu (set it to sizeof)",
			       l->size, sizeof(sbx_limits));
	if (l->cpu_weight > 10000)
		return CFG_ERR(err, EINVAL, "limits: cpu weight %u is not 1-10000", l->cpu_weight);
	uint32_t period = l->cpu_period_us ? l->cpu_period_us : 100000;
	if (period < 1000 || period > 1000000)
		return CFG_ERR(err, EINVAL, "limits: cpu period %u us is not 1000-1000000", period);
	if (l->cpu_quota_us && l->cpu_quota_us < 1000)
		return CFG_ERR(err, EINVAL, "limits: cpu quota %u us is below the kernel's 1000",
			       l->cpu_quota_us);
	if (memchr(l->cpuset_cpus, 0, sizeof(l->cpuset_cpus)) == NULL ||
	    memchr(l->cpuset_mems, 0, sizeof(l->cpuset_mems)) == NULL)
		return CFG_ERR(err, EINVAL, "limits: cpuset strings must be NUL-terminated");
	if (!cpu_list(l->cpuset_cpus) || !cpu_list(l->cpuset_mems))
		return CFG_ERR(err, EINVAL,
			       "limits: cpuset \"%s\" / \"%s\": expected lists like 0-3,5",
			       l->cpuset_cpus, l->cpuset_mems);
	if (l->best_effort & ~SBX_LIMIT_ALL)
		return CFG_ERR(err, EINVAL, "limits: unknown best-effort bits 0x%x",
			       l->best_effort & ~SBX_LIMIT_ALL);
	if (l->memory_bytes == 0 && l->swap_bytes)
		return CFG_ERR(err, EINVAL, "limits: a swap limit needs a memory limit");
	c->limits = *l;
	c->limits.size = sizeof(c->limits);
	return 0;
}

int sbx_config_get_limits(const sbx_config *c, sbx_limits *l, sbx_error *err)
{
	if (!c || !l || l->size < sizeof(sbx_limits))
		return CFG_ERR(err, EINVAL, "limits: NULL argument or size too small");
	*l = c->limits;
	return 0;
}

int sbx_config_add_io_limit(sbx_config *c, uint32_t major, uint32_t minor, uint64_t rbps,
			    uint64_t wbps, uint64_t riops, uint64_t wiops, sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "io limit: NULL configuration");
	if (!rbps && !wbps && !riops && !wiops)
		return CFG_ERR(err, EINVAL, "io limit %u:%u: no limit given", major, minor);
	if (c->n_io >= CONF_IO_MAX)
		return CFG_ERR(err, E2BIG, "io limit: at most %d devices", CONF_IO_MAX);
	c->io[c->n_io++] = (struct io_limit){major, minor, rbps, wbps, riops, wiops};
	return 0;
}

int sbx_config_set_rlimit(sbx_config *c, int resource, uint64_t soft, uint64_t hard, sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "rlimit: NULL configuration");
	if (resource < 0 || resource >= CONF_RLIMITS)
		return CFG_ERR(err, EINVAL, "rlimit: unknown resource %d", resource);
	if (soft > hard)
		return CFG_ERR(err, EINVAL, "rlimit %d: soft limit %llu above hard limit %llu",
			       resource, (unsigned long long)soft, (unsigned long long)hard);
	c->rlimits[resource] = (struct rlimit_setting){true, soft, hard};
	return 0;
}

int sbx_config_add_device_rule(sbx_config *c, int allow, char type, int64_t major, int64_t minor,
			       const char *access, sbx_error *err)
{
	if (!c || !access)
		return CFG_ERR(err, EINVAL, "device rule: NULL argument");
	if (type != 'c' && type != 'b' && type != 'a')
		return CFG_ERR(err, EINVAL, "device rule: type '%c' is not c, b or a", type);
	if (major < -1 || minor < -1 || major > UINT32_MAX || minor > UINT32_MAX)
		return CFG_ERR(err, EINVAL, "device rule: %lld:%lld is not a device number",
			       (long long)major, (long long)minor);
	unsigned acc = 0;
	for (const char *a = access; *a; a++) {
		unsigned bit = *a == 'r'   ? DEV_ACC_READ
			       : *a == 'w' ? DEV_ACC_WRITE
			       : *a == 'm' ? DEV_ACC_MKNOD
					   : 0;
		if (!bit)
			return CFG_ERR(err, EINVAL,
				       "device rule: access \"%s\" is not made of r, w, m", access);
		acc |= bit;
	}
	if (!acc)
		acc = DEV_ACC_READ | DEV_ACC_WRITE | DEV_ACC_MKNOD;
	if (c->n_devices >= CONF_DEVICE_RULES_MAX)
		return CFG_ERR(err, E2BIG, "device rule: at most %d rules", CONF_DEVICE_RULES_MAX);
	c->devices[c->n_devices++] = (struct dev_rule){allow != 0, type, major, minor, acc};
	if (c->dev_prog_fd >= 0) { /* built for the old rules */
		close(c->dev_prog_fd);
		c->dev_prog_fd = -1;
	}
	return 0;
}

size_t conf_device_rules(const struct sbx_config *c, struct dev_rule *out, size_t max)
{
	/* what every container runtime allows: the harmless character devices */
	static const struct dev_rule defaults[] = {
		{true, 'c', 1, 3, 7},	 /* null */
		{true, 'c', 1, 5, 7},	 /* zero */
		{true, 'c', 1, 7, 7},	 /* full */
		{true, 'c', 1, 8, 7},	 /* random */
		{true, 'c', 1, 9, 7},	 /* urandom */
		{true, 'c', 5, 0, 7},	 /* tty */
		{true, 'c', 5, 2, 7},	 /* ptmx */
		{true, 'c', 136, -1, 7}, /* /dev/pts/N */
		/* making any node (linux.devices): opening it takes a rule */
		{true, 'c', -1, -1, DEV_ACC_MKNOD},
		{true, 'b', -1, -1, DEV_ACC_MKNOD},
	};
	/* the configured rules, then the defaults: checked last to first, the
	 * defaults win, as in runc and crun, whose specs often deny all first
	 * and count on the runtime to allow /dev/null and friends */
	size_t n = 0;
	for (size_t i = 0; i < c->n_devices && n < max; i++)
		out[n++] = c->devices[i];
	for (size_t i = 0; i < sizeof(defaults) / sizeof(*defaults) && n < max; i++)
		out[n++] = defaults[i];
	return n;
}

unsigned conf_limits_asked(const struct sbx_config *c)
{
	const sbx_limits *l = &c->limits;
	unsigned m = 0;
	if (l->memory_bytes)
		m |= SBX_LIMIT_MEMORY;
	if (l->pids)
		m |= SBX_LIMIT_PIDS;
	if (l->cpu_time_ms)
		m |= SBX_LIMIT_CPU_TIME;
	if (l->wall_time_ms)
		m |= SBX_LIMIT_WALL_TIME;
	if (l->output_bytes)
		m |= SBX_LIMIT_OUTPUT;
	if (l->cpu_quota_us)
		m |= SBX_LIMIT_CPU_QUOTA;
	if (l->cpu_weight)
		m |= SBX_LIMIT_CPU_WEIGHT;
	if (l->cpuset_cpus[0] || l->cpuset_mems[0])
		m |= SBX_LIMIT_CPUSET;
	if (c->n_io)
		m |= SBX_LIMIT_IO;
	if (c->n_devices)
		m |= SBX_LIMIT_DEVICES;
	return m;
}

int sbx_config_set_policy(sbx_config *c, sbx_policy *policy, sbx_error *err)
{
	if (!c)
		return CFG_ERR(err, EINVAL, "policy: NULL configuration");
	if (policy)
		filter_policy_ref(policy);
	sbx_policy_free(c->policy);
	c->policy = policy;
	return 0;
}
