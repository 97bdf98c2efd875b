// SPDX-License-Identifier: EUPL-1.2
// installer/etc/policy.toml is the /etc/cpslock/policy.toml conffile of the package: every key written
// out, commented, with its built-in default. These tests keep it from drifting from the loader and
// from docs/policy.md: as shipped it loads and changes nothing; with every setting uncommented it sets
// every key the loader describes, from this file, to exactly the built-in default.

#include "core/policy/PolicyDescription.h"
#include "core/policy/PolicyLoader.h"
#include "tests/unit/PolicyTestProbes.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using namespace cpslock::policy;

namespace {

std::string readSource(const std::string& relative) {
    std::ifstream in(std::string(CPSLOCK_SOURCE_DIR) + "/" + relative);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// The file's convention: a setting is commented as "#key = ..." / "#[section]" (no space after
/// '#'); prose comments are "# ...". Uncommenting the settings must give a valid policy.
std::string uncommentSettings(const std::string& text) {
    std::istringstream in(text);
    std::ostringstream out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.size() > 1 && line[0] == '#' && line[1] != ' ')
            line.erase(0, 1);
        out << line << '\n';
    }
    return out.str();
}

LoadResult parse(const std::string& name, const std::string& text) {
    const PolicyDocument doc{name, text};
    return parsePolicyDocuments(std::span(&doc, 1), cpslock::policy::probes::acceptEveryPath);
}

std::string errorsOf(const LoadResult& r) {
    std::string all;
    for (const Diagnostic& d : r.diagnostics)
        all += d.format() + "\n";
    return all;
}

const char* const kPackaged = "installer/etc/policy.toml";

} // namespace

TEST(PackagedPolicyTest, LoadsAsShippedAndChangesNothing) {
    const std::string text = readSource(kPackaged);
    ASSERT_FALSE(text.empty()) << kPackaged << " not found";
    const LoadResult r = parse(kPackaged, text);
    ASSERT_TRUE(r.ok()) << errorsOf(r);
    EXPECT_EQ(r.policy, Policy{});
    EXPECT_TRUE(r.provenance.empty()) << "the shipped file must set nothing: " << r.provenance.begin()->first;
}

TEST(PackagedPolicyTest, UncommentedItSetsEveryKeyToItsDefault) {
    const std::string text = uncommentSettings(readSource(kPackaged));
    const LoadResult r = parse(kPackaged, text);
    ASSERT_TRUE(r.ok()) << errorsOf(r);
    EXPECT_EQ(r.policy, Policy{}) << "a commented value differs from the built-in default";
    for (const EffectiveEntry& e : describePolicy(Policy{}, {})) {
        // An unset path ("": pcsc-lite's or OpenSC's own default) cannot be written as a value (the
        // loader wants an absolute path); the file names it in a prose comment instead.
        if (e.tomlValue == "\"\"")
            continue;
        // Tables merge per entry, so an empty one leaves no provenance: it must be written out.
        if (e.tomlValue == "{}") {
            const std::string leaf = e.key.substr(e.key.rfind('.') + 1);
            EXPECT_NE(text.find("\n" + leaf + " = {}\n"), std::string::npos) << "'" << e.key << "' not written out";
            continue;
        }
        EXPECT_TRUE(r.provenance.count(e.key)) << kPackaged << " does not write out '" << e.key << "'";
    }
}

TEST(PackagedPolicyTest, NamesEveryKeyOfTheReference) {
    // Keys without a single default value (the items of [[accounts.shared]]) must at least be named.
    const std::string text = readSource(kPackaged);
    static const std::regex heading(R"(^### `([a-z0-9_.]+)`(.*)$)");
    std::istringstream reference(readSource("docs/policy.md"));
    std::string line;
    std::size_t keys = 0;
    while (std::getline(reference, line)) {
        std::smatch m;
        if (!std::regex_match(line, m, heading) || m[2].str().find("not supported") != std::string::npos)
            continue;
        ++keys;
        const std::string key = m[1];
        const std::string leaf = key.substr(key.rfind('.') + 1);
        EXPECT_NE(text.find(leaf + " = "), std::string::npos) << kPackaged << " does not name " << key;
    }
    EXPECT_GT(keys, 30U) << "docs/policy.md not found or without key headings";
}

TEST(PackagedPolicyTest, UncommentingDetectsAWrongDefault) {
    // The check above must be able to fail: a changed value is not the default any more.
    std::string text = uncommentSettings(readSource(kPackaged));
    const auto at = text.find("idle_timeout = \"10m\"");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 20, "idle_timeout = \"11m\"");
    const LoadResult r = parse(kPackaged, text);
    ASSERT_TRUE(r.ok()) << errorsOf(r);
    EXPECT_NE(r.policy, Policy{});
}
