// SPDX-License-Identifier: EUPL-1.2
#include "card/CardVerifier.h"

#include "card/AccountMapping.h"
#include "card/CardPossession.h"
#include "card/CertificateVerifier.h"
#include "card/ChallengeProof.h"
#include "card/Denylist.h"
#include "card/Pkcs11Module.h"
#include "card/Pkcs11Token.h"
#include "card/TrustMaterial.h"
#include "card/TrustStore.h"
#include "core/SecureBuffer.h"
#include "core/policy/Policy.h"
#include "pcsc/ReaderMonitor.h"
#include "pcsc/ReaderStatus.h"

#include <algorithm>
#include <filesystem>
#include <future>

#include <fcntl.h>
#include <unistd.h>

namespace cpslock::card {
namespace {

using Steady = std::chrono::steady_clock;

Refusal refusal(RefusalReason reason, std::string detail, std::optional<int> triesLeft = std::nullopt) {
    return Refusal{reason, std::move(detail), triesLeft};
}

/// The PKCS#11 reason names are the same stable codes as core/Refusal's (kept 1:1 by design).
Refusal fromPkcs11(const Pkcs11Error& e) {
    const auto reason = refusalReasonFromString(toString(e.failure)).value_or(RefusalReason::ModuleError);
    std::optional<int> tries;
    if (e.triesLeft)
        tries = static_cast<int>(*e.triesLeft);
    return refusal(reason, e.detail, tries);
}

/// A step's outcome as the report records keep it (VerifyResult, CardReport): empty when it passed.
std::optional<Refusal> refusalOf(const Result<void, Refusal>& step) {
    if (step.ok())
        return std::nullopt;
    return step.error();
}

class PcscPresence final : public CardPresence {
public:
    std::optional<std::vector<CardInReader>> cards() override {
        std::vector<CardInReader> found;
        pcsc::ReaderMonitor scan([&](const ReaderEvent& e) {
            if (e.type == ReaderEventType::CardInserted)
                found.push_back({e.reader, e.kind, e.serial, e.atr, e.eventCount});
        });
        if (!scan.scanOnce())
            return std::nullopt;
        return found;
    }

    bool stillPresent(const CardInReader& card) override {
        if (!card.eventCount)
            return foundAgain(card);
        return pcsc::cardStillThere(card.reader, card.atr, *card.eventCount) == pcsc::CardStillThere::Same;
    }
};

/// Times one step into the result.
class StepTimer {
public:
    StepTimer(VerifyResult& result, std::string name) : m_result(result), m_name(std::move(name)) {}
    ~StepTimer() {
        const std::chrono::duration<double, std::milli> spent = Steady::now() - m_start;
        m_result.timings.emplace_back(m_name, spent.count());
    }
    StepTimer(const StepTimer&) = delete;
    StepTimer& operator=(const StepTimer&) = delete;

private:
    VerifyResult& m_result;
    std::string m_name;
    Steady::time_point m_start = Steady::now();
};

} // namespace

bool CardPresence::stillPresent(const CardInReader& card) {
    return foundAgain(card);
}

bool CardPresence::foundAgain(const CardInReader& card) {
    const auto present = cards();
    return present && std::any_of(present->begin(), present->end(), [&](const CardInReader& c) {
               return c.reader == card.reader && c.serial == card.serial && c.kind == card.kind;
           });
}

std::unique_ptr<CardPresence> makePcscPresence() {
    return std::make_unique<PcscPresence>();
}

struct CardVerifier::State {
    const policy::Policy& policy;
    CardPresence& presence;
    std::function<std::chrono::system_clock::time_point()> now = [] { return std::chrono::system_clock::now(); };

    bool prepared = false;
    VerifyResult preparedResult;
    /// Anchors, deny-list and CRLs, read on their own thread while the module talks to the card.
    std::future<Result<TrustMaterial, Refusal>> pendingTrust;
    std::optional<Result<TrustMaterial, Refusal>> trustMaterial;
    /// The policy's first module mapped (dlopen, no call into it) while the card is found: loading
    /// OpenSC and its libraries needs nothing from the card. Its C_Initialize waits for the scan:
    /// it talks to the card, and pcscd makes a second client wait 100 ms polls for a transaction.
    std::future<std::shared_ptr<void>> mappedModule;
    CardReady ready;
    std::unique_ptr<Pkcs11Module> module;
    TokenSlot slot;

