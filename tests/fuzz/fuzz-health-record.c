/* health.json, the monitor's record that the agent reads, and the check output it carries:
 * bytes a container's program wrote, made fit for JSON and the operator's terminal. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "container/health_record.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	char *clean = health_output_clean((const char *)data, size);
	if (clean) {
		if (strlen(clean) > HEALTH_OUTPUT_MAX)
			abort();
		free(clean);
	}
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	struct health_record rec = { 0 };
	struct error err = { 0 };
	if (health_record_parse(text, &rec, &err) == 0) {
		if (rec.output && strlen(rec.output) > HEALTH_OUTPUT_MAX)
			abort();
		(void)container_health_name(rec.status);
		health_record_done(&rec);
	}
	free(text);
	return 0;
}
