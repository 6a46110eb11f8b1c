/*
 * plugin_handshake.c - magic cookie, version choice, handshake line.
 * See plugin_handshake.h and PROTOCOL.md 1.2 / 1.4.
 */
#include "plugin/plugin_handshake.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/base_str.h"

bool plugin_handshake_cookie_ok(const char *value)
{
	return value != NULL && strcmp(value, PLUGIN_MAGIC_COOKIE_VALUE) == 0;
}

/* True if the decimal number `v` is one of the comma-separated entries. */
static bool list_contains(const char *list, int v)
{
	const char *p = list;
	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		/* trim blanks around the entry */
		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n > 0 && n < 10) {
			int x = 0;
			size_t i;
			for (i = 0; i < n && p[i] >= '0' && p[i] <= '9'; i++)
				x = x * 10 + (p[i] - '0');
			if (i == n && x == v)
				return true;
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}

int plugin_handshake_choose_version(const char *offered, const int *supported, size_t n)
{
	int best = -1, highest = supported[0];
	for (size_t i = 0; i < n; i++) {
		if (supported[i] > highest)
			highest = supported[i];
		if (supported[i] > best && list_contains(offered, supported[i]))
			best = supported[i];
	}
	return best >= 0 ? best : highest;
}

static bool field_ok(const char *s)
{
	return s != NULL && strpbrk(s, "|\r\n") == NULL;
}

int plugin_handshake_format(base_buf *out, int app_version, const char *network, const char *address,
                            const uint8_t *cert_der, size_t cert_der_len)
{
	int rc = BASE_OK;
	size_t start = out->len;
	if (!field_ok(network) || !field_ok(address) || app_version < 0) {
		rc = BASE_EINVALID;
		goto done;
	}
	rc = base_buf_printf(out, "%d|%d|%s|%s|grpc|", PLUGIN_CORE_PROTOCOL_VERSION, app_version, network,
	                     address);
	if (rc != BASE_OK)
		goto done;
	if (cert_der != NULL && cert_der_len > 0) {
		rc = base_str_base64_encode(out, cert_der, cert_der_len, false);
		if (rc != BASE_OK)
			goto done;
	}
	rc = base_buf_putc(out, '\n');
done:
	if (rc != BASE_OK && out->len > start) {
		/* leave the buffer as it was */
		out->len = start;
		out->data[start] = '\0';
	}
	return rc;
}

int plugin_handshake_write(int fd, const char *line, size_t len)
{
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, line + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return BASE_EIO;
		}
		off += (size_t)w;
	}
	return BASE_OK;
}
