//! Tests of every rule of crazy eights, through the JSON face the server uses where it matters.

use capital_engine::{DynGame, kind, replay};
use serde_json::{Value, json};

use super::*;
use crate::testing::{all_views, assert_refused, create};

fn card(text: &str) -> Card {
    text.parse().unwrap()
}

fn cards(texts: &[&str]) -> Vec<Card> {
    let mut cards: Vec<Card> = texts.iter().map(|t| card(t)).collect();
    cards.sort_unstable();
    cards
}

/// A position: `hands`, the top card `top`, the `stock` (drawn from its end).
fn position(hands: &[&[&str]], top: &str, stock: &[&str]) -> CrazyEights {
    CrazyEights {
        hands: hands.iter().map(|h| cards(h)).collect(),
        stock: stock.iter().map(|t| card(t)).collect(),
        discard: vec![card(top)],
        suit: card(top).suit,
        next: 0,
        drawn: 0,
        draws: 3,
        passes: 0,
        last: Last::Dealt,
        out: vec![false; hands.len()],
    }
}

fn rng() -> Rng {
    Rng::from_seed(0)
}

fn play(text: &str) -> Value {
    json!({ "play": text })
}

/// The game at `position` behind the JSON face the server uses.
fn dynamic(game: CrazyEights) -> Box<dyn DynGame> {
    let players = game.hands.len();
    capital_engine::boxed(game, players, 0)
}

#[test]
fn metadata_options_and_players() {
    let entry = kind::<CrazyEights>();
    assert_eq!((entry.kind(), entry.name()), ("crazy_eights", "Crazy eights"));
    assert_eq!(entry.default_options(), json!({"draws": 3}));
    assert_eq!(entry.check(&json!({})).unwrap().1, Players::between(2, 6));
    for bad in [json!({"draws": 0}), json!({"draws": 6}), json!({"hand": 7})] {
        assert!(matches!(entry.check(&bad), Err(RuleError::BadOptions(_))), "{bad}");
    }
    assert!(matches!(entry.create(&json!({}), 7, 1), Err(RuleError::BadOptions(_))));
    assert!(matches!(entry.create(&json!({}), 1, 1), Err(RuleError::BadOptions(_))));
    let schema = serde_json::to_value(entry.options_schema()).unwrap();
    assert_eq!(schema[0]["key"], "draws");
    assert_eq!((schema[0]["min"].as_i64(), schema[0]["max"].as_i64()), (Some(1), Some(5)));
}

#[test]
fn cards_read_and_write_as_rank_then_suit() {
    for text in ["AC", "10D", "QH", "KS", "8S", "2C"] {
        assert_eq!(card(text).to_string(), text);
        assert_eq!(serde_json::to_value(card(text)).unwrap(), json!(text));
    }
    for bad in ["", "1C", "11H", "AX", "10", "ah", "Q♠"] {
        assert!(bad.parse::<Card>().is_err(), "{bad}");
    }
}

#[test]
fn the_deal_uses_every_card_once_and_never_starts_on_an_eight() {
    for (players, dealt) in [(2, 7), (3, 5), (5, 5), (6, 5)] {
        for seed in 0..40 {
            let mut rng = Rng::from_seed(seed);
            let game = CrazyEights::new(&CrazyEightsOptions::default(), players, &mut rng);
            assert!(game.hands.iter().all(|h| h.len() == dealt), "{players} players");
            assert!(!game.top().is_eight(), "seed {seed}");
            let mut all: Vec<Card> = game
                .hands
                .iter()
                .flatten()
                .chain(&game.stock)
                .chain(&game.discard)
                .copied()
                .collect();
            all.sort_unstable();
            all.dedup();
            assert_eq!(all.len(), 52);
            assert_eq!(game.turn(), vec![0]);
            assert_eq!(game.suit, game.top().suit);
        }
    }
}

#[test]
fn the_seed_decides_the_deal() {
    let deal = |seed| {
        let game = CrazyEights::new(&CrazyEightsOptions::default(), 4, &mut Rng::from_seed(seed));
        game.hands
    };
    assert_eq!(deal(9), deal(9));
    assert_ne!(deal(9), deal(10));
}

