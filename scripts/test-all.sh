#!/bin/bash
# The whole test suite, exactly as CI runs it (.ci/run calls this).
# On a bare Debian 12 machine it installs what it needs first. Then:
#   1. a -Werror build and `make check` (as root this includes the
#      unprivileged pass, tests/unpriv.sh)
#   2. the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   3. the kernel lane (make check-kernel): the live tests again on a
#      Debian kernel under qemu, pure cgroup v2 and a working /dev/kvm
#   4. the policy parser under libFuzzer, briefly (FUZZ_SECONDS, 30)
#   5. make format-check
#   6. make install into a prefix; an out-of-tree program built against it
#      with pkg-config, shared and static, runs a sandbox
#   7. make distcheck
# Builds go to build/ci-* in the source tree. CI=true makes a skipped
# unprivileged pass a failure.
set -euo pipefail
umask 022
SRC=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRC"
JOBS=$(nproc)
START=$(date +%s)
step() { printf '\n==== %s (%ds)\n' "$*" $(($(date +%s) - START)); }

step "dependencies"
scripts/install-deps.sh
[ "${CI:-}" = true ] && export SBX_STRICT=1

step "autoreconf"
autoreconf -fi >/dev/null 2>&1 || autoreconf -fi

build() { # build NAME CONFIGURE-ARGS...
	local name=$1
	shift
	local b="$SRC/build/ci-$name"
	rm -rf "$b"
	mkdir -p "$b"
	(cd "$b" && "$SRC/configure" -q "$@" && make -s -j"$JOBS")
}

show_failures() { # show_failures BUILD-DIR: the logs of the tests that failed
	for log in "$1"/tests/*.log "$1"/examples/*/*.log; do
		grep -q '^FAIL\|^ERROR' "$log" 2>/dev/null && { echo "---- $log"; cat "$log"; }
	done
	return 0
}

check() { # check NAME: make check, and show the logs of what failed
	local b="$SRC/build/ci-$1"
	if ! make -C "$b" -s -j"$JOBS" check; then
		show_failures "$b"
		return 1
	fi
}

step "build with -Werror"
build werror --enable-werror
step "make check (root and unprivileged passes)"
check werror

step "build with ASan + UBSan"
build san --enable-werror --enable-sanitizers
step "make check under sanitizers"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 check san

step "kernel lane: the live tests on a pure cgroup v2 kernel under qemu"
make -C "$SRC/build/ci-werror" -s check-kernel

step "fuzz the policy parser"
make -C "$SRC/build/ci-werror" -s fuzz-run FUZZ_SECONDS="${FUZZ_SECONDS:-30}" 2>&1 | tail -4

step "format-check"
make -C "$SRC/build/ci-werror" -s format-check

step "install into a prefix, build a program against it"
P="$SRC/build/ci-prefix"
rm -rf "$P"
(cd "$SRC/build/ci-werror" && "$SRC/configure" -q --enable-werror --prefix="$P" && make -s -j"$JOBS" install)
bash "$SRC/tests/install-check.sh" "$P"

step "distcheck"
if ! make -C "$SRC/build/ci-werror" -s -j"$JOBS" distcheck DISTCHECK_CONFIGURE_FLAGS="--enable-werror"; then
	for b in "$SRC"/build/ci-werror/sandboxd-*/_build/sub; do show_failures "$b"; done
	exit 1
fi

step "all passed"
