#include "t.h"
#include <stdio.h>
#include <unistd.h>
#include "base/base_log.h"

void test_base_log__hclog_json_line(void)
{
	int fds[2];
	char buf[4096];
	ssize_t n;
	T_ASSERT(pipe(fds) == 0);
	base_log_set_fd(fds[1]);
	base_log_set_level(BASE_LOG_DEBUG);
	BASE_TRACE("test", "hidden %d", 1);
	base_log_kv(BASE_LOG_INFO, "test", "hello \"x\"\n", "port", "123", NULL);
	base_log_set_fd(2);
	base_log_set_level(BASE_LOG_OFF);
	close(fds[1]);
	n = read(fds[0], buf, sizeof buf - 1);
	close(fds[0]);
	T_ASSERT(n > 0);
	buf[n] = '\0';
	{
		const char *want = "{\"@level\":\"info\",\"@message\":\"hello \\\"x\\\"\\n\",\"@module\":\"lambdavpc.test\",\"@timestamp\":\"";
		T_ASSERT_MSG(strncmp(buf, want, strlen(want)) == 0, "got %s", buf);
	}
	T_ASSERT_MSG(strstr(buf, "\"port\":\"123\"}\n") != NULL, "got %s", buf);
	T_ASSERT(strchr(buf, '\n') == buf + n - 1); /* exactly one line: trace was filtered */
	/* timestamp: 2006-01-02T15:04:05.000000Z */
	{
		const char *ts = strstr(buf, "@timestamp\":\"") + 13;
		T_ASSERT(ts[4] == '-' && ts[10] == 'T' && ts[19] == '.' && ts[26] == 'Z' && ts[27] == '"');
	}
}
