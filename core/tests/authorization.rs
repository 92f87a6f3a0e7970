//! The whole authorization policy as one table, proven through real service calls.
//!
//! For every role (guardian, caregiver on an assigned child, caregiver on a child not assigned to
//! them, viewer, revoked member, invited-but-not-joined member, a guardian of another family) ×
//! every service action × the role's own family and another family, `POLICY` says allowed or
//! denied. An allowed call succeeds, is audited, and a write changes the record (a read does not).
//! A denied call returns `ServiceError::Denied`, appends exactly one "denied" event to the target
//! family's audit chain and writes nothing else. Export and erase are covered by their own tests.
#![allow(clippy::unwrap_used)]

mod support;

use chrono::{Duration, NaiveDate};
use entity::audit_event;
use mednanny_core::audit;
use mednanny_core::auth::Actor;
use mednanny_core::demo::{self, Demo};
use mednanny_core::domain::{parse_strength, Channel, DoseAmount, DoseUnit, Role, Temperature};
use mednanny_core::services::care::{
    AllergyView, AppointmentView, ConditionView, CourseChange, DoseOutcome, DoseRequest,
    NewMedication, ProviderView, RecordEntry, RecordItem, Schedule, VaccinationView,
};
use mednanny_core::services::{ServiceError, ServiceResult, Services};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder, Statement};
use support::TestApp;

/// Who is calling. Roles are relative to the Garcia family (the "own" family).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// Ana.
    Guardian,
    /// Maya, on Emma (assigned to her).
    Nanny,
    /// Maya, on Mia (not assigned to her).
    NannyUnassigned,
    /// Vera.
    Viewer,
    /// Rosa, Emma's caregiver until Ana revoked her.
    Revoked,
    /// Paz, whose membership is still "invited" (never joined).
    Pending,
    /// Sam, who joined the Smith family with an invite and belongs to no other.
    Outsider,
}

const WHO: [Who; 7] = [
    Who::Guardian,
    Who::Nanny,
    Who::NannyUnassigned,
    Who::Viewer,
    Who::Revoked,
    Who::Pending,
    Who::Outsider,
];

/// Whose ids the call names: the Garcias' or the Smiths'.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Own,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Children,
    Medications,
    Allergies,
    Conditions,
    CheckDose,
    RecentDoses,
    LogDose,
    /// Log a dose asking to override a check that cannot be done (here the check can be done, so an
    /// allowed call logs an ordinary dose; who may ask is what the row states).
    OverrideDoseCheck,
    /// Void a dose the caller gave (the operator gave it when the caller cannot give doses).
    VoidOwnDose,
    /// Void a dose someone else gave.
    VoidOthersDose,
    Measurements,
    LogTemperature,
    LogGrowth,
    Notes,
    AddNote,
    ClockIn,
    ClockOut,
    AddChild,
    AddMedication,
    /// Approve a medication waiting for approval (here: one made pending for the call).
    ApproveMedication,
    /// List the medications waiting for approval.
    MedicationsToApprove,
    AddAllergy,
    AddCondition,
    CreateInvite,
    Members,
    RevokeMember,
    AssignCaregiver,
    /// Take a child off a caregiver's list (here: a fresh caregiver assigned for the call).
    UnassignCaregiver,
    /// Change a member's role (here: a fresh viewer made a caregiver).
    ChangeRole,
    /// Every medication a child has had, active or not (what a guardian can stop or resume).
    MedicationHistory,
    /// Stop, pause or resume a course (here: a fresh medication, paused first for resume).
    StopMedication,
    PauseMedication,
    ResumeMedication,
    /// Change a medication's rules (here: a fresh one's dose, 5 ml to 7.5 ml). A caregiver's change
    /// waits for a guardian (tests/keeping_the_record.rs).
    ChangeMedication,
    /// Rename a child (here: a fresh one).
    RenameChild,
    /// Take a child out of active care, bring one back (fresh ones), list those out of care.
    LeaveCare,
    ReturnToCare,
    ChildrenOutOfCare,
    Vaccinations,
    Appointments,
    /// The family's doctors (family-wide, like the children list).
    Providers,
    AddVaccination,
    AddAppointment,
    AddProvider,
    /// Remove an entry of each list a guardian keeps (here: one made fresh for the call).
    RemoveAllergy,
    RemoveCondition,
    RemoveVaccination,
    RemoveAppointment,
    RemoveProvider,
    /// Change an entry of each list (here: the fresh one, one field changed).
    ChangeAllergy,
    ChangeCondition,
    ChangeVaccination,
    ChangeAppointment,
    ChangeProvider,
    /// Operator-only: people join with invites.
    AddMember,
}

impl Action {
    /// Whether an allowed call changes the record (beyond its audit event).
    fn writes(self) -> bool {
        !matches!(
            self,
            Action::Children
                | Action::Medications
                | Action::Allergies
                | Action::Conditions
                | Action::CheckDose
                | Action::RecentDoses
                | Action::Measurements
                | Action::Notes
                | Action::Members
                | Action::MedicationsToApprove
                | Action::MedicationHistory
                | Action::Vaccinations
                | Action::Appointments
                | Action::Providers
                | Action::ChildrenOutOfCare
        )
    }

