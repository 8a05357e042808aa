/* The VMM (runtime/vm/) with the project's freestanding payloads: the
 * boot protocol's entry state, the UARTs, the wall-time limit, a triple
 * fault, accesses no device claims, and images and options it must refuse.
 * Needs /dev/kvm (root here); every payload runs inside a VM, so nothing it
 * does reaches the host. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/kvm.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "vm/jail.h"
#include "vm/job.h"
#include "vm/vm.h"

static char payload_path[512];

static const char *payload(const char *name)
{
	snprintf(payload_path, sizeof(payload_path), "%s/tests/vm/%s.bzImage",
		 getenv("SBX_BUILDDIR") ? getenv("SBX_BUILDDIR") : ".", name);
	return payload_path;
}

static sbx_policy *load_policy(const char *text)
{
	char path[512];
	const char *dir = getenv("SANDBOXD_POLICY_DIR");
	snprintf(path, sizeof(path), "%s/vmm.policy", dir ? dir : "policies");
	sbx_policy *p = NULL;
	sbx_error err = {0};
	int r = text ? sbx_policy_parse(text, "test", NULL, &p, &err)
		     : sbx_policy_load(path, NULL, &p, &err);
	ck_assert_msg(r == 0, "%s: %s", path, err.message);
	return p;
}

struct run {
	struct vm_result res;
	sbx_result vmm; /* the jailed VMM process's */
	char out[VM_UARTS][8192];
};

/* Runs a payload with each UART's output captured; input for COM2; in
 * `jail` unless it is NULL. */
static void run_vm_in(struct vm_options *o, const struct vm_jail *jail, const char *com2_input,
		      struct run *r)
{
	int out[VM_UARTS], in[2] = {-1, -1};
	for (int i = 0; i < VM_UARTS; i++) {
		out[i] = memfd_create("uart", MFD_CLOEXEC);
		ck_assert_int_ge(out[i], 0);
		o->serial_out[i] = out[i];
	}
	if (com2_input) {
		ck_assert_int_eq(pipe2(in, O_CLOEXEC), 0);
		ck_assert_int_eq(write(in[1], com2_input, strlen(com2_input)),
				 (ssize_t)strlen(com2_input));
		close(in[1]);
		o->serial_in[1] = in[0];
	}
	sbx_error err = {0};
	r->vmm = (sbx_result){.size = sizeof(r->vmm)};
	int rc = jail ? vm_run_jailed(o, jail, &r->res, &r->vmm, &err) : vm_run(o, &r->res, &err);
	ck_assert_msg(rc == 0, "vm_run: %s", err.message);
	for (int i = 0; i < VM_UARTS; i++) {
		lseek(out[i], 0, SEEK_SET);
		read_to_eof(out[i], r->out[i], sizeof(r->out[i]));
		close(out[i]);
	}
	if (in[0] >= 0)
		close(in[0]);
}

static void run_vm(struct vm_options *o, const char *com2_input, struct run *r)
{
	run_vm_in(o, NULL, com2_input, r);
}

/* Boots payload `name` with defaults, a wall limit and COM2 input;
 * asserts that it ended as `end` (naming how it did end otherwise). */
static struct run *boot(const char *name, const char *com2_input, uint64_t wall_ms, enum vm_end end)
{
	struct vm_options o;
	vm_options_init(&o);
	o.kernel = payload(name);
	o.wall_time_ms = wall_ms;
	struct run *r = calloc(1, sizeof(*r));
	ck_assert_ptr_nonnull(r);
	run_vm(&o, com2_input, r);
	ck_assert_msg(r->res.end == end, "%s ended as %s (%s), not %s\n%s", name,
		      vm_end_name(r->res.end), r->res.detail, vm_end_name(end), r->out[0]);
	return r;
}

static void has_line(const char *out, const char *line)
{
	char want[512];
	snprintf(want, sizeof(want), "\n%s\n", line);
	ck_assert_msg(!strncmp(out, want + 1, strlen(want + 1)) || strstr(out, want),
		      "no line \"%s\" in:\n%s", line, out);
}

