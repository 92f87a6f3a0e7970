//! Spanish (Latin-American neutral, "tú"), as a paediatric nurse would write to a parent or a
//! nanny. It mirrors `en` one to one: the same functions, the same `Reply` fields (tone, choices,
//! health data, documents) and the same choice values, which are commands sent back and stay as
//! the parser reads them. The commands a person types are quoted as typed (mostly English words:
//! the parser reads those), explained in Spanish.

mod approvals;
mod assistant;
mod children;
mod dashboard;
mod family;
mod format;
mod forms;
mod keeping;
mod nanny;
mod problems;
mod records;
mod reminders;
#[cfg(test)]
mod tests;
pub(super) mod whatsapp;

pub(super) use dashboard::render_dashboard;
pub(super) use format::{after, amount, at, list, number, strength, temperature, when};
use problems::{amount_error, problem, temperature_error};

use chrono::{Datelike, NaiveDate};

use super::{
    quote, Choice, ConcernText, Document, DoseLine, MedicationLine, Msg, RenderContext, Reply,
    ScheduleText, Tone,
};
use crate::screen::{EmergencyNumbers, RedFlag};
use crate::services::care::{Alert, FeverAdvice};

/// A line's name as the numbers table writes it, without the English article ("the 988 Suicide
/// & Crisis Lifeline" is a name; "the" is not Spanish).
fn line_name(name: &str) -> &str {
    name.strip_prefix("the ").unwrap_or(name)
}

/// The red-flag answer. The first line is always who to call; then the one or two first-aid
/// lines that are safe in every case of the category (the same advice as `en`, reviewed against
/// the AAP, NHS and Red Cross first aid); never a diagnosis, never a dose.
fn emergency(flag: &RedFlag, numbers: Option<&EmergencyNumbers>) -> String {
    use crate::screen::Category::*;
    // France's "15 (or 112)" is written in English in the numbers table.
    let number = numbers
        .map(|n| n.emergency.replace(" (or ", " (o "))
        .unwrap_or_else(|| {
            "número de emergencias de tu país (911 en México, EE. UU. y gran parte de América; 112 en España y Europa)".into()
        });
    let primary = flag.primary();
    let mut lines = Vec::new();
    lines.push(match primary {
        Abuse => format!("🚨 Si el niño o la niña está en peligro ahora, llama al {number}."),
        SelfHarm => format!("🚨 Si alguien está en peligro ahora, llama al {number}."),
        _ => format!("🚨 Llama al {number} ahora."),
    });
    if numbers.is_some_and(|n| n.guessed) {
        lines.push(format!(
            "No tengo el número de emergencias de tu país: el {number} funciona en toda Europa y desde la mayoría de los celulares. Si no conecta, llama a tu número local de emergencias."
        ));
    }
    if flag.involves(Poisoning) {
        if let Some(poison) = numbers.and_then(|n| n.poison_help) {
            lines.push(format!(
                "Si está despierto y respira con normalidad, puedes llamar en su lugar a la línea de intoxicaciones ({poison}): te dirán qué hacer."
            ));
        }
    }
    if flag.involves(SelfHarm) {
        match numbers.and_then(|n| n.crisis_line) {
            Some((name, phone)) => lines.push(format!(
                "Puedes llamar a {} al {phone}, a cualquier hora y gratis.",
                line_name(name)
            )),
            None => lines.push(
                "Una línea de crisis puede ayudarte a cualquier hora: el número de emergencias te puede comunicar.".into(),
            ),
        }
    }
    if flag.involves(Abuse) {
        if let Some((name, phone)) = numbers.and_then(|n| n.child_protection) {
            lines.push(format!(
                "Para denunciar un maltrato o pedir orientación, llama a {} al {phone}.",
                line_name(name)
            ));
        }
    }
    lines.push(
        match primary {
            Breathing => "Si no respira, empieza la RCP: quien te atienda en la llamada te guiará. Si se está atragantando y no puede toser, llorar ni respirar, dale golpes en la espalda.",
            Consciousness => "Revisa si respira. Si no respira, empieza la RCP; si respira, ponlo de lado y quédate con él.",
            Seizure => "Ponlo de lado en el suelo, aparta las cosas duras y fíjate en la hora en que empezó. No lo sujetes ni le pongas nada en la boca.",
            Allergy => "Si tiene un autoinyector de adrenalina (EpiPen), úsalo ahora. Acuéstalo con las piernas en alto, o sentado si le cuesta respirar.",
            Poisoning => "Ten a mano el envase, el frasco o la pila. No lo hagas vomitar y no le des nada de comer ni de beber, salvo que te lo indiquen.",
            Injury => "Si sangra, aprieta fuerte con un paño limpio y no dejes de apretar. Enfría una quemadura con agua corriente fresca durante 20 minutos. Si pudo lastimarse el cuello o la espalda, no lo muevas.",
            Infection => "No esperes a que aparezcan más señales ni a que baje la temperatura. Diles su edad y lo que viste.",
            Dehydration => "Si puede tragar, sigue ofreciéndole sorbitos (leche materna o fórmula si es un bebé) mientras llega la ayuda.",
            SelfHarm => "Quédate con la persona y guarda todo aquello con lo que pueda hacerse daño. Si temes hacerle daño al bebé, acuéstalo boca arriba en su cuna y aléjate un momento.",
            Abuse => "Mantén al niño o la niña a salvo y lejos de esa persona. No la enfrentes; escribe lo que te contó, con sus propias palabras.",
            Unspecified => "Quédate con el niño o la niña y cuéntale a quien te atienda lo que ves: te guiará paso a paso.",
        }
        .to_string(),
    );
    lines.push(
        "En una emergencia no puedo darte consejo médico: los servicios de emergencia sí pueden."
            .into(),
    );
    lines.join("\n")
}

