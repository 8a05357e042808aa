/* Limits from a spec: OCI linux.resources (memory, pids, cpu, blockIO,
 * devices) and process.rlimits, and our sandbox.limits (CPU time, wall time,
 * output, best effort). They meet in one sbx_limits, applied once. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "json.h"
#include "resources.h"

#define I64_MAX INT64_MAX

static int parse_memory(struct ctx *c, const json_t *res)
{
	json_t *mem;
	int r = json_member(c, res, "linux.resources", "memory", JSON_OBJECT, "an object", &mem);
	if (r < 0 || !mem)
		return r;
	int64_t limit = 0, swap = 0;
	if ((r = json_i64(c, mem, "linux.resources.memory", "limit", -1, I64_MAX, &limit)) < 0)
		return r;
	if (limit > 0)
		c->limits.memory_bytes = (uint64_t)limit;
	r = json_i64(c, mem, "linux.resources.memory", "swap", -1, I64_MAX, &swap);
	if (r < 0)
		return r;
	if (r == 0 && swap != 0) {
		/* OCI's swap is memory and swap together */
		if (limit <= 0)
			return json_fail(c, EINVAL, "linux.resources.memory.swap",
					 "needs linux.resources.memory.limit");
		if (swap == -1)
			c->limits.swap_bytes = SBX_UNLIMITED;
		else if (swap < limit)
			return json_fail(
				c, EINVAL, "linux.resources.memory.swap",
				"%lld is below memory.limit %lld (it counts memory and swap "
				"together)",
				(long long)swap, (long long)limit);
		else
			c->limits.swap_bytes = (uint64_t)(swap - limit);
	}
	return 0;
}

static int parse_pids(struct ctx *c, const json_t *res)
{
	json_t *pids;
	int r = json_member(c, res, "linux.resources", "pids", JSON_OBJECT, "an object", &pids);
	if (r < 0 || !pids)
		return r;
	int64_t limit = 0;
	if ((r = json_i64(c, pids, "linux.resources.pids", "limit", -1, I64_MAX, &limit)) < 0)
		return r;
	if (limit > 0)
		c->limits.pids = (uint64_t)limit;
	return 0;
}

static int parse_cpu(struct ctx *c, const json_t *res)
{
	json_t *cpu, *v;
	const char *base = "linux.resources.cpu";
	int r = json_member(c, res, "linux.resources", "cpu", JSON_OBJECT, "an object", &cpu);
	if (r < 0 || !cpu)
		return r;
	int64_t shares = 0, quota = 0, period = 0;
	if ((r = json_i64(c, cpu, base, "shares", 0, 262144, &shares)) < 0 ||
	    (r = json_i64(c, cpu, base, "quota", -1, 1000000000, &quota)) < 0 ||
	    (r = json_i64(c, cpu, base, "period", 0, 1000000, &period)) < 0)
		return r;
	if (shares >= 2) /* v1 shares to v2 weight, as crun converts them */
		c->limits.cpu_weight = (uint32_t)(1 + ((shares - 2) * 9999) / 262142);
	if (quota > 0) {
		c->limits.cpu_quota_us = (uint32_t)quota;
		c->limits.cpu_period_us = (uint32_t)period;
	}
	static const struct {
		const char *key;
		size_t off, len;
	} sets[] = {
		{"cpus", offsetof(sbx_limits, cpuset_cpus), sizeof(((sbx_limits *)0)->cpuset_cpus)},
		{"mems", offsetof(sbx_limits, cpuset_mems), sizeof(((sbx_limits *)0)->cpuset_mems)},
	};
	for (size_t i = 0; i < sizeof(sets) / sizeof(*sets); i++) {
		if ((r = json_member(c, cpu, base, sets[i].key, JSON_STRING,
				     "a list like \"0-3,5\"", &v)) < 0)
			return r;
		if (!v)
			continue;
		char path[PATH_LEN];
		json_join(path, base, sets[i].key);
		if (json_string_length(v) >= sets[i].len)
			return json_fail(c, EINVAL, path, "too long");
		memcpy((char *)&c->limits + sets[i].off, json_string_value(v),
		       json_string_length(v) + 1);
	}
	return 0;
}

