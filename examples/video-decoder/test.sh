#!/bin/bash
# The video decoder example, end to end: clips decode in the sandboxed
# worker to what an unsandboxed decode gives, in both confinements; a
# hostile frame gets the worker killed before its system call runs, the
# host names the call, survives, and decodes the next clip with a fresh
# worker.
. "${SBX_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
B=${SBX_BUILDDIR:?}/examples/video-decoder
HOST=$B/video-host
T=$(mktemp -d /var/tmp/sbx-video.XXXXXX)
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
export SANDBOXD_POLICY_DIR="${SBX_SRCDIR:?}/policies"
CLIP=$T/clip.mjpg
"$B/mkclip" -w 320 -h 240 -n 30 "$CLIP"

# --- decoding
run "$HOST" --verify "$CLIP"
check "decodes (rc=$rc, $err)" [ "$rc" = 0 ]
check "30 frames of 320x240 ($out)" contains "$out" "30 frames 320x240, checksum "
check "the same as unsandboxed" contains "$out" "matches the unsandboxed decode"
filter_sum=$(echo "$out" | grep -o 'checksum [0-9a-f]*')
# Strict mode admits read, write, exit and sigreturn: the sanitizers'
# runtime needs more (mmap for its allocator), so not in their build.
strict=yes
[ "${SBX_SANITIZERS:-no}" = yes ] && strict=no &&
	note "strict mode is not tested in a sanitizer build: its runtime needs more than read/write/exit/sigreturn"
if [ $strict = yes ]; then
	run "$HOST" --strict --verify "$CLIP"
	check "strict mode decodes too (rc=$rc, $err)" [ "$rc" = 0 ]
	check "to the same frames" contains "$out" "$filter_sum"
fi
mkdir "$T/frames"
run "$HOST" --out "$T/frames" "$CLIP"
check "writes every frame" [ "$(ls "$T/frames" | wc -l)" = 30 ]
check "as PPM" [ "$(head -c 2 "$T/frames/clip.mjpg-0000.ppm")" = P6 ]

# --- hostile input: the worker tries a system call an exploit would
"$B/mkclip" -w 320 -h 240 -n 10 -x 3:open "$T/hostile-open.mjpg"
"$B/mkclip" -w 320 -h 240 -n 10 -x 5:exec "$T/hostile-exec.mjpg"
run "$HOST" "$T/hostile-open.mjpg" "$CLIP" "$T/hostile-exec.mjpg" "$CLIP"
check "a killed worker is reported: exit 1 (rc=$rc, $err)" [ "$rc" = 1 ]
check "the host names the call ($out)" \
	contains "$out" "hostile-open.mjpg: decoder killed by seccomp (openat) after 3 frames; a fresh decoder takes the next stream"
check "execve too" contains "$out" "hostile-exec.mjpg: decoder killed by seccomp (execve) after 5 frames"
check "and decodes the next clip, twice" [ "$(echo "$out" | grep -c "$filter_sum")" = 2 ]
if [ $strict = yes ]; then
	run "$HOST" --strict "$T/hostile-open.mjpg" "$CLIP"
	check "strict mode kills it too ($out)" contains "$out" "decoder killed by signal 9 (strict mode: the system call is not named) after 3 frames"
	check "and goes on" contains "$out" "$filter_sum"
fi

# --- bad input is not a crash of the host
head -c 1000 "$CLIP" >"$T/truncated.mjpg"
printf '\000\000\000\010notajpeg' >"$T/garbage.mjpg"
run "$HOST" "$T/garbage.mjpg" "$CLIP"
check "garbage stops the worker, not the host ($out)" contains "$out" "garbage.mjpg: decoder stopped at input it could not decode"
check "which goes on" contains "$out" "$filter_sum"

check "no child process left" no_children
finish
