/*
 * base_log.c - hclog JSON lines on stderr.
 *
 * Global state allowed by STYLE C12(b): the sink fd and the level, set once
 * at start-up before threads exist, read-only afterwards.
 */
#include "base_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base_alloc.h"
#include "base_buf.h"

static base_log_level g_level = BASE_LOG_OFF;
static int g_fd = 2;

static const char *level_name(base_log_level l)
{
	static const char *names[] = {"trace", "debug", "info", "warn", "error", "off"};
	return names[l];
}

static int parse_level(const char *v, base_log_level *out)
{
	static const char *names[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF"};
	int i;
	if (!v || !*v)
		return -1;
	if (strcasecmp(v, "JSON") == 0) {
		*out = BASE_LOG_TRACE;
		return 0;
	}
	for (i = 0; i < 6; i++) {
		if (strcasecmp(v, names[i]) == 0) {
			*out = (base_log_level)i;
			return 0;
		}
	}
	*out = BASE_LOG_TRACE; /* Terraform treats other non-empty values as TRACE */
	return 0;
}

void base_log_init(void)
{
	static const char *vars[] = {"TF_LOG_PROVIDER_LAMBDAVPC", "TF_LOG_PROVIDER", "TF_LOG"};
	size_t i;
	for (i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		base_log_level l;
		if (parse_level(getenv(vars[i]), &l) == 0) {
			g_level = l;
			return;
		}
	}
	g_level = BASE_LOG_OFF;
}

void base_log_set_level(base_log_level lvl)
{
	g_level = lvl;
}
void base_log_set_fd(int fd)
{
	g_fd = fd;
}

bool base_log_enabled(base_log_level lvl)
{
	return lvl != BASE_LOG_OFF && lvl >= g_level && g_level != BASE_LOG_OFF;
}

/* Appends s as JSON string contents (without quotes). */
static int json_escape(base_buf *b, const char *s)
{
	int rc = BASE_OK;
	for (; *s && rc == BASE_OK; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			rc = base_buf_printf(b, "\\%c", c);
		else if (c == '\n')
			rc = base_buf_puts(b, "\\n");
		else if (c == '\t')
			rc = base_buf_puts(b, "\\t");
		else if (c == '\r')
			rc = base_buf_puts(b, "\\r");
		else if (c < 0x20)
			rc = base_buf_printf(b, "\\u%04x", c);
		else
			rc = base_buf_putc(b, (char)c);
	}
	return rc;
}

static void emit(base_log_level lvl, const char *module, const char *msg, va_list *kv)
{
	base_buf b;
	struct timeval tv;
	struct tm tm;
	char ts[64];
	int rc;
	ssize_t off = 0;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
	         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)tv.tv_usec);
	base_buf_init(&b, 60 * 1024); /* Terraform splits lines over 64 KiB */
	rc = base_buf_printf(&b, "{\"@level\":\"%s\",\"@message\":\"", level_name(lvl));
	if (rc == BASE_OK)
		rc = json_escape(&b, msg);
	if (rc == BASE_OK)
		rc = base_buf_printf(&b, "\",\"@module\":\"lambdavpc.%s\",\"@timestamp\":\"%s\"",
		                     module ? module : "provider", ts);
	if (kv) {
		const char *k;
		while (rc == BASE_OK && (k = va_arg(*kv, const char *)) != NULL) {
			const char *v = va_arg(*kv, const char *);
			rc = base_buf_putc(&b, ',');
			if (rc == BASE_OK)
				rc = base_buf_putc(&b, '"');
			if (rc == BASE_OK)
				rc = json_escape(&b, k);
			if (rc == BASE_OK)
				rc = base_buf_puts(&b, "\":\"");
			if (rc == BASE_OK)
				rc = json_escape(&b, v ? v : "");
			if (rc == BASE_OK)
				rc = base_buf_putc(&b, '"');
		}
	}
	if (rc != BASE_OK) {
		/* Truncated: emit a valid line saying so instead of a broken one. */
		base_buf_reset(&b);
		b.max = 0;
		rc = base_buf_printf(&b,
		                     "{\"@level\":\"%s\",\"@message\":\"(log line too long, dropped)\","
		                     "\"@module\":\"lambdavpc\",\"@timestamp\":\"%s\"",
		                     level_name(lvl), ts);
	}
	b.max = 0;
	if (rc == BASE_OK)
		rc = base_buf_puts(&b, "}\n");
	while (rc == BASE_OK && (size_t)off < b.len) {
		ssize_t w = write(g_fd, b.data + off, b.len - (size_t)off);
		if (w <= 0)
			break;
		off += w;
	}
	base_buf_dispose(&b);
}

void base_log(base_log_level lvl, const char *module, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	if (!base_log_enabled(lvl))
		return;
	{
		va_list ap2;
		char probe[1]; /* measuring call */
		int n;
		va_start(ap, fmt);
		va_copy(ap2, ap);
		n = vsnprintf(probe, sizeof probe, fmt, ap);
		va_end(ap);
		msg = base_xmalloc((size_t)(n < 0 ? 0 : n) + 1);
		vsnprintf(msg, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap2);
		va_end(ap2);
	}
	emit(lvl, module, msg, NULL);
	base_free(msg);
}

void base_log_kv(base_log_level lvl, const char *module, const char *msg, ...)
{
	va_list ap;
	if (!base_log_enabled(lvl))
		return;
	va_start(ap, msg);
	emit(lvl, module, msg, &ap);
	va_end(ap);
}
