/* Channels (chan.c): what the rest of the library needs beyond sandbox.h. */
#ifndef SBX_CHAN_H
#define SBX_CHAN_H

#include "sandbox.h"

/* A channel owning `fd` (a seqpacket socket we made), or NULL for ENOMEM. */
sbx_chan *chan_adopt(int fd);

#endif
