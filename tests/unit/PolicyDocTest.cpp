// SPDX-License-Identifier: EUPL-1.2
// docs/policy.md is the policy reference: every key the loader knows has a "### `key`" heading
// there and the other way round; every documented default is the real one; every ```toml
// example in it loads without error.

#include "core/policy/PolicyDescription.h"
#include "core/policy/PolicyLoader.h"
#include "tests/unit/PolicyTestProbes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

using namespace cpslock::policy;

namespace {

std::string readReference() {
    std::ifstream in(std::string(CPSLOCK_SOURCE_DIR) + "/docs/policy.md");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

struct Reference {
    std::set<std::string> keys;
    std::set<std::string> refused;
    std::map<std::string, std::string> defaults; ///< key -> the text of its "Default: `...`" line
    std::vector<std::string> tomlExamples;
};

Reference parseReference(const std::string& text) {
    Reference ref;
    static const std::regex heading(R"(^### `([a-z0-9_.]+)`(.*)$)");
    static const std::regex defaultLine(R"(^Default: `(.*)`\s*$)");
    std::istringstream in(text);
    std::string line;
    std::string current;
    std::string example;
    bool inExample = false;
    while (std::getline(in, line)) {
        if (inExample) {
            if (line == "```") {
                ref.tomlExamples.push_back(example);
                inExample = false;
            } else {
                example += line + "\n";
            }
            continue;
        }
        if (line == "```toml") {
            inExample = true;
            example.clear();
            continue;
        }
        std::smatch m;
        if (std::regex_match(line, m, heading)) {
            current = m[1];
            (m[2].str().find("not supported") != std::string::npos ? ref.refused : ref.keys).insert(current);
        } else if (line.rfind("## ", 0) == 0) {
            current.clear();
        } else if (!current.empty() && std::regex_match(line, m, defaultLine)) {
            ref.defaults[current] = m[1];
        }
    }
    return ref;
}

} // namespace

TEST(PolicyDocTest, ReferenceDocumentsExactlyTheKeysTheLoaderKnows) {
    const Reference ref = parseReference(readReference());
    ASSERT_FALSE(ref.keys.empty()) << "docs/policy.md not found or without key headings";
    const std::vector<std::string> known = knownPolicyKeys();
    const std::set<std::string> loader(known.begin(), known.end());
    for (const std::string& k : loader)
        EXPECT_TRUE(ref.keys.count(k)) << "the loader knows '" << k << "' but docs/policy.md does not document it";
    for (const std::string& k : ref.keys)
        EXPECT_TRUE(loader.count(k)) << "docs/policy.md documents '" << k << "' but the loader does not know it";
}

TEST(PolicyDocTest, ReferenceDocumentsTheRefusedKeys) {
    const Reference ref = parseReference(readReference());
    std::set<std::string> refused;
    for (const auto& [key, reason] : refusedPolicyKeys())
        refused.insert(key);
    EXPECT_EQ(ref.refused, refused);
}

TEST(PolicyDocTest, DocumentedDefaultsAreTheRealOnes) {
    const Reference ref = parseReference(readReference());
    std::map<std::string, std::string> real;
    for (const EffectiveEntry& e : describePolicy(Policy{}, {}))
        real[e.key] = e.tomlValue;
    for (const auto& [key, value] : real) {
        if (key == "lost_card.text")
            continue; // too long for one line; the reference quotes it in full below its heading
        auto it = ref.defaults.find(key);
        ASSERT_NE(it, ref.defaults.end()) << "no \"Default: `...`\" line for " << key;
        EXPECT_EQ(it->second, value) << key;
    }
}

TEST(PolicyDocTest, ExamplesLoadWithoutErrors) {
    const Reference ref = parseReference(readReference());
    ASSERT_GE(ref.tomlExamples.size(), 2U) << "a solo practice and a shared clinic example at least";
    for (std::size_t i = 0; i < ref.tomlExamples.size(); ++i) {
        const PolicyDocument doc{"example-" + std::to_string(i + 1) + ".toml", ref.tomlExamples[i]};
        const LoadResult r = parsePolicyDocuments(std::span(&doc, 1), cpslock::policy::probes::acceptEveryPath);
        std::string all;
        for (const Diagnostic& d : r.diagnostics)
            all += d.format() + "\n";
        EXPECT_TRUE(r.ok()) << all << "in:\n" << ref.tomlExamples[i];
    }
}
