/* Where tether-monitor is: installed beside the tether binary unless --monitor says. */
#pragma once

/* The path beside this program's own binary (caller frees); NULL with errno set. */
char *monitor_default_path(void);
