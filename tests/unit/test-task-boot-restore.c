/* After a reboot: the boot id that tells one (agent/daemon/boot_check.h), and the task manager
 * deciding, on fake state folders, what happens to containers the host's going down killed
 * (agent/tasks/task_boot_restore.c): each is restarted and counted once, unless its task
 * stops. No monitor is spawned: every check looks before the tick that would spawn one. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/daemon/boot_check.h"
#include "agent/state/store.h"
#include "agent/tasks/task_manager.h"
#include "common/fileio.h"
#include "container/monitor_lock.h"
#include "container/state_folder.h"
#include "tests/unit/test.h"

static int put(const char *dir, const char *file, const char *text)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return write_file_atomic(path, text, strlen(text), 0644);
}

/* --- the boot id */

TEST(boot_id_is_read_and_checked)
{
	char file[512], id[BOOT_ID_MAX + 1];
	snprintf(file, sizeof(file), "%s/boot_id", test_tmpdir());
	ASSERT_INT_EQ(write_file_atomic(file, "6f1c0d2e-aa\n", 12, 0644), 0);
	ASSERT_INT_EQ(boot_id_read(file, id, NULL), 0);
	ASSERT_STR_EQ(id, "6f1c0d2e-aa");
	ASSERT_INT_EQ(boot_id_read("/proc/sys/kernel/random/boot_id", id, NULL), 0);
	ASSERT_INT_EQ(strlen(id), 36);

	struct error err = { 0 };
	ASSERT_INT_EQ(write_file_atomic(file, "a b\n", 4, 0644), 0);
	ASSERT_INT_EQ(boot_id_read(file, id, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, file);
	ASSERT_INT_EQ(write_file_atomic(file, "\n", 1, 0644), 0);
	ASSERT_INT_EQ(boot_id_read(file, id, NULL), -EINVAL);
	error_clear(&err);
	ASSERT_INT_EQ(boot_id_read("/nonexistent/boot_id", id, &err), -ENOENT);
	ASSERT_CONTAINS(err.message, "/nonexistent/boot_id");
}

TEST(boot_check_compares_with_the_recorded_id)
{
	char file[512], db[512];
	snprintf(file, sizeof(file), "%s/boot_id_check", test_tmpdir());
	snprintf(db, sizeof(db), "%s/boot.db", test_tmpdir());
	struct store *s = NULL;
	ASSERT_INT_EQ(store_open(db, false, &s, NULL), 0);
	ASSERT_INT_EQ(write_file_atomic(file, "first\n", 6, 0644), 0);
	/* Nothing recorded (a first start, or a state dir of an agent before boot ids): no
	 * reboot. */
	struct boot_check b;
	ASSERT_INT_EQ(boot_check(s, file, &b, NULL), 0);
	ASSERT_TRUE(!b.known && !b.rebooted);
	ASSERT_INT_EQ(boot_check_record(s, &b, NULL), 0);
	ASSERT_INT_EQ(boot_check(s, file, &b, NULL), 0);
	ASSERT_TRUE(b.known && !b.rebooted);
	ASSERT_INT_EQ(write_file_atomic(file, "second\n", 7, 0644), 0);
	ASSERT_INT_EQ(boot_check(s, file, &b, NULL), 0);
	ASSERT_TRUE(b.known && b.rebooted);
	ASSERT_STR_EQ(b.now, "second");
	/* Recorded, it is the same boot for the next start. */
	ASSERT_INT_EQ(boot_check_record(s, &b, NULL), 0);
	ASSERT_INT_EQ(boot_check(s, file, &b, NULL), 0);
	ASSERT_TRUE(!b.rebooted);
	store_close(s);
}

/* --- the task manager after a reboot */

struct seen {
	int reports;
	enum task_status task_status;
	char stop_code[64];
	enum task_status status[2];
	bool has_restart_policy[2], has_exit_code[2];
	uint32_t restart_count[2];
	int exit_code; /* a's */
	char reason[2][256];
	/* The records kept, per container a and b. */
	bool kept[2];
	struct restart_record record[2];
	int saves[2];
};

static void on_state(void *userdata, const struct task_report *r)
{
	struct seen *s = userdata;
	s->reports++;
	s->task_status = r->status;
	snprintf(s->stop_code, sizeof(s->stop_code), "%s", r->stop_code ? r->stop_code : "");
	for (size_t i = 0; i < r->n_containers && i < 2; i++) {
		const struct container_report *c = &r->containers[i];
		s->status[i] = c->status;
		s->has_restart_policy[i] = c->has_restart_policy;
		s->restart_count[i] = c->restart_count;
		s->has_exit_code[i] = c->has_exit_code;
		snprintf(s->reason[i], sizeof(s->reason[i]), "%s", c->reason ? c->reason : "");
	}
	s->exit_code = r->n_containers ? r->containers[0].exit_code : -1;
}

static int index_of(const char *container)
{
	return !strcmp(container, "a") ? 0 : !strcmp(container, "b") ? 1 : -1;
}

static int save_restart(void *userdata, const char *task_arn, const char *container,
			const struct restart_record *rec)
{
	(void)task_arn;
	struct seen *s = userdata;
	int i = index_of(container);
	if (i < 0)
		return -EINVAL;
	s->kept[i] = true;
	s->record[i] = *rec;
	s->saves[i]++;
	return 0;
}

static int load_restart(void *userdata, const char *task_arn, const char *container,
			struct restart_record *ret)
{
	(void)task_arn;
	struct seen *s = userdata;
	int i = index_of(container);
	if (i < 0 || !s->kept[i])
		return 0;
	*ret = s->record[i];
	return 1;
}

/* HOST_STOPPING_AT: when the agent stopped, it saw the host shutting down (0: it did not). */
static struct task_manager *manager_after(struct seen *s, bool rebooted, int64_t host_stopping_at)
{
	struct task_manager_config cfg = {
		.state_dir = test_tmpdir(), .monitor_path = "/nonexistent/tether-monitor",
		.save_restart = save_restart, .load_restart = load_restart,
		.restore_after_reboot = rebooted, .host_stopping_at = host_stopping_at,
		.on_state = on_state, .userdata = s,
	};
	struct task_manager *tm = NULL;
	return task_manager_new(&cfg, &tm, NULL) == 0 ? tm : NULL;
}

static struct task_manager *manager(struct seen *s, bool rebooted)
{
	return manager_after(s, rebooted, 0);
}

/* Container NAME of TASK ran under monitor MONITOR; the host went down under both (the lock is
 * free, no exit record), or, with EXIT_CODE >= 0, it had exited with that code before. */
static char *folder(const char *task, const char *name, const char *monitor, int exit_code)
{
	char *dir = NULL;
	int lock = -1;
	if (asprintf(&dir, "%s/tasks/%s/%s", test_tmpdir(), task, name) < 0 ||
	    mkdir_parents(dir, 0700) < 0 || monitor_lock_take(dir, &lock, NULL) < 0)
		return NULL;
	close(lock);
	if (put(dir, CONTAINER_PID_FILE, "4242\n") < 0 ||
	    put(dir, CONTAINER_MONITOR_PID_FILE, monitor) < 0)
		return NULL;
	char text[128];
	snprintf(text, sizeof(text), "{\"exit_code\":%d,\"signal\":0,\"oom\":false}", exit_code);
	if (exit_code >= 0 && put(dir, CONTAINER_EXIT_FILE, text) < 0)
		return NULL;
	return dir;
}

/* TASK, last reported RUNNING: an essential "a" without a restart policy, and an essential "b"
 * that depends on a's START. */
static void resume(struct task_manager *tm, const char *task)
{
	char arn[128];
	snprintf(arn, sizeof(arn), "arn:x:task/c/%s", task);
	cJSON *def = cJSON_Parse(
		"{\"family\":\"f\",\"containerDefinitions\":["
		"{\"name\":\"a\",\"image\":\"oci:/nonexistent\",\"essential\":true},"
		"{\"name\":\"b\",\"image\":\"oci:/nonexistent\",\"essential\":true,"
		"\"dependsOn\":[{\"containerName\":\"a\",\"condition\":\"START\"}]}]}");
	(void)task_manager_resume_task(tm, arn, def, TASK_RUNNING, NULL);
	cJSON_Delete(def);
}

/* What the agent decides first after its start (the tick that would start is not run). */
static void take_back(struct seen *s, const char *task, bool rebooted)
{
	struct task_manager *tm = manager(s, rebooted);
	ASSERT_TRUE(tm);
	resume(tm, task);
	task_manager_tick(tm);
	task_manager_free(tm);
}

/* TASK taken back and ticked until it stopped (its images, asked again for the containers
 * never started, fail to be found). */
static void tick_until_stopped(struct task_manager *tm, const char *task, const char *stop_reason)
{
	ASSERT_TRUE(tm);
	resume(tm, task);
	if (stop_reason) {
		char arn[128];
		snprintf(arn, sizeof(arn), "arn:x:task/c/%s", task);
		ASSERT_INT_EQ(task_manager_stop_task(tm, arn, stop_reason), 0);
	}
	for (int i = 0; i < 300 && task_manager_active_count(tm); i++) {
		task_manager_tick(tm);
		usleep(10000);
	}
	task_manager_free(tm);
}

static void take_back_until_stopped(struct seen *s, const char *task, bool rebooted,
				    const char *stop_reason)
{
	tick_until_stopped(manager(s, rebooted), task, stop_reason);
}

TEST(killed_by_the_reboot_is_restarted_and_counted_once)
{
	char *a = folder("rebooted", "a", "4343\n", -1), *b = folder("rebooted", "b", "4344\n", -1);
	ASSERT_TRUE(a && b);
	struct seen s = { 0 };
	take_back(&s, "rebooted", true);
	/* One report: still RUNNING, each container restarted once, with the reason, no exit. */
	ASSERT_INT_EQ(s.reports, 1);
	ASSERT_INT_EQ(s.task_status, TASK_RUNNING);
	for (int i = 0; i < 2; i++) {
		ASSERT_INT_EQ(s.saves[i], 1);
		ASSERT_INT_EQ(s.record[i].count, 1);
		ASSERT_INT_EQ(s.status[i], TASK_RUNNING);
		/* No restartPolicy, but a restart to tell: the count is reported. */
		ASSERT_TRUE(s.has_restart_policy[i]);
		ASSERT_INT_EQ(s.restart_count[i], 1);
		ASSERT_TRUE(!s.has_exit_code[i]);
		ASSERT_STR_EQ(s.reason[i], "Restarted after the host rebooted");
	}
	/* Owed after the monitors the reboot killed, until new ones are spawned. */
	ASSERT_INT_EQ(s.record[0].owed_after_monitor, 4343);
	ASSERT_INT_EQ(s.record[1].owed_after_monitor, 4344);

	/* The agent was killed once the records (and the boot id with them) were committed,
	 * before it started the containers: the same boot now, the restarts are made and not
	 * counted again (what its first tick reports, if anything, still says 1). */
	take_back(&s, "rebooted", false);
	ASSERT_INT_EQ(s.saves[0], 1);
	ASSERT_INT_EQ(s.saves[1], 1);
	ASSERT_INT_EQ(s.record[0].count, 1);
	ASSERT_INT_EQ(s.restart_count[0], 1);
	/* Still owed until a start is made (here none: no config.json, no image). */
	ASSERT_INT_EQ(s.record[0].owed_after_monitor, 4343);
	free(a);
	free(b);
}

TEST(restore_off_reports_them_stopped)
{
	char *a = folder("kept-down", "a", "4343\n", -1), *b = folder("kept-down", "b", "4344\n", -1);
	ASSERT_TRUE(a && b);
	struct seen s = { 0 };
	take_back_until_stopped(&s, "kept-down", false, NULL);
	ASSERT_INT_EQ(s.saves[0] + s.saves[1], 0);
	ASSERT_INT_EQ(s.task_status, TASK_STOPPED);
	ASSERT_STR_EQ(s.stop_code, "EssentialContainerExited");
	ASSERT_CONTAINS(s.reason[0], "exit code unknown");
	ASSERT_INT_EQ(s.restart_count[0], 0);
	free(a);
	free(b);
}

TEST(exit_of_its_own_before_the_reboot_is_not_rerun)
{
	/* a exited with 3 before the host went down; b was killed with it. a's end stops the
	 * task as it would have: b is not started again either. */
	char *a = folder("ended", "a", "4343\n", 3), *b = folder("ended", "b", "4344\n", -1);
	ASSERT_TRUE(a && b);
	struct seen s = { 0 };
	take_back_until_stopped(&s, "ended", true, NULL);
	ASSERT_INT_EQ(s.saves[0] + s.saves[1], 0);
	ASSERT_INT_EQ(s.task_status, TASK_STOPPED);
	ASSERT_STR_EQ(s.stop_code, "EssentialContainerExited");
	ASSERT_TRUE(s.has_exit_code[0]);
	ASSERT_INT_EQ(s.exit_code, 3);
	ASSERT_INT_EQ(s.restart_count[1], 0);
	ASSERT_TRUE(!s.has_exit_code[1]);
	ASSERT_CONTAINS(s.reason[1], "the host went down under it; exit code unknown");
	free(a);
	free(b);
}

TEST(task_stopped_before_its_first_tick_is_not_restored)
{
	/* The hub's stop was stored before the reboot: the daemon stops the task again right
	 * after taking it back, and nothing starts. */
	char *a = folder("stopping", "a", "4343\n", -1), *b = folder("stopping", "b", "4344\n", -1);
	ASSERT_TRUE(a && b);
	struct seen s = { 0 };
	take_back_until_stopped(&s, "stopping", true, "bye");
	ASSERT_INT_EQ(s.saves[0] + s.saves[1], 0);
	ASSERT_INT_EQ(s.task_status, TASK_STOPPED);
	ASSERT_STR_EQ(s.stop_code, "UserInitiated");
	ASSERT_CONTAINS(s.reason[0], "the host went down under it");
	free(a);
	free(b);
}

TEST(folder_a_power_cut_emptied_is_still_restored)
{
	/* Files written without fsync came back empty: the monitor's pid and the container's
	 * are gone, the lock file (made before the spawn) is there. */
	char *a = folder("emptied", "a", "", -1), *b = folder("emptied", "b", "4344\n", -1);
	ASSERT_TRUE(a && b);
	ASSERT_INT_EQ(put(a, CONTAINER_PID_FILE, ""), 0);
	struct seen s = { 0 };
	take_back(&s, "emptied", true);
	ASSERT_INT_EQ(s.saves[0], 1);
	ASSERT_INT_EQ(s.restart_count[0], 1);
	/* Owed after a monitor no pid names: made once on an agent restart within this boot. */
	ASSERT_INT_EQ(s.record[0].owed_after_monitor, 1);
	ASSERT_INT_EQ(s.task_status, TASK_RUNNING);
	free(a);
	free(b);
}

/* --- a clean reboot: the agent stopped first and saw the host shutting down */

TEST(shutdown_noted_is_read_and_removed_with_the_record)
{
	char file[512], db[512];
	snprintf(file, sizeof(file), "%s/boot_id_noted", test_tmpdir());
	snprintf(db, sizeof(db), "%s/noted.db", test_tmpdir());
	struct store *s = NULL;
	ASSERT_INT_EQ(store_open(db, false, &s, NULL), 0);
	ASSERT_INT_EQ(write_file_atomic(file, "first\n", 6, 0644), 0);
	struct boot_check b;
	ASSERT_INT_EQ(boot_check(s, file, &b, NULL), 0);
	ASSERT_TRUE(!b.stopping_noted && b.host_stopping_at == 0);
	ASSERT_INT_EQ(boot_check_record(s, &b, NULL), 0);
	/* What boot_check_note_shutdown writes when systemd says "stopping". */
	ASSERT_INT_EQ(boot_check_record_shutdown(s, 1764000000, NULL), 0);
	ASSERT_INT_EQ(write_file_atomic(file, "second\n", 7, 0644), 0);
	ASSERT_INT_EQ(boot_check(s, file, &b, NULL), 0);
	ASSERT_TRUE(b.rebooted && b.stopping_noted);
	ASSERT_INT_EQ(b.host_stopping_at, 1764000000);
	/* Used once: recorded with this boot's id, it is gone. */
	ASSERT_INT_EQ(boot_check_record(s, &b, NULL), 0);
	ASSERT_INT_EQ(boot_check(s, file, &b, NULL), 0);
	ASSERT_TRUE(!b.rebooted && !b.stopping_noted && b.host_stopping_at == 0);
	/* A note that is no time is no shutdown seen, and is removed all the same. */
	ASSERT_INT_EQ(store_meta_set(s, "host_stopping_at", "soon", NULL), 0);
	ASSERT_INT_EQ(boot_check(s, file, &b, NULL), 0);
	ASSERT_TRUE(b.stopping_noted && b.host_stopping_at == 0);
	ASSERT_INT_EQ(boot_check_record(s, &b, NULL), 0);
	ASSERT_INT_EQ(boot_check(s, file, &b, NULL), 0);
	ASSERT_TRUE(!b.stopping_noted);
	store_close(s);
}

/* The exit record in DIR was written at AT. */
static int recorded_at(const char *dir, time_t at)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, CONTAINER_EXIT_FILE);
	struct timespec t[2] = { { .tv_sec = at }, { .tv_sec = at } };
	return utimensat(AT_FDCWD, path, t, 0);
}

