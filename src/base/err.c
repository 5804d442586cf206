/* err.c — filling struct pc_err and naming error codes. */
#include "base.h"

#include <stdio.h>

int pc_err_set(struct pc_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

const char *pc_errcode_name(int code)
{
    switch (code) {
    case PC_OK: return "ok";
    case PC_EINVAL: return "invalid";
    case PC_ENOMEM: return "no-memory";
    case PC_EIO: return "io";
    case PC_ENOTFOUND: return "not-found";
    case PC_ECONFLICT: return "conflict";
    case PC_EDENIED: return "denied";
    case PC_ETOOBIG: return "too-big";
    case PC_EMORE: return "more-needed";
    case PC_ELIMIT: return "limited";
    case PC_EUNAVAIL: return "unavailable";
    default: return "unknown";
    }
}
