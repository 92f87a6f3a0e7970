//! A family's first hour with the real `mednanny` and `mednanny-migrate` binaries: what they create
//! on disk, what they say at start, and what stops them.
//!
//! ```text
//! $ umask 022; mednanny serve             data/ is 0700, the database and its -wal/-shm 0600
//! Database: /home/ana/data/m.db (SQLite)   (stderr: stdout stays the session's)
//! $ MEDNANNY__SECURITY__DATA_KEY=<B> mednanny chat --demo      (the database was made with A)
//! mednanny: database …: this database was sealed with data key <A>, which this process does not
//! have (the configured data key is <B>): set MEDNANNY__SECURITY__DATA_KEY … or add it to
//! MEDNANNY__SECURITY__RETIRED_DATA_KEYS
//! $ mednanny-migrate fresh < /dev/null    refused: pass --yes (nothing is dropped)
//! $ MEDNANNY_ENV=production mednanny-migrate --help          the usage, no configuration needed
//! ```

#[path = "common/postgres.rs"]
mod postgres;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use mednanny_core::crypto::Keyring;

/// Two data keys (base64 of 32 bytes) and the bytes they decode to.
const KEY_A: &str = "CgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgo=";
const KEY_B: &str = "CwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsLCws=";

fn key_id(byte: u8) -> String {
    Keyring::new([byte; 32], &[]).current_key_id().to_string()
}

/// A working directory of its own, where the default layout (`data/…`) is created.
struct Place {
    dir: tempfile::TempDir,
}

impl Place {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `binary` in this directory, with a relative database URL under `data/` (as the default is)
    /// and the development key kept there too.
    fn command(&self, binary: &str, args: &[&str]) -> Command {
        let mut command = Command::new(binary);
        command
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("MEDNANNY_ENV")
            .env_remove("MEDNANNY__SECURITY__DATA_KEY")
            .env_remove("MEDNANNY__SECURITY__RETIRED_DATA_KEYS")
            .env_remove("DATABASE_URL")
            .env("MEDNANNY__DATABASE__URL", "sqlite://data/m.db?mode=rwc")
            .env("MEDNANNY__SECURITY__DEV_KEY_FILE", "data/dev.key")
            .env("MEDNANNY__LOG__FILTER", "warn");
        command
    }

    fn mednanny(&self, args: &[&str]) -> Command {
        self.command(env!("CARGO_BIN_EXE_mednanny"), args)
    }

    fn migrate_tool(&self, args: &[&str]) -> Command {
        self.command(env!("CARGO_BIN_EXE_mednanny-migrate"), args)
    }
}

/// Runs `command` with `input` on stdin (not a terminal).
fn run(mut command: Command, input: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `chat --demo` with `keys` (current first, then retired), sending "kids".
fn demo_chat(place: &Place, current: &str, retired: Option<&str>) -> Output {
    let mut command = place.mednanny(&["chat", "--demo"]);
    command.env("MEDNANNY__SECURITY__DATA_KEY", current);
    if let Some(retired) = retired {
        command.env("MEDNANNY__SECURITY__RETIRED_DATA_KEYS", retired);
    }
    run(command, "kids\n")
}

/// `mednanny serve` serving WhatsApp only (no Slack, no bridge needed to start), until it has
/// opened its inbox; its stderr goes to `log`.
fn start_serve(mut command: Command, log: &Path) -> Child {
    command
        .env(
            "MEDNANNY__INTERNAL__SECRET",
            "test-internal-secret-0123456789",
        )
        .env("MEDNANNY__API__LISTEN", "127.0.0.1:0")
        .env("MEDNANNY__BOT__BRIDGE_URL", "http://127.0.0.1:9")
        .env("MEDNANNY__REMINDERS__ENABLED", "false")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).expect("log file"));
    let mut child = command.spawn().expect("serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let (lines, read) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match read.recv_timeout(left) {
            Ok(line) if line.starts_with("mednanny serve: serving WhatsApp") => return child,
            Ok(_) => {}
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "serve never served WhatsApp: {}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
        }
    }
}

