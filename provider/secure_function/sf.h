/*
 * sf.h - the lambdavpc_secure_function resource: one static const
 * tf6_resource_ops table (STYLE C9/C10). Its ctx is the provider (prov *),
 * from which the handlers get the schema, the AWS client and default tags.
 *
 * The handlers live in one file per operation: sf_validate.c, sf_plan.c,
 * sf_apply.c (create, update, delete), sf_read.c, sf_import.c, sf_upgrade.c.
 */
#ifndef SF_H
#define SF_H

#include "tf6/tf6_provider.h"

/* Resource type name; also the name of its schema file in schemas/. */
#define SF_TYPE_NAME "lambdavpc_secure_function"

/* The resource's operations table (static, never NULL). Pass the prov as ctx. */
const tf6_resource_ops *sf_resource_ops(void);

#endif
