#include "core/downloadwindow.h"

#include <QDateTime>
#include <QTest>

// The daily download window: parsing, inside/outside, crossing midnight.
class TestDownloadWindow final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsing_data();
    void parsing();
    void opensAt_data();
    void opensAt();
};

void TestDownloadWindow::parsing_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("normalised");
    QTest::newRow("empty") << "" << true << "";
    QTest::newRow("day") << "9:00-17:30" << true << "09:00-17:30";
    QTest::newRow("night") << "22:00 - 06:00" << true << "22:00-06:00";
    QTest::newRow("same") << "10:00-10:00" << false << "";
    QTest::newRow("junk") << "evenings" << false << "";
    QTest::newRow("bad hour") << "25:00-01:00" << false << "";
}

void TestDownloadWindow::parsing()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(QString, normalised);
    const auto w = DownloadWindow::parse(text);
    QCOMPARE(w.has_value(), valid);
    if (valid)
        QCOMPARE(w->toString(), normalised);
}

void TestDownloadWindow::opensAt_data()
{
    QTest::addColumn<QString>("window");
    QTest::addColumn<QString>("now");
    QTest::addColumn<QString>("opens"); // empty: open now
    QTest::newRow("inside") << "09:00-17:00" << "2026-03-02 12:00" << "";
    QTest::newRow("before") << "09:00-17:00" << "2026-03-02 08:00" << "2026-03-02 09:00";
    QTest::newRow("after") << "09:00-17:00" << "2026-03-02 17:00" << "2026-03-03 09:00";
    QTest::newRow("night inside late") << "22:00-06:00" << "2026-03-02 23:30" << "";
    QTest::newRow("night inside early") << "22:00-06:00" << "2026-03-02 05:59" << "";
    QTest::newRow("night outside") << "22:00-06:00" << "2026-03-02 06:00" << "2026-03-02 22:00";
    QTest::newRow("always") << "" << "2026-03-02 03:00" << "";
}

void TestDownloadWindow::opensAt()
{
    QFETCH(QString, window);
    QFETCH(QString, now);
    QFETCH(QString, opens);
    const auto w = DownloadWindow::parse(window);
    QVERIFY(w);
    const auto local = [](const QString &s) {
        return QDateTime::fromString(s, QStringLiteral("yyyy-MM-dd HH:mm")).toMSecsSinceEpoch();
    };
    QCOMPARE(w->opensAt(local(now)), opens.isEmpty() ? 0 : local(opens));
}

QTEST_GUILESS_MAIN(TestDownloadWindow)
#include "tst_downloadwindow.moc"
