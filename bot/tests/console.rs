//! Scripted console sessions against the real `mednanny` binary, each on its own SQLite file:
//!
//! ```text
//! ana> gave Emma 5 ml Tylenol          -> Logged ... Next dose allowed at ...
//! luis> gave Emma 5 ml Tylenol         -> Wait — Ana gave Emma 5 ml Children's Tylenol at ... yes/no
//! luis> yes                            -> Logged (flagged) ... I've alerted Ana.
//! ana> kids                            -> the alert first, then the children
//! ```
//! plus bad input refused with nothing written, the operator's onboarding path (family create →
//! invite → join → child add → med add → dose → export → audit verify → erase), and start-up errors
//! that name the setting.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// What someone writes never looks like MedNanny (issue 29).
#[path = "console/member_text.rs"]
mod member_text;

struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mednanny"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("MEDNANNY_ENV")
            .env(
                "MEDNANNY__DATABASE__URL",
                format!("sqlite://{}?mode=rwc", self.path("m.db").display()),
            )
            .env("MEDNANNY__SECURITY__DEV_KEY_FILE", self.path("dev.key"))
            .env("MEDNANNY__LOG__FILTER", "warn");
        command
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    /// Runs a command with `input` on stdin (not a terminal: one message per line).
    fn run(&self, args: &[&str], input: &str) -> Output {
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
            .expect("write stdin");
        child.wait_with_output().expect("mednanny finishes")
    }

    fn chat(&self, args: &[&str], lines: &[&str]) -> String {
        let mut all = vec!["chat"];
        all.extend_from_slice(args);
        let output = self.run(&all, &format!("{}\n", lines.join("\n")));
        assert!(
            output.status.success(),
            "chat failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8")
    }

    fn admin(&self, args: &[&str]) -> String {
        let output = self.run(args, "");
        assert!(
            output.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8")
    }
}

/// The reply to the n-th message of a transcript (the text between its "> " line and the next).
fn reply_to(transcript: &str, message: &str) -> String {
    let marker = format!("> {message}\n");
    let start = transcript
        .find(&marker)
        .unwrap_or_else(|| panic!("no {message:?} in:\n{transcript}"))
        + marker.len();
    let rest = &transcript[start..];
    let end = rest.find("\n> ").map(|i| i + 1).unwrap_or(rest.len());
    rest[..end].to_string()
}

#[test]
fn demo_session_logs_a_dose_and_guards_against_a_second() {
    let sandbox = Sandbox::new();
    let out = sandbox.chat(
        &["--demo"],
        &[
            "kids",
            "meds Emma",
            "gave Emma 5 ml Tylenol",
            "gave Emma 5 ml Tylenol",
            "no",
            "last doses for Emma",
            "when can Emma have ibuprofen?",
            "allergies Leo",
        ],
    );
    assert!(reply_to(&out, "kids").contains("Emma, 4 years"), "{out}");
    assert!(reply_to(&out, "kids").contains("Leo, 14 months"), "{out}");
    assert!(
        reply_to(&out, "meds Emma")
            .contains("Children's Tylenol (acetaminophen 160 mg/5 ml): 5 ml"),
        "{out}"
    );
    let first = out
        .find("Logged: Emma 5 ml Children's Tylenol")
        .expect("first dose logged");
    let warning = reply_to(&out[first..], "gave Emma 5 ml Tylenol");
    assert!(
        warning.contains("Ana gave Emma 5 ml Children's Tylenol"),
        "{warning}"
    );
    assert!(warning.contains("Reply yes or no"), "{warning}");
    assert!(reply_to(&out, "no").contains("nothing was logged"), "{out}");
    let last = reply_to(&out, "last doses for Emma");
    assert_eq!(
        last.matches("Children's Tylenol by Ana").count(),
        1,
        "exactly one dose recorded:\n{last}"
    );
    assert!(
        reply_to(&out, "when can Emma have ibuprofen?")
            .starts_with("✓ Yes — Emma can have 5 ml of Children's Motrin now"),
        "{out}"
    );
    assert!(
        reply_to(&out, "allergies Leo").contains("peanuts (severe)"),
        "{out}"
    );
}

