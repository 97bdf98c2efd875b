// SPDX-License-Identifier: EUPL-1.2
// The one language rule (PAM, tray, command lines): a table of environments.
#include "core/UiLanguage.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

using cpslock::Language;
using cpslock::LocaleEnvironment;
using cpslock::uiLanguage;

namespace {
constexpr auto Fr = Language::French;
constexpr auto En = Language::English;
constexpr std::nullopt_t unset = std::nullopt;
} // namespace

TEST(UiLanguageTest, Table) {
    struct Case {
        LocaleEnvironment env; // LANGUAGE, LC_ALL, LC_MESSAGES, LANG
        Language expected;
    };
    const Case cases[] = {
        {{unset, unset, unset, unset}, Fr}, // nothing set: C locale, French
        {{unset, unset, unset, "fr_FR.UTF-8"}, Fr},
        {{unset, unset, unset, "en_US.UTF-8"}, En},
        {{unset, unset, unset, "en"}, En},
        {{unset, unset, unset, "de_DE.UTF-8"}, Fr}, // neither: French
        {{unset, unset, unset, "C.UTF-8"}, Fr},
        {{unset, unset, unset, "english"}, Fr}, // not a locale name of English
        {{unset, unset, unset, "eng_XX"}, Fr},
        {{unset, "fr_FR.UTF-8", "en_US.UTF-8", "en_US.UTF-8"}, Fr}, // LC_ALL first
        {{unset, unset, "en_GB.UTF-8", "fr_FR.UTF-8"}, En},         // then LC_MESSAGES
        {{unset, "", unset, "en_US.UTF-8"}, En},                    // empty counts as unset
        {{unset, unset, unset, "en_US.UTF-8@euro"}, En},
        // LANGUAGE wins over the locale...
        {{"en", unset, unset, "fr_FR.UTF-8"}, En},
        {{"fr", unset, unset, "en_US.UTF-8"}, Fr},
        {{"de:en_GB:fr", unset, unset, "fr_FR.UTF-8"}, En}, // first of fr/en in the list
        {{"de:fr_FR:en", unset, unset, "en_US.UTF-8"}, Fr},
        {{"de:es", unset, unset, "en_US.UTF-8"}, Fr}, // neither: the source text, French
        {{"::en", unset, unset, "fr_FR.UTF-8"}, En},  // empty entries skipped
        {{"", unset, unset, "en_US.UTF-8"}, En},      // empty LANGUAGE: the locale
        // ...but is ignored when the locale is C / POSIX (gettext; glibc: C.UTF-8 too).
        {{"en", unset, unset, unset}, Fr},
        {{"en", "C", unset, "fr_FR.UTF-8"}, Fr},
        {{"en", "POSIX", unset, unset}, Fr},
        {{"en", unset, "C.UTF-8", unset}, Fr},
        {{"en", unset, unset, "C.utf8"}, Fr},
        {{"fr", unset, unset, "C"}, Fr},
        {{"en", "en_US.UTF-8", unset, unset}, En},
    };
    for (const Case& c : cases) {
        auto show = [](std::optional<std::string_view> v) {
            return v ? "'" + std::string(*v) + "'" : std::string("-");
        };
        EXPECT_EQ(uiLanguage(c.env), c.expected)
            << "LANGUAGE=" << show(c.env.language) << " LC_ALL=" << show(c.env.lcAll)
            << " LC_MESSAGES=" << show(c.env.lcMessages) << " LANG=" << show(c.env.lang);
    }
}

TEST(UiLanguageTest, ReadsTheFourVariablesThroughTheLookup) {
    std::map<std::string, std::string> env{{"LANGUAGE", "en"}, {"LANG", "fr_FR.UTF-8"}};
    auto lookup = [&env](const char* name) -> const char* {
        const auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
    };
    EXPECT_EQ(uiLanguage(lookup), En);
    env["LC_MESSAGES"] = "C";
    EXPECT_EQ(uiLanguage(lookup), Fr);
    env.erase("LC_MESSAGES");
    env["LC_ALL"] = "en_IE.UTF-8";
    env["LANGUAGE"] = "fr";
    EXPECT_EQ(uiLanguage(lookup), Fr);
}
