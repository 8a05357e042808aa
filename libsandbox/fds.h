/* File descriptors the sandbox starts with: stdio and grants. */
#ifndef SBX_FDS_H
#define SBX_FDS_H

#include "conf.h"
#include "plan.h"

/* Parent-side fds of one spawn: pipe ends and /dev/null, owned here until
 * the spawn hands the caller's pipe ends to the process handle. */
struct fds_parent {
	int child_end[3]; /* closed once the child has them */
	int our_end[3];	  /* the caller's end of a SBX_STDIO_PIPE stream */
	int relay_end[3]; /* our non-blocking read end of a SBX_STDIO_RELAY stream */
	int relay_to[3];  /* and where its data goes (a duplicate of the caller's fd) */
	int devnull;
	int chan_child[CONF_CHANNELS_MAX]; /* the sandbox's channel ends */
	int chan_ours[CONF_CHANNELS_MAX];
	size_t n_chan;
	struct fd_move *moves;
	size_t n_moves;
};

/* An empty set, safe to release. */
void fds_init(struct fds_parent *fp);

/* Opens what the streams need and lists the moves into plan->fds. */
int fds_prepare(const struct sbx_config *cfg, struct fds_parent *fp, struct plan *plan,
		sbx_error *err);

/* Closes everything still owned by fp. */
void fds_release(struct fds_parent *fp);

/* Function workers, which never exec, and a sandbox about to wait at its
 * start gate: closes every fd from 3 up but the moves' targets and the
 * n_keep (at most 4) in `keep` (-1s are ignored). 0 or -errno. */
#define FDS_KEEP_MAX 256
int fds_close_others(const struct fd_move *moves, size_t n, const int *keep, size_t n_keep);

/* Child side: places every move and marks every other fd >= 3
 * close-on-exec, so it closes at exec while the fds the child still needs
 * until then (the report pipe, the program's fd) keep working: *keep[i] are
 * moved above every target first. Returns 0 or -errno with *failed set to
 * the failing move, or to (size_t)-1. */
int fds_apply(struct fd_move *moves, size_t n, int floor, int *const keep[], size_t n_keep,
	      size_t *failed);

#endif
