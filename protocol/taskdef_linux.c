/* linuxParameters: capabilities, initProcessEnabled, tmpfs, sharedMemorySize, devices
 * (taskdef_devices.c). maxSwap and swappiness are refused by name: tether does not apply
 * them. */
#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "protocol/json_value.h"
#include "protocol/taskdef_linux.h"
#include "protocol/taskdef_units.h"

static const char *const capability_names[TASKDEF_CAP_LAST + 1] = {
	[CAP_CHOWN] = "CHOWN",
	[CAP_DAC_OVERRIDE] = "DAC_OVERRIDE",
	[CAP_DAC_READ_SEARCH] = "DAC_READ_SEARCH",
	[CAP_FOWNER] = "FOWNER",
	[CAP_FSETID] = "FSETID",
	[CAP_KILL] = "KILL",
	[CAP_SETGID] = "SETGID",
	[CAP_SETUID] = "SETUID",
	[CAP_SETPCAP] = "SETPCAP",
	[CAP_LINUX_IMMUTABLE] = "LINUX_IMMUTABLE",
	[CAP_NET_BIND_SERVICE] = "NET_BIND_SERVICE",
	[CAP_NET_BROADCAST] = "NET_BROADCAST",
	[CAP_NET_ADMIN] = "NET_ADMIN",
	[CAP_NET_RAW] = "NET_RAW",
	[CAP_IPC_LOCK] = "IPC_LOCK",
	[CAP_IPC_OWNER] = "IPC_OWNER",
	[CAP_SYS_MODULE] = "SYS_MODULE",
	[CAP_SYS_RAWIO] = "SYS_RAWIO",
	[CAP_SYS_CHROOT] = "SYS_CHROOT",
	[CAP_SYS_PTRACE] = "SYS_PTRACE",
	[CAP_SYS_PACCT] = "SYS_PACCT",
	[CAP_SYS_ADMIN] = "SYS_ADMIN",
	[CAP_SYS_BOOT] = "SYS_BOOT",
	[CAP_SYS_NICE] = "SYS_NICE",
	[CAP_SYS_RESOURCE] = "SYS_RESOURCE",
	[CAP_SYS_TIME] = "SYS_TIME",
	[CAP_SYS_TTY_CONFIG] = "SYS_TTY_CONFIG",
	[CAP_MKNOD] = "MKNOD",
	[CAP_LEASE] = "LEASE",
	[CAP_AUDIT_WRITE] = "AUDIT_WRITE",
	[CAP_AUDIT_CONTROL] = "AUDIT_CONTROL",
	[CAP_SETFCAP] = "SETFCAP",
	[CAP_MAC_OVERRIDE] = "MAC_OVERRIDE",
	[CAP_MAC_ADMIN] = "MAC_ADMIN",
	[CAP_SYSLOG] = "SYSLOG",
	[CAP_WAKE_ALARM] = "WAKE_ALARM",
	[CAP_BLOCK_SUSPEND] = "BLOCK_SUSPEND",
	[CAP_AUDIT_READ] = "AUDIT_READ",
	[CAP_PERFMON] = "PERFMON",
	[CAP_BPF] = "BPF",
	[CAP_CHECKPOINT_RESTORE] = "CHECKPOINT_RESTORE",
};

int taskdef_capability_from_name(const char *name)
{
	/* ECS writes "SYS_ADMIN"; Docker also takes "CAP_SYS_ADMIN". */
	if (strncmp(name, "CAP_", 4) == 0)
		name += 4;
	for (int cap = 0; cap <= TASKDEF_CAP_LAST; cap++)
		if (capability_names[cap] && strcmp(capability_names[cap], name) == 0)
			return cap;
	return -1;
}

const char *taskdef_capability_to_name(int cap)
{
	return cap >= 0 && cap <= TASKDEF_CAP_LAST ? capability_names[cap] : NULL;
}

static int parse_capability_list(const cJSON *v, const char *path, uint64_t *ret_mask,
				 bool *ret_all, struct error *err)
{
	if (!cJSON_IsArray(v))
		return error_set(err, EINVAL, "%s: expected an array of capability names", path);
	size_t i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, v) {
		const char *name = cJSON_GetStringValue(item);
		if (!name)
			return error_set(err, EINVAL, "%s[%zu]: expected a string", path, i);
		if (strcmp(name, "ALL") == 0) {
			*ret_all = true;
		} else {
			int cap = taskdef_capability_from_name(name);
			if (cap < 0)
				return error_set(err, EINVAL,
						 "%s[%zu]: \"%.64s\" is not a Linux capability (names as "
						 "\"SYS_ADMIN\", \"NET_ADMIN\" or \"ALL\")", path, i, name);
			*ret_mask |= UINT64_C(1) << cap;
		}
		i++;
	}
	return 0;
}

