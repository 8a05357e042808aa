/* sandboxd policy: checking, exporting, explaining and learning policies. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"

static const char usage[] =
	"Usage: sandboxd policy check POLICY...\n"
	"       sandboxd policy export POLICY [-o FILE]\n"
	"       sandboxd policy explain POLICY SYSCALL [ARG]...\n"
	"       sandboxd policy learn [-o FILE] -- PROGRAM [ARG]...\n"
	"\n"
	"POLICY is a policy file (see sandbox-policy(5)) or the name of a shipped one\n"
	"(strict, container-default, autograder, video-decoder, renderer).\n"
	"\n"
	"  check    parse and compile, and say what the policy amounts to\n"
	"  export   write the compiled filter as raw BPF (what bwrap --seccomp reads)\n"
	"  explain  what the filter does with one call and its arguments, and which rule\n"
	"           decides\n"
	"  learn    run PROGRAM in a sandbox, every call it makes reported to sandboxd,\n"
	"           and print a draft policy of what it used, grouped\n";

/* Calls a policy allows that the shipped ones deny: worth a second look. */
static void warnings(const char *name, sbx_policy *p)
{
	static const char *const risky[] = {
		"ptrace",	   "process_vm_readv", "process_vm_writev", "bpf",
		"perf_event_open", "userfaultfd",      "io_uring_setup",    "keyctl",
		"add_key",	   "request_key",      "unshare",	    "setns",
		"mount",	   "init_module",      "finit_module",	    "kexec_load",
		"pidfd_getfd",	   "open_by_handle_at"};
	for (size_t i = 0; i < sizeof(risky) / sizeof(*risky); i++) {
		sbx_decision d = {.size = sizeof(d)};
		if (sbx_policy_explain(p, risky[i], NULL, &d, NULL) == 0 &&
		    !strcmp(d.action, "allow"))
			printf("%s: warning: allows %s (%s)\n", name, risky[i], d.because);
	}
}

/* The policy, or NULL after saying why not. */
static sbx_policy *load_or_say(const char *name)
{
	sbx_policy *p;
	sbx_error err;
	if (cli_policy_load(name, &p, &err) < 0) {
		cli_error("%s", err.message);
		return NULL;
	}
	return p;
}

static int check(int argc, char **argv)
{
	if (argc < 2) {
		cli_error("policy check: which policy? (see sandboxd policy --help)");
		return EXIT_SANDBOX_ERROR;
	}
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		sbx_policy *p = load_or_say(argv[i]);
		if (!p) {
			rc = EXIT_SANDBOX_ERROR;
			continue;
		}
		sbx_policy_info info = {.size = sizeof(info)};
		sbx_policy_get_info(p, &info, NULL);
		if (info.strict)
			printf("%s: ok: strict mode (read, write, exit, sigreturn; anything else kills)\n",
			       argv[i]);
		else
			printf("%s: ok: %u rules on %u system calls, default %s, %u BPF instructions%s\n",
			       argv[i], info.rules, info.syscalls, info.default_action,
			       info.bpf_insns, info.from_cache ? " (cached)" : "");
		warnings(argv[i], p);
		sbx_policy_free(p);
	}
	return rc;
}

static int export(int argc, char **argv)
{
	const char *out = NULL;
	if (argc == 4 && !strcmp(argv[2], "-o"))
		out = argv[3];
	else if (argc != 2) {
		cli_error("policy export: POLICY [-o FILE] (see sandboxd policy --help)");
		return EXIT_SANDBOX_ERROR;
	}
	if (!out && isatty(1)) {
		cli_error("policy export: BPF is binary; give -o FILE or redirect standard output");
		return EXIT_SANDBOX_ERROR;
	}
	sbx_error err;
	sbx_policy *p = load_or_say(argv[1]);
	if (!p)
		return EXIT_SANDBOX_ERROR;
	int fd = out ? open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : 1;
	int r = fd < 0 ? -errno : sbx_policy_export(p, fd, &err);
	if (fd < 0)
		cli_error("policy export: %s: %s", out, strerror(errno));
	else if (r < 0)
		cli_error("%s", err.message);
	if (out && fd >= 0 && close(fd) < 0 && r == 0) {
		cli_error("policy export: %s: %s", out, strerror(errno));
		r = -1;
	}
	if (r < 0 && out && fd >= 0)
		unlink(out); /* no half-written filter left behind */
	sbx_policy_free(p);
	return r < 0 ? EXIT_SANDBOX_ERROR : 0;
}

