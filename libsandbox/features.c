/* Library version and what this kernel offers, probed at run time. */
#include "config.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "error.h"
#include "sandbox.h"
#include "util.h"

#define STR2(x) #x
#define STR(x) STR2(x)

const char *sbx_version(void)
{
	return STR(SBX_VERSION_MAJOR) "." STR(SBX_VERSION_MINOR) "." STR(SBX_VERSION_PATCH);
}

static long read_long(const char *path, long fallback)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return fallback;
	long v = fallback;
	if (fscanf(f, "%ld", &v) != 1)
		v = fallback;
	fclose(f);
	return v;
}

int sbx_probe(sbx_features *f, sbx_error *err)
{
	if (!f || f->size < offsetof(sbx_features, kernel_minor) + sizeof(f->kernel_minor))
		return err_setx(err, SBX_STAGE_CONFIG, EINVAL,
				"probe: NULL or too small sbx_features (set size)");
	int saved = errno;
	static const struct {
		unsigned bit;
		const char *file;
	} ns[] = {
		{SBX_NS_USER, "user"},	   {SBX_NS_PID, "pid"},	  {SBX_NS_MOUNT, "mnt"},
		{SBX_NS_UTS, "uts"},	   {SBX_NS_IPC, "ipc"},	  {SBX_NS_NET, "net"},
		{SBX_NS_CGROUP, "cgroup"}, {SBX_NS_TIME, "time"},
	};
	f->namespaces = 0;
	for (size_t i = 0; i < ARRAY_SIZE(ns); i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i].file);
		if (access(path, F_OK) == 0)
			f->namespaces |= ns[i].bit;
	}
	/* Debian's knob (absent on mainline kernels, where it is always on) and
	 * the per-user-namespace limit */
	f->unprivileged_userns = (f->namespaces & SBX_NS_USER) &&
				 read_long("/proc/sys/kernel/unprivileged_userns_clone", 1) != 0 &&
				 read_long("/proc/sys/user/max_user_namespaces", 1) > 0;
	struct utsname u;
	f->kernel_major = f->kernel_minor = 0;
	if (uname(&u) == 0 && sscanf(u.release, "%d.%d", &f->kernel_major, &f->kernel_minor) < 2)
		f->kernel_minor = 0;
	if (f->size >= offsetof(sbx_features, landlock_abi) + sizeof(f->landlock_abi))
		f->landlock_abi = sbx_landlock_abi();
	if (f->size >= offsetof(sbx_features, libseccomp) + sizeof(f->libseccomp)) {
		const struct scmp_version *v = seccomp_version();
		snprintf(f->libseccomp, sizeof(f->libseccomp), "%u.%u.%u", v->major, v->minor,
			 v->micro);
	}
	errno = saved;
	return 0;
}
