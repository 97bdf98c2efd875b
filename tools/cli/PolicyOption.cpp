// SPDX-License-Identifier: EUPL-1.2
#include "tools/cli/PolicyOption.h"

#include "core/policy/PolicyLoader.h"
#include "platform/linux/DiskPolicyFiles.h"

#include <cstdio>
#include <cstdlib>

namespace cpslock::cli {

PolicyOption::Parse PolicyOption::parse(Args args, std::size_t& i, const char* command) {
    std::string_view name = args[i];
    std::optional<std::string_view> inlineValue;
    if (const auto eq = name.find('='); eq != std::string_view::npos && name.rfind("--", 0) == 0) {
        inlineValue = name.substr(eq + 1);
        name = name.substr(0, eq);
    }
    std::optional<std::string>* target = name == "--policy" ? &m_file : name == "--policy-dir" ? &m_dir : nullptr;
    if (!target)
        return Parse::NotMine;
    if (target->has_value()) {
        std::fprintf(stderr, "cpslock %s: %.*s given twice\n", command, static_cast<int>(name.size()), name.data());
        return Parse::Error;
    }
    if (inlineValue)
        *target = std::string(*inlineValue);
    else if (i + 1 < args.size())
        *target = std::string(args[++i]);
    if (!target->has_value() || (*target)->empty()) {
        std::fprintf(stderr, "cpslock %s: %.*s needs a value\n", command, static_cast<int>(name.size()), name.data());
        return Parse::Error;
    }
    return Parse::Consumed;
}

std::optional<policy::Policy> PolicyOption::load(const char* command) const {
    // The command line honours CPSLOCK_POLICY; the agent and the PAM helper do not (docs/policy.md).
    std::optional<std::string> environment;
    if (const char* env = std::getenv("CPSLOCK_POLICY"))
        environment = env;
    const auto location = policy::resolvePolicyLocation(m_file, m_dir, environment);
    // The card commands' verifier reads the files the policy names (anchors, deny-list, CRLs) itself,
    // once, and refuses with policy-error naming the file; check-policy reads them up front.
    const policy::LoadResult result = platform::loadPolicyFromDisk(location);
    if (result.ok())
        return result.policy;
    for (const std::string& line : policy::errorLines(result.diagnostics))
        std::fprintf(stderr, "%s\n", line.c_str());
    std::fprintf(stderr, "cpslock %s: the policy is invalid (see 'cpslock check-policy')\n", command);
    return std::nullopt;
}

} // namespace cpslock::cli
