/* What a registry and its token server send (a WWW-Authenticate header, a token answer) and
 * the node's docker config.json: the same bytes to each parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "image/registry_auth.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	struct error err = { 0 };
	struct auth_challenge c = { 0 };
	if (auth_challenge_parse(text, &c, &err) == 0)
		auth_challenge_done(&c);
	struct auth_token t = { 0 };
	if (auth_token_parse(text, size, &t, &err) == 0)
		auth_token_done(&t);
	const char *registries[] = { "docker.io", "127.0.0.1:5000", "reg.example.com" };
	for (size_t i = 0; i < 3; i++) {
		struct registry_credentials creds = { 0 };
		if (registry_credentials_find(text, size, registries[i], &creds, &err) == 0)
			registry_credentials_done(&creds);
	}
	free(text);
	return 0;
}
