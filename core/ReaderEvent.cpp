// SPDX-License-Identifier: EUPL-1.2
#include "core/ReaderEvent.h"

#include <array>
#include <utility>

namespace cpslock {
namespace {
constexpr std::array<std::pair<ReaderEventType, std::string_view>, 6> kNames{{
    {ReaderEventType::CardInserted, "card-inserted"},
    {ReaderEventType::CardRemoved, "card-removed"},
    {ReaderEventType::ReaderAdded, "reader-added"},
    {ReaderEventType::ReaderRemoved, "reader-removed"},
    {ReaderEventType::ServiceLost, "service-lost"},
    {ReaderEventType::ServiceRestored, "service-restored"},
}};
} // namespace

std::string_view toString(ReaderEventType type) {
    for (const auto& [t, name] : kNames) {
        if (t == type)
            return name;
    }
    return "unknown";
}

std::optional<ReaderEventType> readerEventTypeFromString(std::string_view name) {
    for (const auto& [t, n] : kNames) {
        if (n == name)
            return t;
    }
    return std::nullopt;
}

} // namespace cpslock