/// A file's permission bits, in octal as `ls` and `chmod` say them (`"600"`).
#[cfg(unix)]
fn mode(path: &Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode();
    format!("{:o}", mode & 0o777)
}

/// The record (names, birth dates, doses in clear) is never readable by other users of the
/// machine, even under a permissive umask: the folder MedNanny makes is 0700, every database file
/// 0600, and so are the -wal and -shm files SQLite makes beside them while serve runs.
#[cfg(unix)]
#[test]
fn the_database_files_and_their_folder_are_the_owners_alone_whatever_the_umask() {
    let place = Place::new();
    // `control` shows the umask really is 022 for the process: it is created 0644.
    let mut command = Command::new("sh");
    command.args([
        "-c",
        "umask 022; touch control; exec \"$0\" \"$@\"",
        env!("CARGO_BIN_EXE_mednanny"),
        "serve",
    ]);
    let template = place.mednanny(&[]);
    command.current_dir(place.dir.path());
    for (key, value) in template.get_envs() {
        match value {
            Some(value) => command.env(key, value),
            None => command.env_remove(key),
        };
    }
    let log = place.path("serve.log");
    let mut serve = start_serve(command, &log);
    let checked: Vec<(&str, String)> = [
        "data",
        "data/dev.key",
        "data/m.db",
        "data/m.db-wal",
        "data/m.db-shm",
        "data/m-inbox.db",
        "data/m-inbox.db-wal",
        "data/m-inbox.db-shm",
        "control",
    ]
    .into_iter()
    .map(|name| (name, mode(&place.path(name))))
    .collect();
    let _ = serve.kill();
    let _ = serve.wait();
    assert_eq!(
        checked,
        vec![
            ("data", "700".into()),
            ("data/dev.key", "600".into()),
            ("data/m.db", "600".into()),
            ("data/m.db-wal", "600".into()),
            ("data/m.db-shm", "600".into()),
            ("data/m-inbox.db", "600".into()),
            ("data/m-inbox.db-wal", "600".into()),
            ("data/m-inbox.db-shm", "600".into()),
            ("control", "644".into()),
        ]
    );
    let stderr = std::fs::read_to_string(&log).expect("log");
    let database = std::fs::canonicalize(place.path("data/m.db")).expect("the database");
    assert!(
        stderr.contains(&format!("Database: {} (SQLite)\n", database.display())),
        "serve says which database it opened:\n{stderr}"
    );
}

/// `chat` says which database it opened, with its absolute path, on stderr: the default URL is
/// relative to the working directory, and a scripted session's stdout has only the replies.
#[test]
fn chat_says_which_database_it_opened_and_keeps_stdout_for_the_replies() {
    let place = Place::new();
    let output = run(place.mednanny(&["chat", "--demo"]), "kids\n");
    assert!(output.status.success(), "{}", text(&output.stderr));
    let database = std::fs::canonicalize(place.path("data/m.db")).expect("the database");
    let stderr = text(&output.stderr);
    assert_eq!(
        stderr
            .lines()
            .filter(|line| line.starts_with("Database: "))
            .collect::<Vec<_>>(),
        vec![format!("Database: {} (SQLite)", database.display())],
        "{stderr}"
    );
    let stdout = text(&output.stdout);
    assert!(stdout.contains("Emma"), "{stdout}");
    assert!(!stdout.contains("Database"), "{stdout}");
}

