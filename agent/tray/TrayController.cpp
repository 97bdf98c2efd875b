// SPDX-License-Identifier: EUPL-1.2
#include "agent/tray/TrayController.h"
#include "core/Version.h"

#include <QAction>
#include <QCoreApplication>
#include <QCursor>
#include <QDateTime>
#include <QIcon>
#include <QLocale>
#include <QMessageBox>
#include <QThreadPool>
#include <QTranslator>

#include <spdlog/spdlog.h>

#include <algorithm>

namespace cpslock::agent {

namespace {

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

bool french() {
    return QLocale().language() == QLocale::French;
}

QString localized(const LocalizedText& text) {
    return QString::fromUtf8(french() ? text.fr.data() : text.en.data(),
                             static_cast<qsizetype>(french() ? text.fr.size() : text.en.size()));
}

constexpr int kMaxEvents = 20;

} // namespace

QTranslator* installTrayTranslator(const QLocale& locale) {
    if (locale.language() == QLocale::French || QCoreApplication::instance() == nullptr)
        return nullptr;
    auto* translator = new QTranslator(QCoreApplication::instance());
    if (!translator->load(QStringLiteral(":/i18n/cpslock_en.qm"))) {
        delete translator;
        return nullptr;
    }
    QCoreApplication::installTranslator(translator);
    return translator;
}

TrayController::TrayController(TrayHost& host, TrayConfig config, std::shared_ptr<CardInspector> inspector,
                               QObject* parent)
    : QObject(parent), m_host(host), m_config(std::move(config)), m_inspector(std::move(inspector)) {
    m_executor = [](std::function<void()> job) { QThreadPool::globalInstance()->start(std::move(job)); };
    m_notifier = [this](const QString& title, const QString& body) {
        m_icon.showMessage(title, body, m_icon.icon(), 15000);
    };
    m_confirm = [](const LostCardTarget& target) {
        LostCardConfirmDialog dialog(target);
        return dialog.exec() == QDialog::Accepted;
    };
    m_now = [] { return std::chrono::system_clock::now(); };

    m_lockAction = m_menu.addAction(tr("Verrouiller maintenant"), this, &TrayController::lockNow);
    m_lostAction =
        m_menu.addAction(tr("Signaler la perte ou le vol de ma carte…"), this, &TrayController::reportLostCard);
    m_menu.addSeparator();
    m_diagAction = m_menu.addAction(tr("État et diagnostic…"), this, &TrayController::showDiagnostics);
    m_aboutAction = m_menu.addAction(tr("À propos"), this, &TrayController::showAbout);
    m_icon.setContextMenu(&m_menu);
    // A left click opens the menu too: the menu is the whole interface.
    connect(&m_icon, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason != QSystemTrayIcon::Trigger)
            return;
        // Just under the icon when the tray host tells where it is, so the icon stays visible.
        const QRect where = m_icon.geometry();
        m_menu.popup(where.isValid() ? where.bottomLeft() + QPoint(0, 1) : QCursor::pos());
    });

    refresh();
}

TrayController::~TrayController() {
    m_icon.hide();
}

void TrayController::show() {
    m_icon.show();
}

void TrayController::addEvent(const QString& text) {
    m_events << QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss ")) + text;
    while (m_events.size() > kMaxEvents)
        m_events.removeFirst();
}

void TrayController::reloadConfig() {
    if (m_configSource)
        m_config = m_configSource();
}

void TrayController::onStatus(const GuardStatus& status) {
    reloadConfig();
    const GuardStatus before = m_status;
    m_status = status;

    for (const auto& c : status.cards) {
        if (std::find(before.cards.begin(), before.cards.end(), c) == before.cards.end()) {
            addEvent(tr("carte insérée dans %1 (%2)").arg(q(c.reader), q(std::string(toString(c.kind)))));
            if (isContactCps(c.kind) && !c.serial.empty())
                inspect(c);
        }
    }
    for (const auto& c : before.cards) {
        if (std::find(status.cards.begin(), status.cards.end(), c) == status.cards.end())
            addEvent(tr("carte retirée de %1").arg(q(c.reader)));
    }
    if (before.session != status.session) {
        if (status.session == SessionState::Locked)
            addEvent(tr("session verrouillée") +
                     (status.lastLockReason ? QStringLiteral(" (") + q(std::string(toString(*status.lastLockReason))) +
                                                  QStringLiteral(")")
                                            : QString()));
        else if (status.session == SessionState::Unlocked)
            addEvent(tr("session ouverte"));
    }
    if (before.serviceUp != status.serviceUp)
        addEvent(status.serviceUp ? tr("service des cartes à puce rétabli") : tr("service des cartes à puce perdu"));

    for (const auto& b : status.boundCards) {
        if (!b.serial.empty()) {
            m_lastBound = b;
            break;
        }
    }

    if (shouldRemindCard(before, status))
        notify(tr("Session verrouillée"), localized(cardReminderMessage()));
    refresh();
}

