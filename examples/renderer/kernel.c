/* browser-kernel: the privileged half of the browser-kernel / renderer
 * split. For each page it starts a renderer in a fresh sandbox holding only
 * its channel, hands it the page and a shared bitmap, answers its requests
 * by its own rules, and writes the rendered page as PNG.
 *
 *   browser-kernel [--downloads DIR] [--upload FILE] [--out PREFIX] PAGE...
 *   browser-kernel --bench [--frames N]
 *   browser-kernel --pixel PNG X Y
 *
 * The kernel's rules for a renderer's requests:
 *   fetch URL     http://host[:port]/path and data:,text only; never file:
 *   save URL      into the downloads directory only, under a name the kernel
 *                 chooses (download-N), whatever name the page suggests
 *   upload        the one file the user picked (--upload), read-only; none
 *                 if none was picked
 * A renderer that dies (a crash, or killed by its sandbox) is reported, and
 * the next page gets a fresh one: the kernel carries on. */
#define _GNU_SOURCE
#include <cairo.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"
#include "sandbox.h"

#ifndef POLICY_DIR
#define POLICY_DIR "/usr/share/sandboxd/policies"
#endif

struct kernel {
	const char *downloads;
	const char *upload;
	const char *out;
	char renderer[PATH_MAX];
	char policy[PATH_MAX];
	int saved;
};

/* ---------------------------------------------------------------- fetching */

/* The body of http://host[:port]/path (HTTP/1.0, no redirects), in a
 * sealed memfd; or -errno. */
static int http_get(const char *url)
{
	char host[256], path[1024] = "/";
	int port = 80;
	if (sscanf(url, "http://%255[^:/]:%d%1023s", host, &port, path) < 2 &&
	    sscanf(url, "http://%255[^/]%1023s", host, path) < 1)
		return -EINVAL;
	char ports[16];
	snprintf(ports, sizeof(ports), "%d", port);
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai;
	if (getaddrinfo(host, ports, &hints, &ai) != 0)
		return -EHOSTUNREACH;
	int s = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int r = s < 0 ? -errno : connect(s, ai->ai_addr, ai->ai_addrlen) < 0 ? -errno : 0;
	freeaddrinfo(ai);
	if (r < 0) {
		if (s >= 0)
			close(s);
		return r;
	}
	char req[1400];
	int n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", path, host);
	if (write(s, req, (size_t)n) != n) {
		close(s);
		return -EIO;
	}
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	ssize_t got;
	while (buf && (got = read(s, buf + len, cap - len)) > 0) {
		len += (size_t)got;
		if (len == cap && cap < (64u << 20))
			buf = realloc(buf, cap *= 2);
	}
	close(s);
	char *body = buf ? memmem(buf, len, "\r\n\r\n", 4) : NULL;
	if (!body || strncmp(buf, "HTTP/1.", 7) || strncmp(buf + 8, " 200", 4)) {
		free(buf);
		return -ENOENT;
	}
	body += 4;
	size_t blen = len - (size_t)(body - buf);
	int fd = sbx_shm_create("fetched", blen, NULL);
	if (fd >= 0 &&
	    (pwrite(fd, body, blen, 0) != (ssize_t)blen || sbx_shm_seal_readonly(fd, NULL) < 0)) {
		close(fd);
		fd = -EIO;
	}
	free(buf);
	return fd;
}

/* A URL the kernel is willing to fetch for a renderer: an fd or -errno. */
static int fetch(const char *url)
{
	if (!strncmp(url, "http://", 7))
		return http_get(url);
	if (!strncmp(url, "data:,", 6)) {
		size_t n = strlen(url + 6);
		int fd = sbx_shm_create("data", n, NULL);
		if (fd >= 0 && (pwrite(fd, url + 6, n, 0) != (ssize_t)n ||
				sbx_shm_seal_readonly(fd, NULL) < 0)) {
			close(fd);
			return -EIO;
		}
		return fd;
	}
	return -EACCES; /* file:, and anything else */
}

/* ---------------------------------------------------------------- one page */

static void reply(sbx_chan *ch, enum msg_type type, int status, const char *text, int fd)
{
	struct msg m = {.type = type, .status = status};
	if (text)
		snprintf(m.text, sizeof(m.text), "%s", text);
	sbx_chan_send(ch, &m, sizeof(m), fd >= 0 ? &fd : NULL, fd >= 0, NULL);
}

