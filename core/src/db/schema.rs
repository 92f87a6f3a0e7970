//! Schema changes: applying migrations at start (`Database::migrate`) and what `mednanny-migrate`
//! does by hand, on SQLite and PostgreSQL alike.
//!
//! sea-orm-migration does most of it. Two things differ on SQLite, where a change runs inside
//! the one `BEGIN IMMEDIATE` transaction of `SqliteDb::migrating` (so it is whole or not at all):
//! `PRAGMA foreign_keys = OFF` does nothing inside a transaction, so dropping tables defers the
//! foreign key checks to the commit instead (by then every table is gone or empty); and
//! sea-orm-migration lists SQLite's tables through sqlx's SQLite driver, which MedNanny does not
//! build, so `fresh` lists and drops them here.

use migration::MigratorTrait;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement};

/// A change to the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaChange {
    /// Nothing: see which migrations are applied.
    Status,
    /// Apply pending migrations (at most this many).
    Up(Option<u32>),
    /// Roll back the last applied migrations, this many: what they added is dropped.
    Down(u32),
    /// Drop every table, then apply every migration.
    Fresh,
    /// Roll back every migration, then apply them again.
    Refresh,
    /// Roll back every migration.
    Reset,
}

impl SchemaChange {
    /// Whether it drops tables, columns or rows (and so needs a confirmation).
    pub fn destroys_data(self) -> bool {
        matches!(
            self,
            SchemaChange::Down(_)
                | SchemaChange::Fresh
                | SchemaChange::Refresh
                | SchemaChange::Reset
        )
    }
}

/// A migration and whether the database has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationState {
    pub name: String,
    pub applied: bool,
}

/// Runs `change` on `conn` (on SQLite, the migrating transaction's connection) and returns every
/// migration's state afterwards.
pub(super) async fn apply<M: MigratorTrait>(
    conn: &DatabaseConnection,
    change: SchemaChange,
) -> Result<Vec<MigrationState>, DbErr> {
    let sqlite = conn.get_database_backend() == DatabaseBackend::Sqlite;
    if sqlite && change.destroys_data() {
        conn.execute_unprepared("PRAGMA defer_foreign_keys = ON")
            .await?;
    }
    match change {
        SchemaChange::Status => {}
        SchemaChange::Up(steps) => M::up(conn, steps).await?,
        SchemaChange::Down(steps) => M::down(conn, Some(steps)).await?,
        SchemaChange::Fresh if sqlite => {
            drop_sqlite_tables(conn).await?;
            M::up(conn, None).await?;
        }
        SchemaChange::Fresh => M::fresh(conn).await?,
        SchemaChange::Refresh => M::refresh(conn).await?,
        SchemaChange::Reset => M::reset(conn).await?,
    }
    Ok(M::get_migration_with_status(conn)
        .await?
        .iter()
        .map(|migration| MigrationState {
            name: migration.name().to_string(),
            applied: migration.status() == migration::MigrationStatus::Applied,
        })
        .collect())
}

/// Drops every table of a SQLite database (SQLite's own excepted), the newest first: with foreign
/// keys on, dropping a table deletes its rows, and a row whose parent table is already gone cannot
/// be deleted ("no such table"). A table another one still points at (a foreign key added after
/// both were created) is dropped on a later pass.
async fn drop_sqlite_tables(conn: &DatabaseConnection) -> Result<(), DbErr> {
    let rows = conn
        .query_all_raw(Statement::from_string(
            DatabaseBackend::Sqlite,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY rowid DESC",
        ))
        .await?;
    let mut left = rows
        .iter()
        .map(|row| row.try_get::<String>("", "name"))
        .collect::<Result<Vec<_>, _>>()?;
    while !left.is_empty() {
        let mut failed = Vec::new();
        let mut last_error = None;
        for name in left.iter() {
            let quoted = name.replace('"', "\"\"");
            // A failed statement is undone alone; the transaction goes on.
            if let Err(error) = conn
                .execute_unprepared(&format!("DROP TABLE IF EXISTS \"{quoted}\""))
                .await
            {
                failed.push(name.clone());
                last_error = Some(error);
            }
        }
        if let Some(error) = last_error.filter(|_| failed.len() == left.len()) {
            return Err(error);
        }
        left = failed;
    }
    Ok(())
}