/// A database made with key A: started with key B alone, every command stops with one line
/// naming both keys and what to set; with B and A retired it starts, and from then on it needs
/// both (values sealed with either are in it).
#[test]
fn a_database_sealed_with_another_key_stops_start_up_naming_both_keys() {
    let place = Place::new();
    let (a, b) = (key_id(0x0a), key_id(0x0b));
    let made = demo_chat(&place, KEY_A, None);
    assert!(made.status.success(), "{}", text(&made.stderr));

    let refused = |output: &Output, needed: &str, configured: &str| {
        assert!(
            !output.status.success(),
            "started: {}",
            text(&output.stdout)
        );
        assert!(
            !text(&output.stdout).contains("Emma"),
            "nothing is answered"
        );
        let stderr = text(&output.stderr);
        let line = stderr
            .lines()
            .find(|line| line.starts_with("mednanny: "))
            .unwrap_or_else(|| panic!("no error line:\n{stderr}"));
        for expected in [
            format!("sealed with data key {needed},"),
            format!("the configured data key is {configured}"),
            "MEDNANNY__SECURITY__DATA_KEY".to_string(),
            "MEDNANNY__SECURITY__RETIRED_DATA_KEYS".to_string(),
        ] {
            assert!(line.contains(&expected), "{expected:?} in {line}");
        }
    };
    refused(&demo_chat(&place, KEY_B, None), &a, &b);
    let mut list = place.mednanny(&["family", "list"]);
    list.env("MEDNANNY__SECURITY__DATA_KEY", KEY_B);
    refused(&run(list, ""), &a, &b);
    let mut serve = place.mednanny(&["serve"]);
    serve
        .env("MEDNANNY__SECURITY__DATA_KEY", KEY_B)
        .env(
            "MEDNANNY__INTERNAL__SECRET",
            "test-internal-secret-0123456789",
        )
        .env("MEDNANNY__API__LISTEN", "127.0.0.1:0");
    let served = run(serve, "");
    refused(&served, &a, &b);
    assert!(
        !text(&served.stdout).contains("health on"),
        "serve stops before it listens"
    );

    // Rotation: B current, A retired.
    let rotated = demo_chat(&place, KEY_B, Some(KEY_A));
    assert!(rotated.status.success(), "{}", text(&rotated.stderr));
    assert!(text(&rotated.stdout).contains("Emma"));
    refused(&demo_chat(&place, KEY_B, None), &a, &b);
    refused(&demo_chat(&place, KEY_A, None), &b, &a);

    // A database from before the check (no keys recorded): its sealed values name their keys.
    let conn = rusqlite::Connection::open(place.path("data/m.db")).expect("open");
    let removed = conn.execute("DELETE FROM data_keys", []).expect("delete");
    assert_eq!(removed, 2, "A and B were recorded");
    drop(conn);
    refused(&demo_chat(&place, KEY_B, None), &a, &b);
    let again = demo_chat(&place, KEY_B, Some(KEY_A));
    assert!(again.status.success(), "{}", text(&again.stderr));
}

/// Runs `command` with nothing on stdin and expects success: its stdout.
fn succeeds(command: Command) -> String {
    let output = run(command, "");
    assert!(output.status.success(), "{}", text(&output.stderr));
    text(&output.stdout)
}

