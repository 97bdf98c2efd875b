// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "agent/tray/CardInspector.h"
#include "agent/tray/DiagnosticsDialog.h"
#include "agent/tray/LostCardDialogs.h"
#include "agent/tray/LostCardFlow.h"
#include "agent/tray/TrayHost.h"
#include "agent/tray/TrayState.h"

#include <QMenu>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QSystemTrayIcon>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace cpslock::policy {
struct Policy;
}

class QAction;
class QLocale;
class QTranslator;

namespace cpslock::agent {

/// What the tray shows that does not change while it runs (from AgentSetup and the policy).
struct TrayConfig {
    std::shared_ptr<const policy::Policy> policy; ///< for card inspection
    bool lockerAvailable = true;
    std::string lockers;
    std::string idleSource;
    std::string audit;
    std::string policyDescription = "built-in defaults";
    bool policyRefused = false;
    std::vector<std::string> pkcs11Modules;
    std::string crlDir;
    std::chrono::seconds crlMaxAge{0};
    LostCardReporter reportLost;   ///< cpslockd's report-lost (tests: a fake)
    std::string reportDestination; ///< where reports go, for the diagnostics
    LostCardContacts contacts;
    std::string user;      ///< the local account (loss report, audit)
    std::string exemption; ///< "user X" / "group Y" when the policy exempts this session, else empty
};

/// The tray icon of cpslock-agent: icon and tooltip from the guard's status, the menu (lock now, report
/// a lost card, status and diagnostics, about), and notifications (idle countdown, "take your card",
/// certificate expiring). All on the UI thread; card inspection runs through `executor`.
///
///     TrayController tray(host, config, makeCardInspector(daemonSocket));
///     core.setStatusHandler([&](const GuardStatus& s) { tray.onStatus(s); });
///     core.setIdleWarningHandler([&](auto remaining) { tray.onIdleWarning(remaining); });
///     tray.show();
class TrayController final : public QObject {
    Q_OBJECT
public:
    using Executor = std::function<void(std::function<void()>)>;
    using Notifier = std::function<void(const QString& title, const QString& body)>;
    using Confirm = std::function<bool(const LostCardTarget&)>;
    using Now = std::function<std::chrono::system_clock::time_point()>;

    TrayController(TrayHost& host, TrayConfig config, std::shared_ptr<CardInspector> inspector,
                   QObject* parent = nullptr);
    ~TrayController() override;

    void show();
    void onStatus(const GuardStatus& status);
    void onIdleWarning(std::optional<std::chrono::milliseconds> remaining);

    // Menu actions (also what the menu entries trigger).
    void lockNow();
    void reportLostCard();
    void showDiagnostics();
    void showAbout();

    /// Tests: run inspections inline, capture notifications, answer the confirmation, fix the date.
    void setExecutor(Executor executor) { m_executor = std::move(executor); }
    void setNotifier(Notifier notifier) { m_notifier = std::move(notifier); }
    void setConfirm(Confirm confirm) { m_confirm = std::move(confirm); }
    void setNow(Now now) { m_now = std::move(now); }
    /// Re-read the configuration (policy reloads) before each use; without it the constructor's stays.
    void setConfigSource(std::function<TrayConfig()> source) { m_configSource = std::move(source); }

    QMenu* menu() { return &m_menu; }
    QAction* lockAction() const { return m_lockAction; }
    QAction* lostCardAction() const { return m_lostAction; }
    QAction* diagnosticsAction() const { return m_diagAction; }
    QAction* aboutAction() const { return m_aboutAction; }
    QSystemTrayIcon& trayIcon() { return m_icon; }
    TrayIconKind iconKind() const { return m_kind; }
    QString toolTip() const { return m_icon.toolTip(); }
    const TrayConditions& conditions() const { return m_conditions; }
    LostCardResultDialog* lostCardResult() const { return m_lostResult.data(); }
    DiagnosticsDialog* diagnostics() const { return m_diagnostics.data(); }
    DiagnosticsInfo diagnosticsInfo() const;
    std::optional<CardSummary> summary(const std::string& serial) const;

private:
    void inspect(const PresentCard& card);
    void onInspected(const CardSummary& summary);
    void refresh();
    void notify(const QString& title, const QString& body);
    void addEvent(const QString& text);
    QString buildToolTip() const;
    LostCardTarget currentLossTarget() const;
    void reloadConfig();

    TrayHost& m_host;
    TrayConfig m_config;
    std::function<TrayConfig()> m_configSource;
    std::shared_ptr<CardInspector> m_inspector;
    Executor m_executor;
    Notifier m_notifier;
    Confirm m_confirm;
    Now m_now;

    QSystemTrayIcon m_icon;
    QMenu m_menu;
    QAction* m_lockAction = nullptr;
    QAction* m_lostAction = nullptr;
    QAction* m_diagAction = nullptr;
    QAction* m_aboutAction = nullptr;

    GuardStatus m_status;
    TrayConditions m_conditions;
    TrayIconKind m_kind = TrayIconKind::NoCard;
    bool m_iconSet = false;
    std::map<std::string, CardSummary> m_summaries; ///< by serial
    std::set<std::string> m_expiryNotified;         ///< serials already told about
    std::optional<BoundCard> m_lastBound;           ///< the session's card, kept after it left
    std::optional<std::chrono::milliseconds> m_idleRemaining;
    QStringList m_events;
    QPointer<LostCardResultDialog> m_lostResult;
    QPointer<DiagnosticsDialog> m_diagnostics;
};

/// French when the locale's language is French (the source strings), else English: installs the
/// translator built from agent/translations/cpslock_en.ts (child of qApp) and returns it; nullptr for
/// French or when the translation cannot be loaded.
QTranslator* installTrayTranslator(const QLocale& locale);

} // namespace cpslock::agent
