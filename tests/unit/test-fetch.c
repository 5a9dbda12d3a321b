/*
 * test-fetch: the SSRF guard's address classification and allowlist, and
 * the header helpers (Retry-After, freshness, the host of a URL).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <string.h>

#include <curl/curl.h>

#include "conf.h"
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

static int
in_nets(const char *addr, const struct conf_cidr *nets, size_t n)
{
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;

	memset(&sin, 0, sizeof sin);
	memset(&sin6, 0, sizeof sin6);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		return fetch_addr_in((struct sockaddr *)&sin, nets, n);
	}
	assert_int_equal(inet_pton(AF_INET6, addr, &sin6.sin6_addr), 1);
	sin6.sin6_family = AF_INET6;
	return fetch_addr_in((struct sockaddr *)&sin6, nets, n);
}

static void
test_allowlist(void **state)
{
	struct conf_cidr	nets[3];

	(void)state;
	memset(nets, 0, sizeof nets);
	nets[0].family = AF_INET;
	inet_pton(AF_INET, "192.168.10.0", nets[0].addr);
	nets[0].prefix = 24;
	nets[1].family = AF_INET6;
	inet_pton(AF_INET6, "fd00:10::", nets[1].addr);
	nets[1].prefix = 64;
	nets[2].family = AF_INET;
	inet_pton(AF_INET, "10.1.0.0", nets[2].addr);
	nets[2].prefix = 17;
	assert_true(in_nets("192.168.10.7", nets, 3));
	assert_false(in_nets("192.168.11.7", nets, 3));
	assert_true(in_nets("::ffff:192.168.10.200", nets, 3));
	assert_true(in_nets("fd00:10::1", nets, 3));
	assert_false(in_nets("fd00:11::1", nets, 3));
	assert_true(in_nets("10.1.127.255", nets, 3));
	assert_false(in_nets("10.1.128.0", nets, 3));
	assert_false(in_nets("127.0.0.1", nets, 3));
	assert_false(in_nets("192.168.10.7", nets, 0));
}

static void
test_retry_after(void **state)
{
	(void)state;
	assert_int_equal(fetch_retry_after(NULL, 1000), 0);
	assert_int_equal(fetch_retry_after("120", 1000), 1120);
	assert_int_equal(fetch_retry_after(" 0 ", 1000), 1000);
	assert_int_equal(fetch_retry_after("12abc", 1000), 0);
	assert_int_equal(fetch_retry_after("-5", 1000), 0);
	assert_int_equal(fetch_retry_after("99999999999", 1000), 0);
	/* The HTTP-date form, absolute. */
	assert_int_equal(fetch_retry_after("Wed, 21 Oct 2015 07:28:00 GMT",
	    1000), 1445412480);
	assert_int_equal(fetch_retry_after("soon", 1000), 0);
}

static void
test_fresh_for(void **state)
{
	(void)state;
	assert_int_equal(fetch_fresh_for(NULL, NULL, 1000), 0);
	assert_int_equal(fetch_fresh_for("max-age=600", NULL, 1000), 600);
	assert_int_equal(fetch_fresh_for("public, max-age=\"90\"", NULL, 0),
	    90);
	assert_int_equal(fetch_fresh_for("max-age=600, no-cache", NULL, 0), 0);
	assert_int_equal(fetch_fresh_for("no-store", NULL, 0), 0);
	assert_int_equal(fetch_fresh_for("s-maxage=600", NULL, 0), 0);
	/* Expires counts only without max-age, and only in the future. */
	assert_int_equal(fetch_fresh_for(NULL,
	    "Wed, 21 Oct 2015 07:28:00 GMT", 1445412000), 480);
	assert_int_equal(fetch_fresh_for("max-age=5",
	    "Wed, 21 Oct 2015 07:28:00 GMT", 1445412000), 5);
	assert_int_equal(fetch_fresh_for(NULL,
	    "Wed, 21 Oct 2015 07:28:00 GMT", 1445413000), 0);
	assert_int_equal(fetch_fresh_for(NULL, "0", 1000), 0);
}

static void
test_url_host(void **state)
{
	char	buf[64];

	(void)state;
	assert_int_equal(fetch_url_host("https://Feeds.Example.ORG:8443/x",
	    buf, sizeof buf), 0);
	assert_string_equal(buf, "feeds.example.org");
	assert_int_equal(fetch_url_host("http://h7.localhost:8089/n/f.rss",
	    buf, sizeof buf), 0);
	assert_string_equal(buf, "h7.localhost");
	assert_int_equal(fetch_url_host("http://[::1]:80/", buf, sizeof buf),
	    0);
	assert_string_equal(buf, "[::1]");
	assert_int_equal(fetch_url_host("not a url", buf, sizeof buf), -1);
	assert_int_equal(fetch_url_host("http://a-very-long-host.example/",
	    buf, 8), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_allowlist),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_fresh_for),
		cmocka_unit_test(test_url_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
