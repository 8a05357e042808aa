/* video-host: streams Motion-JPEG clips through a sandboxed decoder worker
 * and gets raw frames back, as an application that must parse untrusted
 * video would.
 *
 *   video-host [--strict] [--out DIR] [--verify] CLIP...
 *   video-host --bench [--strict] CLIP
 *
 * The worker is a function of this program run by libsandbox in a fresh
 * sandbox (no network, nothing but its two pipes), which enters its
 * seccomp confinement before it reads a byte (see README.md for which one,
 * and why). For each clip the host prints the frame count and a checksum
 * of the decoded pixels; --verify decodes in this process too and compares.
 * If the worker is killed, the host says why, starts a fresh worker for the
 * next clip, and exits 1 at the end. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "decoder.h"
#include "sandbox.h"

#ifndef POLICY_DIR
#define POLICY_DIR "/usr/share/sandboxd/policies"
#endif

struct clip {
	const char *name;
	unsigned char *data;
	size_t len;
};

/* What one decode produced. */
struct outcome {
	unsigned frames;
	uint32_t width, height;
	uint64_t sum;	   /* FNV-1a of every frame's size and pixels */
	char killed[64];   /* the system call the filter stopped, or "" */
	sbx_result result; /* the worker's */
};

static bool no_checksum; /* --bench: the frames are only counted */

/* FNV-1a over 64-bit words (and the tail by bytes): fast enough not to be
 * what a decode is timed by */
static void fnv(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, b + i, 8);
		*h = (*h ^ w) * 0x100000001b3ull;
	}
	for (; i < n; i++)
		*h = (*h ^ b[i]) * 0x100000001b3ull;
}

