/* Loading a bzImage for its 64-bit entry point. Offsets in the setup
 * header and in boot_params are the protocol's (struct setup_header and
 * struct boot_params in the kernel's asm/bootparam.h). Everything read
 * from the image is checked before it is used: the image is as untrusted as
 * the guest. */
#include "config.h"

#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

#include "boot.h"
#include "error.h"

/* setup header, as offsets into the image and into boot_params */
#define HDR_SETUP_SECTS 0x1f1
#define HDR_BOOT_FLAG 0x1fe
#define HDR_JUMP 0x200
#define HDR_MAGIC 0x202
#define HDR_VERSION 0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21c
#define HDR_HEAP_END_PTR 0x224
#define HDR_CMD_LINE_PTR 0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_XLOADFLAGS 0x236
#define HDR_CMDLINE_SIZE 0x238
#define HDR_INIT_SIZE 0x260
/* boot_params beyond the header */
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_E820_TABLE 0x2d0
#define E820_MAX 128

#define LOADED_HIGH 0x01
#define CAN_USE_HEAP 0x80
#define XLF_KERNEL_64 0x01
#define E820_RAM 1
#define E820_RESERVED 2

#define BOOT_ERR(err, ...) err_setx(err, SBX_STAGE_PREPARE, ENOEXEC, __VA_ARGS__)

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void e820_add(uint8_t *bp, uint64_t addr, uint64_t size, uint32_t type)
{
	uint8_t n = bp[BP_E820_ENTRIES];
	if (n == E820_MAX || !size)
		return;
	uint8_t *e = bp + BP_E820_TABLE + 20u * n;
	put64(e, addr);
	put64(e + 8, size);
	put32(e + 16, type);
	bp[BP_E820_ENTRIES] = (uint8_t)(n + 1);
}

/* A flat GDT: null, null, 64-bit code at BOOT_CS, data at BOOT_DS. */
static int write_gdt(struct guestmem *m)
{
	uint64_t gdt[4] = {0, 0, 0x00af9b000000ffffull, 0x00cf93000000ffffull};
	uint8_t *p = guestmem_ptr(m, BOOT_GDT, sizeof(gdt));
	if (!p)
		return -1;
	for (int i = 0; i < 4; i++)
		put64(p + 8 * i, gdt[i]);
	return 0;
}

/* Identity map of the low 4 GiB in 2 MiB pages: PML4 -> PDPT -> 4 PDs. */
static int write_page_tables(struct guestmem *m)
{
	uint8_t *pml4 = guestmem_ptr(m, BOOT_PML4, 6 * 4096);
	if (!pml4)
		return -1;
	memset(pml4, 0, 6 * 4096);
	uint64_t pdpt = BOOT_PML4 + 4096, pd = pdpt + 4096;
	put64(pml4, pdpt | 3); /* present, writable */
	for (uint64_t i = 0; i < 4; i++) {
		put64(pml4 + 4096 + 8 * i, (pd + 4096 * i) | 3);
		for (uint64_t j = 0; j < 512; j++)
			put64(pml4 + 8192 + 4096 * i + 8 * j,
			      ((i * 512 + j) << 21) | 0x83); /* present, writable, 2 MiB */
	}
	return 0;
}

