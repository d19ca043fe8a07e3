#include "workers/cleanupworker.h"

#include "logging/joblogger.h"
#include "workers/cancellationtoken.h"
#include "workers/dirhandle.h"
#include "workers/progressreporter.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QSet>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <numeric>
#include <optional>
#include <variant>

namespace {
using Level = JobLogger::Level;

constexpr qint64 kMsPerHour = 3'600'000;
constexpr qint64 kMsPerDay = 24 * kMsPerHour;
constexpr double kDefaultPartMaxAgeHours = 24;
constexpr double kMaxWhole = 9.0e18; // below qint64's limit, so the conversion is defined
constexpr int kMaxDepth = 32;        // far deeper than the layout; stops a bind-mount loop
constexpr int kScanReportEvery = 256;

const QString kReasonMaxAge = QStringLiteral("max_age");
const QString kReasonKeep = QStringLiteral("keep_per_channel");
const QString kReasonTotal = QStringLiteral("max_total_bytes");
const QString kReasonStalePart = QStringLiteral("stale_part");
const QString kSymlink = QStringLiteral("symlink");
const QString kOtherFileSystem = QStringLiteral("other_file_system");
// Refusals when the tree changed between the scan and the deletion, besides the two above.
const QString kRefusedElsewhere = QStringLiteral("resolves_elsewhere"); // a folder on its path is not one
const QString kRefusedReplaced = QStringLiteral("replaced");            // another file or folder is there

// A system folder, and how many levels below it are refused as a root too (-1: all of them). Users
// keep folders of their own further down in some: /var/lib/spool, /run/media/<user>/<disk>, /mnt/nas.
struct SystemFolder
{
    const char *path;
    int depth;
};

constexpr SystemFolder kSystemFolders[] = {
    {"/bin", -1},   {"/boot", -1},  {"/dev", -1},        {"/efi", -1},  {"/etc", -1},  {"/lib", -1},
    {"/lib32", -1}, {"/lib64", -1}, {"/libx32", -1},     {"/proc", -1}, {"/sbin", -1}, {"/snap", -1},
    {"/sys", -1},   {"/usr", -1},   {"/lost+found", -1}, {"/var", 1},   {"/run", 2},   {"/home", 0},
    {"/root", 0},   {"/srv", 0},    {"/opt", 0},         {"/mnt", 0},   {"/media", 0}, {"/tmp", 0}};

bool isPartial(const QString &name)
{
    return name.endsWith(QLatin1String(".part")) || name.endsWith(QLatin1String(".ytdl")) ||
           name.contains(QLatin1String(".part-Frag"));
}

bool isMedia(const QString &name)
{
    const QFileInfo info(name);
    static const QSet<QString> suffixes{QStringLiteral("mp4"), QStringLiteral("mkv"),  QStringLiteral("webm"),
                                        QStringLiteral("m4a"), QStringLiteral("mp3"),  QStringLiteral("opus"),
                                        QStringLiteral("ogg"), QStringLiteral("flac"), QStringLiteral("wav"),
                                        QStringLiteral("mov"), QStringLiteral("avi"),  QStringLiteral("m4v"),
                                        QStringLiteral("aac")};
    return !isPartial(name) && suffixes.contains(info.suffix().toLower());
}

// Strictly below `dir`; both paths clean and absolute.
bool isInside(const QString &path, const QString &dir)
{
    const QString prefix = dir.endsWith(QLatin1Char('/')) ? dir : dir + QLatin1Char('/');
    return path.size() > prefix.size() && path.startsWith(prefix);
}

bool isSameOrInside(const QString &path, const QString &dir)
{
    return path == dir || isInside(path, dir);
}

// How many levels `path` lies below `dir`: 0 for `dir` itself, -1 when it is not inside.
int levelsBelow(const QString &path, const QString &dir)
{
    if (path == dir)
        return 0;
    return isInside(path, dir) ? static_cast<int>(path.mid(dir.size() + 1).count(QLatin1Char('/'))) + 1 : -1;
}

QString homeFolder()
{
    const QString home = QDir::homePath();
    const QString canonical = QFileInfo(home).canonicalFilePath();
    return canonical.isEmpty() ? QDir::cleanPath(home) : canonical;
}

// The parent of a path relative to the root ("" for the root itself).
QByteArray parentOf(const QByteArray &relative)
{
    const qsizetype slash = relative.lastIndexOf('/');
    return slash < 0 ? QByteArray() : relative.left(slash);
}

QString canonicalDir(const QString &path)
{
    const QFileInfo info(path);
    return info.isDir() ? info.canonicalFilePath() : QString();
}

// A file or folder the scan saw.
struct FileEntry
{
    QString path;        // absolute, as results and the log say it
    QByteArray relative; // below the root, in the file system's own bytes: what deletion walks
    DirHandle::Stat seen;
};

struct MediaItem
{
    FileEntry media;
    QList<FileEntry> sidecars;
    QString group; // first folder below the root; "" for files in the root itself

