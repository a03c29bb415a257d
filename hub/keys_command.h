/* `tether-hub keys create|list|delete --db FILE`: the operator API's access keys. */
#pragma once

/* argv[0] is "keys". Returns the exit status. */
int hub_keys_command(int argc, char **argv);
