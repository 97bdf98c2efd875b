// SPDX-License-Identifier: EUPL-1.2
#include "tools/cardsim/PivApplet.h"

#include "card/OpenSslPtr.h"
#include "tools/cardsim/CardCrypto.h"
#include "tools/cardsim/CardTlv.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstring>

namespace cpslock::cardsim {
namespace {

constexpr std::uint8_t kKeyPivAuthentication = 0x9A;

// Full AID with version (SP 800-73-4 part 1, 2.2) and the PIX the APT echoes.
constexpr std::array<std::uint8_t, 11> kAid{0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00};

// FASC-N of a non-federal issuer (agency code 9999): clients then take the GUID as card identity.
constexpr std::array<std::uint8_t, 25> kFascN{0xD4, 0xE7, 0x39, 0xDA, 0x73, 0x9C, 0xED, 0x39, 0xCE,
                                              0x73, 0x9D, 0x83, 0x68, 0x58, 0x21, 0x08, 0x42, 0x10,
                                              0x84, 0x21, 0xC8, 0x42, 0x10, 0xC3, 0xEB};

bool isPem(const Bytes& file) {
    static constexpr std::string_view kBegin = "-----BEGIN";
    const auto it = std::search(file.begin(), file.end(), kBegin.begin(), kBegin.end());
    return it != file.end();
}

card::BioPtr memoryBio(const Bytes& file) {
    return card::BioPtr(BIO_new_mem_buf(file.data(), static_cast<int>(file.size())));
}

/// The certificate file (DER or PEM) in DER.
Result<Bytes> certificateDer(const Bytes& certificateFile) {
    card::X509Ptr cert;
    if (isPem(certificateFile)) {
        cert.reset(PEM_read_bio_X509(memoryBio(certificateFile).get(), nullptr, nullptr, nullptr));
    } else {
        const unsigned char* p = certificateFile.data();
        cert.reset(d2i_X509(nullptr, &p, static_cast<long>(certificateFile.size())));
    }
    if (!cert)
        return fail("certificate: not a DER or PEM X.509 certificate");
    unsigned char* der = nullptr;
    const int derLen = i2d_X509(cert.get(), &der);
    if (derLen <= 0)
        return fail("certificate: cannot be re-encoded in DER");
    Bytes out(der, der + derLen);
    OPENSSL_free(der);
    return out;
}

/// The key file (PKCS#8 DER or PEM): an RSA key of a size PIV knows.
Result<std::shared_ptr<EVP_PKEY>> rsaPrivateKey(const Bytes& keyFile) {
    EVP_PKEY* key = nullptr;
    if (isPem(keyFile)) {
        key = PEM_read_bio_PrivateKey(memoryBio(keyFile).get(), nullptr, nullptr, nullptr);
    } else {
        const unsigned char* p = keyFile.data();
        key = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(keyFile.size()));
    }
    if (!key)
        return fail("key: not an unencrypted PKCS#8 DER or PEM private key");
    std::shared_ptr<EVP_PKEY> owned(key, card::OpenSslFree());
    if (!EVP_PKEY_is_a(key, "RSA"))
        return fail("key: not an RSA key (the simulator's PIV applet signs with RSA only)");
    const int bits = EVP_PKEY_get_bits(key);
    if (bits != 1024 && bits != 2048 && bits != 3072)
        return fail("key: RSA-" + std::to_string(bits) + " has no PIV algorithm identifier (1024, 2048, 3072)");
    return owned;
}

} // namespace

Result<PivCredentials> parsePivCredentials(const Bytes& certificateFile, const Bytes& keyFile) {
    auto der = certificateDer(certificateFile);
    if (!der)
        return der.error();
    auto key = rsaPrivateKey(keyFile);
    if (!key)
        return key.error();
    const int bits = EVP_PKEY_get_bits(key->get());
    return PivCredentials{std::move(*der), std::move(*key), bits};
}

PivApplet::PivApplet(PivCredentials credentials, std::string_view pin, int tries)
    : m_credentials(std::move(credentials)), m_maxTries(tries), m_triesLeft(tries) {
    for (std::size_t i = 0; i < 8; ++i)
        m_pin.append(i < pin.size() ? pin[i] : '\xFF');
}

