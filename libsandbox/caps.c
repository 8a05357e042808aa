#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "caps.h"
#include "sys.h"

bool caps_caller_has(int cap)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	if (sys_capget(&h, d) < 0)
		return false;
	return (d[cap / 32].effective >> (cap % 32)) & 1u;
}

int caps_last_cap(void)
{
	return (int)cap_max_bits() - 1;
}

int caps_raise_effective(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2];
	if (sys_capget(&h, d) < 0)
		return -errno;
	for (int i = 0; i < 2; i++)
		d[i].effective = d[i].permitted;
	return sys_capset(&h, d) < 0 ? -errno : 0;
}

int caps_apply(const sbx_caps *keep, bool drop_bounding, int last_cap)
{
	if (drop_bounding) {
		/* Without this, executing a file as uid 0 would grant the
		 * whole bounding set again. */
		for (int c = 0; c <= last_cap && c < 64; c++)
			if (!(keep->bounding >> c & 1) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 &&
			    errno != EINVAL)
				return -errno;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -errno;
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2];
	for (int i = 0; i < 2; i++)
		d[i] = (struct __user_cap_data_struct){
			.effective = (uint32_t)(keep->effective >> (32 * i)),
			.permitted = (uint32_t)(keep->permitted >> (32 * i)),
			.inheritable = (uint32_t)(keep->inheritable >> (32 * i)),
		};
	if (sys_capset(&h, d) < 0)
		return -errno;
	/* what a program that is not uid 0 keeps across exec */
	for (int c = 0; c <= last_cap && c < 64; c++)
		if ((keep->ambient >> c & 1) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
			return -errno;
	return 0;
}
