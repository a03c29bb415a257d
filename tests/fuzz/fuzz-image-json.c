/* The OCI documents of an image (index, manifest, config) come from outside, and the store's
 * records of them are files on disk: feed the same bytes to every parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/image_record.h"
#include "image/oci_json.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > OCI_JSON_MAX_SIZE)
		return 0;
	/* Parsers get NUL-terminated text, as the layout reader hands it over. */
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;

	struct error err = { 0 };
	struct oci_descriptor d = { 0 };
	if (oci_index_select(text, size, "latest", "amd64", &d, &err) == 0)
		oci_descriptor_done(&d);
	if (oci_index_select(text, size, NULL, "amd64", &d, &err) == 0)
		oci_descriptor_done(&d);
	struct oci_manifest m = { 0 };
	if (oci_manifest_parse(text, size, &m, &err) == 0)
		oci_manifest_done(&m);
	struct image_config c = { 0 };
	if (oci_config_parse(text, size, &c, &err) == 0)
		image_config_done(&c);
	char **layers = NULL;
	int64_t used_at = 0;
	if (image_record_summary(text, size, &layers, &used_at, &err) == 0) {
		for (size_t i = 0; layers[i]; i++)
			free(layers[i]);
		free(layers);
	}
	struct image img = { 0 };
	if (image_record_parse(text, size, &img, &layers, &err) == 0) {
		for (size_t i = 0; layers[i]; i++)
			free(layers[i]);
		free(layers);
		free(img.manifest_digest);
		image_config_done(&img.config);
	}
	free(text);
	return 0;
}
