/* After an agent restart: what a container's state folder says (runtime/container_adopt.h)
 * and what the task manager reports for it, on fake state folders (no container runs). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/tasks/task_manager.h"
#include "common/fileio.h"
#include "container/monitor_lock.h"
#include "container/state_folder.h"
#include "runtime/container_adopt.h"
#include "runtime/container_start.h"
#include "tests/unit/test.h"

static char *folder_for(const char *task, const char *container)
{
	char *dir = NULL;
	if (asprintf(&dir, "%s/tasks/%s/%s", test_tmpdir(), task, container) < 0 ||
	    mkdir_parents(dir, 0700) < 0) {
		free(dir);
		return NULL;
	}
	return dir;
}

static int put(const char *dir, const char *file, const char *text)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return write_file_atomic(path, text, strlen(text), 0644);
}

TEST(inspect_tells_the_four_cases)
{
	char *dir = folder_for("inspect", "a");
	ASSERT_TRUE(dir);
	ASSERT_INT_EQ(container_inspect(dir), CONTAINER_FOUND_NOT_STARTED);
	/* The agent locked the folder and ended before it spawned a monitor: nothing ran. */
	int lock = -1;
	ASSERT_INT_EQ(monitor_lock_take(dir, &lock, NULL), 0);
	close(lock);
	ASSERT_INT_EQ(container_inspect(dir), CONTAINER_FOUND_NOT_STARTED);
	/* A monitor was started (its lock file exists) and holds the lock. */
	ASSERT_INT_EQ(monitor_lock_take(dir, &lock, NULL), 0);
	ASSERT_INT_EQ(container_inspect(dir), CONTAINER_FOUND_ALIVE);
	/* A second monitor cannot start there. */
	int second = -1;
	ASSERT_INT_EQ(monitor_lock_take(dir, &second, NULL), -EBUSY);
	/* It wrote its pid, then ended without a record. */
	ASSERT_INT_EQ(put(dir, CONTAINER_MONITOR_PID_FILE, "4243\n"), 0);
	close(lock);
	ASSERT_INT_EQ(container_inspect(dir), CONTAINER_FOUND_LOST);
	/* The record decides, even while the monitor still holds the lock on its way out. */
	ASSERT_INT_EQ(monitor_lock_take(dir, &lock, NULL), 0);
	ASSERT_INT_EQ(put(dir, CONTAINER_EXIT_FILE, "{\"exit_code\":7,\"signal\":0,\"oom\":false}"), 0);
	ASSERT_INT_EQ(container_inspect(dir), CONTAINER_FOUND_EXITED);
	close(lock);
	free(dir);
}

static void noted(void *data)
{
	(*(int *)data)++;
}