    qint64 totalBytes() const
    {
        qint64 sum = media.seen.bytes;
        for (const FileEntry &s : sidecars)
            sum += s.seen.bytes;
        return sum;
    }
};

struct PathReason
{
    QString path;
    QString reason;
};

QJsonArray toJson(const QList<PathReason> &list)
{
    QJsonArray out;
    for (const PathReason &p : list)
        out.append(QJsonObject{{QStringLiteral("path"), p.path}, {QStringLiteral("reason"), p.reason}});
    return out;
}

struct ScanResult
{
    QList<MediaItem> media;
    QList<FileEntry> partials;
    QList<FileEntry> dirs;                   // real folders below the root, each before its children
    QHash<QByteArray, qsizetype> dirEntries; // entries per folder ("" the root), to tell empty ones
    QList<PathReason> skipped;
};

// Walks the tree by directory handles, never following a symlink nor entering another file system,
// sorting files into media (with sidecars) and partials.
class Scanner final
{
public:
    Scanner(const DirHandle &root, QString rootPath, quint64 device, JobContext &context)
        : m_root(root), m_rootPath(std::move(rootPath)), m_device(device), m_context(context)
    {
    }
    Q_DISABLE_COPY_MOVE(Scanner)

    // False when cancelled.
    bool scan() { return scanDir(m_root, QByteArray(), QString(), 0); }
    ScanResult &result() { return m_result; }

private:
    bool scanDir(const DirHandle &dir, const QByteArray &relative, const QString &group, int depth);
    bool visitDir(const DirHandle &parent, const QByteArray &name, const FileEntry &entry,
                  const QString &group, int depth);
    void classify(const QList<FileEntry> &files, const QString &group);
    void attachSidecars(const QList<FileEntry> &others, qsizetype firstMedia);
    QString pathOf(const QByteArray &relative) const;
    void skip(const QString &path, const QString &reason);
    void skipOtherFileSystem(const QString &path);
    void tick();

