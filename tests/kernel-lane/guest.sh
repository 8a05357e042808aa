#!/bin/bash
# The kernel lane inside the guest (a Debian kernel under qemu): a pure
# cgroup v2 hierarchy with every controller given to the root's children,
# /dev/kvm from kvm_amd, then the selected tests of the host's build tree
# (seen through the overlay) run with `make check`. Their logs and the exit
# status go back to the host in /lane-out.
set -u
OUT=/lane-out
# shellcheck source=/dev/null
. "$OUT/lane.env" # SBX_LANE_BUILD, SBX_LANE_TESTS, SBX_LANE_JOBS
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
		# KVM_GET_API_VERSION, then KVM_CREATE_VM: a VM can be made
		vm=$(python3 -c 'import fcntl, os
k = os.open("/dev/kvm", os.O_RDWR)
print("api %d, KVM_CREATE_VM fd %d" % (fcntl.ioctl(k, 0xAE00), fcntl.ioctl(k, 0xAE01, 0)))' 2>&1)
		echo "/dev/kvm: kvm_amd nested=$(cat /sys/module/kvm_amd/parameters/nested 2>/dev/null), $vm"
	else
		echo "/dev/kvm: missing"
	fi
	echo "cpus: $(nproc), memory: $(($(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo) / 1024)) MiB"
} | tee "$OUT/lane-report"

# check_limits asserts that each limit came from here, not elsewhere
export SBX_EXPECT_CGROUPS="memory:v2 pids:v2 cpu:v2 cpuset:v2 io:v2 cpu-time:v2 kill:v2 devices:v2-bpf"
cd "$SBX_LANE_BUILD" || finish 125
trap - ERR
make -s -j"$SBX_LANE_JOBS" check TESTS="$SBX_LANE_TESTS" 2>&1
rc=$?
mkdir -p "$OUT/logs"
for t in $SBX_LANE_TESTS; do
	cp "$t.log" "$OUT/logs/$(basename "$t").log" 2>/dev/null
done
finish "$rc"
