/* The PC keyboard controller (i8042) at ports 0x60 (data) and 0x64
 * (status and commands), as far as a guest kernel needs it: its reset line
 * (command 0xFE), which is how guests end, and the controller commands
 * Linux's driver sends when it probes (read and write the command byte,
 * self-tests, port enables, the aux loopback), answered at once so the
 * probe does not wait out its timeouts. No keyboard or mouse is attached:
 * nothing ever arrives from one, so no interrupt is raised. */
#ifndef SBX_VM_I8042_H
#define SBX_VM_I8042_H

#include <stdbool.h>
#include <stdint.h>

struct i8042 {
	uint8_t ctr;	 /* the command byte */
	uint8_t pending; /* a command waiting for its data byte, or 0 */
	uint8_t out[4];	 /* the output buffer: bytes for the guest to read */
	uint8_t out_aux; /* bit i: out[i] comes from the aux port */
	unsigned out_len;
	bool reset; /* the guest pulsed the reset line */
};

void i8042_init(struct i8042 *k);
void i8042_read(void *opaque, uint64_t off, uint8_t *data, uint32_t len);
void i8042_write(void *opaque, uint64_t off, const uint8_t *data, uint32_t len);

#endif
