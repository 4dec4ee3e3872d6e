//! Chat in a room: every member hears a message, the sender too unless it asked for no echo;
//! `chat_sent` carries the stored text when the word filter changed it, for a retry as well.

use super::*;
use crate::text::WordFilter;

fn chat(text: &str, id: &str, echo: bool) -> RoomRequest {
    RoomRequest::Chat { text: text.into(), client_msg_id: id.into(), echo }
}

fn chat_texts(frames: &[Outgoing]) -> Vec<String> {
    frames
        .iter()
        .filter_map(|f| match &f.msg {
            ServerMsg::Event(e) => match &e.event {
                capital_protocol::RoomEvent::Chat { message } => Some(message.text.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn without_echo_the_sender_gets_only_chat_sent_and_the_others_the_event() {
    let f = room_set(
        "tictactoe",
        10,
        |_| {},
        |s| s.word_filter = Arc::new(WordFilter::new(&["darn".into()])),
    )
    .await;
    let (a, mut a_out) = conn(1);
    let (b, mut b_out) = conn(2);
    let (c, mut c_out) = conn(3);
    ask(&f.room, &a, 1, "pa", join(Role::Player));
    ask(&f.room, &b, 1, "pb", join(Role::Player));
    ask(&f.room, &c, 1, "pc", join(Role::Spectator));
    for out in [&mut a_out, &mut b_out, &mut c_out] {
        frames(out).await;
    }

    ask(&f.room, &a, 2, "pa", chat("hello", "a1", false));
    ask(&f.room, &a, 3, "pa", chat("oh darn", "a2", false));
    ask(&f.room, &a, 4, "pa", chat("echoed", "a3", true));
    let got = frames(&mut a_out).await;
    assert_eq!(chat_texts(&got), ["echoed"], "only the message sent with echo comes back");
    let ServerMsg::ChatSent { seq: first, text, .. } = reply_to(&got, 2) else { panic!() };
    assert_eq!(text, &None, "the text is as sent: not repeated");
    let ServerMsg::ChatSent { seq: second, text, .. } = reply_to(&got, 3) else { panic!() };
    assert_eq!((second, text.as_deref()), (&(first + 1), Some("oh ****")));
    for out in [&mut b_out, &mut c_out] {
        assert_eq!(chat_texts(&frames(out).await), ["hello", "oh ****", "echoed"]);
    }

    // A retry is answered as the first time, the stored text included, and not delivered again.
    ask(&f.room, &a, 5, "pa", chat("oh darn", "a2", false));
    let got = frames(&mut a_out).await;
    let ServerMsg::ChatSent { seq, text, .. } = reply_to(&got, 5) else { panic!() };
    assert_eq!((seq, text.as_deref()), (second, Some("oh ****")));
    assert!(chat_texts(&frames(&mut b_out).await).is_empty());
    assert_eq!(f.store.chat_after(7, 0, 10).unwrap().len(), 3, "stored once each");
}
