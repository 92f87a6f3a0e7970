//! Phrasings for keeping the record current: a medication's course ("stop Leo's amoxicillin",
//! "pause Emma's Tylenol", "resume #12") and the family's members ("members", "Maya looks after
//! Emma and Leo", "Maya no longer looks after Leo", "make Luis a viewer", "revoke Maya").
//! Pure, like the rest of the parser: names are resolved by the machine and the runner.

use super::{strip_punctuation, Command, Vocabulary};
use crate::domain::Role;
use crate::services::care::CourseChange;

/// The command, when the message is one of these; `None` lets the rest of the parser read it.
pub(super) fn parse(text: &str, words: &[&str], vocabulary: &Vocabulary<'_>) -> Option<Command> {
    let lower = text.to_lowercase();
    let first = strip_punctuation(words[0]).to_lowercase();
    let rest = &words[1..];
    let change = match first.as_str() {
        "stop" | "parar" | "suspender" | "detener" | "discontinue" => Some(CourseChange::Stop),
        "pause" | "pausar" => Some(CourseChange::Pause),
        "resume" | "reanudar" | "unpause" => Some(CourseChange::Resume),
        _ => None,
    };
    if let Some(change) = change {
        let (child, medication) = course_target(rest, vocabulary);
        return Some(Command::Course {
            change,
            child,
            medication,
        });
    }
    if let Some(command) = child_care(&first, rest, &lower, vocabulary) {
        return Some(command);
    }
    if matches!(
        first.as_str(),
        "change" | "edit" | "update" | "modify" | "adjust" | "cambiar" | "cambia" | "modificar"
    ) {
        return Some(edit_medication(rest, vocabulary));
    }
    match first.as_str() {
        "members" | "miembros" | "team" => return Some(Command::Members),
        "revoke" => {
            return Some(Command::Revoke {
                member: member_name(rest),
            })
        }
        // "remove Maya from the family"
        "remove" if lower.contains("from the family") || lower.contains("from our family") => {
            let before: Vec<&str> = rest
                .iter()
                .copied()
                .take_while(|w| !w.eq_ignore_ascii_case("from"))
                .collect();
            return Some(Command::Revoke {
                member: member_name(&before),
            });
        }
        // "make Luis a viewer", "make Maya a guardian"
        "make" => {
            let role_at = rest
                .iter()
                .rposition(|w| strip_punctuation(w).parse::<Role>().is_ok())?;
            let role = strip_punctuation(rest[role_at]).parse::<Role>().ok();
            let member: Vec<&str> = rest[..role_at]
                .iter()
                .copied()
                .filter(|w| !matches!(w.to_lowercase().as_str(), "a" | "an" | "the"))
                .collect();
            return Some(Command::SetRole {
                member: member_name(&member),
                role,
            });
        }
        // "assign Maya to Emma and Leo", "unassign Maya from Leo"
        "assign" | "unassign" => {
            let split = rest
                .iter()
                .position(|w| matches!(w.to_lowercase().as_str(), "to" | "from" | "a" | "de"))?;
            return Some(Command::Assign {
                member: member_name(&rest[..split]),
                children: children_named(&rest[split + 1..], vocabulary),
                assign: first == "assign",
            });
        }
        _ => {}
    }
    if lower.starts_with("family members")
        || lower.starts_with("who is in the family")
        || lower.starts_with("who's in the family")
    {
        return Some(Command::Members);
    }
    assignment(words, vocabulary)
}

