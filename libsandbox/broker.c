/* The file broker: the parent opens files for a worker that holds no path,
 * against an allowlist, and hands over descriptors (the Chrome pattern).
 *
 * A request is checked as text first (absolute, no "." or ".." component,
 * beneath an allowed path at a component boundary, flags within the rule's
 * access), then opened beneath the allowed directory's descriptor with
 * RESOLVE_BENEATH, so a symlink or a rename race cannot lead out of it
 * either. Two ways in: a channel (the worker calls sbx_broker_open), or
 * seccomp user notification for unmodified programs, answered with
 * SECCOMP_IOCTL_NOTIF_ADDFD so the descriptor becomes the result of the
 * program's own open(). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "error.h"
#include "sandbox.h"
#include "util.h"

#define REQ_MAGIC 0x53425242u /* "SBRB" */
#define REP_MAGIC 0x53425250u /* "SBRP" */

struct allow {
	char *path; /* absolute, without a trailing slash (but "/") */
	size_t len;
	int fd; /* O_PATH of it */
	bool dir;
	unsigned access;
};

struct sbx_broker {
	struct allow *rules;
	size_t n;
};

struct request {
	uint32_t magic;
	int32_t flags;
	uint32_t mode;
	char path[PATH_MAX];
};

struct reply {
	uint32_t magic;
	int32_t err; /* 0: the fd is attached */
};

sbx_broker *sbx_broker_new(void)
{
	return calloc(1, sizeof(sbx_broker));
}

void sbx_broker_free(sbx_broker *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++) {
		free(b->rules[i].path);
		close(b->rules[i].fd);
	}
	free(b->rules);
	free(b);
}

/* Absolute, and no component that is empty, "." or "..". */
static bool clean_path(const char *p)
{
	if (p[0] != '/')
		return false;
	if (!p[1])
		return true;
	for (const char *c = p + 1;;) {
		size_t n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (!c[n])
			return true;
		c += n + 1;
	}
}

int sbx_broker_allow(sbx_broker *b, const char *path, unsigned access, sbx_error *err)
{
	if (!b || !path)
		return err_setx(err, SBX_STAGE_CONFIG, EINVAL, "broker: NULL argument");
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	char *copy = strndup(path, len);
	if (!copy)
		return err_setx(err, SBX_STAGE_CONFIG, ENOMEM, "broker: out of memory");
	if (!clean_path(copy) ||
	    (access & ~(SBX_BROKER_READ | SBX_BROKER_WRITE | SBX_BROKER_CREATE))) {
		free(copy);
		return err_setx(err, SBX_STAGE_CONFIG, EINVAL,
				"broker: allow \"%s\": an absolute path without . or .. and "
				"SBX_BROKER_* access expected",
				path);
	}
	int fd = open(copy, O_PATH | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		free(copy);
		return err_set(err, SBX_STAGE_CONFIG, e, "broker: allow %s", path);
	}
	struct allow *v = realloc(b->rules, (b->n + 1) * sizeof(*v));
	if (!v) {
		close(fd);
		free(copy);
		return err_setx(err, SBX_STAGE_CONFIG, ENOMEM, "broker: out of memory");
	}
	b->rules = v;
	b->rules[b->n++] = (struct allow){copy, len, fd, S_ISDIR(st.st_mode), access};
	return 0;
}

/* The access `flags` needs, or -1 for flags the broker never grants. */
static int needed(int flags)
{
	const int known = O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_NONBLOCK |
			  O_CLOEXEC | O_NOFOLLOW | O_DIRECTORY | O_NOCTTY | O_LARGEFILE |
			  O_NOATIME | O_DSYNC | O_SYNC;
	if (flags & ~known)
		return -1; /* O_PATH, O_TMPFILE, O_DIRECT... */
	unsigned need = 0;
	int mode = flags & O_ACCMODE;
	if (mode == O_RDONLY || mode == O_RDWR)
		need |= SBX_BROKER_READ;
	if (mode == O_WRONLY || mode == O_RDWR || (flags & O_TRUNC))
		need |= SBX_BROKER_WRITE;
	if (flags & O_CREAT)
		need |= SBX_BROKER_CREATE | SBX_BROKER_WRITE;
	if (mode == O_ACCMODE)
		return -1;
	return (int)need;
}

