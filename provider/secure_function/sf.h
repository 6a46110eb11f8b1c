/*
 * sf.h - the lambdavpc_secure_function resource: one static const
 * tf6_resource_ops table (STYLE C9/C10). Its ctx is the provider (prov *),
 * from which the handlers get the schema, the AWS client and default tags.
 *
 * Today the table has validate and upgrade; plan, apply, read and import
 * are added by sf_plan.c / sf_apply.c / sf_read.c / sf_import.c (until then
 * src/tf6 answers those RPCs with a "Not implemented yet" diagnostic).
 */
#ifndef SF_H
#define SF_H

#include "tf6/tf6_provider.h"

/* Resource type name; also the name of its schema file in schemas/. */
#define SF_TYPE_NAME "lambdavpc_secure_function"

/* The resource's operations table (static, never NULL). Pass the prov as ctx. */
const tf6_resource_ops *sf_resource_ops(void);

#endif