TEST(stopped_by_the_shutdown_after_the_agent_is_restarted)
{
	/* The monitors, signalled by the shutdown after the agent had stopped, recorded 143. */
	char *a = folder("shutdown", "a", "4343\n", 143), *b = folder("shutdown", "b", "4344\n", 143);
	ASSERT_TRUE(a && b);
	time_t noted = time(NULL) - 60;
	ASSERT_INT_EQ(recorded_at(a, noted), 0);
	ASSERT_INT_EQ(recorded_at(b, noted + 1), 0);
	struct seen s = { 0 };
	struct task_manager *tm = manager_after(&s, true, noted);
	ASSERT_TRUE(tm);
	resume(tm, "shutdown");
	task_manager_tick(tm);
	task_manager_free(tm);
	ASSERT_INT_EQ(s.task_status, TASK_RUNNING);
	for (int i = 0; i < 2; i++) {
		ASSERT_INT_EQ(s.saves[i], 1);
		ASSERT_INT_EQ(s.record[i].count, 1);
		ASSERT_INT_EQ(s.restart_count[i], 1);
		ASSERT_STR_EQ(s.reason[i], "Restarted after the host rebooted");
	}
	ASSERT_INT_EQ(s.record[0].owed_after_monitor, 4343);
	free(a);
	free(b);
}

