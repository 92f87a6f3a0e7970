//! Typed settings, loaded and validated once at start-up.
//!
//! Layering: the compiled-in `config/default.toml` → `config/default.toml` on disk (if present) →
//! `config/{MEDNANNY_ENV}.toml` (on disk, else the compiled-in copy) → environment variables
//! `MEDNANNY__SECTION__KEY`. Secrets come from the environment only: a secret found in a file stops
//! start-up. Every problem is reported as one line naming the key and what is wrong with it.
//!
//! This is the only module that reads the process environment.

use std::fmt;
use std::path::{Path, PathBuf};

use config::{Config, Environment as EnvSource, File, FileFormat};
use serde::Deserialize;

use crate::http_server::HttpLimits;

mod llm;
mod reminders;
mod whatsapp;

pub use llm::{LlmConfig, LlmProvider, LlmSettings, TranscribeConfig};
pub use reminders::ReminderSettings;
pub use whatsapp::{
    BotSettings, BridgeSettings, InternalSettings, TemplateSettings, TwilioAccount, TwilioSettings,
};

const EMBEDDED_DEFAULT: &str = include_str!("../../config/default.toml");
const EMBEDDED_DEVELOPMENT: &str = include_str!("../../config/development.toml");
const EMBEDDED_TEST: &str = include_str!("../../config/test.toml");
const EMBEDDED_PRODUCTION: &str = include_str!("../../config/production.toml");

/// Keys that hold secrets: accepted from the environment only.
const SECRET_KEYS: &[&str] = &[
    "security.data_key",
    "security.retired_data_keys",
    "slack.app_token",
    "slack.bot_token",
    "twilio.auth_token",
    "internal.secret",
    "llm.api_key",
];

/// A configuration problem, naming the key (e.g. `database.url`) and what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {key}: {problem}")]
pub struct SettingsError {
    pub key: String,
    pub problem: String,
}

impl SettingsError {
    fn new(key: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            problem: problem.into(),
        }
    }
}

/// Which profile is running: decides the layered file and the security rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Development,
    Test,
    Production,
}

impl Profile {
    pub fn parse(value: &str) -> Result<Self, SettingsError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "" | "development" | "dev" => Ok(Self::Development),
            "test" => Ok(Self::Test),
            "production" | "prod" => Ok(Self::Production),
            other => Err(SettingsError::new(
                "MEDNANNY_ENV",
                format!("unknown profile {other:?}; use development, test or production"),
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Test => "test",
            Self::Production => "production",
        }
    }

    fn embedded(self) -> &'static str {
        match self {
            Self::Development => EMBEDDED_DEVELOPMENT,
            Self::Test => EMBEDDED_TEST,
            Self::Production => EMBEDDED_PRODUCTION,
        }
    }
}

