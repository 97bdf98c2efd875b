// SPDX-License-Identifier: EUPL-1.2
// Qt Test, offscreen platform: the tray's menu, icons, notifications, dialogs and the loss-report flow,
// run once in French (the source strings) and once in English (the translation built from the .ts).
#include "agent/tray/TrayController.h"
#include "agent/tray/DiagnosticsDialog.h"
#include "agent/tray/LostCardDialogs.h"

#include <QAction>
#include <QApplication>
#include <QLocale>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTranslator>
#include <QtTest>

#include <fstream>
#include <sstream>

using namespace cpslock;
using namespace cpslock::agent;
using namespace std::chrono_literals;

namespace {

constexpr const char* kSha = "3d94f31c2589ea128286ec2296ba7ab77e5ed19ea398a4708de0750bf7d0bf94";
const auto kNow = std::chrono::sys_days{std::chrono::year{2026} / 11 / 28} + 13h;

/// Records what the tray asked, in order.
class RecordingHost final : public TrayHost {
public:
    void requestLock(LockReason reason) override { calls.push_back("lock:" + std::string(toString(reason))); }
    void audit(const AuditRecord& record) override {
        calls.push_back("audit:" + record.kind);
        records.push_back(record);
    }
    std::vector<std::string> calls;
    std::vector<AuditRecord> records;
};

class FakeInspector final : public CardInspector {
public:
    CardSummary inspect(const std::shared_ptr<const policy::Policy>& /*policy*/, const std::string& reader,
                        const std::string& serial) override {
        ++calls;
        CardSummary s = next;
        s.reader = reader;
        s.serial = serial;
        return s;
    }
    CardSummary next;
    int calls = 0;
};

QImage render(const QIcon& icon, int size) {
    return icon.pixmap(size, size).toImage().convertToFormat(QImage::Format_ARGB32);
}

QImage renderResource(TrayIconKind kind, int size) {
    return render(
        QIcon(QString::fromUtf8(iconResource(kind).data(), static_cast<qsizetype>(iconResource(kind).size()))), size);
}

QString kindName(TrayIconKind kind) {
    return QString::fromUtf8(toString(kind).data(), static_cast<qsizetype>(toString(kind).size()));
}

GuardStatus withCard(const std::string& serial = "992138450", CardKind kind = CardKind::Cps3) {
    GuardStatus s;
    s.session = SessionState::Unlocked;
    s.cards.push_back({"Virtual PCD 00 00", kind, serial});
    return s;
}

} // namespace

class TrayControllerTest : public QObject {
    Q_OBJECT
public:
    explicit TrayControllerTest(bool english) : m_english(english) {}

private:
    QString t(const char* fr, const char* en) const { return QString::fromUtf8(m_english ? en : fr); }

    std::unique_ptr<TrayController> makeTray(bool cpslockdUp = true) {
        TrayConfig config;
        config.lockers = "logind";
        config.idleSource = "x11";
        config.audit = "stderr";
        config.policyDescription = "/etc/cpslock/policy.toml";
        config.pkcs11Modules = {"/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"};
        config.crlDir = m_crlDir.path().toStdString();
        config.reportLost = [this, cpslockdUp](const std::string& serial) {
            if (!cpslockdUp)
                return LostCardReportResult(cpslock::fail("cpslockd unreachable: /run/cpslock/cpslockd.sock: missing"));
            m_reported.push_back(serial);
            return LostCardReportResult(std::string("cpslockd"));
        };
        config.contacts = {"0 825 852 000", "https://esante.gouv.fr/assistance", "Formulaire 501, TOM, TOPS, e-CPS."};
        config.user = "dr.martin";
        auto tray = std::make_unique<TrayController>(m_host, config, m_inspector);
        tray->setExecutor([](std::function<void()> job) { job(); });
        tray->setNotifier([this](const QString& title, const QString& body) { m_notes << title + " | " + body; });
        tray->setNow([] { return std::chrono::system_clock::time_point(kNow); });
        tray->setConfirm([this](const LostCardTarget& target) {
            m_confirmed.push_back(target);
            return m_confirmAnswer;
        });
        return tray;
    }

    /// The inspection result comes back through the event loop.
    static void settle() { QCoreApplication::processEvents(); }

private Q_SLOTS:
    void init() {
        m_host = RecordingHost{};
        m_inspector = std::make_shared<FakeInspector>();
        m_inspector->next.holderName = "Jean DUPONT";
        m_inspector->next.profession = "Médecin";
        m_inspector->next.certSha256 = kSha;
        m_inspector->next.notAfter = kNow + std::chrono::days{400};
        m_notes.clear();
        m_confirmed.clear();
        m_confirmAnswer = true;
        m_reported.clear();
        QVERIFY(m_crlDir.isValid());
        // A fresh CRL: the "CRL stale" warning is off unless a test asks for it.
        std::ofstream(m_crlDir.filePath("igc.crl").toStdString()) << "crl";
    }