static int parse_capabilities(const cJSON *v, const char *path, struct taskdef_capabilities *c,
			      struct error *err)
{
	static const char *const names[] = { "add", "drop" };
	const cJSON *found[ELEMENTSOF(names)];
	char field_path[JSON_PATH_MAX];
	int r = json_object_members(v, path, names, ELEMENTSOF(names), found, err);
	if (r < 0)
		return r;
	json_path(field_path, "%s.add", path);
	if (found[0] && (r = parse_capability_list(found[0], field_path, &c->add, &c->add_all,
						   err)) < 0)
		return r;
	json_path(field_path, "%s.drop", path);
	if (found[1] && (r = parse_capability_list(found[1], field_path, &c->drop, &c->drop_all,
						   err)) < 0)
		return r;
	return 0;
}

/* The tmpfs options that mean something for a fresh tmpfs mount, as mount(8) spells them.
 * "dev" is not among them: a tmpfs the container writes into is always nodev, so that a
 * device node it makes there cannot be opened (docs/security.md). */
static const char *const tmpfs_flags[] = {
	"defaults", "ro", "rw", "suid", "nosuid", "nodev", "exec", "noexec", "sync",
	"async", "dirsync", "mand", "nomand", "atime", "noatime", "diratime", "nodiratime",
	"relatime", "norelatime", "strictatime", "nostrictatime", "private", "rprivate",
	"shared", "rshared", "slave", "rslave", "unbindable", "runbindable",
};

static bool all_of(const char *s, const char *set)
{
	return *s && strspn(s, set) == strlen(s);
}

static bool tmpfs_option_is_valid(const char *o)
{
	for (size_t i = 0; i < ELEMENTSOF(tmpfs_flags); i++)
		if (strcmp(o, tmpfs_flags[i]) == 0)
			return true;
	if (strncmp(o, "mode=", 5) == 0)
		return all_of(o + 5, "01234567") && strlen(o + 5) <= 4;
	if (strncmp(o, "uid=", 4) == 0 || strncmp(o, "gid=", 4) == 0)
		return all_of(o + 4, "0123456789") && strlen(o + 4) <= 10;
	if (strncmp(o, "nr_inodes=", 10) == 0 || strncmp(o, "nr_blocks=", 10) == 0)
		return all_of(o + 10, "0123456789kKmMgG%");
	return false;
}

static bool path_is_clean_absolute(const char *p)
{
	if (p[0] != '/')
		return false;
	for (const char *s = p; *s; ) {
		while (*s == '/')
			s++;
		size_t n = strcspn(s, "/");
		if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		s += n;
	}
	for (; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == ',')
			return false;
	return true;
}

static int parse_one_tmpfs(const cJSON *v, const char *path, struct taskdef_tmpfs *t,
			   struct error *err)
{
	static const char *const names[] = { "containerPath", "size", "mountOptions" };
	const cJSON *found[ELEMENTSOF(names)];
	char field_path[JSON_PATH_MAX];
	uint64_t n;
	int r = json_object_members(v, path, names, ELEMENTSOF(names), found, err);
	if (r < 0)
		return r;
	json_path(field_path, "%s.containerPath", path);
	if (!found[0])
		return error_set(err, EINVAL, "%s: required", field_path);
	if ((r = json_get_string(found[0], field_path, 1, 4096, &t->container_path, err)) < 0)
		return r;
	if (!path_is_clean_absolute(t->container_path))
		return error_set(err, EINVAL, "%s: expected an absolute path without \".\", \"..\", "
				 "commas or control characters", field_path);
	json_path(field_path, "%s.size", path);
	if (!found[1])
		return error_set(err, EINVAL, "%s: required (MiB)", field_path);
	if ((r = json_get_uint(found[1], field_path, 1, TASKDEF_MAX_MEMORY_MIB, &n, err)) < 0)
		return r;
	t->size_mib = (uint32_t)n;
	if (!found[2])
		return 0;
	json_path(field_path, "%s.mountOptions", path);
	r = json_get_string_array(found[2], field_path, TASKDEF_MAX_MOUNT_OPTIONS,
				  TASKDEF_MAX_MOUNT_OPTION, &t->mount_options, err);
	if (r < 0)
		return r;
	for (size_t i = 0; t->mount_options[i]; i++) {
		if (strcmp(t->mount_options[i], "dev") == 0)
			return error_set(err, EINVAL, "%s[%zu]: \"dev\" is refused: a tmpfs in a "
					 "container is always nodev (give devices with "
					 "linuxParameters.devices)", field_path, i);
		if (!tmpfs_option_is_valid(t->mount_options[i]))
			return error_set(err, EINVAL, "%s[%zu]: \"%s\" is not a tmpfs mount option "
					 "tether applies", field_path, i, t->mount_options[i]);
	}
	return 0;
}

