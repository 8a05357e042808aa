/* The policy language (sandbox-policy(5)) and the syscall catalog.
 *
 *	# comment
 *	include container-default        # relative to this file, then the shipped dir
 *	default errno EPERM              # what no rule matches gets (kill-process if absent)
 *	allow @basic-io, @memory         # groups from syscalls.groups
 *	allow write if fd == 1           # argument names from syscalls.groups
 *	allow mmap if prot & PROT_EXEC == 0
 *	errno ENOSYS clone3
 *	log-denials                      # the audit log records every denial
 *	mode strict                      # SECCOMP_SET_MODE_STRICT instead of a filter
 *
 * Semantics, chosen so that libseccomp compiles exactly them: for each
 * system call the last word counts (see finish()), so a group can be allowed
 * and one of its calls carved out or restricted; rules with conditions on one
 * call are OR-ed, and what none matches gets the default. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "policy.h"
#include "util.h"

#define INCLUDE_DEPTH 16
#define FILE_MAX (1u << 20)

/* ---------------------------------------------------------------- errors */

__attribute__((format(printf, 5, 6))) static int perr(sbx_error *err, const char *file, int line,
						      int col, const char *fmt, ...)
{
	char msg[SBX_ERROR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_setx(err, SBX_STAGE_CONFIG, EINVAL, "%s:%d:%d: %s", file, line, col, msg);
}

/* ---------------------------------------------------------------- tokens */

enum tok_kind { T_END, T_WORD, T_NUMBER, T_STRING, T_OP };

struct tok {
	enum tok_kind kind;
	char text[256];
	uint64_t num;
	int col;
};

struct lexer {
	const char *line; /* NUL-terminated, no newline */
	size_t pos;
	const char *file;
	int lineno;
	sbx_error *err;
};

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '@' || c == '.' ||
	       c == '/' || c == '+';
}

/* Next token; -EINVAL (err filled) on a malformed one. */
static int next(struct lexer *lx, struct tok *t)
{
	const char *s = lx->line;
	while (s[lx->pos] == ' ' || s[lx->pos] == '\t' || s[lx->pos] == '\r')
		lx->pos++;
	memset(t, 0, sizeof(*t));
	t->col = (int)lx->pos + 1;
	char c = s[lx->pos];
	if (!c || c == '#') {
		t->kind = T_END;
		return 0;
	}
	if (c == '"') {
		size_t start = ++lx->pos, n = 0;
		while (s[lx->pos] && s[lx->pos] != '"')
			lx->pos++;
		if (s[lx->pos] != '"')
			return perr(lx->err, lx->file, lx->lineno, t->col, "unterminated string");
		n = lx->pos - start;
		if (n >= sizeof(t->text))
			return perr(lx->err, lx->file, lx->lineno, t->col, "string too long");
		memcpy(t->text, s + start, n);
		lx->pos++;
		t->kind = T_STRING;
		return 0;
	}
	static const char *const ops[] = {"==", "!=", "<=", ">=", "<", ">", "&", "|", ","};
	for (size_t i = 0; i < sizeof(ops) / sizeof(*ops); i++) {
		size_t n = strlen(ops[i]);
		if (!strncmp(s + lx->pos, ops[i], n)) {
			memcpy(t->text, ops[i], n);
			lx->pos += n;
			t->kind = T_OP;
			return 0;
		}
	}
	if (isdigit((unsigned char)c)) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(s + lx->pos, &end, 0);
		if (errno || word_char(*end))
			return perr(lx->err, lx->file, lx->lineno, t->col,
				    "expected a number (decimal, 0x hex or 0 octal) of at most 64 "
				    "bits");
		size_t n = (size_t)(end - (s + lx->pos));
		memcpy(t->text, s + lx->pos, n < sizeof(t->text) ? n : sizeof(t->text) - 1);
		t->num = v;
		lx->pos += n;
		t->kind = T_NUMBER;
		return 0;
	}
	if (word_char(c)) {
		size_t n = 0;
		while (word_char(s[lx->pos + n]))
			n++;
		if (n >= sizeof(t->text))
			return perr(lx->err, lx->file, lx->lineno, t->col, "word too long");
		memcpy(t->text, s + lx->pos, n);
		lx->pos += n;
		t->kind = T_WORD;
		return 0;
	}
	return perr(lx->err, lx->file, lx->lineno, t->col, "unexpected character '%c'", c);
}

static const char *describe(const struct tok *t)
{
	static __thread char buf[300];
	switch (t->kind) {
	case T_END:
		return "the end of the line";
	case T_STRING:
		snprintf(buf, sizeof(buf), "\"%s\"", t->text);
		return buf;
	default:
		snprintf(buf, sizeof(buf), "\"%s\"", t->text);
		return buf;
	}
}

