/* The i8042 as Linux's driver probes it: status, the command byte read and
 * written, the self-test, the aux loopback (flagged as from the aux port),
 * and a byte to the keyboard, which nobody answers. Ends with the reset
 * command, as every payload does. */
#include "payload.h"

static void cmd(uint8_t c)
{
	outb(0x64, c);
}

void payload_main(uint64_t bp)
{
	(void)bp;
	say("status", inb(0x64));
	cmd(0x20);
	say("status_obf", inb(0x64) & 1);
	say("ctr", inb(0x60));
	cmd(0x60);
	outb(0x60, 0x65);
	cmd(0x20);
	say("ctr_written", inb(0x60));
	cmd(0xaa);
	say("self_test", inb(0x60));
	cmd(0xd3);
	outb(0x60, 0x5a);
	say("loop_status", inb(0x64) & 0x21);
	say("loop", inb(0x60));
	outb(0x60, 0xf2); /* "identify" to a keyboard that is not there */
	say("no_answer", inb(0x64) & 1);
	puts("done\n");
	reset();
}
