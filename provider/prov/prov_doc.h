/*
 * prov_doc.h - Markdown reference generated from a schema (the single
 * source of truth), kept in docs/ between the markers
 * PROV_DOC_BEGIN / PROV_DOC_END. A unit test fails when the committed docs
 * and the schema JSON disagree (and rewrites them with UPDATE_DOCS=1).
 *
 * THREAD SAFETY: reentrant.
 */
#ifndef PROV_DOC_H
#define PROV_DOC_H

#include "base/base_buf.h"
#include "base/base_err.h"
#include "tf6/tf6_schema.h"

#define PROV_DOC_BEGIN "<!-- generated from the schema JSON: begin -->\n"
#define PROV_DOC_END "<!-- generated from the schema JSON: end -->\n"

/*
 * Appends the reference of s (arguments, nested blocks, then computed
 * attributes) to out, headings starting at level 2. Returns BASE_OK or
 * BASE_ETOOBIG (out's cap).
 */
BASE_MUST_USE int prov_doc_render(const tf6_schema *s, base_buf *out);

#endif
