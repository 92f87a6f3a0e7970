//! Spanish for the nanny's working day: terminar el turno (y el informe de relevo para los
//! tutores), la pregunta cuando no se marcó la salida, las horas para la nómina, el perfil y el
//! horario. The commands shown stay the ones the parser reads.

use chrono::{Duration, Weekday};

use super::format::{date, list, short_date, temperature, weekday_date};
use super::{amount, at, reply, when};
use crate::hours::decimal_hours;
use crate::messages::{quote, Msg, RenderContext, Reply, Tone};
use crate::services::care::Alert;
use crate::services::nanny::{ScheduledShift, ShiftDays};

fn weekday(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "lunes",
        Weekday::Tue => "martes",
        Weekday::Wed => "miércoles",
        Weekday::Thu => "jueves",
        Weekday::Fri => "viernes",
        Weekday::Sat => "sábado",
        Weekday::Sun => "domingo",
    }
}

fn money(cents: i64) -> String {
    format!("{},{:02}", cents / 100, cents % 100)
}

fn hours(d: Duration) -> String {
    number_text(&decimal_hours(d))
}

fn number_text(text: &str) -> String {
    text.replace('.', ",")
}

/// "cada lunes 08:00–17:00", "viernes 12 de diciembre de 2026 09:00–13:00".
fn schedule_line(s: &ScheduledShift) -> String {
    let days = match s.days {
        ShiftDays::Weekly(day) => format!("cada {}", weekday(day)),
        ShiftDays::On(d) => weekday_date(d),
    };
    let next_day = if s.ends <= s.starts {
        " (día siguiente)"
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
        Msg::ClockedOut {
            at: end,
            minutes,
            told,
        } => {
            let mut text = format!(
                "Turno terminado {} tras {} h {:02} min.",
                at(*end, ctx),
                minutes / 60,
                minutes % 60
            );
            if !told.is_empty() {
                text.push_str(&format!(
                    " Envié el informe de relevo a {}.",
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
                "¿Sigues trabajando? Tu turno empezó {} y debía terminar {}. Si ya te fuiste, \
                 dime a qué hora, así: \"left at {}\". Hasta entonces el turno sigue abierto, no \
                 cuenta horas y queda marcado para los tutores.",
                at(*since, ctx),
                at(*scheduled_end, ctx),
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
            let mut lines = vec![format!("Horas en {month}:")];
            for n in nannies {
                let overtime = if n.overtime > Duration::zero() {
                    format!(", {} de ellas extra ⚠", hours(n.overtime))
                } else {
                    String::new()
                };
                lines.push(format!("• {}: {} h{overtime}", n.name, hours(n.worked)));
                for (starts_on, worked, over) in &n.weeks {
                    lines.push(format!(
                        "   semana del {}: {} h{}",
                        short_date(*starts_on),
                        hours(*worked),
                        if *over {
                            " (más de 40 h: horas extra)"
                        } else {
                            ""
                        }
                    ));
                }
            }
            if *open_shifts > 0 {
                lines.push(format!(
                    "{open_shifts} turno(s) sin salida marcada aún no cuentan horas."
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
            format!("No se marcaron horas en {month}."),
            Tone::Info,
            msg,
        ),
        Msg::NannyProfile(p) => {
            let unset = || "sin datos".to_string();
            let mut lines = vec![format!("Perfil de {}:", p.name)];
            lines.push(format!(
                "• Idiomas: {}",
                if p.languages.is_empty() {
                    unset()
                } else {
                    p.languages.join(", ")
                }
            ));
            lines.push(format!(
                "• Tarifa: {} por hora, horas extra {} por hora",
                p.hourly_rate_cents.map(money).unwrap_or_else(unset),
                p.overtime_rate_cents.map(money).unwrap_or_else(unset)
            ));
            lines.push(format!(
                "• Contacto de emergencia: {}",
                p.emergency_contact.clone().unwrap_or_else(unset)
            ));
            let today = ctx.now.with_timezone(&ctx.timezone).date_naive();
            for c in &p.certifications {
                let state = if c.expires_on < today {
                    " ⚠ vencido"
                } else if c.expires_on - today <= Duration::days(30) {
                    " ⚠ vence pronto"
                } else {
                    ""
                };
                lines.push(format!(
                    "• {}: válido hasta el {}{state}",
                    c.name,
                    date(c.expires_on)
                ));
            }
            if p.certifications.is_empty() {
                lines.push("• Certificados: ninguno registrado".into());
            }
            if p.schedule.is_empty() {
                lines.push("• Horario: ninguno".into());
            } else {
                lines.push("• Horario:".into());
                lines.extend(p.schedule.iter().map(|s| format!("   {}", schedule_line(s))));
            }
            let mut r = reply(lines.join("\n"), Tone::Info, msg);
            if p.editable {
                // Slack opens the profile form; elsewhere the chat way is explained.
                r.choices = vec![crate::messages::Choice {
                    label: "Editar perfil".into(),
                    value: format!("edit profile #{}", p.member_id),
                }];
            }
            r
        }
        Msg::ScheduleSet { name, schedule } => {
            let text = if schedule.is_empty() {
                format!("{name} ya no tiene turnos programados.")
            } else {
                let lines: Vec<String> = schedule
                    .iter()
                    .map(|s| format!("• {}", schedule_line(s)))
                    .collect();
                format!("Horario de {name}:\n{}", lines.join("\n"))
            };
            reply(text, Tone::Success, msg)
        }
        Msg::WeekStartSet { day } => reply(
            format!(
                "Desde ahora la semana de nómina empieza el {}: las horas extra se cuentan pasadas las 40 horas de cada semana.",
                weekday(*day)
            ),
            Tone::Success,
            msg,
        ),
        Msg::NannyUsage => reply(
            "Para el perfil y el horario de la niñera, di por ejemplo:\n\
             • profile Maya  (la niñera ve el suyo con: my profile)\n\
             • profile Maya rate 22.50 · profile Maya overtime 33.75\n\
             • profile Maya languages English, Spanish\n\
             • profile Maya emergency Rosa Díaz 555 010 7788\n\
             • profile Maya cert CPR until 2027-03-01\n\
             • varios a la vez: profile Maya rate 22.50; overtime 33.75 (en Slack, /mednanny edit profile Maya abre un formulario)\n\
             • schedule Maya Mon-Fri 8-17 · schedule Maya 2026-12-24 9-13 · schedule Maya clear\n\
             • hours · hours 2026-11 · week starts Sunday"
                .into(),
            Tone::Info,
            msg,
        ),
        Msg::Alert(Alert::Handoff(report)) => {
            let mut lines = vec![format!(
                "📋 Relevo de {}: turno {} – {}.",
                report.nanny,
                when(report.started, ctx),
                when(report.ended, ctx)
            )];
            if report.flagged {
                lines.push(
                    "⚠ No se marcó la salida a tiempo; la hora de fin es la que dio la niñera después."
                        .into(),
                );
            }
            if let Some(words) = &report.words {
                lines.push(format!("{} dice: «{}»", report.nanny, quote::by(&report.nanny, words)));
            }
            for d in &report.doses {
                lines.push(format!(
                    "• 💊 {}: {} de {} {}{}",
                    d.child,
                    amount(d.amount),
                    d.medication,
                    at(d.at, ctx),
                    if d.flagged { " ⚠ dosis extra" } else { "" }
                ));
            }
            for t in &report.temperatures {
                lines.push(format!(
                    "• 🌡 {}: {} {}",
                    t.child,
                    temperature(t.celsius, us),
                    at(t.at, ctx)
                ));
            }
            for n in &report.notes {
                let about = n
                    .child
                    .as_deref()
                    .map(|c| format!("{c}: "))
                    .unwrap_or_default();
                lines.push(format!(
                    "• 📝 {about}{} ({})",
                    quote::by(&report.nanny, &n.text),
                    when(n.at, ctx)
                ));
            }
            for i in &report.incidents {
                let about = i
                    .child
                    .as_deref()
                    .map(|c| format!(" sobre {c}"))
                    .unwrap_or_default();
                lines.push(format!(
                    "• 🚨 {} avisó de una emergencia{about} {}",
                    i.reported_by,
                    at(i.at, ctx)
                ));
            }
            for k in &report.skipped {
                let why = k
                    .reason
                    .as_deref()
                    .map(|r| format!(": «{}»", quote::by(&report.nanny, r)))
                    .unwrap_or_default();
                lines.push(format!(
                    "• ⏭ Omitida la dosis de {} de {} {}{why}",
                    k.medication,
                    k.child,
                    at(k.due_at, ctx)
                ));
            }
            if report.doses.is_empty()
                && report.temperatures.is_empty()
                && report.notes.is_empty()
                && report.incidents.is_empty()
                && report.skipped.is_empty()
            {
                lines.push("No se anotó nada durante el turno.".into());
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
