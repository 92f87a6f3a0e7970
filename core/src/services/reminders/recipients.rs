//! Whom a due reminder goes to.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveTime, Utc};
use entity::{identity, member, nanny_certification, person, quiet_hours, shift, shift_schedule};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{Audience, Recipient};
use crate::domain::{IdentityKind, MemberStatus, Role};
use crate::messages::Locale;
use crate::reminders::planner::{self, ReminderKind};
use crate::reminders::store::Reminder;
use crate::services::{ServiceResult, Services};

impl Services {
    /// Whom a due reminder is meant for, by its kind: the daily summary the guardians; a shift's
    /// start its nanny alone (she is not on shift yet); a certification expiring the guardians and
    /// the nanny it belongs to; anything else whoever is responsible (the members on shift, else
    /// the guardians). `None` when the reminder is for nobody any more: its schedule or
    /// certification was removed, or its nanny left the family. The scheduler looks the audience's
    /// members up once per family and batch with [`Services::recipients`] (quiet hours leave a
    /// member out; the list is empty when everyone is, and the reminder waits).
    pub async fn reminder_audience(&self, reminder: &Reminder) -> ServiceResult<Option<Audience>> {
        Ok(Some(match reminder.kind {
            ReminderKind::DailySummary => Audience::Guardians,
            ReminderKind::ShiftStart => match self.reminded_schedule(reminder).await? {
                Some(row) => Audience::Member(row.member_id),
                None => return Ok(None),
            },
            ReminderKind::CertificationExpiry => match self.reminded_certification(reminder).await?
            {
                Some(row) => Audience::GuardiansAnd(row.member_id),
                None => return Ok(None),
            },
            ReminderKind::Dose
            | ReminderKind::CourseEnd
            | ReminderKind::AppointmentDayBefore
            | ReminderKind::AppointmentHourBefore => Audience::Responsible,
        }))
    }

    /// The family's active members the audience names, less those in their quiet hours, with how
    /// each is reached.
    pub async fn recipients(
        &self,
        family_id: i64,
        audience: Audience,
        at: DateTime<Utc>,
    ) -> ServiceResult<Vec<Recipient>> {
        Ok(self
            .recipients_in(&[(family_id, audience)], at)
            .await?
            .remove(&(family_id, audience))
            .unwrap_or_default())
    }

