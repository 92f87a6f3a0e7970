//! A nanny's profile (languages, certifications and when they expire, hourly and overtime rates,
//! an emergency contact sealed at rest), their scheduled shifts (one-off or weekly, in the family's
//! time zone) and the family's payroll week. Guardians manage them (`ManageNannies`); a nanny reads
//! their own profile and schedule, nobody else's. Every call is authorized and audited.
//!
//! The reminder scheduler reads schedules and certifications in bulk (`Services::reminder_plans`)
//! and the pure planner expands them ([`ScheduledShift::on`]): shift starts and certifications
//! expiring are reminders like any other.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use entity::{family_payroll, member, nanny_certification, nanny_profile, shift_schedule};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};

use super::{Authorized, Problem, ServiceError, ServiceResult, Services, Target};
use crate::auth::{Actor, Permission, Scope};
use crate::db::WriteTxn;
use crate::domain::MemberStatus;
use crate::reminders::planner::local_instant;

const MAX_FIELD_CHARS: usize = 200;

/// A nanny's profile, opened for a guardian or the nanny themself.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NannyProfile {
    pub member_id: i64,
    pub name: String,
    pub languages: Vec<String>,
    pub hourly_rate_cents: Option<i64>,
    pub overtime_rate_cents: Option<i64>,
    pub emergency_contact: Option<String>,
    pub certifications: Vec<Certification>,
    pub schedule: Vec<ScheduledShift>,
    /// The reader may change it (a guardian): channels with forms offer one.
    pub editable: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Certification {
    pub name: String,
    pub expires_on: NaiveDate,
}

/// A change to a profile: only the fields given change.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProfileChange {
    pub languages: Option<Vec<String>>,
    pub hourly_rate_cents: Option<i64>,
    pub overtime_rate_cents: Option<i64>,
    pub emergency_contact: Option<String>,
    /// A certification added (or its expiry renewed, matched by name).
    pub certification: Option<Certification>,
}

/// When a scheduled shift happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShiftDays {
    Weekly(Weekday),
    On(NaiveDate),
}

/// A scheduled shift, in the family's local time; `ends` at or before `starts` is the next day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduledShift {
    pub days: ShiftDays,
    pub starts: NaiveTime,
    pub ends: NaiveTime,
}

fn minute_of(time: NaiveTime) -> i32 {
    use chrono::Timelike;
    (time.hour() * 60 + time.minute()) as i32
}

fn time_of(minute: i32) -> NaiveTime {
    let minute = minute.rem_euclid(24 * 60) as u32;
    NaiveTime::from_hms_opt(minute / 60, minute % 60, 0).unwrap_or_default()
}

fn weekday_of(iso: i32) -> Weekday {
    match iso {
        2 => Weekday::Tue,
        3 => Weekday::Wed,
        4 => Weekday::Thu,
        5 => Weekday::Fri,
        6 => Weekday::Sat,
        7 => Weekday::Sun,
        _ => Weekday::Mon,
    }
}

fn iso(weekday: Weekday) -> i32 {
    weekday.number_from_monday() as i32
}

fn short(text: &str) -> ServiceResult<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Problem::EmptyText.into());
    }
    if text.chars().count() > MAX_FIELD_CHARS {
        return Err(Problem::TextTooLong {
            max: MAX_FIELD_CHARS,
        }
        .into());
    }
    Ok(text.to_string())
}

fn rate(cents: Option<i64>) -> ServiceResult<Option<i64>> {
    match cents {
        Some(c) if !(1..=100_000).contains(&c) => Err(Problem::BadRate.into()),
        other => Ok(other),
    }
}

impl ScheduledShift {
    pub(super) fn from_row(row: &shift_schedule::Model) -> Self {
        Self {
            days: match (row.on_date, row.weekday) {
                (Some(day), _) => ShiftDays::On(day),
                (None, weekday) => ShiftDays::Weekly(weekday_of(weekday.unwrap_or(1))),
            },
            starts: time_of(row.starts_minute),
            ends: time_of(row.ends_minute),
        }
    }

    /// The shift's occurrence starting on `day`, if it happens that day, as instants (a start in a
    /// skipped hour moves to the first instant after it, one that happens twice is the first: the
    /// planner's rule, so a reminder and the shift agree).
    pub fn on(&self, day: NaiveDate, tz: chrono_tz::Tz) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let happens = match self.days {
            ShiftDays::Weekly(weekday) => day.weekday() == weekday,
            ShiftDays::On(date) => date == day,
        };
        if !happens {
            return None;
        }
        let end_day = if self.ends <= self.starts {
            day + Duration::days(1)
        } else {
            day
        };
        Some((
            local_instant(tz, day, self.starts),
            local_instant(tz, end_day, self.ends),
        ))
    }
}

