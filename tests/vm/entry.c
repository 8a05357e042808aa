/* The entry state the boot protocol promises, as the guest sees it:
 * registers, segments, paging, boot_params, the e820 map, the command line
 * and the initrd. Prints key=value lines for check_vm to judge. */
#include "payload.h"

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static void cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(0));
}

void payload_main(uint64_t bp)
{
	uint64_t cr0, cr3, cr4, flags;
	uint16_t cs, ds, ss;
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("pushf; pop %0" : "=r"(flags));
	__asm__ volatile("mov %%cs, %0; mov %%ds, %1; mov %%ss, %2" : "=r"(cs), "=r"(ds), "=r"(ss));
	say("boot_params", bp);
	say("entry", (uint64_t)(uintptr_t)_start);
	say("cs", cs);
	say("ds", ds);
	say("ss", ss);
	say("paging", (cr0 >> 31) & 1);
	say("protected", cr0 & 1);
	say("pae", (cr4 >> 5) & 1);
	say("long_mode_active", (rdmsr(0xc0000080) >> 10) & 1);
	say("interrupts", (flags >> 9) & 1);
	say("cr3", cr3);
	/* what tells Linux it runs on KVM: the hypervisor bit, then the
	 * signature at 0x40000000 */
	uint32_t r[4];
	cpuid(1, r);
	say("hypervisor_bit", r[2] >> 31);
	cpuid(0x40000000, r);
	puts("hypervisor_signature=");
	for (int i = 1; i < 4; i++)
		for (int b = 0; b < 4; b++)
			if ((char)(r[i] >> (8 * b))) /* KVM pads with NULs */
				putc_on(COM1, (char)(r[i] >> (8 * b)));
	puts("\n");

	const uint8_t *p = (const uint8_t *)(uintptr_t)bp;
	puts("magic=");
	for (int i = 0; i < 4; i++)
		putc_on(COM1, (char)p[0x202 + i]);
	puts("\n");
	say("loader", p[0x210]);
	say("loadflags", p[0x211]);
	const char *cmd = (const char *)(uintptr_t) * (const uint32_t *)(p + 0x228);
	puts("cmdline=");
	puts(cmd);
	puts("\n");
	unsigned n = p[0x1e8];
	say("e820_entries", n);
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *e = p + 0x2d0 + 20 * i;
		puts("e820=");
		puthex(*(const uint64_t *)e);
		puts(" ");
		puthex(*(const uint64_t *)(e + 8));
		puts(" ");
		puthex(*(const uint32_t *)(e + 16));
		puts("\n");
	}
	uint64_t rd = *(const uint32_t *)(p + 0x218), rd_size = *(const uint32_t *)(p + 0x21c);
	say("initrd", rd);
	say("initrd_size", rd_size);
	if (rd && rd_size) {
		puts("initrd_text=");
		const char *t = (const char *)(uintptr_t)rd;
		for (uint64_t i = 0; i < rd_size && t[i] != '\n'; i++)
			putc_on(COM1, t[i]);
		puts("\n");
	}
	puts("done\n");
	reset();
}
