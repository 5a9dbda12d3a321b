/* test-fetch: the SSRF guard's address classification. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <string.h>

#include "fetch.h"

static int
public(const char *addr)
{
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;

	memset(&sin, 0, sizeof sin);
	memset(&sin6, 0, sizeof sin6);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		return fetch_addr_public((struct sockaddr *)&sin);
	}
	assert_int_equal(inet_pton(AF_INET6, addr, &sin6.sin6_addr), 1);
	sin6.sin6_family = AF_INET6;
	return fetch_addr_public((struct sockaddr *)&sin6);
}

static void
test_ipv4(void **state)
{
	static const char *const deny[] = {
		"0.0.0.0", "10.1.2.3", "100.64.0.1", "100.127.255.254",
		"127.0.0.1", "127.255.255.255", "169.254.169.254", "172.16.0.1",
		"172.31.255.255", "192.0.0.8", "192.0.2.1", "192.168.1.1",
		"198.18.0.1", "198.19.255.255", "198.51.100.7", "203.0.113.9",
		"224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
	};
	static const char *const allow[] = {
		"1.1.1.1", "8.8.8.8", "93.184.216.34", "100.63.255.255",
		"100.128.0.1", "172.15.255.255", "172.32.0.1", "192.169.0.1",
		"198.20.0.1", "223.255.255.255",
	};

	(void)state;
	for (size_t i = 0; i < sizeof deny / sizeof deny[0]; i++)
		assert_false(public(deny[i]));
	for (size_t i = 0; i < sizeof allow / sizeof allow[0]; i++)
		assert_true(public(allow[i]));
}

static void
test_ipv6(void **state)
{
	static const char *const deny[] = {
		"::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "fec0::1",
		"ff02::1", "2001:db8::1", "64:ff9b::808:808", "::ffff:127.0.0.1",
		"::ffff:10.0.0.1", "::ffff:192.168.0.1", "2002:c000:204::1",
		"2001::1", "100::1",
	};
	static const char *const allow[] = {
		"2606:4700:4700::1111", "2a00:1450:4001:80b::200e",
		"::ffff:8.8.8.8",
	};

	(void)state;
	for (size_t i = 0; i < sizeof deny / sizeof deny[0]; i++)
		assert_false(public(deny[i]));
	for (size_t i = 0; i < sizeof allow / sizeof allow[0]; i++)
		assert_true(public(allow[i]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
