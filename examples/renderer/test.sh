#!/bin/bash
# The renderer example, end to end: pages render to PNG through a renderer
# in capability mode; its requests are answered by the kernel's rules only;
# a compromised renderer can neither open a file by path nor reach the
# network, and a dead one does not take the kernel down.
. "${SBX_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
K=${SBX_BUILDDIR:?}/examples/renderer/browser-kernel
T=$(mktemp -d /var/tmp/sbx-render.XXXXXX)
chmod 755 "$T"
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$T"' EXIT
export SANDBOXD_POLICY_DIR="${SBX_SRCDIR:?}/policies"
# the renderer runs in capability mode or not at all (older kernels: the
# kernel lane's 6.1 has Landlock ABI 2)
host=$("${SBX_SANDBOXD:?}" check --json)
if contains "$host" '"capability_mode": false'; then
	echo "SKIP: capability mode is not available on this kernel ($(uname -r)): $(grep landlock_abi <<<"$host")" >&2
	exit 77
fi
page() { printf '%s\n' "$2" >"$T/$1"; }
px() { "$K" --pixel "$T/$1" "$2" "$3"; }

# a web server for the kernel to fetch from: a 4x4 green image
mkdir "$T/www" "$T/downloads"
printf 'P6\n4 4\n255\n' >"$T/www/img.ppm"
for _ in $(seq 16); do printf '\000\377\000'; done >>"$T/www/img.ppm"
if [ ! -x /usr/bin/python3 ]; then
	fail "python3 is needed for the renderer's web server (scripts/install-deps.sh)"
	finish
fi
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
/usr/bin/python3 -m http.server -b 127.0.0.1 -d "$T/www" "$port" >/dev/null 2>&1 &
server=$!
for _ in $(seq 100); do
	(exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break
	sleep 0.05
done

# --- a page, drawn
page basic.page "size 320 200
rect 20 10 100 50 255 0 0
text 10 120 24 0 0 255 Hello sandbox
image 200 10 http://127.0.0.1:$port/img.ppm"
run "$K" --out "$T/basic" "$T/basic.page"
check "renders (rc=$rc, $err)" [ "$rc" = 0 ]
check "to PNG ($out)" contains "$out" "rendered 320x200 to $T/basic0.png"
check "the rectangle is red" [ "$(px basic0.png 50 30)" = "255 0 0" ]
check "the background white" [ "$(px basic0.png 300 190)" = "255 255 255" ]
check "the fetched image green" [ "$(px basic0.png 201 11)" = "0 255 0" ]
blue=$(for x in $(seq 10 3 150); do px basic0.png "$x" 112; done | grep -c '^[0-9]* [0-9]* 2[0-9][0-9]$')
check "the text is drawn ($blue blue pixels sampled)" [ "$blue" -gt 3 ]

# --- the kernel's rules
page rules.page "image 0 0 file:///etc/passwd
download http://127.0.0.1:$port/img.ppm ../../evil
download file:///etc/passwd stolen
upload 10 10"
run "$K" --downloads "$T/downloads" "$T/rules.page"
check "file: URLs are refused ($out)" contains "$out" "refused to fetch file:///etc/passwd: Permission denied"
check "a download gets the kernel's name" contains "$out" "saved http://127.0.0.1:$port/img.ppm as $T/downloads/download-1"
check "with the right content" cmp -s "$T/www/img.ppm" "$T/downloads/download-1"
check "and the page's name goes nowhere" [ ! -e "$T/evil" ] && [ ! -e "$T/downloads/evil" ]
check "no file: download either" contains "$out" "refused to save file:///etc/passwd"
check "no upload without a file the user picked" contains "$out" "upload refused: the user picked no file"
printf 'the user picked this\nand not this\n' >"$T/picked.txt"
run "$K" --upload "$T/picked.txt" "$T/rules.page"
check "the picked file is handed over ($out)" contains "$out" "renderer says: upload: the user picked this"

# --- a compromised renderer
page open.page "exploit open /etc/passwd
exploit fds
rect 0 0 10 10 0 0 0"
run "$K" --out "$T/open" "$T/open.page"
check "cannot open a file by path ($out)" contains "$out" "exploit open /etc/passwd: Permission denied"
check "holds its stdio and channel, and its font" contains "$out" "renderer says: exploit fds: 0 1 2 3"
check "and still renders" contains "$out" "rendered 640x480"
page connect.page "exploit connect $port"
page crash.page "exploit crash"
run "$K" --out "$T/after" "$T/connect.page" "$T/basic.page" "$T/crash.page" "$T/basic.page"
check "a renderer that tries to connect dies ($out)" contains "$out" "connect.page: renderer died (killed by its seccomp policy, signal 31)"
if [ "${SBX_SANITIZERS:-no}" = yes ]; then
	# the sanitizer's own crash handler makes calls the policy kills
	note "a sanitizer build reports the crash through its policy, not as signal 11"
	check "one that crashes too ($out)" contains "$out" "crash.page: renderer died (killed by its seccomp policy"
else
	check "one that crashes too ($out)" contains "$out" "crash.page: renderer died (signal 11)"
fi
check "and the kernel carries on with fresh ones" [ "$(echo "$out" | grep -c 'basic.page: rendered')" = 2 ]
check "reporting the failures (rc=$rc)" [ "$rc" = 1 ]

kill $server
wait $server 2>/dev/null
server=
check "no child process left" no_children
finish