static void save(struct kernel *k, sbx_chan *ch, const struct msg *m, const char *page)
{
	char url[MSG_TEXT];
	snprintf(url, sizeof(url), "%.*s", (int)strnlen(m->text, sizeof(m->text)), m->text);
	if (!k->downloads) {
		reply(ch, MSG_SAVED, EACCES, NULL, -1);
		return;
	}
	int fd = fetch(url);
	if (fd < 0) {
		printf("%s: refused to save %s: %s\n", page, url, strerror(-fd));
		reply(ch, MSG_SAVED, -fd, NULL, -1);
		return;
	}
	/* the kernel's name, not the page's: nothing leads out of downloads */
	char name[64], path[PATH_MAX];
	int dfd = open(k->downloads, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int out = -1;
	for (int tries = 0; dfd >= 0 && out < 0 && tries < 1000; tries++) {
		snprintf(name, sizeof(name), "download-%d", ++k->saved);
		out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (out < 0 && errno != EEXIST)
			break;
	}
	char buf[1 << 16];
	ssize_t n;
	off_t off = 0;
	while (out >= 0 && (n = pread(fd, buf, sizeof(buf), off)) > 0) {
		if (write(out, buf, (size_t)n) != n)
			break;
		off += n;
	}
	snprintf(path, sizeof(path), "%s/%s", k->downloads, name);
	printf("%s: saved %s as %s\n", page, url, path);
	reply(ch, MSG_SAVED, out >= 0 ? 0 : EIO, name, -1);
	if (out >= 0)
		close(out);
	if (dfd >= 0)
		close(dfd);
	close(fd);
}

static void write_png(const struct kernel *k, const unsigned char *bits, unsigned w, unsigned h,
		      unsigned stride, int index, const char *page)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s%d.png", k->out, index);
	/* a copy: the renderer could still be writing to the shared bitmap */
	unsigned char *copy = malloc((size_t)stride * h);
	if (!copy)
		return;
	memcpy(copy, bits, (size_t)stride * h);
	cairo_surface_t *s = cairo_image_surface_create_for_data(copy, CAIRO_FORMAT_ARGB32, (int)w,
								 (int)h, (int)stride);
	if (cairo_surface_write_to_png(s, path) == CAIRO_STATUS_SUCCESS)
		printf("%s: rendered %ux%u to %s\n", page, w, h, path);
	cairo_surface_destroy(s);
	free(copy);
}

