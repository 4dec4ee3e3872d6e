//! The phone client: the files under `web/`, embedded in the binary at build time, so that
//! copying the one binary is the whole install. Also the QR codes of join links.
//!
//! Routes: `/` and `/join/{CODE}` serve the app, `/screen/{CODE}` the big-screen view, any other
//! path the embedded file of that name, and `/qr/{CODE}.svg` a QR code of the room's join link.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::lobby::codes;
use crate::state::AppState;

/// The files under `web/`.
#[derive(rust_embed::Embed)]
#[folder = "../../web/"]
struct Web;

/// `GET /` and `GET /join/{code}`: the app (it reads the code from the address).
pub async fn app() -> Response {
    file("index.html")
}

/// `GET /screen/{code}`: the big-screen view of a room.
pub async fn screen() -> Response {
    file("screen.html")
}

/// Any other `GET`: the embedded file at that path, or 404.
pub async fn static_file(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path.is_empty() || path.contains("..") || path == crate::tls::page::TEMPLATE {
        return StatusCode::NOT_FOUND.into_response();
    }
    file(path)
}

/// The embedded file at `path` under `web/`, for a route that fills it in (a template).
pub(crate) fn embedded(path: &str) -> Option<std::borrow::Cow<'static, [u8]>> {
    Web::get(path).map(|file| file.data)
}

fn file(path: &str) -> Response {
    match Web::get(path) {
        Some(content) => {
            let headers = [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type(path))),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ];
            (headers, content.data).into_response()
        }
        None => (StatusCode::NOT_FOUND, "not found\n").into_response(),
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json" | "webmanifest") => "application/json",
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
