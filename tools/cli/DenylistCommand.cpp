// SPDX-License-Identifier: EUPL-1.2
// `cpslock denylist import FILE`: the ANS list of opposed cards into the deny-list (issue 13).
#include "tools/cli/Commands.h"

#include "card/Denylist.h"
#include "card/OpposedCardsCsv.h"
#include "core/FileRead.h"
#include "core/FileWrite.h"
#include "tools/cli/PolicyOption.h"

#include <chrono>
#include <cstdio>
#include <string>
#include <unordered_set>

namespace cpslock::cli {
namespace {

constexpr const char* kHelp =
    "usage: cpslock denylist import FILE [--dry-run] [--denylist FILE] [--policy FILE] [--policy-dir DIR]\n"
    "\n"
    "Adds every opposed card of the ANS open-data extract of CPS/CPF cards (CSV) to the deny-list\n"
    "(trust.denylist of the policy, or --denylist) as 'serial:<card number> <opposition date>'. The\n"
    "card number and opposition date columns are found by their header names; ';', '|', tab or ','\n"
    "separated, UTF-8 (with or without BOM) or Latin-1. Cards already listed are left as they are:\n"
    "importing the same file twice changes nothing. The deny-list is replaced atomically.\n"
    "\n"
    "  --dry-run        count what would change, write nothing\n"
    "  --denylist FILE  the deny-list to update instead of the policy's\n"
    "\n"
    "Exit status: 0 imported, 1 imported but some rows could not be read (listed with their line),\n"
    "2 nothing written: unreadable file, no such columns, invalid deny-list or policy, usage error.\n";

// The ANS extract of every CPS/CPF card is a few hundred megabytes at most.
constexpr std::size_t kMaxCsvSize = 1024U * 1024U * 1024U;
constexpr std::size_t kShownBadRows = 50;

int usageError(const std::string& message) {
    std::fprintf(stderr, "cpslock denylist: %s\n\n%s", message.c_str(), kHelp);
    return 2;
}

std::string today() {
    const auto days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    const std::chrono::year_month_day ymd{days};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return text;
}

} // namespace

int runDenylist(Args args) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        std::fputs(kHelp, args.empty() ? stderr : stdout);
        return args.empty() ? 2 : 0;
    }
    if (args[0] != "import")
        return usageError("unknown sub-command '" + std::string(args[0]) + "' (only 'import')");
    PolicyOption policyOption;
    std::string csvPath;
    std::string denylistPath;
    bool dryRun = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (arg == "--help" || arg == "-h") {
            std::fputs(kHelp, stdout);
            return 0;
        }
        if (arg == "--dry-run") {
            dryRun = true;
        } else if (arg == "--denylist") {
            if (i + 1 >= args.size() || args[i + 1].empty())
                return usageError("--denylist needs a file");
            denylistPath = std::string(args[++i]);
        } else if (const auto parsed = policyOption.parse(args, i, "denylist import");
                   parsed == PolicyOption::Parse::Error) {
            return usageError("bad policy option");
        } else if (parsed == PolicyOption::Parse::Consumed) {
            continue;
        } else if (arg.empty() || arg.front() == '-' || !csvPath.empty()) {
            return usageError("unexpected argument '" + std::string(arg) + "'");
        } else {
            csvPath = std::string(arg);
        }
    }
    if (csvPath.empty())
        return usageError("the CSV file to import is missing");
    if (denylistPath.empty()) {
        const auto policy = policyOption.load("denylist import");
        if (!policy)
            return 2;
        denylistPath = policy->trust.denylist;
    }

    const FileReadResult csv = readRegularFile(csvPath, kMaxCsvSize);
    if (!csv.text) {
        std::fprintf(stderr, "cpslock denylist import: %s: %s\n", csvPath.c_str(), csv.error.c_str());
        return 2;
    }
    const card::OpposedCardsCsv extract = card::OpposedCardsCsv::parse(*csv.text);
    if (!extract.error.empty()) {
        std::fprintf(stderr, "cpslock denylist import: %s: %s\n", csvPath.c_str(), extract.error.c_str());
        return 2;
    }

    // The current list must be valid: an import never rewrites (and so never hides) a broken file.
    // A missing one is created.
    const FileReadResult current = readRegularFile(denylistPath, card::Denylist::kMaxFileSize);
    if (!current.text && !current.missing) {
        std::fprintf(stderr, "cpslock denylist import: %s: %s\n", denylistPath.c_str(), current.error.c_str());
        return 2;
    }
    std::string text = current.text.value_or("");
    const card::Denylist::ParseResult existing = card::Denylist::parse(text, denylistPath);
    if (!existing.ok()) {
        for (const std::string& error : existing.errors)
            std::fprintf(stderr, "%s\n", error.c_str());
        std::fprintf(stderr, "cpslock denylist import: %s is invalid: fix it first, nothing was written\n",
                     denylistPath.c_str());
        return 2;
    }
    std::unordered_set<std::string> listed;
    for (const card::DenylistEntry& entry : existing.list.entries()) {
        if (entry.kind == card::DenylistEntry::Kind::CardSerial)
            listed.insert(entry.value);
    }
    std::size_t already = 0;
    std::string added;
    std::size_t addedCount = 0;
    for (const card::OpposedCardsCsv::Card& card : extract.opposed) {
        if (!listed.insert(card.serial).second) {
            ++already;
            continue;
        }
        added += "serial:" + card.serial + " " + card.date + " opposition ANS\n";
        ++addedCount;
    }

    for (std::size_t i = 0; i < extract.badRows.size() && i < kShownBadRows; ++i)
        std::fprintf(stderr, "%s:%s\n", csvPath.c_str(), extract.badRows[i].substr(5).c_str());
    if (extract.badRows.size() > kShownBadRows)
        std::fprintf(stderr, "%s: ... and %zu more bad rows\n", csvPath.c_str(), extract.badRows.size() - kShownBadRows);

    if (addedCount > 0 && !dryRun) {
        if (!text.empty() && text.back() != '\n')
            text += '\n';
        text += "# " + std::to_string(addedCount) + " opposed cards imported on " + today() + " from the ANS extract\n";
        text += added;
        // Checked as the agent will read it, before it replaces anything.
        const auto check = card::Denylist::parse(text, denylistPath);
        if (!check.ok() || text.size() > card::Denylist::kMaxFileSize) {
            std::fprintf(stderr, "cpslock denylist import: the new deny-list would be invalid or larger than %ju "
                                 "bytes; nothing was written\n",
                         static_cast<std::uintmax_t>(card::Denylist::kMaxFileSize));
            return 2;
        }
        if (auto error = writeFileAtomically(denylistPath, text, 0644)) {
            std::fprintf(stderr, "cpslock denylist import: %s; nothing was written\n", error->c_str());
            return 2;
        }
    }
    std::printf("%s: columns '%s' and '%s'%s\n", csvPath.c_str(), extract.cardColumn.c_str(),
                extract.dateColumn.c_str(), extract.latin1 ? ", read as Latin-1" : "");
    std::printf("%s%zu ajoutée(s) / added, %zu déjà présente(s) / already present, %zu non opposée(s) / not "
                "opposed, %zu ligne(s) illisible(s) / bad rows -> %s\n",
                dryRun ? "[dry run] " : "", addedCount, already, extract.notOpposed, extract.badRows.size(),
                denylistPath.c_str());
    return extract.badRows.empty() ? 0 : 1;
}

} // namespace cpslock::cli
