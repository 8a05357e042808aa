#!/bin/bash
# CLI integration tests: sandboxd run as a user drives it.
. "${SBX_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
SBXD=${SBX_SANDBOXD:?SBX_SANDBOXD must point at the built sandboxd}
SRC=${SBX_SRCDIR:?}
T=$(mktemp -d /var/tmp/sbx-cli.XXXXXX)
chmod 755 "$T"
trap 'umount "$T/netns" 2>/dev/null; rm -rf "$T"' EXIT

spec() { # spec FILE JSON
	printf '%s\n' "$2" >"$T/$1"
}

# --- the shipped example shows the sandbox from inside
run "$SBXD" run "$SRC/examples/inside/spec.json"
check "example exits 0 (rc=$rc, err=$err)" [ "$rc" = 0 ]
check "example: pid 1" contains "$out" "pid:             1"
check "example: hostname" contains "$out" "hostname:        sandbox"
check "example: only lo" contains "$out" "net interfaces:  lo "
check "example: root read-only" contains "$out" "host root:       read-only"
check "example: private tmp" contains "$out" "/tmp:            tmpfs, 0 entries, writable: yes"
check "example: no capabilities" contains "$out" "capabilities:    0000000000000000"
check "example: uid 0 inside" contains "$out" "uid/gid inside:  0/0"

# --- exit status: passed through, 128+N for a signal
spec exit3.json '{"process": {"args": ["/bin/sh", "-c", "echo out; echo err >&2; exit 3"]}}'
run "$SBXD" run "$T/exit3.json"
check "exit code passed through (rc=$rc)" [ "$rc" = 3 ]
check "stdout passed through" [ "$out" = out ]
check "stderr passed through" [ "$err" = err ]

# pid 1 ignores its own SIGKILL, so without a pid namespace
spec kill.json '{"process": {"args": ["/bin/sh", "-c", "kill -KILL $$"]},
  "linux": {"namespaces": [{"type": "user"}, {"type": "mount"}]}}'
run "$SBXD" run "$T/kill.json"
check "killed by SIGKILL gives 137 (rc=$rc)" [ "$rc" = 137 ]

# --- stdin reaches the program; a spec can come from stdin
spec cat.json '{"process": {"args": ["/bin/cat"]}}'
out=$(echo "piped in" | "$SBXD" run "$T/cat.json")
check "stdin passed through" [ "$out" = "piped in" ]
out=$(echo '{"process": {"args": ["/bin/echo", "from stdin spec"]}}' | "$SBXD" run -)
check "spec from stdin" [ "$out" = "from stdin spec" ]

# --- exec failures: 127 not found, 126 not executable, with the reason
spec nf.json '{"process": {"args": ["no-such-program"], "env": ["PATH=/usr/bin:/bin"]}}'
run "$SBXD" run "$T/nf.json"
check "not found gives 127 (rc=$rc)" [ "$rc" = 127 ]
check "not found message ($err)" [ "$err" = "sandboxd: exec no-such-program: No such file or directory (searched PATH)" ]
spec nx.json '{"process": {"args": ["/etc/passwd"]}}'
run "$SBXD" run "$T/nx.json"
check "not executable gives 126 (rc=$rc)" [ "$rc" = 126 ]
check "not executable message ($err)" [ "$err" = "sandboxd: exec /etc/passwd: Permission denied" ]
spec cwd.json '{"process": {"args": ["/bin/true"], "cwd": "/nonexistent"}}'
run "$SBXD" run "$T/cwd.json"
check "bad cwd gives 125 (rc=$rc)" [ "$rc" = 125 ]
check "bad cwd message ($err)" [ "$err" = "sandboxd: chdir /nonexistent: No such file or directory" ]

# --- an OCI bundle: a busybox root filesystem, mounts, masked and read-only
# paths (owned by the uid the sandbox's root is on the host, as a
# user-namespaced container's is)
B="$T/bundle"
mkdir -p "$B/rootfs/bin" "$B/rootfs/etc"
cp /bin/busybox "$B/rootfs/bin/"
for a in sh ls cat touch grep hostname; do ln -s busybox "$B/rootfs/bin/$a"; done
echo "from the bundle" >"$B/rootfs/etc/motd"
[ "$(id -u)" = 0 ] && chown -R 65534:65534 "$B/rootfs"
spec bundle/config.json '{"ociVersion": "1.2.0",
  "process": {"args": ["sh", "-c", "cat /etc/motd; hostname; ls /; touch /x 2>&1; echo pid1=$(cat /proc/1/comm); cat /proc/keys | grep -c . ; touch /tmp/x 2>&1; true"],
    "env": ["PATH=/bin"], "cwd": "/"},
  "root": {"path": "rootfs", "readonly": true}, "hostname": "bundled",
  "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]}],
  "linux": {"maskedPaths": ["/proc/keys"], "readonlyPaths": ["/tmp"]}}'
