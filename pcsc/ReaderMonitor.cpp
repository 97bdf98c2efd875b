// SPDX-License-Identifier: EUPL-1.2
#include "pcsc/ReaderMonitor.h"

#include "pcsc/CardProbe.h"
#include "pcsc/CardTransition.h"
#include "pcsc/PcscError.h"

#include "core/Clock.h"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <pthread.h>

namespace cpslock::pcsc {
namespace {

constexpr const char* kPnpReader = "\\\\?PnP?\\Notification";
constexpr std::size_t kMaxReaders = 64; // a bound on what pcscd may hand us

} // namespace

ReaderMonitor::ReaderMonitor(ReaderEventHandler handler, MonitorOptions options)
    : m_handler(std::move(handler)), m_options(options) {}

ReaderMonitor::~ReaderMonitor() {
    stop();
}

void ReaderMonitor::start() {
    m_stopping = false;
    m_exited = false;
    m_thread = std::thread([this] {
        pthread_setname_np(pthread_self(), "pcsc-monitor"); // so ps/top and the benchmarks can find it
        run();
    });
}

void ReaderMonitor::stop() {
    if (!m_thread.joinable())
        return;
    std::unique_lock lock(m_mutex);
    m_stopping = true;
    m_wake.notify_all();
    // pcsc-lite drops an SCardCancel that arrives before the thread is inside SCardGetStatusChange,
    // so repeat it until the thread is out. This bounded retry happens only at shutdown.
    while (!m_exited) {
        if (m_hasContext)
            SCardCancel(m_context);
        m_wake.wait_for(lock, std::chrono::milliseconds(20), [this] { return m_exited; });
    }
    lock.unlock();
    m_thread.join();
}

void ReaderMonitor::emit(ReaderEvent event) {
    if (m_handler)
        m_handler(event);
}

void ReaderMonitor::emitCard(ReaderEventType type, const Reader& reader, std::int64_t monoNs) {
    ReaderEvent e;
    e.type = type;
    e.reader = reader.name;
    e.atr = reader.atr;
    e.kind = reader.kind;
    e.serial = reader.serial;
    e.eventCount = static_cast<std::uint16_t>((reader.state >> 16) & 0xFFFF);
    e.monoNs = monoNs;
    emit(std::move(e));
}

void ReaderMonitor::run() {
    while (!m_stopping) {
        if (!m_serviceUp) {
            if (!establish()) {
                if (!waitBackoff())
                    break;
                continue;
            }
        }
        if (!relist(monotonicNs()) || !waitForChange(INFINITE)) {
            if (!m_stopping && !waitBackoff())
                break;
        }
    }
    std::lock_guard lock(m_mutex);
    releaseContextLocked();
    m_exited = true;
    m_wake.notify_all();
}

bool ReaderMonitor::scanOnce() {
    m_lostReported = false;
    if (!establish())
        return false;
    const bool ok = relist(monotonicNs()) && waitForChange(0);
    std::lock_guard lock(m_mutex);
    releaseContextLocked();
    m_serviceUp = false;
    m_readers.clear();
    return ok;
}

void ReaderMonitor::releaseContextLocked() {
    if (m_hasContext) {
        SCardReleaseContext(m_context);
        m_hasContext = false;
    }
}

bool ReaderMonitor::establish() {
    SCARDCONTEXT context = 0;
    const LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &context);
    if (rv != SCARD_S_SUCCESS) {
        serviceLost("SCardEstablishContext: " + describe(rv));
        return false;
    }
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping) {
            SCardReleaseContext(context);
            return false;
        }
        m_context = context;
        m_hasContext = true;
    }
    m_serviceUp = true;
    m_backoff = std::chrono::milliseconds{0};
    if (m_lostReported) {
        m_lostReported = false;
        ReaderEvent e;
        e.type = ReaderEventType::ServiceRestored;
        e.monoNs = monotonicNs();
        emit(std::move(e));
    }
    return true;
}

void ReaderMonitor::serviceLost(const std::string& detail) {
    {
        std::lock_guard lock(m_mutex);
        releaseContextLocked();
    }
    m_serviceUp = false;
    m_pnpState = 0;
    m_readers.clear(); // everything reported so far is unknown now
    if (!m_lostReported && !m_stopping) {
        m_lostReported = true;
        ReaderEvent e;
        e.type = ReaderEventType::ServiceLost;
        e.monoNs = monotonicNs();
        e.detail = detail;
        emit(std::move(e));
    }
}

bool ReaderMonitor::waitBackoff() {
    m_backoff = std::clamp(m_backoff * 2, m_options.minBackoff, m_options.maxBackoff);
    std::unique_lock lock(m_mutex);
    m_wake.wait_for(lock, m_backoff, [this] { return m_stopping.load(); });
    return !m_stopping;
}

