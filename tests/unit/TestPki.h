// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Access to the test PKI written by tests/data/make-test-pki.sh (ctest fixture "testpki").
// Run outside ctest, the first test to need it generates it.

#include "card/CardProfile.h"
#include "core/Hex.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>

#include <unistd.h>

namespace cpslock::testpki {

struct Card {
    std::string name;
    std::filesystem::path cert;
    std::filesystem::path key;
    std::string cardSerial;
    std::string sha256;
    std::string subject;
    std::string expected;
};

struct Pki {
    std::filesystem::path dir;
    std::map<std::string, Card> cards;
    std::map<std::string, std::string> oids;   // "cps" -> "2.999.1.1"
    std::map<std::string, std::string> keyIds; // "fort", "fort-root", "standard"... -> SKI hex
    std::chrono::system_clock::time_point now{};
};

inline std::chrono::system_clock::time_point parseCompactTime(const std::string& s) {
    // YYYYMMDDTHHMMSSZ
    using namespace std::chrono;
    const int y = std::stoi(s.substr(0, 4));
    const unsigned mo = static_cast<unsigned>(std::stoi(s.substr(4, 2)));
    const unsigned d = static_cast<unsigned>(std::stoi(s.substr(6, 2)));
    const sys_days date{year{y} / month{mo} / std::chrono::day{d}};
    return system_clock::time_point{date} + hours{std::stoi(s.substr(9, 2))} + minutes{std::stoi(s.substr(11, 2))} +
           seconds{std::stoi(s.substr(13, 2))};
}

inline const Pki& pki() {
    static const Pki instance = [] {
        Pki p;
        p.dir = CPSLOCK_TESTPKI_DIR;
        if (!std::filesystem::exists(p.dir / "manifest.tsv")) {
            const std::string command =
                std::string("bash '") + CPSLOCK_TESTPKI_SCRIPT + "' '" + p.dir.string() + "' >/dev/null";
            if (std::system(command.c_str()) != 0) {
                ADD_FAILURE() << "cannot generate the test PKI with " << command;
            }
        }
        std::ifstream in(p.dir / "manifest.tsv");
        std::string line;
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            std::string first;
            std::getline(fields, first, '\t');
            if (first == "#TEST_NOW") {
                std::string value;
                std::getline(fields, value, '\t');
                p.now = parseCompactTime(value);
            } else if (first == "#OIDS" || first == "#KEYIDS") {
                std::string rest;
                std::getline(fields, rest);
                std::istringstream pairs(rest);
                std::string pair;
                while (pairs >> pair) {
                    const auto eq = pair.find('=');
                    (first == "#OIDS" ? p.oids : p.keyIds)[pair.substr(0, eq)] = pair.substr(eq + 1);
                }
            } else if (!first.empty() && first.front() != '#') {
                Card c;
                c.name = first;
                std::string cert, key;
                std::getline(fields, cert, '\t');
                std::getline(fields, key, '\t');
                std::getline(fields, c.cardSerial, '\t');
                std::getline(fields, c.sha256, '\t');
                std::getline(fields, c.subject, '\t');
                std::getline(fields, c.expected, '\t');
                c.cert = p.dir / cert;
                c.key = p.dir / key;
                p.cards[c.name] = c;
            }
        }
        return p;
    }();
    return instance;
}

inline Bytes readBytes(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return Bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline const Card& card(const std::string& name) {
    const auto& cards = pki().cards;
    const auto it = cards.find(name);
    if (it == cards.end()) {
        ADD_FAILURE() << "test PKI has no card " << name;
        static const Card none{};
        return none;
    }
    return it->second;
}

inline Bytes certOf(const std::string& name) {
    return readBytes(card(name).cert);
}

/// The card profile of a policy declaring the test PKI, as policy-trust.toml does: test cards
/// (category 80) accepted, CPS/CPF from the FORT branch, CPE/CPA from the STANDARD branch.
inline card::CardProfile testProfile() {
    const auto& ids = pki().keyIds;
    card::CardProfile profile;
    profile.testPki = true;
    profile.issuers[card::CardType::Cps] = {ids.at("fort")};
    profile.issuers[card::CardType::Cpf] = {ids.at("fort")};
    profile.issuers[card::CardType::Cpe] = {ids.at("standard")};
    profile.issuers[card::CardType::Cpa] = {ids.at("standard")};
    profile.roots = {ids.at("fort-root"), ids.at("standard-root")};
    return profile;
}

/// A fresh empty folder under the system temp dir, removed by the caller when needed.
inline std::filesystem::path freshTempDir(const std::string& tag) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    auto dir = std::filesystem::temp_directory_path() /
               ("cpslock-" + tag + "-" + (info ? std::string(info->name()) : std::string("x")) + "-" +
                std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

} // namespace cpslock::testpki
