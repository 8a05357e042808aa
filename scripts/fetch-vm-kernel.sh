#!/bin/sh
# Fetches a kernel for the vm backend: Debian's cloud kernel, taken with
# apt-get download and unpacked with dpkg -x (never installed on this
# host), its vmlinuz written to DEST. sandboxd finds a "vmlinuz" beside its
# binary, or in its data directory once installed.
#
#   scripts/fetch-vm-kernel.sh [DEST]   (default: ./vmlinuz; kept if there)
#
# SBX_VM_KERNEL_PACKAGE names another package (default: the one
# linux-image-cloud-amd64 depends on).
set -eu
dest=${1:-vmlinuz}
die() {
	echo "fetch-vm-kernel: $*" >&2
	exit 1
}
if [ -s "$dest" ]; then
	echo "fetch-vm-kernel: $dest is there already"
	exit 0
fi
pkg=${SBX_VM_KERNEL_PACKAGE:-$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -1)}
[ -n "$pkg" ] || die "apt-cache knows no linux-image-cloud-amd64 (run apt-get update)"
tmp=$(mktemp -d)
part="$dest.part.$$"
trap 'rm -rf "$tmp" "$part"' EXIT
# root's apt drops to its _apt user for downloads, which cannot write here
opt=""
[ "$(id -u)" != 0 ] || opt="-o APT::Sandbox::User=root"
# shellcheck disable=SC2086
(cd "$tmp" && apt-get download -q $opt "$pkg" >/dev/null 2>&1) || die "apt-get download $pkg failed"
dpkg -x "$tmp"/*.deb "$tmp/root" || die "dpkg -x of $pkg failed"
set -- "$tmp"/root/boot/vmlinuz-*
[ -f "$1" ] || die "$pkg holds no /boot/vmlinuz-*"
{ cp "$1" "$part" && mv "$part" "$dest"; } || die "cannot write $dest"
echo "fetch-vm-kernel: $dest is $(basename "$1") from $pkg"
