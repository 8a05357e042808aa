/* Unit tests: the policy language and compiled policies, without
 * privileges and without installing anything. The parser's errors; the
 * language's semantics; the compiled BPF of each shipped policy checked by
 * table (syscall, args -> action) in the BPF interpreter that `policy
 * explain` uses; the compiled program against the language's own model for
 * every call and boundary; the cache; export; the learning draft. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfsim.h"
#include "filter.h"
#include "policy.h"
#include "testutil.h"

static char policy_dir[4096];
static const char *include_dirs[2];
static sbx_policy_opts opts;

static void setup_dirs(void)
{
	const char *src = getenv("SBX_SRCDIR");
	snprintf(policy_dir, sizeof(policy_dir), "%s/policies", src ? src : ".");
	include_dirs[0] = policy_dir;
	include_dirs[1] = NULL;
	opts = (sbx_policy_opts){.size = sizeof(opts), .include_dirs = include_dirs};
}

static sbx_policy *shipped(const char *name)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s.policy", policy_dir, name);
	sbx_policy *p = NULL;
	sbx_error err;
	int r = sbx_policy_load(path, &opts, &p, &err);
	ck_assert_msg(r == 0, "%s: %s", name, err.message);
	return p;
}

static sbx_policy *parse_ok(const char *text)
{
	sbx_policy *p = NULL;
	sbx_error err;
	int r = sbx_policy_parse(text, "t.policy", &opts, &p, &err);
	ck_assert_msg(r == 0, "\"%s\": %s", text, err.message);
	return p;
}

/* The action as explain words it: "allow", "errno EPERM", "kill-process"... */
static const char *decide(const sbx_policy *p, const char *sys, const uint64_t args[6])
{
	static sbx_decision d;
	d = (sbx_decision){.size = sizeof(d)};
	sbx_error err;
	int r = sbx_policy_explain(p, sys, args, &d, &err);
	ck_assert_msg(r == 0, "explain %s: %s", sys, err.message);
	return d.action;
}

/* ---------------------------------------------------------------- parser errors */

