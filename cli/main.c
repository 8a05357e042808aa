#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const char usage[] =
	"Usage: sandboxd [--version] [--help] [GLOBAL OPTIONS] COMMAND [ARGS...]\n"
	"\n"
	"Commands:\n"
	"  run SPEC     run the program a spec (OCI config.json) describes in a new sandbox\n"
	"  gc           remove what sandboxes of dead supervisors left behind\n"
	"  policy ...   check, export, explain and learn seccomp policies\n"
	"  check        what this host supports, with advice (--json for tools)\n"
	"\n"
	"OCI runtime commands (as containerd and podman call runc):\n"
	"  create [--bundle DIR] [--pid-file F] [--preserve-fds N] ID\n"
	"  start ID     run a created container's program\n"
	"  state ID     its OCI state as JSON\n"
	"  kill [--all] ID [SIGNAL]\n"
	"  delete [--force] ID\n"
	"  list [--format json]\n"
	"  pause ID, resume ID   freeze and thaw its processes\n"
	"  ps [--format json] ID its processes\n"
	"  spec [--bundle DIR]   write a default config.json\n"
	"  features     what this runtime implements, as OCI features JSON\n"
	"\n"
	"Global options: --root DIR (OCI state; default /run/sandboxd, or\n"
	"$XDG_RUNTIME_DIR/sandboxd unprivileged), --log FILE, --log-format text|json,\n"
	"--systemd-cgroup (accepted; cgroups are made beneath sandboxd's own).\n"
	"\n"
	"Run 'sandboxd COMMAND --help' for a command's options.\n"
	"\n"
	"Exit status: the program's own exit code; 128+N if it was killed by signal N;\n"
	"125 if sandboxd failed (bad usage or spec, sandbox set-up); 126 if the program\n"
	"could not be executed; 127 if it was not found.\n";

struct cli_globals cli_globals;

/* The --log file gets each error too: podman and containerd show it when a
 * runtime command fails. JSON lines as runc writes them. */
static void log_error(const char *msg)
{
	FILE *f = fopen(cli_globals.log, "ae");
	if (!f)
		return;
	if (!cli_globals.log_json) {
		fprintf(f, "sandboxd: %s\n", msg);
	} else {
		fputs("{\"level\":\"error\",\"msg\":\"", f);
		for (const char *p = msg; *p; p++) {
			if (*p == '"' || *p == '\\')
				fprintf(f, "\\%c", *p);
			else if ((unsigned char)*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
		fprintf(f, "\",\"time\":%lld}\n", (long long)time(NULL));
	}
	fclose(f);
}

void cli_error(const char *fmt, ...)
{
	char msg[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "sandboxd: %s\n", msg);
	if (cli_globals.log)
		log_error(msg);
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
	{"run", cmd_run},	    {"gc", cmd_gc},	    {"policy", cmd_policy},
	{"features", cmd_features}, {"check", cmd_check},   {"create", cmd_create},
	{"start", cmd_start},	    {"state", cmd_state},   {"kill", cmd_kill},
	{"delete", cmd_delete},	    {"list", cmd_list},	    {"spec", cmd_spec},
	{"pause", cmd_pause},	    {"resume", cmd_resume}, {"ps", cmd_ps},
};

/* Global options before the command; returns the command's index in argv,
 * or -1 after an error. */
static int parse_globals(int argc, char **argv)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i], *eq = strchr(a, '=');
		size_t klen = eq ? (size_t)(eq - a) : strlen(a);
		const char **slot = NULL;
		if (!strncmp(a, "--root", klen) && klen == 6)
			slot = &cli_globals.root;
		else if (!strncmp(a, "--log", klen) && klen == 5)
			slot = &cli_globals.log;
		else if (!strncmp(a, "--log-format", klen) && klen == 12) {
			const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
			if (!v || (strcmp(v, "json") && strcmp(v, "text"))) {
				cli_error("--log-format: expected text or json");
				return -1;
			}
			cli_globals.log_json = !strcmp(v, "json");
			continue;
		} else if (!strcmp(a, "--systemd-cgroup") || !strcmp(a, "--debug")) {
			continue;
		} else {
			return i; /* --help, --version, or the command's to judge */
		}
		const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
		if (!v || !*v) {
			cli_error("%.*s: needs a value", (int)klen, a);
			return -1;
		}
		*slot = v;
	}
	return i;
}

int main(int argc, char **argv)
{
	int first = parse_globals(argc, argv);
	if (first < 0)
		return EXIT_SANDBOX_ERROR;
	argc -= first - 1;
	argv += first - 1;
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
