/* How the container's set-up fails: in the child between clone and exec, the reason goes to
 * the monitor over the error pipe and the child exits; nothing is unwound, as nothing the
 * child holds outlives it. */
#pragma once

/* The pipe the reason is written to (the monitor reads its other end). */
void setup_die_to(int error_fd);

_Noreturn void setup_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
