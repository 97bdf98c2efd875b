// SPDX-License-Identifier: EUPL-1.2
#include "platform/linux/CommandLocker.h"

#include <QProcess>
#include <QStringList>

#include <unistd.h>

#include <memory>
#include <utility>

namespace cpslock::platform {

CommandLocker::CommandLocker(std::vector<std::string> argv) : m_argv(std::move(argv)) {}

CommandLocker::~CommandLocker() {
    // A lock command still running is a locked screen: it must outlive the agent (a stop after the
    // SIGTERM lock must not unlock). Its QProcess is let go without the kill QProcess's destructor does,
    // and nothing calls back into the half-destroyed agent.
    m_stateHandler = nullptr;
    for (QProcess* process : m_owner.findChildren<QProcess*>()) {
        process->disconnect();
        if (process->state() == QProcess::NotRunning)
            continue;
        process->setParent(nullptr); // deliberately leaked: the agent is exiting
    }
}

LockerProbe CommandLocker::probe() {
    if (m_argv.empty())
        return {false, "no lock command in the policy"};
    const std::string& program = m_argv.front();
    // An absolute path only: a PATH lookup would let whoever controls PATH choose the locker.
    if (program.empty() || program.front() != '/')
        return {false, "lock command " + program + " is not an absolute path"};
    if (access(program.c_str(), X_OK) != 0)
        return {false, "lock command " + program + " is not executable"};
    m_probed = true;
    return {true, "command " + program};
}

void CommandLocker::lock(Done done) {
    if (m_argv.empty()) {
        done(false, "no lock command");
        return;
    }
    auto* process = new QProcess(&m_owner);
    QStringList args;
    for (std::size_t i = 1; i < m_argv.size(); ++i)
        args << QString::fromStdString(m_argv[i]);
    process->setProgram(QString::fromStdString(m_argv.front()));
    process->setArguments(args);
    process->setStandardInputFile(QProcess::nullDevice());
    auto shared = std::make_shared<Done>(std::move(done));
    QObject::connect(process, &QProcess::started, process, [this, shared] {
        setRunning(true);
        if (*shared)
            std::exchange(*shared, nullptr)(true, {});
    });
    QObject::connect(process, &QProcess::errorOccurred, process, [shared, process](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart && *shared)
            std::exchange(*shared, nullptr)(false, "lock command: " + process->errorString().toStdString());
    });
    QObject::connect(process, &QProcess::finished, process, [this, process] {
        process->deleteLater();
        setRunning(false);
    });
    process->start();
}

void CommandLocker::setRunning(bool running) {
    if (m_running == running)
        return;
    m_running = running;
    if (m_stateHandler)
        m_stateHandler(running);
}

} // namespace cpslock::platform
