/* The UARTs in interrupt mode, as Linux's 8250 driver uses them: COM1
 * sends a line one byte per transmitter-empty interrupt (IRQ 4), COM2
 * takes a line by received-data interrupts (IRQ 3), through the in-kernel
 * PIC remapped to vectors 0x20-0x2f and the local APIC in virtual-wire
 * mode (LINT0 as ExtINT), as Linux sets them up without ACPI tables. */
#include "payload.h"

struct gate {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, zero;
} __attribute__((packed));

static struct gate idt[256] __attribute__((aligned(16)));
static const char msg[] = "sent by interrupts\n";
static volatile unsigned sent, thr_irqs, rx_irqs, rx_len, tx_done, rx_done;
static volatile char rx[64];

struct frame;

static void eoi(void)
{
	outb(0x20, 0x20); /* the master PIC: end of interrupt */
}

__attribute__((interrupt)) static void com1_irq(struct frame *f)
{
	(void)f;
	if ((inb(COM1 + 2) & 0x0f) == 0x02) { /* IIR: transmitter empty */
		thr_irqs++;
		if (sent < sizeof(msg) - 1) {
			outb(COM1, (uint8_t)msg[sent++]);
		} else {
			outb(COM1 + 1, 0); /* IER off: done */
			tx_done = 1;
		}
	}
	eoi();
}

__attribute__((interrupt)) static void com2_irq(struct frame *f)
{
	(void)f;
	rx_irqs++;
	while (inb(COM2 + 5) & 1) { /* LSR: data ready */
		char c = (char)inb(COM2);
		if (rx_len < sizeof(rx) - 1)
			rx[rx_len++] = c;
		if (c == '\n') {
			outb(COM2 + 1, 0);
			rx_done = 1;
		}
	}
	eoi();
}

static void set_gate(int vec, void (*fn)(struct frame *))
{
	uint64_t a = (uint64_t)(uintptr_t)fn;
	idt[vec] = (struct gate){(uint16_t)a,	      0x10, 0, 0x8e, (uint16_t)(a >> 16),
				 (uint32_t)(a >> 32), 0};
}

static void apic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(0xfee00000u + reg) = v;
}

void payload_main(uint64_t bp)
{
	(void)bp;
	set_gate(0x23, com2_irq);
	set_gate(0x24, com1_irq);
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} idtr = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};
	__asm__ volatile("lidt %0" : : "m"(idtr));
	/* the PICs: edge-triggered, vectors 0x20 and 0x28, cascade on IRQ 2 */
	outb(0x20, 0x11), outb(0xa0, 0x11);
	outb(0x21, 0x20), outb(0xa1, 0x28);
	outb(0x21, 0x04), outb(0xa1, 0x02);
	outb(0x21, 0x01), outb(0xa1, 0x01);
	outb(0x21, 0xe7), outb(0xa1, 0xff); /* only IRQ 3 and 4 */
	/* the local APIC on, LINT0 passing the PIC's interrupts (ExtINT) */
	apic_write(0xf0, 0x1ff);
	apic_write(0x350, 0x700);
	/* OUT2 gates each UART's interrupt onto the bus */
	outb(COM1 + 4, 0x08);
	outb(COM2 + 4, 0x08);
	outb(COM2 + 1, 0x01); /* received data available */
	outb(COM1 + 1, 0x02); /* transmitter empty: interrupts at once */
	while (!tx_done || !rx_done)
		__asm__ volatile("sti; hlt; cli");
	say("thr_irqs", thr_irqs);
	say("rx_irqs_nonzero", rx_irqs > 0);
	puts("rx=");
	for (unsigned i = 0; i < rx_len; i++)
		putc_on(COM1, rx[i]);
	puts("done\n");
	reset();
}
