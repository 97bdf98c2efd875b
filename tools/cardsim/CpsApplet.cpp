// SPDX-License-Identifier: EUPL-1.2
#include "tools/cardsim/CpsApplet.h"

#include "tools/cardsim/CardCrypto.h"
#include "tools/cardsim/CardTlv.h"

#include <openssl/crypto.h>

#include <algorithm>

namespace cpslock::cardsim {
namespace {

constexpr std::uint16_t kOk = 0x9000;
constexpr std::uint16_t kWrongLength = 0x6700;
constexpr std::uint16_t kBlocked = 0x6983;
constexpr std::uint16_t kConditionsNotSatisfied = 0x6985;
constexpr std::uint16_t kNoCurrentEf = 0x6986;
constexpr std::uint16_t kWrongData = 0x6A80;
constexpr std::uint16_t kNotFound = 0x6A82;
constexpr std::uint16_t kWrongP1P2 = 0x6A86;
constexpr std::uint16_t kNoSuchReference = 0x6A88;
constexpr std::uint16_t kOffsetOutside = 0x6B00;
constexpr std::uint16_t kClaNotSupported = 0x6E00;

constexpr std::size_t kMaxChain = 4096;
constexpr std::uint8_t kChainingBit = 0x10;
const Bytes kMfFid{0x3F, 0x00};

std::uint16_t triesStatus(int left) {
    return left == 0 ? kBlocked : static_cast<std::uint16_t>(0x63C0 | left);
}

Bytes withoutMfPrefix(const Bytes& path) {
    if (path.size() >= 2 && path[0] == 0x3F && path[1] == 0x00)
        return Bytes(path.begin() + 2, path.end());
    return path;
}

} // namespace

CpsCardContent cpsContent(const Bytes& snIcc, const CpsCredentials& credentials, std::uint8_t authKeyReference,
                          std::uint8_t signKeyReference) {
    CpsCardContent content;
    content.snIcc = snIcc;
    content.actua = credentials.actua();
    content.authKeyReference = authKeyReference;
    content.signKeyReference = signKeyReference;
    if (const PivCredentials* auth = credentials.authentication()) {
        content.authCertificate = auth->certificateDer;
        content.authModulusBits = static_cast<unsigned>(auth->keyBits);
    }
    if (const PivCredentials* sign = credentials.signature()) {
        content.signCertificate = sign->certificateDer;
        content.signModulusBits = static_cast<unsigned>(sign->keyBits);
    }
    return content;
}

CpsApplet::CpsApplet(const CpsCardContent& content, std::shared_ptr<CpsCredentials> credentials)
    : m_files(content), m_credentials(std::move(credentials)) {}

CpsApplet::~CpsApplet() {
    OPENSSL_cleanse(m_chain.data(), m_chain.size());
}

void CpsApplet::reset() {
    m_currentDf = CpsFileSystem::kMf;
    m_currentEf.reset();
    m_verified = false;
    m_environments.clear();
    m_hash.reset();
    OPENSSL_cleanse(m_chain.data(), m_chain.size());
    m_chain.clear();
    m_chainIns.reset();
    m_pending.clear();
}

Bytes CpsApplet::process(const Apdu& apdu) {
    if (!acceptsClass(static_cast<std::uint8_t>(apdu.cla & ~kChainingBit)))
        return sw(kClaNotSupported);
    if (apdu.ins == 0xC0)
        return (apdu.cla & kChainingBit) ? sw(kClaNotSupported) : getResponse(apdu);
    m_pending.clear();
    if (apdu.cla & kChainingBit) {
        // Command chaining (ISO 7816-4 §5.1.1.1): keep the data until the last command of the chain.
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

    Reply reply = dispatch(apdu, data);
    OPENSSL_cleanse(data.data(), data.size()); // VERIFY data is the PIN
    if (reply.sw != kOk || reply.body.empty())
        return sw(reply.sw);
    return respond(std::move(reply.body), apdu);
}

CpsApplet::Reply CpsApplet::select(const Apdu& apdu, const Bytes& data) {
    if (apdu.p2 != 0x00 && apdu.p2 != 0x04 && apdu.p2 != 0x0C)
        return {{}, kWrongP1P2};
    std::optional<int> target;
    switch (apdu.p1) {
    case 0x00: // MF (empty or 3F00), else a child of the current DF, else of the MF
        if (data.empty() || data == kMfFid)
            target = CpsFileSystem::kMf;
        else if (data.size() == 2) {
            const auto fid = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
            target = m_files.child(m_currentDf, fid);
            if (!target)
                target = m_files.child(CpsFileSystem::kMf, fid);
        }
        break;
    case 0x02: // an EF under the current DF; 3F00 too (Cryptolib and OpenSC select the MF so)
        if (data == kMfFid)
            target = CpsFileSystem::kMf;
        else if (data.size() == 2) {
            target = m_files.child(m_currentDf, static_cast<std::uint16_t>((data[0] << 8) | data[1]));
            if (target && m_files.file(*target).isDf)
                target.reset();
        }
        break;
    case 0x04: // by name
        target = m_files.byAid(data);
        if (!target) {
            if (auto other = selectOtherAid(data))
                return *other;
        }
        break;
    case 0x08: { // path from the MF, with or without the MF itself
        const Bytes path = withoutMfPrefix(data);
        target = path.empty() ? std::optional<int>(CpsFileSystem::kMf) : m_files.walk(CpsFileSystem::kMf, path);
        break;
    }
    case 0x09: { // path: from the MF when it starts with 3F00 (as the CPx accepts), else from the current DF
        const bool fromMf = data.size() >= 2 && data[0] == 0x3F && data[1] == 0x00;
        const Bytes path = withoutMfPrefix(data);
        if (fromMf && path.empty())
            target = CpsFileSystem::kMf;
        else
            target = m_files.walk(fromMf ? CpsFileSystem::kMf : m_currentDf, path);
        break;
    }
    default: return {{}, kWrongP1P2};
    }
    if (!target)
        return {{}, kNotFound};
    // Selecting never ends the CHV 1 verified state: both middlewares select between VERIFY and
    // the signature.
    if (m_files.file(*target).isDf) {
        m_currentDf = *target;
        m_currentEf.reset();
    } else {
        m_currentDf = m_files.file(*target).parent;
        m_currentEf = *target;
    }
    if (apdu.p2 == 0x0C)
        return {{}, kOk};
    return {m_files.controlParameters(*target, apdu.p2 == 0x00 && fciForP2Zero()), kOk};
}

CpsApplet::Reply CpsApplet::readBinary(const Apdu& apdu) {
    std::size_t offset = 0;
    if (apdu.p1 & 0x80) {
        // Short FID in P1 (OpenSC reads EF.SN.ICC so), offset in P2; the file becomes current.
        const auto sfi = static_cast<std::uint8_t>(apdu.p1 & 0x1F);
        auto file = m_files.bySfi(m_currentDf, sfi);
        if (!file)
            file = m_files.bySfi(CpsFileSystem::kMf, sfi);
        if (!file)
            return {{}, kNotFound};
        m_currentDf = m_files.file(*file).parent;
        m_currentEf = *file;
        offset = apdu.p2;
    } else {
        if (!m_currentEf)
            return {{}, kNoCurrentEf};
        offset = (static_cast<std::size_t>(apdu.p1) << 8) | apdu.p2;
    }
    const Bytes& content = m_files.file(*m_currentEf).content;
    if (offset >= content.size())
        return {{}, kOffsetOutside};
    const std::size_t wanted = apdu.hasLe ? apdu.le : 256;
    const std::size_t n = std::min(wanted, content.size() - offset);
    return {Bytes(content.begin() + static_cast<std::ptrdiff_t>(offset),
                  content.begin() + static_cast<std::ptrdiff_t>(offset + n)),
            kOk};
}

CpsApplet::Reply CpsApplet::verify(const Apdu& apdu, const Bytes& data, bool queryShowsCounter) {
    if (apdu.p1 != 0x00)
        return {{}, kWrongP1P2};
    if (apdu.p2 != 0x01)
        return {{}, kNoSuchReference}; // CHV 1 (global) is the only PIN on the login path
    if (data.empty()) {
        // Status query: no try is used.
        if (m_verified && !queryShowsCounter && m_credentials->triesLeft() > 0)
            return {{}, kOk};
        return {{}, triesStatus(m_credentials->triesLeft())};
    }
    switch (m_credentials->check(data)) {
    case CpsCredentials::PinCheck::Right: m_verified = true; return {{}, kOk};
    case CpsCredentials::PinCheck::Wrong: m_verified = false; return {{}, triesStatus(m_credentials->triesLeft())};
    case CpsCredentials::PinCheck::Blocked: m_verified = false; return {{}, kBlocked};
    case CpsCredentials::PinCheck::Malformed: return {{}, kWrongData};
    }
    return {{}, kWrongData};
}

CpsApplet::Reply CpsApplet::manageSecurityEnvironment(const Apdu& apdu, const Bytes& data) {
    if (apdu.p1 == 0xF3) { // RESTORE: back to the default (empty) environment
        m_environments.clear();
        return {{}, kOk};
    }
    if (apdu.p1 != 0x41 && apdu.p1 != 0x81 && apdu.p1 != 0xC1)
        return {{}, kWrongP1P2};
    if (apdu.p2 != 0xA4 && apdu.p2 != 0xB6 && apdu.p2 != 0xB8 && apdu.p2 != 0xAA)
        return {{}, kWrongP1P2};
    Environment environment;
    for (std::size_t pos = 0; pos < data.size();) {
        const auto item = readTlv(data, pos);
        if (!item)
            return {{}, kWrongData};
        if (item->tag == 0x80 && item->value.size() == 1)
            environment.algorithm = item->value[0];
        else if ((item->tag == 0x83 || item->tag == 0x84) && item->value.size() == 1)
            environment.key = item->value[0];
        else if (item->tag == 0x91 && item->value.size() == 2) {
            environment.algorithm = item->value[0];
            environment.key = item->value[1];
        } else
            return {{}, kWrongData};
    }
    m_environments[apdu.p2] = environment;
    if (apdu.p2 == 0xAA)
        m_hash.reset(); // a new hash starts; DST (B6) comes after PSO HASH and keeps it
    return {{}, kOk};
}

const CpsApplet::Environment& CpsApplet::environment(std::uint8_t crt) const {
    static const Environment kNone;
    const auto it = m_environments.find(crt);
    return it == m_environments.end() ? kNone : it->second;
}

Bytes CpsApplet::getResponse(const Apdu& apdu) {
    if (apdu.p1 != 0x00 || apdu.p2 != 0x00)
        return sw(kWrongP1P2);
    if (m_pending.empty())
        return sw(kConditionsNotSatisfied);
    return nextPiece(apdu.hasLe ? apdu.le : 256);
}

Bytes CpsApplet::respond(Bytes body, const Apdu& apdu) {
    m_pending = std::move(body);
    // Without Le (a case-4 command over T=0) nothing goes out now: `61 xx`, then GET RESPONSE.
    return nextPiece(apdu.hasLe ? apdu.le : 0);
}

Bytes CpsApplet::nextPiece(std::size_t ne) {
    const std::size_t n = std::min(ne, m_pending.size());
    Bytes out(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(n));
    m_pending.erase(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(n));
    if (m_pending.empty())
        appendSw(out, kOk);
    else
        appendSw(out, static_cast<std::uint16_t>(0x6100 | (std::min<std::size_t>(m_pending.size(), 256) & 0xFF)));
    return out;
}

} // namespace cpslock::cardsim
