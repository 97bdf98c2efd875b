// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/GuardActions.h"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace cpslock::agent {

/// The five faces of the tray icon, from the most to the least urgent.
enum class TrayIconKind {
    Error,       ///< the agent cannot protect the session: no locker, pcscd down
    Locked,      ///< the session is locked
    Warning,     ///< works, but something needs attention: policy refused, CRL stale, card expiring...
    CardPresent, ///< a contact CPS card is in a reader
    NoCard,      ///< no CPS card
};

std::string_view toString(TrayIconKind kind);
/// The Qt resource of the icon (agent/icons/*.svg, compiled in).
std::string_view iconResource(TrayIconKind kind);

/// What the tray knows besides the guard's status.
struct TrayConditions {
    bool lockerAvailable = true;   ///< at least one locker probed usable
    bool policyRefused = false;    ///< the policy file was refused (built-in defaults in force)
    bool crlStale = false;         ///< newest CRL older than trust.crl_max_age
    bool certExpiringSoon = false; ///< a present card's certificate ends within kExpiryWarning
    bool cardRefused = false;      ///< a present card's certificate would be refused (expired, revoked, deny-listed...)
};

/// A certificate ending within this is announced (notification + warning icon).
inline constexpr std::chrono::hours kExpiryWarning{24 * 30};

/// Pure: which icon for this state. Error > Locked > Warning > CardPresent > NoCard.
TrayIconKind trayIconKind(const GuardStatus& status, const TrayConditions& conditions);

/// True when the certificate ends in [now, now + kExpiryWarning).
bool expiresSoon(std::chrono::system_clock::time_point notAfter, std::chrono::system_clock::time_point now);

/// Whole days left (rounded up), 0 when already past.
int daysLeft(std::chrono::system_clock::time_point notAfter, std::chrono::system_clock::time_point now);

/// The contact CPS cards present (contactless and other cards never count).
bool anyContactCps(const GuardStatus& status);

/// The card a loss report is about: the session's bound card if any, else the only contact CPS card
/// present, else the one remembered from earlier (`remembered`). Empty serial: nothing known.
BoundCard lossTarget(const GuardStatus& status, const std::optional<BoundCard>& remembered);

/// A notification to show after a status change ("don't forget your card"), decided from two
/// successive statuses: the session went locked for idleness while a contact CPS card is inside.
bool shouldRemindCard(const GuardStatus& before, const GuardStatus& after);

} // namespace cpslock::agent
