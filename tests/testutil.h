/* Helpers shared by the Check suites. */
#ifndef SBX_TESTUTIL_H
#define SBX_TESTUTIL_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>

#include "sandbox.h"

/* Absolute path of the probe helper ($SBX_PROBE). */
const char *probe_path(void);

/* Number of open fds of this process. */
int count_fds(void);

/* True if this process has any child process (any thread's children). */
bool has_children(void);

/* How many sandbox cgroups this process made (sbx-<our pid>-*) exist
 * beneath our own cgroup, in every mounted hierarchy. */
int count_sandbox_cgroups(void);

/* The name of a cgroup v1 this process made (sbx-<our pid>-*), if any. */
bool v1_sandbox_cgroup(char out[128]);

/* Our own cgroup v2 directory, if cgroup2 is mounted. */
bool own_v2_cgroup_dir(char *out, size_t len);

/* Fixture pair that fails a test which leaks an fd or a child process. */
void leak_setup(void);
void leak_teardown(void);

/* A configuration running the probe (from an fd) with the given queries
 * (NULL-terminated). */
sbx_config *probe_config(const char *const *queries);

/* Spawns cfg with stdout captured, waits, and returns the captured output
 * (malloc'd) and the result. Fails the test on spawn or wait errors. */
char *run_capture(sbx_config *cfg, sbx_result *res);

/* The value of "key=" in probe output (first match), copied into a static
 * buffer; NULL if absent. */
const char *probe_value(const char *out, const char *key);

/* Unprivileged runs skip tests that need root; say so once per test. */
bool running_as_root(void);
#define REQUIRE_NONROOT()                                                                          \
	do {                                                                                       \
		if (running_as_root()) {                                                           \
			fprintf(stderr,                                                            \
				"SKIP %s: for unprivileged callers (covered by the "               \
				"unprivileged pass)\n",                                            \
				__func__);                                                         \
			return;                                                                    \
		}                                                                                  \
	} while (0)
#define REQUIRE_ROOT()                                                                             \
	do {                                                                                       \
		if (!running_as_root()) {                                                          \
			fprintf(stderr, "SKIP %s: needs root (covered by the root pass)\n",        \
				__func__);                                                         \
			return;                                                                    \
		}                                                                                  \
	} while (0)

/* Exit status 77 tells automake the whole program skipped; with a reason. */
void skip_all_unless_sandboxes_work(void);

/* Reads fd to EOF into buf (NUL-terminated, at most len - 1 bytes). */
size_t read_to_eof(int fd, char *buf, size_t len);

/* Makes a fresh directory NAME.XXXXXX (mode 0755, so that a sandbox's
 * nobody can look in) into out, beneath a directory of this run that
 * run_suite removes whatever the tests did: a failed test skips its own
 * clean-up. Under /var/tmp, which sandboxes see, or under /tmp, which they
 * do not (a private /tmp) when hidden. */
void test_mkdtemp(char *out, size_t len, const char *name, bool hidden);

/* Runs the suite; the process's exit status for automake. */
int run_suite(Suite *s);

#endif
