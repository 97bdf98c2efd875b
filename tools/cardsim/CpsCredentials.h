// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/SecureBuffer.h"
#include "tools/cardsim/PivApplet.h"

#include <optional>
#include <string_view>

namespace cpslock::cardsim {

/// What a simulated CPS card keeps across insertions: its two key pairs with their certificates,
/// the PIN (CHV 1) and its try counter, and the optional EF_ACTUA window. Shared by the simulator
/// and each VirtualCard built for a re-insertion, so a blocked card stays blocked.
class CpsCredentials {
public:
    enum class PinCheck { Right, Wrong, Blocked, Malformed };

    /// @p authentication / @p signature: either may be absent (then the other one serves both); none
    /// at all = a card without PKCS#15 application. @p pin: 4-8 digits; @p tries: 1-15.
    CpsCredentials(std::optional<PivCredentials> authentication, std::optional<PivCredentials> signature,
                   std::string_view pin, int tries, std::optional<Bytes> actua = std::nullopt);

    bool hasKeys() const { return m_authentication.has_value(); }
    const PivCredentials* authentication() const { return m_authentication ? &*m_authentication : nullptr; }
    const PivCredentials* signature() const { return m_signature ? &*m_signature : nullptr; }
    const std::optional<Bytes>& actua() const { return m_actua; }

    int maxTries() const { return m_maxTries; }
    int triesLeft() const { return m_triesLeft; }

    /// Checks PIN digits (trailing FF padding ignored): right resets the counter, wrong uses a try,
    /// malformed (not 4-8 ASCII digits) uses none, blocked refuses even the right PIN.
    PinCheck check(const Bytes& presented);

private:
    std::optional<PivCredentials> m_authentication;
    std::optional<PivCredentials> m_signature;
    SecureBuffer m_pin{8};
    int m_maxTries;
    int m_triesLeft;
    std::optional<Bytes> m_actua;
};

} // namespace cpslock::cardsim
