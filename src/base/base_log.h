/*
 * base_log.h - leveled logging as hclog JSON lines on stderr.
 *
 * One JSON object per line with "@level", "@message", "@module" and
 * "@timestamp" always JSON strings (Terraform panics otherwise), timestamp
 * in Go's 2006-01-02T15:04:05.000000Z07:00 layout. Terraform re-logs these
 * lines through its provider logger.
 *
 * The level is set once at start-up (base_log_init, before threads start) from
 * TF_LOG_PROVIDER_LAMBDAVPC, TF_LOG_PROVIDER, TF_LOG (JSON = TRACE; any other
 * unknown non-empty value = TRACE; unset = OFF). Writes are atomic per line
 * (one write(2) per line), so threads may log concurrently.
 *
 * NEVER log secrets (secret keys, session tokens, signatures, Authorization
 * headers). Callers redact before logging.
 */
#ifndef BASE_LOG_H
#define BASE_LOG_H

#include <stdbool.h>

typedef enum base_log_level {
	BASE_LOG_TRACE = 0,
	BASE_LOG_DEBUG = 1,
	BASE_LOG_INFO = 2,
	BASE_LOG_WARN = 3,
	BASE_LOG_ERROR = 4,
	BASE_LOG_OFF = 5
} base_log_level;

/* Reads the environment (see above). Call once from main before threads. */
void base_log_init(void);
/* Overrides the level (tests). */
void base_log_set_level(base_log_level lvl);
/* Redirects output to fd (default 2). Tests only. */
void base_log_set_fd(int fd);
bool base_log_enabled(base_log_level lvl);
/*
 * Log one line. module e.g. "aws", "plugin". kv is an optional NULL-terminated
 * list of key, value C-string pairs rendered as extra JSON string fields.
 */
void base_log(base_log_level lvl, const char *module, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
void base_log_kv(base_log_level lvl, const char *module, const char *msg, ...);

#define BASE_TRACE(mod, ...)                                                                                 \
	do {                                                                                                 \
		if (base_log_enabled(BASE_LOG_TRACE))                                                        \
			base_log(BASE_LOG_TRACE, mod, __VA_ARGS__);                                          \
	} while (0)
#define BASE_DEBUG(mod, ...)                                                                                 \
	do {                                                                                                 \
		if (base_log_enabled(BASE_LOG_DEBUG))                                                        \
			base_log(BASE_LOG_DEBUG, mod, __VA_ARGS__);                                          \
	} while (0)
#define BASE_INFO(mod, ...)                                                                                  \
	do {                                                                                                 \
		if (base_log_enabled(BASE_LOG_INFO))                                                         \
			base_log(BASE_LOG_INFO, mod, __VA_ARGS__);                                           \
	} while (0)
#define BASE_WARN(mod, ...)                                                                                  \
	do {                                                                                                 \
		if (base_log_enabled(BASE_LOG_WARN))                                                         \
			base_log(BASE_LOG_WARN, mod, __VA_ARGS__);                                           \
	} while (0)
#define BASE_ERROR(mod, ...)                                                                                 \
	do {                                                                                                 \
		if (base_log_enabled(BASE_LOG_ERROR))                                                        \
			base_log(BASE_LOG_ERROR, mod, __VA_ARGS__);                                          \
	} while (0)

#endif