run "$SBXD" run "$T/bundle/config.json"
check "bundle runs (rc=$rc, err=$err)" [ "$rc" = 0 ]
check "bundle: its root filesystem" contains "$out" "from the bundle"
check "bundle: hostname" contains "$out" "bundled"
check "bundle: mount targets made inside" contains "$out" "$(printf 'bin\ndev\netc\nproc\ntmp')"
check "bundle: root read-only" contains "$out" "touch: /x: Read-only file system"
check "bundle: its own /proc" contains "$out" "pid1=sh"
check "bundle: masked path reads empty" contains "$out" "$(printf '\n0\n')"
check "bundle: read-only path" contains "$out" "touch: /tmp/x: Read-only file system"

# --- linux.rootfsPropagation: the root mount's, as seen inside (the tree
# is private first: nothing reaches the host either way)
for prop in "" rshared runbindable rslave; do
	spec "bundle/prop-$prop.json" '{"process": {"args": ["sh", "-c", "while read -r id up dev root at rest; do [ $at = / ] && echo $rest; done </proc/self/mountinfo"], "env": ["PATH=/bin"]},
  "root": {"path": "rootfs"}, "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
  "linux": {"rootfsPropagation": "'"$prop"'"}}'
	run "$SBXD" run "$B/prop-$prop.json"
	case $prop in
	rshared) check "rootfsPropagation rshared ($out, $err)" contains "$out" " shared:" ;;
	runbindable) check "rootfsPropagation runbindable ($out, $err)" contains "$out" " unbindable " ;;
	*) checks "rootfsPropagation '$prop': private ($out, $err)" [ -n "$out" ] -- lacks "$out" " shared:" -- lacks "$out" " master:" ;;
	esac
done
spec bundle/prop-bad.json '{"process": {"args": ["true"]}, "root": {"path": "rootfs"}, "linux": {"rootfsPropagation": "rbind"}}'
run "$SBXD" run "$B/prop-bad.json"
check "a bad rootfsPropagation is named ($err)" [ "$err" = "sandboxd: $B/prop-bad.json: linux.rootfsPropagation: expected one of private, rprivate, slave, rslave, shared, rshared, unbindable, runbindable, got \"rbind\"" ]

# --- linux.devices: made with mknod without a user namespace (mode, owner
# as given), bound from the host in one; a FIFO always made; the node alone
# opens nothing, a device rule (linux.resources.devices) does
ln -s busybox "$B/rootfs/bin/stat"
devspec() { # devspec FILE NAMESPACES DEVICES [RESOURCES]
	spec "bundle/$1" '{"process": {"args": ["sh", "-c", "stat -c \"%n %F %t:%T %a\" /dev/net/tun /dev/fifo; stat -c %u:%g /dev/net/tun; cat /dev/net/tun 2>&1"],
    "env": ["PATH=/bin"]}, "root": {"path": "rootfs"},
  "mounts": [{"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]}],
  "linux": {"namespaces": '"$2"', "devices": '"$3"' '"${4:-}"'}}'
}
tun='{"path": "/dev/net/tun", "type": "c", "major": 10, "minor": 200, "fileMode": 438, "uid": 7, "gid": 8}'
fifo='{"path": "/dev/fifo", "type": "p", "fileMode": 384}'
userns='[{"type": "user"}, {"type": "mount"}, {"type": "pid"}]'
if [ "$(id -u)" = 0 ] && [ -c /dev/net/tun ]; then
	devspec dev-mknod.json '[{"type": "mount"}, {"type": "pid"}]' "[$tun, $fifo]"
	run "$SBXD" run "$B/dev-mknod.json"
	check "devices: made with mknod, mode and owner as given (rc=$rc, err=$err)" \
		[ "$(head -3 <<<"$out")" = "$(printf '/dev/net/tun character special file a:c8 666\n/dev/fifo fifo 0:0 600\n7:8')" ]
	check "devices: without a device rule it does not open ($out)" contains "$out" "can't open '/dev/net/tun': Operation not permitted"
	devspec dev-allowed.json '[{"type": "mount"}, {"type": "pid"}]' "[$tun, $fifo]" \
		', "resources": {"devices": [{"allow": true, "type": "c", "major": 10, "minor": 200, "access": "rw"}]}'
	run "$SBXD" run "$B/dev-allowed.json"
	# past the filter, what the driver says is its own (here: tun's "bad
	# state"; a kernel without the tun module loaded says no device)
	checks "devices: with one the filter lets it through ($out, $err)" \
		contains "$out" "7:8" -- lacks "$out" "Operation not permitted"
