use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn empty_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

#[test]
fn embedded_defaults_load_without_a_config_folder() {
    let dir = empty_dir();
    let settings =
        Settings::load_from(Profile::Development, dir.path(), &[]).expect("defaults load");
    assert_eq!(settings.database.url, "sqlite://data/mednanny.db?mode=rwc");
    // SQLite's pool is small by default (one writer); PostgreSQL's is not.
    assert_eq!(settings.database.pool_size(), 2);
    let postgres = DatabaseSettings {
        url: "postgres://db/mednanny".into(),
        ..settings.database.clone()
    };
    assert_eq!(postgres.pool_size(), 8);
    assert_eq!(settings.profile, Profile::Development);
    assert!(settings.dev_key_file().is_some());
    // Both HTTP servers cut slow clients by default.
    let limits = crate::http_server::HttpLimits {
        header_timeout: std::time::Duration::from_secs(5),
        body_timeout: std::time::Duration::from_secs(10),
        max_connections: 1024,
    };
    assert_eq!(settings.api.http_limits(), limits);
    assert_eq!(settings.bridge.http_limits(), limits);
}

#[test]
fn environment_overrides_files() {
    let dir = empty_dir();
    let settings = Settings::load_from(
        Profile::Development,
        dir.path(),
        &env(&[
            ("MEDNANNY__DATABASE__URL", "postgres://db/mednanny"),
            ("MEDNANNY__DATABASE__MAX_CONNECTIONS", "3"),
        ]),
    )
    .expect("loads");
    assert_eq!(settings.database.url, "postgres://db/mednanny");
    assert_eq!(settings.database.max_connections, Some(3));
    assert_eq!(settings.database.pool_size(), 3);
}

#[test]
fn a_bad_value_names_its_key() {
    let dir = empty_dir();
    let error = Settings::load_from(
        Profile::Development,
        dir.path(),
        &env(&[("MEDNANNY__DATABASE__URL", "mysql://nope")]),
    )
    .expect_err("refused");
    assert_eq!(error.key, "database.url");
    let error = Settings::load_from(
        Profile::Development,
        dir.path(),
        &env(&[("MEDNANNY__DATABASE__MAX_CONNECTIONS", "many")]),
    )
    .expect_err("refused");
    assert!(
        error.to_string().contains("database.max_connections"),
        "{error}"
    );
    let error = Settings::load_from(
        Profile::Development,
        dir.path(),
        &env(&[
            ("MEDNANNY__SLACK__RECONNECT_MIN_MS", "5000"),
            ("MEDNANNY__SLACK__RECONNECT_MAX_MS", "1000"),
        ]),
    )
    .expect_err("refused");
    assert_eq!(error.key, "slack.reconnect_max_ms");
    let error = Settings::load_from(
        Profile::Development,
        dir.path(),
        &env(&[("MEDNANNY__DATABASE__SQLITE_CACHE_KIB", "8")]),
    )
    .expect_err("refused");
    assert_eq!(error.key, "database.sqlite_cache_kib");
}

/// `mednanny-migrate` reads the database's settings from the same layers, and only those: a
/// production profile without a data key, or a bad Slack setting, does not stop it.
#[test]
fn the_database_settings_load_alone_from_the_same_layers() {
    let dir = empty_dir();
    std::fs::write(
        dir.path().join("production.toml"),
        "[database]\nurl = \"postgres://db/from_file\"\n",
    )
    .expect("write");
    let database = DatabaseSettings::load_from(
        Profile::Production,
        dir.path(),
        &env(&[
            ("MEDNANNY__DATABASE__MAX_CONNECTIONS", "3"),
            ("MEDNANNY__SLACK__CONNECTIONS", "99"),
        ]),
    )
    .expect("loads without a data key");
    assert_eq!(database.url, "postgres://db/from_file");
    assert_eq!(database.max_connections, Some(3));
    let database = DatabaseSettings::load_from(
        Profile::Production,
        dir.path(),
        &env(&[("MEDNANNY__DATABASE__URL", "sqlite://elsewhere.db")]),
    )
    .expect("loads");
    assert_eq!(
        database.url, "sqlite://elsewhere.db",
        "the environment wins"
    );

    let error = DatabaseSettings::load_from(
        Profile::Development,
        dir.path(),
        &env(&[("MEDNANNY__DATABASE__URL", "mysql://nope")]),
    )
    .expect_err("refused");
    assert_eq!(error.key, "database.url");
    let error = DatabaseSettings::load_from(
        Profile::Development,
        dir.path(),
        &env(&[("MEDNANNY__DATABASE__BUSY_TIMEOUT_MS", "soon")]),
    )
    .expect_err("refused");
    assert!(
        error.to_string().contains("database.busy_timeout_ms"),
        "{error}"
    );
}

