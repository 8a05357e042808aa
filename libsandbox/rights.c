/* Rights as descriptors: narrowing a descriptor to fewer rights, opening
 * beneath a directory, and sealed shared buffers (see the table in
 * sandbox.h). Narrowing reopens the file through /proc/self/fd, which gives
 * a new open file description with only the access asked for; it is refused
 * when that would be more than the original allows. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "rights.h"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

int rights_open_flags(int rights)
{
	switch (rights) {
	case SBX_RIGHTS_AS_IS:
	case SBX_RIGHTS_READ:
		return O_RDONLY;
	case SBX_RIGHTS_WRITE:
		return O_WRONLY;
	case SBX_RIGHTS_APPEND:
		return O_WRONLY | O_APPEND;
	case SBX_RIGHTS_READ_WRITE:
		return O_RDWR;
	case SBX_RIGHTS_DIR:
	case SBX_RIGHTS_DIR_WRITE:
		return O_PATH | O_DIRECTORY;
	}
	return -1;
}

bool rights_is_dir(int rights)
{
	return rights == SBX_RIGHTS_DIR || rights == SBX_RIGHTS_DIR_WRITE;
}

int rights_check(int fd, int rights)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (rights_is_dir(rights))
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	if (rights != SBX_RIGHTS_AS_IS && S_ISDIR(st.st_mode))
		return -EISDIR;
	return 0;
}

const char *rights_problem(int e, int rights)
{
	switch (e) {
	case ENOTDIR:
		return "directory rights on something that is not a directory";
	case EISDIR:
		return "file rights on a directory (use SBX_RIGHTS_DIR)";
	case EACCES:
		return rights == SBX_RIGHTS_READ
			       ? "read rights on a descriptor not open for reading"
			       : "write rights on a descriptor not open for writing";
	case ENXIO:
		return "this kind of descriptor (a socket?) cannot be reopened with fewer rights; "
		       "hand it over as it is";
	}
	return strerror(e);
}

int sbx_fd_narrow(int fd, int rights, sbx_error *err)
{
	int want = rights_open_flags(rights);
	if (want < 0)
		return err_setx(err, SBX_STAGE_CONFIG, EINVAL, "narrow fd %d: unknown rights %d",
				fd, rights);
	int have = fcntl(fd, F_GETFL);
	if (have < 0)
		return err_set(err, SBX_STAGE_CONFIG, errno, "narrow fd %d", fd);
	int r = rights_check(fd, rights);
	if (r == 0 && rights == SBX_RIGHTS_AS_IS) {
		int d = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		return d >= 0 ? d : err_set(err, SBX_STAGE_CONFIG, errno, "narrow fd %d", fd);
	}
	/* never wider: an O_PATH descriptor has no read or write at all */
	int mode = have & O_ACCMODE;
	bool path_only = have & O_PATH;
	if (r == 0 && !rights_is_dir(rights)) {
		bool need_read = (want & O_ACCMODE) != O_WRONLY;
		bool need_write = (want & O_ACCMODE) != O_RDONLY;
		if (path_only || (need_read && mode == O_WRONLY) ||
		    (need_write && mode == O_RDONLY))
			r = -EACCES;
	}
	if (r < 0)
		return err_setx(err, SBX_STAGE_CONFIG, -r, "narrow fd %d: %s", fd,
				rights_problem(-r, rights));
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	int nfd = open(link, want | O_CLOEXEC | O_NOCTTY);
	if (nfd < 0)
		return err_setx(err, SBX_STAGE_CONFIG, errno, "narrow fd %d: %s", fd,
				errno == ENXIO || errno == ENODEV ? rights_problem(ENXIO, rights)
								  : strerror(errno));
	return nfd;
}

int sbx_openat_beneath(int dirfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

/* ---------------------------------------------------------------- shared buffers */

int sbx_shm_create(const char *name, size_t size, sbx_error *err)
{
	int fd = memfd_create(name ? name : "sbx-shm", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return err_set(err, SBX_STAGE_RUN, errno, "shared buffer: memfd_create");
	if (ftruncate(fd, (off_t)size) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0) {
		int e = errno;
		close(fd);
		return err_set(err, SBX_STAGE_RUN, e, "shared buffer of %zu bytes", size);
	}
	return fd;
}

int sbx_shm_seal_readonly(int fd, sbx_error *err)
{
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE | F_SEAL_SEAL) < 0)
		return err_set(err, SBX_STAGE_RUN, errno, "shared buffer: seal against writes");
	return 0;
}

int sbx_shm_check(int fd, size_t size, int readonly, sbx_error *err)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return err_set(err, SBX_STAGE_RUN, errno, "shared buffer: fd %d", fd);
	int seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0)
		return err_setx(err, SBX_STAGE_RUN, EBADF,
				"shared buffer: fd %d is not a sealable "
				"memfd",
				fd);
	int want = F_SEAL_SHRINK | F_SEAL_GROW | (readonly ? F_SEAL_FUTURE_WRITE : 0);
	if ((seals & want) != want)
		return err_setx(err, SBX_STAGE_RUN, EPERM,
				"shared buffer: fd %d lacks its seals (0x%x, want 0x%x): its size "
				"could change under a mapping",
				fd, seals, want);
	if ((size_t)st.st_size != size)
		return err_setx(err, SBX_STAGE_RUN, EINVAL,
				"shared buffer: fd %d holds %lld bytes, not %zu", fd,
				(long long)st.st_size, size);
	return 0;
}