impl Services {
    /// A nanny's profile: `member_id` `None` is the actor's own (any member with shifts); another
    /// member's is for guardians only.
    pub async fn nanny_profile(
        &self,
        actor: &Actor,
        family_id: i64,
        member_id: Option<i64>,
    ) -> ServiceResult<NannyProfile> {
        self.authorized_as(
            actor,
            Permission::ClockInOut,
            Target::Family(family_id),
            "nanny.profile.view",
            |p: &NannyProfile| format!("member:{}", p.member_id),
            async |txn, auth| {
                let member_id = self.whose(auth, member_id)?;
                let mut profile = self.load_profile(txn, family_id, member_id).await?;
                profile.editable = auth.role == Some(crate::domain::Role::Guardian);
                Ok(profile)
            },
        )
        .await
    }

    /// Changes a nanny's profile (guardians). The emergency contact is sealed at rest.
    pub async fn set_nanny_profile(
        &self,
        actor: &Actor,
        family_id: i64,
        member_id: i64,
        change: ProfileChange,
    ) -> ServiceResult<NannyProfile> {
        let languages = match &change.languages {
            Some(list) => {
                let list = list
                    .iter()
                    .map(|l| short(l))
                    .collect::<ServiceResult<Vec<String>>>()?;
                Some(short(&list.join(", "))?)
            }
            None => None,
        };
        let contact = change.emergency_contact.as_deref().map(short).transpose()?;
        let hourly = rate(change.hourly_rate_cents)?;
        let overtime = rate(change.overtime_rate_cents)?;
        let certification = match &change.certification {
            Some(c) => Some((short(&c.name)?, c.expires_on)),
            None => None,
        };
        self.authorized_as(
            actor,
            Permission::ManageNannies,
            Target::Family(family_id),
            "nanny.profile.change",
            |p: &NannyProfile| format!("member:{}", p.member_id),
            async |txn, _| {
                self.nanny_member(txn, family_id, member_id).await?;
                let now = self.now();
                let existing = nanny_profile::Entity::find()
                    .filter(nanny_profile::Column::MemberId.eq(member_id))
                    .one(&**txn)
                    .await?;
                let mut row = match existing {
                    Some(row) => row.into_active_model(),
                    None => nanny_profile::ActiveModel {
                        member_id: Set(member_id),
                        created_at: Set(now),
                        ..Default::default()
                    },
                };
                if let Some(languages) = languages {
                    row.languages = Set(Some(languages));
                }
                if let Some(cents) = hourly {
                    row.hourly_rate_cents = Set(Some(cents));
                }
                if let Some(cents) = overtime {
                    row.overtime_rate_cents = Set(Some(cents));
                }
                if let Some(contact) = &contact {
                    row.emergency_contact = Set(Some(
                        self.keys()
                            .seal("nanny_profiles.emergency_contact", contact),
                    ));
                }
                row.updated_at = Set(Some(now));
                row.save(&**txn).await?;
                if let Some((name, expires_on)) = certification {
                    let same = nanny_certification::Entity::find()
                        .filter(nanny_certification::Column::MemberId.eq(member_id))
                        .all(&**txn)
                        .await?
                        .into_iter()
                        .find(|c| c.name.eq_ignore_ascii_case(&name));
                    match same {
                        Some(row) if row.expires_on != expires_on => {
                            let mut row = row.into_active_model();
                            row.expires_on = Set(expires_on);
                            row.renewed_at = Set(Some(now));
                            row.update(&**txn).await?;
                        }
                        // Said again as it is: nothing changes, no reminder is planned anew.
                        Some(_) => {}
                        None => {
                            nanny_certification::ActiveModel {
                                member_id: Set(member_id),
                                name: Set(name),
                                expires_on: Set(expires_on),
                                created_at: Set(now),
                                ..Default::default()
                            }
                            .insert(&**txn)
                            .await?;
                        }
                    }
                }
                self.load_profile(txn, family_id, member_id).await
            },
        )
        .await
    }

