/* Initramfs images: the "newc" cpio format the kernel unpacks into its
 * rootfs, written uncompressed to an fd (the kernel takes it as it is). */
#ifndef SBX_VM_INITRAMFS_H
#define SBX_VM_INITRAMFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sandbox.h"

struct cpio {
	int fd; /* borrowed */
	uint32_t ino;
	uint64_t size; /* bytes written */
};

/* Every entry is owned by root in the guest. Names are relative ("init",
 * "bin/sh"); a directory must come before what it holds. */
int cpio_add(struct cpio *c, const char *name, mode_t mode, const void *data, size_t len,
	     sbx_error *err);
/* A host file's content under `name`, with `mode`. */
int cpio_add_file(struct cpio *c, const char *name, mode_t mode, const char *path, sbx_error *err);
/* A host directory's tree under `prefix` ("" for the top): directories,
 * regular files and symlinks, never following a symlink; device nodes,
 * sockets and FIFOs are left out (the guest has devtmpfs). */
int cpio_add_tree(struct cpio *c, const char *prefix, const char *dir, sbx_error *err);
/* The trailer that ends the archive. */
int cpio_finish(struct cpio *c, sbx_error *err);

#endif