/* ---------------------------------------------------------------- catalog */

/* Room for one more of `size` bytes in *v (holding n, capacity *cap),
 * growing by doubling: the catalog is parsed on every policy load. */
static int reserve(void **v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? 2 * *cap : 16;
	void *nv = realloc(*v, c * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = c;
	return 0;
}

static int add_member(struct pol_group *g, size_t idx)
{
	if (reserve((void **)&g->members, g->n, &g->cap, sizeof(*g->members)) < 0)
		return -ENOMEM;
	g->members[g->n++] = idx;
	return 0;
}

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Name lookups happen for every line of the catalog and every call of every
 * group a policy names: a linear search made parsing quadratic. */
const struct pol_syscall *catalog_find(const struct pol_catalog *cat, const char *name)
{
	if (!cat->n_slots)
		return NULL;
	for (size_t i = hash(name) & (cat->n_slots - 1);; i = (i + 1) & (cat->n_slots - 1)) {
		uint32_t v = cat->slots[i];
		if (!v)
			return NULL;
		if (!strcmp(cat->syscalls[v - 1].name, name))
			return &cat->syscalls[v - 1];
	}
}

static int index_insert(struct pol_catalog *cat, size_t idx)
{
	if (2 * (cat->n_syscalls + 1) > cat->n_slots) {
		size_t n = cat->n_slots ? 2 * cat->n_slots : 512;
		uint32_t *slots = calloc(n, sizeof(*slots));
		if (!slots)
			return -ENOMEM;
		free(cat->slots);
		cat->slots = slots;
		cat->n_slots = n;
		for (size_t k = 0; k < cat->n_syscalls; k++)
			if (k != idx && index_insert(cat, k) < 0)
				return -ENOMEM;
	}
	size_t i = hash(cat->syscalls[idx].name) & (cat->n_slots - 1);
	while (cat->slots[i])
		i = (i + 1) & (cat->n_slots - 1);
	cat->slots[i] = (uint32_t)idx + 1;
	return 0;
}

static const struct pol_group *group_find(const struct pol_catalog *cat, const char *name)
{
	for (size_t i = 0; i < cat->n_groups; i++)
		if (!strcmp(cat->groups[i].name, name))
			return &cat->groups[i];
	return NULL;
}

/* "[@name] purpose" */
static int catalog_group(struct pol_catalog *cat, const char *s, const char *file, int line,
			 sbx_error *err)
{
	const char *close = strchr(s, ']');
	size_t n = close ? (size_t)(close - s - 1) : 0;
	if (!close || n < 2 || s[1] != '@' || n >= sizeof(cat->groups->name))
		return perr(err, file, line, 1, "expected \"[@name] what the group is for\"");
	if (reserve((void **)&cat->groups, cat->n_groups, &cat->cap_groups, sizeof(*cat->groups)) <
	    0)
		return err_setx(err, SBX_STAGE_CONFIG, ENOMEM, "catalog: out of memory");
	struct pol_group *g = &cat->groups[cat->n_groups];
	memset(g, 0, sizeof(*g));
	memcpy(g->name, s + 1, n);
	const char *p = close + 1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return perr(err, file, line, (int)(close - s) + 2, "a group needs a purpose");
	snprintf(g->purpose, sizeof(g->purpose), "%s", p);
	if (group_find(cat, g->name))
		return perr(err, file, line, 2, "group %s is defined twice", g->name);
	cat->n_groups++;
	return 0;
}

/* "name(arg, arg)  reason" */
static int catalog_syscall(struct pol_catalog *cat, const char *s, const char *file, int line,
			   sbx_error *err)
{
	if (!cat->n_groups)
		return perr(err, file, line, 1, "a system call before the first [@group]");
	struct pol_syscall sc = {0};
	size_t n = strcspn(s, "(");
	if (!s[n] || n == 0 || n >= sizeof(sc.name))
		return perr(err, file, line, 1, "expected \"name(arguments)  reason\"");
	memcpy(sc.name, s, n);
	const char *p = s + n + 1;
	while (*p != ')') {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == ')')
			break;
		size_t a = 0;
		while (isalnum((unsigned char)p[a]) || p[a] == '_')
			a++;
		if (!a || a >= sizeof(sc.args[0]) || sc.nargs >= POL_ARGS)
			return perr(err, file, line, (int)(p - s) + 1,
				    "expected an argument name (at most %d of them)", POL_ARGS);
		memcpy(sc.args[sc.nargs++], p, a);
		p += a;
		while (*p == ' ')
			p++;
		if (*p != ',' && *p != ')')
			return perr(err, file, line, (int)(p - s) + 1, "expected \",\" or \")\"");
	}
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return perr(err, file, line, (int)(p - s) + 1,
			    "%s: every system call needs a reason", sc.name);
	const struct pol_syscall *old = catalog_find(cat, sc.name);
	size_t idx;
	if (old) {
		if (old->nargs != sc.nargs || memcmp(old->args, sc.args, sizeof(sc.args)))
			return perr(err, file, line, 1,
				    "%s: arguments differ from its earlier entry", sc.name);
		idx = (size_t)(old - cat->syscalls);
	} else {
		if (reserve((void **)&cat->syscalls, cat->n_syscalls, &cat->cap_syscalls,
			    sizeof(*cat->syscalls)) < 0)
			return err_setx(err, SBX_STAGE_CONFIG, ENOMEM, "catalog: out of memory");
		idx = cat->n_syscalls;
		cat->syscalls[idx] = sc;
		if (index_insert(cat, idx) < 0)
			return err_setx(err, SBX_STAGE_CONFIG, ENOMEM, "catalog: out of memory");
		cat->n_syscalls++;
	}
	if (add_member(&cat->groups[cat->n_groups - 1], idx) < 0)
		return err_setx(err, SBX_STAGE_CONFIG, ENOMEM, "catalog: out of memory");
	return 0;
}

