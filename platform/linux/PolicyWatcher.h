// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Result.h"
#include "core/policy/PolicyLoader.h"

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>

namespace cpslock::platform {

/// Tells when the policy files may have changed: inotify on the main file's folder and the
/// drop-in folder (and on the parents needed to see either folder appear). It does not load
/// anything: the owner reacts with PolicyStore::reload(), which decides valid or refused.
///
///     auto watcher = PolicyWatcher::open(location);              // or why inotify failed
///     QSocketNotifier n((*watcher)->fd(), QSocketNotifier::Read); // or poll()
///     on readable: if ((*watcher)->readEvents()) audit(store.reload().summary());
///
/// Editors and package managers write in several steps (create, write, rename): one change may
/// be reported more than once; a reload of an unchanged policy is harmless.
class PolicyWatcher {
public:
    /// Starts watching. @retval error inotify itself failed ("inotify_init1: …"); a missing folder is not
    /// a failure (its parent is watched).
    static Result<std::unique_ptr<PolicyWatcher>> open(policy::PolicyLocation location);
    ~PolicyWatcher();
    PolicyWatcher(const PolicyWatcher&) = delete;
    PolicyWatcher& operator=(const PolicyWatcher&) = delete;

    /// Non-blocking inotify descriptor to wait on (readable = call readEvents()).
    int fd() const { return m_fd; }

    /// Drains the pending events without blocking.
    /// @retval true a policy file, the drop-in folder or one of the watched folders changed
    bool readEvents();

    /// Waits up to `timeout` for a relevant change (for tests and loops without an event loop).
    bool waitForChange(std::chrono::milliseconds timeout);

private:
    struct Watch {
        std::string path;
        std::set<std::string> names; ///< entries of this folder that matter
        bool tomlFiles = false;      ///< every *.toml entry matters (the drop-in folder)
    };

    PolicyWatcher(policy::PolicyLocation location, int fd);
    void arm();
    bool isRelevant(const Watch& watch, const std::string& name) const;

    policy::PolicyLocation m_location;
    int m_fd = -1;
    std::map<int, Watch> m_watches;
};

} // namespace cpslock::platform
