/*
 * docjson: a `struct doc` as the JSON object of the `feedmux parse` contract
 * (spec/parse-json.md), key order as in the contract.  Wraps jansson.
 */
#ifndef FEEDMUX_DOCJSON_H
#define FEEDMUX_DOCJSON_H

struct doc;

/*
 * Returns the JSON text (UTF-8, indented, newline-terminated), or NULL when out
 * of memory.  Caller frees.
 */
char	*docjson_dump(const struct doc *);

#endif
