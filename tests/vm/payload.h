/* What the freestanding test payloads share: port I/O, polled UART output,
 * the entry stub, and the i8042 reset that ends the VM. No libc. */
#ifndef SBX_PAYLOAD_H
#define SBX_PAYLOAD_H

#include <stdint.h>

#define COM1 0x3f8
#define COM2 0x2f8
#define COM3 0x3e8
#define COM4 0x2e8

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void putc_on(uint16_t port, char c)
{
	while (!(inb(port + 5) & 0x20)) /* LSR: transmitter empty */
		;
	outb(port, (uint8_t)c);
}

static inline void puts_on(uint16_t port, const char *s)
{
	while (*s)
		putc_on(port, *s++);
}

static inline void puthex_on(uint16_t port, uint64_t v)
{
	puts_on(port, "0x");
	int started = 0;
	for (int i = 60; i >= 0; i -= 4) {
		unsigned d = (v >> i) & 0xf;
		if (d || started || i == 0) {
			putc_on(port, (char)(d < 10 ? '0' + d : 'a' + d - 10));
			started = 1;
		}
	}
}

#define puts(s) puts_on(COM1, s)
#define puthex(v) puthex_on(COM1, v)

/* "key=value\n" */
static inline void say(const char *key, uint64_t v)
{
	puts(key);
	puts("=");
	puthex(v);
	puts("\n");
}

/* The i8042's reset command: how a payload ends the VM. */
static inline __attribute__((noreturn)) void reset(void)
{
	outb(0x64, 0xfe);
	for (;;)
		__asm__ volatile("hlt");
}

void payload_main(uint64_t boot_params);

static uint8_t payload_stack[16384] __attribute__((aligned(16)));

/* The 64-bit entry point: a stack, boot_params (RSI) as the argument. */
__attribute__((section(".text.entry"), naked, used)) static void _start(void)
{
	__asm__ volatile("lea %c0+%c1(%%rip), %%rsp\n"
			 "mov %%rsi, %%rdi\n"
			 "call payload_main\n"
			 "1: hlt\n"
			 "jmp 1b\n"
			 :
			 : "i"(payload_stack), "i"(sizeof(payload_stack)));
}

#endif
