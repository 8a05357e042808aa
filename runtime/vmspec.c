/* sandbox.vm and the rest of a spec as the vm backend takes it. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "filesystem.h"
#include "vmspec.h"

/* What the vm backend does not honour yet: asking for it is an error. */
static const char *const not_in_vm[] = {
	"mounts",
	"hostname",
	"domainname",
	"process.terminal",
	"process.user.additionalGids",
	"process.user.umask",
	"process.user.username",
	"process.rlimits",
	"process.capabilities",
	"process.noNewPrivileges",
	"process.oomScoreAdj",
	"process.apparmorProfile",
	"process.selinuxLabel",
	"root.readonly",
	"linux.uidMappings",
	"linux.gidMappings",
	"linux.seccomp",
	"linux.sysctl",
	"linux.maskedPaths",
	"linux.readonlyPaths",
	"linux.devices",
	"linux.rootfsPropagation",
	"linux.personality",
	"linux.timeOffsets",
	"linux.cgroupsPath",
	"sandbox.policy",
	"sandbox.grants",
	"sandbox.capability_mode",
	"sandbox.limits.output_bytes",
	"sandbox.limits.best_effort",
};

/* linux.resources the VMM's cgroup can hold for the job: its memory (guest
 * RAM and the VMM) and its CPU (the guest's vCPU runs on the VMM's
 * thread). Processes, devices and block I/O inside the guest are the
 * guest kernel's, which these would not reach. */
static const char *const vm_resources[] = {
	"memory.limit", "cpu.quota", "cpu.period", "cpu.shares", "cpu.cpus", "cpu.mems",
};

static int check_resources(struct ctx *c, const json_t *res)
{
	const char *key, *sub;
	json_t *v, *w;
	json_object_foreach ((json_t *)res, key, v) {
		if (json_asks_nothing(v))
			continue;
		char path[PATH_LEN];
		json_join(path, "linux.resources", key);
		if (!json_is_object(v) || (strcmp(key, "memory") && strcmp(key, "cpu")))
			return json_fail(c, ENOTSUP, path,
					 "not supported with the vm backend (its cgroup holds the "
					 "VMM: memory.limit and cpu are taken)");
		json_object_foreach (v, sub, w) {
			char name[PATH_LEN];
			snprintf(name, sizeof(name), "%s.%s", key, sub);
			bool known = false;
			for (size_t i = 0; i < sizeof(vm_resources) / sizeof(*vm_resources); i++)
				known |= !strcmp(name, vm_resources[i]);
			if (!known && !json_asks_nothing(w)) {
				json_join(path, "linux.resources", name);
				return json_fail(c, ENOTSUP, path,
						 "not supported with the vm backend (its cgroup "
						 "holds the VMM: memory.limit and cpu are taken)");
			}
		}
	}
	return 0;
}

void vmspec_free(struct spec_vm *v)
{
	if (!v)
		return;
	free(v->kernel);
	free(v->root);
	for (size_t i = 0; v->argv && v->argv[i]; i++)
		free(v->argv[i]);
	for (size_t i = 0; v->env && v->env[i]; i++)
		free(v->env[i]);
	free(v->argv);
	free(v->env);
	free(v->cwd);
	free(v);
}

/* A JSON array of strings (already checked by the namespace parse). */
static char **strings(const json_t *arr)
{
	size_t n = json_array_size(arr);
	char **v = calloc(n + 1, sizeof(*v));
	for (size_t i = 0; v && i < n; i++)
		if (!(v[i] = strdup(json_string_value(json_array_get(arr, i)))))
			return v; /* the caller sees the gap as out of memory */
	return v;
}

