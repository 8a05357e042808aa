/* The OCI runtime commands, as containerd and podman call them on runc and
 * crun: create, start, state, kill, delete, list, spec.
 *
 * State lives in <root>/<id>/ (state.json, and exec.fifo until the start),
 * <root> being --root, else /run/sandboxd for root and
 * $XDG_RUNTIME_DIR/sandboxd for others. Every command holds <root>/.lock
 * (flock) while it reads or changes state, so concurrent commands on one
 * ID are safe. `create` sets the container up completely and leaves its
 * first process waiting at a start gate (a FIFO it holds open for reading
 * and writing); `start` writes the byte it waits for. The container's first
 * process is a child of whoever ran `create` and is inherited by its
 * subreaper (conmon, containerd-shim) when create exits, as with runc. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "container.h"
#include "hooks.h"
#include "spec.h"

#define GATE "exec.fifo"

/* ---------------------------------------------------------------- state root */

static int state_root(char *out, size_t len)
{
	const char *root = cli_globals.root;
	char buf[PATH_MAX];
	if (!root && geteuid() == 0) {
		root = "/run/sandboxd";
	} else if (!root) {
		const char *xdg = getenv("XDG_RUNTIME_DIR");
		if (!xdg || !*xdg) {
			cli_error("no state directory: set XDG_RUNTIME_DIR or pass --root DIR");
			return -1;
		}
		snprintf(buf, sizeof(buf), "%s/sandboxd", xdg);
		root = buf;
	}
	if (snprintf(out, len, "%s", root) >= (int)len) {
		cli_error("--root: path too long");
		return -1;
	}
	if (mkdir(root, 0700) < 0 && errno != EEXIST) {
		cli_error("state directory %s: %s", root, strerror(errno));
		return -1;
	}
	return 0;
}

