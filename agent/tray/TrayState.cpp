// SPDX-License-Identifier: EUPL-1.2
#include "agent/tray/TrayState.h"

#include "core/CardKind.h"

namespace cpslock::agent {

namespace {

struct IconNames {
    std::string_view name;
    std::string_view resource;
};

IconNames iconNames(TrayIconKind kind) {
    switch (kind) {
    case TrayIconKind::Error: return {"error", ":/cpslock/icons/error.svg"};
    case TrayIconKind::Locked: return {"locked", ":/cpslock/icons/locked.svg"};
    case TrayIconKind::Warning: return {"warning", ":/cpslock/icons/warning.svg"};
    case TrayIconKind::CardPresent: return {"card-present", ":/cpslock/icons/card-present.svg"};
    case TrayIconKind::NoCard: break;
    }
    return {"no-card", ":/cpslock/icons/no-card.svg"};
}

} // namespace

std::string_view toString(TrayIconKind kind) {
    return iconNames(kind).name;
}

std::string_view iconResource(TrayIconKind kind) {
    return iconNames(kind).resource;
}

bool anyContactCps(const GuardStatus& status) {
    for (const auto& c : status.cards) {
        if (isContactCps(c.kind))
            return true;
    }
    return false;
}

TrayIconKind trayIconKind(const GuardStatus& status, const TrayConditions& conditions) {
    if (!conditions.lockerAvailable || !status.serviceUp)
        return TrayIconKind::Error;
    if (status.session == SessionState::Locked)
        return TrayIconKind::Locked;
    if (conditions.policyRefused || conditions.crlStale || conditions.certExpiringSoon || conditions.cardRefused)
        return TrayIconKind::Warning;
    return anyContactCps(status) ? TrayIconKind::CardPresent : TrayIconKind::NoCard;
}

bool expiresSoon(std::chrono::system_clock::time_point notAfter, std::chrono::system_clock::time_point now) {
    return notAfter >= now && notAfter - now < kExpiryWarning;
}

int daysLeft(std::chrono::system_clock::time_point notAfter, std::chrono::system_clock::time_point now) {
    if (notAfter <= now)
        return 0;
    return static_cast<int>(std::chrono::ceil<std::chrono::days>(notAfter - now).count());
}

BoundCard lossTarget(const GuardStatus& status, const std::optional<BoundCard>& remembered) {
    for (const auto& b : status.boundCards) {
        if (!b.serial.empty())
            return b;
    }
    const PresentCard* only = nullptr;
    int count = 0;
    for (const auto& c : status.cards) {
        if (isContactCps(c.kind) && !c.serial.empty()) {
            only = &c;
            ++count;
        }
    }
    // Several cards and no binding: guessing could block a colleague's card.
    if (count == 1)
        return BoundCard{only->reader, only->serial, {}};
    return remembered.value_or(BoundCard{});
}

bool shouldRemindCard(const GuardStatus& before, const GuardStatus& after) {
    const bool nowLocking = after.session == SessionState::Locked || after.lockRequested;
    const bool wasLocking = before.session == SessionState::Locked || before.lockRequested;
    return nowLocking && !wasLocking && after.lastLockReason == LockReason::Idle && anyContactCps(after);
}

} // namespace cpslock::agent
