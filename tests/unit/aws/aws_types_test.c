/* aws_types.h helpers. */
#include "t.h"
#include "aws/aws_types.h"

void test_aws_types__tags_get(void)
{
	static const aws_tag tags[] = {{"a", "1"}, {"b", "2"}};
	T_ASSERT_STR(aws_tags_get(AWS_TAGS(tags), "b"), "2");
	T_ASSERT(aws_tags_get(AWS_TAGS(tags), "c") == NULL);
	T_ASSERT(aws_tags_get(AWS_TAGS(tags), NULL) == NULL);
}
