//! Spanish for forms: the questions, why an answer was not taken, and the summaries. The examples
//! are ones the form's reader understands ("cada 8 horas", "durante 10 días", "14 de marzo de
//! 2022", "8:00 y 20:00", "ninguno"); the buttons' values stay the English words it reads.

use super::amount_error;
use super::format::{amount, date, number, strength, unit_word, weekday_date};
use crate::domain::Schedule;
use crate::engine::forms::{
    strength_text, AllergyDraft, AppointmentDraft, ChildDraft, ConditionDraft, FieldError, Form,
    FormKind, MedicationDraft, ProviderDraft, Question, VaccinationDraft,
};
use crate::messages::Choice;

fn choice(label: &str, value: &str) -> Choice {
    Choice {
        label: label.into(),
        value: value.into(),
    }
}

fn child_of(form: &Form) -> Option<&str> {
    match form {
        Form::AddMedication(d) => d.child.as_ref().map(|(_, n)| n.as_str()),
        Form::AddAllergy(d) => d.child.as_ref().map(|(_, n)| n.as_str()),
        Form::AddChild(d) => d.name.as_deref(),
        Form::AddCondition(d) => d.child.as_ref().map(|(_, n)| n.as_str()),
        Form::AddVaccination(d) => d.child.as_ref().map(|(_, n)| n.as_str()),
        Form::AddAppointment(d) => d.child.as_ref().map(|(_, n)| n.as_str()),
        Form::AddProvider(_) => None,
    }
}

