//! Accounts: register, log in elsewhere, log out, expiry, and no username enumeration.

mod common;

use capital_client::Client;
use capital_protocol::{ClientMsg, ErrorCode, Role, ServerMsg};
use common::*;

async fn connect(server: &TestServer) -> Client {
    Client::connect(&server.url()).await.unwrap()
}

#[tokio::test]
async fn register_then_log_in_on_another_device_with_the_same_history() {
    let server = TestServer::start().await;
    let (phone, guest) = server.player("Ana").await;
    let code = phone.create_room("tictactoe", None).await.unwrap().code;
    phone.chat(&code, "written as a guest", "g1").await.unwrap();
    let token = phone.register("Ana_B", "correct horse battery").await.unwrap();
    assert_ne!(token, guest.token, "a new session token replaces the guest token");

    // The guest token no longer works; the new one does.
    let err = connect(&server).await.hello("", Some(&guest.token)).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::BadToken));
    let again = connect(&server).await.hello("", Some(&token)).await.unwrap();
    assert_eq!(again.player_id, guest.player_id);

    // A second device logs in: same player, same rooms, same chat.
    let laptop = connect(&server).await;
    let welcome = laptop.login("ana_b", "correct horse battery").await.unwrap();
    assert_eq!(welcome.player_id, guest.player_id, "the guest's id is kept");
    assert_ne!(welcome.token, token, "each device has its own token");
    assert_eq!(welcome.rooms.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), [code.as_str()]);
    let joined = laptop.join_room(&code, Role::Player, None).await.unwrap();
    assert_eq!(joined.chat[0].text, "written as a guest");
    assert_eq!(joined.room.unwrap().you.unwrap().seat, Some(0), "same seat");
    let reply = connect(&server)
        .await
        .request(ClientMsg::Hello { name: None, token: Some(welcome.token.clone()) })
        .await
        .unwrap();
    assert!(matches!(reply, ServerMsg::Welcome { username: Some(ref u), .. } if u == "ana_b"));
}

#[tokio::test]
async fn wrong_password_and_unknown_user_look_the_same() {
    let server = TestServer::start().await;
    let (c, _) = server.player("Bo").await;
    c.register("bob", "a long enough password").await.unwrap();
    let wrong = connect(&server).await.login("bob", "not the password").await.unwrap_err();
    let unknown = connect(&server).await.login("nobody", "not the password").await.unwrap_err();
    assert_eq!(wrong.code(), Some(ErrorCode::LoginFailed));
    assert_eq!(wrong.to_string(), unknown.to_string(), "same error, same words");
    let malformed = connect(&server).await.login("x", "y").await.unwrap_err();
    assert_eq!(malformed.to_string(), wrong.to_string(), "even for an impossible username");
}

#[tokio::test]
async fn logout_and_expiry_end_a_token() {
    let server = TestServer::start_with(|c| c.session_seconds = 1).await;
    let (c, _) = server.player("Cy").await;
    c.register("cyd", "password123").await.unwrap();

    let device = connect(&server).await;
    let session = device.login("cyd", "password123").await.unwrap();
    device.expect_ok(ClientMsg::Logout).await.unwrap();
    let err = device.request(ClientMsg::Ping).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::HelloFirst), "logged out: hello or login again");
    let err = connect(&server).await.hello("", Some(&session.token)).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::BadToken), "a logged-out token is gone");
    device.login("cyd", "password123").await.expect("the same connection can log in again");

    let other = connect(&server).await.login("cyd", "password123").await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let err = connect(&server).await.hello("", Some(&other.token)).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::TokenExpired), "{err}");
}

#[tokio::test]
async fn registration_rules() {
    let server = TestServer::start().await;
    let (a, _) = server.player("Ana").await;
    let (b, _) = server.player("Bo").await;
    let code = |r: Result<String, capital_client::ClientError>| r.unwrap_err().code();
    assert_eq!(code(a.register("a", "password123").await), Some(ErrorCode::BadUsername));
    assert_eq!(code(a.register("has space", "password123").await), Some(ErrorCode::BadUsername));
    assert_eq!(code(a.register("ana", "short").await), Some(ErrorCode::BadPassword));
    a.register("ana", "password123").await.unwrap();
    assert_eq!(code(a.register("ana2", "password123").await), Some(ErrorCode::AlreadyRegistered));
    assert_eq!(code(b.register("ANA", "password123").await), Some(ErrorCode::UsernameTaken));
    b.register("bob", "password123").await.unwrap();
}

#[tokio::test]
async fn login_attempts_are_throttled() {
    let server = TestServer::start_with(|c| c.login_attempts_per_minute = 3).await;
    // Successful logins do not count: a class can log in together from one address.
    let (c, _) = server.player("Eve").await;
    c.register("eve", "password123").await.unwrap();
    for _ in 0..5 {
        connect(&server).await.login("eve", "password123").await.expect("not throttled");
    }
    for _ in 0..2 {
        let err = connect(&server).await.login("victim", "guess").await.unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::LoginFailed));
    }
    let err = connect(&server).await.login("victim", "guess").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::RateLimited), "{err}");
    assert!(err.to_string().contains("try again in"), "{err}");
}

#[tokio::test]
async fn logout_keeps_the_connection_for_a_new_login_and_guests_cannot_log_out() {
    let server = TestServer::start_with(|c| c.hello_seconds = 1).await;
    let (mut c, _) = server.player("Dee").await;
    let err = c.expect_ok(ClientMsg::Logout).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotRegistered), "a guest would be lost for good");
    c.register("dee", "password123").await.unwrap();
    // Well after the first hello deadline, logging out gives a fresh one.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    c.expect_ok(ClientMsg::Logout).await.unwrap();
    c.login("dee", "password123").await.expect("the connection is still open");
    c.expect_ok(ClientMsg::Logout).await.unwrap();
    // But it must identify within the deadline again.
    match c.next_event(WAIT).await {
        Ok(capital_client::Incoming::Closed(Some((4002, _)))) => {}
        other => panic!("expected close 4002, got {other:?}"),
    }
}
