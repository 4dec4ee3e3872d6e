//! The store's write path: appending a chat message and a move to `capital_store::SqliteStore`
//! (WAL, `synchronous = FULL`) in a temporary directory, waiting until each write is durable.
//! One at a time, every append pays a whole commit and fsync; a batch of 100 appends submitted
//! together shares commits (group commit), which is what a busy server sees.
//!
//! The temporary directory is on the disk `TMPDIR` points to (a tmpfs would measure no fsync).
//!
//! `cargo bench -p capital-bench --bench store`

use std::time::Duration;

use capital_store::{ChatRecord, MoveRecord, SqliteStore, Store, Ticket, Write};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;

/// Appends in one batch.
const BATCH: u64 = 100;

fn chat(seq: u64) -> ChatRecord {
    ChatRecord {
        room_id: 1,
        seq,
        player_id: "pa7kd2mxq9rt".into(),
        name: "Ana".into(),
        text: "x".repeat(64),
        client_msg_id: format!("m{seq}"),
        ts_ms: 1_795_550_398_802 + seq,
        removed: false,
    }
}

fn mv(ply: u64) -> MoveRecord {
    MoveRecord {
        room_id: 1,
        game_no: 1,
        ply: u32::try_from(ply).expect("fewer than 4 billion moves"),
        seat: (ply % 2) as usize,
        mv: json!({"cell": ply % 9}),
        seq: ply + 3,
        ts_ms: 1_795_550_398_802 + ply,
    }
}

fn wait_all(tickets: Vec<Ticket>) {
    for ticket in tickets {
        ticket.wait().expect("the write is durable");
    }
}

fn writes(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("bench.db")).expect("open the store");
    let mut next = 0u64;
    let mut take = |n: u64| {
        let first = next;
        next += n;
        first..next
    };

    let mut group = c.benchmark_group("store append (durable)");
    group.sample_size(20).measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Elements(1));
    group.bench_function("chat, one at a time", |b| {
        b.iter(|| {
            store.commit(Write::AppendChat(chat(take(1).start)).into()).wait().expect("durable")
        })
    });
    group.bench_function("move, one at a time", |b| {
        b.iter(|| {
            store.commit(Write::AppendMove(mv(take(1).start)).into()).wait().expect("durable")
        })
    });
    group.throughput(Throughput::Elements(BATCH));
    group.bench_function("chat, 100 concurrent", |b| {
        b.iter(|| {
            wait_all(take(BATCH).map(|s| store.commit(Write::AppendChat(chat(s)).into())).collect())
        })
    });
    group.bench_function("move, 100 concurrent", |b| {
        b.iter(|| {
            wait_all(take(BATCH).map(|p| store.commit(Write::AppendMove(mv(p)).into())).collect())
        })
    });
    group.finish();
}

criterion_group!(benches, writes);
criterion_main!(benches);
