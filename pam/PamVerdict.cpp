// SPDX-License-Identifier: EUPL-1.2
#include "pam/PamVerdict.h"

#include <security/_pam_types.h>

namespace cpslock::pam {

int pamReturnFor(RefusalReason reason) {
    switch (reason) {
    case RefusalReason::NoCard:
    case RefusalReason::ReaderUnavailable:
    case RefusalReason::ModuleError:
    case RefusalReason::PolicyError:
    case RefusalReason::ServiceUnavailable:
    case RefusalReason::CardNotUsable: // the middleware cannot read the card: no credential to judge
        return PAM_AUTHINFO_UNAVAIL;
    default:
        // Fail closed: a card was presented and refused, so no fallback line may apply. That covers a
        // card its issuer says cannot be used as it is (card-needs-update, card-needs-reinit), a
        // certificate that is not a card authentication certificate we accept (the card profile's
        // reasons), and any reason added later.
        return PAM_AUTH_ERR;
    }
}

std::string pinPrompt(Language language, std::optional<int> triesLeft, bool finalTry) {
    const bool french = language == Language::French;
    std::string prompt = french ? "Code porteur CPS" : "CPS card PIN";
    if (finalTry || (triesLeft && *triesLeft == 1)) {
        prompt += french ? " (dernier essai avant blocage)" : " (last try before the card blocks)";
    } else if (triesLeft && *triesLeft > 1) {
        prompt += french ? " (" + std::to_string(*triesLeft) + " essais restants)"
                         : " (" + std::to_string(*triesLeft) + " tries left)";
    }
    return prompt + (french ? " : " : ": ");
}

std::string insertCardText(Language language) {
    return language == Language::French ? "Insérez votre carte CPS" : "Insert your CPS card";
}

} // namespace cpslock::pam