/// "Maya looks after Emma and Leo", "Maya takes care of both kids", "Maya no longer looks after
/// Leo", "Maya cuida a Emma".
fn assignment(words: &[&str], vocabulary: &Vocabulary<'_>) -> Option<Command> {
    let lower: Vec<String> = words
        .iter()
        .map(|w| strip_punctuation(w).to_lowercase())
        .collect();
    const PHRASES: &[&[&str]] = &[
        &["looks", "after"],
        &["look", "after"],
        &["takes", "care", "of"],
        &["take", "care", "of"],
        &["cares", "for"],
        &["care", "for"],
        &["cuida", "a"],
        &["cuida", "de"],
        &["cuida"],
    ];
    let (at, len) = (0..lower.len()).find_map(|i| {
        PHRASES.iter().find_map(|phrase| {
            let fits = lower.len() >= i + phrase.len()
                && phrase.iter().zip(&lower[i..]).all(|(p, w)| p == w);
            fits.then_some((i, phrase.len()))
        })
    })?;
    let before = &lower[..at];
    let negated = |w: &String| {
        matches!(
            w.as_str(),
            "no" | "longer" | "doesn't" | "doesnt" | "not" | "does" | "ya" | "won't" | "stopped"
        )
    };
    let assign = !before.iter().any(negated);
    let member: Vec<&str> = words[..at]
        .iter()
        .copied()
        .filter(|w| !negated(&strip_punctuation(w).to_lowercase()))
        .collect();
    if member.is_empty() {
        return None;
    }
    Some(Command::Assign {
        member: member_name(&member),
        children: children_named(&words[at + len..], vocabulary),
        assign,
    })
}

/// The person's name as written ("Maya", "Maya Lopez"), without a trailing possessive.
fn member_name(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| strip_punctuation(w))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches("'s")
        .trim_end_matches("’s")
        .to_string()
}

/// The children a phrase names: "Emma and Leo", "Emma, Leo", "both kids", "all the children";
/// a word that is not a known child is kept as written, so the reply can say who is unknown.
fn children_named(words: &[&str], vocabulary: &Vocabulary<'_>) -> Vec<String> {
    let mut names = Vec::new();
    for word in words {
        let clean = strip_punctuation(word).trim_end_matches(',').to_lowercase();
        match clean.as_str() {
            "" | "and" | "y" | "&" | "the" | "kids" | "children" | "child" | "now" | "too"
            | "anymore" | "any" | "more" | "los" | "las" | "niños" | "ninos" | "a" => {}
            "both" | "all" | "everyone" | "everybody" | "todos" | "ambos" => {
                names.extend(vocabulary.children.iter().cloned());
            }
            _ => names.push(
                vocabulary
                    .child_in(strip_punctuation(word).trim_end_matches(','))
                    .unwrap_or_else(|| strip_punctuation(word).to_string()),
            ),
        }
    }
    names.dedup();
    names
}