/* The root's lock, held until the process exits or closes it. */
static int lock_root(const char *root)
{
	char path[PATH_MAX + 8];
	snprintf(path, sizeof(path), "%s/.lock", root);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		cli_error("lock %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static bool valid_id(const char *id)
{
	if (!*id || strlen(id) > CONTAINER_ID_MAX || id[0] == '.' || id[0] == '-')
		return false;
	for (const char *p = id; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-",
			    *p))
			return false;
	return true;
}

/* valid_id, or an error that says what an ID may hold. */
static bool check_id(const char *id)
{
	if (valid_id(id))
		return true;
	cli_error("\"%s\" is not a container ID (letters, digits, _ . + -, at most %d)", id,
		  CONTAINER_ID_MAX);
	return false;
}

/* The next of a container's cgroup directories (one a line in state.json)
 * into dir; false after the last. */
static bool next_cgroup(const char **cursor, char *dir, size_t len)
{
	const char *l = *cursor;
	if (!*l)
		return false;
	size_t n = strcspn(l, "\n");
	snprintf(dir, len, "%.*s", (int)n, l);
	*cursor = l + n + (l[n] == '\n');
	return true;
}

/* Kills what is in each of them and removes them. */
static int remove_cgroups(const char *cgroups, sbx_error *err)
{
	char dir[PATH_MAX];
	for (const char *l = cgroups; next_cgroup(&l, dir, sizeof(dir));)
		if (sbx_cgroup_remove(dir, err) < 0)
			return -1;
	return 0;
}

/* An open session on one container: the root locked, its directory open,
 * its state loaded. */
struct session {
	char root[PATH_MAX];
	int lock;
	int dir;
	struct container c;
};

static void session_end(struct session *s)
{
	container_free(&s->c);
	if (s->dir >= 0)
		close(s->dir);
	if (s->lock >= 0)
		close(s->lock);
}

static int session_open(struct session *s, const char *id, bool quiet_missing)
{
	s->lock = s->dir = -1;
	memset(&s->c, 0, sizeof(s->c));
	if (!check_id(id))
		return -1;
	if (state_root(s->root, sizeof(s->root)) < 0 || (s->lock = lock_root(s->root)) < 0)
		return -1;
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/%s", s->root, id);
	s->dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dir < 0) {
		if (!quiet_missing)
			cli_error("container \"%s\" does not exist", id);
		session_end(s);
		return -2;
	}
	sbx_error err;
	if (container_load(s->dir, &s->c, &err) < 0) {
		cli_error("container \"%s\": %s", id, err.message);
		session_end(s);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- process state */

/* Start time of pid (field 22 of /proc/PID/stat), 0 if it is gone or a
 * zombie. */
static unsigned long long start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	char *p = strrchr(buf, ')'); /* the name may hold spaces and parentheses */
	if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
		return 0;
	p += 2;
	for (int field = 3; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

static bool alive(const struct container *c)
{
	return c->pid > 0 && start_time(c->pid) == c->pid_start;
}

/* The file that freezes the container: cgroup v2's cgroup.freeze ("1"),
 * or the v1 freezer's freezer.state ("FROZEN"). False if it has neither. */
static bool freezer_file(const struct container *c, char *path, size_t len, bool *v2)
{
	char dir[PATH_MAX];
	for (const char *l = c->cgroups; next_cgroup(&l, dir, sizeof(dir));) {
		snprintf(path, len, "%s/cgroup.freeze", dir);
		if (access(path, W_OK) == 0) {
			*v2 = true;
			return true;
		}
		snprintf(path, len, "%s/freezer.state", dir);
		if (access(path, W_OK) == 0) {
			*v2 = false;
			return true;
		}
	}
	return false;
}

/* Writes the freezer; false (errno set) without one or on failure. */
static bool set_frozen(const struct container *c, bool on)
{
	char path[PATH_MAX + 32];
	bool v2;
	if (!freezer_file(c, path, sizeof(path), &v2)) {
		errno = ENOENT;
		return false;
	}
	FILE *f = fopen(path, "we");
	const char *v = v2 ? (on ? "1" : "0") : (on ? "FROZEN" : "THAWED");
	bool ok = f && fputs(v, f) >= 0;
	if (f && fclose(f) != 0)
		ok = false;
	return ok;
}

static bool frozen(const struct container *c)
{
	char path[PATH_MAX + 32], v[32];
	bool v2;
	if (!freezer_file(c, path, sizeof(path), &v2))
		return false;
	FILE *f = fopen(path, "re");
	bool yes = f && fgets(v, sizeof(v), f) && (v2 ? v[0] == '1' : !strncmp(v, "FROZEN", 6));
	if (f)
		fclose(f);
	return yes;
}

static const char *status_of(const struct container *c)
{
	if (!alive(c))
		return "stopped";
	if (frozen(c))
		return "paused";
	return c->started ? "running" : "created";
}

/* A pidfd for the container's first process, checked to be it. */
static int container_pidfd(const struct container *c)
{
	int fd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	if (fd >= 0 && !alive(c)) { /* reused between the check and the open */
		close(fd);
		return -1;
	}
	return fd;
}

/* ---------------------------------------------------------------- create */

struct create_opts {
	const char *bundle;
	const char *pid_file;
	const char *console_socket;
	int preserve_fds;
	const char *id;
};

static const char create_usage[] =
	"Usage: sandboxd create [--bundle DIR] [--pid-file FILE] [--preserve-fds N] ID\n"
	"\n"
	"Sets up container ID from the bundle DIR (default: the working directory;\n"
	"its config.json) and leaves its program waiting for `sandboxd start ID`.\n"
	"\n"
	"  --bundle, -b DIR   the bundle\n"
	"  --pid-file FILE    write the container's host pid there\n"
	"  --preserve-fds N   pass descriptors 3 to 3+N-1 on to the container\n"
	"  --console-socket S with process.terminal: the terminal's master is sent there\n";

static const char *parse_create(int argc, char **argv, struct create_opts *o, bool *help)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"bundle", required_argument, NULL, 'b'},
		{"pid-file", required_argument, NULL, 'p'},
		{"console-socket", required_argument, NULL, 'c'},
		{"preserve-fds", required_argument, NULL, 'f'},
		{"no-pivot", no_argument, NULL, 'n'},
		{"no-new-keyring", no_argument, NULL, 'k'},
		{0},
	};
	memset(o, 0, sizeof(*o));
	o->bundle = ".";
	optind = 1;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, "+:hb:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			*help = true;
			return NULL;
		case 'b':
			o->bundle = optarg;
			break;
		case 'p':
			o->pid_file = optarg;
			break;
		case 'c':
			o->console_socket = optarg;
			break;
		case 'f': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 0 || n > 1000)
				return "create: --preserve-fds needs a number 0-1000";
			o->preserve_fds = (int)n;
			break;
		}
		case 'n':
		case 'k':
			break; /* runc compatibility: we always pivot, always a new keyring */
		case ':':
			return "create: an option needs a value (see sandboxd create --help)";
		default:
			return "create: unknown option (see sandboxd create --help)";
		}
	}
	if (optind + 1 != argc)
		return "create: expected exactly one container ID (see sandboxd create --help)";
	o->id = argv[optind];
	return NULL;
}