void TrayController::onIdleWarning(std::optional<std::chrono::milliseconds> remaining) {
    const bool first = remaining && !m_idleRemaining;
    m_idleRemaining = remaining;
    if (first) {
        const auto seconds = (remaining->count() + 999) / 1000;
        notify(tr("Verrouillage pour inactivité"),
               tr("La session sera verrouillée dans %1 s. Bougez la souris ou appuyez sur une touche pour "
                  "continuer.")
                   .arg(seconds));
    }
    refresh();
}

void TrayController::inspect(const PresentCard& card) {
    if (!m_inspector)
        return;
    QPointer<TrayController> self(this);
    auto inspector = m_inspector;
    auto policy = m_config.policy;
    const std::string reader = card.reader;
    const std::string serial = card.serial;
    m_executor([self, inspector, policy, reader, serial] {
        const CardSummary summary = inspector->inspect(policy, reader, serial);
        // Back to the UI thread; dropped when the tray is gone.
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [self, summary] {
                if (self)
                    self->onInspected(summary);
            },
            Qt::QueuedConnection);
    });
}

void TrayController::onInspected(const CardSummary& summary) {
    if (summary.serial.empty())
        return;
    spdlog::debug("tray: card {} inspected: {}", summary.serial,
                  summary.error.empty() ? (summary.certSha256.empty() ? "no certificate" : "certificate read")
                                        : summary.error);
    m_summaries[summary.serial] = summary;
    if (summary.notAfter && expiresSoon(*summary.notAfter, m_now()) && m_expiryNotified.insert(summary.serial).second) {
        const int days = daysLeft(*summary.notAfter, m_now());
        notify(tr("Carte CPS bientôt expirée"),
               tr("Le certificat de votre carte CPS expire dans %n jour(s) : commandez une nouvelle carte "
                  "sur le portail maCarte.",
                  nullptr, days));
    }
    refresh();
}

std::optional<CardSummary> TrayController::summary(const std::string& serial) const {
    const auto it = m_summaries.find(serial);
    return it == m_summaries.end() ? std::nullopt : std::optional<CardSummary>(it->second);
}

void TrayController::refresh() {
    // The locker set is followed at run time (a locker can leave or come back): the status says now.
    m_conditions.lockerAvailable = m_config.lockerAvailable && m_status.lockerWorking;
    m_conditions.policyRefused = m_config.policyRefused;
    m_conditions.certExpiringSoon = false;
    m_conditions.cardRefused = false;
    for (const auto& c : m_status.cards) {
        const auto it = m_summaries.find(c.serial);
        if (c.serial.empty() || it == m_summaries.end())
            continue;
        if (it->second.notAfter && expiresSoon(*it->second.notAfter, m_now()))
            m_conditions.certExpiringSoon = true;
        if (!it->second.refusalFr.empty())
            m_conditions.cardRefused = true;
    }
    if (!m_config.crlDir.empty() && m_config.crlMaxAge.count() > 0) {
        const auto crlAge = newestFileAge(m_config.crlDir, m_now());
        m_conditions.crlStale = !crlAge || *crlAge > m_config.crlMaxAge;
    }
    const TrayIconKind kind = trayIconKind(m_status, m_conditions);
    if (kind != m_kind || !m_iconSet)
        spdlog::debug("tray: icon {}", toString(kind));
    m_iconSet = true;
    m_kind = kind;
    m_icon.setIcon(
        QIcon(QString::fromUtf8(iconResource(m_kind).data(), static_cast<qsizetype>(iconResource(m_kind).size()))));
    m_icon.setToolTip(buildToolTip());
}

