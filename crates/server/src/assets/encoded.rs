//! One embedded file as it goes out: compressed once (gzip), each form with a strong ETag, and
//! per request the smallest form the browser accepts, or `304 Not Modified` when the browser
//! already has it.
//!
//! Why: on a slow phone connection the web client's plain files took seconds to arrive, and
//! `no-cache` without a validator made every visit fetch them all again. Now a visit after the
//! first costs one small `304` per file, a changed file (a new binary) is picked up at once
//! because `no-cache` still makes the browser ask, and a first visit gets a fraction of the bytes.
//!
//! A compressed form is kept only when it is smaller than the plain file. ETags come from the
//! SHA-256 of the plain file as served (a page has its preload links in it): `"<hash>"` for the
//! plain file, `"<hash>-gz"` for the gzip one (each form is its own representation, so each gets
//! its own strong tag).
//!
//! No brotli: browsers offer it only over HTTPS, which most classrooms do without; it would save
//! 14% more (75 KB instead of 87 KB for all the files), and its encoder made the release binary
//! 1.1 MB (10%) bigger.

use std::borrow::Cow;
use std::io::Write;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Hex digits of the SHA-256 in an ETag: 128 bits, plenty to tell two versions of a file apart.
const ETAG_HEX: usize = 32;

/// A content coding the server sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// The file as it is.
    Identity,
    /// gzip (RFC 1952), what every browser accepts.
    Gzip,
}

impl Coding {
    /// The name in `Accept-Encoding` and `Content-Encoding`.
    fn token(self) -> &'static str {
        match self {
            Coding::Identity => "identity",
            Coding::Gzip => "gzip",
        }
    }

    /// What tells this form's ETag from the others'.
    fn etag_suffix(self) -> &'static str {
        match self {
            Coding::Identity => "",
            Coding::Gzip => "-gz",
        }
    }
}

/// One form of the file.
#[derive(Debug)]
struct Form {
    coding: Coding,
    body: Bytes,
    etag: HeaderValue,
}

/// An embedded file ready to serve: its content type and its forms, plain first.
#[derive(Debug)]
pub struct Encoded {
    content_type: &'static str,
    /// The plain file, then each compressed form that came out smaller than it.
    forms: Vec<Form>,
}

impl Encoded {
    /// Prepares a file: hashes it, and compresses it (if its type is text), once, here.
    pub fn new(content_type: &'static str, plain: Cow<'static, [u8]>) -> Self {
        let hash: String = Sha256::digest(&plain).iter().map(|b| format!("{b:02x}")).collect();
        let hash = &hash[..ETAG_HEX];
        let form = |coding: Coding, body: Bytes| {
            let etag = format!("\"{hash}{}\"", coding.etag_suffix());
            let etag = HeaderValue::from_str(&etag).expect("hex digits make a valid header");
            Form { coding, body, etag }
        };
        let plain = match plain {
            Cow::Borrowed(bytes) => Bytes::from_static(bytes),
            Cow::Owned(bytes) => Bytes::from(bytes),
        };
        let gzipped = compressible(content_type).then(|| gzip(&plain));
        let gzipped = gzipped.filter(|body| body.len() < plain.len());
        let mut forms = vec![form(Coding::Identity, plain)];
        forms.extend(gzipped.map(|body| form(Coding::Gzip, Bytes::from(body))));
        Encoded { content_type, forms }
    }

    /// The response to a `GET` with `request`'s headers: the form `Accept-Encoding` asks for
    /// (the smallest among the most wanted), or `304` when `If-None-Match` names that form.
    pub fn respond(&self, request: &HeaderMap) -> Response {
        let accept = request.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok());
        let form = self.choose(accept);
        let mut headers = HeaderMap::new();
        headers.insert(header::ETAG, form.etag.clone());
        // Stored, but checked with the server before each use: a new binary's files show at once.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        if self.forms.len() > 1 {
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        let etag = form.etag.to_str().expect("an ETag of hex digits");
        let known = request
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|tags| names(tags, etag));
        if known {
            return (StatusCode::NOT_MODIFIED, headers).into_response();
        }
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        if form.coding != Coding::Identity {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(form.coding.token()));
        }
        (headers, form.body.clone()).into_response()
    }

    /// The form to send: the highest q-value, then the fewest bytes; the plain file when the
    /// browser accepts none (it may refuse even that, but a body it cannot read helps nobody).
    fn choose(&self, accept: Option<&str>) -> &Form {
        self.forms
            .iter()
            .map(|form| (quality(accept, form.coding), form))
            .filter(|(q, _)| *q > 0.0)
            .max_by(|(qa, a), (qb, b)| qa.total_cmp(qb).then(b.body.len().cmp(&a.body.len())))
            .map_or(&self.forms[0], |(_, form)| form)
    }

    /// The codings this file can go out in and their sizes, plain first.
    #[cfg(test)]
    fn sizes(&self) -> Vec<(Coding, usize)> {
        self.forms.iter().map(|f| (f.coding, f.body.len())).collect()
    }
}

/// Whether compressing a file of this type is worth it (text is; images are compressed already).
fn compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.starts_with("image/svg+xml")
        || content_type.starts_with("application/json")
}

