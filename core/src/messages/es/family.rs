//! Español: la primera hora de una familia (cómo empezar, crear la familia y dónde vive) y la
//! ayuda con los nombres de sus propios niños.

use super::reply;
use crate::domain::Place;
use crate::messages::{Choice, Locale, Msg, RenderContext, Reply, Tone};
use crate::screen::emergency_numbers;

/// "México (zona horaria Mexico City) — en una emergencia te diré que llames al 911".
fn where_it_lives(place: &Place) -> String {
    let numbers = emergency_numbers(place.country.code());
    let call = if numbers.guessed {
        format!(
            "no tengo el número de emergencias de este país, así que en una emergencia te diré el {} (el de Europa, que funciona desde la mayoría de los celulares): confirma tu número local",
            numbers.emergency
        )
    } else {
        format!(
            "en una emergencia te diré que llames al {}",
            numbers.emergency.replace(" (or ", " (o ")
        )
    };
    format!(
        "{} (zona horaria {}, {}) — {call}",
        place.country.name(Locale::Es),
        place.zone_city(),
        place.timezone.name()
    )
}

pub(super) const BOTH_WAYS_IN: &str = "• ¿Vas a empezar con tu familia? Envía: crear familia <apellido> — por ejemplo, crear familia López en Bogotá.\n\
     • ¿Te unes a una familia? Pídele a su tutor un código de invitación y envía: join <código>.";

