/* Policies: loading (parse, then compile or take from the cache), what a
 * policy amounts to, explaining its decisions, the checks a spawn makes,
 * and sbx_enter(). The compiler is bpfcompile.c, the cache bpfcache.c. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfcache.h"
#include "bpfcompile.h"
#include "bpfsim.h"
#include "error.h"
#include "filter.h"
#include "util.h"

#ifndef SBX_POLICY_DIR
#define SBX_POLICY_DIR "/usr/share/sandboxd/policies"
#endif

/* ---------------------------------------------------------------- names */

struct resolver {
	const struct pol_catalog *cat;
	const int *nrs; /* per catalog entry, -1 where not on this architecture */
};

static int resolve(const char *name, void *ctx)
{
	const struct resolver *r = ctx;
	const struct pol_syscall *sc = catalog_find(r->cat, name);
	if (sc)
		return r->nrs[sc - r->cat->syscalls];
	/* a call the catalog does not list: libseccomp may still know it */
	int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_NATIVE, name);
	return nr >= 0 ? nr : -1;
}

/* ---------------------------------------------------------------- loading */

int filter_catalog_nr(const struct pol_catalog *cat, size_t i)
{
	/* the built-in catalog's numbers are the headers'; what they lack,
	 * and a custom catalog's, libseccomp resolves */
	int nr = cat->builtin ? sbx_builtin_nrs[i] : -1;
	if (nr < 0)
		nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_NATIVE, cat->syscalls[i].name);
	return nr < 0 ? -1 : nr; /* libseccomp's pseudo numbers: not on this architecture */
}

