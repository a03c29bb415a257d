/* The default seccomp filter: system calls a container has no business making (kernel
 * modules, reboot, kexec, keyrings, namespaces and mounts, clock and swap changes, bpf,
 * perf) fail with EPERM. Installed last, after no_new_privs; dies on error (setup_die). */
#pragma once

void seccomp_install_default(void);
