/* Guest RAM. A memfd rather than anonymous memory: it can later be handed
 * to a device process or sealed, and it shows in /proc as what it is. */
#include "config.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error.h"
#include "guestmem.h"
#include "util.h"

int guestmem_init(struct guestmem *m, uint64_t size, sbx_error *err)
{
	m->base = NULL;
	m->size = 0;
	m->fd = memfd_create("sandboxd-guest-ram", MFD_CLOEXEC);
	if (m->fd < 0)
		return err_set(err, SBX_STAGE_PREPARE, errno, "vm: guest memory: memfd_create");
	if (ftruncate(m->fd, (off_t)size) < 0) {
		int e = errno;
		closep(&m->fd);
		return err_set(err, SBX_STAGE_PREPARE, e, "vm: guest memory: %llu MiB",
			       (unsigned long long)(size >> 20));
	}
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, m->fd, 0);
	if (p == MAP_FAILED) {
		int e = errno;
		closep(&m->fd);
		return err_set(err, SBX_STAGE_PREPARE, e, "vm: guest memory: mmap");
	}
	m->base = p;
	m->size = size;
	return 0;
}

void guestmem_free(struct guestmem *m)
{
	if (m->base)
		munmap(m->base, m->size);
	m->base = NULL;
	closep(&m->fd);
}

void *guestmem_ptr(const struct guestmem *m, uint64_t gpa, uint64_t len)
{
	if (!m->base || gpa > m->size || len > m->size - gpa)
		return NULL;
	return m->base + gpa;
}