#[test]
fn bad_input_is_refused_and_nothing_is_written() {
    let sandbox = Sandbox::new();
    let out = sandbox.chat(
        &["--demo"],
        &[
            "gave Emma 5 spoons Tylenol",
            "gave Emma -5 ml Tylenol",
            "gave Emma 10 litres Tylenol",
            "gave Emma 1 tablet Tylenol",
            "gave Emma 5 ml chocolate",
            "gave Bob 5 ml Tylenol",
            "gave Emma 5 ml Tylenol at 25:99",
            "Emma temp 380",
            "last doses for Emma",
        ],
    );
    assert!(
        reply_to(&out, "gave Emma 5 spoons Tylenol").contains("can't record a dose in \"spoons\""),
        "{out}"
    );
    assert!(
        reply_to(&out, "gave Emma -5 ml Tylenol").contains("Nothing was recorded"),
        "{out}"
    );
    assert!(
        reply_to(&out, "gave Emma 10 litres Tylenol").contains("not a plausible dose"),
        "{out}"
    );
    assert!(
        reply_to(&out, "gave Emma 1 tablet Tylenol").contains("measured in ml, not tablets"),
        "{out}"
    );
    assert!(
        reply_to(&out, "gave Emma 5 ml chocolate").contains("Emma has no chocolate on file"),
        "{out}"
    );
    assert!(
        reply_to(&out, "gave Bob 5 ml Tylenol").contains("Which child?"),
        "{out}"
    );
    assert!(
        reply_to(&out, "gave Emma 5 ml Tylenol at 25:99").contains("not a time of day"),
        "{out}"
    );
    assert!(
        reply_to(&out, "Emma temp 380").contains("outside what a thermometer reads"),
        "{out}"
    );
    assert!(
        reply_to(&out, "last doses for Emma").contains("No doses recorded for Emma"),
        "{out}"
    );
}

#[test]
fn a_second_caregiver_is_told_who_gave_the_dose_and_an_extra_dose_alerts_the_guardians() {
    let sandbox = Sandbox::new();
    sandbox.chat(&["--demo"], &["gave Emma 5 ml Tylenol"]);
    let luis = sandbox.chat(
        &["--demo", "--as", "Luis"],
        &["gave Emma 5 ml Tylenol", "yes"],
    );
    assert!(
        reply_to(&luis, "gave Emma 5 ml Tylenol").contains("Ana gave Emma 5 ml Children's Tylenol"),
        "{luis}"
    );
    let yes = reply_to(&luis, "yes");
    assert!(yes.contains("Logged (flagged as an extra dose)"), "{yes}");
    assert!(yes.contains("I've alerted Ana"), "{yes}");
    // Ana sees the alert at her next message, once.
    let ana = sandbox.chat(&["--demo"], &["kids", "kids"]);
    let first = reply_to(&ana, "kids");
    assert!(
        first.contains("Alert: Luis confirmed an extra dose"),
        "{ana}"
    );
    assert_eq!(ana.matches("Alert:").count(), 1, "{ana}");
    // Maya, the nanny, sees both doses by name.
    let maya = sandbox.chat(&["--demo", "--as", "Maya"], &["last doses for Emma"]);
    assert!(
        maya.contains("by Ana") && maya.contains("by Luis ⚠ extra dose"),
        "{maya}"
    );
}

#[test]
fn undo_voids_the_last_dose() {
    let sandbox = Sandbox::new();
    let out = sandbox.chat(
        &["--demo"],
        &[
            "gave Emma 5 ml Motrin",
            "undo",
            "when can Emma have motrin?",
        ],
    );
    assert!(
        reply_to(&out, "undo").contains("Undone: Emma 5 ml Children's Motrin"),
        "{out}"
    );
    assert!(
        reply_to(&out, "when can Emma have motrin?").contains("Yes — Emma can have"),
        "{out}"
    );
}

#[test]
fn an_operator_onboards_a_family_end_to_end() {
    let sandbox = Sandbox::new();
    let created = sandbox.admin(&[
        "family",
        "create",
        "--name",
        "Okafor",
        "--timezone",
        "Europe/London",
        "--country",
        "GB",
    ]);
    assert!(created.contains("Created the Okafor family"), "{created}");
    let invite = sandbox.admin(&["invite", "--family", "Okafor", "--role", "guardian"]);
    let code = invite
        .split("join ")
        .nth(1)
        .expect("code in output")
        .trim()
        .to_string();
    sandbox.admin(&[
        "child",
        "add",
        "--family",
        "Okafor",
        "--name",
        "Ada",
        "--born",
        "2023-05-01",
    ]);
    sandbox.admin(&[
        "med",
        "add",
        "--family",
        "Okafor",
        "--child",
        "Ada",
        "--name",
        "Calpol",
        "--ingredient",
        "paracetamol",
        "--strength",
        "120 mg/5 ml",
        "--dose",
        "5 ml",
        "--every",
        "4",
        "--max-doses",
        "4",
    ]);
    let out = sandbox.chat(
        &["--as", "Chidi"],
        &[&format!("join {code}"), "gave Ada 5 ml Calpol", "meds"],
    );
    assert!(
        out.contains("Welcome to the Okafor family! You joined as guardian"),
        "{out}"
    );
    assert!(
        reply_to(&out, "gave Ada 5 ml Calpol").contains("Logged: Ada 5 ml Calpol"),
        "{out}"
    );
    assert!(
        reply_to(&out, "meds").contains("paracetamol 120 mg/5 ml"),
        "{out}"
    );
    // The code works once.
    let again = sandbox.chat(&["--as", "Someone"], &[&format!("join {code}")]);
    assert!(again.contains("already used"), "{again}");

    let export = sandbox.admin(&["export", "--family", "Okafor"]);
    let json: serde_json::Value = serde_json::from_str(&export).expect("export is JSON");
    assert!(export.contains("Calpol") && json.is_object(), "{export}");
    let fhir = sandbox.admin(&["export", "--family", "Okafor", "--format", "fhir"]);
    assert!(fhir.contains("\"MedicationAdministration\""), "{fhir}");
    assert!(sandbox
        .admin(&["audit", "verify"])
        .contains("Audit trail intact"));

    let refused = sandbox.run(&["erase", "--family", "Okafor"], "");
    assert!(
        !refused.status.success(),
        "erase without --yes and without a terminal must refuse"
    );
    sandbox.admin(&["erase", "--family", "Okafor", "--yes"]);
    let listed = sandbox.admin(&["family", "list"]);
    assert!(!listed.contains("Okafor"), "{listed}");
    assert!(sandbox
        .admin(&["audit", "verify"])
        .contains("Audit trail intact"));
}

