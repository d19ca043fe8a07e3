#include "core/throttle.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QSettings>

bool siteCovers(const QString &site, const QString &host)
{
    if (site.isEmpty() || host.size() < site.size())
        return false;
    if (host.compare(site, Qt::CaseInsensitive) == 0)
        return true;
    return host.size() > site.size() && host.at(host.size() - site.size() - 1) == QLatin1Char('.')
           && host.endsWith(site, Qt::CaseInsensitive);
}

bool HostRule::matches(const QString &jobHost) const
{
    return host.isEmpty() || siteCovers(host, jobHost);
}

QString HostRule::toText() const
{
    return QStringLiteral("%1 %2 %3-%4 %5")
        .arg(host)
        .arg(maxDownloads)
        .arg(pauseMinS)
        .arg(pauseMaxS)
        .arg(sleepRequestsS);
}

bool HostRule::fromText(const QString &text, HostRule *rule, QString *error)
{
    static const QRegularExpression shape(QStringLiteral(
        "^\\s*([a-z0-9.-]+)\\s+(\\d{1,3})\\s+(\\d+(?:\\.\\d+)?)-(\\d+(?:\\.\\d+)?)\\s+(\\d+(?:\\.\\d+)?)\\s*$"));
    const auto m = shape.match(text.toLower());
    if (!m.hasMatch() || m.captured(1).startsWith(QLatin1Char('.')) || m.captured(1).endsWith(QLatin1Char('.'))) {
        if (error)
            *error = QCoreApplication::translate("Throttle", "\"%1\" is not a rule: write the host, downloads at once, "
                                                         "the pause in seconds as min-max, and the request sleep, "
                                                         "like \"youtube.com 2 10-20 0.75\"")
                     .arg(text.left(80));
        return false;
    }
    HostRule r;
    r.host = m.captured(1);
    r.maxDownloads = m.captured(2).toInt();
    r.pauseMinS = m.captured(3).toDouble();
    r.pauseMaxS = m.captured(4).toDouble();
    r.sleepRequestsS = m.captured(5).toDouble();
    if (r.pauseMaxS < r.pauseMinS || r.pauseMaxS > 3600 || r.sleepRequestsS > 60) {
        if (error)
            *error = QCoreApplication::translate("Throttle", "\"%1\": the pause must be min-max with min ≤ max ≤ 3600 s, "
                                                         "the request sleep at most 60 s")
                     .arg(text.left(80));
        return false;
    }
    *rule = r;
    return true;
}

QList<HostRule> ThrottleSettings::defaultRules()
{
    // The yt-dlp wiki's advice for YouTube (its "-t sleep" preset: 0.75 s between requests, 10-20 s
    // before each download), and at most two downloads at once.
    return {HostRule{QStringLiteral("youtube.com"), 2, 10, 20, 0.75},
            HostRule{QStringLiteral("youtu.be"), 2, 10, 20, 0.75}};
}

HostRule ThrottleSettings::ruleFor(const QString &jobHost) const
{
    HostRule best;
    if (!enabled || jobHost.isEmpty())
        return best;
    for (const HostRule &rule : rules) {
        if (!rule.host.isEmpty() && rule.matches(jobHost) && rule.host.size() > best.host.size())
            best = rule;
    }
    return best;
}

qint64 ThrottleSettings::cooldownStepMs(int strike) const
{
    if (cooldownStepsMs.isEmpty())
        return 60'000;
    return cooldownStepsMs.at(qBound(0, strike - 1, static_cast<int>(cooldownStepsMs.size()) - 1));
}

void ThrottleSettings::load(QSettings &s)
{
    s.beginGroup(QStringLiteral("throttle"));
    enabled = s.value(QStringLiteral("enabled"), enabled).toBool();
    if (s.contains(QStringLiteral("hosts"))) {
        QList<HostRule> loaded;
        for (const QString &line : s.value(QStringLiteral("hosts")).toStringList()) {
            HostRule rule;
            QString error;
            if (HostRule::fromText(line, &rule, &error))
                loaded << rule;
            else
                qWarning("settings: [throttle] hosts: %s", qPrintable(error));
        }
        rules = loaded;
    }
    if (s.contains(QStringLiteral("cooldown_steps_s"))) {
        QList<qint64> steps;
        for (const QString &step : s.value(QStringLiteral("cooldown_steps_s")).toStringList()) {
            if (const qint64 seconds = step.trimmed().toLongLong(); seconds > 0)
                steps << seconds * 1000;
        }
        if (!steps.isEmpty())
            cooldownStepsMs = steps;
    }
    cleanPeriodMs = qMax<qint64>(0, s.value(QStringLiteral("clean_period_s"), cleanPeriodMs / 1000).toLongLong() * 1000);
    s.endGroup();
}

void ThrottleSettings::save(QSettings &s) const
{
    s.beginGroup(QStringLiteral("throttle"));
    s.setValue(QStringLiteral("enabled"), enabled);
    QStringList lines;
    for (const HostRule &rule : rules)
        lines << rule.toText();
    s.setValue(QStringLiteral("hosts"), lines);
    QStringList steps;
    for (qint64 ms : cooldownStepsMs)
        steps << QString::number(ms / 1000);
    s.setValue(QStringLiteral("cooldown_steps_s"), steps);
    s.setValue(QStringLiteral("clean_period_s"), cleanPeriodMs / 1000);
    s.endGroup();
}