static int parse_tmpfs_item(const cJSON *v, const char *path, void *items, size_t i,
			    struct error *err)
{
	struct taskdef_tmpfs *mounts = items;
	int r = parse_one_tmpfs(v, path, &mounts[i], err);
	if (r < 0)
		return r;
	for (size_t j = 0; j < i; j++)
		if (strcmp(mounts[j].container_path, mounts[i].container_path) == 0)
			return error_set(err, EINVAL, "%s.containerPath: \"%s\" is given twice", path,
					 mounts[i].container_path);
	return 0;
}

static int parse_tmpfs(const cJSON *v, const char *path, struct taskdef_linux *l,
		       struct error *err)
{
	static const struct json_object_array spec = {
		.shape = "{containerPath, size, mountOptions}", .what = "mounts",
		.max_items = TASKDEF_MAX_TMPFS, .item_size = sizeof(*l->tmpfs),
		.parse = parse_tmpfs_item,
	};
	return json_parse_object_array(v, path, &spec, &l->tmpfs, &l->n_tmpfs, err);
}

enum linux_field {
	L_CAPABILITIES, L_INIT, L_TMPFS, L_SHM_SIZE, L_DEVICES, _L_MAX,
};

/* maxSwap and swappiness are not known: tether sets no swap limits yet. */
static const char *const linux_fields[_L_MAX] = {
	[L_CAPABILITIES] = "capabilities",
	[L_INIT] = "initProcessEnabled",
	[L_TMPFS] = "tmpfs",
	[L_SHM_SIZE] = "sharedMemorySize",
	[L_DEVICES] = "devices",
};

int taskdef_linux_from_json(const cJSON *v, const char *path, struct taskdef_linux *l,
			    struct error *err)
{
	const cJSON *found[_L_MAX];
	char fp[JSON_PATH_MAX];
	uint64_t n;
	int r = json_object_members(v, path, linux_fields, _L_MAX, found, err);
	if (r < 0)
		return r;
#define FIELD_PATH(f) (json_path(fp, "%s.%s", path, linux_fields[f]), fp)
	if (found[L_CAPABILITIES] &&
	    (r = parse_capabilities(found[L_CAPABILITIES], FIELD_PATH(L_CAPABILITIES),
				    &l->capabilities, err)) < 0)
		return r;
	if (found[L_INIT] && (r = json_get_bool(found[L_INIT], FIELD_PATH(L_INIT),
						&l->init_process_enabled, err)) < 0)
		return r;
	if (found[L_SHM_SIZE]) {
		r = json_get_uint(found[L_SHM_SIZE], FIELD_PATH(L_SHM_SIZE), 1,
				  TASKDEF_MAX_MEMORY_MIB, &n, err);
		if (r < 0)
			return r;
		l->shared_memory_size_mib = (uint32_t)n;
	}
	if (found[L_TMPFS] && (r = parse_tmpfs(found[L_TMPFS], FIELD_PATH(L_TMPFS), l, err)) < 0)
		return r;
	if (found[L_DEVICES] &&
	    (r = taskdef_devices_from_json(found[L_DEVICES], FIELD_PATH(L_DEVICES), &l->devices,
					   &l->n_devices, err)) < 0)
		return r;
#undef FIELD_PATH
	return 0;
}

void taskdef_linux_release(struct taskdef_linux *l)
{
	for (size_t i = 0; i < l->n_tmpfs; i++) {
		free(l->tmpfs[i].container_path);
		json_strv_free(l->tmpfs[i].mount_options);
	}
	free(l->tmpfs);
	taskdef_devices_free(l->devices, l->n_devices);
	*l = (struct taskdef_linux){ 0 };
}