fi
if [ -c /dev/net/tun ]; then
	devspec dev-bind.json "$userns" "[$tun, $fifo]"
	run "$SBXD" run "$B/dev-bind.json"
	check "devices: in a user namespace, the host's node bound (rc=$rc, err=$err)" \
		[ "$(head -2 <<<"$out")" = "$(printf '/dev/net/tun character special file a:c8 600\n/dev/fifo fifo 0:0 600')" ]
fi
# a root container that keeps CAP_MKNOD without a user namespace gets a
# device filter all the same: the node it makes (the host's loop0) opens
# nothing
if [ "$(id -u)" = 0 ]; then
	ln -s busybox "$B/rootfs/bin/mknod"
	ln -s busybox "$B/rootfs/bin/head"
	mk='["CAP_MKNOD"]'
	spec bundle/dev-capmknod.json '{"process": {"args": ["sh", "-c", "mknod /dev/loop0 b 7 0 && head -c 1 /dev/loop0"],
    "env": ["PATH=/bin"], "capabilities": {"bounding": '"$mk"', "effective": '"$mk"', "permitted": '"$mk"'}},
  "root": {"path": "rootfs"},
  "mounts": [{"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]}],
  "linux": {"namespaces": [{"type": "mount"}, {"type": "pid"}]}}'
	run "$SBXD" run "$B/dev-capmknod.json"
	check "CAP_MKNOD kept: a made block device does not open ($out, $err)" \
		contains "$err" "head: /dev/loop0: Operation not permitted"
fi
devspec dev-none.json "$userns" '[{"path": "/dev/sbx-none", "type": "c", "major": 1, "minor": 3}]'
run "$SBXD" run "$B/dev-none.json"
check "devices: a node the host lacks, in a user namespace: 125 (rc=$rc)" [ "$rc" = 125 ]
check "says why ($err)" contains "$err" "/dev/sbx-none (c 1:3): in a new user namespace the kernel refuses mknod, and the host has no such device at /dev/sbx-none to bind"
devspec dev-bad.json "$userns" '[{"path": "/etc/tun", "type": "c", "major": 10, "minor": 200}]'
run "$SBXD" run "$B/dev-bad.json"
check "devices: only beneath /dev ($err)" [ "$err" = "sandboxd: $B/dev-bad.json: linux.devices[0]: must be beneath /dev" ]
devspec dev-bad2.json "$userns" '[{"path": "/dev/x", "type": "c", "minor": 200}]'
run "$SBXD" run "$B/dev-bad2.json"
check "devices: numbers required ($err)" [ "$err" = "sandboxd: $B/dev-bad2.json: linux.devices[0].major: required for a device of type c" ]
spec bundle/bad.json '{"process": {"args": ["sh"]}, "root": {"path": "rootfs"},
  "mounts": [{"destination": "/data", "type": "bind", "source": "no-such-dir"}]}'
run "$SBXD" run "$T/bundle/bad.json"
check "bad bind source gives 125 (rc=$rc)" [ "$rc" = 125 ]
check "bad bind source named ($err)" [ "$err" = "sandboxd: $T/bundle/bad.json: mounts[0].source: bind source \"$T/bundle/no-such-dir\": No such file or directory" ]

# --- linux.personality: LINUX32 makes uname say i686 on x86-64
if [ "$(uname -m)" = x86_64 ]; then
	spec pers.json '{"process": {"args": ["/bin/uname", "-m"]}, "linux": {"personality": {"domain": "LINUX32"}}}'
	run "$SBXD" run "$T/pers.json"
	check "personality LINUX32 (rc=$rc, err=$err)" [ "$out" = i686 ]
	spec pers64.json '{"process": {"args": ["/bin/uname", "-m"]}, "linux": {"personality": {"domain": "LINUX"}}}'
	run "$SBXD" run "$T/pers64.json"
	check "personality LINUX (rc=$rc, err=$err)" [ "$out" = x86_64 ]
fi

