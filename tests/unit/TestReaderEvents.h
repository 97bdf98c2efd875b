// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Reader events as the monitor would deliver them, for tests of what consumes them.

#include "core/ReaderEvent.h"

#include <cstdint>
#include <string>

namespace cpslock::test {

inline ReaderEvent cardEvent(ReaderEventType type, const std::string& reader, CardKind kind, const std::string& serial,
                             std::int64_t monoNs = 0) {
    ReaderEvent e;
    e.type = type;
    e.reader = reader;
    e.kind = kind;
    e.serial = serial;
    e.monoNs = monoNs;
    return e;
}

} // namespace cpslock::test
