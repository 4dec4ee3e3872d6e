//! `GET /games/{kind}/rules`: the page a script game's rules run in on the host's phone, in a
//! peer-to-peer room (where the server runs nothing of the game). The phone page loads it in a
//! hidden `<iframe sandbox="allow-scripts">`, and the response says the same in its
//! `Content-Security-Policy` (the board frame's, [`crate::board_frame::sandboxed`]): an origin
//! of its own, so the rules cannot read the player's token, storage or cookies, or reach into
//! the page; and `default-src 'none'`, so they load nothing and connect nowhere. The page
//! calls the rules with messages and gets their answers (`web/frame/rules.js`, which gives the
//! script `game({...})` and a seeded `random` as the server's runtime does). Nothing is
//! fetched: the runtime and the rules script are both in the page.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::assets::RULES_TEMPLATE;
use crate::board_frame::{frame_text, sandboxed, source_json};
use crate::state::AppState;

/// The rules page of the script game `kind`, or 404 when no script on offer is that game.
pub async fn rules(State(state): State<AppState>, Path(kind): Path<String>) -> Response {
    let Some(rules) = state.shelf().rules(&kind) else {
        return (StatusCode::NOT_FOUND, "no game script on offer here is that game\n")
            .into_response();
    };
    sandboxed(page(&kind, &rules.file, &rules.source))
}

/// The page: the template with the runtime and the rules' source filled in.
fn page(kind: &str, file: &str, source: &str) -> String {
    frame_text(RULES_TEMPLATE)
        .replace("{{title}}", &format!("{kind}: rules"))
        .replace("{{runtime}}", &frame_text("frame/rules.js"))
        .replace("{{source}}", &source_json(file, source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_cannot_end_their_script_element() {
        let page = page("nim", "nim.js", "const s = '</script><script>alert(1)</script>';");
        assert_eq!(page.matches("</script>").count(), 2, "only the page's own two: {page}");
        assert!(page.contains("\\u003c/script>\\u003cscript>alert(1)"));
        assert!(page.contains("xoshiro128"), "the runtime is in the page");
    }
}