# --- linux.timeOffsets: the time namespace's clocks moved (uptime is the
# boot-time clock; python reads the monotonic one)
spec toff.json '{"process": {"args": ["/bin/sh", "-c", "cut -d. -f1 /proc/uptime; python3 -c \"import time; print(int(time.monotonic()))\""]},
  "linux": {"namespaces": [{"type": "user"}, {"type": "mount"}, {"type": "pid"}, {"type": "time"}],
  "timeOffsets": {"boottime": {"secs": 1000000000}, "monotonic": {"secs": 2000000000, "nanosecs": 5}}}}'
run "$SBXD" run "$T/toff.json"
up=$(sed -n 1p <<<"$out") mono=$(sed -n 2p <<<"$out")
checks "timeOffsets: boot-time clock moved ($out, $err)" [ "${up:-0}" -ge 1000000000 ] -- [ "${up:-0}" -lt 1100000000 ]
checks "timeOffsets: monotonic clock moved ($out)" [ "${mono:-0}" -ge 2000000000 ] -- [ "${mono:-0}" -lt 2100000000 ]
check "timeOffsets: the host's clock is not ($(cut -d. -f1 /proc/uptime))" [ "$(cut -d. -f1 /proc/uptime)" -lt 1000000000 ]
spec toff-neg.json '{"process": {"args": ["/bin/true"]},
  "linux": {"namespaces": [{"type": "user"}, {"type": "mount"}, {"type": "time"}],
  "timeOffsets": {"monotonic": {"secs": -2000000000}}}}'
run "$SBXD" run "$T/toff-neg.json"
checks "timeOffsets below zero: refused (rc=$rc, $err)" [ "$rc" = 125 ] -- contains "$err" "time namespace: set the clock offsets"

# --- domainname and umask
spec uts.json '{"process": {"args": ["/bin/sh", "-c", "cat /proc/sys/kernel/domainname; umask; cd /tmp && touch f && stat -c %a f"], "user": {"uid": 0, "gid": 0, "umask": 63}}, "domainname": "example.test"}'
run "$SBXD" run "$T/uts.json"
check "domainname and umask (rc=$rc, err=$err)" [ "$out" = "$(printf 'example.test\n0077\n600')" ]

# --- bad specs: 125, the file and JSON path named, nothing run
spec badtype.json '{"process": {"args": ["/bin/sh", 42]}}'
run "$SBXD" run "$T/badtype.json"
check "wrong type gives 125 (rc=$rc)" [ "$rc" = 125 ]
check "wrong type names the path ($err)" [ "$err" = "sandboxd: $T/badtype.json: process.args[1]: expected a string, got 42" ]
spec badjson.json '{"process": {"args": ["/bin/true"]},'
run "$SBXD" run "$T/badjson.json"
check "malformed JSON gives 125 (rc=$rc)" [ "$rc" = 125 ]
check "malformed JSON names line and column ($err)" contains "$err" "$T/badjson.json:2:0: invalid JSON"
run "$SBXD" run "$T/missing.json"
check "missing spec gives 125" [ "$rc" = 125 ]
check "missing spec message ($err)" [ "$err" = "sandboxd: $T/missing.json: cannot open the spec: No such file or directory" ]
spec unknown.json '{"ociVersion": "1.3.0", "process": {"args": ["/bin/true"], "someNewThing": 1}, "annotations": {"a": "b"}, "vendorExtension": {}}'
run "$SBXD" run "$T/unknown.json"
check "unknown OCI fields are ignored (rc=$rc, err=$err)" [ "$rc" = 0 ]
spec hooks.json '{"process": {"args": ["/bin/true"]}, "hooks": {"poststart": [{"path": "/bin/true"}]}}'
run "$SBXD" run "$T/hooks.json"
check "hooks are refused by run, not dropped (rc=$rc)" [ "$rc" = 125 ]
check "and it says why ($err)" contains "$err" "hooks: sandboxd run does not run OCI hooks; create and start do"
spec oom.json '{"process": {"args": ["/bin/cat", "/proc/self/oom_score_adj"], "oomScoreAdj": 333}}'
run "$SBXD" run "$T/oom.json"
check "process.oomScoreAdj (rc=$rc, err=$err)" [ "$out" = 333 ]

# --- process.user.additionalGids: the groups as listed, with and without a
# user namespace; an unprivileged caller is refused, naming the path
groups='"user": {"uid": 1000, "gid": 1000, "additionalGids": [5, 6]}'
range='[{"containerID": 0, "hostID": 100000, "size": 65536}]'
spec groups.json '{"process": {"args": ["/bin/sh", "-c", "id -u; id -G"], '"$groups"'},
  "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}]}}'