/// How much `accept` (an `Accept-Encoding` value) wants `coding`, from 0 (not at all) to 1
/// (RFC 9110, section 12.5.3). No header: only the plain file. The plain file is acceptable
/// unless refused by name or by `*;q=0`.
fn quality(accept: Option<&str>, coding: Coding) -> f32 {
    let Some(accept) = accept else {
        return if coding == Coding::Identity { 1.0 } else { 0.0 };
    };
    let mut any = None;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let q = parts
            .find_map(|p| {
                let (key, value) = p.split_once('=')?;
                key.trim().eq_ignore_ascii_case("q").then(|| value.trim().parse::<f32>().ok())
            })
            .map_or(1.0, |q| q.unwrap_or(0.0));
        let named = name.eq_ignore_ascii_case(coding.token())
            || (coding == Coding::Gzip && name.eq_ignore_ascii_case("x-gzip"));
        if named {
            return q;
        }
        if name == "*" {
            any = Some(q);
        }
    }
    match any {
        Some(q) => q,
        None if coding == Coding::Identity => 1.0,
        None => 0.0,
    }
}

/// Whether an `If-None-Match` value names `etag` (or is `*`). Weak comparison, as RFC 9110
/// asks for `If-None-Match`: a `W/` prefix does not matter.
fn names(if_none_match: &str, etag: &str) -> bool {
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

fn gzip(plain: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(plain).expect("writing to a Vec cannot fail");
    encoder.finish().expect("writing to a Vec cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;

    const JS: &str = "text/javascript; charset=utf-8";

    fn plain_bytes() -> Vec<u8> {
        "export const words = 'the same words, again and again';\n".repeat(40).into_bytes()
    }

    fn text() -> Encoded {
        Encoded::new(JS, Cow::Owned(plain_bytes()))
    }

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn coding_of(response: &Response) -> Option<&str> {
        response.headers().get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap())
    }

    #[test]
    fn accept_encoding_is_read_with_its_q_values() {
        assert_eq!(quality(None, Coding::Identity), 1.0);
        assert_eq!(quality(None, Coding::Gzip), 0.0);
        assert_eq!(quality(Some("gzip, deflate"), Coding::Gzip), 1.0);
        assert_eq!(quality(Some("gzip, deflate"), Coding::Identity), 1.0);
        assert_eq!(quality(Some("GZIP;Q=0.5, br;q=0"), Coding::Gzip), 0.5);
        assert_eq!(quality(Some("x-gzip"), Coding::Gzip), 1.0);
        assert_eq!(quality(Some("br, *;q=0.3"), Coding::Gzip), 0.3);
        assert_eq!(quality(Some("*;q=0"), Coding::Identity), 0.0);
        assert_eq!(quality(Some("gzip;q=nonsense"), Coding::Gzip), 0.0);
    }

    #[test]
    fn the_smallest_wanted_form_goes_out() {
        let file = text();
        let [(Coding::Identity, plain), (Coding::Gzip, gz)] = file.sizes()[..] else {
            panic!("plain and gzip: {:?}", file.sizes());
        };
        assert!(gz < plain / 4, "{:?}", file.sizes());
        let pick = |accept| file.choose(accept).coding;
        assert_eq!(pick(None), Coding::Identity);
        assert_eq!(pick(Some("gzip, deflate")), Coding::Gzip);
        assert_eq!(pick(Some("gzip, deflate, br, zstd")), Coding::Gzip);
        assert_eq!(pick(Some("br")), Coding::Identity);
        assert_eq!(pick(Some("gzip;q=0.5, identity;q=1")), Coding::Identity);
        assert_eq!(pick(Some("gzip;q=0.5, identity;q=0.5")), Coding::Gzip, "a tie: the smaller");
        assert_eq!(pick(Some("deflate")), Coding::Identity);
        assert_eq!(pick(Some("identity;q=0, deflate")), Coding::Identity, "nothing else to send");
    }

    #[test]
    fn forms_bigger_than_the_file_are_not_kept() {
        let tiny = Encoded::new(JS, Cow::Borrowed(b"x"));
        assert_eq!(tiny.sizes(), vec![(Coding::Identity, 1)]);
        let response = tiny.respond(&headers(&[(header::ACCEPT_ENCODING, "gzip")]));
        assert_eq!(coding_of(&response), None);
        assert!(response.headers().get(header::VARY).is_none(), "one form: nothing varies");
        let png = Encoded::new("image/png", Cow::Owned(vec![0; 4096]));
        assert_eq!(png.sizes().len(), 1, "images are not compressed");
    }

    #[test]
    fn each_form_has_its_own_etag_and_a_matching_one_gets_304() {
        let file = text();
        let plain = file.respond(&HeaderMap::new());
        assert_eq!(plain.status(), StatusCode::OK);
        let tag = |r: &Response| r.headers()[header::ETAG].to_str().unwrap().to_owned();
        let hash: String =
            Sha256::digest(plain_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(tag(&plain), format!("\"{}\"", &hash[..32]), "the file's SHA-256");
        let gz = file.respond(&headers(&[(header::ACCEPT_ENCODING, "gzip")]));
        assert_eq!(coding_of(&gz), Some("gzip"));
        assert_eq!(tag(&gz), format!("\"{}-gz\"", &hash[..32]));
        assert_eq!(gz.headers()[header::VARY], "accept-encoding");
        assert_eq!(gz.headers()[header::CACHE_CONTROL], "no-cache");

        let again = file.respond(&headers(&[
            (header::ACCEPT_ENCODING, "gzip"),
            (header::IF_NONE_MATCH, &format!("\"other\", W/{}", tag(&gz))),
        ]));
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(tag(&again), tag(&gz));
        assert_eq!(again.headers()[header::VARY], "accept-encoding");
        // The plain form's tag does not stand for the gzip form.
        let other = file.respond(&headers(&[
            (header::ACCEPT_ENCODING, "gzip"),
            (header::IF_NONE_MATCH, &tag(&plain)),
        ]));
        assert_eq!(other.status(), StatusCode::OK);
        let any = file.respond(&headers(&[(header::IF_NONE_MATCH, "*")]));
        assert_eq!(any.status(), StatusCode::NOT_MODIFIED);
    }
}
