//! The red-flag screen's cost per message (criterion): `cargo bench -p mednanny-core --bench
//! red_flags`. It runs in front of every message, so it must stay cheap: the target is under
//! 50 µs per message. Measured on everyday messages (what nearly every turn is), on emergencies,
//! and on a long run-on message, with the family's children known.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use mednanny_core::screen::{needs_child_facts, screen, ChildFacts};

fn family() -> Vec<ChildFacts> {
    vec![
        ChildFacts::new(1, "Emma", Some(1550), &[]),
        ChildFacts::new(2, "Leo", Some(425), &["peanuts".to_string()]),
        ChildFacts::new(3, "Sofia", Some(49), &[]),
    ]
}

const EVERYDAY: &[&str] = &[
    "gave Emma 5 ml Tylenol at 9:30",
    "when can Emma have ibuprofen?",
    "Emma temp 38.4",
    "note Leo napped two hours and ate all his lunch",
    "last doses for Leo",
    "kids",
];

const EMERGENCIES: &[&str] = &[
    "leo took 3 of Luis's pills",
    "HE IS NOT BREATHING WHAT DO I DO",
    "sofia is 38.2 and so sleepy",
    "she fell off the bed and hit her head and has thrown up twice",
];

const LONG: &str = "ok so um we were at the park and everything was fine and then we came home \
    and I made lunch and Leo had some of the crackers from the party bag and now his lips look \
    really puffy and he keeps coughing and scratching his neck and I don't know what to do, \
    Emma is fine she's watching tv, Maya is on her way";

fn bench(c: &mut Criterion) {
    let kids = family();
    c.bench_function("screen/everyday message", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % EVERYDAY.len();
            black_box(screen(black_box(EVERYDAY[i]), &kids))
        })
    });
    c.bench_function("screen/emergency", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % EMERGENCIES.len();
            black_box(screen(black_box(EMERGENCIES[i]), &kids))
        })
    });
    c.bench_function("screen/long run-on message (60 words)", |b| {
        b.iter(|| black_box(screen(black_box(LONG), &kids)))
    });
    // What a turn pays when nothing fires: the screen without the family, then the check that
    // decides whether the family's facts are worth loading.
    c.bench_function("screen/turn path without facts", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % EVERYDAY.len();
            let text = black_box(EVERYDAY[i]);
            black_box((screen(text, &[]), needs_child_facts(text)))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