    const DirHandle &m_root;
    QString m_rootPath;
    quint64 m_device;
    JobContext &m_context;
    ScanResult m_result;
    int m_seen = 0;
};

bool Scanner::scanDir(const DirHandle &dir, const QByteArray &relative, const QString &group, int depth)
{
    QList<QByteArray> names;
    if (dir.list(names) != 0) {
        // Not counted as a folder at all, so never taken for an empty one.
        skip(pathOf(relative), QStringLiteral("unreadable"));
        return true;
    }
    std::sort(names.begin(), names.end());
    // Every entry counts as content, a symlink or a socket too, so its folder is not empty.
    m_result.dirEntries.insert(relative, names.size());
    QList<FileEntry> files;
    for (const QByteArray &name : names) {
        if (m_context.token().isCancelled())
            return false;
        tick();
        DirHandle::Stat seen;
        if (dir.statChild(name, seen) != 0)
            continue; // gone since the listing
        const QByteArray path = relative.isEmpty() ? name : relative + '/' + name;
        const FileEntry entry{pathOf(path), path, seen};
        if (seen.type == DirHandle::Stat::Type::Symlink)
            skip(entry.path, kSymlink);
        else if (seen.type == DirHandle::Stat::Type::Dir &&
                 !visitDir(dir, name, entry, depth == 0 ? QFile::decodeName(name) : group, depth + 1))
            return false;
        else if (seen.type == DirHandle::Stat::Type::File)
            files << entry;
    }
    classify(files, group);
    return true;
}

bool Scanner::visitDir(const DirHandle &parent, const QByteArray &name, const FileEntry &entry,
                       const QString &group, int depth)
{
    if (depth > kMaxDepth) {
        skip(entry.path, QStringLiteral("too_deep"));
        return true;
    }
    if (entry.seen.device != m_device) { // a mount point: never even opened
        skipOtherFileSystem(entry.path);
        return true;
    }
    DirHandle child;
    FileEntry opened = entry;
    if (const int error = parent.openChild(name, child); error != 0 || child.stat(opened.seen) != 0) {
        if (error != ENOENT && error != ENOTDIR) // gone or no folder any more: nothing to walk
            skip(entry.path, error == ELOOP ? kSymlink : QStringLiteral("unreadable"));
        return true;
    }
    if (opened.seen.device != m_device) { // mounted since its stat
        skipOtherFileSystem(entry.path);
        return true;
    }
    m_result.dirs << opened;
    return scanDir(child, entry.relative, group, depth);
}

void Scanner::classify(const QList<FileEntry> &files, const QString &group)
{
    const qsizetype firstMedia = m_result.media.size();
    QList<FileEntry> others;
    for (const FileEntry &file : files) {
        const QString name = QFileInfo(file.path).fileName();
        if (isPartial(name))
            m_result.partials << file;
        else if (isMedia(name))
            m_result.media << MediaItem{file, {}, group};
        else
            others << file;
    }
    attachSidecars(others, firstMedia);
}

// A sidecar belongs to the media whose complete base name is its longest "<base>." prefix. Media
// sharing a base name share it with the newest of them, which retention keeps longest.
void Scanner::attachSidecars(const QList<FileEntry> &others, qsizetype firstMedia)
{
    QHash<QString, qsizetype> byBase;
    for (qsizetype i = firstMedia; i < m_result.media.size(); ++i) {
        const QString base = QFileInfo(m_result.media[i].media.path).completeBaseName();
        const auto it = byBase.constFind(base);
        if (it == byBase.constEnd() ||
            m_result.media[i].media.seen.mtimeMs > m_result.media[*it].media.seen.mtimeMs)
            byBase.insert(base, i);
    }
    for (const FileEntry &file : others) {
        const QString name = QFileInfo(file.path).fileName();
        for (qsizetype dot = name.lastIndexOf(QLatin1Char('.')); dot > 0;
             dot = name.lastIndexOf(QLatin1Char('.'), dot - 1)) {
            if (const auto it = byBase.constFind(name.left(dot)); it != byBase.constEnd()) {
                m_result.media[*it].sidecars << file;
                break;
            }
        }
    }
}

QString Scanner::pathOf(const QByteArray &relative) const
{
    return relative.isEmpty() ? m_rootPath : m_rootPath + QLatin1Char('/') + QFile::decodeName(relative);
}

void Scanner::skip(const QString &path, const QString &reason)
{
    m_result.skipped << PathReason{path, reason};
    m_context.log().log(Level::Info, QStringLiteral("skipped"),
                        QStringLiteral("Skipped %1 (%2): left alone, not followed").arg(path, reason),
                        {{QStringLiteral("path"), path}, {QStringLiteral("reason"), reason}});
}

// Once per mount point: the walk never descends into it, so nothing below it is seen.
void Scanner::skipOtherFileSystem(const QString &path)
{
    m_result.skipped << PathReason{path, kOtherFileSystem};
    m_context.log().log(Level::Info, QStringLiteral("skipped"),
                        QStringLiteral("Not crossing into another file system at %1").arg(path),
                        {{QStringLiteral("path"), path}, {QStringLiteral("reason"), kOtherFileSystem}});
}

void Scanner::tick()
{
    // Moving items forward keeps the stall watchdog quiet on a huge or slow tree.
    if (++m_seen % kScanReportEvery != 0)
        return;
    JobProgress progress;
    progress.itemsDone = m_seen;
    m_context.progress().report(progress);
}

// What the job's options ask for.
struct Policy
{
    std::optional<double> maxAgeDays;
    std::optional<qint64> keepPerChannel;
    std::optional<qint64> maxTotalBytes;
    double partMaxAgeHours = kDefaultPartMaxAgeHours;
    bool dryRun = false;
};

// Reads an optional number option that must be finite, at least `min`, and whole if `whole`.
std::optional<QString> readNumber(const QJsonObject &options, const QString &key, double min, bool whole,
                                  std::optional<double> &out)
{
    if (!options.contains(key))
        return std::nullopt;
    const QJsonValue value = options.value(key);
    const double d = value.toDouble();
    if (!value.isDouble() || !std::isfinite(d) || d < min || (whole && d != std::floor(d)))
        return QStringLiteral("option '%1' must be a %2 of at least %3")
            .arg(key, whole ? QStringLiteral("whole number") : QStringLiteral("number"))
            .arg(min);
    out = d;
    return std::nullopt;
}

std::variant<Policy, Outcome> readPolicy(const QJsonObject &options)
{
    std::optional<double> age, keep, total, part;
    for (const auto &problem : {readNumber(options, QStringLiteral("max_age_days"), 0, false, age),
                                readNumber(options, QStringLiteral("keep_per_channel"), 0, true, keep),
                                readNumber(options, QStringLiteral("max_total_bytes"), 0, true, total),
                                readNumber(options, QStringLiteral("part_max_age_hours"), 0, false, part)}) {
        if (problem)
            return Outcome::permanent(QStringLiteral("invalid_option"), *problem);
    }
    if (part && *part <= 0) // zero would delete downloads that are running right now
        return Outcome::permanent(QStringLiteral("invalid_option"),
                                  QStringLiteral("option 'part_max_age_hours' must be above 0"));
    Policy policy;
    policy.maxAgeDays = age;
    if (keep)
        policy.keepPerChannel = static_cast<qint64>(std::min(*keep, kMaxWhole));
    if (total)
        policy.maxTotalBytes = static_cast<qint64>(std::min(*total, kMaxWhole));
    policy.partMaxAgeHours = part.value_or(kDefaultPartMaxAgeHours);
    policy.dryRun = options.value(QStringLiteral("dry_run")).toBool(false);
    return policy;
}

Outcome missingDir(const QString &path)
{
    return Outcome::permanent(
        QStringLiteral("missing_dir"),
        QStringLiteral("The download dir '%1' does not exist or is not a folder").arg(path));
}

// The option download_dir, accepted only as the configured dir or a real folder inside it.
std::variant<QString, Outcome> checkRequestedDir(const QString &requested, const QString &configured,
                                                 const QString &configuredRoot)
{
    const auto invalid = [&requested](const QString &why) {
        return Outcome::permanent(QStringLiteral("invalid_path"),
                                  QStringLiteral("Option download_dir '%1' %2").arg(requested, why));
    };
    if (requested.isEmpty())
        return invalid(QStringLiteral("is empty"));
    if (QDir::fromNativeSeparators(requested).split(QLatin1Char('/')).contains(QLatin1String("..")))
        return invalid(QStringLiteral("contains '..'; name the folder directly"));
    if (QDir::isRelativePath(requested))
        return invalid(QStringLiteral("is not an absolute path"));
    if (!isSameOrInside(QDir::cleanPath(requested), configured))
        return invalid(QStringLiteral("is not inside the download dir '%1'").arg(configured));
    const QString root = canonicalDir(requested);
    if (root.isEmpty())
        return missingDir(requested);
    if (!isSameOrInside(root, configuredRoot))
        return invalid(
            QStringLiteral("leads outside the download dir '%1' through a symlink").arg(configured));
    return root;
}

// `root` (canonical), unless cleaning it is refused; `spelled` is how the settings or the job name it.
std::variant<QString, Outcome> safeRoot(const QString &root, const QString &spelled)
{
    const QString why = CleanupWorker::unsafeRootReason(root);
    if (why.isEmpty())
        return root;
    const QString via = QDir::cleanPath(spelled) == root
                            ? QString()
                            : QStringLiteral(" (the download dir '%1' leads there)").arg(spelled);
    return Outcome::permanent(QStringLiteral("unsafe_root"),
                              QStringLiteral("Refusing to clean '%1'%2: %3").arg(root, via, why));
}

// The canonical folder to clean: the configured download dir, or the job's download_dir inside it.
std::variant<QString, Outcome> resolveRoot(const JobContext &context)
{
    const QString configured = context.env(QStringLiteral("download_dir")).toString();
    if (configured.trimmed().isEmpty())
        return Outcome::permanent(
            QStringLiteral("not_configured"),
            QStringLiteral("No download dir is configured, so there is nothing to clean"));
    if (QDir::isRelativePath(configured))
        return Outcome::permanent(
            QStringLiteral("invalid_path"),
            QStringLiteral("The configured download dir '%1' is not an absolute path").arg(configured));
    const QString configuredRoot = canonicalDir(configured);
    if (configuredRoot.isEmpty())
        return missingDir(configured);
    const QJsonValue requested = context.job().options.value(QStringLiteral("download_dir"));
    if (requested.isUndefined())
        return safeRoot(configuredRoot, configured);
    // Relative: a folder inside the download dir, as for downloads (JobPaths).
    QString asked = requested.toString();
    if (!asked.isEmpty() && QDir::isRelativePath(asked) && !asked.startsWith(QLatin1Char('~')))
        asked = configured + QLatin1Char('/') + asked;
    const auto root = checkRequestedDir(asked, QDir::cleanPath(configured), configuredRoot);
    if (const auto *dir = std::get_if<QString>(&root))
        return safeRoot(*dir, requested.toString());
    return root;
}

struct Deletion
{
    QList<FileEntry> files; // the media file first, then its sidecars; a partial alone
    QString reason;
};

// Decides what goes, from the scan and the policy. Touches nothing.
class Planner final
{
public:
    Planner(const ScanResult &scan, const Policy &policy, qint64 nowMs)
        : m_scan(scan), m_policy(policy), m_now(nowMs), m_reasons(scan.media.size())
    {
    }
    Q_DISABLE_COPY_MOVE(Planner)

