/* Specs: an OCI runtime-spec config.json (plus a top-level "sandbox" object)
 * turned into a libsandbox configuration. Jansson is used only here. */
#ifndef SBX_SPEC_H
#define SBX_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "sandbox.h"

struct spec {
	sbx_config *cfg;    /* owned */
	char *report;	    /* sandbox.report, relative to the spec's directory; owned */
	bool relay_output;  /* an output limit: stdout and stderr must be relayed */
	char *annotations;  /* the "annotations" object as JSON text, or NULL; owned */
	bool terminal;	    /* process.terminal */
	bool cgroup_named;  /* linux.cgroupsPath gave the cgroups' name */
	char *hooks;	    /* the "hooks" object as JSON text, or NULL; owned */
	struct spec_vm *vm; /* "backend": "vm": what the microVM runs; NULL otherwise */
};

/* Parses the spec in `path` ("-" reads standard input) into `out`.
 * `policy_opts` (may be NULL) is how policies it names are compiled (cache,
 * where shipped policies are). On failure
 * returns -errno and fills err with "<path>: <json.path>: <what was
 * expected>, got <what was found>", or "<path>:<line>:<column>: ..." for
 * malformed JSON. Unknown fields are ignored, as OCI requires; fields this
 * version knows but cannot honour yet are errors, never silently dropped. */
int spec_load(const char *path, const sbx_policy_opts *policy_opts, struct spec *out,
	      sbx_error *err);

/* Same, from a string (tests, fuzzing); `name` appears in messages. */
int spec_load_string(const char *json, const char *name, const sbx_policy_opts *policy_opts,
		     struct spec *out, sbx_error *err);

void spec_free(struct spec *s);

#endif