    State(const policy::Policy& p, CardPresence& c) : policy(p), presence(c) {}

    /// Step 1: the CPS card the request is about.
    Result<CardInReader, Refusal> findCard(const VerifyRequest& request) {
        const auto cards = presence.cards();
        if (!cards)
            return refusal(RefusalReason::ReaderUnavailable, "the smart-card service (pcscd) cannot be reached");
        std::vector<CardInReader> candidates;
        for (const CardInReader& c : *cards) {
            if (request.reader && c.reader != *request.reader)
                continue;
            candidates.push_back(c);
        }
        if (candidates.empty())
            return refusal(RefusalReason::NoCard,
                           request.reader ? "no card in reader '" + *request.reader + "'" : "no card in any reader");
        std::vector<CardInReader> cps;
        std::copy_if(candidates.begin(), candidates.end(), std::back_inserter(cps),
                     [](const CardInReader& c) { return isCps(c.kind); });
        if (cps.empty()) {
            const CardInReader& c = candidates.front();
            return refusal(RefusalReason::NotCps, "card in '" + c.reader + "' is " + std::string(toString(c.kind)));
        }
        if (cps.size() > 1)
            return refusal(RefusalReason::SeveralCards,
                           std::to_string(cps.size()) + " CPS cards present; name a reader");
        const CardInReader& card = cps.front();
        if (card.kind == CardKind::Cps3Contactless)
            return refusal(RefusalReason::Contactless, "CPS3 on its contactless interface in '" + card.reader + "'");
        return card;
    }

    /// Reads the trust material again (each preparation sees the files as they are now).
    void startTrustLoad() {
        trustMaterial.reset();
        pendingTrust = std::async(std::launch::async, [this] { return loadTrustMaterial(policy); });
    }

    const Result<TrustMaterial, Refusal>& trust() {
        if (pendingTrust.valid())
            trustMaterial = pendingTrust.get();
        if (!trustMaterial)
            trustMaterial = loadTrustMaterial(policy);
        return *trustMaterial;
    }

    /// Steps 1-2 and the policy's files: a file that cannot be used refuses before any PIN, as a
    /// policy that cannot be loaded does.
    VerifyResult prepare(const VerifyRequest& request) {
        startTrustLoad();
        startFirstModuleMap();
        VerifyResult result = prepareCard(request);
        if (const auto& material = trust(); !material.ok())
            result.refusal = material.error();
        return result;
    }

    void startFirstModuleMap() {
        if (mappedModule.valid() || policy.pkcs11.modules.empty())
            return;
        mappedModule =
            std::async(std::launch::async, [path = policy.pkcs11.modules.front()] { return Pkcs11Module::map(path); });
    }

