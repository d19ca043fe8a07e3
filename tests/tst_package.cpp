#include "testsupport.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

namespace {
const QString kAppId = QStringLiteral("io.github.spool.Spool");
const QList<int> kIconSizes{16, 24, 32, 48, 64, 128, 256};
const QStringList kDebDepends{QStringLiteral("libqt6core6"),
                              QStringLiteral("libqt6gui6"),
                              QStringLiteral("libqt6widgets6"),
                              QStringLiteral("libqt6network6"),
                              QStringLiteral("libqt6sql6"),
                              QStringLiteral("libqt6sql6-sqlite"),
                              QStringLiteral("libqt6httpserver6"),
                              QStringLiteral("libqt6websockets6"),
                              QStringLiteral("libqt6concurrent6"),
                              QStringLiteral("yt-dlp"),
                              QStringLiteral("ffmpeg")};

struct Run
{
    int code = -1;
    QString output; // stdout and stderr together
};

Run run(const QString &program, const QStringList &arguments, int timeoutMs = 240'000)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setWorkingDirectory(QStringLiteral(SPOOL_TEST_BINARY_DIR));
    process.start(program, arguments);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return {-1, QStringLiteral("%1 did not finish: %2").arg(program, process.errorString())};
    }
    const int code = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return {code, QString::fromUtf8(process.readAll())};
}

// Everything a desktop needs, relative to the install prefix.
QStringList expectedFiles()
{
    QStringList files{QStringLiteral("bin/spool"),
                      QStringLiteral("share/applications/%1.desktop").arg(kAppId),
                      QStringLiteral("share/metainfo/%1.metainfo.xml").arg(kAppId),
                      QStringLiteral("share/icons/hicolor/scalable/apps/%1.svg").arg(kAppId),
                      QStringLiteral("share/spool/translations/spool_ru.qm"),
                      QStringLiteral("share/spool/translations/spool_en.qm")};
    for (int size : kIconSizes)
        files << QStringLiteral("share/icons/hicolor/%1x%1/apps/%2.png").arg(size).arg(kAppId);
    return files;
}

QStringList missingFiles(const QString &prefix)
{
    QStringList missing;
    for (const QString &file : expectedFiles()) {
        if (!QFileInfo(prefix + QLatin1Char('/') + file).isFile())
            missing << file;
    }
    return missing;
}

// Width and height from a PNG's IHDR chunk, which always comes first.
QSize pngSize(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray head = file.read(24);
    if (head.size() < 24 || !head.startsWith("\x89PNG\r\n\x1a\n") || head.mid(12, 4) != "IHDR")
        return {};
    return QSize(int(qFromBigEndian<quint32>(head.constData() + 16)),
                 int(qFromBigEndian<quint32>(head.constData() + 20)));
}

// "Key=value" lines of a .desktop file's main group.
QHash<QString, QString> desktopEntries(const QString &path)
{
    QFile file(path);
    QHash<QString, QString> entries;
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return entries;
    for (const QByteArray &raw : file.readAll().split('\n')) {
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line.startsWith(QLatin1Char('[')) && line != QLatin1String("[Desktop Entry]"))
            break;
        if (const qsizetype eq = line.indexOf(QLatin1Char('=')); eq > 0 && !line.startsWith(QLatin1Char('#')))
            entries.insert(line.left(eq), line.mid(eq + 1));
    }
    return entries;
}

// Package names of a Depends/Recommends field, without versions or alternatives' bars.
QStringList packageNames(const QString &field)
{
    QStringList names;
    for (const QString &item : field.split(QRegularExpression(QStringLiteral("[,|]")), Qt::SkipEmptyParts))
        names << item.trimmed().section(QLatin1Char(' '), 0, 0).section(QLatin1Char(':'), 0, 0);
    return names;
}
} // namespace

// Packaging, for real: `cmake --install` of this build dir and `cpack -G DEB` into temporary
// dirs, every file a desktop needs checked in both, the validators run on the installed files.
class TestPackage final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void installPutsFilesInStandardPlaces();
    void iconsHaveTheirSizes();
    void desktopFileIsValid();
    void desktopFileHandlesUrls();
    void metainfoIsValid();
    void metainfoMatchesDesktopFile();
    void debHasTheFiles();
    void debDependsOnQtAndTools();
    void debDependenciesExistInDebian();

