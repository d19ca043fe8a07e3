// A Spool queue in its own process, for crash tests: it adds jobs (printing each id once committed)
// and runs them with scripted workers until it is killed or, with --until-idle, until none is left.
// With --database URL --host-name NAME it is one host of a shared PostgreSQL queue (the multi-host
// test runs several, each in a network namespace of its own); --lease-ms sets the jobs' lease.
#include "testsupport.h"

#include "queue/dispatcher.h"
#include "queue/jobqueue.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QTextStream>
#include <QTimer>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 2) {
        QTextStream(stderr) << "usage: queuechild DATADIR [--add N] [--sleep-ms MS] [--until-idle]"
                               " [--database URL --host-name NAME] [--lease-ms MS] [--workers N]\n";
        return 2;
    }
    auto option = [&](const QString &name, int fallback) {
        const qsizetype i = args.indexOf(name);
        return i > 0 && i + 1 < args.size() ? args[i + 1].toInt() : fallback;
    };
    auto text = [&](const QString &name) {
        const qsizetype i = args.indexOf(name);
        return i > 0 && i + 1 < args.size() ? args[i + 1] : QString();
    };
    QueueSettings settings = testSettings();
    settings.maxConcurrent = option(QStringLiteral("--workers"), 4);
    settings.types[TestTypes::Scripted].retry.baseDelayMs = 10;
    settings.types[TestTypes::Scripted].leaseMs = option(QStringLiteral("--lease-ms"), 10'000);
    SpoolCore::Options options;
    options.dataDir = args[1];
    options.settings = settings;
    options.database = text(QStringLiteral("--database"));
    options.hostName = text(QStringLiteral("--host-name"));
    options.workerOnly = !options.database.isEmpty();
    SpoolCore core(options);
    if (auto opened = core.open(); !opened) {
        QTextStream(stderr) << "queuechild: " << opened.error().message << Qt::endl;
        return 1;
    }
    registerTestWorkers(core);
    QTextStream out(stdout);
    core.start();
    out << "started" << Qt::endl;
    const int toAdd = option(QStringLiteral("--add"), 0);
    const int sleepMs = option(QStringLiteral("--sleep-ms"), 20);
    for (int i = 0; i < toAdd; ++i) {
        NewJob job;
        job.type = TestTypes::Scripted;
        job.maxAttempts = 20;
        job.options = QJsonObject{{QStringLiteral("sleep_ms"), sleepMs}, {QStringLiteral("progress_steps"), 5}};
        auto added = core.queue().addJob(job);
        if (added)
            out << "added " << added.value().job.id << Qt::endl; // printed only after the commit
        QCoreApplication::processEvents(); // let jobs start while others are still being added
    }
    if (args.contains(QStringLiteral("--until-idle"))) {
        QTimer poll;
        QObject::connect(&poll, &QTimer::timeout, &app, [&] {
            const auto counts = core.queue().countByStatus();
            if (counts.value(QStringLiteral("pending")) + counts.value(QStringLiteral("running"))
                    + counts.value(QStringLiteral("retrying")) == 0)
                app.quit();
        });
        poll.start(50);
        app.exec();
        core.shutdown();
        return 0;
    }
    return app.exec();
}