/// The question, with the buttons that answer it in one tap.
pub(super) fn question(
    form: &Form,
    question: Question,
    known_children: &[String],
) -> (String, Vec<Choice>) {
    let child = child_of(form).unwrap_or("el niño");
    match (form, question) {
        (_, Question::Child) => (
            match form.kind() {
                FormKind::Medication => "¿Para qué niño es la medicina?".into(),
                FormKind::Vaccination => "¿Qué niño recibió la vacuna?".into(),
                FormKind::Appointment => "¿Para qué niño es la cita?".into(),
                _ => "¿Para qué niño es?".into(),
            },
            known_children.iter().map(|n| choice(n, n)).collect(),
        ),
        (_, Question::ChildName) => ("¿Cómo se llama el niño o la niña?".into(), Vec::new()),
        (_, Question::BirthDate) => (
            format!("¿Cuándo nació {child}? (por ejemplo, 14 de marzo de 2022)"),
            Vec::new(),
        ),
        (_, Question::MedicationName) => (
            format!(
                "¿Cómo se llama la medicina de {child}? El nombre que viene en la caja, como Tylenol Infantil o Amoxil."
            ),
            Vec::new(),
        ),
        (Form::AddMedication(d), Question::Ingredients) => (
            match d.known_ingredient() {
                Some(ingredient) => format!(
                    "¿Qué concentración tiene? Viene en la etiqueta, por ejemplo \"160 mg/5 ml\" o \"80 mg tablets\". \
                     ({} es {ingredient}; si la etiqueta dice otra cosa, escribe también el principio activo).",
                    d.name.as_deref().unwrap_or("Esta medicina")
                ),
                None => "¿Qué contiene y con qué concentración? Cópialo de la etiqueta: el principio activo y su \
                         concentración, como \"amoxicillin 250 mg/5 ml\" o \"ibuprofen 200 mg tablets\". \
                         Si tiene dos principios activos, únelos con \"y\"."
                    .into(),
            },
            Vec::new(),
        ),
        (_, Question::UsualDose) => (
            format!(
                "¿Cuánto toma {child} cada vez? Por ejemplo 5 ml, o 1 tablet. \
                 Usa lo que indica el médico o la etiqueta para {child}: yo nunca calculo una dosis."
            ),
            Vec::new(),
        ),
        (_, Question::Schedule) => (
            "¿Cómo se da: si hace falta, cada ciertas horas (\"cada 8 horas\") o a horas fijas (\"8:00 y 20:00\")?"
                .into(),
            vec![choice("Si hace falta", "as needed")],
        ),
        (_, Question::Interval) => (
            "¿Cuántas horas, como mínimo, entre dos dosis? (por ejemplo 6)".into(),
            Vec::new(),
        ),
        (_, Question::MaxDoses) => (
            "¿Cuántas dosis, como máximo, en 24 horas? Un número, o \"ninguno\".".into(),
            vec![choice("Sin máximo", "none")],
        ),
        (Form::AddMedication(d), Question::MaxMg(i)) => {
            let ingredient = d
                .ingredients
                .as_ref()
                .and_then(|v| v.get(i))
                .map(|s| s.ingredient.as_str())
                .unwrap_or("el principio activo");
            if crate::engine::forms::label_limits(ingredient).is_some() {
                return (
                    format!(
                        "¿Hay un máximo diario de {ingredient}, en mg cada 24 horas? El número que te dio el médico o el \
                         farmacéutico, \"no sé\" para usar el límite de la etiqueta, o \"ninguno\"."
                    ),
                    vec![
                        choice("No sé: el de la etiqueta", "I don't know"),
                        choice("Ninguno", "none"),
                    ],
                );
            }
            (
                format!(
                    "¿Hay un máximo diario de {ingredient}, en mg cada 24 horas? El número que te dio el médico o el \
                     farmacéutico, o \"ninguno\"."
                ),
                vec![choice("Ninguno", "none")],
            )
        }
        (_, Question::Course) => (
            "¿Por cuánto tiempo? Por ejemplo \"durante 10 días\" o \"hasta el 20 de diciembre\"; si no tiene fin, elige \"Sin fecha de fin\".".into(),
            vec![choice("Sin fecha de fin", "ongoing")],
        ),
        (_, Question::Allergen) => (format!("¿A qué tiene alergia {child}?"), Vec::new()),
        (_, Question::Severity) => (
            "¿Qué tan grave es?".into(),
            vec![
                choice("Leve", "mild"),
                choice("Moderada", "moderate"),
                choice("Grave / anafilaxia", "severe"),
                choice("No lo sé", "unknown"),
            ],
        ),
        (_, Question::Reaction) => (
            "¿Qué le pasa cuando tiene una reacción (por ejemplo ronchas, hinchazón)? O \"nada\" para omitirlo.".into(),
            vec![choice("Omitir", "skip")],
        ),
        (_, Question::ConditionName) => (
            format!("¿Qué condición de salud tiene {child}? (por ejemplo asma, eczema, diabetes tipo 1)"),
            Vec::new(),
        ),
        (_, Question::GuardianOnly) => (
            format!(
                "¿Quién debe verla: todas las personas que cuidan a {child} (también la niñera), o solo los tutores?"
            ),
            vec![
                choice("Todos los que cuidan", "shared"),
                choice("Solo tutores", "private"),
            ],
        ),
        (_, Question::VaccineName) => (
            format!("¿Qué vacuna recibió {child}? Como aparece en la cartilla, por ejemplo SRP (MMR) o DTaP."),
            Vec::new(),
        ),
        (_, Question::VaccineDate) => (
            "¿Cuándo se la pusieron? (por ejemplo, 3 de marzo de 2024)".into(),
            vec![choice("Hoy", "today")],
        ),
        (_, Question::VaccineDose) => (
            "¿Qué dosis fue (1, 2, 3...)? O \"nada\" si no lo sabes.".into(),
            vec![
                choice("1", "1"),
                choice("2", "2"),
                choice("3", "3"),
                choice("No lo sé", "skip"),
            ],
        ),
        (_, Question::AppointmentDate) => (
            "¿Qué día es la cita? (por ejemplo, 12 de enero, o mañana)".into(),
            vec![choice("Mañana", "tomorrow")],
        ),
        (_, Question::AppointmentTime) => (
            "¿A qué hora? (por ejemplo 10:30 o 15:00)".into(),
            Vec::new(),
        ),
        (_, Question::AppointmentWith) => (
            "¿Con quién es? (por ejemplo, Dra. Pérez) O \"nada\" para omitirlo.".into(),
            vec![choice("Omitir", "skip")],
        ),
        (_, Question::AppointmentPurpose) => (
            "¿Para qué es? (por ejemplo, una revisión o vacunas) O \"nada\" para omitirlo.".into(),
            vec![choice("Omitir", "skip")],
        ),
        (_, Question::ProviderName) => (
            "¿Cómo se llama el médico? (por ejemplo, Dra. Pérez, o el nombre de la clínica)".into(),
            Vec::new(),
        ),
        (_, Question::ProviderPhone) => (
            "¿Su número de teléfono? (para que quien esté con los niños pueda llamar) O \"nada\" para omitirlo.".into(),
            vec![choice("Omitir", "skip")],
        ),
        (_, Question::Ingredients | Question::MaxMg(_)) => ("?".into(), Vec::new()),
    }
}