/// A secret string: `Debug` and `Display` never print it.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The secret itself; call only where it is used, never to log.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `given` is this secret, compared in constant time (only the length, which is not
    /// the secret, may show).
    pub fn matches(&self, given: &str) -> bool {
        let (given, expected) = (given.as_bytes(), self.0.as_bytes());
        given.len() == expected.len()
            && given
                .iter()
                .zip(expected)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    /// Whether an `Authorization: Bearer …` header value carries this secret.
    pub fn matches_bearer(&self, header: Option<&str>) -> bool {
        header
            .and_then(|value| value.strip_prefix("Bearer "))
            .is_some_and(|given| self.matches(given))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    pub url: String,
    /// Pool size. Unset: see [`DatabaseSettings::pool_size`].
    #[serde(default)]
    pub max_connections: Option<u32>,
    pub busy_timeout_ms: u64,
    /// SQLite: the page cache of each connection, in KiB (`PRAGMA cache_size`).
    pub sqlite_cache_kib: u32,
    pub migrate_on_start: bool,
}

impl DatabaseSettings {
    /// The `database` settings alone, from the same layers as [`Settings::load`]: for tools that
    /// only touch the schema (`mednanny-migrate`), which need no data key, token or secret, so a
    /// problem elsewhere in the settings does not stop them.
    pub fn load() -> Result<Self, SettingsError> {
        let sources = process_sources()?;
        Self::load_from(sources.profile, &sources.config_dir, &sources.env)
    }

    /// [`DatabaseSettings::load`] from the given sources (see [`Settings::load_from`]).
    pub fn load_from(
        profile: Profile,
        config_dir: &Path,
        env: &[(String, String)],
    ) -> Result<Self, SettingsError> {
        // Through a struct holding `database` alone, so that an error names the whole key
        // (`database.busy_timeout_ms`), as it does for the whole settings.
        #[derive(Deserialize)]
        struct DatabaseOnly {
            database: DatabaseSettings,
        }
        let only: DatabaseOnly = layered(profile, config_dir, env)?
            .try_deserialize()
            .map_err(config_error)?;
        only.database.validate()?;
        Ok(only.database)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        let url = self.url.trim();
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(SettingsError::new(
                "database.url",
                "must start with sqlite: or postgres:// (e.g. sqlite://data/mednanny.db?mode=rwc)",
            ));
        }
        if self
            .max_connections
            .is_some_and(|n| !(1..=200).contains(&n))
        {
            return Err(SettingsError::new(
                "database.max_connections",
                "must be between 1 and 200",
            ));
        }
        if !(64..=1_048_576).contains(&self.sqlite_cache_kib) {
            return Err(SettingsError::new(
                "database.sqlite_cache_kib",
                "must be between 64 (KiB) and 1048576 (1 GiB)",
            ));
        }
        Ok(())
    }

    /// The pool size: `max_connections` when set, else 2 on SQLite and 8 on PostgreSQL. On SQLite
    /// it is the number of reader connections; there is always exactly one writer besides.
    ///
    /// Why few on SQLite: it has one writer anyway, and each reader drops its page cache whenever
    /// another connection has written, so more connections mean more page re-reads and memory.
    pub fn pool_size(&self) -> u32 {
        self.max_connections
            .unwrap_or(if self.url.trim().starts_with("sqlite:") {
                2
            } else {
                8
            })
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct SecuritySettings {
    /// Base64 of 32 bytes; the key new data is sealed with. Environment only.
    #[serde(default)]
    pub data_key: Option<Secret>,
    /// Comma-separated base64 keys that can still open older data (key rotation). Environment only.
    #[serde(default)]
    pub retired_data_keys: Option<Secret>,
    /// Development/test only: where a generated key is kept when `data_key` is unset. Empty = none.
    #[serde(default)]
    pub dev_key_file: String,
    pub invite_ttl_hours: u32,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogSettings {
    pub filter: String,
    pub format: LogFormat,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FamilyDefaults {
    pub default_timezone: String,
    pub default_country: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SlackSettings {
    /// The app-level token (xapp-…) that opens Socket Mode connections. Environment only.
    #[serde(default)]
    pub app_token: Option<Secret>,
    /// The bot token (xoxb-…) for the Web API. Environment only.
    #[serde(default)]
    pub bot_token: Option<Secret>,
    /// Web API base URL (`https://slack.com/api`); method names are appended after a `/`.
    pub api_url: String,
    pub connections: u32,
    pub workers: u32,
    /// The first wait before retrying a failing Socket Mode connection (milliseconds); doubles
    /// on each further failure up to `reconnect_max_ms`.
    pub reconnect_min_ms: u64,
    pub reconnect_max_ms: u64,
}

/// The two Slack tokens, checked: what `mednanny serve` needs before it connects.
#[derive(Debug, Clone)]
pub struct SlackTokens {
    pub app_token: Secret,
    pub bot_token: Secret,
}

impl SlackSettings {
    /// The tokens, or an error naming the one that is missing or malformed.
    pub fn tokens(&self) -> Result<SlackTokens, SettingsError> {
        let check = |value: &Option<Secret>, key: &str, prefix: &str| match value {
            None => Err(SettingsError::new(
                key,
                format!(
                    "is missing: set {} (it starts with {prefix})",
                    env_name(key)
                ),
            )),
            Some(secret) if !secret.expose().starts_with(prefix) => Err(SettingsError::new(
                key,
                format!("does not look like a Slack token: it should start with {prefix}"),
            )),
            Some(secret) => Ok(secret.clone()),
        };
        Ok(SlackTokens {
            app_token: check(&self.app_token, "slack.app_token", "xapp-")?,
            bot_token: check(&self.bot_token, "slack.bot_token", "xoxb-")?,
        })
    }
}

/// How the process uses the machine (see [`crate::runtime`]).
#[derive(Debug, Clone, Deserialize)]
pub struct RuntimeSettings {
    /// `auto`, `all`, or a number of CPUs; read through [`RuntimeSettings::cpus`].
    cpus: String,
}

/// How many CPUs the process runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CpuPolicy {
    /// MedNanny's choice: today every CPU, on SQLite and PostgreSQL alike (see [`crate::runtime`]).
    Auto,
    /// Every CPU the process was started with.
    All,
    /// This many CPUs (at least 1).
    Count(usize),
}

impl RuntimeSettings {
    pub fn new(cpus: CpuPolicy) -> Self {
        Self {
            cpus: match cpus {
                CpuPolicy::Auto => "auto".into(),
                CpuPolicy::All => "all".into(),
                CpuPolicy::Count(n) => n.to_string(),
            },
        }
    }

    /// The CPU policy, or an error naming `runtime.cpus`.
    pub fn cpus(&self) -> Result<CpuPolicy, SettingsError> {
        match self.cpus.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(CpuPolicy::Auto),
            "all" => Ok(CpuPolicy::All),
            number => match number.parse::<usize>() {
                Ok(n) if n >= 1 => Ok(CpuPolicy::Count(n)),
                _ => Err(SettingsError::new(
                    "runtime.cpus",
                    format!(
                        "{:?} is not auto, all or a number of CPUs (1 or more)",
                        self.cpus
                    ),
                )),
            },
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ApiSettings {
    /// Address of the health/readiness server, e.g. `127.0.0.1:8081`.
    pub listen: String,
    /// A request's head must arrive within this many milliseconds (also the idle keep-alive limit).
    pub header_timeout_ms: u64,
    /// A request's body must arrive whole within this many milliseconds of its head.
    pub body_timeout_ms: u64,
    /// Connections served at once; more wait to be accepted.
    pub max_connections: u32,
}

impl ApiSettings {
    /// The limits of `serve`'s HTTP server (checked when the settings were loaded).
    pub fn http_limits(&self) -> HttpLimits {
        http_limits(
            self.header_timeout_ms,
            self.body_timeout_ms,
            self.max_connections,
        )
    }
}

fn http_limits(header_timeout_ms: u64, body_timeout_ms: u64, max_connections: u32) -> HttpLimits {
    HttpLimits {
        header_timeout: std::time::Duration::from_millis(header_timeout_ms),
        body_timeout: std::time::Duration::from_millis(body_timeout_ms),
        max_connections,
    }
}

/// An HTTP server's limits (`api.` or `bridge.`), or an error naming the one out of range.
fn check_http_limits(
    section: &str,
    header_timeout_ms: u64,
    body_timeout_ms: u64,
    max_connections: u32,
) -> Result<(), SettingsError> {
    if !(100..=120_000).contains(&header_timeout_ms) {
        return Err(SettingsError::new(
            format!("{section}.header_timeout_ms"),
            "must be between 100 and 120000 milliseconds",
        ));
    }
    if !(100..=600_000).contains(&body_timeout_ms) {
        return Err(SettingsError::new(
            format!("{section}.body_timeout_ms"),
            "must be between 100 and 600000 milliseconds",
        ));
    }
    if !(1..=65_536).contains(&max_connections) {
        return Err(SettingsError::new(
            format!("{section}.max_connections"),
            "must be between 1 and 65536",
        ));
    }
    Ok(())
}

/// Everything MedNanny can be configured with.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    #[serde(skip, default = "default_profile")]
    pub profile: Profile,
    pub database: DatabaseSettings,
    pub security: SecuritySettings,
    pub log: LogSettings,
    pub family: FamilyDefaults,
    pub slack: SlackSettings,
    pub api: ApiSettings,
    pub runtime: RuntimeSettings,
    pub bridge: BridgeSettings,
    pub bot: BotSettings,
    pub twilio: TwilioSettings,
    #[serde(default)]
    pub internal: InternalSettings,
    pub llm: LlmSettings,
    pub reminders: ReminderSettings,
}

fn default_profile() -> Profile {
    Profile::Development
}

impl Settings {
    /// Loads settings from `config/` under the working directory and the process environment.
    pub fn load() -> Result<Self, SettingsError> {
        let sources = process_sources()?;
        Self::load_from(sources.profile, &sources.config_dir, &sources.env)
    }

    /// Loads settings for `profile` from `config_dir` and the given `MEDNANNY__…` variables
    /// (tests pass their own instead of touching the process environment).
    pub fn load_from(
        profile: Profile,
        config_dir: &Path,
        env: &[(String, String)],
    ) -> Result<Self, SettingsError> {
        let built = layered(profile, config_dir, env)?;
        let mut settings: Settings = built.try_deserialize().map_err(config_error)?;
        settings.profile = profile;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        self.database.validate()?;
        self.runtime.cpus()?;
        self.llm.validate()?;
        self.reminders.validate()?;
        if self.security.invite_ttl_hours == 0 || self.security.invite_ttl_hours > 24 * 30 {
            return Err(SettingsError::new(
                "security.invite_ttl_hours",
                "must be between 1 and 720 hours",
            ));
        }
        if self.profile == Profile::Production && self.security.data_key.is_none() {
            return Err(SettingsError::new(
                "security.data_key",
                "required in production: set MEDNANNY__SECURITY__DATA_KEY to the base64 of 32 random bytes",
            ));
        }
        if self.log.filter.trim().is_empty() {
            return Err(SettingsError::new(
                "log.filter",
                "must not be empty (try \"info\")",
            ));
        }
        if self
            .family
            .default_timezone
            .parse::<chrono_tz::Tz>()
            .is_err()
        {
            return Err(SettingsError::new(
                "family.default_timezone",
                format!(
                    "{:?} is not an IANA time zone (e.g. America/New_York)",
                    self.family.default_timezone
                ),
            ));
        }
        let api_url = self.slack.api_url.trim();
        let host = api_url
            .strip_prefix("https://")
            .or_else(|| api_url.strip_prefix("http://"))
            .unwrap_or("");
        if host.is_empty() || host.starts_with('/') || api_url.contains(char::is_whitespace) {
            return Err(SettingsError::new(
                "slack.api_url",
                format!("{api_url:?} must be an http(s) URL such as https://slack.com/api"),
            ));
        }
        if !(10..=60_000).contains(&self.slack.reconnect_min_ms) {
            return Err(SettingsError::new(
                "slack.reconnect_min_ms",
                "must be between 10 and 60000 milliseconds",
            ));
        }
        if !(self.slack.reconnect_min_ms..=3_600_000).contains(&self.slack.reconnect_max_ms) {
            return Err(SettingsError::new(
                "slack.reconnect_max_ms",
                "must be at least slack.reconnect_min_ms and at most 3600000 (an hour)",
            ));
        }
        if !(1..=10).contains(&self.slack.connections) {
            return Err(SettingsError::new(
                "slack.connections",
                "must be between 1 and 10 (Slack's limit per app)",
            ));
        }
        if !(1..=256).contains(&self.slack.workers) {
            return Err(SettingsError::new(
                "slack.workers",
                "must be between 1 and 256",
            ));
        }
        if self.api.listen.parse::<std::net::SocketAddr>().is_err() {
            return Err(SettingsError::new(
                "api.listen",
                format!(
                    "{:?} is not an address like 127.0.0.1:8081",
                    self.api.listen
                ),
            ));
        }
        check_http_limits(
            "api",
            self.api.header_timeout_ms,
            self.api.body_timeout_ms,
            self.api.max_connections,
        )?;
        whatsapp::validate(&self.bridge, &self.bot, &self.twilio)?;
        Ok(())
    }

    /// The generated-key file the development and test profiles may use, if any.
    pub fn dev_key_file(&self) -> Option<PathBuf> {
        let path = self.security.dev_key_file.trim();
        (self.profile != Profile::Production && !path.is_empty()).then(|| PathBuf::from(path))
    }
}

/// Whether `DATABASE_URL` is set. MedNanny never reads it (sea-orm's own tools do, and
/// `mednanny-migrate` did): the migration tool says so, rather than let someone believe it used it.
pub fn database_url_variable_is_set() -> bool {
    std::env::var_os("DATABASE_URL").is_some()
}

/// Where this process's settings come from: its profile, config folder and `MEDNANNY__…` variables.
struct Sources {
    profile: Profile,
    config_dir: PathBuf,
    env: Vec<(String, String)>,
}

fn process_sources() -> Result<Sources, SettingsError> {
    let profile = Profile::parse(&std::env::var("MEDNANNY_ENV").unwrap_or_default())?;
    let config_dir = std::env::var("MEDNANNY_CONFIG_DIR").unwrap_or_else(|_| "config".into());
    let env = std::env::vars()
        .filter(|(key, _)| key.starts_with("MEDNANNY__"))
        .collect();
    Ok(Sources {
        profile,
        config_dir: PathBuf::from(config_dir),
        env,
    })
}

/// The layers, merged: the compiled-in defaults, `default.toml` and the profile's file on disk
/// (else its compiled-in copy), then the environment. A secret found in a file is refused here.
fn layered(
    profile: Profile,
    config_dir: &Path,
    env: &[(String, String)],
) -> Result<Config, SettingsError> {
    let mut files = Config::builder()
        .add_source(File::from_str(EMBEDDED_DEFAULT, FileFormat::Toml))
        .add_source(File::from(config_dir.join("default.toml")).required(false));
    let profile_file = config_dir.join(format!("{}.toml", profile.name()));
    files = if profile_file.exists() {
        files.add_source(File::from(profile_file))
    } else {
        files.add_source(File::from_str(profile.embedded(), FileFormat::Toml))
    };
    let from_files = files.build_cloned().map_err(config_error)?;
    for key in SECRET_KEYS {
        if from_files.get_string(key).is_ok() {
            return Err(SettingsError::new(
                *key,
                format!(
                    "secrets are read from the environment only; remove it from the config files and set {}",
                    env_name(key)
                ),
            ));
        }
    }
    let env_map: std::collections::HashMap<String, String> = env.iter().cloned().collect();
    files
        .add_source(
            EnvSource::with_prefix("MEDNANNY")
                .prefix_separator("__")
                .separator("__")
                .source(Some(env_map)),
        )
        .build()
        .map_err(config_error)
}

fn env_name(key: &str) -> String {
    format!("MEDNANNY__{}", key.replace('.', "__").to_ascii_uppercase())
}

/// Turns the config crate's error into one line naming the key where it can.
fn config_error(error: config::ConfigError) -> SettingsError {
    match error {
        config::ConfigError::NotFound(key) => SettingsError::new(key, "is missing"),
        config::ConfigError::Type {
            key,
            unexpected,
            expected,
            ..
        } => SettingsError::new(
            key.unwrap_or_else(|| "(unknown key)".into()),
            format!("expected {expected}, found {unexpected}"),
        ),
        config::ConfigError::At { error, key, .. } => {
            let inner = config_error(*error);
            SettingsError::new(key.unwrap_or(inner.key), inner.problem)
        }
        other => {
            let text = other.to_string();
            // serde's "missing field `x`" names the key inside the message.
            if let Some(field) = text.split('`').nth(1) {
                SettingsError::new(field, text.clone())
            } else {
                SettingsError::new("(configuration)", text)
            }
        }
    }
}

#[cfg(test)]
mod tests;