    /// Steps 1-2: card, module, token, PIN state.
    VerifyResult prepareCard(const VerifyRequest& request) {
        prepared = true;
        module.reset();
        VerifyResult result;
        auto located = findCard(request);
        if (!located.ok()) {
            result.refusal = located.error();
            return result;
        }
        const CardInReader card = std::move(*located);
        result.card = card;

        // The policy may list several modules (OpenSC, Cryptolib CPS): the first that has a token
        // for this reader or card serial wins.
        std::optional<Refusal> lastError;
        {
            StepTimer t(result, "module");
            for (const std::string& path : policy.pkcs11.modules) {
                if (!std::filesystem::exists(path)) {
                    lastError = refusal(RefusalReason::ModuleError, "PKCS#11 module " + path + " is not installed");
                    continue;
                }
                if (mappedModule.valid())
                    mappedModule.wait(); // the same library: let the mapping finish, then load is quick
                auto loaded = Pkcs11Module::load(path);
                if (!loaded) {
                    lastError = fromPkcs11(loaded.error());
                    continue;
                }
                auto found = findTokenSlot(*loaded.value(), TokenSelector{card.reader, card.serial});
                if (!found) {
                    lastError = fromPkcs11(found.error());
                    // PC/SC sees a CPS card there: a module without a token for it cannot read it,
                    // which is not "no card" for the person holding it.
                    if (lastError->reason == RefusalReason::NoCard)
                        lastError = refusal(RefusalReason::ModuleError, path + " has no token for the card in '" +
                                                                            card.reader + "' (serial " + card.serial +
                                                                            "): " + lastError->detail);
                    continue;
                }
                module = std::move(loaded.value());
                slot = std::move(found.value());
                break;
            }
        }
        if (!module) {
            result.refusal = lastError.value_or(refusal(RefusalReason::PolicyError, "no PKCS#11 module in the policy"));
            return result;
        }
        const PinCounter pin = pinCounterFromFlags(slot.token.flags);
        if (auto e = refusalBeforeLogin(slot.token.flags, policy.pin.lastTry)) {
            result.refusal = fromPkcs11(*e);
            result.triesLeft = result.refusal->triesLeft;
            return result; // module and slot stay loaded so inspect() can still describe the card
        }
        if (pin.triesLeft)
            result.triesLeft = static_cast<int>(*pin.triesLeft);
        ready = CardReady{card, slot.token.label, result.triesLeft, pin.finalTry};
        return result;
    }

    /// The card found at the start has stayed in its reader.
    bool stillPresent(const CardInReader& card) { return presence.stillPresent(card); }

    /// A PKCS#11 failure after the card was found: a module error with the card gone is a removal,
    /// which is what the person at the screen did and can fix.
    Refusal pkcs11Refusal(const Pkcs11Error& e, const CardInReader& card) {
        Refusal r = fromPkcs11(e);
        // The card was found at the start: its token gone now means the card left (or the module
        // lost it), never "no card" (which would let a PAM stack fall back to another method).
        const bool lost = r.reason == RefusalReason::ModuleError || r.reason == RefusalReason::NoCard ||
                          r.reason == RefusalReason::CardNotUsable;
        if (lost && !presence.foundAgain(card))
            r = refusal(RefusalReason::CardRemoved,
                        "the card left '" + card.reader + "' during the check (" + e.detail + ")");
        else if (r.reason == RefusalReason::NoCard)
            r = refusal(RefusalReason::ModuleError,
                        "the token of the card in '" + card.reader + "' vanished: " + e.detail);
        return r;
    }

    /// The card profile of the policy: pinned issuers per card type, roots, test PKI, policies.
    CardProfile profile() const {
        CardProfile p;
        p.issuers[CardType::Cps] = policy.trust.issuersCps;
        p.issuers[CardType::Cpf] = policy.trust.issuersCpf;
        p.issuers[CardType::Cpe] = policy.trust.issuersCpe;
        p.issuers[CardType::Cpa] = policy.trust.issuersCpa;
        p.roots = policy.trust.roots;
        p.testPki = policy.trust.testPki;
        p.requiredPolicyOids = policy.cards.requiredPolicyOids;
        p.typeOids = policy.cards.typeOids;
        p.subjectCrossCheck = policy.cards.inferTypeFromSubject;
        return p;
    }

    /// Step 6: the card's own authentication certificate (card/CertificateVerifier): deny-list,
    /// structure, chain, card profile, revocation. Fills what it read into the result.
    Result<void, Refusal> checkCertificate(const Bytes& certificate, const std::string& serial, VerifyResult& result,
                                           const std::vector<Bytes>& cardCas = {}) {
        const auto& material = trust();
        if (!material.ok())
            return material.error();
        RevocationConfig revocation{policy.trust.revocation, policy.trust.crlDir, policy.trust.crlMaxAge,
                                    material->crls};
        CertificateVerifier verifier(material->trust, revocation, material->denylist, profile());
        CertificateCheck check = verifier.verify(certificate, cardCas, serial, now());
        result.certSha256 = check.sha256Hex;
        result.certSubject = check.subject;
        result.certIssuer = check.issuer;
        result.notAfter = check.notAfter;
        result.profile = check.profile;
        result.holder = check.profile.holder;
        result.warnings.insert(result.warnings.end(), check.warnings.begin(), check.warnings.end());
        if (!check.ok())
            return *check.refusal;
        return {};
    }

