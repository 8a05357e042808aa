/* An 8250/16550A UART, as Linux's 8250 driver and freestanding guests
 * drive it: transmit to an fd, receive from an fd, the divisor latch, the
 * FIFO control and scratch registers, and the receive-data and
 * transmitter-empty interrupts on an IRQ line. */
#ifndef SBX_VM_UART_H
#define SBX_VM_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UART_OUT_BUF 4096

struct uart {
	const char *name;
	int out_fd; /* what the guest transmits; -1 drops it (borrowed) */
	int in_fd;  /* what the guest receives; -1 for nothing (borrowed) */
	/* raise or lower the UART's IRQ line; NULL without an interrupt controller */
	void (*irq)(void *opaque, bool level);
	void *irq_opaque;

	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	bool thre_pending; /* transmitter-empty interrupt, until IIR is read or THR written */
	bool in_eof;
	int rx; /* a received byte not read yet, or -1 */
	bool irq_level;
	uint8_t out[UART_OUT_BUF];
	size_t out_len;
	uint64_t out_total; /* bytes the guest sent */
};

void uart_init(struct uart *u, const char *name, int out_fd, int in_fd);
void uart_read(void *opaque, uint64_t off, uint8_t *data, uint32_t len);
void uart_write(void *opaque, uint64_t off, const uint8_t *data, uint32_t len);
/* Writes out what the guest sent and the VMM still holds. */
void uart_flush(struct uart *u);

#endif
