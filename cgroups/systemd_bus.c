/* systemd's manager over sd-bus (cgroups/systemd_bus.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroups/systemd_bus.h"
#include "cgroups/systemd_dl.h"
#include "common/clock.h"

#define MANAGER_DEST "org.freedesktop.systemd1"
#define MANAGER_PATH "/org/freedesktop/systemd1"
#define MANAGER_IFACE "org.freedesktop.systemd1.Manager"
/* As root, the manager's own socket: no dbus-daemon needed (systemctl does the same). */
#define MANAGER_PRIVATE_SOCKET "/run/systemd/private"
#define MANAGER_PRIVATE_ADDRESS "unix:path=" MANAGER_PRIVATE_SOCKET

static void message_unrefp(sd_bus_message **m)
{
	if (*m)
		sym_sd_bus_message_unref(*m);
}

static void slot_unrefp(sd_bus_slot **s)
{
	if (*s)
		sym_sd_bus_slot_unref(*s);
}

static void bus_error_freep(sd_bus_error *e)
{
	sym_sd_bus_error_free(e);
}

#define _cleanup_message_ __attribute__((cleanup(message_unrefp)))
#define _cleanup_slot_ __attribute__((cleanup(slot_unrefp)))
#define _cleanup_bus_error_ __attribute__((cleanup(bus_error_freep)))

static int open_private(sd_bus **ret)
{
	sd_bus *b = NULL;
	int r = sym_sd_bus_new(&b);
	if (r < 0)
		return r;
	r = sym_sd_bus_set_address(b, MANAGER_PRIVATE_ADDRESS);
	if (r >= 0)
		r = sym_sd_bus_start(b);
	if (r < 0) {
		sym_sd_bus_flush_close_unref(b);
		return r;
	}
	*ret = b;
	return 0;
}

/* On the system bus the manager sends job signals only to subscribed clients; on its private
 * socket it sends them to every connection. */
static int open_system_bus(sd_bus **ret, struct error *err)
{
	sd_bus *b = NULL;
	int r = sym_sd_bus_open_system(&b);
	if (r < 0)
		return error_set_errno(err, r, "connect to systemd (neither %s nor the system bus "
				       "answers)", MANAGER_PRIVATE_SOCKET);
	_cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
	r = sym_sd_bus_call_method(b, MANAGER_DEST, MANAGER_PATH, MANAGER_IFACE, "Subscribe", &e,
				   NULL, NULL);
	if (r < 0) {
		sym_sd_bus_flush_close_unref(b);
		return error_set(err, -r, "subscribe to systemd's signals: %s",
				 e.message ? e.message : strerror(-r));
	}
	*ret = b;
	return 0;
}

/* A connection per operation, as crun does: an idle connection to the private socket would
 * still be sent every signal of the manager, which would pile up unread. */
static int open_bus(sd_bus **ret, struct error *err)
{
	int r = systemd_dl_open(err);
	if (r < 0)
		return r;
	if (geteuid() == 0 && open_private(ret) >= 0)
		return 0;
	return open_system_bus(ret, err);
}

static void bus_closep(sd_bus **b)
{
	if (*b)
		sym_sd_bus_flush_close_unref(*b);
}

#define _cleanup_bus_ __attribute__((cleanup(bus_closep)))

int systemd_bus_connect(struct error *err)
{
	_cleanup_bus_ sd_bus *bus = NULL;
	return open_bus(&bus, err);
}

struct job_wait {
	const char *job;  /* the object path StartTransientUnit or StopUnit returned */
	bool done;
	char result[32];  /* "done", "failed", "timeout", "canceled", "dependency", ... */
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	(void)ret_error;
	struct job_wait *w = userdata;
	uint32_t id;
	const char *path, *unit, *result;
	if (sym_sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0 || !w->job ||
	    strcmp(path, w->job) != 0)
		return 0;
	snprintf(w->result, sizeof(w->result), "%s", result);
	w->done = true;
	return 0;
}

/* Signals that came with or before the method's reply were queued, not dispatched, while
 * sd_bus_call waited: dispatching them now, with the job's path known, misses none. */
