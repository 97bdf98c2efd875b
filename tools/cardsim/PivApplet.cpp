// SPDX-License-Identifier: EUPL-1.2
#include "tools/cardsim/PivApplet.h"

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

// Status words (SP 800-73-4 part 2, ISO 7816-4).
constexpr std::uint16_t kOk = 0x9000;
constexpr std::uint16_t kWrongLength = 0x6700;
constexpr std::uint16_t kSecurityNotSatisfied = 0x6982;
constexpr std::uint16_t kBlocked = 0x6983;
constexpr std::uint16_t kConditionsNotSatisfied = 0x6985;
constexpr std::uint16_t kWrongData = 0x6A80;
constexpr std::uint16_t kNotFound = 0x6A82;
constexpr std::uint16_t kWrongP1P2 = 0x6A86;
constexpr std::uint16_t kNoSuchReference = 0x6A88;
constexpr std::uint16_t kInsNotSupported = 0x6D00;
constexpr std::uint16_t kClaNotSupported = 0x6E00;

constexpr std::size_t kMaxChain = 4096; // more than a 3072-bit GENERAL AUTHENTICATE needs
constexpr std::uint8_t kKeyPivAuthentication = 0x9A;

// Full AID with version (SP 800-73-4 part 1, 2.2) and the PIX the APT echoes.
constexpr std::array<std::uint8_t, 11> kAid{0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00};

// FASC-N of a non-federal issuer (agency code 9999): clients then take the GUID as card identity.
constexpr std::array<std::uint8_t, 25> kFascN{0xD4, 0xE7, 0x39, 0xDA, 0x73, 0x9C, 0xED, 0x39, 0xCE,
                                               0x73, 0x9D, 0x83, 0x68, 0x58, 0x21, 0x08, 0x42, 0x10,
                                               0x84, 0x21, 0xC8, 0x42, 0x10, 0xC3, 0xEB};


struct BioFree {
    void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};
struct CtxFree {
    void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};

bool isPem(const Bytes& file) {
    static constexpr std::string_view kBegin = "-----BEGIN";
    const auto it = std::search(file.begin(), file.end(), kBegin.begin(), kBegin.end());
    return it != file.end();
}

std::unique_ptr<BIO, BioFree> memoryBio(const Bytes& file) {
    return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(file.data(), static_cast<int>(file.size())));
}

} // namespace

std::optional<PivCredentials> parsePivCredentials(const Bytes& certificateFile, const Bytes& keyFile,
                                                  std::string& error) {
    std::unique_ptr<X509, X509Free> cert;
    if (isPem(certificateFile)) {
        cert.reset(PEM_read_bio_X509(memoryBio(certificateFile).get(), nullptr, nullptr, nullptr));
    } else {
        const unsigned char* p = certificateFile.data();
        cert.reset(d2i_X509(nullptr, &p, static_cast<long>(certificateFile.size())));
    }
    if (!cert) {
        error = "certificate: not a DER or PEM X.509 certificate";
        return std::nullopt;
    }
    PivCredentials out;
    unsigned char* der = nullptr;
    const int derLen = i2d_X509(cert.get(), &der);
    if (derLen <= 0) {
        error = "certificate: cannot be re-encoded in DER";
        return std::nullopt;
    }
    out.certificateDer.assign(der, der + derLen);
    OPENSSL_free(der);

    EVP_PKEY* key = nullptr;
    if (isPem(keyFile)) {
        key = PEM_read_bio_PrivateKey(memoryBio(keyFile).get(), nullptr, nullptr, nullptr);
    } else {
        const unsigned char* p = keyFile.data();
        key = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(keyFile.size()));
    }
    if (!key) {
        error = "key: not an unencrypted PKCS#8 DER or PEM private key";
        return std::nullopt;
    }
    out.key.reset(key, EVP_PKEY_free);
    if (!EVP_PKEY_is_a(key, "RSA")) {
        error = "key: not an RSA key (the simulator's PIV applet signs with RSA only)";
        return std::nullopt;
    }
    out.keyBits = EVP_PKEY_get_bits(key);
    if (out.keyBits != 1024 && out.keyBits != 2048 && out.keyBits != 3072) {
        error = "key: RSA-" + std::to_string(out.keyBits) + " has no PIV algorithm identifier (1024, 2048, 3072)";
        return std::nullopt;
    }
    return out;
}

PivApplet::PivApplet(PivCredentials credentials, std::string_view pin, int tries)
    : m_credentials(std::move(credentials)), m_maxTries(tries), m_triesLeft(tries) {
    for (std::size_t i = 0; i < 8; ++i)
        m_pin.append(i < pin.size() ? pin[i] : '\xFF');
}

