// SPDX-License-Identifier: EUPL-1.2
// The built pam_cpslock.so, as a PAM application would load it: only pam_sm_* exported (version
// script), and no card library, OpenSSL or Qt pulled into the screen locker.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include <dlfcn.h>
#include <elf.h>

namespace {

struct DynamicInfo {
    std::set<std::string> exported;
    std::set<std::string> imported;
    std::vector<std::string> needed;
};

template <typename T> T readAt(const std::vector<char>& file, std::size_t offset) {
    T value{};
    if (offset + sizeof(T) > file.size())
        throw std::runtime_error("truncated ELF");
    std::memcpy(&value, file.data() + offset, sizeof(T));
    return value;
}

std::string stringAt(const std::vector<char>& file, std::size_t table, std::size_t index) {
    return std::string(file.data() + table + index);
}

DynamicInfo readDynamic(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    const std::vector<char> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto header = readAt<Elf64_Ehdr>(file, 0);
    if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64)
        throw std::runtime_error("not a 64-bit ELF file");
    std::vector<Elf64_Shdr> sections;
    for (std::size_t i = 0; i < header.e_shnum; ++i)
        sections.push_back(readAt<Elf64_Shdr>(file, header.e_shoff + i * header.e_shentsize));
    DynamicInfo info;
    for (const auto& section : sections) {
        const std::size_t strings = sections.at(section.sh_link).sh_offset;
        if (section.sh_type == SHT_DYNSYM) {
            for (std::size_t off = 0; off + sizeof(Elf64_Sym) <= section.sh_size; off += sizeof(Elf64_Sym)) {
                const auto sym = readAt<Elf64_Sym>(file, section.sh_offset + off);
                const auto binding = ELF64_ST_BIND(sym.st_info);
                if (binding != STB_GLOBAL && binding != STB_WEAK)
                    continue;
                auto& set = sym.st_shndx == SHN_UNDEF ? info.imported : info.exported;
                set.insert(stringAt(file, strings, sym.st_name));
            }
        } else if (section.sh_type == SHT_DYNAMIC) {
            for (std::size_t off = 0; off + sizeof(Elf64_Dyn) <= section.sh_size; off += sizeof(Elf64_Dyn)) {
                const auto dyn = readAt<Elf64_Dyn>(file, section.sh_offset + off);
                if (dyn.d_tag == DT_NEEDED)
                    info.needed.push_back(stringAt(file, strings, dyn.d_un.d_val));
            }
        }
    }
    return info;
}

} // namespace

TEST(PamModuleExportsTest, ExportsOnlyThePamEntryPoints) {
    const auto info = readDynamic(CPSLOCK_PAM_MODULE);
    EXPECT_EQ(info.exported, (std::set<std::string>{"pam_sm_authenticate", "pam_sm_setcred", "pam_sm_acct_mgmt",
                                                    "pam_sm_open_session", "pam_sm_close_session"}));
}

TEST(PamModuleExportsTest, LinksNoCardLibraryCryptoOrGui) {
    const auto info = readDynamic(CPSLOCK_PAM_MODULE);
    ASSERT_FALSE(info.needed.empty());
    for (const auto& lib : info.needed) {
        for (const char* banned : {"pcsclite", "opensc", "crypto", "ssl", "Qt", "p11", "pthread", "softhsm"}) {
            EXPECT_EQ(lib.find(banned), std::string::npos) << lib;
        }
    }
}

// No thread can outlive the call if none is ever started; no library is loaded behind the host's back;
// no process is started (the card is checked by cpslockd, over its socket).
TEST(PamModuleExportsTest, StartsNoThreadOrProcessLoadsNoLibraryAndTalksToNoCard) {
    const auto info = readDynamic(CPSLOCK_PAM_MODULE);
    ASSERT_TRUE(info.imported.count("connect")) << "the reading of imports is broken";
    for (const char* banned :
         {"pthread_create", "pthread_detach", "dlopen", "dlmopen", "fork", "system", "popen", "posix_spawn", "execve",
          "execv", "vfork", "SCardEstablishContext", "C_GetFunctionList", "OPENSSL_init_crypto"}) {
        EXPECT_EQ(info.imported.count(banned), 0U) << banned;
    }
}

TEST(PamModuleExportsTest, LoadsAsAPamApplicationWouldAndResolvesTheEntryPoints) {
    void* module = dlopen(CPSLOCK_PAM_MODULE, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(module, nullptr) << dlerror();
    for (const char* name :
         {"pam_sm_authenticate", "pam_sm_setcred", "pam_sm_acct_mgmt", "pam_sm_open_session", "pam_sm_close_session"})
        EXPECT_NE(dlsym(module, name), nullptr) << name;
    // Not implemented on purpose: libpam then answers PAM_SERVICE_ERR / skips the module.
    EXPECT_EQ(dlsym(module, "pam_sm_chauthtok"), nullptr);
    // Internals stay internal, whatever their linkage in the source.
    for (const char* name : {"_ZN7cpslock3pam12authenticateERKNS0_13ModuleOptionsE", "_ZN7cpslock11userMessage"})
        EXPECT_EQ(dlsym(module, name), nullptr) << name;
    dlclose(module);
}
