// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/CardKind.h"
#include "core/Hex.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace cpslock {

enum class ReaderEventType {
    CardInserted,
    CardRemoved,
    ReaderAdded,
    ReaderRemoved,
    /// The smart-card service is gone: every reader and card reported so far is forgotten.
    ServiceLost,
    /// The service answers again; the current readers and cards follow as added/inserted.
    ServiceRestored,
};

/// Stable names ("card-inserted", ...) used by `cpslock readers --watch --json` and the audit log.
std::string_view toString(ReaderEventType type);
std::optional<ReaderEventType> readerEventTypeFromString(std::string_view name);

/// One thing the reader monitor saw. Fields that do not apply to the event type stay empty.
struct ReaderEvent {
    ReaderEventType type = ReaderEventType::CardInserted;
    std::string reader;              ///< reader name as PC/SC reports it
    Bytes atr;                       ///< card events: the ATR (removal: the ATR of the card that left)
    CardKind kind = CardKind::Other; ///< card events: the classification at insertion
    std::string serial;              ///< CPS cards: the serial from EF.SN.ICC (decimal digits)
    /// card events: pcscd's count of insertions and removals in this reader when the card was seen
    /// (high word of dwEventState); unchanged later = the card never left (pcsc/ReaderStatus.h)
    std::optional<std::uint16_t> eventCount;
    std::int64_t monoNs = 0; ///< CLOCK_MONOTONIC when the monitor saw the change
    std::string detail;      ///< service events: the PC/SC error, for logs
};

/// Where a monitor delivers its events. Called on the monitor's own thread.
using ReaderEventHandler = std::function<void(const ReaderEvent&)>;

} // namespace cpslock
