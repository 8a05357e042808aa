#!/bin/bash
# An application's view: build a program against an installed libsandbox
# with nothing but pkg-config, shared and static, and run a sandbox with it.
set -euo pipefail
PREFIX=${1:?usage: install-check.sh PREFIX}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig"
cat >"$T/app.c" <<'C'
#include <sandbox.h>
#include <stdio.h>
int main(void)
{
	sbx_error err;
	sbx_config *cfg = sbx_config_new();
	const char *argv[] = {"/bin/sh", "-c", "echo \"pid $$ on $(cat /proc/sys/kernel/hostname)\"", NULL};
	if (!cfg || sbx_config_set_exec(cfg, NULL, argv, &err) < 0)
		return 1;
	sbx_proc *p;
	if (sbx_spawn(cfg, &p, &err) < 0) {
		fprintf(stderr, "%s\n", err.message);
		return 1;
	}
	sbx_result r = {.size = sizeof(r)};
	if (sbx_wait(p, -1, &r, &err) < 0)
		return 1;
	sbx_proc_free(p);
	sbx_config_free(cfg);
	printf("libsandbox %s: exit %d\n", sbx_version(), r.exit_code);
	return r.exit_code;
}
C
# shared
gcc -Wall -Werror -o "$T/app" "$T/app.c" $(pkg-config --cflags --libs libsandbox)
out=$(LD_LIBRARY_PATH="$PREFIX/lib" "$T/app")
echo "$out"
[ "$out" = "pid 1 on sandbox
libsandbox $(pkg-config --modversion libsandbox): exit 0" ] || { echo "install-check: unexpected output (shared)" >&2; exit 1; }
# static: libsandbox.a and its private dependencies
gcc -Wall -Werror -static-pie -o "$T/app-static" "$T/app.c" $(pkg-config --static --cflags --libs libsandbox)
out=$("$T/app-static")
case $out in "pid 1 on sandbox"*) ;; *) echo "install-check: unexpected output (static): $out" >&2; exit 1 ;; esac
# the shared library exports the API and nothing else
if nm -D --defined-only "$PREFIX"/lib/libsandbox.so | awk '{print $3}' | grep -v '^sbx_\|^LIBSANDBOX_' | grep .; then
	echo "install-check: libsandbox.so exports symbols outside the sbx_ API" >&2
	exit 1
fi
echo "install-check: OK"
