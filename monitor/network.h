/* networkMode none: the container's own network namespace holds only the loopback device,
 * which starts down; bring it up so programs can talk to themselves on 127.0.0.1. Runs in the
 * child only; dies on error (setup_die). */
#pragma once

void network_loopback_up(void);
