//! README.md's transcripts, replayed on the real `mednanny chat --demo` and compared line by line,
//! so that what the README shows is what a reader who types it gets:
//!
//! ```text
//! ana> gave Emma 5 ml Tylenol                 README's "A short tour", message by message,
//! ✓ Logged: Emma 5 ml Children's Tylenol at 13:10.          each reply checked as written
//! ...
//! maya> I'm here                              "The nanny's day", the clock at each time shown
//! ✓ Clocked in at 07:58. Have a good shift!
//! ```
//!
//! How a transcript reads: in the first ```` ```text ```` block under its heading, a line
//! `name> message` (name: ana, luis or maya) is that person's message, and the lines after it, up
//! to the next such line, are the console's reply exactly as it prints it (blank lines at the end
//! of a reply are not compared). Nothing may be elided: there is no "and so on" marker, every reply
//! is spelled out, so a wording change anywhere fails here.
//!
//! What may differ: only `#ids` (`approve #5`, `(#1)`). They are row numbers, which move whenever
//! the demo or a migration adds a row; a README id must stand for the same real id everywhere in
//! its block, and two README ids for two real ones. Times and dates are compared as written: the
//! console runs on a stopped clock (`chat --demo --now`), so they are the real ones, and a wrong one
//! (a next dose at the wrong hour) would be a lie a reader acts on.
//!
//! How it runs: each block on a fresh demo of its own (a temp dir, one SQLite file); one `mednanny
//! chat --demo --as <name> --now <instant>` process for each run of messages by one person at one
//! instant, as a reader would type them (restarting the console to be someone else). The tour
//! runs at [`TOUR_AT`], the instant README names; the nanny's day on the same Thursday at the
//! times of [`NANNY_DAY`].

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};

/// The tour's instant: Thursday 3 December 2026, 13:10 in New York (the demo family's time zone).
const TOUR_AT: &str = "2026-12-03T13:10:00-05:00";

/// When each of the nanny's day's messages is sent (New York time, the tour's Thursday); a
/// message not named here is sent at the time of the one before it.
const NANNY_DAY: &[(&str, &str)] = &[
    ("I'm here", "07:58"),
    ("gave Emma 5 ml Tylenol", "10:30"),
    ("Emma temp 38.4", "10:31"),
    ("note Emma ate all her lunch", "12:45"),
    ("done for today, Emma napped well", "17:02"),
    ("kids", "17:15"),
];

/// The demo's people, as the console knows them.
const PEOPLE: [&str; 3] = ["ana", "luis", "maya"];

/// One message of a transcript and the reply README shows for it.
#[derive(Debug)]
struct Exchange {
    name: String,
    message: String,
    reply: Vec<String>,
}

fn readme() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
    std::fs::read_to_string(path).expect("README.md is readable")
}

/// The first ```text block under the line `heading`, as exchanges.
fn transcript(readme: &str, heading: &str) -> Vec<Exchange> {
    let mut lines = readme.lines().skip_while(|line| *line != heading);
    assert!(lines.next().is_some(), "README.md has no {heading:?}");
    let block: Vec<&str> = lines
        .skip_while(|line| *line != "```text")
        .skip(1)
        .take_while(|line| *line != "```")
        .collect();
    let mut exchanges: Vec<Exchange> = Vec::new();
    for line in block {
        match prompt(line) {
            Some((name, message)) => {
                assert!(
                    PEOPLE.contains(&name),
                    "{heading}: {line:?} is from {name:?}, who is not in the demo ({PEOPLE:?})"
                );
                exchanges.push(Exchange {
                    name: name.to_string(),
                    message: message.to_string(),
                    reply: Vec::new(),
                });
            }
            None => match exchanges.last_mut() {
                Some(exchange) => exchange.reply.push(line.to_string()),
                None => panic!("{heading}: {line:?} comes before any message"),
            },
        }
    }
    assert!(!exchanges.is_empty(), "{heading}: no transcript found");
    exchanges
}

/// `name> message`, when the line is a message.
fn prompt(line: &str) -> Option<(&str, &str)> {
    let (name, message) = line.split_once("> ")?;
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase())).then_some((name, message))
}

/// What the console printed for each exchange, in order: each block on a fresh demo, each run of
/// messages by one person at one instant in one process.
fn replay(exchanges: &[Exchange], instants: &[String]) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut replies = Vec::new();
    let mut start = 0;
    while start < exchanges.len() {
        let (name, at) = (&exchanges[start].name, &instants[start]);
        let end = (start..exchanges.len())
            .find(|&i| exchanges[i].name != *name || instants[i] != *at)
            .unwrap_or(exchanges.len());
        let messages: Vec<&str> = exchanges[start..end]
            .iter()
            .map(|e| e.message.as_str())
            .collect();
        let printed = chat(dir.path(), name, at, &messages);
        replies.extend(split_replies(&printed, &messages));
        start = end;
    }
    replies
}

