#!/bin/bash
# CLI tests of seccomp: sandboxd policy check/export/explain/learn, policies
# in specs (sandbox.policy and OCI linux.seccomp), and the autograder policy
# running real submissions in C, C++, shell and Python.
. "${SBX_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
SBXD=${SBX_SANDBOXD:?SBX_SANDBOXD must point at the built sandboxd}
T=$(mktemp -d /var/tmp/sbx-policy.XXXXXX)
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
export SANDBOXD_CACHE_DIR=off

spec() { # spec FILE JSON
	printf '%s\n' "$2" >"$T/$1"
}

# --- check
run "$SBXD" policy check container-default strict autograder video-decoder renderer
check "shipped policies check (rc=$rc, err=$err)" [ "$rc" = 0 ]
check "check: stats" contains "$out" "container-default: ok: "
check "check: default named" contains "$out" "default errno EPERM"
check "check: strict mode" contains "$out" "strict: ok: strict mode"
printf 'default errno EPERM\nallow read, write\n\nallow wirte\n' >"$T/typo.policy"
run "$SBXD" policy check "$T/typo.policy"
check "a bad policy gives 125 (rc=$rc)" [ "$rc" = 125 ]
check "error names file:line:column and a suggestion ($err)" \
	[ "$err" = "sandboxd: $T/typo.policy:4:7: unknown system call \"wirte\" (did you mean \"write\"?)" ]
printf 'include container-default\nallow ptrace\n' >"$T/risky.policy"
run "$SBXD" policy check "$T/risky.policy"
check "check warns of risky calls ($out)" contains "$out" "warning: allows ptrace ($T/risky.policy:2: allow ptrace)"
run "$SBXD" policy check "$T/none.policy"
check "a missing policy gives 125 ($err)" [ "$rc" = 125 ] && check "and names it" contains "$err" "$T/none.policy"

# the cache: compiled once, then reused
mkdir -m 700 "$T/cache"
SANDBOXD_CACHE_DIR=$T/cache "$SBXD" policy check container-default >/dev/null
out=$(SANDBOXD_CACHE_DIR=$T/cache "$SBXD" policy check container-default)
check "a second check comes from the cache ($out)" contains "$out" "(cached)"

# --- export: raw BPF for bwrap --seccomp
run "$SBXD" policy export container-default -o "$T/cd.bpf"
check "export (rc=$rc, err=$err)" [ "$rc" = 0 ]
size=$(stat -c %s "$T/cd.bpf")
check "export: whole instructions ($size bytes)" [ $((size % 8)) = 0 ] && check "export: not empty" [ "$size" -gt 800 ]
run "$SBXD" policy export strict -o "$T/strict.bpf"
check "strict mode cannot be exported (rc=$rc, $err)" [ "$rc" = 125 ]
check "and leaves no file" [ ! -e "$T/strict.bpf" ]
if command -v bwrap >/dev/null && bwrap --ro-bind / / true 2>/dev/null; then
	run bwrap --ro-bind / / --dev /dev --unshare-all --seccomp 9 \
		/bin/sh -c 'unshare -U true && echo escaped; echo done' 9<"$T/cd.bpf"
	check "bwrap runs under the exported filter ($out $err)" contains "$out" done
	check "and it denies a nested user namespace ($err)" lacks "$out" escaped
	check "with EPERM" contains "$err" "Operation not permitted"
else
	echo "SKIP: bwrap is missing or cannot run here; export checked without it" >&2
fi

# --- explain
run "$SBXD" policy explain container-default socket 40 1 0
check "explain socket(AF_VSOCK) (rc=$rc)" [ "$rc" = 0 ]
check "explain: the action" contains "$out" "socket(0x28, 0x1, 0x0) -> errno EPERM"
check "explain: why" contains "$out" "because the default"
run "$SBXD" policy explain container-default socket 2
check "explain: the deciding rule ($out)" contains "$out" "container-default.policy:30: allow socket if domain == 0x2"
run "$SBXD" policy explain container-default 0x40000027
check "explain x32 ($out)" contains "$out" "kill-process" && check "explain x32: why" contains "$out" "x32"
run "$SBXD" policy explain container-default nosuchcall
check "explain an unknown call gives 125 ($err)" [ "$rc" = 125 ]
run "$SBXD" policy explain container-default read abc
check "explain a bad argument gives 125 ($err)" [ "$rc" = 125 ] && check "says which" contains "$err" "argument 1"

