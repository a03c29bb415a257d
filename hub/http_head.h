/* Checks on a request's head that do not depend on libwebsockets, so that the tests and the
 * fuzzer call them directly. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

enum http_length {
	HTTP_LENGTH_OK,
	HTTP_LENGTH_MISSING,   /* 411: no Content-Length (or a chunked body, which is not read) */
	HTTP_LENGTH_INVALID,   /* 400: not one decimal number */
	HTTP_LENGTH_TOO_LARGE, /* 413 */
};

/* A POST body's length from its Content-Length header, as libwebsockets hands it over: NULL
 * when absent, repeated headers joined with ','. Every value but one plain decimal number
 * (a sign, a list, even of equal values, spaces inside) is invalid: the body's end would be
 * guessed, and a guess is how requests are smuggled. */
enum http_length http_content_length(const char *value, bool chunked, uint64_t max,
				     uint64_t *ret);
