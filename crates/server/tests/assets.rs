//! The web client's files as a browser gets them: compressed when it asks, plain when it does
//! not, with an ETag that stays put and `304` when the browser has the file already; friendly
//! pages for addresses that lead nowhere.

mod common;

use std::io::Read;
use std::net::IpAddr;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use common::*;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// What came back: the status, the headers, the body as sent (compressed or not).
struct Got {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Got {
    fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().expect("a readable header"))
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8")
    }
}

/// `GET path` with `headers`, from 127.0.0.1 (or `from`).
async fn get_from(
    server: &TestServer,
    from: Option<IpAddr>,
    path: &str,
    headers: &[(header::HeaderName, &str)],
) -> Got {
    let mut connector = HttpConnector::new();
    connector.set_local_address(from);
    let client = Client::builder(TokioExecutor::new()).build::<_, Body>(connector);
    let mut request = Request::get(format!("http://{}{path}", server.addr));
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    let response = client.request(request.body(Body::empty()).unwrap()).await.expect("a response");
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(Body::new(body), usize::MAX).await.expect("the body");
    Got { status: parts.status, headers: parts.headers, body: body.to_vec() }
}

async fn get(server: &TestServer, path: &str, headers: &[(header::HeaderName, &str)]) -> Got {
    get_from(server, None, path, headers).await
}

fn gunzip(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(body).read_to_end(&mut out).expect("valid gzip");
    out
}

/// What Chrome asks for over plain HTTP.
const GZIP: (header::HeaderName, &str) = (header::ACCEPT_ENCODING, "gzip, deflate");

/// Pages and their modules, as the app and the big screen load them.
const FILES: [(&str, &str); 5] = [
    ("/", "text/html; charset=utf-8"),
    ("/style.css", "text/css; charset=utf-8"),
    ("/js/app.js", "text/javascript; charset=utf-8"),
    ("/js/protocol.js", "text/javascript; charset=utf-8"),
    ("/favicon.svg", "image/svg+xml"),
];

#[tokio::test]
async fn files_go_out_compressed_when_asked_and_plain_when_not() {
    let server = TestServer::start().await;
    for (path, content_type) in FILES {
        let plain = get(&server, path, &[]).await;
        assert_eq!(plain.status, StatusCode::OK, "{path}");
        assert_eq!(plain.header(header::CONTENT_TYPE), Some(content_type), "{path}");
        assert_eq!(plain.header(header::CONTENT_ENCODING), None, "{path}: plain when not asked");
        assert_eq!(plain.header(header::CACHE_CONTROL), Some("no-cache"), "{path}");
        assert!(!plain.body.is_empty(), "{path}");

        let gz = get(&server, path, &[GZIP]).await;
        assert_eq!(gz.status, StatusCode::OK, "{path}");
        assert_eq!(gz.header(header::CONTENT_ENCODING), Some("gzip"), "{path}");
        assert_eq!(gz.header(header::CONTENT_TYPE), Some(content_type), "{path}");
        assert_eq!(gz.header(header::VARY), Some("accept-encoding"), "{path}");
        assert_eq!(plain.header(header::VARY), Some("accept-encoding"), "{path}");
        assert!(
            gz.body.len() < plain.body.len(),
            "{path}: {} >= {}",
            gz.body.len(),
            plain.body.len()
        );
        assert_eq!(gunzip(&gz.body), plain.body, "{path}: gzip decodes to the file");

        // Over HTTPS browsers offer brotli too: they get gzip.
        let https =
            get(&server, path, &[(header::ACCEPT_ENCODING, "gzip, deflate, br, zstd")]).await;
        assert_eq!(https.header(header::CONTENT_ENCODING), Some("gzip"), "{path}");
        assert_eq!(https.body, gz.body, "{path}");

        let etags = [&plain, &gz].map(|got| got.header(header::ETAG).unwrap().to_owned());
        assert_ne!(etags[0], etags[1], "{path}: each form its own ETag");
    }
    // A browser that wants no compression at all gets none.
    let plain = get(&server, "/style.css", &[(header::ACCEPT_ENCODING, "identity")]).await;
    assert_eq!(plain.header(header::CONTENT_ENCODING), None);
    let refused =
        get(&server, "/style.css", &[(header::ACCEPT_ENCODING, "gzip;q=0, br;q=0")]).await;
    assert_eq!(refused.header(header::CONTENT_ENCODING), None);
    assert_eq!(refused.body, plain.body);
}