# --- policies in specs
spec sp.json '{"process": {"args": ["/bin/sh", "-c", "echo $((6*7)); mkdir /tmp/d && echo made"]}, "sandbox": {"policy": "no-mkdir.policy"}}'
printf 'include container-default\nerrno EACCES mkdir, mkdirat\n' >"$T/no-mkdir.policy"
run "$SBXD" run "$T/sp.json"
check "sandbox.policy relative to the spec runs (rc=$rc, err=$err)" [ "$out" = 42 ]
check "and denies what it says" contains "$err" "Permission denied"
spec shipped.json '{"process": {"args": ["/bin/sh", "-c", "echo hi"]}, "sandbox": {"policy": "autograder"}}'
run "$SBXD" run "$T/shipped.json"
check "sandbox.policy names a shipped one (rc=$rc, $err)" [ "$out" = hi ]
spec badpol.json '{"process": {"args": ["/bin/true"]}, "sandbox": {"policy": "typo.policy"}}'
run "$SBXD" run "$T/badpol.json"
check "a bad policy in a spec gives 125 (rc=$rc)" [ "$rc" = 125 ]
check "naming the spec path and the policy line ($err)" \
	[ "$err" = "sandboxd: $T/badpol.json: sandbox.policy: $T/typo.policy:4:7: unknown system call \"wirte\" (did you mean \"write\"?)" ]
spec kill.json '{"process": {"args": ["/bin/sh", "-c", "echo before; cat /etc/hostname; echo after"]}, "sandbox": {"policy": "kill-open.policy"}}'
printf 'default allow\nkill-process open, openat\n' >"$T/kill-open.policy"
run "$SBXD" run --report "$T/kill-report.json" "$T/kill.json"
check "a call the policy kills: 128+SIGSYS (rc=$rc)" [ "$rc" = 159 ]
check "the verdict is said ($err)" contains "$err" "killed by its seccomp policy"
check "the report says policy-kill" contains "$(cat "$T/kill-report.json")" '"status": "policy-kill"'
check "nothing after the kill ran" lacks "$out" after

