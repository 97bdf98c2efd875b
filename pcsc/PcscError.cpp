// SPDX-License-Identifier: EUPL-1.2
#include "pcsc/PcscError.h"

#include <cstdio>
#include <string_view>

namespace cpslock::pcsc {
namespace {
std::string_view nameOf(LONG rv) {
    switch (rv) {
    case SCARD_S_SUCCESS: return "SCARD_S_SUCCESS";
    case SCARD_E_CANCELLED: return "SCARD_E_CANCELLED";
    case SCARD_E_INVALID_HANDLE: return "SCARD_E_INVALID_HANDLE";
    case SCARD_E_TIMEOUT: return "SCARD_E_TIMEOUT";
    case SCARD_E_SHARING_VIOLATION: return "SCARD_E_SHARING_VIOLATION";
    case SCARD_E_NO_SMARTCARD: return "SCARD_E_NO_SMARTCARD";
    case SCARD_E_UNKNOWN_READER: return "SCARD_E_UNKNOWN_READER";
    case SCARD_E_READER_UNAVAILABLE: return "SCARD_E_READER_UNAVAILABLE";
    case SCARD_E_NO_SERVICE: return "SCARD_E_NO_SERVICE";
    case SCARD_E_SERVICE_STOPPED: return "SCARD_E_SERVICE_STOPPED";
    case SCARD_E_NO_READERS_AVAILABLE: return "SCARD_E_NO_READERS_AVAILABLE";
    case SCARD_E_NO_ACCESS: return "SCARD_E_NO_ACCESS";
    case SCARD_F_COMM_ERROR: return "SCARD_F_COMM_ERROR";
    case SCARD_F_INTERNAL_ERROR: return "SCARD_F_INTERNAL_ERROR";
    case SCARD_W_REMOVED_CARD: return "SCARD_W_REMOVED_CARD";
    case SCARD_W_RESET_CARD: return "SCARD_W_RESET_CARD";
    case SCARD_W_UNRESPONSIVE_CARD: return "SCARD_W_UNRESPONSIVE_CARD";
    case SCARD_W_UNPOWERED_CARD: return "SCARD_W_UNPOWERED_CARD";
    case SCARD_E_PROTO_MISMATCH: return "SCARD_E_PROTO_MISMATCH";
    default: return "SCARD_ERROR";
    }
}
} // namespace

bool isServiceLoss(LONG rv) {
    switch (rv) {
    case SCARD_E_NO_SERVICE:
    case SCARD_E_SERVICE_STOPPED:
    case SCARD_F_COMM_ERROR:
    case SCARD_E_INVALID_HANDLE:
    case SCARD_E_NO_ACCESS: // transient while pcscd restarts
    case SCARD_F_INTERNAL_ERROR:
    case SCARD_F_UNKNOWN_ERROR:
    case SCARD_E_NO_MEMORY: return true;
    default: return false;
    }
}

std::string describe(LONG rv) {
    char code[16];
    (void)std::snprintf(code, sizeof code, "0x%08lX", static_cast<unsigned long>(rv));
    const std::string_view name = nameOf(rv);
    return std::string(name) + " (" + code + "): " + pcsc_stringify_error(rv);
}

} // namespace cpslock::pcsc
