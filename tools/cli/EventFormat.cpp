// SPDX-License-Identifier: EUPL-1.2
#include "tools/cli/EventFormat.h"

#include <cstdio>

namespace cpslock::cli {
namespace {
bool isCardEvent(ReaderEventType t) {
    return t == ReaderEventType::CardInserted || t == ReaderEventType::CardRemoved;
}
nlohmann::ordered_json orNull(const std::string& s) {
    return s.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(s);
}
} // namespace

nlohmann::ordered_json toJson(const ReaderEvent& event) {
    const bool card = isCardEvent(event.type);
    return {
        {"event", std::string(toString(event.type))},
        {"reader", orNull(event.reader)},
        {"atr", card ? orNull(toHex(event.atr)) : nlohmann::ordered_json()},
        {"kind", card ? nlohmann::ordered_json(std::string(toString(event.kind))) : nlohmann::ordered_json()},
        {"serial", card ? orNull(event.serial) : nlohmann::ordered_json()},
        {"mono_ns", event.monoNs},
        {"detail", orNull(event.detail)},
    };
}

std::string toText(const ReaderEvent& event) {
    char stamp[32];
    (void)std::snprintf(stamp, sizeof stamp, "[%12.6f] ", static_cast<double>(event.monoNs) / 1e9);
    std::string line = stamp;
    line += toString(event.type);
    if (!event.reader.empty())
        line += "  \"" + event.reader + "\"";
    if (isCardEvent(event.type)) {
        line += "  ";
        line += toString(event.kind);
        if (!event.serial.empty())
            line += "  serial " + event.serial;
        line += "  ATR " + toHex(event.atr);
    }
    if (!event.detail.empty())
        line += "  (" + event.detail + ")";
    return line;
}

} // namespace cpslock::cli
