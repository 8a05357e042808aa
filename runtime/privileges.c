/* process.capabilities and process.noNewPrivileges: what the sandbox keeps
 * of the Linux privileges it starts with (nothing, unless listed). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "privileges.h"

/* One of the five lists: capability names -> a mask. */
static int cap_list(struct ctx *c, const json_t *caps, const char *key, uint64_t *mask)
{
	char path[PATH_LEN];
	json_join(path, "process.capabilities", key);
	json_t *list = json_object_get(caps, key);
	if (!list || json_is_null(list))
		return 0;
	if (!json_is_array(list))
		return json_expected(c, path, "an array of capability names", list);
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *n = json_array_get(list, i);
		char item[PATH_LEN];
		json_index(item, path, i);
		int cap = json_is_string(n) ? sbx_cap_from_name(json_string_value(n)) : -1;
		if (cap < 0 || cap > 63)
			return json_expected(c, item,
					     "a capability name such as CAP_NET_BIND_SERVICE", n);
		*mask |= 1ull << cap;
	}
	return 0;
}

int privileges_parse(struct ctx *c, const json_t *process)
{
	json_t *caps, *nnp;
	int r = json_member(c, process, "process", "capabilities", JSON_OBJECT, "an object", &caps);
	if (r < 0 || (r = json_member(c, process, "process", "noNewPrivileges", JSON_TRUE,
				      "true or false", &nnp)) < 0)
		return r;
	sbx_error e;
	if (caps) {
		sbx_caps k = {0};
		if ((r = cap_list(c, caps, "bounding", &k.bounding)) < 0 ||
		    (r = cap_list(c, caps, "effective", &k.effective)) < 0 ||
		    (r = cap_list(c, caps, "permitted", &k.permitted)) < 0 ||
		    (r = cap_list(c, caps, "inheritable", &k.inheritable)) < 0 ||
		    (r = cap_list(c, caps, "ambient", &k.ambient)) < 0)
			return r;
		if (sbx_config_set_caps(c->cfg, &k, &e) < 0)
			return json_lib_fail(c, "process.capabilities", &e);
	}
	/* on unless the spec says false in so many words */
	if (nnp && json_is_false(nnp) && sbx_config_set_no_new_privs(c->cfg, 0, &e) < 0)
		return json_lib_fail(c, "process.noNewPrivileges", &e);
	return 0;
}
