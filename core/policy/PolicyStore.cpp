// SPDX-License-Identifier: EUPL-1.2
#include "core/policy/PolicyStore.h"

#include "core/policy/PolicyDescription.h"
#include "core/policy/PolicyFileSource.h"

#include <utility>

namespace cpslock::policy {

PolicyStore::PolicyStore(Loader loader) : m_loader(std::move(loader)), m_policy(std::make_shared<const Policy>()) {}

PolicyStore::PolicyStore(PolicyLocation location, std::shared_ptr<const PolicyFileSource> files, LoadOptions options)
    : PolicyStore([location = std::move(location), files = std::move(files), options = std::move(options)] {
          return loadPolicy(location, *files, options);
      }) {}

PolicyStore::ReloadOutcome PolicyStore::reload() {
    LoadResult loaded = m_loader();
    ReloadOutcome outcome;
    outcome.diagnostics = loaded.diagnostics;

    std::lock_guard lock(m_mutex);
    if (!loaded.ok()) {
        outcome.kind = ReloadOutcome::Kind::Refused;
        outcome.keptDefaults = m_usingDefaults;
        return outcome;
    }
    outcome.changes = describeChanges(*m_policy, loaded.policy);
    outcome.kind =
        outcome.changes.empty() && !m_usingDefaults ? ReloadOutcome::Kind::Unchanged : ReloadOutcome::Kind::Applied;
    m_policy = std::make_shared<const Policy>(std::move(loaded.policy));
    m_provenance = std::move(loaded.provenance);
    m_usingDefaults = false;
    return outcome;
}

std::shared_ptr<const Policy> PolicyStore::current() const {
    std::lock_guard lock(m_mutex);
    return m_policy;
}

Provenance PolicyStore::currentProvenance() const {
    std::lock_guard lock(m_mutex);
    return m_provenance;
}

bool PolicyStore::usingDefaults() const {
    std::lock_guard lock(m_mutex);
    return m_usingDefaults;
}

std::string PolicyStore::ReloadOutcome::summary() const {
    switch (kind) {
    case Kind::Applied:
        return "policy applied (" + std::to_string(changes.size()) + " change" + (changes.size() == 1 ? "" : "s") + ")";
    case Kind::Unchanged: return "policy reloaded, nothing changed";
    case Kind::Refused: break;
    }
    const std::size_t errors = errorCount(diagnostics);
    return "policy refused (" + std::to_string(errors) + " error" + (errors == 1 ? "" : "s") +
           "): " + (keptDefaults ? "the built-in defaults stay in force" : "the last valid policy stays in force");
}

} // namespace cpslock::policy
