// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include "core/ReaderEvent.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <PCSC/winscard.h>

namespace cpslock::pcsc {

struct MonitorOptions {
    /// Back-off between attempts to reach pcscd after it went away: doubles from min to max.
    std::chrono::milliseconds minBackoff{50};
    std::chrono::milliseconds maxBackoff{1000};
};

/// Watches every PC/SC reader from one thread blocked in SCardGetStatusChange(INFINITE) over all
/// readers plus \\?PnP?\Notification. Nothing is polled: the thread sleeps until pcscd reports a
/// change, or until stop() cancels the wait with SCardCancel.
///
/// Events go to the handler on the monitor thread, in this order within one wake-up: removals
/// (card-removed, reader-removed) first, so a lock never waits behind a card probe; then reader-added
/// and card-inserted. A card swapped between two wake-ups is seen through pcscd's per-reader event
/// counter and reported as card-removed + card-inserted.
///
/// When the service goes away (pcscd killed or stopped), it reports service-lost once, releases the
/// context, re-establishes one with back-off, and reports service-restored followed by the current
/// readers and cards, as at start. If pcscd is not there at start, service-lost is the first event.
class ReaderMonitor {
public:
    explicit ReaderMonitor(ReaderEventHandler handler, MonitorOptions options = {});
    ~ReaderMonitor();
    ReaderMonitor(const ReaderMonitor&) = delete;
    ReaderMonitor& operator=(const ReaderMonitor&) = delete;

    void start();
    /// Without a thread: reports the readers and cards present now (reader-added, card-inserted),
    /// or service-lost, through the handler, and returns whether the service answered.
    bool scanOnce();
    /// Cancels the wait and joins the thread. Safe to call more than once and from any thread but the
    /// monitor's own (i.e. not from inside the handler).
    void stop();

private:
    struct Reader {
        std::string name;
        DWORD state = SCARD_STATE_UNAWARE; ///< last dwEventState fed back as dwCurrentState
        bool known = false;                ///< state came from pcscd at least once
        bool present = false;
        Bytes atr;
        CardKind kind = CardKind::Other;
        std::string serial;
    };

    void run();
    bool establish();
    /// Under m_mutex: SCardCancel in stop() must never see a released context.
    void releaseContextLocked();
    void serviceLost(const std::string& detail);
    bool waitBackoff();
    bool relist(std::int64_t monoNs);
    bool waitForChange(DWORD timeoutMs);
    /// One entry per known reader, with the state last seen, then the PnP entry.
    void fillWatchList(std::vector<SCARD_READERSTATE>& states) const;
    /// Per-reader transitions of one wake-up: removals emitted at once, insertions listed for probing.
    void applyChanges(const std::vector<SCARD_READERSTATE>& states, std::int64_t monoNs,
                      std::vector<std::size_t>& inserted);
    void probeInserted(const std::vector<std::size_t>& inserted, std::int64_t monoNs);
    void emit(ReaderEvent event);
    void emitCard(ReaderEventType type, const Reader& reader, std::int64_t monoNs);

    ReaderEventHandler m_handler;
    MonitorOptions m_options;
    std::thread m_thread;

    std::mutex m_mutex; // guards m_context for SCardCancel, and the back-off wait
    std::condition_variable m_wake;
    SCARDCONTEXT m_context = 0;
    bool m_hasContext = false;
    bool m_exited = false;
    std::atomic<bool> m_stopping{false};

    // Monitor-thread state.
    std::vector<Reader> m_readers;
    DWORD m_pnpState = 0;
    bool m_serviceUp = false;
    bool m_lostReported = false;
    std::chrono::milliseconds m_backoff{0};
};

} // namespace cpslock::pcsc
