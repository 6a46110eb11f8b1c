/* base_err.c - names of the BASE_E* codes. */
#include "base_err.h"

const char *base_err_str(int code)
{
	switch (code) {
	case BASE_OK:
		return "ok";
	case BASE_ERR:
		return "error";
	case BASE_ENOTFOUND:
		return "not found";
	case BASE_EINVALID:
		return "invalid input";
	case BASE_EUNKNOWN:
		return "value not known until apply";
	case BASE_ETHROTTLED:
		return "throttled";
	case BASE_ETIMEOUT:
		return "timed out";
	case BASE_ECANCELLED:
		return "cancelled";
	case BASE_EIO:
		return "I/O error";
	case BASE_EAWS:
		return "AWS error";
	case BASE_ECONFLICT:
		return "conflict";
	case BASE_ETOOBIG:
		return "too big";
	default:
		return "unknown error";
	}
}
