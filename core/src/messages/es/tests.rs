//! The Spanish catalogue as a Spanish-speaking parent or nanny reads it: the words, the decimal
//! comma, Spanish months and 24-hour times, no English left in the sentences, and every message
//! `en` renders also written here, with the same choices (whose values are commands).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use crate::domain::{DoseAmount, DoseUnit, MemberStatus, Role, Schedule};
use crate::engine::command::RecordKind;
use crate::engine::forms::{
    AppointmentDraft, FieldError, Form, FormKind, MedicationDraft, Question,
};
use crate::messages::{
    field_problem, form_field, form_title, render, render_dashboard, whatsapp_invite,
    whatsapp_link_code, whatsapp_update_waiting_in, ConcernText, DoseLine, Locale, MedicationLine,
    MemberLine, Msg, PhotoUnread, RenderContext, Reply, ScheduleText,
};
use crate::screen::{emergency_numbers, Category, RedFlag};
use crate::services::care::{
    Alert, AllergyView, CourseChange, DoseView, FeverAdvice, RecordItem, VaccinationView,
};
use crate::services::dashboard::{ChildBoard, Dashboard, MedicationBoard, OnShift, RecentEntry};
use crate::services::emergency::EmergencyAlert;
use crate::services::Problem;

/// Wednesday 3 December 2025, 12:00 in Mexico City.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 12, 3, 18, 0, 0).unwrap()
}

fn ctx(locale: Locale) -> RenderContext {
    RenderContext {
        locale,
        timezone: chrono_tz::America::Mexico_City,
        country: "MX",
        now: now(),
    }
}

fn es(msg: &Msg) -> Reply {
    render(msg, &ctx(Locale::Es))
}