START_TEST(parser_errors_name_file_line_column)
{
	static const struct {
		const char *text;
		const char *message; /* a substring of the error */
	} bad[] = {
		{"allow nosuchcall\n", "t.policy:1:7: unknown system call \"nosuchcall\""},
		{"allow wirte\n", "did you mean \"write\"?"},
		{"allow @nosuchgroup\n",
		 "t.policy:1:7: unknown group @nosuchgroup (the groups: @default"},
		{"# c\n\nallow write if bogus == 1\n",
		 "t.policy:3:16: write has no argument \"bogus\" (its arguments: fd, buf, count"},
		{"allow write if fd === 1\n", "t.policy:1:21: unexpected character '='"},
		{"allow write if fd ==\n", "t.policy:1:21: expected a number or a constant"},
		{"allow write if fd == 1 and fd == 2\n",
		 "t.policy:1:28: a second condition on the same argument"},
		{"errno EFOO write\n", "t.policy:1:7: expected an errno value after errno"},
		{"errno 0 write\n", "t.policy:1:7: expected an errno value"},
		{"errno 4096 write\n", "t.policy:1:7: expected an errno value"},
		{"frobnicate write\n", "t.policy:1:1: expected a rule (allow, errno N"},
		{"allow write if fd == 1 junk\n",
		 "t.policy:1:24: expected and, or the end of the line"},
		{"allow write if fd == 1 or fd == 2\n", "t.policy:1:24: expected and"},
		{"mode strict\nallow read\n",
		 "t.policy:2:1: mode strict allows read, write, exit and "
		 "sigreturn only"},
		{"mode lax\n", "t.policy:1:6: expected strict after mode, got \"lax\""},
		{"allow write if fd & 3\n", "t.policy:1:22: expected == after a mask"},
		{"allow write if fd & 0xff == 0x100\n",
		 "t.policy:1:29: never true: 0x100 has bits outside the mask 0xff"},
		{"allow write if fd == 99999999999999999999999\n",
		 "t.policy:1:22: expected a number (decimal, 0x hex or 0 octal) of at most 64 bits"},
		{"allow write,\n", "t.policy:1:13: expected a system call or @group after ','"},
		{"allow write, if fd == 1\n",
		 "t.policy:1:14: expected a system call or @group after"},
		{"allow write if arg6 == 1\n", "t.policy:1:16: write has no argument \"arg6\""},
		{"allow write if fd < NOSUCH\n",
		 "t.policy:1:21: expected a number or a constant such "
		 "as O_RDONLY, got \"NOSUCH\""},
		{"allow\n",
		 "t.policy:1:6: expected a system call or @group after allow, got the end"},
		{"allow read, write if fd == 1\n", "a condition needs a single system call"},
		{"allow @basic-io if fd == 1\n",
		 "a condition needs a single system call, got @basic-io"},
		{"include nosuchfile\n", "t.policy:1:9: include nosuchfile: not found"},
		{"default\n", "t.policy:1:8:"},
		{"allow write if fd == 1 and\n", "t.policy:1:27:"},
		{"log-denials please\n", "t.policy:1:13: expected the end of the line"},
		{"mode strict\nlog-denials\n", "mode strict allows read, write"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		sbx_policy *p = NULL;
		sbx_error err;
		int r = sbx_policy_parse(bad[i].text, "t.policy", &opts, &p, &err);
		ck_assert_msg(r == -EINVAL, "\"%s\" was accepted (r=%d)", bad[i].text, r);
		ck_assert_ptr_null(p);
		ck_assert_int_eq(err.code, EINVAL);
		ck_assert_msg(strstr(err.message, bad[i].message),
			      "\"%s\": got \"%s\", want \"%s\"", bad[i].text, err.message,
			      bad[i].message);
	}
}
END_TEST

START_TEST(includes_resolve_and_refuse_cycles)
{
	char dir[128];
	test_mkdtemp(dir, sizeof(dir), "policy", true);
	char a[300], b[300], c[300];
	snprintf(a, sizeof(a), "%s/a.policy", dir);
	snprintf(b, sizeof(b), "%s/b.policy", dir);
	snprintf(c, sizeof(c), "%s/c.policy", dir);
	FILE *f = fopen(a, "w");
	fputs("# a\ninclude b\nallow getpid\n", f);
	fclose(f);
	f = fopen(b, "w");
	fputs("default errno EACCES\nallow read, write\n", f);
	fclose(f);
	f = fopen(c, "w");
	fputs("include c.policy\n", f);
	fclose(f);

	sbx_policy *p = NULL;
	sbx_error err;
	ck_assert_int_eq(sbx_policy_load(a, &opts, &p, &err), 0);
	ck_assert_str_eq(decide(p, "getpid", NULL), "allow");
	ck_assert_str_eq(decide(p, "read", NULL), "allow");
	ck_assert_str_eq(decide(p, "openat", NULL), "errno EACCES");
	sbx_policy_free(p);

	/* an error inside an included file names that file */
	f = fopen(b, "w");
	fputs("allow read\nallow nosuch\n", f);
	fclose(f);
	ck_assert_int_eq(sbx_policy_load(a, &opts, &p, &err), -EINVAL);
	ck_assert_msg(strstr(err.message, "b.policy:2:7: unknown system call"), "%s", err.message);

	ck_assert_int_eq(sbx_policy_load(c, &opts, &p, &err), -EINVAL);
	ck_assert_msg(strstr(err.message, "includes itself"), "%s", err.message);

	/* a shipped policy by name */
	ck_assert_int_eq(
		sbx_policy_parse("include container-default\nallow ptrace\n", "t", &opts, &p, &err),
		0);
	ck_assert_str_eq(decide(p, "ptrace", NULL), "allow");
	ck_assert_str_eq(decide(p, "bpf", NULL), "errno EPERM");
	sbx_policy_free(p);

	ck_assert_int_eq(sbx_policy_load("/nonexistent/x.policy", &opts, &p, &err), -ENOENT);
	ck_assert_msg(strstr(err.message, "/nonexistent/x.policy"), "%s", err.message);
	unlink(a);
	unlink(b);
	unlink(c);
	rmdir(dir);
}
END_TEST

/* ---------------------------------------------------------------- semantics */

START_TEST(last_word_counts_and_conditions_or)
{
	/* a group allowed, one of its calls carved out */
	sbx_policy *p = parse_ok("default errno EPERM\nallow @basic-io\nerrno EACCES dup\n");
	ck_assert_str_eq(decide(p, "read", NULL), "allow");
	ck_assert_str_eq(decide(p, "dup", NULL), "errno EACCES");
	sbx_policy_free(p);

	/* ... and the other way round: the later allow wins */
	p = parse_ok("default errno EPERM\nerrno EACCES dup\nallow @basic-io\n");
	ck_assert_str_eq(decide(p, "dup", NULL), "allow");
	sbx_policy_free(p);

	/* a conditional rule replaces an earlier unconditional one; what it
	 * does not match gets the default */
	p = parse_ok("default kill-process\nallow write\nallow write if fd == 1\n"
		     "allow write if fd == 2\n");
	uint64_t a[6] = {1};
	ck_assert_str_eq(decide(p, "write", a), "allow");
	a[0] = 2;
	ck_assert_str_eq(decide(p, "write", a), "allow");
	a[0] = 3;
	ck_assert_str_eq(decide(p, "write", a), "kill-process");
	sbx_policy_free(p);

	/* conditions with different actions on one call, a complement */
	p = parse_ok("default kill-process\n"
		     "allow newfstatat if flags & AT_EMPTY_PATH == AT_EMPTY_PATH\n"
		     "errno EACCES newfstatat if flags & AT_EMPTY_PATH == 0\n");
	uint64_t st[6] = {3, 0, 0, 0x1000};
	ck_assert_str_eq(decide(p, "newfstatat", st), "allow");
	st[3] = 0x100;
	ck_assert_str_eq(decide(p, "newfstatat", st), "errno EACCES");
	sbx_policy_free(p);

	/* "and" joins conditions on different arguments */
	p = parse_ok("allow mmap if prot == 3 and flags == 0x22\n");
	uint64_t m[6] = {0, 4096, 3, 0x22};
	ck_assert_str_eq(decide(p, "mmap", m), "allow");
	m[3] = 0x21;
	ck_assert_str_eq(decide(p, "mmap", m), "kill-process"); /* the default default */
	sbx_policy_free(p);

	/* every action word */
	p = parse_ok("default log\nallow read\nerrno 42 write\nkill-process ptrace\n"
		     "kill-thread getppid\ntrap getpid\nnotify gettid\nlog getuid\n");
	ck_assert_str_eq(decide(p, "read", NULL), "allow");
	ck_assert_str_eq(decide(p, "write", NULL), "errno ENOMSG");
	ck_assert_str_eq(decide(p, "ptrace", NULL), "kill-process");
	ck_assert_str_eq(decide(p, "getppid", NULL), "kill-thread");
	ck_assert_str_eq(decide(p, "getpid", NULL), "trap");
	ck_assert_str_eq(decide(p, "gettid", NULL), "notify");
	ck_assert_str_eq(decide(p, "getuid", NULL), "log");
	ck_assert_str_eq(decide(p, "openat", NULL), "log");
	sbx_decision d = {.size = sizeof(d)};
	ck_assert_int_eq(sbx_policy_explain(p, "write", NULL, &d, NULL), 0);
	ck_assert_int_eq(d.errnum, 42);
	ck_assert_str_eq(d.because, "t.policy:3: errno ENOMSG write");
	ck_assert_int_eq(sbx_policy_explain(p, "openat", NULL, &d, NULL), 0);
	ck_assert_str_eq(d.because, "the default");
	sbx_policy_info info = {.size = sizeof(info)};
	ck_assert_int_eq(sbx_policy_get_info(p, &info, NULL), 0);
	ck_assert_uint_eq(info.rules, 7);
	ck_assert_uint_eq(info.syscalls, 7);
	ck_assert_str_eq(info.default_action, "log");
	ck_assert_int_eq(info.notifies, 1);
	ck_assert_int_eq(info.log_denials, 0);
	sbx_policy_free(p);

	p = parse_ok("default errno EPERM\nlog-denials\nallow read\n");
	ck_assert_int_eq(sbx_policy_get_info(p, &info, NULL), 0);
	ck_assert_int_eq(info.log_denials, 1);
	ck_assert_int_eq(info.notifies, 0);
	sbx_policy_free(p);
}
END_TEST

/* Every comparison, on both sides of its boundary and with high bits set:
 * the compiled filter compares all 64 bits. */
START_TEST(conditions_on_both_sides_of_each_boundary)
{
	static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">="};
	const uint64_t v = 100;
	const uint64_t probes[] = {0,	  v - 1,     v, v + 1, v | (1ull << 32), (1ull << 32) - 1,
				   ~0ull, 1ull << 63};
	for (size_t o = 0; o < sizeof(ops) / sizeof(*ops); o++) {
		char text[128];
		snprintf(text, sizeof(text), "default allow\nerrno 42 getppid if arg0 %s %llu\n",
			 ops[o], (unsigned long long)v);
		sbx_policy *p = parse_ok(text);
		for (size_t k = 0; k < sizeof(probes) / sizeof(*probes); k++) {
			uint64_t a = probes[k];
			bool hit = o == 0   ? a == v
				   : o == 1 ? a != v
				   : o == 2 ? a < v
				   : o == 3 ? a <= v
				   : o == 4 ? a > v
					    : a >= v;
			uint64_t args[6] = {a};
			ck_assert_msg(
				!strcmp(decide(p, "getppid", args), hit ? "errno ENOMSG" : "allow"),
				"arg0 %s %llu with 0x%llx", ops[o], (unsigned long long)v,
				(unsigned long long)a);
		}
		sbx_policy_free(p);
	}
	sbx_policy *p = parse_ok("default allow\nerrno 42 getppid if arg1 & 0xf0 == 0x20\n");
	const uint64_t masked[][2] = {{0x20, 1},
				      {0x2f, 1},
				      {0x120, 1},
				      {0x30, 0},
				      {0x10, 0},
				      {0, 0},
				      {0xffffffff00000020ull, 1}};
	for (size_t k = 0; k < sizeof(masked) / sizeof(*masked); k++) {
		uint64_t args[6] = {0, masked[k][0]};
		ck_assert_msg(!strcmp(decide(p, "getppid", args),
				      masked[k][1] ? "errno ENOMSG" : "allow"),
			      "arg1 & 0xf0 == 0x20 with 0x%llx", (unsigned long long)masked[k][0]);
	}
	sbx_policy_free(p);
}
END_TEST

