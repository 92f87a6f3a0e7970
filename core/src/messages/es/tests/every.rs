//! Every message `en` renders is written in Spanish too. The compiler already makes `es::render`
//! match every `Msg`; this checks what it cannot: that each arm routes to a submodule that writes
//! it (their `other =>` arms answer with nothing), that the text is not English, and that the
//! choices carry the same values (commands) as in English, with the same tone and privacy.

use super::*;
use crate::join_tries::JoinLimit;

/// Which variant a message is: the match has no `_` arm, so a new `Msg` variant fails to compile
/// here until it is given a number and a sample below.
fn variant(msg: &Msg) -> usize {
    match msg {
        Msg::Help { .. } => 0,
        Msg::ConsoleGreeting { .. } => 1,
        Msg::Welcome => 2,
        Msg::NoFamily => 3,
        Msg::ChooseFamily { .. } => 4,
        Msg::FamilyChosen { .. } => 5,
        Msg::Children { .. } => 6,
        Msg::NoChildren => 7,
        Msg::Medications { .. } => 8,
        Msg::NoMedications { .. } => 9,
        Msg::Allergies { .. } => 10,
        Msg::NoAllergies { .. } => 11,
        Msg::DoseLogged { .. } => 12,
        Msg::ConfirmExtraDose { .. } => 13,
        Msg::ExtraDoseNotLogged => 14,
        Msg::CannotCheckDose { .. } => 15,
        Msg::QuestionExpired => 16,
        Msg::QuestionDropped => 17,
        Msg::CanHave { .. } => 18,
        Msg::LastDoses { .. } => 19,
        Msg::NoDoses { .. } => 20,
        Msg::TemperatureLogged { .. } => 21,
        Msg::GrowthLogged { .. } => 22,
        Msg::NoteSaved { .. } => 23,
        Msg::Notes { .. } => 24,
        Msg::NoNotes { .. } => 25,
        Msg::DoseVoided { .. } => 26,
        Msg::NothingToUndo => 27,
        Msg::ClockedIn { .. } => 28,
        Msg::ClockedOut { .. } => 29,
        Msg::Joined { .. } => 30,
        Msg::FamilyCreated { .. } => 31,
        Msg::InviteCreated { .. } => 32,
        Msg::InvitedByPhone { .. } => 33,
        Msg::LinkCodeSent { .. } => 34,
        Msg::PhoneLinked { .. } => 35,
        Msg::LinkUsage => 36,
        Msg::UnknownNumber => 37,
        Msg::MediaNotRead => 38,
        Msg::WhatsappUndeliverable => 39,
        Msg::OtherWorkspace => 40,
        Msg::WhichRole => 41,
        Msg::Export { .. } => 42,
        Msg::Emergency { .. } => 43,
        Msg::GuardiansTold { .. } => 44,
        Msg::FormAsk { .. } => 45,
        Msg::FormSummary { .. } => 46,
        Msg::FormCancelled => 47,
        Msg::GuardiansOnly => 48,
        Msg::FormExpired { .. } => 49,
        Msg::ChildAdded { .. } => 50,
        Msg::MedicationAdded { .. } => 51,
        Msg::AllergyAdded { .. } => 52,
        Msg::MedicationEdited { .. } => 53,
        Msg::EditUsage => 54,
        Msg::RenameUsage => 55,
        Msg::ChildRenamed { .. } => 56,
        Msg::ConfirmLeaveCare { .. } => 57,
        Msg::ChildLeftCare { .. } => 58,
        Msg::ChildBackInCare { .. } => 59,
        Msg::NotOutOfCare { .. } => 60,
        Msg::NoMedicationToEdit { .. } => 61,
        Msg::WhichMedicationToEdit { .. } => 62,
        Msg::OnlyGuardiansApprove => 63,
        Msg::NothingToApprove => 64,
        Msg::WhichToApprove { .. } => 65,
        Msg::MedicationDecided { .. } => 66,
        Msg::CourseUsage { .. } => 67,
        Msg::NoMedicationToChange { .. } => 68,
        Msg::WhichMedicationToChange { .. } => 69,
        Msg::ConfirmStop { .. } => 70,
        Msg::CourseChanged { .. } => 71,
        Msg::NothingChanged => 72,
        Msg::ChangeExpired => 73,
        Msg::Members { .. } => 74,
        Msg::UnknownMember { .. } => 75,
        Msg::AmbiguousMember { .. } => 76,
        Msg::WhichChildren { .. } => 77,
        Msg::Assigned { .. } => 78,
        Msg::WhichRoleFor { .. } => 79,
        Msg::RoleChanged { .. } => 80,
        Msg::WhoToRevoke => 81,
        Msg::ConfirmRevoke { .. } => 82,
        Msg::MemberRevoked { .. } => 83,
        Msg::RecordList { .. } => 84,
        Msg::RecordAdded { .. } => 85,
        Msg::RecordChanged { .. } => 86,
        Msg::WhichToChange { .. } => 87,
        Msg::WhatToRemove { .. } => 88,
        Msg::NothingToRemove { .. } => 89,
        Msg::WhichToRemove { .. } => 90,
        Msg::ConfirmRemove { .. } => 91,
        Msg::RecordRemoved { .. } => 92,
        Msg::UnknownChild { .. } => 93,
        Msg::WhichChild { .. } => 94,
        Msg::UnknownMedication { .. } => 95,
        Msg::WhichMedication { .. } => 96,
        Msg::BadAmount(_) => 97,
        Msg::BadTemperature(_) => 98,
        Msg::BadTime(_) => 99,
        Msg::NonexistentLocalTime(_) => 100,
        Msg::Problem(_) => 101,
        Msg::Denied => 102,
        Msg::NotFound(_) => 103,
        Msg::NotUnderstood => 104,
        Msg::InternalError => 105,
        Msg::Alert(_) => 106,
        Msg::AssistantSaid { .. } => 107,
        Msg::NoDoseAdvice => 108,
        Msg::AssistantUnavailable => 109,
        Msg::AssistantBudgetSpent => 110,
        Msg::AssistantConsentQuestion => 111,
        Msg::AssistantConsent { .. } => 112,
        Msg::LanguageSet => 113,
        Msg::LanguageUnknown { .. } => 114,
        Msg::Heard { .. } => 115,
        Msg::VoiceNotSetUp => 116,
        Msg::VagueTime { .. } => 117,
        Msg::NotDoneYet { .. } => 118,
        Msg::StillOnShift { .. } => 119,
        Msg::Hours { .. } => 120,
        Msg::NoHours { .. } => 121,
        Msg::NannyProfile(_) => 122,
        Msg::ScheduleSet { .. } => 123,
        Msg::WeekStartSet { .. } => 124,
        Msg::NannyUsage => 125,
        Msg::LabelRead { .. } => 126,
        Msg::PhotoNotRead { .. } => 127,
        Msg::ReminderDose { .. } => 128,
        Msg::ReminderCourseEnd { .. } => 129,
        Msg::ReminderAppointment { .. } => 130,
        Msg::DailySummary { .. } => 131,
        Msg::ReminderSkipped { .. } => 132,
        Msg::SkipNeedsReason => 133,
        Msg::NoOpenReminder => 134,
        Msg::RemindersPaused { .. } => 135,
        Msg::SummaryTimeSet { .. } => 136,
        Msg::QuietHoursSet { .. } => 137,
        Msg::ReminderShiftStart { .. } => 138,
        Msg::ReminderCertification { .. } => 139,
        Msg::FamilyNameQuestion => 140,
        Msg::FamilyPlaceQuestion { .. } => 141,
        Msg::FamilyPlaceConfirm { .. } => 142,
        Msg::PlaceUnknown { .. } => 143,
        Msg::ZoneUnknown { .. } => 144,
        Msg::FamilyNotCreated => 145,
        Msg::FamilyPlaceSet { .. } => 146,
        Msg::AddMedicationFirst { .. } => 147,
    }
}

