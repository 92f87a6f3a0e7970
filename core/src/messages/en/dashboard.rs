//! English for the dashboard (Slack's App Home): each child's medicines with the last dose and the
//! next allowed time, who is on shift, the last 24 hours, and what can be done with each medicine.

use super::{by, dose_line, list, temperature, when};
use crate::messages::{Choice, DashboardText, DoseLine, RenderContext};
use crate::services::dashboard::{Dashboard, RecentEntry};

pub(in crate::messages) fn render_dashboard(d: &Dashboard, ctx: &RenderContext) -> DashboardText {
    let children = d
        .children
        .iter()
        .map(|child| {
            let lines = if child.medications.is_empty() {
                vec!["No active medications.".to_string()]
            } else {
                child
                    .medications
                    .iter()
                    .map(|m| {
                        let due = m
                            .next_scheduled_at
                            .map(|at| format!(" · due {}", when(at, ctx)))
                            .unwrap_or_default();
                        let next = match m.next_allowed_at {
                            // The check could not be done: no time it could not compute, and no
                            // "last dose" either (which doses count is unknown).
                            None => {
                                return format!(
                                    "{} ({}): ⚠ can't check doses safely right now — check the label and the last doses given{due}",
                                    m.name, m.dose
                                )
                            }
                            Some(at) if at <= ctx.now => "can have it now".to_string(),
                            Some(at) => format!("next allowed {}", when(at, ctx)),
                        };
                        let last = match &m.last {
                            Some(dose) => format!(
                                "last {} {} by {} at {}",
                                dose.amount,
                                dose.medication_name,
                                by(&dose.given_by),
                                when(dose.given_at, ctx)
                            ),
                            None => "no dose in the last day".into(),
                        };
                        format!("{} ({}): {last} · {next}{due}", m.name, m.dose)
                    })
                    .collect()
            };
            (child.name.clone(), lines)
        })
        .collect();
    let on_shift = if d.on_shift.is_empty() {
        "Nobody is on shift.".to_string()
    } else {
        let names: Vec<String> = d
            .on_shift
            .iter()
            .map(|s| format!("{} (since {})", s.name, when(s.since, ctx)))
            .collect();
        format!("On shift: {}", list(&names))
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
                at,
                by: who,
            } => format!(
                "{} — {child}: temperature {} by {}",
                when(*at, ctx),
                temperature(*celsius, ctx.country == "US"),
                by(who)
            ),
            RecentEntry::Note { child, at, by: who } => {
                format!("{} — {child}: note by {}", when(*at, ctx), by(who))
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
                            label: format!("Give {}", m.name),
                            value: format!("give #{}", m.id),
                        },
                        Choice {
                            label: "Change".into(),
                            value: format!("change #{}", m.id),
                        },
                        Choice {
                            label: "Stop".into(),
                            value: format!("stop #{}", m.id),
                        },
                    ]
                })
                .collect();
            (child.name.clone(), choices)
        })
        .collect();
    DashboardText {
        title: format!("The {} family", d.family),
        children,
        actions,
        on_shift,
        recent_title: "Last 24 hours".into(),
        recent,
        footer: format!(
            "Updated {}. Times are {}.",
            when(ctx.now, ctx),
            ctx.timezone
        ),
    }
}