/* ---------------------------------------------------------------- shipped policies by table */

struct row {
	const char *policy;
	const char *syscall;
	uint64_t args[6];
	const char *action;
};

#define HI (1ull << 32)
static const struct row table[] = {
	/* container-default: the everyday calls */
	{"container-default", "read", {0}, "allow"},
	{"container-default", "openat", {0}, "allow"},
	{"container-default", "execve", {0}, "allow"},
	{"container-default", "execveat", {0}, "allow"},
	{"container-default", "mmap", {0, 4096, 7}, "allow"},
	{"container-default", "futex", {0}, "allow"},
	{"container-default", "exit_group", {0}, "allow"},
	/* threads yes, namespaces no */
	{"container-default", "clone", {0x3d0f00}, "allow"},		    /* pthread_create */
	{"container-default", "clone", {0x01200011}, "allow"},		    /* fork */
	{"container-default", "clone", {0x10000000 | 0x11}, "errno EPERM"}, /* CLONE_NEWUSER */
	{"container-default", "clone", {0x00020000 | 0x11}, "errno EPERM"}, /* CLONE_NEWNS */
	{"container-default", "clone", {0x40000000 | 0x11}, "errno EPERM"}, /* CLONE_NEWNET */
	{"container-default", "clone", {0x00000080 | 0x11}, "errno EPERM"}, /* CLONE_NEWTIME */
	{"container-default", "clone3", {0}, "errno ENOSYS"},
	{"container-default", "unshare", {0x10000000}, "errno EPERM"},
	{"container-default", "setns", {0}, "errno EPERM"},
	/* the list the issue names */
	{"container-default", "mount", {0}, "errno EPERM"},
	{"container-default", "umount2", {0}, "errno EPERM"},
	{"container-default", "fsopen", {0}, "errno EPERM"},
	{"container-default", "open_tree", {0}, "errno EPERM"},
	{"container-default", "move_mount", {0}, "errno EPERM"},
	{"container-default", "pivot_root", {0}, "errno EPERM"},
	{"container-default", "ptrace", {0}, "errno EPERM"},
	{"container-default", "process_vm_readv", {0}, "errno EPERM"},
	{"container-default", "process_vm_writev", {0}, "errno EPERM"},
	{"container-default", "pidfd_getfd", {0}, "errno EPERM"},
	{"container-default", "bpf", {0}, "errno EPERM"},
	{"container-default", "perf_event_open", {0}, "errno EPERM"},
	{"container-default", "keyctl", {0}, "errno EPERM"},
	{"container-default", "add_key", {0}, "errno EPERM"},
	{"container-default", "request_key", {0}, "errno EPERM"},
	{"container-default", "userfaultfd", {0}, "errno EPERM"},
	{"container-default", "io_uring_setup", {0}, "errno EPERM"},
	{"container-default", "io_uring_enter", {0}, "errno EPERM"},
	{"container-default", "io_uring_register", {0}, "errno EPERM"},
	{"container-default", "kexec_load", {0}, "errno EPERM"},
	{"container-default", "kexec_file_load", {0}, "errno EPERM"},
	{"container-default", "init_module", {0}, "errno EPERM"},
	{"container-default", "finit_module", {0}, "errno EPERM"},
	{"container-default", "delete_module", {0}, "errno EPERM"},
	{"container-default", "open_by_handle_at", {0}, "errno EPERM"},
	{"container-default", "name_to_handle_at", {0}, "errno EPERM"},
	{"container-default", "reboot", {0}, "errno EPERM"},
	{"container-default", "swapon", {0}, "errno EPERM"},
	{"container-default", "iopl", {0}, "errno EPERM"},
	{"container-default", "ioperm", {0}, "errno EPERM"},
	{"container-default", "settimeofday", {0}, "errno EPERM"},
	{"container-default", "clock_settime", {0}, "errno EPERM"},
	{"container-default", "acct", {0}, "errno EPERM"},
	{"container-default", "quotactl", {0}, "errno EPERM"},
	{"container-default", "syslog", {0}, "errno EPERM"},
	/* personality: Linux and the query only; not READ_IMPLIES_EXEC,
	 * ADDR_NO_RANDOMIZE, nor either with high bits */
	{"container-default", "personality", {0}, "allow"},
	{"container-default", "personality", {0xffffffff}, "allow"},
	{"container-default", "personality", {0x0400000}, "errno EPERM"},
	{"container-default", "personality", {0x0040000}, "errno EPERM"},
	{"container-default", "personality", {HI}, "errno EPERM"},
	/* sockets: families by equality, so high bits do not help */
	{"container-default", "socket", {1, 1}, "allow"},	      /* AF_UNIX */
	{"container-default", "socket", {2, 1}, "allow"},	      /* AF_INET */
	{"container-default", "socket", {10, 1}, "allow"},	      /* AF_INET6 */
	{"container-default", "socket", {16, 3}, "allow"},	      /* AF_NETLINK */
	{"container-default", "socket", {40, 1}, "errno EPERM"},      /* AF_VSOCK */
	{"container-default", "socket", {40 | HI, 1}, "errno EPERM"}, /* AF_VSOCK, high bits */
	{"container-default", "socket", {2 | HI, 1}, "errno EPERM"},
	{"container-default", "socket", {38, 5}, "errno EPERM"}, /* AF_ALG */
	{"container-default", "socket", {38 | HI, 5}, "errno EPERM"},
	{"container-default", "socket", {41, 1}, "errno EPERM"}, /* AF_KCM */
	{"container-default", "socketpair", {1, 1}, "allow"},
	/* newer than the catalog, and unused numbers: ENOSYS */
	{"container-default", "470", {0}, "errno ENOSYS"},
	{"container-default", "1000", {0}, "errno ENOSYS"},
	{"container-default", "400", {0}, "errno ENOSYS"},
	{"container-default", "335", {0}, "errno ENOSYS"},
	{"container-default", "423", {0}, "errno ENOSYS"},
	{"container-default", "424", {0}, "allow"}, /* pidfd_send_signal */
	/* x32 numbers are killed, even for an allowed call */
	{"container-default", "0x40000000", {0}, "kill-process"},
	{"container-default", "0x40000001", {0}, "kill-process"},

	/* strict */
	{"strict", "read", {0}, "allow"},
	{"strict", "write", {0}, "allow"},
	{"strict", "exit", {0}, "allow"},
	{"strict", "rt_sigreturn", {0}, "allow"},
	{"strict", "exit_group", {0}, "kill-process"},
	{"strict", "openat", {0}, "kill-process"},
	{"strict", "mmap", {0}, "kill-process"},

	/* autograder: a program computes; no network, no namespaces */
	{"autograder", "execve", {0}, "allow"},
	{"autograder", "clone", {0x01200011}, "allow"},
	{"autograder", "clone", {0x10000011}, "errno EPERM"},
	{"autograder", "clone3", {0}, "errno ENOSYS"},
	{"autograder", "wait4", {0}, "allow"},
	{"autograder", "pipe2", {0}, "allow"},
	{"autograder", "openat", {0}, "allow"},
	{"autograder", "socket", {2, 1}, "errno EPERM"},
	{"autograder", "socket", {1, 1}, "errno EPERM"},
	{"autograder", "connect", {0}, "errno EPERM"},
	{"autograder", "socketpair", {1, 1}, "allow"},
	{"autograder", "socketpair", {2, 1}, "errno EPERM"},
	{"autograder", "ptrace", {0}, "errno EPERM"},
	{"autograder", "shmget", {0}, "errno EPERM"},
	{"autograder", "unshare", {0}, "errno EPERM"},
	{"autograder", "keyctl", {0}, "errno EPERM"},
	{"autograder", "personality", {0xffffffff}, "allow"},
	{"autograder", "personality", {0x0040000}, "errno EPERM"},

	/* video-decoder: read, compute, write; anything else kills */
	{"video-decoder", "read", {0}, "allow"},
	{"video-decoder", "write", {1}, "allow"},
	{"video-decoder", "mmap", {0, 4096, 3, 0x22}, "allow"},
	{"video-decoder", "mmap", {0, 4096, 7, 0x22}, "kill-process"}, /* PROT_EXEC */
	{"video-decoder", "mprotect", {0, 4096, 5}, "kill-process"},
	{"video-decoder", "mprotect", {0, 4096, 1}, "allow"},
	{"video-decoder", "newfstatat", {0, 0, 0, 0x1000}, "allow"},
	{"video-decoder", "newfstatat", {0, 0, 0, 0}, "kill-process"},
	{"video-decoder", "openat", {0}, "kill-process"},
	{"video-decoder", "execve", {0}, "kill-process"},
	{"video-decoder", "socket", {1, 1}, "kill-process"},
	{"video-decoder", "exit_group", {0}, "allow"},

	/* renderer: its channel and its bitmaps; names answer EACCES */
	{"renderer", "sendmsg", {0}, "allow"},
	{"renderer", "recvmsg", {0}, "allow"},
	{"renderer", "openat", {0}, "errno EACCES"},
	{"renderer", "newfstatat", {0, 0, 0, 0x1000}, "allow"},
	{"renderer", "newfstatat", {0, 0, 0, 0}, "errno EACCES"},
	{"renderer", "socket", {2, 1}, "kill-process"},
	{"renderer", "connect", {0}, "kill-process"},
	{"renderer", "execve", {0}, "kill-process"},
	{"renderer", "mmap", {0, 4096, 7}, "kill-process"},
	{"renderer", "ptrace", {0}, "kill-process"},
};