int catalog_parse(const char *text, const char *file, struct pol_catalog *cat, sbx_error *err)
{
	memset(cat, 0, sizeof(*cat));
	int line = 0, r = 0;
	for (const char *l = text; l && *l && r == 0; line++) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		char buf[512];
		if (len >= sizeof(buf)) {
			r = perr(err, file, line + 1, 1, "line too long");
			break;
		}
		memcpy(buf, l, len);
		buf[len] = 0;
		char *s = buf;
		while (*s == ' ' || *s == '\t')
			s++;
		size_t end = strlen(s);
		while (end && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\r'))
			s[--end] = 0;
		if (*s && *s != '#')
			r = *s == '[' ? catalog_group(cat, s, file, line + 1, err)
				      : catalog_syscall(cat, s, file, line + 1, err);
		l = nl ? nl + 1 : NULL;
	}
	if (r < 0)
		catalog_free(cat);
	return r;
}

void catalog_free(struct pol_catalog *cat)
{
	if (cat->builtin) {
		memset(cat, 0, sizeof(*cat));
		return;
	}
	for (size_t i = 0; i < cat->n_groups; i++)
		free(cat->groups[i].members);
	free(cat->groups);
	free(cat->syscalls);
	free(cat->slots);
	memset(cat, 0, sizeof(*cat));
}

/* ---------------------------------------------------------------- policy */

static const struct {
	const char *word;
	enum pol_act kind;
} actions[] = {
	{"allow", PA_ALLOW},
	{"errno", PA_ERRNO},
	{"kill", PA_KILL_PROCESS},
	{"kill-process", PA_KILL_PROCESS},
	{"kill-thread", PA_KILL_THREAD},
	{"trap", PA_TRAP},
	{"log", PA_LOG},
	{"notify", PA_NOTIFY},
};

const char *policy_action_name(enum pol_act kind)
{
	for (size_t i = 0; i < sizeof(actions) / sizeof(*actions); i++)
		if (actions[i].kind == kind && strcmp(actions[i].word, "kill"))
			return actions[i].word;
	return "?";
}

struct parser {
	const struct pol_parse_env *env;
	struct policy_ir *ir;
	sbx_error *err;
	const char *stack[INCLUDE_DEPTH]; /* files being parsed, for cycles */
	int depth;
};

static const char *intern(struct policy_ir *ir, const char *s)
{
	for (size_t i = 0; i < ir->n_files; i++)
		if (!strcmp(ir->files[i], s))
			return ir->files[i];
	char **v = realloc(ir->files, (ir->n_files + 1) * sizeof(*v));
	if (!v)
		return NULL;
	ir->files = v;
	if (!(v[ir->n_files] = strdup(s)))
		return NULL;
	return v[ir->n_files++];
}

/* Edit distance, for "did you mean". */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 40 || lb > 40)
		return 99;
	size_t d[41][41];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
			d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
	return d[la][lb];
}

static const char *closest_syscall(const struct pol_catalog *cat, const char *name)
{
	const char *best = NULL;
	size_t bd = 3;
	for (size_t i = 0; i < cat->n_syscalls; i++) {
		size_t d = distance(name, cat->syscalls[i].name);
		if (d < bd) {
			bd = d;
			best = cat->syscalls[i].name;
		}
	}
	return best;
}

