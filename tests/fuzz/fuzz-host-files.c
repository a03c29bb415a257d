/* The kernel's files that `tether check` parses: /proc/self/mountinfo (a mount point may hold
 * any byte a user gave it, escaped or not), cgroup.controllers, /proc/filesystems and
 * /proc/self/cgroup. One input feeds every parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/host/host_probe.h"
#include "cgroups/cgroup.h"
#include "cgroups/cgroup_layout.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	struct cgroup_layout layout;
	struct error err = { 0 };
	if (cgroup_layout_parse(text, &layout, &err) == 0) {
		(void)cgroup_mode_name(cgroup_layout_mode(&layout));
		cgroup_layout_release(&layout);
	}
	(void)host_filesystems_list_has(text, "overlay");
	char *path = NULL;
	if (host_proc_cgroup_v2_path(text, &path) == 0)
		free(path);
	cgroup_controllers_to_csv(text);
	free(text);
	return 0;
}
