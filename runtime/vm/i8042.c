/* i8042. Command numbers and status bits as in Linux's
 * drivers/input/serio/i8042.h. */
#include "config.h"

#include <string.h>

#include "i8042.h"

#define STATUS_OBF 0x01	     /* a byte is waiting at port 0x60 */
#define STATUS_SYS 0x04	     /* the self-test passed (set since power-on here) */
#define STATUS_CMD 0x08	     /* the last write was to the command port */
#define STATUS_UNLOCKED 0x10 /* the keylock switch is off (Linux warns otherwise) */
#define STATUS_AUX 0x20	     /* the waiting byte is from the aux port */
#define CTR_DEFAULT 0x45     /* keyboard interrupt, system flag, translation */

enum {
	CMD_READ_CTR = 0x20,
	CMD_WRITE_CTR = 0x60,
	CMD_AUX_DISABLE = 0xa7,
	CMD_AUX_ENABLE = 0xa8,
	CMD_AUX_TEST = 0xa9,
	CMD_SELF_TEST = 0xaa,
	CMD_KBD_TEST = 0xab,
	CMD_KBD_DISABLE = 0xad,
	CMD_KBD_ENABLE = 0xae,
	CMD_READ_OUTPORT = 0xd0,
	CMD_WRITE_OUTPORT = 0xd1,
	CMD_AUX_LOOP = 0xd3,
	CMD_AUX_SEND = 0xd4,
	CMD_RESET = 0xfe,
};

void i8042_init(struct i8042 *k)
{
	memset(k, 0, sizeof(*k));
	k->ctr = CTR_DEFAULT;
}

static void push(struct i8042 *k, uint8_t v, bool aux)
{
	if (k->out_len == sizeof(k->out))
		return; /* the guest did not read: a real controller drops it too */
	k->out_aux =
		(uint8_t)(aux ? k->out_aux | 1u << k->out_len : k->out_aux & ~(1u << k->out_len));
	k->out[k->out_len++] = v;
}

void i8042_read(void *opaque, uint64_t off, uint8_t *data, uint32_t len)
{
	struct i8042 *k = opaque;
	memset(data, 0, len);
	if (off == 4) {
		data[0] = STATUS_SYS | STATUS_UNLOCKED | (k->pending ? STATUS_CMD : 0) |
			  (k->out_len ? STATUS_OBF | (k->out_aux & 1 ? STATUS_AUX : 0) : 0);
		return;
	}
	if (off != 0 || !k->out_len)
		return;
	data[0] = k->out[0];
	memmove(k->out, k->out + 1, --k->out_len);
	k->out_aux >>= 1;
}

static void command(struct i8042 *k, uint8_t cmd)
{
	switch (cmd) {
	case CMD_READ_CTR:
		push(k, k->ctr, false);
		break;
	case CMD_WRITE_CTR:
	case CMD_WRITE_OUTPORT:
	case CMD_AUX_LOOP:
	case CMD_AUX_SEND:
		k->pending = cmd; /* the data byte follows at port 0x60 */
		break;
	case CMD_AUX_DISABLE:
		k->ctr |= 0x20;
		break;
	case CMD_AUX_ENABLE:
		k->ctr &= (uint8_t)~0x20;
		break;
	case CMD_KBD_DISABLE:
		k->ctr |= 0x10;
		break;
	case CMD_KBD_ENABLE:
		k->ctr &= (uint8_t)~0x10;
		break;
	case CMD_SELF_TEST:
		push(k, 0x55, false);
		break;
	case CMD_AUX_TEST:
	case CMD_KBD_TEST:
		push(k, 0x00, false); /* the interface lines are fine */
		break;
	case CMD_READ_OUTPORT:
		push(k, 0x01, false); /* the reset line not asserted */
		break;
	case CMD_RESET:
		k->reset = true;
		break;
	}
}

void i8042_write(void *opaque, uint64_t off, const uint8_t *data, uint32_t len)
{
	struct i8042 *k = opaque;
	(void)len;
	if (off == 4) {
		k->pending = 0;
		command(k, data[0]);
		return;
	}
	if (off != 0)
		return;
	uint8_t cmd = k->pending;
	k->pending = 0;
	switch (cmd) {
	case CMD_WRITE_CTR:
		k->ctr = data[0];
		break;
	case CMD_WRITE_OUTPORT:
		if (!(data[0] & 1)) /* bit 0 low: the CPU's reset line asserted */
			k->reset = true;
		break;
	case CMD_AUX_LOOP: /* back as if the mouse had sent it */
		push(k, data[0], true);
		break;
	default: /* to the keyboard or the mouse: nobody there, no answer */
		break;
	}
}
