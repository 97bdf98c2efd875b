// SPDX-License-Identifier: EUPL-1.2
#pragma once

// The choices the policy offers, as one type each for every part that acts on them (the policy
// model, SessionGuard, the card verifier, the agent). Their names are the policy file's values.

#include "core/EnumName.h"

#include <array>
#include <optional>
#include <string_view>

namespace cpslock {

/// What to do when the card the session is bound to leaves its reader (session.removal_action).
enum class RemovalAction { Lock, Logout, None };

/// What to do when the smart-card service (pcscd) or the session's reader is gone (service.loss_action).
enum class ServiceLossAction { Lock, None };

/// What to do when the token says the next wrong PIN blocks the card (pin.last_try).
enum class FinalTryPolicy { Refuse, Warn };

/// How a missing or stale CRL is treated (trust.revocation).
enum class RevocationMode {
    Hard, ///< no usable CRL (missing, stale) refuses: crl-stale
    Soft, ///< no usable CRL is a warning (audit event); a CRL that lists the certificate still refuses
    Off,  ///< CRLs are not read at all
};

/// Where audit records go (audit.sink); the writers themselves are AuditSink (core/AuditSink.h).
enum class AuditDestination { Journald, Syslog, Stderr };

inline constexpr std::array kRemovalActionNames{EnumName<RemovalAction>{"lock", RemovalAction::Lock},
                                                EnumName<RemovalAction>{"logout", RemovalAction::Logout},
                                                EnumName<RemovalAction>{"none", RemovalAction::None}};
inline constexpr std::array kServiceLossActionNames{EnumName<ServiceLossAction>{"lock", ServiceLossAction::Lock},
                                                    EnumName<ServiceLossAction>{"none", ServiceLossAction::None}};
inline constexpr std::array kFinalTryPolicyNames{EnumName<FinalTryPolicy>{"refuse", FinalTryPolicy::Refuse},
                                                 EnumName<FinalTryPolicy>{"warn", FinalTryPolicy::Warn}};
inline constexpr std::array kRevocationModeNames{EnumName<RevocationMode>{"hard", RevocationMode::Hard},
                                                 EnumName<RevocationMode>{"soft", RevocationMode::Soft},
                                                 EnumName<RevocationMode>{"off", RevocationMode::Off}};
inline constexpr std::array kAuditDestinationNames{EnumName<AuditDestination>{"journald", AuditDestination::Journald},
                                                   EnumName<AuditDestination>{"syslog", AuditDestination::Syslog},
                                                   EnumName<AuditDestination>{"stderr", AuditDestination::Stderr}};

/// Stable names used in the policy file and the audit log ("lock", "logout", "none"...).
constexpr std::string_view toString(RemovalAction v) {
    return nameIn(kRemovalActionNames, v);
}
constexpr std::string_view toString(ServiceLossAction v) {
    return nameIn(kServiceLossActionNames, v);
}
constexpr std::string_view toString(FinalTryPolicy v) {
    return nameIn(kFinalTryPolicyNames, v);
}
constexpr std::string_view toString(RevocationMode v) {
    return nameIn(kRevocationModeNames, v);
}
constexpr std::string_view toString(AuditDestination v) {
    return nameIn(kAuditDestinationNames, v);
}

constexpr std::optional<RemovalAction> removalActionFromString(std::string_view name) {
    return valueIn(kRemovalActionNames, name);
}
constexpr std::optional<ServiceLossAction> serviceLossActionFromString(std::string_view name) {
    return valueIn(kServiceLossActionNames, name);
}
constexpr std::optional<FinalTryPolicy> finalTryPolicyFromString(std::string_view name) {
    return valueIn(kFinalTryPolicyNames, name);
}
constexpr std::optional<RevocationMode> revocationModeFromString(std::string_view name) {
    return valueIn(kRevocationModeNames, name);
}
constexpr std::optional<AuditDestination> auditDestinationFromString(std::string_view name) {
    return valueIn(kAuditDestinationNames, name);
}

} // namespace cpslock
