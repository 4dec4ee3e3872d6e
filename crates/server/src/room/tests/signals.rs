//! A p2p room relays signals between connected members, at most SIGNALS_PER_WINDOW a member in
//! each WINDOW (paused time moves the window on), and forgets a member's window when they leave.

use super::*;
use crate::room::signal::{SIGNALS_PER_WINDOW, WINDOW};

fn signal(to: &str, n: u32) -> RoomRequest {
    RoomRequest::Signal { to: to.into(), data: json!({ "n": n }) }
}

fn pushed_signals(frames: &[Outgoing]) -> usize {
    frames.iter().filter(|f| matches!(f.msg, ServerMsg::Signal { .. })).count()
}

#[tokio::test(start_paused = true)]
async fn signals_stop_at_the_window_bound_and_flow_again_in_the_next_window() {
    let f = room_from("tictactoe", 10, |r| r.mode = capital_protocol::RoomMode::P2p).await;
    let (a, mut a_out) = conn(1);
    let (b, mut b_out) = conn(2);
    ask(&f.room, &a, 1, "pa", join(Role::Player));
    ask(&f.room, &b, 1, "pb", join(Role::Player));
    frames(&mut a_out).await;
    frames(&mut b_out).await;
    let bound = u64::from(SIGNALS_PER_WINDOW);
    for i in 0..=bound {
        ask(&f.room, &a, 10 + i, "pa", signal("pb", i as u32));
    }
    let got = frames(&mut a_out).await;
    assert_eq!(reply_to(&got, 10 + bound - 1), &ServerMsg::Ok);
    assert_eq!(error_code(reply_to(&got, 10 + bound)), Some(ErrorCode::RateLimited));
    assert_eq!(pushed_signals(&frames(&mut b_out).await), SIGNALS_PER_WINDOW as usize);

    tokio::time::advance(WINDOW).await;
    ask(&f.room, &a, 200, "pa", signal("pb", 0));
    assert_eq!(reply_to(&frames(&mut a_out).await, 200), &ServerMsg::Ok, "a new window");
    assert_eq!(pushed_signals(&frames(&mut b_out).await), 1);
}

#[tokio::test(start_paused = true)]
async fn a_server_mode_room_relays_nothing() {
    let f = room("tictactoe", 10).await;
    let (a, mut a_out) = conn(1);
    let (b, mut b_out) = conn(2);
    ask(&f.room, &a, 1, "pa", join(Role::Player));
    ask(&f.room, &b, 1, "pb", join(Role::Player));
    frames(&mut b_out).await;
    ask(&f.room, &a, 2, "pa", signal("pb", 1));
    assert_eq!(error_code(reply_to(&frames(&mut a_out).await, 2)), Some(ErrorCode::WrongMode));
    assert_eq!(pushed_signals(&frames(&mut b_out).await), 0);
}