    QList<Deletion> plan();

private:
    QList<qsizetype> oldestFirst() const;
    void byAge();
    void byCount();
    void bySize();
    QList<Deletion> staleParts() const;

    const ScanResult &m_scan;
    const Policy &m_policy;
    qint64 m_now;
    QStringList m_reasons; // per media item; empty: kept
};

QList<Deletion> Planner::plan()
{
    // In this order, so the count and the size cap see only what the earlier rules left.
    if (m_policy.maxAgeDays)
        byAge();
    if (m_policy.keepPerChannel)
        byCount();
    if (m_policy.maxTotalBytes)
        bySize();
    QList<Deletion> out;
    for (qsizetype i : oldestFirst()) {
        if (m_reasons[i].isEmpty())
            continue;
        const MediaItem &item = m_scan.media[i];
        out << Deletion{QList<FileEntry>{item.media} + item.sidecars, m_reasons[i]};
    }
    return out + staleParts();
}

QList<qsizetype> Planner::oldestFirst() const
{
    QList<qsizetype> order(m_scan.media.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [this](qsizetype a, qsizetype b) {
        const FileEntry &x = m_scan.media[a].media;
        const FileEntry &y = m_scan.media[b].media;
        return x.seen.mtimeMs != y.seen.mtimeMs ? x.seen.mtimeMs < y.seen.mtimeMs : x.path < y.path;
    });
    return order;
}

void Planner::byAge()
{
    const qint64 cutoff = m_now - std::llround(*m_policy.maxAgeDays * kMsPerDay);
    for (qsizetype i = 0; i < m_scan.media.size(); ++i) {
        if (m_scan.media[i].media.seen.mtimeMs < cutoff)
            m_reasons[i] = kReasonMaxAge;
    }
}

void Planner::byCount()
{
    QHash<QString, qint64> kept; // per group
    QList<qsizetype> order = oldestFirst();
    std::reverse(order.begin(), order.end());
    for (qsizetype i : order) {
        if (!m_reasons[i].isEmpty())
            continue;
        if (++kept[m_scan.media[i].group] > *m_policy.keepPerChannel)
            m_reasons[i] = kReasonKeep;
    }
}

void Planner::bySize()
{
    qint64 total = 0;
    for (qsizetype i = 0; i < m_scan.media.size(); ++i) {
        if (m_reasons[i].isEmpty())
            total += m_scan.media[i].totalBytes();
    }
    for (qsizetype i : oldestFirst()) {
        if (total <= *m_policy.maxTotalBytes)
            return;
        if (!m_reasons[i].isEmpty())
            continue;
        m_reasons[i] = kReasonTotal;
        total -= m_scan.media[i].totalBytes();
    }
}

QList<Deletion> Planner::staleParts() const
{
    // Fresher partials may belong to a download running right now.
    const qint64 cutoff = m_now - std::llround(m_policy.partMaxAgeHours * kMsPerHour);
    QList<Deletion> out;
    for (const FileEntry &part : m_scan.partials) {
        if (part.seen.mtimeMs < cutoff)
            out << Deletion{{part}, kReasonStalePart};
    }
    return out;
}

// Where an entry of the plan is now: the folder holding it, reached from the root by handles, and
// the entry as that folder has it. A refusal or an error says why it cannot be touched.
struct Located
{
    DirHandle parent;
    QByteArray name;
    QString refusal;
    int error = 0; // ENOENT: gone since the scan
};

// Carries out the plan (or only reports it, in a dry run). Each deletion walks from the root's
// handle again, one folder at a time without following a symlink, and touches the entry only while
// it is the very file or folder the scan saw: so a folder swapped for a symlink since the scan, or
// a file replaced, is refused instead of redirecting the deletion.
class Executor final
{
public:
    Executor(const DirHandle &root, quint64 device, ScanResult &scan, JobContext &context, bool dryRun,
             const CleanupWorker::Hooks &hooks)
        : m_root(root), m_device(device), m_scan(scan), m_context(context), m_dryRun(dryRun), m_hooks(hooks)
    {
    }
    Q_DISABLE_COPY_MOVE(Executor)