pub(super) fn render(msg: &Msg, _ctx: &RenderContext) -> Reply {
    use Tone::*;
    match msg {
        Msg::Help { children } if children.is_empty() => reply(
            "Llevo las medicinas y las notas de salud de tus niños, para que nadie les dé una dosis de más.\n\
             Tu familia aún no tiene niños registrados. Empieza así:\n\
             • add my son Sam, born 3 May 2021 (o: add child <nombre> born <fecha>)\n\
             • add a medication for Sam — te pregunto lo que necesito, una pregunta a la vez\n\
             • Sam is allergic to peanuts\n\
             • invite caregiver (o guardian, viewer) — un código de un solo uso para tu niñera o tu pareja\n\
             • vivimos en Bogotá / zona horaria America/Bogota — dónde vive la familia (el número de emergencias va con ella)\n\
             Luego anota lo que le das: le di 5 ml de Tylenol a Sam."
                .into(),
            Info,
            msg,
        ),
        Msg::Help { children } => {
            let a = children[0].as_str();
            let b = children.get(1).map(String::as_str).unwrap_or(a);
            reply(
                format!(
                    "Llevo las medicinas y las notas de salud de los niños, para que nadie les dé una dosis de más.\n\
                     Escribe las órdenes tal como aparecen aquí:\n\
                     • kids — los niños\n\
                     • meds {a} — las medicinas de {a}\n\
                     • gave {a} 5 ml Tylenol — anota una dosis (agrega \"at 9:30\", \"around 2\" o \"an hour ago\" si fue antes; \"a teaspoon\" son 5 ml)\n\
                     • when can {a} have ibuprofen? — si ya le toca\n\
                     • last doses for {b} — las últimas dosis\n\
                     • allergies {b} — sus alergias\n\
                     • {a} temp 38,4 — anota la temperatura\n\
                     • {a} weighs 17 kg / {b} is 80 cm tall — peso y estatura\n\
                     • add child Sam born 3 May 2021 · rename {a} to <nombre nuevo> · remove {b} from active care / return {b} to care\n\
                     • add a medication for {a} — te pregunto lo que necesito (si lo agrega un cuidador, espera a un tutor)\n\
                     • change {a}'s Tylenol dose to 7.5 ml — cambia cualquiera de sus reglas (el cambio de un cuidador espera a un tutor)\n\
                     • approve / deny — aprueba o rechaza un medicamento que agregó o cambió un cuidador (tutores)\n\
                     • stop {b}'s amoxicillin / pause {a}'s Tylenol / resume {a}'s Tylenol (tutores)\n\
                     • members · <niñera> looks after {a} · make <nombre> a viewer · revoke <nombre> (tutores)\n\
                     • {a} is allergic to peanuts · add condition for {b} (solo tutores, o compartida)\n\
                     • add vaccination MMR for {b} on 5 Jan 2026 · vaccinations {b}\n\
                     • add appointment for {a} with Dr Patel on 12 January at 10:30 · appointments\n\
                     • add paediatrician Dr Patel 555 010 2030 · doctors\n\
                     • remove {b}'s peanut allergy · cancel {a}'s appointment (tutores; te lo pregunto antes)\n\
                     • note {a} ate a good lunch / notes {a} — notas\n\
                     • undo — deshace la última dosis que anotaste\n\
                     • shift in / shift out — empieza o termina tu turno (o ya llegué / me voy, {a} durmió bien: los tutores reciben un informe de relevo)\n\
                     • my profile · hours · hours 2026-11 — tu perfil y tus horas (tutores: profile <niñera>, schedule <niñera> Mon-Fri 8-17, week starts Sunday)\n\
                     • pausar recordatorios de {b} · resumen diario a las 19:30 · horas de silencio 22:00-07:00 — recordatorios (responde a uno con DADO u OMITIR <motivo>)\n\
                     • invite caregiver (o guardian, viewer) — un código de un solo uso para un nuevo miembro\n\
                     • invite caregiver <nombre> +1 415 555 0100 — la invitación le llega por WhatsApp (responde JOIN)\n\
                     • link-whatsapp +1 415 555 0100 — escríbele a MedNanny también desde tu WhatsApp (te llega un código)\n\
                     • vivimos en Bogotá / zona horaria America/Bogota — dónde vive la familia (tutores)\n\
                     • export — todo lo que tiene la familia, en JSON (tutores)\n\
                     En una emergencia, llama primero a tu número local de emergencias."
                ),
                Info,
                msg,
            )
        }
        Msg::Welcome => reply(
            format!(
                "Hola, soy MedNannyAI. Ayudo a las familias y a las niñeras a llevar el control de las medicinas y la salud de los niños, para que nadie les dé una dosis de más.\n{BOTH_WAYS_IN}"
            ),
            Info,
            msg,
        ),
        Msg::NoFamily => reply(
            format!("Todavía no estás en ninguna familia de MedNanny.\n{BOTH_WAYS_IN}"),
            Info,
            msg,
        ),
        Msg::FamilyNameQuestion => reply(
            "¿Cómo se llama tu familia? Por ejemplo: López, o García Pérez.".into(),
            Info,
            msg,
        ),
        Msg::FamilyPlaceQuestion { family } => reply(
            format!(
                "¿Dónde vive la familia {family}? Dime una ciudad o un país, como Bogotá, Ciudad de México o España: \
                 con eso pongo la hora de cada dosis y el número de emergencias que te doy."
            ),
            Info,
            msg,
        ),
        Msg::FamilyPlaceConfirm { family, place } => Reply {
            text: format!(
                "¿La familia {family} vive en {}? Responde sí, o dime tu ciudad.",
                where_it_lives(place)
            ),
            choices: vec![
                Choice {
                    label: "Sí".into(),
                    value: "yes".into(),
                },
                Choice {
                    label: "No, en otro lugar".into(),
                    value: "no".into(),
                },
            ],
            tone: Info,
            health_data: false,
            document: None,
            quoted: Vec::new(),
        },
        Msg::PlaceUnknown { said } => reply(
            format!(
                "No conozco un lugar llamado \"{said}\". Prueba con la ciudad grande más cercana o el país, como Bogotá, Monterrey o México, o una zona horaria como America/Bogota."
            ),
            Warning,
            msg,
        ),
        Msg::ZoneUnknown { said } => reply(
            format!(
                "\"{said}\" no es una zona horaria que conozca. Usa una ciudad o un nombre de zona, como America/Bogota o Europe/Madrid."
            ),
            Warning,
            msg,
        ),
        Msg::FamilyNotCreated => reply("Listo: no se creó ninguna familia.".into(), Info, msg),
        Msg::FamilyCreated { name, place } => reply(
            format!(
                "La familia {name} está lista, y tú eres su tutor. Vive en {}. ¿No es así? Di: vivimos en <tu ciudad>.\n\
                 Ahora puedes:\n\
                 • add my son Sam, born 3 May 2021 (o: add child <nombre> born <fecha>)\n\
                 • add a medication for Sam (te pregunto lo que necesito)\n\
                 • Sam is allergic to peanuts\n\
                 • invite caregiver (o guardian, viewer): un código de un solo uso para tu niñera o tu pareja",
                where_it_lives(place)
            ),
            Success,
            msg,
        ),
        Msg::FamilyPlaceSet { place } => reply(
            format!(
                "✓ Ahora la familia vive en {}. Todas las horas que te digo van en esa zona horaria.",
                where_it_lives(place)
            ),
            Success,
            msg,
        ),
        other => reply(String::new(), Info, other),
    }
}
