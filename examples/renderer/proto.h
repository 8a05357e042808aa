/* The channel between the browser kernel and a renderer: fixed-size
 * messages, descriptors attached where a message says so. Every field
 * coming from the renderer is checked by the kernel; the renderer trusts
 * nothing either but the kernel's word on what it was given. */
#ifndef RENDERER_PROTO_H
#define RENDERER_PROTO_H

#include <stdint.h>

enum msg_type {
	MSG_READY = 1, /* renderer -> kernel: sandboxed, waiting for pages */
	MSG_PAGE,      /* kernel -> renderer: page text (memfd) and bitmap (memfd) */
	MSG_FETCH,     /* renderer -> kernel: text = URL */
	MSG_DATA,      /* kernel -> renderer: status 0 and a sealed memfd, or an errno */
	MSG_SAVE,      /* renderer -> kernel: text = URL, then a NUL, then a name it suggests */
	MSG_SAVED,     /* kernel -> renderer: status, text = the name the kernel chose */
	MSG_UPLOAD,    /* renderer -> kernel: the file the user picked, please */
	MSG_FILE,      /* kernel -> renderer: status 0 and a read-only fd, or an errno */
	MSG_SHOW,      /* renderer -> kernel: the bitmap is ready */
	MSG_SHOWN,     /* kernel -> renderer: written out */
	MSG_LOG,       /* renderer -> kernel: text to report */
};

#define MSG_TEXT 2048

struct msg {
	uint32_t type;
	int32_t status;			     /* 0, or an errno */
	uint32_t width, height, stride, len; /* MSG_PAGE: the bitmap; len: page text bytes */
	char text[MSG_TEXT];
};

#define PAGE_MAX_W 4096
#define PAGE_MAX_H 4096
#define PAGE_MAX_TEXT (1u << 20)

#endif
