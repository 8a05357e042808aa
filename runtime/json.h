/* JSON with paths: looking values up in a spec and, when they are wrong,
 * saying where and what was expected. Shared by the spec parsers. */
#ifndef SBX_JSON_H
#define SBX_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "sandbox.h"

#define PATH_LEN 256

/* One parse: the file for messages, where errors go, what is being built. */
struct ctx {
	const char *file;
	sbx_error *err;
	sbx_config *cfg;
	sbx_limits limits; /* collected from several places, applied once */
	char *report;	   /* sandbox.report, owned */
	bool relay_output; /* an output limit: stdout and stderr go through us */
	const char *dir;   /* the spec's directory (NULL: the working directory) */
	const sbx_policy_opts *policy_opts;
	bool has_policy;   /* linux.seccomp or sandbox.policy was given */
	bool cgroup_named; /* linux.cgroupsPath named the cgroups */
	bool vm_backend;   /* sandbox.backend is "vm" */
	const json_t *vm;  /* sandbox.vm, or NULL */
};

/* Fills c->err with "<file>: <path>: <message>"; returns -errnum. */
__attribute__((format(printf, 4, 5))) int json_fail(struct ctx *c, int errnum, const char *path,
						    const char *fmt, ...);

/* A library error while applying a value: its message's leading label gives
 * way to the JSON path. */
int json_lib_fail(struct ctx *c, const char *path, const sbx_error *e);

/* "expected <what>, got <what the user wrote>" */
int json_expected(struct ctx *c, const char *path, const char *what, const json_t *v);

/* base.key and base[i] into a PATH_LEN buffer */
void json_join(char *out, const char *base, const char *key);
void json_index(char *out, const char *base, size_t i);

/* The member `key` of `obj` if present (else *out = NULL), checked to be of
 * type `t` (JSON_TRUE means any boolean). */
int json_member(struct ctx *c, const json_t *obj, const char *base, const char *key, json_type t,
		const char *what, json_t **out);

/* An id (uid, gid, count): an integer 0-4294967294. Returns 1 if absent and
 * not required. */
int json_id(struct ctx *c, const json_t *obj, const char *base, const char *key, bool required,
	    uint32_t *out);

/* An integer member: 1 if absent, else 0 with *out set (or an error). */
int json_i64(struct ctx *c, const json_t *obj, const char *base, const char *key, int64_t min,
	     int64_t max, int64_t *out);

/* Whether v asks for nothing: null, false, "", [], or an object of such. */
bool json_asks_nothing(const json_t *v);

/* root's member at a dotted path ("linux.resources.memory"), or NULL. */
const json_t *json_lookup(const json_t *root, const char *dotted);

#endif
