#!/bin/bash
# A real OCI client: podman (Debian's) running a busybox image, imported
# offline from a tarball, with --runtime pointing at the built sandboxd.
# Everything podman keeps (storage, run state, tmpdir) lives in a scratch
# directory; its mounts in a mount namespace of its own; its cgroups
# beneath our own (--cgroup-parent), and what it made there is removed at
# the end.
. "${SBX_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
SBXD=${SBX_SANDBOXD:?SBX_SANDBOXD must point at the built sandboxd}
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: podman as root only here (rootless podman needs subordinate ids)" >&2
	exit 77
fi
if ! command -v podman >/dev/null || ! command -v conmon >/dev/null; then
	echo "SKIP: podman or conmon is not installed (scripts/install-deps.sh installs them)" >&2
	exit 77
fi
T=$(mktemp -d /var/tmp/sbx-podman.XXXXXX)
chmod 755 "$T"
cd "$T" # conmon leaves an "oom" file in its working directory after an OOM kill

# podman makes <parent>/conmon and <parent>/libpod-<id> in every
# hierarchy: a parent beneath our own memory cgroup (the others are at
# their roots, which are ours), remembered so that only what it made goes
own_mem=$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)
PARENT="${own_mem%/}/sbx-podman-$$"
made=()
for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
	d="$h${PARENT#/}"
	top="$h$(echo "${PARENT#/}" | cut -d/ -f1)"
	[ -e "$top" ] || made+=("$top")
	[ -e "$d" ] || made+=("$d")
done
cleanup() {
	for id in $(podman_ ps -aq 2>/dev/null); do podman_ rm -f "$id" >/dev/null 2>&1; done
	for d in "${made[@]}"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
# in a mount namespace of its own: the mounts podman makes for a container
# (its /dev/shm) must not show in the mount table of the tests running
# beside this one
PODMAN=(unshare --mount --propagation private podman --root "$T/storage" --runroot "$T/run"
	--tmpdir "$T/tmp" --storage-driver vfs --cgroup-manager cgroupfs --events-backend file)
podman_() { "${PODMAN[@]}" "$@"; }
# podman's default rlimits (nofile 1048576, nproc 32768) need
# CAP_SYS_RESOURCE, which this machine's root lacks: crun fails on them
# the same way
RUN=("${PODMAN[@]}" --runtime "$SBXD" run --rm --network none --cgroup-parent "$PARENT"
	--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

# the image: busybox-static and its applets, as a tarball
mkdir -p "$T/rootfs/bin"
cp /bin/busybox "$T/rootfs/bin/"
for a in $("$T/rootfs/bin/busybox" --list); do
	[ "$a" = busybox ] || ln -s busybox "$T/rootfs/bin/$a"
done
tar -C "$T/rootfs" -cf "$T/busybox.tar" .
run podman_ import "$T/busybox.tar" localhost/sbx-busybox:test
check "image imported offline (rc=$rc, err=$err)" [ "$rc" = 0 ]

run "${RUN[@]}" localhost/sbx-busybox:test echo hello from sandboxd
check "podman run --rm (rc=$rc, err=$err)" [ "$rc" = 0 ]
check "stdout comes back ($out)" [ "$out" = "hello from sandboxd" ]

run "${RUN[@]}" localhost/sbx-busybox:test sh -c 'echo to-stderr >&2; exit 3'
check "exit code passed through (rc=$rc)" [ "$rc" = 3 ]
check "stderr comes back ($err)" contains "$err" "to-stderr"

run "${RUN[@]}" localhost/sbx-busybox:test sh -c 'echo pid=$$; hostname; ls /proc | grep -c "^[0-9]"'
check "its own pid namespace ($out)" contains "$out" "pid=1"

# --memory: a 32 MiB limit stops a 100 MB allocation; without it, it runs
hog='x=$(head -c 100000000 /dev/zero | tr "\0" a); echo survived'
run "${RUN[@]}" --memory 32m localhost/sbx-busybox:test sh -c "$hog"
check "--memory 32m: the hog is OOM-killed (rc=$rc, out=$out)" [ "$rc" != 0 ]
check "--memory 32m: it did not survive ($out)" [ "$out" != survived ]
run "${RUN[@]}" localhost/sbx-busybox:test sh -c "$hog"
check "without --memory it survives (rc=$rc, err=$err)" [ "$out" = survived ]

# -it: conmon passes --console-socket; the terminal is made inside, from the
# container's own devpts (script(1) gives podman the terminal it wants)
printf '%q ' "${RUN[@]}" -it localhost/sbx-busybox:test \
	sh -c 'tty; test -t 0 && echo stdin-is-a-tty; exit 5' >"$T/it.sh"
# (script's input stays open meanwhile: at its end podman would hang up)
run bash -c "sleep 5 | timeout 60 script -qec 'bash $T/it.sh' /dev/null"
check "podman run -it: exit code (rc=$rc, err=$err)" [ "$rc" = 5 ]
check "podman run -it: a terminal from the container's devpts ($out)" contains "$out" "/dev/pts/0"
check "podman run -it: stdin is the terminal ($out)" contains "$out" "stdin-is-a-tty"
run podman_ ps -a --format '{{.ID}}'
check "nothing left in podman ($out)" [ -z "$out" ]
check "no children left" no_children
finish