const VARIANTS: usize = 148;

/// At least one message of every variant, and every branch a submodule routes on.
fn samples() -> Vec<Msg> {
    let s = |v: &str| v.to_string();
    let options = vec![(12, s("Tylenol"), s("Emma")), (13, s("Motrin"), s("Leo"))];
    let entries = vec![
        (Some(s("Leo")), vaccination()),
        (Some(s("Emma")), allergy()),
    ];
    let mexico =
        crate::domain::Place::in_country(crate::domain::Country::parse("MX").expect("Mexico"))
            .expect("Mexico City");
    let mut all = vec![
        Msg::Help { children: vec![] },
        Msg::Help {
            children: vec![s("Emma")],
        },
        Msg::ConsoleGreeting {
            name: s("Ana"),
            known: true,
        },
        Msg::ConsoleGreeting {
            name: s("Ana"),
            known: false,
        },
        Msg::Welcome,
        Msg::NoFamily,
        Msg::ChooseFamily {
            options: names(&["García", "Pérez"]),
        },
        Msg::FamilyChosen { name: s("García") },
        Msg::Children {
            children: vec![(s("Emma"), day(2022, 3, 14)), (s("Mia"), day(2025, 11, 20))],
            today: day(2025, 12, 3),
        },
        Msg::NoChildren,
        Msg::Medications {
            child: s("Emma"),
            medications: vec![medication_line()],
        },
        Msg::NoMedications { child: s("Emma") },
        Msg::Allergies {
            child: s("Emma"),
            allergies: vec![(s("huevo"), s("severe"), Some(s("ronchas")))],
        },
        Msg::NoAllergies { child: s("Emma") },
        Msg::DoseLogged {
            dose: dose(local(3, 14, 30), true),
            next_allowed_at: None,
            others: Vec::new(),
            flagged: true,
            unchecked: true,
            alerted: names(&["Ana", "Luis"]),
            poison_help: None,
        },
        Msg::ConfirmExtraDose {
            child: s("Emma"),
            medication: s("Tylenol"),
            amount: ml(7.5),
            concerns: vec![
                ConcernText::TooManyDoses { count: 6, max: 5 },
                ConcernText::TooMuch {
                    ingredient: s("acetaminophen"),
                    total_mg: 1012.5,
                    max_mg: 1000.0,
                },
                ConcernText::AboveUsual {
                    usual_mg: 240.0,
                    given_mg: 320.0,
                },
            ],
            next_allowed_at: local(3, 18, 0),
        },
        Msg::ExtraDoseNotLogged,
        Msg::CannotCheckDose {
            child: s("Emma"),
            medication: s("Tylenol"),
            logging: true,
            guardian_may_override: true,
        },
        Msg::CannotCheckDose {
            child: s("Emma"),
            medication: s("Tylenol"),
            logging: false,
            guardian_may_override: false,
        },
        Msg::QuestionExpired,
        Msg::QuestionDropped,
        Msg::CanHave {
            child: s("Emma"),
            medication: s("Tylenol"),
            dose: ml(7.5),
            allowed_now: true,
            next_allowed_at: local(3, 10, 0),
            last: None,
            doses_in_last_day: 0,
            max_doses_per_day: None,
        },
        Msg::LastDoses {
            child: s("Emma"),
            doses: vec![dose(local(2, 20, 0), true)],
        },
        Msg::NoDoses { child: s("Emma") },
        Msg::TemperatureLogged {
            child: s("Leo"),
            celsius: 37.0,
            fahrenheit_first: true,
            advice: FeverAdvice::None,
            emergency_number: s("911"),
        },
        Msg::GrowthLogged {
            child: s("Leo"),
            kind: "height",
            value: 80.5,
        },
        Msg::NoteSaved { child: s("Emma") },
        Msg::Notes {
            child: s("Emma"),
            notes: vec![(local(3, 9, 0), None, s("Comió bien"))],
        },
        Msg::NoNotes { child: s("Emma") },
        Msg::DoseVoided {
            dose: dose(local(3, 9, 0), false),
        },
        Msg::NothingToUndo,
        Msg::ClockedIn {
            at: local(3, 7, 30),
        },
        Msg::ClockedOut {
            at: local(3, 17, 30),
            minutes: 600,
            told: names(&["Ana", "Luis"]),
        },
        Msg::ClockedOut {
            at: local(3, 17, 30),
            minutes: 600,
            told: Vec::new(),
        },
        Msg::StillOnShift {
            since: local(3, 8, 0),
            scheduled_end: local(3, 17, 0),
        },
        Msg::Hours {
            month: s("2026-11"),
            nannies: vec![crate::messages::HoursLine {
                name: s("Maya"),
                worked: chrono::Duration::hours(45),
                overtime: chrono::Duration::hours(5),
                weeks: vec![(day(2026, 11, 2), chrono::Duration::hours(45), true)],
            }],
            open_shifts: 1,
            csv: Some(s("nanny,row\n")),
        },
        Msg::NoHours {
            month: s("2026-11"),
        },
        Msg::NannyProfile(Box::new(crate::services::nanny::NannyProfile {
            member_id: 3,
            name: s("Maya"),
            languages: vec![s("inglés"), s("español")],
            hourly_rate_cents: Some(2250),
            overtime_rate_cents: None,
            emergency_contact: Some(s("Rosa 555 0100")),
            certifications: vec![crate::services::nanny::Certification {
                name: s("RCP"),
                expires_on: day(2025, 12, 20),
            }],
            schedule: vec![crate::services::nanny::ScheduledShift {
                days: crate::services::nanny::ShiftDays::Weekly(chrono::Weekday::Mon),
                starts: chrono::NaiveTime::from_hms_opt(8, 0, 0).expect("time"),
                ends: chrono::NaiveTime::from_hms_opt(17, 0, 0).expect("time"),
            }],
            editable: true,
        })),
        Msg::NannyProfile(Box::default()),
        Msg::ScheduleSet {
            name: s("Maya"),
            schedule: vec![crate::services::nanny::ScheduledShift {
                days: crate::services::nanny::ShiftDays::On(day(2025, 12, 24)),
                starts: chrono::NaiveTime::from_hms_opt(22, 0, 0).expect("time"),
                ends: chrono::NaiveTime::from_hms_opt(6, 0, 0).expect("time"),
            }],
        },
        Msg::ScheduleSet {
            name: s("Maya"),
            schedule: Vec::new(),
        },
        Msg::WeekStartSet {
            day: chrono::Weekday::Sun,
        },
        Msg::NannyUsage,
        Msg::Alert(Alert::Handoff(crate::services::handoff::HandoffReport {
            shift_id: 1,
            nanny: s("Maya"),
            started: local(3, 8, 0),
            ended: local(3, 17, 0),
            doses: vec![crate::services::handoff::HandoffDose {
                child: s("Emma"),
                medication: s("Tylenol"),
                amount: ml(5.0),
                at: local(3, 13, 10),
                flagged: true,
            }],
            temperatures: vec![crate::services::handoff::HandoffTemperature {
                child: s("Emma"),
                celsius: 38.4,
                at: local(3, 13, 0),
            }],
            notes: vec![crate::services::handoff::HandoffNote {
                child: Some(s("Emma")),
                text: s("comió bien"),
                at: local(3, 12, 0),
            }],
            incidents: vec![crate::services::handoff::HandoffIncident {
                categories: vec![crate::screen::Category::Injury],
                reported_by: s("Maya"),
                child: Some(s("Leo")),
                at: local(3, 15, 0),
            }],
            skipped: vec![crate::services::handoff::HandoffSkip {
                child: s("Leo"),
                medication: s("Amoxicilina"),
                due_at: local(3, 14, 0),
                reason: Some(s("estaba dormido")),
            }],
            words: Some(s("Emma durmió bien")),
            flagged: true,
        })),
        Msg::Alert(Alert::Handoff(crate::services::handoff::HandoffReport {
            shift_id: 2,
            nanny: s("Maya"),
            started: local(3, 8, 0),
            ended: local(3, 17, 0),
            doses: Vec::new(),
            temperatures: Vec::new(),
            notes: Vec::new(),
            incidents: Vec::new(),
            skipped: Vec::new(),
            words: None,
            flagged: false,
        })),
        Msg::Joined {
            family: s("García"),
            role: s("viewer"),
        },
        Msg::FamilyCreated {
            name: s("García"),
            place: mexico.clone(),
        },
        Msg::FamilyNameQuestion,
        Msg::FamilyPlaceQuestion {
            family: s("García"),
        },
        Msg::FamilyPlaceConfirm {
            family: s("García"),
            place: mexico.clone(),
        },
        Msg::PlaceUnknown { said: s("Narnia") },
        Msg::ZoneUnknown {
            said: s("Mars/Olympus"),
        },
        Msg::FamilyNotCreated,
        Msg::AddMedicationFirst {
            child: s("Ada"),
            asked: s("Calpol"),
        },
        Msg::FamilyPlaceSet {
            place: mexico.clone(),
        },
        Msg::InviteCreated {
            code: s("K7P2QX"),
            role: s("guardian"),
            expires_at: local(10, 9, 0),
        },
        Msg::InvitedByPhone {
            name: s("Maya"),
            phone: s("+52 55 1234 5678"),
            role: s("caregiver"),
            code: s("K7P2QX"),
            expires_at: local(10, 9, 0),
        },
        Msg::LinkCodeSent {
            phone: s("+52 55 1234 5678"),
        },
        Msg::PhoneLinked {
            phone: s("+52 55 1234 5678"),
        },
        Msg::LinkUsage,
        Msg::UnknownNumber,
        Msg::MediaNotRead,
        Msg::WhatsappUndeliverable,
        Msg::NoDoseAdvice,
        Msg::AssistantUnavailable,
        Msg::AssistantBudgetSpent,
        Msg::AssistantConsentQuestion,
        Msg::AssistantConsent {
            on: true,
            changed: true,
        },
        Msg::AssistantConsent {
            on: false,
            changed: false,
        },
        Msg::LanguageSet,
        Msg::LanguageUnknown { asked: s("fr") },
        Msg::VoiceNotSetUp,
        Msg::VagueTime {
            said: s("esta mañana"),
        },
        Msg::NotDoneYet { count: 1 },
        Msg::NotDoneYet { count: 2 },
        Msg::Heard {
            text: s("le di 5 ml de Tylenol a Emma"),
        },
        Msg::LabelRead {
            product: s("Tylenol Infantil"),
            ingredient: Some(s("paracetamol")),
            strength: Some(s("160 mg/5 ml")),
            form: Some(s("jarabe")),
        },
        Msg::LabelRead {
            product: s("Zyrtec"),
            ingredient: None,
            strength: None,
            form: None,
        },
        Msg::PhotoNotRead {
            why: PhotoUnread::NoConsent,
        },
        Msg::PhotoNotRead {
            why: PhotoUnread::BudgetSpent,
        },
        Msg::PhotoNotRead {
            why: PhotoUnread::Unreadable,
        },
        Msg::PhotoNotRead {
            why: PhotoUnread::Unavailable,
        },
        Msg::OtherWorkspace,
        Msg::WhichRole,
        Msg::Export {
            family: s("García López"),
            document: s("{}"),
        },
        Msg::Emergency {
            flag: RedFlag {
                categories: vec![Category::Poisoning, Category::SelfHarm, Category::Abuse],
            },
            numbers: Some(emergency_numbers("US")),
        },
        Msg::GuardiansTold {
            names: names(&["Ana", "Isabel"]),
        },
        ask(Form::new(FormKind::Allergy), Question::Severity, None),
        ask(
            Form::new(FormKind::Medication),
            Question::Child,
            Some(FieldError::UnknownChild {
                known: names(&["Emma"]),
            }),
        ),
        Msg::FormSummary {
            form: Box::new(medication_form()),
            problem: Some(FieldError::NotAChange),
        },
        Msg::FormCancelled,
        Msg::GuardiansOnly,
        Msg::FormExpired {
            kind: FormKind::Medication,
        },
        Msg::ChildAdded { name: s("Mia") },
        Msg::MedicationAdded {
            child: s("Emma"),
            name: s("Tylenol"),
            pending: false,
        },
        Msg::MedicationAdded {
            child: s("Emma"),
            name: s("Tylenol"),
            pending: true,
        },
        Msg::AllergyAdded {
            child: s("Emma"),
            allergen: s("huevo"),
        },
        Msg::MedicationEdited {
            child: s("Emma"),
            name: s("Tylenol"),
            pending: false,
        },
        Msg::MedicationEdited {
            child: s("Emma"),
            name: s("Tylenol"),
            pending: true,
        },
        Msg::EditUsage,
        Msg::RenameUsage,
        Msg::ChildRenamed {
            old: s("Emma"),
            new: s("Emmy"),
        },
        Msg::ConfirmLeaveCare { child: s("Leo") },
        Msg::ChildLeftCare { child: s("Leo") },
        Msg::ChildBackInCare { child: s("Leo") },
        Msg::NotOutOfCare {
            name: s("Mia"),
            out_of_care: Vec::new(),
        },
        Msg::NoMedicationToEdit {
            asked: s("jarabe"),
            known: names(&["Tylenol de Emma"]),
        },
        Msg::WhichMedicationToEdit {
            options: options.clone(),
            change: s("dose to 5 ml"),
        },
        Msg::OnlyGuardiansApprove,
        Msg::NothingToApprove,
        Msg::WhichToApprove {
            approve: true,
            options: options.clone(),
        },
        Msg::WhichToApprove {
            approve: false,
            options: options.clone(),
        },
        Msg::MedicationDecided {
            child: s("Emma"),
            medication: s("Tylenol"),
            approved: true,
            caregiver_told: Some(s("Maya")),
        },
        Msg::MedicationDecided {
            child: s("Emma"),
            medication: s("Tylenol"),
            approved: false,
            caregiver_told: None,
        },
        Msg::NoMedicationToChange {
            change: CourseChange::Pause,
            asked: s("jarabe"),
            known: Vec::new(),
        },
        Msg::WhichMedicationToChange {
            change: CourseChange::Resume,
            options: options.clone(),
        },
        Msg::ConfirmStop {
            child: s("Leo"),
            medication: s("Amoxil"),
        },
        Msg::NothingChanged,
        Msg::ChangeExpired,
        Msg::Members {
            members: vec![
                MemberLine {
                    name: s("Ana"),
                    role: Role::Guardian,
                    status: MemberStatus::Active,
                    children: Vec::new(),
                    is_you: true,
                },
                MemberLine {
                    name: s("Maya"),
                    role: Role::Caregiver,
                    status: MemberStatus::Invited,
                    children: names(&["Emma"]),
                    is_you: false,
                },
                MemberLine {
                    name: s("Luis"),
                    role: Role::Caregiver,
                    status: MemberStatus::Revoked,
                    children: Vec::new(),
                    is_you: false,
                },
            ],
        },
        Msg::UnknownMember {
            name: s("Pepe"),
            known: names(&["Ana", "Maya"]),
        },
        Msg::AmbiguousMember {
            name: s("Ma"),
            matches: names(&["Maya", "Mario"]),
        },
        Msg::WhichChildren {
            member: s("Maya"),
            assign: true,
        },
        Msg::WhichChildren {
            member: s("Maya"),
            assign: false,
        },
        Msg::Assigned {
            member: s("Maya"),
            children: names(&["Emma"]),
            assign: true,
        },
        Msg::Assigned {
            member: s("Maya"),
            children: names(&["Emma", "Leo"]),
            assign: false,
        },
        Msg::WhichRoleFor { member: s("Luis") },
        Msg::WhoToRevoke,
        Msg::ConfirmRevoke { member: s("Luis") },
        Msg::MemberRevoked { member: s("Luis") },
        Msg::ReminderDose {
            reminder_id: 4,
            child: s("Leo"),
            medication: s("Amoxil"),
            amount: DoseAmount {
                value: 5.0,
                unit: crate::domain::DoseUnit::Ml,
            },
            due_at: chrono::Utc::now(),
            escalated: false,
            buttons: true,
        },
        Msg::ReminderDose {
            reminder_id: 4,
            child: s("Leo"),
            medication: s("Amoxil"),
            amount: DoseAmount {
                value: 5.0,
                unit: crate::domain::DoseUnit::Ml,
            },
            due_at: chrono::Utc::now(),
            escalated: true,
            buttons: false,
        },
        Msg::ReminderCourseEnd {
            child: s("Leo"),
            medication: s("Amoxil"),
        },
        Msg::ReminderAppointment {
            child: s("Leo"),
            starts_at: chrono::Utc::now(),
            tomorrow: true,
        },
        Msg::ReminderAppointment {
            child: s("Leo"),
            starts_at: chrono::Utc::now(),
            tomorrow: false,
        },
        Msg::DailySummary {
            day: day(2025, 12, 3),
            children: vec![crate::messages::ChildDay {
                child: s("Leo"),
                doses: Vec::new(),
                temperatures: vec![(chrono::Utc::now(), 38.2)],
                notes: vec![(chrono::Utc::now(), Some(s("Maya")), s("durmió bien"))],
                missed: vec![(chrono::Utc::now(), s("Amoxil"))],
            }],
        },
        Msg::ReminderSkipped {
            child: s("Leo"),
            medication: s("Amoxil"),
        },
        Msg::SkipNeedsReason,
        Msg::NoOpenReminder,
        Msg::RemindersPaused {
            child: s("Leo"),
            paused: true,
        },
        Msg::RemindersPaused {
            child: s("Leo"),
            paused: false,
        },
        Msg::SummaryTimeSet {
            at: chrono::NaiveTime::from_hms_opt(20, 0, 0).expect("a time"),
        },
        Msg::QuietHoursSet {
            starts: chrono::NaiveTime::from_hms_opt(22, 0, 0).expect("a time"),
            ends: chrono::NaiveTime::from_hms_opt(7, 0, 0).expect("a time"),
        },
        Msg::ReminderShiftStart {
            starts_at: local(3, 8, 0),
            ends_at: local(3, 17, 0),
        },
        Msg::ReminderCertification {
            nanny: s("Maya"),
            certification: s("RCP y primeros auxilios"),
            expires_on: day(2026, 1, 2),
            expired: false,
            yours: false,
        },
        Msg::ReminderCertification {
            nanny: s("Maya"),
            certification: s("RCP y primeros auxilios"),
            expires_on: day(2025, 11, 30),
            expired: true,
            yours: true,
        },
        Msg::RecordList {
            kind: RecordKind::Providers,
            child: None,
            items: Vec::new(),
        },
        Msg::RecordList {
            kind: RecordKind::Appointments,
            child: Some(s("Leo")),
            items: Vec::new(),
        },
        Msg::RecordList {
            kind: RecordKind::Allergies,
            child: Some(s("Emma")),
            items: vec![allergy()],
        },
        Msg::RecordAdded {
            child: Some(s("Emma")),
            item: allergy(),
        },
        Msg::RecordChanged {
            child: Some(s("Leo")),
            item: vaccination(),
        },
        Msg::WhichToChange {
            options: entries.clone(),
            change: s("dose 2"),
        },
        Msg::WhatToRemove {
            kind: Some(RecordKind::Vaccinations),
        },
        Msg::NothingToRemove {
            kind: Some(RecordKind::Providers),
            which: s("Dr X"),
        },
        Msg::NothingToRemove {
            kind: None,
            which: s("Dr X"),
        },
        Msg::WhichToRemove { options: entries },
        Msg::ConfirmRemove {
            child: Some(s("Leo")),
            item: vaccination(),
        },
        Msg::RecordRemoved {
            child: None,
            item: vaccination(),
        },
        Msg::UnknownChild {
            name: s("Pepe"),
            known: names(&["Emma", "Leo"]),
        },
        Msg::WhichChild {
            known: names(&["Emma", "Leo"]),
        },
        Msg::UnknownMedication {
            child: s("Emma"),
            asked: s("jarabe"),
            known: names(&["Tylenol"]),
        },
        Msg::WhichMedication {
            child: s("Emma"),
            options: names(&["Tylenol", "Tylenol Infantil"]),
        },
        Msg::BadAmount(crate::domain::AmountError::UnknownUnit(s("cucharas"))),
        Msg::BadTemperature(crate::domain::TemperatureError::OutOfRange(s("50"))),
        Msg::BadTime(s("25:99")),
        Msg::NonexistentLocalTime(s("02:30")),
        Msg::Problem(Problem::LinkCodeWrong { left: 2 }),
        Msg::Denied,
        Msg::NotFound(s("dose")),
        Msg::NotUnderstood,
        Msg::InternalError,
        Msg::Alert(Alert::MedicationDecided {
            child_name: s("Emma"),
            medication_name: s("Tylenol"),
            approved: false,
            decided_by: s("Ana"),
        }),
        Msg::Alert(Alert::MedicationDecided {
            child_name: s("Emma"),
            medication_name: s("Tylenol"),
            approved: true,
            decided_by: s("Ana"),
        }),
    ];
    all.extend(
        [Role::Guardian, Role::Caregiver, Role::Viewer].map(|role| Msg::RoleChanged {
            member: s("Luis"),
            role,
        }),
    );
    all.extend(
        [
            CourseChange::Stop,
            CourseChange::Pause,
            CourseChange::Resume,
        ]
        .into_iter()
        .flat_map(|change| {
            [
                Msg::CourseUsage { change },
                Msg::CourseChanged {
                    child: s("Leo"),
                    medication: s("Amoxil"),
                    change,
                    ends_on: Some(day(2025, 12, 3)),
                },
            ]
        }),
    );
    all
}