# OCI linux.seccomp, with libseccomp's meaning
spec oci.json '{"process": {"args": ["/bin/sh", "-c", "mkdir /tmp/d && echo made; echo x > /tmp/f && echo wrote; exit 0"]},
  "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
    "syscalls": [{"names": ["mkdir", "mkdirat", "no_such_call_on_this_arch"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
                 {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}}}'
run "$SBXD" run "$T/oci.json"
check "linux.seccomp runs (rc=$rc, $err)" [ "$rc" = 0 ]
check "linux.seccomp: errnoRet" contains "$err" "Permission denied"
check "linux.seccomp: denied call did nothing" lacks "$out" made
check "linux.seccomp: allowed call works" contains "$out" wrote
spec ocibad.json '{"process": {"args": ["/bin/true"]}, "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_FROB"}]}}}'
run "$SBXD" run "$T/ocibad.json"
check "bad OCI action gives 125 (rc=$rc)" [ "$rc" = 125 ]
check "and names the JSON path ($err)" contains "$err" "$T/ocibad.json: linux.seccomp.syscalls[0].action: expected"
spec ocitpl.json '{"process": {"args": ["/bin/true"]}, "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}}]}}}'
run "$SBXD" run "$T/ocitpl.json"
check "a profile template is refused, not read as allow-all (rc=$rc)" [ "$rc" = 125 ]
check "and says why ($err)" contains "$err" "linux.seccomp.syscalls[0].includes: a profile template's condition"
spec ocinoexec.json '{"process": {"args": ["/bin/true"]}, "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["execve"], "action": "SCMP_ACT_ERRNO"}]}}}'
run "$SBXD" run "$T/ocinoexec.json"
check "a profile that forbids execve: 125, before anything runs (rc=$rc)" [ "$rc" = 125 ]
check "and says so ($err)" contains "$err" "does not allow execve"

# --- the autograder policy runs real submissions
if command -v gcc >/dev/null && command -v g++ >/dev/null && [ -x /usr/bin/python3 ]; then
	cat >"$T/sum.c" <<-'EOF'
	#include <stdio.h>
	#include <stdlib.h>
	int main(void)
	{
		long n, s = 0, *v = malloc(1000 * sizeof(*v));
		for (n = 0; n < 1000; n++)
			v[n] = n;
		for (n = 0; n < 1000; n++)
			s += v[n];
		printf("%ld\n", s);
		return 0;
	}
	EOF
	cat >"$T/sort.cc" <<-'EOF'
	#include <algorithm>
	#include <iostream>
	#include <stdexcept>
	#include <string>
	#include <thread>
	#include <vector>
	int main()
	{
		std::vector<std::string> w{"pear", "apple", "fig"};
		std::thread t([&] { std::sort(w.begin(), w.end()); });
		t.join();
		try {
			throw std::runtime_error("caught");
		} catch (const std::exception &e) {
			std::cout << e.what() << ' ';
		}
		for (auto &s : w)
			std::cout << s << ' ';
		std::cout << std::endl;
	}
	EOF
	cat >"$T/count.sh" <<-'EOF'
	n=0
	for f in a b c; do n=$((n + 1)); done
	echo "$(echo "$n words" | tr a-z A-Z) $(seq 3 | sort -r | head -1)"
	EOF
	cat >"$T/fib.py" <<-'EOF'
	import json, subprocess, sys
	def fib(n):
	    a, b = 0, 1
	    for _ in range(n):
	        a, b = b, a + b
	    return a
	out = subprocess.run(["echo", "child"], capture_output=True, text=True).stdout.strip()
	print(json.dumps({"fib": fib(50), "child": out}))
	try:
	    import socket
	    socket.socket(socket.AF_INET, socket.SOCK_STREAM)
	    print("network!")
	except PermissionError:
	    print("no network")
	EOF
	gcc -O2 -o "$T/sum" "$T/sum.c" && g++ -O2 -pthread -o "$T/sort" "$T/sort.cc"
	checks "submissions compiled" [ -x "$T/sum" ] -- [ -x "$T/sort" ]
	# a run with limits first collects dead supervisors' cgroups, which
	# cli.sh's gc test wants to see: not while it looks
	exec 8>>"${SBX_GC_LOCK:-$T/gc.lock}"
	grade() { # grade NAME ARGS-JSON
		spec "g-$1.json" "{\"process\": {\"args\": $2, \"cwd\": \"$T\", \"env\": [\"PATH=/usr/bin:/bin\"]}, \"sandbox\": {\"policy\": \"autograder\", \"limits\": {\"wall_time_ms\": 20000}}}"
		flock -s 8
		run "$SBXD" run "$T/g-$1.json"
		flock -u 8
	}
	grade c "[\"$T/sum\"]"
	check "autograder: C (rc=$rc, $err)" [ "$out" = 499500 ]
	grade cxx "[\"$T/sort\"]"
	check "autograder: C++ with a thread and an exception (rc=$rc, $err)" [ "$out" = "caught apple fig pear " ]
	grade sh "[\"/bin/sh\", \"$T/count.sh\"]"
	check "autograder: shell script (rc=$rc, $err)" [ "$out" = "3 WORDS 3" ]
	grade py "[\"/usr/bin/python3\", \"$T/fib.py\"]"
	check "autograder: python3 script (rc=$rc, $err)" contains "$out" '{"fib": 12586269025, "child": "child"}'
	check "autograder: python3 has no network" contains "$out" "no network"
else
	fail "gcc, g++ and /usr/bin/python3 are needed for the autograder tests (scripts/install-deps.sh installs them)"
fi

# --- learn: a draft from what a program does, which then runs it
run "$SBXD" policy learn -o "$T/learned.policy" -- /bin/sh -c 'ls / >/dev/null; echo learned'
check "learn runs the program (rc=$rc, $err)" [ "$rc" = 0 ]
check "learn: the program's output passes" [ "$out" = learned ]
check "learn: says how many calls" contains "$err" "different system calls"
draft=$(cat "$T/learned.policy")
check "learn: a grouped draft" contains "$draft" "allow @default"
check "learn: execve" contains "$draft" "execve"
run "$SBXD" policy check "$T/learned.policy"
check "the draft checks ($out $err)" [ "$rc" = 0 ]
spec learned.json '{"process": {"args": ["/bin/sh", "-c", "ls / >/dev/null; echo again"]}, "sandbox": {"policy": "learned.policy"}}'
run "$SBXD" run "$T/learned.json"
check "the program runs under its draft (rc=$rc, $err)" [ "$out" = again ]
spec learned2.json '{"process": {"args": ["/bin/sh", "-c", "mkdir /tmp/x; echo $?"]}, "sandbox": {"policy": "learned.policy"}}'
run "$SBXD" run "$T/learned2.json"
check "and what it did not do is denied ($out $err)" [ "$out" = 1 ]
run "$SBXD" policy learn
check "learn without a program gives 125" [ "$rc" = 125 ]

# --- nothing left behind
check "no child process left" no_children
check "our mount table unchanged" mounts_unchanged
finish