    void menuHasTheFourEntriesInOrder() {
        auto tray = makeTray();
        QStringList texts;
        for (QAction* a : tray->menu()->actions()) {
            if (!a->isSeparator())
                texts << a->text();
        }
        QCOMPARE(texts, (QStringList{t("Verrouiller maintenant", "Lock now"),
                                     t("Signaler la perte ou le vol de ma carte…", "Report my card lost or stolen…"),
                                     t("État et diagnostic…", "Status and diagnostics…"), t("À propos", "About")}));
        QCOMPARE(tray->trayIcon().contextMenu(), tray->menu());
    }

    void eachIconRendersAndDiffersFromTheOthers() {
        const TrayIconKind kinds[] = {TrayIconKind::NoCard, TrayIconKind::CardPresent, TrayIconKind::Locked,
                                      TrayIconKind::Warning, TrayIconKind::Error};
        for (const int size : {16, 22, 32}) {
            std::vector<QImage> images;
            for (const auto kind : kinds) {
                const QImage img = renderResource(kind, size);
                QVERIFY2(!img.isNull() && img.width() == size, toString(kind).data());
                images.push_back(img);
            }
            for (std::size_t i = 0; i < images.size(); ++i) {
                for (std::size_t j = i + 1; j < images.size(); ++j)
                    QVERIFY(images[i] != images[j]);
            }
        }
    }

    void eachStateShowsItsIcon() {
        auto tray = makeTray();
        const auto check = [&](TrayIconKind expected) {
            QCOMPARE(kindName(tray->iconKind()), kindName(expected));
            QCOMPARE(render(tray->trayIcon().icon(), 32), renderResource(expected, 32));
        };
        GuardStatus s;
        s.session = SessionState::Unlocked;
        tray->onStatus(s);
        check(TrayIconKind::NoCard);
        QVERIFY(tray->toolTip().contains(t("Aucune carte CPS", "No CPS card")));

        tray->onStatus(withCard());
        settle();
        check(TrayIconKind::CardPresent);
        QVERIFY(tray->toolTip().contains("Jean DUPONT"));
        QVERIFY(tray->toolTip().contains(QString::fromUtf8("Médecin")));
        QVERIFY(tray->toolTip().contains("Virtual PCD 00 00"));

        GuardStatus locked = withCard();
        locked.session = SessionState::Locked;
        tray->onStatus(locked);
        check(TrayIconKind::Locked);
        QVERIFY(tray->toolTip().contains(t("Session verrouillée", "Session locked")));

        GuardStatus down = withCard();
        down.cards.clear();
        down.serviceUp = false;
        tray->onStatus(down);
        check(TrayIconKind::Error);
        QVERIFY(tray->toolTip().contains("pcscd"));

        // A contactless CPS or a Vitale card is not "a CPS card present".
        tray->onStatus(withCard("", CardKind::Vitale));
        check(TrayIconKind::NoCard);
    }

    void noLockerIsAnError() {
        TrayConfig config;
        config.lockerAvailable = false;
        TrayController tray(m_host, config, m_inspector);
        tray.onStatus(withCard());
        QCOMPARE(kindName(tray.iconKind()), kindName(TrayIconKind::Error));
        QVERIFY(tray.toolTip().contains(t("aucun moyen de verrouiller", "no way to lock")));
    }

    void exemptSessionIsShown() {
        TrayConfig config;
        config.exemption = "group it-staff";
        TrayController tray(m_host, config, m_inspector);
        tray.onStatus(withCard());
        QVERIFY(tray.toolTip().contains(t("Session exemptée (group it-staff) : pas de verrouillage automatique",
                                          "Exempt session (group it-staff): no automatic lock")));
        TrayController plain(m_host, TrayConfig{}, m_inspector);
        plain.onStatus(withCard());
        QVERIFY(!plain.toolTip().contains(t("exemptée", "Exempt")));
    }

    void lockerFailingAtRunTimeIsAnErrorUntilItWorksAgain() {
        // Issue 10: while no locker works (gone, or every attempt failing) the tray says so.
        TrayConfig config;
        TrayController tray(m_host, config, m_inspector);
        GuardStatus failing = withCard();
        failing.lockerWorking = false;
        tray.onStatus(failing);
        QCOMPARE(kindName(tray.iconKind()), kindName(TrayIconKind::Error));
        QVERIFY(tray.toolTip().contains(t("aucun moyen de verrouiller", "no way to lock")));
        tray.onStatus(withCard());
        QCOMPARE(kindName(tray.iconKind()), kindName(TrayIconKind::CardPresent));
    }

