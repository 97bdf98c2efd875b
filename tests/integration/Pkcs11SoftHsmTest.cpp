// SPDX-License-Identifier: EUPL-1.2
// The PKCS#11 check against real SoftHSM2 tokens built by tests/data/softhsm-token.sh from a tiny
// test CA, in a private SOFTHSM2_CONF. SoftHSM never locks a PIN and cannot lose its token: those
// cases live in the fake-module unit tests.

#include "card/CardPossession.h"
#include "card/Pkcs11Module.h"
#include "core/SecureBuffer.h"

#include <gtest/gtest.h>

#include <dlfcn.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

using namespace cpslock;
using namespace cpslock::card;

namespace {

const std::string kScript = CPSLOCK_SOFTHSM_SCRIPT;
const std::string kModule = CPSLOCK_SOFTHSM_MODULE;

struct TokenInfo {
    std::string serial;
    std::string slotDescription;
};

std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// Runs the script; returns its stdout, or nullopt when it fails.
std::optional<std::string> runScript(const std::vector<std::string>& args) {
    std::string command = "bash " + quote(kScript);
    for (const auto& a : args)
        command += " " + quote(a);
    FILE* p = popen(command.c_str(), "r");
    if (p == nullptr)
        return std::nullopt;
    std::string out;
    char buf[256];
    while (std::fgets(buf, sizeof buf, p) != nullptr)
        out += buf;
    if (pclose(p) != 0)
        return std::nullopt;
    return out;
}

Bytes readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
}

class Pkcs11SoftHsmTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        char dirTemplate[] = "/tmp/cpslock-softhsm-XXXXXX";
        ASSERT_NE(mkdtemp(dirTemplate), nullptr);
        s_dir = dirTemplate;
        const std::string pki = (s_dir / "pki").string();
        ASSERT_TRUE(runScript({"pki", pki}));
        auto file = [&](const char* name) { return (s_dir / "pki" / name).string(); };

        addToken("good", {{file("auth-a.key.der"), file("auth-a.der"), "01", "CPS_PRIV_AUT",
                           "Certificat d'Authentification CPS"}});
        // pam_pkcs11 CVE-2025-24032: a certificate copied onto a token that lacks its key.
        addToken("copied", {{file("auth-a.key.der"), file("auth-b.der"), "01", "CPS_PRIV_AUT",
                             "Certificat d'Authentification CPS"}});
        // A generic token: a non-repudiation pair first, the digitalSignature pair second.
        addToken("generic", {{file("sign-a.key.der"), file("sign-a.der"), "02", "sig key", "sig cert"},
                             {file("auth-b.key.der"), file("auth-b.der"), "03", "auth key", "auth cert"}});
        addToken("certonly", {{"-", file("auth-a.der"), "01", "-", "lonely cert"}});
        // CPS3 cards also carry RSA-1024 keys.
        ASSERT_TRUE(runScript({"pki", (s_dir / "pki1024").string(), "1024"}));
        addToken("rsa1024",
                 {{(s_dir / "pki1024" / "auth-a.key.der").string(), (s_dir / "pki1024" / "auth-a.der").string(), "01",
                   "CPS_PRIV_AUT", "Certificat d'Authentification CPS"}});
        setenv("SOFTHSM2_CONF", (s_dir / "softhsm2.conf").c_str(), 1);
    }
    static void TearDownTestSuite() {
        std::error_code ec;
        std::filesystem::remove_all(s_dir, ec);
    }

    struct Import {
        std::string key, cert, id, keyLabel, certLabel;
    };
    static void addToken(const std::string& label, const std::vector<Import>& imports) {
        auto out = runScript({"token", s_dir.string(), label, "1234"});
        ASSERT_TRUE(out) << "token " << label;
        std::istringstream lines(*out);
        TokenInfo info;
        for (std::string line; std::getline(lines, line);) {
            if (line.rfind("serial=", 0) == 0)
                info.serial = line.substr(7);
            if (line.rfind("slot_description=", 0) == 0)
                info.slotDescription = line.substr(17);
        }
        ASSERT_FALSE(info.serial.empty());
        ASSERT_FALSE(info.slotDescription.empty());
        s_tokens[label] = info;
        for (const auto& i : imports)
            ASSERT_TRUE(
                runScript({"import", s_dir.string(), label, "1234", i.key, i.cert, i.id, i.keyLabel, i.certLabel}))
                << "import into " << label;
    }

    std::unique_ptr<Pkcs11Module> softhsm() {
        auto m = Pkcs11Module::load(kModule);
        EXPECT_TRUE(m) << (m ? "" : m.error().detail);
        return m ? std::move(m.value()) : nullptr;
    }

    static SecureBuffer pin(std::string_view text) {
        SecureBuffer b;
        for (char c : text)
            b.append(c);
        return b;
    }

    Pkcs11Result<PossessionProof> proveOn(const std::string& token, std::string_view pinText) {
        auto m = softhsm();
        if (!m)
            return makeError(Pkcs11Failure::ModuleError, "SoftHSM did not load");
        SecureBuffer p = pin(pinText);
        return proveCardPossession(*m, {s_tokens.at(token).slotDescription, ""}, p);
    }

    static std::filesystem::path s_dir;
    static std::map<std::string, TokenInfo> s_tokens;
};
std::filesystem::path Pkcs11SoftHsmTest::s_dir;
std::map<std::string, TokenInfo> Pkcs11SoftHsmTest::s_tokens;

} // namespace

