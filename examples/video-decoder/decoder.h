/* The decoder: Motion-JPEG frames in, raw RGB frames out. The same code
 * decodes in the sandboxed worker and, for reference, in the host. */
#ifndef VIDEO_DECODER_H
#define VIDEO_DECODER_H

#include <stddef.h>
#include <stdint.h>

/* A decoded frame on the wire: this header, then width*height*3 bytes. */
#define FRAME_MAGIC 0x314d5246u /* "FRM1" */
struct frame_header {
	uint32_t magic, width, height;
};

#define DECODER_MAX_JPEG (8u << 20)	   /* one compressed frame */
#define DECODER_MAX_PIXELS (4096u * 4096u) /* one decoded frame */

/* Decodes one JPEG into *rgb (grown as needed, owned by the caller).
 * 0, or -1 for input that is not a JPEG it accepts. */
int decoder_frame(const unsigned char *jpeg, size_t len, unsigned char **rgb, size_t *cap,
		  uint32_t *width, uint32_t *height);

/* The worker: reads length-prefixed (4 bytes, big-endian) JPEG frames from
 * in_fd until end of file and writes each decoded frame to out_fd. Uses
 * read, write and heap memory only, so it runs in strict mode once the
 * heap is reserved. 0 at a clean end, 1 on bad input or a broken pipe. */
int decoder_run(int in_fd, int out_fd);

/* For strict mode, in the host before it spawns workers: grows the heap by
 * `bytes` and keeps it (no mmap for large blocks, no trimming), so that a
 * worker cloned from this process allocates without a system call. */
int decoder_reserve_heap(size_t bytes);

#endif