#[test]
fn a_bad_setting_stops_start_up_naming_it() {
    let sandbox = Sandbox::new();
    let output = sandbox
        .command(&["chat", "--demo"])
        .env("MEDNANNY__DATABASE__URL", "mysql://localhost/x")
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("database.url"), "{stderr}");

    let output = sandbox
        .command(&["migrate"])
        .env("MEDNANNY_ENV", "production")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("security.data_key") && stderr.contains("MEDNANNY__SECURITY__DATA_KEY"),
        "{stderr}"
    );
    assert!(
        !Path::new(&sandbox.path("m.db")).exists(),
        "nothing is created when start-up is refused"
    );
}

/// `chat --demo --now T` runs the demo on a clock stopped at `T` (README's transcripts are replayed
/// so, in tests/readme.rs); a real family's record never gets a made-up time.
#[test]
fn a_stopped_clock_is_for_the_demo_only() {
    let sandbox = Sandbox::new();
    let at = "2026-12-03T13:10:00-05:00";
    let out = sandbox.chat(&["--demo", "--now", at], &["gave Emma 5 ml Tylenol"]);
    assert!(
        reply_to(&out, "gave Emma 5 ml Tylenol").contains("at 13:10.\nNext dose allowed at 17:10."),
        "{out}"
    );
    sandbox.chat(&["--as", "Rosa"], &["create family Rivera"]);
    for (args, says) in [
        (vec!["chat", "--now", at], "--demo"),
        (vec!["chat", "--demo", "--as", "Rosa", "--now", at], "--now"),
        (vec!["chat", "--demo", "--now", "tomorrow"], "--now"),
    ] {
        // Input from nowhere: a refusal comes before any is read (a pipe would race its exit).
        let output = sandbox
            .command(&args)
            .stdin(Stdio::null())
            .output()
            .expect("runs");
        assert!(!output.status.success(), "{args:?} is refused");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?} answers nothing");
    }
}

/// What `mednanny serve --help` says it needs is what serve checks: Slack's two tokens for Slack,
/// the internal secret alone for WhatsApp (through twilio-bridge).
#[test]
fn serve_help_names_what_each_channel_needs() {
    let output = Sandbox::new()
        .command(&["serve", "--help"])
        .output()
        .expect("runs");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for needed in [
        "MEDNANNY__SLACK__APP_TOKEN",
        "MEDNANNY__SLACK__BOT_TOKEN",
        "MEDNANNY__INTERNAL__SECRET",
        "twilio-bridge",
    ] {
        assert!(help.contains(needed), "{needed} in:\n{help}");
    }
    let short = Sandbox::new().command(&["--help"]).output().expect("runs");
    let short = String::from_utf8_lossy(&short.stdout);
    assert!(short.contains("Slack and/or WhatsApp"), "{short}");
}

/// How many CPUs a process may run on, from its `/proc/<pid>/status` (`Cpus_allowed_list: 0-1,4`).
#[cfg(target_os = "linux")]
fn cpus_allowed(pid: &str) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let list = status
        .lines()
        .find_map(|line| line.strip_prefix("Cpus_allowed_list:"))
        .expect("Cpus_allowed_list")
        .trim();
    list.split(',')
        .map(|part| match part.split_once('-') {
            Some((from, to)) => {
                to.parse::<usize>().expect("cpu") - from.parse::<usize>().expect("cpu") + 1
            }
            None => 1,
        })
        .sum()
}

