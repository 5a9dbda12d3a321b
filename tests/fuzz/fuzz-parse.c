/*
 * fuzz-parse: libFuzzer target for the whole parse stage (encoding
 * detection, entity repair, libxml2, the format readers, the sanitizer,
 * dates and URLs) and the JSON printer, as `feedmux parse` runs them.  The
 * first input byte picks which HTTP metadata accompanies the document, so
 * the charset and base paths are fuzzed too.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "doc.h"
#include "docjson.h"
#include "parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const content_types[] = {
	NULL, "application/rss+xml", "text/xml; charset=iso-8859-1",
	"application/atom+xml; charset=utf-8", "application/json",
	"text/html; charset=windows-1252", "text/xml; charset=utf-16",
	"application/xml; charset=bogus",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 initialised;
	struct parse_opts	 opts = { 0 };
	struct doc		*doc;
	char			*json;
	uint8_t			 pick = 0;

	if (!initialised) {
		parse_init();
		initialised = 1;
	}
	if (size > 0) {
		pick = data[0];
		data++;
		size--;
	}
	opts.content_type = content_types[pick % 8];
	if (pick & 0x08)
		opts.base = "http://example.com/feeds/a/b.xml";
	if (pick & 0x10)
		opts.content_location = "../other/";
	if (pick & 0x20)
		opts.content_language = "fr";
	if ((doc = parse_doc((const char *)data, size, &opts)) == NULL)
		return 0;
	if ((json = docjson_dump(doc)) != NULL)
		free(json);
	doc_free(doc);
	return 0;
}
