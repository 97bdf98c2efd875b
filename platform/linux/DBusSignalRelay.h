// SPDX-License-Identifier: EUPL-1.2
#pragma once

#include <QDBusConnection>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include <functional>
#include <optional>

namespace cpslock::platform {

/// Turns D-Bus signals into std::function calls, so the adapters need no slots of their own.
/// QtDBus delivers signals on the thread of the connection's owner: the agent's main thread.
/// Watching again replaces the previous subscription of the same kind (re-armed when the service came
/// back, possibly with another object path).
class DBusSignalRelay : public QObject {
    Q_OBJECT
public:
    using PropertiesHandler = std::function<void(const QString& interface, const QVariantMap& changed)>;
    using BoolHandler = std::function<void(bool)>;

    explicit DBusSignalRelay(QObject* parent = nullptr) : QObject(parent) {}
    ~DBusSignalRelay() override;

    /// org.freedesktop.DBus.Properties.PropertiesChanged of one object.
    bool watchProperties(QDBusConnection bus, const QString& service, const QString& path, PropertiesHandler handler);
    /// A signal with one boolean argument (org.freedesktop.ScreenSaver.ActiveChanged).
    bool watchBool(QDBusConnection bus, const QString& service, const QString& path, const QString& interface,
                   const QString& name, BoolHandler handler);
    /// Drops both subscriptions.
    void unwatch();

public Q_SLOTS:
    void onPropertiesChanged(const QString& interface, const QVariantMap& changed, const QStringList& invalidated);
    void onBool(bool value);

private:
    struct Subscription {
        QDBusConnection bus;
        QString service;
        QString path;
        QString interface;
        QString name;
    };
    void unwatchProperties();
    void unwatchBool();

    PropertiesHandler m_properties;
    BoolHandler m_bool;
    std::optional<Subscription> m_propertiesSub;
    std::optional<Subscription> m_boolSub;
};

} // namespace cpslock::platform
