//! English.

mod approvals;
mod assistant;
mod dashboard;
mod family;
mod forms;
mod keeping;
mod nanny;
mod problems;
mod records;
mod reminders;
pub(super) mod whatsapp;

pub(super) use dashboard::render_dashboard;
use problems::{amount_error, problem, temperature_error};

use chrono::{DateTime, Datelike, Utc};

use super::{
    quote, Choice, ConcernText, Document, DoseLine, MedicationLine, Msg, RenderContext, Reply,
    ScheduleText, Tone,
};
use crate::domain::format_number;
use crate::screen::{EmergencyNumbers, RedFlag};
use crate::services::care::{Alert, FeverAdvice};

/// The red-flag answer. The first line is always who to call; then the one or two first-aid
/// lines that are safe in every case of the category (reviewed against the AAP, NHS and Red Cross
/// first-aid advice); never a diagnosis, never a dose.
fn emergency(flag: &RedFlag, numbers: Option<&EmergencyNumbers>) -> String {
    use crate::screen::Category::*;
    let number = numbers.map(|n| n.emergency).unwrap_or(
        "your local emergency number (911 in the US and Canada, 999 in the UK, 112 in Europe)",
    );
    let primary = flag.primary();
    let mut lines = Vec::new();
    lines.push(match primary {
        Abuse => format!("🚨 If the child is in danger now, call {number}."),
        SelfHarm => format!("🚨 If anyone is in danger now, call {number}."),
        _ => format!("🚨 Call {number} now."),
    });
    if numbers.is_some_and(|n| n.guessed) {
        // A country without a row in the table: 112 is a guess, and a parent must know it is.
        lines.push(format!(
            "I don't have your country's emergency number on file: {number} works across Europe and from most mobile phones. If it doesn't connect, call your local emergency number."
        ));
    }
    if flag.involves(Poisoning) {
        if let Some(poison) = numbers.and_then(|n| n.poison_help) {
            lines.push(format!(
                "If the child is awake and breathing normally, you can call Poison Help at {poison} instead; they will tell you what to do."
            ));
        }
    }
    if flag.involves(SelfHarm) {
        match numbers.and_then(|n| n.crisis_line) {
            Some((name, phone)) => {
                lines.push(format!("You can call {name} at {phone}, any time, free."))
            }
            None => lines.push(
                "A crisis line can help any time: the emergency number can put you through.".into(),
            ),
        }
    }
    if flag.involves(Abuse) {
        if let Some((name, phone)) = numbers.and_then(|n| n.child_protection) {
            lines.push(format!(
                "To report abuse or get advice, call {name} at {phone}."
            ));
        }
    }
    lines.push(
        match primary {
            Breathing => "If the child is not breathing, start CPR: the call handler will talk you through it. If they are choking and can't cough, cry or breathe, give back blows.",
            Consciousness => "Check they are breathing. If not, start CPR; if they are, lay them on their side and stay with them.",
            Seizure => "Lay them on their side on the floor, move hard things away and note the time it started. Don't hold them down or put anything in their mouth.",
            Allergy => "If they have an adrenaline auto-injector (EpiPen), use it now. Lay them down with legs raised, or sitting up if breathing is hard.",
            Poisoning => "Keep the package, bottle or battery with you. Don't make them vomit, and give nothing to eat or drink unless you are told to.",
            Injury => "Press hard on bleeding with a clean cloth and keep pressing. Cool a burn under cool running water for 20 minutes. If they may have hurt their neck or back, don't move them.",
            Infection => "Don't wait for more signs or for the temperature to come down. Tell them the child's age and what you saw.",
            Dehydration => "If they can swallow, keep offering small sips (breast milk or formula for a baby) on the way.",
            SelfHarm => "Stay with them and put away anything they could hurt themselves with. If you are afraid you might hurt the baby, lay the baby on their back in the cot and step away.",
            Abuse => "Keep the child safe and away from that person. Don't confront them; write down what the child said, in their words.",
            Unspecified => "Stay with the child and tell the call handler what you see: they will talk you through what to do.",
        }
        .to_string(),
    );
    lines.push("I can't give medical advice in an emergency: the emergency services can.".into());
    lines.join("\n")
}

