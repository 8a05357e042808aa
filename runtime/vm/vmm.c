/* The VMM: a VM with its memory and devices, one vCPU, and the loop that
 * dispatches its exits. Everything the guest controls (port numbers, MMIO
 * addresses, access sizes, counts) is checked before it is used. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bus.h"
#include "error.h"
#include "guestmem.h"
#include "i8042.h"
#include "rtc.h"
#include "uart.h"
#include "util.h"
#include "vm.h"
#include "x86/boot.h"

#define PREP(err, e, ...) err_set(err, SBX_STAGE_PREPARE, e, __VA_ARGS__)
#define KICK_SIGNAL (SIGRTMIN + 2)
#define TSS_ADDR 0xfffbd000u /* three pages below 4 GiB, outside RAM */

static const struct {
	const char *name;
	uint16_t port;
	uint8_t irq;
} com[VM_UARTS] = {{"COM1", 0x3f8, 4}, {"COM2", 0x2f8, 3}, {"COM3", 0x3e8, 4}, {"COM4", 0x2e8, 3}};

struct vm {
	int kvm, fd, vcpu;
	struct kvm_run *run;
	size_t run_size;
	struct guestmem mem;
	struct bus port, mmio;
	struct uart uart[VM_UARTS];
	struct rtc rtc;
	struct i8042 kbd;
	struct irq_src {
		struct vm *vm;
		unsigned line, bit;
	} irq_src[VM_UARTS];
	unsigned irq_asserted[16]; /* per ISA line: which devices hold it up */
};

void vm_options_init(struct vm_options *o)
{
	memset(o, 0, sizeof(*o));
	o->kvm_fd = o->kernel_fd = o->initrd_fd = -1;
	for (int i = 0; i < VM_UARTS; i++)
		o->serial_out[i] = o->serial_in[i] = -1;
}

const char *vm_end_name(enum vm_end e)
{
	switch (e) {
	case VM_END_RESET:
		return "reset";
	case VM_END_SHUTDOWN:
		return "triple-fault";
	case VM_END_TIMEOUT:
		return "wall-time-limit";
	case VM_END_ERROR:
		return "error";
	case VM_END_NOT_READY:
		return "not-ready";
	case VM_END_VMM_KILLED:
		return "vmm-killed";
	}
	return "?";
}

/* ---------------------------------------------------------------- devices */

/* ISA lines may be shared (COM1 and COM3 on IRQ 4): the line is up while
 * any device holds it. */

static void uart_irq(void *opaque, bool level)
{
	struct irq_src *s = opaque;
	unsigned *held = &s->vm->irq_asserted[s->line];
	unsigned before = *held;
	*held = level ? before | s->bit : before & ~s->bit;
	if (!before != !*held) {
		struct kvm_irq_level l = {.irq = s->line, .level = *held ? 1 : 0};
		ioctl(s->vm->fd, KVM_IRQ_LINE, &l);
	}
}

static void ignore_write(void *opaque, uint64_t off, const uint8_t *data, uint32_t len)
{
	(void)opaque, (void)off, (void)data, (void)len;
}

static int add_devices(struct vm *vm, const struct vm_options *o, sbx_error *err)
{
	vm->port.name = "port";
	vm->mmio.name = "mmio";
	int r;
	for (unsigned i = 0; i < VM_UARTS; i++) {
		uart_init(&vm->uart[i], com[i].name, o->serial_out[i], o->serial_in[i]);
		vm->irq_src[i] = (struct irq_src){vm, com[i].irq, 1u << i};
		vm->uart[i].irq = uart_irq;
		vm->uart[i].irq_opaque = &vm->irq_src[i];
		struct bus_dev d = {com[i].name,  com[i].port, 8,
				    &vm->uart[i], uart_read,   uart_write};
		if ((r = bus_add(&vm->port, &d, err)) < 0)
			return r;
	}
	/* the i8042 at 0x60 and 0x64 (0x61 between is the PIT's speaker
	 * port, taken by KVM's in-kernel PIT before it reaches us) */
	i8042_init(&vm->kbd);
	struct bus_dev kbd = {"i8042", 0x60, 5, &vm->kbd, i8042_read, i8042_write};
	struct bus_dev delay = {"port 0x80", 0x80, 1, vm, NULL, ignore_write};
	rtc_init(&vm->rtc);
	struct bus_dev rtc = {"rtc", 0x70, 2, &vm->rtc, rtc_read, rtc_write};
	if ((r = bus_add(&vm->port, &kbd, err)) < 0 || (r = bus_add(&vm->port, &delay, err)) < 0 ||
	    (r = bus_add(&vm->port, &rtc, err)) < 0)
		return r;
	return 0;
}