bool ReaderMonitor::relist(std::int64_t monoNs) {
    std::vector<std::string> names;
    char* list = nullptr;
    DWORD length = SCARD_AUTOALLOCATE;
    const LONG rv = SCardListReaders(m_context, nullptr, reinterpret_cast<LPSTR>(&list), &length);
    if (rv == SCARD_S_SUCCESS && list) {
        for (const char* p = list; *p && names.size() < kMaxReaders && p < list + length; p += std::strlen(p) + 1)
            names.emplace_back(p);
        SCardFreeMemory(m_context, list);
    } else if (rv != SCARD_E_NO_READERS_AVAILABLE) {
        serviceLost("SCardListReaders: " + describe(rv));
        return false;
    }

    // Readers that left: their card first, then the reader.
    for (auto it = m_readers.begin(); it != m_readers.end();) {
        if (std::find(names.begin(), names.end(), it->name) != names.end()) {
            ++it;
            continue;
        }
        if (it->present)
            emitCard(ReaderEventType::CardRemoved, *it, monoNs);
        ReaderEvent e;
        e.type = ReaderEventType::ReaderRemoved;
        e.reader = it->name;
        e.monoNs = monoNs;
        emit(std::move(e));
        it = m_readers.erase(it);
    }
    for (const std::string& name : names) {
        const bool seen =
            std::any_of(m_readers.begin(), m_readers.end(), [&](const Reader& r) { return r.name == name; });
        if (seen)
            continue;
        Reader r;
        r.name = name;
        m_readers.push_back(r);
        ReaderEvent e;
        e.type = ReaderEventType::ReaderAdded;
        e.reader = name;
        e.monoNs = monoNs;
        emit(std::move(e));
    }
    return true;
}

bool ReaderMonitor::waitForChange(DWORD timeoutMs) {
    std::vector<SCARD_READERSTATE> states(m_readers.size() + 1);
    fillWatchList(states);
    const LONG rv = SCardGetStatusChange(m_context, timeoutMs, states.data(), static_cast<DWORD>(states.size()));
    const std::int64_t monoNs = monotonicNs();
    if (rv == SCARD_E_CANCELLED || rv == SCARD_E_TIMEOUT)
        return true;
    if (rv == SCARD_E_UNKNOWN_READER)
        return true; // a reader left between listing and waiting: list again
    if (rv != SCARD_S_SUCCESS) {
        // Every other failure is treated as a dead service: the context is rebuilt (fail closed).
        serviceLost("SCardGetStatusChange: " + describe(rv));
        return false;
    }
    m_pnpState = states.back().dwEventState & ~static_cast<DWORD>(SCARD_STATE_CHANGED);

    std::vector<std::size_t> inserted;
    applyChanges(states, monoNs, inserted);
    // Probing talks to the card: do it after every removal of this wake-up has been delivered.
    probeInserted(inserted, monoNs);
    return true;
}

void ReaderMonitor::fillWatchList(std::vector<SCARD_READERSTATE>& states) const {
    for (std::size_t i = 0; i < m_readers.size(); ++i) {
        states[i].szReader = m_readers[i].name.c_str();
        states[i].dwCurrentState = m_readers[i].state;
    }
    // pcsc-lite 1.9.9 reports reader changes on this entry without a counter; 2.x keeps one in the
    // high word. Feeding dwEventState back works with both.
    SCARD_READERSTATE& pnp = states.back();
    pnp.szReader = kPnpReader;
    pnp.dwCurrentState = m_pnpState;
}

void ReaderMonitor::applyChanges(const std::vector<SCARD_READERSTATE>& states, std::int64_t monoNs,
                                 std::vector<std::size_t>& inserted) {
    for (std::size_t i = 0; i < m_readers.size(); ++i) {
        Reader& r = m_readers[i];
        const DWORD now = states[i].dwEventState;
        if (!(now & SCARD_STATE_CHANGED) && r.known)
            continue;
        const CardTransition t = cardTransition(r.known, r.present, r.state, now);
        r.state = now & ~static_cast<DWORD>(SCARD_STATE_CHANGED);
        r.known = true;
        if (t.removed) {
            emitCard(ReaderEventType::CardRemoved, r, monoNs);
            r.present = false;
            r.atr.clear();
            r.serial.clear();
            r.kind = CardKind::Other;
        }
        if (t.inserted) {
            r.present = true;
            const DWORD atrLength = std::min<DWORD>(states[i].cbAtr, MAX_ATR_SIZE);
            r.atr.assign(states[i].rgbAtr, states[i].rgbAtr + atrLength);
            inserted.push_back(i);
        }
    }
}

void ReaderMonitor::probeInserted(const std::vector<std::size_t>& inserted, std::int64_t monoNs) {
    for (std::size_t i : inserted) {
        Reader& r = m_readers[i];
        if (r.state & SCARD_STATE_MUTE) {
            r.kind = CardKind::Unreadable;
        } else {
            const ProbeResult probe = probeCard(m_context, r.name, r.atr);
            r.kind = probe.kind;
            r.serial = probe.serial;
        }
        emitCard(ReaderEventType::CardInserted, r, monoNs);
    }
}

} // namespace cpslock::pcsc
