/* 8250/16550A. Register offsets and bits as in the PC's UART; with DLAB
 * (LCR bit 7) set, offsets 0 and 1 are the divisor latch. Transmission is
 * instant (the transmitter is always empty), so only the ordering of the
 * interrupt conditions matters, not baud rates. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "uart.h"

enum { RBR_THR = 0, IER = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };
#define LCR_DLAB 0x80
#define IER_RDI 0x01  /* received data available */
#define IER_THRI 0x02 /* transmitter holding register empty */
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define IIR_NONE 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_FIFO 0xc0
#define MCR_OUT2 0x08	 /* on a PC, gates the UART's interrupt onto the bus */
#define MCR_LOOP 0x10	 /* loopback: the line is cut, output returns as input */
#define MSR_PRESENT 0xb0 /* DCD, DSR, CTS: a device is attached */

void uart_init(struct uart *u, const char *name, int out_fd, int in_fd)
{
	memset(u, 0, sizeof(*u));
	u->name = name;
	u->out_fd = out_fd;
	u->in_fd = in_fd;
	u->rx = -1;
	u->in_eof = in_fd < 0;
}

void uart_flush(struct uart *u)
{
	size_t done = 0;
	while (u->out_fd >= 0 && done < u->out_len) {
		ssize_t n = write(u->out_fd, u->out + done, u->out_len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* a reader gone: the guest's output is dropped */
		done += (size_t)n;
	}
	u->out_len = 0;
}

/* A byte from in_fd if one is there now; the guest polls LSR for it. */
static void fill_rx(struct uart *u)
{
	if (u->rx >= 0 || u->in_eof || (u->mcr & MCR_LOOP))
		return;
	struct pollfd p = {.fd = u->in_fd, .events = POLLIN};
	if (poll(&p, 1, 0) <= 0)
		return;
	uint8_t c;
	ssize_t n = read(u->in_fd, &c, 1);
	if (n == 1)
		u->rx = c;
	else if (n == 0 || (errno != EAGAIN && errno != EINTR))
		u->in_eof = true;
}

static uint8_t iir(struct uart *u)
{
	uint8_t fifo = (u->fcr & 1) ? IIR_FIFO : 0;
	if ((u->ier & IER_RDI) && u->rx >= 0)
		return IIR_RDI | fifo;
	if ((u->ier & IER_THRI) && u->thre_pending)
		return IIR_THRI | fifo;
	return IIR_NONE | fifo;
}

static void update_irq(struct uart *u)
{
	bool level = !(iir(u) & IIR_NONE) && (u->mcr & MCR_OUT2);
	if (u->irq && level != u->irq_level)
		u->irq(u->irq_opaque, level);
	u->irq_level = level;
}

void uart_read(void *opaque, uint64_t off, uint8_t *data, uint32_t len)
{
	struct uart *u = opaque;
	memset(data, 0, len);
	fill_rx(u);
	switch (off) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB) {
			data[0] = u->dll;
		} else if (u->rx >= 0) {
			data[0] = (uint8_t)u->rx;
			u->rx = -1;
		}
		break;
	case IER:
		data[0] = (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
		break;
	case IIR_FCR:
		data[0] = iir(u);
		if ((data[0] & 0x0f) == IIR_THRI)
			u->thre_pending = false; /* reading IIR clears it */
		break;
	case LCR:
		data[0] = u->lcr;
		break;
	case MCR:
		data[0] = u->mcr;
		break;
	case LSR:
		data[0] = LSR_THRE | LSR_TEMT | (u->rx >= 0 ? LSR_DR : 0);
		break;
	case MSR:
		/* in loopback the modem inputs are the outputs: CTS=RTS, DSR=DTR,
		 * RI=OUT1, DCD=OUT2 (Linux tests a port so before using COM4) */
		data[0] = (u->mcr & MCR_LOOP)
				  ? (uint8_t)((u->mcr & 0x02) << 3 | (u->mcr & 0x01) << 5 |
					      (u->mcr & 0x04) << 4 | (u->mcr & 0x08) << 4)
				  : MSR_PRESENT;
		break;
	case SCR:
		data[0] = u->scr;
		break;
	}
	update_irq(u);
}

void uart_write(void *opaque, uint64_t off, const uint8_t *data, uint32_t len)
{
	struct uart *u = opaque;
	(void)len; /* byte registers: the low byte of a wider access counts */
	uint8_t v = data[0];
	switch (off) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
			break;
		}
		u->thre_pending = true; /* sent at once: empty again */
		if (u->mcr & MCR_LOOP) {
			u->rx = v; /* looped back, not sent; an unread byte is overrun */
			break;
		}
		u->out[u->out_len++] = v;
		u->out_total++;
		if (u->out_len == sizeof(u->out) || v == '\n')
			uart_flush(u);
		break;
	case IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			break;
		}
		/* enabling THRI with the transmitter empty interrupts at once */
		if ((v & IER_THRI) && !(u->ier & IER_THRI))
			u->thre_pending = true;
		/* and RDI with a byte waiting in in_fd (input that arrives later
		 * is seen at the guest's next read: no polling thread yet) */
		if (v & IER_RDI)
			fill_rx(u);
		u->ier = v & 0x0f;
		break;
	case IIR_FCR:
		u->fcr = v & 0xc9;
		break;
	case LCR:
		u->lcr = v;
		break;
	case MCR:
		u->mcr = v & 0x1f;
		break;
	case SCR:
		u->scr = v;
		break;
	}
	update_irq(u);
}
