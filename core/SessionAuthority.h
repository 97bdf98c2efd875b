// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Result.h"

#include <cstdint>
#include <optional>
#include <string>

namespace cpslock {

/// The card cpslockd verified for a logind session (PIN + fresh challenge + certificate checks), as
/// cpslockd recorded it. The only card that may satisfy `require_card` or bind a session.
struct VerifiedCard {
    std::string reader;           ///< PC/SC reader name the card was verified in
    std::string serial;           ///< EF.SN.ICC serial, authenticated by the certificate's token id
    std::string certSha256;       ///< authentication certificate fingerprint (lower-case hex)
    std::string holder;           ///< holder's display name, for the tray and the audit
    std::uint64_t generation = 0; ///< increases with every verification cpslockd records for the session

    bool operator==(const VerifiedCard&) const = default;
};

/// What the agent asks the card authority (cpslockd) about its own session. The real one talks to
/// cpslockd's socket (protocol/DaemonClient); tests inject a fake.
class SessionAuthority {
public:
    /// The card, or nullopt: no verified card for this session (a password unlock); an error: cpslockd
    /// could not be asked (counts as no card, but is audited and asked again).
    using Answer = Result<std::optional<VerifiedCard>>;

    virtual ~SessionAuthority() = default;
    /// The card verified for this session, now. Called at start and at every unlock.
    virtual Answer verifiedCard() = 0;
    /// The session locked: verifications up to `generation` no longer open it (a password unlock
    /// afterwards must not inherit them).
    virtual void sessionLocked(std::uint64_t generation) = 0;
};

} // namespace cpslock