/* Opens `path` for the worker if a rule allows it: the fd, or -errno. */
static int broker_open(const sbx_broker *b, const char *path, int flags, mode_t mode)
{
	int need = needed(flags);
	if (need < 0)
		return -EINVAL;
	if (!clean_path(path))
		return -EACCES;
	const struct allow *best = NULL;
	for (size_t i = 0; i < b->n; i++) {
		const struct allow *a = &b->rules[i];
		bool inside =
			!strncmp(path, a->path, a->len) &&
			(path[a->len] == 0 || (a->dir && (path[a->len] == '/' || a->len == 1)));
		if (inside && (!best || a->len > best->len))
			best = a;
	}
	if (!best || ((unsigned)need & ~best->access))
		return -EACCES;
	int fd;
	if (best->dir) {
		const char *rel = path + best->len;
		while (*rel == '/')
			rel++;
		struct open_how how = {
			.flags = (uint64_t)(flags | O_CLOEXEC | O_NOCTTY),
			.mode = (flags & O_CREAT) ? (mode & 0777) : 0,
			.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
		};
		fd = (int)syscall(SYS_openat2, best->fd, *rel ? rel : ".", &how, sizeof(how));
		if (fd < 0)
			return errno == EXDEV ? -EACCES : -errno; /* a symlink that leads out */
	} else {
		char link[64];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", best->fd);
		fd = open(link, (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return -errno;
	}
	return fd;
}

/* ---------------------------------------------------------------- over a channel */

int sbx_broker_serve(sbx_broker *b, sbx_chan *ch, sbx_error *err)
{
	if (!b || !ch)
		return err_setx(err, SBX_STAGE_RUN, EINVAL, "broker: NULL argument");
	struct request req;
	size_t nfds = 0;
	ssize_t n = sbx_chan_recv(ch, &req, sizeof(req), NULL, &nfds, err);
	if (n <= 0)
		return (int)n;
	struct reply rep = {.magic = REP_MAGIC};
	size_t hdr = offsetof(struct request, path);
	if ((size_t)n <= hdr || req.magic != REQ_MAGIC ||
	    memchr(req.path, 0, (size_t)n - hdr) == NULL)
		rep.err = EINVAL; /* malformed: answered, not trusted */
	int fd = rep.err ? -1 : broker_open(b, req.path, req.flags, req.mode);
	if (fd < 0 && !rep.err)
		rep.err = -fd;
	int r = sbx_chan_send(ch, &rep, sizeof(rep), fd >= 0 ? &fd : NULL, fd >= 0, err);
	if (fd >= 0)
		close(fd);
	return r < 0 ? r : 1;
}

int sbx_broker_open(sbx_chan *ch, const char *path, int flags, mode_t mode)
{
	struct request req = {.magic = REQ_MAGIC, .flags = flags, .mode = mode};
	size_t len = path ? strlen(path) : 0;
	if (!ch || !len || len >= sizeof(req.path))
		return -EINVAL;
	memcpy(req.path, path, len + 1);
	if (sbx_chan_send(ch, &req, offsetof(struct request, path) + len + 1, NULL, 0, NULL) < 0)
		return -errno;
	struct reply rep;
	int fd = -1;
	size_t nfds = 1;
	ssize_t n = sbx_chan_recv(ch, &rep, sizeof(rep), &fd, &nfds, NULL);
	if (n < 0)
		return -errno;
	if (n != sizeof(rep) || rep.magic != REP_MAGIC || (rep.err == 0) != (nfds == 1)) {
		if (nfds)
			close(fd);
		return -EPROTO;
	}
	return rep.err ? -rep.err : fd;
}

/* ---------------------------------------------------------------- seccomp notification */

char *sbx_broker_policy(const char *base)
{
	char *text = NULL;
	if (asprintf(&text, "%s\nnotify open, openat, openat2, creat\n",
		     base ? base : "default allow") < 0)
		return NULL;
	return text;
}

/* Copies a string from the sandbox's memory, a page at most per read so
 * that one ending just before an unmapped page is still read. */
static int read_string(pid_t pid, uint64_t addr, char *buf, size_t cap)
{
	size_t got = 0;
	while (got < cap) {
		size_t page = 4096 - ((addr + got) & 4095);
		size_t want = page < cap - got ? page : cap - got;
		struct iovec local = {buf + got, want};
		struct iovec remote = {(void *)(uintptr_t)(addr + got), want};
		ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		if (n <= 0)
			return -EFAULT;
		if (memchr(buf + got, 0, (size_t)n))
			return 0;
		got += (size_t)n;
	}
	return -ENAMETOOLONG;
}

/* A relative path, made absolute against the sandbox's cwd or dirfd as
 * this process sees them. */
static int absolute(pid_t pid, int dirfd, const char *path, char *out, size_t len)
{
	if (path[0] == '/') {
		snprintf(out, len, "%s", path);
		return 0;
	}
	char link[64], base[PATH_MAX];
	if (dirfd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%d/cwd", (int)pid);
	else
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, dirfd);
	ssize_t n = readlink(link, base, sizeof(base) - 1);
	if (n <= 0 || base[0] != '/')
		return -EACCES;
	base[n] = 0;
	if (snprintf(out, len, "%s/%s", n == 1 ? "" : base, path) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

int sbx_broker_serve_notify(sbx_broker *b, int nfd, sbx_error *err)
{
	if (!b || nfd < 0)
		return err_setx(err, SBX_STAGE_RUN, EINVAL, "broker: NULL argument");
	struct seccomp_notif req;
	memset(&req, 0, sizeof(req));
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
		if (errno == ENOENT || errno == EINTR)
			return 1; /* the caller died meanwhile, or a signal: nothing to answer */
		return errno == EBADF ? 0 : err_set(err, SBX_STAGE_RUN, errno, "broker: receive");
	}
	struct seccomp_notif_resp resp = {.id = req.id, .error = -EACCES};
	uint64_t path_addr = 0;
	int dirfd = AT_FDCWD, flags = 0;
	mode_t mode = 0;
	const __u64 *a = req.data.args;
	int r = 0;
	if (req.data.nr == SYS_open) {
		path_addr = a[0], flags = (int)a[1], mode = (mode_t)a[2];
	} else if (req.data.nr == SYS_creat) {
		path_addr = a[0], flags = O_CREAT | O_WRONLY | O_TRUNC, mode = (mode_t)a[1];
	} else if (req.data.nr == SYS_openat) {
		dirfd = (int)a[0], path_addr = a[1], flags = (int)a[2], mode = (mode_t)a[3];
	} else if (req.data.nr == SYS_openat2) {
		struct open_how how;
		struct iovec local = {&how, sizeof(how)};
		struct iovec remote = {(void *)(uintptr_t)a[2], sizeof(how)};
		dirfd = (int)a[0], path_addr = a[1];
		if (a[3] < sizeof(how) ||
		    process_vm_readv(req.pid, &local, 1, &remote, 1, 0) != sizeof(how))
			r = -EFAULT;
		flags = (int)how.flags, mode = (mode_t)how.mode;
	} else {
		r = -ENOSYS; /* a policy notifying something else: not ours */
	}
	char path[PATH_MAX], full[PATH_MAX];
	if (r == 0)
		r = read_string(req.pid, path_addr, path, sizeof(path));
	if (r == 0)
		r = absolute(req.pid, dirfd, path, full, sizeof(full));
	/* what was read belongs to the caller still waiting, not to a
	 * process that died meanwhile and whose pid came back */
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &req.id) < 0)
		return 1;
	int fd = r == 0 ? broker_open(b, full, flags & ~O_CLOEXEC, mode) : r;
	if (fd >= 0) {
		struct seccomp_notif_addfd add = {
			.id = req.id,
			.flags = SECCOMP_ADDFD_FLAG_SEND,
			.srcfd = (uint32_t)fd,
			.newfd_flags = (uint32_t)(flags & O_CLOEXEC),
		};
		r = ioctl(nfd, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
		close(fd);
		if (r >= 0 || errno == ENOENT)
			return 1; /* answered: the descriptor is the call's result */
		resp.error = -errno;
	} else {
		resp.error = fd;
	}
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
		return err_set(err, SBX_STAGE_RUN, errno, "broker: answer");
	return 1;
}
