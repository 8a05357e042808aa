/* Rules -> one seccomp BPF program, with libseccomp doing the compiling.
 *
 * In front goes our own check, which looks at the architecture and the
 * number only, so the kernel's action cache still answers every call whose
 * outcome does not depend on its arguments without running the filter:
 *
 *	arch != x86_64                   -> kill the process (i386 through int $0x80)
 *	nr & __X32_SYSCALL_BIT           -> kill the process (the x32 ABI)
 *	nr > the highest known call      -> ENOSYS, so libc falls back to older calls
 *	nr in a run of unknown numbers   -> ENOSYS, as without a filter
 *	nr has argument conditions       -> jump to program A
 *	                                 -> program B
 *
 * A (the calls with conditions, default: the policy's default) and B
 * (everything else, default: whatever most calls get) are libseccomp
 * programs, each a binary tree of numbers (SCMP_FLTATR_CTL_OPTIMIZE 2). Both
 * are needed because libseccomp's "else" for a conditional call is its
 * program's default, while B is smallest with the commonest action as its
 * default: container-default becomes ~160 instructions instead of ~400, and
 * the kernel's cost of installing a filter (it converts and JITs it for
 * every sandbox) grows with its length. When the two defaults agree, or
 * there are no conditions, one program does. */
#include "config.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bpfcompile.h"
#include "error.h"
#include "util.h"

#define MAX_DISPATCH 24 /* conditional calls; beyond this, one program */

uint32_t bpf_ret(struct pol_action a)
{
	switch (a.kind) {
	case PA_ALLOW:
		return SCMP_ACT_ALLOW;
	case PA_ERRNO:
		return SCMP_ACT_ERRNO(a.errnum);
	case PA_KILL_PROCESS:
		return SCMP_ACT_KILL_PROCESS;
	case PA_KILL_THREAD:
		return SCMP_ACT_KILL_THREAD;
	case PA_TRAP:
		return SCMP_ACT_TRAP;
	case PA_LOG:
		return SCMP_ACT_LOG;
	case PA_NOTIFY:
		return SCMP_ACT_NOTIFY;
	}
	return SCMP_ACT_KILL_PROCESS;
}

void bpf_number_space(sbx_policy *p, const int *catalog_nrs)
{
	p->max_nr = -1;
	p->n_gaps = 0;
	for (size_t i = 0; i < p->catalog.n_syscalls; i++)
		if (catalog_nrs[i] > p->max_nr)
			p->max_nr = catalog_nrs[i];
	for (size_t i = 0; i < p->ir.n; i++)
		if (p->ir.rules[i].nr > p->max_nr)
			p->max_nr = p->ir.rules[i].nr;
	_cleanup_free_ bool *taken = calloc((size_t)p->max_nr + 2, sizeof(*taken));
	if (!taken || p->max_nr < 0)
		return; /* without gaps these numbers get the default: stricter, not looser */
	for (size_t i = 0; i < p->catalog.n_syscalls; i++)
		if (catalog_nrs[i] >= 0)
			taken[catalog_nrs[i]] = true;
	for (size_t i = 0; i < p->ir.n; i++)
		taken[p->ir.rules[i].nr] = true;
	for (int nr = 0; nr <= p->max_nr && p->n_gaps < (int)ARRAY_SIZE(p->gaps); nr++) {
		if (taken[nr])
			continue;
		int hi = nr;
		while (hi + 1 <= p->max_nr && !taken[hi + 1])
			hi++;
		p->gaps[p->n_gaps].lo = nr;
		p->gaps[p->n_gaps].hi = hi;
		p->n_gaps++;
		nr = hi;
	}
}