    /// Step 7: the card type (from the certificate's card-type extension) is allowed, and (when a
    /// user is named) the holder may open that account.
    Result<void, Refusal> checkHolder(const VerifyRequest& request, const VerifyResult& result) const {
        if (!result.holder)
            return refusal(RefusalReason::BadSubject, "no holder identity was read from the certificate");
        const HolderIdentity& holder = *result.holder;
        if (auto r = checkCardTypeAllowed(holder, policy.cards.allowedTypes); !r.ok())
            return r;
        if (!request.user)
            return {};
        AccountMapping mapping;
        for (const auto& [idNat, users] : policy.accounts.holders)
            for (const std::string& user : users)
                mapping.mapHolder(idNat, user);
        for (const policy::SharedAccount& shared : policy.accounts.shared) {
            mapping.addSharedAccount({shared.user,
                                      {shared.cardTypes.begin(), shared.cardTypes.end()},
                                      {shared.professions.begin(), shared.professions.end()}});
        }
        return mapping.check(holder, *request.user);
    }

    /// Steps 3-5: PIN, authentication pair, fresh challenge signed on the card and checked against
    /// the certificate's key (card/CardPossession, the one copy of that sequence).
    std::optional<PossessionProof> provePossession(const CardInReader& card, SecureBuffer& pin, VerifyResult& result) {
        // The token prepare() found for this card (finding it again costs OpenSC a card detection).
        auto proof = proveCardPossession(*module, slot, pin, PossessionOptions{policy.pin.lastTry});
        if (!proof) {
            result.refusal = pkcs11Refusal(proof.error(), card);
            result.triesLeft = result.refusal->triesLeft;
            // No usable pair often means a certificate not meant for authentication: say that
            // rather than "module error" when the certificate checks name the cause.
            if (proof.error().failure == Pkcs11Failure::ModuleError &&
                result.refusal->reason == RefusalReason::ModuleError)
                if (auto certificate = firstCertificate())
                    if (auto why = checkCertificate(*certificate, card.serial, result); !why.ok())
                        result.refusal = why.error();
            return std::nullopt;
        }
        result.timings.emplace_back("login", proof.value().loginMs);
        result.timings.emplace_back("signature", proof.value().signatureMs);
        result.triesLeft.reset();
        if (proof.value().finalTryWarning)
            result.warnings.push_back("PIN accepted on the final try (policy pin.last_try = warn)");
        return std::move(proof.value());
    }

