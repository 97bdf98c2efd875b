// SPDX-License-Identifier: EUPL-1.2
#include "core/LockReason.h"

#include <array>

namespace cpslock {
namespace {
struct ReasonText {
    LockReason reason;
    std::string_view name;
    LocalizedText message;
};

constexpr std::array<ReasonText, 9> kReasons{{
    {LockReason::CardRemoved,
     "card-removed",
     {"Session verrouillée : la carte CPS a été retirée du lecteur.",
      "Session locked: the CPS card was removed from the reader."}},
    {LockReason::CardSwapped,
     "card-swapped",
     {"Session verrouillée : une autre carte a été insérée à la place de votre carte CPS.",
      "Session locked: another card was inserted in place of your CPS card."}},
    {LockReason::ReaderRemoved,
     "reader-removed",
     {"Session verrouillée : le lecteur de votre carte CPS a été débranché.",
      "Session locked: the reader of your CPS card was unplugged."}},
    {LockReason::ServiceLost,
     "service-lost",
     {"Session verrouillée : le service des cartes à puce ne répond plus.",
      "Session locked: the smart card service stopped responding."}},
    {LockReason::NoCard,
     "no-card",
     {"Session verrouillée : aucune carte CPS n'est insérée.", "Session locked: no CPS card is inserted."}},
    {LockReason::Idle,
     "idle",
     {"Session verrouillée après une période d'inactivité.", "Session locked after a period of inactivity."}},
    {LockReason::UserRequest,
     "user-request",
     {"Session verrouillée à votre demande.", "Session locked at your request."}},
    {LockReason::LostCard,
     "lost-card",
     {"Session verrouillée : carte CPS déclarée perdue ou volée.",
      "Session locked: CPS card reported lost or stolen."}},
    {LockReason::AgentStopped,
     "agent-stopped",
     {"Session verrouillée : la surveillance de la carte CPS a été arrêtée.",
      "Session locked: the CPS card monitoring was stopped."}},
}};
} // namespace

std::string_view toString(LockReason reason) {
    for (const auto& r : kReasons) {
        if (r.reason == reason)
            return r.name;
    }
    return "unknown";
}

std::optional<LockReason> lockReasonFromString(std::string_view name) {
    for (const auto& r : kReasons) {
        if (r.name == name)
            return r.reason;
    }
    return std::nullopt;
}

LocalizedText userMessage(LockReason reason) {
    for (const auto& r : kReasons) {
        if (r.reason == reason)
            return r.message;
    }
    return {"Session verrouillée.", "Session locked."};
}

LocalizedText cardReminderMessage() {
    return {"N'oubliez pas votre carte CPS.", "Don't forget your CPS card."};
}

} // namespace cpslock