#[cfg(target_os = "linux")]
#[test]
fn the_process_runs_on_every_cpu_unless_told_to_pin() {
    use std::io::{BufRead, BufReader};

    let ours = cpus_allowed("self");
    let sandbox = Sandbox::new();
    // (runtime.cpus, how many CPUs the running chat may use)
    for (setting, expected) in [("auto", ours), ("all", ours), ("1", 1)] {
        let mut child = sandbox
            .command(&["chat", "--demo"])
            .env("MEDNANNY__RUNTIME__CPUS", setting)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("mednanny starts");
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "kids").expect("write stdin");
        // Once it has answered, the runtime (and every thread) is up.
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        assert!(
            lines.any(|line| line.expect("stdout").contains("Leo")),
            "chat answered"
        );
        assert_eq!(
            cpus_allowed(&child.id().to_string()),
            expected,
            "runtime.cpus = {setting} on a machine with {ours} CPU(s) for us"
        );
        drop(stdin);
        assert!(child.wait().expect("exits").success());
    }
}

/// ```text
/// ana> Emma weighs 17.2 kg now   -> ✓ Logged: Emma's weight, 17.2 kg.
/// ana> Leo is 31 in tall         -> ✓ Logged: Leo's height, 78.7 cm.
/// ana> Leo weighs 400 kg         -> refused: not a plausible weight, nothing recorded
/// ```
#[test]
fn a_weight_or_height_said_in_plain_words_is_recorded() {
    let sandbox = Sandbox::new();
    let out = sandbox.chat(
        &["--demo"],
        &[
            "Emma weighs 17.2 kg now",
            "Leo is 31 in tall",
            "Leo weighs 400 kg",
        ],
    );
    assert!(
        reply_to(&out, "Emma weighs 17.2 kg now").contains("✓ Logged: Emma's weight, 17.2 kg."),
        "{out}"
    );
    assert!(
        reply_to(&out, "Leo is 31 in tall").contains("✓ Logged: Leo's height, 78.7 cm."),
        "{out}"
    );
    let refused = reply_to(&out, "Leo weighs 400 kg");
    assert!(
        refused.contains("400 kg is not a plausible weight"),
        "{refused}"
    );
    assert!(refused.contains("Nothing was recorded"), "{refused}");
}

#[test]
fn a_guardian_adds_a_medicine_by_answering_questions_and_doses_are_checked_against_it() {
    let sandbox = Sandbox::new();
    let out = sandbox.chat(
        &["--demo"],
        &[
            "add a medication for Leo",
            "Children's Motrin",
            "50 mg/1.25 ml",
            "1.25 ml as needed, for 5 days",
            "none",
            "yes",
            "gave Leo 1.25 ml Motrin",
            "gave Leo 1.25 ml Motrin",
            "no",
        ],
    );
    assert!(
        reply_to(&out, "Children's Motrin").contains("Children's Motrin is ibuprofen"),
        "{out}"
    );
    let summary = reply_to(&out, "none");
    for line in [
        "• Children's Motrin — ibuprofen 50 mg/1.25 ml",
        "• Usual dose: 1.25 ml (50 mg ibuprofen)",
        "• As needed, at least 6 hours apart *",
        "• At most 4 doses in 24 hours *",
        "* From the children's ibuprofen label.",
    ] {
        assert!(summary.contains(line), "{line:?} in:\n{summary}");
    }
    assert!(
        reply_to(&out, "yes").contains("Saved Children's Motrin for Leo"),
        "{out}"
    );
    let first = out
        .find("Logged: Leo 1.25 ml Children's Motrin")
        .expect("logged");
    let second = reply_to(&out[first..], "gave Leo 1.25 ml Motrin");
    assert!(second.contains("Reply yes or no"), "too soon: {second}");
    assert!(reply_to(&out, "no").contains("nothing was logged"), "{out}");
}