    /// The card's authentication certificate read without a PIN: by its CPS label, else the first.
    std::optional<Bytes> firstCertificate() {
        auto session = Pkcs11Session::open(*module, slot.slot);
        if (!session)
            return std::nullopt;
        auto certificates = session.value().certificates();
        if (!certificates || certificates.value().empty())
            return std::nullopt;
        const auto& objects = certificates.value();
        auto chosen = std::find_if(objects.begin(), objects.end(), [](const CertificateObject& o) {
            return o.label == "Certificat d'Authentification CPS";
        });
        return (chosen == objects.end() ? objects.front() : *chosen).der;
    }
};

CardVerifier::CardVerifier(const policy::Policy& policy, CardPresence& presence)
    : m_state(std::make_unique<State>(policy, presence)) {}

CardVerifier::~CardVerifier() = default;

void CardVerifier::setClock(std::function<std::chrono::system_clock::time_point()> now) {
    m_state->now = std::move(now);
}

VerifyResult CardVerifier::prepare(const VerifyRequest& request, CardReady* ready) {
    m_state->preparedResult = m_state->prepare(request);
    if (ready && m_state->preparedResult.ok())
        *ready = m_state->ready;
    return m_state->preparedResult;
}

CardReport CardVerifier::inspect(const VerifyRequest& request) {
    State& s = *m_state;
    CardReport report;
    auto located = s.findCard(request);
    if (!located.ok()) {
        report.refusal = located.error();
        return report;
    }
    const CardInReader card = std::move(*located);
    report.card = card;
    // The PIN state is read as prepare() reads it; a locked or last-try card is still described.
    VerifyResult prepared = s.prepare(request);
    s.prepared = false;
    if (!s.module) {
        report.refusal = prepared.refusal;
        return report;
    }
    report.pinLocked = prepared.refusal && prepared.refusal->reason == RefusalReason::PinLocked;
    report.tokenLabel = s.slot.token.label;
    report.triesLeft = prepared.triesLeft;
    auto session = Pkcs11Session::open(*s.module, s.slot.slot);
    if (!session) {
        report.refusal = fromPkcs11(session.error());
        return report;
    }
    auto certificates = session.value().certificates();
    if (!certificates || certificates.value().empty()) {
        report.refusal = certificates ? refusal(RefusalReason::ModuleError, "no certificate on the card")
                                      : fromPkcs11(certificates.error());
        return report;
    }
    // The authentication certificate by its CPS label, else the first one.
    const auto& objects = certificates.value();
    auto chosen = std::find_if(objects.begin(), objects.end(), [](const CertificateObject& o) {
        return o.label == "Certificat d'Authentification CPS";
    });
    const Bytes& der = (chosen == objects.end() ? objects.front() : *chosen).der;
    report.certificate = describeCertificate(der);
    VerifyResult scratch;
    report.certificateRefusal = refusalOf(s.checkCertificate(der, card.serial, scratch));
    report.warnings = scratch.warnings;
    report.profile = scratch.profile;
    report.holder = scratch.holder;
    if (!report.certificateRefusal) {
        report.certificateRefusal = refusalOf(s.checkHolder(request, scratch));
    } else if (!report.holder) {
        // For display only: who the certificate names, even when the checks refused it.
        CardTypeRules rules;
        if (auto parsed = readHolderIdentity(der, rules); parsed.ok())
            report.holder = *parsed;
    }
    return report;
}

VerifyResult CardVerifier::verify(const VerifyRequest& request, SecureBuffer& pin) {
    struct WipeOnExit {
        SecureBuffer& pin;
        ~WipeOnExit() { pin.clear(); }
    } wipe{pin};
    State& s = *m_state;
    // Steps 1-2: card, module, token, PIN state (prepare() may have run them for the PIN prompt).
    if (!s.prepared || !s.module)
        s.preparedResult = s.prepare(request);
    s.prepared = false; // one verification per preparation: the next one finds the card again
    VerifyResult result = s.preparedResult;
    if (!result.ok())
        return result;
    const CardInReader card = *result.card;

    // Steps 3-5: PIN, authentication pair, fresh challenge signed on the card.
    const auto proof = s.provePossession(card, pin, result);
    if (!proof)
        return result;

    // Step 6: the card's own authentication certificate.
    {
        StepTimer t(result, "chain");
        auto checked = s.checkCertificate(proof->certificateDer, card.serial, result, proof->otherCertificates);
        if (!checked.ok()) {
            result.refusal = checked.error();
            return result;
        }
    }
    // Step 7: card type allowed, account mapping.
    {
        StepTimer t(result, "identity");
        if (auto r = s.checkHolder(request, result); !r.ok()) {
            Refusal refused = r.error();
            refused.detail += " [certificate sha256 " + result.certSha256 + ", subject \"" + result.certSubject +
                              "\", issuer \"" + result.certIssuer + "\"]";
            result.refusal = std::move(refused);
            return result;
        }
    }
    // Step 8: still the same card in the same reader.
    if (!s.stillPresent(card))
        result.refusal = refusal(RefusalReason::CardRemoved, "the card left '" + card.reader + "' during the check");
    return result;
}

} // namespace cpslock::card