QString TrayController::buildToolTip() const {
    QStringList lines;
    lines << QStringLiteral("cpslock");
    if (!m_conditions.lockerAvailable)
        lines << tr("Erreur : aucun moyen de verrouiller la session");
    if (!m_status.serviceUp)
        lines << tr("Erreur : le service des cartes à puce (pcscd) ne répond pas");
    if (m_status.session == SessionState::Locked)
        lines << tr("Session verrouillée");
    if (m_idleRemaining)
        lines << tr("Verrouillage pour inactivité dans %1 s").arg((m_idleRemaining->count() + 999) / 1000);
    if (m_conditions.policyRefused)
        lines << tr("Attention : la politique a été refusée (valeurs par défaut en vigueur)");
    if (!m_config.exemption.empty())
        lines << tr("Session exemptée (%1) : pas de verrouillage automatique").arg(q(m_config.exemption));
    if (m_conditions.crlStale)
        lines << tr("Attention : la liste de révocation (CRL) n'est pas à jour");
    bool anyCard = false;
    for (const auto& c : m_status.cards) {
        if (!isContactCps(c.kind))
            continue;
        anyCard = true;
        const auto it = m_summaries.find(c.serial);
        if (it != m_summaries.end() && !it->second.holderName.empty()) {
            const CardSummary& s = it->second;
            lines << tr("Carte CPS : %1").arg(q(s.holderName)) +
                         (s.profession.empty() ? QString() : QStringLiteral(", ") + q(s.profession));
        } else {
            lines << tr("Carte CPS n° %1").arg(q(c.serial));
        }
        lines << tr("Lecteur : %1").arg(q(c.reader));
        if (it != m_summaries.end()) {
            const CardSummary& s = it->second;
            if (!s.refusalFr.empty())
                lines << tr("Attention : %1").arg(q(french() ? s.refusalFr : s.refusalEn));
            else if (s.notAfter && expiresSoon(*s.notAfter, m_now()))
                lines << tr("Attention : le certificat expire dans %n jour(s)", nullptr,
                            daysLeft(*s.notAfter, m_now()));
        }
    }
    if (!anyCard && m_status.serviceUp)
        lines << tr("Aucune carte CPS");
    return lines.join('\n');
}

void TrayController::notify(const QString& title, const QString& body) {
    addEvent(title);
    if (m_notifier)
        m_notifier(title, body);
}

void TrayController::lockNow() {
    addEvent(tr("verrouillage demandé depuis le menu"));
    m_host.requestLock(LockReason::UserRequest);
}

LostCardTarget TrayController::currentLossTarget() const {
    LostCardTarget t;
    t.card = lossTarget(m_status, m_lastBound);
    if (const auto it = m_summaries.find(t.card.serial); !t.card.serial.empty() && it != m_summaries.end()) {
        if (t.card.certSha256.empty())
            t.card.certSha256 = it->second.certSha256;
        t.holderName = it->second.holderName;
    }
    return t;
}

void TrayController::reportLostCard() {
    reloadConfig();
    const LostCardTarget target = currentLossTarget();
    if (!m_confirm(target))
        return;
    const LostCardOutcome outcome = agent::reportLostCard(m_host, target, m_config.reportLost, m_config.user);
    addEvent(outcome.report ? tr("carte n° %1 déclarée perdue, bloquée sur ce poste").arg(q(target.card.serial))
                            : tr("carte n° %1 déclarée perdue, NON bloquée : %2")
                                  .arg(q(target.card.serial), q(outcome.report.error().message)));
    if (m_lostResult)
        m_lostResult->close();
    m_lostResult = new LostCardResultDialog(outcome, m_config.contacts);
    m_lostResult->show();
}

DiagnosticsInfo TrayController::diagnosticsInfo() const {
    DiagnosticsInfo info;
    info.status = m_status;
    info.cards = m_summaries;
    info.pkcs11Modules = m_config.pkcs11Modules;
    info.policyDescription = m_config.policyDescription;
    info.policyRefused = m_config.policyRefused;
    info.crlDir = m_config.crlDir;
    info.crlAge = newestFileAge(m_config.crlDir, m_now());
    info.crlMaxAge = m_config.crlMaxAge;
    info.lockers = m_config.lockers;
    info.idleSource = m_config.idleSource;
    info.audit = m_config.audit;
    info.lostReportsDir = m_config.reportDestination;
    info.lastEvents = m_events;
    return info;
}

void TrayController::showDiagnostics() {
    reloadConfig();
    if (m_diagnostics)
        m_diagnostics->close();
    m_diagnostics = new DiagnosticsDialog(diagnosticsInfo());
    m_diagnostics->show();
}

void TrayController::showAbout() {
    auto* box = new QMessageBox(QMessageBox::Information, tr("À propos de cpslock"),
                                tr("cpslock %1\n\nVerrouille la session quand la carte CPS quitte le lecteur, "
                                   "après une inactivité, ou sur demande.\nLes cartes, le verrouillage et la "
                                   "politique du poste : menu « État et diagnostic… ».")
                                    .arg(QStringLiteral(CPSLOCK_VERSION)));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->show();
}

} // namespace cpslock::agent
