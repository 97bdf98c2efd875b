// SPDX-License-Identifier: EUPL-1.2
#include "core/ReaderEvent.h"

#include "core/EnumName.h"

#include <array>

namespace cpslock {
namespace {
constexpr std::array<EnumName<ReaderEventType>, 6> kNames{{
    {"card-inserted", ReaderEventType::CardInserted},
    {"card-removed", ReaderEventType::CardRemoved},
    {"reader-added", ReaderEventType::ReaderAdded},
    {"reader-removed", ReaderEventType::ReaderRemoved},
    {"service-lost", ReaderEventType::ServiceLost},
    {"service-restored", ReaderEventType::ServiceRestored},
}};
} // namespace

std::string_view toString(ReaderEventType type) {
    const std::string_view name = nameIn(kNames, type);
    return name == "?" ? "unknown" : name;
}

std::optional<ReaderEventType> readerEventTypeFromString(std::string_view name) {
    return valueIn(kNames, name);
}

} // namespace cpslock
