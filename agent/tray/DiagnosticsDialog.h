// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "agent/tray/CardInspector.h"
#include "core/GuardActions.h"

#include <QDialog>
#include <QString>
#include <QStringList>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

class QPlainTextEdit;

namespace cpslock::agent {

/// Everything "État et diagnostic…" shows.
struct DiagnosticsInfo {
    GuardStatus status;
    std::map<std::string, CardSummary> cards; ///< by serial, from inspect()
    std::vector<std::string> pkcs11Modules;
    std::string policyDescription;
    bool policyRefused = false;
    std::string crlDir;
    std::optional<std::chrono::seconds> crlAge; ///< newest file in crlDir; empty: none found
    std::chrono::seconds crlMaxAge{0};
    std::string lockers; ///< usable lockers, empty: none
    std::string idleSource;
    std::string audit;
    std::string lostReportsDir;
    QStringList lastEvents; ///< newest last
};

/// Age of the newest regular file in `dir` (the CRL folder); empty when there is none.
std::optional<std::chrono::seconds> newestFileAge(const std::string& dir, std::chrono::system_clock::time_point now);

class DiagnosticsDialog final : public QDialog {
    Q_OBJECT
public:
    explicit DiagnosticsDialog(const DiagnosticsInfo& info, QWidget* parent = nullptr);
    /// The report as plain text, in the current language (also what "Copier" puts on the clipboard).
    static QString buildText(const DiagnosticsInfo& info);
    QString text() const;

private:
    QPlainTextEdit* m_text = nullptr;
};

} // namespace cpslock::agent
