//! Suicidal talk and abuse: the crisis line and the child-protection line, with the emergency number.

use super::fires;
use crate::screen::text::{Concept as C, Doc};

pub(crate) fn self_harm(doc: &Doc) -> bool {
    const WANT: &[&str] = &[
        "want",
        "wants",
        "wanna",
        "wish",
        "wishes",
        "rather",
        "quiero",
        "quiere",
        "going",
        "gonna",
        "thinking",
        "thoughts",
        "plan",
        "planning",
        "tried",
        "trying",
        "threatening",
        "talks",
        "talking",
        "deseo",
    ];
    for i in doc.all(C::Suicide) {
        if !doc.hypothetical(i) && !doc.negated(i) {
            return true;
        }
    }
    for (i, t) in doc.toks.iter().enumerate() {
        // "kill myself", "matarse", and "se quiere matar" / "me quiero matar" (not "me quiere
        // matar": someone else, in a figure of speech).
        let reflexive_es = t.w == "matar"
            && matches!(
                (doc.w(i.wrapping_sub(2)), doc.w(i.wrapping_sub(1))),
                ("se", "quiere" | "quieren" | "queria" | "va")
                    | ("me", "quiero" | "queria" | "voy")
            );
        if t.has(C::Kill)
            && (matches!(t.w.as_str(), "matarme" | "matarse")
                || doc.near(i, C::Reflexive, 0, 2)
                || reflexive_es)
            && !doc.hypothetical(i)
        {
            return true;
        }
        if t.has(C::Die) && !matches!(t.w.as_str(), "dying" | "death" | "died") {
            let idiom = doc
                .around(i, 3, 0)
                .any(|j| matches!(doc.w(j), "could" | "nearly" | "almost"));
            let wanting = doc.around(i, 4, 0).any(|j| WANT.contains(&doc.w(j))) && !idiom;
            let better_off =
                doc.w(i.wrapping_sub(1)) == "off" && doc.w(i.wrapping_sub(2)) == "better";
            let not_living = matches!(t.w.as_str(), "live" | "alive" | "vivir" | "living")
                && doc.around(i, 4, 0).any(|j| doc.is(j, C::Neg))
                && wanting;
            let wish_dead = t.w == "dead"
                && doc
                    .around(i, 4, 0)
                    .any(|j| matches!(doc.w(j), "wish" | "wishes" | "were" | "better"));
            if (wanting
                && !matches!(t.w.as_str(), "live" | "alive" | "vivir" | "living")
                && !doc.negated(i))
                || better_off
                || not_living
                || wish_dead
            {
                return true;
            }
        }
        if matches!(t.w.as_str(), "end")
            && doc.near_word(i, &["life", "it"], 0, 3)
            && doc.around(i, 4, 0).any(|j| WANT.contains(&doc.w(j)))
        {
            return true;
        }
        if t.has(C::Cutting) && doc.near(i, C::Reflexive, 0, 2) && !doc.hypothetical(i) {
            let accident = doc.around(i, 0, 4).any(|j| {
                matches!(
                    doc.w(j),
                    "on" | "shaving" | "accidentally" | "while" | "playing" | "with"
                )
            }) && !matches!(t.w.as_str(), "cutting" | "harming");
            if !accident {
                return true;
            }
        }
        if t.w == "self"
            && matches!(doc.w(i + 1), "harm" | "harming" | "injury")
            && !doc.hypothetical(i)
        {
            return true;
        }
        if matches!(t.w.as_str(), "cortarse" | "matarse" | "suicidarse") {
            return true;
        }
        // "Everyone would be better off without me".
        if t.w == "better" && doc.w(i + 1) == "off" && doc.w(i + 2) == "without" {
            return true;
        }
        // "I don't want to be here anymore".
        if t.w == "here"
            && doc.w(i.wrapping_sub(1)) == "be"
            && doc.around(i, 5, 0).any(|j| doc.is(j, C::Neg))
            && doc.around(i, 5, 0).any(|j| WANT.contains(&doc.w(j)))
        {
            return true;
        }
        // Cuts or scars on arms, wrists or thighs, with blades or hidden.
        if matches!(
            t.w.as_str(),
            "cuts" | "cut" | "scars" | "scratches" | "marks" | "cortes"
        ) && doc.has_word(&[
            "arms", "arm", "wrists", "wrist", "thighs", "thigh", "legs", "brazos", "munecas",
        ]) && doc.has_word(&[
            "razor",
            "razors",
            "blade",
            "blades",
            "hiding",
            "hides",
            "sleeves",
            "herself",
            "himself",
            "cuchilla",
            "cuchillas",
        ]) {
            return true;
        }
        // Thinking of taking all the pills.
        if t.has(C::Medicine)
            && doc.has_word(&[
                "thinking", "think", "thoughts", "want", "going", "plan", "wanna",
            ])
            && doc.toks[..i].iter().any(|u| u.has(C::Quantity))
            && doc.has_word(&["i", "me", "my"])
        {
            return true;
        }
        // A carer's own words about harming the baby: the crisis line, and put the baby down safely.
        if matches!(
            t.w.as_str(),
            "hurt"
                | "hurting"
                | "harm"
                | "harming"
                | "shake"
                | "shaking"
                | "smother"
                | "hit"
                | "kill"
        ) && doc.around(i, 0, 3).any(|j| doc.is(j, C::ChildWord))
            && doc.around(i, 6, 0).any(|j| {
                matches!(
                    doc.w(j),
                    "feel"
                        | "urge"
                        | "scared"
                        | "afraid"
                        | "might"
                        | "thoughts"
                        | "thinking"
                        | "think"
                        | "want"
                        | "going"
                        | "could"
                )
            })
            && doc.any(C::Reflexive) | doc.has_word(&["i", "im", "am", "me"])
            && !doc.has_word(&["lol", "haha", "jk"])
        {
            return true;
        }
    }
    for (i, t) in doc.toks.iter().enumerate() {
        // "Thinking about ending it", "quitarme la vida".
        if matches!(t.w.as_str(), "ending" | "ended" | "end")
            && matches!(doc.w(i + 1), "it" | "things" | "everything" | "my")
            && doc.toks[..i]
                .iter()
                .any(|u| WANT.contains(&u.w.as_str()) || matches!(u.w.as_str(), "think" | "about"))
        {
            return true;
        }
        if matches!(t.w.as_str(), "quitarme" | "quitarse" | "quitarte") && doc.w(i + 2) == "vida" {
            return true;
        }
        // A way to die, thought about: off a bridge, in front of a train, into traffic.
        if matches!(
            t.w.as_str(),
            "driving"
                | "drive"
                | "jump"
                | "jumping"
                | "walk"
                | "walking"
                | "step"
                | "stepping"
                | "crash"
                | "crashing"
        ) && doc.near_word(
            i,
            &[
                "bridge", "train", "traffic", "roof", "cliff", "building", "puente", "tren",
            ],
            0,
            5,
        ) && doc.toks[..i].iter().any(|u| {
            WANT.contains(&u.w.as_str()) || matches!(u.w.as_str(), "think" | "about" | "sometimes")
        }) {
            return true;
        }
        // Hurting themselves on purpose.
        if doc.has_word(&["purpose", "adrede", "proposito"])
            && doc.any(C::Reflexive) | doc.has_word(&["banging", "hitting", "scratching", "biting"])
            && doc.has_word(&["head", "herself", "himself", "arms", "wall"])
        {
            return true;
        }
    }
    false
}