#[test]
fn a_card_follows_the_suit_or_the_rank_and_an_eight_goes_on_anything() {
    let mut game = dynamic(position(&[&["7H", "7C", "KD", "8S", "2S"], &["3C"]], "KH", &["4D"]));
    game.play(0, &play("7H")).expect("same suit");
    assert_eq!(game.view(Viewer::Seat(0))["top"], "7H");
    assert_eq!(game.turn(), vec![1]);
    game.play(1, &json!({"draw": true})).unwrap();
    game.play(1, &json!({"pass": false})).unwrap_err();
    let mut game = dynamic(position(&[&["7H", "7C", "KD", "8S", "2S"], &["3C"]], "7D", &["4D"]));
    game.play(0, &play("7C")).expect("same rank");
    let mut game = dynamic(position(&[&["8S", "2S"], &["3C", "4H"]], "KH", &["4D"]));
    game.play(0, &json!({"play": "8S", "suit": "clubs"})).expect("an 8 names a suit");
    let view = game.view(Viewer::Seat(1));
    assert_eq!((view["top"].clone(), view["suit"].clone()), (json!("8S"), json!("clubs")));
    game.play(1, &play("3C")).expect("the named suit");
}

#[test]
fn refused_plays_change_nothing() {
    let mut game = dynamic(position(&[&["7H", "3C", "8S", "2S"], &["4C", "5D"]], "KH", &["4D"]));
    let bad = RuleError::BadMove(String::new());
    assert_refused(&mut *game, 0, play("3C"), &illegal_like("3C follows neither"));
    assert_refused(&mut *game, 0, play("QH"), &illegal_like("you do not hold QH"));
    assert_refused(&mut *game, 0, play("8S"), &bad);
    assert_refused(&mut *game, 0, json!({"play": "7H", "suit": "clubs"}), &bad);
    assert_refused(&mut *game, 0, json!({"play": "8S", "suit": "stars"}), &bad);
    assert_refused(&mut *game, 0, json!({"pass": true}), &illegal_like("play a card"));
    assert_refused(&mut *game, 0, json!({"draw": false}), &bad);
    assert_refused(&mut *game, 0, json!({"play": "7H", "draw": true}), &bad);
    assert_refused(&mut *game, 0, json!("7H"), &bad);
    assert_refused(&mut *game, 1, play("4C"), &RuleError::NotYourTurn);
}

/// An `Illegal` error with this start (assert_refused compares whole errors).
fn illegal_like(start: &str) -> RuleError {
    let game = position(&[&["7H", "3C", "8S", "2S"], &["4C", "5D"]], "KH", &["4D"]);
    let attempts = [
        Action::Play { play: card("3C"), suit: None },
        Action::Play { play: card("QH"), suit: None },
        Action::Pass { pass: Yes },
    ];
    attempts
        .iter()
        .find_map(|mv| match game.validate(0, mv) {
            Err(RuleError::Illegal(text)) if text.starts_with(start) => {
                Some(RuleError::Illegal(text))
            }
            _ => None,
        })
        .expect("one of the attempts gives this error")
}

#[test]
fn draw_up_to_the_limit_then_pass() {
    let mut game = position(&[&["2C"], &["4C"]], "KH", &["4D", "5D", "6D", "7D"]);
    for n in 1..=3 {
        let draw = Action::Draw { draw: Yes };
        assert_eq!(game.validate(0, &draw), Ok(()));
        game.apply(0, draw, &mut rng());
        assert_eq!((game.hands[0].len(), game.drawn), (1 + n, n as u8));
        assert_eq!(game.last, Last::Drew { seat: 0 });
        assert_eq!(game.turn(), vec![0], "drawing keeps the turn");
    }
    assert!(matches!(game.validate(0, &Action::Draw { draw: Yes }), Err(RuleError::Illegal(_))));
    assert_eq!(game.validate(0, &Action::Pass { pass: Yes }), Ok(()));
    game.apply(0, Action::Pass { pass: Yes }, &mut rng());
    assert_eq!((game.turn(), game.drawn), (vec![1], 0));
    assert_eq!(game.hands[0], cards(&["2C", "5D", "6D", "7D"]), "drawn from the stock's end");
}