static int wait_job(sd_bus *bus, struct job_wait *w, const char *unit, struct error *err)
{
	int64_t deadline = monotonic_ms() + SYSTEMD_JOB_TIMEOUT_SEC * 1000;
	while (!w->done) {
		int r = sym_sd_bus_process(bus, NULL);
		if (r > 0)
			continue;
		int64_t left = deadline - monotonic_ms();
		if (r >= 0 && left <= 0)
			return error_set(err, ETIMEDOUT, "unit %s: systemd's job %s did not end "
					 "within %d s", unit, w->job, SYSTEMD_JOB_TIMEOUT_SEC);
		if (r >= 0)
			r = sym_sd_bus_wait(bus, (uint64_t)left * 1000);
		if (r < 0)
			return error_set_errno(err, r, "unit %s: wait for systemd's job %s", unit,
					       w->job);
	}
	return 0;
}

/* Call M (a manager method returning a job) and wait for the job. */
static int call_job(sd_bus *bus, sd_bus_message *m, const char *unit, const char *verb,
		    struct job_wait *w, sd_bus_error *e, struct error *err)
{
	_cleanup_slot_ sd_bus_slot *slot = NULL;
	_cleanup_message_ sd_bus_message *reply = NULL;
	/* A direct connection's messages carry no sender to match on. */
	int r = sym_sd_bus_match_signal(bus, &slot,
					sym_sd_bus_is_bus_client(bus) > 0 ? MANAGER_DEST : NULL,
					MANAGER_PATH, MANAGER_IFACE, "JobRemoved", on_job_removed, w);
	if (r < 0)
		return error_set_errno(err, r, "unit %s: watch systemd's jobs", unit);
	r = sym_sd_bus_call(bus, m, 0, e, &reply);
	if (r < 0 && e->name)
		return -EPROTO; /* the caller reads systemd's error in E */
	if (r < 0)
		return error_set_errno(err, r, "unit %s: %s", unit, verb);
	if ((r = sym_sd_bus_message_read(reply, "o", &w->job)) < 0)
		return error_set_errno(err, r, "unit %s: systemd's reply to %s", unit, verb);
	r = wait_job(bus, w, unit, err);
	w->job = NULL; /* it pointed into the reply */
	return r;
}

static int append_properties(sd_bus_message *m, const struct systemd_property *p, size_t n)
{
	int r = 0;
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = sym_sd_bus_message_append(m, "(sv)", p[i].name, "t", p[i].value);
	return r;
}

static int append_unit(sd_bus_message *m, const struct systemd_unit_spec *s)
{
	int r = sym_sd_bus_message_append(m, "ss", s->name, "fail");
	if (r >= 0)
		r = sym_sd_bus_message_open_container(m, 'a', "(sv)");
	if (r >= 0)
		r = sym_sd_bus_message_append(m, "(sv)(sv)", "Description", "s", s->description,
					      "CollectMode", "s", "inactive-or-failed");
	if (r >= 0 && s->slice)
		r = sym_sd_bus_message_append(m, "(sv)", "Slice", "s", s->slice);
	if (r >= 0 && s->delegate)
		r = sym_sd_bus_message_append(m, "(sv)", "Delegate", "b", 1);
	if (r >= 0 && s->pid > 0)
		r = sym_sd_bus_message_append(m, "(sv)", "PIDs", "au", 1, (uint32_t)s->pid);
	if (r >= 0)
		r = append_properties(m, s->properties, s->n_properties);
	if (r >= 0)
		r = sym_sd_bus_message_close_container(m);
	if (r >= 0)
		r = sym_sd_bus_message_append(m, "a(sa(sv))", 0);
	return r;
}

