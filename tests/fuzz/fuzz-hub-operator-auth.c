/* An operator request's signing headers and body as any client may send them, through the
 * decision on who may call (without keys, so every signature ends unrecognised or refused
 * earlier) and the audit line made of the body. Lines of the input: Authorization,
 * X-Amz-Date, X-Amz-Target, then the body; a first byte 'd' asks for --dev. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/operator_audit.h"
#include "hub/operator_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct replay_cache *replays;

/* The next line of *text, cut out in place; the rest when there is no newline. */
static char *next_line(char **text)
{
	char *line = *text, *nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*text = nl + 1;
	} else {
		*text = line + strlen(line);
	}
	return line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!replays && !(replays = replay_cache_new()))
		return 0;
	char *copy = strndup((const char *)data, size), *text = copy;
	if (!copy)
		return 0;
	bool dev = text[0] == 'd';
	char *authorization = next_line(&text), *amz_date = next_line(&text);
	char *target = next_line(&text);
	struct operator_auth_context ctx = { .dev = dev, .keys = NULL, .replays = replays };
	struct operator_credentials req = {
		.peer = dev ? "127.0.0.1" : "192.0.2.7",
		.tls = !dev,
		.target = target,
		.authorization = authorization[0] ? authorization : NULL,
		.amz_date = amz_date[0] ? amz_date : NULL,
		.canonical_headers = "host:h\n",
		.body = text,
		.size = strlen(text),
	};
	struct operator_caller caller;
	int r = operator_auth_check(&ctx, &req, 1704164645, &caller);
	/* Without keys only an unsigned request with --dev goes on. */
	if (r == 0 && (req.authorization || strcmp(caller.id, "dev")))
		abort();
	if (r < 0 && (!caller.type || caller.id[0]))
		abort();
	char *line = operator_audit_line(&caller, req.peer, target, req.body, req.size,
					 r == 0 ? 200 : caller.status, req.body);
	free(line);
	free(copy);
	return 0;
}
