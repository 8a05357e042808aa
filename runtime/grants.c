/* sandbox.grants and sandbox.capability_mode: exactly the descriptors the
 * sandbox starts with, and whether it may reach anything else by name. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "grants.h"

static const struct {
	const char *name;
	int rights;
} rights_names[] = {
	{"as-is", SBX_RIGHTS_AS_IS},	       {"read", SBX_RIGHTS_READ},
	{"write", SBX_RIGHTS_WRITE},	       {"append", SBX_RIGHTS_APPEND},
	{"read-write", SBX_RIGHTS_READ_WRITE}, {"dir", SBX_RIGHTS_DIR},
	{"dir-write", SBX_RIGHTS_DIR_WRITE},
};

static int one_grant(struct ctx *c, const char *path, const json_t *g)
{
	if (!json_is_object(g))
		return json_expected(c, path,
				     "an object {\"fd\": N, \"path\": ... or \"from_fd\": N, "
				     "\"rights\": ...}",
				     g);
	int64_t fd = 0, from = -1;
	int r = json_i64(c, g, path, "fd", 3, 1048575, &fd);
	if (r < 0)
		return r;
	char sub[PATH_LEN];
	if (r == 1) {
		json_join(sub, path, "fd");
		return json_fail(c, EINVAL, sub,
				 "required: the descriptor number in the sandbox "
				 "(3 or more)");
	}
	if ((r = json_i64(c, g, path, "from_fd", 0, 1048575, &from)) < 0)
		return r;
	json_t *p, *rv;
	if ((r = json_member(c, g, path, "path", JSON_STRING, "a path", &p)) < 0 ||
	    (r = json_member(c, g, path, "rights", JSON_STRING, "rights", &rv)) < 0)
		return r;
	if (!p == (from < 0))
		return json_fail(c, EINVAL, path, "give either \"path\" or \"from_fd\"");
	int rights = SBX_RIGHTS_AS_IS;
	if (rv) {
		size_t i = 0;
		while (i < sizeof(rights_names) / sizeof(*rights_names) &&
		       strcmp(rights_names[i].name, json_string_value(rv)))
			i++;
		json_join(sub, path, "rights");
		if (i == sizeof(rights_names) / sizeof(*rights_names))
			return json_expected(c, sub,
					     "\"read\", \"write\", \"append\", \"read-write\", "
					     "\"dir\", \"dir-write\" or \"as-is\"",
					     rv);
		rights = rights_names[i].rights;
	}
	sbx_error e;
	if (p) {
		/* relative to the spec, like sandbox.policy */
		const char *name = json_string_value(p);
		char file[4096];
		if (name[0] == '/' || !c->dir)
			snprintf(file, sizeof(file), "%s", name);
		else
			snprintf(file, sizeof(file), "%s/%s", c->dir, name);
		json_join(sub, path, "path");
		if (!*name)
			return json_expected(c, sub, "a path", p);
		/* the library's message names the file: keep it */
		if (sbx_config_grant_path(c->cfg, file, (int)fd, rights, &e) < 0)
			return json_fail(c, e.code, sub, "%s", e.message);
		return 0;
	}
	json_join(sub, path, "from_fd");
	if (fcntl((int)from, F_GETFD) < 0)
		return json_fail(c, EBADF, sub, "sandboxd has no descriptor %lld", (long long)from);
	if (sbx_config_grant(c->cfg, (int)from, (int)fd, rights, &e) < 0)
		return json_lib_fail(c, sub, &e);
	return 0;
}

int grants_parse(struct ctx *c, const char *path, const json_t *v)
{
	if (!json_is_array(v))
		return json_expected(c, path, "an array of grants", v);
	for (size_t i = 0; i < json_array_size(v); i++) {
		char sub[PATH_LEN];
		json_index(sub, path, i);
		int r = one_grant(c, sub, json_array_get(v, i));
		if (r < 0)
			return r;
	}
	return 0;
}

int grants_parse_capmode(struct ctx *c, const char *path, const json_t *v)
{
	sbx_error e;
	if (json_is_boolean(v)) {
		if (sbx_config_set_capability_mode(c->cfg, json_is_true(v), NULL, 0, &e) < 0)
			return json_lib_fail(c, path, &e);
		return 0;
	}
	if (!json_is_object(v))
		return json_expected(c, path,
				     "true, false or {\"runtime\": [...], \"need\": [...]}", v);
	const char *runtime[32] = {0};
	unsigned need = 0;
	const char *key;
	json_t *val;
	json_object_foreach ((json_t *)v, key, val) {
		char sub[PATH_LEN];
		json_join(sub, path, key);
		if (!strcmp(key, "runtime")) {
			if (!json_is_array(val) || json_array_size(val) > 16)
				return json_expected(c, sub,
						     "an array of at most 16 absolute paths", val);
			for (size_t i = 0; i < json_array_size(val); i++) {
				json_t *s = json_array_get(val, i);
				char item[PATH_LEN];
				json_index(item, sub, i);
				if (!json_is_string(s) || json_string_value(s)[0] != '/')
					return json_expected(c, item, "an absolute path", s);
				runtime[i] = json_string_value(s);
			}
		} else if (!strcmp(key, "need")) {
			static const struct {
				const char *name;
				unsigned bit;
			} needs[] = {{"fs", SBX_CAP_NEED_FS},
				     {"net", SBX_CAP_NEED_NET},
				     {"scope", SBX_CAP_NEED_SCOPE}};
			if (!json_is_array(val) || !json_array_size(val))
				return json_expected(c, sub, "a list of \"fs\", \"net\", \"scope\"",
						     val);
			for (size_t i = 0; i < json_array_size(val); i++) {
				json_t *s = json_array_get(val, i);
				size_t k = 0;
				while (json_is_string(s) && k < 3 &&
				       strcmp(needs[k].name, json_string_value(s)))
					k++;
				char item[PATH_LEN];
				json_index(item, sub, i);
				if (!json_is_string(s) || k == 3)
					return json_expected(c, item,
							     "\"fs\", \"net\" or \"scope\"", s);
				need |= needs[k].bit;
			}
		} else {
			return json_fail(c, EINVAL, sub,
					 "unknown field (known here: runtime, need)");
		}
	}
	if (sbx_config_set_capability_mode(
		    c->cfg, 1, json_object_get(v, "runtime") ? runtime : NULL, need, &e) < 0)
		return json_lib_fail(c, path, &e);
	return 0;
}
