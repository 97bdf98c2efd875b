// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Refusal.h"

#include <optional>
#include <string>
#include <string_view>

namespace cpslock::pam {

/// The PAM return code for a refusal cpslock-auth reported. Reasons that say "cpslock cannot
/// decide here" (no-card, reader-unavailable, policy-error, module-error) give PAM_AUTHINFO_UNAVAIL
/// so that an administrator's explicit fallback line can apply; every other reason, and any reason
/// this table does not know, gives PAM_AUTH_ERR. Never PAM_SUCCESS nor PAM_IGNORE.
int pamReturnFor(RefusalReason reason);

/// "Code porteur CPS :" / "CPS card PIN:", with the tries left when the card told them.
std::string pinPrompt(Language language, std::optional<int> triesLeft, bool finalTry);

/// Shown while wait_card waits for a card.
std::string insertCardText(Language language);

} // namespace cpslock::pam