#[test]
fn an_empty_stock_is_refilled_from_the_discards_but_their_top() {
    let mut game = position(&[&["2C", "3C"], &["4C"]], "KC", &[]);
    game.discard = vec![card("9H"), card("10H"), card("KC")];
    game.apply(0, Action::Draw { draw: Yes }, &mut rng());
    assert_eq!(game.discard, vec![card("KC")]);
    assert_eq!(game.stock.len() + game.hands[0].len(), 1 + 3);
    let mut game = position(&[&["2H"], &["4H"]], "KC", &[]);
    assert!(matches!(game.validate(0, &Action::Draw { draw: Yes }), Err(RuleError::Illegal(_))));
    assert_eq!(game.validate(0, &Action::Pass { pass: Yes }), Ok(()), "nothing to draw: pass");
    game.apply(0, Action::Pass { pass: Yes }, &mut rng());
    assert_eq!(game.outcome(), None);
    game.apply(1, Action::Pass { pass: Yes }, &mut rng());
    assert_eq!(game.outcome(), Some(Outcome::draw("blocked")), "everyone passed, equal hands");
    let mut game = position(&[&["2H"], &["4H", "5H"], &["6H", "7H"]], "KC", &[]);
    for seat in 0..3 {
        game.apply(seat, Action::Pass { pass: Yes }, &mut rng());
    }
    assert_eq!(game.outcome(), Some(Outcome::win(0, "blocked")));
}

#[test]
fn blocked_with_a_tie_is_a_draw() {
    let mut game = position(&[&["2H"], &["4H", "5H"], &["6H"]], "KC", &[]);
    for seat in 0..3 {
        game.apply(seat, Action::Pass { pass: Yes }, &mut rng());
    }
    assert_eq!(game.outcome(), Some(Outcome::draw("blocked")));
}

#[test]
fn the_last_card_wins() {
    let mut game = dynamic(position(&[&["7H"], &["4C", "5D"], &["6S"]], "KH", &["4D"]));
    game.play(0, &play("7H")).unwrap();
    assert_eq!(game.outcome(), Some(Outcome::win(0, "out")));
    assert_eq!(game.turn(), Vec::<Seat>::new());
    let mut typed = position(&[&["7H"], &["4C"]], "KH", &["4D"]);
    typed.apply(0, Action::Play { play: card("7H"), suit: None }, &mut rng());
    assert_eq!(typed.validate(1, &Action::Draw { draw: Yes }), Err(RuleError::GameOver));
}

#[test]
fn hands_are_seen_only_by_their_seat() {
    let entry = kind::<CrazyEights>();
    for seed in 0..10 {
        let game = entry.create(&json!({}), 5, seed).unwrap();
        let views = all_views(&*game);
        for seat in 0..5 {
            let own: Vec<String> =
                views[seat]["hand"].as_array().unwrap().iter().map(|c| c.to_string()).collect();
            assert_eq!(own.len(), 5);
            for (other, view) in views.iter().enumerate().filter(|(o, _)| *o != seat) {
                let text = view.to_string();
                for card in &own {
                    assert!(!text.contains(card.as_str()), "seat {seat}'s {card} in view {other}");
                }
            }
        }
        assert!(views[5].get("hand").is_none(), "a spectator has no hand");
        assert_eq!(views[5]["hands"], json!([5, 5, 5, 5, 5]));
    }
}

#[test]
fn a_drawn_card_stays_secret() {
    let mut game = dynamic(position(&[&["2C"], &["4C"]], "KH", &["QS"]));
    game.play(0, &json!({"draw": true})).unwrap();
    for viewer in [Viewer::Seat(1), Viewer::Spectator] {
        let text = game.view(viewer).to_string();
        assert!(!text.contains("QS"), "{text}");
    }
    assert!(game.view(Viewer::Seat(0)).to_string().contains("QS"));
    assert_eq!(game.view(Viewer::Spectator)["last"], json!({"action": "drew", "seat": 0}));
}

#[test]
fn a_timeout_plays_a_card_else_draws_else_passes() {
    let mut choice = Rng::from_seed(3);
    let game = position(&[&["7H", "3C", "8S", "2S", "4S"], &["4C"]], "KH", &["4D"]);
    match game.timeout(0, &mut choice) {
        Timeout::Play(Action::Play { play, suit: None }) => assert_eq!(play, card("7H")),
        Timeout::Play(Action::Play { play, suit: Some(suit) }) => {
            assert_eq!((play, suit), (card("8S"), Suit::Spades), "the suit it holds most");
        }
        other => panic!("{other:?}"),
    }
    let game = position(&[&["3C"], &["4C"]], "KH", &["4D"]);
    assert_eq!(game.timeout(0, &mut choice), Timeout::Play(Action::Draw { draw: Yes }));
    let game = position(&[&["3C"], &["4C"]], "KH", &[]);
    assert_eq!(game.timeout(0, &mut choice), Timeout::Play(Action::Pass { pass: Yes }));
}

