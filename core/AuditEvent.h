// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/CardKind.h"
#include "core/LockReason.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace cpslock {

/// What the SessionGuard decided or noticed. Only decisions are audited: the monitor logs raw card traffic.
enum class AuditKind {
    SessionUnlocked, ///< the session became unlocked (detail: "verified" when cpslockd verified a card for it)
    SessionLocked,   ///< the session became locked (by us or anyone else); the binding is dropped
    CardBound,       ///< the session is now bound to this card (reader, serial)
    LockRequested,   ///< lock() was called; reason set
    LogoutRequested, ///< logout() was called; reason set
    RemovalIgnored,  ///< the session card left but the removal action is "none"
    TokenLogout,     ///< logoutToken(reader) was called (idle / user lock with the card inside)
    IdleWarning,     ///< the idle countdown started
    IdleCancelled,   ///< user input stopped the idle countdown
    ServiceLost,     ///< pcscd is gone
    ServiceRestored, ///< pcscd answers again
    LockAverted,     ///< a grace countdown ended without a lock (card arrived, service and card back); reason set
    SettingsChanged, ///< updateSettings() changed something
    CardNotVerified, ///< a CPS-looking card came while require_card counts down: nobody verified it, it binds nothing
};

inline constexpr std::array<std::pair<AuditKind, std::string_view>, 14> kAuditKindNames{{
    {AuditKind::SessionUnlocked, "session-unlocked"},
    {AuditKind::SessionLocked, "session-locked"},
    {AuditKind::CardBound, "card-bound"},
    {AuditKind::LockRequested, "lock"},
    {AuditKind::LogoutRequested, "logout"},
    {AuditKind::RemovalIgnored, "removal-ignored"},
    {AuditKind::TokenLogout, "token-logout"},
    {AuditKind::IdleWarning, "idle-warning"},
    {AuditKind::IdleCancelled, "idle-cancelled"},
    {AuditKind::ServiceLost, "service-lost"},
    {AuditKind::ServiceRestored, "service-restored"},
    {AuditKind::LockAverted, "lock-averted"},
    {AuditKind::SettingsChanged, "settings-changed"},
    {AuditKind::CardNotVerified, "card-not-verified"},
}};

/// Stable name for the audit log ("lock", "card-bound", ...).
constexpr std::string_view toString(AuditKind kind) {
    for (const auto& [k, name] : kAuditKindNames) {
        if (k == kind)
            return name;
    }
    return "unknown";
}

/// One audit record. Fields that do not apply stay empty.
struct AuditEvent {
    AuditKind kind = AuditKind::LockRequested;
    std::optional<LockReason> reason;
    std::string reader;
    std::string serial;
    std::optional<CardKind> cardKind;
    /// CLOCK_MONOTONIC of the reader event that caused this decision (ReaderEvent::monoNs); 0 when the
    /// cause was a timer or an input without a timestamp.
    std::int64_t eventMonoNs = 0;
    std::string detail;

    /// Event-to-now latency, for the host to compute when it sends the record (nowMonoNs read from
    /// CLOCK_MONOTONIC by the host). Empty when there is no event timestamp.
    std::optional<std::chrono::nanoseconds> latency(std::int64_t nowMonoNs) const {
        if (eventMonoNs <= 0 || nowMonoNs < eventMonoNs)
            return std::nullopt;
        return std::chrono::nanoseconds(nowMonoNs - eventMonoNs);
    }

    bool operator==(const AuditEvent&) const = default;
};

} // namespace cpslock
