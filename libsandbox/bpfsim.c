/* A classic BPF interpreter, for seccomp programs: the data is a struct
 * seccomp_data, loads are 32-bit and aligned, jumps go forward. It refuses
 * what the kernel's checker would refuse rather than guess. */
#include "config.h"

#include <string.h>

#include "bpfsim.h"

uint32_t bpfsim_run(const struct sock_filter *prog, size_t len, const struct seccomp_data *d,
		    int *bad)
{
	uint32_t A = 0, X = 0, M[BPF_MEMWORDS] = {0};
	const unsigned char *data = (const unsigned char *)d;
	*bad = 0;
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &prog[pc];
		uint32_t k = f->k, src = BPF_SRC(f->code) == BPF_X ? X : k;
		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
		case BPF_LDX: {
			uint32_t v;
			switch (BPF_MODE(f->code)) {
			case BPF_ABS:
				if (BPF_SIZE(f->code) != BPF_W || k % 4 || k + 4 > sizeof(*d))
					goto invalid;
				memcpy(&v, data + k, 4);
				break;
			case BPF_IMM:
				v = k;
				break;
			case BPF_MEM:
				if (k >= BPF_MEMWORDS)
					goto invalid;
				v = M[k];
				break;
			case BPF_LEN:
				v = sizeof(*d);
				break;
			default:
				goto invalid;
			}
			if (BPF_CLASS(f->code) == BPF_LD)
				A = v;
			else
				X = v;
			break;
		}
		case BPF_ST:
		case BPF_STX:
			if (k >= BPF_MEMWORDS)
				goto invalid;
			M[k] = BPF_CLASS(f->code) == BPF_ST ? A : X;
			break;
		case BPF_ALU:
			switch (BPF_OP(f->code)) {
			case BPF_ADD:
				A += src;
				break;
			case BPF_SUB:
				A -= src;
				break;
			case BPF_MUL:
				A *= src;
				break;
			case BPF_DIV:
				if (!src)
					goto invalid;
				A /= src;
				break;
			case BPF_MOD:
				if (!src)
					goto invalid;
				A %= src;
				break;
			case BPF_OR:
				A |= src;
				break;
			case BPF_AND:
				A &= src;
				break;
			case BPF_XOR:
				A ^= src;
				break;
			case BPF_LSH:
				A = src < 32 ? A << src : 0;
				break;
			case BPF_RSH:
				A = src < 32 ? A >> src : 0;
				break;
			case BPF_NEG:
				A = -A;
				break;
			default:
				goto invalid;
			}
			break;
		case BPF_JMP: {
			if (BPF_OP(f->code) == BPF_JA) {
				if (pc + 1 + k >= len)
					goto invalid;
				pc += k;
				break;
			}
			int t;
			switch (BPF_OP(f->code)) {
			case BPF_JEQ:
				t = A == src;
				break;
			case BPF_JGT:
				t = A > src;
				break;
			case BPF_JGE:
				t = A >= src;
				break;
			case BPF_JSET:
				t = (A & src) != 0;
				break;
			default:
				goto invalid;
			}
			size_t off = t ? f->jt : f->jf;
			if (pc + 1 + off >= len)
				goto invalid;
			pc += off;
			break;
		}
		case BPF_RET:
			return BPF_RVAL(f->code) == BPF_A ? A : k;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				X = A;
			else
				A = X;
			break;
		default:
			goto invalid;
		}
	}
invalid:
	*bad = 1;
	return SECCOMP_RET_KILL_PROCESS;
}
