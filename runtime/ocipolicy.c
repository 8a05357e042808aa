/* Seccomp from a spec: OCI linux.seccomp, or our sandbox.policy (a policy
 * file). Both end in the same compiler: linux.seccomp is written out in the
 * policy language first, so an OCI profile and a policy file mean the same
 * thing by the same rules.
 *
 * OCI profiles are written for libseccomp's semantics, which differ from the
 * language's in one place: for a call with both an unconditional entry and
 * entries with arguments, libseccomp lets the unconditional one win. The
 * translation does the same, so a profile behaves here as under runc and
 * crun. Like them, it skips call names this architecture does not have:
 * profiles list calls of every architecture and kernel. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "ocipolicy.h"

struct text {
	char *buf;
	size_t len, cap;
	bool oom;
};

__attribute__((format(printf, 2, 3))) static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(t->buf ? t->buf + t->len : NULL, t->buf ? t->cap - t->len : 0,
				  fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->oom = true;
			return;
		}
		if (t->buf && t->len + (size_t)n < t->cap) {
			t->len += (size_t)n;
			return;
		}
		size_t cap = (t->cap ? 2 * t->cap : 4096) + (size_t)n;
		char *b = realloc(t->buf, cap);
		if (!b) {
			t->oom = true;
			return;
		}
		t->buf = b;
		t->cap = cap;
	}
}

/* SCMP_ACT_* as the policy language writes it */
static int action(struct ctx *c, const char *path, const json_t *v, const json_t *errno_ret,
		  const char *errno_path, int default_errno, char *out, size_t len)
{
	const char *a = json_string_value(v);
	if (!a)
		return json_expected(c, path, "an action such as SCMP_ACT_ERRNO", v);
	static const struct {
		const char *oci, *ours;
	} map[] = {
		{"SCMP_ACT_ALLOW", "allow"},
		{"SCMP_ACT_KILL", "kill-thread"}, /* libseccomp's SCMP_ACT_KILL */
		{"SCMP_ACT_KILL_THREAD", "kill-thread"},
		{"SCMP_ACT_KILL_PROCESS", "kill-process"},
		{"SCMP_ACT_TRAP", "trap"},
		{"SCMP_ACT_LOG", "log"},
		{"SCMP_ACT_NOTIFY", "notify"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(*map); i++)
		if (!strcmp(a, map[i].oci)) {
			snprintf(out, len, "%s", map[i].ours);
			return 0;
		}
	if (!strcmp(a, "SCMP_ACT_ERRNO")) {
		int e = default_errno;
		if (errno_ret) {
			if (!json_is_integer(errno_ret) || json_integer_value(errno_ret) < 1 ||
			    json_integer_value(errno_ret) > 4095)
				return json_expected(c, errno_path, "an errno value 1-4095",
						     errno_ret);
			e = (int)json_integer_value(errno_ret);
		}
		snprintf(out, len, "errno %d", e);
		return 0;
	}
	if (!strcmp(a, "SCMP_ACT_TRACE"))
		return json_fail(c, ENOTSUP, path,
				 "SCMP_ACT_TRACE needs a ptrace tracer, which "
				 "sandboxd does not provide");
	return json_expected(c, path,
			     "one of SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, "
			     "SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, "
			     "SCMP_ACT_LOG, SCMP_ACT_NOTIFY",
			     v);
}

/* args[] of one syscalls[] entry as " if argN op V and ..."; 1 if a
 * condition can never hold, so the entry matches nothing. */
static int conditions(struct ctx *c, const char *base, const json_t *args, char *out, size_t len)
{
	out[0] = 0;
	if (!args)
		return 0;
	char apath[PATH_LEN];
	json_join(apath, base, "args");
	if (!json_is_array(args))
		return json_expected(c, apath, "an array of {index, value, valueTwo, op}", args);
	static const struct {
		const char *oci, *ours;
	} ops[] = {{"SCMP_CMP_NE", "!="},      {"SCMP_CMP_LT", "<"},  {"SCMP_CMP_LE", "<="},
		   {"SCMP_CMP_EQ", "=="},      {"SCMP_CMP_GE", ">="}, {"SCMP_CMP_GT", ">"},
		   {"SCMP_CMP_MASKED_EQ", "&"}};
	unsigned used = 0;
	size_t off = 0;
	for (size_t i = 0; i < json_array_size(args); i++) {
		char path[PATH_LEN], sub[PATH_LEN];
		json_index(path, apath, i);
		json_t *a = json_array_get(args, i);
		if (!json_is_object(a))
			return json_expected(
				c, path, "an object {\"index\": N, \"value\": N, \"op\": ...}", a);
		int64_t idx = 0;
		int r = json_i64(c, a, path, "index", 0, 5, &idx);
		if (r < 0)
			return r;
		if (r == 1) {
			json_join(sub, path, "index");
			return json_fail(c, EINVAL, sub, "required (0-5)");
		}
		if (used & (1u << idx))
			return json_fail(
				c, EINVAL, path,
				"a second condition on argument %lld in one entry: libseccomp "
				"cannot compile that",
				(long long)idx);
		used |= 1u << idx;
		uint64_t val[2] = {0, 0};
		for (int k = 0; k < 2; k++) {
			const char *key = k ? "valueTwo" : "value";
			json_t *v = json_object_get(a, key);
			if (!v)
				continue;
			json_join(sub, path, key);
			if (!json_is_integer(v) || json_integer_value(v) < 0)
				return json_expected(c, sub, "a non-negative integer", v);
			val[k] = (uint64_t)json_integer_value(v);
		}
		json_t *op = json_object_get(a, "op");
		size_t k = 0;
		while (json_is_string(op) && k < sizeof(ops) / sizeof(*ops) &&
		       strcmp(ops[k].oci, json_string_value(op)))
			k++;
		if (!json_is_string(op) || k == sizeof(ops) / sizeof(*ops)) {
			json_join(sub, path, "op");
			return json_expected(c, sub, "an SCMP_CMP_ comparison",
					     op ? op : json_null());
		}
		if (!strcmp(ops[k].ours, "&") && (val[1] & ~val[0]))
			return 1; /* never true: the entry matches nothing */
		int n = !strcmp(ops[k].ours, "&")
				? snprintf(out + off, len - off, " %s arg%lld & 0x%llx == 0x%llx",
					   off ? "and" : "if", (long long)idx,
					   (unsigned long long)val[0], (unsigned long long)val[1])
				: snprintf(out + off, len - off, " %s arg%lld %s 0x%llx",
					   off ? "and" : "if", (long long)idx, ops[k].ours,
					   (unsigned long long)val[0]);
		if (n < 0 || (size_t)n >= len - off)
			return json_fail(c, E2BIG, path, "too many conditions");
		off += (size_t)n;
	}
	return 0;
}

static bool known(const char *name)
{
	return sbx_syscall_resolve(name) >= 0;
}

/* Writes linux.seccomp as a policy. */
static int translate(struct ctx *c, const json_t *sc, struct text *t)
{
	const char *base = "linux.seccomp";
	char path[PATH_LEN], act[48];
	json_t *v;
	int r;
	for (const char *k = "listenerPath\0listenerMetadata\0"; *k; k += strlen(k) + 1) {
		json_join(path, base, k);
		if ((v = json_object_get(sc, k)) && json_string_length(v))
			return json_fail(c, ENOTSUP, path, "seccomp agents are not supported");
	}
	json_t *flags = json_object_get(sc, "flags");
	json_join(path, base, "flags");
	if (flags && !json_is_array(flags))
		return json_expected(c, path, "an array of flag names", flags);
	bool log_denials = false;
	for (size_t i = 0; json_is_array(flags) && i < json_array_size(flags); i++) {
		char fpath[PATH_LEN];
		json_index(fpath, path, i);
		json_t *f = json_array_get(flags, i);
		const char *name = json_string_value(f);
		if (!name)
			return json_expected(c, fpath, "a flag name", f);
		if (!strcmp(name, "SECCOMP_FILTER_FLAG_LOG"))
			log_denials = true;
		else if (!strcmp(name, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"))
			return json_fail(c, ENOTSUP, fpath,
					 "SECCOMP_FILTER_FLAG_SPEC_ALLOW would turn off the "
					 "speculative store bypass mitigation");
		/* TSYNC: the sandbox has one thread when the filter goes on;
		 * WAIT_KILLABLE_RECV: no agent, so no notifications to wait for */
		else if (strcmp(name, "SECCOMP_FILTER_FLAG_TSYNC") &&
			 strcmp(name, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"))
			return json_expected(
				c, fpath, "SECCOMP_FILTER_FLAG_LOG, _TSYNC or _WAIT_KILLABLE_RECV",
				f);
	}
	/* architectures: the filter is for this one only; others' calls die */
	json_t *archs = json_object_get(sc, "architectures");
	json_join(path, base, "architectures");
	if (archs && !json_is_array(archs))
		return json_expected(c, path, "an array of SCMP_ARCH_ names", archs);

	int def_errno = 1; /* EPERM, as OCI says */
	json_t *der = json_object_get(sc, "defaultErrnoRet");
	json_join(path, base, "defaultErrnoRet");
	if (der) {
		if (!json_is_integer(der) || json_integer_value(der) < 1 ||
		    json_integer_value(der) > 4095)
			return json_expected(c, path, "an errno value 1-4095", der);
		def_errno = (int)json_integer_value(der);
	}
	json_join(path, base, "defaultAction");
	v = json_object_get(sc, "defaultAction");
	if (!v)
		return json_fail(c, EINVAL, path, "required (an SCMP_ACT_ action)");
	if ((r = action(c, path, v, NULL, NULL, def_errno, act, sizeof(act))) < 0)
		return r;
	put(t, "default %s\n", act);
	if (log_denials)
		put(t, "log-denials\n");

	json_t *list = json_object_get(sc, "syscalls");
	char lpath[PATH_LEN];
	json_join(lpath, base, "syscalls");
	if (list && !json_is_array(list))
		return json_expected(c, lpath, "an array of objects", list);
	/* libseccomp's semantics: a call named in an entry without arguments
	 * takes only that entry (the last such) */
	for (size_t i = 0; list && i < json_array_size(list); i++) {
		char epath[PATH_LEN], npath[PATH_LEN], cond[600];
		json_index(epath, lpath, i);
		json_t *e = json_array_get(list, i);
		if (!json_is_object(e))
			return json_expected(c, epath,
					     "an object {\"names\": [...], \"action\": ...}", e);
		/* Docker's profile template: entries meant only for some
		 * capabilities or architectures. Taken as they stand they would
		 * allow mount, unshare and bpf to everyone. */
		for (const char *k = "includes\0excludes\0"; *k; k += strlen(k) + 1)
			if (json_object_get(e, k)) {
				json_join(path, epath, k);
				return json_fail(
					c, EINVAL, path,
					"a profile template's condition (by capability or "
					"architecture), not OCI: render the template for this "
					"container first, as the engine that owns it does");
			}
		json_t *names = json_object_get(e, "names");
		json_join(npath, epath, "names");
		if (!json_is_array(names))
			return json_expected(c, npath, "an array of system call names",
					     names ? names : json_null());
		json_join(path, epath, "action");
		char errno_path[PATH_LEN];
		json_join(errno_path, epath, "errnoRet");
		if ((r = action(c, path, json_object_get(e, "action") ?: json_null(),
				json_object_get(e, "errnoRet"), errno_path, def_errno, act,
				sizeof(act))) < 0)
			return r;
		if ((r = conditions(c, epath, json_object_get(e, "args"), cond, sizeof(cond))) < 0)
			return r;
		if (r == 1)
			continue;
		for (size_t k = 0; k < json_array_size(names); k++) {
			const char *name = json_string_value(json_array_get(names, k));
			if (!name) {
				char np[PATH_LEN];
				json_index(np, npath, k);
				return json_expected(c, np, "a system call name",
						     json_array_get(names, k));
			}
			if (!known(name))
				continue;
			if (cond[0]) {
				/* shadowed by an unconditional entry anywhere? */
				bool plain = false;
				for (size_t j = 0; j < json_array_size(list) && !plain; j++) {
					json_t *o = json_array_get(list, j),
					       *on = json_object_get(o, "names");
					json_t *oa = json_object_get(o, "args");
					if (oa && json_array_size(oa))
						continue;
					for (size_t m = 0;
					     json_is_array(on) && m < json_array_size(on); m++)
						plain |= !strcmp(
							json_string_value(json_array_get(on, m))
								?: "",
							name);
				}
				if (plain)
					continue;
			}
			put(t, "%s %s%s\n", act, name, cond);
		}
	}
	if (t->oom)
		return json_fail(c, ENOMEM, base, "out of memory");
	return 0;
}

static int set(struct ctx *c, const char *path, sbx_policy *p)
{
	sbx_error e;
	sbx_policy_info info = {.size = sizeof(info)};
	if (sbx_policy_get_info(p, &info, &e) == 0 && info.notifies) {
		sbx_policy_free(p);
		/* nobody would answer: the calls would wait forever */
		return json_fail(c, ENOTSUP, path,
				 "notify rules need a supervisor that answers them (a seccomp "
				 "agent), which sandboxd run does not have");
	}
	int r = sbx_config_set_policy(c->cfg, p, &e);
	sbx_policy_free(p);
	return r < 0 ? json_lib_fail(c, path, &e) : 0;
}

int ocipolicy_parse(struct ctx *c, const json_t *seccomp)
{
	if (!json_is_object(seccomp))
		return json_expected(c, "linux.seccomp", "an object", seccomp);
	struct text t = {0};
	int r = translate(c, seccomp, &t);
	if (r < 0) {
		free(t.buf);
		return r;
	}
	char name[PATH_LEN + 32];
	snprintf(name, sizeof(name), "%s: linux.seccomp", c->file);
	sbx_policy *p;
	sbx_error e;
	r = sbx_policy_parse(t.buf, name, c->policy_opts, &p, &e);
	free(t.buf);
	if (r < 0) /* a translation that does not compile is ours to fix */
		return json_fail(c, e.code, "linux.seccomp", "%s", e.message);
	return set(c, "linux.seccomp", p);
}

int ocipolicy_load(struct ctx *c, const char *path, const json_t *v)
{
	const char *name = json_string_value(v);
	if (!name || !*name)
		return json_expected(c, path, "a policy file or the name of a shipped policy", v);
	/* relative to the spec, as OCI's root.path is to the bundle; a bare name
	 * is also looked for among the shipped policies */
	char file[4096];
	if (name[0] == '/' || !c->dir)
		snprintf(file, sizeof(file), "%s", name);
	else
		snprintf(file, sizeof(file), "%s/%s", c->dir, name);
	const char *const *dirs = c->policy_opts ? c->policy_opts->include_dirs : NULL;
	for (size_t i = 0; access(file, R_OK) != 0 && !strchr(name, '/') && dirs && dirs[i]; i++) {
		snprintf(file, sizeof(file), "%s/%s", dirs[i], name);
		if (access(file, R_OK) != 0)
			snprintf(file, sizeof(file), "%s/%s.policy", dirs[i], name);
	}
	sbx_policy *p;
	sbx_error e;
	if (sbx_policy_load(file, c->policy_opts, &p, &e) < 0)
		return json_fail(c, e.code, path, "%s", e.message);
	return set(c, path, p);
}