/* A stand-in monitor: a child holding the folder's lock, as tether-monitor does. */
static pid_t fake_monitor(const char *dir)
{
	int lock = -1;
	if (monitor_lock_take(dir, &lock, NULL) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	close(lock); /* the child's copy keeps it */
	char text[32];
	snprintf(text, sizeof(text), "%d\n", (int)pid);
	put(dir, CONTAINER_MONITOR_PID_FILE, text);
	return pid;
}

TEST(adopted_monitor_end_is_learned_from_its_pidfd)
{
	char *dir = folder_for("adopt", "a");
	ASSERT_TRUE(dir);
	pid_t monitor = fake_monitor(dir);
	ASSERT_TRUE(monitor > 0);
	ASSERT_INT_EQ(put(dir, CONTAINER_PID_FILE, "4242\n"), 0);
	struct monitor_watch *w = NULL;
	ASSERT_INT_EQ(monitor_watch_new(&w, NULL), 0);
	struct container_handle h;
	container_handle_init(&h);
	h.dir = dir;
	h.cgroup = strdup("tether/unit-test-none/a");
	int ended = 0;
	struct exit_record rec = { 0 };
	ASSERT_INT_EQ(container_handle_adopt(&h, w, &ended, &rec), CONTAINER_FOUND_ALIVE);
	ASSERT_INT_EQ(h.pid, 4242);
	ASSERT_INT_EQ(h.monitor_pid, monitor);
	ASSERT_TRUE(h.adopted && h.monitor_pidfd >= 0);
	ASSERT_INT_EQ(h.state, CONTAINER_RUNNING);
	monitor_watch_collect(w, noted);
	ASSERT_INT_EQ(ended, 0);
	ASSERT_INT_EQ(container_handle_poll(&h, &rec), 0);

	/* The monitor records the exit and ends. */
	ASSERT_INT_EQ(put(dir, CONTAINER_EXIT_FILE, "{\"exit_code\":7,\"signal\":0,\"oom\":false}"), 0);
	kill(monitor, SIGKILL);
	waitpid(monitor, NULL, 0);
	for (int i = 0; i < 100 && !ended; i++) {
		monitor_watch_collect(w, noted);
		usleep(10000);
	}
	ASSERT_INT_EQ(ended, 1);
	monitor_watch_collect(w, noted); /* reported once */
	ASSERT_INT_EQ(ended, 1);
	container_handle_note_monitor_end(&h);
	ASSERT_INT_EQ(container_handle_poll(&h, &rec), CONTAINER_CHANGE_ENDED);
	ASSERT_INT_EQ(rec.exit_code, 7);
	exit_record_done(&rec);
	ASSERT_INT_EQ(h.state, CONTAINER_EXITED);
	ASSERT_TRUE(!container_handle_active(&h));
	container_handle_release(&h);
	monitor_watch_free(w);
}

TEST(container_stopped_before_its_monitor_never_runs)
{
	struct container_handle h;
	container_handle_init(&h);
	ASSERT_INT_EQ(h.state, CONTAINER_PULLING);
	container_handle_stop(&h);
	ASSERT_INT_EQ(h.state, CONTAINER_NEVER_RAN);
	ASSERT_TRUE(!container_handle_active(&h));
	container_handle_stop(&h); /* asked again: nothing changes */
	ASSERT_INT_EQ(h.state, CONTAINER_NEVER_RAN);
	ASSERT_INT_EQ(container_handle_poll(&h, &(struct exit_record){ 0 }), 0);
	container_handle_release(&h);
}

/* Adopt the container of folder DIR (named CGROUP by the agent) whose monitor was killed
 * without a record; returns the watch, which the caller frees. */
static struct monitor_watch *adopt_lost(char *dir, const char *cgroup, struct container_handle *h)
{
	pid_t monitor = fake_monitor(dir);
	ASSERT_TRUE(monitor > 0);
	kill(monitor, SIGKILL);
	waitpid(monitor, NULL, 0);
	struct monitor_watch *w = NULL;
	ASSERT_INT_EQ(monitor_watch_new(&w, NULL), 0);
	container_handle_init(h);
	h->dir = dir;
	h->cgroup = strdup(cgroup);
	struct exit_record rec = { 0 };
	ASSERT_INT_EQ(container_handle_adopt(h, w, NULL, &rec), CONTAINER_FOUND_LOST);
	return w;
}

TEST(monitor_killed_without_record_is_lost)
{
	char *dir = folder_for("lost", "a");
	ASSERT_TRUE(dir);
	struct container_handle h;
	struct monitor_watch *w = adopt_lost(dir, "tether/unit-test-none/a", &h);
	ASSERT_INT_EQ(h.state, CONTAINER_LOST);
	ASSERT_TRUE(container_handle_active(&h));
	/* Its (here missing) cgroup is empty: the end is reported, with no record. */
	struct exit_record rec = { 0 };
	ASSERT_INT_EQ(container_handle_poll(&h, &rec), CONTAINER_CHANGE_ENDED | CONTAINER_CHANGE_LOST);
	ASSERT_INT_EQ(h.state, CONTAINER_NEVER_RAN); /* it wrote no pid */
	ASSERT_TRUE(!container_handle_active(&h));
	container_handle_release(&h);
	monitor_watch_free(w);
}

/* An agent back with another cgroup driver names the cgroup otherwise; the container is
 * where its config.json says it was born. */
TEST(adopted_container_keeps_the_cgroup_it_was_born_in)
{
	char *dir = folder_for("moved", "a");
	ASSERT_TRUE(dir);
	ASSERT_INT_EQ(put(dir, CONTAINER_CONFIG_FILE, "{\"cgroup\": \"tether/moved/a\"}"), 0);
	struct container_handle h;
	struct monitor_watch *w = adopt_lost(dir, "system.slice/tether.service/tasks/moved/a", &h);
	ASSERT_STR_EQ(h.cgroup, "tether/moved/a");
	container_handle_release(&h);
	monitor_watch_free(w);
}

struct reports {
	int calls;
	enum task_status status[8];
	char stop_code[64];
	bool has_exit_code;
	int exit_code;
	char reason[512];
};

static void record(void *userdata, const struct task_report *r)
{
	struct reports *s = userdata;
	if (s->calls < 8)
		s->status[s->calls] = r->status;
	s->calls++;
	snprintf(s->stop_code, sizeof(s->stop_code), "%s", r->stop_code ? r->stop_code : "");
	s->has_exit_code = r->n_containers && r->containers[0].has_exit_code;
	s->exit_code = r->n_containers ? r->containers[0].exit_code : -1;
	snprintf(s->reason, sizeof(s->reason), "%s",
		 r->n_containers && r->containers[0].reason ? r->containers[0].reason : "");
}

static struct task_manager *manager(struct reports *s)
{
	struct task_manager_config cfg = {
		.state_dir = test_tmpdir(), .monitor_path = "/nonexistent/tether-monitor",
		.on_state = record, .userdata = s,
	};
	struct task_manager *tm = NULL;
	return task_manager_new(&cfg, &tm, NULL) == 0 ? tm : NULL;
}

static void resume(struct task_manager *tm, const char *id, enum task_status last)
{
	char arn[128];
	snprintf(arn, sizeof(arn), "arn:x:task/c/%s", id);
	cJSON *def = cJSON_Parse("{\"family\":\"f\",\"containerDefinitions\":[{\"name\":\"a\","
				 "\"image\":\"oci:/nonexistent\",\"essential\":true}]}");
	(void)task_manager_resume_task(tm, arn, def, last, NULL);
	cJSON_Delete(def);
	for (int i = 0; i < 50 && task_manager_active_count(tm); i++)
		task_manager_tick(tm);
}

/* The folder of container "a" of TASK whose monitor ran and ended (its lock file is there,
 * unlocked, and its pid file), after the container started when WITH_PID. */
static char *ended_monitor_folder(const char *task, bool with_pid)
{
	char *dir = folder_for(task, "a");
	int lock = -1;
	if (!dir || monitor_lock_take(dir, &lock, NULL) < 0 ||
	    put(dir, CONTAINER_MONITOR_PID_FILE, "4243\n") < 0 ||
	    (with_pid && put(dir, CONTAINER_PID_FILE, "4242\n") < 0)) {
		free(dir);
		return NULL;
	}
	close(lock);
	return dir;
}

TEST(exit_while_away_is_reported_with_its_code_and_no_second_running)
{
	char *dir = ended_monitor_folder("exited", true);
	ASSERT_TRUE(dir);
	ASSERT_INT_EQ(put(dir, CONTAINER_EXIT_FILE, "{\"exit_code\":7,\"signal\":0,\"oom\":false}"), 0);
	struct reports s = { 0 };
	struct task_manager *tm = manager(&s);
	ASSERT_TRUE(tm);
	resume(tm, "exited", TASK_RUNNING);
	/* RUNNING was reported before the restart: only STOPPED is new. */
	ASSERT_INT_EQ(s.calls, 1);
	ASSERT_INT_EQ(s.status[0], TASK_STOPPED);
	ASSERT_STR_EQ(s.stop_code, "EssentialContainerExited");
	ASSERT_TRUE(s.has_exit_code);
	ASSERT_INT_EQ(s.exit_code, 7);
	task_manager_free(tm);

	/* Last reported PENDING: it did run, so RUNNING comes first. */
	struct reports s2 = { 0 };
	tm = manager(&s2);
	resume(tm, "exited", TASK_PENDING);
	ASSERT_INT_EQ(s2.calls, 2);
	ASSERT_INT_EQ(s2.status[0], TASK_RUNNING);
	ASSERT_INT_EQ(s2.status[1], TASK_STOPPED);
	task_manager_free(tm);
	free(dir);
}

TEST(lost_monitor_reports_unknown_exit_or_failed_start)
{
	char *dir = ended_monitor_folder("lost-ran", true);
	ASSERT_TRUE(dir);
	struct reports s = { 0 };
	struct task_manager *tm = manager(&s);
	ASSERT_TRUE(tm);
	resume(tm, "lost-ran", TASK_RUNNING);
	ASSERT_INT_EQ(s.calls, 1);
	ASSERT_INT_EQ(s.status[0], TASK_STOPPED);
	ASSERT_TRUE(!s.has_exit_code);
	ASSERT_CONTAINS(s.reason, "exit code unknown");
	ASSERT_STR_EQ(s.stop_code, "EssentialContainerExited");
	free(dir);

	/* No pid: the container never started. */
	dir = ended_monitor_folder("lost-early", false);
	ASSERT_TRUE(dir);
	resume(tm, "lost-early", TASK_PENDING);
	ASSERT_STR_EQ(s.stop_code, "TaskFailedToStart");
	ASSERT_CONTAINS(s.reason, "CannotStartContainerError");
	task_manager_free(tm);
	free(dir);
}

TEST(live_monitor_is_adopted_and_nothing_reported)
{
	char *dir = folder_for("alive", "a");
	ASSERT_TRUE(dir);
	pid_t monitor = fake_monitor(dir);
	ASSERT_TRUE(monitor > 0);
	ASSERT_INT_EQ(put(dir, CONTAINER_PID_FILE, "4242\n"), 0);
	struct reports s = { 0 };
	struct task_manager *tm = manager(&s);
	ASSERT_TRUE(tm);
	resume(tm, "alive", TASK_RUNNING);
	ASSERT_INT_EQ(s.calls, 0);
	ASSERT_INT_EQ(task_manager_active_count(tm), 1);
	/* Stopping it signals the monitor, which (a stand-in here) dies without a record. */
	ASSERT_INT_EQ(task_manager_stop_task(tm, "arn:x:task/c/alive", "bye"), 0);
	for (int i = 0; i < 200 && task_manager_active_count(tm); i++) {
		task_manager_tick(tm);
		usleep(10000);
	}
	waitpid(monitor, NULL, 0);
	ASSERT_INT_EQ(task_manager_active_count(tm), 0);
	ASSERT_STR_EQ(s.stop_code, "UserInitiated");
	task_manager_free(tm);
	free(dir);
}

TEST(never_started_container_is_prepared_again)
{
	struct reports s = { 0 };
	struct task_manager *tm = manager(&s);
	ASSERT_TRUE(tm);
	char arn[] = "arn:x:task/c/fresh";
	cJSON *def = cJSON_Parse("{\"family\":\"f\",\"containerDefinitions\":[{\"name\":\"a\","
				 "\"image\":\"oci:/nonexistent\"}]}");
	ASSERT_INT_EQ(task_manager_resume_task(tm, arn, def, TASK_PENDING, NULL), 0);
	cJSON_Delete(def);
	for (int i = 0; i < 300 && task_manager_active_count(tm); i++) {
		task_manager_tick(tm);
		usleep(10000);
	}
	/* The image is pulled again (and here fails), so the task is not silently left. */
	ASSERT_STR_EQ(s.stop_code, "TaskFailedToStart");
	ASSERT_CONTAINS(s.reason, "CannotPullContainerError");
	task_manager_free(tm);
}

static void written(void *data)
{
	(*(int *)data)++;
}

TEST(watched_folder_reports_its_pid_file_only)
{
	char *dir = folder_for("watch", "a");
	ASSERT_TRUE(dir);
	struct monitor_watch *w = NULL;
	ASSERT_INT_EQ(monitor_watch_new(&w, NULL), 0);
	int seen = 0;
	int id = monitor_watch_folder(w, dir, CONTAINER_PID_FILE, &seen);
	ASSERT_TRUE(id >= 0);
	ASSERT_INT_EQ(put(dir, "hosts", "127.0.0.1 localhost\n"), 0);
	monitor_watch_collect_files(w, written);
	ASSERT_INT_EQ(seen, 0);
	/* The epoll set wakes a caller's poll for it. */
	ASSERT_INT_EQ(put(dir, CONTAINER_PID_FILE, "4242\n"), 0);
	struct pollfd p = { .fd = monitor_watch_fd(w), .events = POLLIN };
	ASSERT_INT_EQ(poll(&p, 1, 1000), 1);
	monitor_watch_collect_files(w, written);
	/* Renamed into place, then closed under its new name: once or twice. */
	ASSERT_TRUE(seen >= 1);
	int before = seen;
	monitor_watch_forget_folder(w, id);
	ASSERT_INT_EQ(put(dir, CONTAINER_PID_FILE, "4243\n"), 0);
	monitor_watch_collect_files(w, written);
	ASSERT_INT_EQ(seen, before);
	monitor_watch_free(w);
	free(dir);
}