/// How a guardian's alert names the kind of emergency.
fn emergency_kind(category: crate::screen::Category) -> &'static str {
    use crate::screen::Category::*;
    match category {
        Breathing => "una emergencia respiratoria",
        Consciousness => "un niño que no responde o no despierta",
        Seizure => "una convulsión",
        Allergy => "una reacción alérgica grave",
        Poisoning => "una posible intoxicación",
        Injury => "una lesión grave",
        Infection => "señales de una infección grave",
        Dehydration => "señales de deshidratación",
        SelfHarm => "una crisis de salud mental",
        Abuse => "una preocupación por la seguridad de un niño",
        Unspecified => "una emergencia",
    }
}

fn by(name: &Option<String>) -> String {
    name.clone()
        .unwrap_or_else(|| "alguien que ya no es miembro".into())
}

fn dose_line(d: &DoseLine, ctx: &RenderContext) -> String {
    let flag = if d.flagged { " ⚠ dosis extra" } else { "" };
    format!(
        "{} — {} de {}, por {}{flag}",
        when(d.at, ctx),
        amount(d.amount),
        d.medication,
        by(&d.by)
    )
}

/// A role as the catalogue's messages name it ("caregiver" → "cuidador").
pub(super) fn role_word(role: &str) -> &str {
    match role {
        "guardian" => "tutor",
        "caregiver" => "cuidador",
        "viewer" => "observador",
        other => other,
    }
}

/// An allergy's severity as stored (mild, moderate, severe, unknown), in Spanish.
pub(super) fn severity(severity: &str) -> &str {
    match severity {
        "mild" => "leve",
        "moderate" => "moderada",
        "severe" => "grave",
        "unknown" => "sin saber la gravedad",
        other => other,
    }
}

fn age(born: NaiveDate, today: NaiveDate) -> String {
    let months = (today.year() - born.year()) * 12 + today.month() as i32
        - born.month() as i32
        - i32::from(today.day() < born.day());
    match months {
        m if m < 1 => match (today - born).num_days() {
            1 => "1 día".into(),
            d => format!("{d} días"),
        },
        1 => "1 mes".into(),
        m if m < 24 => format!("{m} meses"),
        m => format!("{} años", m / 12),
    }
}

