/* Rights carried by descriptors (rights.c). */
#ifndef SBX_RIGHTS_H
#define SBX_RIGHTS_H

#include <stdbool.h>

#include "sandbox.h"

/* open(2) flags that give `rights` (enum sbx_rights), or -1. */
int rights_open_flags(int rights);

/* SBX_RIGHTS_DIR or SBX_RIGHTS_DIR_WRITE. */
bool rights_is_dir(int rights);

/* Whether fd's file suits `rights` (a directory for DIR rights, not one
 * for file rights): 0 or -errno. */
int rights_check(int fd, int rights);

/* Why a grant or narrowing failed, in words. */
const char *rights_problem(int e, int rights);

#endif
