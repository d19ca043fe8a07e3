#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QtGlobal>

#include <utility>

// An open folder, for walking a tree and deleting in it without following a symlink: every step
// names an entry of a folder already open (openat, fstatat, unlinkat), never a path the kernel
// resolves again, so a folder swapped for a symlink meanwhile cannot redirect it. Calls return 0 or
// the errno they failed with.
class DirHandle final
{
public:
    // An entry as lstat sees it: never its target.
    struct Stat
    {
        enum class Type { File, Dir, Symlink, Other };
        Type type = Type::Other;
        quint64 device = 0;
        quint64 inode = 0;
        qint64 bytes = 0;
        qint64 mtimeMs = 0;

        bool sameEntry(const Stat &other) const { return device == other.device && inode == other.inode; }
    };

    DirHandle() = default;
    ~DirHandle() { close(); }
    DirHandle(DirHandle &&other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
    DirHandle &operator=(DirHandle &&other) noexcept;
    Q_DISABLE_COPY(DirHandle)

    // Opens an absolute path one name at a time from "/", refusing a symlink anywhere on it
    // (ELOOP), so the handle is the folder the path names with no link involved.
    static int open(const QString &absolutePath, DirHandle &out);
    // Opens the folder `name` in this one: a symlink fails with ELOOP, anything else with ENOTDIR.
    int openChild(const QByteArray &name, DirHandle &out) const;

    // Another handle to the same folder.
    int duplicate(DirHandle &out) const;

    int stat(Stat &out) const;
    int statChild(const QByteArray &name, Stat &out) const;
    // Every entry's name but "." and "..", in no particular order.
    int list(QList<QByteArray> &names) const;
    int removeFile(const QByteArray &name) const;
    // Only an empty folder goes (ENOTEMPTY otherwise).
    int removeDir(const QByteArray &name) const;

private:
    void close();

    int m_fd = -1;
};
