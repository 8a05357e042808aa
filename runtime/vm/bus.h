/* The VMM's buses: devices claim ranges of I/O ports or of guest-physical
 * addresses (MMIO); the vCPU loop hands each exit to the device whose
 * range holds the whole access, or counts it as unclaimed. */
#ifndef SBX_VM_BUS_H
#define SBX_VM_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandbox.h"

struct bus_dev {
	const char *name;
	uint64_t base, len;
	void *opaque;
	/* off is relative to base; len is 1, 2, 4 or 8 */
	void (*read)(void *opaque, uint64_t off, uint8_t *data, uint32_t len);
	void (*write)(void *opaque, uint64_t off, const uint8_t *data, uint32_t len);
};

#define BUS_MAX_DEVS 16

struct bus {
	const char *name; /* "port" or "mmio", for messages */
	struct bus_dev devs[BUS_MAX_DEVS];
	size_t n;
	uint64_t unclaimed; /* accesses no device took */
	uint64_t last_unclaimed;
};

/* Refuses a range that is empty, wraps or overlaps another device's. */
int bus_add(struct bus *b, const struct bus_dev *d, sbx_error *err);

/* Dispatches one access; an unclaimed read returns all ones, as on real
 * hardware, and an unclaimed write is dropped. Returns false if unclaimed. */
bool bus_access(struct bus *b, uint64_t addr, uint8_t *data, uint32_t len, bool write);

#endif
