//! `GET /games/{kind}/board`: the page a script game's board runs in. The phone page shows it
//! in an `<iframe sandbox="allow-scripts">`, and the response says the same again in its
//! `Content-Security-Policy` (`sandbox allow-scripts`, so it holds even when the page is opened
//! on its own): the board gets an origin of its own, so it cannot read the player's token,
//! storage or cookies, or reach into the page or another room; and `default-src 'none'`, so it
//! loads nothing and connects nowhere. It learns the view from the page's messages and can only
//! answer with moves (`web/frame/bridge.js`). Nothing is fetched: the bridge, the base style and
//! the board script are all in the page.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::assets::{BOARD_TEMPLATE, embedded};
use crate::state::AppState;

/// What the frame may do: run its scripts and draw, nothing else.
pub const POLICY: &str = "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; \
     style-src 'unsafe-inline'; img-src data:; font-src data:; form-action 'none'; \
     frame-ancestors 'self'";

/// The board page of the script game `kind`, or 404 when it has none on offer.
pub async fn board(State(state): State<AppState>, Path(kind): Path<String>) -> Response {
    let Some(board) = state.shelf().board(&kind) else {
        return (StatusCode::NOT_FOUND, "no game on offer here has a board of its own\n")
            .into_response();
    };
    sandboxed(page(&kind, &board.file, &board.source))
}

/// `page` as a frame of its own: HTML under [`POLICY`], never cached, sniffed or referred (the
/// board frame's, and the rules frame's too).
pub(crate) fn sandboxed(page: String) -> Response {
    let mut response = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// An embedded frame file, as text.
pub(crate) fn frame_text(path: &str) -> String {
    let bytes = embedded(path).expect("the frames' files are embedded");
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A script's `file` and `text` as JSON to put inside a `<script>` element: `<` is written
/// \u003c, so nothing in it can end the element.
pub(crate) fn source_json(file: &str, source: &str) -> String {
    serde_json::json!({ "file": file, "text": source }).to_string().replace('<', "\\u003c")
}

/// The page: the template with the base style, the bridge and the board's source filled in.
fn page(kind: &str, file: &str, source: &str) -> String {
    frame_text(BOARD_TEMPLATE)
        .replace("{{title}}", &format!("{kind}: board"))
        .replace("{{style}}", &frame_text("frame/board.css"))
        .replace("{{bridge}}", &frame_text("frame/bridge.js"))
        .replace("{{source}}", &source_json(file, source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_board_cannot_end_its_script_element() {
        let page = page("nim", "nim.board.js", "const s = '</script><script>alert(1)</script>';");
        assert_eq!(page.matches("</script>").count(), 2, "only the page's own two: {page}");
        assert!(page.contains("\\u003c/script>\\u003cscript>alert(1)"));
    }
}