spec groups-userns.json '{"process": {"args": ["/bin/sh", "-c", "id -u; id -G"], '"$groups"'},
  "linux": {"namespaces": [{"type": "user"}, {"type": "pid"}, {"type": "mount"}],
  "uidMappings": '"$range"', "gidMappings": '"$range"'}}'
spec groups-unmapped.json '{"process": {"args": ["/bin/true"], '"$groups"'},
  "linux": {"namespaces": [{"type": "user"}, {"type": "mount"}],
  "uidMappings": '"$range"', "gidMappings": [{"containerID": 1000, "hostID": 101000, "size": 1}]}}'
if [ "$(id -u)" = 0 ]; then
	run "$SBXD" run "$T/groups.json"
	check "additionalGids, host ids (rc=$rc, err=$err)" [ "$out" = "$(printf '1000\n1000 5 6')" ]
	run "$SBXD" run "$T/groups-userns.json"
	check "additionalGids in a user namespace (rc=$rc, err=$err)" [ "$out" = "$(printf '1000\n1000 5 6')" ]
	run "$SBXD" run "$T/groups-unmapped.json"
	check "an unmapped additional group is refused (rc=$rc)" [ "$rc" = 125 ]
	check "naming it ($err)" contains "$err" "supplementary group 5 is not mapped in the sandbox's user namespace"
else
	run "$SBXD" run "$T/groups.json"
	check "additionalGids unprivileged: 125 (rc=$rc)" [ "$rc" = 125 ]
	check "naming the path and why ($err)" [ "$err" = "sandboxd: $T/groups.json: process.user.additionalGids: supplementary groups need root (CAP_SETGID): an unprivileged user namespace denies setgroups" ]
fi

