/* libFuzzer target for the policy parser and the syscall catalog parser:
 * whatever the bytes, no crash, no leak, no undefined behaviour, and a
 * policy that parses obeys the invariants the compiler relies on. Built
 * with clang by `make fuzz`; `make fuzz-run` runs it for FUZZ_SECONDS. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

static const struct pol_catalog *catalog = &sbx_builtin_catalog;

/* Numbers without libseccomp: the catalog's order stands in for them. */
static int resolve(const char *name, void *ctx)
{
	(void)ctx;
	const struct pol_syscall *sc = catalog_find(catalog, name);
	return sc ? (int)(sc - catalog->syscalls) : -1;
}

static void check_invariants(const struct policy_ir *ir)
{
	for (size_t i = 0; i < ir->n; i++) {
		const struct pol_rule *r = &ir->rules[i];
		if (r->nr < 0 || r->ncond > POL_ARGS)
			abort();
		for (size_t a = 0; a < r->ncond; a++) {
			if (r->cond[a].arg >= POL_ARGS)
				abort();
			for (size_t b = 0; b < a; b++)
				if (r->cond[a].arg == r->cond[b].arg)
					abort(); /* libseccomp cannot compile it */
		}
		/* after finish(): never an unconditional rule beside another */
		for (size_t j = 0; j < i; j++)
			if (ir->rules[j].nr == r->nr && (!r->ncond || !ir->rules[j].ncond))
				abort();
		uint64_t args[6] = {0};
		(void)policy_decide(ir, r->nr, args);
	}
	if (ir->strict && (ir->n || ir->has_default))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *text = malloc(size);
	if (!text)
		return 0;
	/* the first byte picks the parser; the rest is the text */
	memcpy(text, data + 1, size - 1);
	text[size - 1] = 0;
	sbx_error err;
	if (data[0] & 1) {
		struct pol_catalog cat;
		if (catalog_parse(text, "fuzz.groups", &cat, &err) == 0)
			catalog_free(&cat);
	} else {
		static const char *const none[] = {NULL};
		struct pol_parse_env env = {
			.catalog = catalog, .resolve = resolve, .include_dirs = none};
		struct policy_ir ir;
		if (policy_parse_text(text, "fuzz.policy", &env, &ir, &err) == 0) {
			check_invariants(&ir);
			policy_ir_free(&ir);
		}
	}
	free(text);
	return 0;
}