    void staleCrlAndRefusedPolicyWarn() {
        TrayConfig config;
        config.crlDir = m_crlDir.path().toStdString();
        config.crlMaxAge = std::chrono::hours{24};
        TrayController fresh(m_host, config, m_inspector);
        fresh.setNow([] { return std::chrono::system_clock::now(); });
        fresh.onStatus(withCard());
        QCOMPARE(kindName(fresh.iconKind()), kindName(TrayIconKind::CardPresent));
        fresh.setNow([] { return std::chrono::system_clock::now() + std::chrono::hours{48}; });
        fresh.onStatus(withCard("1234"));
        QCOMPARE(kindName(fresh.iconKind()), kindName(TrayIconKind::Warning));
        QVERIFY(fresh.toolTip().contains("CRL"));

        TrayConfig refused;
        refused.policyRefused = true;
        TrayController r(m_host, refused, m_inspector);
        r.onStatus(withCard());
        QCOMPARE(kindName(r.iconKind()), kindName(TrayIconKind::Warning));
    }

    void cardIsInspectedOncePerInsertion() {
        auto tray = makeTray();
        tray->onStatus(withCard());
        settle();
        GuardStatus same = withCard();
        same.boundCards.push_back({"Virtual PCD 00 00", "992138450", ""});
        tray->onStatus(same);
        tray->onStatus(withCard());
        settle();
        QCOMPARE(m_inspector->calls, 1);
        GuardStatus none;
        none.session = SessionState::Unlocked;
        tray->onStatus(none);
        tray->onStatus(withCard());
        settle();
        QCOMPARE(m_inspector->calls, 2);
    }

    void expiringCertificateIsAnnouncedOnceAndWarns() {
        m_inspector->next.notAfter = kNow + std::chrono::days{12};
        auto tray = makeTray();
        tray->onStatus(withCard());
        settle();
        QCOMPARE(kindName(tray->iconKind()), kindName(TrayIconKind::Warning));
        QCOMPARE(m_notes.size(), 1);
        QVERIFY2(m_notes[0].contains(t("expire dans 12 jour", "expires in 12 days")), qPrintable(m_notes[0]));
        GuardStatus none;
        none.session = SessionState::Unlocked;
        tray->onStatus(none);
        tray->onStatus(withCard());
        settle();
        QCOMPARE(m_notes.size(), 1);
    }

    void certificateValidFor31DaysIsNotAnnounced() {
        m_inspector->next.notAfter = kNow + std::chrono::days{31};
        auto tray = makeTray();
        tray->onStatus(withCard());
        settle();
        QCOMPARE(kindName(tray->iconKind()), kindName(TrayIconKind::CardPresent));
        QVERIFY(m_notes.isEmpty());
    }

    void idleCountdownIsAnnouncedOnceAndCancelled() {
        auto tray = makeTray();
        tray->onStatus(withCard());
        tray->onIdleWarning(30s);
        tray->onIdleWarning(29s);
        tray->onIdleWarning(28s);
        QCOMPARE(m_notes.size(), 1);
        QVERIFY2(m_notes[0].contains(t("verrouillée dans 30 s", "locks in 30 s")), qPrintable(m_notes[0]));
        QVERIFY(tray->toolTip().contains("28 s"));
        tray->onIdleWarning(std::nullopt); // any input cancels it
        QVERIFY(!tray->toolTip().contains("28 s"));
        tray->onIdleWarning(30s);
        QCOMPARE(m_notes.size(), 2);
    }

    void idleLockWithTheCardInsideRemindsTheCard() {
        auto tray = makeTray();
        tray->onStatus(withCard());
        GuardStatus locked = withCard();
        locked.session = SessionState::Locked;
        locked.lastLockReason = LockReason::Idle;
        tray->onStatus(locked);
        QCOMPARE(m_notes.size(), 1);
        QVERIFY(m_notes[0].contains(t("N'oubliez pas votre carte CPS", "Don't forget your CPS card")));

        // Locked by card removal, or idle with no card: nothing to remind.
        auto other = makeTray();
        m_notes.clear();
        GuardStatus idleNoCard;
        idleNoCard.session = SessionState::Unlocked;
        other->onStatus(idleNoCard);
        idleNoCard.session = SessionState::Locked;
        idleNoCard.lastLockReason = LockReason::Idle;
        other->onStatus(idleNoCard);
        QVERIFY(m_notes.isEmpty());
    }