    /// Adds a scheduled shift for a nanny (guardians). Several slots make a week ("Mon–Fri 8–17"
    /// is five); the same slot twice is kept once.
    pub async fn add_scheduled_shifts(
        &self,
        actor: &Actor,
        family_id: i64,
        member_id: i64,
        shifts: &[ScheduledShift],
    ) -> ServiceResult<Vec<ScheduledShift>> {
        if shifts.is_empty() || shifts.iter().any(|s| s.starts == s.ends) {
            return Err(Problem::BadSchedule.into());
        }
        self.authorized_as(
            actor,
            Permission::ManageNannies,
            Target::Family(family_id),
            "nanny.schedule.add",
            |_| format!("member:{member_id}"),
            async |txn, _| {
                self.nanny_member(txn, family_id, member_id).await?;
                let existing: Vec<ScheduledShift> = self
                    .schedule_rows(&**txn, family_id, Some(member_id))
                    .await?
                    .iter()
                    .map(ScheduledShift::from_row)
                    .collect();
                for slot in shifts.iter().filter(|s| !existing.contains(s)) {
                    let (weekday, on_date) = match slot.days {
                        ShiftDays::Weekly(day) => (Some(iso(day)), None),
                        ShiftDays::On(date) => (None, Some(date)),
                    };
                    shift_schedule::ActiveModel {
                        family_id: Set(family_id),
                        member_id: Set(member_id),
                        weekday: Set(weekday),
                        on_date: Set(on_date),
                        starts_minute: Set(minute_of(slot.starts)),
                        ends_minute: Set(minute_of(slot.ends)),
                        created_at: Set(self.now()),
                        ..Default::default()
                    }
                    .insert(&**txn)
                    .await?;
                }
                Ok(self
                    .schedule_rows(&**txn, family_id, Some(member_id))
                    .await?
                    .iter()
                    .map(ScheduledShift::from_row)
                    .collect())
            },
        )
        .await
    }

    /// Clears a nanny's schedule (guardians). Shifts already worked stay as they are.
    pub async fn clear_schedule(
        &self,
        actor: &Actor,
        family_id: i64,
        member_id: i64,
    ) -> ServiceResult<u64> {
        self.authorized_as(
            actor,
            Permission::ManageNannies,
            Target::Family(family_id),
            "nanny.schedule.clear",
            |_| format!("member:{member_id}"),
            async |txn, _| {
                self.nanny_member(txn, family_id, member_id).await?;
                Ok(shift_schedule::Entity::delete_many()
                    .filter(shift_schedule::Column::FamilyId.eq(family_id))
                    .filter(shift_schedule::Column::MemberId.eq(member_id))
                    .exec(&**txn)
                    .await?
                    .rows_affected)
            },
        )
        .await
    }

    /// The day the family's payroll week starts on (Monday unless a guardian chose another).
    pub async fn week_starts_on(&self, family_id: i64) -> ServiceResult<Weekday> {
        Ok(family_payroll::Entity::find_by_id(family_id)
            .one(self.db().conn())
            .await?
            .map(|row| weekday_of(row.week_starts_on))
            .unwrap_or(Weekday::Mon))
    }

    /// Sets the day the family's payroll week starts on (guardians): weekly overtime follows it.
    pub async fn set_week_start(
        &self,
        actor: &Actor,
        family_id: i64,
        day: Weekday,
    ) -> ServiceResult<()> {
        self.authorized_as(
            actor,
            Permission::ManageNannies,
            Target::Family(family_id),
            "payroll.week_start",
            |_| format!("family:{family_id}"),
            async |txn, _| {
                let row = family_payroll::ActiveModel {
                    family_id: Set(family_id),
                    week_starts_on: Set(iso(day)),
                    updated_at: Set(self.now()),
                };
                family_payroll::Entity::insert(row)
                    .on_conflict(
                        sea_orm::sea_query::OnConflict::column(family_payroll::Column::FamilyId)
                            .update_columns([
                                family_payroll::Column::WeekStartsOn,
                                family_payroll::Column::UpdatedAt,
                            ])
                            .to_owned(),
                    )
                    .exec(&**txn)
                    .await?;
                Ok(())
            },
        )
        .await
    }

    /// The member a profile call is about: the actor's own when none is named; another's only for
    /// a caller the policy lets manage nannies.
    fn whose(&self, auth: &Authorized, member_id: Option<i64>) -> ServiceResult<i64> {
        match (member_id, auth.member_id) {
            (None, Some(own)) => Ok(own),
            (None, None) => Err(Problem::NotAMember.into()),
            (Some(wanted), own) if Some(wanted) == own => Ok(wanted),
            (Some(wanted), _) if auth.permits(Permission::ManageNannies, Scope::Family) => {
                Ok(wanted)
            }
            (Some(_), _) => Err(ServiceError::Denied),
        }
    }

