//! Spanish for the dashboard (Slack's App Home): each child's medicines with the last dose and the
//! next allowed time, who is on shift, the last 24 hours, and what can be done with each medicine.

use super::{after, amount, at, by, dose_line, list, temperature, when};
use crate::messages::{Choice, DashboardText, DoseLine, RenderContext};
use crate::services::dashboard::{Dashboard, RecentEntry};

pub(in crate::messages) fn render_dashboard(d: &Dashboard, ctx: &RenderContext) -> DashboardText {
    let children = d
        .children
        .iter()
        .map(|child| {
            let lines = if child.medications.is_empty() {
                vec!["Sin medicinas activas.".to_string()]
            } else {
                child
                    .medications
                    .iter()
                    .map(|m| {
                        let due = m
                            .next_scheduled_at
                            .map(|next| format!(" · le toca {}", at(next, ctx)))
                            .unwrap_or_default();
                        let next = match m.next_allowed_at {
                            // The check could not be done: no time it could not compute, and no
                            // "last dose" either (which doses count is unknown).
                            None => {
                                return format!(
                                    "{} ({}): ⚠ ahora no puedo revisar las dosis con seguridad — revisa la etiqueta y las últimas dosis{due}",
                                    m.name,
                                    amount(m.dose)
                                )
                            }
                            Some(next) if next <= ctx.now => "puede tomarla ya".to_string(),
                            Some(next) => format!("siguiente dosis {}", after("desde", next, ctx)),
                        };
                        let last = match &m.last {
                            Some(dose) => format!(
                                "última: {} de {}, por {}, {}",
                                amount(dose.amount),
                                dose.medication_name,
                                by(&dose.given_by),
                                at(dose.given_at, ctx)
                            ),
                            None => "ninguna dosis en el último día".into(),
                        };
                        format!("{} ({}): {last} · {next}{due}", m.name, amount(m.dose))
                    })
                    .collect()
            };
            (child.name.clone(), lines)
        })
        .collect();
    let on_shift = if d.on_shift.is_empty() {
        "No hay nadie de turno.".to_string()
    } else {
        let names: Vec<String> = d
            .on_shift
            .iter()
            .map(|s| format!("{} ({})", s.name, after("desde", s.since, ctx)))
            .collect();
        format!("De turno: {}", list(&names))
    };
    let recent = d
        .recent
        .iter()
        .map(|entry| match entry {
            RecentEntry::Dose(dose) => {
                format!(
                    "{}: {}",
                    dose.child_name,
                    dose_line(&DoseLine::from(dose), ctx)
                )
            }
            RecentEntry::Temperature {
                child,
                celsius,
                at: moment,
                by: who,
            } => format!(
                "{} — {child}: temperatura {}, por {}",
                when(*moment, ctx),
                temperature(*celsius, ctx.country == "US"),
                by(who)
            ),
            RecentEntry::Note {
                child,
                at: moment,
                by: who,
            } => {
                format!("{} — {child}: nota de {}", when(*moment, ctx), by(who))
            }
        })
        .collect();
    let actions = d
        .children
        .iter()
        .filter(|child| !child.medications.is_empty())
        .map(|child| {
            let choices = child
                .medications
                .iter()
                .flat_map(|m| {
                    [
                        Choice {
                            label: format!("Dar {}", m.name),
                            value: format!("give #{}", m.id),
                        },
                        Choice {
                            label: "Cambiar".into(),
                            value: format!("change #{}", m.id),
                        },
                        Choice {
                            label: "Suspender".into(),
                            value: format!("stop #{}", m.id),
                        },
                    ]
                })
                .collect();
            (child.name.clone(), choices)
        })
        .collect();
    DashboardText {
        title: format!("Familia {}", d.family),
        children,
        actions,
        on_shift,
        recent_title: "Últimas 24 horas".into(),
        recent,
        footer: format!(
            "Actualizado {}. Horario de {}.",
            at(ctx.now, ctx),
            ctx.timezone
        ),
    }
}
