// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/CardType.h"
#include "core/GuardSettings.h"
#include "core/Settings.h"
#include "core/policy/Duration.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpslock::policy {

inline constexpr std::string_view kOpenScModule = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so";
inline constexpr std::string_view kCryptolibModule = "/opt/santesocial/CPS/lib/libcps3_pkcs11_lux.so";
inline constexpr std::string_view kDefaultPolicyFile = "/etc/cpslock/policy.toml";

/// An account that any card of the given types (and, if listed, professions) may open.
struct SharedAccount {
    std::string user;
    std::vector<CardType> cardTypes;
    /// Matched exactly against the certificate's `title` (profession label); empty = any.
    std::vector<std::string> professions;
    bool operator==(const SharedAccount&) const = default;
};

/// The effective policy. Every member starts at its secure default: a missing file or key never
/// weakens anything. docs/policy.md documents each key; PolicyDocTest keeps the two in step.
struct Policy {
    struct Session {
        RemovalAction removalAction = GuardDefaults::kRemovalAction;
        Duration idleTimeout{GuardDefaults::kIdleTimeout}; ///< 0 disables the idle lock
        Duration idleWarning{GuardDefaults::kIdleWarning}; ///< shown this long before the idle lock
        bool requireCard = GuardDefaults::kRequireCard;    ///< an unlocked session without a valid CPS gets locked
        Duration requireCardGrace{GuardDefaults::kRequireCardGrace};
        /// Accounts and groups whose sessions the agent never locks by itself (IT staff, rescue
        /// accounts): see core/policy/SessionExemption.h for what exactly that covers.
        std::vector<std::string> exemptUsers;
        std::vector<std::string> exemptGroups;
        bool operator==(const Session&) const = default;
    } session;
    struct Service {
        ServiceLossAction lossAction = GuardDefaults::kServiceLossAction;
        Duration lossGrace{GuardDefaults::kServiceLossGrace};
        bool operator==(const Service&) const = default;
    } service;
    struct Pkcs11 {
        std::vector<std::string> modules{std::string(kOpenScModule)};
        /// OpenSC configuration file for cpslockd's card worker (OPENSC_CONF); empty = OpenSC's own.
        std::string openscConf;
        bool operator==(const Pkcs11&) const = default;
    } pkcs11;
    struct Pcsc {
        /// pcscd's socket (PCSCLITE_CSOCK_NAME) for every cpslock program; empty = pcsc-lite's default.
        std::string socket;
        bool operator==(const Pcsc&) const = default;
    } pcsc;
    struct Cards {
        std::vector<CardType> allowedTypes{CardType::Cps};
        /// Certificate policy OID (dotted) -> card type: the strongest evidence of a card's type.
        /// Empty until the real IGC-Santé OIDs are read from cards (docs/card-identity.md).
        std::map<std::string, CardType> typeOids;
        /// Without OID evidence, infer the type from the subject shape (professional -> CPS,
        /// staff -> CPE); cannot tell CPF from CPS nor CPA from CPE.
        bool inferTypeFromSubject = true;
        /// When not empty, the authentication certificate must carry one of these certificate policy
        /// OIDs (exact). Empty until the production OIDs are confirmed on real cards.
        std::vector<std::string> requiredPolicyOids;
        bool operator==(const Cards&) const = default;
    } cards;
    struct Pin {
        FinalTryPolicy lastTry = FinalTryPolicy::Refuse;
        bool operator==(const Pin&) const = default;
    } pin;
    struct Trust {
        std::string anchorsDir = "/usr/share/cpslock/igc-sante";
        /// Not inside cpslockd's state folder: that one is _cpslock's (it could swap the folder for an older
        /// one) and unreadable by the session's tray, which shows the CRLs' age.
        std::string crlDir = "/var/lib/cpslock-crl";
        /// CRLs `cpslock crl update` fetches besides the distribution points of the CA certificates in
        /// anchorsDir: those name the roots' CRLs only, the card-issuing CAs' CRLs are named in the
        /// card certificates (facts: igc-sante-certificates.md section 5).
        std::vector<std::string> crlUrls{std::string(kFortPersonnesCrlUrl), std::string(kStandardPersonnesCrlUrl)};
        RevocationMode revocation = RevocationMode::Hard;
        Duration crlMaxAge{7 * 86400};
        std::string denylist = "/etc/cpslock/denylist.txt";
        /// Card-issuing CAs, pinned by subject key identifier (upper-case hex, no colons), per card
        /// type: the leaf's issuer must be one of these for the card type its certificate names.
        /// Defaults: the production IGC-Santé FORT PERSONNES (CPS) and STANDARD PERSONNES (CPE) CAs;
        /// CPF and CPA stay empty until a real card shows their issuer (docs/card-identity.md).
        std::vector<std::string> issuersCps{std::string(kFortPersonnesSki)};
        std::vector<std::string> issuersCpf;
        std::vector<std::string> issuersCpe{std::string(kStandardPersonnesSki)};
        std::vector<std::string> issuersCpa;
        /// Roots a card chain may end on, pinned by subject key identifier.
        std::vector<std::string> roots{std::string(kFortRootSki), std::string(kStandardRootSki)};
        /// A test PKI: card certificates with product category 80 ("CPx de TEST") are accepted.
        bool testPki = false;
        bool operator==(const Trust&) const = default;
        static constexpr std::string_view kFortPersonnesSki = "800F918821797D5555C65D6DD5938D6ADE5C2AA6";
        static constexpr std::string_view kStandardPersonnesSki = "19F276D58D7A17CA829BE97B5AEF3F05A690D4F3";
        static constexpr std::string_view kFortRootSki = "38430511002EE752C3E8974674F8A4FB9CDCE5EE";
        static constexpr std::string_view kStandardRootSki = "C0AC89F12470D52BE2D5D4B48405C0810572539B";
        static constexpr std::string_view kFortPersonnesCrlUrl = "http://igc-sante.esante.gouv.fr/CRL/ACI-FO-PP.crl";
        static constexpr std::string_view kStandardPersonnesCrlUrl =
            "http://igc-sante.esante.gouv.fr/CRL/ACI-ST-PP.crl";
    } trust;
    struct Accounts {
        /// idNat -> the local accounts that holder may open (at least one)
        std::map<std::string, std::vector<std::string>> holders;
        std::vector<SharedAccount> shared;
        bool operator==(const Accounts&) const = default;
    } accounts;
    struct LostCard {
        std::string phone = "0 825 852 000";
        std::string web = "https://esante.gouv.fr/assistance";
        std::string text = std::string(kDefaultLostCardText);
        bool operator==(const LostCard&) const = default;
        static constexpr std::string_view kDefaultLostCardText =
            "Carte perdue ou volée : verrouillez le poste et faites-la opposer sans attendre. "
            "Carte d'un salarié : le responsable de la structure la déclare sur TOM ; salarié d'un "
            "cabinet libéral : le praticien la déclare sur TOPS. Sinon : service client ANS au "
            "0 825 852 000 (munissez-vous du code de déblocage de la carte) ou \"formulaire 501\". "
            "En attendant la nouvelle carte, utilisez e-CPS. / Lost or stolen card: lock the PC and "
            "have the card opposed at once (staff cards: the manager on TOM; a liberal practice's "
            "employees: the practitioner on TOPS; otherwise ANS support 0 825 852 000 with the "
            "card's unblocking code, or \"formulaire 501\"). Use e-CPS until the new card arrives.";
    } lostCard;
    struct Audit {
        AuditDestination sink = AuditDestination::Journald;
        bool operator==(const Audit&) const = default;
    } audit;
    struct Locker {
        std::vector<std::string> command; ///< argv run without a shell; empty = none
        bool operator==(const Locker&) const = default;
    } locker;

    bool operator==(const Policy&) const = default;
};

} // namespace cpslock::policy