    /// The audit action a denial of this call is recorded under.
    fn denied_action(self) -> &'static str {
        match self {
            Action::Children => "children.view",
            Action::Medications | Action::MedicationHistory => "medications.view",
            Action::Allergies => "allergies.view",
            Action::Conditions => "conditions.view",
            Action::CheckDose | Action::RecentDoses => "doses.view",
            Action::LogDose => "dose.log",
            Action::OverrideDoseCheck => "dose.override_check",
            Action::VoidOwnDose | Action::VoidOthersDose => "dose.void",
            Action::Measurements => "measurements.view",
            Action::LogTemperature | Action::LogGrowth => "measurement.log",
            Action::Notes => "notes.view",
            Action::AddNote => "note.write",
            Action::ClockIn | Action::ClockOut => "shift.clock",
            Action::Vaccinations => "vaccinations.view",
            Action::Appointments => "appointments.view",
            Action::Providers => "providers.view",
            Action::AddChild
            | Action::RenameChild
            | Action::LeaveCare
            | Action::ReturnToCare
            | Action::ChildrenOutOfCare
            | Action::AddAllergy
            | Action::AddCondition
            | Action::AddVaccination
            | Action::AddAppointment
            | Action::AddProvider
            | Action::RemoveAllergy
            | Action::RemoveCondition
            | Action::RemoveVaccination
            | Action::RemoveAppointment
            | Action::RemoveProvider
            | Action::ChangeAllergy
            | Action::ChangeCondition
            | Action::ChangeVaccination
            | Action::ChangeAppointment
            | Action::ChangeProvider
            | Action::StopMedication
            | Action::PauseMedication
            | Action::ResumeMedication => "children.manage",
            Action::AddMedication | Action::ChangeMedication => "medication.add",
            Action::ApproveMedication | Action::MedicationsToApprove => "medication.approve",
            Action::CreateInvite
            | Action::Members
            | Action::RevokeMember
            | Action::AssignCaregiver
            | Action::UnassignCaregiver
            | Action::ChangeRole
            | Action::AddMember => "members.manage",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allowed,
    Denied,
}
use Expect::{Allowed as A, Denied as D};

/// The policy. Columns follow `WHO`: Guardian, Nanny, Nanny on an unassigned child, Viewer,
/// Revoked, Pending, Outsider. Nobody in the Garcia family is a member of the Smith family, so
/// every Garcia role is refused there; the outsider is a Smith guardian, so there they may do what
/// a guardian may.
#[rustfmt::skip]
const POLICY: &[(Action, [Expect; 7], [Expect; 7])] = &[
    //                          own family (Garcia)      other family (Smith)
    //                          G  N  N* V  R  P  O      G  N  N* V  R  P  O
    (Action::Children,         [A, A, A, A, D, D, D], [D, D, D, D, D, D, A]),
    (Action::Medications,      [A, A, D, A, D, D, D], [D, D, D, D, D, D, A]),
    (Action::Allergies,        [A, A, D, A, D, D, D], [D, D, D, D, D, D, A]),
    (Action::Conditions,       [A, A, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::CheckDose,        [A, A, D, A, D, D, D], [D, D, D, D, D, D, A]),
    (Action::RecentDoses,      [A, A, D, A, D, D, D], [D, D, D, D, D, D, A]),
    (Action::LogDose,          [A, A, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::OverrideDoseCheck,[A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::VoidOwnDose,      [A, A, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::VoidOthersDose,   [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::Measurements,     [A, A, D, A, D, D, D], [D, D, D, D, D, D, A]),
    (Action::LogTemperature,   [A, A, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::LogGrowth,        [A, A, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::Notes,            [A, A, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::AddNote,          [A, A, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::ClockIn,          [A, A, A, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::ClockOut,         [A, A, A, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::AddChild,         [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    // A caregiver's medication waits for a guardian's approval (tests/medication_approval.rs).
    (Action::AddMedication,    [A, A, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::ApproveMedication,[A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::MedicationsToApprove,[A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::AddAllergy,       [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::AddCondition,     [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::CreateInvite,     [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::Members,          [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::RevokeMember,     [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::AssignCaregiver,  [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::UnassignCaregiver,[A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::ChangeRole,       [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::MedicationHistory,[A, A, D, A, D, D, D], [D, D, D, D, D, D, A]),
    // Stopping a course is the parents' decision (tests/keeping_the_record.rs).
    (Action::StopMedication,   [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::PauseMedication,  [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::ResumeMedication, [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    // Everyone who cares for the child reads these; only guardians keep them (tests/records_from_chat.rs).
    (Action::Vaccinations,     [A, A, D, A, D, D, D], [D, D, D, D, D, D, A]),
    (Action::Appointments,     [A, A, D, A, D, D, D], [D, D, D, D, D, D, A]),
    (Action::Providers,        [A, A, A, A, D, D, D], [D, D, D, D, D, D, A]),
    (Action::AddVaccination,   [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::AddAppointment,   [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::AddProvider,      [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::RemoveAllergy,    [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::RemoveCondition,  [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::RemoveVaccination,[A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::RemoveAppointment,[A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::RemoveProvider,   [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::ChangeMedication, [A, A, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::RenameChild,      [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::LeaveCare,        [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::ReturnToCare,     [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::ChildrenOutOfCare,[A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::ChangeAllergy,    [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::ChangeCondition,  [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::ChangeVaccination,[A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::ChangeAppointment,[A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::ChangeProvider,   [A, D, D, D, D, D, D], [D, D, D, D, D, D, A]),
    (Action::AddMember,        [D, D, D, D, D, D, D], [D, D, D, D, D, D, D]),
];

fn expected(action: Action, who: Who, side: Side) -> Expect {
    let column = WHO.iter().position(|w| *w == who).unwrap();
    let (_, own, other) = POLICY.iter().find(|(a, _, _)| *a == action).unwrap();
    match side {
        Side::Own => own[column],
        Side::Other => other[column],
    }
}

/// The ids a call names.
#[derive(Debug, Clone, Copy)]
struct Place {
    family_id: i64,
    child_id: i64,
    medication_id: i64,
}

/// Two families and everyone in the table.
struct World {
    services: Services,
    op: Actor,
    demo: Demo,
    garcia_emma: Place,
    garcia_mia: Place,
    smith_sofia: Place,
    vera: i64,
    rosa: i64,
    paz: i64,
    sam: i64,
}

fn birthday(years_ago: i32) -> NaiveDate {
    let today = support::default_now().date_naive();
    NaiveDate::from_ymd_opt(2026 - years_ago, 1, 15).unwrap_or(today)
}

fn tylenol(child_id: i64) -> NewMedication {
    let mut strength = parse_strength("acetaminophen", "160 mg/5 ml").unwrap();
    strength.max_mg_per_day = Some(800.0);
    NewMedication {
        child_id,
        name: "Children's Tylenol".into(),
        form: "oral suspension".into(),
        route: "oral".into(),
        ingredients: vec![strength],
        dose: DoseAmount {
            value: 5.0,
            unit: DoseUnit::Ml,
        },
        schedule: Schedule::AsNeeded,
        min_interval: Duration::hours(4),
        max_doses_per_day: Some(5),
        starts_on: None,
        ends_on: None,
    }
}

fn dose(place: &Place) -> DoseRequest {
    DoseRequest {
        child_id: place.child_id,
        medication_id: place.medication_id,
        amount: DoseAmount {
            value: 5.0,
            unit: DoseUnit::Ml,
        },
        given_at: None,
        // The table is about who may, not about dose safety: a second dose is always confirmed.
        confirmed_extra: true,
        override_unchecked: false,
        source_key: None,
    }
}

async fn person_in(services: &Services, name: &str, family_id: i64, role: Role) -> (i64, i64) {
    let op = Actor::operator();
    let person = services.create_person(name, "en").await.unwrap();
    let member = services
        .add_member(&op, family_id, person, role)
        .await
        .unwrap();
    (person, member)
}

impl World {
    async fn build(services: &Services) -> Self {
        let op = Actor::operator();
        let demo = demo::ensure(services).await.unwrap();
        let family = demo.family_id;
        let ana = Actor::person(demo.ana, Channel::Console);

        let mia = services
            .add_child(&op, family, "Mia", birthday(7))
            .await
            .unwrap();
        let mia_med = services.add_medication(&op, tylenol(mia)).await.unwrap();
        let (vera, _) = person_in(services, "Vera", family, Role::Viewer).await;
        let (rosa, rosa_member) = person_in(services, "Rosa", family, Role::Caregiver).await;
        services
            .assign_caregiver(&op, rosa_member, demo.emma)
            .await
            .unwrap();
        services.revoke_member(&ana, rosa_member).await.unwrap();
        // No service leaves a membership "invited" (joining activates it at once), but the schema
        // allows it and the policy must refuse it: set it directly.
        let (paz, paz_member) = person_in(services, "Paz", family, Role::Caregiver).await;
        services
            .assign_caregiver(&op, paz_member, demo.emma)
            .await
            .unwrap();
        services
            .db()
            .conn()
            .execute_unprepared(&format!(
                "UPDATE members SET status = 'invited' WHERE id = {paz_member}"
            ))
            .await
            .unwrap();

        let smith = services
            .create_family(&op, "Smith", "Europe/Madrid", "ES")
            .await
            .unwrap();
        let invite = services
            .create_invite(&op, smith, Role::Guardian)
            .await
            .unwrap();
        let sam = services.create_person("Sam", "en").await.unwrap();
        services
            .join(sam, &invite.code, Channel::Whatsapp)
            .await
            .unwrap();
        let sofia = services
            .add_child(&op, smith, "Sofia", birthday(3))
            .await
            .unwrap();
        let sofia_med = services.add_medication(&op, tylenol(sofia)).await.unwrap();

        Self {
            services: services.clone(),
            op,
            garcia_emma: Place {
                family_id: family,
                child_id: demo.emma,
                medication_id: demo.emma_acetaminophen,
            },
            garcia_mia: Place {
                family_id: family,
                child_id: mia,
                medication_id: mia_med,
            },
            smith_sofia: Place {
                family_id: smith,
                child_id: sofia,
                medication_id: sofia_med,
            },
            demo,
            vera,
            rosa,
            paz,
            sam,
        }
    }

    fn actor(&self, who: Who) -> Actor {
        let person = match who {
            Who::Guardian => self.demo.ana,
            Who::Nanny | Who::NannyUnassigned => self.demo.maya,
            Who::Viewer => self.vera,
            Who::Revoked => self.rosa,
            Who::Pending => self.paz,
            Who::Outsider => self.sam,
        };
        Actor::person(person, Channel::Slack)
    }

    fn place(&self, who: Who, side: Side) -> Place {
        match (side, who) {
            (Side::Other, _) => self.smith_sofia,
            (Side::Own, Who::NannyUnassigned) => self.garcia_mia,
            (Side::Own, _) => self.garcia_emma,
        }
    }

    /// What a call needs that must be fresh for it (a dose to void, a member to revoke...).
    async fn prepare(&self, who: Who, side: Side, action: Action, place: &Place) -> Prepared {
        // A change needs the same fresh entry as a removal.
        let action = match action {
            Action::ChangeAllergy => Action::RemoveAllergy,
            Action::ChangeCondition => Action::RemoveCondition,
            Action::ChangeVaccination => Action::RemoveVaccination,
            Action::ChangeAppointment => Action::RemoveAppointment,
            Action::ChangeProvider => Action::RemoveProvider,
            other => other,
        };
        let s = &self.services;
        let op = &self.op;
        match action {
            Action::VoidOwnDose | Action::VoidOthersDose => {
                let gives_own =
                    action == Action::VoidOwnDose && expected(Action::LogDose, who, side) == A;
                let giver = if gives_own { self.actor(who) } else { *op };
                match s.log_dose(&giver, dose(place)).await.unwrap() {
                    DoseOutcome::Logged(logged) => Prepared::Id(logged.dose.id),
                    other => panic!("setup dose was not logged: {other:?}"),
                }
            }
            Action::RevokeMember => {
                Prepared::Id(person_in(s, "Temp", place.family_id, Role::Viewer).await.1)
            }
            Action::AssignCaregiver => Prepared::Id(
                person_in(s, "Temp", place.family_id, Role::Caregiver)
                    .await
                    .1,
            ),
            Action::UnassignCaregiver => {
                let (_, member) = person_in(s, "Temp", place.family_id, Role::Caregiver).await;
                s.assign_caregiver(op, member, place.child_id)
                    .await
                    .unwrap();
                Prepared::Id(member)
            }
            Action::ChangeRole => {
                Prepared::Id(person_in(s, "Temp", place.family_id, Role::Viewer).await.1)
            }
            Action::ChangeMedication => {
                Prepared::Id(s.add_medication(op, tylenol(place.child_id)).await.unwrap())
            }
            Action::RenameChild | Action::LeaveCare | Action::ReturnToCare => {
                let id = s
                    .add_child(op, place.family_id, &fresh_name(), birthday(2))
                    .await
                    .unwrap();
                if action == Action::ReturnToCare {
                    s.set_in_care(op, id, false).await.unwrap();
                }
                Prepared::Id(id)
            }
            Action::StopMedication | Action::PauseMedication | Action::ResumeMedication => {
                let id = s.add_medication(op, tylenol(place.child_id)).await.unwrap();
                if action == Action::ResumeMedication {
                    s.change_course(op, place.child_id, id, CourseChange::Pause)
                        .await
                        .unwrap();
                }
                Prepared::Id(id)
            }
            Action::AddMember => Prepared::Id(s.create_person("Newcomer", "en").await.unwrap()),
            Action::RemoveAllergy => Prepared::Entry(RecordEntry::Allergy(
                s.add_allergy(op, place.child_id, "latex", "mild", None)
                    .await
                    .unwrap(),
            )),
            Action::RemoveCondition => Prepared::Entry(RecordEntry::Condition(
                s.add_condition(op, place.child_id, "eczema", None, false)
                    .await
                    .unwrap(),
            )),
            Action::RemoveVaccination => Prepared::Entry(RecordEntry::Vaccination(
                s.add_vaccination(op, place.child_id, "MMR", today(), Some(1))
                    .await
                    .unwrap(),
            )),
            Action::RemoveAppointment => Prepared::Entry(RecordEntry::Appointment(
                s.add_appointment(op, place.child_id, in_two_days(), Some("Dr Patel"), None)
                    .await
                    .unwrap(),
            )),
            Action::RemoveProvider => Prepared::Entry(RecordEntry::Provider(
                s.add_provider(op, place.family_id, &fresh_name(), None, None)
                    .await
                    .unwrap(),
            )),
            Action::ApproveMedication => {
                // Only a caregiver's medication waits, and neither the unassigned child nor the
                // Smiths have a caregiver who could add one: mark the operator's pending directly.
                let id = s.add_medication(op, tylenol(place.child_id)).await.unwrap();
                s.db()
                    .conn()
                    .execute_unprepared(&format!(
                        "UPDATE medications SET approval = 'pending' WHERE id = {id}"
                    ))
                    .await
                    .unwrap();
                Prepared::Id(id)
            }
            _ => Prepared::Nothing,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Prepared {
    Nothing,
    Id(i64),
    Entry(RecordEntry),
}

fn today() -> NaiveDate {
    support::default_now().date_naive()
}

fn in_two_days() -> chrono::DateTime<chrono::Utc> {
    support::default_now() + Duration::days(2)
}

/// A provider name no call used yet (adding an existing name completes that provider instead).
fn fresh_name() -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    format!(
        "Dr Number {}",
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    )
}

impl Prepared {
    fn id(self) -> i64 {
        match self {
            Prepared::Id(id) => id,
            Prepared::Nothing | Prepared::Entry(_) => panic!("this action needs a prepared id"),
        }
    }

    fn entry(self) -> RecordEntry {
        match self {
            Prepared::Entry(entry) => entry,
            _ => panic!("this action needs a prepared record entry"),
        }
    }
}

/// The prepared entry with one field changed, as `RECORD_COUNTS` sees it.
fn with_one_field_changed(entry: RecordEntry, p: &Place) -> RecordItem {
    match entry {
        RecordEntry::Allergy(id) => RecordItem::Allergy(AllergyView {
            id,
            child_id: p.child_id,
            allergen: "latex".into(),
            severity: "severe".into(),
            reaction: None,
        }),
        RecordEntry::Condition(id) => RecordItem::Condition(ConditionView {
            id,
            child_id: p.child_id,
            name: "eczema".into(),
            notes: None,
            guardian_only: true,
        }),
        RecordEntry::Vaccination(id) => RecordItem::Vaccination(VaccinationView {
            id,
            child_id: p.child_id,
            vaccine: "MMR".into(),
            dose_number: Some(2),
            given_on: today(),
        }),
        RecordEntry::Appointment(id) => RecordItem::Appointment(AppointmentView {
            id,
            child_id: p.child_id,
            starts_at: in_two_days(),
            with: Some("Dr Patel".into()),
            purpose: Some("follow-up".into()),
        }),
        RecordEntry::Provider(id) => RecordItem::Provider(ProviderView {
            id,
            name: fresh_name(),
            specialty: None,
            phone: Some("555 010 2030".into()),
        }),
    }
}

/// What a call returned does not matter to the table, only whether it was allowed.
fn ignore<T>(_: T) {}

/// Makes the real service call for one cell.
async fn call(
    s: &Services,
    actor: &Actor,
    p: &Place,
    action: Action,
    prepared: Prepared,
) -> ServiceResult<()> {
    match action {
        Action::Children => s.children(actor, p.family_id).await.map(ignore),
        Action::Medications => s.medications(actor, p.child_id).await.map(ignore),
        Action::Allergies => s.allergies(actor, p.child_id).await.map(ignore),
        Action::Conditions => s.conditions(actor, p.child_id).await.map(ignore),
        Action::CheckDose => s
            .check_dose(actor, p.child_id, p.medication_id)
            .await
            .map(ignore),
        Action::RecentDoses => s.recent_doses(actor, p.child_id, 10).await.map(ignore),
        Action::LogDose => s.log_dose(actor, dose(p)).await.map(|outcome| {
            assert!(
                matches!(outcome, DoseOutcome::Logged(_)),
                "a confirmed dose is logged"
            );
        }),
        Action::OverrideDoseCheck => {
            let request = DoseRequest {
                override_unchecked: true,
                ..dose(p)
            };
            s.log_dose(actor, request).await.map(|outcome| {
                assert!(
                    matches!(outcome, DoseOutcome::Logged(_)),
                    "a confirmed, checkable dose is logged"
                );
            })
        }
        Action::VoidOwnDose | Action::VoidOthersDose => {
            s.void_dose(actor, prepared.id()).await.map(ignore)
        }
        Action::Measurements => s.measurements(actor, p.child_id, 10).await.map(ignore),
        Action::LogTemperature => {
            let t = Temperature { celsius: 38.2 };
            s.log_temperature(actor, p.child_id, t, None, None)
                .await
                .map(ignore)
        }
        Action::LogGrowth => s
            .log_growth(actor, p.child_id, "height", 104.0, None)
            .await
            .map(ignore),
        Action::Notes => s.notes(actor, p.child_id, 10).await.map(ignore),
        Action::AddNote => s
            .add_note(actor, p.child_id, "Napped 1-3 pm", None)
            .await
            .map(ignore),
        Action::ClockIn => s.clock_in(actor, p.family_id).await.map(ignore),
        Action::ClockOut => s.clock_out(actor, p.family_id).await.map(ignore),
        Action::AddChild => s
            .add_child(actor, p.family_id, "Nico", birthday(1))
            .await
            .map(ignore),
        Action::AddMedication => s
            .add_medication(actor, tylenol(p.child_id))
            .await
            .map(ignore),
        Action::ApproveMedication => s
            .decide_medication(actor, prepared.id(), None, true)
            .await
            .map(ignore),
        Action::MedicationsToApprove => s
            .medications_to_approve(actor, p.family_id)
            .await
            .map(ignore),
        Action::AddAllergy => s
            .add_allergy(actor, p.child_id, "penicillin", "moderate", Some("rash"))
            .await
            .map(ignore),
        Action::AddCondition => s
            .add_condition(actor, p.child_id, "eczema", None, false)
            .await
            .map(ignore),
        Action::CreateInvite => s
            .create_invite(actor, p.family_id, Role::Caregiver)
            .await
            .map(ignore),
        Action::Members => s.members(actor, p.family_id).await.map(ignore),
        Action::RevokeMember => s.revoke_member(actor, prepared.id()).await,
        Action::AssignCaregiver => s.assign_caregiver(actor, prepared.id(), p.child_id).await,
        Action::UnassignCaregiver => {
            s.set_assignments(actor, prepared.id(), &[p.child_id], false)
                .await
        }
        Action::ChangeRole => s
            .change_role(actor, prepared.id(), Role::Caregiver)
            .await
            .map(ignore),
        Action::MedicationHistory => s.medication_history(actor, p.child_id).await.map(ignore),
        Action::StopMedication | Action::PauseMedication | Action::ResumeMedication => {
            let change = match action {
                Action::StopMedication => CourseChange::Stop,
                Action::PauseMedication => CourseChange::Pause,
                _ => CourseChange::Resume,
            };
            s.change_course(actor, p.child_id, prepared.id(), change)
                .await
                .map(ignore)
        }
        Action::AddMember => s
            .add_member(actor, p.family_id, prepared.id(), Role::Viewer)
            .await
            .map(ignore),
        Action::ChangeMedication => {
            let mut new = tylenol(p.child_id);
            new.dose.value = 7.5;
            s.change_medication(actor, prepared.id(), new)
                .await
                .map(ignore)
        }
        Action::RenameChild => s
            .rename_child(actor, prepared.id(), &format!("Renamed {}", fresh_name()))
            .await
            .map(ignore),
        Action::LeaveCare => s.set_in_care(actor, prepared.id(), false).await,
        Action::ReturnToCare => s.set_in_care(actor, prepared.id(), true).await,
        Action::ChildrenOutOfCare => s.children_out_of_care(actor, p.family_id).await.map(ignore),
        Action::Vaccinations => s.vaccinations(actor, p.child_id).await.map(ignore),
        Action::Appointments => s.appointments(actor, p.child_id).await.map(ignore),
        Action::Providers => s.providers(actor, p.family_id).await.map(ignore),
        Action::AddVaccination => s
            .add_vaccination(actor, p.child_id, "DTaP", today(), Some(2))
            .await
            .map(ignore),
        Action::AddAppointment => s
            .add_appointment(actor, p.child_id, in_two_days(), None, Some("checkup"))
            .await
            .map(ignore),
        Action::AddProvider => s
            .add_provider(
                actor,
                p.family_id,
                &fresh_name(),
                None,
                Some("555 010 2030"),
            )
            .await
            .map(ignore),
        Action::ChangeAllergy
        | Action::ChangeCondition
        | Action::ChangeVaccination
        | Action::ChangeAppointment
        | Action::ChangeProvider => {
            s.change_record(
                actor,
                p.family_id,
                &with_one_field_changed(prepared.entry(), p),
            )
            .await
        }
        Action::RemoveAllergy
        | Action::RemoveCondition
        | Action::RemoveVaccination
        | Action::RemoveAppointment
        | Action::RemoveProvider => s.remove_record(actor, p.family_id, prepared.entry()).await,
    }
}

/// Everything a call could change, as counts (rows, and the states updates move rows between).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Snapshot {
    record: Vec<(&'static str, i64)>,
    audit_events: i64,
    denied_events: i64,
}

const RECORD_COUNTS: [(&str, &str); 31] = [
    ("families", "SELECT COUNT(*) FROM families"),
    ("people", "SELECT COUNT(*) FROM people"),
    ("members", "SELECT COUNT(*) FROM members"),
    (
        "active members",
        "SELECT COUNT(*) FROM members WHERE status = 'active'",
    ),
    (
        "caregivers",
        "SELECT COUNT(*) FROM members WHERE role = 'caregiver'",
    ),
    ("assignments", "SELECT COUNT(*) FROM caregiver_assignments"),
    ("invites", "SELECT COUNT(*) FROM invites"),
    ("children", "SELECT COUNT(*) FROM children"),
    ("medications", "SELECT COUNT(*) FROM medications"),
    (
        "approved medications",
        "SELECT COUNT(*) FROM medications WHERE approval = 'approved'",
    ),
    (
        "active medications",
        "SELECT COUNT(*) FROM medications WHERE active",
    ),
    ("allergies", "SELECT COUNT(*) FROM allergies"),
    ("conditions", "SELECT COUNT(*) FROM conditions"),
    ("doses", "SELECT COUNT(*) FROM dose_logs"),
    (
        "voided doses",
        "SELECT COUNT(*) FROM dose_logs WHERE voided_at IS NOT NULL",
    ),
    ("measurements", "SELECT COUNT(*) FROM measurements"),
    ("notes", "SELECT COUNT(*) FROM care_notes"),
    ("shifts", "SELECT COUNT(*) FROM shifts"),
    (
        "open shifts",
        "SELECT COUNT(*) FROM shifts WHERE clock_out_at IS NULL",
    ),
    ("notifications", "SELECT COUNT(*) FROM notifications"),
    ("vaccinations", "SELECT COUNT(*) FROM vaccinations"),
    ("appointments", "SELECT COUNT(*) FROM appointments"),
    ("providers", "SELECT COUNT(*) FROM providers"),
    // Changing an entry changes no count: the field each change sets does.
    (
        "severe allergies",
        "SELECT COUNT(*) FROM allergies WHERE severity = 'severe'",
    ),
    (
        "private conditions",
        "SELECT COUNT(*) FROM conditions WHERE guardian_only",
    ),
    (
        "vaccine doses",
        "SELECT CAST(COALESCE(SUM(dose_number), 0) AS BIGINT) FROM vaccinations",
    ),
    (
        "appointments with a purpose",
        "SELECT COUNT(*) FROM appointments WHERE purpose IS NOT NULL",
    ),
    (
        "providers with a phone",
        "SELECT COUNT(*) FROM providers WHERE phone IS NOT NULL",
    ),
    (
        "children in care",
        "SELECT COUNT(*) FROM children WHERE archived_at IS NULL",
    ),
    // Renaming changes no count: the names' letters do.
    (
        "child name letters",
        "SELECT CAST(COALESCE(SUM(LENGTH(name)), 0) AS BIGINT) FROM children",
    ),
    // Changing a medication's rules changes no count: its doses, in tenths of a unit, do.
    (
        "medication doses",
        "SELECT CAST(COALESCE(SUM(dose_amount * 10), 0) AS BIGINT) FROM medications",
    ),
];

async fn snapshot(services: &Services) -> Snapshot {
    let conn = services.db().conn();
    let mut parts: Vec<String> = RECORD_COUNTS
        .iter()
        .enumerate()
        .map(|(i, (_, sql))| format!("({sql}) AS c{i}"))
        .collect();
    parts.push("(SELECT COUNT(*) FROM audit_events) AS audit".into());
    parts.push("(SELECT COUNT(*) FROM audit_events WHERE outcome = 'denied') AS denied".into());
    let sql = format!("SELECT {}", parts.join(", "));
    let row = conn
        .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    let record = RECORD_COUNTS
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (*name, row.try_get::<i64>("", &format!("c{i}")).unwrap()))
        .collect();
    Snapshot {
        record,
        audit_events: row.try_get("", "audit").unwrap(),
        denied_events: row.try_get("", "denied").unwrap(),
    }
}

fn changed(before: &Snapshot, after: &Snapshot) -> Vec<String> {
    before
        .record
        .iter()
        .zip(&after.record)
        .filter(|(b, a)| b.1 != a.1)
        .map(|(b, a)| format!("{} {} -> {}", b.0, b.1, a.1))
        .collect()
}

/// Runs one cell and returns what is wrong with it, if anything.
async fn check_cell(world: &World, who: Who, side: Side, action: Action) -> Option<String> {
    let expect = expected(action, who, side);
    let place = world.place(who, side);
    let prepared = world.prepare(who, side, action, &place).await;
    let actor = world.actor(who);
    let before = snapshot(&world.services).await;
    let result = call(&world.services, &actor, &place, action, prepared).await;
    let after = snapshot(&world.services).await;
    let changes = changed(&before, &after);
    let cell = format!("{who:?} / {action:?} / {side:?} family (expected {expect:?})");
    match expect {
        Expect::Allowed => {
            if let Err(e) = result {
                return Some(format!("{cell}: got {e:?}"));
            }
            if after.denied_events != before.denied_events {
                return Some(format!("{cell}: an allowed call was audited as denied"));
            }
            if after.audit_events <= before.audit_events {
                return Some(format!("{cell}: the call was not audited"));
            }
            if action.writes() && changes.is_empty() {
                return Some(format!("{cell}: the allowed write changed nothing"));
            }
            if !action.writes() && !changes.is_empty() {
                return Some(format!("{cell}: a read changed the record: {changes:?}"));
            }
        }
        Expect::Denied => {
            if !matches!(result, Err(ServiceError::Denied)) {
                return Some(format!("{cell}: got {result:?}"));
            }
            if !changes.is_empty() {
                return Some(format!("{cell}: the denied call wrote: {changes:?}"));
            }
            if after.audit_events != before.audit_events + 1
                || after.denied_events != before.denied_events + 1
            {
                let events = format!("{} -> {}", before.audit_events, after.audit_events);
                let denied = format!("{} -> {}", before.denied_events, after.denied_events);
                return Some(format!(
                    "{cell}: expected one new 'denied' event: events {events}, denied {denied}"
                ));
            }
            let last = audit_event::Entity::find()
                .order_by_desc(audit_event::Column::Id)
                .one(world.services.db().conn())
                .await
                .unwrap()
                .unwrap();
            let chain = format!("family:{}", place.family_id);
            if last.outcome != "denied"
                || last.chain != chain
                || last.action != action.denied_action()
            {
                return Some(format!(
                    "{cell}: the denial was recorded as {}/{}/{} instead of denied/{chain}/{}",
                    last.outcome,
                    last.chain,
                    last.action,
                    action.denied_action()
                ));
            }
        }
    }
    None
}

#[tokio::test]
async fn one_table_states_the_whole_policy() {
    for backend in support::backends() {
        let app = TestApp::new(backend).await;
        let world = World::build(&app.services).await;
        let mut failures = Vec::new();
        let mut cells = 0;
        for who in WHO {
            for side in [Side::Own, Side::Other] {
                for (action, _, _) in POLICY {
                    cells += 1;
                    if let Some(failure) = check_cell(&world, who, side, *action).await {
                        failures.push(failure);
                    }
                }
            }
        }
        assert_eq!(cells, WHO.len() * 2 * POLICY.len());
        assert!(
            failures.is_empty(),
            "{backend:?}: {} of {cells} cells wrong:\n{}",
            failures.len(),
            failures.join("\n")
        );
        // Hundreds of allowed and denied calls later, both families' audit chains are intact.
        let report = audit::verify(app.services.db().conn()).await.unwrap();
        assert_eq!(report.first_break, None, "{backend:?}");
        assert_eq!(report.chains, 2, "{backend:?}");
    }
}

#[tokio::test]
async fn each_role_sees_only_what_it_may() {
    for backend in support::backends() {
        let app = TestApp::new(backend).await;
        let world = World::build(&app.services).await;
        let s = &world.services;
        let demo = &world.demo;
        let family = demo.family_id;
        let ana = world.actor(Who::Guardian);
        let maya = world.actor(Who::Nanny);
        let vera = world.actor(Who::Viewer);
        s.add_condition(&ana, demo.emma, "Eczema", Some("cream at bedtime"), false)
            .await
            .unwrap();
        s.add_condition(
            &ana,
            demo.emma,
            "Seeing a therapist for anxiety",
            None,
            true,
        )
        .await
        .unwrap();

        // Children: guardians and viewers see all three, the nanny only those assigned to her.
        let names = |children: Vec<mednanny_core::services::care::ChildView>| {
            children.into_iter().map(|c| c.name).collect::<Vec<_>>()
        };
        assert_eq!(
            names(s.children(&ana, family).await.unwrap()),
            ["Emma", "Leo", "Mia"]
        );
        assert_eq!(
            names(s.children(&vera, family).await.unwrap()),
            ["Emma", "Leo", "Mia"]
        );
        assert_eq!(
            names(s.children(&maya, family).await.unwrap()),
            ["Emma", "Leo"]
        );

        // Conditions: the guardian-only one reaches guardians and never the nanny.
        let guardian_view = s.conditions(&ana, demo.emma).await.unwrap();
        assert_eq!(guardian_view.len(), 2, "{backend:?}");
        assert!(guardian_view
            .iter()
            .any(|c| c.guardian_only && c.name.contains("therapist")));
        let nanny_view = s.conditions(&maya, demo.emma).await.unwrap();
        assert_eq!(nanny_view.len(), 1, "{backend:?}: {nanny_view:?}");
        assert_eq!(nanny_view[0].name, "Eczema");
        assert!(nanny_view
            .iter()
            .all(|c| !c.guardian_only && !c.name.contains("therapist")));
        assert!(matches!(
            s.conditions(&vera, demo.emma).await,
            Err(ServiceError::Denied)
        ));

        // Assigning Maya to Mia opens Mia to her on the very next call.
        let mia = world.garcia_mia;
        assert!(matches!(
            s.medications(&maya, mia.child_id).await,
            Err(ServiceError::Denied)
        ));
        let maya_member = s
            .members(&ana, family)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.person_id == demo.maya)
            .unwrap()
            .member_id;
        s.assign_caregiver(&ana, maya_member, mia.child_id)
            .await
            .unwrap();
        assert_eq!(s.medications(&maya, mia.child_id).await.unwrap().len(), 1);
        assert_eq!(
            names(s.children(&maya, family).await.unwrap()),
            ["Emma", "Leo", "Mia"]
        );

        // Revoking Maya shuts her out at once, everywhere in the family.
        s.revoke_member(&ana, maya_member).await.unwrap();
        assert!(matches!(
            s.children(&maya, family).await,
            Err(ServiceError::Denied)
        ));
        assert!(matches!(
            s.medications(&maya, demo.emma).await,
            Err(ServiceError::Denied)
        ));
        assert!(matches!(
            s.log_dose(&maya, dose(&world.garcia_emma)).await,
            Err(ServiceError::Denied)
        ));
        assert!(matches!(
            s.clock_in(&maya, family).await,
            Err(ServiceError::Denied)
        ));
    }
}
