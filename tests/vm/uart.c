/* The UARTs, polled: each COM port transmits, COM2 echoes what it receives
 * (upper-cased) until a newline or end of input, the scratch register and
 * the divisor latch keep what is written, and a string instruction (rep
 * outsb) sends a whole buffer in one exit, and COM4 loops back. */
#include "payload.h"

static const uint16_t ports[4] = {COM1, COM2, COM3, COM4};

void payload_main(uint64_t bp)
{
	(void)bp;
	for (int i = 0; i < 4; i++) {
		puts_on(ports[i], "hello from COM");
		putc_on(ports[i], (char)('1' + i));
		putc_on(ports[i], '\n');
	}
	/* scratch register and divisor latch */
	outb(COM1 + 7, 0x5a);
	say("scratch", inb(COM1 + 7));
	outb(COM1 + 3, 0x80); /* DLAB */
	outb(COM1 + 0, 0x01);
	outb(COM1 + 1, 0x02);
	uint64_t divisor = (uint64_t)inb(COM1 + 1) << 8 | inb(COM1 + 0);
	outb(COM1 + 3, 0x03); /* 8N1, DLAB off: offset 0 transmits again */
	say("divisor", divisor);
	say("msr", inb(COM1 + 6));
	outb(COM1 + 2, 0x01); /* FIFO on: a 16550A says so in IIR */
	say("iir", inb(COM1 + 2));

	/* echo on COM2; LSR bit 0 says a byte is there. The input ends at a
	 * newline, or when no byte has come for a long while. */
	for (;;) {
		unsigned long spins = 0;
		while (!(inb(COM2 + 5) & 1) && ++spins < 2000000)
			;
		if (spins >= 2000000)
			break;
		char c = (char)inb(COM2);
		putc_on(COM2, c >= 'a' && c <= 'z' ? (char)(c - 32) : c);
		if (c == '\n')
			break;
	}

	/* loopback on COM4, as Linux probes it: MSR mirrors MCR, and a byte
	 * sent comes back as received, not out on the line */
	outb(COM4 + 4, 0x1a); /* LOOP, OUT2, RTS */
	say("loop_msr", inb(COM4 + 6) & 0xf0);
	outb(COM4, 'L');
	say("loop_lsr_dr", inb(COM4 + 5) & 1);
	say("loop_rbr", inb(COM4));
	outb(COM4 + 4, 0x00);
	say("unlooped_msr", inb(COM4 + 6));

	static const char block[] = "rep outsb in one exit\n";
	__asm__ volatile("cld; rep outsb"
			 :
			 : "S"(block), "c"(sizeof(block) - 1), "d"((uint16_t)COM3)
			 : "memory");
	puts("done\n");
	reset();
}