/// The error line of a failed run (the last line of stderr), which must be the only one that says
/// what went wrong.
fn fails(command: Command) -> String {
    let output = run(command, "");
    assert!(
        !output.status.success(),
        "succeeded: {}",
        text(&output.stdout)
    );
    let stderr = text(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr.lines().last().unwrap_or_default().to_string()
}

/// `mednanny-migrate` on a database the family uses: with `database` as `mednanny` reads it
/// (`url`), the record made by `chat --demo` survives every unconfirmed destructive command, and
/// each confirmed one does what it says. The same steps on SQLite and PostgreSQL.
fn migrate_tool_steps(place: &Place, url: &str, location: &str) {
    let migrate = |args: &[&str]| {
        let mut command = place.migrate_tool(args);
        command.env("MEDNANNY__DATABASE__URL", url);
        command
    };
    let families = || {
        let mut command = place.mednanny(&["family", "list"]);
        command.env("MEDNANNY__DATABASE__URL", url);
        succeeds(command)
    };
    let status = succeeds(migrate(&["status"]));
    let total = status
        .lines()
        .filter(|l| l.starts_with("pending  "))
        .count();
    assert!(total >= 14, "{status}");
    // The newest migration, whichever it is: `down` rolls back exactly that one.
    let last = status
        .lines()
        .filter_map(|l| l.strip_prefix("pending  "))
        .next_back()
        .expect("a migration")
        .to_string();
    assert!(
        status.ends_with(&format!("0 of {total} applied.\n")),
        "{status}"
    );
    let up = succeeds(migrate(&[]));
    assert!(up.contains(&format!("applied  {last}")), "{up}");
    assert!(
        up.ends_with(&format!("{total} of {total} applied.\n")),
        "{up}"
    );
    let mut demo = place.mednanny(&["chat", "--demo"]);
    demo.env("MEDNANNY__DATABASE__URL", url);
    let chat = run(demo, "kids\n");
    assert!(chat.status.success());
    let said = text(&chat.stderr);
    assert!(said.contains(&format!("Database: {location}\n")), "{said}");
    assert!(families().contains("Garcia"));

    // Without a terminal and without --yes, nothing that drops data is done.
    for command in ["fresh", "refresh", "reset", "down"] {
        let refused = fails(migrate(&[command]));
        assert!(
            refused.starts_with(&format!("mednanny-migrate: `{command}` "))
                && refused.contains("pass --yes"),
            "{refused}"
        );
        assert!(families().contains("Garcia"), "{command} dropped data");
    }

    let down = succeeds(migrate(&["down", "--yes"]));
    assert!(down.contains(&format!("rolled back  {last}")), "{down}");
    let status = succeeds(migrate(&["status"]));
    assert!(status.contains(&format!("pending  {last}")), "{status}");
    succeeds(migrate(&["up"]));
    assert!(families().contains("Garcia"), "down 1 left the record");

    let fresh = succeeds(migrate(&["fresh", "--yes"]));
    assert!(fresh.contains("Dropped every table"), "{fresh}");
    assert_eq!(families(), "", "fresh leaves an empty database");
    succeeds(migrate(&["reset", "--yes"]));
    let status = succeeds(migrate(&["status"]));
    assert!(
        status.ends_with(&format!("0 of {total} applied.\n")),
        "{status}"
    );
}

#[test]
fn mednanny_migrate_works_on_sqlite_and_drops_nothing_unconfirmed() {
    let place = Place::new();
    std::fs::create_dir(place.path("data")).expect("data dir");
    let file = std::fs::canonicalize(place.path("data")).expect("data dir");
    migrate_tool_steps(
        &place,
        "sqlite://data/m.db?mode=rwc",
        &format!("{}/m.db (SQLite)", file.display()),
    );
}

#[test]
fn mednanny_migrate_works_on_postgres_and_drops_nothing_unconfirmed() {
    let Some(admin) = std::env::var("MEDNANNY_TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
    else {
        eprintln!("skipped: MEDNANNY_TEST_DATABASE_URL is not set");
        return;
    };
    let name = format!("mednanny_migrate_{}", std::process::id());
    postgres::admin_sql(&admin, &format!("CREATE DATABASE {name}"));
    let base = admin
        .rsplit_once('/')
        .map(|(base, _)| base.to_string())
        .expect("the admin URL names a database");
    let place = Place::new();
    // The database, its server and user; the password (if the URL has one) never.
    let server = base
        .rsplit_once('@')
        .map_or(base.as_str(), |(_, server)| server);
    let user = base
        .split_once("://")
        .and_then(|(_, rest)| rest.rsplit_once('@'))
        .map(|(credentials, _)| {
            credentials
                .split(':')
                .next()
                .unwrap_or_default()
                .to_string()
        });
    let location = match user {
        Some(user) if !user.is_empty() => format!("{name} on {server} as {user} (PostgreSQL)"),
        _ => format!("{name} on {server} (PostgreSQL)"),
    };
    let steps = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        migrate_tool_steps(&place, &format!("{base}/{name}"), &location)
    }));
    postgres::admin_sql(
        &admin,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    );
    if let Err(panic) = steps {
        std::panic::resume_unwind(panic);
    }
}

