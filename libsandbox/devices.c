/* Device access rules for a sandbox's cgroup.
 *
 * On cgroup v2 the kernel asks a BPF_PROG_TYPE_CGROUP_DEVICE program, with
 * a bpf_cgroup_dev_ctx: access_type (access << 16 | type), major, minor.
 * The program built here checks the rules last to first; the first that
 * matches returns its verdict; none matching returns 0 (deny). On v1 the
 * devices controller takes the same rules as text. */
#include "config.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "devices.h"
#include "error.h"
#include "util.h"

#define INSN(c, d, s, o, i)                                                                        \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LDX_W(dst, src, off) INSN(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define MOV64_REG(dst, src) INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV64_IMM(dst, imm) INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define AND64_IMM(dst, imm) INSN(BPF_ALU64 | BPF_AND | BPF_K, dst, 0, 0, imm)
#define RSH64_IMM(dst, imm) INSN(BPF_ALU64 | BPF_RSH | BPF_K, dst, 0, 0, imm)
/* 32-bit compare: majors and minors are u32, imm is s32 */
#define JNE32_IMM(dst, imm, off) INSN(BPF_JMP32 | BPF_JNE | BPF_K, dst, 0, off, imm)
#define JNE64_IMM(dst, imm, off) INSN(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

enum { R0, R1, R2, R3, R4, R5 };

size_t devices_build_prog(const struct dev_rule *rules, size_t n, struct bpf_insn *out, size_t max)
{
	size_t len = 0;
#define EMIT(x)                                                                                    \
	do {                                                                                       \
		if (len >= max)                                                                    \
			return 0;                                                                  \
		out[len++] = (x);                                                                  \
	} while (0)
	EMIT(LDX_W(R2, R1, 0)); /* access_type */
	EMIT(MOV64_REG(R3, R2));
	EMIT(AND64_IMM(R2, 0xffff)); /* type */
	EMIT(RSH64_IMM(R3, 16));     /* access */
	EMIT(LDX_W(R4, R1, 4));	     /* major */
	EMIT(LDX_W(R5, R1, 8));	     /* minor */
	bool decided = false;	     /* a rule matched everything: the rest is unreachable */
	for (size_t k = n; k-- > 0 && !decided;) {
		const struct dev_rule *r = &rules[k];
		size_t start = len;
		decided = r->type == 'a' && (r->access & 7) == 7 && r->major < 0 && r->minor < 0;
		if (r->type != 'a')
			EMIT(JNE32_IMM(
				R2, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, 0));
		if ((r->access & 7) != 7) {
			/* every access asked for must be one the rule names */
			EMIT(MOV64_REG(R1, R3));
			EMIT(AND64_IMM(R1, (int32_t)~r->access));
			EMIT(JNE64_IMM(R1, 0, 0));
		}
		if (r->major >= 0)
			EMIT(JNE32_IMM(R4, (int32_t)(uint32_t)r->major, 0));
		if (r->minor >= 0)
			EMIT(JNE32_IMM(R5, (int32_t)(uint32_t)r->minor, 0));
		EMIT(MOV64_IMM(R0, r->allow ? 1 : 0));
		EMIT(EXIT());
		/* every "not this rule" jump lands on the next rule */
		for (size_t i = start; i < len; i++) {
			unsigned cls = BPF_CLASS(out[i].code);
			if ((cls == BPF_JMP || cls == BPF_JMP32) && BPF_OP(out[i].code) == BPF_JNE)
				out[i].off = (int16_t)(len - i - 1);
		}
	}
	if (!decided) { /* the verifier refuses code nothing jumps to */
		EMIT(MOV64_IMM(R0, 0));
		EMIT(EXIT());
	}
#undef EMIT
	return len;
}

static int load(const struct sbx_config *cfg, sbx_error *err)
{
	struct dev_rule rules[CONF_DEVICE_RULES_MAX + 16];
	size_t n = conf_device_rules(cfg, rules, sizeof(rules) / sizeof(*rules));
	struct bpf_insn prog[1024];
	size_t len = devices_build_prog(rules, n, prog, sizeof(prog) / sizeof(*prog));
	if (!len)
		return err_setx(err, SBX_STAGE_PREPARE, E2BIG, "device filter: too many rules");
	char log[4096] = "";
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log, .log_size = sizeof(log),
		    .log_level = 0);
	int fd = bpf_prog_load(BPF_PROG_TYPE_CGROUP_DEVICE, "sbx_devices", "Dual BSD/GPL", prog,
			       len, &opts);
	if (fd < 0)
		return err_setx(err, SBX_STAGE_PREPARE, -fd,
				"device filter: load eBPF program: %s%s%s", strerror(-fd),
				log[0] ? ": " : "", log);
	return fd;
}

int devices_attach_bpf(const struct sbx_config *cfg, int cgroup_fd, sbx_error *err)
{
	/* the cache is the one field a spawn writes in its const configuration:
	 * concurrent spawns may both load, one keeps its program */
	int *cache = (int *)&cfg->dev_prog_fd;
	int fd = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
	if (fd < 0) {
		int mine = load(cfg, err);
		if (mine < 0)
			return mine;
		int expected = -1;
		if (__atomic_compare_exchange_n(cache, &expected, mine, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			fd = mine;
		} else {
			close(mine);
			fd = expected;
		}
	}
	/* the attachment keeps the program alive with the cgroup */
	int r = bpf_prog_attach(fd, cgroup_fd, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI);
	if (r < 0)
		return err_setx(err, SBX_STAGE_PREPARE, -r,
				"device filter: attach to the cgroup: %s", strerror(-r));
	return 0;
}

static void rule_text(const struct dev_rule *r, char *buf, size_t len)
{
	char maj[24] = "*", min[24] = "*", acc[4];
	size_t a = 0;
	if (r->major >= 0)
		snprintf(maj, sizeof(maj), "%lld", (long long)r->major);
	if (r->minor >= 0)
		snprintf(min, sizeof(min), "%lld", (long long)r->minor);
	if (r->access & DEV_ACC_READ)
		acc[a++] = 'r';
	if (r->access & DEV_ACC_WRITE)
		acc[a++] = 'w';
	if (r->access & DEV_ACC_MKNOD)
		acc[a++] = 'm';
	acc[a] = 0;
	if (r->type == 'a')
		snprintf(buf, len, "a");
	else
		snprintf(buf, len, "%c %s:%s %s", r->type, maj, min, acc);
}

int devices_write_v1(int dirfd, const struct dev_rule *rules, size_t n, sbx_error *err)
{
	struct {
		const char *file;
		char text[64];
	} w[CONF_DEVICE_RULES_MAX + 17];
	size_t k = 0;
	w[k].file = "devices.deny";
	snprintf(w[k++].text, sizeof(w[0].text), "a");
	for (size_t i = 0; i < n && k < sizeof(w) / sizeof(*w); i++, k++) {
		w[k].file = rules[i].allow ? "devices.allow" : "devices.deny";
		rule_text(&rules[i], w[k].text, sizeof(w[k].text));
	}
	for (size_t i = 0; i < k; i++) {
		_cleanup_close_ int fd = openat(dirfd, w[i].file, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, w[i].text, strlen(w[i].text)) < 0)
			return err_set(err, SBX_STAGE_PREPARE, errno, "device filter: %s \"%s\"",
				       w[i].file, w[i].text);
	}
	return 0;
}