private:
    QString installed(const QString &relative) const { return m_prefix + QLatin1Char('/') + relative; }
    QString debField(const QString &field) const;

    QTemporaryDir m_tmp;
    QString m_prefix;
    QString m_deb;
    QString m_debRoot;
};

void TestPackage::initTestCase()
{
    QVERIFY(m_tmp.isValid());
    m_prefix = m_tmp.filePath(QStringLiteral("prefix"));
    const Run install =
        run(QStringLiteral(SPOOL_CMAKE), {QStringLiteral("--install"), QStringLiteral(SPOOL_TEST_BINARY_DIR),
                                          QStringLiteral("--prefix"), m_prefix});
    QVERIFY2(install.code == 0, qPrintable(install.output));

    const QString debDir = m_tmp.filePath(QStringLiteral("deb"));
    const Run cpack =
        run(QStringLiteral(SPOOL_CPACK),
            {QStringLiteral("-G"), QStringLiteral("DEB"), QStringLiteral("-B"), debDir,
             QStringLiteral("--config"), QStringLiteral(SPOOL_TEST_BINARY_DIR "/CPackConfig.cmake")});
    QVERIFY2(cpack.code == 0, qPrintable(cpack.output));
    const QStringList debs = QDir(debDir).entryList({QStringLiteral("spool_*.deb")}, QDir::Files);
    QVERIFY2(debs.size() == 1, qPrintable(cpack.output));
    m_deb = QDir(debDir).filePath(debs.first());
    m_debRoot = m_tmp.filePath(QStringLiteral("root"));
    const Run extract = run(QStringLiteral("dpkg-deb"), {QStringLiteral("-x"), m_deb, m_debRoot});
    QVERIFY2(extract.code == 0, qPrintable(extract.output));
}

QString TestPackage::debField(const QString &field) const
{
    return run(QStringLiteral("dpkg-deb"), {QStringLiteral("-f"), m_deb, field}).output.trimmed();
}

void TestPackage::installPutsFilesInStandardPlaces()
{
    const QStringList missing = missingFiles(m_prefix);
    QVERIFY2(missing.isEmpty(),
             qPrintable(QStringLiteral("not installed: ") + missing.join(QStringLiteral(", "))));
    QVERIFY(QFileInfo(installed(QStringLiteral("bin/spool"))).isExecutable());
}

void TestPackage::iconsHaveTheirSizes()
{
    for (int size : kIconSizes) {
        const QString png =
            installed(QStringLiteral("share/icons/hicolor/%1x%1/apps/%2.png").arg(size).arg(kAppId));
        QCOMPARE(pngSize(png), QSize(size, size));
    }
}

void TestPackage::desktopFileIsValid()
{
    const QString validator = QStandardPaths::findExecutable(QStringLiteral("desktop-file-validate"));
    QVERIFY2(!validator.isEmpty(),
             "desktop-file-validate is missing: install desktop-file-utils (./dev.sh does)");
    const Run check =
        run(validator, {installed(QStringLiteral("share/applications/%1.desktop").arg(kAppId))});
    QVERIFY2(check.code == 0, qPrintable(check.output));
    QVERIFY2(!check.output.contains(QStringLiteral("error")), qPrintable(check.output));
}

void TestPackage::desktopFileHandlesUrls()
{
    const auto entries =
        desktopEntries(installed(QStringLiteral("share/applications/%1.desktop").arg(kAppId)));
    QCOMPARE(entries.value(QStringLiteral("Exec")), QStringLiteral("spool %U"));
    QCOMPARE(entries.value(QStringLiteral("Icon")), kAppId);
    QCOMPARE(entries.value(QStringLiteral("Type")), QStringLiteral("Application"));
    const QStringList types =
        entries.value(QStringLiteral("MimeType")).split(QLatin1Char(';'), Qt::SkipEmptyParts);
    for (const char *type : {"x-scheme-handler/http", "x-scheme-handler/https", "text/uri-list"})
        QVERIFY2(types.contains(QLatin1String(type)), type);
}

