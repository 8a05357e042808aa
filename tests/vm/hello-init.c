/* The init of the initramfs that tests/vm-linux.sh boots with a stock Linux
 * kernel in the VMM: says who it is and what the kernel handed it, then
 * reboots, which the VMM sees as the i8042 reset (reboot=k). Static, so the
 * initramfs needs nothing else. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(void)
{
	/* the kernel opens /dev/console for init only if the initramfs has it */
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	int fd = open("/dev/ttyS0", O_WRONLY | O_NOCTTY);
	struct utsname u;
	uname(&u);
	/* the kernel passes command-line words it does not know, NAME=VALUE, in
	 * init's environment */
	const char *token = getenv("token");
	dprintf(fd, "hello-init: pid %d, Linux %s, token %s\n", (int)getpid(), u.release,
		token ? token : "(none)");
	sync();
	reboot(RB_AUTOBOOT);
	return 1;
}
