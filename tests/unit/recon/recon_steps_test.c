/* recon_steps_test.c - the step table has one complete row per step kind. */
#include "t.h"

#include <string.h>

#include "recon/recon_diff.h"
#include "recon/recon_exec_int.h"

void test_recon_steps__one_row_per_kind(void)
{
	int k, j;
	for (k = 1; k < RECON_STEP_KIND_COUNT; k++) {
		const recon_step_def *d = recon__step_def((recon_step_kind)k);
		T_ASSERT(d != NULL);
		T_ASSERT(d->name != NULL && d->run != NULL);
		T_ASSERT_STR(recon_step_kind_name((recon_step_kind)k), d->name);
		for (j = 1; j < k; j++)
			T_ASSERT(strcmp(recon__step_def((recon_step_kind)j)->name, d->name) != 0);
	}
	T_ASSERT(recon__step_def((recon_step_kind)0) == NULL);
	T_ASSERT(recon__step_def(RECON_STEP_KIND_COUNT) == NULL);
	T_ASSERT_STR(recon_step_kind_name(RECON_STEP_KIND_COUNT), "?");
	T_ASSERT_STR(recon_step_kind_name(RECON_STEP_FN_PUBLISH), "function.publish");
	T_ASSERT_STR(recon_step_kind_name(RECON_STEP_TAGS), "tags.sync");
}
