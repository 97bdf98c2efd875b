#include "agent/tray/CardInspector.h"

#include "card/CardVerifier.h"
#include "core/policy/Policy.h"

#include <mutex>

namespace cpslock::agent {

namespace {

class VerifierInspector final : public CardInspector {
public:
    CardSummary inspect(const std::shared_ptr<const policy::Policy>& policy, const std::string& reader,
                        const std::string& serial) override {
        // One PKCS#11 conversation at a time: the module and pcscd are shared.
        const std::lock_guard lock(m_mutex);
        CardSummary s;
        s.reader = reader;
        s.serial = serial;
        if (!policy) {
            s.error = "no policy";
            return s;
        }
        const auto presence = card::makePcscPresence();
        card::CardVerifier verifier(*policy, *presence);
        card::VerifyRequest request;
        request.reader = reader;
        const card::CardReport report = verifier.inspect(request);
        if (report.refusal) {
            s.error = report.refusal->detail.empty() ? report.refusal->messageEn() : report.refusal->detail;
            return s;
        }
        if (report.card && !report.card->serial.empty())
            s.serial = report.card->serial;
        if (report.holder) {
            s.holderName = report.holder->givenName;
            if (!report.holder->surname.empty())
                s.holderName += (s.holderName.empty() ? "" : " ") + report.holder->surname;
            s.profession = report.holder->profession;
        }
        if (report.certificate) {
            s.certSha256 = report.certificate->sha256Hex;
            s.notAfter = report.certificate->notAfter;
        }
        if (report.certificateRefusal) {
            s.refusalFr = report.certificateRefusal->messageFr();
            s.refusalEn = report.certificateRefusal->messageEn();
        }
        return s;
    }

private:
    std::mutex m_mutex;
};

} // namespace

std::shared_ptr<CardInspector> makeCardInspector() {
    return std::make_shared<VerifierInspector>();
}

} // namespace cpslock::agent
