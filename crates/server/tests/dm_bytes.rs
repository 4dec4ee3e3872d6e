//! Direct messages bounded in bytes, attacked with real sockets: an attacker on 127.0.0.2 sends
//! an offline player as many of the largest messages as its address may (sealed and in the
//! clear, from several guests) while two players on 127.0.0.3 and 127.0.0.4 go on writing to
//! each other; then the victim connects and catches up on everything stored, page by page,
//! without being dropped. Before, the push at connect (and a page of 200) could be bigger than
//! the victim's outbox, which drops a connection at once: at every reconnect.

mod common;

use std::time::Duration;

use capital_client::e2e::DeviceKey;
use capital_client::{Client, ClientError, open_message, sealed_for};
use capital_protocol::{ClientMsg, ErrorCode, Sealed, ServerMsg};
use common::*;

/// Where the attacker connects from (the honest players: 127.0.0.3 and 127.0.0.4; the victim:
/// 127.0.0.1).
const ATTACKER_ADDR: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 2));
/// Each side's outbox: 64 KiB, so a reply carries at most 16 KiB of stored messages.
const OUTBOX_KIB: u32 = 64;
const REPLY_BYTES: usize = OUTBOX_KIB as usize * 1024 / 4;
/// What one address may send a minute.
const DM_KIB: u32 = 96;
const MAX_SEALED: u32 = 6144;

fn sealed_dm(to: &str, id: &str, sealed: Sealed) -> ClientMsg {
    ClientMsg::Dm {
        to: to.to_owned(),
        text: String::new(),
        sealed: Some(sealed),
        client_msg_id: id.to_owned(),
    }
}

/// A guest connected from `from` with a published device key: (client, id, key).
async fn guest(
    server: &TestServer,
    from: std::net::IpAddr,
    name: &str,
) -> (Client, String, DeviceKey) {
    let client = Client::connect_from(&server.url(), from).await.unwrap();
    let welcome = client.hello(name, None).await.unwrap();
    let key = DeviceKey::generate();
    client.publish_key(&key).await.unwrap();
    (client, welcome.player_id, key)
}

fn refusal(result: Result<ServerMsg, ClientError>) -> (ErrorCode, String) {
    match result {
        Err(ClientError::Server { code, message }) => (code, message),
        other => panic!("not refused: {other:?}"),
    }
}