/// Runs `mednanny chat --demo --as name --now at` with `messages` on stdin (not a terminal: one
/// message per line, each echoed as `> message` before its reply).
fn chat(dir: &std::path::Path, name: &str, at: &str, messages: &[&str]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mednanny"))
        .args(["chat", "--demo", "--as", name, "--now", at])
        .current_dir(dir)
        .env_remove("MEDNANNY_ENV")
        .env(
            "MEDNANNY__DATABASE__URL",
            format!("sqlite://{}?mode=rwc", dir.join("m.db").display()),
        )
        .env("MEDNANNY__SECURITY__DEV_KEY_FILE", dir.join("dev.key"))
        .env("MEDNANNY__LOG__FILTER", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mednanny starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{}\n", messages.join("\n")).as_bytes())
        .expect("write stdin");
    let output = child.wait_with_output().expect("mednanny finishes");
    assert!(
        output.status.success(),
        "chat --as {name} --now {at} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

/// The console's output cut at its `> message` lines into one reply per message.
fn split_replies(printed: &str, messages: &[&str]) -> Vec<Vec<String>> {
    let mut lines = printed.lines().peekable();
    let mut replies = Vec::new();
    for (i, message) in messages.iter().enumerate() {
        let echo = format!("> {message}");
        assert_eq!(
            lines.next(),
            Some(echo.as_str()),
            "the console's output:\n{printed}"
        );
        let next = messages.get(i + 1).map(|m| format!("> {m}"));
        let mut reply = Vec::new();
        while let Some(line) = lines.next_if(|line| Some(*line) != next.as_deref()) {
            reply.push(line.to_string());
        }
        replies.push(reply);
    }
    replies
}

fn without_trailing_blanks(lines: &[String]) -> &[String] {
    let end = lines
        .iter()
        .rposition(|line| !line.trim().is_empty())
        .map_or(0, |i| i + 1);
    &lines[..end]
}

/// A line with its `#ids` taken out (each left as a bare `#`), and the ids.
fn words_and_ids(line: &str) -> (String, Vec<&str>) {
    let (mut words, mut ids) = (String::new(), Vec::new());
    let mut rest = line;
    while let Some(hash) = rest.find('#') {
        let after = &rest[hash + 1..];
        let digits = after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len());
        words.push_str(&rest[..=hash]);
        if digits > 0 {
            ids.push(&after[..digits]);
        }
        rest = &after[digits..];
    }
    words.push_str(rest);
    (words, ids)
}

/// README's ids and the real ones, paired as they are met: each must always stand for the same.
#[derive(Default)]
struct Ids {
    real_of: HashMap<String, String>,
    readme_of: HashMap<String, String>,
}

impl Ids {
    fn pair(&mut self, readme: &str, real: &str) -> bool {
        let real_seen = self
            .real_of
            .entry(readme.to_string())
            .or_insert_with(|| real.to_string());
        let readme_seen = self
            .readme_of
            .entry(real.to_string())
            .or_insert_with(|| readme.to_string());
        real_seen == real && readme_seen == readme
    }
}

/// Whether README's line says what the console printed, ids aside.
fn same_line(readme: &str, real: &str, ids: &mut Ids) -> bool {
    let (readme_words, readme_ids) = words_and_ids(readme);
    let (real_words, real_ids) = words_and_ids(real);
    readme_words == real_words
        && readme_ids.len() == real_ids.len()
        && readme_ids
            .iter()
            .zip(&real_ids)
            .all(|(readme, real)| ids.pair(readme, real))
}

/// Replays README's block under `heading` with each message at `instants`, and fails naming
/// every reply that differs, with the whole transcript as the console really printed it.
fn check(heading: &str, exchanges: &[Exchange], instants: &[String]) {
    let replies = replay(exchanges, instants);
    let mut ids = Ids::default();
    let mut differences = Vec::new();
    for (exchange, real) in exchanges.iter().zip(&replies) {
        let (shown, real) = (
            without_trailing_blanks(&exchange.reply),
            without_trailing_blanks(real),
        );
        let same = shown.len() == real.len()
            && shown
                .iter()
                .zip(real)
                .all(|(shown, real)| same_line(shown, real, &mut ids));
        if !same {
            differences.push(format!(
                "{}> {}\n--- README.md shows:\n{}\n--- the console prints:\n{}\n",
                exchange.name,
                exchange.message,
                shown.join("\n"),
                real.join("\n")
            ));
        }
    }
    if !differences.is_empty() {
        let whole: Vec<String> = exchanges
            .iter()
            .zip(&replies)
            .map(|(exchange, real)| {
                format!(
                    "{}> {}\n{}",
                    exchange.name,
                    exchange.message,
                    without_trailing_blanks(real).join("\n")
                )
            })
            .collect();
        panic!(
            "README.md, {heading}: {} of {} replies differ from what the console prints\n\n{}\n\
             The whole transcript as the console prints it:\n\n{}\n",
            differences.len(),
            exchanges.len(),
            differences.join("\n"),
            whole.join("\n\n")
        );
    }
}

#[test]
fn the_short_tour_is_what_the_console_answers() {
    let readme = readme();
    assert!(
        readme.contains(&format!("--now {TOUR_AT}")),
        "README's tour names the instant it was typed at, {TOUR_AT}"
    );
    let exchanges = transcript(&readme, "## A short tour");
    let instants = vec![TOUR_AT.to_string(); exchanges.len()];
    check("A short tour", &exchanges, &instants);
}

#[test]
fn the_nannys_day_is_what_the_console_answers() {
    let exchanges = transcript(&readme(), "## The nanny's day");
    let mut at = None;
    let instants: Vec<String> = exchanges
        .iter()
        .map(|exchange| {
            if let Some((_, time)) = NANNY_DAY.iter().find(|(m, _)| *m == exchange.message) {
                at = Some(format!("2026-12-03T{time}:00-05:00"));
            }
            at.clone()
                .unwrap_or_else(|| panic!("NANNY_DAY gives no time for {:?}", exchange.message))
        })
        .collect();
    for (message, _) in NANNY_DAY {
        assert!(
            exchanges.iter().any(|e| e.message == *message),
            "NANNY_DAY times {message:?}, which README's nanny's day no longer has"
        );
    }
    check("The nanny's day", &exchanges, &instants);
}

/// A Markdown table ends at its first blank line, so a table split by one shows its rows after it
/// as a paragraph; and a key listed twice says two things about one setting.
#[test]
fn the_configuration_table_is_one_table_naming_each_setting_once() {
    let readme = readme();
    let section: Vec<&str> = readme
        .lines()
        .skip_while(|line| *line != "## Configuration")
        .skip(1)
        .take_while(|line| !line.starts_with("## "))
        .collect();
    let rows: Vec<usize> = section
        .iter()
        .enumerate()
        .filter(|(_, line)| line.starts_with('|'))
        .map(|(i, _)| i)
        .collect();
    assert!(rows.len() > 10, "the Configuration table is there");
    assert!(
        rows.windows(2).all(|pair| pair[1] == pair[0] + 1),
        "the Configuration table is split: {:?}",
        rows.windows(2)
            .find(|pair| pair[1] != pair[0] + 1)
            .map(|pair| section[pair[1]])
    );
    let mut seen = HashMap::new();
    for &row in &rows[2..] {
        let first_cell = section[row].split('|').nth(1).unwrap_or_default();
        for key in first_cell.split('`').skip(1).step_by(2) {
            if let Some(earlier) = seen.insert(key, row) {
                panic!(
                    "`{key}` is in the Configuration table twice:\n{}\n{}",
                    section[earlier], section[row]
                );
            }
        }
    }
}

/// Every example README puts in backticks in the tour's list of what MedNannyAI understands and
/// in the nanny's day (`profile Maya emergency Rosa Diaz 555 010 7788`, `note Emma ate a good
/// lunch`, …), said on the demo by a guardian: none is taken for an emergency. (The red-flag
/// screen runs first on every message; a command's field named "emergency" is not a cry for
/// help.)
#[test]
fn readmes_examples_never_raise_an_emergency() {
    let readme = readme();
    let mut examples: Vec<String> = Vec::new();
    for heading in ["## A short tour", "## The nanny's day"] {
        let start = readme.find(heading).expect("the section");
        let section = &readme[start + heading.len()..];
        let section = &section[..section.find("\n## ").unwrap_or(section.len())];
        // Inline code spans outside the ```text blocks.
        let prose: String = section
            .split("```")
            .enumerate()
            .filter(|(i, _)| i % 2 == 0)
            .map(|(_, part)| part)
            .collect();
        for (i, span) in prose.split('`').enumerate() {
            let span = span.trim();
            // Odd parts are inside backticks; keep what reads as a message (not a command line).
            if i % 2 == 1
                && !span.is_empty()
                && !span.starts_with("mednanny")
                && !span.starts_with("--")
                && !span.contains('\n')
            {
                examples.push(span.to_string());
            }
        }
    }
    assert!(
        examples.iter().any(|e| e.contains("emergency Rosa Diaz")),
        "the profile example is found: {examples:?}"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let messages: Vec<&str> = examples.iter().map(String::as_str).collect();
    let printed = chat(dir.path(), "ana", TOUR_AT, &messages);
    let replies = split_replies(&printed, &messages);
    let alarms: Vec<&str> = messages
        .iter()
        .zip(&replies)
        .filter(|(_, reply)| reply.iter().any(|line| line.contains('🚨')))
        .map(|(message, _)| *message)
        .collect();
    assert!(
        alarms.is_empty(),
        "README examples raised an emergency: {alarms:?}"
    );
}