/* action: allow | errno N|ENAME | kill | kill-process | kill-thread | trap | log | notify */
static int parse_action(struct parser *p, struct lexer *lx, const struct tok *w,
			struct pol_action *a)
{
	size_t i = 0;
	while (i < sizeof(actions) / sizeof(*actions) && strcmp(actions[i].word, w->text))
		i++;
	if (i == sizeof(actions) / sizeof(*actions))
		return perr(
			p->err, lx->file, lx->lineno, w->col,
			"expected a rule (allow, errno N, kill-process, kill-thread, trap, log, "
			"notify) or include, default, log-denials, mode, got %s",
			describe(w));
	a->kind = actions[i].kind;
	a->errnum = 0;
	if (a->kind != PA_ERRNO)
		return 0;
	struct tok t;
	int r = next(lx, &t);
	if (r < 0)
		return r;
	int e = 0;
	if (t.kind == T_NUMBER && t.num >= 1 && t.num <= 4095)
		e = (int)t.num;
	else if (t.kind != T_WORD || !policy_errno(t.text, &e))
		return perr(
			p->err, lx->file, lx->lineno, t.col,
			"expected an errno value after errno (EPERM, ENOSYS, or 1-4095), got %s",
			describe(&t));
	a->errnum = (uint16_t)e;
	return 0;
}

/* VALUE := TERM ("|" TERM)* where TERM is a number or a constant name */
static int parse_value(struct parser *p, struct lexer *lx, struct tok *t, uint64_t *out)
{
	*out = 0;
	for (;;) {
		uint64_t v;
		if (t->kind == T_NUMBER)
			v = t->num;
		else if (t->kind != T_WORD || !policy_const(t->text, &v))
			return perr(p->err, lx->file, lx->lineno, t->col,
				    "expected a number or a constant such as O_RDONLY, got %s",
				    describe(t));
		*out |= v;
		int r = next(lx, t);
		if (r < 0)
			return r;
		if (t->kind != T_OP || strcmp(t->text, "|"))
			return 0;
		if ((r = next(lx, t)) < 0)
			return r;
	}
}

static int arg_index(const struct pol_syscall *sc, const char *name)
{
	if (!strncmp(name, "arg", 3) && name[3] >= '0' && name[3] <= '5' && !name[4])
		return name[3] - '0';
	for (int i = 0; sc && i < sc->nargs; i++)
		if (!strcmp(sc->args[i], name))
			return i;
	return -1;
}

