#pragma once

#include <QList>
#include <QStringList>

// Numbered schema migrations and the fresh schema they must add up to.
// A test proves that migrating a version-1 database gives the fresh schema exactly.
namespace Migrations {
enum class Engine { Sqlite, Postgresql };

struct Step
{
    int version;            // the schema version after this step
    QStringList statements; // run in one transaction
};

const QList<Step> &steps(Engine engine = Engine::Sqlite);
// The current schema, created in one go on an empty database.
const QStringList &freshSchema(Engine engine = Engine::Sqlite);
int currentVersion(Engine engine = Engine::Sqlite);
} // namespace Migrations
