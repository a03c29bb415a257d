/* The image's /etc/passwd and /etc/group are outside input to user resolution. The input is
 * split into the user spec (first line), the passwd text and, after a form feed, the group text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/user.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	char *spec = text;
	char *passwd = strchr(text, '\n');
	if (passwd)
		*passwd++ = '\0';
	char *group = passwd ? strchr(passwd, '\f') : NULL;
	if (group)
		*group++ = '\0';
	struct user_ids ids;
	struct error err = { 0 };
	(void)user_resolve(spec, passwd, group, &ids, &err);
	free(text);
	return 0;
}