/* COND := ARG OP VALUE | ARG "&" VALUE "==" VALUE; leaves the token after it in *t */
static int parse_cond(struct parser *p, struct lexer *lx, const struct pol_syscall *sc,
		      const char *syscall, struct tok *t, struct pol_cond *c)
{
	if (t->kind != T_WORD) {
		return perr(p->err, lx->file, lx->lineno, t->col,
			    "expected an argument of %s after if, got %s", syscall, describe(t));
	}
	int arg = arg_index(sc, t->text);
	if (arg < 0) {
		char names[200] = "";
		for (int i = 0; sc && i < sc->nargs; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", sc->args[i]);
		return perr(p->err, lx->file, lx->lineno, t->col,
			    "%s has no argument \"%s\" (its arguments: %s%sarg0-arg5)", syscall,
			    t->text, names, names[0] ? "; or " : "");
	}
	c->arg = (uint8_t)arg;
	int r = next(lx, t);
	if (r < 0)
		return r;
	static const struct {
		const char *op;
		enum pol_op kind;
	} ops[] = {{"==", PO_EQ}, {"!=", PO_NE}, {"<", PO_LT},
		   {"<=", PO_LE}, {">", PO_GT},	 {">=", PO_GE}};
	if (t->kind == T_OP && !strcmp(t->text, "&")) {
		if ((r = next(lx, t)) < 0 || (r = parse_value(p, lx, t, &c->mask)) < 0)
			return r;
		if (t->kind != T_OP || strcmp(t->text, "=="))
			return perr(p->err, lx->file, lx->lineno, t->col,
				    "expected == after a mask (a masked value can only be compared "
				    "for equality), got %s",
				    describe(t));
		c->op = PO_MASKED_EQ;
	} else {
		size_t i = 0;
		while (t->kind == T_OP && i < sizeof(ops) / sizeof(*ops) &&
		       strcmp(ops[i].op, t->text))
			i++;
		if (t->kind != T_OP || i == sizeof(ops) / sizeof(*ops))
			return perr(
				p->err, lx->file, lx->lineno, t->col,
				"expected a comparison (==, !=, <, <=, >, >=, or & MASK ==), got %s",
				describe(t));
		c->op = ops[i].kind;
	}
	if ((r = next(lx, t)) < 0)
		return r;
	int col = t->col;
	if ((r = parse_value(p, lx, t, &c->value)) < 0)
		return r;
	if (c->op == PO_MASKED_EQ && (c->value & ~c->mask))
		return perr(p->err, lx->file, lx->lineno, col,
			    "never true: 0x%llx has bits outside the mask 0x%llx",
			    (unsigned long long)c->value, (unsigned long long)c->mask);
	return 0;
}

static int add_rule(struct policy_ir *ir, const struct pol_rule *rule)
{
	if (ir->n == ir->cap) {
		size_t cap = ir->cap ? 2 * ir->cap : 64;
		struct pol_rule *v = realloc(ir->rules, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		ir->rules = v;
		ir->cap = cap;
	}
	ir->rules[ir->n++] = *rule;
	return 0;
}

/* One target: a system call, resolved, or each call of a group. */
static int expand(struct parser *p, struct lexer *lx, const struct tok *t,
		  const struct pol_rule *base)
{
	const struct pol_catalog *cat = p->env->catalog;
	struct pol_rule r = *base;
	if (t->text[0] == '@') {
		const struct pol_group *g = group_find(cat, t->text);
		if (!g) {
			char known[600] = "";
			for (size_t i = 0; i < cat->n_groups && strlen(known) < 500; i++)
				snprintf(known + strlen(known), sizeof(known) - strlen(known),
					 "%s%s", i ? ", " : "", cat->groups[i].name);
			return perr(p->err, lx->file, lx->lineno, t->col,
				    "unknown group %s (the groups: %s)", t->text, known);
		}
		for (size_t i = 0; i < g->n; i++) {
			const char *name = cat->syscalls[g->members[i]].name;
			r.nr = p->env->resolve(name, p->env->resolve_ctx);
			if (r.nr < 0)
				continue; /* not on this architecture */
			snprintf(r.syscall, sizeof(r.syscall), "%s", name);
			if (add_rule(p->ir, &r) < 0)
				return err_setx(p->err, SBX_STAGE_CONFIG, ENOMEM,
						"policy: out of memory");
		}
		return 0;
	}
	if (strlen(t->text) >= sizeof(r.syscall))
		return perr(p->err, lx->file, lx->lineno, t->col, "unknown system call \"%s\"",
			    t->text);
	r.nr = p->env->resolve(t->text, p->env->resolve_ctx);
	if (r.nr < 0) {
		const char *near = closest_syscall(cat, t->text);
		return perr(p->err, lx->file, lx->lineno, t->col,
			    "unknown system call \"%s\"%s%s%s", t->text,
			    near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "");
	}
	snprintf(r.syscall, sizeof(r.syscall), "%s", t->text);
	if (add_rule(p->ir, &r) < 0)
		return err_setx(p->err, SBX_STAGE_CONFIG, ENOMEM, "policy: out of memory");
	return 0;
}

/* ACTION TARGET [[,] TARGET]... [if COND [and COND]...] */
static int parse_rule(struct parser *p, struct lexer *lx, const struct tok *first)
{
	struct pol_rule base = {0};
	int r = parse_action(p, lx, first, &base.action);
	if (r < 0)
		return r;
	base.where = (struct pol_where){lx->file, lx->lineno, first->col}; /* interned */

	struct tok targets[64], t;
	size_t nt = 0;
	if ((r = next(lx, &t)) < 0)
		return r;
	while (t.kind == T_WORD && strcmp(t.text, "if")) {
		if (nt == sizeof(targets) / sizeof(*targets))
			return perr(p->err, lx->file, lx->lineno, t.col,
				    "too many targets on one line");
		targets[nt++] = t;
		if ((r = next(lx, &t)) < 0)
			return r;
		if (t.kind == T_OP && !strcmp(t.text, ",")) {
			if ((r = next(lx, &t)) < 0)
				return r;
			if (t.kind != T_WORD || !strcmp(t.text, "if"))
				return perr(p->err, lx->file, lx->lineno, t.col,
					    "expected a system call or @group after ',', got %s",
					    describe(&t));
		}
	}
	if (!nt)
		return perr(p->err, lx->file, lx->lineno, t.col,
			    "expected a system call or @group after %s, got %s", first->text,
			    describe(&t));
	if (t.kind == T_WORD && !strcmp(t.text, "if")) {
		if (nt != 1 || targets[0].text[0] == '@')
			return perr(p->err, lx->file, lx->lineno, t.col,
				    "a condition needs a single system call, got %s%s",
				    nt != 1 ? "several" : targets[0].text,
				    nt != 1 ? " system calls" : " (a group)");
		const struct pol_syscall *sc = catalog_find(p->env->catalog, targets[0].text);
		if ((r = next(lx, &t)) < 0)
			return r;
		for (;;) {
			if (base.ncond == POL_ARGS)
				return perr(p->err, lx->file, lx->lineno, t.col,
					    "at most %d conditions in one rule", POL_ARGS);
			int col = t.col;
			if ((r = parse_cond(p, lx, sc, targets[0].text, &t,
					    &base.cond[base.ncond++])) < 0)
				return r;
			for (size_t k = 0; k + 1 < base.ncond; k++)
				if (base.cond[k].arg == base.cond[base.ncond - 1].arg)
					return perr(
						p->err, lx->file, lx->lineno, col,
						"a second condition on the same argument: libseccomp "
						"cannot compile that; write one rule per case instead "
						"(\"allow socket if domain < AF_ALG\", \"allow socket "
						"if domain > AF_VSOCK\")");
			if (t.kind == T_WORD && !strcmp(t.text, "and")) {
				if ((r = next(lx, &t)) < 0)
					return r;
				continue;
			}
			break;
		}
	}
	if (t.kind != T_END)
		return perr(p->err, lx->file, lx->lineno, t.col, "expected %s, got %s",
			    base.ncond ? "and, or the end of the line"
				       : "if, a target, or the end of the line",
			    describe(&t));
	for (size_t i = 0; i < nt; i++)
		if ((r = expand(p, lx, &targets[i], &base)) < 0)
			return r;
	return 0;
}

static int parse_file(struct parser *p, const char *path);

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	return strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

/* Nothing more on the line. */
static int expect_end(struct parser *p, struct lexer *lx)
{
	struct tok end;
	int r = next(lx, &end);
	if (r < 0 || end.kind == T_END)
		return r;
	return perr(p->err, lx->file, lx->lineno, end.col, "expected the end of the line, got %s",
		    describe(&end));
}

/* include NAME: relative to the including file, then the shipped dirs;
 * ".policy" may be left off */
static int parse_include(struct parser *p, struct lexer *lx)
{
	struct tok t;
	int r = next(lx, &t);
	if (r < 0)
		return r;
	if (t.kind != T_WORD && t.kind != T_STRING)
		return perr(p->err, lx->file, lx->lineno, t.col,
			    "expected a file after include, got %s", describe(&t));
	if ((r = expect_end(p, lx)) < 0)
		return r;
	_cleanup_free_ char *here = dir_of(lx->file);
	const char *dirs[10] = {here};
	size_t nd = 1;
	if (!strchr(t.text, '/'))
		for (size_t i = 0; p->env->include_dirs && p->env->include_dirs[i] && nd < 10; i++)
			dirs[nd++] = p->env->include_dirs[i];
	char path[PATH_MAX];
	for (size_t i = 0; i < nd; i++) {
		for (int suffix = 0; suffix < 2; suffix++) {
			if (t.text[0] == '/')
				snprintf(path, sizeof(path), "%s%s", t.text,
					 suffix ? ".policy" : "");
			else
				snprintf(path, sizeof(path), "%s/%s%s", dirs[i], t.text,
					 suffix ? ".policy" : "");
			struct stat st;
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
				for (int d = 0; d < p->depth; d++)
					if (!strcmp(p->stack[d], path))
						return perr(p->err, lx->file, lx->lineno, t.col,
							    "include %s: includes itself", t.text);
				return parse_file(p, path);
			}
		}
	}
	char looked[400] = "";
	for (size_t i = 0; i < nd; i++)
		snprintf(looked + strlen(looked), sizeof(looked) - strlen(looked), "%s%s",
			 i ? ", " : "", dirs[i]);
	return perr(p->err, lx->file, lx->lineno, t.col, "include %s: not found (looked in %s)",
		    t.text, looked);
}

static int parse_line(struct parser *p, struct lexer *lx)
{
	struct tok t;
	int r = next(lx, &t);
	if (r < 0 || t.kind == T_END)
		return r;
	if (t.kind != T_WORD)
		return perr(
			p->err, lx->file, lx->lineno, t.col,
			"expected a rule (allow, errno N, kill-process, ...) or include, default, "
			"log-denials, mode, got %s",
			describe(&t));
	if (!strcmp(t.text, "include"))
		return parse_include(p, lx);
	if (!strcmp(t.text, "log-denials")) {
		if ((r = expect_end(p, lx)) < 0)
			return r;
		p->ir->log_denials = true;
		return 0;
	}
	if (!strcmp(t.text, "mode")) {
		struct tok m;
		if ((r = next(lx, &m)) < 0)
			return r;
		if (m.kind != T_WORD || strcmp(m.text, "strict"))
			return perr(p->err, lx->file, lx->lineno, m.col,
				    "expected strict after mode, got %s", describe(&m));
		if ((r = expect_end(p, lx)) < 0)
			return r;
		p->ir->strict = true;
		return 0;
	}
	if (!strcmp(t.text, "default")) {
		struct tok a;
		if ((r = next(lx, &a)) < 0)
			return r;
		if (a.kind != T_WORD)
			return perr(p->err, lx->file, lx->lineno, a.col,
				    "expected an action after default, got %s", describe(&a));
		if ((r = parse_action(p, lx, &a, &p->ir->def)) < 0)
			return r;
		if ((r = expect_end(p, lx)) < 0)
			return r;
		p->ir->has_default = true;
		return 0;
	}
	return parse_rule(p, lx, &t);
}

static int parse_text(struct parser *p, const char *text, const char *file)
{
	if (p->depth == INCLUDE_DEPTH)
		return err_setx(p->err, SBX_STAGE_CONFIG, ELOOP, "%s: includes nested too deep",
				file);
	const char *name = intern(p->ir, file);
	if (!name)
		return err_setx(p->err, SBX_STAGE_CONFIG, ENOMEM, "policy: out of memory");
	p->stack[p->depth++] = name;
	int lineno = 0, r = 0;
	for (const char *l = text; l && *l && r == 0;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		lineno++;
		char buf[1024];
		if (len >= sizeof(buf)) {
			r = perr(p->err, name, lineno, 1, "line longer than %zu bytes",
				 sizeof(buf) - 1);
			break;
		}
		memcpy(buf, l, len);
		buf[len] = 0;
		if (memchr(buf, 0, len)) {
			r = perr(p->err, name, lineno, 1, "a NUL byte");
			break;
		}
		struct lexer lx = {.line = buf, .file = name, .lineno = lineno, .err = p->err};
		r = parse_line(p, &lx);
		l = nl ? nl + 1 : NULL;
	}
	p->depth--;
	return r;
}

static int parse_file(struct parser *p, const char *path)
{
	/* non-blocking: a FIFO named by mistake must not hang the open */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return err_set(p->err, SBX_STAGE_CONFIG, errno, "%s", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return err_set(p->err, SBX_STAGE_CONFIG, errno, "%s", path);
	if (!S_ISREG(st.st_mode) || st.st_size > FILE_MAX)
		return err_setx(p->err, SBX_STAGE_CONFIG, EINVAL,
				"%s: not a regular file of at most 1 MiB", path);
	_cleanup_free_ char *text = malloc((size_t)st.st_size + 1);
	if (!text)
		return err_setx(p->err, SBX_STAGE_CONFIG, ENOMEM, "policy: out of memory");
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, text + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_set(p->err, SBX_STAGE_CONFIG, n < 0 ? errno : EIO, "read %s",
				       path);
		got += (size_t)n;
	}
	text[got] = 0;
	if (strlen(text) != got)
		return err_setx(p->err, SBX_STAGE_CONFIG, EINVAL, "%s: a NUL byte", path);
	return parse_text(p, text, path);
}

static bool same_conds(const struct pol_rule *a, const struct pol_rule *b)
{
	return a->ncond == b->ncond && !memcmp(a->cond, b->cond, a->ncond * sizeof(*a->cond));
}

/* The language's semantics, made concrete: for each system call the last
 * word counts. A rule without a condition replaces every earlier rule for
 * its call; a rule with a condition replaces an earlier one without, and
 * joins earlier ones with conditions (OR). So "allow @network" followed by
 * "allow socket if domain == AF_UNIX" restricts socket, and libseccomp never
 * sees a call with both kinds (it would let the unconditional rule swallow
 * the others). */
static int finish(struct parser *p)
{
	struct policy_ir *ir = p->ir;
	int max = -1;
	for (size_t i = 0; i < ir->n; i++)
		if (ir->rules[i].nr > max)
			max = ir->rules[i].nr;
	bool *gone = calloc(ir->n + 1, sizeof(*gone));
	/* per call: its last rule, and its last rule without a condition */
	ssize_t *last = malloc(((size_t)max + 2) * sizeof(*last));
	ssize_t *last_plain = malloc(((size_t)max + 2) * sizeof(*last_plain));
	if (!gone || !last || !last_plain) {
		free(gone);
		free(last);
		free(last_plain);
		return err_setx(p->err, SBX_STAGE_CONFIG, ENOMEM, "policy: out of memory");
	}
	for (int nr = 0; nr <= max; nr++)
		last[nr] = last_plain[nr] = -1;
	for (size_t i = 0; i < ir->n; i++) {
		last[ir->rules[i].nr] = (ssize_t)i;
		if (!ir->rules[i].ncond)
			last_plain[ir->rules[i].nr] = (ssize_t)i;
	}
	for (size_t i = 0; i < ir->n; i++) {
		const struct pol_rule *r = &ir->rules[i];
		ssize_t l = last[r->nr], lp = last_plain[r->nr];
		if (!ir->rules[l].ncond)
			gone[i] = (ssize_t)i != l; /* the last word had no condition */
		else if ((ssize_t)i <= lp)
			gone[i] =
				true; /* replaced by a later rule, or by the conditions after it */
	}
	/* the same condition and action said twice: once is enough */
	for (size_t i = 0; i < ir->n; i++) {
		const struct pol_rule *r = &ir->rules[i];
		if (gone[i] || !r->ncond)
			continue;
		for (size_t j = i + 1; j <= (size_t)last[r->nr]; j++) {
			const struct pol_rule *o = &ir->rules[j];
			if (!gone[j] && o->nr == r->nr && same_conds(r, o) &&
			    r->action.kind == o->action.kind &&
			    r->action.errnum == o->action.errnum) {
				gone[i] = true;
				break;
			}
		}
	}
	free(last);
	free(last_plain);
	size_t out = 0;
	for (size_t i = 0; i < ir->n; i++)
		if (!gone[i])
			ir->rules[out++] = ir->rules[i];
	ir->n = out;
	free(gone);
	if (ir->strict && (ir->n || ir->has_default || ir->log_denials)) {
		const struct pol_rule *r = ir->n ? &ir->rules[0] : NULL;
		return perr(p->err, r ? r->where.file : ir->files[0], r ? r->where.line : 1,
			    r ? r->where.col : 1,
			    "mode strict allows read, write, exit and sigreturn only: it takes no "
			    "rules and no default");
	}
	if (!ir->has_default)
		ir->def = (struct pol_action){PA_KILL_PROCESS, 0};
	return 0;
}

static int run(struct policy_ir *ir, const struct pol_parse_env *env, sbx_error *err,
	       const char *text, const char *name, const char *path)
{
	memset(ir, 0, sizeof(*ir));
	struct parser p = {.env = env, .ir = ir, .err = err};
	int r = path ? parse_file(&p, path) : parse_text(&p, text, name);
	if (r == 0)
		r = finish(&p);
	if (r < 0)
		policy_ir_free(ir);
	return r;
}

int policy_parse_file(const char *path, const struct pol_parse_env *env, struct policy_ir *ir,
		      sbx_error *err)
{
	return run(ir, env, err, NULL, NULL, path);
}

int policy_parse_text(const char *text, const char *name, const struct pol_parse_env *env,
		      struct policy_ir *ir, sbx_error *err)
{
	return run(ir, env, err, text, name, NULL);
}

void policy_ir_free(struct policy_ir *ir)
{
	for (size_t i = 0; i < ir->n_files; i++)
		free(ir->files[i]);
	free(ir->files);
	free(ir->rules);
	memset(ir, 0, sizeof(*ir));
}

static bool cond_holds(const struct pol_cond *c, const uint64_t args[6])
{
	uint64_t a = args[c->arg];
	switch (c->op) {
	case PO_EQ:
		return a == c->value;
	case PO_NE:
		return a != c->value;
	case PO_LT:
		return a < c->value;
	case PO_LE:
		return a <= c->value;
	case PO_GT:
		return a > c->value;
	case PO_GE:
		return a >= c->value;
	case PO_MASKED_EQ:
		return (a & c->mask) == c->value;
	}
	return false;
}

const struct pol_rule *policy_decide(const struct policy_ir *ir, int nr, const uint64_t args[6])
{
	const struct pol_rule *plain = NULL;
	for (size_t i = 0; i < ir->n; i++) {
		const struct pol_rule *r = &ir->rules[i];
		if (r->nr != nr)
			continue;
		if (!r->ncond) {
			plain = r;
			continue;
		}
		bool all = true;
		for (size_t k = 0; k < r->ncond && all; k++)
			all = cond_holds(&r->cond[k], args);
		if (all)
			return r;
	}
	return plain;
}
