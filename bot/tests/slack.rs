//! `mednanny serve` against a local Slack-compatible server (test-support's `FakeSlack`), which speaks
//! the real protocols: `apps.connections.open`, a WebSocket with `hello`, envelopes and acks, and the
//! Web API. The bot is the real binary, on its own SQLite file (the DM, redelivery and SIGKILL tests
//! also on PostgreSQL when `MEDNANNY_TEST_DATABASE_URL` is set); the Garcia demo family is created
//! with `mednanny chat --demo`, and the Slack users join it with invite codes, as a family would:
//!
//! ```text
//! ana (DM)   > join ABCDE-FGHJK            -> Welcome to the Garcia family! You joined as guardian.
//! ana (DM)   > gave Emma 5 ml Tylenol      -> Logged: ... (App Home refreshed)
//! luis (DM)  > gave Emma 5 ml Tylenol      -> Wait — Ana Garcia gave Emma ... [Yes, it was given] [No]
//! luis clicks Yes                          -> buttons replaced by the choice; Logged (flagged ...)
//! ana (DM)   <                             -> ⚠ Alert: Luis Garcia confirmed an extra dose ...
//! ```

#[path = "common/postgres.rs"]
mod postgres;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use test_support::{
    app_home_opened, app_mention, button_click, file_share_im, home_button_click, message_im,
    slack_audio_clip, slash_command, view_submission, ApiCall, FakeSlack, APP_TOKEN, BOT_TOKEN,
    TEAM_ID,
};

/// What someone writes never looks like MedNanny (issue 29).
#[path = "slack/member_text.rs"]
mod member_text;

const WAIT: Duration = Duration::from_secs(20);
const ANA: &str = "U0ANA";
const LUIS: &str = "U0LUIS";
const NANNY: &str = "U0MAYA";

/// Where a test's family lives: a SQLite file, or its own PostgreSQL database (created here and
/// dropped when the test ends) when `MEDNANNY_TEST_DATABASE_URL` names a server.
enum Store {
    Sqlite,
    Postgres {
        admin: String,
        name: String,
        url: String,
    },
}

/// SQLite always; PostgreSQL too when the test run has a server.
fn stores() -> Vec<&'static str> {
    let mut out = vec!["sqlite"];
    if postgres_admin().is_some() {
        out.push("postgres");
    }
    out
}

