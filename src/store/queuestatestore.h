#pragma once

#include <QtGlobal>

class Database;

// The queue's own state, kept across restarts: whether the user paused the whole queue.
class QueueStateStore final
{
public:
    explicit QueueStateStore(Database &db) : m_db(db) {}
    Q_DISABLE_COPY_MOVE(QueueStateStore)

    bool isHeld();
    bool setHeld(bool held); // false: the database refused

private:
    Database &m_db;
};
