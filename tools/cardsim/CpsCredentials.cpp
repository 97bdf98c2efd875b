// SPDX-License-Identifier: EUPL-1.2
#include "tools/cardsim/CpsCredentials.h"

#include <openssl/crypto.h>

#include <algorithm>

namespace cpslock::cardsim {

CpsCredentials::CpsCredentials(std::optional<PivCredentials> authentication, std::optional<PivCredentials> signature,
                               std::string_view pin, int tries, std::optional<Bytes> actua)
    : m_authentication(authentication ? std::move(authentication) : signature),
      m_signature(signature ? std::move(signature) : m_authentication), m_maxTries(tries), m_triesLeft(tries),
      m_actua(std::move(actua)) {
    for (std::size_t i = 0; i < pin.size() && i < 8; ++i)
        m_pin.append(pin[i]);
}

CpsCredentials::PinCheck CpsCredentials::check(const Bytes& presented) {
    std::size_t length = presented.size();
    while (length > 0 && presented[length - 1] == 0xFF)
        --length;
    const bool digits = std::all_of(presented.begin(), presented.begin() + static_cast<std::ptrdiff_t>(length),
                                    [](std::uint8_t b) { return b >= '0' && b <= '9'; });
    if (m_triesLeft == 0)
        return PinCheck::Blocked;
    if (length < 4 || length > 8 || !digits)
        return PinCheck::Malformed;
    if (length == m_pin.size() && CRYPTO_memcmp(presented.data(), m_pin.data(), length) == 0) {
        m_triesLeft = m_maxTries;
        return PinCheck::Right;
    }
    --m_triesLeft;
    return PinCheck::Wrong;
}

} // namespace cpslock::cardsim
