#!/bin/bash
# The kernel lane, host side (`make check-kernel`): runs selected tests of a
# built tree on a pure cgroup v2 Linux with a working /dev/kvm, which this
# host (hybrid cgroups, paravirtual KVM) cannot give.
#
#   1. a Debian kernel package, fetched with apt-get download and unpacked
#      with dpkg -x (never installed on the host), cached between runs;
#   2. an initramfs: busybox-static, the modules the lane needs (9p over
#      virtio-pci, overlay, kvm_amd) and init;
#   3. qemu-system-x86_64 with software emulation and -cpu max (which offers
#      AMD-V, so kvm_amd gives a /dev/kvm that boots Linux guests), the
#      host's root shared read-only over 9p under a tmpfs overlay, and a
#      writable result directory;
#   4. guest.sh inside runs `make check TESTS=...` in the build tree and
#      powers off; its status is ours.
#
# Environment: SBX_LANE_BUILD (the build tree, default: the current
# directory), SBX_LANE_TESTS (test names as in TESTS), SBX_LANE_TIMEOUT
# (seconds, 1800), SBX_LANE_CACHE (where kernels are kept), SBX_LANE_KERNEL
# (a Debian kernel package name instead of linux-image-amd64's), SBX_LANE_MEM
# (MiB, 4096).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "${SBX_LANE_BUILD:-.}" && pwd)
TESTS=${SBX_LANE_TESTS:?SBX_LANE_TESTS names the tests to run}
TIMEOUT=${SBX_LANE_TIMEOUT:-1800}
CACHE=${SBX_LANE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sandboxd/kernel-lane}
MEM=${SBX_LANE_MEM:-4096}
# 9p over virtio-pci and overlay for the root, kvm_amd for /dev/kvm, loop
# for the block devices the device-filter tests open, virtio_net for a
# network interface besides lo (which the network namespace tests compare)
MODULES="virtio_pci 9pnet_virtio 9p overlay kvm_amd loop virtio_net"

die() {
	echo "kernel lane: $*" >&2
	exit 1
}
need() { # need COMMAND PACKAGE
	command -v "$1" >/dev/null || die "needs $1 (Debian package $2): apt-get install $2"
}
need qemu-system-x86_64 qemu-system-x86
need busybox busybox-static
need cpio cpio
need depmod kmod
need modprobe kmod
[ -f "$BUILD/Makefile" ] || die "$BUILD is not a configured build tree"
busybox_bin=$(command -v busybox)
! ldd "$busybox_bin" >/dev/null 2>&1 ||
	die "$busybox_bin is not statically linked (install busybox-static)"

# ---- 1. the kernel: newest of linux-image-amd64's dependency, or the cache
kernel_package() {
	[ -n "${SBX_LANE_KERNEL:-}" ] && { echo "$SBX_LANE_KERNEL"; return; }
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -1
}
pkg=$(kernel_package || true)
if [ -z "$pkg" ]; then
	# apt knows no kernel (no package lists): use what the cache holds
	pkg=$(ls -1 "$CACHE" 2>/dev/null | grep '^linux-image-' | sort -V | tail -1 || true)
	[ -n "$pkg" ] || die "cannot find a Debian kernel package: apt-cache knows no linux-image-amd64 (run apt-get update) and $CACHE holds none"
