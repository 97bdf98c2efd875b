// SPDX-License-Identifier: EUPL-1.2
#include "core/policy/Policy.h"

namespace cpslock::policy {

std::string_view toString(RemovalAction v) {
    switch (v) {
    case RemovalAction::Lock: return "lock";
    case RemovalAction::Logout: return "logout";
    case RemovalAction::None: return "none";
    }
    return "?";
}

std::string_view toString(LossAction v) { return v == LossAction::Lock ? "lock" : "none"; }

std::string_view toString(LastTryAction v) { return v == LastTryAction::Refuse ? "refuse" : "warn"; }

std::string_view toString(RevocationMode v) {
    switch (v) {
    case RevocationMode::Hard: return "hard";
    case RevocationMode::Soft: return "soft";
    case RevocationMode::Off: return "off";
    }
    return "?";
}

std::string_view toString(AuditSink v) {
    switch (v) {
    case AuditSink::Journald: return "journald";
    case AuditSink::Syslog: return "syslog";
    case AuditSink::Stderr: return "stderr";
    }
    return "?";
}

std::string_view toString(CardType v) {
    switch (v) {
    case CardType::Cps: return "CPS";
    case CardType::Cpf: return "CPF";
    case CardType::Cpe: return "CPE";
    case CardType::Cpa: return "CPA";
    }
    return "?";
}

std::optional<CardType> cardTypeFromString(std::string_view name) {
    for (CardType t : {CardType::Cps, CardType::Cpf, CardType::Cpe, CardType::Cpa}) {
        if (toString(t) == name)
            return t;
    }
    return std::nullopt;
}

} // namespace cpslock::policy
