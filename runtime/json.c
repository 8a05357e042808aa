#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

int json_fail(struct ctx *c, int errnum, const char *path, const char *fmt, ...)
{
	if (c->err) {
		c->err->code = errnum;
		c->err->stage = SBX_STAGE_CONFIG;
		int n = snprintf(c->err->message, sizeof(c->err->message), "%s: %s%s", c->file,
				 path, *path ? ": " : "");
		if (n >= 0 && (size_t)n < sizeof(c->err->message)) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(c->err->message + n, sizeof(c->err->message) - (size_t)n, fmt,
				  ap);
			va_end(ap);
		}
	}
	errno = errnum;
	return -errnum;
}

/* A library error while applying a value. Its message starts with a label
 * for direct callers ("hostname: 65 bytes, ..."); here the JSON path takes
 * the label's place. */
int json_lib_fail(struct ctx *c, const char *path, const sbx_error *e)
{
	const char *detail = strstr(e->message, ": ");
	return json_fail(c, e->code, path, "%s", detail ? detail + 2 : e->message);
}

/* "an integer (42)", "\"lots\"", "an array"...: what the user wrote. */
static const char *found(const json_t *v, char *buf, size_t len)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		snprintf(buf, len, "\"%.40s%s\"", json_string_value(v),
			 json_string_length(v) > 40 ? "..." : "");
		return buf;
	case JSON_INTEGER:
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	case JSON_REAL:
		snprintf(buf, len, "%g", json_real_value(v));
		return buf;
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

int json_expected(struct ctx *c, const char *path, const char *what, const json_t *v)
{
	char buf[64];
	return json_fail(c, EINVAL, path, "expected %s, got %s", what, found(v, buf, sizeof(buf)));
}

/* JSON paths are short; one that does not fit is cut, visibly. */
static void cut(char *out, int n)
{
	if (n >= PATH_LEN)
		memcpy(out + PATH_LEN - 4, "...", 4);
}

void json_join(char *out, const char *base, const char *key)
{
	cut(out, snprintf(out, PATH_LEN, "%s%s%s", base, *base ? "." : "", key));
}

void json_index(char *out, const char *base, size_t i)
{
	cut(out, snprintf(out, PATH_LEN, "%s[%zu]", base, i));
}

/* The member `key` of `obj` if present, checked to be of type `t`. */
int json_member(struct ctx *c, const json_t *obj, const char *base, const char *key, json_type t,
		const char *what, json_t **out)
{
	*out = NULL;
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	char path[PATH_LEN];
	json_join(path, base, key);
	if (json_typeof(v) != t && !(t == JSON_TRUE && json_is_boolean(v)))
		return json_expected(c, path, what, v);
	*out = v;
	return 0;
}

int json_id(struct ctx *c, const json_t *obj, const char *base, const char *key, bool required,
	    uint32_t *out)
{
	char path[PATH_LEN];
	json_join(path, base, key);
	json_t *v = json_object_get(obj, key);
	if (!v) {
		if (required)
			return json_fail(c, EINVAL, path, "required (an integer 0-4294967294)");
		return 1;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > (json_int_t)UINT32_MAX - 1)
		return json_expected(c, path, "an integer 0-4294967294", v);
	*out = (uint32_t)json_integer_value(v);
	return 0;
}

int json_i64(struct ctx *c, const json_t *obj, const char *base, const char *key, int64_t min,
	     int64_t max, int64_t *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 1;
	char path[PATH_LEN], what[96];
	json_join(path, base, key);
	snprintf(what, sizeof(what), "an integer %lld-%lld", (long long)min, (long long)max);
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return json_expected(c, path, what, v);
	*out = json_integer_value(v);
	return 0;
}

bool json_asks_nothing(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE:
		return true;
	case JSON_STRING:
		return json_string_length(v) == 0;
	case JSON_ARRAY:
		return json_array_size(v) == 0;
	case JSON_OBJECT: {
		const char *k;
		json_t *m;
		json_object_foreach ((json_t *)v, k, m)
			if (!json_asks_nothing(m))
				return false;
		return true;
	}
	default:
		return false;
	}
}

const json_t *json_lookup(const json_t *root, const char *dotted)
{
	char buf[PATH_LEN];
	snprintf(buf, sizeof(buf), "%s", dotted);
	const json_t *v = root;
	for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && v;
	     k = strtok_r(NULL, ".", &save))
		v = json_is_object(v) ? json_object_get(v, k) : NULL;
	return v;
}
