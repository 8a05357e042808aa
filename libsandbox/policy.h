/* Policy text -> rules. Pure: no system calls, no libseccomp (a resolver
 * callback turns system call names into numbers), so the parser is tested
 * and fuzzed on its own. The language is described in sandbox-policy(5). */
#ifndef SBX_POLICY_H
#define SBX_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandbox.h"

#define POL_NAME_MAX 40
#define POL_ARGS 6

enum pol_act {
	PA_ALLOW,
	PA_ERRNO,
	PA_KILL_PROCESS,
	PA_KILL_THREAD,
	PA_TRAP,
	PA_LOG,
	PA_NOTIFY,
};

struct pol_action {
	enum pol_act kind;
	uint16_t errnum; /* PA_ERRNO */
};

enum pol_op { PO_EQ, PO_NE, PO_LT, PO_LE, PO_GT, PO_GE, PO_MASKED_EQ };

struct pol_cond {
	uint8_t arg; /* 0-5 */
	enum pol_op op;
	uint64_t mask; /* PO_MASKED_EQ */
	uint64_t value;
};

/* Where a rule came from, for messages. */
struct pol_where {
	const char *file; /* interned in the catalog or policy */
	int line;
	int col;
};

struct pol_rule {
	char syscall[POL_NAME_MAX];
	int nr;
	struct pol_action action;
	struct pol_cond cond[POL_ARGS];
	uint8_t ncond;
	struct pol_where where;
};

/* syscalls.groups: every system call with its argument names, and the groups. */
struct pol_syscall {
	char name[POL_NAME_MAX];
	char args[POL_ARGS][24];
	uint8_t nargs;
};

struct pol_group {
	char name[32]; /* with the @ */
	char purpose[128];
	size_t *members; /* indexes into the catalog's syscalls */
	size_t n, cap;
};

struct pol_catalog {
	struct pol_syscall *syscalls;
	size_t n_syscalls, cap_syscalls;
	struct pol_group *groups;
	size_t n_groups, cap_groups;
	uint32_t *slots; /* name hash -> index + 1 (0: empty), open addressing */
	size_t n_slots;	 /* a power of two, at least twice n_syscalls */
};

/* name -> number on the target architecture, or -1 if unknown there */
typedef int (*pol_resolve_fn)(const char *name, void *ctx);

struct pol_parse_env {
	const struct pol_catalog *catalog;
	pol_resolve_fn resolve;
	void *resolve_ctx;
	/* where "include NAME" looks when NAME has no slash, after the
	 * including file's own directory (NULL-terminated; may be NULL) */
	const char *const *include_dirs;
};

struct policy_ir {
	struct pol_action def;
	bool has_default;
	bool strict; /* "mode strict": SECCOMP_SET_MODE_STRICT, no filter */
	struct pol_rule *rules;
	size_t n, cap;
	char **files; /* interned file names */
	size_t n_files;
};

int catalog_parse(const char *text, const char *file, struct pol_catalog *cat, sbx_error *err);
void catalog_free(struct pol_catalog *cat);
const struct pol_syscall *catalog_find(const struct pol_catalog *cat, const char *name);

/* Parses a policy file (includes resolved) or text. On error err says
 * "file:line:column: what was expected, got what", and ir is freed. */
int policy_parse_file(const char *path, const struct pol_parse_env *env, struct policy_ir *ir,
		      sbx_error *err);
int policy_parse_text(const char *text, const char *name, const struct pol_parse_env *env,
		      struct policy_ir *ir, sbx_error *err);
void policy_ir_free(struct policy_ir *ir);

/* The rule that decides `nr` with `args`, by the language's semantics, or
 * NULL when the default does. */
const struct pol_rule *policy_decide(const struct policy_ir *ir, int nr, const uint64_t args[6]);

/* Names for constants in conditions (O_RDONLY, AF_UNIX, CLONE_NEWUSER...)
 * and errno values (EPERM...). */
bool policy_const(const char *name, uint64_t *value);
bool policy_errno(const char *name, int *value);
const char *policy_errno_name(int value);

const char *policy_action_name(enum pol_act kind);

#endif
