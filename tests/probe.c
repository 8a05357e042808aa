/* probe: run inside a sandbox by the tests; reports what it sees, one
 * "key=value" line per query, so that tests assert on facts.
 *
 *   probe QUERY [ARG] [QUERY [ARG]]...
 *
 * A failed operation prints "key=errno:NAME" rather than exiting, so a test
 * can assert on the exact errno. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *ename(int e)
{
	static char buf[32];
	const char *name = strerrorname_np(e);
	if (name)
		return name;
	snprintf(buf, sizeof(buf), "%d", e);
	return buf;
}

/* A raw system call's outcome: "key=value" or "key=errno:NAME". */
static void sys_result(const char *key, long r, int e)
{
	if (r < 0)
		printf("%s=errno:%s\n", key, ename(e));
	else
		printf("%s=%ld\n", key, r);
}

static long num(const char *s)
{
	return (long)strtoull(s, NULL, 0);
}

/* SIGSYS from a trap rule: which call, which architecture, the rule's data. */
static volatile sig_atomic_t trapped_nr = -1;
static volatile unsigned trapped_arch, trapped_data;
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	trapped_nr = si->si_syscall;
	trapped_arch = si->si_arch;
	trapped_data = (unsigned)si->si_errno;
}

static void *thread_sys(void *arg)
{
	long r = syscall(*(long *)arg, 0, 0, 0, 0, 0, 0);
	return (void *)r;
}

/* The i386 ABI from a 64-bit process: int $0x80, number in eax. */
static long int80(long nr)
{
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(0), "c"(0), "d"(0) : "memory");
	return ret;
}

static void print_file(const char *key, const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		printf("%s=errno:%s\n", key, ename(errno));
		return;
	}
	char line[512];
	while (fgets(line, sizeof(line), f))
		printf("%s=%s", key, line);
	fclose(f);
}

static void status_field(const char *field)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	size_t n = strlen(field);
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, field, n) || line[n] != ':')
			continue;
		size_t len = strlen(line);
		while (len > n + 2 && (line[len - 1] == '\n' || line[len - 1] == ' '))
			line[--len] = 0; /* "Groups:\t \n" has a trailing space */
		printf("%s=%s\n", field, line + n + 2);
	}
	if (f)
		fclose(f);
}

static void list_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d) {
		printf("fds=errno:%s\n", ename(errno));
		return;
	}
	int self = dirfd(d);
	int fds[256], n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 256) {
		if (e->d_name[0] == '.')
			continue;
		int fd = atoi(e->d_name);
		if (fd != self)
			fds[n++] = fd;
	}
	closedir(d);
	/* readdir order is numeric for /proc/self/fd, but do not rely on it */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
			int t = fds[j];
			fds[j] = fds[j - 1];
			fds[j - 1] = t;
		}
	printf("fds=");
	for (int i = 0; i < n; i++)
		printf("%s%d", i ? " " : "", fds[i]);
	printf("\n");
}

static void spin(long ms)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	do {
		for (volatile int i = 0; i < 100000; i++)
			;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
	printf("spin=done\n");
}

static void ifaces(void)
{
	struct if_nameindex *ifs = if_nameindex();
	if (!ifs) {
		printf("ifaces=errno:%s\n", ename(errno));
		return;
	}
	printf("ifaces=");
	for (struct if_nameindex *i = ifs; i->if_index; i++)
		printf("%s%s", i == ifs ? "" : " ", i->if_name);
	printf("\n");
	if_freenameindex(ifs);
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = {0};
	strcpy(ifr.ifr_name, "lo");
	if (s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0)
		printf("lo_up=%d\n", !!(ifr.ifr_flags & IFF_UP));
	if (s >= 0)
		close(s);
}

