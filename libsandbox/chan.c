/* Channels: messages with descriptors attached, over an AF_UNIX
 * SOCK_SEQPACKET socket. A message is one send: its boundaries hold, and
 * its descriptors travel with it (SCM_RIGHTS). Every way a receive can go
 * wrong closes whatever descriptors did arrive, so a hostile or broken peer
 * cannot make us leak one. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chan.h"
#include "error.h"
#include "sandbox.h"
#include "util.h"

struct sbx_chan {
	int fd;
};

#define CHAN_ERR(err, e, ...) err_setx(err, SBX_STAGE_RUN, e, __VA_ARGS__)

sbx_chan *chan_adopt(int fd)
{
	sbx_chan *ch = malloc(sizeof(*ch));
	if (ch)
		ch->fd = fd;
	return ch;
}

int sbx_chan_pair(sbx_chan **a, sbx_chan **b, sbx_error *err)
{
	if (!a || !b)
		return CHAN_ERR(err, EINVAL, "channel: NULL argument");
	*a = *b = NULL;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return err_set(err, SBX_STAGE_RUN, errno, "channel: socketpair");
	*a = chan_adopt(sv[0]);
	*b = chan_adopt(sv[1]);
	if (!*a || !*b) {
		free(*a);
		free(*b);
		*a = *b = NULL;
		close(sv[0]);
		close(sv[1]);
		return CHAN_ERR(err, ENOMEM, "channel: out of memory");
	}
	return 0;
}

int sbx_chan_wrap(int fd, sbx_chan **out, sbx_error *err)
{
	if (!out)
		return CHAN_ERR(err, EINVAL, "channel: NULL argument");
	*out = NULL;
	int type = 0, domain = 0;
	socklen_t len = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return err_set(err, SBX_STAGE_RUN, errno, "channel: fd %d", fd);
	len = sizeof(domain);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0)
		return err_set(err, SBX_STAGE_RUN, errno, "channel: fd %d", fd);
	if (type != SOCK_SEQPACKET || domain != AF_UNIX)
		return CHAN_ERR(err, ENOTSOCK,
				"channel: fd %d is not an AF_UNIX SOCK_SEQPACKET socket", fd);
	if (!(*out = chan_adopt(fd)))
		return CHAN_ERR(err, ENOMEM, "channel: out of memory");
	return 0;
}

int sbx_chan_fd(const sbx_chan *ch)
{
	return ch ? ch->fd : -1;
}

void sbx_chan_free(sbx_chan *ch)
{
	if (!ch)
		return;
	int saved = errno;
	close(ch->fd);
	free(ch);
	errno = saved;
}

int sbx_chan_send(sbx_chan *ch, const void *data, size_t len, const int *fds, size_t nfds,
		  sbx_error *err)
{
	if (!ch || (!data && len))
		return CHAN_ERR(err, EINVAL, "channel send: NULL argument");
	/* an empty message could not be told from the peer's end */
	if (len == 0)
		return CHAN_ERR(err, EINVAL, "channel send: a message needs at least one byte");
	if (nfds > SBX_CHAN_MAX_FDS)
		return CHAN_ERR(err, EINVAL, "channel send: %zu descriptors, at most %d a message",
				nfds, SBX_CHAN_MAX_FDS);
	union {
		char buf[CMSG_SPACE(sizeof(int) * SBX_CHAN_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	if (nfds) {
		memset(&u, 0, sizeof(u));
		m.msg_control = u.buf;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	ssize_t n;
	do
		n = sendmsg(ch->fd, &m, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_set(err, SBX_STAGE_RUN, errno, "channel send");
	if ((size_t)n != len) /* a seqpacket send is all or nothing */
		return CHAN_ERR(err, EIO, "channel send: %zd of %zu bytes", n, len);
	return 0;
}

/* Closes every descriptor a message carried. */
static void close_carried(struct msghdr *m)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int fd;
		for (size_t i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			close(fd);
		}
	}
}

ssize_t sbx_chan_recv(sbx_chan *ch, void *buf, size_t cap, int *fds, size_t *nfds, sbx_error *err)
{
	size_t room = nfds ? *nfds : 0;
	if (nfds)
		*nfds = 0;
	if (!ch || !buf || !cap || (room && !fds))
		return CHAN_ERR(err, EINVAL, "channel receive: NULL argument or no room");
	/* room for one more than the most a message may carry, so that more
	 * is seen (and refused) rather than silently cut */
	union {
		char buf[CMSG_SPACE(sizeof(int) * (SBX_CHAN_MAX_FDS + 1))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = u.buf,
			   .msg_controllen = sizeof(u.buf)};
	ssize_t n;
	do
		n = recvmsg(ch->fd, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_set(err, SBX_STAGE_RUN, errno, "channel receive");
	if (n == 0 && !(m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) && m.msg_controllen == 0)
		return 0; /* the peer closed its end */
	size_t got = 0;
	const char *why = NULL;
	if (m.msg_flags & MSG_TRUNC)
		why = "the message is larger than the buffer";
	else if (m.msg_flags & MSG_CTRUNC)
		why = "the message carries more descriptors than a message may";
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c && !why; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
			why = "the message carries something other than descriptors";
			continue;
		}
		got += (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	}
	if (!why && got > room)
		why = "the message carries more descriptors than there is room for";
	if (why) {
		close_carried(&m);
		return CHAN_ERR(err, EMSGSIZE, "channel receive: %s (%zd bytes, %zu descriptors)",
				why, n, got);
	}
	size_t k = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		size_t cn = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(fds + k, CMSG_DATA(c), cn * sizeof(int));
		k += cn;
	}
	if (nfds)
		*nfds = k;
	return n;
}