fi
kdir=$CACHE/$pkg
if [ ! -d "$kdir" ]; then
	# fetched into a temporary directory, renamed into place when complete
	echo "kernel lane: fetching $pkg (apt-get download; not installed on this host)"
	mkdir -p "$CACHE"
	tmp=$(mktemp -d "$CACHE/.fetch.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null) ||
		die "apt-get download $pkg failed"
	dpkg -x "$tmp"/*.deb "$tmp/root" || die "dpkg -x of $pkg failed"
	kver=$(ls "$tmp/root/lib/modules")
	depmod -b "$tmp/root" "$kver" || die "depmod for $pkg failed"
	rm -f "$tmp"/*.deb
	mv "$tmp" "$kdir"
	trap - EXIT
fi
kver=$(ls "$kdir/root/lib/modules")
vmlinuz=$kdir/root/boot/vmlinuz-$kver
[ -f "$vmlinuz" ] || die "$pkg has no $vmlinuz"

# Debian's cloud kernel, as scripts/fetch-vm-kernel.sh gives a new user:
# tests/vm-linux.sh boots the agent with it too
cloud=$CACHE/cloud-vmlinuz
"$HERE/../../scripts/fetch-vm-kernel.sh" "$cloud" ||
	echo "kernel lane: no cloud kernel (scripts/fetch-vm-kernel.sh failed): tests/vm-linux.sh will say it skips it" >&2

# ---- 2. the initramfs
OUT=$BUILD/tests/kernel-lane.out
rm -rf "$OUT"
mkdir -p "$OUT/initramfs"/{bin,modules,proc,sys,dev}
trap 'rm -rf "$OUT/initramfs" "$OUT/initrd.img"' EXIT
cp "$busybox_bin" "$OUT/initramfs/bin/busybox"
install -m 0755 "$HERE/init" "$OUT/initramfs/init"
: >"$OUT/initramfs/modules/load-order"
for m in $MODULES; do
	modprobe -d "$kdir/root" -S "$kver" --show-depends "$m" | while read -r _ path _; do
		name=$(basename "$path")
		grep -qx "$name" "$OUT/initramfs/modules/load-order" && continue
		cp "$path" "$OUT/initramfs/modules/"
		echo "$name" >>"$OUT/initramfs/modules/load-order"
	done
done
(cd "$OUT/initramfs" && find . | cpio -o -H newc --quiet | gzip -1) >"$OUT/initrd.img"
rm -rf "$OUT/initramfs"

# ---- 3. what the guest runs
install -m 0755 "$HERE/guest.sh" "$HERE/run-test" "$OUT/"
{
	printf 'SBX_LANE_BUILD=%q\n' "$BUILD"
	printf 'SBX_LANE_TESTS=%q\n' "$TESTS"
	printf 'SBX_LANE_JOBS=%q\n' "$(nproc)"
	# the kernel the guest boots is the one tests/vm-linux.sh boots in our VMM
	printf 'SBX_VM_KERNEL=%q\n' "$vmlinuz"
	[ ! -s "$cloud" ] || printf 'SBX_VM_CLOUD_KERNEL=%q\n' "$cloud"
	# boot and power-off take well under a minute; the rest is for the tests
	printf 'SBX_LANE_GUEST_TIMEOUT=%q\n' "$((TIMEOUT > 120 ? TIMEOUT - 60 : TIMEOUT / 2))"
} >"$OUT/lane.env"

echo "kernel lane: booting $pkg under qemu (software emulation), tests: $TESTS"
set +e
timeout --foreground -k 10 "$TIMEOUT" qemu-system-x86_64 \
	-machine q35 -accel tcg,thread=multi -cpu max -smp "$(nproc)" -m "$MEM" \
	-nodefaults -no-user-config -display none -no-reboot \
	-serial stdio -kernel "$vmlinuz" -initrd "$OUT/initrd.img" \
	-append "console=ttyS0 panic=-1 loglevel=2 lsm=landlock,lockdown,yama,apparmor" \
	-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$OUT,mount_tag=out,security_model=none" \
	-netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0 \
	</dev/null 2>&1 | tee "$OUT/console.log"
qrc=${PIPESTATUS[0]}
set -e
[ "$qrc" = 124 ] && die "the guest did not finish within ${TIMEOUT}s (console: $OUT/console.log)"
[ -f "$OUT/init-error" ] && die "the guest could not start: $(cat "$OUT/init-error")"
[ -f "$OUT/status" ] || die "the guest ended without a status (qemu exit $qrc; console: $OUT/console.log)"
status=$(cat "$OUT/status")
[ -f "$OUT/timeout" ] && die "$(sed 's/^kernel lane: //' "$OUT/timeout") (their logs: $OUT/logs)"
echo "kernel lane: ran on"
sed 's/^/  /' "$OUT/lane-report"
echo "kernel lane: make check exited $status; logs, dmesg and console in $OUT"
if [ "$status" != 0 ]; then
	# last, where a reader of CI's output looks first
	grep -H -E '^FAIL: |:[FE]:' "$OUT"/logs/*.log 2>/dev/null | head -n 40 | sed 's/^/  /'
fi
exit "$status"