#[test]
fn every_message_is_written_in_spanish_with_the_same_commands() {
    let samples = samples();
    let mut seen = [false; VARIANTS];
    for msg in &samples {
        seen[variant(msg)] = true;
        let spanish = es(msg);
        let english = render(msg, &ctx(Locale::En));
        let what = format!("{msg:?}");
        assert!(!spanish.text.trim().is_empty(), "{what}: no Spanish text");
        assert_ne!(spanish.text, english.text, "{what}: still English");
        assert_spanish(&spanish.text, &what);
        assert_eq!(spanish.tone, english.tone, "{what}");
        assert_eq!(spanish.health_data, english.health_data, "{what}");
        assert_eq!(spanish.document, english.document, "{what}");
        let values = |r: &Reply| {
            r.choices
                .iter()
                .map(|c| c.value.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            values(&spanish),
            values(&english),
            "{what}: choice values are commands"
        );
        for (es_choice, en_choice) in spanish.choices.iter().zip(&english.choices) {
            assert_spanish(&es_choice.label, &what);
            // A label that is a name or a number reads the same in both languages.
            let same = es_choice.label == en_choice.label;
            let data = es_choice.label.chars().all(|c| c.is_ascii_digit())
                || names(&[
                    "Emma",
                    "Leo",
                    "García",
                    "Pérez",
                    "Tylenol",
                    "Tylenol Infantil",
                ])
                .contains(&es_choice.label);
            assert!(
                !same || data,
                "{what}: label {:?} not translated",
                es_choice.label
            );
        }
    }
    // The model's own words are shown as it said them, in the language the prompt asked for:
    // the same in both catalogues by design.
    seen[variant(&Msg::AssistantSaid {
        text: String::new(),
    })] = true;
    let missing: Vec<usize> = (0..VARIANTS).filter(|&i| !seen[i]).collect();
    assert!(missing.is_empty(), "no sample for variants {missing:?}");
}

#[test]
fn every_problem_and_field_error_reads_in_spanish() {
    let s = |v: &str| v.to_string();
    let problems = vec![
        Problem::UnitMismatch {
            medication: s("Tylenol"),
            expected: "ml",
            given: "tablets",
        },
        Problem::FutureTime,
        Problem::TooFarInPast { days: 7 },
        Problem::MedicationInactive {
            medication: s("Amoxil"),
            ended_on: None,
        },
        Problem::OutsideCourse {
            medication: s("Amoxil"),
            starts_on: Some(day(2025, 12, 1)),
            ends_on: Some(day(2025, 12, 10)),
        },
        Problem::ImplausibleMeasurement {
            kind: "height",
            value: 250.5,
            unit: "cm",
        },
        Problem::LinkCodeWrong { left: 1 },
        Problem::TooManyJoinTries {
            limit: JoinLimit::Sender,
            minutes: 1,
        },
        Problem::TooManyJoinTries {
            limit: JoinLimit::Flood,
            minutes: 14,
        },
        Problem::NotInCare(s("Leo")),
        Problem::BadPhone(s("llámame")),
    ];
    for p in problems {
        let text = es(&Msg::Problem(p.clone())).text;
        assert!(text.ends_with('.'), "{p:?}: {text}");
        assert_spanish(&text, &format!("{p:?}"));
    }
    let text = es(&Msg::Problem(Problem::ImplausibleMeasurement {
        kind: "height",
        value: 250.5,
        unit: "cm",
    }))
    .text;
    assert!(
        text.starts_with("250,5 cm no es una estatura posible"),
        "{text}"
    );
    let text = es(&Msg::Problem(Problem::OutsideCourse {
        medication: s("Amoxil"),
        starts_on: Some(day(2025, 12, 1)),
        ends_on: Some(day(2025, 12, 10)),
    }))
    .text;
    assert!(
        text.contains("se recetó del 1 de diciembre al 10 de diciembre,"),
        "{text}"
    );
    let errors = [
        FieldError::DoseUnitMismatch { expected: "tablet" },
        FieldError::MaxMgBelowOneDose {
            ingredient: s("ibuprofen"),
            one_dose_mg: 7.5,
        },
        FieldError::NotAChange,
        FieldError::Missing,
    ];
    for e in errors {
        let text = field_problem(&e, Locale::Es);
        assert_spanish(&text, &format!("{e:?}"));
        assert_ne!(text, field_problem(&e, Locale::En));
    }
    assert!(field_problem(
        &FieldError::DoseUnitMismatch { expected: "tablet" },
        Locale::Es
    )
    .contains("por tableta"));
    assert!(field_problem(
        &FieldError::MaxMgBelowOneDose {
            ingredient: s("ibuprofen"),
            one_dose_mg: 7.5
        },
        Locale::Es
    )
    .contains("(7,5 mg de ibuprofen)"));
}