/// Why the last answer was not taken.
pub(super) fn problem(problem: &FieldError, at_summary: bool) -> String {
    match problem {
        FieldError::BadDate => "No pude leer esa fecha. Escríbela así: 14 de marzo de 2022.".into(),
        FieldError::DateInFuture => "Esa fecha todavía no llega.".into(),
        FieldError::TooOld => {
            "Eso fue hace más de 18 años: MedNanny lleva registros de niños.".into()
        }
        FieldError::BadName => "Eso no parece un nombre.".into(),
        FieldError::DuplicateName(name) => {
            format!("Ya hay un niño llamado {name} en la familia.")
        }
        FieldError::UnknownChild { known } => {
            format!("No conozco a ese niño. Los niños: {}.", known.join(", "))
        }
        FieldError::BadStrength => {
            "No pude leer la concentración. Viene en la etiqueta, como \"160 mg/5 ml\" o \"200 mg tablets\"."
                .into()
        }
        FieldError::IngredientMissing => {
            "¿Qué principio activo es? Escríbelo con la concentración, como \"acetaminophen 160 mg/5 ml\"."
                .into()
        }
        FieldError::BadDose(e) => amount_error(e),
        FieldError::DoseUnitMismatch { expected } => {
            let unit = unit_word(expected);
            format!("La concentración es por {unit}, así que escribe la dosis en {unit} (o en mg).")
        }
        FieldError::BadSchedule => "No pude leer cómo se da.".into(),
        FieldError::TimesNeeded => {
            "Dime cuándo, por favor: las horas (como 8:00 y 20:00), o cada cuántas horas.".into()
        }
        FieldError::BadInterval => {
            "El tiempo entre dosis tiene que ser en horas enteras, de 1 a 72.".into()
        }
        FieldError::BadMaxDoses => {
            "El máximo tiene que ser un número de dosis del 1 al 24, o \"ninguno\".".into()
        }
        FieldError::BadMaxMg => "Escribe el máximo en mg, como 1000, o \"ninguno\".".into(),
        FieldError::MaxMgBelowOneDose {
            ingredient,
            one_dose_mg,
        } => format!(
            "Eso es menos que una dosis habitual ({} mg de {ingredient}), así que nunca se podría dar ninguna dosis.",
            number(*one_dose_mg)
        ),
        FieldError::BadCourse => {
            "No pude leer por cuánto tiempo: \"durante 10 días\" o \"hasta el 20 de diciembre\".".into()
        }
        FieldError::EndsBeforeStart => "El tratamiento terminaría antes de empezar.".into(),
        FieldError::BadSeverity => "Dime leve, moderada, grave o \"not sure\" si no lo sabes.".into(),
        FieldError::TooLong => "Es demasiado largo; escríbelo más corto, por favor.".into(),
        FieldError::BadDoseNumber => {
            "El número de dosis es el que aparece en la cartilla de vacunación, del 1 al 10.".into()
        }
        FieldError::DateInPast => "Ese día ya pasó: una cita tiene que ser en el futuro.".into(),
        FieldError::TooFarAhead => "Eso es dentro de más de dos años.".into(),
        FieldError::BadTime => "No pude leer esa hora. Escríbela así: 10:30 o 15:00.".into(),
        FieldError::BadPhone => {
            "Eso no parece un número de teléfono: escribe sus dígitos, como +52 55 1234 5678.".into()
        }
        FieldError::NotAChange if at_summary => {
            "Di sí para guardarlo, cancelar para descartarlo, o dime qué cambio (como \"cada 6 horas\", \
             \"máximo 4 al día\", \"dose 7.5 ml\" o \"durante 7 días\")."
                .into()
        }
        FieldError::BadRate => "Escribe un importe por hora, como 22.50.".into(),
        FieldError::NotAChange => "Responde esta pregunta, por favor, o di cancelar para dejarlo.".into(),
        FieldError::Missing => "Completa este campo, por favor.".into(),
    }
}

