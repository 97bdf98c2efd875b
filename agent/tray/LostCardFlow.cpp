#include "agent/tray/LostCardFlow.h"

namespace cpslock::agent {

LostCardOutcome reportLostCard(TrayHost& host, const LostCardTarget& target, const std::string& dropDir,
                               const std::string& user, std::chrono::system_clock::time_point now) {
    LostCardOutcome out;
    out.target = target;
    host.requestLock(LockReason::LostCard);
    out.lockRequested = true;

    if (target.card.serial.empty()) {
        out.report.error = "no card number known (no card bound to this session)";
    } else {
        platform::LostCardEntry entry;
        entry.serial = target.card.serial;
        entry.certSha256 = target.card.certSha256;
        entry.user = user;
        entry.when = now;
        out.report = platform::writeLostCardReport(dropDir, entry);
    }

    AuditRecord r;
    r.kind = "card-reported-lost";
    r.severity = out.report.ok ? AuditRecord::Severity::Warning : AuditRecord::Severity::Error;
    r.message = out.report.ok ? "Carte CPS déclarée perdue ou volée depuis le poste ; bloquée sur ce poste / "
                                "CPS card reported lost or stolen; blocked on this PC"
                              : "Carte CPS déclarée perdue ou volée ; NON bloquée sur ce poste / "
                                "CPS card reported lost or stolen; NOT blocked on this PC";
    r.fields.emplace_back("serial", target.card.serial);
    if (!target.card.certSha256.empty())
        r.fields.emplace_back("sha256", target.card.certSha256);
    r.fields.emplace_back("user", user);
    if (out.report.ok)
        r.fields.emplace_back("report", out.report.path);
    else
        r.fields.emplace_back("error", out.report.error);
    host.audit(r);
    return out;
}

} // namespace cpslock::agent