/* A file NAME in a fresh scratch directory: `head`, then `pad` times `c`. */
static void scratch_file(char *path, size_t len, const char *name, const char *head, int pad,
			 char c)
{
	char dir[256];
	test_mkdtemp(dir, sizeof(dir), "vm", true);
	snprintf(path, len, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(head, f);
	for (int i = 0; i < pad; i++)
		fputc(c, f);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(entry_state_is_what_the_boot_protocol_promises)
{
	char initrd[300];
	scratch_file(initrd, sizeof(initrd), "initrd", "the initrd says hi\n", 5000, 'x');

	struct vm_options o;
	vm_options_init(&o);
	o.kernel = payload("entry");
	o.initrd = initrd;
	o.cmdline = "console=ttyS0 sbx.check=entry";
	o.memory_mb = 64;
	o.wall_time_ms = 20000;
	struct run *r = calloc(1, sizeof(*r));
	run_vm(&o, NULL, r);
	const char *out = r->out[0];
	ck_assert_msg(r->res.end == VM_END_RESET, "%s: %s\n%s", vm_end_name(r->res.end),
		      r->res.detail, out);
	has_line(out, "boot_params=0x7000");
	has_line(out, "entry=0x100200");
	has_line(out, "cs=0x10");
	has_line(out, "ds=0x18");
	has_line(out, "ss=0x18");
	has_line(out, "paging=0x1");
	has_line(out, "protected=0x1");
	has_line(out, "pae=0x1");
	has_line(out, "long_mode_active=0x1");
	has_line(out, "interrupts=0x0");
	/* Linux looks for KVM's leaves only with the hypervisor bit set */
	has_line(out, "hypervisor_bit=0x1");
	has_line(out, "hypervisor_signature=KVMKVMKVM");
	has_line(out, "magic=HdrS");
	has_line(out, "loader=0xff");
	has_line(out, "loadflags=0x81");
	has_line(out, "cmdline=console=ttyS0 sbx.check=entry");
	has_line(out, "e820_entries=0x3");
	has_line(out, "e820=0x0 0x9fc00 0x1");
	has_line(out, "e820=0x9fc00 0x60400 0x2");
	has_line(out, "e820=0x100000 0x3f00000 0x1");
	has_line(out, "initrd_size=0x139b");
	has_line(out, "initrd_text=the initrd says hi");
	/* the initrd: page-aligned, at the top of RAM, clear of the kernel */
	const char *p = strstr(out, "\ninitrd=0x");
	ck_assert_ptr_nonnull(p);
	unsigned long long at = strtoull(p + 8, NULL, 16);
	ck_assert_uint_eq(at % 4096, 0);
	ck_assert_uint_le(at + 0x139b, 64ull << 20);
	ck_assert_uint_gt(at + 0x139b + 4096, 64ull << 20);
	has_line(out, "done");
	free(r);
}
END_TEST

START_TEST(uarts_polled_and_string_io)
{
	struct run *r = boot("uart", "hello vm\n", 20000, VM_END_RESET);
	for (int i = 0; i < VM_UARTS; i++) {
		char want[32];
		snprintf(want, sizeof(want), "hello from COM%d", i + 1);
		has_line(r->out[i], want);
	}
	has_line(r->out[0], "scratch=0x5a");
	has_line(r->out[0], "divisor=0x201");
	has_line(r->out[0], "msr=0xb0");
	has_line(r->out[0], "iir=0xc1");
	has_line(r->out[0], "loop_msr=0x90"); /* CTS, DCD: what Linux's probe wants */
	has_line(r->out[0], "loop_lsr_dr=0x1");
	has_line(r->out[0], "loop_rbr=0x4c");
	has_line(r->out[0], "unlooped_msr=0xb0");
	ck_assert_str_eq(r->out[3], "hello from COM4\n"); /* the looped byte stayed in */
	ck_assert_str_eq(r->out[1], "hello from COM2\nHELLO VM\n");
	ck_assert_str_eq(r->out[2], "hello from COM3\nrep outsb in one exit\n");
	for (int i = 0; i < VM_UARTS; i++)
		ck_assert_uint_eq(r->res.serial_bytes[i], strlen(r->out[i]));
	free(r);
}
END_TEST

START_TEST(spinning_guest_meets_the_wall_time_limit)
{
	struct run *r = boot("spin", NULL, 300, VM_END_TIMEOUT);
	ck_assert_str_eq(r->out[0], "spinning\n");
	ck_assert_uint_ge(r->res.wall_us, 300000);
	ck_assert_uint_lt(r->res.wall_us, 5000000);
	free(r);
}
END_TEST

START_TEST(triple_fault_is_reported_as_a_crash)
{
	struct run *r = boot("fault", NULL, 20000, VM_END_SHUTDOWN);
	ck_assert_ptr_nonnull(strstr(r->res.detail, "triple-faulted"));
	ck_assert_str_eq(r->out[0], "faulting\n");
	free(r);
}
END_TEST

START_TEST(accesses_no_device_claims_read_all_ones)
{
	struct run *r = boot("stray", NULL, 20000, VM_END_RESET);
	has_line(r->out[0], "port=0xffffffff");
	has_line(r->out[0], "mmio=0xffffffff");
	has_line(r->out[0], "mmio_after_write=0xffffffff");
	has_line(r->out[0], "straddle=0xffffffff");
	has_line(r->out[0], "done");
	ck_assert_uint_eq(r->res.unclaimed_mmio, 3);
	ck_assert_uint_eq(r->res.last_unclaimed_mmio, 0xd0000000u);
	ck_assert_uint_ge(r->res.unclaimed_port, 3);
	free(r);
}
END_TEST

/* The time on line "key=century year month day hour minute second" of
 * out, as seconds since the epoch; bcd says how the fields are encoded. */
static time_t guest_time(const char *out, const char *key, bool bcd)
{
	char want[32];
	snprintf(want, sizeof(want), "\n%s=", key);
	const char *line = strstr(out, want);
	ck_assert_msg(line, "no %s in:\n%s", key, out);
	unsigned v[7];
	ck_assert_int_eq(sscanf(line + strlen(want), "%x %x %x %x %x %x %x", &v[0], &v[1], &v[2],
				&v[3], &v[4], &v[5], &v[6]),
			 7);
	for (int i = 0; i < 7; i++)
		if (bcd) {
			ck_assert_msg((v[i] & 0xf) < 10 && (v[i] >> 4) < 10, "%s: not BCD", key);
			v[i] = (v[i] >> 4) * 10 + (v[i] & 0xf);
		}
	struct tm tm = {.tm_year = (int)(v[0] * 100 + v[1]) - 1900,
			.tm_mon = (int)v[2] - 1,
			.tm_mday = (int)v[3],
			.tm_hour = (int)v[4],
			.tm_min = (int)v[5],
			.tm_sec = (int)v[6]};
	return timegm(&tm);
}

START_TEST(cmos_clock_tells_the_hosts_time)
{
	time_t before = time(NULL);
	struct run *r = boot("rtc", NULL, 20000, VM_END_RESET);
	time_t after = time(NULL);
	const char *out = r->out[0];
	has_line(out, "status_a=0x26"); /* a running clock, never mid-update */
	has_line(out, "status_b=0x2");	/* 24 hours, BCD */
	has_line(out, "status_d=0x80"); /* valid */
	const char *keys[] = {"bcd", "binary", "after_set"};
	for (int i = 0; i < 3; i++) {
		time_t t = guest_time(out, keys[i], i == 0);
		ck_assert_msg(t >= before && t <= after, "%s: guest %lld, host %lld..%lld\n%s",
			      keys[i], (long long)t, (long long)before, (long long)after, out);
	}
	has_line(out, "ram_0x40=0x5a");
	has_line(out, "index_port=0xff"); /* write-only */
	has_line(out, "done");
	ck_assert_uint_eq(r->res.unclaimed_port, 0);
	free(r);
}
END_TEST

START_TEST(keyboard_controller_answers_linux_s_probe)
{
	struct run *r = boot("kbd", NULL, 20000, VM_END_RESET);
	const char *out = r->out[0];
	has_line(out, "status=0x14"); /* self-test passed, unlocked, nothing waiting */
	has_line(out, "status_obf=0x1");
	has_line(out, "ctr=0x45");
	has_line(out, "ctr_written=0x65");
	has_line(out, "self_test=0x55");
	has_line(out, "loop_status=0x21"); /* a byte, from the aux port */
	has_line(out, "loop=0x5a");
	has_line(out, "no_answer=0x0");
	has_line(out, "done");
	ck_assert_uint_eq(r->res.unclaimed_port, 0);
	free(r);
}
END_TEST

START_TEST(uarts_in_interrupt_mode)
{
	struct run *r = boot("irq", "typed in\n", 20000, VM_END_RESET);
	const char *out = r->out[0];
	has_line(out, "sent by interrupts");
	has_line(out, "thr_irqs=0x14"); /* one per byte of 19, and the last */
	has_line(out, "rx_irqs_nonzero=0x1");
	has_line(out, "rx=typed in");
	has_line(out, "done");
	free(r);
}
END_TEST

START_TEST(a_guest_that_never_speaks_is_not_ready_in_time)
{
	/* spin sends nothing on COM4: ended at the ready deadline, long before
	 * its wall-time limit */
	struct vm_options o;
	vm_options_init(&o);
	o.kernel = payload("spin");
	o.wall_time_ms = 20000;
	o.ready_ms = 300;
	o.ready_uart = 3;
	struct run *r = calloc(1, sizeof(*r));
	run_vm(&o, NULL, r);
	ck_assert_msg(r->res.end == VM_END_NOT_READY, "%s", vm_end_name(r->res.end));
	ck_assert_str_eq(r->res.detail, "nothing on COM4 within 300 ms");
	ck_assert_uint_lt(r->res.wall_us, 5000000);
	/* the uart payload speaks on COM2 at once: the deadline passes, and it
	 * runs to its end */
	vm_options_init(&o);
	o.kernel = payload("uart");
	o.wall_time_ms = 20000;
	o.ready_ms = 5000; /* at once, but CI's machine is loaded (300 ms was missed) */
	o.ready_uart = 1;
	run_vm(&o, "hi\n", r);
	ck_assert_msg(r->res.end == VM_END_RESET, "%s: %s", vm_end_name(r->res.end), r->res.detail);
	has_line(r->out[0], "done");
	/* spin speaks on COM1 and then spins: once ready, the wall-time limit
	 * (counted from then) ends it */
	vm_options_init(&o);
	o.kernel = payload("spin");
	o.wall_time_ms = 500;
	o.ready_ms = 5000;
	o.ready_uart = 0;
	run_vm(&o, NULL, r);
	ck_assert_msg(r->res.end == VM_END_TIMEOUT, "%s: %s", vm_end_name(r->res.end),
		      r->res.detail);
	ck_assert_uint_ge(r->res.wall_us, 500000);
	ck_assert_uint_lt(r->res.wall_us, 5000000);
	free(r);
}
END_TEST

static void refused(struct vm_options *o, int code, const char *words)
{
	int before = count_fds();
	struct vm_result res;
	sbx_error err = {0};
	ck_assert_int_eq(vm_run(o, &res, &err), -code);
	ck_assert_msg(strstr(err.message, words), "\"%s\" lacks \"%s\"", err.message, words);
	ck_assert_int_eq(count_fds(), before);
}

START_TEST(bad_images_and_options_are_refused)
{
	char path[300];
	scratch_file(path, sizeof(path), "not-a-kernel", "", 4096, 'k');
	struct vm_options o;
	vm_options_init(&o);
	o.kernel = path;
	refused(&o, ENOEXEC, "not a bzImage");
	o.kernel = "/nonexistent/bzImage";
	refused(&o, ENOENT, "vm: kernel /nonexistent/bzImage");
	o.kernel = payload("entry");
	o.memory_mb = 8;
	refused(&o, EINVAL, "memory: 8 MiB; expected 16 to 3072");
	o.memory_mb = 0;
	char *long_cmd = malloc(3000);
	memset(long_cmd, 'a', 2999);
	long_cmd[2999] = 0;
	o.cmdline = long_cmd;
	refused(&o, ENOEXEC, "command line of 2999 bytes; the kernel takes 2047 at most");
	free(long_cmd);
	o.cmdline = NULL;
	o.initrd = "/etc";
	refused(&o, EINVAL, "vm: initrd /etc: expected a regular file");
	o.initrd = NULL;
	o.ready_uart = 4;
	refused(&o, EINVAL, "vm: ready_uart 4: expected 0 to 3");
}
END_TEST

/* vm_job_run refuses before any VM is made, saying why, leaving no fd. */
static void job_refused(struct vm_job *j, int code, const char *words)
{
	int before = count_fds();
	sbx_result res = {.size = sizeof(res)};
	sbx_error err = {0};
	ck_assert_int_eq(vm_job_run(j, &res, &err), -code);
	ck_assert_msg(strstr(err.message, words), "\"%s\" lacks \"%s\"", err.message, words);
	ck_assert_int_eq(count_fds(), before);
}

START_TEST(jobs_that_cannot_be_packed_are_refused)
{
	const char *argv[] = {"/bin/ls", NULL};
	struct vm_job j = {.kernel = payload("reset"),
			   .agent = "/bin/true",
			   .argv = argv,
			   .out_fd = -1,
			   .err_fd = -1,
			   .console_fd = -1};
	job_refused(&j, EINVAL, "vm: the VMM's jail needs its policy");
	j.vmm_policy = load_policy(NULL);
	/* alone, a program needs no libraries */
	job_refused(&j, ENOEXEC, "process.args[0]: /bin/ls is dynamically linked");
	/* a script whose interpreter is a script */
	char script[300], inner[300];
	scratch_file(inner, sizeof(inner), "inner", "#!/bin/sh\necho\n", 0, 0);
	char head[400];
	snprintf(head, sizeof(head), "#!%s\n", inner);
	scratch_file(script, sizeof(script), "outer", head, 0, 0);
	argv[0] = script;
	job_refused(&j, ENOEXEC, "is a script too");
	/* a root that does not fit the guest's RAM (a sparse 40 MiB file) */
	char big[300];
	scratch_file(big, sizeof(big), "big", "", 0, 0);
	ck_assert_int_eq(truncate(big, 40 << 20), 0);
	*strrchr(big, '/') = 0;
	argv[0] = "/bin/sh";
	j.root = big;
	j.memory_mb = 64;
	job_refused(&j, EFBIG, "root.path: packs to 40 MiB, more than half the guest's 64 MiB");
	/* without memory_mb, a memory limit sets the guest's RAM: 96 MiB less
	 * the VMM's 32 */
	j.memory_mb = 0;
	j.limits = (sbx_limits){.size = sizeof(j.limits), .memory_bytes = 96ull << 20};
	job_refused(&j, EFBIG, "root.path: packs to 40 MiB, more than half the guest's 64 MiB");
	sbx_policy_free((sbx_policy *)j.vmm_policy);
}
END_TEST

/* ---------------------------------------------------------------- the jail */

static struct run *boot_jailed(const char *name, const char *com2_input, uint64_t wall_ms,
			       struct vm_jail *j, enum vm_end end)
{
	struct vm_options o;
	vm_options_init(&o);
	o.kernel = payload(name);
	o.wall_time_ms = wall_ms;
	if (!j->limits.size)
		j->limits.size = sizeof(j->limits);
	struct run *r = calloc(1, sizeof(*r));
	ck_assert_ptr_nonnull(r);
	run_vm_in(&o, j, com2_input, r);
	ck_assert_msg(r->res.end == end, "%s ended as %s (%s), not %s\n%s", name,
		      vm_end_name(r->res.end), r->res.detail, vm_end_name(end), r->out[0]);
	return r;
}

START_TEST(the_jailed_vmm_runs_guests_as_the_plain_one_does)
{
	int before = count_fds();
	struct vm_jail j = {.policy = load_policy(NULL)};
	/* polled and string I/O, input, output on every UART */
	struct run *r = boot_jailed("uart", "hello vm\n", 20000, &j, VM_END_RESET);
	ck_assert_str_eq(r->out[1], "hello from COM2\nHELLO VM\n");
	ck_assert_str_eq(r->out[2], "hello from COM3\nrep outsb in one exit\n");
	ck_assert_str_eq(r->out[3], "hello from COM4\n");
	has_line(r->out[0], "loop_rbr=0x4c");
	ck_assert_int_eq(r->vmm.status, SBX_STATUS_OK);
	free(r);
	/* interrupt lines raised and lowered (KVM_IRQ_LINE) */
	r = boot_jailed("irq", "typed in\n", 20000, &j, VM_END_RESET);
	has_line(r->out[0], "rx=typed in");
	has_line(r->out[0], "done");
	free(r);
	/* the wall-time timer's signal reaches the jailed vCPU */
	r = boot_jailed("spin", NULL, 300, &j, VM_END_TIMEOUT);
	ck_assert_uint_ge(r->res.wall_us, 300000);
	ck_assert_uint_lt(r->res.wall_us, 5000000);
	free(r);
	/* a crash, and the clock and keyboard controller */
	free(boot_jailed("fault", NULL, 20000, &j, VM_END_SHUTDOWN));
	free(boot_jailed("rtc", NULL, 20000, &j, VM_END_RESET));
	free(boot_jailed("kbd", NULL, 20000, &j, VM_END_RESET));
	sbx_policy_free((sbx_policy *)j.policy);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

/* What a VMM that a guest has taken over tries, one per run. */
static const char *escape_dir;

static void escape(void *arg)
{
	char path[600];
	switch ((int)(intptr_t)arg) {
	case 0: /* read a host file */
		open("/etc/passwd", O_RDONLY);
		break;
	case 1: /* leave a file on the host */
		snprintf(path, sizeof(path), "%s/escaped", escape_dir);
		open(path, O_WRONLY | O_CREAT, 0644);
		break;
	case 2: /* a shell */
		syscall(SYS_execve, "/bin/sh", NULL, NULL);
		break;
	case 3: /* the network */
		socket(AF_INET, SOCK_STREAM, 0);
		break;
	case 4: /* code of its own */
		mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
		break;
	case 5: /* a second vCPU, a new memory slot: KVM beyond the exit loop */
		ioctl(3, KVM_CREATE_VM, 0);
		break;
	case 6: /* another process */
		kill(1, SIGKILL);
		break;
	case 7: /* ptrace, namespaces */
		unshare(CLONE_NEWUSER);
		break;
	}
}

START_TEST(a_vmm_taken_over_by_its_guest_reaches_nothing)
{
	char dir[256];
	test_mkdtemp(dir, sizeof(dir), "vm-escape", true);
	escape_dir = dir;
	struct vm_jail j = {.policy = load_policy(NULL), .after_jail = escape};
	for (int i = 0; i < 8; i++) {
		j.after_jail_arg = (void *)(intptr_t)i;
		struct run *r = boot_jailed("uart", "x\n", 20000, &j, VM_END_VMM_KILLED);
		ck_assert_msg(r->vmm.status == SBX_STATUS_POLICY_KILL, "attempt %d: %s", i,
			      r->res.detail);
		ck_assert_str_eq(r->out[0], ""); /* killed before the guest's first word */
		free(r);
	}
	char path[600];
	snprintf(path, sizeof(path), "%s/escaped", dir);
	ck_assert_int_eq(access(path, F_OK), -1);
	sbx_policy_free((sbx_policy *)j.policy);
}
END_TEST

/* Beneath the policy: with one that allows everything, what the jail's
 * other layers still refuse. */
struct layers {
	int open_errno, create_errno, socket_errno, setuid_errno;
	uint64_t cap_effective;
};

static void probe_layers(void *arg)
{
	struct layers *l = arg;
	char path[600];
	snprintf(path, sizeof(path), "%s/escaped", escape_dir);
	l->open_errno = open("/etc/passwd", O_RDONLY) < 0 ? errno : 0;
	l->create_errno = open(path, O_WRONLY | O_CREAT, 0644) < 0 ? errno : 0;
	l->socket_errno = socket(AF_INET, SOCK_STREAM, 0) < 0 ? errno : 0;
	l->setuid_errno = setresuid(1, 1, 1) < 0 ? errno : 0;
	struct {
		uint32_t version;
		int pid;
	} head = {0x20080522, 0};
	uint32_t data[6] = {0};
	if (syscall(SYS_capget, &head, data) == 0)
		l->cap_effective = data[0] | (uint64_t)data[3] << 32;
}

START_TEST(beneath_its_policy_the_vmm_has_no_files_network_or_privilege)
{
	char dir[256];
	test_mkdtemp(dir, sizeof(dir), "vm-escape", true);
	escape_dir = dir;
	struct layers *l =
		mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(l, MAP_FAILED);
	l->cap_effective = ~0ull;
	struct vm_jail j = {.policy = load_policy("default allow\n"),
			    .after_jail = probe_layers,
			    .after_jail_arg = l};
	free(boot_jailed("reset", NULL, 20000, &j, VM_END_RESET));
	/* a host file it can see (the read-only root of its mount namespace)
	 * but not open (Landlock) */
	if (sbx_landlock_abi() >= 1)
		ck_assert_int_eq(l->open_errno, EACCES);
	ck_assert_msg(l->create_errno != 0, "a file was made");
	ck_assert_msg(l->socket_errno != 0, "a socket was made");
	ck_assert_msg(l->setuid_errno != 0, "setresuid(1) worked");
	ck_assert_uint_eq(l->cap_effective, 0);
	char path[600];
	snprintf(path, sizeof(path), "%s/escaped", dir);
	ck_assert_int_eq(access(path, F_OK), -1);
	munmap(l, 4096);
	sbx_policy_free((sbx_policy *)j.policy);
}
END_TEST

START_TEST(the_vmm_is_held_to_its_memory_and_cpu_limits)
{
	struct vm_jail j = {.policy = load_policy(NULL)};
	j.limits = (sbx_limits){.size = sizeof(j.limits), .memory_bytes = 64ull << 20};
	struct vm_options o;
	vm_options_init(&o);
	o.kernel = payload("touch");
	o.memory_mb = 160;
	o.wall_time_ms = 20000;
	struct run *r = calloc(1, sizeof(*r));
	/* a guest that uses its 160 MiB in a VMM allowed 64 */
	run_vm_in(&o, &j, NULL, r);
	ck_assert_msg(r->res.end == VM_END_VMM_KILLED, "%s: %s", vm_end_name(r->res.end),
		      r->out[0]);
	ck_assert_msg(r->vmm.status == SBX_STATUS_MEMORY_LIMIT, "%s", r->res.detail);
	/* and one allowed 256 */
	j.limits.memory_bytes = 256ull << 20;
	run_vm_in(&o, &j, NULL, r);
	ck_assert_msg(r->res.end == VM_END_RESET, "%s: %s", vm_end_name(r->res.end), r->res.detail);
	has_line(r->out[0], "touched_mb=0x9c"); /* 160 MiB from 4 MiB on */
	if (r->vmm.measured & SBX_MEASURED_MEMORY)
		ck_assert_uint_ge(r->vmm.memory_peak_bytes, 156ull << 20);
	/* a spinning guest with 300 ms of CPU time */
	j.limits = (sbx_limits){.size = sizeof(j.limits), .cpu_time_ms = 300};
	free(r);
	r = boot_jailed("spin", NULL, 20000, &j, VM_END_VMM_KILLED);
	ck_assert_msg(r->vmm.status == SBX_STATUS_CPU_TIME_LIMIT, "%s", r->res.detail);
	ck_assert_uint_lt(r->vmm.wall_us, 10000000);
	free(r);
	sbx_policy_free((sbx_policy *)j.policy);
}
END_TEST

START_TEST(the_jail_refuses_what_it_cannot_run_and_says_why)
{
	int before = count_fds();
	struct vm_options o;
	vm_options_init(&o);
	o.kernel = "/nonexistent/bzImage";
	struct vm_jail j = {.limits = {.size = sizeof(sbx_limits)}};
	struct vm_result res;
	sbx_result vmm = {.size = sizeof(vmm)};
	sbx_error err = {0};
	ck_assert_int_eq(vm_run_jailed(&o, &j, &res, &vmm, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "needs its policy"));
	j.policy = load_policy(NULL);
	ck_assert_int_eq(vm_run_jailed(&o, &j, &res, &vmm, &err), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err.message, "vm: kernel /nonexistent/bzImage"));
	/* found wanting inside the jail: its message comes out */
	char path[300];
	scratch_file(path, sizeof(path), "not-a-kernel", "", 4096, 'k');
	o.kernel = path;
	ck_assert_int_eq(vm_run_jailed(&o, &j, &res, &vmm, &err), -ENOEXEC);
	ck_assert_msg(strstr(err.message, "not a bzImage"), "%s", err.message);
	sbx_policy_free((sbx_policy *)j.policy);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("vm");
	TCase *t = tcase_create("payloads");
	tcase_add_checked_fixture(t, leak_setup, leak_teardown);
	tcase_add_test(t, entry_state_is_what_the_boot_protocol_promises);
	tcase_add_test(t, uarts_polled_and_string_io);
	tcase_add_test(t, spinning_guest_meets_the_wall_time_limit);
	tcase_add_test(t, triple_fault_is_reported_as_a_crash);
	tcase_add_test(t, accesses_no_device_claims_read_all_ones);
	tcase_add_test(t, cmos_clock_tells_the_hosts_time);
	tcase_add_test(t, a_guest_that_never_speaks_is_not_ready_in_time);
	tcase_add_test(t, uarts_in_interrupt_mode);
	tcase_add_test(t, jobs_that_cannot_be_packed_are_refused);
	tcase_add_test(t, keyboard_controller_answers_linux_s_probe);
	tcase_add_test(t, bad_images_and_options_are_refused);
	suite_add_tcase(s, t);
	t = tcase_create("jail");
	tcase_add_checked_fixture(t, leak_setup, leak_teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, the_jailed_vmm_runs_guests_as_the_plain_one_does);
	tcase_add_test(t, a_vmm_taken_over_by_its_guest_reaches_nothing);
	tcase_add_test(t, beneath_its_policy_the_vmm_has_no_files_network_or_privilege);
	tcase_add_test(t, the_vmm_is_held_to_its_memory_and_cpu_limits);
	tcase_add_test(t, the_jail_refuses_what_it_cannot_run_and_says_why);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("SKIP: /dev/kvm: %s (the VMM needs KVM; root on this host)\n",
		       strerror(errno));
		return 77;
	}
	close(fd);
	return run_suite(suite());
}