/// A moment in Mexico City.
fn local(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    chrono_tz::America::Mexico_City
        .with_ymd_and_hms(2025, 12, day, hour, minute, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn ml(value: f64) -> DoseAmount {
    DoseAmount {
        value,
        unit: DoseUnit::Ml,
    }
}

fn dose(at: DateTime<Utc>, flagged: bool) -> DoseLine {
    DoseLine {
        child: "Emma".into(),
        medication: "Tylenol".into(),
        amount: ml(7.5),
        at,
        by: Some("Maya".into()),
        flagged,
    }
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

fn medication_line() -> MedicationLine {
    MedicationLine {
        name: "Tylenol".into(),
        dose: ml(7.5),
        strength: "acetaminophen 160 mg/5 ml".into(),
        schedule: ScheduleText::AsNeeded { min_hours: 4.0 },
        max_doses_per_day: Some(5),
        awaiting_approval: false,
    }
}

fn vaccination() -> RecordItem {
    RecordItem::Vaccination(VaccinationView {
        id: 4,
        child_id: 1,
        vaccine: "SRP".into(),
        dose_number: Some(1),
        given_on: day(2024, 3, 3),
    })
}

fn allergy() -> RecordItem {
    RecordItem::Allergy(AllergyView {
        id: 5,
        child_id: 1,
        allergen: "huevo".into(),
        severity: "severe".into(),
        reaction: None,
    })
}

fn medication_form() -> Form {
    Form::AddMedication(MedicationDraft {
        child: Some((1, "Emma".into())),
        name: Some("Amoxil".into()),
        ingredients: Some(vec![crate::domain::IngredientStrength {
            ingredient: "amoxicillin".into(),
            mg: 250.0,
            per_amount: 5.0,
            per_unit: DoseUnit::Ml,
            max_mg_per_day: None,
        }]),
        dose: Some(ml(7.5)),
        schedule: Some(Schedule::FixedTimes {
            times: vec![
                chrono::NaiveTime::from_hms_opt(8, 0, 0).expect("a valid time"),
                chrono::NaiveTime::from_hms_opt(20, 0, 0).expect("a valid time"),
            ],
        }),
        interval_hours: Some(8),
        max_doses: Some(Some(3)),
        course: Some((Some(day(2025, 12, 3)), Some(day(2025, 12, 12)))),
        ..Default::default()
    })
}

fn appointment_form() -> Form {
    Form::AddAppointment(AppointmentDraft {
        child: Some((2, "Leo".into())),
        date: Some(day(2026, 1, 12)),
        time: chrono::NaiveTime::from_hms_opt(14, 30, 0),
        with: Some(Some("Dra. Pérez".into())),
        purpose: Some(None),
        editing: None,
    })
}

fn ask(form: Form, question: Question, problem: Option<FieldError>) -> Msg {
    Msg::FormAsk {
        form: Box::new(form),
        question,
        problem,
        children: names(&["Emma", "Leo"]),
    }
}

/// English words a Spanish reader would trip over; commands quoted as typed are not sentences, so
/// the list avoids words the commands use ("gave", "add", "at").
const ENGLISH: [&str; 14] = [
    " the ",
    "The ",
    "Gave",
    "next dose",
    "Next dose",
    "Call ",
    "call ",
    "Logged",
    "Sorry",
    "Nothing was",
    " you ",
    "You ",
    "Please",
    " of ",
];

fn assert_spanish(text: &str, what: &str) {
    for word in ENGLISH {
        assert!(!text.contains(word), "{what}: {word:?} in {text:?}");
    }
}

#[test]
fn replies_read_in_spanish() {
    let numbers = Some(emergency_numbers("MX"));
    let table: Vec<(Msg, Vec<&str>)> = vec![
        (
            Msg::DoseLogged {
                dose: dose(local(3, 14, 30), false),
                next_allowed_at: Some(local(3, 18, 30)),
                others: vec![dose(local(3, 9, 5), false)],
                flagged: false,
                unchecked: false,
                alerted: Vec::new(),
                poison_help: None,
            },
            vec![
                "Anotado: Emma, 7,5 ml de Tylenol, a las 14:30.",
                "Antes: Maya le dio 7,5 ml de Tylenol a las 09:05.",
                "La siguiente dosis se permite desde las 18:30.",
            ],
        ),
        (
            Msg::ConfirmExtraDose {
                child: "Emma".into(),
                medication: "Tylenol".into(),
                amount: ml(7.5),
                concerns: vec![ConcernText::TooSoon {
                    previous: dose(local(2, 22, 0), false),
                    allowed_from: local(4, 2, 0),
                }],
                next_allowed_at: local(4, 2, 0),
            },
            vec![
                "⚠ Espera — Maya le dio a Emma 7,5 ml de Tylenol ayer a las 22:00",
                "desde mañana a las 02:00",
                "Responde sí o no.",
            ],
        ),
        (
            Msg::CanHave {
                child: "Emma".into(),
                medication: "Tylenol".into(),
                dose: ml(7.5),
                allowed_now: false,
                next_allowed_at: local(10, 8, 0),
                last: Some(dose(local(3, 4, 0), false)),
                doses_in_last_day: 3,
                max_doses_per_day: Some(5),
            },
            vec![
                "Todavía no — Emma puede volver a tomar Tylenol desde el mié 10 dic a las 08:00.",
                "Última dosis: 7,5 ml de Tylenol, por Maya, a las 04:00.",
                "3 de 5",
            ],
        ),
        (
            Msg::TemperatureLogged {
                child: "Leo".into(),
                celsius: 38.5,
                fahrenheit_first: false,
                advice: FeverAdvice::Fever,
                emergency_number: "911".into(),
            },
            vec!["Anotado: Leo, 38,5 °C (101,3 °F).", "Eso es fiebre."],
        ),
        (
            Msg::TemperatureLogged {
                child: "Leo".into(),
                celsius: 40.2,
                fahrenheit_first: false,
                advice: FeverAdvice::VeryHigh,
                emergency_number: "911".into(),
            },
            vec!["40,2 °C", "llama al médico ahora, o al 911"],
        ),
        (
            Msg::TemperatureLogged {
                child: "Mia".into(),
                celsius: 38.1,
                fahrenheit_first: false,
                advice: FeverAdvice::InfantUrgent,
                emergency_number: "911".into(),
            },
            vec!["bebé de menos de 3 meses", "38,1 °C"],
        ),
        (
            Msg::Emergency {
                flag: RedFlag {
                    categories: vec![Category::Breathing],
                },
                numbers,
            },
            vec!["🚨 Llama al 911 ahora.\n", "RCP"],
        ),
        (
            Msg::Help {
                children: vec!["Emma".into(), "Leo".into()],
            },
            vec![
                "Llevo las medicinas",
                "kids — los niños",
                "En una emergencia",
            ],
        ),
        (Msg::NotUnderstood, vec!["Perdona, no te entendí.", "ayuda"]),
        (Msg::Denied, vec!["Lo siento, no tienes acceso a eso."]),
        (
            Msg::Alert(Alert::ExtraDose {
                dose_id: 1,
                child_name: "Emma".into(),
                medication_name: "Motrin".into(),
                amount: ml(2.5),
                given_at: local(3, 13, 15),
                given_by: "Maya".into(),
                concerns: Vec::new(),
                past_daily_maximum: true,
            }),
            vec![
                "⚠ Aviso: Maya confirmó una dosis extra",
                "2,5 ml de Motrin a las 13:15",
                "Supera el máximo diario.",
            ],
        ),
        (
            Msg::Alert(Alert::Emergency(EmergencyAlert {
                categories: vec![Category::Seizure],
                reported_by: "Maya".into(),
                child_name: Some("Leo".into()),
                at: local(3, 11, 40),
            })),
            vec![
                "🚨 Emergencia con Leo: Maya avisó de una convulsión a las 11:40",
                "Llama a Maya ahora.",
            ],
        ),
        (
            Msg::Alert(Alert::MedicationToApprove {
                medication_id: 12,
                child_name: "Emma".into(),
                medication: medication_line(),
                proposed_by: "Maya".into(),
                changed: false,
                version: 1,
                was: None,
            }),
            vec![
                "💊 Falta tu aprobación: Maya agregó una medicina para Emma",
                "Tylenol (acetaminophen 160 mg/5 ml): 7,5 ml, si hace falta",
                "approve #12.1",
            ],
        ),
        (
            Msg::Alert(Alert::MedicationToApprove {
                medication_id: 12,
                child_name: "Emma".into(),
                medication: medication_line(),
                proposed_by: "Maya".into(),
                changed: true,
                version: 3,
                was: Some(Box::new(medication_line())),
            }),
            vec![
                "💊 Falta tu aprobación: Maya cambió Tylenol de Emma",
                "• ahora: Tylenol",
                "• propuesta: Tylenol",
                "cada dosis se revisa con las reglas vigentes",
                "approve #12.3",
            ],
        ),
        (
            Msg::Medications {
                child: "Emma".into(),
                medications: vec![MedicationLine {
                    strength: "ibuprofen 100 mg/5 ml + x 2.5 mg/tablet".into(),
                    schedule: ScheduleText::At(names(&["08:00", "20:00"])),
                    ..medication_line()
                }],
            },
            vec![
                "Medicinas de Emma:",
                "2,5 mg/tableta",
                "a las 08:00 y 20:00, máx. 5 al día",
            ],
        ),
        (
            Msg::InviteCreated {
                code: "K7P2QX".into(),
                role: "caregiver".into(),
                expires_at: local(10, 9, 0),
            },
            vec![
                "nuevo cuidador: K7P2QX",
                "hasta el mié 10 dic a las 09:00",
                "join K7P2QX",
            ],
        ),
        (
            Msg::Problem(Problem::CourseAlreadyEnded {
                medication: "Amoxil".into(),
                on: day(2025, 12, 8),
            }),
            vec!["ya terminó el 8 de diciembre.", "No se cambió nada."],
        ),
        (
            Msg::Problem(Problem::VaccinatedBeforeBirth {
                child: "Leo".into(),
                born: day(2025, 1, 2),
            }),
            vec!["(2 de enero de 2025)"],
        ),
        (
            Msg::GrowthLogged {
                child: "Leo".into(),
                kind: "weight",
                value: 12.4,
            },
            vec!["peso de Leo, 12,4 kg"],
        ),
        (
            Msg::ClockedOut {
                at: local(3, 17, 45),
                minutes: 225,
                told: vec!["Ana".into(), "Luis".into()],
            },
            vec![
                "a las 17:45",
                "3 h 45 min",
                "informe de relevo a Ana y Luis",
            ],
        ),
        (
            Msg::RecordList {
                kind: RecordKind::Vaccinations,
                child: Some("Leo".into()),
                items: vec![vaccination()],
            },
            vec!["Vacunas de Leo:", "SRP (dosis 1), 3 mar 2024  (#4)"],
        ),
        (
            ask(Form::new(FormKind::Child), Question::BirthDate, None),
            vec!["¿Cuándo nació", "14 de marzo de 2022"],
        ),
        (
            ask(
                medication_form(),
                Question::UsualDose,
                Some(FieldError::BadDose(
                    crate::domain::AmountError::Implausible {
                        amount: "62.5".into(),
                        unit: "tablets",
                    },
                )),
            ),
            vec!["62,5 tabletas no es una dosis posible", "¿Cuánto toma Emma"],
        ),
        (
            Msg::FormSummary {
                form: Box::new(medication_form()),
                problem: None,
            },
            vec![
                "Medicina nueva para Emma:",
                "amoxicillin 250 mg/5 ml",
                "• Dosis habitual: 7,5 ml (375 mg de amoxicillin)",
                "• A las 08:00, 20:00 (con al menos 8 horas entre dosis)",
                "• Como máximo 3 dosis en 24 horas",
                "• Del 3 de diciembre de 2025 al 12 de diciembre de 2025",
                "¿Lo guardo?",
            ],
        ),
        (
            Msg::FormSummary {
                form: Box::new(appointment_form()),
                problem: None,
            },
            vec!["Leo: cita el lunes 12 de enero de 2026 a las 14:30 con Dra. Pérez."],
        ),
        (
            Msg::ReminderShiftStart {
                starts_at: local(3, 20, 0),
                ends_at: local(4, 6, 0),
            },
            vec!["Tu turno empieza a las 20:00 (hasta mañana a las 06:00)."],
        ),
        (
            Msg::ReminderCertification {
                nanny: "Maya".into(),
                certification: "RCP".into(),
                expires_on: day(2026, 1, 2),
                expired: false,
                yours: false,
            },
            vec![
                "El certificado «RCP» de Maya vence el viernes 2 de enero de 2026 (dentro de 30 días)",
                "perfil Maya certificado RCP hasta AAAA-MM-DD",
            ],
        ),
        (
            Msg::ReminderCertification {
                nanny: "Maya".into(),
                certification: "RCP".into(),
                expires_on: day(2025, 12, 1),
                expired: true,
                yours: false,
            },
            vec!["El certificado «RCP» de Maya venció el lunes 1 de diciembre de 2025."],
        ),
        (
            Msg::ReminderCertification {
                nanny: "Maya".into(),
                certification: "RCP".into(),
                expires_on: day(2026, 1, 2),
                expired: false,
                yours: true,
            },
            vec![
                "Tu certificado «RCP» vence el viernes 2 de enero de 2026 (dentro de 30 días): \
                 hay que reservar la renovación; luego dile la nueva fecha a un tutor.",
            ],
        ),
        (
            Msg::ReminderCertification {
                nanny: "Maya".into(),
                certification: "RCP".into(),
                expires_on: day(2025, 12, 1),
                expired: true,
                yours: true,
            },
            vec![
                "⚠ Tu certificado «RCP» venció el lunes 1 de diciembre de 2025. Cuando lo \
                 renueves, dile la nueva fecha a un tutor.",
            ],
        ),
    ];
    for (msg, expected) in &table {
        let reply = es(msg);
        for fragment in expected {
            assert!(
                reply.text.contains(fragment),
                "{msg:?}\nwanted {fragment:?} in:\n{}",
                reply.text
            );
        }
        assert_spanish(&reply.text, &format!("{msg:?}"));
        for choice in &reply.choices {
            assert_spanish(&choice.label, &format!("{msg:?}"));
        }
    }
}

#[test]
fn the_emergency_answer_says_whom_to_call_first_and_never_a_dose() {
    use Category::*;
    let all = [
        Breathing,
        Consciousness,
        Seizure,
        Allergy,
        Poisoning,
        Injury,
        Infection,
        Dehydration,
        SelfHarm,
        Abuse,
        Unspecified,
    ];
    for country in ["MX", "US", "ES", "FR", "ZZ"] {
        for category in all {
            let numbers = emergency_numbers(country);
            let msg = Msg::Emergency {
                flag: RedFlag {
                    categories: vec![category],
                },
                numbers: Some(numbers),
            };
            let reply = es(&msg);
            let first = reply.text.lines().next().unwrap_or_default();
            let number = numbers.emergency.replace(" (or ", " (o ");
            let call = match category {
                Abuse | SelfHarm => format!("llama al {number}."),
                _ => format!("🚨 Llama al {number} ahora."),
            };
            assert!(first.starts_with("🚨"), "{first}");
            assert!(first.ends_with(&call), "{country} {category:?}: {first}");
            assert_spanish(&reply.text, &format!("{country} {category:?}"));
            for unit in [" mg", " ml", "dosis"] {
                assert!(!reply.text.contains(unit), "{category:?}: {}", reply.text);
            }
            assert!(reply
                .text
                .ends_with("los servicios de emergencia sí pueden."));
        }
    }
    // Without a country: the local number, explained.
    let reply = es(&Msg::Emergency {
        flag: RedFlag {
            categories: vec![Poisoning],
        },
        numbers: None,
    });
    assert!(reply
        .text
        .starts_with("🚨 Llama al número de emergencias de tu país"));
}

#[test]
fn the_dashboard_reads_in_spanish() {
    let given = DoseView {
        id: 7,
        child_id: 1,
        child_name: "Emma".into(),
        medication_id: 12,
        medication_name: "Tylenol".into(),
        amount: ml(7.5),
        ingredient_mg: Default::default(),
        given_at: local(3, 9, 5),
        given_by_member_id: Some(2),
        given_by: Some("Maya".into()),
        channel: "slack".into(),
        flagged: false,
        voided: false,
    };
    let board = Dashboard {
        family: "García".into(),
        timezone: chrono_tz::America::Mexico_City,
        children: vec![
            ChildBoard {
                name: "Emma".into(),
                medications: vec![MedicationBoard {
                    id: 12,
                    name: "Tylenol".into(),
                    dose: ml(7.5),
                    last: Some(given.clone()),
                    next_allowed_at: Some(local(3, 11, 5)),
                    next_scheduled_at: Some(local(4, 8, 0)),
                }],
            },
            ChildBoard {
                name: "Leo".into(),
                medications: Vec::new(),
            },
        ],
        on_shift: vec![OnShift {
            name: "Maya".into(),
            since: local(3, 7, 30),
        }],
        recent: vec![
            RecentEntry::Dose(given),
            RecentEntry::Temperature {
                child: "Leo".into(),
                celsius: 38.5,
                at: local(2, 21, 0),
                by: None,
            },
        ],
    };
    let text = render_dashboard(&board, &ctx(Locale::Es));
    assert_eq!(text.title, "Familia García");
    let emma = text.children[0].1.join("\n");
    for fragment in [
        "Tylenol (7,5 ml): última: 7,5 ml de Tylenol, por Maya, a las 09:05",
        "puede tomarla ya",
        "le toca mañana a las 08:00",
    ] {
        assert!(emma.contains(fragment), "{fragment:?} in {emma}");
    }
    assert_eq!(text.children[1].1, vec!["Sin medicinas activas."]);
    assert_eq!(text.on_shift, "De turno: Maya (desde las 07:30)");
    assert_eq!(text.recent_title, "Últimas 24 horas");
    assert!(text.recent[1].contains("ayer 21:00 — Leo: temperatura 38,5 °C (101,3 °F)"));
    assert!(text.footer.starts_with("Actualizado a las 12:00."));
    let english = render_dashboard(&board, &ctx(Locale::En));
    for (es_child, en_child) in text.actions.iter().zip(&english.actions) {
        let values = |c: &Vec<crate::messages::Choice>| {
            c.iter().map(|c| c.value.clone()).collect::<Vec<_>>()
        };
        assert_eq!(values(&es_child.1), values(&en_child.1));
        assert_eq!(es_child.1[0].label, "Dar Tylenol");
    }
    for line in text.children.iter().flat_map(|c| &c.1).chain(&text.recent) {
        assert_spanish(line, "dashboard");
    }
}

#[test]
fn forms_are_titled_and_labelled_in_spanish() {
    let kinds = [
        FormKind::Child,
        FormKind::Medication,
        FormKind::Allergy,
        FormKind::Condition,
        FormKind::Vaccination,
        FormKind::Appointment,
        FormKind::Provider,
    ];
    for kind in kinds {
        let title = form_title(kind, Locale::Es);
        assert!(title.starts_with("Agregar"), "{title}");
        // Slack allows 24 characters in a modal's title.
        assert!(title.chars().count() <= 24, "{title}");
        for question in crate::engine::forms::fields(kind) {
            let (label, _) = form_field(question, Locale::Es);
            assert_ne!(label, form_field(question, Locale::En).0, "{question:?}");
            let (text, _) = super::forms::question(&Form::new(kind), question, &[]);
            assert_spanish(&text, &format!("{question:?}"));
        }
    }
    assert_eq!(
        field_problem(&FieldError::BadTime, Locale::Es),
        "No pude leer esa hora. Escríbela así: 10:30 o 15:00."
    );
}

#[test]
fn whatsapp_texts_are_in_spanish_when_asked() {
    let invite = whatsapp_invite("Ana", "García", "Maya", "K7P2QX", Locale::Es);
    assert!(invite.starts_with("¡Hola, Maya! Ana te invitó"), "{invite}");
    assert!(invite.contains("Responde JOIN") && invite.contains("join K7P2QX"));
    let code = whatsapp_link_code("123456", 10, Locale::Es);
    assert!(code.contains("Tu código de MedNanny es 123456") && code.contains("10 minutos"));
    assert_eq!(
        whatsapp_update_waiting_in("García", Locale::Es),
        "MedNanny tiene una novedad para la familia García. Responde para verla."
    );
    // English stays as it was.
    assert!(whatsapp_link_code("123456", 10, Locale::En).starts_with("Your MedNanny code"));
}

mod every;