#[test]
fn a_guardian_keeps_the_whole_record_in_one_console_session() {
    let sandbox = Sandbox::new();
    let lines = [
        "add vaccination MMR for Leo today, dose 1",
        "yes",
        "add appointment for Emma with Dr Patel tomorrow at 10:30 about her checkup",
        "yes",
        "change Emma's appointment to 3pm",
        "yes",
        "add paediatrician Dr Patel 555 010 2030",
        "yes",
        "add condition for Leo: eczema",
        "guardians only",
        "yes",
        "change Emma's Tylenol dose to 7.5 ml",
        "yes",
        "rename Leo to Leon",
        "remove Leon's peanut allergy",
        "yes",
        "remove Leon from active care",
        "yes",
        "kids",
        "return Leon to care",
        "doctors",
    ];
    let out = sandbox.chat(&["--demo"], &lines);
    let said = |message: &str| reply_to(&out, message);
    assert!(
        said("add vaccination MMR for Leo today, dose 1").contains("MMR vaccination on"),
        "{out}"
    );
    assert!(
        out.contains("✓ Saved for Leo: the MMR vaccination"),
        "{out}"
    );
    assert!(
        said("change Emma's appointment to 3pm").contains("at 15:00 with Dr Patel (her checkup)"),
        "{out}"
    );
    assert!(
        out.contains("✓ Changed on Emma's record: the appointment with Dr Patel"),
        "{out}"
    );
    assert!(
        said("add condition for Leo: eczema").contains("Who should see it"),
        "{out}"
    );
    assert!(
        out.contains("Only guardians see it on Leo's record"),
        "{out}"
    );
    assert!(
        said("change Emma's Tylenol dose to 7.5 ml")
            .contains("Usual dose: 7.5 ml (240 mg acetaminophen)"),
        "{out}"
    );
    assert!(out.contains("✓ Changed Emma's Children's Tylenol"), "{out}");
    assert!(
        said("rename Leo to Leon").contains("Leo is now Leon"),
        "{out}"
    );
    assert!(
        said("remove Leon's peanut allergy")
            .contains("Remove the peanuts allergy (severe) from Leon's record?"),
        "{out}"
    );
    assert!(
        said("remove Leon from active care").contains("Take Leon out of active care?"),
        "{out}"
    );
    assert!(!said("kids").contains("Leon"), "{out}");
    assert!(
        said("return Leon to care").contains("Leon is back in active care"),
        "{out}"
    );
    assert!(
        said("doctors").contains("Dr Patel, paediatrician — 555 010 2030"),
        "{out}"
    );
}

#[test]
fn a_nannys_medicine_waits_for_a_guardian_and_members_are_kept_from_the_console() {
    let sandbox = Sandbox::new();
    // The demo first, as Ana; then Maya adds a medicine; then Ana decides and keeps the members.
    sandbox.chat(&["--demo"], &["kids"]);
    let maya = sandbox.chat(
        &["--demo", "--as", "maya"],
        &[
            "add a medication for Leo",
            "Children's Zyrtec",
            "cetirizine 5 mg/5 ml",
            "5 ml",
            "as needed",
            "24",
            "1",
            "none",
            "ongoing",
            "yes",
            "gave Leo 5 ml Zyrtec",
        ],
    );
    assert!(
        reply_to(&maya, "yes").contains("waiting for a guardian's approval"),
        "{maya}"
    );
    assert!(
        reply_to(&maya, "gave Leo 5 ml Zyrtec").contains("waiting for a guardian's approval"),
        "{maya}"
    );
    let ana = sandbox.chat(
        &["--demo"],
        &[
            "members",
            "approve",
            "Maya no longer looks after Leo",
            "make Luis a viewer",
            "members",
        ],
    );
    assert!(
        reply_to(&ana, "members").contains("Approval needed: Maya added a medication for Leo"),
        "{ana}"
    );
    assert!(
        reply_to(&ana, "approve").contains("Approved Children's Zyrtec for Leo"),
        "{ana}"
    );
    assert!(
        reply_to(&ana, "Maya no longer looks after Leo").contains("Maya no longer looks after Leo"),
        "{ana}"
    );
    assert!(
        reply_to(&ana, "make Luis a viewer").contains("Luis"),
        "{ana}"
    );
}

/// Everything a person does to get into a family, from chat alone: the welcome, creating one,
/// joining a second with a code, and moving between them by number and by name. The conversation
/// keeps the family chosen from one session to the next.
#[test]
fn a_person_creates_joins_and_moves_between_families_from_chat() {
    let sandbox = Sandbox::new();
    let first = sandbox.chat(
        &["--as", "Rosa"],
        &[
            "kids",
            "create family Rivera",
            "Madrid",
            "add child Sol born 2 June 2023",
            "yes",
        ],
    );
    let start = reply_to(&first, "kids");
    assert!(
        start.contains("create family <your family name>") && start.contains("join <code>"),
        "someone new is told both ways in: {first}"
    );
    assert!(
        reply_to(&first, "create family Rivera").contains("Where does the Rivera family live?"),
        "{first}"
    );
    assert!(
        reply_to(&first, "Madrid").contains("The Rivera family is ready"),
        "{first}"
    );
    sandbox.admin(&["family", "create", "--name", "Okafor"]);
    let invite = sandbox.admin(&["invite", "--family", "Okafor", "--role", "caregiver"]);
    let code = invite
        .split("join ")
        .nth(1)
        .expect("code in output")
        .trim()
        .to_string();
    let join = format!("join {code}");
    let second = sandbox.chat(
        &["--as", "Rosa"],
        &[
            &join,
            "kids",
            "switch family",
            "2",
            "kids",
            "switch family rivera",
            "kids",
        ],
    );
    assert!(
        reply_to(&second, &join).contains("Welcome to the Okafor family! You joined as caregiver"),
        "{second}"
    );
    // The new family is the one the conversation is in: it has no children yet.
    assert!(!reply_to(&second, &join).contains("Sol"), "{second}");
    let asked = reply_to(&second, "switch family");
    assert!(
        asked.contains("several families") && asked.contains("Rivera") && asked.contains("Okafor"),
        "{second}"
    );
    assert!(
        reply_to(&second, "2").contains("now working with the Okafor family"),
        "{second}"
    );
    assert!(
        reply_to(&second, "switch family rivera").contains("now working with the Rivera family"),
        "{second}"
    );
    // The last "kids" is Rivera's: Sol is there.
    let last = second.rsplit("> kids\n").next().expect("a last reply");
    assert!(last.contains("Sol"), "{second}");
    // The next session starts where this one left off.
    let third = sandbox.chat(&["--as", "Rosa"], &["kids"]);
    assert!(reply_to(&third, "kids").contains("Sol"), "{third}");
}

