// SPDX-License-Identifier: EUPL-1.2
#include "card/TrustStore.h"

#include "TestPki.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include <openssl/pem.h>

using cpslock::card::TrustStore;
namespace fs = std::filesystem;
namespace tp = cpslock::testpki;

namespace {

void writeFile(const fs::path& file, const std::string& content) {
    std::ofstream(file, std::ios::binary) << content;
}

std::string pemOf(const fs::path& derFile) {
    const auto der = tp::readBytes(derFile);
    auto cert = cpslock::card::parseDerCertificate(der);
    std::string pem;
    if (!cert) {
        return pem;
    }
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert.get());
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    pem.assign(data, static_cast<std::size_t>(len));
    BIO_free(bio);
    return pem;
}

bool containsSubject(const std::vector<std::string>& subjects, const std::string& cn) {
    return std::any_of(subjects.begin(), subjects.end(),
                       [&](const std::string& s) { return s.find("CN=" + cn + ",") == 0; });
}

} // namespace

// The nine public IGC-Santé CA certificates shipped in the installer are the default anchors.
TEST(TrustStoreTest, LoadsTheNineRealIgcSanteCertificates) {
    const fs::path folder = CPSLOCK_IGC_SANTE_DIR;
    ASSERT_TRUE(fs::is_directory(folder)) << folder;
    TrustStore store;
    const auto error = store.addAnchorFolder(folder);
    ASSERT_TRUE(error.ok()) << error.error().message;
    // Three self-signed roots anchor; the six intermediates only help build paths.
    EXPECT_EQ(store.anchors().size(), 3U);
    EXPECT_EQ(store.intermediates().size(), 6U);
    const auto subjects = store.anchorSubjects();
    for (const char* root :
         {"AC RACINE IGC-SANTE FORT", "AC RACINE IGC-SANTE STANDARD", "AC RACINE IGC-SANTE ELEMENTAIRE"}) {
        EXPECT_TRUE(containsSubject(subjects, root)) << root;
    }
    for (const auto& subject : subjects) {
        EXPECT_NE(subject.find("OU=IGC-SANTE,OU=0002 187512751,O=ASIP-SANTE,C=FR"), std::string::npos) << subject;
    }
}

TEST(TrustStoreTest, GarbageFileIsAnErrorNamingIt) {
    const fs::path dir = tp::freshTempDir("trust");
    fs::copy_file(tp::pki().dir / "anchors/root.der", dir / "a-root.der");
    writeFile(dir / "b-notes.txt", "this is not a certificate\n");
    TrustStore store;
    const auto error = store.addAnchorFolder(dir);
    ASSERT_FALSE(error.ok());
    EXPECT_NE(error.error().message.find("b-notes.txt"), std::string::npos) << error.error().message;
    EXPECT_NE(error.error().message.find("not a DER or PEM"), std::string::npos) << error.error().message;
    fs::remove_all(dir);
}

TEST(TrustStoreTest, EmptyTruncatedAndFakePemFilesAreErrors) {
    const fs::path dir = tp::freshTempDir("trust");
    const auto der = tp::readBytes(tp::pki().dir / "anchors/root.der");
    writeFile(dir / "empty.der", "");
    writeFile(dir / "truncated.der", std::string(der.begin(), der.begin() + static_cast<long>(der.size() / 2)));
    writeFile(dir / "trailing.der", std::string(der.begin(), der.end()) + "X");
    writeFile(dir / "fake.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    for (const char* name : {"empty.der", "truncated.der", "trailing.der", "fake.pem"}) {
        TrustStore store;
        const auto error = store.addAnchorFile(dir / name);
        ASSERT_FALSE(error.ok()) << name;
        EXPECT_NE(error.error().message.find(name), std::string::npos) << error.error().message;
        EXPECT_TRUE(store.anchors().empty());
    }
    fs::remove_all(dir);
}

TEST(TrustStoreTest, PemBundleWithRootAndIntermediate) {
    const fs::path dir = tp::freshTempDir("trust");
    writeFile(dir / "bundle.pem", pemOf(tp::pki().dir / "anchors/root.der") + "\n" +
                                      pemOf(tp::pki().dir / "intermediates/intermediate.der"));
    TrustStore store;
    const auto error = store.addAnchorFolder(dir);
    ASSERT_TRUE(error.ok()) << error.error().message;
    EXPECT_EQ(store.anchors().size(), 1U);
    EXPECT_EQ(store.intermediates().size(), 1U);
    fs::remove_all(dir);
}

TEST(TrustStoreTest, HiddenFilesAndSubfoldersAreSkipped) {
    const fs::path dir = tp::freshTempDir("trust");
    fs::copy_file(tp::pki().dir / "anchors/root.der", dir / "root.der");
    writeFile(dir / ".hidden", "garbage");
    fs::create_directory(dir / "sub");
    TrustStore store;
    EXPECT_TRUE(store.addAnchorFolder(dir).ok());
    EXPECT_EQ(store.anchors().size(), 1U);
    fs::remove_all(dir);
}

TEST(TrustStoreTest, EndEntityCertificateIsNotAnAnchor) {
    TrustStore store;
    const auto error = store.addAnchorFile(tp::card("valid-cps").cert);
    ASSERT_FALSE(error.ok());
    EXPECT_NE(error.error().message.find("not a CA certificate"), std::string::npos) << error.error().message;
    EXPECT_TRUE(store.anchors().empty());
    EXPECT_TRUE(store.intermediates().empty());
}

TEST(TrustStoreTest, MissingFolderIsAnError) {
    TrustStore store;
    const auto error = store.addAnchorFolder("/nonexistent/cpslock/trust");
    ASSERT_FALSE(error.ok());
    EXPECT_NE(error.error().message.find("/nonexistent/cpslock/trust"), std::string::npos);
}

TEST(TrustStoreTest, AnchorFromMemory) {
    TrustStore store;
    EXPECT_TRUE(store.addAnchorDer(tp::readBytes(tp::pki().dir / "anchors/root.der"), "root").ok());
    EXPECT_EQ(store.anchors().size(), 1U);
    const auto error = store.addAnchorDer(cpslock::Bytes{0x30, 0x03, 0x02, 0x01, 0x00}, "junk");
    ASSERT_FALSE(error.ok());
    EXPECT_NE(error.error().message.find("junk"), std::string::npos);
}
