//! Spanish for why something was refused: a service's `Problem`, an amount or a temperature that
//! does not read. Each says what to fix and that nothing was written.

use super::format::{date, day_month, decimal_comma, unit_word};
use super::number;
use crate::domain::{AmountError, TemperatureError};
use crate::join_tries::JoinLimit;
use crate::services::Problem;

pub(super) fn amount_error(e: &AmountError) -> String {
    match e {
        AmountError::Missing => "¿Cuánto le diste? Agrega la cantidad, por ejemplo: \"gave Emma 5 ml Tylenol\".".into(),
        AmountError::NotANumber(t) => format!("No pude leer {t:?} como cantidad. Usa un número, por ejemplo 5 ml."),
        AmountError::UnknownUnit(u) if u.is_empty() => {
            "Agrega la unidad, por favor: ml, mg, tabletas o gotas (por ejemplo 5 ml).".into()
        }
        AmountError::UnknownUnit(u) => format!(
            "No puedo anotar una dosis en {u:?}. Usa ml, mg, tabletas o gotas, por favor; mide los líquidos con la jeringa o el vasito que trae la medicina."
        ),
        AmountError::NotPositive => "La cantidad tiene que ser mayor que cero.".into(),
        AmountError::Implausible { amount, unit } => format!(
            "{} {} no es una dosis posible para un niño. Revisa la cantidad, por favor.",
            decimal_comma(amount),
            unit_word(unit)
        ),
    }
}

