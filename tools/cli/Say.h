// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/Refusal.h"
#include "core/UiLanguage.h"

#include <string>

namespace cpslock::cli {

/// What the command line says to a person, in the one language rule of PAM, the tray and the CLI
/// (core/UiLanguage: French unless the locale asks for English). Machine output (--json) carries both.
inline Language cliLanguage() {
    static const Language language = uiLanguageFromEnvironment();
    return language;
}

inline const char* say(const char* french, const char* english) {
    return cliLanguage() == Language::English ? english : french;
}

inline std::string say(const Refusal& refusal) {
    return cliLanguage() == Language::English ? refusal.messageEn() : refusal.messageFr();
}

} // namespace cpslock::cli
