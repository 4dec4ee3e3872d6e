//! The phone client: the files under `web/`, embedded in the binary at build time, so that
//! copying the one binary is the whole install. Also the QR codes of join links, and the pages
//! for dead ends (an unknown address, a big screen for a room that is not open).
//!
//! Routes: `/`, `/join/{CODE}` and `/privacy` (its "who can read my messages?" screen) serve the app, `/teach` the teacher's console, `/screen` a
//! big screen that hosts a room of its own, `/screen/{CODE}` the big-screen view (when the room is open), any other path the
//! embedded file of that name, and `/qr/{CODE}.svg` a QR code of the room's join link. Every file goes out compressed when the browser accepts it, with an
//! ETag, and `304` when the browser has it already ([`encoded`]).
//!
//! # Layout
//! - [`encoded`]: one file's plain and compressed forms, ETags, `Accept-Encoding` and `304`.
//! - [`preload`]: the pages list every module their scripts import, so browsers fetch them at
//!   once instead of one level of imports at a time.

mod encoded;
mod preload;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{LazyLock, OnceLock};

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::limits::ip_key;
use crate::lobby::codes;
use crate::state::AppState;
use encoded::Encoded;

/// The files under `web/`.
#[derive(rust_embed::Embed)]
#[folder = "../../web/"]
struct Web;

/// The dead-end page's template, under `web/`; `{{title}}` and `{{text}}` are filled in.
pub const DEAD_END: &str = "404.html";

/// Files that are filled in before they are served, never served as they are.
/// The `/ca` page's template (filled in by `tls::page`).
pub const CA_TEMPLATE: &str = "ca.html";

/// A script game's board frame (filled in by `board_frame`).
pub const BOARD_TEMPLATE: &str = "frame/board.html";

/// A script game's rules frame, for a peer-to-peer room's host (filled in by `rules_frame`).
pub const RULES_TEMPLATE: &str = "frame/rules.html";

const TEMPLATES: [&str; 4] = [DEAD_END, CA_TEMPLATE, BOARD_TEMPLATE, RULES_TEMPLATE];

/// Every embedded file, by path; each is encoded the first time it is asked for and kept.
static FILES: LazyLock<HashMap<String, OnceLock<Encoded>>> =
    LazyLock::new(|| Web::iter().map(|path| (path.into_owned(), OnceLock::new())).collect());

/// `GET /` and `GET /join/{code}`: the app (it reads the code from the address, and says so
/// when it is not a code).
pub async fn app(headers: HeaderMap) -> Response {
    file("index.html", &headers).await
}

/// `GET /teach`: the teacher's console (it logs in as an admin over the WebSocket).
pub async fn teach(headers: HeaderMap) -> Response {
    file("teach.html", &headers).await
}

/// `GET /screen`: a big screen that creates its own room and hosts it (the page asks which
/// game, then creates the room as a spectator).
pub async fn new_screen(headers: HeaderMap) -> Response {
    file("screen.html", &headers).await
}

/// `GET /screen/{code}`: the big-screen view of an open room, or a page that says there is none.
/// Asking for a room that is not open counts as a failed lookup of the address, as in the
/// protocol, so codes cannot be found by trying them here either.
pub async fn screen(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(typed): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(code) = codes::normalize(&typed) else {
        return dead_end(
            StatusCode::NOT_FOUND,
            "Not a room code",
            "A big-screen address ends with the room's four letters, like /screen/KXMR.",
        );
    };
    let lookups = state.lookups();
    let ip = ip_key(peer.ip());
    let now = std::time::Instant::now();
    if let Err(wait) = lookups.check(&ip, now) {
        let text = format!(
            "This address asked for too many rooms that are not open. Try again in {} s.",
            wait.as_secs().max(1)
        );
        return dead_end(StatusCode::TOO_MANY_REQUESTS, "Slow down", &text);
    }
    if state.rooms().get(&code).is_none() {
        let _ = lookups.hit(&ip, now);
        let text = format!(
            "There is no open room {code}. Rooms close when everyone has left: create a new one \
             on a phone, then open its big-screen address."
        );
        return dead_end(StatusCode::NOT_FOUND, "No such room", &text);
    }
    file("screen.html", &headers).await
}