/// Two honest players write to each other `rounds` times from message `first` on; each message
/// must arrive.
async fn honest_chat(
    (ana, a): (&mut Client, &str),
    (bo, b): (&mut Client, &str),
    first: usize,
    rounds: usize,
) {
    for i in first..first + rounds {
        let (from, to, to_id) =
            if i % 2 == 0 { (&*ana, &mut *bo, b) } else { (&*bo, &mut *ana, a) };
        let text = format!("still talking {i}");
        from.dm(to_id, &text, &format!("h{i}")).await.expect("an honest message is taken");
        assert_eq!(next_dm(to).await.text, text, "and it arrives");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attackers_bytes_are_bounded_and_its_victim_catches_up_without_being_dropped() {
    let server = TestServer::start_with(|c| {
        c.outbox_kib = OUTBOX_KIB;
        c.dm_kib_per_minute = DM_KIB;
        c.max_sealed_bytes = MAX_SEALED;
    })
    .await;
    // The victim publishes a key on its phone and goes away.
    let (victim, welcome) = server.player("Victim").await;
    let victim_key = DeviceKey::generate();
    victim.publish_key(&victim_key).await.unwrap();
    let (victim_id, token) = (welcome.player_id, welcome.token);
    drop(victim);
    let (mut ana, a, _) = guest(&server, "127.0.0.3".parse().unwrap(), "Ana").await;
    let (mut bo, b, _) = guest(&server, "127.0.0.4".parse().unwrap(), "Bo").await;
    let mut attackers = Vec::new();
    for i in 0..4 {
        attackers.push(guest(&server, ATTACKER_ADDR, &format!("Mallory{i}")).await);
    }

    // A sealed message bigger than max_sealed_bytes is refused with the limit, and counts
    // nothing: 2,000 emoji are 8,000 bytes for each of the two copies.
    let (client, me, key) = &attackers[0];
    let devices = [victim_key.public(), key.public()];
    let huge = sealed_for(key, me, &victim_id, "huge", &"😀".repeat(2000), &devices).unwrap();
    let (code, words) = refusal(client.request(sealed_dm(&victim_id, "huge", huge)).await);
    assert_eq!(code, ErrorCode::BadEnvelope);
    assert!(words.contains(&format!("more than the {MAX_SEALED}")), "{words}");

    // The attack: the largest messages there are, in turn from each guest, in the clear
    // (2,000 emoji: 8,000 bytes) and sealed (2,000 letters: about 5.8 KB of envelope), until
    // the address is refused; then each guest once more.
    let attack = async {
        let plain = "😀".repeat(2000);
        let letters = "a".repeat(2000);
        let (mut sent, mut bytes, mut refused) = (0usize, 0usize, Vec::new());
        for i in 0..60 {
            let (client, me, key) = &attackers[i % attackers.len()];
            let id = format!("x{i}");
            let (request, size) = if i % 2 == 0 {
                (
                    ClientMsg::Dm {
                        to: victim_id.clone(),
                        text: plain.clone(),
                        sealed: None,
                        client_msg_id: id,
                    },
                    plain.len(),
                )
            } else {
                let devices = [victim_key.public(), key.public()];
                let sealed = sealed_for(key, me, &victim_id, &id, &letters, &devices).unwrap();
                let size = serde_json::to_string(&sealed).unwrap().len();
                assert!(size <= MAX_SEALED as usize, "{size}");
                (sealed_dm(&victim_id, &id, sealed), size)
            };
            match client.request(request).await {
                Ok(ServerMsg::DmSent { .. }) if refused.is_empty() => {
                    sent += 1;
                    bytes += size;
                }
                Ok(other) => panic!("after a refusal the address is still refused: {other:?}"),
                Err(e) => {
                    let (code, words) = refusal(Err(e));
                    assert_eq!(code, ErrorCode::RateLimited, "{words}");
                    assert!(words.contains(&format!("at most {DM_KIB} KiB a minute")), "{words}");
                    assert!(words.contains("seconds"), "it says how long to wait: {words}");
                    assert!(bytes + size > DM_KIB as usize * 1024, "refused past the budget only");
                    refused.push(i);
                    if refused.len() > attackers.len() {
                        break;
                    }
                }
            }
        }
        assert!(refused.len() > attackers.len(), "the attacker was never refused");
        (sent, bytes)
    };
    let honest = honest_chat((&mut ana, &a), (&mut bo, &b), 0, 20);
    let ((sent, bytes), ()) = tokio::join!(attack, honest);
    assert!(bytes <= DM_KIB as usize * 1024, "{bytes} bytes taken");
    assert!(bytes > OUTBOX_KIB as usize * 1024, "more than an outbox is stored: {bytes}");
    // The honest players are on other addresses: they still write after the attacker is stopped.
    honest_chat((&mut ana, &a), (&mut bo, &b), 20, 2).await;

    // The victim comes back: a push of what fits one reply; the rest stays waiting.
    let (mut victim, _) = server.resume(&token).await;
    let mut pushed = Vec::new();
    for _ in 0..sent + 10 {
        match victim.next_push(Duration::from_millis(500)).await {
            Ok(ServerMsg::Dm { message }) => pushed.push(message),
            Ok(_) => {}
            Err(ClientError::Timeout) => break,
            Err(e) => panic!("the victim was dropped: {e}"),
        }
    }
    let pushed_bytes: usize = pushed.iter().map(|m| serde_json::to_string(m).unwrap().len()).sum();
    assert!(!pushed.is_empty() && pushed.len() < sent, "{} of {sent} pushed", pushed.len());
    assert!(pushed_bytes <= REPLY_BYTES, "{pushed_bytes} bytes pushed");

    // The conversations list stays within a reply too: every conversation, some without the
    // last message (it did not fit).
    let reply = victim.request(ClientMsg::Conversations).await.unwrap();
    let ServerMsg::Conversations { conversations, truncated: false } = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(conversations.len(), attackers.len());
    let lasts: Vec<usize> = conversations
        .iter()
        .filter_map(|c| c.last.as_ref())
        .map(|m| serde_json::to_string(m).unwrap().len())
        .collect();
    assert!(!lasts.is_empty() && lasts.len() < attackers.len(), "{lasts:?}");
    assert!(lasts.iter().sum::<usize>() <= REPLY_BYTES, "{lasts:?}");

    // Catching up, conversation by conversation: pages shorter than the 200 asked for, with
    // `more`, until all is there, each message once.
    let mut caught_up = 0;
    let mut short_pages = 0;
    for (_, attacker, _) in &attackers {
        let mut seqs = Vec::new();
        for _ in 0..100 {
            let after = seqs.last().copied().unwrap_or(0);
            let (page, more) =
                victim.dm_history(attacker, None, Some(after), Some(200)).await.unwrap();
            let bytes: usize = page.iter().map(|m| serde_json::to_string(m).unwrap().len()).sum();
            assert!(page.len() == 1 || bytes <= REPLY_BYTES, "a page of {bytes} bytes");
            for m in &page {
                if m.sealed.is_some() {
                    assert_eq!(open_message(&victim_key, m).unwrap(), "a".repeat(2000));
                }
                assert_eq!(m.from, *attacker);
                seqs.push(m.seq);
            }
            if !more {
                break;
            }
            short_pages += 1;
        }
        assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>(), "each once, in order");
        caught_up += seqs.len();
    }
    assert_eq!(caught_up, sent, "what was taken is stored, and only that");
    assert!(short_pages > 0, "the pages were cut by their bytes");
    // Paging back from the newest works the same way.
    let (newest, more) = victim.dm_history(&attackers[0].1, None, None, Some(200)).await.unwrap();
    assert!(more && newest.len() < 200);
    let (older, _) =
        victim.dm_history(&attackers[0].1, Some(newest[0].seq), None, Some(200)).await.unwrap();
    assert_eq!(older.last().unwrap().seq + 1, newest[0].seq, "the page just before");

    // Still connected, and so at the next connect, which pushes the next messages.
    assert_eq!(victim.request(ClientMsg::Ping).await.unwrap(), ServerMsg::Pong);
    drop(victim);
    let (mut again, _) = server.resume(&token).await;
    let first = next_dm(&mut again).await;
    assert!(pushed.iter().all(|m| m.seq != first.seq || m.from != first.from), "a new one");
    assert_eq!(again.request(ClientMsg::Ping).await.unwrap(), ServerMsg::Pong);
}