/// ```text
/// maya> I'm here                        -> Clocked in at ...
/// maya> gave Emma 5 ml Tylenol / Emma temp 38.4 / note Emma ate all her lunch
/// maya> done for today, Emma napped well -> Clocked out ... handoff report to Ana and Luis
/// ana>  kids                            -> 📋 Handoff from Maya ... (once), then the children
/// maya> my profile                      -> her languages, rates, emergency contact, schedule
/// ```
#[test]
fn the_nanny_clocks_in_and_out_and_the_guardians_get_her_handoff_report() {
    let sandbox = Sandbox::new();
    sandbox.chat(&["--demo"], &["kids"]);
    let maya = sandbox.chat(
        &["--demo", "--as", "maya"],
        &[
            "I'm here",
            "I'm here",
            "gave Emma 5 ml Tylenol",
            "Emma temp 38.4",
            "note Emma ate all her lunch",
            "done for today, Emma napped well",
            "leaving",
            "my profile",
            "profile Ana",
            "hours",
        ],
    );
    assert!(
        reply_to(&maya, "I'm here").contains("Clocked in at"),
        "{maya}"
    );
    assert!(maya.contains("You are already on shift."), "{maya}");
    let out = reply_to(&maya, "done for today, Emma napped well");
    assert!(out.contains("Clocked out at"), "{out}");
    assert!(
        out.contains("I've sent the handoff report to Ana and Luis"),
        "{out}"
    );
    assert!(
        reply_to(&maya, "leaving").contains("You are not on shift."),
        "{maya}"
    );
    let profile = reply_to(&maya, "my profile");
    for expected in [
        "Maya's profile:",
        "Languages: English, Spanish",
        "Rate: 22.50 an hour, overtime 33.75 an hour",
        "Emergency contact: Rosa Diaz (sister) +1 212 555 0142",
        "CPR and first aid: valid until",
        "every Monday 08:00–17:00",
        "every Friday 08:00–17:00",
    ] {
        assert!(profile.contains(expected), "{expected:?} in {profile}");
    }
    // Another member's profile is the guardians' to read.
    assert!(
        reply_to(&maya, "profile Ana").contains("don't have access"),
        "{maya}"
    );
    assert!(reply_to(&maya, "hours").contains("Hours in "), "{maya}");

    let ana = sandbox.chat(&["--demo"], &["kids", "kids"]);
    let report = reply_to(&ana, "kids");
    for expected in [
        "📋 Handoff from Maya: shift ",
        "Maya says: “Emma napped well”",
        "💊 Emma 5 ml Children's Tylenol at",
        "🌡 Emma 101.1 °F (38.4 °C) at",
        "📝 Emma: ate all her lunch",
    ] {
        assert!(report.contains(expected), "{expected:?} in {report}");
    }
    assert_eq!(ana.matches("Handoff from Maya").count(), 1, "once: {ana}");
    // Luis gets his own copy, in Spanish if he asks for it.
    let luis = sandbox.chat(&["--demo", "--as", "Luis"], &["language es", "kids"]);
    assert!(
        luis.contains("Relevo de Maya") && luis.contains("Maya dice: «Emma napped well»"),
        "{luis}"
    );
}