pub(crate) fn abuse(doc: &Doc) -> bool {
    for i in doc.all(C::Abuse) {
        let substance = matches!(
            doc.w(i.wrapping_sub(1)),
            "drug" | "substance" | "alcohol" | "verbal"
        ) && doc.w(i) == "abuse";
        if !substance && fires(doc, i) {
            return true;
        }
    }
    for i in doc.all(C::Touch) {
        let private = doc.close(i, C::Private, 6)
            || doc.near_word(i, &["down"], 0, 3) && doc.near_word(i, &["there"], 0, 4);
        let by_someone = doc.around(i, 4, 0).any(|j| doc.is(j, C::Perpetrator))
            && doc
                .around(i, 2, 2)
                .any(|j| doc.is(j, C::ChildWord) || matches!(doc.w(j), "me"))
            && !doc.around(i, 0, 4).any(|j| {
                matches!(
                    doc.w(j),
                    "hair"
                        | "hand"
                        | "head"
                        | "shoulder"
                        | "arm"
                        | "forehead"
                        | "toys"
                        | "stuff"
                        | "phone"
                )
            });
        if (private || by_someone) && !doc.hypothetical(i) {
            return true;
        }
    }
    for (i, t) in doc.toks.iter().enumerate() {
        if t.has(C::Beat) {
            let by = doc.around(i, 4, 0).any(|j| doc.is(j, C::Perpetrator));
            let on_child = doc
                .around(i, 2, 3)
                .any(|j| doc.is(j, C::ChildWord) || matches!(doc.w(j), "me" | "us"));
            let body_part = doc.around(i, 0, 3).any(|j| {
                doc.is(j, C::Head)
                    || matches!(doc.w(j), "ball" | "wall" | "table" | "floor" | "door")
            });
            if by && on_child && !body_part && !doc.hypothetical(i) && !doc.negated(i) {
                return true;
            }
        }
        if t.has(C::Petechiae)
            && matches!(
                t.w.as_str(),
                "bruises" | "bruise" | "bruising" | "moretones"
            )
        {
            let blamed = doc.has_word(&["did", "says", "said", "told", "fue", "dice"])
                && doc.any(C::Perpetrator);
            // Bruises shaped like fingers or a hand, or that nobody can explain.
            let patterned = doc.has_word(&[
                "finger",
                "fingers",
                "handprint",
                "hand",
                "belt",
                "grab",
                "unexplained",
                "loop",
                "dedos",
            ]) || doc.has_word(&["came"]) && doc.any(C::Neg)
                || doc.has_word(&["idea"]) && doc.any(C::Neg);
            if blamed || patterned {
                return true;
            }
        }
        if matches!(t.w.as_str(), "shook" | "shaken" | "shaking")
            && doc.near_word(i, &["baby", "bebe"], 0, 3)
            && !doc.hypothetical(i)
        {
            return true;
        }
        // "Hurts her down there", "keeps secrets".
        if t.w == "down"
            && doc.w(i + 1) == "there"
            && doc.toks[..i]
                .iter()
                .any(|u| u.has(C::Beat) || u.has(C::Touch))
        {
            return true;
        }
    }
    for (i, t) in doc.toks.iter().enumerate() {
        // Thrown or slammed against something: never play.
        if matches!(
            t.w.as_str(),
            "threw" | "thrown" | "throws" | "slammed" | "slams" | "pushed" | "shoved" | "kicked"
        ) && doc.around(i, 0, 3).any(|j| doc.is(j, C::ChildWord))
            && doc.near_word(i, &["against", "into", "across", "down", "contra"], 0, 4)
            && !doc.has_word(&["ball", "toy", "toys", "pillow", "snowball"])
        {
            return true;
        }
        // A shaken baby.
        if matches!(
            t.w.as_str(),
            "shakes" | "shook" | "shaken" | "shaking" | "sacude" | "sacudio"
        ) && doc
            .around(i, 3, 3)
            .any(|j| matches!(doc.w(j), "baby" | "bebe" | "infant" | "newborn"))
            && doc.any(C::Perpetrator)
        {
            return true;
        }
        // Spanish: "le hace daño", and "que no se lo diga a nadie" (a secret kept from parents).
        if t.w == "dano"
            && matches!(
                doc.w(i.wrapping_sub(1)),
                "hace" | "hacen" | "hizo" | "hacia"
            )
            && doc.any(C::Perpetrator)
        {
            return true;
        }
        if matches!(t.w.as_str(), "secret" | "secrets" | "secreto" | "nadie")
            && doc.any(C::Perpetrator)
            && (doc.any(C::Beat)
                || doc.any(C::Touch)
                || doc.w(i.wrapping_sub(1)) == "a" && doc.has_word(&["diga", "digas", "cuente"]))
        {
            return true;
        }
    }
    false
}