/// How a guardian's alert names the kind of emergency.
fn emergency_kind(category: crate::screen::Category) -> &'static str {
    use crate::screen::Category::*;
    match category {
        Breathing => "a breathing emergency",
        Consciousness => "a child who is unresponsive or won't wake",
        Seizure => "a seizure",
        Allergy => "a severe allergic reaction",
        Poisoning => "a possible poisoning",
        Injury => "a serious injury",
        Infection => "signs of a serious infection",
        Dehydration => "signs of dehydration",
        SelfHarm => "a mental-health crisis",
        Abuse => "a child-safety concern",
        Unspecified => "an emergency",
    }
}

/// "13:10" today, "yesterday 20:00", "tomorrow 08:00", else "Mon 2 Mar 13:10" — in the family's zone.
pub(super) fn when(at: DateTime<Utc>, ctx: &RenderContext) -> String {
    let local = at.with_timezone(&ctx.timezone);
    let today = ctx.now.with_timezone(&ctx.timezone).date_naive();
    let day = local.date_naive();
    let time = local.format("%H:%M");
    match (day - today).num_days() {
        0 => format!("{time}"),
        -1 => format!("yesterday {time}"),
        1 => format!("tomorrow {time}"),
        _ => format!("{} {time}", local.format("%a %-d %b")),
    }
}

fn by(name: &Option<String>) -> String {
    name.clone().unwrap_or_else(|| "a former member".into())
}

fn dose_line(d: &DoseLine, ctx: &RenderContext) -> String {
    let flag = if d.flagged { " ⚠ extra dose" } else { "" };
    format!(
        "{} — {} {} by {}{flag}",
        when(d.at, ctx),
        d.amount,
        d.medication,
        by(&d.by)
    )
}

fn list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn age(born: chrono::NaiveDate, today: chrono::NaiveDate) -> String {
    let months = (today.year() - born.year()) * 12 + today.month() as i32
        - born.month() as i32
        - i32::from(today.day() < born.day());
    match months {
        m if m < 1 => format!("{} days", (today - born).num_days()),
        m if m < 24 => format!("{m} months"),
        m => format!("{} years", m / 12),
    }
}

pub(super) fn medication_line(m: &MedicationLine) -> String {
    let schedule = match &m.schedule {
        ScheduleText::AsNeeded { min_hours } => {
            format!("as needed, at least {} h apart", format_number(*min_hours))
        }
        ScheduleText::EveryHours(h) => format!("every {h} h"),
        ScheduleText::At(times) => format!("at {}", list(times)),
    };
    let max = m
        .max_doses_per_day
        .map(|n| format!(", max {n} a day"))
        .unwrap_or_default();
    let waiting = if m.awaiting_approval {
        " — waiting for a guardian's approval"
    } else {
        ""
    };
    format!(
        "• {} ({}): {}, {schedule}{max}{waiting}",
        m.name, m.strength, m.dose
    )
}

fn concern(c: &ConcernText, ctx: &RenderContext) -> String {
    match c {
        ConcernText::TooSoon {
            previous,
            allowed_from,
        } => format!(
            "{} gave {} {} {} at {} — next dose allowed at {}.",
            by(&previous.by),
            previous.child,
            previous.amount,
            previous.medication,
            when(previous.at, ctx),
            when(*allowed_from, ctx)
        ),
        ConcernText::TooManyDoses { count, max } => {
            format!("This would be dose {count} in 24 hours; the most is {max}.")
        }
        ConcernText::TooMuch {
            ingredient,
            total_mg,
            max_mg,
        } => format!(
            "That makes {} mg of {ingredient} in 24 hours; the most is {} mg.",
            format_number(*total_mg),
            format_number(*max_mg)
        ),
        ConcernText::AboveUsual { usual_mg, given_mg } => format!(
            "That is more than the usual dose ({} mg instead of {} mg).",
            format_number(*given_mg),
            format_number(*usual_mg)
        ),
    }
}

