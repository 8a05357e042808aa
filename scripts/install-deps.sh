#!/bin/sh
# Installs the Debian 12 packages sandboxd needs to build, test and
# benchmark. Quick when they are all there already.
set -eu
PKGS="build-essential autoconf automake libtool pkg-config
libseccomp-dev libcap-dev libcgroup-dev libjansson-dev libbpf-dev check
util-linux keyutils procps clang-format clang libclang-rt-14-dev python3
libjpeg62-turbo-dev libcairo2-dev fonts-dejavu-core
bubblewrap hyperfine busybox-static podman
qemu-system-x86 kmod cpio"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
if [ -n "$missing" ]; then
	echo "install-deps: installing$missing" >&2
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The vm backend's kernel, where KVM can boot Linux (hardware KVM): Debian's
# cloud kernel as vmlinuz in the source tree, where an in-tree sandboxd
# finds it beside itself and make install installs it
top=$(cd "$(dirname "$0")/.." && pwd)
if [ -e /sys/module/kvm_intel ] || [ -e /sys/module/kvm_amd ]; then
	"$top/scripts/fetch-vm-kernel.sh" "$top/vmlinuz" >&2 ||
		echo "install-deps: no kernel for the vm backend (the rest works without it)" >&2
else
	echo "install-deps: this host's KVM cannot boot Linux guests: no kernel fetched for the vm backend (scripts/fetch-vm-kernel.sh fetches one)" >&2
fi
