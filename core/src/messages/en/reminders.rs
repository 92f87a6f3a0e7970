//! English for reminders: a dose due (with *Given* / *Skip*), a course ending, an appointment, the
//! daily summary, a nanny's shift starting and a certification expiring, and the answers to reminder
//! commands.

use super::{by, dose_line, reply, temperature, when};
use crate::messages::{quote, Choice, Msg, RenderContext, Reply, Tone};

pub(super) fn render(msg: &Msg, ctx: &RenderContext) -> Reply {
    use Tone::*;
    let fahrenheit = ctx.country == "US";
    match msg {
        Msg::ReminderDose {
            reminder_id,
            child,
            medication,
            amount,
            due_at,
            escalated,
            buttons,
        } => {
            let head = if *escalated {
                format!("Nobody has confirmed {child}'s {medication} ({amount}) due at {}.", when(*due_at, ctx))
            } else {
                format!("Time for {child}'s {medication}: {amount} (due {}).", when(*due_at, ctx))
            };
            let mut r = if *buttons {
                reply(head, Warning, msg)
            } else {
                reply(
                    format!("{head}\nReply GIVEN or SKIP <reason>."),
                    Warning,
                    msg,
                )
            };
            if *buttons {
                r.choices = vec![
                    Choice {
                        label: "Given".into(),
                        value: format!("reminder {reminder_id} given"),
                    },
                    Choice {
                        label: "Skip".into(),
                        value: format!("reminder {reminder_id} skip"),
                    },
                ];
            }
            r
        }
        Msg::ReminderCourseEnd { child, medication } => reply(
            format!("Today is the last day of {child}'s {medication}."),
            Info,
            msg,
        ),
        Msg::ReminderAppointment {
            child,
            starts_at,
            tomorrow: true,
        } => reply(
            format!("{child} has an appointment {}.", when(*starts_at, ctx)),
            Info,
            msg,
        ),
        Msg::ReminderAppointment { child, starts_at, .. } => reply(
            format!("{child}'s appointment is at {} — within the hour.", when(*starts_at, ctx)),
            Info,
            msg,
        ),
        Msg::DailySummary { day, children } => {
            let mut text = format!("Today, {}:", day.format("%a %-d %b"));
            if children.is_empty() {
                text.push_str("\nNo children in care.");
            }
            for c in children {
                text.push_str(&format!("\n*{}*", c.child));
                if c.doses.is_empty() && c.temperatures.is_empty() && c.notes.is_empty() && c.missed.is_empty() {
                    text.push_str("\n• nothing recorded");
                }
                for d in &c.doses {
                    text.push_str(&format!("\n• dose: {}", dose_line(d, ctx)));
                }
                for (at, celsius) in &c.temperatures {
                    text.push_str(&format!("\n• temperature {} at {}", temperature(*celsius, fahrenheit), when(*at, ctx)));
                }
                for (at, author, note) in &c.notes {
                    let author = by(author);
                    text.push_str(&format!(
                        "\n• note by {author} ({}): {}",
                        when(*at, ctx),
                        quote::by(&author, note)
                    ));
                }
                for (at, medication) in &c.missed {
                    text.push_str(&format!("\n• ⚠ not given: {medication} due {}", when(*at, ctx)));
                }
            }
            reply(text, Info, msg)
        }
        Msg::ReminderSkipped { child, medication } => reply(
            format!("Skipped: {child}'s {medication}. The reason is recorded."),
            Info,
            msg,
        ),
        Msg::SkipNeedsReason => reply(
            "Why is it skipped? Reply: skip <reason> (for example: skip asleep).".into(),
            Info,
            msg,
        ),
        Msg::NoOpenReminder => reply(
            "No reminder is waiting for an answer from you.".into(),
            Info,
            msg,
        ),
        Msg::RemindersPaused { child, paused: true } => reply(
            format!("Reminders for {child} are paused. Say \"resume reminders for {child}\" to turn them back on."),
            Info,
            msg,
        ),
        Msg::RemindersPaused { child, paused: false } => reply(
            format!("Reminders for {child} are on again."),
            Info,
            msg,
        ),
        Msg::SummaryTimeSet { at } => reply(
            format!("The daily summary will come at {} every day.", at.format("%H:%M")),
            Info,
            msg,
        ),
        Msg::QuietHoursSet { starts, ends } => reply(
            format!(
                "No reminders to you from {} to {}: someone else responsible gets them, or they wait until then.",
                starts.format("%H:%M"),
                ends.format("%H:%M")
            ),
            Info,
            msg,
        ),
        Msg::ReminderShiftStart { starts_at, ends_at } => {
            // "at 08:00" today; "tomorrow 00:15" reads without the "at".
            let starts = when(*starts_at, ctx);
            let starts = if starts.starts_with(|c: char| c.is_ascii_digit()) {
                format!("at {starts}")
            } else {
                starts
            };
            reply(
                format!(
                    "Your shift starts {starts} (until {}). Say \"clock in\" when you arrive.",
                    when(*ends_at, ctx)
                ),
                Info,
                msg,
            )
        }
        Msg::ReminderCertification {
            nanny,
            certification,
            expires_on,
            expired,
            yours,
        } => {
            let date = expires_on.format("%a %-d %b %Y");
            let today = ctx.now.with_timezone(&ctx.timezone).date_naive();
            let left = match (*expires_on - today).num_days() {
                0 => "today".to_string(),
                1 => "tomorrow".to_string(),
                days => format!("in {days} days"),
            };
            let (text, tone) = match (*yours, *expired) {
                // The nanny herself: only a guardian records the new date.
                (true, true) => (
                    format!("⚠ Your {certification} expired on {date}. Once renewed, tell a guardian the new date."),
                    Warning,
                ),
                (true, false) => (
                    format!("Your {certification} expires on {date} ({left}): time to book the renewal, then tell a guardian the new date."),
                    Info,
                ),
                (false, expired) => {
                    let renew = format!(
                        "A guardian records the new date with \"profile {nanny} cert {certification} until YYYY-MM-DD\"."
                    );
                    if expired {
                        (format!("⚠ {nanny}'s {certification} expired on {date}. {renew}"), Warning)
                    } else {
                        (format!("{nanny}'s {certification} expires on {date} ({left}): time to book the renewal. {renew}"), Info)
                    }
                }
            };
            reply(text, tone, msg)
        }
        other => reply(String::new(), Info, other),
    }
}
