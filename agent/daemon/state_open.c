#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agent/daemon/state_open.h"
#include "common/cleanup.h"

/* Bytes in PATH, 0 when it does not exist. */
static off_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : 0;
}

/* The state dir holds a task's folder: a task was assigned here, so the database held it. */
static bool any_task_folder(const char *state_dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/tasks", state_dir);
	DIR *dir = opendir(path);
	if (!dir)
		return false;
	bool found = false;
	struct dirent *e;
	while (!found && (e = readdir(dir)))
		found = e->d_name[0] != '.';
	closedir(dir);
	return found;
}

/* SQLite takes a file of no bytes for a new, empty database. One is left so only by a crash
 * between its creation and its first commit, before any task could be assigned; one beside
 * task folders was cut short afterwards (and a -wal file with frames would bring it back). */
static int refuse_emptied(const char *state_dir, const char *db_path, struct error *err)
{
	struct stat st;
	char wal[4200];
	snprintf(wal, sizeof(wal), "%s-wal", db_path);
	if (stat(db_path, &st) < 0 || st.st_size != 0 || file_size(wal) > 0 ||
	    !any_task_folder(state_dir))
		return 0;
	return error_set(err, EUCLEAN,
			 "%s is empty, but %s/tasks holds the folders of tasks this node ran: the "
			 "database lost what it held (a file cut short). tether has not changed it, "
			 "and the containers it started keep running under their monitors. Fix: put "
			 "the file back from a backup, or remove it to start the node with no task "
			 "known (running containers are then not adopted)",
			 db_path, state_dir);
}

int daemon_open_store(const char *state_dir, struct store **ret, struct error *err)
{
	_cleanup_free_ char *db_path = NULL;
	if (asprintf(&db_path, "%s/%s", state_dir, STORE_FILE) < 0)
		return error_set(err, ENOMEM, "out of memory");
	int r = refuse_emptied(state_dir, db_path, err);
	if (r >= 0)
		r = store_open(db_path, false, ret, err);
	if (r < 0 && err)
		error_wrap(err, "Refusing to start");
	return r;
}