void TestPackage::metainfoIsValid()
{
    const QString validator = QStandardPaths::findExecutable(QStringLiteral("appstreamcli"));
    QVERIFY2(!validator.isEmpty(), "appstreamcli is missing: install appstream (./dev.sh does)");
    const Run check =
        run(validator, {QStringLiteral("validate"), QStringLiteral("--no-net"),
                        installed(QStringLiteral("share/metainfo/%1.metainfo.xml").arg(kAppId))});
    QVERIFY2(check.code == 0, qPrintable(check.output));
}

// One id everywhere: the desktop file's name, the metainfo's id and launchable, the icon's name.
void TestPackage::metainfoMatchesDesktopFile()
{
    QFile file(installed(QStringLiteral("share/metainfo/%1.metainfo.xml").arg(kAppId)));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString xml = QString::fromUtf8(file.readAll());
    QVERIFY(xml.contains(QStringLiteral("<id>%1</id>").arg(kAppId)));
    QVERIFY(
        xml.contains(QStringLiteral("<launchable type=\"desktop-id\">%1.desktop</launchable>").arg(kAppId)));
    QVERIFY(xml.contains(QStringLiteral("<icon type=\"stock\">%1</icon>").arg(kAppId)));
    QVERIFY(xml.contains(QStringLiteral("<binary>spool</binary>")));
    QVERIFY(
        xml.contains(QStringLiteral("<release version=\"%1\"").arg(QStringLiteral(SPOOL_PROJECT_VERSION))));
}

void TestPackage::debHasTheFiles()
{
    const QStringList missing = missingFiles(m_debRoot + QStringLiteral("/usr"));
    QVERIFY2(missing.isEmpty(),
             qPrintable(QStringLiteral("not in the .deb: ") + missing.join(QStringLiteral(", "))));
    QCOMPARE(debField(QStringLiteral("Package")), QStringLiteral("spool"));
    QCOMPARE(debField(QStringLiteral("Version")), QStringLiteral(SPOOL_PROJECT_VERSION));
    QVERIFY(!debField(QStringLiteral("Maintainer")).isEmpty());
    // Nothing outside /usr: a package must not scatter files over the system.
    QDirIterator it(m_debRoot, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next().mid(m_debRoot.size());
        QVERIFY2(path.startsWith(QStringLiteral("/usr/")), qPrintable(path));
    }
}

void TestPackage::debDependsOnQtAndTools()
{
    const QString depends = debField(QStringLiteral("Depends"));
    const QStringList names = packageNames(depends);
    for (const QString &package : kDebDepends)
        QVERIFY2(names.contains(package),
                 qPrintable(QStringLiteral("%1 not in Depends: %2").arg(package, depends)));
    QVERIFY2(packageNames(debField(QStringLiteral("Recommends")))
                 .contains(QStringLiteral("qt6-translations-l10n")),
             qPrintable(debField(QStringLiteral("Recommends"))));
}

// The names must be real Debian packages, or apt refuses to install the .deb.
void TestPackage::debDependenciesExistInDebian()
{
    if (QStandardPaths::findExecutable(QStringLiteral("apt-cache")).isEmpty() ||
        run(QStringLiteral("apt-cache"), {QStringLiteral("show"), QStringLiteral("libc6")}).code != 0)
        SPOOL_SKIP_UNLESS_REQUIRED("no apt package lists here");
    const QStringList names = packageNames(debField(QStringLiteral("Depends"))) +
                              packageNames(debField(QStringLiteral("Recommends")));
    QStringList unknown;
    for (const QString &name : names) {
        if (run(QStringLiteral("apt-cache"),
                {QStringLiteral("show"), QStringLiteral("--no-all-versions"), name})
                .code != 0)
            unknown << name;
    }
    QVERIFY2(unknown.isEmpty(),
             qPrintable(QStringLiteral("unknown to apt: ") + unknown.join(QStringLiteral(", "))));
}

QTEST_GUILESS_MAIN(TestPackage)
#include "tst_package.moc"
