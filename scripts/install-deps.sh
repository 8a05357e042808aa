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
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "install-deps: installing$missing" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
