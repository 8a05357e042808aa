#!/bin/bash
# The kernel lane's own failures: each says what is missing, exits 1 and
# leaves nothing in its cache. (The lane itself runs with make check-kernel.)
. "${SBX_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
LANE=${SBX_SRCDIR:?}/tests/kernel-lane/lane.sh
T=$(mktemp -d /var/tmp/sbx-lane.XXXXXX)
trap 'rm -rf "$T"' EXIT
export SBX_LANE_CACHE=$T/cache SBX_LANE_TESTS=tests/check_conf
BUILD=${SBX_BUILDDIR:?}

# a PATH without qemu (every other tool the lane needs is there)
mkdir "$T/bin"
for c in bash busybox cpio depmod modprobe ldd apt-cache apt-get dpkg dirname mktemp; do
	p=$(command -v "$c") && ln -s "$p" "$T/bin/$c"
done
run env PATH="$T/bin" SBX_LANE_BUILD="$BUILD" "$T/bin/bash" "$LANE"
check "without qemu: exit 1 (rc=$rc)" [ "$rc" = 1 ]
check "and says which package ($err)" contains "$err" "needs qemu-system-x86_64 (Debian package qemu-system-x86)"

if command -v qemu-system-x86_64 >/dev/null && command -v depmod >/dev/null; then
	run env SBX_LANE_BUILD="$BUILD" SBX_LANE_KERNEL=linux-image-no-such-kernel bash "$LANE"
	check "an unknown kernel package: exit 1 (rc=$rc)" [ "$rc" = 1 ]
	check "and says so ($err)" contains "$err" "apt-get download linux-image-no-such-kernel failed"
	check "nothing left in the cache ($(ls -A "$T/cache"))" [ -z "$(ls -A "$T/cache")" ]

	run env SBX_LANE_BUILD="$T" bash "$LANE"
	check "not a build tree: exit 1 (rc=$rc)" [ "$rc" = 1 ]
	check "and says so ($err)" contains "$err" "$T is not a configured build tree"
else
	note "the lane's tools (qemu-system-x86, kmod) are not installed: only the first case ran"
fi
finish
