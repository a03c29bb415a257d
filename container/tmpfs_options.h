/* linuxParameters.tmpfs mountOptions (as mount(8) spells them) turned into mount(2) flags and
 * tmpfs data, as Docker does: nosuid and noexec unless an option says otherwise, later
 * options winning over earlier ones; always nodev ("dev" is not an option tether knows). */
#pragma once

#include <stdint.h>

/* OPTIONS is NULL-terminated or NULL. *ret_flags gets MS_* flags (propagation ones included:
 * MS_SHARED, MS_PRIVATE ... with MS_REC for the r* forms); *ret_data is "size=Nk[,mode=..]..."
 * to free. Returns 0, -EINVAL for an option it does not know, or -ENOMEM. */
int tmpfs_options_parse(char *const *options, uint32_t size_mib, uint64_t *ret_flags,
			char **ret_data);
