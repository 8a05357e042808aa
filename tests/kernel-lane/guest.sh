#!/bin/bash
# The kernel lane inside the guest (a Debian kernel under qemu): a pure
# cgroup v2 hierarchy with every controller given to the root's children,
# /dev/kvm from kvm_amd, then the selected tests of the host's build tree
# (seen through the overlay) run with `make check`. Their logs and the exit
# status go back to the host in /lane-out.
set -u
OUT=/lane-out
# shellcheck source=/dev/null
. "$OUT/lane.env" # SBX_LANE_BUILD, SBX_LANE_TESTS, SBX_LANE_JOBS, SBX_LANE_GUEST_TIMEOUT, SBX_VM_KERNEL, SBX_VM_CLOUD_KERNEL
export SBX_VM_KERNEL SBX_VM_CLOUD_KERNEL
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
finish() {
	dmesg >"$OUT/dmesg.log" 2>&1
	echo "$1" >"$OUT/status"
	sync
	echo o >/proc/sysrq-trigger # power off
	sleep 60
}
trap 'finish 125' ERR

mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /dev/pts /dev/shm /dev/mqueue
# what udev would make: /dev/fd and the standard streams
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t mqueue mqueue /dev/mqueue
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
hostname kernel-lane
ip link set lo up 2>/dev/null || true

# every controller the kernel has, for the root's children
for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
	echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control
done

{
	echo "kernel: $(uname -r) ($(uname -v))"
	echo "cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
	echo "delegated to children: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
	echo "cgroup v1 hierarchies: $(grep -c ' - cgroup ' /proc/self/mountinfo)"
	if [ -c /dev/kvm ]; then
		# A VM with an irqchip and a vCPU, kept until power-off. The
		# first VM switches static keys on (preempt notifiers, the
		# LAPIC's); each switch patches kernel text while the other CPU
		# runs, and qemu's multi-threaded TCG was seen to lock both CPUs
		# up doing that under load (soft lockups at the patched site).
		# Held, the keys switch once, here, and never during the tests.
		# KVM_GET_API_VERSION, KVM_CREATE_VM, KVM_CREATE_IRQCHIP,
		# KVM_CREATE_VCPU:
		python3 -c 'import fcntl, os, signal
k = os.open("/dev/kvm", os.O_RDWR)
api = fcntl.ioctl(k, 0xAE00)
vm = fcntl.ioctl(k, 0xAE01, 0)
fcntl.ioctl(vm, 0xAE60)
fcntl.ioctl(vm, 0xAE41, 0)
print("api %d, KVM_CREATE_VM fd %d, held by pid %d" % (api, vm, os.getpid()), flush=True)
os.close(1)
signal.pause()' >"$OUT/kvm-holder" 2>&1 &
		for _ in $(seq 100); do [ -s "$OUT/kvm-holder" ] && break; sleep 0.1; done
		echo "/dev/kvm: kvm_amd nested=$(cat /sys/module/kvm_amd/parameters/nested 2>/dev/null), $(cat "$OUT/kvm-holder")"
	else
		echo "/dev/kvm: missing"
	fi
	echo "cpus: $(nproc), memory: $(($(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo) / 1024)) MiB"
} | tee "$OUT/lane-report"

# check_limits asserts that each limit came from here, not elsewhere
export SBX_EXPECT_CGROUPS="memory:v2 pids:v2 cpu:v2 cpuset:v2 io:v2 cpu-time:v2 kill:v2 devices:v2-bpf"
cd "$SBX_LANE_BUILD" || finish 125
trap - ERR
# a test is running while its .log exists without its .trs
running() {
	for t in $SBX_LANE_TESTS; do
		[ -f "$t.log" ] && [ ! -f "$t.trs" ] && printf ' %s' "$t"
	done
}
# a line on the console every minute, so a slow or stuck lane shows where
(
	start=$SECONDS
	while sleep 60; do
		echo "kernel lane: $((SECONDS - start))s, running:$(running)"
	done
) &
progress=$!
# our own deadline, ahead of the host's, so a stuck test is named and its
# log comes back instead of the host killing qemu with nothing to show
# and each test under a deadline of its own (run-test), timed
export SBX_LANE_TEST_TIMEOUT=$((SBX_LANE_GUEST_TIMEOUT * 2 / 3)) SBX_LANE_TIMES=$OUT/times
: >"$SBX_LANE_TIMES"
timeout -k 10 "$SBX_LANE_GUEST_TIMEOUT" make -s -j"$SBX_LANE_JOBS" check TESTS="$SBX_LANE_TESTS" \
	LOG_COMPILER="$OUT/run-test" 2>&1
rc=$?
kill "$progress"
# what failed, from each failed test's log, here on the console: CI shows
# the console, not the logs that go back to the host
for t in $SBX_LANE_TESTS; do
	grep -q '^:test-result: \(FAIL\|ERROR\)' "$t.trs" 2>/dev/null || continue
	echo "---- kernel lane: $t failed:"
	grep -E '^FAIL: |:[FE]:|^SKIP: ' "$t.log" | head -n 20
	echo "---- (its log's last lines)"
	tail -n 8 "$t.log"
done
echo "kernel lane: time per test (in parallel, $SBX_LANE_JOBS at a time):"
sort -rn "$SBX_LANE_TIMES" | sed 's/^/  /'
mkdir -p "$OUT/logs"
# the held VM must have lasted the whole run, or the keys may have switched
holder=$(sed -n 's/.*held by pid \([0-9]*\)$/\1/p' "$OUT/kvm-holder" 2>/dev/null)
if [ -c /dev/kvm ] && ! { [ -n "$holder" ] && kill -0 "$holder"; }; then
	echo "kernel lane: the VM held against static-key switches did not last the run: $(cat "$OUT/kvm-holder")"
	[ "$rc" = 0 ] && rc=1
fi
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	stuck=$(running)
	echo "kernel lane: the tests did not finish within ${SBX_LANE_GUEST_TIMEOUT}s; unfinished:$stuck" |
		tee "$OUT/timeout"
	for t in $stuck; do
		echo "---- the end of $t.log"
		tail -n 30 "$t.log"
	done
	rc=124
fi
for t in $SBX_LANE_TESTS; do
	cp "$t.log" "$OUT/logs/$(basename "$t").log" 2>/dev/null
done
finish "$rc"