static int parse_vm_object(struct ctx *c, const json_t *vm, struct spec_vm *out)
{
	const char *key;
	json_t *v;
	json_object_foreach ((json_t *)vm, key, v) {
		char path[PATH_LEN];
		json_join(path, "sandbox.vm", key);
		if (!strcmp(key, "kernel")) {
			if (!json_is_string(v) || !json_string_length(v))
				return json_expected(c, path, "a kernel image (bzImage) path", v);
			char full[PATH_MAX * 2];
			filesystem_bundle_path(c, json_string_value(v), full, sizeof(full));
			if (!(out->kernel = strdup(full)))
				return json_fail(c, ENOMEM, path, "out of memory");
		} else if (!strcmp(key, "memory_mb")) {
			if (!json_is_integer(v) || json_integer_value(v) < 16 ||
			    json_integer_value(v) > 3072)
				return json_expected(c, path, "an integer from 16 to 3072", v);
			out->memory_mb = (unsigned)json_integer_value(v);
		} else if (!strcmp(key, "vcpus")) {
			if (!json_is_integer(v) || json_integer_value(v) < 1)
				return json_expected(c, path, "a positive integer", v);
			if (json_integer_value(v) != 1)
				return json_fail(c, ENOTSUP, path,
						 "the vm backend runs one vCPU so far");
		} else if (!strcmp(key, "boot_timeout_ms")) {
			if (!json_is_integer(v) || json_integer_value(v) < 1)
				return json_expected(c, path, "a positive integer", v);
			out->boot_timeout_ms = (uint64_t)json_integer_value(v);
		} else {
			return json_fail(c, EINVAL, path,
					 "unknown field (known here: kernel, memory_mb, vcpus, "
					 "boot_timeout_ms)");
		}
	}
	return 0;
}

int vmspec_load(struct ctx *c, const json_t *root, struct spec_vm **out)
{
	*out = NULL;
	if (!c->vm_backend)
		return c->vm ? json_fail(c, EINVAL, "sandbox.vm",
					 "needs \"backend\": \"vm\" in sandbox")
			     : 0;
	for (size_t i = 0; i < sizeof(not_in_vm) / sizeof(*not_in_vm); i++) {
		const json_t *v = json_lookup(root, not_in_vm[i]);
		if (v && !json_asks_nothing(v))
			return json_fail(c, ENOTSUP, not_in_vm[i],
					 "not supported with the vm backend yet (it is with "
					 "\"backend\": \"namespaces\")");
	}
	const json_t *resources = json_lookup(root, "linux.resources");
	if (json_is_object(resources)) {
		int r = check_resources(c, resources);
		if (r < 0)
			return r;
	}
	struct spec_vm *vm = calloc(1, sizeof(*vm));
	if (!vm)
		return json_fail(c, ENOMEM, "sandbox.vm", "out of memory");
	/* the ids were checked (0 to 2^32-2) by the namespace parse */
	const json_t *uid = json_lookup(root, "process.user.uid"),
		     *gid = json_lookup(root, "process.user.gid");
	vm->uid = json_is_integer(uid) ? (uint32_t)json_integer_value(uid) : 0;
	vm->gid = json_is_integer(gid) ? (uint32_t)json_integer_value(gid) : 0;
	int r = c->vm ? parse_vm_object(c, c->vm, vm) : 0;
	const json_t *args = json_lookup(root, "process.args");
	if (r == 0 && (!json_is_array(args) || !json_array_size(args)))
		r = json_fail(c, EINVAL, "process.args", "required: the program and its arguments");
	if (r == 0 && !(vm->argv = strings(args)))
		r = json_fail(c, ENOMEM, "process.args", "out of memory");
	const json_t *env = json_lookup(root, "process.env");
	if (r == 0 && json_is_array(env) && !(vm->env = strings(env)))
		r = json_fail(c, ENOMEM, "process.env", "out of memory");
	const json_t *cwd = json_lookup(root, "process.cwd");
	if (r == 0 && json_is_string(cwd) && !(vm->cwd = strdup(json_string_value(cwd))))
		r = json_fail(c, ENOMEM, "process.cwd", "out of memory");
	const json_t *rootpath = json_lookup(root, "root.path");
	if (r == 0 && json_is_string(rootpath)) {
		char full[PATH_MAX * 2];
		filesystem_bundle_path(c, json_string_value(rootpath), full, sizeof(full));
		if (!(vm->root = strdup(full)))
			r = json_fail(c, ENOMEM, "root.path", "out of memory");
	}
	if (r == 0 && vm->argv[0][0] != '/')
		r = json_fail(c, EINVAL, "process.args[0]",
			      "the vm backend needs an absolute path (the guest has no PATH "
			      "search before its agent runs the job)");
	vm->wall_time_ms = c->limits.wall_time_ms;
	if (r < 0) {
		vmspec_free(vm);
		return r;
	}
	*out = vm;
	return 0;
}
