/* Wraps a flat 64-bit payload (linked at 1 MiB, entry at +0x200) in a
 * bzImage setup header, so that the VMM loads the test payloads through
 * the same boot-protocol path as a Linux kernel.
 *   mkbzimage PAYLOAD.bin OUT */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: mkbzimage PAYLOAD.bin OUT\n");
		return 2;
	}
	FILE *in = fopen(argv[1], "rb");
	if (!in) {
		perror(argv[1]);
		return 1;
	}
	static uint8_t body[16 << 20];
	size_t n = fread(body, 1, sizeof(body), in);
	fclose(in);
	uint8_t setup[1024] = {0}; /* the boot sector and one setup sector */
	setup[0x1f1] = 1;	   /* setup_sects */
	put(setup + 0x1fe, 0xaa55, 2);
	setup[0x200] = 0xeb; /* jmp over the header, which ends at 0x268 */
	setup[0x201] = 0x268 - 0x202;
	memcpy(setup + 0x202, "HdrS", 4);
	put(setup + 0x206, 0x020f, 2);	   /* protocol 2.15 */
	setup[0x211] = 0x01;		   /* loadflags: LOADED_HIGH */
	put(setup + 0x22c, 0x7fffffff, 4); /* initrd_addr_max */
	put(setup + 0x230, 0x200000, 4);   /* kernel_alignment */
	put(setup + 0x236, 0x0003, 2);	   /* xloadflags: 64-bit entry, above 4 GiB */
	put(setup + 0x238, 2047, 4);	   /* cmdline_size */
	put(setup + 0x258, 0x100000, 8);   /* pref_address */
	put(setup + 0x260, (n + 4095) & ~(size_t)4095, 4); /* init_size: bss is in the file */
	FILE *out = fopen(argv[2], "wb");
	if (!out || fwrite(setup, 1, sizeof(setup), out) != sizeof(setup) ||
	    fwrite(body, 1, n, out) != n || fclose(out) != 0) {
		perror(argv[2]);
		return 1;
	}
	return 0;
}
