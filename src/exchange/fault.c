/* fault.c — the exchange layer's errors as its clients see them: a type in
 * X-Road's spelling (where it arose: "Client." for a fault of the calling
 * system, "Server.ClientProxy." for the consumer's gateway,
 * "Server.ServerProxy." for the provider's), an HTTP status, and the
 * PC_E* code the rest of the program speaks.  One table, so that REST
 * errors, SOAP faults, the message log and the metrics say the same. */
#include "internal.h"

#include <string.h>

static const struct {
    const char *code;   /* X-Road's fault code */
    int status;
    int pc;
} faults[XR_FAULT_COUNT] = {
    [XR_FAULT_NONE] = {"", 200, 0},
    [XR_FAULT_INVALID_REQUEST] = {"InvalidRequest", 400, PC_EINVAL},
    [XR_FAULT_INVALID_CLIENT] = {"InvalidClientIdentifier", 400, PC_EINVAL},
    [XR_FAULT_INVALID_SERVICE] = {"InvalidServiceIdentifier", 400, PC_EINVAL},
    [XR_FAULT_INVALID_HEADER] = {"InvalidHttpHeader", 400, PC_EINVAL},
    [XR_FAULT_INVALID_SOAP] = {"InvalidSoap", 400, PC_EINVAL},
    [XR_FAULT_TOO_LARGE] = {"RequestTooLarge", 413, PC_ETOOBIG},
    [XR_FAULT_UNKNOWN_MEMBER] = {"UnknownMember", 403, PC_EDENIED},
    [XR_FAULT_UNKNOWN_SERVICE] = {"UnknownService", 404, PC_ENOTFOUND},
    [XR_FAULT_ACCESS_DENIED] = {"AccessDenied", 403, PC_EDENIED},
    [XR_FAULT_OUTDATED_GLOBALCONF] = {"OutdatedGlobalConf", 503, PC_EUNAVAIL},
    [XR_FAULT_SIGNATURE] = {"InvalidSignatureValue", 502, PC_EDENIED},
    [XR_FAULT_CERT_VALIDATION] = {"CertValidation", 502, PC_EDENIED},
    [XR_FAULT_AUTHENTICATION] = {"SslAuthenticationFailed", 502, PC_EDENIED},
    [XR_FAULT_INVALID_MESSAGE] = {"InvalidMessage", 502, PC_EINVAL},
    [XR_FAULT_NETWORK] = {"NetworkError", 502, PC_EUNAVAIL},
    [XR_FAULT_TIMEOUT] = {"ServiceTimeout", 504, PC_EUNAVAIL},
    [XR_FAULT_SERVICE_FAILED] = {"ServiceFailed", 502, PC_EUNAVAIL},
    [XR_FAULT_TIMESTAMPING] = {"TimestampingFailed", 503, PC_EUNAVAIL},
    [XR_FAULT_REPLAY] = {"DuplicateMessage", 409, PC_ECONFLICT},
    [XR_FAULT_INTERNAL] = {"InternalError", 500, PC_EIO},
};

static const char *const origins[] = {"Client.", "Server.ClientProxy.", "Server.ServerProxy."};

const char *xr_fault_code(enum xr_fault f)
{
    return (unsigned)f < XR_FAULT_COUNT ? faults[f].code : "InternalError";
}

int xr_fault_status(enum xr_fault f)
{
    return (unsigned)f < XR_FAULT_COUNT ? faults[f].status : 500;
}

int xr_fault_pc(enum xr_fault f)
{
    return (unsigned)f < XR_FAULT_COUNT ? faults[f].pc : PC_EIO;
}

const char *xr_fault_type(struct pc_arena *a, enum xr_origin o, enum xr_fault f)
{
    return pc_arena_printf(a, "%s%s", origins[o], xr_fault_code(f));
}

enum xr_fault xr_fault_of_pc(int code)
{
    switch (code) {
    case 0: return XR_FAULT_NONE;
    case PC_EINVAL: return XR_FAULT_INVALID_REQUEST;
    case PC_ETOOBIG: return XR_FAULT_TOO_LARGE;
    case PC_EDENIED: return XR_FAULT_ACCESS_DENIED;
    case PC_ENOTFOUND: return XR_FAULT_UNKNOWN_SERVICE;
    case PC_EUNAVAIL: return XR_FAULT_NETWORK;
    default: return XR_FAULT_INTERNAL;
    }
}

enum xr_fault xr_fault_parse(const char *type, enum xr_origin *origin)
{
    for (int o = 0; o < 3; o++) {
        if (!pc_str_has_prefix(type, origins[o]))
            continue;
        const char *code = type + strlen(origins[o]);
        for (int f = 1; f < XR_FAULT_COUNT; f++)
            if (strcmp(code, faults[f].code) == 0) {
                if (origin)
                    *origin = (enum xr_origin)o;
                return (enum xr_fault)f;
            }
    }
    return XR_FAULT_COUNT;
}