START_TEST(shipped_policies_by_table)
{
	const char *names[] = {"container-default", "strict", "autograder", "video-decoder",
			       "renderer"};
	sbx_policy *ps[5];
	for (size_t i = 0; i < 5; i++)
		ps[i] = shipped(names[i]);
	for (size_t i = 0; i < sizeof(table) / sizeof(*table); i++) {
		size_t k = 0;
		while (strcmp(names[k], table[i].policy))
			k++;
		const char *got = decide(ps[k], table[i].syscall, table[i].args);
		ck_assert_msg(
			!strcmp(got, table[i].action),
			"%s: %s(0x%llx, 0x%llx, 0x%llx, 0x%llx) -> %s, want %s", table[i].policy,
			table[i].syscall, (unsigned long long)table[i].args[0],
			(unsigned long long)table[i].args[1], (unsigned long long)table[i].args[2],
			(unsigned long long)table[i].args[3], got, table[i].action);
	}
	for (size_t i = 0; i < 5; i++)
		sbx_policy_free(ps[i]);
}
END_TEST

/* Another architecture's calls (i386 through int $0x80) are killed before
 * anything looks at the number. */
START_TEST(foreign_architectures_are_killed)
{
	sbx_policy *p = parse_ok("default allow\n");
	struct seccomp_data d = {.nr = 20, .arch = AUDIT_ARCH_I386}; /* getpid on i386 */
	int bad;
	ck_assert_uint_eq(bpfsim_run(p->prog.filter, p->prog.len, &d, &bad),
			  SECCOMP_RET_KILL_PROCESS);
	ck_assert_int_eq(bad, 0);
	d.arch = AUDIT_ARCH_X86_64;
	ck_assert_uint_eq(bpfsim_run(p->prog.filter, p->prog.len, &d, &bad), SECCOMP_RET_ALLOW);
	d.nr = 20 | 0x40000000;
	ck_assert_uint_eq(bpfsim_run(p->prog.filter, p->prog.len, &d, &bad),
			  SECCOMP_RET_KILL_PROCESS);
	sbx_policy_free(p);
}
END_TEST

