/* The decoder (libjpeg-turbo). Everything here is fit for strict mode:
 * input and output through read() and write() on descriptors the worker
 * already holds, memory from a heap the host grew beforehand, libjpeg's
 * errors caught with longjmp instead of exit() (exit_group is not one of
 * strict mode's four calls). */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <jpeglib.h>

#include "decoder.h"

struct error_mgr {
	struct jpeg_error_mgr pub;
	jmp_buf back;
};

static void on_error(j_common_ptr c)
{
	longjmp(((struct error_mgr *)c->err)->back, 1);
}

static void no_message(j_common_ptr c)
{
	(void)c; /* stderr through stdio would be more than strict mode allows */
}

/* Stands in for an exploited parsing bug, for the tests: a frame whose
 * comment says "SBX-HOSTILE:open" or ":exec" makes the decoder do what
 * injected code would. The sandbox must stop it. */
static void hostile_hook(struct jpeg_decompress_struct *c)
{
	static const char tag[] = "SBX-HOSTILE:";
	for (jpeg_saved_marker_ptr m = c->marker_list; m; m = m->next) {
		if (m->marker != JPEG_COM || m->data_length < sizeof(tag) - 1 ||
		    memcmp(m->data, tag, sizeof(tag) - 1))
			continue;
		const char *what = (const char *)m->data + sizeof(tag) - 1;
		if (!strncmp(what, "open", 4))
			syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
		else if (!strncmp(what, "exec", 4))
			syscall(SYS_execve, "/bin/sh", NULL, NULL);
	}
}

int decoder_frame(const unsigned char *jpeg, size_t len, unsigned char **rgb, size_t *cap,
		  uint32_t *width, uint32_t *height)
{
	struct jpeg_decompress_struct c;
	struct error_mgr err;
	c.err = jpeg_std_error(&err.pub);
	err.pub.error_exit = on_error;
	err.pub.output_message = no_message;
	if (setjmp(err.back)) {
		jpeg_destroy_decompress(&c);
		return -1;
	}
	jpeg_create_decompress(&c);
	jpeg_mem_src(&c, jpeg, (unsigned long)len);
	jpeg_save_markers(&c, JPEG_COM, 64);
	jpeg_read_header(&c, TRUE);
	hostile_hook(&c);
	c.out_color_space = JCS_RGB;
	jpeg_start_decompress(&c);
	size_t need = (size_t)c.output_width * c.output_height * 3;
	if ((size_t)c.output_width * c.output_height > DECODER_MAX_PIXELS) {
		jpeg_destroy_decompress(&c);
		return -1;
	}
	if (need > *cap) {
		unsigned char *b = realloc(*rgb, need);
		if (!b) {
			jpeg_destroy_decompress(&c);
			return -1;
		}
		*rgb = b;
		*cap = need;
	}
	while (c.output_scanline < c.output_height) {
		JSAMPROW row = *rgb + (size_t)c.output_scanline * c.output_width * 3;
		jpeg_read_scanlines(&c, &row, 1);
	}
	*width = c.output_width;
	*height = c.output_height;
	jpeg_finish_decompress(&c);
	jpeg_destroy_decompress(&c);
	return 0;
}

static bool read_all(int fd, void *buf, size_t len, bool *eof)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*eof = n == 0 && got == 0;
			return false;
		}
		got += (size_t)n;
	}
	return true;
}

static bool write_all(int fd, const void *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf = (const char *)buf + n;
		len -= (size_t)n;
	}
	return true;
}

int decoder_run(int in_fd, int out_fd)
{
	unsigned char *jpeg = malloc(DECODER_MAX_JPEG), *rgb = NULL;
	size_t cap = 0;
	if (!jpeg)
		return 1;
	for (;;) {
		unsigned char be[4];
		bool eof = false;
		if (!read_all(in_fd, be, 4, &eof))
			return eof ? 0 : 1;
		uint32_t len = (uint32_t)be[0] << 24 | (uint32_t)be[1] << 16 |
			       (uint32_t)be[2] << 8 | be[3];
		struct frame_header h = {.magic = FRAME_MAGIC};
		if (len == 0 || len > DECODER_MAX_JPEG || !read_all(in_fd, jpeg, len, &eof) ||
		    decoder_frame(jpeg, len, &rgb, &cap, &h.width, &h.height) < 0)
			return 1;
		if (!write_all(out_fd, &h, sizeof(h)) ||
		    !write_all(out_fd, rgb, (size_t)h.width * h.height * 3))
			return 1;
	}
}

int decoder_reserve_heap(size_t bytes)
{
	/* large blocks from the heap too, and the heap never given back */
	if (!mallopt(M_MMAP_MAX, 0) || !mallopt(M_TRIM_THRESHOLD, -1) ||
	    !mallopt(M_TOP_PAD, (int)(16u << 20)))
		return -1;
	void *p = malloc(bytes);
	if (!p)
		return -1;
	free(p);
	return 0;
}