/// At a terminal, a destructive command waits for the database's name: anything else changes
/// nothing. (Run under `script`, which gives it a terminal; skipped where `script` is missing.)
#[cfg(unix)]
#[test]
fn at_a_terminal_mednanny_migrate_asks_for_the_database_name() {
    let place = Place::new();
    let at_terminal = |answer: &str| {
        let mut command = Command::new("script");
        command.args([
            "-qec",
            &format!("{} fresh", env!("CARGO_BIN_EXE_mednanny-migrate")),
            "/dev/null",
        ]);
        let template = place.migrate_tool(&[]);
        command.current_dir(place.dir.path());
        for (key, value) in template.get_envs() {
            match value {
                Some(value) => command.env(key, value),
                None => command.env_remove(key),
            };
        }
        run(command, &format!("{answer}\n"))
    };
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` to run it at a terminal");
        return;
    }
    succeeds(place.migrate_tool(&[]));
    assert!(run(place.mednanny(&["chat", "--demo"]), "kids\n")
        .status
        .success());
    let families = || succeeds(place.mednanny(&["family", "list"]));

    let wrong = at_terminal("mednanny.db");
    let said = text(&wrong.stdout);
    assert!(said.contains("Type m.db to confirm:"), "{said}");
    assert!(
        said.contains("not confirmed: nothing was changed"),
        "{said}"
    );
    assert!(!wrong.status.success());
    assert!(families().contains("Garcia"));

    let right = at_terminal("m.db");
    assert!(right.status.success(), "{}", text(&right.stdout));
    assert_eq!(families(), "");
}

/// `--help` and `--version` are answered before any setting is read: with a configuration that
/// stops start-up (production without a data key, a bad database URL) they work, and nothing is
/// created.
#[test]
fn help_and_version_need_no_configuration() {
    let place = Place::new();
    for (binary, name) in [
        (env!("CARGO_BIN_EXE_mednanny"), "mednanny"),
        (env!("CARGO_BIN_EXE_mednanny-migrate"), "mednanny-migrate"),
    ] {
        for (flag, expected) in [
            ("--help", format!("Usage: {name}")),
            ("--version", format!("{name} {}", env!("CARGO_PKG_VERSION"))),
        ] {
            let mut command = place.command(binary, &[flag]);
            command
                .env("MEDNANNY_ENV", "production")
                .env("MEDNANNY__DATABASE__URL", "mysql://nowhere");
            let stdout = succeeds(command);
            assert!(stdout.contains(&expected), "{name} {flag}: {stdout}");
        }
    }
    assert!(
        !place.path("data").exists(),
        "nothing is created for --help"
    );
}

/// `mednanny-migrate` reads MedNanny's settings, not `DATABASE_URL`: the config folder's
/// database, overridden by MEDNANNY__DATABASE__URL; a bad one stops it with one line naming the
/// setting, and production needs no data key for it.
#[test]
fn mednanny_migrate_reads_mednannys_settings() {
    let place = Place::new();
    std::fs::create_dir(place.path("config")).expect("config dir");
    std::fs::write(
        place.path("config/production.toml"),
        "[database]\nurl = \"sqlite://from-file.db?mode=rwc\"\n",
    )
    .expect("write");
    let mut command = place.migrate_tool(&["status"]);
    command
        .env_remove("MEDNANNY__DATABASE__URL")
        .env("MEDNANNY_ENV", "production")
        .env("DATABASE_URL", "sqlite://not-this-one.db?mode=rwc");
    let output = run(command, "");
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    let used = std::fs::canonicalize(place.path("from-file.db")).expect("from the file");
    assert!(
        stderr.contains(&format!("Database: {} (SQLite)", used.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains("DATABASE_URL is set but not read"),
        "{stderr}"
    );
    assert!(!place.path("not-this-one.db").exists());

    let mut command = place.migrate_tool(&["status"]);
    command.env("MEDNANNY__DATABASE__URL", "mysql://nowhere");
    let line = fails(command);
    assert!(
        line.starts_with(
            "mednanny-migrate: configuration error: database.url: must start with sqlite:"
        ),
        "{line}"
    );
}