fn temperature(celsius: f64, fahrenheit_first: bool) -> String {
    let f = ((celsius * 9.0 / 5.0 + 32.0) * 10.0).round() / 10.0;
    if fahrenheit_first {
        format!("{f:.1} °F ({celsius:.1} °C)")
    } else {
        format!("{celsius:.1} °C ({f:.1} °F)")
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
            format!("MedNanny console. You are {name}. Type help for what I can do, quit to leave."),
            Info,
            msg,
        ),
        Msg::ConsoleGreeting { name, known: false } => reply(
            format!(
                "MedNanny console. Hello {name}: you are new here. Type quit to leave.\n{}",
                family::BOTH_WAYS_IN
            ),
            Info,
            msg,
        ),
        Msg::ChooseFamily { options } => Reply {
            text: "You belong to several families. Which one are we talking about?".into(),
            choices: choices(options),
            tone: Info,
            health_data: false,
            document: None,
            quoted: Vec::new(),
        },
        Msg::FamilyChosen { name } => reply(format!("OK — now working with the {name} family."), Success, msg),
        Msg::Children { children, today } => {
            let lines: Vec<String> =
                children.iter().map(|(name, born)| format!("• {name}, {}", age(*born, *today))).collect();
            reply(format!("Children:\n{}", lines.join("\n")), Info, msg)
        }
        Msg::NoChildren => reply("There are no children you can see in this family yet.".into(), Info, msg),
        Msg::Medications { child, medications } => {
            let lines: Vec<String> = medications.iter().map(medication_line).collect();
            reply(format!("{child}'s medications:\n{}", lines.join("\n")), Info, msg)
        }
        Msg::NoMedications { child } => reply(format!("{child} has no active medications on file."), Info, msg),
        Msg::Allergies { child, allergies } => {
            let lines: Vec<String> = allergies
                .iter()
                .map(|(allergen, severity, reaction)| match reaction {
                    Some(r) => format!("• {allergen} ({severity}): {}", quote::unsigned(r)),
                    None => format!("• {allergen} ({severity})"),
                })
                .collect();
            reply(format!("{child}'s allergies:\n{}", lines.join("\n")), Warning, msg)
        }
        Msg::NoAllergies { child } => reply(format!("{child} has no allergies on file."), Info, msg),
        Msg::DoseLogged { dose, next_allowed_at, others, flagged, unchecked, alerted, poison_help } => {
            let mut text = format!(
                "{} {} {} {} at {}.",
                if *unchecked {
                    "Logged without the safety check (flagged):"
                } else if *flagged {
                    "Logged (flagged as an extra dose):"
                } else {
                    "Logged:"
                },
                dose.child,
                dose.amount,
                dose.medication,
                when(dose.at, ctx)
            );
            for other in others {
                text.push_str(&format!(
                    "\nEarlier today: {} gave {} {} at {}.",
                    by(&other.by),
                    other.amount,
                    other.medication,
                    when(other.at, ctx)
                ));
            }
            match next_allowed_at {
                Some(at) => text.push_str(&format!("\nNext dose allowed at {}.", when(*at, ctx))),
                None => text.push_str(
                    "\nI can't work out when the next dose is allowed: check the label and the last doses given.",
                ),
            }
            if !alerted.is_empty() {
                text.push_str(&format!("\nI've alerted {}.", list(alerted)));
            }
            if let Some(number) = poison_help {
                text.push_str(&format!(
                    "\nThis is past the daily maximum. Call Poison Help now at {number} — they'll tell you what to do."
                ));
            }
            let tone = if poison_help.is_some() { Urgent } else if *flagged || *unchecked { Warning } else { Success };
            Reply {
                text,
                choices: vec![Choice { label: "Undo".into(), value: "undo".into() }],
                tone,
                health_data: true,
                document: None,
                quoted: Vec::new(),
            }
        }
        Msg::ConfirmExtraDose { child, medication, amount, concerns, next_allowed_at } => {
            let mut text = String::from("⚠ Wait — ");
            let lines: Vec<String> = concerns.iter().map(|c| concern(c, ctx)).collect();
            text.push_str(&lines.join(" "));
            if !concerns.iter().any(|c| matches!(c, ConcernText::TooSoon { .. })) {
                text.push_str(&format!(" Next dose allowed at {}.", when(*next_allowed_at, ctx)));
            }
            text.push_str(&format!(
                "\nWas a further {amount} of {medication} really given to {child}? (It may be the same dose reported twice.) Reply yes or no."
            ));
            Reply {
                text,
                choices: vec![
                    Choice { label: "Yes, it was given".into(), value: "yes".into() },
                    Choice { label: "No, don't log it".into(), value: "no".into() },
                ],
                tone: Warning,
                health_data: true,
                document: None,
                quoted: Vec::new(),
            }
        }
        Msg::ExtraDoseNotLogged => reply("OK — nothing was logged.".into(), Info, msg),
        Msg::CannotCheckDose { child, medication, logging, guardian_may_override } => {
            let mut text = if *logging {
                format!("⚠ I can't check this dose of {medication} for {child} safely right now, so I haven't logged it.")
            } else {
                format!("⚠ I can't check safely right now whether {child} can have {medication}.")
            };
            let choices = if *logging && *guardian_may_override {
                text.push_str(
                    "\nReply yes to log it anyway without the check (it will be flagged and the other guardians told), or no.",
                );
                vec![
                    Choice { label: "Yes, log it unchecked".into(), value: "yes".into() },
                    Choice { label: "No, don't log it".into(), value: "no".into() },
                ]
            } else {
                text.push_str("\nAsk a guardian, or check the label and the last doses given before giving anything.");
                Vec::new()
            };
            Reply { choices, ..reply(text, Warning, msg) }
        }
        Msg::QuestionExpired => reply(
            "That question has expired, so nothing was logged. If a dose was given, tell me again.".into(),
            Info,
            msg,
        ),
        Msg::QuestionDropped => reply("(I dropped my earlier question; nothing was logged for it.)".into(), Info, msg),
        Msg::CanHave { child, medication, dose, allowed_now, next_allowed_at, last, doses_in_last_day, max_doses_per_day } => {
            let mut text = if *allowed_now {
                format!("Yes — {child} can have {dose} of {medication} now.")
            } else {
                format!("Not yet — {child} can next have {medication} at {}.", when(*next_allowed_at, ctx))
            };
            match last {
                Some(last) => text.push_str(&format!(
                    "\nLast dose: {} {} by {} at {}.",
                    last.amount,
                    last.medication,
                    by(&last.by),
                    when(last.at, ctx)
                )),
                None => text.push_str("\nNo doses of it in the last 24 hours."),
            }
            if let Some(max) = max_doses_per_day {
                text.push_str(&format!("\nDoses in the last 24 hours: {doses_in_last_day} of {max}."));
            }
            reply(text, if *allowed_now { Success } else { Warning }, msg)
        }
        Msg::LastDoses { child, doses } => {
            let lines: Vec<String> = doses.iter().map(|d| format!("• {}", dose_line(d, ctx))).collect();
            reply(format!("{child}'s last doses:\n{}", lines.join("\n")), Info, msg)
        }
        Msg::NoDoses { child } => reply(format!("No doses recorded for {child}."), Info, msg),
        Msg::TemperatureLogged { child, celsius, fahrenheit_first, advice, emergency_number } => {
            let mut text = format!("Logged: {child} {}.", temperature(*celsius, *fahrenheit_first));
            let tone = match advice {
                FeverAdvice::None => Success,
                FeverAdvice::Fever => {
                    text.push_str(" That is a fever. Keep an eye on how they drink and behave; call the doctor if it lasts more than 2–3 days or you are worried.");
                    Warning
                }
                FeverAdvice::InfantUrgent => {
                    text.push_str(&format!(" A fever in a baby under 3 months needs a doctor now: call your doctor, or {emergency_number} if they seem very unwell."));
                    Urgent
                }
                FeverAdvice::VeryHigh => {
                    text.push_str(&format!(" That is a very high temperature: call the doctor now, or {emergency_number} if they are hard to wake, have trouble breathing or have a seizure."));
                    Urgent
                }
            };
            reply(text, tone, msg)
        }
        Msg::NoteSaved { child } => reply(format!("Note saved for {child}."), Success, msg),
        Msg::Notes { child, notes } => {
            let lines: Vec<String> = notes
                .iter()
                .map(|(at, author, body)| {
                    let author = by(author);
                    format!("• {} — {author}: {}", when(*at, ctx), quote::by(&author, body))
                })
                .collect();
            reply(format!("Notes about {child}:\n{}", lines.join("\n")), Info, msg)
        }
        Msg::NoNotes { child } => reply(format!("No notes about {child} yet."), Info, msg),
        Msg::DoseVoided { dose } => reply(
            format!("Undone: {} {} {} at {} is no longer counted.", dose.child, dose.amount, dose.medication, when(dose.at, ctx)),
            Success,
            msg,
        ),
        Msg::NothingToUndo => reply("There is no dose of yours to undo.".into(), Info, msg),
        Msg::ClockedIn { at } => reply(format!("Clocked in at {}. Have a good shift!", when(*at, ctx)), Success, msg),
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
                    Choice { label: "Yes, save it".into(), value: "yes".into() },
                    Choice { label: "Cancel".into(), value: "cancel".into() },
                ],
                ..reply(text, Info, msg)
            }
        }
        Msg::GuardiansOnly => reply(
            "Only a guardian can add or change that. Ask a parent to do it from their chat.".into(),
            Info,
            msg,
        ),
        Msg::FormCancelled => reply("Cancelled: nothing was saved.".into(), Info, msg),
        Msg::FormExpired { .. } => reply(
            "(That form waited too long, so I dropped it; nothing was saved.)".into(),
            Info,
            msg,
        ),
        Msg::ChildAdded { name } => reply(
            format!("Added {name}. Next: add a medication for {name}, or {name} is allergic to ..."),
            Success,
            msg,
        ),
        Msg::MedicationAdded { child, name, pending: false } => reply(
            format!("Saved {name} for {child}. Log a dose with: gave {child} <amount> {name}."),
            Success,
            msg,
        ),
        Msg::MedicationAdded { child, name, pending: true } => reply(
            format!(
                "Saved {name} for {child}, waiting for a guardian's approval: I've asked them. \
                 No dose can be logged until they approve it."
            ),
            Success,
            msg,
        ),
        Msg::MedicationEdited { child, name, pending: false } => reply(
            format!("Changed {child}'s {name}: every dose check uses the new rules from now on."),
            Success,
            msg,
        ),
        Msg::MedicationEdited { child, name, pending: true } => reply(
            format!(
                "Saved the change to {child}'s {name}, waiting for a guardian's approval: I've asked them. \
                 No dose of it can be logged until they approve the new rules."
            ),
            Success,
            msg,
        ),
        Msg::RenameUsage => reply(
            "What is the new name? For example: rename Emma to Emmy.".into(),
            Info,
            msg,
        ),
        Msg::ChildRenamed { old, new } => reply(
            format!("✓ {old} is now {new}: the record, medicines and doses stay with them."),
            Success,
            msg,
        ),
        Msg::ConfirmLeaveCare { child } => Reply {
            choices: vec![
                Choice { label: format!("Yes, {child} leaves care"), value: "yes".into() },
                Choice { label: "No, keep them".into(), value: "no".into() },
            ],
            ..reply(
                format!(
                    "Take {child} out of active care? Their record stays (the export keeps it), but {child} leaves every list and no dose is logged for them. You can bring them back with: return {child} to care. Reply yes or no."
                ),
                Warning,
                msg,
            )
        },
        Msg::ChildLeftCare { child } => reply(
            format!("✓ {child} is out of active care; the record is kept. To bring them back: return {child} to care."),
            Success,
            msg,
        ),
        Msg::ChildBackInCare { child } => reply(
            format!("✓ {child} is back in active care. Their medicines are as they were; check them with: meds {child}."),
            Success,
            msg,
        ),
        Msg::NotOutOfCare { name, out_of_care } => {
            let known = if out_of_care.is_empty() { "none".to_string() } else { list(out_of_care) };
            reply(
                format!("No child called \"{name}\" is out of care. Children out of care: {known}. Nothing was changed."),
                Error,
                msg,
            )
        }
        Msg::EditUsage => reply(
            "Which medicine, and what changes? For example: change Emma's Tylenol dose to 7.5 ml, \
             or change Leo's amoxicillin to every 8 hours."
                .into(),
            Info,
            msg,
        ),
        Msg::NoMedicationToEdit { asked, known } => {
            let known = if known.is_empty() { "none yet".to_string() } else { list(known) };
            reply(
                format!("I can't find a current medicine or an entry of the record called \"{asked}\" to change. The children's medicines: {known}. Nothing was changed."),
                Error,
                msg,
            )
        }
        Msg::WhichMedicationToEdit { options, change } => Reply {
            choices: options
                .iter()
                .map(|(id, medication, child)| Choice {
                    label: format!("{child}'s {medication}"),
                    value: format!("change #{id} {change}").trim_end().to_string(),
                })
                .collect(),
            ..reply("Which one should I change?".into(), Info, msg)
        },
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
            format!("Saved: {child} is allergic to {allergen}. Everyone caring for {child} will see it."),
            Success,
            msg,
        ),
        Msg::InviteCreated { code, role, expires_at } => reply(
            format!(
                "Invite code for a new {role}: {code}\nIt works once, until {}. They send: join {code}",
                when(*expires_at, ctx)
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
            "Sorry, this MedNanny serves one family workspace, and you are not part of it. Nothing was recorded."
                .into(),
            Error,
            msg,
        ),
        Msg::WhichRole => reply(
            "Invite whom? Send invite guardian, invite caregiver (a nanny) or invite viewer.".into(),
            Info,
            msg,
        ),
        Msg::Export { family, document } => Reply {
            document: Some(Document {
                filename: format!("mednanny-{}.json", family.to_lowercase().replace(' ', "-")),
                content: document.clone(),
            }),
            ..reply(
                format!("Everything the {family} family has in MedNanny, as JSON. Keep it somewhere private."),
                Info,
                msg,
            )
        },
        Msg::Joined { family, role } => {
            reply(format!("Welcome to the {family} family! You joined as {role}. Send help to see what I can do."), Success, msg)
        }
        Msg::GrowthLogged { child, kind, value } => {
            let unit = if *kind == "weight" { "kg" } else { "cm" };
            reply(
                format!("✓ Logged: {child}'s {kind}, {} {unit}.", format_number((value * 10.0).round() / 10.0)),
                Success,
                msg,
            )
        }
        Msg::Emergency { flag, numbers } => reply(emergency(flag, numbers.as_ref()), Urgent, msg),
        Msg::GuardiansTold { names } => {
            reply(format!("I've alerted {}.", list(names)), Urgent, msg)
        }
        Msg::UnknownChild { name, known } => {
            reply(format!("I don't know a child called {name}. Children here: {}.", list(known)), Error, msg)
        }
        Msg::WhichChild { known } => Reply {
            text: "Which child?".into(),
            choices: choices(known),
            tone: Info,
            health_data: false,
            document: None,
            quoted: Vec::new(),
        },
        Msg::UnknownMedication { child, asked, known } => {
            let known = if known.is_empty() { "none".into() } else { list(known) };
            reply(
                format!(
                    "{child} has no {asked} on file, so I can't check or record it. {child}'s medications: {known}. A guardian can add it."
                ),
                Error,
                msg,
            )
        }
        Msg::AddMedicationFirst { child, asked } => reply(
            format!(
                "{child} has no {asked} on file, so that dose is not recorded yet: I can only check a dose against the medicine's rules. \
                 Add {asked} to {child}'s medicines now? Then tell me the dose again and I'll check and log it."
            ),
            Warning,
            msg,
        )
        .with_choices(vec![
            Choice { label: "Yes, add it".into(), value: "yes".into() },
            Choice { label: "No".into(), value: "no".into() },
        ]),
        Msg::WhichMedication { child, options } => Reply {
            text: format!("{child} has more than one matching medication. Which one?"),
            choices: choices(options),
            tone: Info,
            health_data: true,
            document: None,
            quoted: Vec::new(),
        },
        Msg::BadAmount(e) => reply(format!("{} Nothing was recorded.", amount_error(e)), Error, msg),
        Msg::BadTemperature(e) => reply(temperature_error(e), Error, msg),
        Msg::BadTime(t) => reply(format!("{t:?} is not a time of day (e.g. 9:30 or 9:30pm). Nothing was recorded."), Error, msg),
        Msg::NonexistentLocalTime(t) => reply(
            format!("{t} did not exist today (the clocks changed). Please give the time again. Nothing was recorded."),
            Error,
            msg,
        ),
        Msg::Problem(p) => reply(problem(p), Error, msg),
        Msg::Denied => reply("Sorry, you don't have access to that.".into(), Error, msg),
        Msg::NotFound(what) => reply(format!("I couldn't find that {what}."), Error, msg),
        Msg::NotUnderstood => reply(
            "Sorry, I didn't understand. Send help to see what I can do.".into(),
            Info,
            msg,
        ),
        Msg::InternalError => reply(
            "Something went wrong on our side and nothing was changed. Please try again in a moment.".into(),
            Error,
            msg,
        ),
        Msg::Alert(Alert::Emergency(alert)) => {
            let about = alert.child_name.as_deref().map(|c| format!(" about {c}")).unwrap_or_default();
            let what = alert.categories.first().map(|c| emergency_kind(*c)).unwrap_or("an emergency");
            reply(
                format!(
                    "🚨 Emergency: {} reported {what}{about} at {} and was told to call the emergency number. Call {} now.",
                    alert.reported_by,
                    when(alert.at, ctx),
                    alert.reported_by
                ),
                Urgent,
                msg,
            )
        }
        Msg::Alert(Alert::ExtraDose { child_name, medication_name, amount, given_at, given_by, concerns, past_daily_maximum, .. }) => {
            let what = if concerns.iter().any(|c| c == crate::services::care::UNCHECKED_FLAG) {
                "logged a dose without the safety check (it could not be done)"
            } else {
                "confirmed an extra dose"
            };
            let mut text = format!(
                "⚠ Alert: {given_by} {what} — {child_name} was given {amount} {medication_name} at {}.",
                when(*given_at, ctx)
            );
            if *past_daily_maximum {
                text.push_str(" It is past the daily maximum.");
            }
            reply(text, Urgent, msg)
        }
    }
}