/* ---------------------------------------------------------------- set-up */

/* The whole file at given_fd (borrowed, read from its start), or else at
 * path. */
static int read_file(const char *what, const char *path, int given_fd, uint64_t max, uint8_t **data,
		     uint64_t *len, sbx_error *err)
{
	_cleanup_close_ int own = given_fd < 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	int fd = given_fd < 0 ? own : given_fd;
	struct stat st;
	if (!path)
		path = "(fd)";
	if (fd < 0 || fstat(fd, &st) < 0)
		return PREP(err, errno, "vm: %s %s", what, path);
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > max)
		return err_setx(err, SBX_STAGE_PREPARE, EINVAL,
				"vm: %s %s: expected a regular file of 1 to %llu bytes", what, path,
				(unsigned long long)max);
	uint8_t *p = malloc((size_t)st.st_size);
	if (!p)
		return PREP(err, ENOMEM, "vm: %s %s", what, path);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = pread(fd, p + got, (size_t)st.st_size - got, (off_t)got);
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;
			free(p);
			return PREP(err, e, "vm: %s %s: read", what, path);
		}
		got += (size_t)n;
	}
	*data = p;
	*len = got;
	return 0;
}

static int set_cpuid(struct vm *vm, sbx_error *err)
{
	enum { MAX = 256 };
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + MAX * sizeof(c->entries[0]));
	if (!c)
		return PREP(err, ENOMEM, "vm: CPUID");
	c->nent = MAX;
	int r = 0;
	if (ioctl(vm->kvm, KVM_GET_SUPPORTED_CPUID, c) < 0)
		r = PREP(err, errno, "vm: KVM_GET_SUPPORTED_CPUID");
	for (uint32_t i = 0; r == 0 && i < c->nent; i++)
		if (c->entries[i].function == 1)
			/* the hypervisor bit, which KVM leaves to the VMM: without it
			 * Linux does not look for KVM's leaves (0x40000000), so no
			 * kvm-clock, and calibrates its clocks against the emulated
			 * PIT instead */
			c->entries[i].ecx |= 1u << 31;
	if (r == 0 && ioctl(vm->vcpu, KVM_SET_CPUID2, c) < 0)
		r = PREP(err, errno, "vm: KVM_SET_CPUID2");
	free(c);
	return r;
}

static int create(struct vm *vm, const struct vm_options *o, sbx_error *err)
{
	vm->kvm = o->kvm_fd >= 0 ? fcntl(o->kvm_fd, F_DUPFD_CLOEXEC, 3)
				 : open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0)
		return PREP(err, errno, "vm: /dev/kvm");
	int api = ioctl(vm->kvm, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION)
		return err_setx(err, SBX_STAGE_PREPARE, ENOTSUP,
				"vm: /dev/kvm speaks API %d, not %d", api, KVM_API_VERSION);
	vm->fd = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		return PREP(err, errno, "vm: KVM_CREATE_VM");
	if (ioctl(vm->fd, KVM_SET_TSS_ADDR, TSS_ADDR) < 0)
		return PREP(err, errno, "vm: KVM_SET_TSS_ADDR");
	if (ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return PREP(err, errno, "vm: KVM_CREATE_IRQCHIP");
	struct kvm_pit_config pit = {0};
	if (ioctl(vm->fd, KVM_CREATE_PIT2, &pit) < 0)
		return PREP(err, errno, "vm: KVM_CREATE_PIT2");
	uint64_t mb = o->memory_mb ? o->memory_mb : VM_MEMORY_MB_DEFAULT;
	if (mb < 16 || mb > 3072)
		return err_setx(err, SBX_STAGE_PREPARE, EINVAL,
				"vm: memory: %llu MiB; expected 16 to 3072",
				(unsigned long long)mb);
	int r = guestmem_init(&vm->mem, mb << 20, err);
	if (r < 0)
		return r;
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = vm->mem.size,
		.userspace_addr = (uintptr_t)vm->mem.base,
	};
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return PREP(err, errno, "vm: KVM_SET_USER_MEMORY_REGION");
	vm->vcpu = ioctl(vm->fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu < 0)
		return PREP(err, errno, "vm: KVM_CREATE_VCPU");
	int size = ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		return PREP(err, errno ? errno : EINVAL, "vm: KVM_GET_VCPU_MMAP_SIZE");
	vm->run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		return PREP(err, errno, "vm: mmap of the vCPU");
	}
	vm->run_size = (size_t)size;
	if ((r = set_cpuid(vm, err)) < 0)
		return r;
	return add_devices(vm, o, err);
}