pub(super) fn problem(p: &Problem) -> String {
    match p {
        Problem::Amount(e) => amount_error(e),
        Problem::Temperature(e) => temperature_error(e),
        Problem::UnitMismatch {
            medication,
            expected,
            given,
        } => format!(
            "{medication} se mide en {}, no en {}. No se anotó nada.",
            unit_word(expected),
            unit_word(given)
        ),
        Problem::FutureTime => "Esa hora todavía no llega. No se anotó nada.".into(),
        Problem::TooFarInPast { days } => format!(
            "Eso fue hace más de {days} días; pídele a un tutor que lo agregue al registro. No se anotó nada."
        ),
        Problem::EmptyText => "No hay nada que guardar: escribe el texto después del nombre del niño.".into(),
        Problem::TextTooLong { max } => {
            format!("Tiene más de {max} caracteres; acórtalo, por favor.")
        }
        Problem::BadName => "Ese nombre está vacío o es demasiado largo.".into(),
        Problem::BadTimezone(tz) => format!("{tz:?} no es una zona horaria (por ejemplo America/Mexico_City)."),
        Problem::BadCountry(c) => format!("{c:?} no es un código de país de dos letras (por ejemplo MX)."),
        Problem::InviteInvalid => {
            "Ese código de invitación no es válido. Revísalo con la persona que te lo envió.".into()
        }
        Problem::InviteExpired => "Ese código de invitación ya venció. Pide uno nuevo.".into(),
        Problem::InviteUsed => "Ese código de invitación ya se usó. Pide uno nuevo.".into(),
        Problem::AlreadyMember => "Ya eres miembro de esa familia.".into(),
        Problem::MedicationInactive { medication, ended_on: Some(on) } => format!(
            "{medication} se suspendió (su tratamiento terminó el {}), así que ya no se anotan dosis. No se anotó nada: pregúntale a un tutor.",
            day_month(*on)
        ),
        Problem::MedicationInactive { medication, ended_on: None } => format!(
            "Un tutor pausó {medication}, así que no se anota ninguna dosis hasta que la reanude. No se anotó nada."
        ),
        Problem::OutsideCourse {
            medication,
            starts_on,
            ends_on,
        } => {
            let dates = match (starts_on, ends_on) {
                (Some(start), Some(end)) => {
                    format!("del {} al {}", day_month(*start), day_month(*end))
                }
                (Some(start), None) => format!("desde el {}", day_month(*start)),
                (None, Some(end)) => format!("hasta el {}", day_month(*end)),
                (None, None) => String::new(),
            };
            format!("{medication} se recetó {dates}, así que hoy no puedo revisar ni anotar una dosis. Un tutor puede cambiar las fechas. No se anotó nada.")
        }
        Problem::AlreadyVoided => "Esa dosis ya se había deshecho.".into(),
        Problem::NotOnShift => "No estás de turno.".into(),
        Problem::BadRate => "Una tarifa debe ser mayor que 0 y como mucho 1000 por hora, como 22,50. No se cambió nada.".into(),
        Problem::BadSchedule => "Un turno programado necesita sus días y una hora de inicio y de fin, como lun-vie 8-17. No se cambió nada.".into(),
        Problem::ClockOutBeforeClockIn => "Esa hora es anterior al inicio del turno. No se cambió nada.".into(),
        Problem::AlreadyOnShift => "Ya estás de turno.".into(),
        Problem::NotAMember => "Solo los miembros de la familia pueden iniciar o terminar un turno.".into(),
        Problem::DuplicateChild(name) => format!(
            "La familia ya tiene un niño llamado {name}. Usa otro nombre (un segundo nombre o una inicial) para que siempre quede claro para quién es cada dosis. No se anotó nada."
        ),
        Problem::ImplausibleBirthDate => {
            "Esa fecha de nacimiento no puede ser correcta: tiene que ser pasada y de hace menos de 18 años (este es un registro de niños). No se anotó nada.".into()
        }
        Problem::BadSeverity(given) => {
            format!("\"{given}\" no es una gravedad: usa leve, moderada, grave o \"unknown\" si no se sabe. No se anotó nada.")
        }
        Problem::UnknownMeasurement(given) => {
            format!("Anoto el peso (kg) y la estatura (cm), no \"{given}\". No se anotó nada.")
        }
        Problem::ImplausibleMeasurement { kind, value, unit } => format!(
            "{} {unit} no es {} posible para un niño: revísalo, por favor. No se anotó nada.",
            number(*value),
            if *kind == "weight" { "un peso" } else { "una estatura" }
        ),
        Problem::AmbiguousFamily(name) => {
            format!("Varias familias se llaman \"{name}\": usa el número de la familia.")
        }
        Problem::IdentityTaken => "Esa cuenta ya pertenece a otra persona en MedNanny.".into(),
        Problem::LastGuardian => "Es el último tutor activo de la familia, y una familia no puede quedarse sin tutor: primero nombra tutor a otra persona (o borra toda la familia). No se cambió nada.".into(),
        Problem::MemberRevoked => "La membresía de esa persona fue revocada: mejor invítala de nuevo. No se cambió nada.".into(),
        Problem::AlreadyInRole => "Ya tiene ese rol. No se cambió nada.".into(),
        Problem::NotACaregiver => "Solo a un cuidador se le asignan niños (los tutores ven a todos): primero dale el rol de cuidador. No se cambió nada.".into(),
        Problem::NoIngredient => "Una medicina necesita al menos un principio activo con su concentración (como \"acetaminophen 160 mg/5 ml\"). No se anotó nada.".into(),
        Problem::IntervalOutOfRange => "El tiempo entre dosis tiene que estar entre 30 minutos y 7 días. No se anotó nada.".into(),
        Problem::BadStrength(given) => {
            format!("\"{given}\" no es una concentración: escríbela como \"160 mg/5 ml\" o \"200 mg/tablet\". No se anotó nada.")
        }
        Problem::CourseEndsBeforeStart => {
            "El tratamiento termina antes de empezar: revisa las fechas de inicio y de fin. No se anotó nada.".into()
        }
        Problem::MedicationNotApproved { medication, denied: false } => format!(
            "{medication} está pendiente de la aprobación de un tutor, así que todavía no se puede anotar ninguna dosis. \
             Un tutor la aprueba con: approve. No se anotó nada."
        ),
        Problem::MedicationNotApproved { medication, denied: true } => format!(
            "Un tutor no aprobó {medication}, así que no se puede dar a través de MedNanny. \
             No se anotó nada: pregúntale a un tutor."
        ),
        Problem::ApprovalReplaced { medication } => format!(
            "Esa solicitud sobre {medication} fue reemplazada por una más nueva, así que no se aprobó ni se rechazó nada. Abajo está la que espera."
        ),
        Problem::NotAwaitingApproval { medication } => format!(
            "{medication} no está pendiente de aprobación: un tutor ya decidió. No se cambió nada."
        ),
        Problem::CourseAlreadyEnded { medication, on } => format!(
            "El tratamiento con {medication} ya terminó el {}. Para darla otra vez, agrégala como medicina nueva. No se cambió nada.",
            day_month(*on)
        ),
        Problem::AlreadyPaused { medication } => format!(
            "{medication} ya está en pausa. Reanúdala con: resume {medication}. No se cambió nada."
        ),
        Problem::NotPaused { medication } => format!(
            "{medication} no está en pausa: se puede dar como siempre. No se cambió nada."
        ),
        Problem::VaccinatedBeforeBirth { child, born } => format!(
            "Esa fecha es anterior al nacimiento de {child} ({}): revisa la fecha en la cartilla de vacunación. No se anotó nada.",
            date(*born)
        ),
        Problem::BadDoseNumber => "El número de dosis es el que aparece en la cartilla de vacunación, del 1 al 10. No se anotó nada.".into(),
        Problem::AppointmentNotAhead => "Una cita tiene que ser en el futuro y dentro de los próximos dos años: revisa la fecha y la hora. No se anotó nada.".into(),
        Problem::AlreadyInCare(child) => format!("{child} ya está en cuidado activo. No se cambió nada."),
        Problem::NotInCare(child) => format!(
            "{child} ya no está en cuidado activo, así que no se anota nada nuevo para {child}. Un tutor puede volver a incluir a {child} con: return {child} to care. No se anotó nada."
        ),
        Problem::BadPhone(given) => format!(
            "\"{given}\" no es un número de teléfono: escríbelo con sus dígitos, como +52 55 1234 5678. No se anotó nada."
        ),
        Problem::AlreadyLinked => "Ese número de WhatsApp ya es tuyo en MedNanny: no hay nada que vincular.".into(),
        Problem::LinkCodeWrong { left } => format!(
            "Ese no es el código que enviamos. {}; o pide un código nuevo con link-whatsapp y tu número.",
            if *left == 1 { "Te queda 1 intento".to_string() } else { format!("Te quedan {left} intentos") }
        ),
        Problem::LinkCodeSpent => "Ese código se intentó demasiadas veces y ya no sirve: pide uno nuevo con link-whatsapp y tu número.".into(),
        Problem::TooManyJoinTries { limit, minutes } => {
            let wait = format!("{minutes} {}", if *minutes == 1 { "minuto" } else { "minutos" });
            match limit {
                JoinLimit::Sender => format!(
                    "Demasiados códigos de invitación incorrectos: espera {wait} y vuelve a intentarlo. Este código no se ha comprobado."
                ),
                JoinLimit::Flood => format!(
                    "Ahora mismo se están probando muchos códigos de invitación incorrectos, así que tras uno incorrecto hay que esperar: espera {wait} y vuelve a intentarlo. Este código no se ha comprobado."
                ),
            }
        }
    }
}

pub(super) fn temperature_error(e: &TemperatureError) -> String {
    match e {
        TemperatureError::NotANumber(t) => {
            format!("No pude leer {t:?} como temperatura; por ejemplo 38,4 o 101,2F.")
        }
        TemperatureError::OutOfRange(t) => format!(
            "{t} está fuera de lo que marca un termómetro en una persona. Revísalo, por favor (por ejemplo 38,4 o 101,2F). No se anotó nada."
        ),
    }
}