/// The payroll CSV from `mednanny hours`, checked against totals worked out by hand: Maya's week
/// of 2 November (Monday to Friday 8 to 5, then Saturday night 22:00 to Sunday 02:00) is 49 hours,
/// 9 past 40; 30 November 22:00 to 1 December 06:00 gives November 2 hours. The shifts are written
/// at those times into the database (the binary's clock is the real one).
#[test]
fn the_hours_csv_matches_hand_computed_totals() {
    let sandbox = Sandbox::new();
    sandbox.chat(&["--demo"], &["kids"]);
    let db = rusqlite::Connection::open(sandbox.path("m.db")).expect("open the database");
    let (family, maya): (i64, i64) = db
        .query_row(
            "SELECT m.family_id, m.id FROM members m JOIN people p ON p.id = m.person_id \
             WHERE p.display_name = 'Maya'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("Maya's membership");
    // New York is UTC-5 in November (after the clocks went back on 1 November).
    let mut shifts: Vec<(String, String)> = (2..=6)
        .map(|day| {
            (
                format!("2026-11-{day:02}T13:00:00+00:00"),
                format!("2026-11-{day:02}T22:00:00+00:00"),
            )
        })
        .collect();
    shifts.push((
        "2026-11-08T03:00:00+00:00".into(),
        "2026-11-08T07:00:00+00:00".into(),
    ));
    shifts.push((
        "2026-12-01T03:00:00+00:00".into(),
        "2026-12-01T11:00:00+00:00".into(),
    ));
    for (start, end) in &shifts {
        db.execute(
            "INSERT INTO shifts (family_id, member_id, clock_in_at, clock_out_at, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?3)",
            rusqlite::params![family, maya, start, end],
        )
        .expect("insert a shift");
    }
    drop(db);
    let csv = sandbox.admin(&["hours", "--family", "Garcia", "--month", "2026-11", "--csv"]);
    let expected = "\
nanny,row,from,to,hours,regular_hours,overtime_hours,hourly_rate,overtime_rate,pay,note
Maya,shift,2026-11-02 08:00,2026-11-02 17:00,9.00,9.00,0.00,22.50,33.75,202.50,
Maya,shift,2026-11-03 08:00,2026-11-03 17:00,9.00,9.00,0.00,22.50,33.75,202.50,
Maya,shift,2026-11-04 08:00,2026-11-04 17:00,9.00,9.00,0.00,22.50,33.75,202.50,
Maya,shift,2026-11-05 08:00,2026-11-05 17:00,9.00,9.00,0.00,22.50,33.75,202.50,
Maya,shift,2026-11-06 08:00,2026-11-06 17:00,9.00,4.00,5.00,22.50,33.75,258.75,
Maya,shift,2026-11-07 22:00,2026-11-08 02:00,4.00,0.00,4.00,22.50,33.75,135.00,
Maya,shift,2026-11-30 22:00,2026-12-01 06:00,2.00,2.00,0.00,22.50,33.75,45.00,
Maya,week,2026-11-02,2026-11-08,49.00,40.00,9.00,22.50,33.75,1203.75,overtime
Maya,week,2026-11-30,2026-11-30,2.00,2.00,0.00,22.50,33.75,45.00,
Maya,month,2026-11-01,2026-11-30,51.00,42.00,9.00,22.50,33.75,1248.75,
";
    assert_eq!(csv, expected);
    let totals = sandbox.admin(&["hours", "--family", "Garcia", "--month", "2026-11"]);
    assert!(
        totals.contains("Maya: 51.00 h, of which 9.00 h overtime"),
        "{totals}"
    );
    // A month that is not one is refused, naming the flag.
    let bad = sandbox.run(&["hours", "--family", "Garcia", "--month", "November"], "");
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("--month"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

/// ```text
/// jo> create family Jones in London   -> The Jones family is ready … the United Kingdom … 999
/// jo> my baby is not breathing        -> 🚨 Call 999 now.
/// jo> time zone America/Toronto       -> ✓ The family now lives in the United Kingdom (… Toronto …)
/// jo> we live in Toronto              -> ✓ … Canada … 911
/// ```
/// Where a family lives is said in chat, shown with the number it implies, and changed in chat;
/// the operator sees the same and changes it with `family set`.
#[test]
fn a_family_made_in_chat_in_london_hears_999_and_moves_from_chat() {
    let sandbox = Sandbox::new();
    let out = sandbox.chat(
        &["--as", "Jo"],
        &[
            "create family Jones in London",
            "my baby is not breathing",
            "time zone America/Toronto",
            "we live in Toronto",
            "my baby is not breathing",
        ],
    );
    let created = reply_to(&out, "create family Jones in London");
    assert!(
        created.contains("The Jones family is ready")
            && created.contains("the United Kingdom")
            && created.contains("999"),
        "{out}"
    );
    let urgent = reply_to(&out, "my baby is not breathing");
    assert!(urgent.contains("Call 999 now"), "{out}");
    assert!(
        reply_to(&out, "time zone America/Toronto").contains("America/Toronto"),
        "{out}"
    );
    assert!(
        reply_to(&out, "we live in Toronto").contains("Canada"),
        "{out}"
    );
    let last = out
        .rsplit("> my baby is not breathing\n")
        .next()
        .expect("a reply");
    assert!(last.contains("Call 911 now"), "after the move: {out}");
    let listed = sandbox.admin(&["family", "list"]);
    assert!(
        listed.contains("America/Toronto") && listed.contains("CA"),
        "{listed}"
    );

    // The operator: validated, and the same change.
    let refused = sandbox.run(
        &["family", "set", "--family", "Jones", "--country", "XX"],
        "",
    );
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("not an ISO 3166 country code"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let set = sandbox.admin(&["family", "set", "--family", "Jones", "--country", "GB"]);
    assert!(
        set.contains("Europe/London") && set.contains("999"),
        "{set}"
    );
    let urgent = sandbox.chat(&["--as", "Jo"], &["my baby is not breathing"]);
    assert!(urgent.contains("Call 999 now"), "{urgent}");
}

/// A family whose country has no numbers on file hears Europe's 112, and that it is a guess.
#[test]
fn a_country_without_numbers_hears_112_as_a_guess() {
    let sandbox = Sandbox::new();
    let out = sandbox.chat(
        &["--as", "Ana"],
        &["create family Silva in Lisbon", "my baby is not breathing"],
    );
    let urgent = reply_to(&out, "my baby is not breathing");
    assert!(urgent.contains("Call 112 now"), "{out}");
    assert!(
        urgent.contains("I don't have your country's emergency number"),
        "{out}"
    );
}

/// ```text
/// sam> help                                    -> both ways in: create family …, join <code>
/// sam> create a family                         -> What is your family called?
/// sam> Okafor                                  -> Where does the Okafor family live?
/// sam> Manchester                              -> ready … 999; next: add my son Sam, born …
/// sam> help                                    -> no children yet: start here …
/// sam> my daughter Ada was born on 1 May 2023  -> (the child form, its summary) yes
/// sam> add a medication for Ada                -> … Calpol, 120 mg/5 ml, 5 ml, as needed,
///                                                 I don't know (the label's limit), ongoing … yes
/// sam> gave Ada 5 ml Calpol                    -> ✓ Logged
/// ```
/// A new person reaches a first logged dose from `help` alone, following what each reply says.
#[test]
fn a_new_person_reaches_a_first_logged_dose_from_help_alone() {
    let sandbox = Sandbox::new();
    let out = sandbox.chat(
        &["--as", "Sam"],
        &[
            "help",
            "create a family",
            "Okafor",
            "Manchester",
            "help",
            "my daughter Ada was born on 1 May 2023",
            "yes",
            "add a medication for Ada",
            "Calpol",
            "paracetamol 120 mg/5 ml",
            "5 ml as needed",
            "I don't know",
            "ongoing",
            "yes",
            "gave Ada 5 ml Calpol",
            "gave Ada 2.5 ml Nurofen",
            "yes",
        ],
    );
    assert!(reply_to(&out, "help").contains("create family"), "{out}");
    assert!(
        reply_to(&out, "create a family").contains("What is your family called?"),
        "{out}"
    );
    assert!(
        reply_to(&out, "Okafor").contains("Where does the Okafor family live?"),
        "{out}"
    );
    let ready = reply_to(&out, "Manchester");
    assert!(
        ready.contains("999") && ready.contains("add my son Sam"),
        "{out}"
    );
    assert!(!ready.contains("Emma"), "no demo names: {out}");
    let help = out.split("> help\n").nth(2).expect("the second help");
    assert!(help.contains("no children on file yet"), "{out}");
    let child = reply_to(&out, "my daughter Ada was born on 1 May 2023");
    assert!(child.contains("Ada") && child.contains("2023"), "{out}");
    let summary = reply_to(&out, "ongoing");
    assert!(
        summary.contains("At most 600 mg of paracetamol in 24 hours *"),
        "the label's count of the usual dose, marked: {out}"
    );
    assert!(
        reply_to(&out, "gave Ada 5 ml Calpol").contains("✓ Logged: Ada 5 ml Calpol"),
        "{out}"
    );
    // A medicine not on file, reported by the guardian: nothing logged, and she may add it now.
    let offer = reply_to(&out, "gave Ada 2.5 ml Nurofen");
    assert!(
        offer.contains("Ada has no Nurofen on file")
            && offer.contains("Add Nurofen to Ada's medicines now?"),
        "{out}"
    );
    let form = out.rsplit("> yes\n").next().expect("the last yes");
    assert!(
        form.contains("What strength is it?") && form.contains("Nurofen is ibuprofen"),
        "the form opens with the name said: {out}"
    );
}
