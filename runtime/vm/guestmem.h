/* Guest RAM: one memfd mapped into the VMM, and the one function through
 * which every guest-physical address is turned into a host pointer. */
#ifndef SBX_VM_GUESTMEM_H
#define SBX_VM_GUESTMEM_H

#include <stdint.h>

#include "sandbox.h"

struct guestmem {
	uint8_t *base;
	uint64_t size;
	int fd; /* the memfd, O_CLOEXEC */
};

/* size bytes of zeroed RAM at guest-physical 0. */
int guestmem_init(struct guestmem *m, uint64_t size, sbx_error *err);
void guestmem_free(struct guestmem *m);

/* The host address of guest-physical [gpa, gpa + len), or NULL when any
 * byte of it is outside RAM (or the sum overflows). Every access to guest
 * memory, whether the VMM or the guest chose the address, goes through
 * here. */
void *guestmem_ptr(const struct guestmem *m, uint64_t gpa, uint64_t len);

#endif
