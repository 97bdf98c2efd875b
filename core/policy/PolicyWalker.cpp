// SPDX-License-Identifier: EUPL-1.2
#include "core/policy/PolicyWalker.h"

#include "core/policy/PolicySchema.h"

#include <exception>
#include <vector>

namespace cpslock::policy::detail {

namespace {

/// The closest of the specs' names ("did you mean").
template <typename Spec>
std::optional<std::string_view> closestName(std::string_view word, std::span<const Spec> specs) {
    std::vector<std::string_view> names;
    for (const Spec& spec : specs)
        names.push_back(spec.name);
    return closest(word, names);
}

/// The section that has a key of this name (no key name is in two sections).
const SectionSpec* sectionWithKey(std::string_view name) {
    for (const SectionSpec& s : sections()) {
        for (const KeySpec& k : s.keys) {
            if (k.name == name)
                return &s;
        }
    }
    return nullptr;
}

void unknownKey(Context& ctx, const toml::key& key, const std::string& section, std::span<const KeySpec> keys) {
    const std::string name(key.str());
    const std::string dotted = section + "." + name;
    for (const RefusedKey& r : refusedKeys()) {
        if (r.key == dotted) {
            ctx.errorAt(key, "key '" + dotted + "' " + std::string(r.reason));
            return;
        }
    }
    std::string message = "unknown key '" + shown(name) + "' in [" + section + "]";
    if (auto near = closestName(name, keys))
        message += " (did you mean '" + std::string(*near) + "'?)";
    else if (const SectionSpec* other = sectionWithKey(name))
        message += " ('" + name + "' belongs in [" + std::string(other->name) + "])";
    ctx.errorAt(key, message);
}

void unknownSection(Context& ctx, const toml::key& sectionKey) {
    const std::string sectionName(sectionKey.str());
    std::string message = "unknown section [" + shown(sectionName) + "]";
    if (auto near = closestName(sectionName, sections()))
        message += " (did you mean [" + std::string(*near) + "]?)";
    else if (const SectionSpec* owner = sectionWithKey(sectionName))
        message += " ('" + sectionName + "' is a key of [" + std::string(owner->name) + "])";
    ctx.errorAt(sectionKey, message);
}

void applySection(Context& ctx, const SectionSpec& section, const toml::table& table) {
    const std::string sectionName(section.name);
    for (auto&& [key, value] : table) {
        const std::string name(key.str());
        const KeySpec* spec = nullptr;
        for (const KeySpec& k : section.keys) {
            if (k.name == name)
                spec = &k;
        }
        if (spec == nullptr) {
            unknownKey(ctx, key, sectionName, section.keys);
            continue;
        }
        const std::string dotted = sectionName + "." + name;
        if (spec->apply(ctx, dotted, value))
            ctx.provenance[dotted] = ctx.at(key.source());
    }
}

void applyRoot(Context& ctx, const toml::table& root) {
    for (auto&& [sectionKey, sectionNode] : root) {
        const std::string sectionName(sectionKey.str());
        const SectionSpec* section = nullptr;
        for (const SectionSpec& s : sections()) {
            if (s.name == sectionName)
                section = &s;
        }
        if (section == nullptr) {
            unknownSection(ctx, sectionKey);
            continue;
        }
        if (const auto* table = sectionNode.as_table())
            applySection(ctx, *section, *table);
        else
            ctx.wrongType(sectionNode, sectionName, "a table ([" + sectionName + "])");
    }
}

void applyDocument(const PolicyDocument& doc, Context& ctx) {
    auto fileError = [&](std::string message) {
        ctx.report(Diagnostic::Severity::Error, {doc.name, 0, 0}, std::move(message));
    };
    const auto nul = doc.text.find('\0');
    if (nul != std::string::npos) {
        fileError("binary data (NUL byte at offset " + std::to_string(nul) + "): not a TOML file");
        return;
    }
    if (doc.text.find_first_not_of(" \t\r\n") == std::string::npos) {
        fileError("empty policy file (half-written? an intentionally empty file needs a comment)");
        return;
    }
    toml::table root;
    try {
        root = toml::parse(doc.text, doc.name);
    } catch (const toml::parse_error& e) {
        const auto& where = e.source().begin;
        ctx.report(Diagnostic::Severity::Error, {doc.name, where.line, where.column},
                   "syntax error: " + shown(e.description(), 256) + " (nothing of this file was applied)");
        return;
    } catch (const std::exception& e) {
        fileError("cannot parse: " + shown(e.what(), 256));
        return;
    }
    applyRoot(ctx, root);
}

} // namespace

void applyDocuments(std::span<const PolicyDocument> documents, LoadResult& result) {
    for (const PolicyDocument& doc : documents) {
        Context ctx{result.policy, result.provenance, result.diagnostics, doc.name};
        applyDocument(doc, ctx);
        result.files.push_back(doc.name);
    }
}

} // namespace cpslock::policy::detail
