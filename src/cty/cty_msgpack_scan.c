/*
 * cty_msgpack_scan.c - checks msgpack framing before msgpack-c sees it.
 *
 * msgpack-c allocates a container's element array from the size the header
 * declares, before reading the elements: 5 bytes declaring an array32 of
 * 2^32 entries make it ask for 128 GiB. This walk reads only headers and
 * keeps the count of objects still owed; every owed object needs at least
 * one byte, so a header declaring more than the bytes left is refused here,
 * and whatever msgpack-c then allocates is linear in the input length.
 */
#include <stdint.h>
#include <string.h>

#include "base/base_err.h"
#include "cty_int.h"

static uint64_t be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Header of the object at p[0]: its own length (header + fixed payload,
 * sizes not yet read: *lenbytes of size follow the type byte) and the number
 * of objects it contains (*kids) or the bytes it carries (*body). */
struct hdr {
	size_t fixed;    /* bytes of the header itself, incl. the type byte */
	size_t lenbytes; /* 0, or 1/2/4: big-endian size after the type byte */
	unsigned per;    /* objects per declared entry: 1 array, 2 map, 0 bytes */
	uint64_t count;  /* fix* forms: the count or byte length inside the type byte */
};

static int classify(uint8_t c, struct hdr *h)
{
	memset(h, 0, sizeof *h);
	h->fixed = 1;
	if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3)
		return BASE_OK;
	if (c <= 0x8f || (c >= 0x90 && c <= 0x9f)) {
		h->per = c <= 0x8f ? 2 : 1;
		h->count = c & 0x0f;
		return BASE_OK;
	}
	if (c <= 0xbf) { /* fixstr */
		h->count = c & 0x1f;
		return BASE_OK;
	}
	static const uint8_t fixlen[] = {
	        [0xca - 0xc4] = 4, [0xcb - 0xc4] = 8, [0xcc - 0xc4] = 1,  [0xcd - 0xc4] = 2,
	        [0xce - 0xc4] = 4, [0xcf - 0xc4] = 8, [0xd0 - 0xc4] = 1,  [0xd1 - 0xc4] = 2,
	        [0xd2 - 0xc4] = 4, [0xd3 - 0xc4] = 8, [0xd4 - 0xc4] = 2,  [0xd5 - 0xc4] = 3,
	        [0xd6 - 0xc4] = 5, [0xd7 - 0xc4] = 9, [0xd8 - 0xc4] = 17,
	};
	if (c >= 0xca && c <= 0xd8) { /* numbers and fixext (type byte + data) */
		h->fixed += fixlen[c - 0xc4];
		return BASE_OK;
	}
	switch (c) {
	case 0xc4:
	case 0xc5:
	case 0xc6: /* bin 8/16/32 */
		h->lenbytes = (size_t)1 << (c - 0xc4);
		return BASE_OK;
	case 0xc7:
	case 0xc8:
	case 0xc9: /* ext 8/16/32: size, then the type byte */
		h->lenbytes = (size_t)1 << (c - 0xc7);
		h->fixed += 1;
		return BASE_OK;
	case 0xd9:
	case 0xda:
	case 0xdb: /* str 8/16/32 */
		h->lenbytes = (size_t)1 << (c - 0xd9);
		return BASE_OK;
	case 0xdc:
	case 0xdd: /* array 16/32 */
		h->lenbytes = c == 0xdc ? 2 : 4;
		h->per = 1;
		return BASE_OK;
	case 0xde:
	case 0xdf: /* map 16/32 */
		h->lenbytes = c == 0xde ? 2 : 4;
		h->per = 2;
		return BASE_OK;
	}
	return BASE_EINVALID; /* 0xc1, never used */
}

int cty__msgpack_scan(const void *bytes, size_t len, size_t *end, const char **why)
{
	const uint8_t *p = bytes;
	size_t pos = 0;
	uint64_t owed = 1, objects = 0;
	*why = NULL;
	while (owed > 0) {
		struct hdr h;
		if (pos >= len)
			return *why = "truncated msgpack", BASE_EINVALID;
		if (classify(p[pos], &h) != BASE_OK)
			return *why = "malformed msgpack (reserved byte 0xc1)", BASE_EINVALID;
		owed--;
		objects++;
		if (len - pos < 1 + h.lenbytes)
			return *why = "truncated msgpack", BASE_EINVALID;
		uint64_t n = h.lenbytes ? be(p + pos + 1, h.lenbytes) : h.count;
		pos += h.fixed + h.lenbytes;
		if (pos > len)
			return *why = "truncated msgpack", BASE_EINVALID;
		uint64_t left = len - pos;
		if (h.per == 0) { /* n payload bytes (0 for scalars with fixed size) */
			if (n > left)
				return *why = "a str, bin or ext declares more bytes than the message holds",
				       BASE_EINVALID;
			pos += (size_t)n;
		} else {
			/* every owed object takes at least one byte */
			if (n > left || h.per * n + owed > left)
				return *why = "an array or map declares more entries than the message holds",
				       BASE_EINVALID;
			owed += h.per * n;
		}
	}
	if (objects > CTY_DECODE_MAX_BYTES / 64)
		return *why = "too many msgpack values in one message", BASE_EINVALID;
	*end = pos;
	return BASE_OK;
}