static const enum scmp_compare scmp_ops[] = {
	[PO_EQ] = SCMP_CMP_EQ,
	[PO_NE] = SCMP_CMP_NE,
	[PO_LT] = SCMP_CMP_LT,
	[PO_LE] = SCMP_CMP_LE,
	[PO_GT] = SCMP_CMP_GT,
	[PO_GE] = SCMP_CMP_GE,
	[PO_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

/* One libseccomp program: default `def`, the given rules (those whose
 * action is the default are left out: libseccomp refuses them, and what
 * they match gets the default anyway). Exported through a memfd. */
static int libseccomp_program(const sbx_policy *p, uint32_t def, const struct pol_rule *rules,
			      size_t n_rules, int layout, struct sock_filter **out, size_t *len,
			      sbx_error *err)
{
	scmp_filter_ctx ctx = seccomp_init(def);
	if (!ctx)
		return err_setx(err, SBX_STAGE_CONFIG, ENOMEM,
				"%s: libseccomp: cannot create a filter", p->name);
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, (uint32_t)layout);
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0); /* the spawn sets it */
	if (r < 0) {
		seccomp_release(ctx);
		return err_setx(err, SBX_STAGE_CONFIG, -r, "%s: libseccomp attributes: %s", p->name,
				strerror(-r));
	}
	for (size_t i = 0; i < n_rules; i++) {
		const struct pol_rule *rule = &rules[i];
		if (bpf_ret(rule->action) == def)
			continue;
		struct scmp_arg_cmp cmp[POL_ARGS];
		for (size_t k = 0; k < rule->ncond; k++) {
			const struct pol_cond *c = &rule->cond[k];
			cmp[k] = (struct scmp_arg_cmp){
				.arg = c->arg,
				.op = scmp_ops[c->op],
				.datum_a = c->op == PO_MASKED_EQ ? c->mask : c->value,
				.datum_b = c->op == PO_MASKED_EQ ? c->value : 0};
		}
		r = seccomp_rule_add_array(ctx, bpf_ret(rule->action), rule->nr, rule->ncond, cmp);
		if (r < 0) {
			seccomp_release(ctx);
			return err_setx(err, SBX_STAGE_CONFIG, -r,
					"%s:%d:%d: libseccomp cannot add this rule for %s: %s",
					rule->where.file, rule->where.line, rule->where.col,
					rule->syscall, strerror(-r));
		}
	}
	_cleanup_close_ int mfd = memfd_create("sbx-bpf", MFD_CLOEXEC);
	if (mfd < 0) {
		seccomp_release(ctx);
		return err_set(err, SBX_STAGE_CONFIG, errno, "%s: memfd_create", p->name);
	}
	r = seccomp_export_bpf(ctx, mfd);
	seccomp_release(ctx);
	if (r < 0)
		return err_setx(err, SBX_STAGE_CONFIG, -r, "%s: libseccomp export: %s", p->name,
				strerror(-r));
	off_t size = lseek(mfd, 0, SEEK_END);
	if (size <= 0 || size % (off_t)sizeof(struct sock_filter))
		return err_setx(err, SBX_STAGE_CONFIG, EIO, "%s: libseccomp exported %lld bytes",
				p->name, (long long)size);
	*len = (size_t)size / sizeof(struct sock_filter);
	*out = malloc((size_t)size);
	if (!*out)
		return err_setx(err, SBX_STAGE_CONFIG, ENOMEM, "policy: out of memory");
	if (pread(mfd, *out, (size_t)size, 0) != size) {
		free(*out);
		*out = NULL;
		return err_set(err, SBX_STAGE_CONFIG, errno ? errno : EIO,
			       "%s: read the filter back", p->name);
	}
	return 0;
}

/* How the rules split: the calls with conditions, and for the others the
 * action each gets and the commonest of those. */
struct split {
	int *cond_nrs; /* distinct, in order of first appearance */
	size_t n_cond;
	struct pol_rule *plain; /* program B's rules: a call and its action */
	size_t n_plain;
	uint32_t b_default;
};

bool bpf_in_gap(const sbx_policy *p, int nr)
{
	for (int i = 0; i < p->n_gaps; i++)
		if (nr >= p->gaps[i].lo && nr <= p->gaps[i].hi)
			return true;
	return false;
}

static int split_rules(const sbx_policy *p, struct split *s)
{
	const struct policy_ir *ir = &p->ir;
	size_t n = (size_t)p->max_nr + 1;
	_cleanup_free_ struct pol_action *act = calloc(n, sizeof(*act));
	_cleanup_free_ bool *cond = calloc(n, sizeof(*cond));
	_cleanup_free_ bool *named = calloc(n, sizeof(*named));
	s->cond_nrs = calloc(ir->n + 1, sizeof(*s->cond_nrs));
	s->plain = calloc(n, sizeof(*s->plain));
	if (!act || !cond || !named || !s->cond_nrs || !s->plain)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		act[i] = ir->def;
	/* after parsing a call has one unconditional rule, or conditional
	 * ones only, or none */
	for (size_t i = 0; i < ir->n; i++) {
		const struct pol_rule *r = &ir->rules[i];
		named[r->nr] = true;
		if (r->ncond && !cond[r->nr]) {
			cond[r->nr] = true;
			s->cond_nrs[s->n_cond++] = r->nr;
		} else if (!r->ncond) {
			act[r->nr] = r->action;
		}
	}
	/* the commonest action among the calls without conditions (the
	 * policy's default wins a tie: one program then) */
	struct tally {
		uint32_t ret;
		size_t count;
	} tally[16];
	size_t nt = 0, best = 0;
	for (size_t nr = 0; nr < n; nr++) {
		if (cond[nr] || bpf_in_gap(p, (int)nr))
			continue;
		uint32_t ret = bpf_ret(act[nr]);
		size_t k = 0;
		while (k < nt && tally[k].ret != ret)
			k++;
		if (k == nt) {
			if (nt == ARRAY_SIZE(tally))
				continue; /* rare actions: they get rules either way */
			tally[nt++] = (struct tally){ret, 0};
		}
		tally[k].count++;
	}
	uint32_t def = bpf_ret(ir->def);
	s->b_default = def;
	for (size_t k = 0; k < nt; k++)
		if (tally[k].count > best || (tally[k].count == best && tally[k].ret == def)) {
			best = tally[k].count;
			s->b_default = tally[k].ret;
		}
	for (size_t nr = 0; nr < n; nr++) {
		if (cond[nr] || bpf_in_gap(p, (int)nr) || bpf_ret(act[nr]) == s->b_default)
			continue;
		struct pol_rule *r = &s->plain[s->n_plain++];
		r->nr = (int)nr;
		r->action = act[nr];
		/* for libseccomp's messages, the rule that said so */
		for (size_t i = 0; i < ir->n; i++)
			if (ir->rules[i].nr == (int)nr) {
				r->where = ir->rules[i].where;
				memcpy(r->syscall, ir->rules[i].syscall, sizeof(r->syscall));
			}
		if (!named[nr]) {
			r->where = (struct pol_where){p->name, 0, 0};
			snprintf(r->syscall, sizeof(r->syscall), "#%zu", nr);
		}
	}
	return 0;
}