    void lockNowAsksTheCore() {
        auto tray = makeTray();
        tray->lockAction()->trigger();
        QCOMPARE(m_host.calls, (std::vector<std::string>{"lock:user-request"}));
    }

    void lostCardLocksThenBlocksThenAuditsThenShowsContacts() {
        auto tray = makeTray();
        GuardStatus bound = withCard();
        bound.boundCards.push_back({"Virtual PCD 00 00", "992138450", ""});
        tray->onStatus(bound);
        settle();
        tray->lostCardAction()->trigger();

        QCOMPARE(m_confirmed.size(), std::size_t{1});
        QCOMPARE(m_confirmed[0].card.serial, std::string("992138450"));
        QCOMPARE(m_confirmed[0].card.certSha256, std::string(kSha)); // from inspect(): PAM gave none
        QCOMPARE(m_host.calls, (std::vector<std::string>{"lock:lost-card", "audit:card-reported-lost"}));
        const AuditRecord& r = m_host.records[0];
        QCOMPARE(r.field("serial"), std::string("992138450"));
        QCOMPARE(r.field("sha256"), std::string(kSha));
        QCOMPARE(r.field("user"), std::string("dr.martin"));

        QCOMPARE(r.field("report"), std::string("cpslockd"));
        QCOMPARE(m_reported, std::vector<std::string>{"992138450"});

        LostCardResultDialog* dialog = tray->lostCardResult();
        QVERIFY(dialog != nullptr);
        QVERIFY(dialog->isVisible());
        QVERIFY(dialog->statusText().contains(t("ne peut plus ouvrir ce poste", "can no longer open this PC")));
        QVERIFY(dialog->contactsText().contains("0 825 852 000"));
        QVERIFY(dialog->contactsText().contains("https://esante.gouv.fr/assistance"));
        QVERIFY(dialog->contactsText().contains("TOPS"));
        QVERIFY(dialog->contactsText().contains(t("code de déblocage", "unblocking code")));
        QCOMPARE(dialog->cardNumber(), QString("992138450"));
        QCOMPARE(dialog->holderName(), QString("Jean DUPONT"));
        dialog->close();
    }

    void lostCardWorksAfterTheCardLeft() {
        auto tray = makeTray();
        GuardStatus bound = withCard();
        bound.boundCards.push_back({"Virtual PCD 00 00", "992138450", kSha});
        tray->onStatus(bound);
        settle();
        // The card left, the session locked (binding dropped), then was opened again another way.
        GuardStatus gone;
        gone.session = SessionState::Locked;
        tray->onStatus(gone);
        gone.session = SessionState::Unlocked;
        tray->onStatus(gone);

        tray->reportLostCard();
        QCOMPARE(m_confirmed.at(0).card.serial, std::string("992138450"));
        QCOMPARE(m_confirmed.at(0).holderName, std::string("Jean DUPONT"));
        QCOMPARE(m_reported, std::vector<std::string>{"992138450"});
        QCOMPARE(m_host.calls.front(), std::string("lock:lost-card"));
        tray->lostCardResult()->close();
    }

    void lostCardWithoutCpslockdStillLocksAndAuditsAndSaysSo() {
        auto tray = makeTray(false);
        GuardStatus bound = withCard();
        bound.boundCards.push_back({"Virtual PCD 00 00", "992138450", kSha});
        tray->onStatus(bound);
        settle();
        tray->reportLostCard();
        QCOMPARE(m_host.calls, (std::vector<std::string>{"lock:lost-card", "audit:card-reported-lost"}));
        QCOMPARE(m_host.records[0].severity, AuditRecord::Severity::Error);
        QVERIFY(m_host.records[0].field("error").find("missing") != std::string::npos);
        LostCardResultDialog* dialog = tray->lostCardResult();
        QVERIFY(dialog != nullptr);
        QVERIFY2(dialog->statusText().contains(t("n'a PAS pu être bloquée", "could NOT be blocked")),
                 qPrintable(dialog->statusText()));
        QVERIFY(dialog->contactsText().contains("0 825 852 000"));
        QCOMPARE(dialog->cardNumber(), QString("992138450"));
        dialog->close();
    }

    void cancelledReportDoesNothing() {
        auto tray = makeTray();
        GuardStatus bound = withCard();
        bound.boundCards.push_back({"Virtual PCD 00 00", "992138450", kSha});
        tray->onStatus(bound);
        m_confirmAnswer = false;
        tray->reportLostCard();
        QVERIFY(m_host.calls.empty());
        QVERIFY(m_reported.empty());
        QVERIFY(tray->lostCardResult() == nullptr);
    }

