/* sandboxd run SPEC: one sandbox, in the foreground, its exit status ours. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "error.h"
#include "report.h"
#include "spec.h"
#include "vm/host.h"
#include "vm/job.h"
#include "vm/vm.h"
#include "vmspec.h"

static const char run_usage[] =
	"Usage: sandboxd run [--report FILE] [--help] SPEC\n"
	"\n"
	"Runs the program described by SPEC (an OCI runtime-spec config.json; \"-\" reads\n"
	"it from standard input) in a new sandbox, with sandboxd's standard streams, and\n"
	"exits with its status. Without \"root\" the sandbox sees the host root read-only,\n"
	"a fresh /proc, a minimal /dev and a private /tmp.\n"
	"\n"
	"  --report FILE  write the result as JSON (verdict, exit status, CPU and wall\n"
	"                 time, peak memory, ...); overrides the spec's sandbox.report\n";

struct run_opts {
	const char *spec;
	const char *report;
	bool help;
};

/* Pure: fills o, or returns a message. */
static const char *parse_run(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"report", required_argument, NULL, 'r'},
		{0},
	};
	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			o->help = true;
			return NULL;
		case 'r':
			o->report = optarg;
			break;
		case ':':
			return "run: --report needs a file name";
		default:
			return "run: unknown option (see sandboxd run --help)";
		}
	}
	if (optind >= argc)
		return "run: missing SPEC (see sandboxd run --help)";
	if (optind + 1 < argc)
		return "run: too many arguments: the program and its arguments belong in the spec's "
		       "process.args";
	o->spec = argv[optind];
	return NULL;
}

/* sandbox.report is relative to the spec's directory, as OCI's root.path is
 * to the bundle; --report to ours. */
static char *report_path(const struct run_opts *o, const struct spec *s)
{
	if (o->report)
		return strdup(o->report);
	if (!s->report)
		return NULL;
	if (s->report[0] == '/' || !strcmp(o->spec, "-"))
		return strdup(s->report);
	char *copy = strdup(o->spec), *path = NULL;
	if (copy && asprintf(&path, "%s/%s", dirname(copy), s->report) < 0)
		path = NULL;
	free(copy);
	return path;
}

static bool any_limit(const sbx_limits *l)
{
	return l->memory_bytes || l->pids || l->cpu_time_ms || l->wall_time_ms || l->output_bytes ||
	       l->cpu_quota_us || l->cpu_weight || l->cpuset_cpus[0] || l->cpuset_mems[0];
}

/* One line on stderr when a limit or the policy, not the program, ended the
 * run. */
static void verdict_notice(const sbx_result *r, const sbx_limits *l)
{
	unsigned long long cpu = (r->cpu_user_us + r->cpu_sys_us) / 1000;
	switch (r->status) {
	case SBX_STATUS_CPU_TIME_LIMIT:
		cli_error("CPU time limit reached: %llu ms used, limit %llu ms", cpu,
			  (unsigned long long)l->cpu_time_ms);
		break;
	case SBX_STATUS_WALL_TIME_LIMIT:
		cli_error("wall time limit reached: %llu ms", (unsigned long long)l->wall_time_ms);
		break;
	case SBX_STATUS_MEMORY_LIMIT:
		cli_error("memory limit reached: %llu bytes (%llu OOM kill%s)",
			  (unsigned long long)l->memory_bytes, (unsigned long long)r->oom_kills,
			  r->oom_kills == 1 ? "" : "s");
		break;
	case SBX_STATUS_OUTPUT_LIMIT:
		cli_error("output limit reached: %llu bytes", (unsigned long long)l->output_bytes);
		break;
	case SBX_STATUS_POLICY_KILL:
		cli_error("killed by its seccomp policy (a system call the policy does not allow)");
		break;
	}
}

/* The vm backend: the job in a microVM. Refused up front on a host whose KVM
 * cannot boot Linux, so that nothing waits for a guest that never comes. */
/* buf = name beside the running sandboxd (a build tree) if that exists:
 * a fresh build finds what it built and fetched without an install, as
 * it finds its policies */
static bool beside_self(const char *name, char buf[PATH_MAX])
{
	ssize_t len = readlink("/proc/self/exe", buf, PATH_MAX - 1);
	if (len <= 0)
		return false;
	buf[len] = 0;
	char *slash = strrchr(buf, '/');
	if (!slash || (size_t)(slash + 1 - buf) + strlen(name) >= PATH_MAX)
		return false;
	strcpy(slash + 1, name);
	return access(buf, R_OK) == 0;
}

