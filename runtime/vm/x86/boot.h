/* The x86-64 Linux boot protocol (Documentation/arch/x86/boot.rst), 64-bit
 * entry: a bzImage's kernel loaded at 1 MiB, a boot_params page holding its
 * setup header, the e820 map, the command line and the initrd, and a vCPU
 * already in long mode with the low 4 GiB identity-mapped. */
#ifndef SBX_VM_X86_BOOT_H
#define SBX_VM_X86_BOOT_H

#include <stdint.h>

#include "../guestmem.h"
#include "sandbox.h"

/* Where things go in guest-physical memory. */
#define BOOT_GDT 0x500ull
#define BOOT_PARAMS 0x7000ull
#define BOOT_PML4 0x9000ull /* then the PDPT and four page directories */
#define BOOT_CMDLINE 0x20000ull
#define BOOT_CMDLINE_MAX 4096u
#define BOOT_LOW_RAM_END 0x9fc00ull /* the EBDA and BIOS area above are reserved */
#define BOOT_KERNEL 0x100000ull
#define BOOT_CS 0x10
#define BOOT_DS 0x18

struct boot_image {
	const uint8_t *data; /* the bzImage file (borrowed) */
	uint64_t len;
	const uint8_t *initrd; /* or NULL (borrowed) */
	uint64_t initrd_len;
	const char *cmdline; /* or NULL */
};

/* What the vCPU starts with. */
struct boot_entry {
	uint64_t rip, rsi;
	uint64_t initrd_addr;
};

/* Checks the image's setup header (names what is wrong with it), then
 * writes kernel, boot_params, e820 map, command line, initrd, GDT and page
 * tables into guest memory. */
int boot_load(struct guestmem *m, const struct boot_image *img, struct boot_entry *entry,
	      sbx_error *err);

/* Long mode, flat 64-bit segments from the GDT, CR3 at the identity map,
 * interrupts off, RSI = boot_params: the state the protocol promises. */
int boot_cpu(int vcpu_fd, const struct boot_entry *entry, sbx_error *err);

#endif
