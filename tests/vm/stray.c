/* Accesses no device claims: ports nobody has, and guest-physical
 * addresses above RAM (MMIO exits). Each reads all ones; the VMM counts
 * them, stays up, and the payload ends normally. */
#include "payload.h"

void payload_main(uint64_t bp)
{
	(void)bp;
	say("port", inl(0xcfc)); /* no PCI host bridge */
	outb(0x510, 0x42);	 /* nothing there */
	volatile uint32_t *far = (volatile uint32_t *)(uintptr_t)0xd0000000u;
	say("mmio", *far);
	*far = 0x12345678;
	say("mmio_after_write", *far);
	/* an access that straddles the end of a device's range */
	say("straddle", inl(0x3fe));
	puts("done\n");
	reset();
}