/* blockIO.throttle*Device: four lists of {major, minor, rate}, merged per
 * device into one io limit each. */
static int parse_blockio(struct ctx *c, const json_t *res)
{
	json_t *bio;
	const char *base = "linux.resources.blockIO";
	int r = json_member(c, res, "linux.resources", "blockIO", JSON_OBJECT, "an object", &bio);
	if (r < 0 || !bio)
		return r;
	static const char *const lists[4] = {"throttleReadBpsDevice", "throttleWriteBpsDevice",
					     "throttleReadIOPSDevice", "throttleWriteIOPSDevice"};
	struct {
		uint32_t major, minor;
		uint64_t v[4];
	} dev[16];
	size_t nd = 0;
	for (int k = 0; k < 4; k++) {
		json_t *list;
		char lpath[PATH_LEN];
		json_join(lpath, base, lists[k]);
		if ((r = json_member(c, bio, base, lists[k], JSON_ARRAY, "an array of objects",
				     &list)) < 0)
			return r;
		for (size_t i = 0; list && i < json_array_size(list); i++) {
			char path[PATH_LEN];
			json_index(path, lpath, i);
			json_t *e = json_array_get(list, i);
			if (!json_is_object(e))
				return json_expected(
					c, path,
					"an object {\"major\": N, \"minor\": N, \"rate\": N}", e);
			uint32_t major = 0, minor = 0;
			int64_t rate = 0;
			if ((r = json_id(c, e, path, "major", true, &major)) < 0 ||
			    (r = json_id(c, e, path, "minor", true, &minor)) < 0 ||
			    (r = json_i64(c, e, path, "rate", 1, I64_MAX, &rate)) < 0)
				return r;
			if (r == 1)
				return json_fail(c, EINVAL, path,
						 "rate: required (a positive integer)");
			size_t d = 0;
			while (d < nd && !(dev[d].major == major && dev[d].minor == minor))
				d++;
			if (d == nd) {
				if (nd == sizeof(dev) / sizeof(*dev))
					return json_fail(c, E2BIG, path, "at most 16 devices");
				memset(&dev[nd], 0, sizeof(dev[nd]));
				dev[nd].major = major;
				dev[nd].minor = minor;
				nd++;
			}
			dev[d].v[k] = (uint64_t)rate;
		}
	}
	for (size_t d = 0; d < nd; d++) {
		sbx_error e;
		if (sbx_config_add_io_limit(c->cfg, dev[d].major, dev[d].minor, dev[d].v[0],
					    dev[d].v[1], dev[d].v[2], dev[d].v[3], &e) < 0)
			return json_lib_fail(c, base, &e);
	}
	return 0;
}

