//! Each game's rules through the server's face of them (`capital_engine::DynGame`, made by the
//! `GameKind` of `capital_games::Registry::standard()`): a legal move checked and applied, a
//! refused move (checked, nothing changes), and the view a seat gets, which the server builds
//! for every member after every move.
//!
//! `cargo bench -p capital-bench --bench games`

use std::hint::black_box;

use capital_engine::{DynGame, GameKind, Viewer};
use capital_games::Registry;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

/// A position to measure from, a legal move there and a refused one.
struct Case {
    kind: &'static str,
    opening: Vec<(usize, Value)>,
    legal: (usize, Value),
    refused: (usize, Value),
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            kind: "tictactoe",
            opening: vec![(0, json!({"cell": 4})), (1, json!({"cell": 0}))],
            legal: (0, json!({"cell": 8})),
            refused: (0, json!({"cell": 4})),
        },
        Case {
            kind: "connect_four",
            opening: vec![(0, json!({"column": 3})), (1, json!({"column": 3}))],
            legal: (0, json!({"column": 2})),
            refused: (0, json!({"column": 7})),
        },
        Case {
            kind: "rps",
            opening: vec![(0, json!({"choice": "rock"})), (1, json!({"choice": "paper"}))],
            legal: (0, json!({"choice": "scissors"})),
            refused: (0, json!({"choice": "lizard"})),
        },
    ]
}

fn position(entry: &dyn GameKind, opening: &[(usize, Value)]) -> Box<dyn DynGame> {
    let mut game = entry.create(&Value::Null, 2, 0).expect("default options");
    for (seat, mv) in opening {
        game.play(*seat, mv).expect("the opening is legal");
    }
    game
}

fn rules(c: &mut Criterion) {
    let registry = Registry::standard();
    for case in cases() {
        let entry = registry.find(case.kind).expect("a standard game");
        let mut group = c.benchmark_group(case.kind);
        let (seat, mv) = &case.legal;
        group.bench_function("legal move (check + apply)", |b| {
            b.iter_batched(
                || position(&*entry, &case.opening),
                |mut game| game.play(*seat, black_box(mv)).expect("legal"),
                BatchSize::SmallInput,
            )
        });
        let game = position(&*entry, &case.opening);
        let mut refusing = position(&*entry, &case.opening);
        let (seat, mv) = &case.refused;
        group.bench_function("refused move", |b| {
            b.iter(|| refusing.play(*seat, black_box(mv)).expect_err("refused"))
        });
        group.bench_function("view for a seat", |b| {
            b.iter(|| game.view(black_box(Viewer::Seat(0))))
        });
        group.bench_function("view for a spectator", |b| {
            b.iter(|| game.view(black_box(Viewer::Spectator)))
        });
        group.finish();
    }
}

criterion_group!(benches, rules);
criterion_main!(benches);
