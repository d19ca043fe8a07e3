#include "workers/dirhandle.h"

#include <QFile>

#include <cerrno>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {
constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

// A single name inside a folder: "." and ".." would leave it, "/" would be a path.
bool isPlainName(const QByteArray &name)
{
    return !name.isEmpty() && name != "." && name != ".." && !name.contains('/');
}

DirHandle::Stat toStat(const struct stat &st)
{
    DirHandle::Stat out;
    if (S_ISREG(st.st_mode))
        out.type = DirHandle::Stat::Type::File;
    else if (S_ISDIR(st.st_mode))
        out.type = DirHandle::Stat::Type::Dir;
    else if (S_ISLNK(st.st_mode))
        out.type = DirHandle::Stat::Type::Symlink;
    out.device = static_cast<quint64>(st.st_dev);
    out.inode = static_cast<quint64>(st.st_ino);
    out.bytes = static_cast<qint64>(st.st_size);
    out.mtimeMs = static_cast<qint64>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
    return out;
}
} // namespace

DirHandle &DirHandle::operator=(DirHandle &&other) noexcept
{
    if (this != &other) {
        close();
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

void DirHandle::close()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

int DirHandle::open(const QString &absolutePath, DirHandle &out)
{
    if (!absolutePath.startsWith(QLatin1Char('/')))
        return EINVAL;
    DirHandle current;
    current.m_fd = ::open("/", kDirFlags);
    if (current.m_fd < 0)
        return errno;
    for (const QByteArray &name : QFile::encodeName(absolutePath).split('/')) {
        if (name.isEmpty() || name == ".")
            continue;
        DirHandle next;
        if (const int error = current.openChild(name, next))
            return error;
        current = std::move(next);
    }
    out = std::move(current);
    return 0;
}

int DirHandle::openChild(const QByteArray &name, DirHandle &out) const
{
    if (!isPlainName(name))
        return EINVAL;
    const int fd = ::openat(m_fd, name.constData(), kDirFlags);
    if (fd < 0)
        return errno;
    out.close();
    out.m_fd = fd;
    return 0;
}

int DirHandle::duplicate(DirHandle &out) const
{
    const int fd = ::fcntl(m_fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        return errno;
    out.close();
    out.m_fd = fd;
    return 0;
}

int DirHandle::stat(Stat &out) const
{
    struct stat st
    {
    };
    if (::fstat(m_fd, &st) != 0)
        return errno;
    out = toStat(st);
    return 0;
}

int DirHandle::statChild(const QByteArray &name, Stat &out) const
{
    if (!isPlainName(name))
        return EINVAL;
    struct stat st
    {
    };
    if (::fstatat(m_fd, name.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno;
    out = toStat(st);
    return 0;
}

int DirHandle::list(QList<QByteArray> &names) const
{
    // A handle of its own: closedir() closes it, and its read position is not this one's.
    const int fd = ::openat(m_fd, ".", kDirFlags);
    if (fd < 0)
        return errno;
    DIR *dir = ::fdopendir(fd);
    if (!dir) {
        const int error = errno;
        ::close(fd);
        return error;
    }
    names.clear();
    int error = 0;
    for (;;) {
        errno = 0;
        const dirent *entry = ::readdir(dir);
        if (!entry) {
            error = errno;
            break;
        }
        const QByteArray name(entry->d_name);
        if (name != "." && name != "..")
            names << name;
    }
    ::closedir(dir);
    return error;
}

int DirHandle::removeFile(const QByteArray &name) const
{
    if (!isPlainName(name))
        return EINVAL;
    return ::unlinkat(m_fd, name.constData(), 0) == 0 ? 0 : errno;
}

int DirHandle::removeDir(const QByteArray &name) const
{
    if (!isPlainName(name))
        return EINVAL;
    return ::unlinkat(m_fd, name.constData(), AT_REMOVEDIR) == 0 ? 0 : errno;
}