static int load_groups(const sbx_policy_opts *o, struct pol_catalog *cat, sbx_error *err)
{
	if (!o || !o->groups_file) {
		*cat = sbx_builtin_catalog;
		return 0;
	}
	_cleanup_close_ int fd = open(o->groups_file, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return err_set(err, SBX_STAGE_CONFIG, errno, "%s", o->groups_file);
	if (st.st_size > (1 << 20))
		return err_setx(err, SBX_STAGE_CONFIG, EFBIG, "%s: larger than 1 MiB",
				o->groups_file);
	_cleanup_free_ char *text = calloc(1, (size_t)st.st_size + 1);
	if (!text)
		return err_setx(err, SBX_STAGE_CONFIG, ENOMEM, "policy: out of memory");
	if (read(fd, text, (size_t)st.st_size) != st.st_size)
		return err_set(err, SBX_STAGE_CONFIG, errno ? errno : EIO, "read %s",
			       o->groups_file);
	return catalog_parse(text, o->groups_file, cat, err);
}

static int load(const char *path, const char *text, const char *name, const sbx_policy_opts *opts,
		sbx_policy **out, sbx_error *err)
{
	*out = NULL;
	if (opts && opts->size < sizeof(sbx_policy_opts))
		return err_setx(err, SBX_STAGE_CONFIG, EINVAL, "policy: opts->size too small");
	sbx_policy *p = calloc(1, sizeof(*p));
	if (!p)
		return err_setx(err, SBX_STAGE_CONFIG, ENOMEM, "policy: out of memory");
	p->refs = 1;
	snprintf(p->name, sizeof(p->name), "%s", path ? path : name);
	int r = load_groups(opts, &p->catalog, err);
	_cleanup_free_ int *nrs = NULL;
	if (r == 0) {
		nrs = calloc(p->catalog.n_syscalls + 1, sizeof(*nrs));
		if (!nrs)
			r = err_setx(err, SBX_STAGE_CONFIG, ENOMEM, "policy: out of memory");
	}
	if (r < 0) {
		sbx_policy_free(p);
		return r;
	}
	for (size_t i = 0; i < p->catalog.n_syscalls; i++)
		nrs[i] = filter_catalog_nr(&p->catalog, i);
	static const char *const shipped[] = {SBX_POLICY_DIR, NULL};
	struct resolver res = {&p->catalog, nrs};
	struct pol_parse_env env = {
		.catalog = &p->catalog,
		.resolve = resolve,
		.resolve_ctx = &res,
		.include_dirs = opts && opts->include_dirs ? opts->include_dirs : shipped,
	};
	r = path ? policy_parse_file(path, &env, &p->ir, err)
		 : policy_parse_text(text, name, &env, &p->ir, err);
	if (r < 0) {
		sbx_policy_free(p);
		return r;
	}
	bpf_number_space(p, nrs);
	p->notifies = p->ir.def.kind == PA_NOTIFY;
	for (size_t i = 0; i < p->ir.n; i++)
		p->notifies |= p->ir.rules[i].action.kind == PA_NOTIFY;
	if (p->ir.strict) {
		*out = p;
		return 0;
	}
	uint8_t d[32];
	bpf_digest(p, d);
	const char *dir = opts ? opts->cache_dir : NULL;
	bool use_cache = dir && bpf_cache_dir_ok(dir);
	if (!(use_cache && bpf_cache_load(p, dir, d))) {
		if ((r = bpf_compile(p, BPF_LAYOUT_OURS, err)) < 0) {
			sbx_policy_free(p);
			return r;
		}
		if (use_cache)
			bpf_cache_store(p, dir, d);
	}
	*out = p;
	return 0;
}

int sbx_policy_load(const char *path, const sbx_policy_opts *opts, sbx_policy **out, sbx_error *err)
{
	if (!path || !out)
		return err_setx(err, SBX_STAGE_CONFIG, EINVAL, "policy: NULL argument");
	return load(path, NULL, NULL, opts, out, err);
}

int sbx_policy_parse(const char *text, const char *name, const sbx_policy_opts *opts,
		     sbx_policy **out, sbx_error *err)
{
	if (!text || !out)
		return err_setx(err, SBX_STAGE_CONFIG, EINVAL, "policy: NULL argument");
	return load(NULL, text, name ? name : "(policy)", opts, out, err);
}

int filter_relayout(sbx_policy *p, int layout, sbx_error *err)
{
	if (p->ir.strict)
		return err_setx(err, SBX_STAGE_CONFIG, EINVAL, "%s: strict mode has no filter",
				p->name);
	return bpf_compile(p, layout ? BPF_LAYOUT_LIBSECCOMP : BPF_LAYOUT_OURS, err);
}

void filter_policy_ref(sbx_policy *p)
{
	__atomic_add_fetch(&p->refs, 1, __ATOMIC_RELAXED);
}

void sbx_policy_free(sbx_policy *p)
{
	if (!p || __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	policy_ir_free(&p->ir);
	catalog_free(&p->catalog);
	free(p->prog.filter);
	free(p);
}

/* ---------------------------------------------------------------- using */

int sbx_policy_get_info(const sbx_policy *p, sbx_policy_info *info, sbx_error *err)
{
	if (!p || !info || info->size < sizeof(*info))
		return err_setx(err, SBX_STAGE_CONFIG, EINVAL,
				"policy info: NULL or size too small");
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->strict = p->ir.strict;
	info->rules = (unsigned)p->ir.n;
	for (size_t i = 0; i < p->ir.n; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = p->ir.rules[j].nr == p->ir.rules[i].nr;
		info->syscalls += !seen;
	}
	info->bpf_insns = p->prog.len;
	info->from_cache = p->from_cache;
	info->notifies = p->notifies;
	info->log_denials = p->ir.log_denials;
	if (p->ir.def.kind == PA_ERRNO) {
		const char *e = policy_errno_name(p->ir.def.errnum);
		if (e)
			snprintf(info->default_action, sizeof(info->default_action), "errno %s", e);
		else
			snprintf(info->default_action, sizeof(info->default_action), "errno %u",
				 p->ir.def.errnum);
	} else {
		snprintf(info->default_action, sizeof(info->default_action), "%s",
			 p->ir.strict ? "kill-process" : policy_action_name(p->ir.def.kind));
	}
	return 0;
}

int sbx_policy_export(const sbx_policy *p, int fd, sbx_error *err)
{
	if (!p)
		return err_setx(err, SBX_STAGE_CONFIG, EINVAL, "policy export: NULL policy");
	if (p->ir.strict)
		return err_setx(err, SBX_STAGE_CONFIG, EINVAL,
				"%s: a strict-mode policy has no filter to export", p->name);
	size_t len = p->prog.len * sizeof(struct sock_filter), off = 0;
	while (off < len) {
		ssize_t n = write(fd, (const char *)p->prog.filter + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_set(err, SBX_STAGE_CONFIG, n < 0 ? errno : EIO, "policy export");
		off += (size_t)n;
	}
	return 0;
}

static void action_text(uint32_t ret, char *buf, size_t len, int *errnum)
{
	*errnum = 0;
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
		snprintf(buf, len, "allow");
		return;
	case SECCOMP_RET_ERRNO: {
		*errnum = (int)(ret & SECCOMP_RET_DATA);
		const char *e = policy_errno_name(*errnum);
		if (e)
			snprintf(buf, len, "errno %s", e);
		else
			snprintf(buf, len, "errno %d", *errnum);
		return;
	}
	case SECCOMP_RET_KILL_PROCESS:
		snprintf(buf, len, "kill-process");
		return;
	case SECCOMP_RET_KILL_THREAD:
		snprintf(buf, len, "kill-thread");
		return;
	case SECCOMP_RET_TRAP:
		snprintf(buf, len, "trap");
		return;
	case SECCOMP_RET_LOG:
		snprintf(buf, len, "log");
		return;
	case SECCOMP_RET_USER_NOTIF:
		snprintf(buf, len, "notify");
		return;
	}
	snprintf(buf, len, "0x%08x", ret);
}

/* The rule as the policy wrote it, with values in hex. */
static void rule_text(const sbx_policy *p, const struct pol_rule *r, char *buf, size_t len)
{
	static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">=", "=="};
	const struct pol_syscall *sc = catalog_find(&p->catalog, r->syscall);
	int n = snprintf(buf, len, "%s:%d: %s", r->where.file, r->where.line,
			 policy_action_name(r->action.kind));
	if (r->action.kind == PA_ERRNO && n >= 0 && (size_t)n < len) {
		const char *e = policy_errno_name(r->action.errnum);
		n += e ? snprintf(buf + n, len - (size_t)n, " %s", e)
		       : snprintf(buf + n, len - (size_t)n, " %u", r->action.errnum);
	}
	if (n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " %s", r->syscall);
	for (size_t k = 0; k < r->ncond && n >= 0 && (size_t)n < len; k++) {
		const struct pol_cond *c = &r->cond[k];
		char arg[32];
		if (sc && c->arg < sc->nargs)
			snprintf(arg, sizeof(arg), "%s", sc->args[c->arg]);
		else
			snprintf(arg, sizeof(arg), "arg%u", c->arg);
		if (c->op == PO_MASKED_EQ)
			n += snprintf(buf + n, len - (size_t)n, " %s %s & 0x%llx == 0x%llx",
				      k ? "and" : "if", arg, (unsigned long long)c->mask,
				      (unsigned long long)c->value);
		else
			n += snprintf(buf + n, len - (size_t)n, " %s %s %s 0x%llx",
				      k ? "and" : "if", arg, ops[c->op],
				      (unsigned long long)c->value);
	}
}

int sbx_policy_explain(const sbx_policy *p, const char *syscall, const uint64_t args[6],
		       sbx_decision *d, sbx_error *err)
{
	if (!p || !syscall || !d || d->size < sizeof(*d))
		return err_setx(err, SBX_STAGE_CONFIG, EINVAL, "explain: NULL argument or size");
	memset(d, 0, sizeof(*d));
	d->size = sizeof(*d);
	const uint64_t zero[6] = {0};
	if (!args)
		args = zero;
	char *end;
	long num = strtol(syscall, &end, 0);
	int nr = *end || end == syscall
			 ? seccomp_syscall_resolve_name_arch(SCMP_ARCH_NATIVE, syscall)
			 : (int)num;
	if (nr < 0)
		return err_setx(err, SBX_STAGE_CONFIG, EINVAL,
				"explain: unknown system call \"%s\"", syscall);
	if (p->ir.strict) {
		static const char *const four[] = {"read", "write", "exit", "rt_sigreturn"};
		bool ok = false;
		for (size_t i = 0; i < 4; i++)
			ok |= seccomp_syscall_resolve_name_arch(SCMP_ARCH_NATIVE, four[i]) == nr;
		snprintf(d->action, sizeof(d->action), ok ? "allow" : "kill-process");
		snprintf(
			d->because, sizeof(d->because),
			"mode strict allows read, write, exit and rt_sigreturn, and kills the rest");
		return 0;
	}
	struct seccomp_data sd = {.nr = nr, .arch = NATIVE_AUDIT_ARCH};
	memcpy(sd.args, args, sizeof(sd.args));
	int bad;
	uint32_t ret = bpfsim_run(p->prog.filter, p->prog.len, &sd, &bad);
	if (bad)
		return err_setx(err, SBX_STAGE_CONFIG, EIO,
				"explain: the compiled filter is malformed");
	action_text(ret, d->action, sizeof(d->action), &d->errnum);
	if ((uint32_t)nr & X32_BIT) {
		snprintf(d->because, sizeof(d->because), "x32 system calls are killed");
	} else if (nr > p->max_nr) {
		snprintf(d->because, sizeof(d->because),
			 "newer than every call in the catalog: ENOSYS, so libc falls back");
	} else if (bpf_in_gap(p, nr)) {
		snprintf(d->because, sizeof(d->because),
			 "no system call has this number here: ENOSYS, as without a filter");
	} else {
		const struct pol_rule *r = policy_decide(&p->ir, nr, args);
		if (r)
			rule_text(p, r, d->because, sizeof(d->because));
		else
			snprintf(d->because, sizeof(d->because), "the default");
	}
	return 0;
}

/* Whether the child's own call `nr` during set-up goes through: allowed,
 * logged, or notified (the parent answers set-up notifications with
 * "continue"). */
static bool passes(const sbx_policy *p, int nr)
{
	struct seccomp_data sd = {.nr = nr, .arch = NATIVE_AUDIT_ARCH};
	int bad;
	uint32_t ret = bpfsim_run(p->prog.filter, p->prog.len, &sd, &bad) & SECCOMP_RET_ACTION_FULL;
	return !bad && (ret == SECCOMP_RET_ALLOW || ret == SECCOMP_RET_LOG ||
			ret == SECCOMP_RET_USER_NOTIF);
}

/* With notify rules the child waits (read) for the parent to take the
 * listener. */
static const char *cannot_wait(const sbx_policy *p)
{
	if (p->notifies && !passes(p, SYS_read))
		return "a policy with notify rules must let read through: the sandbox waits "
		       "under the filter until its listener is taken";
	return NULL;
}

const char *filter_cannot_exec(const sbx_policy *p, bool from_fd)
{
	if (p->ir.strict)
		return "mode strict allows read, write, exit and sigreturn only, so no program can "
		       "start under it: the program must call sbx_enter() itself";
	if (!passes(p, from_fd ? SYS_execveat : SYS_execve))
		return from_fd ? "the policy does not allow execveat, which starts a program from a "
				 "descriptor"
			       : "the policy does not allow execve, so no program can start under it";
	return cannot_wait(p);
}

const char *filter_cannot_enter(const sbx_policy *p)
{
	if (p->ir.strict)
		return NULL;
	/* the worker closes its report channel under the filter */
	if (!passes(p, SYS_close))
		return "a function worker closes its set-up channel under the filter, and the "
		       "policy does not allow close";
	return cannot_wait(p);
}

int sbx_syscall_resolve(const char *name)
{
	if (!name)
		return -1;
	int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_NATIVE, name);
	return nr >= 0 ? nr : -1;
}

int sbx_syscall_name(int nr, char *buf, size_t len)
{
	char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	if (!name)
		return -ENOENT;
	snprintf(buf, len, "%s", name);
	free(name);
	return 0;
}

void sbx_worker_exit(int status)
{
	for (;;)
		syscall(SYS_exit, status & 0xff);
}

int sbx_enter(const sbx_policy *p, sbx_error *err)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_set(err, SBX_STAGE_SETUP, errno, "enter: set no_new_privs");
	if (!p || p->ir.strict) {
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, NULL) < 0)
			return err_set(err, SBX_STAGE_SETUP, errno, "enter: strict mode");
		return 0;
	}
	unsigned flags =
		SECCOMP_FILTER_FLAG_TSYNC | (p->ir.log_denials ? SECCOMP_FILTER_FLAG_LOG : 0);
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &p->prog);
	if (r < 0)
		return err_set(err, SBX_STAGE_SETUP, errno, "enter: install the filter of %s",
			       p->name);
	if (r > 0) /* TSYNC names a thread that could not take it */
		return err_setx(err, SBX_STAGE_SETUP, EAGAIN,
				"enter: thread %ld runs under another filter and cannot take %s", r,
				p->name);
	return 0;
}
