#!/bin/bash
# The unprivileged pass: when make check runs as root, run the live suites
# and the CLI tests again as an ordinary user (nobody), where sandboxes must
# work through a user namespace alone.
set -u
UNPRIV_UID=${SBX_UNPRIV_UID:-65534}
UNPRIV_GID=${SBX_UNPRIV_GID:-65534}
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: already unprivileged (uid $(id -u)); the main pass covered this" >&2
	exit 77
fi
command -v setpriv >/dev/null || { echo "FAIL: setpriv (util-linux) is needed" >&2; exit 1; }
as_user() {
	setpriv --reuid="$UNPRIV_UID" --regid="$UNPRIV_GID" --clear-groups --inh-caps=-all \
		env -i PATH=/usr/bin:/bin HOME=/nonexistent LANG=C.UTF-8 \
		SBX_PROBE="$SBX_PROBE" SBX_SANDBOXD="$SBX_SANDBOXD" SBX_SRCDIR="$SBX_SRCDIR" \
		SBX_BUILDDIR="$SBX_BUILDDIR" SBX_SANITIZERS="${SBX_SANITIZERS:-no}" \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
		SANDBOXD_POLICY_DIR="${SANDBOXD_POLICY_DIR:-}" SANDBOXD_CACHE_DIR=off \
		CK_DEFAULT_TIMEOUT="${CK_DEFAULT_TIMEOUT:-60}" "$@"
}
if ! as_user test -x "$SBX_PROBE" || ! as_user test -r "$SBX_SRCDIR/tests/lib.sh"; then
	echo "SKIP: the build tree is not readable by uid $UNPRIV_UID, so the unprivileged" \
		"pass cannot run here (build in a world-readable directory, as CI does)" >&2
	# in CI this pass is required: a skip would hide a failure
	[ "${SBX_STRICT:-}" = 1 ] && exit 1
	exit 77
fi
status=0
for t in $SBX_LIVE_TESTS; do
	case $t in
	*.sh) cmd=(bash "$SBX_SRCDIR/$t") ;;
	*) cmd=("$SBX_BUILDDIR/$t") ;;
	esac
	echo "== $t as uid $UNPRIV_UID"
	as_user "${cmd[@]}"
	rc=$?
	case $rc in
	0) echo "PASS: $t (unprivileged)" ;;
	77) echo "SKIP: $t (unprivileged)" ;;
	*) echo "FAIL: $t (unprivileged), exit $rc"; status=1 ;;
	esac
done
exit $status
