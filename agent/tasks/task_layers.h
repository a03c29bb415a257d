/* The image layers this node's containers run on, for the image store's collector: read from
 * the containers' config.json under STATE/tasks, for every container whose monitor is alive
 * or has yet to start. Reads files only, so it may run on an image worker's thread. */
#pragma once

/* ARG is the state folder (const char *). A NULL-terminated list of layer folders the caller
 * frees, or -errno. */
int task_layers_in_use(void *arg, char ***ret);