static int run_vm(const char *spec_path, const struct spec_vm *vm, const sbx_limits *limits,
		  sbx_result *res, sbx_error *err)
{
	struct vm_host host;
	vm_host_probe(&host);
	if (host.kvm_api < 0)
		return err_setx(err, SBX_STAGE_PREPARE, -host.kvm_api,
				"%s: sandbox.backend: vm: /dev/kvm: %s", spec_path,
				strerror(-host.kvm_api));
	if (host.linux_guests == VM_LINUX_NO)
		return err_setx(err, SBX_STAGE_PREPARE, ENOTSUP,
				"%s: sandbox.backend: vm: this host's KVM (%s) cannot boot Linux "
				"guests (see sandboxd check)",
				spec_path, host.module ? host.module : "?");
	char kernel_beside[PATH_MAX], agent_beside[PATH_MAX];
	const char *kernel = vm->kernel				     ? vm->kernel
			     : getenv("SANDBOXD_VM_KERNEL")	     ? getenv("SANDBOXD_VM_KERNEL")
			     : beside_self("vmlinuz", kernel_beside) ? kernel_beside
								     : SBX_VM_KERNEL;
	if (access(kernel, R_OK) < 0)
		return err_setx(err, SBX_STAGE_PREPARE, errno,
				"%s: sandbox.vm.kernel: %s: %s (give one in sandbox.vm.kernel or "
				"SANDBOXD_VM_KERNEL, or put one at %s or beside sandboxd: "
				"scripts/fetch-vm-kernel.sh fetches Debian's)",
				spec_path, kernel, strerror(errno), SBX_VM_KERNEL);
	const char *agent = getenv("SANDBOXD_VM_AGENT") ? getenv("SANDBOXD_VM_AGENT")
			    : beside_self("runtime/vm/agent/sbx-vm-agent", agent_beside)
				    ? agent_beside
				    : SBX_VM_AGENT;
	sbx_policy *policy;
	int r = cli_policy_load("vmm", &policy, err);
	if (r < 0)
		return r;
	struct vm_job job = {.kernel = kernel,
			     .agent = agent,
			     .root = vm->root,
			     .argv = (const char *const *)vm->argv,
			     .env = (const char *const *)vm->env,
			     .cwd = vm->cwd,
			     .uid = vm->uid,
			     .gid = vm->gid,
			     .memory_mb = vm->memory_mb,
			     .wall_time_ms = vm->wall_time_ms,
			     .boot_timeout_ms = vm->boot_timeout_ms,
			     .out_fd = 1,
			     .err_fd = 2,
			     .console_fd = -1,
			     .vmm_policy = policy,
			     .limits = *limits};
	r = vm_job_run(&job, res, err);
	sbx_policy_free(policy);
	return r;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	const char *msg = parse_run(argc, argv, &o);
	if (msg) {
		cli_error("%s", msg);
		return EXIT_SANDBOX_ERROR;
	}
	if (o.help) {
		fputs(run_usage, stdout);
		return 0;
	}

	sbx_error err;
	struct spec spec;
	if (spec_load(o.spec, cli_policy_opts(), &spec, &err) < 0) {
		cli_error("%s", err.message);
		if (o.report)
			report_write(o.report, NULL, err.message, NULL);
		return EXIT_SANDBOX_ERROR;
	}
	if (spec.hooks) {
		cli_error("%s: hooks: sandboxd run does not run OCI hooks; create and start do",
			  o.spec);
		spec_free(&spec);
		return EXIT_SANDBOX_ERROR;
	}
	char *report = report_path(&o, &spec);
	sbx_limits limits = {.size = sizeof(limits)};
	sbx_config_get_limits(spec.cfg, &limits, NULL);
	int rc = EXIT_SANDBOX_ERROR;
	if (spec.relay_output &&
	    (sbx_config_set_stdio(spec.cfg, 1, SBX_STDIO_RELAY, 1, &err) < 0 ||
	     sbx_config_set_stdio(spec.cfg, 2, SBX_STDIO_RELAY, 2, &err) < 0)) {
		cli_error("%s", err.message);
		goto out;
	}
	/* sandboxes of a supervisor that was killed leave cgroups: end them
	 * before making new ones */
	if (any_limit(&limits) || spec.vm)
		sbx_gc(NULL, NULL);

	sbx_result res = {.size = sizeof(res)};
	int r;
	if (spec.vm) {
		r = run_vm(o.spec, spec.vm, &limits, &res, &err);
		/* without a memory limit the guest's RAM is one, for the notice */
		if (!limits.memory_bytes)
			limits.memory_bytes = (uint64_t)(spec.vm->memory_mb ? spec.vm->memory_mb
									    : VM_MEMORY_MB_DEFAULT)
					      << 20;
		if (r < 0) {
			cli_error("%s", err.message);
			if (report)
				report_write(report, NULL, err.message, NULL);
			rc = cli_spawn_exit_code(&err);
			goto out;
		}
		goto done;
	}
	sbx_proc *proc;
	if (sbx_spawn(spec.cfg, &proc, &err) < 0) {
		cli_error("%s", err.message);
		if (report)
			report_write(report, NULL, err.message, NULL);
		rc = cli_spawn_exit_code(&err);
		goto out;
	}
	while ((r = sbx_wait(proc, -1, &res, &err)) == -EINTR)
		;
	sbx_proc_free(proc);
	if (r < 0) {
		cli_error("%s", err.message);
		goto out;
	}
done:
	verdict_notice(&res, &limits);
	rc = res.signal ? 128 + res.signal : res.exit_code;
	if (report && report_write(report, &res, NULL, &err) < 0) {
		cli_error("%s", err.message);
		rc = EXIT_SANDBOX_ERROR;
	}
out:
	free(report);
	spec_free(&spec);
	return rc;
}