static int parse_devices(struct ctx *c, const json_t *res)
{
	json_t *list;
	const char *base = "linux.resources.devices";
	int r = json_member(c, res, "linux.resources", "devices", JSON_ARRAY, "an array of objects",
			    &list);
	if (r < 0 || !list)
		return r;
	for (size_t i = 0; i < json_array_size(list); i++) {
		char path[PATH_LEN], sub[PATH_LEN];
		json_index(path, base, i);
		json_t *d = json_array_get(list, i), *allow, *type, *access;
		if (!json_is_object(d))
			return json_expected(c, path, "an object {\"allow\": true, ...}", d);
		if ((r = json_member(c, d, path, "allow", JSON_TRUE, "true or false", &allow)) <
			    0 ||
		    (r = json_member(c, d, path, "type", JSON_STRING, "\"a\", \"c\" or \"b\"",
				     &type)) < 0 ||
		    (r = json_member(c, d, path, "access", JSON_STRING, "a string of r, w and m",
				     &access)) < 0)
			return r;
		json_join(sub, path, "allow");
		if (!allow)
			return json_fail(c, EINVAL, sub, "required (true or false)");
		const char *t = type ? json_string_value(type) : "a";
		if (strcmp(t, "a") && strcmp(t, "c") && strcmp(t, "b")) {
			json_join(sub, path, "type");
			return json_expected(c, sub, "\"a\", \"c\" or \"b\"", type);
		}
		int64_t major = -1, minor = -1;
		/* null or absent means any */
		if (json_is_integer(json_object_get(d, "major")) &&
		    (r = json_i64(c, d, path, "major", -1, UINT32_MAX, &major)) < 0)
			return r;
		if (json_is_integer(json_object_get(d, "minor")) &&
		    (r = json_i64(c, d, path, "minor", -1, UINT32_MAX, &minor)) < 0)
			return r;
		for (const char *k = "major\0minor\0"; *k; k += strlen(k) + 1) {
			json_t *v = json_object_get(d, k);
			if (v && !json_is_integer(v) && !json_is_null(v)) {
				json_join(sub, path, k);
				return json_expected(c, sub, "an integer or null", v);
			}
		}
		sbx_error e;
		if (sbx_config_add_device_rule(c->cfg, json_is_true(allow), t[0], major, minor,
					       access ? json_string_value(access) : "rwm", &e) < 0)
			return json_lib_fail(c, path, &e);
	}
	return 0;
}