    /// The member, checked to be in the family and not revoked.
    async fn nanny_member(
        &self,
        txn: &WriteTxn,
        family_id: i64,
        member_id: i64,
    ) -> ServiceResult<member::Model> {
        let row = member::Entity::find_by_id(member_id)
            .one(&**txn)
            .await?
            .filter(|m| m.family_id == family_id)
            .ok_or(ServiceError::NotFound("member"))?;
        if MemberStatus::parse(&row.status) == MemberStatus::Revoked {
            return Err(Problem::MemberRevoked.into());
        }
        Ok(row)
    }

    async fn schedule_rows<C: ConnectionTrait>(
        &self,
        db: &C,
        family_id: i64,
        member_id: Option<i64>,
    ) -> ServiceResult<Vec<shift_schedule::Model>> {
        let mut query =
            shift_schedule::Entity::find().filter(shift_schedule::Column::FamilyId.eq(family_id));
        if let Some(member_id) = member_id {
            query = query.filter(shift_schedule::Column::MemberId.eq(member_id));
        }
        Ok(query
            .order_by_asc(shift_schedule::Column::OnDate)
            .order_by_asc(shift_schedule::Column::Weekday)
            .order_by_asc(shift_schedule::Column::StartsMinute)
            .all(db)
            .await?)
    }

    /// A nanny's schedule, for the shift service (the scheduled end of a clock-in).
    pub(super) async fn schedule_of<C: ConnectionTrait>(
        &self,
        db: &C,
        family_id: i64,
        member_id: i64,
    ) -> ServiceResult<Vec<ScheduledShift>> {
        Ok(self
            .schedule_rows(db, family_id, Some(member_id))
            .await?
            .iter()
            .map(ScheduledShift::from_row)
            .collect())
    }

    async fn load_profile(
        &self,
        txn: &WriteTxn,
        family_id: i64,
        member_id: i64,
    ) -> ServiceResult<NannyProfile> {
        let member = self.nanny_member(txn, family_id, member_id).await?;
        let names = self.member_names(&**txn, family_id, [member_id]).await?;
        let row = nanny_profile::Entity::find()
            .filter(nanny_profile::Column::MemberId.eq(member_id))
            .one(&**txn)
            .await?;
        let certifications = nanny_certification::Entity::find()
            .filter(nanny_certification::Column::MemberId.eq(member_id))
            .order_by_asc(nanny_certification::Column::ExpiresOn)
            .all(&**txn)
            .await?
            .into_iter()
            .map(|c| Certification {
                name: c.name,
                expires_on: c.expires_on,
            })
            .collect();
        let schedule = self.schedule_of(&**txn, family_id, member_id).await?;
        let mut profile = NannyProfile {
            member_id: member.id,
            name: names.get(&member_id).cloned().unwrap_or_default(),
            certifications,
            schedule,
            ..Default::default()
        };
        if let Some(row) = row {
            profile.languages = row
                .languages
                .as_deref()
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect();
            profile.hourly_rate_cents = row.hourly_rate_cents;
            profile.overtime_rate_cents = row.overtime_rate_cents;
            profile.emergency_contact = self.keys().open_opt(
                "nanny_profiles.emergency_contact",
                row.emergency_contact.as_deref(),
            )?;
        }
        Ok(profile)
    }

    /// The nannies of a family (active caregivers), with their rates, for payroll.
    pub(super) async fn nannies<C: ConnectionTrait>(
        &self,
        db: &C,
        family_id: i64,
    ) -> ServiceResult<Vec<crate::hours::PayrollNanny>> {
        let members = member::Entity::find()
            .filter(member::Column::FamilyId.eq(family_id))
            .all(db)
            .await?;
        let names = self
            .member_names(db, family_id, members.iter().map(|m| m.id))
            .await?;
        let profiles = nanny_profile::Entity::find()
            .filter(nanny_profile::Column::MemberId.is_in(members.iter().map(|m| m.id)))
            .all(db)
            .await?;
        Ok(members
            .iter()
            .map(|m| {
                let profile = profiles.iter().find(|p| p.member_id == m.id);
                crate::hours::PayrollNanny {
                    member_id: m.id,
                    name: names.get(&m.id).cloned().unwrap_or_default(),
                    hourly_rate_cents: profile.and_then(|p| p.hourly_rate_cents),
                    overtime_rate_cents: profile.and_then(|p| p.overtime_rate_cents),
                }
            })
            .collect())
    }
}
