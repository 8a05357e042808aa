/* Internals of spawn.c that the unit tests reach. */
#ifndef SBX_SPAWN_H
#define SBX_SPAWN_H

/* The channel on which a child waits until the parent has written its id
 * maps: fds[0] is the child's end, fds[1] the parent's. A socket, not a pipe,
 * so that releasing a child that died meanwhile fails with EPIPE instead of
 * raising SIGPIPE in the caller's process. Returns 0 or -errno. */
int spawn_sync_channel(int fds[2]);

/* Lets the child waiting on the channel go on: 0, or -errno (EPIPE if it
 * died meanwhile), never a SIGPIPE. */
int spawn_release_child(int sync_fd);

#endif
