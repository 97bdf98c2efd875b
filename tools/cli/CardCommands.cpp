// SPDX-License-Identifier: EUPL-1.2
// `cpslock card` (what the inserted card says, no PIN) and `cpslock verify` (the full check, PIN on
// standard input): the same CardVerifier as the PAM helper.
#include "tools/cli/Commands.h"
#include "tools/cli/PolicyOption.h"
#include "tools/cli/Say.h"
#include "tools/cli/SubCommand.h"

#include "card/CardVerifier.h"
#include "core/ProcessHardening.h"
#include "core/Result.h"
#include "core/SecureBuffer.h"
#include "core/policy/Policy.h"

#include <nlohmann/json.hpp>
#include <termios.h>
#include <unistd.h>

#include <cstdio>

namespace cpslock::cli {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kCardHelp =
    "usage: cpslock card [--reader R] [--json] [--policy FILE] [--policy-dir DIR]\n"
    "\n"
    "What the CPS card in the reader says, without its PIN: kind, serial, PIN state, the holder and\n"
    "validity of its authentication certificate, and what the certificate checks of the policy say.\n"
    "Nothing here proves the card holds the certificate's key: only 'cpslock verify' does.\n"
    "Exit status: 0 card read, 1 no readable CPS card, 2 usage or configuration error.\n";

constexpr const char* kVerifyHelp =
    "usage: cpslock verify [--reader R] [--user U] [--json] [--policy FILE] [--policy-dir DIR]\n"
    "\n"
    "Full verification of the CPS card, as at unlock: PIN (read from standard input, never from the\n"
    "command line or the environment), a fresh challenge signed by the card, chain to the IGC-Santé\n"
    "anchors, revocation, deny-list, holder identity, card type and - with --user - the account\n"
    "mapping. A wrong PIN uses up one of the card's tries.\n"
    "Exit status: 0 verified, 1 refused (the reason is printed), 2 usage or configuration error.\n";

struct CardArgs {
    std::optional<std::string> reader;
    std::optional<std::string> user;
    bool json = false;
    PolicyOption policy;
};

/// The arguments; else the exit status to stop with (help, usage error).
Result<CardArgs, int> parseArgs(Args args, bool allowUser, const SubCommand& command, const char* name) {
    CardArgs out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if (SubCommand::isHelp(a))
            return command.help();
        if (a == "--json") {
            out.json = true;
            continue;
        }
        std::optional<std::string>* target = a == "--reader"              ? &out.reader
                                             : a == "--user" && allowUser ? &out.user
                                                                          : nullptr;
        if (target) {
            if (i + 1 >= args.size() || args[i + 1].empty()) {
                std::fprintf(stderr, "cpslock %s: %.*s needs a value\n", name, static_cast<int>(a.size()), a.data());
                return 2;
            }
            *target = std::string(args[++i]);
            continue;
        }
        const auto parsed = out.policy.parse(args, i, name);
        if (parsed == PolicyOption::Parse::Error)
            return 2;
        if (parsed == PolicyOption::Parse::NotMine)
            return command.usageError("unknown argument '" + std::string(a) + "'");
    }
    return out;
}

struct Prepared {
    CardArgs args;
    policy::Policy policy;
};

/// The arguments of `cpslock card` or `cpslock verify` and the policy they name; else the exit status
/// to stop with (help, usage or policy error).
Result<Prepared, int> prepare(Args args, bool allowUser, const char* help, const char* name) {
    auto parsed = parseArgs(args, allowUser, SubCommand(name, help), name);
    if (!parsed)
        return parsed.error();
    auto policy = parsed->policy.load(name);
    if (!policy)
        return 2;
    return Prepared{std::move(*parsed), std::move(*policy)};
}

Json holderJson(const std::optional<card::HolderIdentity>& holder) {
    if (!holder)
        return nullptr;
    Json h{{"idnat", holder->idNat},           {"idnat_kind", std::string(card::toString(holder->idNatKind))},
           {"surname", holder->surname},       {"given_name", holder->givenName},
           {"profession", holder->profession}, {"card_type", std::string(card::toString(holder->cardType))}};
    if (holder->staffCard)
        h["structure"] = {
            {"idnat", holder->structureIdNat}, {"id", holder->structureId}, {"name", holder->structureName}};
    return h;
}

Json refusalJson(const Refusal& r) {
    Json j{{"reason", std::string(toString(r.reason))},
           {"message_fr", r.messageFr()},
           {"message_en", r.messageEn()},
           {"detail", r.detail}};
    if (r.triesLeft)
        j["tries_left"] = *r.triesLeft;
    return j;
}

/// The card-origin extensions as the certificate states them (docs/card-identity.md).
Json originJson(const card::CertificateInfo& c, const std::string& cardSerial) {
    Json o = Json::object();
    o["product_category"] = c.productCategory ? Json(card::describeProductCategory(*c.productCategory)) : Json();
    std::optional<card::CardType> type;
    if (c.cardTypeCode)
        type = card::cardTypeFromCode(*c.cardTypeCode);
    o["card_type"] = type ? Json(std::string(card::toString(*type))) : Json();
    o["card_type_code"] = c.cardTypeCode ? Json(*c.cardTypeCode) : Json();
    o["token_id"] = c.tokenId ? Json(*c.tokenId) : Json();
    o["token_id_matches_card"] = c.tokenId && *c.tokenId == std::string(card::kAnsTokenIssuer) + "/" + cardSerial;
    if (!c.originError.empty())
        o["error"] = c.originError;
    return o;
}