static uint32_t ret_of(struct pol_action a)
{
	switch (a.kind) {
	case PA_ALLOW:
		return SECCOMP_RET_ALLOW;
	case PA_ERRNO:
		return SECCOMP_RET_ERRNO | a.errnum;
	case PA_KILL_PROCESS:
		return SECCOMP_RET_KILL_PROCESS;
	case PA_KILL_THREAD:
		return SECCOMP_RET_KILL_THREAD;
	case PA_TRAP:
		return SECCOMP_RET_TRAP;
	case PA_LOG:
		return SECCOMP_RET_LOG;
	case PA_NOTIFY:
		return SECCOMP_RET_USER_NOTIF;
	}
	return 1;
}

/* The compiled program agrees with the language's own reading of the
 * policy for every number up to the highest and past it, at every boundary
 * a condition draws. Returns how many cases were checked. */
static size_t agree(const sbx_policy *p, const char *name)
{
	size_t checked = 0;
	for (int nr = 0; nr <= p->max_nr + 2; nr++) {
		uint64_t vals[40] = {0, ~0ull, HI};
		size_t nv = 3;
		for (size_t r = 0; r < p->ir.n && nv + 6 <= 40; r++) {
			if (p->ir.rules[r].nr != nr)
				continue;
			for (size_t c = 0; c < p->ir.rules[r].ncond && nv + 6 <= 40; c++) {
				uint64_t v = p->ir.rules[r].cond[c].value;
				uint64_t m = p->ir.rules[r].cond[c].mask;
				vals[nv++] = v;
				vals[nv++] = v - 1;
				vals[nv++] = v + 1;
				vals[nv++] = v | HI;
				vals[nv++] = m;
				vals[nv++] = v ^ m;
			}
		}
		bool gap = nr > p->max_nr;
		for (int g = 0; g < p->n_gaps; g++)
			gap |= nr >= p->gaps[g].lo && nr <= p->gaps[g].hi;
		for (size_t arg = 0; arg < 6; arg++) {
			for (size_t k = 0; k < nv; k++) {
				struct seccomp_data d = {.nr = nr, .arch = AUDIT_ARCH_X86_64};
				d.args[arg] = vals[k];
				const struct pol_rule *rule =
					policy_decide(&p->ir, nr, (const uint64_t *)d.args);
				uint32_t want = gap ? SECCOMP_RET_ERRNO | ENOSYS
						    : ret_of(rule ? rule->action : p->ir.def);
				int bad;
				uint32_t got = bpfsim_run(p->prog.filter, p->prog.len, &d, &bad);
				ck_assert_msg(got == want && !bad,
					      "%s: nr %d arg%zu=0x%llx: filter 0x%x, language 0x%x",
					      name, nr, arg, (unsigned long long)vals[k], got,
					      want);
				checked++;
			}
		}
	}
	return checked;
}

