/* sandboxd: command-line front end. Argument parsing has no side effects;
 * each command parses into a struct, then acts. */
#ifndef SBX_CLI_H
#define SBX_CLI_H

#include <stdbool.h>

#include "sandbox.h"

/* Exit codes of sandboxd itself, as podman has them: a workload's own code
 * is passed through, 128+N reports death by signal N. */
#define EXIT_SANDBOX_ERROR 125 /* bad usage or spec, or the sandbox could not be set up */
#define EXIT_CANNOT_EXEC 126   /* the program exists but could not be executed */
#define EXIT_NOT_FOUND 127     /* the program was not found */

__attribute__((format(printf, 1, 2))) void cli_error(const char *fmt, ...);

/* The exit code for a failed sbx_spawn(). */
int cli_spawn_exit_code(const sbx_error *err);

/* Global options, given before the command (as runc and crun take them). */
struct cli_globals {
	const char *root; /* --root: the OCI state directory */
	const char *log;  /* --log: errors are also appended here */
	bool log_json;	  /* --log-format json */
};
extern struct cli_globals cli_globals;

int cmd_run(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_spec(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_gc(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_policy(int argc, char **argv);

/* Where policies are looked for and compiled ones cached (see policies.c). */
const sbx_policy_opts *cli_policy_opts(void);

/* A policy file, or a shipped policy by name. */
int cli_policy_load(const char *name, sbx_policy **out, sbx_error *err);

#endif
