// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "card/CardProfile.h"
#include "card/CertificateInfo.h"
#include "card/HolderIdentity.h"
#include "core/CardKind.h"
#include "core/Refusal.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cpslock {
class SecureBuffer;
namespace policy {
struct Policy;
}
} // namespace cpslock

namespace cpslock::card {

/// A CPS card in a reader, as the PC/SC side sees it (kind and serial from pcsc/CardProbe).
struct CardInReader {
    std::string reader;
    CardKind kind = CardKind::Other;
    std::string serial;
    Bytes atr;
    /// pcscd's insertion/removal count for the reader when the card was seen (ReaderEvent::eventCount)
    std::optional<std::uint16_t> eventCount = std::nullopt;
};

/// The PC/SC side of a verification: which cards are in which readers, now. The real one asks pcscd;
/// tests may inject another. Called at the start (find the card) and at the end (same card still
/// there?).
class CardPresence {
public:
    virtual ~CardPresence() = default;
    /// nullopt when the smart-card service cannot be reached.
    virtual std::optional<std::vector<CardInReader>> cards() = 0;
    /// The card found by cards() has stayed in its reader since, as far as the service knows (false
    /// when unsure): the check at the end of a verification. This default is foundAgain(); pcscd's
    /// answers from the reader's event count without talking to the card.
    virtual bool stillPresent(const CardInReader& card);
    /// Looks again (cards(): the card is talked to) for the same reader, kind and serial: after a
    /// PKCS#11 failure, a card pulled a moment ago that the service has not noticed yet is gone here.
    bool foundAgain(const CardInReader& card);
};

/// pcscd through pcsc-lite (pcsc/ReaderMonitor::scanOnce).
std::unique_ptr<CardPresence> makePcscPresence();

struct VerifyRequest {
    std::optional<std::string> reader; ///< else: the only CPS card present (several: no-card)
    std::optional<std::string> user;   ///< the local account to open; unset = no mapping check
};

/// What the card says before any PIN is given (first phase).
struct CardReady {
    CardInReader card;
    std::string tokenLabel;
    std::optional<int> triesLeft; ///< when the token tells (count low / final try)
    bool finalTry = false;        ///< only one try left (the policy decided to warn, not refuse)
};

struct VerifyResult {
    std::optional<Refusal> refusal; ///< empty = verified
    std::optional<CardInReader> card;
    std::optional<HolderIdentity> holder;
    std::string certSha256;  ///< lower-case hex
    std::string certSubject; ///< the certificate judged (RFC 2253), once read
    std::string certIssuer;
    /// Card origin, issuer key id and certificate policies of the certificate judged, as far as the
    /// checks got: the verdict and the audit record the full policy OIDs.
    ProfileFacts profile;
    std::optional<int> triesLeft;
    std::vector<std::string> warnings; ///< technical, for logs (soft CRL problems, final-try warning)
    std::chrono::system_clock::time_point notAfter{};
    /// Milliseconds spent in each step ("module", "login", "signature", "chain"...), for benchmarks.
    std::vector<std::pair<std::string, double>> timings;

    bool ok() const { return !refusal.has_value(); }
};

/// What a card says without its PIN (`cpslock card`, the tray's tooltip). Nothing here proves the
/// card holds the certificate's key: only verify() does.
struct CardReport {
    std::optional<Refusal> refusal; ///< the card or its token could not be read
    std::optional<CardInReader> card;
    std::string tokenLabel;
    std::optional<int> triesLeft;
    bool pinLocked = false;
    std::optional<CertificateInfo> certificate;
    std::optional<HolderIdentity> holder;
    /// What the certificate checks (chain, dates, revocation, deny-list, type) would say.
    std::optional<Refusal> certificateRefusal;
    /// What the card-profile checks read (card origin, issuer key id, policies).
    ProfileFacts profile;
    std::vector<std::string> warnings;
};

/// The one place where "is this a genuine, valid CPS held by the right person" is decided
/// (docs/ARCHITECTURE.md): card present and recognised, PKCS#11 token for it, PIN, fresh challenge
/// signed by the card's key (proveCardPossession), then the card's own authentication certificate
/// (CertificateVerifier: IGC-Santé chain, the card profile of docs/card-identity.md with the card
/// type from its extension and the token id equal to the card's serial, revocation, deny-list),
/// allowed card type, account mapping, and the same card still in the same reader at the end.
///
/// Two phases so a PIN prompt can say how many tries are left: prepare() (no PIN), then verify().
class CardVerifier {
public:
    CardVerifier(const policy::Policy& policy, CardPresence& presence);
    ~CardVerifier();
    CardVerifier(const CardVerifier&) = delete;
    CardVerifier& operator=(const CardVerifier&) = delete;

    /// Finds the card and its token, reads the PIN state. A refusal here (no-card, not-cps,
    /// contactless, pin-locked, last-try-refused, module-error, policy-error) means: do not ask a PIN.
    VerifyResult prepare(const VerifyRequest& request, CardReady* ready = nullptr);

    /// Runs everything with the PIN (prepare() is called first if it was not). The PIN is wiped on
    /// every path before this returns.
    VerifyResult verify(const VerifyRequest& request, SecureBuffer& pin);

    /// Reads the card's authentication certificate and PIN state without a PIN.
    CardReport inspect(const VerifyRequest& request);

    /// For tests: the time the certificate checks use (default: the system clock).
    void setClock(std::function<std::chrono::system_clock::time_point()> now);

private:
    struct State;
    std::unique_ptr<State> m_state;
};

} // namespace cpslock::card