/* The hooks of one point, with the container's state in `status` on their
 * standard input; inside its namespaces with `inside`. */
static int run_hooks(const struct container *c, const char *point, const char *status, bool inside,
		     char *msg, size_t len)
{
	if (!c->hooks)
		return 0;
	char *state = container_oci_state(c, status);
	if (!state) {
		snprintf(msg, len, "out of memory");
		return -1;
	}
	int r = hooks_run(c->hooks, point, state, inside ? c->pid : 0, msg, len);
	free(state);
	return r;
}

/* Writes `text` to path atomically. */
static int write_file(const char *path, const char *text)
{
	char tmp[PATH_MAX + 8];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return -1;
	fputs(text, f);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void now_rfc3339(char *out, size_t len)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char base[20];
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, len, "%s.%09dZ", base, (int)ts.tv_nsec);
}

/* Everything create made, undone on failure: nothing is left behind. */
static void undo_create(int root_fd, const char *id, sbx_proc *proc, const char *cgroups)
{
	if (proc)
		sbx_proc_free(proc); /* kills it and removes its cgroups */
	remove_cgroups(cgroups, NULL);
	int dir = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir >= 0) {
		unlinkat(dir, GATE, 0);
		unlinkat(dir, "state.json", 0);
		unlinkat(dir, "state.json.tmp", 0);
		close(dir);
	}
	unlinkat(root_fd, id, AT_REMOVEDIR);
}

