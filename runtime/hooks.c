/* OCI hooks. prestart and createRuntime run in the runtime's namespaces
 * once the container is set up; createContainer and startContainer in the
 * container's (every namespace of its first process, joined with setns
 * through a pidfd, then a fork so that the pid namespace applies too);
 * poststart and poststop in the runtime's again. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hooks.h"

static const char *const points[] = {"prestart",       "createRuntime", "createContainer",
				     "startContainer", "poststart",	"poststop"};

static int check_strings(struct ctx *c, const char *base, const json_t *h, const char *key)
{
	json_t *v;
	int r = json_member(c, h, base, key, JSON_ARRAY, "an array of strings", &v);
	for (size_t i = 0; r == 0 && v && i < json_array_size(v); i++)
		if (!json_is_string(json_array_get(v, i))) {
			char path[PATH_LEN], item[PATH_LEN];
			json_join(path, base, key);
			json_index(item, path, i);
			return json_expected(c, item, "a string", json_array_get(v, i));
		}
	return r;
}

int hooks_parse(struct ctx *c, const json_t *root, char **out)
{
	*out = NULL;
	json_t *hooks;
	int r = json_member(c, root, "", "hooks", JSON_OBJECT, "an object", &hooks);
	if (r < 0 || !hooks)
		return r;
	const char *key;
	json_t *list;
	json_object_foreach (hooks, key, list) {
		char base[PATH_LEN];
		json_join(base, "hooks", key);
		size_t k = 0;
		while (k < sizeof(points) / sizeof(*points) && strcmp(key, points[k]))
			k++;
		if (k == sizeof(points) / sizeof(*points))
			continue; /* a point of a later OCI version: not ours to refuse */
		if (!json_is_array(list))
			return json_expected(c, base, "an array of hooks", list);
		for (size_t i = 0; i < json_array_size(list); i++) {
			char path[PATH_LEN];
			json_index(path, base, i);
			json_t *h = json_array_get(list, i), *p;
			if (!json_is_object(h))
				return json_expected(c, path, "a hook {\"path\": ...}", h);
			if ((r = json_member(c, h, path, "path", JSON_STRING, "an absolute path",
					     &p)) < 0)
				return r;
			char sub[PATH_LEN];
			json_join(sub, path, "path");
			if (!p || json_string_value(p)[0] != '/')
				return p ? json_expected(c, sub, "an absolute path", p)
					 : json_fail(c, EINVAL, sub,
						     "required: the program to run");
			int64_t t;
			if ((r = check_strings(c, path, h, "args")) < 0 ||
			    (r = check_strings(c, path, h, "env")) < 0 ||
			    (r = json_i64(c, h, path, "timeout", 1, 86400, &t)) < 0)
				return r;
		}
	}
	if (!(*out = json_dumps(hooks, JSON_COMPACT)))
		return json_fail(c, ENOMEM, "hooks", "out of memory");
	return 0;
}

/* A NULL-terminated vector of the strings in array v (owned by v), or
 * `fallback` alone. */
static char **strv(const json_t *v, const char *fallback)
{
	size_t n = json_is_array(v) ? json_array_size(v) : 0;
	char **out = calloc(n + 2, sizeof(*out));
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++)
		out[i] = (char *)json_string_value(json_array_get(v, i));
	if (!n && fallback)
		out[0] = (char *)fallback;
	return out;
}