#[test]
fn production_refuses_to_start_without_a_data_key() {
    let dir = empty_dir();
    let error = Settings::load_from(Profile::Production, dir.path(), &[]).expect_err("refused");
    assert_eq!(error.key, "security.data_key");
    let ok = Settings::load_from(
        Profile::Production,
        dir.path(),
        &env(&[(
            "MEDNANNY__SECURITY__DATA_KEY",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        )]),
    )
    .expect("loads with a key");
    assert!(ok.dev_key_file().is_none());
    assert!(
        !format!("{ok:?}").contains("AAAAAAAA"),
        "Debug must not print the key"
    );
}

#[test]
fn a_secret_matches_only_itself() {
    let secret = Secret::new("0123456789abcdef");
    assert!(secret.matches("0123456789abcdef"));
    for wrong in [
        "0123456789abcdeF",
        "0123456789abcde",
        "",
        "0123456789abcdef0",
    ] {
        assert!(!secret.matches(wrong), "{wrong:?}");
    }
    assert!(secret.matches_bearer(Some("Bearer 0123456789abcdef")));
    assert!(!secret.matches_bearer(Some("Basic 0123456789abcdef")));
    assert!(!secret.matches_bearer(Some("0123456789abcdef")));
    assert!(!secret.matches_bearer(None));
}

#[test]
fn whatsapp_settings_are_checked_and_name_what_is_wrong() {
    let dir = empty_dir();
    let account = |pairs: &[(&str, &str)]| {
        Settings::load_from(Profile::Development, dir.path(), &env(pairs))
            .and_then(|s| s.twilio.account())
    };
    let good = [
        ("MEDNANNY__TWILIO__AUTH_TOKEN", "old-token, new-token"),
        (
            "MEDNANNY__TWILIO__ACCOUNT_SID",
            "AC0123456789abcdef0123456789abcdef",
        ),
        (
            "MEDNANNY__TWILIO__PUBLIC_URL",
            "https://bridge.example.com/",
        ),
        ("MEDNANNY__TWILIO__WHATSAPP_FROM", "whatsapp:+14155238886"),
    ];
    let ok = account(&good).expect("a whole account");
    assert_eq!(
        ok.auth_tokens.len(),
        2,
        "a token being rotated is accepted too"
    );
    assert_eq!(ok.public_url, "https://bridge.example.com");
    assert_eq!(ok.whatsapp_from, "+14155238886");
    assert_eq!(ok.api_url, "https://api.twilio.com");
    for (key, value, named) in [
        ("MEDNANNY__TWILIO__AUTH_TOKEN", " , ", "twilio.auth_token"),
        (
            "MEDNANNY__TWILIO__ACCOUNT_SID",
            "SK123",
            "twilio.account_sid",
        ),
        (
            "MEDNANNY__TWILIO__PUBLIC_URL",
            "bridge.example.com",
            "twilio.public_url",
        ),
        (
            "MEDNANNY__TWILIO__WHATSAPP_FROM",
            "4155238886",
            "twilio.whatsapp_from",
        ),
    ] {
        let mut pairs: Vec<(&str, &str)> =
            good.iter().filter(|(k, _)| *k != key).copied().collect();
        pairs.push((key, value));
        let error = account(&pairs).expect_err(key);
        assert_eq!(error.key, named, "{error}");
    }
    for (key, value, named) in [
        ("MEDNANNY__BRIDGE__LISTEN", "8082", "bridge.listen"),
        (
            "MEDNANNY__BRIDGE__BOT_URL",
            "localhost:8081",
            "bridge.bot_url",
        ),
        (
            "MEDNANNY__TWILIO__API_URL",
            "api.twilio.com",
            "twilio.api_url",
        ),
        (
            "MEDNANNY__BRIDGE__MAX_BODY_BYTES",
            "10",
            "bridge.max_body_bytes",
        ),
        (
            "MEDNANNY__BRIDGE__HEADER_TIMEOUT_MS",
            "0",
            "bridge.header_timeout_ms",
        ),
        (
            "MEDNANNY__BRIDGE__BODY_TIMEOUT_MS",
            "3600000",
            "bridge.body_timeout_ms",
        ),
        (
            "MEDNANNY__BRIDGE__MAX_CONNECTIONS",
            "0",
            "bridge.max_connections",
        ),
        (
            "MEDNANNY__API__HEADER_TIMEOUT_MS",
            "10",
            "api.header_timeout_ms",
        ),
        (
            "MEDNANNY__API__MAX_CONNECTIONS",
            "100000",
            "api.max_connections",
        ),
    ] {
        let error = Settings::load_from(Profile::Development, dir.path(), &env(&[(key, value)]))
            .expect_err(key);
        assert_eq!(error.key, named, "{error}");
    }
    let short = Settings::load_from(
        Profile::Development,
        dir.path(),
        &env(&[("MEDNANNY__INTERNAL__SECRET", "short")]),
    )
    .expect("loads")
    .internal
    .secret()
    .expect_err("too short");
    assert_eq!(short.key, "internal.secret");
}