/* The terminal's master goes to the socket at `path` (conmon's, say). */
static int connect_console(const char *path, sbx_config *cfg)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path)) {
		cli_error("--console-socket %s: path too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sbx_error err;
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		cli_error("--console-socket %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	int r = sbx_config_set_console_socket(cfg, fd, &err);
	close(fd);
	if (r < 0)
		cli_error("--console-socket %s: %s", path, err.message);
	return r;
}

int cmd_create(int argc, char **argv)
{
	struct create_opts o;
	bool help = false;
	const char *msg = parse_create(argc, argv, &o, &help);
	if (msg) {
		cli_error("%s", msg);
		return EXIT_SANDBOX_ERROR;
	}
	if (help) {
		fputs(create_usage, stdout);
		return 0;
	}
	if (!check_id(o.id))
		return EXIT_SANDBOX_ERROR;
	struct container c = {0};
	if (!realpath(o.bundle, c.bundle)) {
		cli_error("bundle %s: %s", o.bundle, strerror(errno));
		return EXIT_SANDBOX_ERROR;
	}
	char spec_path[PATH_MAX + 16];
	snprintf(spec_path, sizeof(spec_path), "%s/config.json", c.bundle);
	sbx_error err;
	struct spec spec;
	if (spec_load(spec_path, cli_policy_opts(), &spec, &err) < 0) {
		cli_error("%s", err.message);
		return EXIT_SANDBOX_ERROR;
	}
	if (spec.vm) {
		cli_error("%s: sandbox.backend: the vm backend runs with sandboxd run only, not "
			  "through the OCI lifecycle yet",
			  spec_path);
		spec_free(&spec);
		return EXIT_SANDBOX_ERROR;
	}
	if (spec.terminal != (o.console_socket != NULL)) {
		cli_error(spec.terminal
				  ? "%s: process.terminal is true: create needs --console-socket"
				  : "%s: --console-socket given, but process.terminal is false",
			  spec_path);
		spec_free(&spec);
		return EXIT_SANDBOX_ERROR;
	}
	if (o.console_socket && connect_console(o.console_socket, spec.cfg) < 0) {
		spec_free(&spec);
		return EXIT_SANDBOX_ERROR;
	}
	char root[PATH_MAX];
	int lock = -1, root_fd = -1, dir = -1, gate = -1, rc = EXIT_SANDBOX_ERROR;
	sbx_proc *proc = NULL;
	bool made = false;
	if (state_root(root, sizeof(root)) < 0 || (lock = lock_root(root)) < 0)
		goto out;
	root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0 || mkdirat(root_fd, o.id, 0700) < 0) {
		if (errno == EEXIST)
			cli_error("container \"%s\" exists already", o.id);
		else
			cli_error("state directory %s/%s: %s", root, o.id, strerror(errno));
		goto out;
	}
	made = true;
	dir = openat(root_fd, o.id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0 || mkfifoat(dir, GATE, 0600) < 0 ||
	    (gate = openat(dir, GATE, O_RDWR | O_CLOEXEC)) < 0) {
		cli_error("start gate %s/%s/" GATE ": %s", root, o.id, strerror(errno));
		goto out;
	}
	for (int fd = 3; fd < 3 + o.preserve_fds; fd++)
		if (sbx_config_grant_fd(spec.cfg, fd, fd, &err) < 0) {
			cli_error("--preserve-fds: %s", err.message);
			goto out;
		}
	/* the container outlives us: no parent-death signal, cgroups that
	 * sbx_gc leaves alone */
	char name[CONTAINER_ID_MAX + 16];
	snprintf(name, sizeof(name), "sandboxd-%s", o.id);
	if (sbx_config_set_start_gate(spec.cfg, gate, &err) < 0 ||
	    (!spec.cgroup_named && sbx_config_set_cgroup_name(spec.cfg, name, &err) < 0) ||
	    sbx_config_set_parent_death_signal(spec.cfg, 0, &err) < 0 ||
	    sbx_spawn(spec.cfg, &proc, &err) < 0) {
		cli_error("%s", err.message);
		rc = cli_spawn_exit_code(&err);
		goto out;
	}
	snprintf(c.id, sizeof(c.id), "%s", o.id);
	c.pid = sbx_proc_pid(proc);
	c.pid_start = start_time(c.pid);
	now_rfc3339(c.created, sizeof(c.created));
	c.annotations = spec.annotations;
	c.hooks = spec.hooks;
	if (sbx_proc_detach(proc, c.cgroups, sizeof(c.cgroups), &err) < 0) {
		cli_error("%s", err.message);
		goto out;
	}
	proc = NULL;
	if (container_save(dir, &c, &err) < 0) {
		cli_error("%s", err.message);
		goto out;
	}
	/* set up: the hooks of creation, the container's own last */
	char hmsg[512];
	if (run_hooks(&c, "prestart", "creating", false, hmsg, sizeof(hmsg)) < 0 ||
	    run_hooks(&c, "createRuntime", "creating", false, hmsg, sizeof(hmsg)) < 0 ||
	    run_hooks(&c, "createContainer", "creating", true, hmsg, sizeof(hmsg)) < 0) {
		cli_error("create: %s", hmsg);
		goto out;
	}
	if (o.pid_file) {
		char pid[32];
		snprintf(pid, sizeof(pid), "%d", (int)c.pid);
		if (write_file(o.pid_file, pid) < 0) {
			cli_error("--pid-file %s: %s", o.pid_file, strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	if (rc != 0 && made) {
		if (c.pid > 0 && !proc) /* detached: ours to end */
			kill(c.pid, SIGKILL);
		undo_create(root_fd, o.id, proc, c.cgroups);
	}
	if (gate >= 0)
		close(gate);
	if (dir >= 0)
		close(dir);
	if (root_fd >= 0)
		close(root_fd);
	if (lock >= 0)
		close(lock);
	c.annotations = NULL; /* the spec's */
	c.hooks = NULL;
	spec_free(&spec);
	return rc;
}

/* ---------------------------------------------------------------- the others */

/* Parses "[--help] ID" style arguments with the given boolean flags. */
static const char *one_id(int argc, char **argv, const char *const *flags, bool *set,
			  const char **id, bool *help, const char **extra)
{
	*id = NULL;
	if (extra)
		*extra = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool known = false;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			*help = true;
			return NULL;
		}
		for (size_t k = 0; flags && flags[k]; k++)
			if (!strcmp(a, flags[k]) ||
			    (a[0] == '-' && a[1] != '-' && !strcmp(a + 1, flags[k] + 2))) {
				set[k] = true;
				known = true;
			}
		if (known)
			continue;
		if (a[0] == '-' && a[1])
			return "unknown option (see --help)";
		if (!*id)
			*id = a;
		else if (extra && !*extra)
			*extra = a;
		else
			return "too many arguments (see --help)";
	}
	if (!*id)
		return "missing the container ID (see --help)";
	return NULL;
}

/* How a command on one container begins: its arguments parsed (flags set,
 * a second operand into *extra), --help answered with `usage`, the session
 * opened. 1 after --help, 0 with s open, -1 after an error (said), or -2
 * when the container does not exist (said unless *quiet_missing, read once
 * the flags are parsed). */
static int begin(int argc, char **argv, const char *cmd, const char *usage,
		 const char *const *flags, bool *set, const char **extra, const bool *quiet_missing,
		 struct session *s)
{
	const char *id;
	bool help = false;
	const char *msg = one_id(argc, argv, flags, set, &id, &help, extra);
	if (help) {
		fputs(usage, stdout);
		return 1;
	}
	if (msg) {
		cli_error("%s: %s", cmd, msg);
		return -1;
	}
	return session_open(s, id, quiet_missing && *quiet_missing);
}

int cmd_start(int argc, char **argv)
{
	struct session s;
	int b = begin(argc, argv, "start",
		      "Usage: sandboxd start ID\n\nRuns the program of a created container.\n",
		      NULL, NULL, NULL, NULL, &s);
	if (b)
		return b > 0 ? 0 : EXIT_SANDBOX_ERROR;
	const char *id = s.c.id;
	int rc = EXIT_SANDBOX_ERROR;
	const char *status = status_of(&s.c);
	if (strcmp(status, "created")) {
		cli_error("start: container \"%s\" is %s, not created", id, status);
		goto out;
	}
	char hmsg[512];
	if (run_hooks(&s.c, "startContainer", "created", true, hmsg, sizeof(hmsg)) < 0) {
		cli_error("start: %s", hmsg);
		goto out;
	}
	/* the container holds the FIFO open for reading: this open does not
	 * block, and the byte is what it waits for */
	int fd = openat(s.dir, GATE, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || write(fd, "s", 1) != 1) {
		cli_error("start: container \"%s\": its start gate: %s", id, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);
	unlinkat(s.dir, GATE, 0);
	s.c.started = true;
	sbx_error err;
	if (container_save(s.dir, &s.c, &err) < 0) {
		cli_error("start: %s", err.message);
		goto out;
	}
	/* OCI: a failing poststart hook is a warning; the container runs */
	if (run_hooks(&s.c, "poststart", "running", false, hmsg, sizeof(hmsg)) < 0)
		cli_error("start: warning: %s", hmsg);
	rc = 0;
out:
	session_end(&s);
	return rc;
}

int cmd_state(int argc, char **argv)
{
	struct session s;
	int b = begin(argc, argv, "state",
		      "Usage: sandboxd state ID\n\nPrints the container's OCI state as JSON.\n",
		      NULL, NULL, NULL, NULL, &s);
	if (b)
		return b > 0 ? 0 : EXIT_SANDBOX_ERROR;
	char *text = container_oci_state(&s.c, status_of(&s.c));
	session_end(&s);
	if (!text) {
		cli_error("state: out of memory");
		return EXIT_SANDBOX_ERROR;
	}
	puts(text);
	free(text);
	return 0;
}

static int parse_signal(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (!*end)
		return n > 0 && n < NSIG ? (int)n : -1;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (int i = 1; i < NSIG; i++) {
		const char *name = sigabbrev_np(i);
		if (name && !strcasecmp(s, name))
			return i;
	}
	return -1;
}

/* Sends sig to every process listed in the container's cgroups. */
static int kill_cgroups(const char *cgroups, int sig)
{
	int n = 0;
	char dir[PATH_MAX], path[PATH_MAX + 16];
	for (const char *l = cgroups; next_cgroup(&l, dir, sizeof(dir));) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
		FILE *f = fopen(path, "re");
		for (int pid; f && fscanf(f, "%d", &pid) == 1;)
			n += kill(pid, sig) == 0;
		if (f)
			fclose(f);
	}
	return n;
}

int cmd_kill(int argc, char **argv)
{
	static const char *const flags[] = {"--all", NULL};
	bool set[1] = {false};
	const char *sigarg;
	struct session s;
	int b = begin(argc, argv, "kill",
		      "Usage: sandboxd kill [--all] ID [SIGNAL]\n\n"
		      "Sends SIGNAL (a name or number; default SIGTERM) to the container's first\n"
		      "process, or with --all to every process in its cgroups.\n",
		      flags, set, &sigarg, NULL, &s);
	if (b)
		return b > 0 ? 0 : EXIT_SANDBOX_ERROR;
	const char *id = s.c.id;
	int sig = sigarg ? parse_signal(sigarg) : SIGTERM;
	if (sig < 0) {
		cli_error("kill: \"%s\" is not a signal", sigarg);
		session_end(&s);
		return EXIT_SANDBOX_ERROR;
	}
	int rc = EXIT_SANDBOX_ERROR;
	int fd = container_pidfd(&s.c);
	if (fd < 0) {
		cli_error("kill: container \"%s\" is not running", id);
		goto out;
	}
	if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0) {
		cli_error("kill: container \"%s\": %s", id, strerror(errno));
		close(fd);
		goto out;
	}
	close(fd);
	if (set[0])
		kill_cgroups(s.c.cgroups, sig);
	rc = 0;
out:
	session_end(&s);
	return rc;
}

int cmd_delete(int argc, char **argv)
{
	static const char *const flags[] = {"--force", NULL};
	bool set[1] = {false};
	struct session s;
	/* --force on what is not there succeeds quietly, as runc's does */
	int b = begin(argc, argv, "delete",
		      "Usage: sandboxd delete [--force] ID\n\n"
		      "Removes a stopped (or created) container: its cgroups and state. A\n"
		      "running one only with --force, which kills it first.\n",
		      flags, set, NULL, &set[0], &s);
	if (b == -2 && set[0])
		return 0;
	if (b)
		return b > 0 ? 0 : EXIT_SANDBOX_ERROR;
	const char *id = s.c.id;
	int rc = EXIT_SANDBOX_ERROR;
	const char *status = status_of(&s.c);
	if (strcmp(status, "stopped") && strcmp(status, "created") && !set[0]) {
		cli_error("delete: container \"%s\" is %s (stop it, or use --force)", id, status);
		goto out;
	}
	/* a v1-frozen process takes no signal until thawed */
	if (!strcmp(status, "paused"))
		set_frozen(&s.c, false);
	int fd = container_pidfd(&s.c);
	if (fd >= 0) {
		/* gone when delete returns: the pidfd polls readable at its exit */
		syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		while (poll(&pfd, 1, 10000) < 0 && errno == EINTR)
			;
		close(fd);
	}
	sbx_error err;
	if (remove_cgroups(s.c.cgroups, &err) < 0) {
		cli_error("delete: %s", err.message);
		goto out;
	}
	unlinkat(s.dir, GATE, 0);
	unlinkat(s.dir, "state.json", 0);
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/%s", s.root, id);
	if (rmdir(path) < 0) {
		cli_error("delete: %s: %s", path, strerror(errno));
		goto out;
	}
	char hmsg[512];
	if (run_hooks(&s.c, "poststop", "stopped", false, hmsg, sizeof(hmsg)) < 0)
		cli_error("delete: warning: %s", hmsg);
	rc = 0;
out:
	session_end(&s);
	return rc;
}

int cmd_list(int argc, char **argv)
{
	bool json = argc == 3 && !strcmp(argv[1], "--format") && !strcmp(argv[2], "json");
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs("Usage: sandboxd list [--format json]\n\nLists the containers.\n", stdout);
		return 0;
	}
	if (argc > 1 && !json) {
		cli_error("list: expected no arguments or --format json");
		return EXIT_SANDBOX_ERROR;
	}
	char root[PATH_MAX];
	int lock;
	if (state_root(root, sizeof(root)) < 0 || (lock = lock_root(root)) < 0)
		return EXIT_SANDBOX_ERROR;
	DIR *d = opendir(root);
	if (!json)
		printf("%-24s %-8s %-8s %-32s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
	else
		fputs("[", stdout);
	const char *sep = "";
	for (struct dirent *e; d && (e = readdir(d));) {
		if (!valid_id(e->d_name))
			continue; /* ".", "..", ".lock" */
		int dir = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct container c;
		if (dir < 0 || container_load(dir, &c, NULL) < 0) {
			if (dir >= 0)
				close(dir);
			continue;
		}
		close(dir);
		const char *status = status_of(&c);
		if (json) {
			char *text = container_oci_state(&c, status);
			printf("%s%s", sep, text ? text : "null");
			free(text);
			sep = ",\n";
		} else {
			printf("%-24s %-8d %-8s %-32s %s\n", c.id,
			       strcmp(status, "stopped") ? (int)c.pid : 0, status, c.bundle,
			       c.created);
		}
		container_free(&c);
	}
	if (json)
		puts("]");
	if (d)
		closedir(d);
	close(lock);
	return 0;
}

/* ---------------------------------------------------------------- spec */

/* What `runc spec` writes, for a busybox-like root filesystem in ./rootfs,
 * in the shape sandboxd runs as is. */
static const char default_spec[] =
	"{\n"
	"\t\"ociVersion\": \"1.2.0\",\n"
	"\t\"process\": {\n"
	"\t\t\"terminal\": false,\n"
	"\t\t\"user\": {\"uid\": 0, \"gid\": 0},\n"
	"\t\t\"args\": [\"sh\"],\n"
	"\t\t\"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", "
	"\"TERM=xterm\"],\n"
	"\t\t\"cwd\": \"/\",\n"
	"\t\t\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}],\n"
	"\t\t\"noNewPrivileges\": true\n"
	"\t},\n"
	"\t\"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
	"\t\"hostname\": \"sandboxd\",\n"
	"\t\"mounts\": [\n"
	"\t\t{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
	"\t\t{\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", "
	"\"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},\n"
	"\t\t{\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\", "
	"\"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", "
	"\"mode=0620\"]},\n"
	"\t\t{\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\", "
	"\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},\n"
	"\t\t{\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\", "
	"\"options\": [\"nosuid\", \"noexec\", \"nodev\"]},\n"
	"\t\t{\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", "
	"\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},\n"
	"\t\t{\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": "
	"\"cgroup\", \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]}\n"
	"\t],\n"
	"\t\"linux\": {\n"
	"\t\t\"namespaces\": [{\"type\": \"user\"}, {\"type\": \"pid\"}, {\"type\": "
	"\"network\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"}, "
	"{\"type\": \"cgroup\"}],\n"
	"\t\t\"maskedPaths\": [\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", "
	"\"/proc/keys\", \"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\", "
	"\"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\"],\n"
	"\t\t\"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", "
	"\"/proc/sysrq-trigger\"]\n"
	"\t}\n"
	"}\n";

