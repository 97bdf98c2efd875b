// SPDX-License-Identifier: EUPL-1.2
#include "agent/tray/TrayRuntime.h"

#include "agent/AgentCore.h"
#include "agent/AgentSetup.h"
#include "agent/tray/TrayController.h"
#include "core/UiLanguage.h"
#include "core/policy/Policy.h"

#include <QApplication>
#include <QLocale>
#include <QSystemTrayIcon>

#include <spdlog/spdlog.h>

#include <pwd.h>
#include <unistd.h>

namespace cpslock::agent {

namespace {

class CoreHost final : public TrayHost {
public:
    explicit CoreHost(AgentCore& core) : m_core(core) {}
    void requestLock(LockReason reason) override { m_core.requestLock(reason); }
    void audit(const AuditRecord& record) override { m_core.auditRecord(record); }

private:
    AgentCore& m_core;
};

} // namespace

std::string currentUserName() {
    if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_name != nullptr)
        return pw->pw_name;
    return "uid " + std::to_string(::getuid());
}

struct TrayRuntime::State {
    explicit State(AgentCore& c) : core(c), host(c) {}
    AgentCore& core;
    CoreHost host;
    std::unique_ptr<TrayController> controller;
};

TrayRuntime::TrayRuntime(AgentSetup& setup, AgentCore& core, LostCardReporter reporter, std::string destination,
                         std::string daemonSocket)
    : m_state(std::make_unique<State>(core)) {
    // Closing a dialog must not end the agent.
    QApplication::setQuitOnLastWindowClosed(false);
    // The one language rule (core/UiLanguage): Qt's own locale guess (any non-French locale, LANGUAGE
    // ignored) would disagree with the PAM prompts and the command line.
    const bool english = uiLanguageFromEnvironment() == Language::English;
    QLocale::setDefault(english ? QLocale(QLocale::English, QLocale::UnitedKingdom)
                                : QLocale(QLocale::French, QLocale::France));
    if (installTrayTranslator(QLocale()) != nullptr)
        spdlog::debug("tray in English");
    // Rebuilt on every use: a policy reload changes the contacts, the CRL folder...
    auto configSource = [&setup, reporter, destination] {
        const auto policy = setup.policy();
        TrayConfig config;
        config.policy = policy;
        config.lockerAvailable = setup.lockers().anyUsable();
        config.lockers = config.lockerAvailable ? setup.lockers().usableNames() : std::string{};
        config.idleSource = setup.idleSourceName();
        config.audit = setup.auditDestination();
        config.policyDescription = setup.policyDescription();
        config.policyRefused = setup.policyRefused();
        config.pkcs11Modules = policy->pkcs11.modules;
        config.crlDir = policy->trust.crlDir;
        config.crlMaxAge =
            policy->trust.revocation == RevocationMode::Off ? std::chrono::seconds{0} : policy->trust.crlMaxAge;
        config.reportLost = reporter;
        config.reportDestination = destination;
        config.contacts = {policy->lostCard.phone, policy->lostCard.web, policy->lostCard.text};
        config.user = currentUserName();
        config.exemption = setup.exemptionText();
        return config;
    };

    m_state->controller =
        std::make_unique<TrayController>(m_state->host, configSource(), makeCardInspector(std::move(daemonSocket)));
    TrayController* tray = m_state->controller.get();
    tray->setConfigSource(configSource);
    core.setStatusHandler([tray](const GuardStatus& s) { tray->onStatus(s); });
    core.setIdleWarningHandler([tray](std::optional<std::chrono::milliseconds> r) { tray->onIdleWarning(r); });
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        spdlog::warn("no system tray yet: the icon appears when the desktop's tray starts");
    tray->show();
}

TrayRuntime::~TrayRuntime() {
    // The core may outlive the tray: no handler may point at it any more.
    m_state->core.setStatusHandler(nullptr);
    m_state->core.setIdleWarningHandler(nullptr);
}

TrayController& TrayRuntime::controller() {
    return *m_state->controller;
}

} // namespace cpslock::agent