/* In the child: into every namespace of ns_pid that is not ours. */
static int enter(pid_t ns_pid)
{
	int pidfd = (int)syscall(SYS_pidfd_open, ns_pid, 0);
	if (pidfd < 0)
		return -1;
	static const struct {
		const char *name;
		int flag;
	} kinds[] = {{"user", CLONE_NEWUSER},	 {"mnt", CLONE_NEWNS},	{"pid", CLONE_NEWPID},
		     {"uts", CLONE_NEWUTS},	 {"ipc", CLONE_NEWIPC}, {"net", CLONE_NEWNET},
		     {"cgroup", CLONE_NEWCGROUP}};
	int flags = 0;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
		char a[64], b[64], la[64] = "", lb[64] = "";
		snprintf(a, sizeof(a), "/proc/self/ns/%s", kinds[i].name);
		snprintf(b, sizeof(b), "/proc/%d/ns/%s", (int)ns_pid, kinds[i].name);
		if (readlink(a, la, sizeof(la) - 1) < 0 || readlink(b, lb, sizeof(lb) - 1) < 0)
			return -1;
		if (strcmp(la, lb))
			flags |= kinds[i].flag;
	}
	int r = setns(pidfd, flags);
	close(pidfd);
	return r;
}

static int run_one(const json_t *h, const char *state, pid_t ns_pid, char *msg, size_t len)
{
	const char *path = json_string_value(json_object_get(h, "path"));
	json_t *t = json_object_get(h, "timeout");
	int timeout_ms = json_is_integer(t) ? (int)json_integer_value(t) * 1000 : -1;
	char **argv = strv(json_object_get(h, "args"), path);
	char **envp = strv(json_object_get(h, "env"), NULL);
	int in[2] = {-1, -1};
	if (!argv || !envp || pipe2(in, O_CLOEXEC) < 0) {
		snprintf(msg, len, "hook %s: %s", path, strerror(errno ? errno : ENOMEM));
		free(argv);
		free(envp);
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		/* the write end is close-on-exec, but the fork below comes first:
		 * held open there, the hook would never see the end of the state */
		close(in[1]);
		dup2(in[0], 0);
		if (ns_pid > 0) {
			if (enter(ns_pid) < 0)
				_exit(126);
			pid_t inner = fork(); /* the pid namespace is for children */
			if (inner > 0) {
				int st;
				while (waitpid(inner, &st, 0) < 0 && errno == EINTR)
					;
				_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
			}
			if (inner < 0)
				_exit(126);
			/* killed at a timeout, the one in between takes the hook along */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(126);
		}
		execve(path, argv, envp);
		_exit(127);
	}
	free(argv);
	free(envp);
	close(in[0]);
	if (pid < 0) {
		close(in[1]);
		snprintf(msg, len, "hook %s: fork: %s", path, strerror(errno));
		return -1;
	}
	/* the state, then EOF; a hook that does not read it is fine (EPIPE) */
	signal(SIGPIPE, SIG_IGN);
	ssize_t unused = write(in[1], state, strlen(state));
	(void)unused;
	close(in[1]);
	/* its exit makes the pidfd readable; without one, no timeout */
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
	int pr = 1;
	while (pidfd >= 0 && (pr = poll(&pfd, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	if (pr == 0) {
		kill(pid, SIGKILL);
		snprintf(msg, len, "hook %s: timed out after %d s", path, timeout_ms / 1000);
	}
	if (pidfd >= 0)
		close(pidfd);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (pr == 0)
		return -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		snprintf(msg, len, "hook %s: could not be executed", path);
	else if (WIFEXITED(st) && WEXITSTATUS(st) == 126 && ns_pid > 0)
		snprintf(msg, len, "hook %s: could not enter the container's namespaces", path);
	else if (WIFEXITED(st))
		snprintf(msg, len, "hook %s: exited with %d", path, WEXITSTATUS(st));
	else
		snprintf(msg, len, "hook %s: killed by signal %d", path, WTERMSIG(st));
	return -1;
}

int hooks_run(const char *hooks, const char *point, const char *state, pid_t ns_pid, char *msg,
	      size_t len)
{
	if (!hooks)
		return 0;
	json_t *all = json_loads(hooks, 0, NULL);
	json_t *list = json_object_get(all, point);
	int r = 0;
	for (size_t i = 0; r == 0 && i < json_array_size(list); i++)
		r = run_one(json_array_get(list, i), state, ns_pid, msg, len);
	json_decref(all);
	return r;
}
