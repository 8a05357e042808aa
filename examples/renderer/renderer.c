/* renderer: draws pages into a bitmap the browser kernel shares with it,
 * holding nothing but its channel (fd 3).
 *
 *   renderer      (fd 3: the channel; fd 4: the renderer policy's text)
 *
 * Started by browser-kernel, never by hand. Before it reads any page it
 * loads its font (cairo, fontconfig and FreeType read files now, and keep
 * the font file open), then enters capability mode (nothing by name, no
 * sockets) and the renderer seccomp policy, then says it is ready. From then
 * on everything it needs comes over the channel: page text and bitmap as
 * memfds, fetched images, the user's upload as a read-only descriptor.
 *
 * Pages are a small drawing language, one directive a line:
 *   size W H | background R G B | rect X Y W H R G B
 *   text X Y SIZE R G B STRING | image X Y URL (a PPM) | download URL NAME
 *   upload X Y (draws the first line of the file the user picked)
 * and, standing in for a renderer compromised by a page (tests only):
 *   exploit open PATH | exploit connect PORT | exploit crash */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <cairo.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto.h"
#include "sandbox.h"

static sbx_chan *chan;
static cairo_font_face_t *face;

static void say(enum msg_type type, int status, const char *text, const int *fds, size_t nfds)
{
	struct msg m = {.type = type, .status = status};
	if (text)
		snprintf(m.text, sizeof(m.text), "%s", text);
	if (sbx_chan_send(chan, &m, sizeof(m), fds, nfds, NULL) < 0)
		_exit(1); /* the kernel is gone */
}

/* Waits for the kernel's answer of type `want`; its descriptor, if any. */
static struct msg answer(enum msg_type want, int *fd)
{
	struct msg m;
	int fds[1] = {-1};
	size_t n = 1;
	if (sbx_chan_recv(chan, &m, sizeof(m), fds, &n, NULL) != sizeof(m) || m.type != want)
		_exit(1);
	if (fd)
		*fd = n ? fds[0] : -1;
	else if (n)
		close(fds[0]);
	return m;
}

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	char text[MSG_TEXT];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	say(MSG_LOG, 0, text, NULL, 0);
}

/* A P6 PPM from memory, drawn at x, y. */
static void draw_ppm(cairo_t *cr, const unsigned char *p, size_t len, int x, int y)
{
	unsigned w, h, max;
	int off = 0;
	if (len < 3 || sscanf((const char *)p, "P6 %u %u %u%n", &w, &h, &max, &off) != 3 ||
	    max != 255 || w == 0 || h == 0 || w > PAGE_MAX_W || h > PAGE_MAX_H ||
	    (size_t)off + 1 + (size_t)w * h * 3 > len) {
		logf_("image: not a PPM it can draw");
		return;
	}
	const unsigned char *px = p + off + 1;
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)w, (int)h);
	unsigned char *d = cairo_image_surface_get_data(s);
	int stride = cairo_image_surface_get_stride(s);
	for (unsigned r = 0; r < h; r++)
		for (unsigned c = 0; c < w; c++) {
			const unsigned char *q = px + 3 * ((size_t)r * w + c);
			uint32_t v = (uint32_t)q[0] << 16 | (uint32_t)q[1] << 8 | q[2];
			memcpy(d + (size_t)r * (size_t)stride + 4 * c, &v, 4);
		}
	cairo_surface_mark_dirty(s);
	cairo_set_source_surface(cr, s, x, y);
	cairo_paint(cr);
	cairo_surface_destroy(s);
}

