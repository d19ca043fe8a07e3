#include "api/apisettings.h"

#include <QSettings>

void ApiSettings::load(QSettings &settings)
{
    settings.beginGroup(QStringLiteral("api"));
    enabled = settings.value(QStringLiteral("enabled"), enabled).toBool();
    bind = settings.value(QStringLiteral("bind"), bind).toString();
    if (settings.contains(QStringLiteral("port"))) {
        bool ok = false;
        const uint value = settings.value(QStringLiteral("port")).toUInt(&ok);
        if (ok && value <= 65535) {
            port = static_cast<quint16>(value);
            portExplicit = true;
        }
    }
    token = settings.value(QStringLiteral("token"), token).toString();
    settings.endGroup();
}
