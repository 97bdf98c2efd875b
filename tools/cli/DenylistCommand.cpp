// SPDX-License-Identifier: EUPL-1.2
// `cpslock denylist import FILE`: the ANS list of opposed cards into the deny-list (issue 13).
#include "tools/cli/Commands.h"

#include "card/Denylist.h"
#include "card/OpposedCardsCsv.h"
#include "core/FileRead.h"
#include "core/FileWrite.h"
#include "core/Result.h"
#include "tools/cli/PolicyOption.h"
#include "tools/cli/SubCommand.h"

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
constexpr std::size_t kMaxCsvSize = std::size_t{1024} * 1024U * 1024U;
constexpr std::size_t kShownBadRows = 50;

constexpr SubCommand kCommand("denylist", kHelp);

struct ImportOptions {
    PolicyOption policy;
    std::string csvPath;
    std::string denylistPath; ///< empty: the policy's trust.denylist
    bool dryRun = false;
};

/// The deny-list as it is: its text and the card serials it names.
struct CurrentList {
    std::string text;
    std::unordered_set<std::string> serials;
};

/// The cards of the extract that the deny-list does not name yet, as deny-list lines.
struct Additions {
    std::string lines;
    std::size_t count = 0;
    std::size_t already = 0; ///< opposed cards already listed
};

std::string today() {
    const auto days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    const std::chrono::year_month_day ymd{days};
    char text[16];
    (void)std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return text;
}

/// The verb and the options after it; else the exit status to stop with (help, usage error).
Result<ImportOptions, int> parseOptions(Args args) {
    if (const auto stop = kCommand.checkVerb(args, "import"))
        return *stop;
    ImportOptions options;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (SubCommand::isHelp(arg))
            return kCommand.help();
        if (arg == "--dry-run") {
            options.dryRun = true;
        } else if (arg == "--denylist") {
            if (i + 1 >= args.size() || args[i + 1].empty())
                return kCommand.usageError("--denylist needs a file");
            options.denylistPath = std::string(args[++i]);
        } else if (const auto parsed = options.policy.parse(args, i, "denylist import");
                   parsed == PolicyOption::Parse::Error) {
            return kCommand.usageError("bad policy option");
        } else if (parsed == PolicyOption::Parse::Consumed) {
            continue;
        } else if (arg.empty() || arg.front() == '-' || !options.csvPath.empty()) {
            return kCommand.usageError("unexpected argument '" + std::string(arg) + "'");
        } else {
            options.csvPath = std::string(arg);
        }
    }
    if (options.csvPath.empty())
        return kCommand.usageError("the CSV file to import is missing");
    return options;
}

/// The ANS extract, read and parsed; the error is what stderr says.
Result<card::OpposedCardsCsv> readExtract(const std::string& csvPath) {
    const auto csv = readRegularFile(csvPath, kMaxCsvSize);
    if (!csv)
        return fail("cpslock denylist import: " + csvPath + ": " + csv.error().message);
    card::OpposedCardsCsv extract = card::OpposedCardsCsv::parse(*csv);
    if (!extract.error.empty())
        return fail("cpslock denylist import: " + csvPath + ": " + extract.error);
    return extract;
}

/// The current deny-list's text, which must be valid: an import never rewrites (and so never hides) a
/// broken file. A missing one is empty (it is created). The error is what stderr says.
Result<CurrentList> readCurrentList(const std::string& denylistPath) {
    const auto current = readRegularFile(denylistPath, card::Denylist::kMaxFileSize);
    if (!current && !current.error().missing())
        return fail("cpslock denylist import: " + denylistPath + ": " + current.error().message);
    CurrentList list{current ? *current : std::string{}, {}};
    const card::Denylist::ParseResult existing = card::Denylist::parse(list.text, denylistPath);
    if (!existing.ok()) {
        std::string why;
        for (const std::string& error : existing.errors)
            why += error + "\n";
        return fail(why + "cpslock denylist import: " + denylistPath +
                    " is invalid: fix it first, nothing was written");
    }
    for (const card::DenylistEntry& entry : existing.list.entries()) {
        if (entry.kind == card::DenylistEntry::Kind::CardSerial)
            list.serials.insert(entry.value);
    }
    return list;
}