/// "Leo's amoxicillin", "the Tylenol for Emma", "#12", "giving Leo amoxicillin": the child named
/// (if any) and the words that name the medication.
/// "rename Emma to Emmy", "change Emma's name to Emmy", "archive Emma", "remove Emma from active
/// care", "return Emma to care", "restore Emma".
fn child_care(
    first: &str,
    rest: &[&str],
    lower: &str,
    vocabulary: &Vocabulary<'_>,
) -> Option<Command> {
    let child_in = |words: &[&str]| {
        words
            .iter()
            .find_map(|w| vocabulary.child_in(strip_punctuation(w)))
    };
    let after_to = |words: &[&str]| -> Option<String> {
        let to = words
            .iter()
            .rposition(|w| matches!(w.to_lowercase().as_str(), "to" | "as" | "a"))?;
        let name: Vec<&str> = words[to + 1..]
            .iter()
            .map(|w| strip_punctuation(w))
            .collect();
        Some(name.join(" "))
    };
    let renaming = matches!(first, "rename" | "renombrar")
        || (matches!(first, "change" | "update" | "cambiar") && lower.contains(" name "));
    if renaming {
        return Some(Command::RenameChild {
            child: child_in(rest),
            name: after_to(rest).unwrap_or_default(),
        });
    }
    let name_of = |words: &[&str]| -> String {
        words
            .iter()
            .map(|w| strip_punctuation(w))
            .filter(|w| {
                !matches!(
                    w.to_lowercase().as_str(),
                    "the" | "child" | "from" | "active" | "care" | "to" | "our" | "into" | "back"
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    if first == "archive"
        || (first == "remove"
            && (lower.ends_with("from active care") || lower.ends_with("from care")))
    {
        return Some(Command::ChildCare {
            name: child_in(rest).unwrap_or_else(|| name_of(rest)),
            in_care: false,
        });
    }
    if matches!(first, "unarchive" | "restore")
        || (first == "return" && lower.contains("care"))
        || (first == "bring" && lower.contains("care"))
    {
        return Some(Command::ChildCare {
            name: name_of(rest),
            in_care: true,
        });
    }
    None
}

/// "change Emma's Tylenol dose to 7.5 ml": the medication is what comes before the first word that
/// starts a change ("dose", "to", "every", "max"...); the change is the rest, without child names.
fn edit_medication(words: &[&str], vocabulary: &Vocabulary<'_>) -> Command {
    let starts_change = |w: &str| {
        matches!(
            strip_punctuation(w).to_lowercase().as_str(),
            "dose"
                | "dosis"
                | "to"
                | "a"
                | "every"
                | "cada"
                | "max"
                | "maximum"
                | "at"
                | "from"
                | "until"
                | "till"
                | "as"
                | "ongoing"
                | "strength"
                | "interval"
                | "schedule"
                | "so"
                | "now"
                | "con"
                | "with"
        )
    };
    let split = words
        .iter()
        .position(|w| starts_change(w))
        .unwrap_or(words.len());
    // "for 10 days" also starts a change, but "for Emma" names the child.
    let split = words[..split]
        .iter()
        .enumerate()
        .position(|(i, w)| {
            strip_punctuation(w).eq_ignore_ascii_case("for")
                && words
                    .get(i + 1)
                    .is_some_and(|next| vocabulary.child_in(strip_punctuation(next)).is_none())
        })
        .unwrap_or(split);
    let (target, change) = words.split_at(split);
    let (mut child, mut medication) = course_target(target, vocabulary);
    let mut change: Vec<&str> = change.to_vec();
    // "change the dose of Emma's Tylenol to 5 ml": the medication follows "of".
    if medication.is_empty() {
        if let Some(of) = change
            .iter()
            .position(|w| matches!(w.to_lowercase().as_str(), "of" | "de"))
        {
            let end = change[of + 1..]
                .iter()
                .position(|w| starts_change(w))
                .map_or(change.len(), |p| of + 1 + p);
            let (named_child, named) = course_target(&change[of + 1..end], vocabulary);
            child = child.or(named_child);
            medication = named;
            change.drain(of..end);
        }
    }
    let mut rest = Vec::new();
    for word in change {
        match vocabulary.child_in(strip_punctuation(word)) {
            Some(name) => child = child.or(Some(name)),
            None => rest.push(word),
        }
    }
    Command::EditMedication {
        child,
        medication,
        change: rest.join(" "),
    }
}

fn course_target(words: &[&str], vocabulary: &Vocabulary<'_>) -> (Option<String>, String) {
    let mut child = None;
    let mut medication = Vec::new();
    for word in words {
        let clean = strip_punctuation(word);
        if let Some(name) = vocabulary.child_in(clean) {
            child = Some(name);
            continue;
        }
        if matches!(
            clean.to_lowercase().as_str(),
            "the"
                | "giving"
                | "taking"
                | "for"
                | "of"
                | "her"
                | "his"
                | "medicine"
                | "medication"
                | "course"
                | "please"
                | "la"
                | "el"
                | "de"
                | "para"
        ) {
            continue;
        }
        medication.push(clean);
    }
    (child, medication.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<Command> {
        let children = vec!["Emma".to_string(), "Leo".to_string()];
        let vocabulary = Vocabulary {
            children: &children,
        };
        let words: Vec<&str> = text.split_whitespace().collect();
        parse(text, &words, &vocabulary)
    }

    fn course(change: CourseChange, child: Option<&str>, medication: &str) -> Option<Command> {
        Some(Command::Course {
            change,
            child: child.map(str::to_string),
            medication: medication.into(),
        })
    }

    fn assign(member: &str, children: &[&str], assign: bool) -> Option<Command> {
        Some(Command::Assign {
            member: member.into(),
            children: children.iter().map(|c| c.to_string()).collect(),
            assign,
        })
    }

    fn edit(child: Option<&str>, medication: &str, change: &str) -> Option<Command> {
        Some(Command::EditMedication {
            child: child.map(str::to_string),
            medication: medication.into(),
            change: change.into(),
        })
    }

    #[test]
    fn a_change_to_a_medicine_names_it_then_says_what_changes() {
        let table: Vec<(&str, Option<Command>)> = vec![
            (
                "change Emma's Tylenol dose to 7.5 ml",
                edit(Some("Emma"), "Tylenol", "dose to 7.5 ml"),
            ),
            (
                "change Leo's amoxicillin to every 8 hours",
                edit(Some("Leo"), "amoxicillin", "to every 8 hours"),
            ),
            (
                "change the dose of Emma's Motrin to 7.5 ml",
                edit(Some("Emma"), "Motrin", "dose to 7.5 ml"),
            ),
            (
                "update the Tylenol for Emma, max 4 a day",
                edit(Some("Emma"), "Tylenol", "max 4 a day"),
            ),
            (
                "edit Leo's amoxicillin for 7 days",
                edit(Some("Leo"), "amoxicillin", "for 7 days"),
            ),
            ("edit #12", edit(None, "#12", "")),
            // A child's name is not a medicine.
            (
                "change Emma's name to Emmy",
                Some(Command::RenameChild {
                    child: Some("Emma".into()),
                    name: "Emmy".into(),
                }),
            ),
            (
                "rename Leo to Leo Jr",
                Some(Command::RenameChild {
                    child: Some("Leo".into()),
                    name: "Leo Jr".into(),
                }),
            ),
            (
                "remove Leo from active care",
                Some(Command::ChildCare {
                    name: "Leo".into(),
                    in_care: false,
                }),
            ),
            (
                "archive Emma",
                Some(Command::ChildCare {
                    name: "Emma".into(),
                    in_care: false,
                }),
            ),
            (
                "return Mia to care",
                Some(Command::ChildCare {
                    name: "Mia".into(),
                    in_care: true,
                }),
            ),
            ("change", edit(None, "", "")),
        ];
        for (text, expected) in table {
            assert_eq!(read(text), expected, "{text}");
        }
    }

    #[test]
    fn keeping_the_record_current_is_understood_in_plain_words() {
        use CourseChange::*;
        let table: Vec<(&str, Option<Command>)> = vec![
            (
                "stop Leo's amoxicillin",
                course(Stop, Some("Leo"), "amoxicillin"),
            ),
            (
                "Stop giving Leo the amoxicillin",
                course(Stop, Some("Leo"), "amoxicillin"),
            ),
            (
                "pause Emma's Tylenol",
                course(Pause, Some("Emma"), "Tylenol"),
            ),
            (
                "resume the tylenol for Emma",
                course(Resume, Some("Emma"), "tylenol"),
            ),
            ("stop #12", course(Stop, None, "#12")),
            (
                "suspender la amoxicilina de Leo",
                course(Stop, Some("Leo"), "amoxicilina"),
            ),
            ("pause", course(Pause, None, "")),
            ("members", Some(Command::Members)),
            ("Who is in the family?", Some(Command::Members)),
            (
                "Maya looks after Emma and Leo",
                assign("Maya", &["Emma", "Leo"], true),
            ),
            (
                "Maya takes care of both kids",
                assign("Maya", &["Emma", "Leo"], true),
            ),
            (
                "Maya Lopez cares for emma, leo",
                assign("Maya Lopez", &["Emma", "Leo"], true),
            ),
            (
                "Maya no longer looks after Leo",
                assign("Maya", &["Leo"], false),
            ),
            (
                "Maya doesn't look after Emma anymore",
                assign("Maya", &["Emma"], false),
            ),
            ("assign Maya to Leo", assign("Maya", &["Leo"], true)),
            ("unassign Maya from Emma", assign("Maya", &["Emma"], false)),
            // An unknown child is kept as written: the reply names it.
            ("Maya looks after Nico", assign("Maya", &["Nico"], true)),
            (
                "make Luis a viewer",
                Some(Command::SetRole {
                    member: "Luis".into(),
                    role: Some(Role::Viewer),
                }),
            ),
            (
                "make Maya a guardian",
                Some(Command::SetRole {
                    member: "Maya".into(),
                    role: Some(Role::Guardian),
                }),
            ),
            (
                "revoke Maya",
                Some(Command::Revoke {
                    member: "Maya".into(),
                }),
            ),
            (
                "remove Maya from the family",
                Some(Command::Revoke {
                    member: "Maya".into(),
                }),
            ),
            // Not these: left to the rest of the parser.
            ("make Emma a sandwich", None),
            ("remove the tylenol", None),
            ("gave Emma 5 ml Tylenol", None),
        ];
        for (text, expected) in table {
            assert_eq!(read(text), expected, "{text}");
        }
    }
}
