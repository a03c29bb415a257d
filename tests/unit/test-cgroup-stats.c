/* cgroup_read_stats against the real kernel: a busy child in a fresh cgroup. On a hybrid host
 * only the core cpu.stat fields exist; in the VM (every controller) memory and pids too. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/cgroup.h"
#include "common/cleanup.h"
#include "tests/unit/test.h"

/* Burns ms of this thread's own CPU time: on a loaded host wall time says nothing of what the
 * cgroup will be charged. */
static void burn_cpu_ms(long ms)
{
	struct timespec now;
	do {
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
	} while (now.tv_sec * 1000 + now.tv_nsec / 1000000 < ms);
}

TEST(stats_of_a_busy_cgroup)
{
	if (geteuid() != 0) {
		test_skip("needs root to create cgroups");
		return;
	}
	struct error err = { 0 };
	char path[64], procs[4200];
	snprintf(path, sizeof(path), "tether-stats-test-%d", (int)getpid());
	_cleanup_free_ char *mount = NULL, *available = NULL;
	ASSERT_INT_EQ(cgroup_mount_point(&mount, &err), 0);
	ASSERT_INT_EQ(cgroup_available_controllers(&available, &err), 0);
	ASSERT_INT_EQ(cgroup_create(path, &err), 0);
	snprintf(procs, sizeof(procs), "%s/%s/cgroup.procs", mount, path);

	int go[2], done[2];
	ASSERT_INT_EQ(pipe2(go, O_CLOEXEC), 0);
	ASSERT_INT_EQ(pipe2(done, O_CLOEXEC), 0);
	pid_t child = fork();
	if (child == 0) {
		char c;
		close(go[1]);
		close(done[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		_cleanup_free_ char *block = malloc(8 << 20);
		for (size_t i = 0; block && i < (8u << 20); i += 4096)
			block[i] = 1;
		burn_cpu_ms(300);
		(void)!write(done[1], "d", 1);
		pause();
		_exit(0);
	}
	close(go[0]);
	close(done[1]);
	FILE *f = fopen(procs, "we");
	bool in_cgroup = f && fprintf(f, "%d\n", (int)child) > 0 && fflush(f) == 0;
	if (f)
		fclose(f);
	(void)!write(go[1], "g", 1);
	close(go[1]);
	/* Read once the child has burnt its share, however long the host takes to give it. */
	struct pollfd burnt = { .fd = done[0], .events = POLLIN };
	bool child_done = poll(&burnt, 1, 60 * 1000) == 1;
	close(done[0]);

	struct cgroup_stats s;
	int r = cgroup_read_stats(path, &s, &err);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	usleep(100 * 1000);
	cgroup_remove(path, NULL);

	ASSERT_TRUE(in_cgroup);
	ASSERT_TRUE(child_done);
	ASSERT_INT_EQ(r, 0);
	ASSERT_TRUE(s.cpu_usage_usec >= 100 * 1000);
	ASSERT_TRUE(s.cpu_user_usec > 0);
	ASSERT_TRUE(s.has_memory == (strstr(available, "memory") != NULL));
	if (s.has_memory)
		ASSERT_TRUE(s.memory_current_bytes >= 4u << 20);
	if (s.has_pids)
		ASSERT_INT_EQ(s.pids_current, 1);
	if (s.has_cpu_throttling)
		ASSERT_INT_EQ(s.cpu_nr_throttled, 0);
}

TEST(stats_of_a_missing_cgroup_is_an_error)
{
	struct error err = { 0 };
	struct cgroup_stats s;
	ASSERT_TRUE(cgroup_read_stats("tether-no-such-cgroup-for-stats", &s, &err) < 0);
	ASSERT_CONTAINS(err.message, "cpu.stat");
}