TEST(exit_before_the_shutdown_stays_an_exit)
{
	/* a ended with 3 a minute before the agent saw the shutdown; b was stopped by it. a's end
	 * stops the task as it would have, and b stays down with it. */
	char *a = folder("before-shutdown", "a", "4343\n", 3),
	     *b = folder("before-shutdown", "b", "4344\n", 143);
	ASSERT_TRUE(a && b);
	time_t noted = time(NULL) - 60;
	ASSERT_INT_EQ(recorded_at(a, noted - 1), 0);
	ASSERT_INT_EQ(recorded_at(b, noted), 0);
	struct seen s = { 0 };
	tick_until_stopped(manager_after(&s, true, noted), "before-shutdown", NULL);
	ASSERT_INT_EQ(s.saves[0] + s.saves[1], 0);
	ASSERT_INT_EQ(s.task_status, TASK_STOPPED);
	ASSERT_INT_EQ(s.exit_code, 3);
	ASSERT_INT_EQ(s.restart_count[0] + s.restart_count[1], 0);
	free(a);
	free(b);
}

/* TASK's containers a and b, stopped with 143 (recorded now), taken back by a manager told
 * REBOOTED and NOTED: their ends are their own, and the task stops. */
static void exits_stay_exits(const char *task, bool rebooted, int64_t noted)
{
	char *a = folder(task, "a", "4343\n", 143), *b = folder(task, "b", "4344\n", 143);
	ASSERT_TRUE(a && b);
	struct seen s = { 0 };
	tick_until_stopped(manager_after(&s, rebooted, noted), task, NULL);
	ASSERT_INT_EQ(s.saves[0] + s.saves[1], 0);
	ASSERT_INT_EQ(s.task_status, TASK_STOPPED);
	ASSERT_INT_EQ(s.exit_code, 143);
	free(a);
	free(b);
}

TEST(exits_without_a_shutdown_noted_stay_exits)
{
	/* A reset after the containers had been stopped (no shutdown seen by the agent): their
	 * 143 is their own end. */
	exits_stay_exits("not-noted", true, 0);
}

TEST(shutdown_noted_without_a_reboot_restarts_nothing)
{
	/* The shutdown was cancelled and the agent started again in the same boot: the daemon
	 * passes no restore; exits recorded since are the containers' own. */
	exits_stay_exits("cancelled", false, time(NULL) - 60);
}
