/* catalog-gen: policies/syscalls.groups -> C, at build time.
 *
 * The library's built-in catalog is parsed here once, by the same parser
 * that reads a custom one, and written out as initialised data with its
 * hash index, so that loading a policy does not parse 400 lines first.
 * Each call's number comes from the system headers the library is built
 * with (-1 where they have none; libseccomp is asked then).
 *
 *   catalog-gen syscalls.groups > catalog-data.c */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "policy.h"

/* A C string literal of s (the catalog has no quotes or backslashes, but
 * say so if that changes). */
static void literal(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0, got;
	char *buf = malloc(cap);
	while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (n + 1 < cap)
			continue;
		char *b = realloc(buf, cap *= 2);
		if (!b)
			free(buf);
		buf = b;
	}
	fclose(f);
	if (buf)
		buf[n] = 0;
	return buf;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: catalog-gen syscalls.groups\n");
		return 2;
	}
	char *text = slurp(argv[1]);
	if (!text) {
		perror(argv[1]);
		return 1;
	}
	struct pol_catalog cat;
	sbx_error err;
	if (catalog_parse(text, argv[1], &cat, &err) < 0) {
		fprintf(stderr, "catalog-gen: %s\n", err.message);
		free(text);
		return 1;
	}
	free(text);
	FILE *f = stdout;
	fprintf(f,
		"/* generated from policies/syscalls.groups by catalog-gen: do not edit */\n"
		"#include \"config.h\"\n\n#include <sys/syscall.h>\n\n#include \"policy.h\"\n\n");
	fprintf(f, "static struct pol_syscall syscalls[] = {\n");
	for (size_t i = 0; i < cat.n_syscalls; i++) {
		const struct pol_syscall *s = &cat.syscalls[i];
		fprintf(f, "\t{");
		literal(f, s->name);
		fprintf(f, ", {");
		for (int a = 0; a < s->nargs; a++) {
			fprintf(f, a ? ", " : "");
			literal(f, s->args[a]);
		}
		fprintf(f, "%s}, %u},\n", s->nargs ? "" : "\"\"", s->nargs);
	}
	fprintf(f, "};\n\nconst int sbx_builtin_nrs[] = {\n");
	for (size_t i = 0; i < cat.n_syscalls; i++)
		fprintf(f, "#ifdef __NR_%s\n\t__NR_%s,\n#else\n\t-1,\n#endif\n",
			cat.syscalls[i].name, cat.syscalls[i].name);
	fprintf(f, "};\n\n");
	for (size_t g = 0; g < cat.n_groups; g++) {
		fprintf(f, "static size_t members_%zu[] = {", g);
		for (size_t k = 0; k < cat.groups[g].n; k++)
			fprintf(f, "%s%zu", k ? ", " : "", cat.groups[g].members[k]);
		fprintf(f, "};\n");
	}
	fprintf(f, "\nstatic struct pol_group groups[] = {\n");
	for (size_t g = 0; g < cat.n_groups; g++) {
		fprintf(f, "\t{");
		literal(f, cat.groups[g].name);
		fprintf(f, ", ");
		literal(f, cat.groups[g].purpose);
		fprintf(f, ", members_%zu, %zu, %zu},\n", g, cat.groups[g].n, cat.groups[g].n);
	}
	fprintf(f, "};\n\nstatic uint32_t slots[] = {");
	for (size_t i = 0; i < cat.n_slots; i++)
		fprintf(f, "%s%s%u", i ? "," : "", i % 16 ? " " : "\n\t", cat.slots[i]);
	fprintf(f,
		"\n};\n\nconst struct pol_catalog sbx_builtin_catalog = {\n"
		"\t.syscalls = syscalls,\n\t.n_syscalls = %zu,\n\t.cap_syscalls = %zu,\n"
		"\t.groups = groups,\n\t.n_groups = %zu,\n\t.cap_groups = %zu,\n"
		"\t.slots = slots,\n\t.n_slots = %zu,\n\t.builtin = true,\n};\n",
		cat.n_syscalls, cat.n_syscalls, cat.n_groups, cat.n_groups, cat.n_slots);
	catalog_free(&cat);
	return ferror(f) || fflush(f) ? 1 : 0;
}
