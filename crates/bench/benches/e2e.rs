//! Encrypted direct messages: what a device spends sealing and opening one copy (HPKE auth mode,
//! P-256, AES-128-GCM, in Rust; a browser does the same with WebCrypto), sealing a message for
//! four devices, and what the server spends reading a sealed `dm` before it checks its shape
//! (the JSON, and the P-256 check of its sender's key).
//!
//! `cargo bench -p capital-bench --bench e2e`

use std::hint::black_box;

use capital_client::e2e::dm::{b64u, open_dm, seal_dm, unb64u};
use capital_client::e2e::{DeviceKey, check_public};
use capital_protocol::client::parse_request;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;

const TEXT: &str = "see you at the bike racks after the last lesson, bring the cards";

fn e2e(c: &mut Criterion) {
    let (ana, bo) = (DeviceKey::generate(), DeviceKey::generate());
    let mut group = c.benchmark_group("e2e");
    group.bench_function("seal one copy", |b| {
        b.iter(|| seal_dm(&ana, "pa", "pb", "m1", black_box(TEXT), &[bo.public()]).unwrap())
    });
    let copy = seal_dm(&ana, "pa", "pb", "m1", TEXT, &[bo.public()]).unwrap().remove(0);
    group.bench_function("open one copy", |b| {
        b.iter(|| open_dm(&bo, &ana.public(), "pa", "pb", "m1", black_box(&copy.sealed)).unwrap())
    });
    let four: Vec<Vec<u8>> = (0..4).map(|_| DeviceKey::generate().public()).collect();
    group.bench_function("seal for four devices", |b| {
        b.iter(|| seal_dm(&ana, "pa", "pb", "m1", black_box(TEXT), &four).unwrap())
    });
    let copies = seal_dm(&ana, "pa", "pb", "m1", TEXT, &four).unwrap();
    let frame = json!({
        "id": 9, "type": "dm", "to": "pb", "client_msg_id": "m1",
        "sealed": {
            "from_key": b64u(&ana.public()),
            "copies": copies.iter().map(|c| json!({
                "device": c.device, "enc": b64u(&c.sealed.enc), "ct": b64u(&c.sealed.ciphertext),
            })).collect::<Vec<_>>(),
        },
    })
    .to_string();
    group.bench_function("server: parse a sealed dm for four devices", |b| {
        b.iter(|| parse_request(black_box(&frame)).unwrap())
    });
    let from_key = b64u(&ana.public());
    group.bench_function("server: check the sender's key", |b| {
        b.iter(|| check_public(&unb64u(black_box(&from_key)).unwrap()).unwrap())
    });
    group.finish();
}

criterion_group!(benches, e2e);
criterion_main!(benches);
