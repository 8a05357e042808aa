/* Boots a kernel in the VMM (runtime/vm/) from the command line, for the
 * tests that boot Linux (tests/vm-linux.sh): the guest's COM1 goes to
 * stdout, and the result is one line on stderr.
 *
 *   vmboot KERNEL INITRD CMDLINE WALL_MS MEMORY_MB [COM2 [COM3 [COM4]]]
 *
 * INITRD may be "" for none; COM2..COM4 name files that receive what the
 * guest sends on those ports (the agent's stdout, stderr and control). Exit status: 0 when the VM
 * ran (whatever its end), 1 when it could not be made, 2 for bad arguments. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm/vm.h"

static int number(const char *s, unsigned long long *v)
{
	char *end;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || !*s || *end ? -1 : 0;
}

int main(int argc, char **argv)
{
	unsigned long long wall, mem;
	if (argc < 6 || argc > 9 || number(argv[4], &wall) < 0 || number(argv[5], &mem) < 0 ||
	    mem > 65536) {
		fprintf(stderr, "usage: vmboot KERNEL INITRD CMDLINE WALL_MS MEMORY_MB [COM2 [COM3 "
				"[COM4]]]\n");
		return 2;
	}
	struct vm_options o;
	vm_options_init(&o);
	o.kernel = argv[1];
	o.initrd = argv[2][0] ? argv[2] : NULL;
	o.cmdline = argv[3];
	o.wall_time_ms = wall;
	o.memory_mb = (unsigned)mem;
	o.serial_out[0] = 1;
	for (int i = 6; i < argc; i++) {
		o.serial_out[i - 5] = open(argv[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (o.serial_out[i - 5] < 0) {
			fprintf(stderr, "vmboot: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
	}
	struct vm_result r;
	sbx_error err = {0};
	if (vm_run(&o, &r, &err) < 0) {
		fprintf(stderr, "vmboot: %s\n", err.message);
		return 1;
	}
	fprintf(stderr,
		"vmboot: end=%s wall_ms=%" PRIu64 " setup_us=%" PRIu64 " exits=%" PRIu64
		" unclaimed_port=%" PRIu64 " last_port=%#" PRIx64 " unclaimed_mmio=%" PRIu64
		" com1_bytes=%" PRIu64 "%s%s\n",
		vm_end_name(r.end), r.wall_us / 1000, r.setup_us, r.exits, r.unclaimed_port,
		r.last_unclaimed_port, r.unclaimed_mmio, r.serial_bytes[0], r.detail[0] ? " " : "",
		r.detail);
	return 0;
}