static void fetch_image(cairo_t *cr, int x, int y, const char *url)
{
	say(MSG_FETCH, 0, url, NULL, 0);
	int fd;
	struct msg m = answer(MSG_DATA, &fd);
	if (m.status || fd < 0) {
		logf_("image %s: %s", url, strerror(m.status ? m.status : EPROTO));
		return;
	}
	off_t len = lseek(fd, 0, SEEK_END);
	void *p = len > 0 ? mmap(NULL, (size_t)len, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
	if (p != MAP_FAILED) {
		draw_ppm(cr, p, (size_t)len, x, y);
		munmap(p, (size_t)len);
	}
	close(fd);
}

static void exploit(const char *what)
{
	if (!strncmp(what, "open ", 5)) {
		FILE *f = fopen(what + 5, "r");
		logf_("exploit open %s: %s", what + 5, f ? "opened" : strerror(errno));
		if (f)
			fclose(f);
	} else if (!strncmp(what, "connect ", 8)) {
		int s = socket(AF_INET, SOCK_STREAM, 0); /* the filter kills here */
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_port = htons(atoi(what + 8)),
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		int r = connect(s, (struct sockaddr *)&a, sizeof(a));
		logf_("exploit connect: %s", r == 0 ? "connected" : strerror(errno));
	} else if (!strcmp(what, "fds")) { /* what it holds */
		char list[256] = "";
		for (int fd = 0; fd < 64; fd++)
			if (fcntl(fd, F_GETFD) >= 0)
				snprintf(list + strlen(list), sizeof(list) - strlen(list), " %d",
					 fd);
		logf_("exploit fds:%s", list);
	} else if (!strcmp(what, "crash")) {
		volatile int *wild = (volatile int *)(uintptr_t)strtoul("8", NULL, 0);
		*wild = 1; /* a wild write */
	}
}

static void render(const char *page, unsigned char *bits, unsigned w, unsigned h, unsigned stride)
{
	cairo_surface_t *s = cairo_image_surface_create_for_data(bits, CAIRO_FORMAT_ARGB32, (int)w,
								 (int)h, (int)stride);
	cairo_t *cr = cairo_create(s);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_set_font_face(cr, face);
	for (const char *line = page; *line;) {
		size_t n = strcspn(line, "\n");
		char l[1024];
		snprintf(l, sizeof(l), "%.*s", (int)(n < sizeof(l) - 1 ? n : sizeof(l) - 1), line);
		line += n + (line[n] == '\n');
		int x, y, a, b, r, g, bl, k = 0;
		char url[900], name[100];
		if (sscanf(l, "background %d %d %d", &r, &g, &bl) == 3) {
			cairo_set_source_rgb(cr, r / 255.0, g / 255.0, bl / 255.0);
			cairo_paint(cr);
		} else if (sscanf(l, "rect %d %d %d %d %d %d %d", &x, &y, &a, &b, &r, &g, &bl) ==
			   7) {
			cairo_set_source_rgb(cr, r / 255.0, g / 255.0, bl / 255.0);
			cairo_rectangle(cr, x, y, a, b);
			cairo_fill(cr);
		} else if (sscanf(l, "text %d %d %d %d %d %d %n", &x, &y, &a, &r, &g, &bl, &k) ==
				   6 &&
			   k) {
			cairo_set_source_rgb(cr, r / 255.0, g / 255.0, bl / 255.0);
			cairo_set_font_size(cr, a);
			cairo_move_to(cr, x, y);
			cairo_show_text(cr, l + k);
		} else if (sscanf(l, "image %d %d %899s", &x, &y, url) == 3) {
			fetch_image(cr, x, y, url);
		} else if (sscanf(l, "download %899s %99s", url, name) == 2) {
			char req[MSG_TEXT];
			size_t ul = strlen(url);
			memcpy(req, url, ul + 1);
			snprintf(req + ul + 1, sizeof(req) - ul - 1, "%s", name);
			struct msg m = {.type = MSG_SAVE, .len = (uint32_t)(ul + 1 + strlen(name))};
			memcpy(m.text, req, sizeof(m.text));
			if (sbx_chan_send(chan, &m, sizeof(m), NULL, 0, NULL) < 0)
				_exit(1);
			struct msg ans = answer(MSG_SAVED, NULL);
			logf_("download %s: %s", url, ans.status ? strerror(ans.status) : ans.text);
		} else if (sscanf(l, "upload %d %d", &x, &y) == 2) {
			say(MSG_UPLOAD, 0, NULL, NULL, 0);
			int fd;
			struct msg m = answer(MSG_FILE, &fd);
			char first[256] = "";
			if (!m.status && fd >= 0) {
				ssize_t got = pread(fd, first, sizeof(first) - 1, 0);
				first[got > 0 ? strcspn(first, "\n") : 0] = 0;
				close(fd);
				cairo_set_source_rgb(cr, 0, 0, 0);
				cairo_set_font_size(cr, 14);
				cairo_move_to(cr, x, y);
				cairo_show_text(cr, first);
			}
			logf_("upload: %s", m.status ? strerror(m.status) : first);
		} else if (!strncmp(l, "exploit ", 8)) {
			exploit(l + 8);
		}
	}
	cairo_destroy(cr);
	cairo_surface_flush(s);
	cairo_surface_destroy(s);
}

int main(int argc, char **argv)
{
	sbx_error err;
	(void)argv;
	if (argc != 1 || sbx_chan_wrap(3, &chan, &err) < 0) {
		fprintf(stderr, "renderer: started by browser-kernel only\n");
		return 2;
	}
	/* Everything that reads files by name happens now, before any page:
	 * the font (fontconfig, FreeType keeps the file open), the policy. */
	face = cairo_toy_font_face_create("DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
					  CAIRO_FONT_WEIGHT_NORMAL);
	cairo_surface_t *warm = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 64, 64);
	cairo_t *wcr = cairo_create(warm);
	cairo_set_font_face(wcr, face);
	for (int size = 8; size <= 48; size += 2) { /* each size a scaled font, made now */
		cairo_set_font_size(wcr, size);
		cairo_move_to(wcr, 0, 32);
		cairo_show_text(wcr, "Aa0 ");
	}
	cairo_destroy(wcr);
	cairo_surface_destroy(warm);
	static char rules[1 << 16];
	ssize_t len = read(4, rules, sizeof(rules) - 1);
	sbx_policy *policy;
	if (len <= 0 || sbx_policy_parse(rules, "renderer.policy", NULL, &policy, &err) < 0) {
		fprintf(stderr, "renderer: its policy: %s\n",
			len <= 0 ? "unreadable" : err.message);
		return 2;
	}
	close(4);
	/* capability mode, then the renderer policy: from here on, nothing by
	 * name, no sockets, no new programs */
	int abi;
	if (sbx_cap_enter(NULL, 0, 0, &abi, &err) < 0 || sbx_enter(policy, &err) < 0) {
		fprintf(stderr, "renderer: %s\n", err.message);
		return 2;
	}
	say(MSG_READY, 0, NULL, NULL, 0);
	for (;;) {
		struct msg m;
		int fds[2] = {-1, -1};
		size_t n = 2;
		ssize_t got = sbx_chan_recv(chan, &m, sizeof(m), fds, &n, NULL);
		if (got <= 0)
			return 0; /* the kernel closed: done */
		if (got != sizeof(m) || m.type != MSG_PAGE || n != 2 || m.width > PAGE_MAX_W ||
		    m.height > PAGE_MAX_H || m.len > PAGE_MAX_TEXT || m.stride < 4 * m.width)
			return 1;
		size_t bytes = (size_t)m.stride * m.height;
		unsigned char *bits =
			mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fds[1], 0);
		char *text = malloc((size_t)m.len + 1);
		if (bits == MAP_FAILED || !text || pread(fds[0], text, m.len, 0) != (ssize_t)m.len)
			return 1;
		text[m.len] = 0;
		render(text, bits, m.width, m.height, m.stride);
		free(text);
		munmap(bits, bytes);
		close(fds[0]);
		close(fds[1]);
		say(MSG_SHOW, 0, NULL, NULL, 0);
		answer(MSG_SHOWN, NULL);
	}
}
