//! English for a family's first hour: how to start, creating a family and where it lives, and the
//! help that names the family's own children.

use super::reply;
use crate::domain::Place;
use crate::messages::{Choice, Locale, Msg, RenderContext, Reply, Tone};
use crate::screen::emergency_numbers;

/// "the United Kingdom (time zone London) — in an emergency I'll tell you to call 999".
pub(super) fn where_it_lives(place: &Place) -> String {
    let numbers = emergency_numbers(place.country.code());
    let call = if numbers.guessed {
        format!(
            "I don't have this country's emergency number, so in an emergency I'll say {} (Europe's, which works from most mobile phones): check your local number",
            numbers.emergency
        )
    } else {
        format!(
            "in an emergency I'll tell you to call {}",
            numbers.emergency
        )
    };
    format!(
        "{} (time zone {}, {}) — {call}",
        place.country.name(Locale::En),
        place.zone_city(),
        place.timezone.name()
    )
}

/// How to start, the same words in the greeting, before a family and in `help` then.
pub(super) const BOTH_WAYS_IN: &str = "• New here with your family? Send: create family <your family name> — for example, create family Jones in London.\n\
     • Joining a family? Ask its guardian for an invite code and send: join <code>.";

pub(super) fn render(msg: &Msg, _ctx: &RenderContext) -> Reply {
    use Tone::*;
    match msg {
        Msg::Help { children } if children.is_empty() => reply(
            "I keep your children's medicines and health notes, so nobody double-doses a child.\n\
             Your family has no children on file yet. Start here:\n\
             • add my son Sam, born 3 May 2021 (or: add child <name> born <date>)\n\
             • add a medication for Sam — I ask for what I need, one question at a time\n\
             • Sam is allergic to peanuts\n\
             • invite caregiver (or guardian, viewer) — a one-time code for your nanny or partner\n\
             • we live in London / time zone Europe/London — where the family lives (the emergency number follows it)\n\
             Then log what you give: gave Sam 5 ml Tylenol."
                .into(),
            Info,
            msg,
        ),
        Msg::Help { children } => {
            let a = children[0].as_str();
            let b = children.get(1).map(String::as_str).unwrap_or(a);
            reply(
                format!(
                    "I keep the children's medicines and health notes, so nobody double-doses a child.\n\
                     Try:\n\
                     • kids — the children\n\
                     • meds {a} — {a}'s medications\n\
                     • gave {a} 5 ml Tylenol (add \"at 9:30\", \"around 2\" or \"an hour ago\" if it was earlier; \"a teaspoon\" is 5 ml)\n\
                     • le di 5 ml de Tylenol a {a} · ¿cuándo le toca el ibuprofeno a {b}? · {a} tiene 38,5 — Spanish works too\n\
                     • when can {a} have ibuprofen?\n\
                     • last doses for {b}\n\
                     • allergies {b}\n\
                     • {a} temp 38.4\n\
                     • {a} weighs 17 kg / {b} is 80 cm tall\n\
                     • add child Sam born 3 May 2021 · rename {a} to <new name> · remove {b} from active care / return {b} to care\n\
                     • add a medication for {a} — I ask for what I need (a caregiver's waits for a guardian)\n\
                     • change {a}'s Tylenol dose to 7.5 ml — any of its rules (a caregiver's change waits for a guardian)\n\
                     • approve / deny — a medication a caregiver added or changed (guardians)\n\
                     • stop {b}'s amoxicillin / pause {a}'s Tylenol / resume {a}'s Tylenol (guardians)\n\
                     • members · <nanny> looks after {a} · make <name> a viewer · revoke <name> (guardians)\n\
                     • {a} is allergic to peanuts · add condition for {b} (guardians only, or shared)\n\
                     • add vaccination MMR for {b} on 5 Jan 2026 · vaccinations {b}\n\
                     • add appointment for {a} with Dr Patel on 12 January at 10:30 · appointments\n\
                     • add paediatrician Dr Patel 555 010 2030 · doctors\n\
                     • remove {b}'s peanut allergy · cancel {a}'s appointment (guardians; asked first)\n\
                     • note {a} ate a good lunch / notes {a}\n\
                     • undo — take back the last dose you logged\n\
                     • shift in / shift out (or I'm here / done for today, {a} napped well: the guardians get a handoff report)\n\
                     • my profile · hours · hours 2026-11 — your profile and hours (guardians: profile <nanny>, schedule <nanny> Mon-Fri 8-17, week starts Sunday)\n\
                     • pause reminders for {b} / resume reminders for {b} · daily summary at 19:30 · quiet hours 22:00-07:00 — reminders (answer one with Given or skip <reason>)\n\
                     • invite caregiver (or guardian, viewer) — a one-time code for a new member\n\
                     • invite caregiver <name> +1 415 555 0100 — the invite sent to their WhatsApp (they reply JOIN)\n\
                     • link-whatsapp +1 415 555 0100 — reach MedNanny from your WhatsApp too (a code is sent there)\n\
                     • we live in London / time zone Europe/London — where the family lives (guardians)\n\
                     • export — everything the family has, as JSON (guardians)\n\
                     In an emergency call your local emergency number first."
                ),
                Info,
                msg,
            )
        }
        Msg::Welcome => reply(
            format!(
                "Hi, I'm MedNannyAI. I help families and nannies keep track of children's medicines and health, so nobody double-doses a child.\n{BOTH_WAYS_IN}"
            ),
            Info,
            msg,
        ),
        Msg::NoFamily => reply(
            format!("You are not in a family on MedNanny yet.\n{BOTH_WAYS_IN}"),
            Info,
            msg,
        ),
        Msg::FamilyNameQuestion => reply(
            "What is your family called? For example: Jones, or Garcia Lopez.".into(),
            Info,
            msg,
        ),
        Msg::FamilyPlaceQuestion { family } => reply(
            format!(
                "Where does the {family} family live? Say a city or a country, like London, Mexico City or Colombia: \
                 it sets the time for every dose and the emergency number I give."
            ),
            Info,
            msg,
        ),
        Msg::FamilyPlaceConfirm { family, place } => Reply {
            text: format!(
                "Does the {family} family live in {}? Say yes, or the city you live in.",
                where_it_lives(place)
            ),
            choices: vec![
                Choice {
                    label: "Yes".into(),
                    value: "yes".into(),
                },
                Choice {
                    label: "No, somewhere else".into(),
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
                "I don't know a place called \"{said}\". Try the nearest big city or the country, like London, Toronto or Mexico, or a time zone like Europe/London."
            ),
            Warning,
            msg,
        ),
        Msg::ZoneUnknown { said } => reply(
            format!(
                "\"{said}\" is not a time zone I know. Use a city or a tz database name, like Europe/London or America/Bogota."
            ),
            Warning,
            msg,
        ),
        Msg::FamilyNotCreated => reply("OK — no family was created.".into(), Info, msg),
        Msg::FamilyCreated { name, place } => reply(
            format!(
                "The {name} family is ready, and you are its guardian. It lives in {}. Not right? Say: we live in <your city>.\n\
                 Next:\n\
                 • add my son Sam, born 3 May 2021 (or: add child <name> born <date>)\n\
                 • add a medication for Sam (I'll ask what I need)\n\
                 • Sam is allergic to peanuts\n\
                 • invite caregiver (or guardian, viewer): a one-time code for your nanny or partner",
                where_it_lives(place)
            ),
            Success,
            msg,
        ),
        Msg::FamilyPlaceSet { place } => reply(
            format!(
                "✓ The family now lives in {}. Every time I tell you is on that time zone.",
                where_it_lives(place)
            ),
            Success,
            msg,
        ),
        other => reply(String::new(), Info, other),
    }
}