pub(super) fn medication_line(m: &MedicationLine) -> String {
    let schedule = match &m.schedule {
        ScheduleText::AsNeeded { min_hours } => {
            format!(
                "si hace falta, con al menos {} h entre dosis",
                number(*min_hours)
            )
        }
        ScheduleText::EveryHours(h) => format!("cada {h} h"),
        ScheduleText::At(times) => format!("a las {}", list(times)),
    };
    let max = m
        .max_doses_per_day
        .map(|n| format!(", máx. {n} al día"))
        .unwrap_or_default();
    let waiting = if m.awaiting_approval {
        " — pendiente de la aprobación de un tutor"
    } else {
        ""
    };
    format!(
        "• {} ({}): {}, {schedule}{max}{waiting}",
        m.name,
        strength(&m.strength),
        amount(m.dose)
    )
}

fn concern(c: &ConcernText, ctx: &RenderContext) -> String {
    match c {
        ConcernText::TooSoon {
            previous,
            allowed_from,
        } => format!(
            "{} le dio a {} {} de {} {} — la siguiente dosis se permite {}.",
            by(&previous.by),
            previous.child,
            amount(previous.amount),
            previous.medication,
            at(previous.at, ctx),
            after("desde", *allowed_from, ctx)
        ),
        ConcernText::TooManyDoses { count, max } => {
            format!("Sería la dosis número {count} en 24 horas; el máximo es {max}.")
        }
        ConcernText::TooMuch {
            ingredient,
            total_mg,
            max_mg,
        } => format!(
            "Eso suma {} mg de {ingredient} en 24 horas; el máximo es {} mg.",
            number(*total_mg),
            number(*max_mg)
        ),
        ConcernText::AboveUsual { usual_mg, given_mg } => format!(
            "Es más que la dosis habitual ({} mg en lugar de {} mg).",
            number(*given_mg),
            number(*usual_mg)
        ),
    }
}

pub(super) fn reply(text: String, tone: Tone, msg: &Msg) -> Reply {
    Reply {
        text,
        choices: Vec::new(),
        tone,
        health_data: msg.has_health_data(),
        document: None,
        quoted: Vec::new(),
    }
}

fn choices(options: &[String]) -> Vec<Choice> {
    options
        .iter()
        .enumerate()
        .map(|(i, label)| Choice {
            label: label.clone(),
            value: (i + 1).to_string(),
        })
        .collect()
}

fn yes_no(yes: &str, no: &str) -> Vec<Choice> {
    vec![
        Choice {
            label: yes.into(),
            value: "yes".into(),
        },
        Choice {
            label: no.into(),
            value: "no".into(),
        },
    ]
}

pub(super) fn form_field_problem(problem: &crate::engine::forms::FieldError) -> String {
    forms::problem(problem, false)
}

pub(super) fn form_title(kind: crate::engine::forms::FormKind) -> &'static str {
    forms::title(kind)
}

pub(super) fn form_field(question: crate::engine::forms::Question) -> (&'static str, &'static str) {
    forms::field(question)
}

