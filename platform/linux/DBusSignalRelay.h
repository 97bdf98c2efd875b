#pragma once

#include <QDBusConnection>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include <functional>

namespace cpslock::platform {

/// Turns D-Bus signals into std::function calls, so the adapters need no slots of their own.
/// QtDBus delivers signals on the thread of the connection's owner: the agent's main thread.
class DBusSignalRelay : public QObject {
    Q_OBJECT
public:
    using PropertiesHandler = std::function<void(const QString& interface, const QVariantMap& changed)>;
    using BoolHandler = std::function<void(bool)>;

    explicit DBusSignalRelay(QObject* parent = nullptr) : QObject(parent) {}

    /// org.freedesktop.DBus.Properties.PropertiesChanged of one object.
    bool watchProperties(QDBusConnection bus, const QString& service, const QString& path, PropertiesHandler handler);
    /// A signal with one boolean argument (org.freedesktop.ScreenSaver.ActiveChanged).
    bool watchBool(QDBusConnection bus, const QString& service, const QString& path, const QString& interface,
                   const QString& name, BoolHandler handler);

public Q_SLOTS:
    void onPropertiesChanged(const QString& interface, const QVariantMap& changed, const QStringList& invalidated);
    void onBool(bool value);

private:
    PropertiesHandler m_properties;
    BoolHandler m_bool;
};

} // namespace cpslock::platform