/// Any other `GET`: the embedded file at that path, or the dead-end page.
pub async fn static_file(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path.is_empty() || path.contains("..") || TEMPLATES.contains(&path) {
        return not_found();
    }
    file(path, &headers).await
}

/// The embedded file at `path` under `web/`, for a route that fills it in (a template).
pub(crate) fn embedded(path: &str) -> Option<std::borrow::Cow<'static, [u8]>> {
    Web::get(path).map(|file| file.data)
}

/// The file at `path`, as `headers` accept it.
async fn file(path: &str, headers: &HeaderMap) -> Response {
    let Some((path, cell)) = FILES.get_key_value(path) else { return not_found() };
    let encoded = match cell.get() {
        Some(encoded) => encoded,
        // Compressing takes a few milliseconds, once per file: off the async threads.
        None => match tokio::task::spawn_blocking(|| cell.get_or_init(|| encode(path))).await {
            Ok(encoded) => encoded,
            Err(e) => {
                tracing::error!(path, error = %e, "encoding a web file failed");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        },
    };
    encoded.respond(headers)
}

fn encode(path: &str) -> Encoded {
    let file = Web::get(path).expect("FILES lists only embedded files");
    let body = if path.ends_with(".html") {
        let module = |path: &str| {
            let file = Web::get(path.strip_prefix('/')?)?;
            Some(String::from_utf8_lossy(&file.data).into_owned())
        };
        let page = preload::add_preloads(&String::from_utf8_lossy(&file.data), module);
        std::borrow::Cow::Owned(page.into_bytes())
    } else {
        file.data
    };
    Encoded::new(content_type(path), body)
}

/// The dead-end page for an address that leads nowhere.
fn not_found() -> Response {
    dead_end(
        StatusCode::NOT_FOUND,
        "Nothing here",
        "This address is not part of Capital. Check it, or start again from the home screen.",
    )
}

/// A page in the app's style that says what went wrong, with a link to the start.
fn dead_end(status: StatusCode, title: &str, text: &str) -> Response {
    let page = match embedded(DEAD_END) {
        Some(template) => String::from_utf8_lossy(&template)
            .replace("{{title}}", &crate::text::escape_html(title))
            .replace("{{text}}", &crate::text::escape_html(text)),
        None => format!("{title}: {text}\n"),
    };
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    (status, headers, page).into_response()
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

/// `GET /qr/{CODE}.svg`: a QR code of the room's join link. The link uses the host the browser
/// used, unless that is this machine's loopback (a screen plugged into the server itself), which
/// no phone could reach: then the server's main LAN address.
pub async fn join_qr(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(code) = file.strip_suffix(".svg").and_then(codes::normalize) else {
        return (StatusCode::NOT_FOUND, "not a room code\n").into_response();
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let base = match (is_loopback_host(host), state.urls().first()) {
        (true, Some(lan)) => lan.trim_end_matches('/').to_owned(),
        _ => {
            let scheme = if state.config().tls_enabled() { "https" } else { "http" };
            format!("{scheme}://{host}")
        }
    };
    match qr_svg(&format!("{base}/join/{code}")) {
        Some(svg) => ([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response(),
        None => StatusCode::BAD_REQUEST.into_response(),
    }
}

/// Whether a `Host` header names this machine's loopback.
fn is_loopback_host(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// An SVG QR code of `text`, or `None` if it is too long for a QR code.
pub fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("js/app.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }

    #[test]
    fn loopback_hosts() {
        for host in ["localhost:8080", "127.0.0.1:8080", "[::1]:8080", "LOCALHOST", "127.0.0.2"] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in ["192.168.1.20:8080", "capital.local:8080", "[fd00::2]:8080"] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn qr_codes_render() {
        let svg = qr_svg("http://192.168.1.20:8080/join/KXMR").unwrap();
        assert!(svg.starts_with("<?xml") && svg.contains("<svg"), "{}", &svg[..80]);
    }
}
