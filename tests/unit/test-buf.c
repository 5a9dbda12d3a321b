/* test-buf: the bounded buffer and its XML/JSON escaping. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"

static char *
xml(const char *in)
{
	struct buf	b;

	buf_init(&b, 1024);
	buf_xml(&b, in);
	return buf_release(&b, NULL);
}

static char *
json(const char *in)
{
	struct buf	b;

	buf_init(&b, 1024);
	buf_json(&b, in);
	return buf_release(&b, NULL);
}

static void
test_xml_escapes(void **state)
{
	char	*s;

	(void)state;
	s = xml("a<b>&\"c'");
	assert_string_equal(s, "a&lt;b&gt;&amp;&quot;c&#39;");
	free(s);
	s = xml("tab\tnl\ncr\r");
	assert_string_equal(s, "tab\tnl\ncr\r");
	free(s);
}

static void
test_xml_drops_invalid(void **state)
{
	char	*s;

	(void)state;
	/* C0 controls, a lone continuation byte, an overlong '/', a surrogate. */
	s = xml("a\x01\x1f" "b\x80" "c\xc0\xaf" "d\xed\xa0\x80" "e");
	assert_string_equal(s, "abcde");
	free(s);
	/* U+FFFE is not an XML character; U+00E9 and U+1F600 are kept. */
	s = xml("x\xef\xbf\xbey\xc3\xa9\xf0\x9f\x98\x80");
	assert_string_equal(s, "xy\xc3\xa9\xf0\x9f\x98\x80");
	free(s);
	/* Truncated sequence at the end. */
	s = xml("ok\xe2\x82");
	assert_string_equal(s, "ok");
	free(s);
}

static void
test_json(void **state)
{
	char	*s;

	(void)state;
	s = json("q\"b\\n\n\x01\xc3\xa9\xff");
	assert_string_equal(s, "\"q\\\"b\\\\n\\n\\u0001\xc3\xa9\"");
	free(s);
}

static void
test_ceiling(void **state)
{
	struct buf	b;
	char		*s;

	(void)state;
	buf_init(&b, 8);
	buf_puts(&b, "12345678");
	assert_false(b.failed);
	buf_puts(&b, "9");
	assert_true(b.failed);
	buf_puts(&b, "more");		/* ignored once failed */
	s = buf_release(&b, NULL);
	assert_null(s);

	buf_init(&b, 100);
	buf_printf(&b, "%d-%s", 42, "x");
	s = buf_release(&b, NULL);
	assert_string_equal(s, "42-x");
	free(s);

	buf_init(&b, 100);
	s = buf_release(&b, NULL);	/* empty but not failed: "" */
	assert_string_equal(s, "");
	free(s);
}

static void
test_growth(void **state)
{
	struct buf	b;
	size_t		len;
	char		*s;

	(void)state;
	buf_init(&b, 1 << 20);
	for (int i = 0; i < 100000; i++)
		buf_add(&b, "0123456789", 10);
	assert_false(b.failed);
	s = buf_release(&b, &len);
	assert_int_equal(len, 1000000);
	assert_memory_equal(s + 999990, "0123456789", 10);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xml_escapes),
		cmocka_unit_test(test_xml_drops_invalid),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_ceiling),
		cmocka_unit_test(test_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
