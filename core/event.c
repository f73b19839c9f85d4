/* Names of finding levels. */
#include "event.h"

const char *level_name(enum finding_level l)
{
	switch (l) {
	case LEVEL_OK:
		return "ok";
	case LEVEL_WARN:
		return "warning";
	case LEVEL_ERROR:
		return "error";
	default:
		return "info";
	}
}