#[test]
fn a_secret_in_a_config_file_is_refused() {
    let dir = empty_dir();
    std::fs::write(
        dir.path().join("development.toml"),
        "[security]\ndata_key = \"abc\"\n",
    )
    .expect("write");
    let error = Settings::load_from(Profile::Development, dir.path(), &[]).expect_err("refused");
    assert_eq!(error.key, "security.data_key");
    assert!(error.problem.contains("MEDNANNY__SECURITY__DATA_KEY"));
}

#[test]
fn slack_tokens_are_checked_and_named() {
    let dir = empty_dir();
    let settings = Settings::load_from(Profile::Development, dir.path(), &[]).expect("loads");
    let error = settings.slack.tokens().expect_err("no tokens");
    assert_eq!(error.key, "slack.app_token");
    assert!(error.problem.contains("MEDNANNY__SLACK__APP_TOKEN"));
    let settings = Settings::load_from(
        Profile::Development,
        dir.path(),
        &env(&[
            ("MEDNANNY__SLACK__APP_TOKEN", "xapp-1"),
            ("MEDNANNY__SLACK__BOT_TOKEN", "xapp-wrong"),
        ]),
    )
    .expect("loads");
    assert_eq!(
        settings.slack.tokens().expect_err("bad").key,
        "slack.bot_token"
    );
    let error = Settings::load_from(
        Profile::Development,
        dir.path(),
        &env(&[("MEDNANNY__SLACK__API_URL", "slack.com/api")]),
    )
    .expect_err("refused");
    assert_eq!(error.key, "slack.api_url");
}

#[test]
fn cpu_placement_is_read_from_files_and_the_environment() {
    let dir = empty_dir();
    let load = |env_pairs: &[(&str, &str)]| {
        Settings::load_from(Profile::Development, dir.path(), &env(env_pairs))
    };
    let cpus = |settings: Settings| settings.runtime.cpus().expect("valid");
    assert_eq!(cpus(load(&[]).expect("loads")), CpuPolicy::Auto);
    assert_eq!(
        cpus(load(&[("MEDNANNY__RUNTIME__CPUS", "ALL")]).expect("loads")),
        CpuPolicy::All
    );
    assert_eq!(
        cpus(load(&[("MEDNANNY__RUNTIME__CPUS", "2")]).expect("loads")),
        CpuPolicy::Count(2)
    );
    for bad in ["0", "-1", "half", ""] {
        let error = load(&[("MEDNANNY__RUNTIME__CPUS", bad)]).expect_err("refused");
        assert_eq!(error.key, "runtime.cpus", "{bad:?}: {error}");
    }
    // A number written as a TOML integer in a file works too.
    std::fs::write(dir.path().join("development.toml"), "[runtime]\ncpus = 3\n").expect("write");
    assert_eq!(cpus(load(&[]).expect("loads")), CpuPolicy::Count(3));
}

#[test]
fn unknown_profile_is_refused() {
    assert!(Profile::parse("staging").is_err());
    assert_eq!(Profile::parse("").expect("default"), Profile::Development);
}
