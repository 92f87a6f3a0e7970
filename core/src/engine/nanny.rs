//! Running the nanny's commands: which member a guardian named (never a guess), then one service
//! call. The services authorize (a nanny sees only their own profile and hours) and audit.

use super::command::{NannyCommand, ProfileEdit};
use super::keeping::find_member;
use super::machine::TaskResult;
use super::store::ConversationStore;
use super::{Engine, Scene};
use crate::hours::YearMonth;
use crate::messages::{HoursLine, Msg};
use crate::services::nanny::{Certification, ProfileChange, ScheduledShift};
use crate::services::ServiceResult;

impl<S: ConversationStore> Engine<S> {
    pub(super) async fn nanny(
        &self,
        command: NannyCommand,
        scene: &Scene,
    ) -> ServiceResult<TaskResult> {
        let services = &self.services;
        let actor = &scene.actor;
        let family_id = scene.family.id;
        let answer = |msg: Msg| Ok(TaskResult::Answered(vec![msg]));
        // The member a guardian named, or the message that says why none was picked.
        macro_rules! member {
            ($who:expr) => {{
                let members = self.family_members(scene).await?;
                match find_member(&members, $who) {
                    Ok(found) => (found.member_id, found.name.clone()),
                    Err(msg) => return answer(msg),
                }
            }};
        }
        match command {
            NannyCommand::Usage => answer(Msg::NannyUsage),
            NannyCommand::Profile { who: None } => {
                let profile = services.nanny_profile(actor, family_id, None).await?;
                answer(Msg::NannyProfile(Box::new(profile)))
            }
            NannyCommand::Profile { who: Some(who) } => {
                let (member_id, _) = member!(&who);
                let profile = services
                    .nanny_profile(actor, family_id, Some(member_id))
                    .await?;
                answer(Msg::NannyProfile(Box::new(profile)))
            }
            NannyCommand::EditProfile { who, edits } => {
                let (member_id, _) = member!(&who);
                // Every change said at once, in one write (all or none).
                let mut change = ProfileChange::default();
                for edit in edits {
                    match edit {
                        ProfileEdit::Rate(cents) => change.hourly_rate_cents = Some(cents),
                        ProfileEdit::Overtime(cents) => change.overtime_rate_cents = Some(cents),
                        ProfileEdit::Languages(list) => change.languages = Some(list),
                        ProfileEdit::Emergency(contact) => change.emergency_contact = Some(contact),
                        ProfileEdit::Certification { name, expires_on } => {
                            change.certification = Some(Certification { name, expires_on })
                        }
                    }
                }
                let profile = services
                    .set_nanny_profile(actor, family_id, member_id, change)
                    .await?;
                answer(Msg::NannyProfile(Box::new(profile)))
            }
            NannyCommand::Schedule {
                who,
                days,
                starts,
                ends,
            } => {
                let (member_id, name) = member!(&who);
                let slots: Vec<ScheduledShift> = days
                    .into_iter()
                    .map(|days| ScheduledShift { days, starts, ends })
                    .collect();
                let schedule = services
                    .add_scheduled_shifts(actor, family_id, member_id, &slots)
                    .await?;
                answer(Msg::ScheduleSet { name, schedule })
            }
            NannyCommand::ClearSchedule { who } => {
                let (member_id, name) = member!(&who);
                services.clear_schedule(actor, family_id, member_id).await?;
                answer(Msg::ScheduleSet {
                    name,
                    schedule: Vec::new(),
                })
            }
            NannyCommand::WeekStart(day) => {
                services.set_week_start(actor, family_id, day).await?;
                answer(Msg::WeekStartSet { day })
            }
            NannyCommand::Hours { month } => {
                let month = month.unwrap_or_else(|| {
                    YearMonth::of(scene.now.with_timezone(&scene.family.timezone).date_naive())
                });
                let payroll = services.payroll_month(actor, family_id, month).await?;
                answer(hours_message(&payroll))
            }
        }
    }
}

/// A payroll month as the chat says it, with the payroll CSV attached (Slack shares it as a file
/// in the asker's DM; the console prints it).
pub fn hours_message(payroll: &crate::services::hours::PayrollMonth) -> Msg {
    let month = payroll.month.to_string();
    if payroll.hours.is_empty() && payroll.open_shifts == 0 {
        return Msg::NoHours { month };
    }
    Msg::Hours {
        month,
        nannies: payroll
            .hours
            .iter()
            .map(|n| HoursLine {
                name: payroll.name_of(n.member_id).to_string(),
                worked: n.month.worked,
                overtime: n.month.overtime,
                weeks: n
                    .weeks
                    .iter()
                    .map(|w| (w.starts_on, w.in_month.worked, w.overtime()))
                    .collect(),
            })
            .collect(),
        open_shifts: payroll.open_shifts,
        csv: Some(payroll.csv()),
    }
}
