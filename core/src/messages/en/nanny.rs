//! English for the nanny's working day: clocking out (and the handoff report the guardians get),
//! the forgotten clock-out question, hours for payroll, the profile and the schedule.

use chrono::{Datelike, Duration, Weekday};

use super::{list, reply, temperature, when};
use crate::hours::{decimal_hours, money_text};
use crate::messages::{quote, Msg, RenderContext, Reply, Tone};
use crate::services::care::Alert;
use crate::services::nanny::{ScheduledShift, ShiftDays};

fn weekday(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// "Monday 08:00–17:00", "Fri 12 Dec 09:00–13:00".
pub(in crate::messages) fn schedule_line(s: &ScheduledShift) -> String {
    let days = match s.days {
        ShiftDays::Weekly(day) => format!("every {}", weekday(day)),
        ShiftDays::On(date) => date.format("%a %-d %b %Y").to_string(),
    };
    let next_day = if s.ends <= s.starts {
        " (next day)"
    } else {
        ""
    };
    format!(
        "{days} {}–{}{next_day}",
        s.starts.format("%H:%M"),
        s.ends.format("%H:%M")
    )
}

pub(super) fn render(msg: &Msg, ctx: &RenderContext) -> Reply {
    let us = ctx.country.eq_ignore_ascii_case("US");
    match msg {
        Msg::ClockedOut { at, minutes, told } => {
            let mut text = format!(
                "Clocked out at {} after {} h {:02} min.",
                when(*at, ctx),
                minutes / 60,
                minutes % 60
            );
            if !told.is_empty() {
                text.push_str(&format!(
                    " I've sent the handoff report to {}.",
                    list(told)
                ));
            }
            reply(text, Tone::Success, msg)
        }
        Msg::StillOnShift {
            since,
            scheduled_end,
        } => reply(
            format!(
                "Are you still working? Your shift started at {} and was scheduled to end at {}. \
                 If you have left, tell me when, like \"left at {}\": until then the shift stays \
                 open and counts no hours (it is flagged for the guardians).",
                when(*since, ctx),
                when(*scheduled_end, ctx),
                scheduled_end.with_timezone(&ctx.timezone).format("%H:%M"),
            ),
            Tone::Warning,
            msg,
        ),
        Msg::Hours {
            month,
            nannies,
            open_shifts,
            csv,
        } => {
            let mut lines = vec![format!("Hours in {month}:")];
            for n in nannies {
                let overtime = if n.overtime > Duration::zero() {
                    format!(", of which {} overtime ⚠", decimal_hours(n.overtime))
                } else {
                    String::new()
                };
                lines.push(format!(
                    "• {}: {} h{overtime}",
                    n.name,
                    decimal_hours(n.worked)
                ));
                for (starts_on, worked, over) in &n.weeks {
                    lines.push(format!(
                        "   week of {}: {} h{}",
                        starts_on.format("%a %-d %b"),
                        decimal_hours(*worked),
                        if *over { " (over 40 h: overtime)" } else { "" }
                    ));
                }
            }
            if *open_shifts > 0 {
                lines.push(format!(
                    "{open_shifts} shift(s) not clocked out yet count no hours until they are."
                ));
            }
            let mut r = reply(lines.join("\n"), Tone::Info, msg);
            if let Some(csv) = csv {
                r.document = Some(crate::messages::Document {
                    filename: format!("hours-{month}.csv"),
                    content: csv.clone(),
                });
            }
            r
        }
        Msg::NoHours { month } => reply(
            format!("No hours were clocked in {month}."),
            Tone::Info,
            msg,
        ),
        Msg::NannyProfile(p) => {
            let mut lines = vec![format!("{}'s profile:", p.name)];
            lines.push(format!(
                "• Languages: {}",
                if p.languages.is_empty() {
                    "not set".into()
                } else {
                    p.languages.join(", ")
                }
            ));
            lines.push(format!(
                "• Rate: {} an hour, overtime {} an hour",
                p.hourly_rate_cents.map(money_text).unwrap_or_else(|| "not set".into()),
                p.overtime_rate_cents.map(money_text).unwrap_or_else(|| "not set".into())
            ));
            lines.push(format!(
                "• Emergency contact: {}",
                p.emergency_contact.as_deref().unwrap_or("not set")
            ));
            let today = ctx.now.with_timezone(&ctx.timezone).date_naive();
            for c in &p.certifications {
                let state = if c.expires_on < today {
                    " ⚠ expired"
                } else if c.expires_on - today <= Duration::days(30) {
                    " ⚠ expires soon"
                } else {
                    ""
                };
                lines.push(format!(
                    "• {}: valid until {} {} {}{state}",
                    c.name,
                    c.expires_on.day(),
                    c.expires_on.format("%b"),
                    c.expires_on.year()
                ));
            }
            if p.certifications.is_empty() {
                lines.push("• Certifications: none on file".into());
            }
            if p.schedule.is_empty() {
                lines.push("• Schedule: none".into());
            } else {
                lines.push("• Schedule:".into());
                lines.extend(p.schedule.iter().map(|s| format!("   {}", schedule_line(s))));
            }
            let mut r = reply(lines.join("\n"), Tone::Info, msg);
            if p.editable {
                // Slack opens the profile form; elsewhere the chat way is explained.
                r.choices = vec![crate::messages::Choice {
                    label: "Edit profile".into(),
                    value: format!("edit profile #{}", p.member_id),
                }];
            }
            r
        }
        Msg::ScheduleSet { name, schedule } => {
            let text = if schedule.is_empty() {
                format!("{name} has no scheduled shifts now.")
            } else {
                let lines: Vec<String> = schedule
                    .iter()
                    .map(|s| format!("• {}", schedule_line(s)))
                    .collect();
                format!("{name}'s schedule:\n{}", lines.join("\n"))
            };
            reply(text, Tone::Success, msg)
        }
        Msg::WeekStartSet { day } => reply(
            format!(
                "The payroll week starts on {} from now on: overtime is counted past 40 hours in each such week.",
                weekday(*day)
            ),
            Tone::Success,
            msg,
        ),
        Msg::NannyUsage => reply(
            "For the nanny's profile and schedule, say for example:\n\
             • profile Maya  (a nanny sees their own with: my profile)\n\
             • profile Maya rate 22.50 · profile Maya overtime 33.75\n\
             • profile Maya languages English, Spanish\n\
             • profile Maya emergency Rosa Diaz 555 010 7788\n\
             • profile Maya cert CPR until 2027-03-01\n\
             • several at once: profile Maya rate 22.50; overtime 33.75 (in Slack, /mednanny edit profile Maya opens a form)\n\
             • schedule Maya Mon-Fri 8-17 · schedule Maya 2026-12-24 9-13 · schedule Maya clear\n\
             • hours · hours 2026-11 · week starts Sunday"
                .into(),
            Tone::Info,
            msg,
        ),
        Msg::Alert(Alert::Handoff(report)) => {
            let mut lines = vec![format!(
                "📋 Handoff from {}: shift {}–{}.",
                report.nanny,
                when(report.started, ctx),
                when(report.ended, ctx)
            )];
            if report.flagged {
                lines.push("⚠ The clock-out was forgotten; the end time is the one the nanny gave later.".into());
            }
            if let Some(words) = &report.words {
                lines.push(format!("{} says: “{}”", report.nanny, quote::by(&report.nanny, words)));
            }
            for d in &report.doses {
                lines.push(format!(
                    "• 💊 {} {} {} at {}{}",
                    d.child,
                    d.amount,
                    d.medication,
                    when(d.at, ctx),
                    if d.flagged { " ⚠ extra dose" } else { "" }
                ));
            }
            for t in &report.temperatures {
                lines.push(format!(
                    "• 🌡 {} {} at {}",
                    t.child,
                    temperature(t.celsius, us),
                    when(t.at, ctx)
                ));
            }
            for n in &report.notes {
                let about = n.child.as_deref().map(|c| format!("{c}: ")).unwrap_or_default();
                lines.push(format!(
                    "• 📝 {about}{} ({})",
                    quote::by(&report.nanny, &n.text),
                    when(n.at, ctx)
                ));
            }
            for i in &report.incidents {
                let about = i.child.as_deref().map(|c| format!(" about {c}")).unwrap_or_default();
                lines.push(format!(
                    "• 🚨 {} reported an emergency{about} at {}",
                    i.reported_by,
                    when(i.at, ctx)
                ));
            }
            for k in &report.skipped {
                let why = k
                    .reason
                    .as_deref()
                    .map(|r| format!(": “{}”", quote::by(&report.nanny, r)))
                    .unwrap_or_default();
                lines.push(format!(
                    "• ⏭ Skipped {}'s {} due at {}{why}",
                    k.child,
                    k.medication,
                    when(k.due_at, ctx)
                ));
            }
            if report.doses.is_empty()
                && report.temperatures.is_empty()
                && report.notes.is_empty()
                && report.incidents.is_empty()
                && report.skipped.is_empty()
            {
                lines.push("Nothing was recorded during the shift.".into());
            }
            let tone = if report.flagged || !report.incidents.is_empty() {
                Tone::Warning
            } else {
                Tone::Info
            };
            reply(lines.join("\n"), tone, msg)
        }
        _ => reply(String::new(), Tone::Info, msg),
    }
}
