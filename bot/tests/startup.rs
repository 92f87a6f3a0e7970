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
