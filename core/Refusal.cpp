// SPDX-License-Identifier: EUPL-1.2
#include "core/Refusal.h"

#include <array>

namespace cpslock {
namespace {

struct ReasonText {
    RefusalReason reason;
    std::string_view name;
    std::string_view fr;
    std::string_view en;
};

// One table keeps names and both languages side by side, so a new reason cannot miss a message.
constexpr std::array kReasons{
    ReasonText{RefusalReason::NoCard, "no-card", "Aucune carte dans le lecteur. Insérez votre carte CPS.",
               "No card in the reader. Please insert your CPS card."},
    ReasonText{RefusalReason::NotCps, "not-cps",
               "Cette carte n'est pas une carte CPS (carte Vitale ou bancaire ?). Insérez votre carte CPS.",
               "This card is not a CPS card (Vitale or bank card?). Please insert your CPS card."},
    ReasonText{RefusalReason::Contactless, "contactless",
               "Carte CPS lue sans contact : insérez-la dans la fente du lecteur pour saisir votre code.",
               "CPS card read contactless: insert it into the reader slot to enter your PIN."},
    ReasonText{RefusalReason::WrongPin, "wrong-pin", "Code porteur incorrect.", "Wrong PIN."},
    ReasonText{RefusalReason::PinLocked, "pin-locked",
               "Carte CPS bloquée après trop de codes erronés. Débloquez-la avec votre code de déblocage "
               "(outil CPS Gestion).",
               "CPS card blocked after too many wrong PINs. Unblock it with your unblocking code "
               "(CPS Gestion tool)."},
    ReasonText{RefusalReason::LastTryRefused, "last-try-refused",
               "Il ne reste qu'un essai avant le blocage de votre carte : par précaution, le poste ne l'utilise "
               "pas. Vérifiez votre code dans l'outil CPS Gestion.",
               "Only one try is left before your card blocks: as a precaution this computer will not use it. "
               "Check your PIN in the CPS Gestion tool."},
    ReasonText{RefusalReason::UntrustedChain, "untrusted-chain",
               "Cette carte n'a pas été émise par l'autorité de confiance attendue (IGC-Santé). Contactez votre "
               "support informatique.",
               "This card was not issued by the expected trusted authority (IGC-Santé). Contact your IT support."},
    ReasonText{RefusalReason::Expired, "expired",
               "Votre carte CPS a expiré. Commandez une nouvelle carte sur le portail maCarte.",
               "Your CPS card has expired. Order a new card on the maCarte portal."},
    ReasonText{RefusalReason::NotYetValid, "not-yet-valid",
               "Votre carte CPS n'est pas encore valide. Vérifiez la date et l'heure du poste, ou réessayez plus "
               "tard.",
               "Your CPS card is not valid yet. Check this computer's date and time, or try again later."},
    ReasonText{RefusalReason::Revoked, "revoked",
               "Cette carte CPS a été révoquée (déclarée perdue, volée ou remplacée). Contactez l'ANS au "
               "0 825 852 000.",
               "This CPS card has been revoked (reported lost, stolen or replaced). Contact the ANS on "
               "0 825 852 000."},
    ReasonText{RefusalReason::CrlStale, "crl-stale",
               "Impossible de vérifier que votre carte n'est pas révoquée : la liste de révocation du poste n'est "
               "pas à jour. Contactez votre support informatique.",
               "Cannot check that your card is not revoked: this computer's revocation list is out of date. "
               "Contact your IT support."},
    ReasonText{RefusalReason::KeyMismatch, "key-mismatch",
               "La carte n'a pas pu prouver son identité (signature invalide). Retirez-la, réinsérez-la et "
               "réessayez.",
               "The card could not prove its identity (invalid signature). Remove it, insert it again and retry."},
    ReasonText{RefusalReason::BadKeyUsage, "bad-key-usage",
               "Le certificat de cette carte ne permet pas l'authentification. Contactez votre support "
               "informatique.",
               "This card's certificate cannot be used for authentication. Contact your IT support."},
    ReasonText{RefusalReason::Denylisted, "denylisted",
               "Cette carte CPS est bloquée sur ce poste (déclarée perdue ou volée). Contactez votre support "
               "informatique.",
               "This CPS card is blocked on this computer (reported lost or stolen). Contact your IT support."},
    ReasonText{RefusalReason::CardTypeNotAllowed, "card-type-not-allowed",
               "Ce type de carte n'est pas autorisé sur ce poste.",
               "This type of card is not allowed on this computer."},
    ReasonText{RefusalReason::NotMapped, "not-mapped", "Votre carte CPS n'est pas autorisée à ouvrir cette session.",
               "Your CPS card is not allowed to open this session."},
    ReasonText{RefusalReason::CardRemoved, "card-removed",
               "La carte a été retirée pendant la vérification. Réinsérez-la et réessayez.",
               "The card was removed during the check. Insert it again and retry."},
    ReasonText{RefusalReason::ModuleError, "module-error",
               "Le lecteur ou la carte ne répond pas correctement. Retirez la carte, réinsérez-la et réessayez.",
               "The reader or the card is not responding properly. Remove the card, insert it again and retry."},
    ReasonText{RefusalReason::PolicyError, "policy-error",
               "La configuration de sécurité du poste est invalide. Contactez votre support informatique.",
               "This computer's security configuration is invalid. Contact your IT support."},
    ReasonText{RefusalReason::ReaderUnavailable, "reader-unavailable",
               "Le lecteur de cartes ne répond pas. Vérifiez qu'il est bien branché ; si cela continue, contactez "
               "votre support informatique.",
               "The card reader is not responding. Check that it is plugged in; if this goes on, contact your IT "
               "support."},
    ReasonText{RefusalReason::SeveralCards, "several-cards",
               "Plusieurs cartes CPS sont insérées. Ne laissez que la vôtre et réessayez.",
               "Several CPS cards are inserted. Leave only yours and try again."},
    ReasonText{RefusalReason::ReportedLost, "reported-lost",
               "Cette carte a été déclarée perdue ou volée sur ce poste : elle ne peut plus ouvrir de session. "
               "Si vous l'avez retrouvée, contactez votre support informatique.",
               "This card was reported lost or stolen on this computer: it can no longer open a session. If you "
               "found it again, contact your IT support."},
    ReasonText{RefusalReason::ServiceUnavailable, "service-unavailable",
               "Le service de vérification des cartes CPS ne répond pas. Réessayez dans un instant ; si cela "
               "continue, contactez votre support informatique.",
               "The CPS card verification service is not responding. Try again in a moment; if this goes on, "
               "contact your IT support."},
    ReasonText{RefusalReason::CheckFailed, "check-failed",
               "La vérification de votre carte n'a pas abouti : le lecteur ou la carte ne répond pas "
               "correctement. Retirez la carte, réinsérez-la et réessayez.",
               "The check of your card did not complete: the reader or the card is not responding properly. "
               "Remove the card, insert it again and retry."},
    ReasonText{RefusalReason::CardNotUsable, "card-not-usable",
               "Votre carte CPS est bien insérée mais le logiciel de carte ne peut pas l'utiliser. Retirez-la, "
               "réinsérez-la et réessayez ; si cela continue, contactez votre support informatique.",
               "Your CPS card is inserted but the card software cannot use it. Remove it, insert it again and "
               "retry; if this goes on, contact your IT support."},
    ReasonText{RefusalReason::CardNeedsUpdate, "card-needs-update",
               "Votre carte CPS doit être mise à jour (télé-actualisation). Lancez l'outil CPS Gestion avec la "
               "carte insérée, puis réessayez.",
               "Your CPS card needs an update (remote update). Run the CPS Gestion tool with the card inserted, "
               "then try again."},
    ReasonText{RefusalReason::CardNeedsReinit, "card-needs-reinit",
               "Votre carte CPS doit être réinitialisée. Utilisez l'outil CPS Gestion ou appelez l'assistance de "
               "l'ANS au 0 825 852 000.",
               "Your CPS card must be re-initialised. Use the CPS Gestion tool or call the ANS helpdesk on "
               "0 825 852 000."},
    ReasonText{RefusalReason::NotEndEntity, "not-end-entity",
               "Le certificat de cette carte est celui d'une autorité de certification, pas celui d'une personne. "
               "Contactez votre support informatique.",
               "This card's certificate belongs to a certification authority, not to a person. Contact your IT "
               "support."},
    ReasonText{RefusalReason::BadExtendedKeyUsage, "bad-extended-key-usage",
               "Le certificat de cette carte n'est pas prévu pour la connexion à un poste. Contactez votre support "
               "informatique.",
               "This card's certificate is not meant for logging on to a computer. Contact your IT support."},
    ReasonText{RefusalReason::NotCardCertificate, "not-card-certificate",
               "Ce certificat n'est pas celui d'une carte CPS (certificat logiciel ?). Seule votre carte CPS "
               "permet d'ouvrir la session.",
               "This certificate is not a CPS card's (a software certificate?). Only your CPS card can open the "
               "session."},
    ReasonText{RefusalReason::UnknownCardType, "unknown-card-type",
               "Le type de cette carte (CPS, CPF, CPE, CPA) n'a pas pu être établi. Contactez votre support "
               "informatique.",
               "This card's type (CPS, CPF, CPE, CPA) could not be established. Contact your IT support."},
    ReasonText{RefusalReason::CardSerialMismatch, "card-serial-mismatch",
               "Le certificat lu n'appartient pas à la carte insérée. Contactez votre support informatique.",
               "The certificate read does not belong to the inserted card. Contact your IT support."},
    ReasonText{RefusalReason::IssuerNotAllowed, "issuer-not-allowed",
               "Cette carte n'a pas été émise par une autorité IGC-Santé qui délivre les cartes CPS. Contactez "
               "votre support informatique.",
               "This card was not issued by an IGC-Santé authority that issues CPS cards. Contact your IT "
               "support."},
    ReasonText{RefusalReason::IssuerCardTypeMismatch, "issuer-card-type-mismatch",
               "Le type de cette carte ne correspond pas à l'autorité qui l'a émise. Contactez votre support "
               "informatique.",
               "This card's type does not match the authority that issued it. Contact your IT support."},
    ReasonText{RefusalReason::WeakCrypto, "weak-crypto",
               "Cette carte utilise une cryptographie trop ancienne pour être acceptée. Commandez une nouvelle "
               "carte sur le portail maCarte.",
               "This card uses cryptography too old to be accepted. Order a new card on the maCarte portal."},
    ReasonText{RefusalReason::BadCertificatePolicy, "bad-certificate-policy",
               "Le certificat de cette carte ne relève pas d'une politique de certification acceptée sur ce "
               "poste. Contactez votre support informatique.",
               "This card's certificate is not under a certification policy accepted on this computer. Contact "
               "your IT support."},
    ReasonText{RefusalReason::BadSubject, "bad-subject",
               "L'identité inscrite sur cette carte est illisible ou incomplète. Contactez votre support "
               "informatique.",
               "The identity written on this card is unreadable or incomplete. Contact your IT support."},
    ReasonText{RefusalReason::MalformedCertificate, "malformed-certificate",
               "Le certificat de cette carte est mal formé. Contactez votre support informatique.",
               "This card's certificate is malformed. Contact your IT support."},
};

constexpr std::array kAllReasons = [] {
    std::array<RefusalReason, kReasons.size()> all{};
    for (std::size_t i = 0; i < kReasons.size(); ++i) {
        all[i] = kReasons[i].reason;
    }
    return all;
}();

const ReasonText& textOf(RefusalReason reason) {
    for (const auto& entry : kReasons) {
        if (entry.reason == reason) {
            return entry;
        }
    }
    // Unreachable for a valid enum value; a cast-in garbage value gets the generic module error.
    return kReasons[static_cast<std::size_t>(RefusalReason::ModuleError)];
}

std::string triesSuffix(Language language, int triesLeft) {
    const std::string n = std::to_string(triesLeft);
    if (language == Language::French) {
        return triesLeft > 1 ? " Il vous reste " + n + " essais." : " Il vous reste " + n + " essai.";
    }
    return triesLeft == 1 ? " 1 try left." : " " + n + " tries left.";
}

} // namespace

std::span<const RefusalReason> allRefusalReasons() {
    return kAllReasons;
}

std::string_view toString(RefusalReason reason) {
    return textOf(reason).name;
}

std::optional<RefusalReason> refusalReasonFromString(std::string_view name) {
    for (const auto& entry : kReasons) {
        if (entry.name == name) {
            return entry.reason;
        }
    }
    return std::nullopt;
}

std::string userMessage(RefusalReason reason, Language language, std::optional<int> triesLeft) {
    const ReasonText& text = textOf(reason);
    std::string message(language == Language::French ? text.fr : text.en);
    if (reason == RefusalReason::WrongPin && triesLeft && *triesLeft > 0) {
        message += triesSuffix(language, *triesLeft);
    }
    return message;
}

} // namespace cpslock