    // False when cancelled.
    bool run(const QList<Deletion> &plan);
    QJsonObject result() const;
    QString summary() const;

private:
    bool removeFile(const FileEntry &file, const QString &reason);
    bool removeEmptyDirs();
    void removeDir(const FileEntry &dir);
    Located locate(const FileEntry &entry) const;
    bool descend(Located &at, const QByteArray &folder) const;
    bool usable(const FileEntry &entry, const Located &at);
    void fail(const QString &path, int error);
    void forget(const QByteArray &relative);
    void advance(qsizetype files);

    const DirHandle &m_root;
    quint64 m_device;
    ScanResult &m_scan;
    JobContext &m_context;
    bool m_dryRun;
    const CleanupWorker::Hooks &m_hooks;
    QJsonArray m_deleted;
    QJsonArray m_removedDirs;
    QList<PathReason> m_refused;
    QList<PathReason> m_failed;
    qint64 m_freed = 0;
    qsizetype m_done = 0;
    qsizetype m_total = 0;
};

bool Executor::run(const QList<Deletion> &plan)
{
    for (const Deletion &d : plan)
        m_total += d.files.size();
    for (const Deletion &d : plan) {
        for (qsizetype i = 0; i < d.files.size(); ++i) {
            if (m_context.token().isCancelled())
                return false;
            const bool gone = removeFile(d.files[i], d.reason);
            advance(gone ? 1 : d.files.size() - i);
            if (!gone)
                break; // media that stays keeps its sidecars
        }
    }
    return removeEmptyDirs();
}

// True when the file is gone (or would be, in a dry run).
bool Executor::removeFile(const FileEntry &file, const QString &reason)
{
    if (m_hooks.beforeRemove)
        m_hooks.beforeRemove(file.path);
    const Located at = locate(file);
    if (!usable(file, at))
        return false;
    if (!m_dryRun) {
        if (const int error = at.parent.removeFile(at.name)) {
            fail(file.path, error);
            return false;
        }
    }
    forget(file.relative);
    m_freed += file.seen.bytes;
    const QJsonObject entry{{QStringLiteral("path"), file.path},
                            {QStringLiteral("bytes"), file.seen.bytes},
                            {QStringLiteral("reason"), reason}};
    m_deleted.append(entry);
    m_context.log().log(
        Level::Info, m_dryRun ? QStringLiteral("would_delete") : QStringLiteral("deleted"),
        QStringLiteral("%1 %2 (%3 bytes, %4)")
            .arg(m_dryRun ? QStringLiteral("Would delete") : QStringLiteral("Deleted"), file.path)
            .arg(file.seen.bytes)
            .arg(reason),
        entry);
    return true;
}

bool Executor::removeEmptyDirs()
{
    // Every folder comes before its children in the scan, so walking backwards goes bottom-up.
    for (auto it = m_scan.dirs.crbegin(); it != m_scan.dirs.crend(); ++it) {
        if (m_context.token().isCancelled())
            return false;
        if (m_scan.dirEntries.value(it->relative, -1) == 0)
            removeDir(*it);
    }
    return true;
}

void Executor::removeDir(const FileEntry &dir)
{
    if (m_hooks.beforeRemove)
        m_hooks.beforeRemove(dir.path);
    const Located at = locate(dir);
    if (!usable(dir, at))
        return;
    if (const int error = m_dryRun ? 0 : at.parent.removeDir(at.name)) {
        if (error != ENOTEMPTY && error != EEXIST) {
            fail(dir.path, error);
            return;
        }
        // Only an empty folder is ever removed: something arrived since the scan, so it stays.
        m_context.log().log(Level::Debug, QString(),
                            QStringLiteral("Kept folder %1: no longer empty").arg(dir.path));
        return;
    }
    forget(dir.relative);
    m_removedDirs.append(dir.path);
    m_context.log().log(
        Level::Info, m_dryRun ? QStringLiteral("would_remove_dir") : QStringLiteral("removed_dir"),
        QStringLiteral("%1 empty folder %2")
            .arg(m_dryRun ? QStringLiteral("Would remove") : QStringLiteral("Removed"), dir.path),
        {{QStringLiteral("path"), dir.path}});
}

Located Executor::locate(const FileEntry &entry) const
{
    Located at;
    QList<QByteArray> folders = entry.relative.split('/');
    at.name = folders.takeLast();
    if ((at.error = m_root.duplicate(at.parent)) != 0)
        return at;
    for (const QByteArray &folder : std::as_const(folders)) {
        if (!descend(at, folder))
            return at;
    }
    DirHandle::Stat now;
    if ((at.error = at.parent.statChild(at.name, now)) != 0)
        return at;
    if (now.type == DirHandle::Stat::Type::Symlink)
        at.refusal = kSymlink;
    else if (now.type != entry.seen.type || !now.sameEntry(entry.seen))
        at.refusal = kRefusedReplaced;
    return at;
}

// One folder further down; false (with the refusal or the error) when it is no longer a real folder
// on the root's file system.
bool Executor::descend(Located &at, const QByteArray &folder) const
{
    DirHandle child;
    DirHandle::Stat seen;
    at.error = at.parent.openChild(folder, child);
    if (at.error == ELOOP || at.error == ENOTDIR) { // a symlink now, or a file
        at.error = 0;
        at.refusal = kRefusedElsewhere;
        return false;
    }
    if (at.error != 0 || (at.error = child.stat(seen)) != 0)
        return false;
    if (seen.device != m_device) {
        at.refusal = kOtherFileSystem;
        return false;
    }
    at.parent = std::move(child);
    return true;
}

// Whether the entry may go; says why not otherwise.
bool Executor::usable(const FileEntry &entry, const Located &at)
{
    if (at.error == ENOENT) { // gone since the scan (a download renamed it)
        m_context.log().log(Level::Info, QStringLiteral("vanished"),
                            QStringLiteral("%1 is already gone").arg(entry.path),
                            {{QStringLiteral("path"), entry.path}});
        return false;
    }
    if (at.error != 0) {
        fail(entry.path, at.error);
        return false;
    }
    if (at.refusal.isEmpty())
        return true;
    m_refused << PathReason{entry.path, at.refusal};
    m_context.log().log(Level::Warning, QStringLiteral("refused"),
                        QStringLiteral("Refused to delete %1 (%2)").arg(entry.path, at.refusal),
                        {{QStringLiteral("path"), entry.path}, {QStringLiteral("reason"), at.refusal}});
    return false;
}

void Executor::fail(const QString &path, int error)
{
    const QString message = qt_error_string(error);
    m_failed << PathReason{path, message};
    m_context.log().log(Level::Warning, QStringLiteral("delete_failed"),
                        QStringLiteral("Could not delete %1: %2").arg(path, message),
                        {{QStringLiteral("path"), path}, {QStringLiteral("error"), message}});
}

// One entry fewer in its folder, so a folder emptied by the run (or the dry run) is seen.
void Executor::forget(const QByteArray &relative)
{
    const auto it = m_scan.dirEntries.find(parentOf(relative));
    if (it != m_scan.dirEntries.end())
        --*it;
}

void Executor::advance(qsizetype files)
{
    m_done += files;
    JobProgress progress;
    progress.itemsDone = static_cast<int>(m_done);
    progress.itemsTotal = static_cast<int>(m_total);
    // Percent moves on every file, so the watchdog sees progress after the scan's item count.
    progress.percent =
        m_total > 0 ? 100.0 * static_cast<double>(m_done) / static_cast<double>(m_total) : 100.0;
    m_context.progress().report(progress);
}

QJsonObject Executor::result() const
{
    return QJsonObject{
        {m_dryRun ? QStringLiteral("would_delete") : QStringLiteral("deleted"), m_deleted},
        {QStringLiteral("freed_bytes"), m_freed},
        {QStringLiteral("removed_dirs"), m_removedDirs},
        {QStringLiteral("refused"), toJson(m_refused)},
        {QStringLiteral("failed"), toJson(m_failed)},
        {QStringLiteral("dry_run"), m_dryRun},
    };
}

QString Executor::summary() const
{
    return QStringLiteral("Cleanup done%1: %2 files (%3 bytes), %4 empty folders, %5 refused, %6 failed")
        .arg(m_dryRun ? QStringLiteral(" (dry run, nothing deleted)") : QString())
        .arg(m_deleted.size())
        .arg(m_freed)
        .arg(m_removedDirs.size())
        .arg(m_refused.size())
        .arg(m_failed.size());
}

Outcome cancelled(JobContext &context)
{
    return Outcome::transient(
        QStringLiteral("cancelled"),
        QStringLiteral("Cleanup stopped (%1); the job log lists what was deleted so far")
            .arg(stopReasonName(context.token().reason())));
}

Outcome cannotOpen(const QString &root, int error)
{
    if (error == ENOENT || error == ENOTDIR)
        return missingDir(root);
    return Outcome::permanent(
        QStringLiteral("invalid_path"),
        QStringLiteral("Cannot open the download dir '%1': %2").arg(root, qt_error_string(error)));
}

Outcome clean(const QString &root, const Policy &policy, JobContext &context,
              const CleanupWorker::Hooks &hooks)
{
    // Opened once, from the canonical path with no symlink on the way; everything below works from
    // this handle, whatever the path comes to name later.
    DirHandle handle;
    DirHandle::Stat rootStat;
    if (const int error = DirHandle::open(root, handle); error != 0)
        return cannotOpen(root, error);
    if (const int error = handle.stat(rootStat); error != 0)
        return cannotOpen(root, error);
    const quint64 device = hooks.device.value_or(rootStat.device);
    context.log().log(
        Level::Info, QStringLiteral("cleanup_started"),
        QStringLiteral("Cleaning %1%2").arg(root, policy.dryRun ? QStringLiteral(" (dry run)") : QString()),
        {{QStringLiteral("root"), root}, {QStringLiteral("dry_run"), policy.dryRun}});
    Scanner scanner(handle, root, device, context);
    if (!scanner.scan())
        return cancelled(context);
    ScanResult &scan = scanner.result();
    const QList<Deletion> plan =
        Planner(scan, policy, QDateTime::currentDateTimeUtc().toMSecsSinceEpoch()).plan();
    Executor executor(handle, device, scan, context, policy.dryRun, hooks);
    if (!executor.run(plan))
        return cancelled(context);
    QJsonObject result = executor.result();
    result.insert(QStringLiteral("skipped"), toJson(scan.skipped));
    context.log().log(Level::Info, QStringLiteral("cleanup_done"), executor.summary());
    return Outcome::completed(result);
}
} // namespace