Additions newEntries(std::unordered_set<std::string> listed, const card::OpposedCardsCsv& extract) {
    Additions additions;
    for (const card::OpposedCardsCsv::Card& card : extract.opposed) {
        if (!listed.insert(card.serial).second) {
            ++additions.already;
            continue;
        }
        additions.lines += "serial:" + card.serial + " " + card.date + " opposition ANS\n";
        ++additions.count;
    }
    return additions;
}

void printBadRows(const std::string& csvPath, const card::OpposedCardsCsv& extract) {
    for (std::size_t i = 0; i < extract.badRows.size() && i < kShownBadRows; ++i)
        std::fprintf(stderr, "%s:%s\n", csvPath.c_str(), extract.badRows[i].substr(5).c_str());
    if (extract.badRows.size() > kShownBadRows)
        std::fprintf(stderr, "%s: ... and %zu more bad rows\n", csvPath.c_str(),
                     extract.badRows.size() - kShownBadRows);
}

/// The deny-list with @p additions appended, checked as the agent will read it, replaced atomically.
/// The error is what stderr says.
Result<void> writeList(const std::string& denylistPath, std::string text, const Additions& additions) {
    if (!text.empty() && text.back() != '\n')
        text += '\n';
    text +=
        "# " + std::to_string(additions.count) + " opposed cards imported on " + today() + " from the ANS extract\n";
    text += additions.lines;
    // Checked as the agent will read it, before it replaces anything.
    const auto check = card::Denylist::parse(text, denylistPath);
    if (!check.ok() || text.size() > card::Denylist::kMaxFileSize)
        return fail("cpslock denylist import: the new deny-list would be invalid or larger than " +
                    std::to_string(static_cast<std::uintmax_t>(card::Denylist::kMaxFileSize)) +
                    " bytes; nothing was written");
    if (const auto written = writeFileAtomically(denylistPath, text, 0644); !written)
        return fail("cpslock denylist import: " + written.error().message + "; nothing was written");
    return {};
}

int printed(const Error& error) {
    std::fprintf(stderr, "%s\n", error.message.c_str());
    return 2;
}

} // namespace

int runDenylist(Args args) {
    auto options = parseOptions(args);
    if (!options)
        return options.error();
    if (options->denylistPath.empty()) {
        const auto policy = options->policy.load("denylist import");
        if (!policy)
            return 2;
        options->denylistPath = policy->trust.denylist;
    }
    const std::string& csvPath = options->csvPath;
    const std::string& denylistPath = options->denylistPath;
    const auto extract = readExtract(csvPath);
    if (!extract)
        return printed(extract.error());
    const auto current = readCurrentList(denylistPath);
    if (!current)
        return printed(current.error());
    const Additions additions = newEntries(current->serials, *extract);
    printBadRows(csvPath, *extract);
    if (additions.count > 0 && !options->dryRun) {
        if (const auto written = writeList(denylistPath, current->text, additions); !written)
            return printed(written.error());
    }
    std::printf("%s: columns '%s' and '%s'%s\n", csvPath.c_str(), extract->cardColumn.c_str(),
                extract->dateColumn.c_str(), extract->latin1 ? ", read as Latin-1" : "");
    std::printf("%s%zu ajoutée(s) / added, %zu déjà présente(s) / already present, %zu non opposée(s) / not "
                "opposed, %zu ligne(s) illisible(s) / bad rows -> %s\n",
                options->dryRun ? "[dry run] " : "", additions.count, additions.already, extract->notOpposed,
                extract->badRows.size(), denylistPath.c_str());
    return extract->badRows.empty() ? 0 : 1;
}

} // namespace cpslock::cli