static int load(struct vm *vm, const struct vm_options *o, sbx_error *err)
{
	if (!o->kernel && o->kernel_fd < 0)
		return err_setx(err, SBX_STAGE_PREPARE, EINVAL, "vm: no kernel given");
	if (o->ready_uart >= VM_UARTS)
		return err_setx(err, SBX_STAGE_PREPARE, EINVAL,
				"vm: ready_uart %u: expected 0 to %d", o->ready_uart, VM_UARTS - 1);
	_cleanup_free_ uint8_t *kernel = NULL, *initrd = NULL;
	struct boot_image img = {.cmdline = o->cmdline};
	int r = read_file("kernel", o->kernel, o->kernel_fd, vm->mem.size, &kernel, &img.len, err);
	if (r < 0)
		return r;
	img.data = kernel;
	if (o->initrd || o->initrd_fd >= 0) {
		r = read_file("initrd", o->initrd, o->initrd_fd, vm->mem.size, &initrd,
			      &img.initrd_len, err);
		if (r < 0)
			return r;
		img.initrd = initrd;
	}
	struct boot_entry entry;
	if ((r = boot_load(&vm->mem, &img, &entry, err)) < 0)
		return r;
	return boot_cpu(vm->vcpu, &entry, err);
}

static void destroy(struct vm *vm)
{
	for (int i = 0; i < VM_UARTS; i++)
		uart_flush(&vm->uart[i]);
	if (vm->run)
		munmap(vm->run, vm->run_size);
	guestmem_free(&vm->mem);
	closep(&vm->vcpu);
	closep(&vm->fd);
	closep(&vm->kvm);
}

/* ---------------------------------------------------------------- running */

/* The wall-time timer's signal interrupts KVM_RUN; set before the call, a
 * kick that lands just before it enters the guest makes it return at once. */
static __thread struct kvm_run *kick_run;

static void kick(int sig)
{
	(void)sig;
	if (kick_run)
		kick_run->immediate_exit = 1;
}

static void io_exit(struct vm *vm)
{
	struct kvm_run *run = vm->run;
	uint32_t size = run->io.size, count = run->io.count;
	uint64_t off = run->io.data_offset;
	/* the data lies in the run page: KVM sets offset, size and count, and
	 * a string instruction's count is checked against the page anyway */
	if ((size != 1 && size != 2 && size != 4) || off > vm->run_size ||
	    (uint64_t)size * count > vm->run_size - off)
		return;
	uint8_t *data = (uint8_t *)run + off;
	for (uint32_t i = 0; i < count; i++, data += size)
		bus_access(&vm->port, run->io.port, data, size,
			   run->io.direction == KVM_EXIT_IO_OUT);
}

static void mmio_exit(struct vm *vm)
{
	struct kvm_run *run = vm->run;
	uint32_t len = run->mmio.len;
	if (len == 0 || len > sizeof(run->mmio.data))
		return;
	bus_access(&vm->mmio, run->mmio.phys_addr, run->mmio.data, len, run->mmio.is_write);
}

/* The one timer kicks the vCPU out at the earliest deadline still pending. */
static void arm(timer_t timer, uint64_t at_us)
{
	struct itimerspec its = {0};
	if (at_us != UINT64_MAX) {
		uint64_t now = now_us(), d = at_us > now ? at_us - now : 1;
		its.it_value.tv_sec = (time_t)(d / 1000000);
		its.it_value.tv_nsec = (long)(d % 1000000) * 1000;
	}
	timer_settime(timer, 0, &its, NULL);
}