std::string originText(const card::CertificateInfo& c, const std::string& cardSerial) {
    std::string type = "absent";
    if (c.cardTypeCode) {
        const auto t = card::cardTypeFromCode(*c.cardTypeCode);
        type = (t ? std::string(card::toString(*t)) : std::string("inconnu / unknown")) + " (" +
               std::to_string(*c.cardTypeCode) + ")";
    }
    std::string token = c.tokenId ? *c.tokenId : std::string("absent");
    if (c.tokenId)
        token += *c.tokenId == std::string(card::kAnsTokenIssuer) + "/" + cardSerial
                     ? " = cette carte / this card"
                     : " != cette carte / NOT this card (" + cardSerial + ")";
    std::string policies;
    for (const auto& oid : c.policyOids)
        policies += (policies.empty() ? "" : ", ") + oid;
    return "  catégorie / category : " +
           (c.productCategory ? card::describeProductCategory(*c.productCategory) : std::string("absent")) +
           "\n  type de carte / card type : " + type + "\n  jeton / token id : " + token +
           "\n  politiques / policies : " + (policies.empty() ? std::string("absent") : policies) +
           "\n  clé de l'AC / CA key id : " + c.authorityKeyId +
           (c.originError.empty() ? "" : "\n  erreur : " + c.originError) + "\n";
}

bool configurationProblem(const Refusal& r) {
    return r.reason == RefusalReason::PolicyError;
}

/// Reads the PIN into the locked buffer; the terminal echo is off while typing.
bool readPin(SecureBuffer& pin) {
    const bool tty = isatty(STDIN_FILENO);
    termios saved{};
    if (tty) {
        std::fputs("Code porteur CPS / CPS card PIN: ", stderr);
        (void)std::fflush(stderr);
        tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    const auto status = pin.readLine(STDIN_FILENO);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        std::fputc('\n', stderr);
    }
    if (status == SecureBuffer::ReadStatus::Ok && !pin.empty())
        return true;
    std::fprintf(stderr, "cpslock verify: %s\n",
                 status == SecureBuffer::ReadStatus::TooLong ? "the PIN is too long" : "no PIN on standard input");
    return false;
}

Json cardReportJson(const card::CardReport& report) {
    Json out;
    out["result"] = report.refusal ? "unreadable" : "read";
    if (report.refusal)
        out["refusal"] = refusalJson(*report.refusal);
    if (report.card)
        out["card"] = {{"reader", report.card->reader},    {"kind", std::string(toString(report.card->kind))},
                       {"serial", report.card->serial},    {"atr", toHex(report.card->atr)},
                       {"token_label", report.tokenLabel}, {"pin_locked", report.pinLocked}};
    if (report.triesLeft)
        out["tries_left"] = *report.triesLeft;
    if (report.certificate)
        out["certificate"] = {
            {"subject", report.certificate->subject},
            {"issuer", report.certificate->issuer},
            {"serial", report.certificate->serialHex},
            {"sha256", report.certificate->sha256Hex},
            {"not_before", card::isoUtc(report.certificate->notBefore)},
            {"not_after", card::isoUtc(report.certificate->notAfter)},
            {"issuer_key_id", report.certificate->authorityKeyId},
            {"policies", report.certificate->policyOids},
            {"card_origin", originJson(*report.certificate, report.card ? report.card->serial : std::string())}};
    out["holder"] = holderJson(report.holder);
    out["certificate_check"] = report.certificateRefusal ? refusalJson(*report.certificateRefusal) : Json("ok");
    return out;
}

/// A card that could be read, for a person.
void printCardReport(const card::CardReport& report) {
    std::printf("Lecteur / reader   : %s\n", report.card->reader.c_str());
    std::printf("Carte / card       : %s, n° %s%s\n", std::string(toString(report.card->kind)).c_str(),
                report.card->serial.c_str(), report.pinLocked ? " (BLOQUÉE / BLOCKED)" : "");
    if (report.holder)
        std::printf("Porteur / holder   : %s %s, %s (%s %s), carte %s\n", report.holder->givenName.c_str(),
                    report.holder->surname.c_str(), report.holder->profession.c_str(),
                    std::string(card::toString(report.holder->idNatKind)).c_str(), report.holder->idNat.c_str(),
                    std::string(card::toString(report.holder->cardType)).c_str());
    if (report.certificate)
        std::printf("Certificat         : %s\n  émis par / issuer: %s\n  valide / valid   : %s -> %s\n"
                    "  SHA-256          : %s\n",
                    report.certificate->subject.c_str(), report.certificate->issuer.c_str(),
                    card::isoUtc(report.certificate->notBefore).c_str(),
                    card::isoUtc(report.certificate->notAfter).c_str(), report.certificate->sha256Hex.c_str());
    if (report.certificate)
        std::printf("Origine carte / card origin:\n%s", originText(*report.certificate, report.card->serial).c_str());
    if (report.certificateRefusal)
        std::printf("Contrôles / checks : REFUSÉE / REFUSED - %s (%s)\n", say(*report.certificateRefusal).c_str(),
                    report.certificateRefusal->detail.c_str());
    else
        std::printf(
            "Contrôles / checks : ok (sans preuve de possession : 'cpslock verify' / no proof of possession)\n");
}

