// SPDX-License-Identifier: EUPL-1.2
#include "agent/tray/DiagnosticsDialog.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include <filesystem>
#include <sys/stat.h>

namespace cpslock::agent {

namespace {

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

QString age(std::chrono::seconds s) {
    const auto n = s.count();
    if (n < 3600)
        return DiagnosticsDialog::tr("%1 min").arg(n / 60);
    if (n < 2L * 86400)
        return DiagnosticsDialog::tr("%1 h").arg(n / 3600);
    return DiagnosticsDialog::tr("%1 jours").arg(n / 86400);
}

} // namespace

std::optional<std::chrono::seconds> newestFileAge(const std::string& dir, std::chrono::system_clock::time_point now) {
    namespace fs = std::filesystem;
    std::error_code ec;
    std::optional<std::time_t> newest;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        struct stat st {};
        if (::stat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (!newest || st.st_mtime > *newest)
            newest = st.st_mtime;
    }
    if (!newest)
        return std::nullopt;
    const auto when = std::chrono::system_clock::from_time_t(*newest);
    return std::max(std::chrono::seconds{0}, std::chrono::duration_cast<std::chrono::seconds>(now - when));
}

QString DiagnosticsDialog::buildText(const DiagnosticsInfo& info) {
    QStringList out;
    const auto& st = info.status;
    out << tr("Session : %1")
               .arg(st.session == SessionState::Locked     ? tr("verrouillée")
                    : st.session == SessionState::Unlocked ? tr("ouverte")
                                                           : tr("état inconnu"));
    out << tr("Service des cartes à puce (pcscd) : %1").arg(st.serviceUp ? tr("répond") : tr("NE RÉPOND PAS"));

    out << QString() << tr("Lecteurs et cartes :");
    if (st.cards.empty())
        out << tr("  aucune carte");
    for (const auto& c : st.cards) {
        QString line = QStringLiteral("  %1 : %2").arg(q(c.reader), q(std::string(toString(c.kind))));
        if (!c.serial.empty())
            line += tr(", carte n° %1").arg(q(c.serial));
        if (const auto it = info.cards.find(c.serial); !c.serial.empty() && it != info.cards.end()) {
            const CardSummary& s = it->second;
            if (!s.holderName.empty())
                line += QStringLiteral(", ") + q(s.holderName);
            if (!s.profession.empty())
                line += QStringLiteral(" (") + q(s.profession) + QStringLiteral(")");
            if (!s.error.empty())
                line += tr(", illisible : %1").arg(q(s.error));
        }
        out << line;
    }
    for (const auto& b : st.boundCards)
        out << tr("  carte de la session : n° %1 %2").arg(q(b.serial), b.reader.empty() ? QString() : q(b.reader));

    out << QString()
        << tr("Module PKCS#11 : %1").arg(q(info.pkcs11Modules.empty() ? std::string("-") : info.pkcs11Modules.front()));
    for (std::size_t i = 1; i < info.pkcs11Modules.size(); ++i)
        out << QStringLiteral("  ") + q(info.pkcs11Modules[i]);
    out << tr("Politique : %1 (%2)")
               .arg(q(info.policyDescription),
                    info.policyRefused ? tr("REFUSÉE, valeurs par défaut en vigueur") : tr("appliquée"));
    if (info.crlAge) {
        const bool stale = info.crlMaxAge.count() > 0 && *info.crlAge > info.crlMaxAge;
        out << tr("Liste de révocation (CRL) : mise à jour il y a %1%2")
                   .arg(age(*info.crlAge), stale ? tr(" — TROP ANCIENNE") : QString());
    } else {
        out << tr("Liste de révocation (CRL) : aucune dans %1").arg(q(info.crlDir));
    }
    out << tr("Verrouillage : %1")
               .arg(info.lockers.empty() ? tr("AUCUN moyen de verrouiller la session") : q(info.lockers));
    out << tr("Détection d'inactivité : %1").arg(q(info.idleSource));
    out << tr("Journal d'audit : %1").arg(q(info.audit));
    out << tr("Déclarations de perte : %1").arg(q(info.lostReportsDir));

    out << QString() << tr("Derniers événements :");
    if (info.lastEvents.isEmpty())
        out << tr("  aucun");
    for (const auto& e : info.lastEvents)
        out << QStringLiteral("  ") + e;
    return out.join('\n');
}

DiagnosticsDialog::DiagnosticsDialog(const DiagnosticsInfo& info, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("cpslock : état et diagnostic"));
    setAttribute(Qt::WA_DeleteOnClose);
    auto* layout = new QVBoxLayout(this);
    m_text = new QPlainTextEdit(buildText(info), this);
    m_text->setReadOnly(true);
    layout->addWidget(m_text);
    auto* buttons = new QDialogButtonBox(this);
    auto* copy = buttons->addButton(tr("Copier"), QDialogButtonBox::ActionRole);
    auto* close = buttons->addButton(tr("Fermer"), QDialogButtonBox::RejectRole);
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(m_text->toPlainText()); });
    connect(close, &QPushButton::clicked, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(640, 480);
}

QString DiagnosticsDialog::text() const {
    return m_text->toPlainText();
}

} // namespace cpslock::agent
