// SPDX-License-Identifier: EUPL-1.2
#include "card/AccountMapping.h"

#include <algorithm>

namespace cpslock::card {

void AccountMapping::mapHolder(const std::string& idNat, const std::string& user) {
    auto& users = m_byIdNat[idNat];
    if (std::find(users.begin(), users.end(), user) == users.end()) {
        users.push_back(user);
    }
}

void AccountMapping::addSharedAccount(SharedAccount account) {
    m_shared.push_back(std::move(account));
}

bool AccountMapping::matches(const SharedAccount& account, const HolderIdentity& holder) {
    // An Unknown card type never satisfies a type filter: it matches only an unfiltered account.
    const bool typeOk = account.cardTypes.empty() || account.cardTypes.count(holder.cardType) > 0;
    const bool professionOk = account.professions.empty() || account.professions.count(holder.profession) > 0;
    return typeOk && professionOk;
}

Result<void, Refusal> AccountMapping::check(const HolderIdentity& holder, std::string_view requestedUser) const {
    // Empty names never match: an empty requested user or idNat is a caller bug, not a wildcard.
    if (!requestedUser.empty() && !holder.idNat.empty()) {
        const auto it = m_byIdNat.find(holder.idNat);
        if (it != m_byIdNat.end() &&
            std::find(it->second.begin(), it->second.end(), requestedUser) != it->second.end()) {
            return {};
        }
        for (const auto& account : m_shared) {
            if (account.user == requestedUser && matches(account, holder)) {
                return {};
            }
        }
    }
    return Refusal{RefusalReason::NotMapped,
                   "holder " + holder.idNat + " (" + std::string(toString(holder.cardType)) +
                       (holder.profession.empty() ? "" : ", " + holder.profession) + ") may not open account '" +
                       std::string(requestedUser) + "'",
                   std::nullopt};
}

std::vector<std::string> AccountMapping::accountsFor(const HolderIdentity& holder) const {
    std::vector<std::string> users;
    if (holder.idNat.empty()) {
        return users;
    }
    if (const auto it = m_byIdNat.find(holder.idNat); it != m_byIdNat.end()) {
        users = it->second;
    }
    for (const auto& account : m_shared) {
        if (matches(account, holder) && std::find(users.begin(), users.end(), account.user) == users.end()) {
            users.push_back(account.user);
        }
    }
    return users;
}

} // namespace cpslock::card
