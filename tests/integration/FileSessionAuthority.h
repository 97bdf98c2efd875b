#pragma once

// A SessionAuthority for end-to-end tests of the agent before (and without) cpslockd: the "verified
// card" is whatever the test wrote in a file. Compiled only into cpslock-agent-testauth (a test build of
// agent/main.cpp, never installed): in the real agent nobody but cpslockd names the verified card.
//
// File format, read at every question: empty or missing → no verified card; `error TEXT` → cpslockd
// unreachable; else one line `reader<TAB>serial<TAB>certSha256<TAB>generation`. Each sessionLocked(g)
// appends `locked g` to FILE.locked.

#include "core/SessionAuthority.h"

#include <fstream>
#include <sstream>
#include <string>

namespace cpslock::test {

class FileSessionAuthority final : public SessionAuthority {
public:
    explicit FileSessionAuthority(std::string path) : m_path(std::move(path)) {}

    Answer verifiedCard() override {
        Answer answer;
        std::ifstream in(m_path);
        std::string line;
        if (!in || !std::getline(in, line) || line.empty())
            return answer;
        if (line.rfind("error ", 0) == 0) {
            answer.error = line.substr(6);
            return answer;
        }
        std::istringstream fields(line);
        VerifiedCard card;
        std::string generation;
        std::getline(fields, card.reader, '\t');
        std::getline(fields, card.serial, '\t');
        std::getline(fields, card.certSha256, '\t');
        std::getline(fields, generation, '\t');
        card.generation = generation.empty() ? 0 : std::stoull(generation);
        answer.card = card;
        return answer;
    }

    void sessionLocked(std::uint64_t generation) override {
        std::ofstream out(m_path + ".locked", std::ios::app);
        out << "locked " << generation << "\n";
    }

private:
    std::string m_path;
};

} // namespace cpslock::test
