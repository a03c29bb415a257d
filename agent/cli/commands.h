/* The subcommands of `tether`. Each takes the arguments after its name (argv[0] is the
 * subcommand) and returns the process exit status. */
#pragma once

int cmd_register(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_deregister(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_task_run(int argc, char **argv);
int cmd_image(int argc, char **argv);
/* Exit status 0, 1 or 2: enum host_verdict (agent/host/host_check.h). */
int cmd_check(int argc, char **argv);
