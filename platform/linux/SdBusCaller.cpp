// SPDX-License-Identifier: EUPL-1.2
#include "platform/linux/SdBusCaller.h"

#include <systemd/sd-bus.h>

#include <poll.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <utility>

namespace cpslock::platform {
namespace {

constexpr std::uint64_t kCallTimeoutUs = 5'000'000;

int onReply(sd_bus_message* message, void* userdata, sd_bus_error* /*unused*/) {
    auto* reply = static_cast<SdBusCaller::Reply*>(userdata);
    const sd_bus_error* error = sd_bus_message_get_error(message);
    if (*reply) {
        if (error != nullptr)
            (*reply)(fail(std::string(error->name != nullptr ? error->name : "error") + ": " +
                          (error->message != nullptr ? error->message : "")));
        else
            (*reply)(Result<void>{});
    }
    return 0;
}

void destroyReply(void* userdata) {
    delete static_cast<SdBusCaller::Reply*>(userdata);
}

std::uint64_t monotonicUs() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000U + static_cast<std::uint64_t>(ts.tv_nsec) / 1000U;
}

} // namespace

SdBusCaller::SdBusCaller() {
    m_timeout.setSingleShot(true);
    QObject::connect(&m_timeout, &QTimer::timeout, [this] { process(); });
}

SdBusCaller::~SdBusCaller() {
    m_readable.reset();
    m_writable.reset();
    if (m_bus != nullptr)
        sd_bus_flush_close_unref(m_bus); // pending replies' userdata freed by their destroy callbacks
}

Result<void> SdBusCaller::open() {
    if (m_bus != nullptr)
        return {};
    sd_bus* bus = nullptr;
    int r = sd_bus_open_system(&bus);
    if (r < 0)
        return fail(std::string("sd_bus_open_system: ") + std::strerror(-r));
    // One round trip now, so that the connection is authenticated and running when the first lock is
    // sent: a call on a connection still starting would wait in sd-bus's queue.
    sd_bus_error error{};
    sd_bus_message* answer = nullptr;
    r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.Peer", "Ping",
                           &error, &answer, "");
    sd_bus_message_unref(answer);
    if (r < 0) {
        std::string why = std::string("system bus: ") + (error.message != nullptr ? error.message : std::strerror(-r));
        sd_bus_error_free(&error);
        sd_bus_unref(bus);
        return fail(std::move(why));
    }
    m_bus = bus;
    const int fd = sd_bus_get_fd(m_bus);
    m_readable = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Read);
    QObject::connect(m_readable.get(), &QSocketNotifier::activated, [this] { process(); });
    m_writable = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Write);
    m_writable->setEnabled(false);
    QObject::connect(m_writable.get(), &QSocketNotifier::activated, [this] { process(); });
    process();
    return {};
}

bool SdBusCaller::call(const char* destination, const char* path, const char* interface, const char* method,
                       Reply reply) {
    if (m_bus == nullptr)
        return false;
    auto* userdata = new Reply(std::move(reply));
    sd_bus_message* message = nullptr;
    int r = sd_bus_message_new_method_call(m_bus, &message, destination, path, interface, method);
    sd_bus_slot* slot = nullptr;
    if (r >= 0)
        r = sd_bus_call_async(m_bus, &slot, message, onReply, userdata, kCallTimeoutUs);
    sd_bus_message_unref(message);
    if (r < 0) {
        delete userdata;
        return false;
    }
    // The slot belongs to the bus from now on (floating: freed once the reply or the time-out was
    // handled, or with the bus), and the Reply with it.
    sd_bus_slot_set_destroy_callback(slot, destroyReply);
    sd_bus_slot_set_floating(slot, 1);
    sd_bus_slot_unref(slot);
    rearm();
    return true;
}

void SdBusCaller::process() {
    if (m_bus == nullptr)
        return;
    for (int i = 0; i < 64; ++i) {
        const int r = sd_bus_process(m_bus, nullptr);
        if (r <= 0)
            break;
    }
    rearm();
}

void SdBusCaller::rearm() {
    const int events = sd_bus_get_events(m_bus);
    if (m_writable)
        m_writable->setEnabled(events > 0 && (events & POLLOUT) != 0);
    std::uint64_t until = 0;
    if (sd_bus_get_timeout(m_bus, &until) >= 0 && until != UINT64_MAX) {
        const std::uint64_t now = monotonicUs();
        const std::uint64_t waitMs = until > now ? (until - now + 999) / 1000 : 0;
        m_timeout.start(static_cast<int>(std::min<std::uint64_t>(waitMs, 60'000)));
    } else {
        m_timeout.stop();
    }
}

} // namespace cpslock::platform