TEST_F(Pkcs11SoftHsmTest, RightPinProvesPossessionBySlotDescription) {
    auto r = proveOn("good", "1234");
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r.value().token.matchedBy, TokenSlot::MatchedBy::ReaderName);
    EXPECT_EQ(r.value().token.token.label, "good");
    EXPECT_EQ(r.value().keyLabel, "CPS_PRIV_AUT");
    EXPECT_EQ(r.value().certificateDer, readFile(s_dir / "pki" / "auth-a.der"));
    EXPECT_EQ(r.value().mechanism, CKM_RSA_PKCS); // over a SHA-256 DigestInfo, whatever the token lists
}

TEST_F(Pkcs11SoftHsmTest, NeverSelectsTheTokenBySerial_Issue12) {
    auto m = softhsm();
    ASSERT_TRUE(m);
    SecureBuffer p = pin("1234");
    auto r = proveCardPossession(*m, {"Virtual PCD 00 00", s_tokens.at("good").serial}, p);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().failure, Pkcs11Failure::NoCard) << r.error().detail;
    EXPECT_TRUE(p.empty());
}

TEST_F(Pkcs11SoftHsmTest, WrongPinNeverAccepted_PamP11Pr32) {
    for (std::string_view wrong : {"0000", "12345", "123", "1234 "}) {
        auto r = proveOn("good", wrong);
        ASSERT_FALSE(r) << "accepted PIN '" << wrong << "'";
        EXPECT_EQ(r.error().failure, Pkcs11Failure::WrongPin) << r.error().detail;
    }
    // SoftHSM reports COUNT_LOW after a wrong try but never an exact count nor a lock.
    auto again = proveOn("good", "4321");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().triesLeft, std::nullopt);
    EXPECT_TRUE(proveOn("good", "1234")); // the right PIN still works: the refusals came from the PIN
}

TEST_F(Pkcs11SoftHsmTest, CopiedCertificateWithoutKeyRefused_Cve2025_24032) {
    auto r = proveOn("copied", "1234");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().failure, Pkcs11Failure::KeyMismatch) << r.error().detail;
}

TEST_F(Pkcs11SoftHsmTest, GenericTokenUsesTheDigitalSignaturePair) {
    auto r = proveOn("generic", "1234");
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r.value().keyId, Bytes{0x03});
    EXPECT_EQ(r.value().certificateDer, readFile(s_dir / "pki" / "auth-b.der"));
}