/* Starts a renderer, renders `text` with it; 0, or -1 if it died. */
static int render_page(struct kernel *k, const char *page, const char *text, int index, unsigned w,
		       unsigned h)
{
	sbx_config *c = sbx_config_new();
	sbx_error err;
	const char *argv[] = {"renderer", NULL};
	sbx_limits l = {.size = sizeof(l), .wall_time_ms = 30000};
	/* the program and its policy as descriptors: the sandbox need not see
	 * where they are (a build tree under /tmp, say) */
	int prog = open(k->renderer, O_RDONLY | O_CLOEXEC),
	    pol = open(k->policy, O_RDONLY | O_CLOEXEC);
	if (prog < 0 || pol < 0) {
		fprintf(stderr, "browser-kernel: %s: %s\n", prog < 0 ? k->renderer : k->policy,
			strerror(errno));
		exit(2);
	}
	if (!c || sbx_config_set_exec_fd(c, prog, argv, &err) < 0 ||
	    sbx_config_grant(c, pol, 4, SBX_RIGHTS_READ, &err) < 0 ||
	    sbx_config_add_channel(c, 3, &err) < 0 || sbx_config_set_limits(c, &l, &err) < 0 ||
	    sbx_config_set_stdio(c, 0, SBX_STDIO_NULL, -1, &err) < 0 ||
	    /* fontconfig wants a cache it can write: the sandbox's own /tmp */
	    sbx_config_setenv(c, "XDG_CACHE_HOME", "/tmp", &err) < 0) {
		fprintf(stderr, "browser-kernel: %s\n", err.message);
		exit(2);
	}
	close(prog);
	close(pol);
	sbx_proc *p;
	if (sbx_spawn(c, &p, &err) < 0) {
		fprintf(stderr, "browser-kernel: %s\n", err.message);
		exit(2);
	}
	sbx_chan *ch = sbx_proc_channel(p, 3);
	unsigned stride = (unsigned)cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, (int)w);
	size_t bytes = (size_t)stride * h;
	int bitmap = sbx_shm_create("bitmap", bytes, NULL);
	int page_fd = sbx_shm_create("page", strlen(text), NULL);
	unsigned char *bits = mmap(NULL, bytes, PROT_READ, MAP_SHARED, bitmap, 0);
	if (bitmap < 0 || page_fd < 0 || bits == MAP_FAILED ||
	    pwrite(page_fd, text, strlen(text), 0) != (ssize_t)strlen(text) ||
	    sbx_shm_seal_readonly(page_fd, NULL) < 0) {
		fprintf(stderr, "browser-kernel: shared memory: %s\n", strerror(errno));
		exit(2);
	}
	int done = -1;
	for (;;) {
		struct msg m;
		size_t nfds = 0;
		ssize_t got = sbx_chan_recv(ch, &m, sizeof(m), NULL, &nfds, NULL);
		if (got != sizeof(m))
			break; /* gone, or speaking nonsense: either way, done with it */
		m.text[sizeof(m.text) - 1] = 0;
		if (m.type == MSG_READY) {
			struct msg pm = {.type = MSG_PAGE,
					 .width = w,
					 .height = h,
					 .stride = stride,
					 .len = (uint32_t)strlen(text)};
			int fds[2] = {page_fd, bitmap};
			if (sbx_chan_send(ch, &pm, sizeof(pm), fds, 2, NULL) < 0)
				break;
		} else if (m.type == MSG_FETCH) {
			int fd = fetch(m.text);
			if (fd < 0)
				printf("%s: refused to fetch %s: %s\n", page, m.text,
				       strerror(-fd));
			reply(ch, MSG_DATA, fd < 0 ? -fd : 0, NULL, fd);
			if (fd >= 0)
				close(fd);
		} else if (m.type == MSG_SAVE) {
			save(k, ch, &m, page);
		} else if (m.type == MSG_UPLOAD) {
			int fd = k->upload ? open(k->upload, O_RDONLY | O_CLOEXEC | O_NOCTTY) : -1;
			if (fd < 0)
				printf("%s: upload refused: %s\n", page,
				       k->upload ? strerror(errno) : "the user picked no file");
			reply(ch, MSG_FILE, fd < 0 ? EACCES : 0, NULL, fd);
			if (fd >= 0)
				close(fd);
		} else if (m.type == MSG_LOG) {
			printf("%s: renderer says: %s\n", page, m.text);
		} else if (m.type == MSG_SHOW) {
			if (k->out)
				write_png(k, bits, w, h, stride, index, page);
			reply(ch, MSG_SHOWN, 0, NULL, -1);
			done = 0;
			break;
		}
	}
	fflush(stdout);
	sbx_result res = {.size = sizeof(res)};
	/* a renderer per page: our end shut, it reads the end and exits */
	shutdown(sbx_chan_fd(ch), SHUT_RDWR);
	sbx_wait(p, -1, &res, &err);
	/* the renderer installs its filter itself: a SIGSYS is that filter */
	if (done < 0)
		printf("%s: renderer died (%s%s%d); the next page gets a fresh one\n", page,
		       res.signal == SIGSYS ? "killed by its seccomp policy, " : "",
		       res.signal ? "signal " : "exit ", res.signal ? res.signal : res.exit_code);
	sbx_proc_free(p);
	sbx_config_free(c);
	munmap(bits, bytes);
	close(bitmap);
	close(page_fd);
	return done;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	char *buf = calloc(1, PAGE_MAX_TEXT + 1);
	size_t n = buf ? fread(buf, 1, PAGE_MAX_TEXT, f) : 0;
	fclose(f);
	if (buf)
		buf[n] = 0;
	return buf;
}

/* ---------------------------------------------------------------- the rest */

static int pixel(const char *png, int x, int y)
{
	cairo_surface_t *s = cairo_image_surface_create_from_png(png);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS || x < 0 || y < 0 ||
	    x >= cairo_image_surface_get_width(s) || y >= cairo_image_surface_get_height(s)) {
		fprintf(stderr, "browser-kernel: %s: cannot read that pixel\n", png);
		return 1;
	}
	uint32_t v;
	memcpy(&v,
	       cairo_image_surface_get_data(s) + (size_t)y * cairo_image_surface_get_stride(s) +
		       4 * (size_t)x,
	       4);
	printf("%u %u %u\n", v >> 16 & 255, v >> 8 & 255, v & 255);
	cairo_surface_destroy(s);
	return 0;
}

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* Handing a rendered 1920x1080 frame to the kernel: the bitmap is shared, so
 * the handover is the renderer's SHOW and the kernel's answer. Measured on a
 * bare channel pair so that rendering is not in it. */
