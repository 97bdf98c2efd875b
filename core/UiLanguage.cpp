// SPDX-License-Identifier: EUPL-1.2
#include "core/UiLanguage.h"

#include <cstdlib>

namespace cpslock {
namespace {

/// The language part of `ll[_CC][.codeset][@modifier]`.
std::string_view languageOf(std::string_view locale) {
    const std::size_t end = locale.find_first_of("_.@");
    return locale.substr(0, end);
}

bool isCLocale(std::string_view locale) {
    return locale == "C" || locale == "POSIX" || locale.starts_with("C.");
}

} // namespace

Language uiLanguage(const LocaleEnvironment& env) {
    std::string_view locale = "C";
    for (const auto& value : {env.lcAll, env.lcMessages, env.lang}) {
        if (value && !value->empty()) {
            locale = *value;
            break;
        }
    }
    if (isCLocale(locale))
        return Language::French;
    if (env.language && !env.language->empty()) {
        std::string_view rest = *env.language;
        while (!rest.empty()) {
            const std::size_t colon = rest.find(':');
            const std::string_view entry = languageOf(rest.substr(0, colon));
            if (entry == "fr")
                return Language::French;
            if (entry == "en")
                return Language::English;
            rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
        }
        return Language::French;
    }
    return languageOf(locale) == "en" ? Language::English : Language::French;
}

Language uiLanguage(const std::function<const char*(const char* name)>& getenv) {
    auto read = [&getenv](const char* name) -> std::optional<std::string_view> {
        if (const char* value = getenv(name))
            return std::string_view(value);
        return std::nullopt;
    };
    return uiLanguage(LocaleEnvironment{read("LANGUAGE"), read("LC_ALL"), read("LC_MESSAGES"), read("LANG")});
}

Language uiLanguageFromEnvironment() {
    return uiLanguage([](const char* name) { return std::getenv(name); });
}

} // namespace cpslock
