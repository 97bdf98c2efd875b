#include "card/CardPossession.h"

#include "card/ChallengeProof.h"
#include "core/SecureBuffer.h"

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
    auto session = Pkcs11Session::open(module, slot.value().slot);
    if (!session)
        return session.error();

    PossessionProof proof;
    auto login = session.value().login(pin, options.finalTry, &proof.finalTryWarning);
    if (!login)
        return login.error();

    auto pair = session.value().findAuthenticationPair();
    if (!pair)
        return pair.error();
    auto challenge = signChallenge(session.value(), pair.value().key);
    if (!challenge)
        return challenge.error();
    auto verified = verifyChallenge(pair.value().certificateDer, challenge.value().nonce, challenge.value().signature);
    if (!verified)
        return verified.error();

    proof.token = std::move(slot.value());
    proof.keyId = std::move(pair.value().id);
    proof.keyLabel = std::move(pair.value().keyLabel);
    proof.certificateLabel = std::move(pair.value().certificateLabel);
    proof.certificateDer = std::move(pair.value().certificateDer);
    proof.mechanism = challenge.value().mechanism;
    return proof;
}

} // namespace cpslock::card
