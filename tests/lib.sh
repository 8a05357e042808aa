# Shell test helpers. Source from a test script; call `finish` at the end.
# Exit 77 = skip (with a reason on stderr), as automake expects.
set -u
FAILS=0
PASSES=0

fail() {
	echo "FAIL: $*" >&2
	FAILS=$((FAILS + 1))
}

# note TEXT: something not checked here, and why (shown in the log)
note() {
	echo "NOTE: $*" >&2
}

pass() {
	PASSES=$((PASSES + 1))
}

# check NAME CONDITION-COMMAND...: passes if the command succeeds
check() {
	local name=$1
	shift
	if "$@"; then pass; else fail "$name"; fi
}

# checks NAME CMD... [-- CMD...]...: passes if every command succeeds (a
# `check NAME a && b` would leave b outside the check)
checks() {
	local name=$1 ok=true a
	local cmd=()
	shift
	for a in "$@" --; do
		if [ "$a" = -- ]; then
			"${cmd[@]}" || ok=false
			cmd=()
		else
			cmd+=("$a")
		fi
	done
	if $ok; then pass; else fail "$name"; fi
}

# run CMD...: sets $rc, $out, $err
run() {
	local o e
	o=$(mktemp) e=$(mktemp)
	"$@" >"$o" 2>"$e"
	rc=$?
	out=$(cat "$o")
	err=$(cat "$e")
	rm -f "$o" "$e"
}

contains() { case "$1" in *"$2"*) return 0 ;; esac; return 1; }
lacks() { ! contains "$1" "$2"; }

# children of this shell: none may be left behind (builtins only, so the
# check itself forks nothing)
no_children() {
	local f c
	for f in /proc/$$/task/*/children; do
		c=""
		read -r c <"$f" || true
		[ -z "$c" ] || { echo "left behind: $c" >&2; return 1; }
	done
}

# mounts_unchanged: the mount table is as it was when this file was
# sourced; if not, the difference goes to the log
MOUNTS_BEFORE=$(cat /proc/self/mountinfo)
mounts_unchanged() {
	local now
	now=$(cat /proc/self/mountinfo)
	[ "$now" = "$MOUNTS_BEFORE" ] && return 0
	diff <(printf '%s\n' "$MOUNTS_BEFORE") <(printf '%s\n' "$now") >&2
	return 1
}

finish() {
	echo "$PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
	exit $?
}