#[tokio::test]
async fn the_etag_stays_put_and_a_matching_one_gets_304_without_a_body() {
    let server = TestServer::start().await;
    for path in ["/js/app.js", "/style.css", "/", "/join/KXMR"] {
        let first = get(&server, path, &[GZIP]).await;
        let second = get(&server, path, &[GZIP]).await;
        let etag = first.header(header::ETAG).expect("an ETag").to_owned();
        assert!(etag.starts_with('"') && etag.ends_with('"'), "a strong ETag: {etag}");
        assert_eq!(second.header(header::ETAG), Some(etag.as_str()), "{path}: the same ETag");
        assert_eq!(second.body, first.body);

        let again = get(&server, path, &[GZIP, (header::IF_NONE_MATCH, &etag)]).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(again.body.is_empty(), "{path}: a 304 has no body");
        assert_eq!(again.header(header::ETAG), Some(etag.as_str()), "{path}");
        assert_eq!(again.header(header::CACHE_CONTROL), Some("no-cache"), "{path}");
        assert_eq!(again.header(header::VARY), Some("accept-encoding"), "{path}");

        // Another version of the file (a new binary), or another form of it: the whole file.
        let stale = get(&server, path, &[GZIP, (header::IF_NONE_MATCH, "\"0123abcd\"")]).await;
        assert_eq!(stale.status, StatusCode::OK, "{path}");
        assert_eq!(stale.body, first.body, "{path}");
        let plain_etag = get(&server, path, &[]).await.header(header::ETAG).unwrap().to_owned();
        let other = get(&server, path, &[GZIP, (header::IF_NONE_MATCH, &plain_etag)]).await;
        assert_eq!(
            other.status,
            StatusCode::OK,
            "{path}: the plain file's tag is not the gzip one's"
        );
        assert_eq!(gunzip(&other.body), gunzip(&first.body));
    }
    // `/` and `/join/CODE` are the same page: the same tag.
    let home = get(&server, "/", &[]).await;
    let join = get(&server, "/join/KXMR", &[]).await;
    assert_eq!(home.header(header::ETAG), join.header(header::ETAG));
}

