#include "platform/linux/DBusSignalRelay.h"

namespace cpslock::platform {

bool DBusSignalRelay::watchProperties(QDBusConnection bus, const QString& service, const QString& path,
                                      PropertiesHandler handler) {
    m_properties = std::move(handler);
    return bus.connect(service, path, QStringLiteral("org.freedesktop.DBus.Properties"),
                       QStringLiteral("PropertiesChanged"), this,
                       SLOT(onPropertiesChanged(QString, QVariantMap, QStringList)));
}

bool DBusSignalRelay::watchBool(QDBusConnection bus, const QString& service, const QString& path,
                                const QString& interface, const QString& name, BoolHandler handler) {
    m_bool = std::move(handler);
    return bus.connect(service, path, interface, name, this, SLOT(onBool(bool)));
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
