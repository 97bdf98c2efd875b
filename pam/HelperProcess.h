#pragma once

#include "pam/Authenticator.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <signal.h>

namespace cpslock::pam {

/// nullopt when `path` is fit to run as cpslock-auth: absolute, a regular executable file, and it
/// and every folder above it owned by root and not writable by group or others (a root-owned
/// sticky folder such as /tmp is accepted above a root-owned one). Else why not.
std::optional<std::string> insecureHelperReason(const std::string& path);

/// The environment cpslock-auth gets: a fixed PATH, plus PCSCLITE_CSOCK_NAME, OPENSC_CONF and
/// SOFTHSM2_CONF when the host process has them (they only choose which smart-card stack is
/// asked; what a card proves is still checked against the trust anchors). Nothing else.
std::vector<std::string> helperEnvironment(const char* const* hostEnvironment);

/// Starts `path` with `args` through posix_spawn: stdin and stdout are one end of a Unix socket
/// pair (so writing to a dead helper gives EPIPE, never SIGPIPE in the host), stderr /dev/null,
/// every other descriptor closed, signal mask and dispositions reset, the environment above.
std::unique_ptr<HelperChannel> spawnHelper(const std::string& path, const std::vector<std::string>& args,
                                           std::string& error);

/// While alive, SIGCHLD has its default disposition, so the helper can be reaped with its exit
/// status even in a host that ignores SIGCHLD (pam_unix does the same around unix_chkpwd).
class ChildSignalGuard {
public:
    ChildSignalGuard();
    ~ChildSignalGuard();
    ChildSignalGuard(const ChildSignalGuard&) = delete;
    ChildSignalGuard& operator=(const ChildSignalGuard&) = delete;

private:
    struct sigaction m_saved {};
    bool m_restore = false;
};

} // namespace cpslock::pam
