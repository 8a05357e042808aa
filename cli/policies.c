/* Where sandboxd finds shipped policies and keeps compiled ones.
 *
 * Shipped policies: $SANDBOXD_POLICY_DIR (a colon-separated list), then a
 * policies/ directory beside the sandboxd binary (a build tree), then the
 * installed directory. Compiled filters: $SANDBOXD_CACHE_DIR ("off" for
 * none), else /var/cache/sandboxd for root, else
 * ${XDG_CACHE_HOME:-~/.cache}/sandboxd; libsandbox refuses a cache directory
 * that is not the user's own and private. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#ifndef SBX_POLICY_DIR
#define SBX_POLICY_DIR "/usr/share/sandboxd/policies"
#endif

/* mkdir -p, the last component private */
static bool make_dirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		int r = mkdir(path, 0755);
		*p = '/';
		if (r < 0 && errno != EEXIST)
			return false;
	}
	return mkdir(path, 0700) == 0 || errno == EEXIST;
}

static const char *cache_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("SANDBOXD_CACHE_DIR");
	if (env)
		snprintf(dir, sizeof(dir), "%s", env);
	else if (geteuid() == 0)
		snprintf(dir, sizeof(dir), "/var/cache/sandboxd");
	else if (getenv("XDG_CACHE_HOME") && *getenv("XDG_CACHE_HOME"))
		snprintf(dir, sizeof(dir), "%s/sandboxd", getenv("XDG_CACHE_HOME"));
	else if (getenv("HOME") && *getenv("HOME"))
		snprintf(dir, sizeof(dir), "%s/.cache/sandboxd", getenv("HOME"));
	else
		return NULL;
	if (!dir[0] || !strcmp(dir, "off") || dir[0] != '/' || !make_dirs(dir))
		return NULL;
	return dir;
}

const sbx_policy_opts *cli_policy_opts(void)
{
	static sbx_policy_opts opts;
	static const char *dirs[16];
	static char env_copy[PATH_MAX], beside[PATH_MAX];
	if (opts.size)
		return &opts;
	size_t n = 0;
	const char *env = getenv("SANDBOXD_POLICY_DIR");
	if (env) {
		snprintf(env_copy, sizeof(env_copy), "%s", env);
		for (char *save = NULL, *d = strtok_r(env_copy, ":", &save); d && n < 12;
		     d = strtok_r(NULL, ":", &save))
			dirs[n++] = d;
	}
	ssize_t len = readlink("/proc/self/exe", beside, sizeof(beside) - 10);
	if (len > 0) {
		beside[len] = 0;
		char *slash = strrchr(beside, '/');
		struct stat st;
		if (slash) {
			snprintf(slash, sizeof(beside) - (size_t)(slash - beside), "/policies");
			if (stat(beside, &st) == 0 && S_ISDIR(st.st_mode))
				dirs[n++] = beside;
		}
	}
	dirs[n++] = SBX_POLICY_DIR;
	dirs[n] = NULL;
	opts = (sbx_policy_opts){
		.size = sizeof(opts), .include_dirs = dirs, .cache_dir = cache_dir()};
	return &opts;
}

int cli_policy_load(const char *name, sbx_policy **out, sbx_error *err)
{
	const sbx_policy_opts *o = cli_policy_opts();
	char file[PATH_MAX];
	snprintf(file, sizeof(file), "%s", name);
	/* a bare name is a shipped policy unless such a file is here */
	for (size_t i = 0; access(file, R_OK) != 0 && !strchr(name, '/') && o->include_dirs[i];
	     i++) {
		snprintf(file, sizeof(file), "%s/%s.policy", o->include_dirs[i], name);
		if (access(file, R_OK) != 0)
			snprintf(file, sizeof(file), "%s/%s", o->include_dirs[i], name);
	}
	if (access(file, R_OK) != 0)
		snprintf(file, sizeof(file), "%s", name); /* for the error message */
	return sbx_policy_load(file, o, out, err);
}