static int bench(int frames)
{
	sbx_chan *a, *b;
	if (sbx_chan_pair(&a, &b, NULL) < 0)
		return 1;
	size_t bytes = 1920u * 1080u * 4u;
	int bitmap = sbx_shm_create("bitmap", bytes, NULL);
	pid_t pid = fork();
	if (pid == 0) {
		sbx_chan_free(a);
		unsigned char *bits =
			mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, bitmap, 0);
		for (int i = 0;; i++) {
			memset(bits, i, 4096); /* a frame drawn, as far as this is concerned */
			struct msg m = {.type = MSG_SHOW};
			if (sbx_chan_send(b, &m, sizeof(m), NULL, 0, NULL) < 0)
				_exit(0);
			size_t n = 0;
			if (sbx_chan_recv(b, &m, sizeof(m), NULL, &n, NULL) <= 0)
				_exit(0);
		}
	}
	sbx_chan_free(b);
	const unsigned char *bits = mmap(NULL, bytes, PROT_READ, MAP_SHARED, bitmap, 0);
	double *t = calloc((size_t)frames, sizeof(*t));
	volatile unsigned char sink = 0;
	for (int i = 0; i < frames; i++) {
		struct msg m;
		size_t n = 0;
		double t0 = now_us();
		if (sbx_chan_recv(a, &m, sizeof(m), NULL, &n, NULL) != sizeof(m))
			return 1;
		sink ^= bits[0];
		t[i] = now_us() - t0;
		m.type = MSG_SHOWN;
		sbx_chan_send(a, &m, sizeof(m), NULL, 0, NULL);
	}
	(void)sink;
	sbx_chan_free(a);
	waitpid(pid, NULL, 0);
	for (int i = 0; i < frames; i++)
		for (int j = i + 1; j < frames; j++)
			if (t[j] < t[i]) {
				double x = t[i];
				t[i] = t[j], t[j] = x;
			}
	printf("1920x1080 frame handed to the kernel (SHOW over the channel, bitmap shared): "
	       "median %.1f us, p90 %.1f us over %d frames\n",
	       t[frames / 2], t[frames * 9 / 10], frames);
	return 0;
}

int main(int argc, char **argv)
{
	struct kernel k = {0};
	int i = 1, frames = 2000;
	bool do_bench = false;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--downloads") && i + 1 < argc)
			k.downloads = argv[++i];
		else if (!strcmp(argv[i], "--upload") && i + 1 < argc)
			k.upload = argv[++i];
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			k.out = argv[++i];
		else if (!strcmp(argv[i], "--bench"))
			do_bench = true;
		else if (!strcmp(argv[i], "--frames") && i + 1 < argc)
			frames = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--pixel") && i + 3 < argc)
			return pixel(argv[i + 1], atoi(argv[i + 2]), atoi(argv[i + 3]));
		else
			break;
	}
	if (do_bench)
		return bench(frames > 10 ? frames : 10);
	if (i >= argc) {
		fprintf(stderr,
			"usage: browser-kernel [--downloads DIR] [--upload FILE] [--out PREFIX] "
			"PAGE...\n       browser-kernel --bench [--frames N]\n"
			"       browser-kernel --pixel PNG X Y\n");
		return 2;
	}
	/* the renderer beside us; its policy from the shipped ones */
	ssize_t n = readlink("/proc/self/exe", k.renderer, sizeof(k.renderer) - 16);
	if (n <= 0)
		return 2;
	k.renderer[n] = 0;
	snprintf(strrchr(k.renderer, '/') + 1, 16, "renderer");
	snprintf(k.policy, sizeof(k.policy), "%s/renderer.policy",
		 getenv("SANDBOXD_POLICY_DIR") ? getenv("SANDBOXD_POLICY_DIR") : POLICY_DIR);
	int status = 0;
	for (int index = 0; i < argc; i++, index++) {
		char *text = slurp(argv[i]);
		if (!text) {
			fprintf(stderr, "browser-kernel: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		unsigned w = 640, h = 480;
		sscanf(text, "size %u %u", &w, &h);
		if (w == 0 || h == 0 || w > PAGE_MAX_W || h > PAGE_MAX_H)
			w = 640, h = 480;
		if (render_page(&k, argv[i], text, index, w, h) < 0)
			status = 1;
		free(text);
	}
	return status;
}