Outcome CleanupWorker::run(JobContext &context)
{
    const auto policy = readPolicy(context.job().options);
    if (const auto *failure = std::get_if<Outcome>(&policy))
        return *failure;
    const auto root = resolveRoot(context);
    if (const auto *failure = std::get_if<Outcome>(&root))
        return *failure;
    return clean(std::get<QString>(root), std::get<Policy>(policy), context, m_hooks);
}

QString CleanupWorker::unsafeRootReason(const QString &canonicalPath)
{
    const QString path = QDir::cleanPath(canonicalPath);
    if (path == QLatin1String("/"))
        return QStringLiteral("it is the root of the file system");
    const QString home = homeFolder();
    if (path == home)
        return QStringLiteral("it is the home folder");
    if (levelsBelow(path, QStringLiteral("/home")) == 1)
        return QStringLiteral("it is a user's home folder");
    for (const SystemFolder &system : kSystemFolders) {
        const QString folder = QString::fromLatin1(system.path);
        const int levels = levelsBelow(path, folder);
        if (levels == 0)
            return QStringLiteral("it is a system folder");
        if (levels > 0 && (system.depth < 0 || levels <= system.depth))
            return QStringLiteral("it is a system folder (in %1)").arg(folder);
    }
    if (isInside(home, path))
        return QStringLiteral("it holds the home folder '%1'").arg(home);
    return QString();
}
