//! The PostgreSQL tests' one admin statement (`CREATE DATABASE`, `DROP DATABASE`), shared by the
//! test binaries that start the real programs on a database of their own.

/// Runs one SQL statement on the PostgreSQL server with `psql`-free means: a throwaway runtime and
/// sea-orm, from a plain thread (tests call this outside and inside their own runtime).
pub fn admin_sql(admin: &str, sql: &str) {
    let (admin, sql) = (admin.to_string(), sql.to_string());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            use sea_orm::ConnectionTrait;
            let db = sea_orm::Database::connect(&admin)
                .await
                .expect("admin connection");
            db.execute_unprepared(&sql).await.expect("admin statement");
            db.close().await.ok();
        });
    })
    .join()
    .expect("admin thread");
}
