#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
	"Usage: sandboxd [--version] [--help] COMMAND [ARGS...]\n"
	"\n"
	"Commands:\n"
	"  run SPEC     run the program a spec (OCI config.json) describes in a new sandbox\n"
	"  gc           remove what sandboxes of dead supervisors left behind\n"
	"  policy ...   check, export, explain and learn seccomp policies\n"
	"  features     what this kernel and build offer, as JSON\n"
	"\n"
	"Run 'sandboxd COMMAND --help' for a command's options.\n"
	"\n"
	"Exit status: the program's own exit code; 128+N if it was killed by signal N;\n"
	"125 if sandboxd failed (bad usage or spec, sandbox set-up); 126 if the program\n"
	"could not be executed; 127 if it was not found.\n";

void cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("sandboxd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int cli_spawn_exit_code(const sbx_error *err)
{
	if (err->stage != SBX_STAGE_EXEC)
		return EXIT_SANDBOX_ERROR;
	return err->code == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{"run", cmd_run},
	{"gc", cmd_gc},
	{"policy", cmd_policy},
	{"features", cmd_features},
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_SANDBOX_ERROR;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("sandboxd %s (libsandbox %s)\n", PACKAGE_VERSION, sbx_version());
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	cli_error("unknown command \"%s\" (see sandboxd --help)", argv[1]);
	return EXIT_SANDBOX_ERROR;
}