PivApplet::~PivApplet() {
    OPENSSL_cleanse(m_chain.data(), m_chain.size());
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
    OPENSSL_cleanse(m_chain.data(), m_chain.size());
    m_chain.clear();
    m_chainIns.reset();
    m_pending.clear();
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
    OPENSSL_cleanse(m_chain.data(), m_chain.size());
    m_chain.clear();
    m_chainIns.reset();
    m_pending.clear();
    if (apdu.p1 != 0x04 || apdu.p2 != 0x00)
        return sw(kWrongP1P2);
    // Application Property Template (SP 800-73-4 part 2, 3.1.1).
    const std::string_view label = "cpslock-cardsim PIV";
    const Bytes apt = tlv({0x61}, concat({tlv({0x4F}, Bytes(kAid.begin() + 5, kAid.end())),
                                          tlv({0x79}, tlv({0x4F}, Bytes(kAidPrefix.begin(), kAidPrefix.end()))),
                                          tlv({0x50}, Bytes(label.begin(), label.end())),
                                          tlv({0xAC}, concat({tlv({0x80}, {algorithmId().value_or(0)}),
                                                              tlv({0x06}, {0x00})}))}));
    return respond(apt, apdu);
}

Bytes PivApplet::process(const Apdu& apdu) {
    if ((apdu.cla & ~0x10) != 0)
        return sw(kClaNotSupported); // no secure messaging, no logical channels
    if (apdu.ins == 0xC0)
        return apdu.cla == 0x00 ? getResponse(apdu) : sw(kClaNotSupported);
    m_pending.clear();
    if (apdu.cla & 0x10) {
        // Command chaining (ISO 7816-4 5.1.1.1): keep the data until the last command of the chain.
        if (m_chainIns != apdu.ins) {
            OPENSSL_cleanse(m_chain.data(), m_chain.size());
            m_chain.clear();
        }
        if (m_chain.size() + apdu.data.size() > kMaxChain) {
            OPENSSL_cleanse(m_chain.data(), m_chain.size());
            m_chain.clear();
            m_chainIns.reset();
            return sw(kWrongLength);
        }
        m_chainIns = apdu.ins;
        m_chain.insert(m_chain.end(), apdu.data.begin(), apdu.data.end());
        return sw(kOk);
    }
    Bytes data;
    if (m_chainIns == apdu.ins)
        data = m_chain;
    data.insert(data.end(), apdu.data.begin(), apdu.data.end());
    OPENSSL_cleanse(m_chain.data(), m_chain.size());
    m_chain.clear();
    m_chainIns.reset();

    Reply reply = dispatch(apdu.ins, apdu.p1, apdu.p2, data);
    OPENSSL_cleanse(data.data(), data.size()); // may hold the PIN
    if (reply.sw != kOk || reply.body.empty())
        return sw(reply.sw);
    return respond(std::move(reply.body), apdu);
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
        object = tlv({0x53}, concat({tlv({0xF0}, cardId), tlv({0xF1}, {0x21}), tlv({0xF2}, {0x21}), tlv({0xF3}, {}),
                                     tlv({0xF4}, {0x00}), tlv({0xF5}, {0x10}), tlv({0xF6}, {}), tlv({0xF7}, {}),
                                     tlv({0xFA}, {}), tlv({0xFB}, {}), tlv({0xFC}, {}), tlv({0xFD}, {}),
                                     tlv({0xFE}, {})}));
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
    std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, m_credentials.key.get(), nullptr));
    Bytes signature(keyBytes);
    std::size_t signatureLen = signature.size();
    if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) <= 0 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING) <= 0 ||
        EVP_PKEY_decrypt(ctx.get(), signature.data(), &signatureLen, challenge->data(), challenge->size()) <= 0)
        return {{}, kWrongData}; // e.g. a block not smaller than the modulus
    // Keep leading zero bytes: the result is exactly as long as the modulus.
    signature.resize(signatureLen);
    signature.insert(signature.begin(), keyBytes - std::min(keyBytes, signatureLen), 0x00);

    return {tlv({0x7C}, tlv({0x82}, signature)), kOk};
}

Bytes PivApplet::getResponse(const Apdu& apdu) {
    if (apdu.p1 != 0x00 || apdu.p2 != 0x00)
        return sw(kWrongP1P2);
    if (m_pending.empty())
        return sw(kConditionsNotSatisfied);
    return nextPiece(apdu.hasLe ? apdu.le : 256);
}

Bytes PivApplet::respond(Bytes body, const Apdu& apdu) {
    m_pending = std::move(body);
    // Without Le (what a T=0 transport sends for a case-4 command) nothing goes out now: the
    // client asks for it with GET RESPONSE after `61 xx`, as on a real T=0 card.
    return nextPiece(apdu.hasLe ? apdu.le : 0);
}

Bytes PivApplet::nextPiece(std::size_t ne) {
    const std::size_t n = std::min(ne, m_pending.size());
    Bytes out(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(n));
    m_pending.erase(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(n));
    if (m_pending.empty()) {
        appendSw(out, kOk);
    } else {
        // 61 00: 256 or more bytes are waiting.
        appendSw(out, static_cast<std::uint16_t>(0x6100 | (std::min<std::size_t>(m_pending.size(), 256) & 0xFF)));
    }
    return out;
}

} // namespace cpslock::cardsim
