#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "fds.h"
#include "sys.h"
#include "util.h"

void fds_init(struct fds_parent *fp)
{
	memset(fp, 0, sizeof(*fp));
	fp->devnull = -1;
	for (int i = 0; i < 3; i++)
		fp->child_end[i] = fp->our_end[i] = fp->relay_end[i] = fp->relay_to[i] = -1;
	for (int i = 0; i < CONF_CHANNELS_MAX; i++)
		fp->chan_child[i] = fp->chan_ours[i] = -1;
}

int fds_prepare(const struct sbx_config *cfg, struct fds_parent *fp, struct plan *plan,
		sbx_error *err)
{
	fds_init(fp);

	fp->moves = calloc(cfg->n_grants + cfg->n_channels + 3, sizeof(*fp->moves));
	if (!fp->moves)
		return err_setx(err, SBX_STAGE_PREPARE, ENOMEM, "fds: out of memory");

	int floor = 3;
	for (int i = 0; i < 3; i++) {
		int src = -1;
		switch (cfg->stdio_mode[i]) {
		case SBX_STDIO_INHERIT:
			continue;
		case SBX_STDIO_NULL:
			if (fp->devnull < 0) {
				fp->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
				if (fp->devnull < 0)
					return err_set(err, SBX_STAGE_PREPARE, errno,
						       "stdio %d: open /dev/null", i);
			}
			src = fp->devnull;
			break;
		case SBX_STDIO_PIPE: {
			int p[2];
			if (pipe2(p, O_CLOEXEC) < 0)
				return err_set(err, SBX_STAGE_PREPARE, errno, "stdio %d: pipe", i);
			fp->child_end[i] = i == 0 ? p[0] : p[1];
			fp->our_end[i] = i == 0 ? p[1] : p[0];
			src = fp->child_end[i];
			break;
		}
		case SBX_STDIO_FD:
			src = cfg->stdio_fd[i];
			break;
		case SBX_STDIO_RELAY: {
			int p[2];
			if (pipe2(p, O_CLOEXEC) < 0)
				return err_set(err, SBX_STAGE_PREPARE, errno, "stdio %d: pipe", i);
			fp->child_end[i] = p[1];
			fp->relay_end[i] = p[0];
			/* the supervisor must never block on the sandbox's side */
			fcntl(p[0], F_SETFL, O_NONBLOCK);
			fp->relay_to[i] = fcntl(cfg->stdio_fd[i], F_DUPFD_CLOEXEC, 3);
			if (fp->relay_to[i] < 0)
				return err_set(err, SBX_STAGE_PREPARE, errno,
					       "stdio %d: relay target", i);
			src = p[1];
			break;
		}
		}
		fp->moves[fp->n_moves++] = (struct fd_move){.src = src, .target = i, .tmp = -1};
	}
	for (size_t i = 0; i < cfg->n_grants; i++) {
		const struct grant *g = &cfg->grants[i];
		fp->moves[fp->n_moves++] =
			(struct fd_move){.src = g->fd, .target = g->target, .tmp = -1};
		if (g->target >= floor)
			floor = g->target + 1;
	}
	for (size_t i = 0; i < cfg->n_channels; i++) {
		int target = cfg->channels[i], sv[2];
		for (size_t k = 0; k < cfg->n_grants; k++)
			if (cfg->grants[k].target == target)
				return err_setx(err, SBX_STAGE_CONFIG, EINVAL,
						"fd %d is both a grant and a channel", target);
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
			return err_set(err, SBX_STAGE_PREPARE, errno, "channel for fd %d", target);
		fp->chan_ours[fp->n_chan] = sv[0];
		fp->chan_child[fp->n_chan++] = sv[1];
		fp->moves[fp->n_moves++] =
			(struct fd_move){.src = sv[1], .target = target, .tmp = -1};
		if (target >= floor)
			floor = target + 1;
	}
	plan->fds = fp->moves;
	plan->n_fds = fp->n_moves;
	plan->fd_floor = floor;
	return 0;
}

void fds_release(struct fds_parent *fp)
{
	for (int i = 0; i < 3; i++) {
		closep(&fp->child_end[i]);
		closep(&fp->our_end[i]);
		closep(&fp->relay_end[i]);
		closep(&fp->relay_to[i]);
	}
	closep(&fp->devnull);
	for (size_t i = 0; i < fp->n_chan; i++) {
		closep(&fp->chan_child[i]);
		closep(&fp->chan_ours[i]);
	}
	free(fp->moves);
	fp->moves = NULL;
	fp->n_moves = 0;
}

int fds_close_others(const struct fd_move *moves, size_t n, const int *keep, size_t n_keep)
{
	/* the fds to keep, sorted (insertion sort: no allocation here) */
	int k[FDS_KEEP_MAX + 4];
	size_t nk = 0;
	for (size_t i = 0; i < n_keep && i < 4; i++)
		if (keep[i] >= 3)
			k[nk++] = keep[i];
	for (size_t i = 0; i < n; i++) {
		if (moves[i].target < 3)
			continue;
		if (nk == FDS_KEEP_MAX)
			return -E2BIG;
		k[nk++] = moves[i].target;
	}
	for (size_t i = 1; i < nk; i++)
		for (size_t j = i; j > 0 && k[j - 1] > k[j]; j--) {
			int t = k[j];
			k[j] = k[j - 1];
			k[j - 1] = t;
		}
	unsigned from = 3;
	for (size_t i = 0; i < nk; i++) {
		if ((unsigned)k[i] > from && sys_close_range(from, (unsigned)k[i] - 1, 0) < 0)
			return -errno;
		if ((unsigned)k[i] + 1 > from)
			from = (unsigned)k[i] + 1;
	}
	return sys_close_range(from, ~0U, 0) < 0 ? -errno : 0;
}

int fds_apply(struct fd_move *moves, size_t n, int floor, int *const keep[], size_t n_keep,
	      size_t *failed)
{
	/* First lift every source above all targets, so that placing one move
	 * cannot overwrite the source of another (grant 4 as 3 and 3 as 4). */
	for (size_t i = 0; i < n_keep; i++) {
		if (*keep[i] < 0 || *keep[i] >= floor)
			continue;
		int fd = fcntl(*keep[i], F_DUPFD_CLOEXEC, floor);
		if (fd < 0) {
			*failed = (size_t)-1;
			return -errno;
		}
		*keep[i] = fd;
	}
	for (size_t i = 0; i < n; i++) {
		moves[i].tmp = fcntl(moves[i].src, F_DUPFD_CLOEXEC, floor);
		if (moves[i].tmp < 0) {
			*failed = i;
			return -errno;
		}
	}
	/* Everything from 3 up closes at exec... */
	if (sys_close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		*failed = (size_t)-1;
		return -errno;
	}
	/* ...but the targets, which dup3 without O_CLOEXEC creates fresh. */
	for (size_t i = 0; i < n; i++) {
		if (dup3(moves[i].tmp, moves[i].target, 0) < 0) {
			*failed = i;
			return -errno;
		}
	}
	return 0;
}
