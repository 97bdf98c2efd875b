// SPDX-License-Identifier: EUPL-1.2
#include "card/CardPossession.h"

#include "card/ChallengeProof.h"
#include "core/SecureBuffer.h"

#include <chrono>

namespace cpslock::card {

Pkcs11Result<PossessionProof> proveCardPossession(const Pkcs11Module& module, const TokenSelector& selector,
                                                  SecureBuffer& pin, const PossessionOptions& options) {
    struct WipeOnExit {
        SecureBuffer& pin;
        ~WipeOnExit() { pin.clear(); }
    } wipe{pin};

    auto slot = findTokenSlot(module, selector);
    if (!slot)
        return slot.error();
    return proveCardPossession(module, std::move(slot.value()), pin, options);
}

Pkcs11Result<PossessionProof> proveCardPossession(const Pkcs11Module& module, TokenSlot slot, SecureBuffer& pin,
                                                  const PossessionOptions& options) {
    struct WipeOnExit {
        SecureBuffer& pin;
        ~WipeOnExit() { pin.clear(); }
    } wipe{pin};

    auto session = Pkcs11Session::open(module, slot.slot);
    if (!session)
        return session.error();

    using Steady = std::chrono::steady_clock;
    const auto millisSince = [](Steady::time_point start) {
        return std::chrono::duration<double, std::milli>(Steady::now() - start).count();
    };
    PossessionProof proof;
    const auto loginStart = Steady::now();
    auto login = session.value().login(pin, options.finalTry, &proof.finalTryWarning);
    if (!login)
        return login.error();
    proof.loginMs = millisSince(loginStart);
    const auto signatureStart = Steady::now();

    auto pair = session.value().findAuthenticationPair();
    if (!pair)
        return pair.error();
    auto challenge = signChallenge(session.value(), pair.value().key);
    if (!challenge)
        return challenge.error();
    auto verified = verifyChallenge(pair.value().certificateDer, challenge.value().nonce, challenge.value().signature);
    if (!verified)
        return verified.error();

    proof.token = std::move(slot);
    proof.keyId = std::move(pair.value().id);
    proof.keyLabel = std::move(pair.value().keyLabel);
    proof.certificateLabel = std::move(pair.value().certificateLabel);
    proof.certificateDer = std::move(pair.value().certificateDer);
    proof.mechanism = challenge.value().mechanism;
    proof.signatureMs = millisSince(signatureStart);
    if (auto objects = session.value().certificates())
        for (CertificateObject& o : objects.value())
            if (o.der != proof.certificateDer)
                proof.otherCertificates.push_back(std::move(o.der));
    return proof;
}

} // namespace cpslock::card