int resources_parse_linux(struct ctx *c, const json_t *linux_obj)
{
	json_t *res;
	int r = json_member(c, linux_obj, "linux", "resources", JSON_OBJECT, "an object", &res);
	if (r < 0 || !res)
		return r;
	if ((r = parse_memory(c, res)) < 0 || (r = parse_pids(c, res)) < 0 ||
	    (r = parse_cpu(c, res)) < 0 || (r = parse_blockio(c, res)) < 0 ||
	    (r = parse_devices(c, res)) < 0)
		return r;
	return 0;
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{"RLIMIT_AS", RLIMIT_AS},
	{"RLIMIT_CORE", RLIMIT_CORE},
	{"RLIMIT_CPU", RLIMIT_CPU},
	{"RLIMIT_DATA", RLIMIT_DATA},
	{"RLIMIT_FSIZE", RLIMIT_FSIZE},
	{"RLIMIT_LOCKS", RLIMIT_LOCKS},
	{"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
	{"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
	{"RLIMIT_NICE", RLIMIT_NICE},
	{"RLIMIT_NOFILE", RLIMIT_NOFILE},
	{"RLIMIT_NPROC", RLIMIT_NPROC},
	{"RLIMIT_RSS", RLIMIT_RSS},
	{"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
	{"RLIMIT_RTTIME", RLIMIT_RTTIME},
	{"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
	{"RLIMIT_STACK", RLIMIT_STACK},
};

static int u64_field(struct ctx *c, const json_t *obj, const char *base, const char *key,
		     uint64_t *out)
{
	char path[PATH_LEN];
	json_join(path, base, key);
	json_t *v = json_object_get(obj, key);
	if (!v)
		return json_fail(c, EINVAL, path, "required (a non-negative integer)");
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return json_expected(c, path, "a non-negative integer", v);
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

int resources_parse_rlimits(struct ctx *c, const json_t *process)
{
	json_t *list;
	const char *base = "process.rlimits";
	int r = json_member(c, process, "process", "rlimits", JSON_ARRAY, "an array of objects",
			    &list);
	if (r < 0 || !list)
		return r;
	bool seen[sizeof(rlimit_names) / sizeof(*rlimit_names)] = {false};
	for (size_t i = 0; i < json_array_size(list); i++) {
		char path[PATH_LEN], sub[PATH_LEN];
		json_index(path, base, i);
		json_t *e = json_array_get(list, i), *type;
		if (!json_is_object(e))
			return json_expected(c, path,
					     "an object {\"type\": \"RLIMIT_...\", \"soft\": N, "
					     "\"hard\": N}",
					     e);
		if ((r = json_member(c, e, path, "type", JSON_STRING, "an RLIMIT_ name", &type)) <
		    0)
			return r;
		json_join(sub, path, "type");
		if (!type)
			return json_fail(c, EINVAL, sub, "required (an RLIMIT_ name)");
		size_t k = 0;
		while (k < sizeof(rlimit_names) / sizeof(*rlimit_names) &&
		       strcmp(rlimit_names[k].name, json_string_value(type)))
			k++;
		if (k == sizeof(rlimit_names) / sizeof(*rlimit_names))
			return json_expected(c, sub, "an RLIMIT_ name such as RLIMIT_NOFILE", type);
		if (seen[k])
			return json_fail(c, EINVAL, sub, "%s is listed twice",
					 rlimit_names[k].name);
		seen[k] = true;
		uint64_t soft = 0, hard = 0;
		if ((r = u64_field(c, e, path, "soft", &soft)) < 0 ||
		    (r = u64_field(c, e, path, "hard", &hard)) < 0)
			return r;
		sbx_error err;
		if (sbx_config_set_rlimit(c->cfg, rlimit_names[k].resource, soft, hard, &err) < 0)
			return json_lib_fail(c, path, &err);
	}
	return 0;
}

static const struct {
	const char *name;
	unsigned bit;
} limit_names[] = {
	{"memory", SBX_LIMIT_MEMORY},
	{"pids", SBX_LIMIT_PIDS},
	{"cpu-time", SBX_LIMIT_CPU_TIME},
	{"wall-time", SBX_LIMIT_WALL_TIME},
	{"output", SBX_LIMIT_OUTPUT},
	{"cpu-quota", SBX_LIMIT_CPU_QUOTA},
	{"cpu-weight", SBX_LIMIT_CPU_WEIGHT},
	{"cpuset", SBX_LIMIT_CPUSET},
	{"io", SBX_LIMIT_IO},
	{"devices", SBX_LIMIT_DEVICES},
};

const char *resources_limit_name(unsigned bit)
{
	for (size_t i = 0; i < sizeof(limit_names) / sizeof(*limit_names); i++)
		if (limit_names[i].bit == bit)
			return limit_names[i].name;
	return NULL;
}

int resources_parse_sandbox(struct ctx *c, const json_t *limits)
{
	const char *base = "sandbox.limits";
	const char *key;
	json_t *v;
	json_object_foreach ((json_t *)limits, key, v) {
		char path[PATH_LEN];
		json_join(path, base, key);
		uint64_t *field = !strcmp(key, "cpu_time_ms")	 ? &c->limits.cpu_time_ms
				  : !strcmp(key, "wall_time_ms") ? &c->limits.wall_time_ms
				  : !strcmp(key, "output_bytes") ? &c->limits.output_bytes
								 : NULL;
		if (field) {
			if (!json_is_integer(v) || json_integer_value(v) < 0)
				return json_expected(c, path, "a non-negative integer", v);
			*field = (uint64_t)json_integer_value(v);
			continue;
		}
		if (strcmp(key, "best_effort"))
			return json_fail(c, EINVAL, path,
					 "unknown field (known here: cpu_time_ms, wall_time_ms, "
					 "output_bytes, best_effort)");
		if (!json_is_array(v))
			return json_expected(c, path, "an array of limit names", v);
		for (size_t i = 0; i < json_array_size(v); i++) {
			char ip[PATH_LEN];
			json_index(ip, path, i);
			json_t *n = json_array_get(v, i);
			size_t k = 0;
			while (json_is_string(n) &&
			       k < sizeof(limit_names) / sizeof(*limit_names) &&
			       strcmp(limit_names[k].name, json_string_value(n)))
				k++;
			if (!json_is_string(n) || k == sizeof(limit_names) / sizeof(*limit_names))
				return json_expected(
					c, ip,
					"one of memory, pids, cpu-time, wall-time, output, "
					"cpu-quota, cpu-weight, cpuset, io, devices",
					n);
			c->limits.best_effort |= limit_names[k].bit;
		}
	}
	if (c->limits.output_bytes)
		c->relay_output = true;
	return 0;
}