/// The modulepreload links of a page.
fn preloads(page: &str) -> Vec<String> {
    page.split("<link rel=\"modulepreload\" href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn pages_name_every_module_they_load_so_browsers_ask_for_them_at_once() {
    let server = TestServer::start().await;
    for (page, entry, deep) in
        [("/", "/js/app.js", "/js/games/kit.js"), ("/screen.html", "/js/screen.js", "/js/seats.js")]
    {
        let html = get(&server, page, &[]).await.text();
        assert!(html.contains(&format!("<script type=\"module\" src=\"{entry}\">")), "{html}");
        let listed = preloads(&html);
        assert!(listed.iter().any(|m| m == deep), "{page}: {listed:?}");
        assert!(!listed.iter().any(|m| m == entry), "{page}: the script itself is not listed");
        let unique: std::collections::HashSet<&String> = listed.iter().collect();
        assert_eq!(unique.len(), listed.len(), "{page}: each once: {listed:?}");
        // Whatever a listed module (or the script) imports is listed too, and is there.
        for module in listed.iter().map(String::as_str).chain([entry]) {
            let got = get(&server, module, &[]).await;
            assert_eq!(got.status, StatusCode::OK, "{module}");
            assert_eq!(got.header(header::CONTENT_TYPE), Some("text/javascript; charset=utf-8"));
            let dir = &module[..module.rfind('/').unwrap()];
            for spec in got.text().split(" from \"./").skip(1) {
                let import = format!("{dir}/{}", spec.split('"').next().unwrap());
                assert!(unique.contains(&import), "{page}: {module} imports {import}: {listed:?}");
            }
        }
    }
}

#[tokio::test]
async fn unknown_addresses_get_a_friendly_page_with_a_way_home() {
    let server = TestServer::start().await;
    for path in ["/nope", "/js/nope.js", "/join/", "/join/KXMR/more", "/404.html", "/ca.html"] {
        let got = get(&server, path, &[]).await;
        assert_eq!(got.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(got.header(header::CONTENT_TYPE), Some("text/html; charset=utf-8"), "{path}");
        let page = got.text();
        assert!(
            page.contains("<h1 data-testid=\"dead-end-title\">Nothing here</h1>"),
            "{path}: {page}"
        );
        assert!(page.contains("href=\"/\""), "{path}: a link home");
        assert!(page.contains("/style.css"), "{path}: the app's look");
        assert!(!page.contains("{{"), "{path}: a template is never served as it is");
    }
}

#[tokio::test]
async fn the_big_screen_of_a_room_that_is_not_open_says_so() {
    let server = TestServer::start().await;
    let missing = get(&server, "/screen/KXMR", &[]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.text().contains("There is no open room KXMR."), "{}", missing.text());
    assert!(missing.text().contains("href=\"/\""));
    let typo = get(&server, "/screen/hello", &[]).await;
    assert_eq!(typo.status, StatusCode::NOT_FOUND);
    assert!(typo.text().contains("Not a room code"), "{}", typo.text());

    let (_a, _b, code) = two_in_a_room(&server, "tictactoe", None).await;
    for path in [format!("/screen/{code}"), format!("/screen/{}", code.to_lowercase())] {
        let screen = get(&server, &path, &[(header::ACCEPT_ENCODING, "gzip")]).await;
        assert_eq!(screen.status, StatusCode::OK, "{path}");
        assert!(String::from_utf8(gunzip(&screen.body)).unwrap().contains("/js/screen.js"));
    }
    // The app for a join link, even one that is no code (the app itself says so).
    for path in [format!("/join/{code}"), "/join/hello".to_owned()] {
        let app = get(&server, &path, &[]).await;
        assert_eq!(app.status, StatusCode::OK, "{path}");
        assert!(app.text().contains("/js/app.js"), "{path}");
    }
    // The QR code of a join link still draws.
    let qr = get(&server, &format!("/qr/{code}.svg"), &[]).await;
    assert_eq!(qr.status, StatusCode::OK);
    assert_eq!(qr.header(header::CONTENT_TYPE), Some("image/svg+xml"));
    assert!(qr.text().contains("<svg"));
}

#[tokio::test]
async fn big_screen_addresses_cannot_be_used_to_find_room_codes() {
    let server = TestServer::start_with(|c| c.failed_lookups_per_minute = 3).await;
    let (_a, _b, code) = two_in_a_room(&server, "tictactoe", None).await;
    let wrong = ["KXMR", "KXMT", "KXMW"].into_iter().find(|w| *w != code).unwrap();
    for _ in 0..3 {
        let got = get_from(&server, Some(ATTACKER), &format!("/screen/{wrong}"), &[]).await;
        assert_eq!(got.status, StatusCode::NOT_FOUND);
    }
    // Over the limit, an open room looks no different from a closed one.
    for path in [format!("/screen/{wrong}"), format!("/screen/{code}")] {
        let got = get_from(&server, Some(ATTACKER), &path, &[]).await;
        assert_eq!(got.status, StatusCode::TOO_MANY_REQUESTS, "{path}");
        assert!(got.text().contains("Try again in"), "{}", got.text());
    }
    // Others are not held back.
    let honest = get(&server, &format!("/screen/{code}"), &[]).await;
    assert_eq!(honest.status, StatusCode::OK);
}
