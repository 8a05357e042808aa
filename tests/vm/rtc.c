/* The CMOS clock as Linux reads it: the time in BCD (the default), then in
 * binary after setting status B's format bit, the status registers, and a
 * byte of CMOS RAM written and read back. Writing the time must not change
 * it. check_vm compares the time with the host's. */
#include "payload.h"

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg | 0x80); /* with NMIs off, as Linux does */
	return inb(0x71);
}

static void cmos_set(uint8_t reg, uint8_t v)
{
	outb(0x70, reg);
	outb(0x71, v);
}

static void say_time(const char *fmt)
{
	puts(fmt);
	puts("=");
	static const uint8_t regs[] = {0x32, 0x09, 0x08, 0x07, 0x04, 0x02, 0x00};
	for (unsigned i = 0; i < sizeof(regs); i++) {
		puthex(cmos(regs[i]));
		puts(i + 1 < sizeof(regs) ? " " : "\n");
	}
}

void payload_main(uint64_t bp)
{
	(void)bp;
	say("status_a", cmos(0x0a));
	say("status_b", cmos(0x0b));
	say("status_d", cmos(0x0d));
	say_time("bcd");
	cmos_set(0x0b, cmos(0x0b) | 0x04);
	say_time("binary");
	cmos_set(0x00, 0x3b); /* the guest cannot set the clock */
	cmos_set(0x09, 0x01);
	say_time("after_set");
	cmos_set(0x40, 0x5a);
	say("ram_0x40", cmos(0x40));
	say("index_port", inb(0x70));
	puts("done\n");
	reset();
}
