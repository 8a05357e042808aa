/* sandboxd run SPEC: one sandbox, in the foreground, its exit status ours. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "spec.h"

static const char run_usage[] =
	"Usage: sandboxd run [--help] SPEC\n"
	"\n"
	"Runs the program described by SPEC (an OCI runtime-spec config.json; \"-\" reads\n"
	"it from standard input) in a new sandbox, with sandboxd's standard streams, and\n"
	"exits with its status. Without \"root\" the sandbox sees the host root read-only,\n"
	"a fresh /proc, a minimal /dev and a private /tmp.\n";

struct run_opts {
	const char *spec;
	bool help;
};

/* Pure: fills o, or returns a message. */
static const char *parse_run(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			o->help = true;
			return NULL;
		default:
			return "run: unknown option (see sandboxd run --help)";
		}
	}
	if (optind >= argc)
		return "run: missing SPEC (see sandboxd run --help)";
	if (optind + 1 < argc)
		return "run: too many arguments: the program and its arguments belong in the spec's "
		       "process.args";
	o->spec = argv[optind];
	return NULL;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	const char *msg = parse_run(argc, argv, &o);
	if (msg) {
		cli_error("%s", msg);
		return EXIT_SANDBOX_ERROR;
	}
	if (o.help) {
		fputs(run_usage, stdout);
		return 0;
	}

	sbx_error err;
	struct spec spec;
	if (spec_load(o.spec, &spec, &err) < 0) {
		cli_error("%s", err.message);
		return EXIT_SANDBOX_ERROR;
	}
	sbx_proc *proc;
	if (sbx_spawn(spec.cfg, &proc, &err) < 0) {
		cli_error("%s", err.message);
		spec_free(&spec);
		return cli_spawn_exit_code(&err);
	}
	spec_free(&spec);

	sbx_result res = {.size = sizeof(res)};
	int r;
	while ((r = sbx_wait(proc, -1, &res, &err)) == -EINTR)
		;
	sbx_proc_free(proc);
	if (r < 0) {
		cli_error("%s", err.message);
		return EXIT_SANDBOX_ERROR;
	}
	if (res.status == SBX_STATUS_SIGNALED)
		return 128 + res.signal;
	return res.exit_code;
}
