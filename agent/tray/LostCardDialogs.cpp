// SPDX-License-Identifier: EUPL-1.2
#include "agent/tray/LostCardDialogs.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace cpslock::agent {

namespace {

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

/// A read-only field with a "Copy" button next to it.
QLineEdit* addCopyRow(QFormLayout* form, const QString& label, const QString& value, const QString& copyText,
                      QWidget* parent) {
    auto* row = new QWidget(parent);
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* field = new QLineEdit(value, row);
    field->setReadOnly(true);
    auto* copy = new QPushButton(copyText, row);
    copy->setEnabled(!value.isEmpty());
    QObject::connect(copy, &QPushButton::clicked, row, [field] { QApplication::clipboard()->setText(field->text()); });
    layout->addWidget(field);
    layout->addWidget(copy);
    form->addRow(label, row);
    return field;
}

} // namespace

LostCardConfirmDialog::LostCardConfirmDialog(const LostCardTarget& target, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Carte CPS perdue ou volée"));
    auto* layout = new QVBoxLayout(this);
    QString who;
    if (target.card.serial.empty())
        who = tr("Aucune carte n'est associée à cette session : le numéro de carte n'est pas connu.");
    else if (target.holderName.empty())
        who = tr("Carte n° %1").arg(q(target.card.serial));
    else
        who = tr("Carte n° %1 de %2").arg(q(target.card.serial), q(target.holderName));
    m_message = new QLabel(tr("Signaler la perte ou le vol de votre carte CPS ?") + "\n\n" + who + "\n\n" +
                               tr("La session sera verrouillée immédiatement et cette carte ne pourra plus "
                                  "ouvrir ce poste. Vous devrez aussi faire opposer la carte (les numéros "
                                  "à appeler s'affichent ensuite)."),
                           this);
    m_message->setWordWrap(true);
    layout->addWidget(m_message);
    auto* buttons = new QDialogButtonBox(this);
    m_confirm = buttons->addButton(tr("Signaler et verrouiller"), QDialogButtonBox::AcceptRole);
    buttons->addButton(tr("Annuler"), QDialogButtonBox::RejectRole);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

QString LostCardConfirmDialog::message() const {
    return m_message->text();
}

LostCardResultDialog::LostCardResultDialog(const LostCardOutcome& outcome, const LostCardContacts& contacts,
                                           QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Carte CPS perdue ou volée : que faire maintenant"));
    setAttribute(Qt::WA_DeleteOnClose);
    auto* layout = new QVBoxLayout(this);

    QStringList status;
    status << (outcome.lockRequested ? tr("✔ La session a été verrouillée.")
                                     : tr("✘ La session n'a pas pu être verrouillée."));
    if (outcome.report) {
        status << tr("✔ Cette carte ne peut plus ouvrir ce poste.");
    } else {
        status << tr("✘ La carte n'a PAS pu être bloquée sur ce poste. Appelez sans attendre les numéros "
                     "ci-dessous pour la faire opposer.");
    }
    status << tr("✔ L'événement a été enregistré dans le journal.");
    m_status = new QLabel(status.join("\n"), this);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    auto* form = new QFormLayout;
    m_number = addCopyRow(form, tr("Numéro de carte :"), q(outcome.target.card.serial), tr("Copier"), this);
    m_holder = addCopyRow(form, tr("Titulaire :"), q(outcome.target.holderName), tr("Copier"), this);
    layout->addLayout(form);

    // A scrolling, selectable box: the policy's text may be long, and every number must be copyable.
    QStringList html;
    html << QStringLiteral("<p><b>%1</b></p>").arg(tr("Faites opposer la carte sans attendre :").toHtmlEscaped());
    html << QStringLiteral("<p>") +
                tr("• Téléphone : %1 (ayez le code de déblocage de la carte à portée de main)")
                    .arg(QStringLiteral("<b>%1</b>").arg(q(contacts.phone).toHtmlEscaped())) +
                QStringLiteral("<br>") +
                tr("• Assistance en ligne : %1")
                    .arg(QStringLiteral("<a href=\"%1\">%1</a>").arg(q(contacts.web).toHtmlEscaped())) +
                QStringLiteral("</p>");
    // The policy's text is "French / English": one paragraph each.
    for (const QString& part : q(contacts.text).split(QStringLiteral(" / "), Qt::SkipEmptyParts))
        html << QStringLiteral("<p>%1</p>").arg(part.trimmed().toHtmlEscaped());
    m_contacts = new QTextBrowser(this);
    m_contacts->setOpenExternalLinks(true);
    m_contacts->setHtml(html.join(QString()));
    m_contacts->setMinimumHeight(160);
    layout->addWidget(m_contacts, 1);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->button(QDialogButtonBox::Close)->setText(tr("Fermer"));
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    setMinimumWidth(520);
}

QString LostCardResultDialog::statusText() const {
    return m_status->text();
}
QString LostCardResultDialog::contactsText() const {
    return m_contacts->toPlainText();
}
QString LostCardResultDialog::cardNumber() const {
    return m_number->text();
}
QString LostCardResultDialog::holderName() const {
    return m_holder->text();
}

} // namespace cpslock::agent