static void ns_links(void)
{
	static const char *kinds[] = {"user", "pid", "mnt", "uts", "ipc", "net", "cgroup", "time"};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
		char path[64], link[64];
		snprintf(path, sizeof(path), "/proc/self/ns/%s", kinds[i]);
		ssize_t n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			printf("ns_%s=errno:%s\n", kinds[i], ename(errno));
		else
			printf("ns_%s=%.*s\n", kinds[i], (int)n, link);
	}
}

static int count_pids(void)
{
	DIR *d = opendir("/proc");
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
			n++;
	if (d)
		closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		const char *q = argv[i];
		const char *arg = i + 1 < argc ? argv[i + 1] : "";
		if (!strcmp(q, "pid")) {
			printf("pid=%d\nppid=%d\n", getpid(), getppid());
		} else if (!strcmp(q, "nprocs")) {
			printf("nprocs=%d\n", count_pids());
		} else if (!strcmp(q, "ids")) {
			printf("uid=%u\ngid=%u\n", getuid(), getgid());
			print_file("uid_map", "/proc/self/uid_map");
			print_file("gid_map", "/proc/self/gid_map");
			status_field("Groups");
		} else if (!strcmp(q, "hostname")) {
			char h[128] = "";
			gethostname(h, sizeof(h));
			printf("hostname=%s\n", h);
		} else if (!strcmp(q, "ifaces")) {
			ifaces();
		} else if (!strcmp(q, "fds")) {
			list_fds();
		} else if (!strcmp(q, "fdlink")) { /* fdlink N: what fd N is */
			char path[64], link[256];
			snprintf(path, sizeof(path), "/proc/self/fd/%s", arg);
			ssize_t n = readlink(path, link, sizeof(link) - 1);
			if (n < 0)
				printf("fdlink=errno:%s\n", ename(errno));
			else
				printf("fdlink=%.*s\n", (int)n, link);
			i++;
		} else if (!strcmp(q, "ns")) {
			ns_links();
		} else if (!strcmp(q, "cgroup")) {
			print_file("cgroup", "/proc/self/cgroup");
		} else if (!strcmp(q, "caps")) {
			status_field("CapInh");
			status_field("CapPrm");
			status_field("CapEff");
			status_field("CapBnd");
			status_field("CapAmb");
		} else if (!strcmp(q, "nnp")) {
			status_field("NoNewPrivs");
		} else if (!strcmp(q, "signals")) {
			status_field("SigBlk");
			status_field("SigIgn");
		} else if (!strcmp(q, "session")) {
			printf("sid_is_pid=%d\n", getsid(0) == getpid());
			int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
			printf("tty=%s\n", fd >= 0 ? "open" : ename(errno));
			if (fd >= 0)
				close(fd);
		} else if (!strcmp(q, "prctl")) {
			int sig = 0;
			prctl(PR_GET_PDEATHSIG, &sig);
			printf("pdeathsig=%d\n", sig);
			printf("no_new_privs=%d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
		} else if (!strcmp(q, "create")) { /* create PATH: can we write there? */
			int fd = open(arg, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			printf("create=%s\n", fd >= 0 ? "ok" : ename(errno));
			if (fd >= 0)
				close(fd);
			i++;
		} else if (!strcmp(q,
				   "write")) { /* write PATH: open an existing file for writing */
			int fd = open(arg, O_WRONLY | O_CLOEXEC);
			printf("write=%s\n", fd >= 0 ? "ok" : ename(errno));
			if (fd >= 0)
				close(fd);
			i++;
		} else if (!strcmp(q, "open")) { /* open PATH for reading: a device, say */
			int fd = open(arg, O_RDONLY | O_CLOEXEC);
			printf("open=%s\n", fd >= 0 ? "ok" : ename(errno));
			if (fd >= 0)
				close(fd);
			i++;
		} else if (!strcmp(q, "rlimit")) { /* rlimit N: soft and hard of resource N */
			struct rlimit rl;
			getrlimit(atoi(arg), &rl);
			printf("rlimit=%lld %lld\n",
			       rl.rlim_cur == RLIM_INFINITY ? -1LL : (long long)rl.rlim_cur,
			       rl.rlim_max == RLIM_INFINITY ? -1LL : (long long)rl.rlim_max);
			i++;
		} else if (!strcmp(q,
				   "spinners")) { /* spinners N: N processes burning CPU forever */
			for (int k = 0; k < atoi(arg); k++)
				if (fork() == 0)
					for (;;)
						;
			i++;
			for (;;)
				;
		} else if (!strcmp(q, "openat")) { /* openat N PATH: beneath fd N */
			int fd = openat(atoi(arg), i + 2 < argc ? argv[i + 2] : "",
					O_RDONLY | O_CLOEXEC);
			printf("openat=%s\n", fd >= 0 ? "ok" : ename(errno));
			if (fd >= 0)
				close(fd);
			i += 2;
		} else if (!strcmp(q, "readfd")) { /* readfd N: what fd N holds (a line) */
			char buf[128] = "";
			ssize_t n = pread(atoi(arg), buf, sizeof(buf) - 1, 0);
			if (n < 0)
				printf("readfd=errno:%s\n", ename(errno));
			else
				printf("readfd=%.*s\n", (int)strcspn(buf, "\n"), buf);
			i++;
		} else if (!strcmp(q, "writefd")) { /* writefd N: write a byte to fd N */
			ssize_t n = write(atoi(arg), "x", 1);
			sys_result("writefd", n, errno);
			i++;
		} else if (!strcmp(q,
				   "connect")) { /* connect PORT: a new TCP socket to 127.0.0.1 */
			int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
			struct sockaddr_in sa = {.sin_family = AF_INET,
						 .sin_port = htons(atoi(arg)),
						 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
			int r = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&sa, sizeof(sa));
			sys_result("connect", r, errno);
			i++;
		} else if (!strcmp(q, "connectfd")) { /* connectfd N PORT: a socket it holds */
			struct sockaddr_in sa = {
				.sin_family = AF_INET,
				.sin_port = htons(atoi(i + 2 < argc ? argv[i + 2] : "0")),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
			int r = connect(atoi(arg), (struct sockaddr *)&sa, sizeof(sa));
			sys_result("connectfd", r, errno);
			i += 2;
		} else if (!strcmp(q, "bindfd")) { /* bindfd N: bind a socket it holds, any port */
			struct sockaddr_in sa = {.sin_family = AF_INET,
						 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
			int r = bind(atoi(arg), (struct sockaddr *)&sa, sizeof(sa));
			sys_result("bindfd", r, errno);
			i++;
		} else if (!strcmp(q, "kill0")) { /* kill0 PID: may it signal PID? */
			int r = kill(atoi(arg), 0);
			sys_result("kill0", r, errno);
			i++;
		} else if (!strcmp(q,
				   "pidfd-kill0")) { /* pidfd-kill0 N: signal 0 through pidfd N */
			int r = (int)syscall(SYS_pidfd_send_signal, atoi(arg), 0, NULL, 0);
			sys_result("pidfd-kill0", r, errno);
			i++;
		} else if (!strcmp(q, "chanrecv")) { /* chanrecv N: a message with an fd on N */
			char data[64] = "";
			union {
				char buf[CMSG_SPACE(sizeof(int))];
				struct cmsghdr align;
			} u;
			struct iovec iov = {data, sizeof(data) - 1};
			struct msghdr m = {.msg_iov = &iov,
					   .msg_iovlen = 1,
					   .msg_control = u.buf,
					   .msg_controllen = sizeof(u.buf)};
			ssize_t n = recvmsg(atoi(arg), &m, MSG_CMSG_CLOEXEC);
			struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&m) : NULL;
			int fd = -1;
			if (c && c->cmsg_type == SCM_RIGHTS)
				memcpy(&fd, CMSG_DATA(c), sizeof(fd));
			char got[64] = "";
			if (fd >= 0 && pread(fd, got, sizeof(got) - 1, 0) < 0)
				got[0] = 0;
			printf("chanrecv=%s fd-data=%s cloexec=%d\n", data, got,
			       fd >= 0 ? (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0 : -1);
			const char reply[] = "pong";
			if (send(atoi(arg), reply, sizeof(reply) - 1, MSG_NOSIGNAL) < 0)
				printf("chansend=errno:%s\n", ename(errno));
			i++;
		} else if (!strcmp(q, "forkn")) { /* forkn N: how many children can exist at once */
			int n = atoi(arg), k = 0;
			pid_t kids[256];
			for (; k < n && k < 256; k++) {
				pid_t pid = fork();
				if (pid == 0) {
					pause();
					_exit(0);
				}
				if (pid < 0)
					break;
				kids[k] = pid;
			}
			printf("forked=%d\n", k);
			fflush(stdout);
			for (int j = 0; j < k; j++)
				kill(kids[j], SIGKILL);
			while (wait(NULL) > 0)
				;
			i++;
		} else if (!strcmp(q, "forkbomb")) {
			for (;;)
				fork();
		} else if (!strcmp(q, "daemon")) { /* double fork: a grandchild that outlives us */
			fflush(stdout);
			if (fork() == 0) {
				setsid();
				if (fork() == 0) {
					printf("daemon=%d\n", getpid());
					fflush(stdout);
					sleep(60);
					_exit(0);
				}
				_exit(0);
			}
			wait(NULL);
		} else if (!strcmp(q, "flood")) { /* flood N: write N bytes to stdout */
			static char block[65536];
			memset(block, 'x', sizeof(block));
			fflush(stdout);
			for (long left = atol(arg); left > 0;) {
				ssize_t n = write(1, block,
						  left < 65536 ? (size_t)left : sizeof(block));
				if (n <= 0)
					break;
				left -= n;
			}
			i++;
		} else if (!strcmp(q, "fsize")) { /* fsize N: write N bytes to a file in /tmp */
			int fd = open("/tmp/fsize-probe", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
				      0600);
			static char block[4096];
			long done = 0;
			signal(SIGXFSZ, SIG_IGN);
			for (long left = atol(arg); fd >= 0 && left > 0; left -= 4096) {
				ssize_t n = write(fd, block, 4096);
				if (n <= 0) {
					printf("fsize=%s after %ld\n", ename(errno), done);
					break;
				}
				done += n;
			}
			if (fd >= 0)
				close(fd);
			i++;
		} else if (!strcmp(q, "exists")) {
			printf("exists=%s\n", access(arg, F_OK) == 0 ? "yes" : ename(errno));
			i++;
		} else if (!strcmp(q, "shmget")) { /* shmget KEY: does it exist here? */
			int id = shmget((key_t)strtol(arg, NULL, 0), 0, 0);
			printf("shmget=%s\n", id >= 0 ? "found" : ename(errno));
			i++;
		} else if (!strcmp(q, "shmcreate")) {
			int id = shmget((key_t)strtol(arg, NULL, 0), 4096,
					IPC_CREAT | IPC_EXCL | 0600);
			printf("shmcreate=%s\n", id >= 0 ? "ok" : ename(errno));
			i++;
		} else if (!strcmp(q, "keyread")) { /* keyread ID: read a key's payload */
			char buf[64];
			long n = syscall(SYS_keyctl, KEYCTL_READ, strtol(arg, NULL, 0), buf,
					 sizeof(buf), 0);
			if (n < 0)
				printf("keyread=errno:%s\n", ename(errno));
			else
				printf("keyread=%.*s\n", (int)(n < 64 ? n : 64), buf);
			i++;
		} else if (!strcmp(q, "keysearch")) { /* keysearch DESC in the session keyring */
			long id = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING,
					  "user", arg, 0);
			printf("keysearch=%s\n", id >= 0 ? "found" : ename(errno));
			i++;
		} else if (!strcmp(q, "sessionkeyring")) {
			long id = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID,
					  KEY_SPEC_SESSION_KEYRING, 0);
			printf("sessionkeyring=%ld\n", id);
		} else if (!strcmp(q, "cwd")) {
			char buf[512];
			printf("cwd=%s\n", getcwd(buf, sizeof(buf)) ? buf : ename(errno));
		} else if (!strcmp(q, "env")) {
			extern char **environ;
			for (char **e = environ; *e; e++)
				printf("env=%s\n", *e);
			printf("env_end=1\n");
		} else if (!strcmp(q, "cat")) { /* stdin to stdout */
			char buf[4096];
			ssize_t n;
			size_t total = 0;
			fflush(stdout);
			while ((n = read(0, buf, sizeof(buf))) > 0) {
				total += (size_t)n;
				if (write(1, buf, (size_t)n) != n)
					break;
			}
			printf("\ncat_bytes=%zu\n", total);
		} else if (!strcmp(q, "stderr")) {
			fprintf(stderr, "%s\n", arg);
			i++;
		} else if (!strcmp(q, "spin")) {
			spin(atol(arg));
			i++;
		} else if (!strcmp(q, "alloc")) { /* alloc MB: touch that much memory */
			size_t len = (size_t)atol(arg) << 20;
			char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED) {
				printf("alloc=errno:%s\n", ename(errno));
			} else {
				for (size_t k = 0; k < len; k += 4096)
					p[k] = 1;
				printf("alloc=ok\n");
			}
			i++;
		} else if (!strcmp(q, "sleep")) {
			fflush(stdout);
			usleep((useconds_t)atol(arg) * 1000);
			i++;
		} else if (!strcmp(q, "sys")) { /* sys NR [A0..A5]: a raw call; args are numbers */
			long a[7] = {0};
			for (int k = 0;
			     k < 7 && i + 1 < argc && isdigit((unsigned char)argv[i + 1][0]); k++)
				a[k] = num(argv[++i]);
			errno = 0;
			long r = syscall(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
			sys_result("sys", r, errno);
		} else if (!strcmp(q, "trap")) { /* trap NR: call it with a SIGSYS handler */
			struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
			sigaction(SIGSYS, &sa, NULL);
			errno = 0;
			long r = syscall(num(arg), 0, 0, 0, 0, 0, 0);
			int e = errno;
			if (trapped_nr >= 0)
				printf("trap=nr:%d arch:0x%x data:%u\n", (int)trapped_nr,
				       trapped_arch, trapped_data);
			else
				sys_result("trap", r, e);
			i++;
		} else if (!strcmp(q, "thread-sys")) { /* thread-sys NR: in another thread */
			pthread_t t;
			long nr = num(arg);
			void *ret;
			if (pthread_create(&t, NULL, thread_sys, &nr) == 0 &&
			    pthread_join(t, &ret) == 0)
				printf("thread-sys=joined\n");
			i++;
		} else if (!strcmp(q, "x32")) { /* x32 NR: the x32 ABI's number for NR */
			errno = 0;
			long r = syscall(num(arg) | 0x40000000L, 0, 0, 0, 0, 0, 0);
			sys_result("x32", r, errno);
			i++;
		} else if (!strcmp(q, "int80")) { /* int80 NR: an i386 system call */
			long r = int80(num(arg));
			sys_result("int80", r < 0 && r > -4096 ? -1 : r, (int)-r);
			i++;
		} else if (!strcmp(q, "ready")) { /* for tests that act while we run */
			printf("ready=1\n");
			fflush(stdout);
		} else if (!strcmp(q, "exit")) {
			fflush(stdout);
			_exit(atoi(arg));
		} else if (!strcmp(q, "raise")) {
			fflush(stdout);
			signal(atoi(arg), SIG_DFL);
			raise(atoi(arg));
			i++;
		} else {
			fprintf(stderr, "probe: unknown query %s\n", q);
			return 2;
		}
	}
	return 0;
}