    void severalUnboundCardsAreNotGuessed() {
        auto tray = makeTray();
        GuardStatus two = withCard();
        two.cards.push_back({"Virtual PCD 00 01", CardKind::Cps4, "555"});
        tray->onStatus(two);
        tray->reportLostCard();
        QVERIFY(m_confirmed.at(0).card.serial.empty());
        // Still locks and audits; nothing can be blocked without a number.
        QCOMPARE(m_host.calls, (std::vector<std::string>{"lock:lost-card", "audit:card-reported-lost"}));
        QVERIFY(m_reported.empty());
        tray->lostCardResult()->close();
    }

    void policyReloadReachesTheContactsAndTheReporter() {
        auto tray = makeTray();
        std::vector<std::string> other;
        tray->setConfigSource([&] {
            TrayConfig c;
            c.reportLost = [&other](const std::string& serial) {
                other.push_back(serial);
                return LostCardReportResult(std::string("cpslockd"));
            };
            c.contacts = {"01 23 45 67 89", "https://support.example.fr", "Service informatique."};
            c.user = "dr.martin";
            return c;
        });
        GuardStatus bound = withCard();
        bound.boundCards.push_back({"Virtual PCD 00 00", "992138450", kSha});
        tray->onStatus(bound);
        tray->reportLostCard();
        QVERIFY(tray->lostCardResult()->contactsText().contains("01 23 45 67 89"));
        QVERIFY(!tray->lostCardResult()->contactsText().contains("0 825 852 000"));
        QCOMPARE(other, std::vector<std::string>{"992138450"});
        QVERIFY(m_reported.empty());
        tray->lostCardResult()->close();
    }

    void confirmationDialogNamesTheCard() {
        LostCardTarget target;
        target.card.serial = "992138450";
        target.holderName = "Jean DUPONT";
        LostCardConfirmDialog dialog(target);
        QVERIFY(dialog.message().contains("992138450"));
        QVERIFY(dialog.message().contains("Jean DUPONT"));
        QVERIFY(dialog.message().contains(t("verrouillée immédiatement", "locked at once")));
        QCOMPARE(dialog.confirmButton()->text(), t("Signaler et verrouiller", "Report and lock"));
        QTimer::singleShot(0, dialog.confirmButton(), &QPushButton::click);
        QCOMPARE(dialog.exec(), int(QDialog::Accepted));
    }

    void diagnosticsShowWhatTheAgentUses() {
        auto tray = makeTray();
        GuardStatus bound = withCard();
        bound.boundCards.push_back({"Virtual PCD 00 00", "992138450", kSha});
        tray->onStatus(bound);
        settle();
        tray->diagnosticsAction()->trigger();
        DiagnosticsDialog* dialog = tray->diagnostics();
        QVERIFY(dialog != nullptr);
        const QString text = dialog->text();
        QVERIFY2(text.contains("Virtual PCD 00 00") && text.contains("992138450") && text.contains("Jean DUPONT"),
                 qPrintable(text));
        QVERIFY(text.contains("opensc-pkcs11.so"));
        QVERIFY(text.contains("/etc/cpslock/policy.toml"));
        QVERIFY(text.contains(t("Liste de révocation (CRL) : mise à jour il y a", "Revocation list (CRL): updated")));
        QVERIFY(text.contains(t("Verrouillage : logind", "Lock backend: logind")));
        QVERIFY(text.contains(t("carte insérée dans Virtual PCD 00 00", "card inserted in Virtual PCD 00 00")));
        dialog->close();
    }

private:
    bool m_english;
    RecordingHost m_host;
    std::shared_ptr<FakeInspector> m_inspector;
    QStringList m_notes;
    std::vector<LostCardTarget> m_confirmed;
    bool m_confirmAnswer = true;
    std::vector<std::string> m_reported; ///< serials the fake cpslockd took
    QTemporaryDir m_crlDir;
};

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setQuitOnLastWindowClosed(false);
    int failures = 0;
    {
        QLocale::setDefault(QLocale(QLocale::French, QLocale::France));
        if (installTrayTranslator(QLocale()) != nullptr)
            return 99; // French must use the source strings
        TrayControllerTest french(false);
        failures += QTest::qExec(&french, argc, argv);
    }
    {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedKingdom));
        QTranslator* english = installTrayTranslator(QLocale());
        if (english == nullptr) {
            qCritical("the English translation did not load");
            return 98;
        }
        TrayControllerTest en(true);
        failures += QTest::qExec(&en, argc, argv);
    }
    return failures;
}

#include "TrayControllerTest.moc"