static int load(const char *path, struct clip *c)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "video-host: %s: %s\n", path, strerror(errno));
		return -1;
	}
	c->name = path;
	c->len = (size_t)st.st_size;
	c->data = c->len ? mmap(NULL, c->len, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	close(fd);
	if (c->len && c->data == MAP_FAILED) {
		fprintf(stderr, "video-host: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int worker(void *arg)
{
	(void)arg;
	return decoder_run(0, 1);
}

/* The worker's sandbox: every namespace, its two pipes and nothing else,
 * and the decoder's confinement from its first instruction. */
static sbx_config *worker_config(sbx_policy *policy)
{
	sbx_config *c = sbx_config_new();
	sbx_error err;
	sbx_limits l = {.size = sizeof(l), .wall_time_ms = 60000};
	if (!c || sbx_config_set_entry(c, worker, NULL, &err) < 0 ||
	    sbx_config_set_stdio(c, 0, SBX_STDIO_PIPE, -1, &err) < 0 ||
	    sbx_config_set_stdio(c, 1, SBX_STDIO_PIPE, -1, &err) < 0 ||
	    sbx_config_set_stdio(c, 2, SBX_STDIO_NULL, -1, &err) < 0 ||
	    sbx_config_set_limits(c, &l, &err) < 0 || sbx_config_set_policy(c, policy, &err) < 0) {
		fprintf(stderr, "video-host: %s\n", err.message);
		exit(2);
	}
	return c;
}

/* With a filter whose default is "notify", a call the decoder may not make
 * comes here first: the worker is killed before the call runs, and we
 * learn which call it was. */
static void stop_on_notification(sbx_proc *p, int nfd, struct outcome *o)
{
	struct seccomp_notif req;
	memset(&req, 0, sizeof(req));
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return;
	if (!o->killed[0] && sbx_syscall_name(req.data.nr, o->killed, sizeof(o->killed)) < 0)
		snprintf(o->killed, sizeof(o->killed), "system call %d", req.data.nr);
	sbx_kill(p, SIGKILL, NULL);
	struct seccomp_notif_resp resp = {.id = req.id, .error = -EPERM};
	ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

/* A frame arrived whole: count it, checksum it, maybe write it out. */
static void frame_done(const struct frame_header *h, const unsigned char *rgb, struct outcome *o,
		       const char *out_dir, const char *clip)
{
	o->width = h->width;
	o->height = h->height;
	if (no_checksum) {
		o->frames++;
		return;
	}
	fnv(&o->sum, &h->width, sizeof(h->width));
	fnv(&o->sum, &h->height, sizeof(h->height));
	fnv(&o->sum, rgb, (size_t)h->width * h->height * 3);
	if (out_dir) {
		const char *base = strrchr(clip, '/') ? strrchr(clip, '/') + 1 : clip;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s-%04u.ppm", out_dir, base, o->frames);
		FILE *f = fopen(path, "we");
		if (f) {
			fprintf(f, "P6\n%u %u\n255\n", h->width, h->height);
			fwrite(rgb, 1, (size_t)h->width * h->height * 3, f);
			fclose(f);
		}
	}
	o->frames++;
}

/* Streams one clip through a fresh worker. */
static int decode_sandboxed(const struct clip *clip, sbx_config *cfg, const char *out_dir,
			    struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->sum = 0xcbf29ce484222325ull;
	sbx_proc *p;
	sbx_error err;
	if (sbx_spawn(cfg, &p, &err) < 0) {
		fprintf(stderr, "video-host: %s\n", err.message);
		return -1;
	}
	int in = sbx_proc_stdio(p, 0), out = sbx_proc_stdio(p, 1), nfd = sbx_proc_notify_fd(p);
	fcntl(in, F_SETFL, O_NONBLOCK);
	fcntl(in, F_SETPIPE_SZ, 1 << 20);
	fcntl(out, F_SETPIPE_SZ, 1 << 20);
	size_t sent = 0, have = 0, cap = 0;
	unsigned char *buf = NULL;
	struct frame_header h = {0};
	for (;;) {
		struct pollfd pfd[3] = {{.fd = out, .events = POLLIN},
					{.fd = sent < clip->len ? in : -1, .events = POLLOUT},
					{.fd = nfd, .events = POLLIN}};
		if (poll(pfd, 3, -1) < 0 && errno != EINTR)
			break;
		if (pfd[2].revents & POLLIN)
			stop_on_notification(p, nfd, o);
		if (pfd[1].revents & (POLLOUT | POLLERR)) {
			ssize_t n = write(in, clip->data + sent, clip->len - sent);
			if (n > 0)
				sent += (size_t)n;
			if (n < 0 && errno != EAGAIN)
				sent = clip->len; /* the worker is gone */
			if (sent == clip->len)
				sbx_proc_close_stdio(p, 0), in = -1;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP)) {
			/* the header first, then as many bytes as it says */
			size_t want = have < sizeof(h) ? sizeof(h)
						       : sizeof(h) + (size_t)h.width * h.height * 3;
			if (want > cap) {
				buf = realloc(buf, want);
				cap = want;
			}
			ssize_t n = read(out, buf + have, want - have);
			if (n <= 0)
				break;
			have += (size_t)n;
			if (have == sizeof(h)) {
				memcpy(&h, buf, sizeof(h));
				if (h.magic != FRAME_MAGIC ||
				    (uint64_t)h.width * h.height > DECODER_MAX_PIXELS) {
					sbx_kill(p, SIGKILL, NULL); /* a worker that lies */
					break;
				}
			} else if (have > sizeof(h) && have == want) {
				frame_done(&h, buf + sizeof(h), o, out_dir, clip->name);
				have = 0;
			}
		}
	}
	free(buf);
	o->result.size = sizeof(o->result);
	int r = sbx_wait(p, -1, &o->result, &err);
	sbx_proc_free(p);
	return r;
}

/* The same clip decoded right here, unsandboxed: the reference. */
static int decode_here(const struct clip *clip, struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->sum = 0xcbf29ce484222325ull;
	unsigned char *rgb = NULL;
	size_t cap = 0;
	for (size_t off = 0; off + 4 <= clip->len;) {
		const unsigned char *b = clip->data + off;
		uint32_t len =
			(uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
		struct frame_header h = {.magic = FRAME_MAGIC};
		if (len > clip->len - off - 4 ||
		    decoder_frame(b + 4, len, &rgb, &cap, &h.width, &h.height) < 0) {
			free(rgb);
			return -1;
		}
		frame_done(&h, rgb, o, NULL, clip->name);
		off += 4 + len;
	}
	free(rgb);
	return 0;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Frames per second, sandboxed (a worker per pass, as for a new stream)
 * and in this process, alternating, medians of five passes each. */
static int bench(const struct clip *clip, sbx_config *cfg)
{
	double fs[5], fh[5];
	struct outcome o;
	for (int i = 0; i < 5; i++) {
		double t0 = now_s();
		if (decode_sandboxed(clip, cfg, NULL, &o) < 0 || o.killed[0])
			return 1;
		fs[i] = o.frames / (now_s() - t0);
		t0 = now_s();
		if (decode_here(clip, &o) < 0)
			return 1;
		fh[i] = o.frames / (now_s() - t0);
	}
	for (int i = 0; i < 5; i++) /* a sort of five */
		for (int j = i + 1; j < 5; j++) {
			if (fs[j] < fs[i]) {
				double t = fs[i];
				fs[i] = fs[j], fs[j] = t;
			}
			if (fh[j] < fh[i]) {
				double t = fh[i];
				fh[i] = fh[j], fh[j] = t;
			}
		}
	printf("%s: %u frames %ux%u\n  sandboxed  %8.1f frames/s\n  in-process %8.1f frames/s\n"
	       "  ratio      %8.3f\n",
	       clip->name, o.frames, o.width, o.height, fs[2], fh[2], fs[2] / fh[2]);
	return 0;
}

int main(int argc, char **argv)
{
	bool strict = false, verify = false, do_bench = false;
	const char *out_dir = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--strict"))
			strict = true;
		else if (!strcmp(argv[i], "--verify"))
			verify = true;
		else if (!strcmp(argv[i], "--bench"))
			do_bench = true;
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out_dir = argv[++i];
		else
			break;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: video-host [--strict] [--out DIR] [--verify] CLIP...\n"
				"       video-host --bench [--strict] CLIP\n");
		return 2;
	}
	/* The worker's confinement, decided before any input is seen. */
	sbx_policy *policy;
	sbx_error err;
	int r;
	if (strict) {
		/* strict mode: read, write, exit, sigreturn; libjpeg allocates from
		 * a heap grown now, which the worker's copy of us inherits */
		r = decoder_reserve_heap(64u << 20) < 0
			    ? -1
			    : sbx_policy_parse("mode strict\n", "strict", NULL, &policy, &err);
	} else {
		/* the video-decoder policy, with every call it does not allow
		 * sent to us to be named before the worker dies */
		const char *dirs[] = {getenv("SANDBOXD_POLICY_DIR") ? getenv("SANDBOXD_POLICY_DIR")
								    : POLICY_DIR,
				      NULL};
		sbx_policy_opts opts = {.size = sizeof(opts), .include_dirs = dirs};
		r = sbx_policy_parse("include video-decoder\ndefault notify\n", "video-host", &opts,
				     &policy, &err);
	}
	if (r < 0) {
		fprintf(stderr, "video-host: %s\n", err.message);
		return 2;
	}
	sbx_config *cfg = worker_config(policy);
	sbx_policy_free(policy);
	int status = 0;
	for (; i < argc; i++) {
		struct clip clip;
		if (load(argv[i], &clip) < 0) {
			status = 1;
			continue;
		}
		if (do_bench) {
			no_checksum = true;
			status |= bench(&clip, cfg);
			continue;
		}
		struct outcome o, ref;
		if (decode_sandboxed(&clip, cfg, out_dir, &o) < 0)
			return 2;
		const char *why = NULL;
		char sig[128];
		if (o.killed[0]) {
			snprintf(sig, sizeof(sig), "killed by seccomp (%s)", o.killed);
			why = sig;
		} else if (o.result.signal) {
			snprintf(sig, sizeof(sig), "killed by signal %d%s", o.result.signal,
				 strict && o.result.signal == SIGKILL
					 ? " (strict mode: the system call is not named)"
					 : "");
			why = sig;
		} else if (o.result.exit_code) {
			why = "stopped at input it could not decode";
		}
		if (why) {
			printf("%s: decoder %s after %u frames; a fresh decoder takes the next "
			       "stream\n",
			       clip.name, why, o.frames);
			status = 1;
		} else {
			printf("%s: %u frames %ux%u, checksum %016llx\n", clip.name, o.frames,
			       o.width, o.height, (unsigned long long)o.sum);
		}
		if (verify && !why) {
			if (decode_here(&clip, &ref) < 0 || ref.sum != o.sum ||
			    ref.frames != o.frames) {
				printf("%s: the unsandboxed decode differs\n", clip.name);
				status = 1;
			} else {
				printf("%s: matches the unsandboxed decode\n", clip.name);
			}
		}
		if (clip.len)
			munmap(clip.data, clip.len);
	}
	sbx_config_free(cfg);
	return status;
}
