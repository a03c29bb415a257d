/* tether: the node agent and its command line. */
#include <stdio.h>
#include <string.h>

#include "agent/cli/commands.h"
#include "agent/daemon/daemon.h"
#include "agent/link/version.h"
#include "common/log.h"

static void usage(FILE *out)
{
	fputs("Usage: tether COMMAND [OPTIONS]\n"
	      "\n"
	      "Commands:\n"
	      "  register   exchange an activation for a node identity\n"
	      "  run        run the agent daemon\n"
	      "  status     show registration, connection and tasks\n"
	      "  deregister stop the tasks, tell the hub the node leaves, remove the identity\n"
	      "  logs       print a container's output (-f to follow)\n"
	      "  task run   run a task definition locally, in the foreground, without a hub\n"
	      "  image pull pull an image into the node's image store\n"
	      "  check      report what this host offers and lacks, with fixes\n"
	      "  version    print the version\n"
	      "\n"
	      "Run 'tether COMMAND --help' for a command's options.\n",
	      out);
}

int main(int argc, char **argv)
{
	log_set_program("tether");
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "register"))
		return cmd_register(argc - 1, argv + 1);
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "status"))
		return cmd_status(argc - 1, argv + 1);
	if (!strcmp(cmd, "deregister"))
		return cmd_deregister(argc - 1, argv + 1);
	if (!strcmp(cmd, "logs"))
		return cmd_logs(argc - 1, argv + 1);
	if (!strcmp(cmd, "task") && argc >= 3 && !strcmp(argv[2], "run"))
		return cmd_task_run(argc - 2, argv + 2);
	if (!strcmp(cmd, "image"))
		return cmd_image(argc - 1, argv + 1);
	if (!strcmp(cmd, "check"))
		return cmd_check(argc - 1, argv + 1);
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("tether %s (protocol %s)\n", TETHER_VERSION, TETHER_PROTOCOL_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "tether: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