/// The certificate a verdict judged, with its card origin and policies.
Json judgedCertificateJson(const card::VerifyResult& r) {
    const auto type =
        r.profile.origin.cardTypeCode ? card::cardTypeFromCode(*r.profile.origin.cardTypeCode) : std::nullopt;
    return {{"sha256", r.certSha256},
            {"subject", r.certSubject},
            {"issuer", r.certIssuer},
            {"issuer_key_id", r.profile.issuerKeyId},
            {"policies", r.profile.policyOids},
            {"card_origin",
             {{"product_category", r.profile.origin.productCategory
                                       ? Json(card::describeProductCategory(*r.profile.origin.productCategory))
                                       : Json()},
              {"card_type", type ? Json(std::string(card::toString(*type))) : Json()},
              {"token_id", r.profile.origin.tokenId ? Json(*r.profile.origin.tokenId) : Json()}}}};
}

Json verifyJson(const card::VerifyResult& r) {
    Json out;
    out["result"] = r.ok() ? "ok" : "refused";
    if (r.refusal) {
        out["reason"] = std::string(toString(r.refusal->reason));
        out["message_fr"] = r.refusal->messageFr();
        out["message_en"] = r.refusal->messageEn();
        out["detail"] = r.refusal->detail;
    } else {
        out["reason"] = nullptr;
        out["message_fr"] = "Carte CPS vérifiée.";
        out["message_en"] = "CPS card verified.";
    }
    out["holder"] = holderJson(r.holder);
    out["card"] = r.card ? Json{{"reader", r.card->reader},
                                {"kind", std::string(toString(r.card->kind))},
                                {"serial", r.card->serial},
                                {"cert_sha256", r.certSha256.empty() ? Json() : Json(r.certSha256)}}
                         : Json();
    // The certificate judged, named in every verdict.
    if (!r.certSha256.empty())
        out["certificate"] = judgedCertificateJson(r);
    if (r.refusal && r.refusal->triesLeft)
        out["tries_left"] = *r.refusal->triesLeft;
    else if (r.triesLeft)
        out["tries_left"] = *r.triesLeft;
    out["warnings"] = r.warnings;
    Json timings = Json::object();
    for (const auto& [step, ms] : r.timings)
        timings[step] = ms;
    out["timings_ms"] = timings;
    return out;
}

void printVerifyResult(const card::VerifyResult& r) {
    if (r.ok()) {
        std::printf("%s %s %s (%s), %s %s\n", say("Carte CPS vérifiée :", "CPS card verified:"),
                    r.holder ? r.holder->givenName.c_str() : "", r.holder ? r.holder->surname.c_str() : "",
                    r.holder ? r.holder->idNat.c_str() : "", say("carte n°", "card no."),
                    r.card ? r.card->serial.c_str() : "");
        for (const std::string& w : r.warnings)
            std::printf("%s: %s\n", say("attention", "warning"), w.c_str());
        return;
    }
    std::printf("%s [%s]\n%s\n(%s)\n", say("REFUSÉE", "REFUSED"), std::string(toString(r.refusal->reason)).c_str(),
                say(*r.refusal).c_str(), r.refusal->detail.c_str());
}

} // namespace

int runCard(Args args) {
    auto prepared = prepare(args, false, kCardHelp, "card");
    if (!prepared)
        return prepared.error();
    auto presence = card::makePcscPresence();
    card::CardVerifier verifier(prepared->policy, *presence);
    const card::CardReport report = verifier.inspect({prepared->args.reader, std::nullopt});

    if (prepared->args.json)
        std::puts(cardReportJson(report).dump().c_str());
    else if (report.refusal)
        std::fprintf(stderr, "%s\n(%s)\n", say(*report.refusal).c_str(), report.refusal->detail.c_str());
    else
        printCardReport(report);
    if (report.refusal)
        return configurationProblem(*report.refusal) ? 2 : 1;
    return 0;
}

int runVerify(Args args) {
    (void)disableCoreDumps(); // the PIN passes through this process
    auto prepared = prepare(args, true, kVerifyHelp, "verify");
    if (!prepared)
        return prepared.error();
    SecureBuffer pin;
    if (!readPin(pin))
        return 2;
    auto presence = card::makePcscPresence();
    card::CardVerifier verifier(prepared->policy, *presence);
    const card::VerifyResult r = verifier.verify({prepared->args.reader, prepared->args.user}, pin);

    if (prepared->args.json)
        std::puts(verifyJson(r).dump().c_str());
    else
        printVerifyResult(r);
    if (r.ok())
        return 0;
    return configurationProblem(*r.refusal) ? 2 : 1;
}

} // namespace cpslock::cli