/// The summary shown before saving.
pub(super) fn summary(form: &Form) -> String {
    let body = match form {
        Form::AddChild(d) => child_summary(d),
        Form::AddMedication(d) => medication_summary(d),
        Form::AddAllergy(d) => allergy_summary(d),
        Form::AddCondition(d) => condition_summary(d),
        Form::AddVaccination(d) => vaccination_summary(d),
        Form::AddAppointment(d) => appointment_summary(d),
        Form::AddProvider(d) => provider_summary(d),
    };
    let editing = match form {
        Form::AddAllergy(d) => d.editing.is_some(),
        Form::AddCondition(d) => d.editing.is_some(),
        Form::AddVaccination(d) => d.editing.is_some(),
        Form::AddAppointment(d) => d.editing.is_some(),
        Form::AddProvider(d) => d.editing.is_some(),
        // The medicine's summary says it is a change itself.
        Form::AddChild(_) | Form::AddMedication(_) => false,
    };
    let body = if editing {
        format!("Con el cambio, queda así cuando digas sí:\n{body}")
    } else {
        body
    };
    format!("{body}\n¿Lo guardo? Di sí, cancelar, o dime qué cambio.")
}

fn child_summary(d: &ChildDraft) -> String {
    format!(
        "Agregar a {}, que nació el {}.",
        d.name.as_deref().unwrap_or("?"),
        d.birth_date.map(date).unwrap_or_default()
    )
}

fn child_name(child: &Option<(i64, String)>) -> &str {
    child.as_ref().map(|(_, n)| n.as_str()).unwrap_or("?")
}

fn condition_summary(d: &ConditionDraft) -> String {
    let child = child_name(&d.child);
    let who = if d.guardian_only == Some(true) {
        "solo la ven los tutores".to_string()
    } else {
        format!("la ven todas las personas que cuidan a {child}")
    };
    format!("{child}: {} ({who}).", d.name.as_deref().unwrap_or("?"))
}

fn vaccination_summary(d: &VaccinationDraft) -> String {
    let dose = match d.dose_number {
        Some(Some(n)) => format!(", dosis {n}"),
        _ => String::new(),
    };
    format!(
        "{}: vacuna {} el {}{dose}.",
        child_name(&d.child),
        d.vaccine.as_deref().unwrap_or("?"),
        d.given_on.map(date).unwrap_or_default()
    )
}

fn appointment_summary(d: &AppointmentDraft) -> String {
    let mut text = format!(
        "{}: cita el {} a las {}",
        child_name(&d.child),
        d.date.map(weekday_date).unwrap_or_default(),
        d.time
            .map(|t| t.format("%H:%M").to_string())
            .unwrap_or_default()
    );
    if let Some(Some(with)) = &d.with {
        text.push_str(&format!(" con {with}"));
    }
    if let Some(Some(purpose)) = &d.purpose {
        text.push_str(&format!(" ({purpose})"));
    }
    text.push('.');
    text
}