int cmd_spec(int argc, char **argv)
{
	const char *bundle = ".";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs("Usage: sandboxd spec [--bundle DIR]\n\n"
			      "Writes a default config.json into DIR (default: the working "
			      "directory)\nfor a root filesystem in DIR/rootfs. An existing "
			      "config.json is not overwritten.\n",
			      stdout);
			return 0;
		}
		if ((!strcmp(argv[i], "--bundle") || !strcmp(argv[i], "-b")) && i + 1 < argc) {
			bundle = argv[++i];
			continue;
		}
		cli_error("spec: unknown argument \"%s\" (see sandboxd spec --help)", argv[i]);
		return EXIT_SANDBOX_ERROR;
	}
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		cli_error("spec: %s: %s", path, strerror(errno));
		return EXIT_SANDBOX_ERROR;
	}
	size_t n = strlen(default_spec);
	bool ok = write(fd, default_spec, n) == (ssize_t)n;
	if (close(fd) < 0 || !ok) {
		cli_error("spec: write %s: %s", path, strerror(errno));
		unlink(path);
		return EXIT_SANDBOX_ERROR;
	}
	return 0;
}

/* ---------------------------------------------------------------- pause, resume, ps */

static int freeze(int argc, char **argv, bool on)
{
	const char *cmd = on ? "pause" : "resume";
	char usage[160];
	snprintf(usage, sizeof(usage),
		 "Usage: sandboxd %s ID\n\n%s every process of the container (its cgroup's "
		 "freezer).\n",
		 cmd, on ? "Freezes" : "Thaws");
	struct session s;
	int b = begin(argc, argv, cmd, usage, NULL, NULL, NULL, NULL, &s);
	if (b)
		return b > 0 ? 0 : EXIT_SANDBOX_ERROR;
	const char *id = s.c.id;
	int rc = EXIT_SANDBOX_ERROR;
	const char *status = status_of(&s.c);
	if (strcmp(status, on ? "running" : "paused"))
		cli_error("%s: container \"%s\" is %s, not %s", cmd, id, status,
			  on ? "running" : "paused");
	else if (!set_frozen(&s.c, on))
		cli_error("%s: container \"%s\": %s", cmd, id,
			  errno == ENOENT ? "it has no freezer (cgroup v2, or the v1 freezer)"
					  : strerror(errno));
	else
		rc = 0;
	session_end(&s);
	return rc;
}

