// SPDX-License-Identifier: EUPL-1.2
// libFuzzer target for the policy loader: any bytes, split into up to four files on a line
// "#---", must give a result (never a crash, hang or sanitizer report), and no message may carry
// a control character to an admin's terminal.

#include "core/policy/PolicyDescription.h"
#include "core/policy/PolicyLoader.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace cpslock::policy;

bool hasTerminalControl(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7F)
            return true;
        if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
            static_cast<unsigned char>(s[i + 1]) <= 0x9F)
            return true;
    }
    return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    std::vector<PolicyDocument> documents;
    std::size_t start = 0;
    while (documents.size() < 3) {
        const std::size_t sep = input.find("\n#---\n", start);
        if (sep == std::string_view::npos)
            break;
        documents.push_back(
            {"f" + std::to_string(documents.size()) + ".toml", std::string(input.substr(start, sep - start))});
        start = sep + 6;
    }
    documents.push_back({"f" + std::to_string(documents.size()) + ".toml", std::string(input.substr(start))});

    // No filesystem: a path "exists" when its length is even, so both outcomes are explored.
    const PathProbe probe = [](const std::string& path, PathKind) -> cpslock::Result<void> {
        if (path.size() % 2 == 0)
            return {};
        return cpslock::fail("does not exist");
    };
    const LoadResult result = parsePolicyDocuments(documents, probe);

    for (const Diagnostic& d : result.diagnostics) {
        if (hasTerminalControl(d.format()))
            std::abort();
    }
    if (result.ok() != (result.errorCount() == 0))
        std::abort();
    // The renderers see every value a valid policy can hold.
    const std::string json = renderPolicyJson(result);
    const std::string text = result.ok() ? renderPolicyText(result) : std::string();
    if (json.empty() || (result.ok() && text.empty()))
        std::abort();
    if (result.ok())
        (void)describeChanges(Policy{}, result.policy);
    return 0;
}