    /// [`Services::recipients`] for several families and audiences at once, in five queries
    /// whatever their number (members, open shifts, quiet hours, people, identities): the
    /// scheduler asks for every family of a claimed batch together, where a family at a time was
    /// most of its statements on PostgreSQL (docs/benchmarks.md).
    pub async fn recipients_in(
        &self,
        wanted: &[(i64, Audience)],
        at: DateTime<Utc>,
    ) -> ServiceResult<HashMap<(i64, Audience), Vec<Recipient>>> {
        if wanted.is_empty() {
            return Ok(HashMap::new());
        }
        let conn = self.db().conn();
        let families: Vec<i64> = wanted
            .iter()
            .map(|(family, _)| *family)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let info = self.families_info(&families).await?;
        let mut members: HashMap<i64, Vec<member::Model>> = HashMap::new();
        for m in member::Entity::find()
            .filter(member::Column::FamilyId.is_in(families.iter().copied()))
            .filter(member::Column::Status.eq(MemberStatus::Active.as_str()))
            .order_by_asc(member::Column::Id)
            .all(conn)
            .await?
        {
            members.entry(m.family_id).or_default().push(m);
        }
        let shifts_wanted: Vec<i64> = wanted
            .iter()
            .filter(|(_, audience)| *audience == Audience::Responsible)
            .map(|(family, _)| *family)
            .collect();
        let on_shift: HashSet<i64> = if shifts_wanted.is_empty() {
            HashSet::new()
        } else {
            shift::Entity::find()
                .filter(shift::Column::FamilyId.is_in(shifts_wanted))
                .filter(shift::Column::ClockOutAt.is_null())
                .all(conn)
                .await?
                .into_iter()
                .map(|s| s.member_id)
                .collect()
        };
        let member_ids = members.values().flatten().map(|m| m.id);
        let quiet: HashMap<i64, (NaiveTime, NaiveTime)> = quiet_hours::Entity::find()
            .filter(quiet_hours::Column::MemberId.is_in(member_ids))
            .all(conn)
            .await?
            .into_iter()
            .filter_map(|q| {
                Some((
                    q.member_id,
                    (
                        NaiveTime::parse_from_str(&q.starts, "%H:%M").ok()?,
                        NaiveTime::parse_from_str(&q.ends, "%H:%M").ok()?,
                    ),
                ))
            })
            .collect();
        let no_one = Vec::new();
        let chosen: Vec<((i64, Audience), Vec<&member::Model>)> = wanted
            .iter()
            .map(|&(family, audience)| {
                let members = members.get(&family).unwrap_or(&no_one);
                let tz = info.get(&family).map_or(chrono_tz::UTC, |f| f.timezone);
                let local = at.with_timezone(&tz).time();
                let awake = |m: &&member::Model| {
                    quiet
                        .get(&m.id)
                        .is_none_or(|(starts, ends)| !planner::is_quiet(local, *starts, *ends))
                };
                let guardian = |m: &&member::Model| m.role == Role::Guardian.as_str();
                let chosen = match audience {
                    Audience::Responsible => {
                        let shift_members: Vec<&member::Model> = members
                            .iter()
                            .filter(|m| on_shift.contains(&m.id))
                            .filter(awake)
                            .collect();
                        if shift_members.is_empty() {
                            members.iter().filter(guardian).filter(awake).collect()
                        } else {
                            shift_members
                        }
                    }
                    Audience::Guardians => members.iter().filter(guardian).filter(awake).collect(),
                    Audience::Member(id) => members
                        .iter()
                        .filter(|m| m.id == id)
                        .filter(awake)
                        .collect(),
                    Audience::GuardiansAnd(id) => members
                        .iter()
                        .filter(|m| guardian(m) || m.id == id)
                        .filter(awake)
                        .collect(),
                };
                ((family, audience), chosen)
            })
            .collect();
        let people: HashSet<i64> = chosen
            .iter()
            .flat_map(|(_, members)| members.iter().map(|m| m.person_id))
            .collect();
        if people.is_empty() {
            return Ok(chosen
                .into_iter()
                .map(|(key, _)| (key, Vec::new()))
                .collect());
        }
        let persons: HashMap<i64, person::Model> = person::Entity::find()
            .filter(person::Column::Id.is_in(people.iter().copied()))
            .all(conn)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let mut identities: HashMap<i64, Vec<identity::Model>> = HashMap::new();
        for i in identity::Entity::find()
            .filter(identity::Column::PersonId.is_in(people))
            .order_by_asc(identity::Column::Id)
            .all(conn)
            .await?
        {
            identities.entry(i.person_id).or_default().push(i);
        }
        let reached = |m: &member::Model| {
            let mine = identities.get(&m.person_id).map_or(&[][..], Vec::as_slice);
            let slack = mine.iter().find(|i| i.kind == IdentityKind::Slack.as_str());
            let whatsapp = mine
                .iter()
                .find(|i| i.kind == IdentityKind::Whatsapp.as_str() && i.verified);
            let prefers_whatsapp = match (slack, whatsapp) {
                (None, Some(_)) => true,
                (Some(s), Some(w)) => w.last_seen_at > s.last_seen_at,
                _ => false,
            };
            Recipient {
                member_id: m.id,
                person_id: m.person_id,
                locale: persons
                    .get(&m.person_id)
                    .map(|p| Locale::from_tag(&p.locale))
                    .unwrap_or(Locale::En),
                slack: slack.map(|i| i.external_id.clone()),
                whatsapp: whatsapp.map(|i| i.external_id.clone()),
                prefers_whatsapp,
                whatsapp_window_open: whatsapp
                    .is_some_and(|i| crate::services::phones::window_open(i.last_seen_at, at)),
            }
        };
        Ok(chosen
            .into_iter()
            .map(|(key, members)| (key, members.into_iter().map(reached).collect()))
            .collect())
    }

    /// A shift-start reminder's schedule row, while it exists and its nanny is an active member of
    /// the reminder's family.
    pub(super) async fn reminded_schedule(
        &self,
        reminder: &Reminder,
    ) -> ServiceResult<Option<shift_schedule::Model>> {
        let Some(id) = planner::subject_id(&reminder.subject) else {
            return Ok(None);
        };
        let Some(row) = shift_schedule::Entity::find_by_id(id)
            .one(self.db().conn())
            .await?
            .filter(|r| r.family_id == reminder.family_id)
        else {
            return Ok(None);
        };
        Ok(self
            .active_member_of(reminder.family_id, row.member_id)
            .await?
            .then_some(row))
    }

    /// A certification reminder's certification, while it exists and its nanny is an active member
    /// of the reminder's family.
    pub(super) async fn reminded_certification(
        &self,
        reminder: &Reminder,
    ) -> ServiceResult<Option<nanny_certification::Model>> {
        let Some(id) = planner::subject_id(&reminder.subject) else {
            return Ok(None);
        };
        let Some(row) = nanny_certification::Entity::find_by_id(id)
            .one(self.db().conn())
            .await?
        else {
            return Ok(None);
        };
        Ok(self
            .active_member_of(reminder.family_id, row.member_id)
            .await?
            .then_some(row))
    }

    async fn active_member_of(&self, family_id: i64, member_id: i64) -> ServiceResult<bool> {
        Ok(member::Entity::find_by_id(member_id)
            .one(self.db().conn())
            .await?
            .is_some_and(|m| {
                m.family_id == family_id && MemberStatus::parse(&m.status) == MemberStatus::Active
            }))
    }
}
