// SPDX-License-Identifier: EUPL-1.2
#include "card/PolicyFiles.h"

#include "card/Denylist.h"
#include "card/TrustMaterial.h"
#include "card/TrustStore.h"

namespace cpslock::card {

policy::LoadOptions policyLoadOptions(std::vector<std::string>* anchorSubjects) {
    policy::LoadOptions options;
    options.contentCheck = [anchorSubjects](const std::string& key, const std::string& path) {
        std::vector<std::string> errors;
        if (key == "trust.denylist") {
            errors = Denylist::load(path).errors;
        } else if (key == "trust.anchors_dir") {
            TrustStore store;
            if (auto loaded = loadAnchorFolder(store, path); !loaded)
                errors.push_back(loaded.error().message);
            else if (anchorSubjects)
                *anchorSubjects = store.anchorSubjects();
        }
        return errors;
    };
    return options;
}

} // namespace cpslock::card
