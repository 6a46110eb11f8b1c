#include "t.h"
#include "base/base_err.h"

void test_base_err__names(void)
{
	T_ASSERT_STR(base_err_str(BASE_OK), "ok");
	T_ASSERT_STR(base_err_str(BASE_ENOTFOUND), "not found");
	T_ASSERT_STR(base_err_str(BASE_ECANCELLED), "cancelled");
	T_ASSERT_STR(base_err_str(BASE_ETOOBIG), "too big");
	T_ASSERT_STR(base_err_str(-999), "unknown error");
	/* every code has its own name */
	{
		int a, b;
		for (a = BASE_ETOOBIG; a <= BASE_OK; a++)
			for (b = a + 1; b <= BASE_OK; b++)
				T_ASSERT_MSG(strcmp(base_err_str(a), base_err_str(b)) != 0, "%d and %d share a name", a, b);
	}
}