int cmd_pause(int argc, char **argv)
{
	return freeze(argc, argv, true);
}

int cmd_resume(int argc, char **argv)
{
	return freeze(argc, argv, false);
}

/* The container's processes: its first process and every descendant (the
 * children lists of /proc), which is every process of its pid namespace. */
static size_t descendants(pid_t pid, pid_t *out, size_t n, size_t max)
{
	if (n >= max)
		return n;
	out[n++] = pid;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	for (struct dirent *e; d && (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		char cpath[300];
		snprintf(cpath, sizeof(cpath), "/proc/%d/task/%s/children", (int)pid, e->d_name);
		FILE *f = fopen(cpath, "re");
		for (int child; f && fscanf(f, "%d", &child) == 1;)
			n = descendants(child, out, n, max);
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}

int cmd_ps(int argc, char **argv)
{
	bool json = false, help = false;
	const char *id = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			help = true;
		else if ((!strcmp(argv[i], "--format") || !strcmp(argv[i], "-f")) && i + 1 < argc)
			json = !strcmp(argv[++i], "json");
		else if (!id && argv[i][0] != '-')
			id = argv[i];
		else {
			cli_error("ps: unexpected \"%s\" (see sandboxd ps --help)", argv[i]);
			return EXIT_SANDBOX_ERROR;
		}
	}
	if (help) {
		fputs("Usage: sandboxd ps [--format table|json] ID\n\n"
		      "Lists the container's processes (host pids).\n",
		      stdout);
		return 0;
	}
	if (!id) {
		cli_error("ps: missing the container ID (see sandboxd ps --help)");
		return EXIT_SANDBOX_ERROR;
	}
	struct session s;
	if (session_open(&s, id, false) < 0)
		return EXIT_SANDBOX_ERROR;
	static pid_t pids[4096];
	size_t n = alive(&s.c) ? descendants(s.c.pid, pids, 0, 4096) : 0;
	session_end(&s);
	if (json) {
		fputs("[", stdout);
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		puts("]");
		return 0;
	}
	printf("%-8s %s\n", "PID", "CMD");
	for (size_t i = 0; i < n; i++) {
		char path[64], comm[64] = "?";
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pids[i]);
		FILE *f = fopen(path, "re");
		if (f && fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		if (f)
			fclose(f);
		printf("%-8d %s\n", (int)pids[i], comm);
	}
	return 0;
}