TEST_F(Pkcs11SoftHsmTest, Rsa1024KeyProvesPossession) {
    auto r = proveOn("rsa1024", "1234");
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r.value().certificateDer, readFile(s_dir / "pki1024" / "auth-a.der"));
}

TEST_F(Pkcs11SoftHsmTest, TokenWithoutPrivateKeyIsRefused) {
    auto r = proveOn("certonly", "1234");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().failure, Pkcs11Failure::ModuleError) << r.error().detail;
}

TEST_F(Pkcs11SoftHsmTest, NoTokenForReaderOrSerialIsNoCard) {
    auto m = softhsm();
    ASSERT_TRUE(m);
    SecureBuffer p = pin("1234");
    auto r = proveCardPossession(*m, {"Virtual PCD 00 01", "9921384501"}, p);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().failure, Pkcs11Failure::NoCard);
    EXPECT_TRUE(p.empty());
}

TEST_F(Pkcs11SoftHsmTest, MissingModuleIsModuleError) {
    auto r = Pkcs11Module::load((s_dir / "no-such-module.so").string());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().failure, Pkcs11Failure::ModuleError);
    EXPECT_FALSE(Pkcs11Module::load(""));
}

TEST_F(Pkcs11SoftHsmTest, RelativeModulePathIsRefused) {
    auto r = Pkcs11Module::load("libsofthsm2.so");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().failure, Pkcs11Failure::ModuleError);
    EXPECT_NE(r.error().detail.find("not absolute"), std::string::npos);
}

TEST_F(Pkcs11SoftHsmTest, LibraryThatIsNotPkcs11IsModuleError) {
    // A real shared library without C_GetFunctionList (libcrypto, found where this process loaded
    // it), and a file that is no library at all.
    Dl_info info{};
    ASSERT_NE(dladdr(reinterpret_cast<void*>(&EVP_sha256), &info), 0);
    ASSERT_NE(info.dli_fname, nullptr);
    ASSERT_EQ(info.dli_fname[0], '/');
    auto lib = Pkcs11Module::load(info.dli_fname);
    ASSERT_FALSE(lib);
    EXPECT_EQ(lib.error().failure, Pkcs11Failure::ModuleError);
    EXPECT_NE(lib.error().detail.find("C_GetFunctionList"), std::string::npos) << lib.error().detail;
    auto text = Pkcs11Module::load((s_dir / "softhsm2.conf").string());
    ASSERT_FALSE(text);
    EXPECT_EQ(text.error().failure, Pkcs11Failure::ModuleError);
}

TEST_F(Pkcs11SoftHsmTest, SecondLoadInTheSameProcessDoesNotFinalizeTheFirst) {
    auto first = softhsm();
    ASSERT_TRUE(first);
    EXPECT_TRUE(first->ownsInitialization());
    {
        auto second = softhsm(); // same library: C_Initialize answers CKR_CRYPTOKI_ALREADY_INITIALIZED
        ASSERT_TRUE(second);
        EXPECT_FALSE(second->ownsInitialization());
    }
    SecureBuffer p = pin("1234");
    auto r = proveCardPossession(*first, {s_tokens.at("good").slotDescription, ""}, p);
    EXPECT_TRUE(r) << r.error().detail;
}

// OpenSC, the other module the project ships with, loaded for real: with no PC/SC service
// reachable (a private, absent socket) it has no token, which must read as no-card, not a crash.
TEST(Pkcs11OpenScTest, OpenScWithoutReaderIsNoCard) {
    setenv("PCSCLITE_CSOCK_NAME", "/nonexistent/cpslock-test/pcscd.comm", 1);
    auto m = Pkcs11Module::load("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so");
    ASSERT_TRUE(m) << m.error().detail;
    SecureBuffer pin;
    pin.append('1');
    auto r = proveCardPossession(*m.value(), {"Virtual PCD 00 00", "9921384501"}, pin);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().failure, Pkcs11Failure::NoCard) << r.error().detail;
    EXPECT_TRUE(pin.empty());
}