int boot_load(struct guestmem *m, const struct boot_image *img, struct boot_entry *entry,
	      sbx_error *err)
{
	const uint8_t *k = img->data;
	if (img->len < 0x400 || get16(k + HDR_BOOT_FLAG) != 0xaa55 ||
	    memcmp(k + HDR_MAGIC, "HdrS", 4))
		return BOOT_ERR(err, "vm: kernel: not a bzImage (no boot flag or \"HdrS\" header)");
	uint16_t version = get16(k + HDR_VERSION);
	if (version < 0x020c)
		return BOOT_ERR(err,
				"vm: kernel: boot protocol %u.%02u, 2.12 or later needed for the "
				"64-bit entry",
				version >> 8, version & 0xff);
	if (!(get16(k + HDR_XLOADFLAGS) & XLF_KERNEL_64))
		return BOOT_ERR(err, "vm: kernel: has no 64-bit entry point (XLF_KERNEL_64)");
	unsigned setup_sects = k[HDR_SETUP_SECTS] ? k[HDR_SETUP_SECTS] : 4;
	uint64_t setup_len = (setup_sects + 1ull) * 512;
	/* the header runs from 0x1f1 to 0x202 plus the jump's offset */
	uint64_t hdr_end = 0x202ull + k[HDR_JUMP + 1];
	if (setup_len >= img->len || hdr_end > setup_len || hdr_end > 4096)
		return BOOT_ERR(err, "vm: kernel: setup header larger than the image");
	uint64_t kernel_len = img->len - setup_len;
	uint64_t ram_end = m->size;
	/* the kernel decompresses itself into init_size bytes from where it is */
	uint64_t span = kernel_len;
	if (version >= 0x020a && hdr_end > HDR_INIT_SIZE + 4 && get32(k + HDR_INIT_SIZE) > span)
		span = get32(k + HDR_INIT_SIZE);
	uint8_t *kdst = guestmem_ptr(m, BOOT_KERNEL, span);
	if (!kdst)
		return BOOT_ERR(err,
				"vm: kernel: needs %llu MiB from 1 MiB up; the VM has %llu MiB",
				(unsigned long long)((span + (1 << 20) - 1) >> 20),
				(unsigned long long)(ram_end >> 20));
	memcpy(kdst, k + setup_len, kernel_len);

	uint8_t *bp = guestmem_ptr(m, BOOT_PARAMS, 4096);
	uint8_t *cl = guestmem_ptr(m, BOOT_CMDLINE, BOOT_CMDLINE_MAX);
	if (!bp || !cl || write_gdt(m) || write_page_tables(m))
		return BOOT_ERR(err, "vm: memory too small for the boot structures");
	memset(bp, 0, 4096);
	memcpy(bp + HDR_SETUP_SECTS, k + HDR_SETUP_SECTS, hdr_end - HDR_SETUP_SECTS);
	bp[HDR_TYPE_OF_LOADER] = 0xff; /* a loader without an assigned id */
	bp[HDR_LOADFLAGS] |= LOADED_HIGH | CAN_USE_HEAP;
	put16(bp + HDR_HEAP_END_PTR, 0xfe00);

	const char *cmd = img->cmdline ? img->cmdline : "";
	size_t cmd_len = strlen(cmd);
	uint32_t cmd_max = get32(k + HDR_CMDLINE_SIZE); /* without its NUL */
	if (cmd_len >= BOOT_CMDLINE_MAX || (version >= 0x0206 && cmd_len > cmd_max))
		return BOOT_ERR(
			err, "vm: command line of %zu bytes; the kernel takes %u at most", cmd_len,
			version >= 0x0206 && cmd_max < BOOT_CMDLINE_MAX - 1 ? cmd_max
									    : BOOT_CMDLINE_MAX - 1);
	memset(cl, 0, BOOT_CMDLINE_MAX);
	memcpy(cl, cmd, cmd_len);
	put32(bp + HDR_CMD_LINE_PTR, (uint32_t)BOOT_CMDLINE);

	entry->initrd_addr = 0;
	if (img->initrd && img->initrd_len) {
		/* as high as the kernel allows, page-aligned, above the kernel */
		uint64_t max = get32(k + HDR_INITRD_ADDR_MAX);
		uint64_t top = ram_end < max + 1 ? ram_end : max + 1;
		uint64_t addr = top > img->initrd_len ? (top - img->initrd_len) & ~0xfffull : 0;
		uint8_t *idst = guestmem_ptr(m, addr, img->initrd_len);
		if (!idst || addr < BOOT_KERNEL + span)
			return BOOT_ERR(
				err,
				"vm: initrd: %llu bytes do not fit below %llu MiB beside the "
				"kernel",
				(unsigned long long)img->initrd_len,
				(unsigned long long)(top >> 20));
		memcpy(idst, img->initrd, img->initrd_len);
		put32(bp + HDR_RAMDISK_IMAGE, (uint32_t)addr);
		put32(bp + HDR_RAMDISK_SIZE, (uint32_t)img->initrd_len);
		put32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(addr >> 32));
		put32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(img->initrd_len >> 32));
		entry->initrd_addr = addr;
	}
	put32(bp + BP_EXT_CMD_LINE_PTR, 0);

	e820_add(bp, 0, BOOT_LOW_RAM_END, E820_RAM);
	e820_add(bp, BOOT_LOW_RAM_END, BOOT_KERNEL - BOOT_LOW_RAM_END, E820_RESERVED);
	e820_add(bp, BOOT_KERNEL, ram_end - BOOT_KERNEL, E820_RAM);

	entry->rip = BOOT_KERNEL + 0x200; /* startup_64 */
	entry->rsi = BOOT_PARAMS;
	return 0;
}

int boot_cpu(int vcpu_fd, const struct boot_entry *entry, sbx_error *err)
{
	struct kvm_sregs s;
	if (ioctl(vcpu_fd, KVM_GET_SREGS, &s) < 0)
		return err_set(err, SBX_STAGE_PREPARE, errno, "vm: KVM_GET_SREGS");
	struct kvm_segment code = {
		.base = 0,
		.limit = 0xffffffff,
		.selector = BOOT_CS,
		.type = 11, /* execute, read */
		.present = 1,
		.s = 1,
		.l = 1,
		.g = 1,
	};
	struct kvm_segment data = code;
	data.selector = BOOT_DS;
	data.type = 3; /* read, write */
	data.l = 0;
	data.db = 1;
	s.cs = code;
	s.ds = s.es = s.fs = s.gs = s.ss = data;
	s.gdt.base = BOOT_GDT;
	s.gdt.limit = 4 * 8 - 1;
	s.cr3 = BOOT_PML4;
	s.cr4 = 1u << 5;		   /* PAE */
	s.cr0 = 0x80000001u | 0x10 | 0x20; /* PG, PE, ET, NE */
	s.efer = 0x500;			   /* LME, LMA */
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &s) < 0)
		return err_set(err, SBX_STAGE_PREPARE, errno, "vm: KVM_SET_SREGS");
	struct kvm_regs r = {.rip = entry->rip, .rsi = entry->rsi, .rflags = 2};
	if (ioctl(vcpu_fd, KVM_SET_REGS, &r) < 0)
		return err_set(err, SBX_STAGE_PREPARE, errno, "vm: KVM_SET_REGS");
	return 0;
}
