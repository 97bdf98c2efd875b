// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A simulated CPS card for the APDU-level tests of the cardsim applets: two RSA-2048 key pairs with
// self-signed certificates, PIN 1234 with 3 tries, in a VirtualCard of profile cps3 or cps4.
#include "tools/cardsim/CpsCredentials.h"
#include "tools/cardsim/VirtualCard.h"

#include "Pkcs11TestKeys.h"

#include <gtest/gtest.h>

#include <openssl/x509.h>

#include <memory>
#include <optional>
#include <string>

namespace cpslock::cpscard {

inline Bytes hex(const char* text) {
    return *fromHex(text);
}
inline Bytes statusOf(const Bytes& response) {
    return Bytes(response.end() - 2, response.end());
}
inline Bytes dataOf(const Bytes& response) {
    return Bytes(response.begin(), response.end() - 2);
}
inline Bytes pkcs8Der(EVP_PKEY* key) {
    PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(key);
    unsigned char* der = nullptr;
    const int len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
    PKCS8_PRIV_KEY_INFO_free(p8);
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}
inline Bytes cat(const Bytes& a, const Bytes& b) {
    // A fresh, reserved vector: GCC 12 -O2 warns (-Warray-bounds, falsely) when growing a small one.
    Bytes out;
    out.reserve(a.size() + b.size());
    out.insert(out.end(), a.begin(), a.end());
    out.insert(out.end(), b.begin(), b.end());
    return out;
}
/// SHA-256 DigestInfo of @p data (what cpslock gives CKM_RSA_PKCS).
inline Bytes sha256DigestInfo(const Bytes& data) {
    Bytes hash(32);
    unsigned int n = 0;
    EVP_Digest(data.data(), data.size(), hash.data(), &n, EVP_sha256(), nullptr);
    return cat(hex("3031300d060960864801650304020105000420"), hash);
}

struct CpsCard {
    testkeys::PKey authKey;
    testkeys::PKey signKey;
    Bytes authCert;
    Bytes signCert;
    std::shared_ptr<cardsim::CpsCredentials> credentials;
    std::optional<cardsim::VirtualCard> card;
    std::string profile;

    explicit CpsCard(std::string profileName = "cps3", std::optional<Bytes> actua = std::nullopt)
        : authKey(testkeys::rsaKey(2048)), signKey(testkeys::rsaKey(2048)), profile(std::move(profileName)) {
        authCert = testkeys::certificate(authKey.get());
        signCert = testkeys::certificate(signKey.get(), "critical,nonRepudiation");
        auto auth = cardsim::parsePivCredentials(authCert, pkcs8Der(authKey.get()));
        auto sign = cardsim::parsePivCredentials(signCert, pkcs8Der(signKey.get()));
        EXPECT_TRUE(auth && sign) << (auth ? sign : auth).error().message;
        credentials = std::make_shared<cardsim::CpsCredentials>(
            valueOrNone(std::move(auth)), valueOrNone(std::move(sign)), "1234", 3, std::move(actua));
        insert();
    }
    static std::optional<cardsim::PivCredentials> valueOrNone(Result<cardsim::PivCredentials> r) {
        if (!r)
            return std::nullopt;
        return std::move(r).value();
    }
    /// A new insertion of the same card (same credentials, same try counter).
    void insert() { card.emplace(*cardsim::makeProfile(profile, "2900995235"), nullptr, credentials); }
    Bytes send(const Bytes& apdu) { return card->process(apdu); }
    Bytes send(const char* apdu) { return send(hex(apdu)); }

    /// Sends @p apdu, then GET RESPONSE (CLA @p cla) while the card says 61 xx: all data + final SW.
    Bytes exchange(const Bytes& apdu, std::uint8_t getResponseLe = 0x00) {
        Bytes r = send(apdu);
        Bytes all = dataOf(r);
        while (r[r.size() - 2] == 0x61) {
            const std::uint8_t le = getResponseLe != 0 ? getResponseLe : r.back();
            r = send(Bytes{apdu[0] == 0x01 ? std::uint8_t{0x01} : std::uint8_t{0x00}, 0xC0, 0x00, 0x00, le});
            const Bytes part = dataOf(r);
            EXPECT_LE(part.size(), le == 0 ? 256U : le);
            all.insert(all.end(), part.begin(), part.end());
        }
        all.insert(all.end(), r.end() - 2, r.end());
        return all;
    }
    Bytes exchange(const char* apdu) { return exchange(hex(apdu)); }
};

} // namespace cpslock::cpscard
