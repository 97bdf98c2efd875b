// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Refusal.h"

#include <functional>
#include <optional>
#include <string_view>

namespace cpslock {

/// The locale variables the language rule reads; nullopt = unset.
struct LocaleEnvironment {
    std::optional<std::string_view> language;   ///< LANGUAGE
    std::optional<std::string_view> lcAll;      ///< LC_ALL
    std::optional<std::string_view> lcMessages; ///< LC_MESSAGES
    std::optional<std::string_view> lang;       ///< LANG
};

/// The one language rule of the PAM prompts, the tray and the command lines: French unless the
/// locale asks for English. GNU gettext's semantics:
/// - the message locale is the first non-empty of LC_ALL, LC_MESSAGES, LANG ("C" when none);
/// - when that locale is C or POSIX (C.UTF-8 included, as glibc 2.35+), LANGUAGE is ignored: French;
/// - otherwise a non-empty LANGUAGE (colon list, `ll` or `ll_CC`) decides: its first entry that is
///   French or English wins; when it names neither, the untranslated source text is shown: French;
/// - otherwise the message locale's language: English for `en…`, French for anything else.
Language uiLanguage(const LocaleEnvironment& env);

/// The rule over a lookup (getenv, or pam_getenv then getenv in the PAM module).
Language uiLanguage(const std::function<const char*(const char* name)>& getenv);

/// The rule over this process's environment.
Language uiLanguageFromEnvironment();

} // namespace cpslock
