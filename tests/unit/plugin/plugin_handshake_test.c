/* Tests of src/plugin/plugin_handshake.c: cookie, version choice, line. */
#include <string.h>
#include <unistd.h>

#include "base/base_buf.h"
#include "plugin/plugin_handshake.h"
#include "t.h"

static int count_char(const char *s, char c)
{
	int n = 0;
	for (; *s; s++)
		n += *s == c;
	return n;
}

void test_plugin_handshake__line_tls_unpadded(void)
{
	/* 4 bytes: std base64 "MIIBnw==" -> must be sent without the padding */
	static const uint8_t der[] = {0x30, 0x82, 0x01, 0x9f};
	base_buf b;
	base_buf_init(&b, 0);
	T_OK(plugin_handshake_format(&b, 6, "tcp", "127.0.0.1:34567", der, sizeof der));
	T_ASSERT_STR(base_buf_cstr(&b), "1|6|tcp|127.0.0.1:34567|grpc|MIIBnw\n");
	T_ASSERT_INT(count_char(b.data, '|'), 5); /* 6 fields, never a 7th */
	T_ASSERT(strchr(b.data, '=') == NULL);
	base_buf_dispose(&b);
}

void test_plugin_handshake__line_one_pad_char_dropped(void)
{
	/* 5 bytes: std "AQIDBAU=" */
	static const uint8_t der[] = {1, 2, 3, 4, 5};
	base_buf b;
	base_buf_init(&b, 0);
	T_OK(plugin_handshake_format(&b, 6, "tcp", "127.0.0.1:1", der, sizeof der));
	T_ASSERT_STR(base_buf_cstr(&b), "1|6|tcp|127.0.0.1:1|grpc|AQIDBAU\n");
	base_buf_dispose(&b);
}

void test_plugin_handshake__line_standard_alphabet(void)
{
	/* 0xfb 0xef 0xbf encodes to "+++/" in the standard alphabet (URL-safe
	 * would be "---_"); multiple of 3 -> no padding either way */
	static const uint8_t der[] = {0xfb, 0xef, 0xbf};
	base_buf b;
	base_buf_init(&b, 0);
	T_OK(plugin_handshake_format(&b, 6, "tcp", "127.0.0.1:2", der, sizeof der));
	T_ASSERT_STR(base_buf_cstr(&b), "1|6|tcp|127.0.0.1:2|grpc|+++/\n");
	base_buf_reset(&b);
	static const uint8_t der2[] = {0xff, 0xff, 0xff};
	T_OK(plugin_handshake_format(&b, 6, "tcp", "127.0.0.1:2", der2, sizeof der2));
	T_ASSERT_STR(base_buf_cstr(&b), "1|6|tcp|127.0.0.1:2|grpc|////\n");
	base_buf_dispose(&b);
}

void test_plugin_handshake__line_plaintext_has_empty_sixth_field(void)
{
	base_buf b;
	base_buf_init(&b, 0);
	T_OK(plugin_handshake_format(&b, 6, "tcp", "127.0.0.1:40000", NULL, 0));
	T_ASSERT_STR(base_buf_cstr(&b), "1|6|tcp|127.0.0.1:40000|grpc|\n");
	T_ASSERT_INT(count_char(b.data, '|'), 5);
	base_buf_dispose(&b);
}

void test_plugin_handshake__line_rejects_separators(void)
{
	base_buf b;
	base_buf_init(&b, 0);
	T_OK(base_buf_puts(&b, "x"));
	T_ASSERT_INT(plugin_handshake_format(&b, 6, "tcp", "127.0.0.1:1|true", NULL, 0), BASE_EINVALID);
	T_ASSERT_INT(plugin_handshake_format(&b, 6, "tcp\n", "127.0.0.1:1", NULL, 0), BASE_EINVALID);
	T_ASSERT_INT(plugin_handshake_format(&b, 6, NULL, "127.0.0.1:1", NULL, 0), BASE_EINVALID);
	T_ASSERT_STR(base_buf_cstr(&b), "x"); /* unchanged */
	base_buf_dispose(&b);
}

void test_plugin_handshake__line_cap_leaves_buffer_unchanged(void)
{
	static const uint8_t der[64] = {0};
	base_buf b;
	base_buf_init(&b, 40);
	T_OK(base_buf_puts(&b, "ab"));
	T_ASSERT_INT(plugin_handshake_format(&b, 6, "tcp", "127.0.0.1:1", der, sizeof der), BASE_ETOOBIG);
	T_ASSERT_STR(base_buf_cstr(&b), "ab");
	base_buf_dispose(&b);
}

void test_plugin_handshake__cookie(void)
{
	T_ASSERT(plugin_handshake_cookie_ok(
	        "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"));
	T_ASSERT(!plugin_handshake_cookie_ok(NULL));
	T_ASSERT(!plugin_handshake_cookie_ok(""));
	T_ASSERT(!plugin_handshake_cookie_ok(
	        "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b"));
	T_ASSERT(!plugin_handshake_cookie_ok(
	        "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2\n"));
	T_ASSERT(!plugin_handshake_cookie_ok(
	        "D602BF8F470BC67CA7FAA0386276BBDD4330EFAF76D1A219CB4D6991CA9872B2"));
}

void test_plugin_handshake__version_choice(void)
{
	static const int only6[] = {6};
	static const int five_six[] = {5, 6};
	T_ASSERT_INT(plugin_handshake_choose_version("5,6", only6, 1), 6);
	T_ASSERT_INT(plugin_handshake_choose_version("6,5", only6, 1), 6);
	T_ASSERT_INT(plugin_handshake_choose_version(" 5 , 6 ", only6, 1), 6);
	/* no overlap: still answer our version so the client reports it */
	T_ASSERT_INT(plugin_handshake_choose_version("5", only6, 1), 6);
	T_ASSERT_INT(plugin_handshake_choose_version("16,56", only6, 1), 6);
	T_ASSERT_INT(plugin_handshake_choose_version(NULL, only6, 1), 6);
	T_ASSERT_INT(plugin_handshake_choose_version("", only6, 1), 6);
	T_ASSERT_INT(plugin_handshake_choose_version("x,,6x", only6, 1), 6);
	/* the highest common version wins */
	T_ASSERT_INT(plugin_handshake_choose_version("4,5", five_six, 2), 5);
	T_ASSERT_INT(plugin_handshake_choose_version("6,5", five_six, 2), 6);
	T_ASSERT_INT(plugin_handshake_choose_version("7", five_six, 2), 6);
}

void test_plugin_handshake__write_whole_line(void)
{
	int fds[2];
	char got[64] = {0};
	T_ASSERT(pipe(fds) == 0);
	T_OK(plugin_handshake_write(fds[1], "1|6|tcp|127.0.0.1:9|grpc|\n", 26));
	close(fds[1]);
	ssize_t n = read(fds[0], got, sizeof got - 1);
	close(fds[0]);
	T_ASSERT_INT(n, 26);
	T_ASSERT_STR(got, "1|6|tcp|127.0.0.1:9|grpc|\n");
	T_ASSERT_INT(plugin_handshake_write(-1, "x", 1), BASE_EIO);
}
