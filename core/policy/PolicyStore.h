// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/policy/PolicyLoader.h"

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace cpslock::policy {

/// Keeps the policy in force: a reload that loads cleanly replaces it, one with any error is
/// refused and the previous policy (at first the built-in defaults) stays. Thread-safe: readers
/// take a snapshot, the reloading thread swaps it.
///
///     PolicyStore store(location, files, options);
///     auto outcome = store.reload();          // at start, then on every PolicyWatcher change
///     audit(outcome.summary());               // "policy refused ...; keeping ..." etc.
///     std::shared_ptr<const Policy> p = store.current();
class PolicyStore {
public:
    using Loader = std::function<LoadResult()>;

    struct ReloadOutcome {
        enum class Kind { Applied, Unchanged, Refused };
        Kind kind = Kind::Refused;
        std::vector<std::string> changes;    ///< Applied: "key: old -> new"
        std::vector<Diagnostic> diagnostics; ///< everything the load reported
        bool keptDefaults = false;           ///< Refused: the built-in defaults stay in force
        /// One line for the audit log and the tray, e.g. "policy change refused (2 errors):
        /// the last valid policy stays in force".
        std::string summary() const;
    };

    explicit PolicyStore(Loader loader);
    /// Loads `location` through `files` (platform::DiskPolicyFiles in production).
    PolicyStore(PolicyLocation location, std::shared_ptr<const PolicyFileSource> files, LoadOptions options);

    ReloadOutcome reload();

    std::shared_ptr<const Policy> current() const;
    Provenance currentProvenance() const;
    /// True until a load succeeded: the built-in defaults are in force.
    bool usingDefaults() const;

private:
    Loader m_loader;
    mutable std::mutex m_mutex;
    std::shared_ptr<const Policy> m_policy;
    Provenance m_provenance;
    bool m_usingDefaults = true;
};

} // namespace cpslock::policy
