// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "card/HolderIdentity.h"
#include "core/Refusal.h"
#include "core/Result.h"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cpslock::card {

/// A local account that any card matching the filters may open (e.g. "accueil" for every CPE,
/// "consultation" for every Médecin). An empty filter matches everything.
struct SharedAccount {
    std::string user;
    std::set<CardType> cardTypes;      ///< empty: any card type
    std::set<std::string> professions; ///< exact `title` values ("Médecin"); empty: any profession
};

/// Which local accounts a card holder may open: personal mappings by idNat, then shared accounts.
class AccountMapping {
public:
    /// Adds `user` to the accounts of the holder `idNat` (a holder may have several).
    void mapHolder(const std::string& idNat, const std::string& user);
    void addSharedAccount(SharedAccount account);

    /// Success when `holder` may open `requestedUser`, else a not-mapped refusal.
    Result<void, Refusal> check(const HolderIdentity& holder, std::string_view requestedUser) const;

    /// Every account the holder may open (personal first, then shared, no duplicates).
    std::vector<std::string> accountsFor(const HolderIdentity& holder) const;

private:
    static bool matches(const SharedAccount& account, const HolderIdentity& holder);

    std::map<std::string, std::vector<std::string>, std::less<>> m_byIdNat;
    std::vector<SharedAccount> m_shared;
};

} // namespace cpslock::card