/* Only the rules with conditions, for program A. */
static size_t conditional_rules(const struct policy_ir *ir, struct pol_rule *out)
{
	size_t n = 0;
	for (size_t i = 0; i < ir->n; i++)
		if (ir->rules[i].ncond)
			out[n++] = ir->rules[i];
	return n;
}

static int assemble(sbx_policy *p, const struct split *s, const struct sock_filter *b, size_t nb,
		    const struct sock_filter *a, size_t na, sbx_error *err)
{
	const struct sock_filter head[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, X32_BIT, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)p->max_nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	};
	size_t h = ARRAY_SIZE(head), g = 3 * (size_t)p->n_gaps, d = a ? 2 * s->n_cond : 0;
	size_t total = h + g + d + nb + na;
	if (total > BPF_MAXINSNS)
		return err_setx(err, SBX_STAGE_CONFIG, E2BIG,
				"%s: the filter has %zu instructions, the kernel takes %d", p->name,
				total, BPF_MAXINSNS);
	struct sock_filter *all = malloc(total * sizeof(*all));
	if (!all)
		return err_setx(err, SBX_STAGE_CONFIG, ENOMEM, "policy: out of memory");
	memcpy(all, head, sizeof(head));
	struct sock_filter *at = all + h;
	for (int i = 0; i < p->n_gaps; i++, at += 3) {
		at[0] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
						     (uint32_t)p->gaps[i].lo, 0, 2);
		at[1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K,
						     (uint32_t)p->gaps[i].hi, 1, 0);
		at[2] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	}
	/* to program A, which comes after B; libseccomp's programs load what
	 * they need themselves and only jump forward within themselves */
	size_t a_start = h + g + d + nb;
	for (size_t i = 0; a && i < s->n_cond; i++, at += 2) {
		size_t ja = (size_t)(at - all) + 1;
		at[0] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						     (uint32_t)s->cond_nrs[i], 0, 1);
		at[1] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA,
						     (uint32_t)(a_start - ja - 1));
	}
	memcpy(at, b, nb * sizeof(*b));
	if (a)
		memcpy(all + a_start, a, na * sizeof(*a));
	free(p->prog.filter);
	p->prog.filter = all;
	p->prog.len = (unsigned short)total;
	return 0;
}

int bpf_compile(sbx_policy *p, int layout, sbx_error *err)
{
	const struct policy_ir *ir = &p->ir;
	struct split s = {0};
	struct sock_filter *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	int r = split_rules(p, &s);
	if (r < 0) {
		r = err_setx(err, SBX_STAGE_CONFIG, ENOMEM, "policy: out of memory");
		goto out;
	}
	uint32_t def = bpf_ret(ir->def);
	if (layout == BPF_LAYOUT_LIBSECCOMP) {
		/* for comparison: what a runtime that hands libseccomp its
		 * rules as they stand gets */
		r = libseccomp_program(p, def, ir->rules, ir->n, 1, &b, &nb, err);
		s.n_cond = 0;
	} else if (s.n_cond == 0 || s.b_default == def || s.n_cond > MAX_DISPATCH) {
		/* one program: B's default must then be the policy's own
		 * unless nothing falls through to it */
		if (s.n_cond) {
			r = libseccomp_program(p, def, ir->rules, ir->n, 2, &b, &nb, err);
		} else {
			r = libseccomp_program(p, s.b_default, s.plain, s.n_plain, 2, &b, &nb, err);
		}
	} else {
		struct pol_rule *cr = calloc(ir->n + 1, sizeof(*cr));
		if (!cr) {
			r = err_setx(err, SBX_STAGE_CONFIG, ENOMEM, "policy: out of memory");
			goto out;
		}
		size_t nc = conditional_rules(ir, cr);
		r = libseccomp_program(p, def, cr, nc, 2, &a, &na, err);
		free(cr);
		if (r == 0)
			r = libseccomp_program(p, s.b_default, s.plain, s.n_plain, 2, &b, &nb, err);
	}
	if (r == 0)
		r = assemble(p, &s, b, nb, a, na, err);
out:
	free(a);
	free(b);
	free(s.cond_nrs);
	free(s.plain);
	return r;
}
