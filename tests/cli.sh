#!/bin/bash
# CLI integration tests: sandboxd run as a user drives it.
. "${SBX_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
SBXD=${SBX_SANDBOXD:?SBX_SANDBOXD must point at the built sandboxd}
SRC=${SBX_SRCDIR:?}
T=$(mktemp -d /var/tmp/sbx-cli.XXXXXX)
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
MOUNTS_BEFORE=$(cat /proc/self/mountinfo)

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
spec seccomp.json '{"process": {"args": ["/bin/true"]}, "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ERRNO"}}}'
run "$SBXD" run "$T/seccomp.json"
check "an unsupported protection is refused, not dropped (rc=$rc)" [ "$rc" = 125 ]
check "and says why ($err)" contains "$err" "linux.seccomp: seccomp filters are not supported yet"

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
check "our mount table unchanged" [ "$(cat /proc/self/mountinfo)" = "$MOUNTS_BEFORE" ]
finish