static int explain(int argc, char **argv)
{
	if (argc < 3 || argc > 9) {
		cli_error("policy explain: POLICY SYSCALL [ARG]... (at most 6 arguments)");
		return EXIT_SANDBOX_ERROR;
	}
	uint64_t args[6] = {0};
	for (int i = 3; i < argc; i++) {
		char *end;
		errno = 0;
		args[i - 3] = strtoull(argv[i], &end, 0);
		if (errno || *end || end == argv[i]) {
			cli_error("policy explain: argument %d: \"%s\" is not a number", i - 2,
				  argv[i]);
			return EXIT_SANDBOX_ERROR;
		}
	}
	sbx_error err;
	sbx_policy *p = load_or_say(argv[1]);
	if (!p)
		return EXIT_SANDBOX_ERROR;
	sbx_decision d = {.size = sizeof(d)};
	int r = sbx_policy_explain(p, argv[2], args, &d, &err);
	sbx_policy_free(p);
	if (r < 0) {
		cli_error("%s", err.message);
		return EXIT_SANDBOX_ERROR;
	}
	printf("%s(", argv[2]);
	for (int i = 3; i < argc; i++)
		printf("%s0x%llx", i > 3 ? ", " : "", (unsigned long long)args[i - 3]);
	printf(") -> %s\n  because %s\n", d.action, d.because);
	return 0;
}

/* Records every call the program makes (it runs under "default notify")
 * and lets it go on; then prints a draft. */
static int learn(int argc, char **argv)
{
	const char *out = NULL;
	int i = 1;
	if (i + 1 < argc && !strcmp(argv[i], "-o")) {
		out = argv[i + 1];
		i += 2;
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i >= argc) {
		cli_error(
			"policy learn: [-o FILE] -- PROGRAM [ARG]... (see sandboxd policy --help)");
		return EXIT_SANDBOX_ERROR;
	}
	sbx_error err;
	sbx_policy *p;
	if (sbx_policy_parse("default notify\n", "learn", cli_policy_opts(), &p, &err) < 0) {
		cli_error("%s", err.message);
		return EXIT_SANDBOX_ERROR;
	}
	sbx_config *cfg = sbx_config_new();
	int rc = EXIT_SANDBOX_ERROR;
	sbx_proc *proc = NULL;
	if (!cfg || sbx_config_set_exec(cfg, NULL, (const char *const *)argv + i, &err) < 0 ||
	    sbx_config_setenv(cfg, "PATH", "/usr/local/bin:/usr/bin:/bin", &err) < 0 ||
	    sbx_config_set_policy(cfg, p, &err) < 0 || sbx_spawn(cfg, &proc, &err) < 0) {
		cli_error("%s", err.message);
		rc = cli_spawn_exit_code(&err);
		goto out;
	}
	unsigned char used[1024] = {0};
	int nfd = sbx_proc_notify_fd(proc);
	for (;;) {
		struct pollfd pfd[2] = {{.fd = nfd, .events = POLLIN},
					{.fd = sbx_proc_pidfd(proc), .events = POLLIN}};
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents & POLLIN) {
			struct seccomp_notif req;
			memset(&req, 0, sizeof(req));
			if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) == 0) {
				if (req.data.nr >= 0 && (size_t)req.data.nr < sizeof(used))
					used[req.data.nr] = 1;
				struct seccomp_notif_resp resp = {
					.id = req.id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE};
				ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
			}
			continue;
		}
		if (pfd[1].revents & POLLIN)
			break;
	}
	sbx_result res = {.size = sizeof(res)};
	sbx_wait(proc, -1, &res, NULL);
	/* the program was started by execve under the filter itself */
	int nr = sbx_syscall_resolve("execve");
	if (nr >= 0 && (size_t)nr < sizeof(used))
		used[nr] = 1;
	char *draft = NULL;
	if (sbx_policy_draft(used, sizeof(used), &draft, &err) < 0) {
		cli_error("%s", err.message);
		goto out;
	}
	unsigned count = 0;
	for (size_t k = 0; k < sizeof(used); k++)
		count += used[k];
	FILE *f = out ? fopen(out, "we") : stdout;
	if (!f) {
		cli_error("policy learn: %s: %s", out, strerror(errno));
	} else {
		fputs(draft, f);
		if (f != stdout && fclose(f) != 0)
			cli_error("policy learn: %s: %s", out, strerror(errno));
		else
			rc = 0;
	}
	fprintf(stderr, "sandboxd: %s made %u different system calls and %s\n", argv[i], count,
		res.signal	? "was killed by a signal"
		: res.exit_code ? "exited with an error"
				: "exited 0");
	free(draft);
out:
	sbx_proc_free(proc);
	sbx_config_free(cfg);
	sbx_policy_free(p);
	return rc;
}

int cmd_policy(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_SANDBOX_ERROR : 0;
	}
	if (!strcmp(argv[1], "check"))
		return check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "export"))
		return export(argc - 1, argv + 1);
	if (!strcmp(argv[1], "explain"))
		return explain(argc - 1, argv + 1);
	if (!strcmp(argv[1], "learn"))
		return learn(argc - 1, argv + 1);
	cli_error("policy: unknown command \"%s\" (check, export, explain or learn)", argv[1]);
	return EXIT_SANDBOX_ERROR;
}
