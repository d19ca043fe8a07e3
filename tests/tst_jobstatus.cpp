#include "queue/jobstatus.h"

#include <QTest>

// The transition table: every pair of states, legal or not.
class TestJobStatus final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void names();
    void transitions_data();
    void transitions();
    void finalStates();
};

void TestJobStatus::names()
{
    QCOMPARE(allStatuses().size(), 7);
    for (JobStatus s : allStatuses())
        QCOMPARE(statusFromName(statusName(s)), std::optional<JobStatus>(s));
    QVERIFY(!statusFromName(u"exploded").has_value());
    QVERIFY(!statusFromName(u"").has_value());
    QVERIFY(!statusFromName(u"Pending").has_value()); // names are exact
}

void TestJobStatus::transitions_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<bool>("allowed");
    const QSet<QString> legal{
        "pending>running",   "pending>paused",    "pending>cancelled", "pending>dead",
        "running>completed", "running>retrying",  "running>dead",      "running>cancelled",
        "running>paused",    "running>pending",   "retrying>running",  "retrying>pending",
        "retrying>paused",   "retrying>cancelled", "paused>pending",   "paused>cancelled",
        "dead>pending",      "cancelled>pending",
    };
    for (JobStatus from : allStatuses()) {
        for (JobStatus to : allStatuses()) {
            const QString key = statusName(from) + QLatin1Char('>') + statusName(to);
            QTest::newRow(qPrintable(key)) << statusName(from) << statusName(to) << legal.contains(key);
        }
    }
}

void TestJobStatus::transitions()
{
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(bool, allowed);
    const JobStatus f = *statusFromName(from);
    const JobStatus t = *statusFromName(to);
    QCOMPARE(isTransitionAllowed(f, t), allowed);
    QCOMPARE(allowedSources(t).contains(f), allowed);
}

void TestJobStatus::finalStates()
{
    QVERIFY(isFinal(JobStatus::Completed));
    QVERIFY(isFinal(JobStatus::Dead));
    QVERIFY(isFinal(JobStatus::Cancelled));
    QVERIFY(!isFinal(JobStatus::Pending));
    QVERIFY(!isFinal(JobStatus::Running));
    QVERIFY(!isFinal(JobStatus::Retrying));
    QVERIFY(!isFinal(JobStatus::Paused));
    // Completed is terminal: nothing leaves it.
    for (JobStatus to : allStatuses())
        QVERIFY(!isTransitionAllowed(JobStatus::Completed, to));
}

QTEST_GUILESS_MAIN(TestJobStatus)
#include "tst_jobstatus.moc"
