// SPDX-License-Identifier: EUPL-1.2
// installer/journald/cpslock.catalog explains every audit MESSAGE_ID the code defines, in English and
// French, with the headers journalctl -x shows (tests/integration/test_catalog.py: journalctl parses it).
#include "platform/linux/AuditSinks.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

struct Entry {
    std::set<std::string> headers; ///< "Subject", "Defined-By", "Documentation"
    std::string body;
};

/// (id, language) -> entry; language "" for the default (English) entry.
std::map<std::pair<std::string, std::string>, Entry> readCatalog() {
    std::ifstream in(std::string(CPSLOCK_SOURCE_DIR) + "/installer/journald/cpslock.catalog");
    std::map<std::pair<std::string, std::string>, Entry> entries;
    static const std::regex head(R"(^-- ([0-9a-f]{32})(?: ([a-z]{2}))?$)");
    static const std::regex header(R"(^([A-Za-z-]+): .+$)");
    std::string line;
    Entry* current = nullptr;
    bool inHeaders = false;
    while (std::getline(in, line)) {
        std::smatch m;
        if (std::regex_match(line, m, head)) {
            current = &entries[{m[1], m[2]}];
            inHeaders = true;
        } else if (current != nullptr && inHeaders && std::regex_match(line, m, header)) {
            current->headers.insert(m[1]);
        } else if (current != nullptr && line.empty()) {
            inHeaders = false;
        } else if (current != nullptr && !inHeaders) {
            current->body += line + "\n";
        }
    }
    return entries;
}

} // namespace

TEST(AuditCatalogTest, EveryMessageIdHasAnEnglishAndAFrenchEntry) {
    const auto entries = readCatalog();
    ASSERT_FALSE(entries.empty()) << "installer/journald/cpslock.catalog not found or empty";
    std::set<std::string> ids;
    for (const auto& [kind, id] : cpslock::platform::auditMessageIds()) {
        ids.insert(std::string(id));
        for (const char* language : {"", "fr"}) {
            const auto it = entries.find({std::string(id), language});
            ASSERT_NE(it, entries.end()) << kind << " (" << id << ") has no catalog entry for language '" << language
                                         << "'";
            for (const char* h : {"Subject", "Defined-By", "Documentation"})
                EXPECT_TRUE(it->second.headers.count(h)) << kind << " " << language << ": no " << h;
            EXPECT_FALSE(it->second.body.empty()) << kind << " " << language << ": no explanation";
        }
    }
    // And nothing stale: every catalog entry is an id the code still writes.
    for (const auto& [key, entry] : entries)
        EXPECT_TRUE(ids.count(key.first)) << "catalog entry " << key.first << " matches no audit kind";
}
