/* The configuration a caller builds: plain data, read-only once spawning. */
#ifndef SBX_CONF_H
#define SBX_CONF_H

#include <stdbool.h>
#include <stdint.h>

#include "sandbox.h"

#define CONF_HOSTNAME_MAX 64
#define CONF_FD_TARGET_MAX 1048575 /* fs.nr_open's default ceiling */

struct idmap {
	uint32_t inside;
	uint32_t outside;
	uint32_t count;
};

struct grant {
	int fd;	    /* owned duplicate */
	int target; /* fd number in the sandbox */
};

struct sbx_config {
	char *path;	    /* what to execute; NULL means argv[0] */
	int exec_fd;	    /* or this file (owned duplicate), -1 if none */
	char *exec_fd_name; /* what exec_fd was opened as, for messages */
	char **argv;	    /* NULL-terminated, owned; NULL until set */
	char **envp;	    /* NULL-terminated, owned, never NULL */
	size_t envc;
	char *cwd; /* absolute, owned */
	char hostname[CONF_HOSTNAME_MAX + 1];
	unsigned namespaces;
	uid_t uid;
	gid_t gid;
	bool user_set; /* sbx_config_set_user() was called */
	struct idmap uid_map[SBX_IDMAP_MAX];
	struct idmap gid_map[SBX_IDMAP_MAX];
	size_t n_uid_map;
	size_t n_gid_map;
	int stdio_mode[3];
	int stdio_fd[3]; /* owned duplicate for SBX_STDIO_FD, else -1 */
	struct grant *grants;
	size_t n_grants;
	int pdeathsig;
};

/* True if the map covers `id` (an id inside the namespace). */
bool conf_map_covers(const struct idmap *map, size_t n, uint32_t id);

#endif
