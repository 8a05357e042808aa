#!/bin/bash
# Runs the project's benchmarks and, if the workplace's reference harness is
# there (../shared/bench, next to the source tree), the whole-process peer
# comparison against the kernel floor with sandboxd added as a peer.
#   bench/run.sh BUILDDIR            full run (a few minutes)
#   QUICK=1 bench/run.sh BUILDDIR    rough numbers in under a minute
set -euo pipefail
B=$(cd "${1:?usage: run.sh BUILDDIR}" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$B/bench/out/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
Q=""
[ "${QUICK:-0}" = 1 ] && Q=-q
{
	echo "date: $(date -u +%FT%TZ)  kernel: $(uname -r)  cpus: $(nproc)  uid: $(id -u)"
	echo "loadavg: $(cut -d' ' -f1-3 /proc/loadavg)"
	for t in bwrap unshare; do command -v $t >/dev/null && echo "$t: $($t --version 2>&1 | head -1)"; done
	echo "sandboxd: $(file -b "$B/sandboxd" | cut -d, -f1-2)"
} | tee "$OUT/env.txt"

# the shipped container-default policy, and the same filter for bwrap
POLICY="$SRC/policies/container-default.policy"
SANDBOXD_POLICY_DIR="$SRC/policies" "$B/sandboxd" policy export "$POLICY" -o "$OUT/container-default.bpf"

echo
echo "== spawn latency"
"$B/bench/spawn" $Q -s "$B/sandboxd" -p "$POLICY" -f "$OUT/container-default.bpf" \
	-t "$OUT/spawn.tsv" | tee "$OUT/spawn.txt"

echo
echo "== channels: round trips, and an 8 MiB frame handed over"
"$B/bench/chan" $Q -P same | tee "$OUT/chan.txt"
"$B/bench/chan" $Q -P cross | tee -a "$OUT/chan.txt"

echo
echo "== the video decoder example: frames per second, sandboxed against in-process"
"$B/examples/video-decoder/mkclip" -w 640 -h 480 -n 120 "$OUT/clip640.mjpg"
for mode in "" --strict; do
	SANDBOXD_POLICY_DIR="$SRC/policies" "$B/examples/video-decoder/video-host" --bench $mode \
		"$OUT/clip640.mjpg" | sed "s/^/${mode:-filter} unpinned: /" | tee -a "$OUT/video.txt"
	SANDBOXD_POLICY_DIR="$SRC/policies" taskset -c 0 "$B/examples/video-decoder/video-host" \
		--bench $mode "$OUT/clip640.mjpg" | sed "s/^/${mode:-filter} one CPU: /" |
		tee -a "$OUT/video.txt"
done

echo
echo "== the renderer example: a 1920x1080 frame handed to the kernel"
"$B/examples/renderer/browser-kernel" --bench | tee "$OUT/renderer.txt"

echo
echo "== seccomp: per-call cost and compile cost"
"$B/bench/syscall" $Q -p "$SRC/policies" | tee "$OUT/syscall.txt"

if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	echo
	echo "== the microVM backend's VMM: VM creation to first instruction and back, its memory"
	"$B/bench/vm" -n "$([ -n "$Q" ] && echo 30 || echo 200)" "$B/tests/vm/reset.bzImage" |
		tee "$OUT/vm.txt"
	# as sandboxd runs it: in its jail
	"$B/bench/vm" -n "$([ -n "$Q" ] && echo 30 || echo 100)" -j "$SRC/policies/vmm.policy" \
		"$B/tests/vm/reset.bzImage" | tee -a "$OUT/vm.txt"
fi

if [ "$(id -u)" = 0 ]; then
	echo
	echo "== spawn latency, 50 ms idle before each spawn (the cold cgroup attach)"
	"$B/bench/spawn" $Q -r 3 -b 20 -g 50 -t "$OUT/spawn-gap.tsv" | tee "$OUT/spawn-gap.txt"
fi

FLOOR=${FLOOR_HARNESS:-$SRC/../shared/bench/run.sh}
if [ -x "$FLOOR" ] && [ "$(id -u)" = 0 ]; then
	echo
	echo "== against the kernel floor (reference harness: $FLOOR)"
	printf '{"process": {"args": ["/bin/true"]}}\n' >"$OUT/true.json"
	# an OCI bundle like the harness's crun and runc ones: busybox `true` in
	# a root filesystem, the config `sandboxd spec` writes (a user namespace,
	# runc's mounts, masked and read-only paths), and the same with the
	# shipped container-default policy, as theirs get a Docker-like profile
	mkdir -p "$OUT/oci/rootfs/bin"
	cp "$(command -v busybox)" "$OUT/oci/rootfs/bin/busybox"
	ln -sf busybox "$OUT/oci/rootfs/bin/true"
	chown -R 65534:65534 "$OUT/oci/rootfs"
	"$B/sandboxd" spec --bundle "$OUT/oci"
	sed -i 's/"args": \["sh"\]/"args": ["\/bin\/true"]/' "$OUT/oci/config.json"
	sed 's/^{/{"sandbox": {"policy": "container-default"},/' "$OUT/oci/config.json" \
		>"$OUT/oci/config-sec.json"
	EXTRA_PEERS="sandboxd=$B/sandboxd run $OUT/true.json
sandboxd-oci=$B/sandboxd run $OUT/oci/config.json
sandboxd-oci+sec=$B/sandboxd run $OUT/oci/config-sec.json" SECTIONS=peers \
		SANDBOXD_POLICY_DIR="$SRC/policies" \
		QUICK=${QUICK:-0} OUT="$OUT/floor" bash "$FLOOR" 2>"$OUT/floor.log" |
		sed -n '/SUMMARY/,$p' | tee "$OUT/floor.txt"
else
	echo "(floor comparison skipped: needs root and $FLOOR)"
fi
echo "raw output: $OUT"
