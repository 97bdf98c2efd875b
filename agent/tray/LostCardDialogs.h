// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "agent/tray/LostCardFlow.h"

#include <QDialog>
#include <QString>

class QLabel;
class QLineEdit;
class QPushButton;
class QTextBrowser;

namespace cpslock::agent {

/// Who to call, from the policy's [lost_card] (defaults: ANS support, docs/reference/cps-cards.md).
struct LostCardContacts {
    std::string phone;
    std::string web;
    std::string text; ///< French first, then English
};

/// The one confirmation before the loss report.
class LostCardConfirmDialog final : public QDialog {
    Q_OBJECT
public:
    explicit LostCardConfirmDialog(const LostCardTarget& target, QWidget* parent = nullptr);
    QString message() const;
    QPushButton* confirmButton() const { return m_confirm; }

private:
    QLabel* m_message = nullptr;
    QPushButton* m_confirm = nullptr;
};

/// What happened and what to do next, with the card number and holder ready to copy.
class LostCardResultDialog final : public QDialog {
    Q_OBJECT
public:
    LostCardResultDialog(const LostCardOutcome& outcome, const LostCardContacts& contacts, QWidget* parent = nullptr);
    QString statusText() const;
    QString contactsText() const;
    QString cardNumber() const;
    QString holderName() const;

private:
    QLabel* m_status = nullptr;
    QTextBrowser* m_contacts = nullptr;
    QLineEdit* m_number = nullptr;
    QLineEdit* m_holder = nullptr;
};

} // namespace cpslock::agent
