//! Pseudonyms for the model: children become "Child A", "Child B", members "Member A"…, in what
//! the model is sent, and their names come back in what it says. The model never learns who the
//! family is; it only needs to tell the children apart.

/// The names of one turn and the aliases that stand for them.
#[derive(Debug, Clone, Default)]
pub struct Aliases {
    /// (real name, alias), children first, each list in the order given.
    pairs: Vec<(String, String)>,
}

impl Aliases {
    /// Aliases for these children and members (the speaker among them). A member who shares a
    /// child's name keeps the child's alias: the text cannot tell them apart either.
    pub fn new(children: &[String], members: &[String]) -> Self {
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut add = |name: &str, alias: String| {
            let name = name.trim();
            if name.is_empty() || pairs.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                return;
            }
            pairs.push((name.to_string(), alias));
        };
        for (i, child) in children.iter().enumerate() {
            add(child, format!("Child {}", letter(i)));
        }
        for (i, member) in members.iter().enumerate() {
            add(member, format!("Member {}", letter(i)));
        }
        Self { pairs }
    }

    /// The alias that stands for a child's name.
    pub fn child_alias(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, a)| n.eq_ignore_ascii_case(name) && a.starts_with("Child "))
            .map(|(_, a)| a.as_str())
    }

    /// The real name behind an alias the model used ("Child B", "child b").
    pub fn real_name(&self, alias: &str) -> Option<&str> {
        let alias = alias.trim();
        self.pairs
            .iter()
            .find(|(_, a)| a.eq_ignore_ascii_case(alias))
            .map(|(n, _)| n.as_str())
    }

    /// The children's aliases, in order.
    pub fn child_aliases(&self) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(_, a)| a.starts_with("Child "))
            .map(|(_, a)| a.as_str())
            .collect()
    }

    /// The text with every known name (as a whole word, any case, possessive too) replaced by
    /// its alias. Longer names first, so "Anna Maria" is not half replaced by "Anna".
    pub fn hide(&self, text: &str) -> String {
        let mut order: Vec<&(String, String)> = self.pairs.iter().collect();
        order.sort_by_key(|(name, _)| std::cmp::Reverse(name.chars().count()));
        let mut out = text.to_string();
        for (name, alias) in order {
            out = replace_word(&out, name, alias);
        }
        out
    }

    /// The model's text with each alias replaced by the name it stands for.
    pub fn reveal(&self, text: &str) -> String {
        let mut out = text.to_string();
        // "Child A" before "Child AB" can never matter (at most 26 of each), but "Member A" must not
        // be read as "A" alone: aliases are replaced as whole words.
        for (name, alias) in &self.pairs {
            out = replace_word(&out, alias, name);
        }
        out
    }
}

fn letter(i: usize) -> String {
    let letters = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    match letters.get(i) {
        Some(&c) => (c as char).to_string(),
        None => format!("{}{}", letters[i / 26 - 1] as char, letters[i % 26] as char),
    }
}

/// Replaces `word` (case-insensitively, only where it stands as a whole word) with `with`.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let lower_text = text.to_lowercase();
    let lower_word = word.to_lowercase();
    // Lower-casing can change byte lengths outside ASCII; then compare char by char instead.
    if lower_text.len() != text.len() || lower_word.len() != word.len() {
        return replace_word_chars(text, word, with);
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut from = 0;
    while let Some(found) = lower_text[from..].find(&lower_word) {
        let start = from + found;
        let end = start + lower_word.len();
        let before_ok = text[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after_ok = text[end..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        if before_ok && after_ok {
            out.push_str(&text[last..start]);
            out.push_str(with);
            last = end;
        }
        from = end;
    }
    out.push_str(&text[last..]);
    out
}

fn replace_word_chars(text: &str, word: &str, with: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let target: Vec<char> = word.chars().flat_map(char::to_lowercase).collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let end = i + target.len();
        let matches = end <= chars.len()
            && chars[i..end]
                .iter()
                .flat_map(|c| c.to_lowercase())
                .eq(target.iter().copied());
        let before_ok = i == 0 || !chars[i - 1].is_alphanumeric();
        let after_ok = end >= chars.len() || !chars[end].is_alphanumeric();
        if matches && before_ok && after_ok {
            out.push_str(with);
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family() -> Aliases {
        Aliases::new(
            &["Emma".into(), "Leo".into()],
            &["Ana".into(), "Luis".into(), "Maya".into()],
        )
    }

    #[test]
    fn names_are_hidden_as_whole_words_in_any_case() {
        let a = family();
        let cases = [
            (
                "Maya here, gave Emma a teaspoon of Tylenol around 2",
                "Member C here, gave Child A a teaspoon of Tylenol around 2",
            ),
            (
                "is it too soon for LEO's motrin?",
                "is it too soon for Child B's motrin?",
            ),
            (
                "le di 5 ml a emma, dice Ana",
                "le di 5 ml a Child A, dice Member A",
            ),
            // Not inside other words.
            (
                "Leonard and Emmanuel anatomy",
                "Leonard and Emmanuel anatomy",
            ),
            ("Lúis y Émma", "Lúis y Émma"),
        ];
        for (text, hidden) in cases {
            assert_eq!(a.hide(text), hidden, "{text}");
        }
    }

    #[test]
    fn accented_names_are_hidden_too() {
        let a = Aliases::new(&["Sofía".into()], &["José".into()]);
        assert_eq!(
            a.hide("SOFÍA tiene fiebre, dice josé"),
            "Child A tiene fiebre, dice Member A"
        );
    }

    #[test]
    fn aliases_come_back_as_names() {
        let a = family();
        assert_eq!(
            a.reveal("Child A had Children's Tylenol; Member C gave it. child b is fine."),
            "Emma had Children's Tylenol; Maya gave it. Leo is fine."
        );
        assert_eq!(a.real_name("child b"), Some("Leo"));
        assert_eq!(a.real_name("Child C"), None);
        assert_eq!(a.child_alias("emma"), Some("Child A"));
        assert_eq!(a.child_aliases(), ["Child A", "Child B"]);
    }

    #[test]
    fn a_member_named_like_a_child_keeps_one_alias() {
        let a = Aliases::new(&["Emma".into()], &["emma".into(), "Ana".into()]);
        assert_eq!(a.hide("Emma and Ana"), "Child A and Member B");
    }
}
