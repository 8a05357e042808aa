/* newc cpio: a 110-byte ASCII header ("070701" and 13 eight-digit hex
 * fields), the NUL-terminated name, then the data, each padded to 4 bytes
 * (Linux's Documentation/driver-api/early-userspace/buffer-format.rst). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "initramfs.h"

#define PREP(err, e, ...) err_set(err, SBX_STAGE_PREPARE, e, __VA_ARGS__)
#define TREE_DEPTH_MAX 64
#define PATH_MAX_LEN 4096

static int put(struct cpio *c, const void *data, size_t len, sbx_error *err)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(c->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return PREP(err, errno, "initramfs: write");
		p += n;
		len -= (size_t)n;
		c->size += (uint64_t)n;
	}
	return 0;
}

static int pad(struct cpio *c, sbx_error *err)
{
	static const char zeros[4];
	return put(c, zeros, (4 - c->size % 4) % 4, err);
}

static int header(struct cpio *c, const char *name, mode_t mode, uint64_t len, sbx_error *err)
{
	size_t namesize = strlen(name) + 1;
	if (len > UINT32_MAX || namesize > PATH_MAX_LEN)
		return err_setx(err, SBX_STAGE_PREPARE, EFBIG, "initramfs: %s: too large", name);
	char h[111];
	snprintf(h, sizeof(h), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ++c->ino, (unsigned)mode, 0u, 0u, S_ISDIR(mode) ? 2u : 1u, 0u, (unsigned)len, 0u,
		 0u, 0u, 0u, (unsigned)namesize, 0u);
	int r = put(c, h, 110, err);
	if (r == 0)
		r = put(c, name, namesize, err);
	return r < 0 ? r : pad(c, err);
}

int cpio_add(struct cpio *c, const char *name, mode_t mode, const void *data, size_t len,
	     sbx_error *err)
{
	int r = header(c, name, mode, len, err);
	if (r == 0 && len)
		r = put(c, data, len, err);
	return r < 0 ? r : pad(c, err);
}

/* Copies an open file of `len` bytes into the archive as `name`. */
static int add_fd(struct cpio *c, const char *name, mode_t mode, int fd, uint64_t len,
		  sbx_error *err)
{
	int r = header(c, name, mode, len, err);
	char buf[65536];
	uint64_t left = len;
	while (r == 0 && left) {
		ssize_t n = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) /* changed under us: refuse rather than pack a lie */
			return err_setx(err, SBX_STAGE_PREPARE, EIO, "initramfs: %s: %s", name,
					n < 0 ? strerror(errno) : "shrank while being read");
		r = put(c, buf, (size_t)n, err);
		left -= (uint64_t)n;
	}
	return r < 0 ? r : pad(c, err);
}

int cpio_add_file(struct cpio *c, const char *name, mode_t mode, const char *path, sbx_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int e = fd < 0 ? errno : EINVAL;
		if (fd >= 0)
			close(fd);
		return err_setx(err, SBX_STAGE_PREPARE, e, "initramfs: %s: %s", path,
				e == EINVAL ? "expected a regular file" : strerror(e));
	}
	int r = add_fd(c, name, S_IFREG | (mode & 07777), fd, (uint64_t)st.st_size, err);
	close(fd);
	return r;
}

static int add_dir(struct cpio *c, char *name, size_t name_len, int dirfd, int depth,
		   sbx_error *err)
{
	if (depth > TREE_DEPTH_MAX)
		return err_setx(err, SBX_STAGE_PREPARE, ELOOP, "initramfs: %s: nested too deep",
				name);
	DIR *d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return PREP(err, errno, "initramfs: %s", name);
	}
	int r = 0;
	struct dirent *e;
	while (r == 0 && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		size_t len = name_len + (name_len ? 1 : 0) + strlen(e->d_name);
		if (len >= PATH_MAX_LEN) {
			r = err_setx(err, SBX_STAGE_PREPARE, ENAMETOOLONG,
				     "initramfs: %s/%s: name too long", name, e->d_name);
			break;
		}
		snprintf(name + name_len, PATH_MAX_LEN - name_len, "%s%s", name_len ? "/" : "",
			 e->d_name);
		struct stat st;
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = PREP(err, errno, "initramfs: %s", name);
		} else if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd, e->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			r = sub < 0 ? PREP(err, errno, "initramfs: %s", name)
				    : header(c, name, st.st_mode, 0, err);
			if (r == 0)
				r = add_dir(c, name, len, sub, depth + 1, err);
			else if (sub >= 0)
				close(sub);
		} else if (S_ISREG(st.st_mode)) {
			int fd = openat(dirfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			r = fd < 0 ? PREP(err, errno, "initramfs: %s", name)
				   : add_fd(c, name, st.st_mode, fd, (uint64_t)st.st_size, err);
			if (fd >= 0)
				close(fd);
		} else if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX_LEN];
			ssize_t n = readlinkat(dirfd, e->d_name, target, sizeof(target));
			r = n < 0 || n == sizeof(target)
				    ? PREP(err, n < 0 ? errno : ENAMETOOLONG, "initramfs: %s", name)
				    : cpio_add(c, name, st.st_mode, target, (size_t)n, err);
		}
		name[name_len] = 0;
	}
	closedir(d);
	return r;
}

int cpio_add_tree(struct cpio *c, const char *prefix, const char *dir, sbx_error *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return PREP(err, errno, "initramfs: %s", dir);
	char *name = calloc(1, PATH_MAX_LEN);
	if (!name) {
		close(fd);
		return PREP(err, ENOMEM, "initramfs");
	}
	snprintf(name, PATH_MAX_LEN, "%s", prefix);
	int r = add_dir(c, name, strlen(name), fd, 0, err);
	free(name);
	return r;
}

int cpio_finish(struct cpio *c, sbx_error *err)
{
	return cpio_add(c, "TRAILER!!!", 0, NULL, 0, err);
}
