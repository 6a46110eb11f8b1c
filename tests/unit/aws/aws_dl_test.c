/* aws_dl_open: a table filled from a real shared library; clear errors for
 * a missing library and a missing symbol. */
#include <stddef.h>
#include <string.h>

#include "t.h"
#include "aws/aws_dl.h"

struct libc_api {
	size_t (*strlen_fn)(const char *s);
	int (*strcmp_fn)(const char *a, const char *b);
};

static const aws_dl_sym libc_syms[] = {
        {"strlen", offsetof(struct libc_api, strlen_fn)},
        {"strcmp", offsetof(struct libc_api, strcmp_fn)},
};

void test_aws_dl__fills_the_table(void)
{
	struct libc_api api;
	char err[200];
	memset(&api, 0, sizeof api);
	T_OK(aws_dl_open("libc.so.6", libc_syms, 2, &api, err, sizeof err));
	T_ASSERT_STR(err, "");
	T_ASSERT(api.strlen_fn != NULL && api.strcmp_fn != NULL);
	T_ASSERT_INT(api.strlen_fn("lambdavpc"), 9);
	T_ASSERT(api.strcmp_fn("a", "b") < 0);
}

void test_aws_dl__missing_library(void)
{
	struct libc_api api;
	char err[200];
	memset(&api, 0, sizeof api);
	T_ASSERT_INT(aws_dl_open("libnot-there-lambdavpc.so.9", libc_syms, 2, &api, err, sizeof err),
	             BASE_EIO);
	T_ASSERT_MSG(strncmp(err, "cannot load libnot-there-lambdavpc.so.9: ", 41) == 0, "err=%s", err);
	T_ASSERT_MSG(strstr(err, "No such file") != NULL, "err=%s", err);
	T_ASSERT(api.strlen_fn == NULL && api.strcmp_fn == NULL);
}

void test_aws_dl__missing_symbol(void)
{
	static const aws_dl_sym syms[] = {
	        {"strlen", offsetof(struct libc_api, strlen_fn)},
	        {"lambdavpc_no_such_function", offsetof(struct libc_api, strcmp_fn)},
	};
	struct libc_api api;
	char err[200];
	memset(&api, 0, sizeof api);
	T_ASSERT_INT(aws_dl_open("libc.so.6", syms, 2, &api, err, sizeof err), BASE_EIO);
	T_ASSERT_STR(err, "libc.so.6 has no lambdavpc_no_such_function (too old a version?)");
	T_ASSERT(api.strcmp_fn == NULL);
}

void test_aws_dl__error_is_truncated_to_cap(void)
{
	char err[16];
	T_ASSERT_INT(aws_dl_open("libnot-there-lambdavpc.so.9", libc_syms, 2, &(struct libc_api){0}, err,
	                         sizeof err),
	             BASE_EIO);
	T_ASSERT_STR(err, "cannot load lib");
}
