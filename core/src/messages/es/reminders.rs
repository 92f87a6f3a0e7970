//! Spanish for reminders. The replies quoted (GIVEN, SKIP, resume reminders) stay as typed: they
//! are what the parser reads (it reads DADO, OMITIR and "reanudar recordatorios" too).

use super::format::weekday_date;
use super::{after, amount, at, by, reply, temperature, when};
use crate::messages::{quote, Choice, Msg, RenderContext, Reply, Tone};

pub(super) fn render(msg: &Msg, ctx: &RenderContext) -> Reply {
    use Tone::*;
    let fahrenheit = ctx.country == "US";
    match msg {
        Msg::ReminderDose {
            reminder_id,
            child,
            medication,
            amount: dose,
            due_at,
            escalated,
            buttons,
        } => {
            let head = if *escalated {
                format!(
                    "Nadie ha confirmado {} de {medication} para {child}, que tocaba {}.",
                    amount(*dose),
                    at(*due_at, ctx)
                )
            } else {
                format!(
                    "Le toca a {child}: {} de {medication} ({}).",
                    amount(*dose),
                    when(*due_at, ctx)
                )
            };
            let mut r = if *buttons {
                reply(head, Warning, msg)
            } else {
                reply(
                    format!("{head}\nResponde DADO o OMITIR <motivo>."),
                    Warning,
                    msg,
                )
            };
            if *buttons {
                r.choices = vec![
                    Choice {
                        label: "Dado".into(),
                        value: format!("reminder {reminder_id} given"),
                    },
                    Choice {
                        label: "Omitir".into(),
                        value: format!("reminder {reminder_id} skip"),
                    },
                ];
            }
            r
        }
        Msg::ReminderCourseEnd { child, medication } => reply(
            format!("Hoy es el último día de {medication} para {child}."),
            Info,
            msg,
        ),
        Msg::ReminderAppointment {
            child,
            starts_at,
            tomorrow: true,
        } => reply(
            format!("{child} tiene una cita: {}.", when(*starts_at, ctx)),
            Info,
            msg,
        ),
        Msg::ReminderAppointment { child, starts_at, .. } => reply(
            format!("La cita de {child} es {} — en menos de una hora.", at(*starts_at, ctx)),
            Info,
            msg,
        ),
        Msg::DailySummary { day, children } => {
            let mut text = format!("Resumen de hoy, {}:", day.format("%d/%m"));
            if children.is_empty() {
                text.push_str("\nNingún niño en cuidado.");
            }
            for c in children {
                text.push_str(&format!("\n*{}*", c.child));
                if c.doses.is_empty() && c.temperatures.is_empty() && c.notes.is_empty() && c.missed.is_empty() {
                    text.push_str("\n• nada anotado");
                }
                for d in &c.doses {
                    text.push_str(&format!(
                        "\n• dosis: {} de {}, {}",
                        amount(d.amount),
                        d.medication,
                        at(d.at, ctx)
                    ));
                }
                for (moment, celsius) in &c.temperatures {
                    text.push_str(&format!(
                        "\n• temperatura {}, {}",
                        temperature(*celsius, fahrenheit),
                        at(*moment, ctx)
                    ));
                }
                for (moment, author, note) in &c.notes {
                    let author = by(author);
                    text.push_str(&format!(
                        "\n• nota de {author} ({}): {}",
                        when(*moment, ctx),
                        quote::by(&author, note)
                    ));
                }
                for (moment, medication) in &c.missed {
                    text.push_str(&format!(
                        "\n• ⚠ sin dar: {medication}, que tocaba {}",
                        at(*moment, ctx)
                    ));
                }
            }
            reply(text, Info, msg)
        }
        Msg::ReminderSkipped { child, medication } => reply(
            format!("Omitida: {medication} de {child}. El motivo queda anotado."),
            Info,
            msg,
        ),
        Msg::SkipNeedsReason => reply(
            "¿Por qué se omite? Responde: omitir <motivo> (por ejemplo: omitir dormido).".into(),
            Info,
            msg,
        ),
        Msg::NoOpenReminder => reply(
            "No hay ningún recordatorio esperando tu respuesta.".into(),
            Info,
            msg,
        ),
        Msg::RemindersPaused { child, paused: true } => reply(
            format!("Los recordatorios de {child} están en pausa. Escribe \"reanudar recordatorios de {child}\" para volver a activarlos."),
            Info,
            msg,
        ),
        Msg::RemindersPaused { child, paused: false } => reply(
            format!("Los recordatorios de {child} están activos otra vez."),
            Info,
            msg,
        ),
        Msg::SummaryTimeSet { at } => reply(
            format!("El resumen diario llegará cada día a las {}.", at.format("%H:%M")),
            Info,
            msg,
        ),
        Msg::QuietHoursSet { starts, ends } => reply(
            format!(
                "Sin recordatorios para ti de {} a {}: los recibe otra persona responsable, o esperan hasta entonces.",
                starts.format("%H:%M"),
                ends.format("%H:%M")
            ),
            Info,
            msg,
        ),
        Msg::ReminderShiftStart { starts_at, ends_at } => reply(
            format!(
                "Tu turno empieza {} ({}). Escribe \"ya llegué\" cuando llegues.",
                at(*starts_at, ctx),
                after("hasta", *ends_at, ctx)
            ),
            Info,
            msg,
        ),
        Msg::ReminderCertification {
            nanny,
            certification,
            expires_on,
            expired,
            yours,
        } => {
            let date = weekday_date(*expires_on);
            let today = ctx.now.with_timezone(&ctx.timezone).date_naive();
            let left = match (*expires_on - today).num_days() {
                0 => "hoy".to_string(),
                1 => "mañana".to_string(),
                days => format!("dentro de {days} días"),
            };
            let (text, tone) = match (*yours, *expired) {
                // La niñera misma: solo un tutor anota la nueva fecha.
                (true, true) => (
                    format!("⚠ Tu certificado «{certification}» venció el {date}. Cuando lo renueves, dile la nueva fecha a un tutor."),
                    Warning,
                ),
                (true, false) => (
                    format!("Tu certificado «{certification}» vence el {date} ({left}): hay que reservar la renovación; luego dile la nueva fecha a un tutor."),
                    Info,
                ),
                (false, expired) => {
                    let renew = format!(
                        "Un tutor anota la nueva fecha con \"perfil {nanny} certificado {certification} hasta AAAA-MM-DD\"."
                    );
                    if expired {
                        (format!("⚠ El certificado «{certification}» de {nanny} venció el {date}. {renew}"), Warning)
                    } else {
                        (format!("El certificado «{certification}» de {nanny} vence el {date} ({left}): hay que reservar la renovación. {renew}"), Info)
                    }
                }
            };
            reply(text, tone, msg)
        }
        other => reply(String::new(), Info, other),
    }
}
