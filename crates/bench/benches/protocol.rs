//! Protocol encode/decode of the common messages: what the server does for every request it
//! reads (`parse_request` of a `move` and a `chat`) and every event it sends (a `moved` event
//! with a whole room, a `chat` event), plus the client's side of reading a `moved` event.
//!
//! `cargo bench -p capital-bench --bench protocol`

use std::hint::black_box;

use capital_protocol::client::parse_request;
use capital_protocol::{ChatMessage, EventMsg, Outgoing, RoomEvent, RoomView, ServerMsg};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;

/// A tic-tac-toe room after three moves, as a seated player sees it (as in docs/protocol.md).
fn room() -> RoomView {
    serde_json::from_value(json!({
        "code": "KXMR", "game": "tictactoe", "options": {}, "host": "pa7kd2mxq9rt",
        "phase": "playing",
        "seats": [
            {"seat": 0, "player": {"id": "pa7kd2mxq9rt", "name": "Ana", "connected": true}},
            {"seat": 1, "player": {"id": "pb3hw8ncy4ve", "name": "Bo", "connected": true}}
        ],
        "spectators": [{"id": "pc6t4rzq2wsk", "name": "Cy", "connected": false}],
        "you": {"role": "player", "seat": 1},
        "game_no": 1,
        "state": {
            "board": ["X", "O", null, null, "X", null, null, null, null],
            "last_move": {"cell": 4, "seat": 0}, "line": null, "marks": ["X", "O"]
        },
        "turn": [1],
        "outcome": null
    }))
    .expect("a valid room")
}

fn moved() -> Outgoing {
    Outgoing::push(ServerMsg::Event(EventMsg {
        code: "KXMR".into(),
        seq: 5,
        event: RoomEvent::Moved { seat: 0, room: room() },
    }))
}

fn chat() -> Outgoing {
    Outgoing::push(ServerMsg::Event(EventMsg {
        code: "KXMR".into(),
        seq: 6,
        event: RoomEvent::Chat {
            message: ChatMessage {
                seq: 6,
                ts: 1_795_550_398_802,
                from: "pb3hw8ncy4ve".into(),
                name: "Bo".into(),
                text: "x".repeat(64),
                client_msg_id: "bo-17".into(),
                removed: false,
            },
        },
    }))
}

fn decode(c: &mut Criterion) {
    let mv = r#"{"id":7,"type":"move","code":"KXMR","move":{"cell":4}}"#;
    let chat = format!(
        r#"{{"id":8,"type":"chat","code":"KXMR","text":"{}","client_msg_id":"bo-17"}}"#,
        "x".repeat(64)
    );
    let mut group = c.benchmark_group("parse_request");
    group.throughput(Throughput::Elements(1));
    group.bench_function("move", |b| b.iter(|| parse_request(black_box(mv)).expect("valid")));
    group.bench_function("chat (64-byte text)", |b| {
        b.iter(|| parse_request(black_box(&chat)).expect("valid"))
    });
    group.finish();
}

fn encode(c: &mut Criterion) {
    let moved = moved();
    let chat = chat();
    let mut group = c.benchmark_group("serialize event");
    group.throughput(Throughput::Elements(1));
    group.bench_function("moved (whole room)", |b| b.iter(|| black_box(&moved).to_json()));
    group.bench_function("chat (64-byte text)", |b| b.iter(|| black_box(&chat).to_json()));
    group.finish();

    let moved_text = moved.to_json();
    let chat_text = chat.to_json();
    let mut group = c.benchmark_group("client reads event");
    group.bench_function("moved (whole room)", |b| {
        b.iter(|| serde_json::from_str::<Outgoing>(black_box(&moved_text)).expect("valid"))
    });
    group.bench_function("chat (64-byte text)", |b| {
        b.iter(|| serde_json::from_str::<Outgoing>(black_box(&chat_text)).expect("valid"))
    });
    group.finish();
}

criterion_group!(benches, decode, encode);
criterion_main!(benches);
