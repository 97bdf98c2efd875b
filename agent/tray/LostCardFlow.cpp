// SPDX-License-Identifier: EUPL-1.2
#include "agent/tray/LostCardFlow.h"

namespace cpslock::agent {

LostCardOutcome reportLostCard(TrayHost& host, const LostCardTarget& target, const LostCardReporter& reporter,
                               const std::string& user) {
    LostCardOutcome out;
    out.target = target;
    host.requestLock(LockReason::LostCard);
    out.lockRequested = true;

    if (target.card.serial.empty()) {
        out.report = fail("no card number known (no card bound to this session)");
    } else if (!reporter) {
        out.report = fail("no card authority (cpslockd) to report to");
    } else {
        out.report = reporter(target.card.serial);
    }

    AuditRecord r;
    r.kind = "card-reported-lost";
    r.severity = out.report ? AuditRecord::Severity::Warning : AuditRecord::Severity::Error;
    r.message = out.report ? "Carte CPS déclarée perdue ou volée depuis le poste ; bloquée sur ce poste / "
                             "CPS card reported lost or stolen; blocked on this PC"
                           : "Carte CPS déclarée perdue ou volée ; NON bloquée sur ce poste / "
                             "CPS card reported lost or stolen; NOT blocked on this PC";
    r.fields.emplace_back("serial", target.card.serial);
    if (!target.card.certSha256.empty())
        r.fields.emplace_back("sha256", target.card.certSha256);
    r.fields.emplace_back("user", user);
    if (out.report)
        r.fields.emplace_back("report", *out.report);
    else
        r.fields.emplace_back("error", out.report.error().message);
    host.audit(r);
    return out;
}

} // namespace cpslock::agent
