//! The routes that hand the local CA to phones: `GET /ca`, a page (`web/ca.html`) with the CA's
//! fingerprint and how to install it on each kind of device, and `GET /ca.crt`, the CA's
//! certificate.
//!
//! `/ca.crt` is DER with `Content-Type: application/x-x509-ca-cert`: what Safari on iOS turns
//! into a profile to install, and what Firefox offers to trust. `/ca.crt?download` is the same
//! bytes as a plain download (`capital-ca.crt`): Chrome on Android hands that content type to the
//! system installer, which since Android 11 refuses CA certificates and keeps no file, so Android
//! (and the desktops) save the file and install it from Settings.
//!
//! Only a certificate ever leaves: `ca.pem` is parsed and its first certificate re-encoded, so a
//! key in that file could not be served. With `--cert`/`--key`, or without TLS, both answer 404.

use std::borrow::Cow;

use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use super::local::CA_CERT;
use crate::state::AppState;

/// The page's template, under `web/`; `{{name}}`, `{{fingerprint}}` and `{{pem}}` are filled in.
pub const TEMPLATE: &str = crate::assets::CA_TEMPLATE;

/// `GET /ca`: how to install the local CA.
pub async fn ca(State(state): State<AppState>) -> Response {
    let cert = match local_ca(&state).await {
        Ok(cert) => cert,
        Err(response) => return response,
    };
    let Some(template) = crate::assets::embedded(TEMPLATE) else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "the page is missing from this build\n")
            .into_response();
    };
    let page = render(&String::from_utf8_lossy(&template), &cert);
    let headers =
        [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")];
    (headers, page).into_response()
}

/// `GET /ca.crt` (and `/ca.crt?download`): the local CA's certificate, DER.
pub async fn ca_crt(State(state): State<AppState>, uri: Uri) -> Response {
    let cert = match local_ca(&state).await {
        Ok(cert) => cert,
        Err(response) => return response,
    };
    let der = cert.as_ref().to_vec();
    let cache = (header::CACHE_CONTROL, "no-cache");
    if uri.query() == Some("download") {
        let disposition = "attachment; filename=\"capital-ca.crt\"";
        let headers = [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CONTENT_DISPOSITION, disposition),
            cache,
        ];
        return (headers, der).into_response();
    }
    ([(header::CONTENT_TYPE, "application/x-x509-ca-cert"), cache], der).into_response()
}

/// The local CA's certificate, or the response that says why there is none.
async fn local_ca(state: &AppState) -> Result<CertificateDer<'static>, Response> {
    let config = state.config();
    if !config.tls_enabled() {
        return Err(not_found(
            "This server does not use HTTPS (it was started without --tls), so there is no \
             certificate to install.\n",
        ));
    }
    if !super::uses_local_ca(config) {
        return Err(not_found(
            "This server uses the certificate it was given (--cert/--key), not a local \
             certificate authority: there is nothing to install.\n",
        ));
    }
    let path = super::local_dir(config).join(CA_CERT);
    let read = tokio::task::spawn_blocking(move || CertificateDer::from_pem_file(&path)).await;
    match read {
        Ok(Ok(cert)) => Ok(cert),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "cannot read the local CA's certificate");
            Err((StatusCode::SERVICE_UNAVAILABLE, "the certificate cannot be read right now\n")
                .into_response())
        }
        Err(e) => {
            tracing::warn!(error = %e, "reading the local CA's certificate failed");
            Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

fn not_found(why: &'static str) -> Response {
    (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], why)
        .into_response()
}

/// The page for `cert`: its name, fingerprint and PEM in the template's fields.
fn render(template: &str, cert: &CertificateDer<'_>) -> String {
    let name = x509_parser::parse_x509_certificate(cert.as_ref())
        .ok()
        .and_then(|(_, c)| {
            let cn = c.subject().iter_common_name().next()?.as_str().ok()?.to_owned();
            Some(cn)
        })
        .map_or(Cow::Borrowed("Capital local CA"), Cow::Owned);
    template
        .replace("{{name}}", &crate::text::escape_html(&name))
        // Lines may break after a colon, never inside a byte.
        .replace("{{fingerprint}}", &super::fingerprint(cert).replace(':', ":<wbr>"))
        .replace("{{pem}}", &crate::text::escape_html(&super::ca::pem(cert)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_shows_name_fingerprint_and_pem() {
        let ca = super::super::ca::LocalCa::create("classroom", time::OffsetDateTime::now_utc())
            .unwrap();
        let template = String::from_utf8(crate::assets::embedded(TEMPLATE).unwrap().to_vec());
        let page = render(&template.unwrap(), ca.cert());
        assert!(!page.contains("{{"), "every field is filled in");
        assert!(page.contains("Capital local CA (classroom.local)"));
        let fingerprint = super::super::fingerprint(ca.cert()).replace(':', ":<wbr>");
        assert!(page.contains(&fingerprint));
        assert!(page.contains("-----BEGIN CERTIFICATE-----"));
        assert!(!page.contains("PRIVATE KEY"));
    }

    #[test]
    fn escaping() {
        assert_eq!(
            crate::text::escape_html(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
