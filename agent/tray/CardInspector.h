// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace cpslock::policy {
struct Policy;
}

namespace cpslock::agent {

/// What the tray shows about a card (tooltip, diagnostics, loss report): read once per insertion,
/// without PIN.
struct CardSummary {
    std::string reader;
    std::string serial;
    std::string holderName; ///< "Given SURNAME", empty when unknown
    std::string profession;
    std::string certSha256; ///< lower-case hex, empty when unknown
    std::optional<std::chrono::system_clock::time_point> notAfter;
    std::string refusalFr; ///< the certificate would be refused (expired, revoked, deny-listed...), else empty
    std::string refusalEn;
    std::string error; ///< the card could not be read (technical), else empty
};

/// Reads a card's certificate without PIN. Blocking (PKCS#11): called off the UI thread, once per
/// insertion, never periodically.
class CardInspector {
public:
    virtual ~CardInspector() = default;
    /// `policy`: the one in force when the card was inserted (the job owns a reference to it).
    virtual CardSummary inspect(const std::shared_ptr<const policy::Policy>& policy, const std::string& reader,
                                const std::string& serial) = 0;
};

/// Asks cpslockd (`card-info`), whose worker reads the card: the agent itself never loads a PKCS#11
/// module (one place talks to the card).
std::shared_ptr<CardInspector> makeCardInspector(std::string daemonSocket);

} // namespace cpslock::agent
