// SPDX-License-Identifier: EUPL-1.2
#include "tools/cardsim/CpsApplet.h"

#include "tools/cardsim/CardCrypto.h"
#include "tools/cardsim/CardTlv.h"

#include <algorithm>

namespace cpslock::cardsim {
namespace {

Bytes mfFid() {
    return Bytes{0x3F, 0x00};
}

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

CpsApplet::CpsApplet(const Bytes& snIcc, std::shared_ptr<CpsCredentials> credentials, std::uint8_t authKeyReference,
                     std::uint8_t signKeyReference)
    : m_files(cpsContent(snIcc, *credentials, authKeyReference, signKeyReference)),
      m_credentials(std::move(credentials)) {}

void CpsApplet::reset() {
    m_currentDf = CpsFileSystem::kMf;
    m_currentEf.reset();
    m_verified = false;
    m_environments.clear();
    m_hash.reset();
    m_transport.reset();
}

Bytes CpsApplet::process(const Apdu& apdu) {
    if (!acceptsClass(static_cast<std::uint8_t>(apdu.cla & ~ApduTransport::kChainingBit)))
        return sw(kClaNotSupported);
    return m_transport.exchange(apdu, [&](const Bytes& data) { return dispatch(apdu, data); });
}

CpsApplet::Reply CpsApplet::select(const Apdu& apdu, const Bytes& data) {
    if (apdu.p2 != 0x00 && apdu.p2 != 0x04 && apdu.p2 != 0x0C)
        return {{}, kWrongP1P2};
    if (apdu.p1 != 0x00 && apdu.p1 != 0x02 && apdu.p1 != 0x04 && apdu.p1 != 0x08 && apdu.p1 != 0x09)
        return {{}, kWrongP1P2};
    const std::optional<int> target = selectTarget(apdu.p1, data);
    if (!target && apdu.p1 == 0x04) {
        if (auto other = selectOtherAid(data))
            return *other;
    }
    if (!target)
        return {{}, kNotFound};
    // Selecting never ends the CHV 1 verified state: both middlewares select between VERIFY and
    // the signature.
    makeCurrent(*target);
    if (apdu.p2 == 0x0C)
        return {{}, kOk};
    return {m_files.controlParameters(*target, apdu.p2 == 0x00 && fciForP2Zero()), kOk};
}

// The file a SELECT with this P1 designates; nullopt when there is none.
std::optional<int> CpsApplet::selectTarget(std::uint8_t p1, const Bytes& data) const {
    switch (p1) {
    case 0x00: { // MF (empty or 3F00), else a child of the current DF, else of the MF
        if (data.empty() || data == mfFid())
            return CpsFileSystem::kMf;
        if (data.size() != 2)
            return std::nullopt;
        const auto fid = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
        const auto child = m_files.child(m_currentDf, fid);
        return child ? child : m_files.child(CpsFileSystem::kMf, fid);
    }
    case 0x02: { // an EF under the current DF; 3F00 too (Cryptolib and OpenSC select the MF so)
        if (data == mfFid())
            return CpsFileSystem::kMf;
        if (data.size() != 2)
            return std::nullopt;
        const auto ef = m_files.child(m_currentDf, static_cast<std::uint16_t>((data[0] << 8) | data[1]));
        return ef && m_files.file(*ef).isDf ? std::nullopt : ef;
    }
    case 0x04: // by name
        return m_files.byAid(data);
    case 0x08: { // path from the MF, with or without the MF itself
        const Bytes path = withoutMfPrefix(data);
        return path.empty() ? std::optional<int>(CpsFileSystem::kMf) : m_files.walk(CpsFileSystem::kMf, path);
    }
    default: { // 09, path: from the MF when it starts with 3F00 (as the CPx accepts), else from the current DF
        const bool fromMf = data.size() >= 2 && data[0] == 0x3F && data[1] == 0x00;
        const Bytes path = withoutMfPrefix(data);
        if (fromMf && path.empty())
            return CpsFileSystem::kMf;
        return m_files.walk(fromMf ? CpsFileSystem::kMf : m_currentDf, path);
    }
    }
}

void CpsApplet::makeCurrent(int file) {
    if (m_files.file(file).isDf) {
        m_currentDf = file;
        m_currentEf.reset();
    } else {
        m_currentDf = m_files.file(file).parent;
        m_currentEf = file;
    }
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
        makeCurrent(*file);
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

Result<const PivCredentials*, std::uint16_t> CpsApplet::usableKey(const PivCredentials* key, bool named) const {
    if (!named || key == nullptr)
        return kConditionsNotSatisfied;
    if (!verified())
        return kSecurityNotSatisfied;
    return key;
}

CpsApplet::Reply CpsApplet::outputOf(std::optional<Bytes> output) {
    if (!output)
        return {{}, kWrongData};
    return {std::move(*output), kOk};
}

} // namespace cpslock::cardsim
