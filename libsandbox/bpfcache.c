/* Compiled filters kept on disk under a SHA-256 of everything that went into
 * them, so that a policy is compiled by libseccomp once, not per process. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpfcache.h"
#include "bpfcompile.h"
#include "sha256.h"
#include "util.h"

#define CACHE_MAGIC "SBXBPF2\n"

/* A cached filter: this header, then the instructions. */
struct cache_header {
	char magic[8];
	uint8_t digest[32]; /* of what went in (bpf_digest()) */
	uint8_t body[32];   /* of the instructions: a damaged file is not used */
	uint32_t count;
};

void bpf_digest(const sbx_policy *p, uint8_t out[32])
{
	struct sha256 s;
	sha256_init(&s);
	const struct scmp_version *v = seccomp_version();
	char head[128];
	int n = snprintf(head, sizeof(head), "sandboxd-bpf-2 libseccomp %u.%u.%u arch %u max %d",
			 v->major, v->minor, v->micro, NATIVE_AUDIT_ARCH, p->max_nr);
	sha256_update(&s, head, (size_t)n + 1);
	sha256_update(&s, p->gaps, (size_t)p->n_gaps * sizeof(p->gaps[0]));
	uint32_t def = bpf_ret(p->ir.def);
	sha256_update(&s, &def, sizeof(def));
	for (size_t i = 0; i < p->ir.n; i++) {
		const struct pol_rule *r = &p->ir.rules[i];
		uint32_t fields[3] = {(uint32_t)r->nr, bpf_ret(r->action), r->ncond};
		sha256_update(&s, fields, sizeof(fields));
		for (size_t k = 0; k < r->ncond; k++) {
			uint64_t c[4] = {r->cond[k].arg, (uint64_t)r->cond[k].op, r->cond[k].mask,
					 r->cond[k].value};
			sha256_update(&s, c, sizeof(c));
		}
	}
	sha256_final(&s, out);
}

/* The directory must be ours and writable by nobody else: a filter planted
 * there would run in every sandbox. */
bool bpf_cache_dir_ok(const char *dir)
{
	struct stat st;
	if (lstat(dir, &st) < 0) {
		if (errno != ENOENT || mkdir(dir, 0700) < 0 || lstat(dir, &st) < 0)
			return false;
	}
	return S_ISDIR(st.st_mode) && st.st_uid == geteuid() && !(st.st_mode & 022);
}

static void cache_path(const char *dir, const uint8_t d[32], char *out, size_t len)
{
	char hex[65];
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	snprintf(out, len, "%s/%s.bpf", dir, hex);
}

bool bpf_cache_load(sbx_policy *p, const char *dir, const uint8_t d[32])
{
	char path[4096];
	cache_path(dir, d, path, sizeof(path));
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022))
		return false;
	struct cache_header h;
	if (read(fd, &h, sizeof(h)) != sizeof(h) || memcmp(h.magic, CACHE_MAGIC, 8) ||
	    memcmp(h.digest, d, 32) || h.count == 0 || h.count > BPF_MAXINSNS ||
	    (size_t)st.st_size != sizeof(h) + h.count * sizeof(struct sock_filter))
		return false;
	struct sock_filter *insns = malloc(h.count * sizeof(*insns));
	if (!insns)
		return false;
	ssize_t want = (ssize_t)(h.count * sizeof(*insns));
	uint8_t body[32];
	bool whole = read(fd, insns, (size_t)want) == want;
	if (whole)
		sha256_buf(insns, (size_t)want, body);
	if (!whole || memcmp(body, h.body, 32)) {
		free(insns);
		return false;
	}
	p->prog.filter = insns;
	p->prog.len = (unsigned short)h.count;
	p->from_cache = true;
	return true;
}

/* Best effort: a cache that cannot be written only costs time. */
void bpf_cache_store(const sbx_policy *p, const char *dir, const uint8_t d[32])
{
	char path[4096], tmp[4096];
	cache_path(dir, d, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s/.tmp.XXXXXX", dir);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return;
	struct cache_header h;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, CACHE_MAGIC, 8);
	memcpy(h.digest, d, 32);
	h.count = p->prog.len;
	size_t body = p->prog.len * sizeof(struct sock_filter);
	sha256_buf(p->prog.filter, body, h.body);
	bool ok = write(fd, &h, sizeof(h)) == sizeof(h) &&
		  write(fd, p->prog.filter, body) == (ssize_t)body;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) < 0)
		unlink(tmp);
}