fn provider_summary(d: &ProviderDraft) -> String {
    let mut text = d.name.clone().unwrap_or_default();
    if let Some(specialty) = &d.specialty {
        text.push_str(&format!(", {specialty}"));
    }
    match &d.phone {
        Some(Some(phone)) => text.push_str(&format!(", teléfono {phone}")),
        _ => text.push_str(", sin teléfono"),
    }
    match d.editing {
        Some(_) => format!("{text}."),
        None => format!("Agregar a {text}."),
    }
}

fn allergy_summary(d: &AllergyDraft) -> String {
    let mut text = format!(
        "{}: alergia a {} ({}).",
        d.child.as_ref().map(|(_, n)| n.as_str()).unwrap_or("?"),
        d.allergen.as_deref().unwrap_or("?"),
        super::severity(d.severity.as_deref().unwrap_or("unknown")),
    );
    if let Some(Some(reaction)) = &d.reaction {
        text.push_str(&format!(" Reacción: {reaction}."));
    }
    text
}

fn medication_summary(d: &MedicationDraft) -> String {
    let child = d.child.as_ref().map(|(_, n)| n.as_str()).unwrap_or("?");
    let mut lines = vec![match d.editing {
        Some(_) => format!("Medicina de {child}, con el cambio:"),
        None => format!("Medicina nueva para {child}:"),
    }];
    let ingredients = d.ingredients.clone().unwrap_or_default();
    // `strength_text` writes the strength as the engine does ("… mg/tablet", "2.5"); the Spanish
    // words and decimal comma are put on it here.
    let strengths: Vec<String> = ingredients
        .iter()
        .map(|s| strength(&strength_text(s)))
        .collect();
    lines.push(format!(
        "• {} — {}",
        d.name.as_deref().unwrap_or("?"),
        strengths.join(" + ")
    ));
    if let Some(dose) = d.dose {
        let mg: Vec<String> = ingredients
            .iter()
            .filter_map(|s| {
                s.mg_in(dose)
                    .map(|mg| format!("{} mg de {}", number(mg), s.ingredient))
            })
            .collect();
        let mg = if dose.unit == crate::domain::DoseUnit::Mg || mg.is_empty() {
            String::new()
        } else {
            format!(" ({})", mg.join(", "))
        };
        lines.push(format!("• Dosis habitual: {}{mg}", amount(dose)));
    }
    let proposed = d.proposed.as_ref();
    let mark = |flag: bool| if flag { " *" } else { "" };
    let interval = d
        .interval_hours
        .map(|h| {
            format!(
                "con al menos {h} hora{} entre dosis{}",
                if h == 1 { "" } else { "s" },
                mark(proposed.is_some_and(|p| p.interval))
            )
        })
        .unwrap_or_default();
    lines.push(match &d.schedule {
        Some(Schedule::AsNeeded) | None => format!("• Si hace falta, {interval}"),
        Some(Schedule::EveryHours { hours }) => format!("• Cada {hours} horas ({interval})"),
        Some(Schedule::FixedTimes { times }) => format!(
            "• A las {} ({interval})",
            times
                .iter()
                .map(|t| t.format("%H:%M").to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    });
    match d.max_doses {
        Some(Some(n)) => lines.push(format!(
            "• Como máximo {n} dosis en 24 horas{}",
            mark(proposed.is_some_and(|p| p.max_doses))
        )),
        Some(None) => lines.push("• Sin número máximo de dosis en 24 horas".into()),
        None => {}
    }
    for s in &ingredients {
        if let Some(mg) = s.max_mg_per_day {
            lines.push(format!(
                "• Como máximo {} mg de {} en 24 horas{}",
                number(mg),
                s.ingredient,
                mark(proposed.is_some_and(|p| p.max_mg))
            ));
        }
    }
    match d.course {
        Some((Some(start), Some(end))) => lines.push(format!(
            "• Del {} al {} (el último día)",
            date(start),
            date(end)
        )),
        Some((Some(start), None)) => {
            lines.push(format!("• Desde el {}, sin fecha de fin", date(start)))
        }
        _ => {}
    }
    if let Some(p) = proposed.filter(|p| p.interval || p.max_doses || p.max_mg) {
        let mg = if p.max_mg {
            " El máximo en mg es la cantidad de dosis habituales que permite la etiqueta."
        } else {
            ""
        };
        lines.push(format!(
            "* Según la etiqueta infantil de {}.{mg} Si el médico te dijo otra cosa, dímelo (como \"cada 6 horas\" o \"máximo 3 al día\").",
            p.ingredient
        ));
    }
    lines.join("\n")
}

/// A form's title and a field's label and example, for channels that show a whole form at once
/// (Slack modals; Slack allows 24 characters in a title).
pub(super) fn title(kind: FormKind) -> &'static str {
    match kind {
        FormKind::Child => "Agregar un niño",
        FormKind::Medication => "Agregar una medicina",
        FormKind::Allergy => "Agregar una alergia",
        FormKind::Condition => "Agregar una condición",
        FormKind::Vaccination => "Agregar una vacuna",
        FormKind::Appointment => "Agregar una cita",
        FormKind::Provider => "Agregar un médico",
    }
}

pub(super) fn field(question: Question) -> (&'static str, &'static str) {
    match question {
        Question::Child => ("Niño", ""),
        Question::ChildName => ("Nombre", "Emma"),
        Question::BirthDate => ("Fecha de nacimiento", "14 de marzo de 2022"),
        Question::MedicationName => ("Medicina (el nombre de la caja)", "Tylenol Infantil"),
        Question::Ingredients => (
            "Principio activo y concentración",
            "acetaminophen 160 mg/5 ml",
        ),
        Question::UsualDose => ("Dosis habitual (la del médico o la etiqueta)", "5 ml"),
        Question::Schedule => ("Cómo se da", "si hace falta / cada 8 horas / 8:00 y 20:00"),
        Question::Interval => ("Horas entre dosis (vacío: las de la etiqueta)", "6"),
        Question::MaxDoses => (
            "Máximo de dosis en 24 horas (vacío: el de la etiqueta, o ninguno)",
            "4",
        ),
        Question::MaxMg(_) => ("Máximo de mg en 24 horas (opcional)", "1000"),
        Question::Course => (
            "Por cuánto tiempo (vacío: sin fecha de fin)",
            "durante 10 días / hasta el 20 de diciembre",
        ),
        Question::Allergen => ("Alergia a", "huevo"),
        Question::Severity => ("Gravedad", "leve / moderada / grave / not sure"),
        Question::Reaction => ("Reacción (opcional)", "ronchas, hinchazón"),
        Question::ConditionName => ("Condición", "asma"),
        Question::GuardianOnly => ("Quién la ve", "compartida / privada"),
        Question::VaccineName => ("Vacuna", "SRP"),
        Question::VaccineDate => ("Fecha de aplicación", "3 de marzo de 2024"),
        Question::VaccineDose => ("Número de dosis (opcional)", "1"),
        Question::AppointmentDate => ("Día", "12 de enero"),
        Question::AppointmentTime => ("Hora", "10:30"),
        Question::AppointmentWith => ("Con (opcional)", "Dra. Pérez"),
        Question::AppointmentPurpose => ("Para qué (opcional)", "revisión"),
        Question::ProviderName => ("Nombre", "Dra. Pérez"),
        Question::ProviderPhone => ("Teléfono (opcional)", "+52 55 1234 5678"),
    }
}