bool PivApplet::validPin(std::string_view pin) {
    return pin.size() >= 4 && pin.size() <= 8 &&
           std::all_of(pin.begin(), pin.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool PivApplet::matchesAid(const Bytes& aid) {
    // Right-truncated selection: the RID and at least the PIX's start, never more than the full AID.
    return aid.size() >= kAidPrefix.size() && aid.size() <= kAid.size() &&
           std::equal(aid.begin(), aid.end(), kAid.begin());
}

void PivApplet::reset() {
    m_verified = false;
    m_transport.reset();
}

void PivApplet::insertedInto(const Bytes& snIcc) {
    reset();
    // GUID (16 bytes): the issuer number first, the serial BCD last, zeros between. OpenSC shows
    // the GUID's last 8 bytes as token serial: "000000" + the CPS serial digits (F-padded).
    Bytes guid(16, 0x00);
    if (snIcc.size() >= 7) {
        std::copy_n(snIcc.begin() + 2, 5, guid.begin());
        const std::size_t n = std::min<std::size_t>(snIcc.size() - 7, 11);
        std::copy_n(snIcc.end() - static_cast<std::ptrdiff_t>(n), n, guid.end() - static_cast<std::ptrdiff_t>(n));
    }
    const Bytes expiry{'2', '0', '3', '0', '1', '2', '3', '1'};
    m_chuid = tlv({0x53}, concat({tlv({0x30}, Bytes(kFascN.begin(), kFascN.end())), tlv({0x34}, guid),
                                  tlv({0x35}, expiry), tlv({0x3E}, {}), tlv({0xFE}, {})}));
}

std::optional<std::uint8_t> PivApplet::algorithmId() const {
    // SP 800-78-4 table 6-2: 06 RSA-1024, 07 RSA-2048, 05 RSA-3072.
    switch (m_credentials.keyBits) {
    case 1024: return 0x06;
    case 2048: return 0x07;
    case 3072: return 0x05;
    default: return std::nullopt;
    }
}

Bytes PivApplet::select(const Apdu& apdu) {
    // Selecting it again keeps the PIN status; leaving it is the card's business (reset()).
    m_transport.reset();
    if (apdu.p1 != 0x04 || apdu.p2 != 0x00)
        return sw(kWrongP1P2);
    // Application Property Template (SP 800-73-4 part 2, 3.1.1).
    const std::string_view label = "cpslock-cardsim PIV";
    const Bytes apt =
        tlv({0x61}, concat({tlv({0x4F}, Bytes(kAid.begin() + 5, kAid.end())),
                            tlv({0x79}, tlv({0x4F}, Bytes(kAidPrefix.begin(), kAidPrefix.end()))),
                            tlv({0x50}, Bytes(label.begin(), label.end())),
                            tlv({0xAC}, concat({tlv({0x80}, {algorithmId().value_or(0)}), tlv({0x06}, {0x00})}))}));
    return m_transport.respond(apt, apdu);
}

Bytes PivApplet::process(const Apdu& apdu) {
    if ((apdu.cla & ~0x10) != 0)
        return sw(kClaNotSupported); // no secure messaging, no logical channels
    return m_transport.exchange(apdu, [&](const Bytes& data) { return dispatch(apdu.ins, apdu.p1, apdu.p2, data); });
}

PivApplet::Reply PivApplet::dispatch(std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, const Bytes& data) {
    switch (ins) {
    case 0xCB: return getData(p1, p2, data);
    case 0x20: return verify(p1, p2, data);
    case 0x87: return generalAuthenticate(p1, p2, data);
    default: return {{}, kInsNotSupported};
    }
}

PivApplet::Reply PivApplet::getData(std::uint8_t p1, std::uint8_t p2, const Bytes& data) const {
    if (p1 != 0x3F || p2 != 0xFF)
        return {{}, kWrongP1P2};
    std::size_t pos = 0;
    const auto tagList = readTlv(data, pos);
    if (!tagList || tagList->tag != 0x5C || pos != data.size() || tagList->value.empty() || tagList->value.size() > 3)
        return {{}, kWrongData};
    const Bytes& tag = tagList->value;
    Bytes object;
    if (tag == Bytes{0x7E}) {
        // Discovery object: the PIV AID and a PIN usage policy of "application PIN only".
        object = tlv({0x7E}, concat({tlv({0x4F}, Bytes(kAid.begin(), kAid.end())), tlv({0x5F, 0x2F}, {0x40, 0x00})}));
    } else if (tag == Bytes{0x5F, 0xC1, 0x07}) {
        // Card Capability Container: GSC-RID card identifier, versions, no extended capabilities.
        Bytes cardId{0xA0, 0x00, 0x00, 0x01, 0x16, 0xFF, 0x02};
        cardId.resize(21, 0x00);
        object =
            tlv({0x53}, concat({tlv({0xF0}, cardId), tlv({0xF1}, {0x21}), tlv({0xF2}, {0x21}), tlv({0xF3}, {}),
                                tlv({0xF4}, {0x00}), tlv({0xF5}, {0x10}), tlv({0xF6}, {}), tlv({0xF7}, {}),
                                tlv({0xFA}, {}), tlv({0xFB}, {}), tlv({0xFC}, {}), tlv({0xFD}, {}), tlv({0xFE}, {})}));
    } else if (tag == Bytes{0x5F, 0xC1, 0x02}) {
        object = m_chuid;
    } else if (tag == Bytes{0x5F, 0xC1, 0x05}) {
        // X.509 Certificate for PIV Authentication: certificate, CertInfo 00 (not compressed), LRC.
        object = tlv({0x53}, concat({tlv({0x70}, m_credentials.certificateDer), tlv({0x71}, {0x00}), tlv({0xFE}, {})}));
    } else {
        return {{}, kNotFound};
    }
    return {object, kOk};
}

PivApplet::Reply PivApplet::verify(std::uint8_t p1, std::uint8_t p2, const Bytes& data) {
    if (p1 == 0xFF && p2 == 0x80 && data.empty()) {
        m_verified = false; // SP 800-73-4: P1=FF resets the PIN's security status
        return {{}, kOk};
    }
    if (p1 != 0x00)
        return {{}, kWrongP1P2};
    if (p2 != 0x80)
        return {{}, kNoSuchReference}; // only the PIV application PIN exists here
    const auto triesStatus = [this] { return static_cast<std::uint16_t>(0x63C0 | m_triesLeft); };
    if (data.empty()) {
        // Status query: no try is used.
        if (m_verified)
            return {{}, kOk};
        return {{}, m_triesLeft == 0 ? kBlocked : triesStatus()};
    }
    if (m_triesLeft == 0)
        return {{}, kBlocked};
    // 4 to 8 digits, padded with FF to 8 bytes; anything else is refused without using a try.
    const auto digitsEnd = std::find_if(data.begin(), data.end(), [](std::uint8_t b) { return b < '0' || b > '9'; });
    const auto digits = digitsEnd - data.begin();
    if (data.size() != m_pin.size() || digits < 4 ||
        !std::all_of(digitsEnd, data.end(), [](std::uint8_t b) { return b == 0xFF; }))
        return {{}, kWrongData};
    if (CRYPTO_memcmp(data.data(), m_pin.data(), data.size()) == 0) {
        m_triesLeft = m_maxTries;
        m_verified = true;
        return {{}, kOk};
    }
    --m_triesLeft;
    m_verified = false;
    return {{}, triesStatus()};
}

PivApplet::Reply PivApplet::generalAuthenticate(std::uint8_t p1, std::uint8_t p2, const Bytes& data) const {
    if (p2 != kKeyPivAuthentication)
        return {{}, kNoSuchReference};
    if (!algorithmId() || p1 != *algorithmId())
        return {{}, kWrongP1P2};
    if (!m_verified)
        return {{}, kSecurityNotSatisfied}; // key 9A: PIN access rule
    // Dynamic authentication template: 7C { 82 00 (response wanted), 81 L challenge }.
    std::size_t pos = 0;
    const auto outer = readTlv(data, pos);
    if (!outer || outer->tag != 0x7C || pos != data.size())
        return {{}, kWrongData};
    std::optional<Bytes> challenge;
    bool responseWanted = false;
    for (std::size_t i = 0; i < outer->value.size();) {
        const auto item = readTlv(outer->value, i);
        if (!item)
            return {{}, kWrongData};
        if (item->tag == 0x82 && item->value.empty())
            responseWanted = true;
        else if (item->tag == 0x81 && !challenge)
            challenge = item->value;
        else
            return {{}, kWrongData}; // witness, exponentiation, ...: not for an RSA signing key
    }
    const std::size_t keyBytes = static_cast<std::size_t>(m_credentials.keyBits) / 8;
    if (!responseWanted || !challenge || challenge->size() != keyBytes)
        return {{}, kWrongData};

    // Raw RSA private operation: the client already applied PKCS#1 padding.
    const auto signature = rsaRawPrivate(m_credentials.key.get(), *challenge);
    if (!signature)
        return {{}, kWrongData}; // e.g. a block not smaller than the modulus
    return {tlv({0x7C}, tlv({0x82}, *signature)), kOk};
}

} // namespace cpslock::cardsim
