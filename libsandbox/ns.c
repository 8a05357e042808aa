#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "ns.h"
#include "util.h"

#define NOBODY 65534u

static const struct {
	unsigned bit;
	uint64_t flag;
	const char *name;
} kinds[] = {
	{SBX_NS_USER, CLONE_NEWUSER, "user"},	    {SBX_NS_PID, CLONE_NEWPID, "pid"},
	{SBX_NS_MOUNT, CLONE_NEWNS, "mount"},	    {SBX_NS_UTS, CLONE_NEWUTS, "uts"},
	{SBX_NS_IPC, CLONE_NEWIPC, "ipc"},	    {SBX_NS_NET, CLONE_NEWNET, "net"},
	{SBX_NS_CGROUP, CLONE_NEWCGROUP, "cgroup"}, {SBX_NS_TIME, CLONE_NEWTIME, "time"},
};

uint64_t ns_clone_flags(unsigned mask)
{
	uint64_t f = 0;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (mask & kinds[i].bit)
			f |= kinds[i].flag;
	return f;
}

void ns_describe(unsigned mask, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(kinds) && off < len; i++)
		if (mask & kinds[i].bit) {
			int n = snprintf(buf + off, len - off, "%s%s", off ? " " : "",
					 kinds[i].name);
			if (n < 0)
				break;
			off += (size_t)n;
		}
}

bool ns_maps_host_root(const struct idmap *map, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (map[i].outside == 0)
			return true;
	return false;
}

static int check_maps(const char *what, const struct idmap *map, size_t n, uint32_t id,
		      bool privileged, uint32_t own, sbx_error *err)
{
	if (!conf_map_covers(map, n, id))
		return err_setx(err, SBX_STAGE_CONFIG, EINVAL,
				"%s %u is not mapped in the sandbox's user namespace", what, id);
	if (!privileged && (n != 1 || map[0].count != 1 || map[0].outside != own))
		return err_setx(err, SBX_STAGE_CONFIG, EPERM,
				"%s map: without CAP_SET%sID only the caller's own %s (%u) can be "
				"mapped, with count 1",
				what, what[0] == 'u' ? "U" : "G", what, own);
	return 0;
}

int ns_idmaps(const struct sbx_config *cfg, bool privileged, struct idmaps *m, sbx_error *err)
{
	uint32_t euid = (uint32_t)geteuid(), egid = (uint32_t)getegid();
	memset(m, 0, sizeof(*m));
	if (cfg->n_uid_map) {
		memcpy(m->uid, cfg->uid_map, cfg->n_uid_map * sizeof(*m->uid));
		m->n_uid = cfg->n_uid_map;
	} else {
		m->uid[0] = (struct idmap){cfg->uid, privileged ? NOBODY : euid, 1};
		m->n_uid = 1;
	}
	if (cfg->n_gid_map) {
		memcpy(m->gid, cfg->gid_map, cfg->n_gid_map * sizeof(*m->gid));
		m->n_gid = cfg->n_gid_map;
	} else {
		m->gid[0] = (struct idmap){cfg->gid, privileged ? NOBODY : egid, 1};
		m->n_gid = 1;
	}
	m->deny_setgroups = !privileged;
	int r = check_maps("uid", m->uid, m->n_uid, cfg->uid, privileged, euid, err);
	if (r < 0 || (r = check_maps("gid", m->gid, m->n_gid, cfg->gid, privileged, egid, err)) < 0)
		return r;
	for (size_t i = 0; i < cfg->n_groups; i++)
		if (!conf_map_covers(m->gid, m->n_gid, cfg->groups[i]))
			return err_setx(
				err, SBX_STAGE_CONFIG, EINVAL,
				"supplementary group %u is not mapped in the sandbox's user "
				"namespace",
				cfg->groups[i]);
	return 0;
}

static int write_proc(pid_t pid, const char *file, const char *data, sbx_error *err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, SBX_STAGE_PREPARE, errno, "user namespace: open %s", path);
	size_t len = strlen(data);
	ssize_t n = write(fd, data, len);
	if (n < 0)
		return err_set(err, SBX_STAGE_PREPARE, errno, "user namespace: write %s \"%.*s\"",
			       file, (int)strcspn(data, "\n"), data);
	if ((size_t)n != len)
		return err_setx(err, SBX_STAGE_PREPARE, EIO, "user namespace: short write to %s",
				file);
	return 0;
}

static void format_map(const struct idmap *map, size_t n, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n && off < len; i++) {
		int k = snprintf(buf + off, len - off, "%u %u %u\n", map[i].inside, map[i].outside,
				 map[i].count);
		if (k < 0)
			break;
		off += (size_t)k;
	}
}

int ns_write_idmaps(pid_t pid, const struct idmaps *m, sbx_error *err)
{
	char buf[SBX_IDMAP_MAX * 36];
	int r;
	format_map(m->uid, m->n_uid, buf, sizeof(buf));
	if ((r = write_proc(pid, "uid_map", buf, err)) < 0)
		return r;
	if (m->deny_setgroups && (r = write_proc(pid, "setgroups", "deny", err)) < 0)
		return r;
	format_map(m->gid, m->n_gid, buf, sizeof(buf));
	return write_proc(pid, "gid_map", buf, err);
}

int ns_loopback_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	int r = 0;
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		r = -errno;
	} else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			r = -errno;
	}
	close(s);
	return r;
}