fn postgres_admin() -> Option<String> {
    std::env::var("MEDNANNY_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// A family's files: the database (or its name) and the data key, shared by every run of the binary.
struct Family {
    dir: tempfile::TempDir,
    store: Store,
}

impl Family {
    /// The Garcia demo family, with no Slack members yet, on SQLite.
    fn garcia() -> Self {
        Self::garcia_on("sqlite")
    }

    /// The Garcia demo family on `"sqlite"` or `"postgres"`.
    fn garcia_on(backend: &str) -> Self {
        let store = match (backend, postgres_admin()) {
            ("postgres", Some(admin)) => {
                let n = EVENTS.fetch_add(1, Ordering::SeqCst);
                let name = format!("mednanny_slack_{}_{n}", std::process::id());
                postgres::admin_sql(&admin, &format!("CREATE DATABASE {name}"));
                let base = admin
                    .rsplit_once('/')
                    .map(|(base, _)| base.to_string())
                    .expect("the admin URL names a database");
                let url = format!("{base}/{name}");
                Store::Postgres { admin, name, url }
            }
            _ => Store::Sqlite,
        };
        let family = Self {
            dir: tempfile::tempdir().expect("temp dir"),
            store,
        };
        family.run(&["chat", "--demo"], "kids\n");
        family
    }

    fn database_url(&self) -> String {
        match &self.store {
            Store::Sqlite => format!("sqlite://{}?mode=rwc", self.path("m.db").display()),
            Store::Postgres { url, .. } => url.clone(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mednanny"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("MEDNANNY_ENV")
            .env("MEDNANNY__DATABASE__URL", self.database_url())
            .env("MEDNANNY__SECURITY__DEV_KEY_FILE", self.path("dev.key"))
            .env("MEDNANNY__LOG__FILTER", "info,sqlx=warn,sea_orm=warn");
        command
    }

    fn run(&self, args: &[&str], input: &str) -> String {
        use std::io::Write;
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("mednanny starts");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("stdin written");
        let output = child.wait_with_output().expect("mednanny finishes");
        assert!(
            output.status.success(),
            "mednanny {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8")
    }

    /// A one-time invite code for the Garcias.
    fn invite(&self, role: &str) -> String {
        let out = self.run(&["invite", "--family", "Garcia", "--role", role], "");
        invite_code(&out).unwrap_or_else(|| panic!("no code in {out:?}"))
    }

    /// Everything the family has, as the export JSON (notes decrypted).
    fn export(&self) -> String {
        self.run(&["export", "--family", "Garcia"], "")
    }

    /// Starts `mednanny serve` against the fake and waits until Slack is connected.
    async fn serve(&self, slack: &FakeSlack) -> Served {
        self.serve_with(slack, &[]).await
    }

    /// [`Family::serve`] with more (or overriding) `MEDNANNY__…` settings.
    async fn serve_with(&self, slack: &FakeSlack, settings: &[(&str, &str)]) -> Served {
        let connections: usize = settings
            .iter()
            .find(|(key, _)| *key == "MEDNANNY__SLACK__CONNECTIONS")
            .map_or(2, |(_, n)| n.parse().expect("a number of connections"));
        let mut command = self.command(&["serve"]);
        command
            .env("MEDNANNY__SLACK__APP_TOKEN", APP_TOKEN)
            .env("MEDNANNY__SLACK__BOT_TOKEN", BOT_TOKEN)
            .env("MEDNANNY__SLACK__API_URL", slack.api_url())
            .env("MEDNANNY__SLACK__CONNECTIONS", "2")
            .env("MEDNANNY__API__LISTEN", "127.0.0.1:0")
            .envs(settings.iter().copied());
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(self.path("serve.log"))
                    .expect("log file"),
            )
            .spawn()
            .expect("mednanny serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let (lines, from_bot) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let health = loop {
            let line = from_bot
                .recv_timeout(WAIT)
                .unwrap_or_else(|_| panic!("serve did not start: {}", self.log()));
            if let Some(url) = line.strip_prefix("mednanny serve: health on ") {
                break url.trim().to_string();
            }
        };
        let before = slack.connections_opened();
        let deadline = Instant::now() + WAIT;
        while slack.connections_opened() < before + connections {
            assert!(
                Instant::now() < deadline,
                "no Socket Mode connection: {}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Served { child, health }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.path("serve.log")).unwrap_or_default()
    }
}

impl Drop for Family {
    fn drop(&mut self) {
        // A failing test shows what the bot logged (its folder is deleted with it).
        if std::thread::panicking() {
            eprintln!("--- serve.log of the failed test ---\n{}", self.log());
        }
        if let Store::Postgres { admin, name, .. } = &self.store {
            postgres::admin_sql(
                admin,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
    }
}

fn invite_code(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .find(|w| w.len() == 11 && w.as_bytes()[5] == b'-')
        .map(str::to_string)
}

struct Served {
    child: Child,
    /// `http://127.0.0.1:PORT/healthz`
    health: String,
}

impl Served {
    fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        let _ = self.child.wait();
    }

    /// SIGTERM, then the exit status. Waits asynchronously: the fake Slack runs on this test's
    /// runtime and must keep answering the bot while it finishes.
    async fn terminate(mut self, family: &Family) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(status.success());
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "serve did not stop on SIGTERM: {}",
                family.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

static EVENTS: AtomicU64 = AtomicU64::new(1);

fn next_event() -> (String, String) {
    let n = EVENTS.fetch_add(1, Ordering::SeqCst);
    (format!("Ev{n:06}"), format!("1700000{n:03}.000100"))
}

fn dm_channel(user: &str) -> String {
    format!("D{user}")
}

/// A DM from `user`; returns the envelope id once it is acknowledged.
async fn dm(slack: &FakeSlack, user: &str, text: &str) -> String {
    let (event_id, ts) = next_event();
    let payload = message_im(TEAM_ID, user, &dm_channel(user), text, &event_id, &ts);
    let envelope = slack.send_envelope("events_api", payload, 0).await;
    assert!(
        slack.wait_for_ack(&envelope, WAIT).await.is_some(),
        "DM not acknowledged"
    );
    envelope
}

/// The text and blocks of a call, as one searchable string.
fn shown(call: &ApiCall) -> String {
    let mut all = call.param_str("text").unwrap_or_default().to_string();
    if let Some(blocks) = call.params.get("blocks") {
        all.push_str(&blocks.to_string());
    }
    all
}

/// Waits for a message posted (and accepted) in `channel` that contains `needle`.
async fn posted(slack: &FakeSlack, channel: &str, needle: &str) -> ApiCall {
    let channel = channel.to_string();
    let needle_owned = needle.to_string();
    slack
        .wait_for_call(WAIT, move |call| {
            call.method == "chat.postMessage"
                && call.error.is_none()
                && call.param_str("channel") == Some(channel.as_str())
                && shown(call).contains(&needle_owned)
        })
        .await
        .unwrap_or_else(|| panic!("nothing posted containing {needle:?}"))
}

/// Joins `user` to the Garcias from a DM, with a fresh invite for `role`.
async fn join(slack: &FakeSlack, family: &Family, user: &str, name: &str, role: &str) {
    slack.set_user(user, name, TEAM_ID);
    let code = family.invite(role);
    dm(slack, user, &format!("join {code}")).await;
    posted(slack, &dm_channel(user), "Welcome to the Garcia family").await;
}

/// The usual start: the local Slack, the Garcias on `backend`, `mednanny serve` connected, and Ana
/// joined from Slack as a guardian.
async fn garcia_with_ana(backend: &str) -> (FakeSlack, Family, Served) {
    let slack = FakeSlack::start().await;
    let family = Family::garcia_on(backend);
    let bot = family.serve(&slack).await;
    join(&slack, &family, ANA, "Ana Garcia", "guardian").await;
    (slack, family, bot)
}

/// A slash command; returns the ack's payload and the answer posted to the response URL.
async fn slash(slack: &FakeSlack, user: &str, text: &str) -> (Value, String) {
    let id = format!("r{}", EVENTS.fetch_add(1, Ordering::SeqCst));
    let url = slack.response_url(&id);
    let mut payload = slash_command(TEAM_ID, user, "C0FAMILY", text, &url);
    payload["trigger_id"] = format!("trigger-{id}").into();
    let envelope = slack.send_envelope("slash_commands", payload, 0).await;
    let ack = slack
        .wait_for_ack(&envelope, WAIT)
        .await
        .expect("slash command acknowledged");
    let answer = slack
        .wait_for_call(WAIT, |call| {
            call.method == "response_url" && call.param_str("response_url_id") == Some(id.as_str())
        })
        .await
        .unwrap_or_else(|| panic!("no answer to /mednanny {text}"));
    (ack.payload.unwrap_or_default(), shown(&answer))
}

/// How many of the calls were answered ok and show `needle`.
fn count(calls: &[ApiCall], needle: &str) -> usize {
    calls
        .iter()
        .filter(|c| c.error.is_none() && shown(c).contains(needle))
        .count()
}

#[tokio::test]
async fn every_slash_subcommand_is_answered_only_to_the_asker() {
    let (slack, _family, bot) = garcia_with_ana("sqlite").await;

    let (ack, answer) = slash(&slack, ANA, "help").await;
    assert_eq!(
        ack["response_type"], "ephemeral",
        "the ack is for the asker only"
    );
    assert!(ack["text"]
        .as_str()
        .unwrap_or_default()
        .contains("/mednanny help"));
    assert!(answer.contains("kids"), "{answer}");
    assert!(
        slash(&slack, ANA, "").await.1.contains("kids"),
        "empty means help"
    );

    let cases = [
        ("kids", "Emma"),
        ("meds Emma", "Children's Tylenol"),
        ("give Emma 5 ml Tylenol", "Logged"),
        ("last Emma", "5 ml"),
        ("when Emma ibuprofen", "Emma can have"),
        ("temp Emma 38.4", "Logged: Emma"),
        ("note Emma ate all her lunch", "Note saved for Emma"),
        ("shift in", "Clocked in"),
        ("shift out", "Clocked out"),
        ("allergies Leo", "eanut"),
    ];
    for (text, expected) in cases {
        let (_, answer) = slash(&slack, ANA, text).await;
        assert!(answer.contains(expected), "/mednanny {text}: {answer}");
    }

    // Response URLs are ephemeral by default; nothing went to the channel itself.
    assert!(
        slack
            .calls_to("chat.postMessage")
            .iter()
            .all(|c| c.param_str("channel") != Some("C0FAMILY")),
        "health data posted in a shared channel"
    );

    // invite → a new Slack user joins with the code.
    let (_, invite) = slash(&slack, ANA, "invite caregiver").await;
    let code = invite_code(&invite).expect("a code");
    slack.set_user("U0MAYA", "Maya Lopez", TEAM_ID);
    let (_, joined) = slash(&slack, "U0MAYA", &format!("join {code}")).await;
    assert!(joined.contains("You joined as caregiver"), "{joined}");
    let (_, again) = slash(&slack, "U0LUIS", &format!("join {code}")).await;
    assert!(!again.contains("joined"), "a code works once: {again}");

    // export → the JSON arrives in the guardian's DM, never in the channel.
    let (_, export) = slash(&slack, ANA, "export").await;
    assert!(export.contains("JSON"), "{export}");
    let document = posted(&slack, &dm_channel(ANA), "mednanny-garcia.json").await;
    assert!(shown(&document).contains("ate all her lunch"));
    let (_, denied) = slash(&slack, "U0MAYA", "export").await;
    assert!(
        !denied.contains("JSON"),
        "a caregiver cannot export: {denied}"
    );
    drop(bot);
}

#[tokio::test]
async fn a_new_slack_user_is_welcomed_and_can_start_a_family() {
    let slack = FakeSlack::start().await;
    let family = Family::garcia();
    let _bot = family.serve(&slack).await;
    slack.set_user("U0LOPEZ", "Rosa Lopez", TEAM_ID);

    dm(&slack, "U0LOPEZ", "hello?").await;
    // Escaped in every field, the top-level text too: Slack shows it as "join <code>".
    let welcome = posted(&slack, &dm_channel("U0LOPEZ"), "join &lt;code&gt;").await;
    assert!(
        shown(&welcome).contains("create family"),
        "{}",
        shown(&welcome)
    );

    dm(&slack, "U0LOPEZ", "create family Lopez").await;
    posted(&slack, &dm_channel("U0LOPEZ"), "The Lopez family is ready").await;
    let (_, invite) = slash(&slack, "U0LOPEZ", "invite caregiver").await;
    assert!(
        invite_code(&invite).is_some(),
        "a guardian of the new family invites: {invite}"
    );
    let (_, kids) = slash(&slack, "U0LOPEZ", "kids").await;
    assert!(
        !kids.contains("Emma"),
        "another family's children stay hidden: {kids}"
    );
    let families = family.run(&["family", "list"], "");
    assert!(families.contains("Lopez"), "{families}");
}

/// ```text
/// (a Slack user whose time zone is Europe/London)
/// create family Jones         -> The Jones family is ready … the United Kingdom (… Europe/London) … 999
/// my baby is not breathing    -> 🚨 Call 999 now.
/// ```
/// A family made in a Slack DM lives where its guardian's Slack says they are: a family in London
/// is never told to call 911.
#[tokio::test]
async fn a_family_created_in_london_on_slack_hears_999() {
    let slack = FakeSlack::start().await;
    let family = Family::garcia();
    let _bot = family.serve(&slack).await;
    let jo = "U0JONES";
    slack.set_user(jo, "Jo Jones", TEAM_ID);
    slack.set_user_tz(jo, "Europe/London", "Greenwich Mean Time", 0);

    dm(&slack, jo, "create family Jones").await;
    let created = posted(&slack, &dm_channel(jo), "The Jones family is ready").await;
    let text = shown(&created);
    assert!(
        text.contains("the United Kingdom")
            && text.contains("Europe/London")
            && text.contains("999"),
        "{text}"
    );
    dm(&slack, jo, "my baby is not breathing").await;
    let urgent = posted(&slack, &dm_channel(jo), "Call 999 now").await;
    assert!(!shown(&urgent).contains("911"), "{}", shown(&urgent));
    let families = family.run(&["family", "list"], "");
    let jones = families
        .lines()
        .find(|l| l.contains("Jones"))
        .unwrap_or_else(|| panic!("{families}"));
    assert!(
        jones.contains("Europe/London") && jones.contains("GB"),
        "{jones}"
    );
}

#[tokio::test]
async fn a_dm_conversation_with_a_confirmation_button_and_an_alert() {
    for backend in stores() {
        let (slack, family, _bot) = garcia_with_ana(backend).await;
        join(&slack, &family, LUIS, "Luis Garcia", "guardian").await;

        dm(&slack, ANA, "gave Emma 5 ml Tylenol").await;
        posted(&slack, &dm_channel(ANA), "Logged:").await;

        dm(&slack, LUIS, "gave Emma 5 ml Tylenol").await;
        let question = posted(&slack, &dm_channel(LUIS), "Ana Garcia").await;
        let blocks = question.params["blocks"].to_string();
        assert!(blocks.contains("\"value\":\"yes\""), "{blocks}");
        assert!(blocks.contains("\"value\":\"no\""), "{blocks}");
        let message_ts = "1700000500.000100";
        let response = slack.response_url("click-1");
        let mut click = button_click(
            TEAM_ID,
            LUIS,
            &dm_channel(LUIS),
            "mednanny-choice-0",
            "yes",
            &response,
            message_ts,
        );
        click["message"]["text"] = question.param_str("text").unwrap_or_default().into();
        click["actions"][0]["text"]["text"] = "Yes, it was given".into();
        let envelope = slack.send_envelope("interactive", click, 0).await;
        assert!(slack.wait_for_ack(&envelope, WAIT).await.is_some());

        let update = slack
            .wait_for_call(WAIT, |c| c.method == "chat.update")
            .await
            .expect("the question's buttons are replaced");
        assert_eq!(update.param_str("channel"), Some(dm_channel(LUIS).as_str()));
        assert_eq!(update.param_str("ts"), Some(message_ts));
        assert!(
            shown(&update).contains("Yes, it was given"),
            "the choice is shown"
        );
        assert!(!shown(&update).contains("\"actions\""), "no buttons left");
        posted(&slack, &dm_channel(LUIS), "flagged as an extra dose").await;
        let alert = posted(&slack, &dm_channel(ANA), "Alert").await;
        assert!(shown(&alert).contains("Luis Garcia"), "{}", shown(&alert));
        // Pushed once, then marked delivered (wait for that: the push and Ana's next turn are
        // independent), so Ana's next message does not repeat it.
        // (The demo's console guardians are alerted too and never read theirs: wait for one to be
        // delivered, Ana's.)
        let deadline = Instant::now() + WAIT;
        while {
            let export = family.export();
            export.matches("\"delivered_at\": null").count()
                == export.matches("\"delivered_at\"").count()
        } {
            assert!(
                Instant::now() < deadline,
                "the pushed alert is marked delivered"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        dm(&slack, ANA, "kids").await;
        posted(&slack, &dm_channel(ANA), "Leo").await;
        assert_eq!(count(&slack.calls_to("chat.postMessage"), "Alert"), 1);

        // The dose was logged once, flagged; the first one stands.
        let export = family.export();
        assert_eq!(export.matches("\"flagged\": true").count(), 1, "{export}");
    }
}

/// ```text
/// ana (DM)>  Maya Lopez looks after Leo          -> Maya Lopez now looks after Leo ...
/// nanny (DM)> add a medication for Leo ... yes   -> Saved ..., waiting for a guardian's approval
/// Ana's DM  <- 💊 Approval needed: Maya Lopez added ... [Approve] [Deny]
/// ana clicks Approve                             -> Approved Children's Zyrtec for Leo ...
/// Maya's DM <- ✓ Ana Garcia approved ...; her dose is then logged
/// ```
#[tokio::test]
async fn a_nannys_medicine_is_approved_from_the_guardians_dm_button() {
    for backend in stores() {
        let (slack, family, _bot) = garcia_with_ana(backend).await;
        join(&slack, &family, NANNY, "Maya Lopez", "caregiver").await;
        let nanny_dm = dm_channel(NANNY);

        // Ana gives the new nanny Leo to look after, from her DM.
        dm(&slack, ANA, "Maya Lopez looks after Leo").await;
        posted(&slack, &dm_channel(ANA), "Maya Lopez now looks after Leo").await;

        // Maya adds a medicine for Leo: it waits for a guardian.
        for answer in [
            "add a medication for Leo",
            "Children's Zyrtec",
            "cetirizine 5 mg/5 ml",
            "5 ml",
            "as needed",
            "24",
            "1",
            "none",
            "ongoing",
        ] {
            dm(&slack, NANNY, answer).await;
        }
        posted(&slack, &nanny_dm, "Save it?").await;
        dm(&slack, NANNY, "yes").await;
        posted(&slack, &nanny_dm, "waiting for a guardian's approval").await;
        dm(&slack, NANNY, "gave Leo 5 ml Zyrtec").await;
        posted(&slack, &nanny_dm, "Nothing was recorded").await;

        // Ana is asked in her DM at once, with Approve and Deny buttons.
        let asked = posted(&slack, &dm_channel(ANA), "Approval needed").await;
        let blocks = asked.params["blocks"].to_string();
        let approve = blocks
            .split('"')
            .find(|part| part.starts_with("approve #"))
            .unwrap_or_else(|| panic!("an Approve button: {blocks}"))
            .to_string();
        assert!(blocks.contains("deny #"), "{blocks}");

        let response = slack.response_url("click-approve");
        let mut click = button_click(
            TEAM_ID,
            ANA,
            &dm_channel(ANA),
            "mednanny-choice-0",
            &approve,
            &response,
            "1700000600.000100",
        );
        click["message"]["text"] = asked.param_str("text").unwrap_or_default().into();
        click["actions"][0]["text"]["text"] = "Approve".into();
        let envelope = slack.send_envelope("interactive", click, 0).await;
        assert!(slack.wait_for_ack(&envelope, WAIT).await.is_some());
        posted(
            &slack,
            &dm_channel(ANA),
            "Approved Children's Zyrtec for Leo",
        )
        .await;

        // Maya is told, and her dose is checked and logged.
        posted(&slack, &nanny_dm, "approved Children's Zyrtec for Leo").await;
        dm(&slack, NANNY, "gave Leo 5 ml Zyrtec").await;
        posted(&slack, &nanny_dm, "Logged:").await;
        // The demo's three medicines and Maya's, all approved now; none left waiting.
        let export = family.export();
        assert_eq!(
            export.matches("\"state\": \"approved\"").count(),
            4,
            "{export}"
        );
        assert!(!export.contains("\"state\": \"pending\""), "{export}");
    }
}

/// ```text
/// nanny (DM)> leo swallowed a button battery      -> 🚨 Call 911 now. ... Poison Help ...
/// Ana's DM  <- 🚨 Emergency: Maya Lopez reported a possible poisoning about Leo ...
/// ```
#[tokio::test]
async fn an_emergency_in_a_dm_is_answered_at_once_and_pushed_to_the_guardians() {
    let (slack, family, _bot) = garcia_with_ana("sqlite").await;
    join(&slack, &family, NANNY, "Maya Lopez", "caregiver").await;

    dm(&slack, NANNY, "leo swallowed a button battery").await;
    let answer = posted(&slack, &dm_channel(NANNY), "Call 911 now").await;
    let text = shown(&answer);
    assert!(text.contains("1-800-222-1222"), "{text}");
    let told = shown(&posted(&slack, &dm_channel(NANNY), "I've alerted").await);
    assert!(told.contains("Ana"), "{told}");
    let alert = posted(&slack, &dm_channel(ANA), "Emergency").await;
    let alert = shown(&alert);
    assert!(
        alert.contains("Maya Lopez reported a possible poisoning about Leo"),
        "{alert}"
    );
    // Nothing about the battery was recorded as a dose.
    assert!(!family.export().contains("battery"));
}

#[tokio::test]
async fn an_alert_that_cannot_be_pushed_waits_for_the_next_message() {
    let (slack, family, _bot) = garcia_with_ana("sqlite").await;
    join(&slack, &family, LUIS, "Luis Garcia", "guardian").await;

    dm(&slack, ANA, "gave Emma 5 ml Tylenol").await;
    posted(&slack, &dm_channel(ANA), "Logged:").await;
    dm(&slack, LUIS, "gave Emma 5 ml Tylenol").await;
    posted(&slack, &dm_channel(LUIS), "Ana Garcia").await;
    // Opening Ana's DM fails: the push cannot be sent.
    slack.fail_next("conversations.open", "internal_error", 5);
    dm(&slack, LUIS, "yes").await;
    posted(&slack, &dm_channel(LUIS), "flagged as an extra dose").await;
    slack
        .wait_for_call(WAIT, |c| {
            c.method == "conversations.open" && c.error.is_some()
        })
        .await
        .expect("the push was tried");

    dm(&slack, ANA, "kids").await;
    let next = posted(&slack, &dm_channel(ANA), "Alert").await;
    assert!(
        shown(&next).contains("Luis Garcia"),
        "shown with her next message"
    );
    dm(&slack, ANA, "kids").await;
    let kids = slack
        .wait_for_calls(WAIT, 2, |c| {
            c.method == "chat.postMessage"
                && c.error.is_none()
                && c.param_str("channel") == Some(dm_channel(ANA).as_str())
                && shown(c).contains("Leo")
        })
        .await;
    assert_eq!(kids.len(), 2);
    assert_eq!(
        count(&slack.calls_to("chat.postMessage"), "Alert"),
        1,
        "shown once, then delivered"
    );
}

#[tokio::test]
async fn the_undo_button_on_a_logged_dose_voids_it() {
    let (slack, family, _bot) = garcia_with_ana("sqlite").await;

    dm(&slack, ANA, "gave Emma 5 ml Tylenol").await;
    let logged = posted(&slack, &dm_channel(ANA), "Logged:").await;
    let blocks = logged.params["blocks"].to_string();
    assert!(blocks.contains("\"value\":\"undo\""), "{blocks}");

    let mut click = button_click(
        TEAM_ID,
        ANA,
        &dm_channel(ANA),
        "mednanny-choice-0",
        "undo",
        &slack.response_url("undo-1"),
        "1700000600.000100",
    );
    click["message"]["text"] = logged.param_str("text").unwrap_or_default().into();
    let envelope = slack.send_envelope("interactive", click, 0).await;
    assert!(slack.wait_for_ack(&envelope, WAIT).await.is_some());
    posted(&slack, &dm_channel(ANA), "is no longer counted").await;

    // Voided, not deleted: the export still has it, marked.
    let export = family.export();
    assert!(export.contains("\"voided\": true"), "{export}");
    // And Emma may have Tylenol again now.
    dm(&slack, ANA, "when can Emma have Tylenol?").await;
    posted(&slack, &dm_channel(ANA), "Emma can have").await;
}

#[tokio::test]
async fn app_home_shows_the_family_and_is_refreshed_after_a_dose() {
    let slack = FakeSlack::start().await;
    let family = Family::garcia();
    let _bot = family.serve(&slack).await;

    // Before joining: the welcome.
    let envelope = slack
        .send_envelope("events_api", app_home_opened(TEAM_ID, ANA, "EvHome0"), 0)
        .await;
    assert!(slack.wait_for_ack(&envelope, WAIT).await.is_some());
    let welcome = slack
        .wait_for_call(WAIT, |c| c.method == "views.publish")
        .await
        .expect("home published");
    assert!(
        welcome.params.to_string().contains("join"),
        "{}",
        welcome.params
    );

    join(&slack, &family, ANA, "Ana Garcia", "guardian").await;
    let envelope = slack
        .send_envelope("events_api", app_home_opened(TEAM_ID, ANA, "EvHome1"), 0)
        .await;
    assert!(slack.wait_for_ack(&envelope, WAIT).await.is_some());
    let home = slack
        .wait_for_call(WAIT, |c| {
            c.method == "views.publish" && c.params.to_string().contains("The Garcia family")
        })
        .await
        .expect("dashboard published");
    let text = home.params.to_string();
    assert!(text.contains("Emma") && text.contains("Leo"), "{text}");
    assert!(text.contains("Nobody is on shift"), "{text}");

    dm(&slack, ANA, "gave Emma 5 ml Tylenol").await;
    let refreshed = slack
        .wait_for_call(WAIT, |c| {
            c.method == "views.publish"
                && c.params
                    .to_string()
                    .contains("last 5 ml Children's Tylenol by Ana Garcia")
        })
        .await
        .expect("home refreshed after the dose");
    assert_eq!(refreshed.param_str("user_id"), Some(ANA));
}

#[tokio::test]
async fn a_mention_in_a_channel_answers_in_thread_and_keeps_health_data_private() {
    let (slack, _family, _bot) = garcia_with_ana("sqlite").await;

    let (event_id, ts) = next_event();
    let payload = app_mention(
        TEAM_ID,
        ANA,
        "C0FAMILY",
        "<@U0BOT> last doses for Emma",
        &event_id,
        &ts,
    );
    let envelope = slack.send_envelope("events_api", payload, 0).await;
    assert!(slack.wait_for_ack(&envelope, WAIT).await.is_some());
    let answer = slack
        .wait_for_call(WAIT, |c| c.method == "chat.postEphemeral")
        .await
        .expect("answered ephemerally");
    assert_eq!(answer.param_str("user"), Some(ANA));
    assert_eq!(answer.param_str("thread_ts"), Some(ts.as_str()));

    let (event_id, ts) = next_event();
    let payload = app_mention(TEAM_ID, ANA, "C0FAMILY", "<@U0BOT> help", &event_id, &ts);
    slack.send_envelope("events_api", payload, 0).await;
    let help = posted(&slack, "C0FAMILY", "kids").await;
    assert_eq!(
        help.param_str("thread_ts"),
        Some(ts.as_str()),
        "help goes in the thread"
    );
}

#[tokio::test]
async fn a_redelivered_event_is_handled_once_even_across_a_restart() {
    for backend in stores() {
        let (slack, family, bot) = garcia_with_ana(backend).await;

        let payload = message_im(
            TEAM_ID,
            ANA,
            &dm_channel(ANA),
            "note Emma said her first long sentence",
            "EvOnce",
            "1700009999.000100",
        );
        slack
            .send_envelope_with_id("env-once", "events_api", payload.clone(), 0)
            .await;
        assert!(slack.wait_for_ack("env-once", WAIT).await.is_some());
        posted(&slack, &dm_channel(ANA), "Note saved").await;
        // Slack retries with the same event id (here in a new envelope too).
        slack
            .send_envelope_with_id("env-once", "events_api", payload.clone(), 1)
            .await;
        slack
            .send_envelope_with_id("env-once-2", "events_api", payload.clone(), 2)
            .await;
        assert!(slack.wait_for_ack("env-once", WAIT).await.is_some());
        assert!(slack.wait_for_ack("env-once-2", WAIT).await.is_some());
        // A clean stop (the delivery is marked done before exit): this test is about redelivery
        // across a restart. A kill between posting a reply and marking it done may repeat the reply;
        // that case is the SIGKILL test's.
        assert!(bot.terminate(&family).await.success());

        let _bot = family.serve(&slack).await;
        slack
            .send_envelope_with_id("env-once-3", "events_api", payload, 3)
            .await;
        assert!(slack.wait_for_ack("env-once-3", WAIT).await.is_some());
        // Something after it, to know the redeliveries were processed (lanes keep order per person).
        dm(&slack, ANA, "kids").await;
        posted(&slack, &dm_channel(ANA), "Leo").await;

        assert_eq!(count(&slack.calls_to("chat.postMessage"), "Note saved"), 1);
        assert_eq!(family.export().matches("first long sentence").count(), 1);
    }
}

#[tokio::test]
async fn disconnects_and_dropped_sockets_lose_no_event() {
    let (slack, family, _bot) = garcia_with_ana("sqlite").await;

    slack
        .disconnect_all("refresh_requested", Duration::from_millis(200))
        .await;
    for n in 0..5 {
        dm(&slack, ANA, &format!("note Emma after refresh {n}")).await;
    }
    slack.drop_all().await;
    for n in 0..5 {
        dm(&slack, ANA, &format!("note Emma after drop {n}")).await;
    }
    let saved = slack
        .wait_for_calls(WAIT, 10, |c| {
            c.method == "chat.postMessage" && shown(c).contains("Note saved")
        })
        .await;
    assert_eq!(saved.len(), 10);
    assert!(slack.connections_opened() >= 4, "reconnected");
    let export = family.export();
    for n in 0..5 {
        assert_eq!(export.matches(&format!("after refresh {n}\"")).count(), 1);
        assert_eq!(export.matches(&format!("after drop {n}\"")).count(), 1);
    }
}

#[tokio::test]
async fn a_failing_reconnection_backs_off_and_loses_nothing() {
    let slack = FakeSlack::start().await;
    let family = Family::garcia();
    let _bot = family
        .serve_with(
            &slack,
            &[
                ("MEDNANNY__SLACK__CONNECTIONS", "1"),
                ("MEDNANNY__SLACK__RECONNECT_MIN_MS", "500"),
            ],
        )
        .await;
    join(&slack, &family, ANA, "Ana Garcia", "guardian").await;

    // The socket drops, and Slack refuses the next three attempts to open a new one.
    let attempts_before = slack.calls_to("apps.connections.open").len();
    slack.fail_next("apps.connections.open", "internal_error", 3);
    let dropped_at = Instant::now();
    slack.drop_all().await;
    // Sent during the outage: held by Slack until the bot is back (the fake waits up to 10 s).
    dm(&slack, ANA, "note Emma sent during the outage").await;
    posted(&slack, &dm_channel(ANA), "Note saved").await;

    let attempts: Vec<ApiCall> =
        slack.calls_to("apps.connections.open")[attempts_before..].to_vec();
    let refused = attempts.iter().filter(|a| a.error.is_some()).count();
    assert_eq!(
        (attempts.len(), refused),
        (4, 3),
        "three refused, then one that worked"
    );
    let mut gaps = Vec::new();
    let mut previous = dropped_at;
    for attempt in &attempts {
        gaps.push(attempt.at.duration_since(previous).as_secs_f64());
        previous = attempt.at;
    }
    // The first attempt after a working connection goes at once. Each retry comes after
    // slack-morphism's 1 s pause plus a wait of ours of at least half its nominal 0.5, 1, 2 s.
    // Without the backoff every retry gap would be 1.0 s. Only lower bounds are checked, as a
    // loaded machine can only make the gaps longer.
    assert!(gaps[0] < 1.0, "first attempt promptly: {gaps:?}");
    for (gap, at_least) in gaps[1..].iter().zip([1.25, 1.5, 2.0]) {
        assert!(*gap >= at_least, "the waits grow: {gaps:?}");
    }

    // Connected again: the run is over, so the next drop is retried at once.
    let attempts_before = slack.calls_to("apps.connections.open").len();
    let dropped_at = Instant::now();
    slack.drop_all().await;
    dm(&slack, ANA, "note Emma after the second drop").await;
    let next = slack.calls_to("apps.connections.open")[attempts_before..].to_vec();
    // Had the run not ended, this fifth attempt would wait 2–4 s.
    assert!(
        next[0].at.duration_since(dropped_at) < Duration::from_millis(1500),
        "reconnected at once after a working connection"
    );
    posted(&slack, &dm_channel(ANA), "Note saved").await;
    let export = family.export();
    assert_eq!(export.matches("sent during the outage").count(), 1);
    assert_eq!(export.matches("after the second drop").count(), 1);
}

#[tokio::test]
async fn a_user_from_another_workspace_is_refused_and_nothing_is_recorded() {
    let slack = FakeSlack::start().await;
    let family = Family::garcia();
    let _bot = family.serve(&slack).await;
    let code = family.invite("guardian");

    let (event_id, ts) = next_event();
    let payload = message_im(
        "T0OTHER",
        "U0STRANGER",
        "D0STRANGER",
        &format!("join {code}"),
        &event_id,
        &ts,
    );
    slack.send_envelope("events_api", payload, 0).await;
    posted(&slack, "D0STRANGER", "serves one family workspace").await;

    // The code was not used: someone from the family's workspace can still join with it.
    slack.set_user(ANA, "Ana Garcia", TEAM_ID);
    dm(&slack, ANA, &format!("join {code}")).await;
    posted(&slack, &dm_channel(ANA), "Welcome to the Garcia family").await;
    let members = family.run(&["member", "list", "--family", "Garcia"], "");
    assert!(!members.contains("U0STRANGER"), "{members}");
}

/// Ana's DM number `n` of a burst: a note with a fresh event id.
fn burst_note(n: usize) -> Value {
    let (event_id, ts) = next_event();
    let text = format!("note Emma burst {n} done");
    message_im(TEAM_ID, ANA, &dm_channel(ANA), &text, &event_id, &ts)
}

#[tokio::test]
async fn a_sigkill_in_a_burst_loses_nothing_and_records_nothing_twice() {
    for backend in stores() {
        let (slack, family, bot) = garcia_with_ana(backend).await;

        const BURST: usize = 60;
        // Slack answers slowly, so acknowledged DMs are still being answered when the kill comes.
        slack.set_api_latency(Duration::from_millis(20));
        let mut sent = Vec::new();
        for n in 0..BURST {
            let payload = burst_note(n);
            let envelope = slack.send_envelope("events_api", payload.clone(), 0).await;
            sent.push((envelope, payload));
            if n == BURST / 3 {
                // Mid-burst: wait for some acknowledgements, then kill -9.
                let deadline = Instant::now() + WAIT;
                while slack.acks().len() < 5 && Instant::now() < deadline {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                break;
            }
        }
        bot.kill();
        let acked: std::collections::HashSet<String> =
            slack.acks().into_iter().map(|a| a.envelope_id).collect();

        let _bot = family.serve(&slack).await;
        slack.set_api_latency(Duration::ZERO);
        // Slack redelivers what was not acknowledged; the rest of the burst follows.
        for (envelope, payload) in &sent {
            if !acked.contains(envelope) {
                slack
                    .send_envelope_with_id(envelope, "events_api", payload.clone(), 1)
                    .await;
            }
        }
        for n in sent.len()..BURST {
            slack.send_envelope("events_api", burst_note(n), 0).await;
        }
        let saved = slack
            .wait_for_calls(WAIT, BURST, |c| {
                c.method == "chat.postMessage" && shown(c).contains("Note saved")
            })
            .await;
        assert!(
            saved.len() >= BURST,
            "every DM answered: {} of {BURST}",
            saved.len()
        );
        // Wait for the last one's note to be in the export.
        let export = family.export();
        for n in 0..BURST {
            assert_eq!(
                export.matches(&format!("burst {n} done")).count(),
                1,
                "note {n} recorded exactly once"
            );
        }
        assert!(
            family.log().contains("resuming unfinished deliveries"),
            "the kill fell while acknowledged DMs were unanswered; the restart resumed them"
        );
        let repeats = saved.len() - BURST;
        assert!(
            repeats <= 2 * acked.len(),
            "repeats only across the kill: {repeats}"
        );
    }
}

#[tokio::test]
async fn sigterm_finishes_acknowledged_work_health_and_readiness() {
    let slack = FakeSlack::start().await;
    let family = Family::garcia();
    let bot = family.serve(&slack).await;
    let http = reqwest::Client::new();
    let health = http.get(&bot.health).send().await.expect("healthz");
    assert_eq!(health.status(), 200);
    let ready = bot.health.replace("/healthz", "/readyz");
    let deadline = Instant::now() + WAIT;
    loop {
        let status = http.get(&ready).send().await.expect("readyz").status();
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "never ready");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    join(&slack, &family, ANA, "Ana Garcia", "guardian").await;

    // Slow Slack down so that work is still in flight when SIGTERM arrives.
    slack.set_api_latency(Duration::from_millis(50));
    for n in 0..10 {
        dm(&slack, ANA, &format!("note Emma term {n} ok")).await;
    }
    let status = bot.terminate(&family).await;
    assert!(status.success(), "exit 0 on SIGTERM: {status:?}");
    assert_eq!(
        count(&slack.calls_to("chat.postMessage"), "Note saved"),
        10,
        "everything acknowledged was answered before exit"
    );
    let export = family.export();
    for n in 0..10 {
        assert_eq!(export.matches(&format!("term {n} ok")).count(), 1);
    }
}

#[tokio::test]
async fn sigterm_waits_for_a_reply_that_is_being_retried() {
    let slack = FakeSlack::start().await;
    let family = Family::garcia();
    let bot = family.serve(&slack).await;
    join(&slack, &family, ANA, "Ana Garcia", "guardian").await;

    // The reply fails once and is to be tried again after half a second; SIGTERM comes meanwhile.
    slack.fail_next("chat.postMessage", "internal_error", 1);
    dm(&slack, ANA, "note Emma retried ok").await;
    slack
        .wait_for_call(WAIT, |c| {
            c.method == "chat.postMessage" && c.error.is_some()
        })
        .await
        .expect("the first reply failed");
    let status = bot.terminate(&family).await;
    assert!(status.success(), "exit 0 on SIGTERM: {status:?}");
    assert_eq!(
        count(&slack.calls_to("chat.postMessage"), "Note saved"),
        1,
        "the retried reply was sent before exit"
    );

    // It was marked finished too: after a restart, Ana's next message is answered and the note's
    // reply is not sent again (it would come first: her deliveries are handled in order).
    let _bot = family.serve(&slack).await;
    dm(&slack, ANA, "kids").await;
    posted(&slack, &dm_channel(ANA), "Leo").await;
    assert_eq!(count(&slack.calls_to("chat.postMessage"), "Note saved"), 1);
    assert_eq!(family.export().matches("retried ok").count(), 1);
}

#[tokio::test]
async fn a_rate_limited_reply_is_sent_after_retry_after() {
    let (slack, _family, _bot) = garcia_with_ana("sqlite").await;

    slack.rate_limit("chat.postMessage", 1, 1);
    let sent = Instant::now();
    dm(&slack, ANA, "kids").await;
    posted(&slack, &dm_channel(ANA), "Leo").await;
    assert!(
        sent.elapsed() >= Duration::from_secs(1),
        "waited as Slack asked"
    );
    let limited = slack
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| c.error.as_deref() == Some("ratelimited"))
        .count();
    assert_eq!(limited, 1);
}

#[tokio::test]
async fn one_persons_failing_reply_holds_up_nobody_else() {
    let slack = FakeSlack::start().await;
    let family = Family::garcia();
    // One worker: a delivery that kept its worker while waiting to be retried would hold up
    // everyone.
    let _bot = family
        .serve_with(&slack, &[("MEDNANNY__SLACK__WORKERS", "1")])
        .await;
    join(&slack, &family, ANA, "Ana Garcia", "guardian").await;
    join(&slack, &family, LUIS, "Luis Garcia", "guardian").await;

    // Ana's reply fails once; it is tried again after a back-off of half a second.
    slack.fail_next("chat.postMessage", "internal_error", 1);
    dm(&slack, ANA, "kids").await;
    dm(&slack, LUIS, "kids").await;
    let luis = posted(&slack, &dm_channel(LUIS), "Leo").await;
    let ana = posted(&slack, &dm_channel(ANA), "Leo").await;
    assert!(
        luis.at < ana.at,
        "Luis was answered while Ana's reply waited for its retry"
    );
    let failed = slack
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| c.error.is_some() && c.param_str("channel") == Some(dm_channel(ANA).as_str()))
        .count();
    assert_eq!(failed, 1, "Ana's first reply was the one that failed");
    assert_eq!(
        count(&slack.calls_to("chat.postMessage"), "Leo"),
        2,
        "each answered once"
    );
}

#[tokio::test]
async fn start_up_without_tokens_names_the_setting() {
    let family = Family::garcia();
    let output = family
        .command(&["serve"])
        .env_remove("MEDNANNY__SLACK__APP_TOKEN")
        .env_remove("MEDNANNY__SLACK__BOT_TOKEN")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("MEDNANNY__SLACK__APP_TOKEN"), "{stderr}");
}

/// The view a `views.open` call opened, as JSON (the client sends it as a JSON string or object).
fn opened_view(call: &ApiCall) -> Value {
    match call.params.get("view") {
        Some(Value::String(text)) => serde_json::from_str(text).expect("the view is JSON"),
        Some(view) => view.clone(),
        None => panic!("views.open without a view: {}", call.params),
    }
}

/// Clicks an App Home button that opens a form; returns the modal Slack was asked to open.
async fn open_modal(slack: &FakeSlack, user: &str, value: &str) -> Value {
    let trigger = format!("trigger-{}", EVENTS.fetch_add(1, Ordering::SeqCst));
    let payload = home_button_click(TEAM_ID, user, "mednanny-choice-home0", value, &trigger);
    let envelope = slack.send_envelope("interactive", payload, 0).await;
    assert!(slack.wait_for_ack(&envelope, WAIT).await.is_some());
    let call = slack
        .wait_for_call(WAIT, |c| {
            c.method == "views.open" && c.param_str("trigger_id") == Some(trigger.as_str())
        })
        .await
        .unwrap_or_else(|| panic!("no modal opened for {value}"));
    assert!(call.error.is_none(), "{:?}", call.error);
    opened_view(&call)
}

/// Submits a modal with these fields (block id → text typed, or an option chosen); returns the
/// ack's payload (`response_action: errors`, or nothing when the modal closes).
async fn submit_modal(
    slack: &FakeSlack,
    user: &str,
    view: &Value,
    fields: &[(&str, &str)],
) -> Option<Value> {
    let metadata = view["private_metadata"].as_str().expect("metadata");
    let callback = view["callback_id"].as_str().expect("callback id");
    let values: Vec<(&str, &str, Value)> = fields
        .iter()
        .map(|(block, text)| {
            let select = view["blocks"]
                .as_array()
                .and_then(|blocks| blocks.iter().find(|b| b["block_id"] == *block))
                .is_some_and(|b| b["element"]["type"] == "static_select");
            let value = if select {
                serde_json::json!({
                    "type": "static_select",
                    "selected_option": {"text": {"type": "plain_text", "text": text}, "value": text}
                })
            } else {
                serde_json::json!({"type": "plain_text_input", "value": text})
            };
            (*block, "value", value)
        })
        .collect();
    let trigger = format!("trigger-{}", EVENTS.fetch_add(1, Ordering::SeqCst));
    let payload = view_submission(
        TEAM_ID, user, &trigger, "V0MODAL", callback, metadata, &values,
    );
    let envelope = slack.send_envelope("interactive", payload, 0).await;
    slack
        .wait_for_ack(&envelope, WAIT)
        .await
        .expect("submission acknowledged")
        .payload
}

#[tokio::test]
async fn a_new_workspace_user_reaches_a_logged_dose_on_app_home_using_only_slack() {
    let slack = FakeSlack::start().await;
    let family = Family::garcia();
    let _bot = family.serve(&slack).await;
    let rosa = "U0ROSA";
    slack.set_user(rosa, "Rosa Lopez", TEAM_ID);

    dm(&slack, rosa, "create family Lopez").await;
    posted(&slack, &dm_channel(rosa), "The Lopez family is ready").await;
    let envelope = slack
        .send_envelope(
            "events_api",
            app_home_opened(TEAM_ID, rosa, "EvLopezHome"),
            0,
        )
        .await;
    assert!(slack.wait_for_ack(&envelope, WAIT).await.is_some());
    let home = slack
        .wait_for_call(WAIT, |c| {
            c.method == "views.publish" && c.params.to_string().contains("The Lopez family")
        })
        .await
        .expect("home published");
    assert!(
        home.params.to_string().contains("open:child"),
        "{}",
        home.params
    );

    // "Add child": a field that does not read is shown on the field, and nothing is saved.
    let modal = open_modal(&slack, rosa, "open:child").await;
    assert_eq!(modal["title"]["text"], "Add a child");
    let refused = submit_modal(&slack, rosa, &modal, &[("q0", "Mia"), ("q1", "someday")])
        .await
        .expect("errors in the ack");
    assert_eq!(refused["response_action"], "errors", "{refused}");
    assert!(
        refused["errors"]["q1"]
            .as_str()
            .is_some_and(|e| e.contains("couldn't read that date")),
        "{refused}"
    );
    let closed = submit_modal(
        &slack,
        rosa,
        &modal,
        &[("q0", "Mia"), ("q1", "14 March 2022")],
    )
    .await;
    assert!(
        closed
            .as_ref()
            .is_none_or(|p| p.get("response_action").is_none()),
        "{closed:?}"
    );
    posted(&slack, &dm_channel(rosa), "Added Mia").await;

    // "Add medicine": the child chosen from the list; the label's limits fill the empty fields.
    let modal = open_modal(&slack, rosa, "open:medication").await;
    assert!(modal.to_string().contains("Mia"), "{modal}");
    let closed = submit_modal(
        &slack,
        rosa,
        &modal,
        &[
            ("q0", "Mia"),
            ("q1", "Children's Tylenol"),
            ("q2", "160 mg/5 ml"),
            ("q3", "5 ml"),
            ("q4", "as needed"),
        ],
    )
    .await;
    assert!(
        closed
            .as_ref()
            .is_none_or(|p| p.get("response_action").is_none()),
        "{closed:?}"
    );
    posted(
        &slack,
        &dm_channel(rosa),
        "Saved Children's Tylenol for Mia",
    )
    .await;

    // The dose, checked and logged, and on App Home.
    dm(&slack, rosa, "gave Mia 5 ml Tylenol").await;
    posted(&slack, &dm_channel(rosa), "Logged").await;
    slack
        .wait_for_call(WAIT, |c| {
            c.method == "views.publish"
                && c.param_str("user_id") == Some(rosa)
                && c.params
                    .to_string()
                    .contains("last 5 ml Children's Tylenol by Rosa Lopez")
        })
        .await
        .expect("App Home shows the dose");
    // App Home's Give opens the dose form with the usual dose; the normal safety check runs (the
    // dose just given makes this one a question), and a bad amount is marked on its field.
    let home = slack
        .wait_for_call(WAIT, |c| {
            c.method == "views.publish" && c.params.to_string().contains("give #")
        })
        .await
        .expect("a home with Give buttons");
    let text = home.params.to_string();
    let start = text.find("give #").expect("a Give value");
    let give: String = text[start..]
        .chars()
        .take_while(|c| *c != '"' && *c != '\\')
        .collect();
    let id = give.trim_start_matches("give #").to_string();
    let dose_form = open_modal(&slack, rosa, &give).await;
    assert_eq!(dose_form["title"]["text"], "Give a dose");
    assert!(
        dose_form.to_string().contains("\"initial_value\":\"5 ml\""),
        "{dose_form}"
    );
    let refused = submit_modal(&slack, rosa, &dose_form, &[("amount", "a splash")])
        .await
        .expect("errors in the ack");
    assert_eq!(refused["response_action"], "errors", "{refused}");
    assert!(refused["errors"]["amount"].is_string(), "{refused}");
    let asked = submit_modal(&slack, rosa, &dose_form, &[("amount", "5 ml")]).await;
    assert!(
        asked
            .as_ref()
            .is_none_or(|p| p.get("response_action").is_none()),
        "{asked:?}"
    );
    posted(&slack, &dm_channel(rosa), "really given").await;
    dm(&slack, rosa, "no").await;
    // Stop on App Home asks in the DM first.
    let payload = home_button_click(
        TEAM_ID,
        rosa,
        "mednanny-choice-med2",
        &format!("stop #{id}"),
        "trigger-home-stop",
    );
    let envelope = slack.send_envelope("interactive", payload, 0).await;
    assert!(slack.wait_for_ack(&envelope, WAIT).await.is_some());
    posted(&slack, &dm_channel(rosa), "Stop Mia's Children's Tylenol?").await;

    // `/mednanny add allergy` opens its modal too (the command's trigger), with Mia to choose.
    let payload = {
        let mut p = slash_command(
            TEAM_ID,
            rosa,
            "C0FAMILY",
            "add allergy",
            &slack.response_url("rA"),
        );
        p["trigger_id"] = "trigger-slash-allergy".into();
        p
    };
    let envelope = slack.send_envelope("slash_commands", payload, 0).await;
    assert!(slack.wait_for_ack(&envelope, WAIT).await.is_some());
    let allergy = slack
        .wait_for_call(WAIT, |c| {
            c.method == "views.open" && c.param_str("trigger_id") == Some("trigger-slash-allergy")
        })
        .await
        .expect("the allergy modal opened");
    let allergy = opened_view(&allergy);
    assert_eq!(allergy["title"]["text"], "Add an allergy");
    assert!(allergy.to_string().contains("Mia"), "{allergy}");
    // No operator command was run for the Lopez family: its record came from Slack alone.
    let export = family.run(&["family", "list"], "");
    assert!(export.contains("Lopez"), "{export}");
}

/// ```text
/// luis (DM)> join …  (his Slack is in Spanish)       -> ¡Te damos la bienvenida a la familia Garcia! …
/// ana (DM) > gave emma a teaspoon of tylenol         (the model: log_dose) -> Logged: Emma 5 ml …
/// luis (DM)> le di a emma una cucharadita de tylenol (the model: log_dose) -> ⚠ Espera … [Sí] [No]
/// luis clicks No                                     -> Listo: no se anotó nada.
/// ```
/// The assistant through Slack, a model answering from the local OpenAI-compatible server: the
/// same confirmation buttons, in the member's language, and the model never told a name.
#[tokio::test]
async fn the_assistant_in_slack_asks_before_a_second_dose_in_spanish() {
    use serde_json::json;
    use test_support::{FakeLlm, LlmScript};
    let llm = FakeLlm::start().await;
    let dose = LlmScript::tool(
        "log_dose",
        json!({"child": "Child A", "medication": "Tylenol", "amount": 5, "unit": "ml"}),
    );
    llm.script([dose.clone(), dose]);
    let slack = FakeSlack::start().await;
    let family = Family::garcia_on("sqlite");
    let base_url = llm.base_url();
    let _bot = family
        .serve_with(
            &slack,
            &[
                ("MEDNANNY__LLM__PROVIDER", "openai-compatible"),
                ("MEDNANNY__LLM__BASE_URL", base_url.as_str()),
                ("MEDNANNY__LLM__MODEL", "family-model"),
            ],
        )
        .await;
    join(&slack, &family, ANA, "Ana Garcia", "guardian").await;
    // Luis's Slack speaks Spanish: so does MedNanny, from his first message.
    slack.set_user(LUIS, "Luis Garcia", TEAM_ID);
    slack.set_user_locale(LUIS, "es-ES");
    let code = family.invite("guardian");
    dm(&slack, LUIS, &format!("join {code}")).await;
    posted(
        &slack,
        &dm_channel(LUIS),
        "Te damos la bienvenida a la familia Garcia",
    )
    .await;

    dm(&slack, ANA, "gave emma a teaspoon of tylenol").await;
    posted(
        &slack,
        &dm_channel(ANA),
        "Logged: Emma 5 ml Children's Tylenol",
    )
    .await;

    dm(&slack, LUIS, "le di a emma una cucharadita de tylenol").await;
    let question = posted(&slack, &dm_channel(LUIS), "Ana Garcia").await;
    assert!(shown(&question).contains("Espera"), "{}", shown(&question));
    let blocks = question.params["blocks"].to_string();
    assert!(blocks.contains("\"value\":\"no\""), "{blocks}");
    let response = slack.response_url("click-es");
    let mut click = button_click(
        TEAM_ID,
        LUIS,
        &dm_channel(LUIS),
        "mednanny-choice-1",
        "no",
        &response,
        "1700000600.000100",
    );
    click["message"]["text"] = question.param_str("text").unwrap_or_default().into();
    let envelope = slack.send_envelope("interactive", click, 0).await;
    assert!(slack.wait_for_ack(&envelope, WAIT).await.is_some());
    posted(&slack, &dm_channel(LUIS), "no se anotó nada").await;

    let export = family.export();
    assert_eq!(export.matches("\"flagged\": true").count(), 0, "{export}");
    let requests = llm.requests();
    assert_eq!(requests.len(), 2, "the button's answer is the rules'");
    for request in &requests {
        let told = request.body.to_string();
        for name in ["Emma", "Ana", "Luis", "Garcia"] {
            assert!(!told.contains(name), "{name} sent to the model: {told}");
        }
    }
    assert!(requests[1].text().contains("Reply in Spanish"));
}

/// ```text
/// /mednanny hours 2026-11   (Ana, a guardian) -> the totals, to her only; the payroll CSV as a
///                                               file in her DM (files.getUploadURLExternal, the
///                                               upload, files.completeUploadExternal)
/// ```
#[tokio::test]
async fn the_hours_csv_arrives_as_a_file_in_the_guardians_dm() {
    let (slack, family, bot) = garcia_with_ana("sqlite").await;
    // Maya's Monday 2 November, 8 to 5 in New York, and a night 22:00 to 02:00 on the 7th.
    let db = rusqlite::Connection::open(family.path("m.db")).expect("open the database");
    let (family_id, maya): (i64, i64) = db
        .query_row(
            "SELECT m.family_id, m.id FROM members m JOIN people p ON p.id = m.person_id \
             WHERE p.display_name = 'Maya'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("Maya's membership");
    for (start, end) in [
        ("2026-11-02T13:00:00+00:00", "2026-11-02T22:00:00+00:00"),
        ("2026-11-08T03:00:00+00:00", "2026-11-08T07:00:00+00:00"),
    ] {
        db.execute(
            "INSERT INTO shifts (family_id, member_id, clock_in_at, clock_out_at, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?3)",
            rusqlite::params![family_id, maya, start, end],
        )
        .expect("insert a shift");
    }
    drop(db);

    let (_, answer) = slash(&slack, ANA, "hours 2026-11").await;
    assert!(answer.contains("Hours in 2026-11:"), "{answer}");
    assert!(answer.contains("Maya: 13.00 h"), "{answer}");
    let deadline = Instant::now() + WAIT;
    let file = loop {
        if let Some(file) = slack.shared_files().into_iter().next() {
            break file;
        }
        assert!(
            Instant::now() < deadline,
            "no file shared: {:?}",
            slack.calls()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(file.filename, "hours-2026-11.csv");
    assert_eq!(file.channel.as_deref(), Some(dm_channel(ANA).as_str()));
    assert_eq!(
        file.text(),
        "nanny,row,from,to,hours,regular_hours,overtime_hours,hourly_rate,overtime_rate,pay,note\n\
         Maya,shift,2026-11-02 08:00,2026-11-02 17:00,9.00,9.00,0.00,22.50,33.75,202.50,\n\
         Maya,shift,2026-11-07 22:00,2026-11-08 02:00,4.00,4.00,0.00,22.50,33.75,90.00,\n\
         Maya,week,2026-11-02,2026-11-08,13.00,13.00,0.00,22.50,33.75,292.50,\n\
         Maya,month,2026-11-01,2026-11-30,13.00,13.00,0.00,22.50,33.75,292.50,\n"
    );
    // Slack's three steps, in order, and nothing in the shared channel.
    let steps: Vec<String> = slack
        .calls()
        .into_iter()
        .map(|c| c.method)
        .filter(|m| m.starts_with("files.") || m == "upload")
        .collect();
    assert_eq!(
        steps,
        [
            "files.getUploadURLExternal",
            "upload",
            "files.completeUploadExternal"
        ]
    );
    assert!(slack
        .calls_to("chat.postMessage")
        .iter()
        .all(|c| c.param_str("channel") != Some("C0FAMILY")));
    drop(bot);
}

/// ```text
/// nanny (DM)> I'm here
/// nanny (DM)> done for today, Emma napped well -> Clocked out ... handoff report to Ana Garcia
/// Ana's DM  <- 📋 Handoff from Maya Lopez ... “Emma napped well” (pushed at once, not in a channel)
/// ```
#[tokio::test]
async fn the_handoff_report_reaches_the_guardians_dm_when_the_nanny_clocks_out() {
    let (slack, family, bot) = garcia_with_ana("sqlite").await;
    join(&slack, &family, NANNY, "Maya Lopez", "caregiver").await;
    dm(&slack, NANNY, "I'm here").await;
    posted(&slack, &dm_channel(NANNY), "Clocked in at").await;
    dm(&slack, NANNY, "done for today, Emma napped well").await;
    let out = posted(&slack, &dm_channel(NANNY), "Clocked out at").await;
    assert!(
        shown(&out).contains("handoff report to Ana, Ana Garcia and Luis"),
        "{}",
        shown(&out)
    );
    let report = posted(&slack, &dm_channel(ANA), "Handoff from Maya Lopez").await;
    assert!(
        shown(&report).contains("Maya Lopez says: “Emma napped well”"),
        "{}",
        shown(&report)
    );
    assert!(slack
        .calls_to("chat.postMessage")
        .iter()
        .all(|c| c.param_str("channel") != Some("C0FAMILY")));
    drop(bot);
}

/// An audio clip recorded in `user`'s DM (a `file_share` event), its audio put up on the fake
/// Slack; returns the payload (to redeliver it).
async fn audio_clip(slack: &FakeSlack, user: &str) -> Value {
    let url = slack.host_file("audio/webm", b"\x1aE\xdf\xa3 fake webm clip".to_vec());
    let (event_id, ts) = next_event();
    let payload = file_share_im(
        TEAM_ID,
        user,
        &dm_channel(user),
        "",
        &event_id,
        &ts,
        &slack_audio_clip(&url, "audio/webm"),
    );
    let envelope = slack.send_envelope("events_api", payload.clone(), 0).await;
    assert!(
        slack.wait_for_ack(&envelope, WAIT).await.is_some(),
        "clip not acknowledged"
    );
    payload
}

/// The texts posted in `channel`, in order.
fn posted_texts(slack: &FakeSlack, channel: &str) -> Vec<String> {
    slack
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| c.error.is_none() && c.param_str("channel") == Some(channel))
        .map(shown)
        .collect()
}

/// ```text
/// ana (DM)> [audio clip: "gave Emma 5 ml Tylenol"]  -> I heard: “gave Emma 5 ml Tylenol” / Logged: …
/// ana (DM)> [audio clip: "Leo is not breathing"]    -> 🚨 Call 911 now … / I heard: “Leo is not breathing”
/// ```
#[tokio::test]
async fn an_audio_clip_is_heard_shown_back_and_handled_like_text_emergencies_first() {
    use test_support::FakeLlm;
    let llm = FakeLlm::start().await;
    llm.transcripts(["gave Emma 5 ml Tylenol", "Leo is not breathing"]);
    let slack = FakeSlack::start().await;
    let family = Family::garcia_on("sqlite");
    let transcribe_url = llm.base_url();
    let _bot = family
        .serve_with(
            &slack,
            &[("MEDNANNY__LLM__TRANSCRIBE_URL", transcribe_url.as_str())],
        )
        .await;
    join(&slack, &family, ANA, "Ana Garcia", "guardian").await;
    let ana_dm = dm_channel(ANA);

    let clip = audio_clip(&slack, ANA).await;
    posted(&slack, &ana_dm, "I heard: “gave Emma 5 ml Tylenol”").await;
    posted(&slack, &ana_dm, "Logged: Emma 5 ml Children's Tylenol").await;
    // Fetched from Slack's private URL with the bot token.
    let downloads = slack.calls_to("files.download");
    assert_eq!(downloads.len(), 1);
    assert_eq!(downloads[0].token.as_deref(), Some(BOT_TOKEN));
    assert!(downloads[0].error.is_none());

    // Slack redelivers the event: it is heard once.
    slack.send_envelope("events_api", clip, 1).await;
    dm(&slack, ANA, "kids").await;
    posted(&slack, &ana_dm, "Leo").await;
    assert_eq!(llm.transcriptions(), 1);
    assert_eq!(count(&slack.calls_to("chat.postMessage"), "I heard"), 1);

    // A red flag heard: the emergency answer first, then what was heard.
    audio_clip(&slack, ANA).await;
    posted(&slack, &ana_dm, "I heard: “Leo is not breathing”").await;
    let texts = posted_texts(&slack, &ana_dm);
    let emergency = texts
        .iter()
        .position(|t| t.contains("Call 911"))
        .unwrap_or_else(|| panic!("no emergency answer: {texts:?}"));
    let heard = texts
        .iter()
        .position(|t| t.contains("Leo is not breathing"))
        .expect("what was heard");
    assert!(emergency < heard, "{texts:?}");
    assert_eq!(llm.transcriptions(), 2);
    assert!(
        !family.log().contains("not breathing"),
        "what was heard is never logged"
    );
    // One dose logged, from the first clip; the redelivery logged nothing.
    assert_eq!(
        count(&slack.calls_to("chat.postMessage"), "Logged: Emma 5 ml"),
        1
    );
}

#[tokio::test]
async fn without_a_transcription_service_an_audio_clip_asks_for_text() {
    let (slack, family, _bot) = garcia_with_ana("sqlite").await;
    audio_clip(&slack, ANA).await;
    posted(&slack, &dm_channel(ANA), "can't listen to voice notes").await;
    // Nothing was fetched: there is nothing to hear it with.
    assert!(slack.calls_to("files.download").is_empty());
    drop(family);
}

/// A photo of a label shared in a Slack DM is read by a model that sees, and proposed.
#[tokio::test]
async fn a_label_photo_shared_in_a_dm_is_proposed_as_a_medicine() {
    use test_support::{slack_image, FakeLlm, LlmScript};
    let llm = FakeLlm::start().await;
    llm.script([LlmScript::label(
        "Children's Zyrtec",
        "cetirizine",
        "5 mg/5 ml",
        "oral solution",
    )]);
    let slack = FakeSlack::start().await;
    let family = Family::garcia_on("sqlite");
    let base_url = llm.base_url();
    let _bot = family
        .serve_with(
            &slack,
            &[
                ("MEDNANNY__LLM__PROVIDER", "openai-compatible"),
                ("MEDNANNY__LLM__BASE_URL", base_url.as_str()),
                ("MEDNANNY__LLM__MODEL", "family-vision-model"),
                ("MEDNANNY__LLM__VISION", "true"),
            ],
        )
        .await;
    join(&slack, &family, ANA, "Ana Garcia", "guardian").await;
    let photo = b"\x89PNG\r\n\x1a\n a photo of a Zyrtec box".to_vec();
    let url = slack.host_file("image/png", photo.clone());
    let (event_id, ts) = next_event();
    let payload = file_share_im(
        TEAM_ID,
        ANA,
        &dm_channel(ANA),
        "for Leo",
        &event_id,
        &ts,
        &slack_image(&url, "image/png"),
    );
    let envelope = slack.send_envelope("events_api", payload, 0).await;
    assert!(slack.wait_for_ack(&envelope, WAIT).await.is_some());
    posted(
        &slack,
        &dm_channel(ANA),
        "From the photo I read: Children's Zyrtec (cetirizine, 5 mg/5 ml, oral solution)",
    )
    .await;
    // The form goes on with the strength: the name came from the label, the child from Ana.
    posted(&slack, &dm_channel(ANA), "What is in it").await;
    let requests = llm.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].images(), vec![photo]);
    let told = requests[0].body.to_string();
    for name in ["Leo", "Emma", "Ana", "Garcia"] {
        assert!(!told.contains(name), "{name} sent to the model");
    }
    assert!(
        !family.export().contains("Zyrtec"),
        "nothing is saved before Ana confirms"
    );
}

/// ```text
/// ana (DM)> profile Maya                           -> Maya Lopez's profile: ... [Edit profile]
/// ana clicks Edit profile                          -> a form holding what is on file
/// ana saves "lots" as the rate                     -> the field says why; nothing is saved
/// ana saves rate 25 and CPR until 2027-03-01       -> the profile, changed in one write
/// maya> /mednanny edit profile Maya                -> only a guardian can; no form
/// ```
#[tokio::test]
async fn a_guardian_changes_the_nannys_profile_in_a_slack_form() {
    let (slack, family, _bot) = garcia_with_ana("sqlite").await;
    join(&slack, &family, NANNY, "Maya Lopez", "caregiver").await;
    let ana_dm = dm_channel(ANA);
    dm(&slack, ANA, "profile Maya rate 22.50").await;
    posted(&slack, &ana_dm, "Rate: 22.50 an hour").await;
    dm(&slack, ANA, "profile Maya").await;
    let reply = slack
        .wait_for_call(WAIT, |c| {
            c.method == "chat.postMessage" && c.params.to_string().contains("edit profile #")
        })
        .await
        .expect("the profile with an Edit profile button");
    let text = reply.params.to_string();
    let start = text.find("edit profile #").expect("the button's value");
    let value: String = text[start..]
        .chars()
        .take_while(|c| *c != '"' && *c != '\\')
        .collect();
    let form = open_modal(&slack, ANA, &value).await;
    assert_eq!(form["callback_id"], "mednanny_profile", "{form}");
    assert!(
        form.to_string().contains("\"initial_value\":\"22.50\""),
        "{form}"
    );
    let refused = submit_modal(&slack, ANA, &form, &[("rate", "lots")])
        .await
        .expect("errors in the ack");
    assert_eq!(refused["response_action"], "errors", "{refused}");
    assert!(refused["errors"]["rate"].is_string(), "{refused}");
    let saved = submit_modal(
        &slack,
        ANA,
        &form,
        &[
            ("rate", "25"),
            ("cert", "CPR"),
            ("cert_expires", "2027-03-01"),
        ],
    )
    .await;
    assert!(
        saved
            .as_ref()
            .is_none_or(|p| p.get("response_action").is_none()),
        "{saved:?}"
    );
    let changed = posted(&slack, &ana_dm, "Rate: 25.00 an hour").await;
    assert!(
        shown(&changed).contains("CPR: valid until 1 Mar 2027"),
        "{}",
        shown(&changed)
    );
    // The nanny sees her own profile; changing it is a guardian's.
    let forms_opened = slack.calls_to("views.open").len();
    let (_, answer) = slash(&slack, NANNY, "edit profile Maya").await;
    assert!(answer.contains("Only a guardian"), "{answer}");
    assert_eq!(slack.calls_to("views.open").len(), forms_opened);
}
