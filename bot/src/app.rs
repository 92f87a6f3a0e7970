//! The composition root: settings are loaded once, then the database, keyring and services are built
//! from them. Every start-up failure names what to fix.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use mednanny_core::assistant::llm::LlmBrain;
use mednanny_core::assistant::voice::Transcriber;
use mednanny_core::clock::Clock;
use mednanny_core::crypto::Keyring;
use mednanny_core::data_keys;
use mednanny_core::db::Database;
use mednanny_core::engine::Engine;
use mednanny_core::services::Services;
use mednanny_core::settings::{LogFormat, Settings};
use tracing_subscriber::EnvFilter;

pub fn load_settings() -> Result<Settings> {
    Ok(Settings::load()?)
}

/// Logs go to stderr, so that stdout carries only what a command prints (chat replies, exports).
pub fn init_telemetry(settings: &Settings) {
    // async-openai logs response bodies when it cannot read them or the server fails: a
    // transcript, a model's answer. Health data never goes to logs, whatever the filter says, so
    // its own logs are off; ours say what failed, without the text.
    let filter = EnvFilter::try_new(&settings.log.filter)
        .unwrap_or_else(|_| EnvFilter::new("info"))
        .add_directive("async_openai=off".parse().expect("a valid directive"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match settings.log.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
}

/// Everything a command needs, built once.
pub struct App {
    pub services: Services,
    pub engine: Engine,
    /// Voice notes' transcription, when `llm.transcribe_url` is set.
    pub transcriber: Option<Transcriber>,
}

impl App {
    /// Builds everything on `clock`: the system clock, except for `mednanny chat --demo --now`.
    pub async fn start(settings: &Settings, clock: Arc<dyn Clock>) -> Result<Self> {
        let keys = Keyring::from_settings(settings)?;
        let db = open_database(settings).await?;
        if settings.database.migrate_on_start {
            db.migrate()
                .await
                .context("cannot apply database migrations")?;
        }
        // Before anything is read or sealed: a wrong data key stops here, naming the keys.
        data_keys::check(&db, &keys, clock.now())
            .await
            .with_context(|| format!("database {}", db.location()))?;
        let services = Services::new(db, keys, clock, settings.security.invite_ttl_hours);
        // A family created in chat is asked where it lives (engine/new_family.rs); the settings'
        // default country and time zone are the operator's `family create`'s alone.
        let engine = Engine::with_database_store(services.clone());
        let engine = match settings.llm.model_config()? {
            Some(llm) => {
                // The model's client: a connection that cannot even open in 5 s is not going to
                // answer within a turn. (The turn's own deadline bounds everything else.)
                let http = reqwest::Client::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .build()
                    .context("cannot build the HTTP client for llm.base_url")?;
                let budget = llm.daily_token_budget;
                tracing::info!(model = %llm.model, "assistant: a language model understands messages (the rules are its fallback)");
                engine.with_brain(Arc::new(LlmBrain::new(llm, http)), budget)
            }
            None => engine,
        };
        let transcriber = match settings.llm.transcribe_config()? {
            Some(config) => {
                let http = reqwest::Client::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .build()
                    .context("cannot build the HTTP client for llm.transcribe_url")?;
                Some(Transcriber::new(config, http))
            }
            None => None,
        };
        Ok(Self {
            services,
            engine,
            transcriber,
        })
    }

    /// `mednanny migrate`: the schema only, so no data key is read (or made) for it.
    pub async fn migrate(settings: &Settings) -> Result<()> {
        let db = open_database(settings).await?;
        say_where(&db);
        db.migrate()
            .await
            .context("cannot apply database migrations")?;
        println!("Database is up to date.");
        db.close().await.ok();
        Ok(())
    }

    pub async fn shutdown(self) {
        let db = self.services.db().clone();
        drop(self.engine);
        drop(self.services);
        if let Err(error) = db.close().await {
            tracing::warn!(%error, "closing the database");
        }
    }
}

async fn open_database(settings: &Settings) -> Result<Database> {
    Database::connect(&settings.database)
        .await
        .with_context(|| {
            format!(
                "cannot open the database (database.url = {})",
                redact_url(&settings.database.url)
            )
        })
}

/// Says which database was opened, on stderr (stdout is a scripted session's): the default SQLite
/// URL is relative to the working directory, so starting elsewhere opens another, empty one.
pub fn say_where(db: &Database) {
    eprintln!("Database: {}", db.location());
}

/// A database URL without its password, for error messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            super::redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(
            super::redact_url("sqlite://data/x.db"),
            "sqlite://data/x.db"
        );
    }
}