static int start_on(sd_bus *bus, const struct systemd_unit_spec *s, struct error *err)
{
	_cleanup_message_ sd_bus_message *m = NULL;
	_cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
	int r = sym_sd_bus_message_new_method_call(bus, &m, MANAGER_DEST, MANAGER_PATH,
						   MANAGER_IFACE, "StartTransientUnit");
	if (r >= 0)
		r = append_unit(m, s);
	if (r < 0)
		return error_set_errno(err, r, "unit %s: build StartTransientUnit", s->name);
	struct job_wait w = { 0 };
	r = call_job(bus, m, s->name, "StartTransientUnit", &w, &e, err);
	if (r == -EPROTO && sym_sd_bus_error_has_name(&e, "org.freedesktop.systemd1.UnitExists"))
		return error_set(err, EEXIST, "unit %s exists already", s->name);
	if (r == -EPROTO)
		return error_set(err, EIO, "systemd refuses to start unit %s: %s", s->name,
				 e.message ? e.message : "no reason given");
	if (r < 0)
		return r;
	if (strcmp(w.result, "done") != 0)
		return error_set(err, EIO, "systemd could not start unit %s: its job ended with "
				 "result '%s' (journalctl -u %s)", s->name, w.result, s->name);
	return 0;
}

int systemd_bus_start_unit(const struct systemd_unit_spec *spec, struct error *err)
{
	_cleanup_bus_ sd_bus *bus = NULL;
	int r = open_bus(&bus, err);
	return r < 0 ? r : start_on(bus, spec, err);
}

static int stop_on(sd_bus *bus, const char *name, struct error *err)
{
	_cleanup_message_ sd_bus_message *m = NULL;
	_cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
	int r = sym_sd_bus_message_new_method_call(bus, &m, MANAGER_DEST, MANAGER_PATH,
						   MANAGER_IFACE, "StopUnit");
	if (r >= 0)
		r = sym_sd_bus_message_append(m, "ss", name, "replace");
	if (r < 0)
		return error_set_errno(err, r, "unit %s: build StopUnit", name);
	struct job_wait w = { 0 };
	r = call_job(bus, m, name, "StopUnit", &w, &e, err);
	if (r == -EPROTO && sym_sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit"))
		return 0;
	if (r == -EPROTO)
		return error_set(err, EIO, "systemd refuses to stop unit %s: %s", name,
				 e.message ? e.message : "no reason given");
	if (r < 0)
		return r;
	if (strcmp(w.result, "done") != 0)
		return error_set(err, EIO, "systemd could not stop unit %s: its job ended with "
				 "result '%s'", name, w.result);
	return 0;
}

int systemd_bus_stop_unit(const char *name, struct error *err)
{
	_cleanup_bus_ sd_bus *bus = NULL;
	int r = open_bus(&bus, err);
	return r < 0 ? r : stop_on(bus, name, err);
}

static int set_properties_on(sd_bus *bus, const char *name, const struct systemd_property *p,
			     size_t n, struct error *err)
{
	_cleanup_message_ sd_bus_message *m = NULL, *reply = NULL;
	_cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
	int r = sym_sd_bus_message_new_method_call(bus, &m, MANAGER_DEST, MANAGER_PATH,
						   MANAGER_IFACE, "SetUnitProperties");
	if (r >= 0)
		r = sym_sd_bus_message_append(m, "sb", name, 1);
	if (r >= 0)
		r = sym_sd_bus_message_open_container(m, 'a', "(sv)");
	if (r >= 0)
		r = append_properties(m, p, n);
	if (r >= 0)
		r = sym_sd_bus_message_close_container(m);
	if (r < 0)
		return error_set_errno(err, r, "unit %s: build SetUnitProperties", name);
	r = sym_sd_bus_call(bus, m, 0, &e, &reply);
	if (r < 0)
		return error_set(err, -r, "systemd refuses the properties of unit %s: %s", name,
				 e.message ? e.message : strerror(-r));
	return 0;
}

int systemd_bus_set_properties(const char *name, const struct systemd_property *properties,
			       size_t n_properties, struct error *err)
{
	_cleanup_bus_ sd_bus *bus = NULL;
	int r = open_bus(&bus, err);
	return r < 0 ? r : set_properties_on(bus, name, properties, n_properties, err);
}

int systemd_bus_system_state(char **ret, struct error *err)
{
	_cleanup_bus_ sd_bus *bus = NULL;
	int r = open_bus(&bus, err);
	if (r < 0)
		return r;
	_cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
	r = sym_sd_bus_get_property_string(bus, MANAGER_DEST, MANAGER_PATH, MANAGER_IFACE,
					   "SystemState", &e, ret);
	if (r < 0)
		return error_set(err, -r, "systemd's SystemState: %s",
				 e.message ? e.message : strerror(-r));
	return 0;
}