pub(super) fn render(msg: &Msg, ctx: &RenderContext) -> Reply {
    use Tone::*;
    match msg {
        Msg::ConsoleGreeting { name, known: true } => reply(
            format!("Consola de MedNanny. Eres {name}. Escribe help para ver lo que puedo hacer, o quit para salir."),
            Info,
            msg,
        ),
        Msg::ConsoleGreeting { name, known: false } => reply(
            format!(
                "Consola de MedNanny. Hola, {name}: es tu primera vez aquí. Escribe quit para salir.\n{}",
                family::BOTH_WAYS_IN
            ),
            Info,
            msg,
        ),
        Msg::ChooseFamily { options } => Reply {
            text: "Perteneces a varias familias. ¿De cuál estamos hablando?".into(),
            choices: choices(options),
            tone: Info,
            health_data: false,
            document: None,
            quoted: Vec::new(),
        },
        Msg::FamilyChosen { name } => reply(format!("Listo: ahora trabajamos con la familia {name}."), Success, msg),
        Msg::Children { children, today } => {
            let lines: Vec<String> =
                children.iter().map(|(name, born)| format!("• {name}, {}", age(*born, *today))).collect();
            reply(format!("Niños:\n{}", lines.join("\n")), Info, msg)
        }
        Msg::NoChildren => reply("Todavía no hay niños que puedas ver en esta familia.".into(), Info, msg),
        Msg::Medications { child, medications } => {
            let lines: Vec<String> = medications.iter().map(medication_line).collect();
            reply(format!("Medicinas de {child}:\n{}", lines.join("\n")), Info, msg)
        }
        Msg::NoMedications { child } => reply(format!("{child} no tiene medicinas activas registradas."), Info, msg),
        Msg::Allergies { child, allergies } => {
            let lines: Vec<String> = allergies
                .iter()
                .map(|(allergen, level, reaction)| match reaction {
                    Some(r) => format!("• {allergen} ({}): {}", severity(level), quote::unsigned(r)),
                    None => format!("• {allergen} ({})", severity(level)),
                })
                .collect();
            reply(format!("Alergias de {child}:\n{}", lines.join("\n")), Warning, msg)
        }
        Msg::NoAllergies { child } => reply(format!("{child} no tiene alergias registradas."), Info, msg),
        Msg::DoseLogged { dose, next_allowed_at, others, flagged, unchecked, alerted, poison_help } => {
            let mut text = format!(
                "{}: {}, {} de {}, {}.",
                if *unchecked {
                    "Anotado sin la revisión de seguridad (marcado)"
                } else if *flagged {
                    "Anotado (marcado como dosis extra)"
                } else {
                    "Anotado"
                },
                dose.child,
                amount(dose.amount),
                dose.medication,
                at(dose.at, ctx)
            );
            for other in others {
                text.push_str(&format!(
                    "\nAntes: {} le dio {} de {} {}.",
                    by(&other.by),
                    amount(other.amount),
                    other.medication,
                    at(other.at, ctx)
                ));
            }
            match next_allowed_at {
                Some(next) => text.push_str(&format!("\nLa siguiente dosis se permite {}.", after("desde", *next, ctx))),
                None => text.push_str(
                    "\nNo puedo calcular cuándo se permite la siguiente dosis: revisa la etiqueta y las últimas dosis que se dieron.",
                ),
            }
            if !alerted.is_empty() {
                text.push_str(&format!("\nAvisé a {}.", list(alerted)));
            }
            if let Some(number) = poison_help {
                text.push_str(&format!(
                    "\nEsto supera el máximo diario. Llama ahora a la línea de intoxicaciones ({number}): te dirán qué hacer."
                ));
            }
            let tone = if poison_help.is_some() { Urgent } else if *flagged || *unchecked { Warning } else { Success };
            Reply {
                text,
                choices: vec![Choice { label: "Deshacer".into(), value: "undo".into() }],
                tone,
                health_data: true,
                document: None,
                quoted: Vec::new(),
            }
        }
        Msg::ConfirmExtraDose { child, medication, amount: given, concerns, next_allowed_at } => {
            let mut text = String::from("⚠ Espera — ");
            let lines: Vec<String> = concerns.iter().map(|c| concern(c, ctx)).collect();
            text.push_str(&lines.join(" "));
            if !concerns.iter().any(|c| matches!(c, ConcernText::TooSoon { .. })) {
                text.push_str(&format!(" La siguiente dosis se permite {}.", after("desde", *next_allowed_at, ctx)));
            }
            text.push_str(&format!(
                "\n¿De verdad se le dieron a {child} otros {} de {medication}? (Puede ser la misma dosis contada dos veces). Responde sí o no.",
                amount(*given)
            ));
            Reply {
                text,
                choices: yes_no("Sí, se le dio", "No, no la anotes"),
                tone: Warning,
                health_data: true,
                document: None,
                quoted: Vec::new(),
            }
        }
        Msg::ExtraDoseNotLogged => reply("Listo: no se anotó nada.".into(), Info, msg),
        Msg::CannotCheckDose { child, medication, logging, guardian_may_override } => {
            let mut text = if *logging {
                format!("⚠ Ahora mismo no puedo revisar con seguridad esta dosis de {medication} para {child}, así que no la anoté.")
            } else {
                format!("⚠ Ahora mismo no puedo revisar con seguridad si {child} puede tomar {medication}.")
            };
            let choices = if *logging && *guardian_may_override {
                text.push_str(
                    "\nResponde sí para anotarla de todos modos sin la revisión (quedará marcada y se avisará a los demás tutores), o no.",
                );
                yes_no("Sí, anotarla sin revisar", "No, no la anotes")
            } else {
                text.push_str("\nPregúntale a un tutor, o revisa la etiqueta y las últimas dosis antes de darle algo.");
                Vec::new()
            };
            Reply { choices, ..reply(text, Warning, msg) }
        }
        Msg::QuestionExpired => reply(
            "Esa pregunta ya venció, así que no se anotó nada. Si se dio una dosis, vuelve a decírmelo.".into(),
            Info,
            msg,
        ),
        Msg::QuestionDropped => reply("(Dejé de lado mi pregunta anterior; no se anotó nada por ella).".into(), Info, msg),
        Msg::CanHave { child, medication, dose, allowed_now, next_allowed_at, last, doses_in_last_day, max_doses_per_day } => {
            let mut text = if *allowed_now {
                format!("Sí — {child} puede tomar {} de {medication} ahora.", amount(*dose))
            } else {
                format!("Todavía no — {child} puede volver a tomar {medication} {}.", after("desde", *next_allowed_at, ctx))
            };
            match last {
                Some(last) => text.push_str(&format!(
                    "\nÚltima dosis: {} de {}, por {}, {}.",
                    amount(last.amount),
                    last.medication,
                    by(&last.by),
                    at(last.at, ctx)
                )),
                None => text.push_str("\nNo ha tomado nada de esto en las últimas 24 horas."),
            }
            if let Some(max) = max_doses_per_day {
                text.push_str(&format!("\nDosis en las últimas 24 horas: {doses_in_last_day} de {max}."));
            }
            reply(text, if *allowed_now { Success } else { Warning }, msg)
        }
        Msg::LastDoses { child, doses } => {
            let lines: Vec<String> = doses.iter().map(|d| format!("• {}", dose_line(d, ctx))).collect();
            reply(format!("Últimas dosis de {child}:\n{}", lines.join("\n")), Info, msg)
        }
        Msg::NoDoses { child } => reply(format!("No hay dosis registradas para {child}."), Info, msg),
        Msg::TemperatureLogged { child, celsius, fahrenheit_first, advice, emergency_number } => {
            let mut text = format!("Anotado: {child}, {}.", temperature(*celsius, *fahrenheit_first));
            let tone = match advice {
                FeverAdvice::None => Success,
                FeverAdvice::Fever => {
                    text.push_str(" Eso es fiebre. Fíjate en cómo toma líquidos y cómo se comporta; llama al médico si dura más de 2 o 3 días o si algo te preocupa.");
                    Warning
                }
                FeverAdvice::InfantUrgent => {
                    text.push_str(&format!(" La fiebre en un bebé de menos de 3 meses necesita un médico ya: llama a su médico, o al {emergency_number} si lo ves muy mal."));
                    Urgent
                }
                FeverAdvice::VeryHigh => {
                    text.push_str(&format!(" Es una temperatura muy alta: llama al médico ahora, o al {emergency_number} si le cuesta despertar, respira con dificultad o tiene una convulsión."));
                    Urgent
                }
            };
            reply(text, tone, msg)
        }
        Msg::NoteSaved { child } => reply(format!("Nota guardada para {child}."), Success, msg),
        Msg::Notes { child, notes } => {
            let lines: Vec<String> = notes
                .iter()
                .map(|(moment, author, body)| {
                    let author = by(author);
                    format!("• {} — {author}: {}", when(*moment, ctx), quote::by(&author, body))
                })
                .collect();
            reply(format!("Notas sobre {child}:\n{}", lines.join("\n")), Info, msg)
        }
        Msg::NoNotes { child } => reply(format!("Todavía no hay notas sobre {child}."), Info, msg),
        Msg::DoseVoided { dose } => reply(
            format!(
                "Deshecho: {} de {} para {} {} ya no cuenta.",
                amount(dose.amount),
                dose.medication,
                dose.child,
                at(dose.at, ctx)
            ),
            Success,
            msg,
        ),
        Msg::NothingToUndo => reply("No hay ninguna dosis tuya que deshacer.".into(), Info, msg),
        Msg::ClockedIn { at: start } => reply(format!("Turno iniciado {}. ¡Que tengas un buen turno!", at(*start, ctx)), Success, msg),
        Msg::ClockedOut { .. }
        | Msg::StillOnShift { .. }
        | Msg::Hours { .. }
        | Msg::NoHours { .. }
        | Msg::NannyProfile(_)
        | Msg::ScheduleSet { .. }
        | Msg::WeekStartSet { .. }
        | Msg::NannyUsage
        | Msg::Alert(Alert::Handoff(_)) => nanny::render(msg, ctx),
        Msg::Help { .. }
        | Msg::Welcome
        | Msg::NoFamily
        | Msg::FamilyCreated { .. }
        | Msg::FamilyNameQuestion
        | Msg::FamilyPlaceQuestion { .. }
        | Msg::FamilyPlaceConfirm { .. }
        | Msg::PlaceUnknown { .. }
        | Msg::ZoneUnknown { .. }
        | Msg::FamilyNotCreated
        | Msg::FamilyPlaceSet { .. } => family::render(msg, ctx),
        Msg::FormAsk {
            form,
            question,
            problem,
            children,
        } => {
            let (text, choices) = forms::question(form, *question, children);
            let text = match problem {
                Some(p) => format!("{}\n{text}", forms::problem(p, false)),
                None => text,
            };
            Reply {
                choices,
                ..reply(text, if problem.is_some() { Warning } else { Info }, msg)
            }
        }
        Msg::FormSummary { form, problem } => {
            let text = match problem {
                Some(p) => format!("{}\n{}", forms::problem(p, true), forms::summary(form)),
                None => forms::summary(form),
            };
            Reply {
                choices: vec![
                    Choice { label: "Sí, guardar".into(), value: "yes".into() },
                    Choice { label: "Cancelar".into(), value: "cancel".into() },
                ],
                ..reply(text, Info, msg)
            }
        }
        Msg::GuardiansOnly => reply(
            "Solo un tutor puede agregar o cambiar eso. Pídele a un tutor que lo haga desde su chat.".into(),
            Info,
            msg,
        ),
        Msg::FormCancelled => reply("Cancelado: no se guardó nada.".into(), Info, msg),
        Msg::FormExpired { .. } => reply(
            "(Ese formulario esperó demasiado y lo descarté; no se guardó nada).".into(),
            Info,
            msg,
        ),
        Msg::Alert(Alert::Emergency(alert)) => {
            let about = alert.child_name.as_deref().map(|c| format!(" con {c}")).unwrap_or_default();
            let what = alert.categories.first().map(|c| emergency_kind(*c)).unwrap_or("una emergencia");
            reply(
                format!(
                    "🚨 Emergencia{about}: {} avisó de {what} {} y se le indicó llamar al número de emergencias. Llama a {} ahora.",
                    alert.reported_by,
                    at(alert.at, ctx),
                    alert.reported_by
                ),
                Urgent,
                msg,
            )
        }
        Msg::Alert(Alert::ExtraDose { child_name, medication_name, amount: given, given_at, given_by, concerns, past_daily_maximum, .. }) => {
            let what = if concerns.iter().any(|c| c == crate::services::care::UNCHECKED_FLAG) {
                "anotó una dosis sin la revisión de seguridad (no se pudo hacer)"
            } else {
                "confirmó una dosis extra"
            };
            let mut text = format!(
                "⚠ Aviso: {given_by} {what} — a {child_name} se le dieron {} de {medication_name} {}.",
                amount(*given),
                at(*given_at, ctx)
            );
            if *past_daily_maximum {
                text.push_str(" Supera el máximo diario.");
            }
            reply(text, Urgent, msg)
        }
        Msg::ChildAdded { .. }
        | Msg::MedicationAdded { .. }
        | Msg::MedicationEdited { .. }
        | Msg::RenameUsage
        | Msg::ChildRenamed { .. }
        | Msg::ConfirmLeaveCare { .. }
        | Msg::ChildLeftCare { .. }
        | Msg::ChildBackInCare { .. }
        | Msg::NotOutOfCare { .. }
        | Msg::EditUsage
        | Msg::NoMedicationToEdit { .. }
        | Msg::WhichMedicationToEdit { .. } => children::render(msg, ctx),
        Msg::OnlyGuardiansApprove
        | Msg::NothingToApprove
        | Msg::WhichToApprove { .. }
        | Msg::MedicationDecided { .. }
        | Msg::Alert(Alert::MedicationToApprove { .. } | Alert::MedicationDecided { .. }) => {
            approvals::render(msg, ctx)
        }
        Msg::CourseUsage { .. }
        | Msg::NoMedicationToChange { .. }
        | Msg::WhichMedicationToChange { .. }
        | Msg::ConfirmStop { .. }
        | Msg::CourseChanged { .. }
        | Msg::NothingChanged
        | Msg::ChangeExpired
        | Msg::Members { .. }
        | Msg::UnknownMember { .. }
        | Msg::AmbiguousMember { .. }
        | Msg::WhichChildren { .. }
        | Msg::Assigned { .. }
        | Msg::WhichRoleFor { .. }
        | Msg::RoleChanged { .. }
        | Msg::WhoToRevoke
        | Msg::ConfirmRevoke { .. }
        | Msg::MemberRevoked { .. } => keeping::render(msg, ctx),
        Msg::ReminderDose { .. }
        | Msg::ReminderCourseEnd { .. }
        | Msg::ReminderAppointment { .. }
        | Msg::DailySummary { .. }
        | Msg::ReminderSkipped { .. }
        | Msg::SkipNeedsReason
        | Msg::NoOpenReminder
        | Msg::RemindersPaused { .. }
        | Msg::SummaryTimeSet { .. }
        | Msg::QuietHoursSet { .. }
        | Msg::ReminderShiftStart { .. }
        | Msg::ReminderCertification { .. } => reminders::render(msg, ctx),
        Msg::RecordList { .. }
        | Msg::RecordAdded { .. }
        | Msg::RecordChanged { .. }
        | Msg::WhichToChange { .. }
        | Msg::WhatToRemove { .. }
        | Msg::NothingToRemove { .. }
        | Msg::WhichToRemove { .. }
        | Msg::ConfirmRemove { .. }
        | Msg::RecordRemoved { .. } => records::render(msg, ctx),
        Msg::AllergyAdded { child, allergen } => reply(
            format!("Guardado: {child} tiene alergia a {allergen}. Todas las personas que cuidan a {child} lo verán."),
            Success,
            msg,
        ),
        Msg::InviteCreated { code, role, expires_at } => reply(
            format!(
                "Código de invitación para un nuevo {}: {code}\nSirve una sola vez, {}. La persona envía: join {code}",
                role_word(role),
                after("hasta", *expires_at, ctx)
            ),
            Success,
            msg,
        ),
        Msg::InvitedByPhone { .. }
        | Msg::LinkCodeSent { .. }
        | Msg::PhoneLinked { .. }
        | Msg::LinkUsage
        | Msg::UnknownNumber
        | Msg::MediaNotRead
        | Msg::WhatsappUndeliverable => whatsapp::render(msg, ctx),
        Msg::AssistantSaid { .. }
        | Msg::NoDoseAdvice
        | Msg::VagueTime { .. }
        | Msg::NotDoneYet { .. }
        | Msg::AssistantUnavailable
        | Msg::AssistantBudgetSpent
        | Msg::AssistantConsentQuestion
        | Msg::AssistantConsent { .. }
        | Msg::LanguageSet
        | Msg::LanguageUnknown { .. }
        | Msg::Heard { .. }
        | Msg::VoiceNotSetUp
        | Msg::LabelRead { .. }
        | Msg::PhotoNotRead { .. } => assistant::render(msg, ctx),
        Msg::OtherWorkspace => reply(
            "Lo siento, este MedNanny atiende a un solo espacio de trabajo familiar y tú no formas parte de él. No se anotó nada."
                .into(),
            Error,
            msg,
        ),
        Msg::WhichRole => reply(
            "¿A quién invitas? Envía invite guardian (un tutor), invite caregiver (una niñera) o invite viewer (solo lectura).".into(),
            Info,
            msg,
        ),
        Msg::Export { family, document } => Reply {
            document: Some(Document {
                filename: format!("mednanny-{}.json", family.to_lowercase().replace(' ', "-")),
                content: document.clone(),
            }),
            ..reply(
                format!("Todo lo que la familia {family} tiene en MedNanny, en JSON. Guárdalo en un lugar privado."),
                Info,
                msg,
            )
        },
        Msg::Joined { family, role } => reply(
            format!(
                "¡Te damos la bienvenida a la familia {family}! Te uniste como {}. Envía help para ver lo que puedo hacer.",
                role_word(role)
            ),
            Success,
            msg,
        ),
        Msg::GrowthLogged { child, kind, value } => {
            let (what, unit) = if *kind == "weight" { ("peso", "kg") } else { ("estatura", "cm") };
            reply(
                format!("✓ Anotado: {what} de {child}, {} {unit}.", number((value * 10.0).round() / 10.0)),
                Success,
                msg,
            )
        }
        Msg::Emergency { flag, numbers } => reply(emergency(flag, numbers.as_ref()), Urgent, msg),
        Msg::GuardiansTold { names } => reply(format!("Avisé a {}.", list(names)), Urgent, msg),
        Msg::UnknownChild { name, known } => reply(
            format!("No conozco a ningún niño llamado {name}. Los niños de aquí: {}.", list(known)),
            Error,
            msg,
        ),
        Msg::WhichChild { known } => Reply {
            text: "¿Qué niño?".into(),
            choices: choices(known),
            tone: Info,
            health_data: false,
            document: None,
            quoted: Vec::new(),
        },
        Msg::UnknownMedication { child, asked, known } => {
            let known = if known.is_empty() { "ninguna".into() } else { list(known) };
            reply(
                format!(
                    "{child} no tiene {asked} registrado, así que no puedo revisarlo ni anotarlo. Medicinas de {child}: {known}. Un tutor puede agregarlo."
                ),
                Error,
                msg,
            )
        }
        Msg::AddMedicationFirst { child, asked } => reply(
            format!(
                "{child} no tiene {asked} registrado, así que esa dosis todavía no quedó anotada: solo puedo revisar una dosis con las reglas del medicamento. \
                 ¿Agrego {asked} a las medicinas de {child}? Luego dime la dosis otra vez y la reviso y la anoto."
            ),
            Warning,
            msg,
        )
        .with_choices(vec![
            Choice { label: "Sí, agrégalo".into(), value: "yes".into() },
            Choice { label: "No, gracias".into(), value: "no".into() },
        ]),
        Msg::WhichMedication { child, options } => Reply {
            text: format!("{child} tiene más de una medicina que coincide. ¿Cuál?"),
            choices: choices(options),
            tone: Info,
            health_data: true,
            document: None,
            quoted: Vec::new(),
        },
        Msg::BadAmount(e) => reply(format!("{} No se anotó nada.", amount_error(e)), Error, msg),
        Msg::BadTemperature(e) => reply(temperature_error(e), Error, msg),
        Msg::BadTime(t) => reply(
            format!("{t:?} no es una hora del día (por ejemplo 9:30 o 21:30). No se anotó nada."),
            Error,
            msg,
        ),
        Msg::NonexistentLocalTime(t) => reply(
            format!("La hora {t} no existió hoy (se cambió el horario). Dime la hora otra vez, por favor. No se anotó nada."),
            Error,
            msg,
        ),
        Msg::Problem(p) => reply(problem(p), Error, msg),
        Msg::Denied => reply("Lo siento, no tienes acceso a eso.".into(), Error, msg),
        Msg::NotFound(what) => reply(not_found(what), Error, msg),
        Msg::NotUnderstood => reply(
            "Perdona, no te entendí. Envía help (o ayuda) para ver lo que puedo hacer.".into(),
            Info,
            msg,
        ),
        Msg::InternalError => reply(
            "Algo falló de nuestro lado y no se cambió nada. Inténtalo de nuevo en un momento, por favor.".into(),
            Error,
            msg,
        ),
    }
}

/// "I couldn't find that {what}": the services name what with an English noun.
fn not_found(what: &str) -> String {
    let that = match what {
        "child" => "a ese niño",
        "dose" => "esa dosis",
        "family" => "esa familia",
        "medication" => "esa medicina",
        "member" => "a ese miembro",
        "note" => "esa nota",
        "person" => "a esa persona",
        "provider" => "a ese médico",
        "record entry" => "esa entrada del registro",
        _ => return "No lo encontré.".into(),
    };
    format!("No encontré {that}.")
}