START_TEST(compiled_filters_agree_with_the_language)
{
	const char *names[] = {"container-default", "autograder", "video-decoder", "renderer"};
	for (size_t n = 0; n < 4; n++) {
		sbx_policy *p = shipped(names[n]);
		ck_assert_uint_gt(agree(p, names[n]), 2000);
		sbx_policy_free(p);
	}
	/* the layouts the compiler chooses between: no conditions; the
	 * default also the commonest action; conditions with another
	 * default; more conditional calls than it dispatches itself; every
	 * action; a custom catalog that leaves calls out */
	static const char *const texts[] = {
		"default allow\nerrno EPERM ptrace, bpf\nkill-process kexec_load\n",
		"default errno EPERM\nallow read, write\nallow openat if flags & 3 == 0\n",
		"default kill-process\nallow @basic-io, @file-read, @memory, @process\n"
		"allow socket if domain == AF_UNIX\nerrno EACCES socket if domain == AF_INET\n"
		"allow ioctl if request == 0x5401\n",
		"include container-default\nallow write if fd == 1\nallow write if fd == 2\n"
		"trap getppid\nlog getuid\nnotify gettid\nkill-thread uname\n",
		"default allow\nerrno 1 read if fd > 1000\nerrno 2 write if fd > 1000\n"
		"errno 3 pread64 if fd > 1000\nerrno 4 pwrite64 if fd > 1000\n"
		"errno 5 readv if fd > 1000\nerrno 6 writev if fd > 1000\nerrno 7 close if fd > 1000\n"
		"errno 8 dup if oldfd > 1000\nerrno 9 dup2 if oldfd > 1000\n"
		"errno 10 dup3 if oldfd > 1000\nerrno 11 fcntl if fd > 1000\n"
		"errno 12 lseek if fd > 1000\nerrno 13 fstat if fd > 1000\n"
		"errno 14 fsync if fd > 1000\nerrno 15 fdatasync if fd > 1000\n"
		"errno 16 ftruncate if fd > 1000\nerrno 17 fchmod if fd > 1000\n"
		"errno 18 fchown if fd > 1000\nerrno 19 flock if fd > 1000\n"
		"errno 20 getdents64 if fd > 1000\nerrno 21 fchdir if fd > 1000\n"
		"errno 22 fstatfs if fd > 1000\nerrno 23 readahead if fd > 1000\n"
		"errno 24 fgetxattr if fd > 1000\nerrno 25 flistxattr if fd > 1000\n"
		"errno 26 fremovexattr if fd > 1000\nerrno 27 syncfs if fd > 1000\n",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		sbx_policy *p = parse_ok(texts[i]);
		char name[32];
		snprintf(name, sizeof(name), "text %zu", i);
		ck_assert_uint_gt(agree(p, name), 2000);
		sbx_policy_free(p);
	}
}
END_TEST

/* container-default compiles small: the kernel converts and JITs a filter
 * for every sandbox, at a cost that grows with its length. */
START_TEST(container_default_compiles_small)
{
	sbx_policy *p = shipped("container-default");
	ck_assert_msg(p->prog.len < 200, "%u instructions", p->prog.len);
	sbx_policy_free(p);
}
END_TEST

/* A catalog of one's own: a rule may name a call it leaves out (libseccomp
 * knows it), and is not shadowed; calls neither names answer ENOSYS. */
