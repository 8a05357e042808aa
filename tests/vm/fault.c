/* A triple fault: with an empty IDT, an invalid opcode cannot be delivered,
 * nor the #GP that follows, nor the double fault after it. */
#include "payload.h"

void payload_main(uint64_t bp)
{
	(void)bp;
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} idt = {0, 0};
	puts("faulting\n");
	__asm__ volatile("lidt %0; ud2" : : "m"(idt));
	puts("survived\n");
	reset();
}
