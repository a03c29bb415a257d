/* `tether run`: the agent as a daemon, linked to its hub, running the tasks it is given. Takes
 * the arguments after "run" (argv[0] is "run") and returns the process exit status. */
#pragma once

int cmd_run(int argc, char **argv);