static int loop(struct vm *vm, const struct vm_options *o, struct vm_result *res, uint64_t start,
		sbx_error *err)
{
	uint64_t deadline =
		o->wall_time_ms && !o->ready_ms ? start + o->wall_time_ms * 1000 : UINT64_MAX;
	uint64_t ready_by = o->ready_ms ? start + o->ready_ms * 1000 : UINT64_MAX;
	timer_t timer;
	bool have_timer = false;
	if (o->wall_time_ms || o->ready_ms) {
		struct sigevent sev = {.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = KICK_SIGNAL};
		sev._sigev_un._tid = gettid();
		if (timer_create(CLOCK_MONOTONIC, &sev, &timer) < 0)
			return PREP(err, errno, "vm: wall-time timer");
		have_timer = true;
		arm(timer, ready_by < deadline ? ready_by : deadline);
	}
	int r = o->before_run ? o->before_run(o->before_run_arg, err) : 0;
	kick_run = vm->run;
	res->setup_us = now_us() - start;
	for (; r == 0;) {
		if (ready_by != UINT64_MAX && vm->uart[o->ready_uart].out_total) {
			/* the guest spoke: the wall-time limit counts from here */
			ready_by = UINT64_MAX;
			if (o->wall_time_ms)
				deadline = now_us() + o->wall_time_ms * 1000;
			arm(timer, deadline);
		}
		uint64_t now = now_us();
		if (now >= deadline) {
			res->end = VM_END_TIMEOUT;
			break;
		}
		if (now >= ready_by) {
			res->end = VM_END_NOT_READY;
			snprintf(res->detail, sizeof(res->detail),
				 "nothing on COM%u within %llu ms", o->ready_uart + 1,
				 (unsigned long long)o->ready_ms);
			break;
		}
		if (ioctl(vm->vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				vm->run->immediate_exit = 0;
				continue;
			}
			r = PREP(err, errno, "vm: KVM_RUN");
			break;
		}
		res->exits++;
		struct kvm_run *run = vm->run;
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			io_exit(vm);
			break;
		case KVM_EXIT_MMIO:
			mmio_exit(vm);
			break;
		case KVM_EXIT_SHUTDOWN:
			res->end = VM_END_SHUTDOWN;
			snprintf(res->detail, sizeof(res->detail),
				 "the guest triple-faulted (KVM_EXIT_SHUTDOWN)");
			goto out;
		case KVM_EXIT_SYSTEM_EVENT:
			res->end = VM_END_RESET;
			goto out;
		case KVM_EXIT_FAIL_ENTRY:
			res->end = VM_END_ERROR;
			snprintf(res->detail, sizeof(res->detail),
				 "KVM could not enter the guest (hardware reason 0x%llx)",
				 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
			goto out;
		case KVM_EXIT_INTERNAL_ERROR:
			res->end = VM_END_ERROR;
			snprintf(res->detail, sizeof(res->detail),
				 "KVM internal error %u (the guest ran something KVM cannot "
				 "emulate)",
				 run->internal.suberror);
			goto out;
		default:
			res->end = VM_END_ERROR;
			snprintf(res->detail, sizeof(res->detail), "unexpected exit %u",
				 run->exit_reason);
			goto out;
		}
		if (vm->kbd.reset) {
			res->end = VM_END_RESET;
			break;
		}
	}
out:
	kick_run = NULL;
	if (have_timer)
		timer_delete(timer);
	return r;
}

int vm_run(const struct vm_options *o, struct vm_result *res, sbx_error *err)
{
	memset(res, 0, sizeof(*res));
	struct vm vm = {.kvm = -1, .fd = -1, .vcpu = -1, .mem = {.fd = -1}};
	struct sigaction sa = {.sa_handler = kick}, old;
	sigemptyset(&sa.sa_mask);
	if (sigaction(KICK_SIGNAL, &sa, &old) < 0)
		return PREP(err, errno, "vm: sigaction");
	uint64_t start = now_us();
	int r = create(&vm, o, err);
	if (r == 0)
		r = load(&vm, o, err);
	if (r == 0)
		r = loop(&vm, o, res, start, err);
	destroy(&vm);
	res->wall_us = now_us() - start;
	res->unclaimed_port = vm.port.unclaimed;
	res->unclaimed_mmio = vm.mmio.unclaimed;
	res->last_unclaimed_port = vm.port.last_unclaimed;
	res->last_unclaimed_mmio = vm.mmio.last_unclaimed;
	for (int i = 0; i < VM_UARTS; i++)
		res->serial_bytes[i] = vm.uart[i].out_total;
	sigaction(KICK_SIGNAL, &old, NULL);
	return r;
}
