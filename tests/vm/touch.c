/* Writes to every page of RAM the e820 map gives it, so that each is
 * backed on the host: the guest's memory made the VMM's, for the tests of
 * the VMM's memory limit. */
#include "payload.h"

void payload_main(uint64_t bp)
{
	const uint8_t *params = (const uint8_t *)bp;
	uint8_t entries = params[0x1e8];
	const struct {
		uint64_t addr, size;
		uint32_t type;
	} __attribute__((packed)) *e820 = (const void *)(params + 0x2d0);
	uint64_t touched = 0;
	for (uint8_t i = 0; i < entries && i < 128; i++) {
		uint64_t from = e820[i].addr, end = from + e820[i].size;
		if (from < 0x400000)
			from = 0x400000; /* below: this payload and its tables */
		if (e820[i].type != 1)
			continue;
		for (uint64_t a = from; a < end; a += 4096) {
			*(volatile uint8_t *)a = 0x5a;
			touched += 4096;
		}
	}
	say("touched_mb", touched >> 20);
	reset();
}