# --- joining an existing namespace by path
if [ "$(id -u)" = 0 ]; then
	# a network namespace kept by a bind mount on a file of ours (not with
	# ip netns, whose first use leaves /run/netns mounted on the host)
	NS=$T/netns
	touch "$NS"
	unshare --net="$NS" true
	spec join.json '{"process": {"args": ["/bin/sh", "-c", "readlink /proc/self/ns/net; cat /proc/sys/net/ipv4/ip_forward"]},
	  "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "network", "path": "'"$NS"'"}],
	  "sysctl": {"net.ipv4.ip_forward": "1"}}}'
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	run "$SBXD" run "$T/join.json"
	check "joins the network namespace by path (rc=$rc, err=$err)" [ "$out" = "$(printf 'net:[%s]\n1' "$(stat -L -c %i "$NS")")" ]
	check "the sysctl went to the joined namespace" [ "$(nsenter --net="$NS" cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
	check "not to the host's" [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ]
	umount "$NS"
else
	note "joining a network namespace: making one needs root"
fi
spec joinbad.json '{"process": {"args": ["/bin/true"]}, "linux": {"namespaces": [{"type": "mount"}, {"type": "network", "path": "/etc/passwd"}]}}'
run "$SBXD" run "$T/joinbad.json"
check "a path that is no namespace (rc=$rc)" [ "$rc" = 125 ]
check "is named ($err)" contains "$err" "linux.namespaces[1].path: /etc/passwd is not a network namespace"
spec joinpid.json '{"process": {"args": ["/bin/true"]}, "linux": {"namespaces": [{"type": "pid", "path": "/proc/self/ns/pid"}]}}'
run "$SBXD" run "$T/joinpid.json"
check "joining a pid namespace is refused (rc=$rc)" [ "$rc" = 125 ]
check "by name ($err)" contains "$err" "linux.namespaces[0].path: only network, ipc, uts and cgroup namespaces can be joined by path"

# --- sysctls: namespaced ones are the sandbox's own; others would change the host
spec sysctl.json '{"process": {"args": ["/bin/sh", "-c", "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni"]}, "linux": {"sysctl": {"net.ipv4.ip_forward": "1", "kernel.shmmni": "1234"}}}'
host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
run "$SBXD" run "$T/sysctl.json"
check "sysctls set inside (rc=$rc, err=$err)" [ "$out" = "$(printf '1\n1234')" ]
check "the host's is unchanged" [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ]
spec sysctl2.json '{"process": {"args": ["/bin/true"]}, "linux": {"sysctl": {"kernel.panic": "1"}}}'
run "$SBXD" run "$T/sysctl2.json"
check "a host-wide sysctl is refused (rc=$rc)" [ "$rc" = 125 ]
check "and named ($err)" contains "$err" "linux.sysctl.kernel.panic: not namespaced, so setting it would change the host"

# --- limits, verdicts and the report
spec wall.json '{"process": {"args": ["/bin/sleep", "30"]}, "sandbox": {"limits": {"wall_time_ms": 300}}}'
run "$SBXD" run --report "$T/wall-report.json" "$T/wall.json"
check "wall limit: killed, 137 (rc=$rc)" [ "$rc" = 137 ]
check "wall limit: says so ($err)" [ "$err" = "sandboxd: wall time limit reached: 300 ms" ]
report=$(cat "$T/wall-report.json" 2>/dev/null)
check "report: wall-time-limit" contains "$report" '"status": "wall-time-limit"'
check "report: signal" contains "$report" '"signal_name": "SIGKILL"'
spec out.json '{"process": {"args": ["/bin/sh", "-c", "yes sandbox"]}, "sandbox": {"limits": {"output_bytes": 1000, "wall_time_ms": 10000}, "report": "out-report.json"}}'
"$SBXD" run "$T/out.json" >"$T/out.txt" 2>"$T/out.err"
rc=$?
check "output limit: killed (rc=$rc)" [ "$rc" = 137 ]
check "output limit: exactly 1000 bytes delivered" [ "$(wc -c <"$T/out.txt")" = 1000 ]
check "output limit: report next to the spec" contains "$(cat "$T/out-report.json" 2>/dev/null)" '"status": "output-limit"'
run "$SBXD" run --report "$T/setup-report.json" "$T/nf.json"
check "setup error: report says so" contains "$(cat "$T/setup-report.json" 2>/dev/null)" '"status": "setup-error"'
check "setup error: with the reason" contains "$(cat "$T/setup-report.json" 2>/dev/null)" 'exec no-such-program'
run "$SBXD" run --report /nonexistent-dir/r.json "$T/exit3.json"
check "unwritable report gives 125 (rc=$rc)" [ "$rc" = 125 ]
check "unwritable report says why" contains "$err" "report /nonexistent-dir/r.json: No such file or directory"
check "no temporary report file left" [ -z "$(ls "$T" | grep '\.tmp\.')" ]

if [ "$(id -u)" = 0 ]; then
	# (tail -c keeps the last 100 MB of its input: it grows fast, even
	# under emulation in the kernel lane)
	spec mem.json '{"process": {"args": ["/bin/sh", "-c", "head -c 200000000 /dev/zero | tail -c 100000000 >/dev/null && echo survived"]},
	  "linux": {"resources": {"memory": {"limit": 33554432}}}, "sandbox": {"limits": {"wall_time_ms": 20000}}}'
	run "$SBXD" run --report "$T/mem-report.json" "$T/mem.json"
	report=$(cat "$T/mem-report.json" 2>/dev/null)
	check "memory limit: verdict ($report)" contains "$report" '"status": "memory-limit"'
	check "memory limit: not survived" lacks "$out" survived
	check "memory limit: measured" contains "$report" '"memory_peak_bytes": 33554432'

	# the cgroups a supervisor made, on a v1, hybrid or pure v2 host
	sbx_cgroups_of() {
		find /sys/fs/cgroup -maxdepth 4 -type d -name "sbx-$1-*" 2>/dev/null
	}
	# a supervisor SIGKILLed: its sandbox dies with it, gc removes the rest.
	# check_limits collects dead owners' cgroups too: one at a time.
	exec 9>>"${SBX_GC_LOCK:-$T/gc.lock}"
	flock 9
	spec long.json '{"process": {"args": ["/bin/sleep", "60"]}, "linux": {"resources": {"pids": {"limit": 10}}}}'
	"$SBXD" run "$T/long.json" &
	sup=$!
	# the sandbox: a child of the supervisor running sleep (a libtool
	# wrapper, in sanitizer builds, runs other children before it execs)
	kids=""
	for _ in $(seq 200); do
		for k in $(cat /proc/$sup/task/*/children 2>/dev/null); do
			[ "$(cat /proc/$k/comm 2>/dev/null)" = sleep ] && kids=$k
		done
		[ -n "$kids" ] && break
		sleep 0.05
	done
	check "the supervisor started a sandbox" [ -n "$kids" ]
	kill -KILL $sup
	wait $sup 2>/dev/null
	gone=no
	for _ in $(seq 100); do
		[ -d /proc/$kids ] || { gone=yes; break; }
		sleep 0.05
	done
	check "the sandbox died with its supervisor" [ $gone = yes ]
	left=$(sbx_cgroups_of $sup)
	check "the dead supervisor left cgroups to collect" [ -n "$left" ]
	run "$SBXD" gc
	check "gc removes them ($out)" contains "$out" "removed "
	left=$(sbx_cgroups_of $sup)
	check "gc left nothing of the dead supervisor ($left)" [ -z "$left" ]
	exec 9>&-
else
	spec mem.json '{"process": {"args": ["/bin/true"]}, "linux": {"resources": {"memory": {"limit": 33554432}}}}'
	run "$SBXD" run "$T/mem.json"
	check "unprivileged: a memory limit cannot be had: 125 (rc=$rc)" [ "$rc" = 125 ]
	check "unprivileged: and it says which and why ($err)" contains "$err" "memory limit: cannot be enforced here"
	spec membe.json '{"process": {"args": ["/bin/true"]}, "linux": {"resources": {"memory": {"limit": 33554432}}}, "sandbox": {"limits": {"best_effort": ["memory"]}}}'
	run "$SBXD" run --report "$T/be.json" "$T/membe.json"
	check "unprivileged: best effort runs (rc=$rc)" [ "$rc" = 0 ]
	check "unprivileged: and reports what was not applied" contains "$(tr -d ' \n' <"$T/be.json")" '"limits_not_applied":["memory"]'
fi
run "$SBXD" gc extra
check "gc takes no arguments" [ "$rc" = 125 ]

# --- grants, capability mode, capabilities
printf 'granted line\n' >"$T/granted.txt"
spec grants.json '{"process": {"args": ["/bin/sh", "-c", "cat <&3; cat /etc/passwd 2>&1 | grep -q \"Permission denied\" && echo denied; echo x >&3 || echo ro"]},
  "sandbox": {"grants": [{"fd": 3, "path": "granted.txt", "rights": "read"}], "capability_mode": true}}'
run "$SBXD" check
check "check reports the host (rc=$rc, err=$err)" [ "$rc" = 0 ]
check "check: cgroup hierarchies ($out)" contains "$out" "cgroup v2:"
check "check: controllers ($out)" contains "$out" "  memory "
check "check: seccomp actions ($out)" contains "$out" "actions: "
check "check: KVM ($out)" contains "$out" "KVM:"
run "$SBXD" features
check "features is OCI features JSON (rc=$rc)" [ "$rc" = 0 ]
check "features parses" python3 -c 'import json, sys; d = json.loads(sys.argv[1]); assert d["ociVersionMax"] == "1.2.0"' "$out"
# every mount option it claims, the spec takes (bind and rbind make binds)
opts=$(python3 -c 'import json, sys; print(" ".join(o for o in json.loads(sys.argv[1])["mountOptions"] if "bind" not in o))' "$out")
for o in $opts; do
	spec opt.json "{\"process\": {\"args\": [\"/bin/true\"]}, \"mounts\": [{\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"options\": [\"$o\"]}]}"
	run "$SBXD" run "$T/opt.json"
	check "features' mount option $o is taken (rc=$rc, err=$err)" [ "$rc" = 0 ]
done
# the manual pages render without warnings
if command -v groff >/dev/null; then
	for m in "$SRC"/man/*.[15]; do
		run groff -ww -z -man "$m"
		check "$(basename "$m") renders cleanly ($err)" [ "$rc$err" = 0 ]
	done
else
	note "groff is not installed: the manual pages were not rendered"
fi
run "$SBXD" check --json
check "check --json prints JSON ($out)" contains "$out" '"landlock_abi": '
features=$out
# whether KVM boots Linux follows the module behind /dev/kvm: kvm_pvm here,
# kvm_amd in the kernel lane (whose check_vm and Linux boot show it does)
if contains "$out" '"kvm_api": -'; then
	# no /dev/kvm, or not for this user (nobody in tests/unpriv.sh)
	check "check: KVM out of reach boots nothing ($out)" contains "$out" '"kvm_boots_linux": "no"'
elif [ -e /sys/module/kvm_pvm ]; then
	check "check: a paravirtual KVM does not boot Linux ($out)" contains "$out" '"kvm_boots_linux": "no"'
	check "and says so in words" sh -c '"$1" check | grep -q "stock Linux kernels do not boot"' - "$SBXD"
elif [ -e /sys/module/kvm_amd ] || [ -e /sys/module/kvm_intel ]; then
	check "check: hardware KVM boots Linux ($out)" contains "$out" '"kvm_boots_linux": "yes"'
else
	check "check: no KVM module, no Linux guests ($out)" contains "$out" '"kvm_boots_linux": "no"'
fi
# the vm backend where KVM cannot boot Linux: refused at once, saying why,
# with a report and nothing left behind
spec vm.json '{"process": {"args": ["/bin/true"]}, "sandbox": {"backend": "vm"}}'
if ! contains "$features" '"kvm_boots_linux": "yes"'; then
	run "$SBXD" run --report "$T/vm-report.json" "$T/vm.json"
	check "vm backend without a KVM that boots Linux: 125 (rc=$rc)" [ "$rc" = 125 ]
	if contains "$features" '"kvm_api": -'; then
		check "and says why ($err)" contains "$err" "$T/vm.json: sandbox.backend: vm: /dev/kvm: "
	else
		check "and says why ($err)" contains "$err" "$T/vm.json: sandbox.backend: vm: this host's KVM (kvm_pvm) cannot boot Linux guests (see sandboxd check)"
	fi
	check "with a setup-error report" grep -q '"status": "setup-error"' "$T/vm-report.json"
	check "nothing left behind" no_children
fi
# the set-up script's kernel fetch: a package apt cannot get fails, naming
# it, and leaves nothing; a kernel already there is kept
run env SBX_VM_KERNEL_PACKAGE=linux-image-no-such-kernel-sbx "$SRC/scripts/fetch-vm-kernel.sh" "$T/vmlinuz"
check "fetch-vm-kernel: an unknown package fails (rc=$rc)" [ "$rc" = 1 ]
check "naming it ($err)" contains "$err" "apt-get download linux-image-no-such-kernel-sbx failed"
check "leaving nothing" [ -z "$(ls "$T" | grep vmlinuz)" ]
echo kept >"$T/vmlinuz"
run env SBX_VM_KERNEL_PACKAGE=linux-image-no-such-kernel-sbx "$SRC/scripts/fetch-vm-kernel.sh" "$T/vmlinuz"
checks "a kernel already there is kept (rc=$rc, $out)" [ "$rc" = 0 ] -- [ "$(cat "$T/vmlinuz")" = kept ]
run "$SBXD" run "$T/grants.json"
if contains "$features" '"capability_mode": true'; then
	check "capability mode: the granted fd reads ($out, $err)" contains "$out" "granted line"
	check "capability mode: a path outside is refused, and says why ($out)" contains "$out" "denied"
	check "a read-only grant is not writable" contains "$out" "ro"
else
	echo "SKIP: Landlock ABI < 6 here ($features); capability mode refuses to run" >&2
	check "without Landlock capability mode refuses (rc=$rc)" [ "$rc" = 125 ]
fi
spec keepcap.json '{"process": {"args": ["/bin/grep", "CapEff", "/proc/self/status"],
  "capabilities": {"bounding": ["CAP_NET_BIND_SERVICE"], "effective": ["CAP_NET_BIND_SERVICE"], "permitted": ["CAP_NET_BIND_SERVICE"]}}}'
run "$SBXD" run "$T/keepcap.json"
check "process.capabilities keeps what it lists ($out $err)" contains "$out" "0000000000000400"
spec badgrant.json '{"process": {"args": ["/bin/true"]}, "sandbox": {"grants": [{"fd": 3, "path": "missing.txt"}]}}'
run "$SBXD" run "$T/badgrant.json"
check "a grant that cannot be opened gives 125 (rc=$rc)" [ "$rc" = 125 ]
check "and names it ($err)" contains "$err" "sandbox.grants[0].path: grant $T/missing.txt as 3: No such file or directory"

# --- usage
run "$SBXD"
check "no command gives 125" [ "$rc" = 125 ]
run "$SBXD" frobnicate
check "unknown command gives 125 ($err)" [ "$rc" = 125 ] && check "names it" contains "$err" '"frobnicate"'
run "$SBXD" run
check "run without a spec gives 125 ($err)" [ "$rc" = 125 ]
run "$SBXD" run a.json b.json
check "run with two specs gives 125" [ "$rc" = 125 ]
run "$SBXD" run --help
check "run --help exits 0" [ "$rc" = 0 ] && check "run --help shows usage" contains "$out" "Usage: sandboxd run"
run "$SBXD" --version
check "--version" contains "$out" "sandboxd "

# --- nothing left behind
check "no child process left" no_children
check "our mount table unchanged" mounts_unchanged
finish
