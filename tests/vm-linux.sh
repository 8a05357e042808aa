#!/bin/bash
# A stock Linux kernel booted in the VMM (runtime/vm/): Debian's kernel with
# an initramfs holding only the project's static init, which prints who it
# is and what the command line gave it, then reboots. Needs a KVM that boots
# Linux (kvm_intel, kvm_amd: the kernel lane) and a kernel: SBX_VM_KERNEL,
# which the kernel lane sets to the kernel it boots itself.
. "${SBX_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
B=${SBX_BUILDDIR:?}
host=$("${SBX_SANDBOXD:?}" check --json)
if ! contains "$host" '"kvm_boots_linux": "yes"'; then
	module=$(sed -n 's/.*"kvm_module": "\(.*\)".*/\1/p' <<<"$host")
	echo "SKIP: this host's KVM (${module:-none}) cannot boot Linux guests; the kernel lane (make check-kernel) runs this" >&2
	exit 77
fi
if [ -z "${SBX_VM_KERNEL:-}" ]; then
	echo "SKIP: SBX_VM_KERNEL names no kernel to boot (the kernel lane sets it)" >&2
	exit 77
fi
for t in cpio gzip; do
	command -v $t >/dev/null || { fail "$t is needed to build the initramfs (scripts/install-deps.sh)"; finish; }
done
T=$(mktemp -d /var/tmp/sbx-vmlinux.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/root/dev"
cp "$B/tests/vm/hello-init" "$T/root/init"
(cd "$T/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$T/initrd.img"
release=$(uname -r) # the lane boots its guest with the same kernel

# 1. boots to init, which sees the command line, and ends by rebooting
token=t$RANDOM$$
run "$B/tests/vmboot" "$SBX_VM_KERNEL" "$T/initrd.img" "console=ttyS0 reboot=k panic=-1 token=$token" 120000 256
printf '%s\n' "$out" >&2
check "the VM ran (rc=$rc, $err)" [ "$rc" = 0 ]
check "Linux reached init, which saw its command line ($err)" \
	contains "$out" "hello-init: pid 1, Linux $release, token $token"
check "and ended by the reset line ($err)" contains "$err" "end=reset"
check "the kernel found the 8250 the VMM offers" grep -q 'ttyS0 at I/O 0x3f8 (irq = 4, base_baud = 115200) is a 16550A' <<<"$out"
check "the kernel knew it runs on KVM (the hypervisor bit)" contains "$out" "Booting paravirtualized kernel on KVM"
echo "boot to reset: $(sed -n 's/.*wall_ms=\([0-9]*\).*/\1/p' <<<"$err") ms (nested, under software emulation)" >&2

# 2. a kernel whose init is missing panics and (panic=-1) resets at once
mkdir -p "$T/empty/dev"
(cd "$T/empty" && find . | cpio -o -H newc --quiet | gzip -1) >"$T/empty.img"
run "$B/tests/vmboot" "$SBX_VM_KERNEL" "$T/empty.img" "console=ttyS0 reboot=k panic=-1" 120000 256
check "a guest without init panics (${out: -300})" contains "$out" "Kernel panic"
check "and the VMM ends it ($err)" contains "$err" "end=reset"

# 3. the wall-time limit stops a booting kernel and says so
start=$SECONDS
run "$B/tests/vmboot" "$SBX_VM_KERNEL" "$T/initrd.img" "console=ttyS0 reboot=k panic=-1" 2000 256
check "the wall-time limit ends a booting kernel ($err)" contains "$err" "end=wall-time-limit"
check "promptly ($((SECONDS - start)) s)" [ $((SECONDS - start)) -le 10 ]
check "before init ran" lacks "$out" "hello-init"
check "no child is left behind" no_children
finish