START_TEST(custom_catalog)
{
	char dir[128], path[160];
	test_mkdtemp(dir, sizeof(dir), "groups", true);
	snprintf(path, sizeof(path), "%s/groups", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	const char *cat = "[@few] a few calls\nread(fd, buf, count) reads\nwrite(fd, buf, count) "
			  "writes\nexit_group(status) ends\n";
	ck_assert_int_eq(write(fd, cat, strlen(cat)), (ssize_t)strlen(cat));
	close(fd);
	sbx_policy_opts o = opts;
	o.groups_file = path;
	sbx_policy *p;
	sbx_error err;
	ck_assert_int_eq(sbx_policy_parse("default errno EPERM\nallow @few\nallow getpid\n", "t",
					  &o, &p, &err),
			 0);
	ck_assert_str_eq(decide(p, "read", NULL), "allow");
	ck_assert_str_eq(decide(p, "getpid", NULL), "allow");
	ck_assert_str_eq(decide(p, "openat", NULL), "errno ENOSYS");
	ck_assert_uint_gt(agree(p, "custom catalog"), 100);
	sbx_policy_free(p);
	ck_assert_int_eq(sbx_policy_parse("allow @basic-io\n", "t", &o, &p, &err), -EINVAL);
	ck_assert_msg(strstr(err.message, "unknown group @basic-io (the groups: @few)"), "%s",
		      err.message);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(container_default_covers_the_catalog)
{
	/* every call of the catalog appears in shipped groups: a new kernel
	 * call added there without a decision would show up here */
	sbx_policy *p = shipped("container-default");
	ck_assert_uint_gt(p->catalog.n_syscalls, 350);
	for (size_t i = 0; i < p->catalog.n_syscalls; i++) {
		bool grouped = false;
		for (size_t g = 0; g < p->catalog.n_groups && !grouped; g++)
			for (size_t k = 0; k < p->catalog.groups[g].n && !grouped; k++)
				grouped = p->catalog.groups[g].members[k] == i;
		ck_assert_msg(grouped, "%s is in no group", p->catalog.syscalls[i].name);
	}
	sbx_policy_free(p);
}
END_TEST

/* ---------------------------------------------------------------- the compiled artefact */

START_TEST(strict_mode_policy)
{
	sbx_policy *p = shipped("strict");
	sbx_policy_info info = {.size = sizeof(info)};
	ck_assert_int_eq(sbx_policy_get_info(p, &info, NULL), 0);
	ck_assert_int_eq(info.strict, 1);
	ck_assert_uint_eq(info.bpf_insns, 0);
	sbx_error err;
	int fd = memfd_create("bpf", MFD_CLOEXEC);
	ck_assert_int_eq(sbx_policy_export(p, fd, &err), -EINVAL);
	ck_assert_msg(strstr(err.message, "strict-mode policy has no filter"), "%s", err.message);
	close(fd);

	/* a spawn cannot start a program under it, and says why */
	sbx_config *c = sbx_config_new();
	const char *argv[] = {"true", NULL};
	ck_assert_int_eq(sbx_config_set_exec(c, NULL, argv, &err), 0);
	ck_assert_int_eq(sbx_config_set_policy(c, p, &err), 0);
	sbx_proc *proc = NULL;
	ck_assert_int_eq(sbx_spawn(c, &proc, &err), -EINVAL);
	ck_assert_msg(strstr(err.message, "sbx_enter()"), "%s", err.message);
	sbx_config_free(c);
	sbx_policy_free(p);
}
END_TEST

START_TEST(export_writes_raw_bpf)
{
	sbx_policy *p = shipped("container-default");
	sbx_policy_info info = {.size = sizeof(info)};
	ck_assert_int_eq(sbx_policy_get_info(p, &info, NULL), 0);
	int fd = memfd_create("bpf", MFD_CLOEXEC);
	sbx_error err;
	ck_assert_int_eq(sbx_policy_export(p, fd, &err), 0);
	off_t size = lseek(fd, 0, SEEK_END);
	ck_assert_int_eq(size, (off_t)info.bpf_insns * 8);
	struct sock_filter *insns = malloc((size_t)size);
	ck_assert_int_eq(pread(fd, insns, (size_t)size, 0), size);
	ck_assert_int_eq(memcmp(insns, p->prog.filter, (size_t)size), 0);
	/* it starts by checking the architecture */
	ck_assert_uint_eq(insns[0].code, BPF_LD | BPF_W | BPF_ABS);
	ck_assert_uint_eq(insns[0].k, offsetof(struct seccomp_data, arch));
	ck_assert_uint_eq(insns[1].k, AUDIT_ARCH_X86_64);
	free(insns);
	close(fd);
	ck_assert_int_eq(sbx_policy_export(p, -1, &err), -EBADF);
	sbx_policy_free(p);
}
END_TEST

static size_t count_files(const char *dir, const char *suffix)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -c '%s$'", dir, suffix);
	FILE *f = popen(cmd, "r");
	size_t n = 0;
	ck_assert_int_eq(fscanf(f, "%zu", &n), 1);
	pclose(f);
	return n;
}

START_TEST(cache_by_content)
{
	char dir[128];
	test_mkdtemp(dir, sizeof(dir), "cache", true);
	sbx_policy_opts o = opts;
	o.cache_dir = dir;
	const char *text =
		"default errno EPERM\nallow @basic-io, @memory\nallow write if fd == 1\n";
	sbx_policy *a, *b, *c;
	sbx_error err;
	ck_assert_int_eq(sbx_policy_parse(text, "a", &o, &a, &err), 0);
	ck_assert(!a->from_cache);
	ck_assert_uint_eq(count_files(dir, ".bpf"), 1);
	ck_assert_int_eq(sbx_policy_parse(text, "b", &o, &b, &err), 0);
	ck_assert(b->from_cache);
	ck_assert_uint_eq(a->prog.len, b->prog.len);
	ck_assert_int_eq(memcmp(a->prog.filter, b->prog.filter, a->prog.len * 8), 0);
	/* same rules, different words and order of lines that do not matter:
	 * still one entry; a different rule: a second one */
	ck_assert_int_eq(sbx_policy_parse("# x\ndefault errno EPERM\nallow @basic-io, @memory\n"
					  "allow write if fd == 1\n",
					  "c", &o, &c, &err),
			 0);
	ck_assert(c->from_cache);
	sbx_policy_free(c);
	ck_assert_int_eq(sbx_policy_parse("default errno EPERM\nallow write if fd == 2\n", "d", &o,
					  &c, &err),
			 0);
	ck_assert(!c->from_cache);
	ck_assert_uint_eq(count_files(dir, ".bpf"), 2);
	sbx_policy_free(c);

	/* a damaged entry is not used: the filter is compiled again */
	char cmd[512];
	snprintf(cmd, sizeof(cmd),
		 "for f in %s/*.bpf; do printf 'XXXXXXXX' | dd of=$f bs=1 "
		 "seek=100 conv=notrunc status=none; done",
		 dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(sbx_policy_parse(text, "e", &o, &c, &err), 0);
	ck_assert(!c->from_cache);
	ck_assert_int_eq(memcmp(a->prog.filter, c->prog.filter, a->prog.len * 8), 0);
	sbx_policy_free(c);

	/* an entry others could have written is not trusted */
	snprintf(cmd, sizeof(cmd), "chmod 666 %s/*.bpf", dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(sbx_policy_parse(text, "f", &o, &c, &err), 0);
	ck_assert(!c->from_cache);
	sbx_policy_free(c);

	/* nor a directory others can write: nothing is stored there */
	snprintf(cmd, sizeof(cmd), "rm -f %s/*.bpf %s/.tmp.*", dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(chmod(dir, 0777), 0);
	ck_assert_int_eq(sbx_policy_parse(text, "g", &o, &c, &err), 0);
	ck_assert(!c->from_cache);
	ck_assert_uint_eq(count_files(dir, ".bpf"), 0);
	sbx_policy_free(c);

	sbx_policy_free(a);
	sbx_policy_free(b);
	rmdir(dir);
}
END_TEST

START_TEST(draft_groups_what_was_used)
{
	unsigned char used[512] = {0};
	const char *calls[] = {"read",	 "write",  "exit_group", "brk",	       "mmap",
			       "openat", "execve", "ptrace",	 "arch_prctl", "close"};
	for (size_t i = 0; i < sizeof(calls) / sizeof(*calls); i++)
		used[sbx_syscall_resolve(calls[i])] = 1;
	char *text = NULL;
	sbx_error err;
	ck_assert_int_eq(sbx_policy_draft(used, sizeof(used), &text, &err), 0);
	/* a risky call the program made is there for a human, not allowed */
	ck_assert_msg(strstr(text, "# allow ptrace"), "%s", text);
	ck_assert_msg(strstr(text, "default errno EPERM"), "%s", text);
	sbx_policy *p = parse_ok(text);
	for (size_t i = 0; i < sizeof(calls) / sizeof(*calls); i++)
		ck_assert_msg(!strcmp(decide(p, calls[i], NULL),
				      strcmp(calls[i], "ptrace") ? "allow" : "errno EPERM"),
			      "%s in\n%s", calls[i], text);
	ck_assert_str_eq(decide(p, "socket", NULL), "errno EPERM");
	sbx_policy_free(p);
	free(text);
}
END_TEST

START_TEST(syscall_names)
{
	ck_assert_int_eq(sbx_syscall_resolve("read"), SYS_read);
	ck_assert_int_eq(sbx_syscall_resolve("openat"), SYS_openat);
	ck_assert_int_eq(sbx_syscall_resolve("nosuchcall"), -1);
	ck_assert_int_eq(sbx_syscall_resolve(NULL), -1);
	char buf[32];
	ck_assert_int_eq(sbx_syscall_name(SYS_write, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "write");
	ck_assert_int_eq(sbx_syscall_name(400, buf, sizeof(buf)), -ENOENT);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("policy");
	TCase *t = tcase_create("language");
	tcase_add_unchecked_fixture(t, setup_dirs, NULL);
	tcase_add_checked_fixture(t, leak_setup, leak_teardown);
	tcase_add_test(t, parser_errors_name_file_line_column);
	tcase_add_test(t, includes_resolve_and_refuse_cycles);
	tcase_add_test(t, last_word_counts_and_conditions_or);
	tcase_add_test(t, conditions_on_both_sides_of_each_boundary);
	tcase_add_test(t, shipped_policies_by_table);
	tcase_add_test(t, foreign_architectures_are_killed);
	tcase_add_test(t, compiled_filters_agree_with_the_language);
	tcase_add_test(t, container_default_compiles_small);
	tcase_add_test(t, custom_catalog);
	tcase_add_test(t, container_default_covers_the_catalog);
	tcase_add_test(t, strict_mode_policy);
	tcase_add_test(t, export_writes_raw_bpf);
	tcase_add_test(t, cache_by_content);
	tcase_add_test(t, draft_groups_what_was_used);
	tcase_add_test(t, syscall_names);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
