//! The console channel: `mednanny chat`. A thin adapter like the others: it turns each line into an
//! `Inbound`, and renders the engine's replies as terminal text (choices as numbered lines, which the
//! engine understands when typed back). A line is read as bytes: one that is not UTF-8 is read
//! with U+FFFD where it was not, never the end of the session.

use std::io::IsTerminal;

use anyhow::{bail, Result};
use mednanny_core::demo;
use mednanny_core::domain::{text, Channel, IdentityKind};
use mednanny_core::engine::Inbound;
use mednanny_core::messages::{Reply, Tone};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::app::App;
use crate::cli::ChatArgs;

/// Renders a reply for a terminal.
pub fn render(reply: &Reply) -> String {
    let mut out = String::new();
    let prefix = match reply.tone {
        Tone::Urgent => "!! ",
        Tone::Error => "× ",
        Tone::Warning => "",
        Tone::Success => "✓ ",
        Tone::Info => "",
    };
    out.push_str(prefix);
    out.push_str(&reply.text);
    for (index, choice) in reply.choices.iter().enumerate() {
        // "Undo" is offered as a word; other choices as numbers.
        if choice.value == (index + 1).to_string() {
            out.push_str(&format!("\n  {}. {}", index + 1, choice.label));
        } else {
            out.push_str(&format!("\n  [{}] {}", choice.value, choice.label));
        }
    }
    out
}

pub async fn run(app: &App, args: ChatArgs) -> Result<()> {
    let name = match (&args.as_name, args.demo) {
        (Some(name), _) => name.trim().to_lowercase(),
        (None, true) => "ana".to_string(),
        (None, false) => {
            bail!("say who you are with --as NAME, or try the demo: mednanny chat --demo")
        }
    };
    if args.now.is_some() && !demo::PEOPLE.iter().any(|(_, id, _)| *id == name) {
        // A stopped clock is for the demo family: a real record never gets a made-up time.
        bail!("--now is for the demo's Ana, Luis and Maya only");
    }
    if args.demo {
        demo::ensure(&app.services).await?;
    }
    let known = app
        .services
        .resolve_identity(IdentityKind::Console, &name)
        .await?;
    if known.is_none() && args.demo {
        bail!("the demo family has Ana, Luis and Maya; there is no {name:?} (try --as Maya)");
    }
    let inbound = |text: &str| Inbound {
        channel: Channel::Console,
        identity: IdentityKind::Console,
        external_id: name.clone(),
        display_name: Some(capitalize(&name)),
        text: text.to_string(),
        // The console has no redeliveries: each line is typed once.
        delivery_key: None,
        form: None,
        voice: false,
        locale: None,
        photo: None,
        timezone: None,
    };
    let interactive = std::io::stdin().is_terminal();
    let mut stdout = tokio::io::stdout();
    if let Some(family) = &args.family {
        let turn = app
            .engine
            .handle(&inbound(&format!("family {family}")))
            .await;
        for reply in &turn.replies {
            stdout
                .write_all(format!("{}\n\n", render(reply)).as_bytes())
                .await?;
        }
    }
    if interactive {
        let greeting = app
            .engine
            .console_greeting(&capitalize(&name), known.is_some());
        stdout
            .write_all(format!("{}\n", render(&greeting)).as_bytes())
            .await?;
    }
    let mut stdin = BufReader::new(tokio::io::stdin());
    let mut bytes = Vec::new();
    loop {
        if interactive {
            stdout.write_all(format!("{name}> ").as_bytes()).await?;
            stdout.flush().await?;
        }
        bytes.clear();
        if stdin.read_until(b'\n', &mut bytes).await? == 0 {
            break;
        }
        let read = String::from_utf8_lossy(&bytes);
        let read = read.strip_suffix('\n').unwrap_or(&read);
        let read = read.strip_suffix('\r').unwrap_or(read);
        // Cleaned here as well as in the engine: the line is echoed below, and an escape
        // sequence in it must not reach the terminal.
        let cleaned = text::clean(read);
        let line = cleaned.trim();
        if line.is_empty() {
            continue;
        }
        if interactive && matches!(line.to_lowercase().as_str(), "quit" | "exit" | "bye") {
            break;
        }
        if !interactive {
            // Every line of a message read as input (a bare CR made it several).
            let echo = line.replace('\n', "\n> ");
            stdout.write_all(format!("> {echo}\n").as_bytes()).await?;
        }
        let turn = app.engine.handle(&inbound(line)).await;
        for reply in &turn.replies {
            stdout
                .write_all(format!("{}\n", render(reply)).as_bytes())
                .await?;
        }
        stdout.write_all(b"\n").await?;
        stdout.flush().await?;
    }
    Ok(())
}

fn capitalize(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