#[test]
fn replaying_the_log_gives_the_same_game() {
    let entry = kind::<CrazyEights>();
    let mut game = entry.create(&json!({}), 4, 77).unwrap();
    let mut log = Vec::new();
    let mut choice = Rng::from_seed(1);
    // Play 60 moves the way a timer would, drawing (and reshuffling) along the way.
    while game.outcome().is_none() && log.len() < 60 {
        let seat = game.turn()[0];
        match game.time_out(seat, &mut choice) {
            capital_engine::TimedOut::Played(mv) => log.push((seat, mv)),
            capital_engine::TimedOut::Forfeit => panic!("crazy eights never forfeits"),
        }
    }
    let replayed = replay(&*entry, &json!({}), 4, 77, log.iter().map(|(s, m)| (*s, m))).unwrap();
    assert_eq!(all_views(&*replayed), all_views(&*game));
    let other = replay(&*entry, &json!({}), 4, 78, log.iter().map(|(s, m)| (*s, m)));
    assert!(other.is_err() || all_views(&*other.unwrap()) != all_views(&*game), "seed matters");
    let (again, _) = create(&*entry, &json!({})).unwrap();
    assert_eq!(again.players(), 2);
}

#[test]
fn a_seat_that_drops_out_is_skipped_and_its_cards_go_under_the_stock() {
    let mut game = dynamic(position(&[&["2C"], &["4C", "QH"], &["6S"]], "KH", &["4D"]));
    assert!(game.drop_out(0), "seat 0 leaves while on turn");
    assert_eq!(game.turn(), vec![1], "the turn moves on");
    let public = game.view(Viewer::Spectator);
    assert_eq!(public["out"], json!([true, false, false]));
    assert_eq!(public["hands"], json!([0, 2, 1]));
    assert_eq!(public["stock"], 2, "its card went under the stock");
    assert_eq!(public["last"], json!({"action": "dropped_out", "seat": 0}));
    assert_eq!(game.outcome(), None, "an empty hand that left does not win");
    game.play(1, &play("QH")).unwrap();
    assert_eq!(game.turn(), vec![2]);
    game.play(2, &json!({"draw": true})).unwrap();
    game.play(2, &json!({"draw": true})).unwrap();
    assert_eq!(
        game.view(Viewer::Seat(2))["hand"],
        json!(["2C", "4D", "6S"]),
        "drawn from the top, the left card last"
    );
    game.play(2, &json!({"pass": true})).unwrap_err();
    assert!(!game.drop_out(0), "once out, out");
}

#[test]
fn the_last_player_left_wins() {
    let mut game = dynamic(position(&[&["2C"], &["4C"], &["6S"]], "KH", &["4D"]));
    assert!(game.drop_out(2));
    assert_eq!(game.outcome(), None);
    assert!(game.drop_out(0));
    assert_eq!(game.outcome(), Some(Outcome::win(1, "last_player")));
    assert!(!game.drop_out(1), "a game that is over takes no drop-out");
}

#[test]
fn a_block_counts_only_the_seats_still_playing() {
    let mut game = position(&[&["2H"], &["4H", "5H"], &["6H", "7H", "9H"]], "KC", &[]);
    assert!(game.drop_out(0));
    game.stock.clear(); // its card went under the stock: take it away to block the game
    game.apply(1, Action::Pass { pass: Yes }, &mut rng());
    assert_eq!(game.outcome(), None, "one pass of two");
    game.apply(2, Action::Pass { pass: Yes }, &mut rng());
    assert_eq!(game.outcome(), Some(Outcome::win(1, "blocked")), "seat 0 left with the fewest");
}

#[test]
fn a_drop_out_in_the_log_replays() {
    let entry = kind::<CrazyEights>();
    let mut game = entry.create(&json!({}), 3, 5).unwrap();
    let mut log = Vec::new();
    let mut choice = Rng::from_seed(2);
    for n in 0..12 {
        if n == 4 {
            assert!(game.drop_out(1));
            log.push((1, capital_engine::dropped_out()));
            continue;
        }
        let seat = game.turn()[0];
        if let capital_engine::TimedOut::Played(mv) = game.time_out(seat, &mut choice) {
            log.push((seat, mv));
        }
    }
    let replayed = replay(&*entry, &json!({}), 3, 5, log.iter().map(|(s, m)| (*s, m))).unwrap();
    assert_eq!(all_views(&*replayed), all_views(&*game));
}
