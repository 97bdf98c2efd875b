// SPDX-License-Identifier: EUPL-1.2
#include "platform/linux/DBusSignalRelay.h"

namespace cpslock::platform {
namespace {
constexpr QLatin1String kPropertiesInterface("org.freedesktop.DBus.Properties");
constexpr QLatin1String kPropertiesChanged("PropertiesChanged");
} // namespace

DBusSignalRelay::~DBusSignalRelay() {
    unwatch();
}

bool DBusSignalRelay::watchProperties(QDBusConnection bus, const QString& service, const QString& path,
                                      PropertiesHandler handler) {
    unwatchProperties();
    m_properties = std::move(handler);
    const bool ok = bus.connect(service, path, kPropertiesInterface, kPropertiesChanged, this,
                                SLOT(onPropertiesChanged(QString, QVariantMap, QStringList)));
    if (ok)
        m_propertiesSub = Subscription{bus, service, path, kPropertiesInterface, kPropertiesChanged};
    return ok;
}

bool DBusSignalRelay::watchBool(QDBusConnection bus, const QString& service, const QString& path,
                                const QString& interface, const QString& name, BoolHandler handler) {
    unwatchBool();
    m_bool = std::move(handler);
    const bool ok = bus.connect(service, path, interface, name, this, SLOT(onBool(bool)));
    if (ok)
        m_boolSub = Subscription{bus, service, path, interface, name};
    return ok;
}

void DBusSignalRelay::unwatch() {
    unwatchProperties();
    unwatchBool();
}

void DBusSignalRelay::unwatchProperties() {
    if (!m_propertiesSub)
        return;
    auto& s = *m_propertiesSub;
    s.bus.disconnect(s.service, s.path, s.interface, s.name, this,
                     SLOT(onPropertiesChanged(QString, QVariantMap, QStringList)));
    m_propertiesSub.reset();
}

void DBusSignalRelay::unwatchBool() {
    if (!m_boolSub)
        return;
    auto& s = *m_boolSub;
    s.bus.disconnect(s.service, s.path, s.interface, s.name, this, SLOT(onBool(bool)));
    m_boolSub.reset();
}

void DBusSignalRelay::onPropertiesChanged(const QString& interface, const QVariantMap& changed,
                                          const QStringList& invalidated) {
    (void)invalidated;
    if (m_properties)
        m_properties(interface, changed);
}

void DBusSignalRelay::onBool(bool value) {
    if (m_bool)
        m_bool(value);
}

} // namespace cpslock::platform
