/* bench/chan: what a channel costs against the bare socket it is built on,
 * with and without a descriptor attached, and handing an 8 MiB frame over
 * through shared memory against copying it through a pipe.
 *
 * A child process answers; each case runs in rounds (order rotating), and
 * ratios are medians of per-round ratios.
 *
 *   chan [-r ROUNDS] [-n ROUND_TRIPS] [-P same|cross|none] [-q]
 *
 * -P pins both processes to one CPU (the default), to two, or not at all:
 * on the development machine a wake-up on another, idle CPU costs tens of
 * microseconds, which would drown what is measured here.
 *
 * Not a test: it asserts nothing and is never run by make check. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"
#include "stats.h"

#define FRAME (8u << 20)

enum kind { BARE, CHAN, CHAN_FD, SHM_FRAME, PIPE_FRAME, N_KINDS };
static const char *const names[N_KINDS] = {"bare socketpair", "channel", "channel + 1 fd",
					   "8 MiB via memfd", "8 MiB via pipe"};

/* The answering side of every case: echoes a byte per message (closing
 * any descriptor), or for frames acknowledges each one. */
static void answer(int sock, int pipe_rd, const char *frame)
{
	char buf[64];
	for (;;) {
		union {
			char b[CMSG_SPACE(sizeof(int))];
			struct cmsghdr a;
		} u;
		struct iovec iov = {buf, sizeof(buf)};
		struct msghdr m = {.msg_iov = &iov,
				   .msg_iovlen = 1,
				   .msg_control = u.b,
				   .msg_controllen = sizeof(u.b)};
		ssize_t n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
		if (n <= 0)
			_exit(0);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		if (c && c->cmsg_type == SCM_RIGHTS) {
			int fd;
			memcpy(&fd, CMSG_DATA(c), sizeof(fd));
			close(fd);
		}
		if (buf[0] == 'f') { /* a frame is in shared memory: look at it */
			volatile char x = frame[FRAME - 1];
			(void)x;
		} else if (buf[0] == 'p') { /* a frame comes down the pipe */
			static char sink[1 << 16];
			for (size_t got = 0; got < FRAME;) {
				ssize_t r = read(pipe_rd, sink, sizeof(sink));
				if (r <= 0)
					_exit(1);
				got += (size_t)r;
			}
		}
		if (send(sock, "a", 1, 0) != 1)
			_exit(1);
	}
}

static void pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

int main(int argc, char **argv)
{
	int rounds = 9, opt;
	long trips = 20000;
	const char *pinning = "same";
	while ((opt = getopt(argc, argv, "r:n:P:q")) != -1) {
		if (opt == 'r')
			rounds = atoi(optarg);
		else if (opt == 'n')
			trips = atol(optarg);
		else if (opt == 'P')
			pinning = optarg;
		else if (opt == 'q')
			rounds = 3, trips = 3000;
		else {
			fprintf(stderr,
				"usage: chan [-r ROUNDS] [-n ROUND_TRIPS] [-P same|cross|none] [-q]\n");
			return 2;
		}
	}
	bool same = !strcmp(pinning, "same"), cross = !strcmp(pinning, "cross");
	if (same || cross)
		pin(0);
	if (rounds < 1 || rounds > 64)
		rounds = 9;
	sbx_chan *ours, *theirs;
	sbx_error err;
	int pfd[2];
	int mem = sbx_shm_create("frame", FRAME, &err);
	if (sbx_chan_pair(&ours, &theirs, &err) < 0 || mem < 0 || pipe2(pfd, O_CLOEXEC) < 0) {
		fprintf(stderr, "chan: %s\n", err.message);
		return 1;
	}
	fcntl(pfd[1], F_SETPIPE_SZ, 1 << 20);
	char *frame = mmap(NULL, FRAME, PROT_READ | PROT_WRITE, MAP_SHARED, mem, 0);
	static char src[FRAME];
	memset(src, 'x', sizeof(src));
	memset(frame, 'x', FRAME);
	pid_t pid = fork();
	if (pid == 0) {
		if (same || cross)
			pin(cross ? 1 : 0);
		close(pfd[1]);
		close(sbx_chan_fd(ours)); /* so that our end closing is its EOF */
		answer(sbx_chan_fd(theirs), pfd[0], frame);
	}
	close(pfd[0]);
	sbx_chan_free(theirs);
	int sock = sbx_chan_fd(ours), devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	double per[N_KINDS][64];
	for (int r = 0; r < rounds; r++) {
		for (int j = 0; j < N_KINDS; j++) {
			enum kind k = (enum kind)((j + r) % N_KINDS);
			long n = k >= SHM_FRAME ? (k == PIPE_FRAME ? 20 : 2000) : trips;
			char buf[8];
			uint64_t t0 = now_ns();
			for (long i = 0; i < n; i++) {
				size_t nfds = 0;
				switch (k) {
				case BARE:
					if (send(sock, "q", 1, 0) != 1 ||
					    recv(sock, buf, sizeof(buf), 0) != 1)
						return 1;
					break;
				case CHAN:
				case CHAN_FD:
				case SHM_FRAME:
					if (sbx_chan_send(ours, k == SHM_FRAME ? "f" : "q", 1,
							  k == CHAN_FD ? &devnull : NULL,
							  k == CHAN_FD, &err) < 0 ||
					    sbx_chan_recv(ours, buf, sizeof(buf), NULL, &nfds,
							  &err) != 1)
						return 1;
					break;
				case PIPE_FRAME:
					if (sbx_chan_send(ours, "p", 1, NULL, 0, &err) < 0)
						return 1;
					for (size_t off = 0; off < FRAME;) {
						ssize_t w = write(pfd[1], src + off, FRAME - off);
						if (w <= 0)
							return 1;
						off += (size_t)w;
					}
					if (sbx_chan_recv(ours, buf, sizeof(buf), NULL, &nfds,
							  &err) != 1)
						return 1;
					break;
				default:
					break;
				}
			}
			per[k][r] = (double)(now_ns() - t0) / (double)n / 1e3;
		}
	}
	printf("round trips through a channel, %d rounds, %s (median us per round trip)\n", rounds,
	       same    ? "both on one CPU"
	       : cross ? "one CPU each"
		       : "not pinned");
	printf("%-18s %12s %14s\n", "case", "us", "x_bare");
	for (int k = 0; k < N_KINDS; k++) {
		double x[64];
		for (int r = 0; r < rounds; r++)
			x[r] = per[k][r] / per[BARE][r];
		printf("%-18s %12.2f %14.3f\n", names[k], pctl(per[k], (size_t)rounds, 0.5),
		       pctl(x, (size_t)rounds, 0.5));
	}
	sbx_chan_free(ours);
	close(pfd[1]);
	waitpid(pid, NULL, 0);
	return 0;
}
