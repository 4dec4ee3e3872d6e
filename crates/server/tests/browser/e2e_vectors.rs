//! The browser's own cryptography and QR codes, checked in Chromium against what others made:
//! `web/js/e2e/hpke.js` against RFC 9180's test vector for its suite and against the messages
//! the Rust side sealed (`crates/e2e/tests/vectors/`), and against itself between two fresh
//! device keys; `web/js/qr.js` against an independent decoder (`rqrr`, on the symbol and on the
//! SVG as the browser draws it) and the `qrcode` crate's choice of version and symbol.
//!
//! The modules are imported into a page with no script of its own (a dead end) and run there;
//! each script returns what it found, and the checks are made here, so that a failure shows
//! the value it got. Every check has a case that must be refused (a changed byte, other
//! associated data, another key), so a module that accepted everything would fail.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME, Page, SVG_PIXELS, decode_qr};

const RFC_VECTOR: &str = include_str!("../../../e2e/tests/vectors/hpke-auth-p256.json");
const CAPITAL_VECTOR: &str = include_str!("../../../e2e/tests/vectors/capital-dm.json");

/// JS shared by the scripts: the module, hex, and `refused(args)`, which says how `openAuth`
/// came out: "opened", or the name of what it threw.
const PRELUDE: &str = r#"
const h = await import('/js/e2e/hpke.js');
const hex = (s) => Uint8Array.from(s.match(/../g) ?? [], (x) => parseInt(x, 16));
const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const refused = (args) => h.openAuth(args).then(() => 'opened', (e) => e.name);
const flip = (bytes, at) => { const c = bytes.slice(); c[at] ^= 1; return c; };
"#;

/// JS: RFC 9180 A.3.3 (`__RFC__`): every encryption opens; sealing the first with the vector's
/// ephemeral key gives its enc and ct; each change is refused.
const RFC_SCRIPT: &str = r#"
const v = __RFC__.vector;
const skR = await h.importPrivateForTests(hex(v.skRm), hex(v.pkRm));
const skS = await h.importPrivateForTests(hex(v.skSm), hex(v.pkSm));
const skE = await h.importPrivateForTests(hex(v.skEm), hex(v.pkEm));
const base = { enc: hex(v.enc), recipientPrivate: skR, recipientPublic: hex(v.pkRm),
               senderPublic: hex(v.pkSm), info: hex(v.info) };
const opened = [];
for (const [seq, e] of v.encryptions.entries()) {
  opened.push(toHex(await h.openAuth({ ...base, ct: hex(e.ct), aad: hex(e.aad), seq })));
}
const first = v.encryptions[0];
const sealed = await h.sealAuth({ recipientPublic: hex(v.pkRm), senderPrivate: skS,
  senderPublic: hex(v.pkSm), info: hex(v.info), aad: hex(first.aad), plaintext: hex(first.pt),
  ephemeral: { privateKey: skE, publicRaw: hex(v.pkEm) } });
const ok = { ...base, ct: hex(first.ct), aad: hex(first.aad) };
const other = await h.generateDeviceKey();
return { opened, enc: toHex(sealed.enc), ct: toHex(sealed.ct), refusals: {
  as_it_is: await refused(ok),
  a_changed_ct_byte: await refused({ ...ok, ct: flip(ok.ct, 0) }),
  a_changed_tag_byte: await refused({ ...ok, ct: flip(ok.ct, ok.ct.length - 1) }),
  a_changed_enc_byte: await refused({ ...ok, enc: flip(ok.enc, 64) }),
  other_aad: await refused({ ...ok, aad: hex(v.encryptions[1].aad) }),
  no_aad: await refused({ ...ok, aad: new Uint8Array(0) }),
  other_info: await refused({ ...ok, info: 'capital dm v1' }),
  another_sender: await refused({ ...ok, senderPublic: other.publicRaw }),
  the_recipient_as_sender: await refused({ ...ok, senderPublic: hex(v.pkRm) }),
  another_recipient: await refused({ ...ok, recipientPrivate: other.privateKey,
                                            recipientPublic: other.publicRaw }),
  the_next_sequence_number: await refused({ ...ok, seq: 1 }),
} };
"#;

/// JS: the messages crates/e2e sealed (`__CAPITAL__`), each opened by its recipient's device
/// with the aad built from its from, to and client_msg_id.
const CAPITAL_SCRIPT: &str = r#"
const file = __CAPITAL__;
const messages = [];
const keys = [];
for (const m of file.messages) {
  const recipientPublic = h.unb64u(m.recipient_public);
  const recipientPrivate =
    await h.importPrivateForTests(h.unb64u(m.recipient_private), recipientPublic);
  keys.push({ recipientPrivate, recipientPublic });
  const aad = `${m.from}\n${m.to}\n${m.client_msg_id}`;
  const args = { enc: h.unb64u(m.enc), ct: h.unb64u(m.ct), recipientPrivate, recipientPublic,
                 senderPublic: h.unb64u(m.sender_public), info: file.info, aad };
  const text = new TextDecoder('utf-8', { fatal: true }).decode(await h.openAuth(args));
  messages.push({ text, aad, device: await h.deviceId(recipientPublic),
    from_and_to_swapped: await refused({ ...args,
                                         aad: `${m.to}\n${m.from}\n${m.client_msg_id}` }),
    another_message_id: await refused({ ...args, aad: `${m.from}\n${m.to}\n${m.client_msg_id}x` }),
    a_changed_ct_byte: await refused({ ...args, ct: flip(args.ct, args.ct.length >> 1) }),
    base64url_again: [h.b64u(args.enc) === m.enc, h.b64u(args.ct) === m.ct] });
}
// The first message is not for the second message's device.
const m = file.messages[0];
const not_for_this_device = await refused({ ...keys[1], enc: h.unb64u(m.enc),
  ct: h.unb64u(m.ct), senderPublic: h.unb64u(m.sender_public), info: file.info,
  aad: `${m.from}\n${m.to}\n${m.client_msg_id}` });
const notBase64url = [];
for (const s of ['YQ==', 'a+b/', 'abcde', 'a b', 'YR']) {
  try { h.unb64u(s); notBase64url.push('decoded'); } catch (e) { notBase64url.push(e.name); }
}
return { messages, not_for_this_device, not_base64url: notBase64url,
         b64u: [h.b64u(new Uint8Array([0xfb, 0xff])), toHex(h.unb64u('-_8'))] };
"#;

/// JS: two fresh device keys; Ana seals to Bo and to herself (her own device's copy), both
/// open; a third device and a forged sender are refused; private keys cannot be read out.
const ROUND_TRIP_SCRIPT: &str = r#"
const [ana, bo, cy] = [await h.generateDeviceKey(), await h.generateDeviceKey(),
                       await h.generateDeviceKey()];
const info = 'capital dm v1';
const aad = 'pana\npbo\nm-7';
const text = 'Hi Bo! 🎲 <b>&amp;</b> Über';
const seal = (to) => h.sealAuth({ recipientPublic: to.publicRaw, senderPrivate: ana.privateKey,
  senderPublic: ana.publicRaw, info, aad, plaintext: text });
const toBo = await seal(bo);
const again = await seal(bo);
const toAna = await seal(ana);
const open = async (sealed, by) => new TextDecoder().decode(await h.openAuth({ ...sealed,
  recipientPrivate: by.privateKey, recipientPublic: by.publicRaw, senderPublic: ana.publicRaw,
  info, aad }));
const openArgs = { ...toBo, recipientPrivate: bo.privateKey, recipientPublic: bo.publicRaw,
                   senderPublic: ana.publicRaw, info, aad };
return {
  opened_by_bo: await open(toBo, bo),
  opened_by_ana: await open(toAna, ana),
  sizes: [toBo.enc.length, toBo.ct.length, new TextEncoder().encode(text).length],
  fresh_each_time: toHex(toBo.enc) !== toHex(again.enc) && toHex(toBo.ct) !== toHex(again.ct),
  by_cy: await refused({ ...openArgs, recipientPrivate: cy.privateKey,
                         recipientPublic: cy.publicRaw }),
  from_cy: await refused({ ...openArgs, senderPublic: cy.publicRaw }),
  anas_copy_by_bo: await refused({ ...openArgs, ...toAna }),
  extractable: [ana.privateKey.extractable, bo.privateKey.extractable],
  usages: bo.privateKey.usages,
  algorithm: bo.privateKey.algorithm,
  export: await crypto.subtle.exportKey('jwk', bo.privateKey).then(() => 'exported', (e) => e.name),
  publics: [toHex(ana.publicRaw), toHex(bo.publicRaw)],
  devices: [await h.deviceId(ana.publicRaw), await h.deviceId(bo.publicRaw)],
};
"#;

/// Runs `body` (an async function body that returns a value) with `PRELUDE` before it, in
/// `page`; a rejection fails the test with its stack.
async fn run(page: &Page, body: &str) -> Value {
    let script = format!(
        "const done = arguments[arguments.length - 1]; \
         (async () => {{ {PRELUDE}\n{body} }})() \
           .then(done, (e) => done({{ thrown: String((e && e.stack) || e) }}));"
    );
    let value = page.js_async(&script).await;
    assert!(value.get("thrown").is_none(), "{}: the script threw {}", page.name(), value["thrown"]);
    value
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn bytes_of_hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// Every named outcome in `refusals` is a refusal (`DoesNotOpen`), except `as_it_is`, when
/// given, which opened (so `refused` itself can tell the two apart).
fn assert_refused(what: &str, refusals: &Value) {
    let refusals = refusals.as_object().unwrap_or_else(|| panic!("{what}: {refusals}"));
    for (case, outcome) in refusals {
        let expected = if case == "as_it_is" { "opened" } else { "DoesNotOpen" };
        assert_eq!(outcome, expected, "{what}: {case}");
    }
}

/// hpke.js in Chromium: RFC 9180's vector for DHKEM(P-256), HKDF-SHA256, AES-128-GCM in auth
/// mode opens and seals byte for byte; the DMs sealed by crates/e2e open to their text on
/// their device; two fresh devices talk; every change to a message, or another key, is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hpke_in_the_browser_matches_the_rfc_and_the_rust_side_and_refuses_changes() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("e2e vectors").await else { return };
    let server = TestServer::start().await;
    let page = driver.desktop("hpke", &format!("http://{}", server.addr)).await;
    page.open("/e2e-vectors").await; // a dead end: a page of this origin with no script
    page.wait_visible("[data-testid=dead-end]").await;

    // (a) RFC 9180, appendix A.3.3.
    let rfc: Value = serde_json::from_str(RFC_VECTOR).unwrap();
    let v = &rfc["vector"];
    let got = run(&page, &RFC_SCRIPT.replace("__RFC__", RFC_VECTOR)).await;
    let plaintexts: Vec<&Value> =
        v["encryptions"].as_array().unwrap().iter().map(|e| &e["pt"]).collect();
    assert_eq!(plaintexts.len(), 4);
    let opened: Vec<&Value> = got["opened"].as_array().unwrap().iter().collect();
    assert_eq!(opened, plaintexts, "every encryption of the vector opens to its pt");
    assert_eq!(got["enc"], v["enc"], "sealed with skEm: the vector's enc");
    assert_eq!(got["ct"], v["encryptions"][0]["ct"], "sealed with skEm: the vector's ct");
    assert_refused("the RFC vector", &got["refusals"]);

    // (b) Capital's messages, sealed by crates/e2e.
    let capital: Value = serde_json::from_str(CAPITAL_VECTOR).unwrap();
    assert_eq!(capital["info"], "capital dm v1");
    let got = run(&page, &CAPITAL_SCRIPT.replace("__CAPITAL__", CAPITAL_VECTOR)).await;
    let expected = capital["messages"].as_array().unwrap();
    let messages = got["messages"].as_array().unwrap();
    assert!(!expected.is_empty());
    assert_eq!(messages.len(), expected.len());
    for (i, (m, seen)) in expected.iter().zip(messages).enumerate() {
        assert_eq!(seen["text"], m["text"], "message {i} opens to its text");
        assert_eq!(seen["device"], m["device"], "message {i}: deviceId(recipient_public)");
        if let Some(aad) = m.get("aad") {
            assert_eq!(&seen["aad"], aad, "message {i}: the aad as the Rust side built it");
        }
        assert_eq!(seen["base64url_again"], json!([true, true]), "message {i}");
        let refusals = json!({
            "from and to swapped": seen["from_and_to_swapped"],
            "another client_msg_id": seen["another_message_id"],
            "a changed ct byte": seen["a_changed_ct_byte"],
        });
        assert_refused(&format!("message {i}"), &refusals);
    }
    assert_ne!(expected[0]["device"], expected[1]["device"], "two devices in the file");
    assert_eq!(got["not_for_this_device"], "DoesNotOpen", "message 0 with message 1's key");
    assert_eq!(
        got["not_base64url"],
        json!(["TypeError", "TypeError", "TypeError", "TypeError", "TypeError"]),
        "padding, +/, a bad length, space, stray bits in the last character (YQ is 'a')"
    );
    assert_eq!(got["b64u"], json!(["-_8", "fbff"]), "the URL-safe alphabet, no padding");

    // (c) Two fresh devices.
    let got = run(&page, ROUND_TRIP_SCRIPT).await;
    let text = "Hi Bo! 🎲 <b>&amp;</b> Über";
    assert_eq!(got["opened_by_bo"], text);
    assert_eq!(got["opened_by_ana"], text, "the copy for the sender's own device");
    assert_eq!(got["sizes"], json!([65, text.len() + 16, text.len()]), "enc, ct, pt");
    assert_eq!(got["fresh_each_time"], true, "a new ephemeral key for every seal");
    let refusals = json!({"by_cy": got["by_cy"], "from_cy": got["from_cy"],
                          "anas_copy_by_bo": got["anas_copy_by_bo"]});
    assert_refused("fresh devices", &refusals);
    assert_eq!(got["extractable"], json!([false, false]), "private keys stay in the browser");
    assert_eq!(got["export"], "InvalidAccessError", "and cannot be exported");
    assert_eq!(got["usages"], json!(["deriveBits"]));
    assert_eq!(got["algorithm"], json!({"name": "ECDH", "namedCurve": "P-256"}));
    let (publics, devices) = (got["publics"].as_array().unwrap(), got["devices"].as_array());
    assert_ne!(publics[0], publics[1]);
    for (public, device) in publics.iter().zip(devices.unwrap()) {
        let public = bytes_of_hex(public.as_str().unwrap());
        assert_eq!((public.len(), public[0]), (65, 0x04), "an uncompressed P-256 point");
        let digest = Sha256::digest(&public);
        assert_eq!(device, &hex_of(&digest[..8]), "device id: SHA-256's first 8 bytes, in hex");
    }
    page.close().await;
}

/// The texts whose QR codes are checked: versions 1, 2 (just past 1), 3, 5 and 8 (version
/// information from 7 on) and 10 (a 16-bit count); UTF-8 beyond ASCII.
fn qr_texts() -> Vec<String> {
    let key = "abc.0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_0123456789";
    vec![
        "Hi".to_owned(),
        "capital.local:".to_owned(), // 14 bytes: the most version 1 holds at level M
        "capital.local:8".to_owned(), // 15: version 2
        "Über 🎲 — ça va?".to_owned(),
        format!("https://capital.local:8443/#verify/{}", &key[..28]), // 63 characters
        format!("https://capital.local:8443/#verify/{key}{}", &key[..37]), // 150
        "https://capital.local/".repeat(9),                           // 198
    ]
}

/// A label with every character that needs escaping in XML.
const QR_LABEL: &str = "Scan to check \"Bo\" & <Ana>'s key";

/// JS (after [`SVG_PIXELS`]): for each text of `__TEXTS__`, the matrix, the SVG drawn by the
/// browser at 8 px a module (dark or light per pixel) and the SVG's attributes; what is too
/// long; one SVG put in the page for its accessible name.
const QR_SCRIPT: &str = r#"
const { qrMatrix, qrSvg } = await import('/js/qr.js');
const label = __LABEL__;
const codes = [];
for (const text of __TEXTS__) {
  const matrix = qrMatrix(text);
  const svg = qrSvg(text, { label });
  const px = (matrix.length + 8) * 8;
  const pixels = await svgPixels(svg, px);
  const parse = (s) => new DOMParser().parseFromString(s, 'image/svg+xml');
  const doc = parse(svg);
  const root = doc.documentElement;
  codes.push({ matrix: matrix.map((r) => r.map((d) => (d ? '1' : '0')).join('')), pixels,
    svg: { role: root.getAttribute('role'), label: root.getAttribute('aria-label'),
           viewBox: root.getAttribute('viewBox'), wellFormed: !doc.querySelector('parsererror'),
           defaultLabel: parse(qrSvg(text)).documentElement.getAttribute('aria-label') } });
}
let tooLong;
try { qrMatrix('x'.repeat(214)); tooLong = 'drawn'; } catch (e) { tooLong = e.name; }
const holder = document.createElement('div');
holder.dataset.testid = 'qr-under-test';
holder.style.width = '200px';
holder.innerHTML = qrSvg('https://capital.local/', { label });
document.body.append(holder);
return { codes, tooLong, longest: qrMatrix('x'.repeat(213)).length };
"#;

/// The version the `qrcode` crate gives `text` in byte mode at level M (the smallest that holds
/// it), and its symbol there (rows, true = dark).
fn qrcode_byte_mode(text: &str) -> (usize, Vec<Vec<bool>>) {
    use qrcode::{Color, EcLevel, QrCode, Version, bits::Bits};
    for v in 1..=40 {
        let mut bits = Bits::new(Version::Normal(v));
        if bits.push_byte_data(text.as_bytes()).is_err()
            || bits.push_terminator(EcLevel::M).is_err()
        {
            continue;
        }
        let code = QrCode::with_bits(bits, EcLevel::M).expect("a symbol of that version");
        let width = code.width();
        let rows = code
            .to_colors()
            .chunks(width)
            .map(|r| r.iter().map(|c| *c == Color::Dark).collect())
            .collect();
        return (v as usize, rows);
    }
    panic!("{text:?} fits no version");
}

/// qr.js in Chromium: the QR codes of short and long texts decode back to the text with rqrr,
/// from the matrix and from the SVG as the browser draws it; each is of the version the
/// `qrcode` crate picks for byte mode at level M, 17 + 4 * version modules wide, level M; the SVG
/// has its quiet zone, `role="img"` and the label (escaped); too long a text is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qr_codes_drawn_in_the_browser_decode_to_their_text() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("qr codes").await else { return };
    let server = TestServer::start().await;
    let page = driver.desktop("qr", &format!("http://{}", server.addr)).await;
    page.open("/e2e-vectors").await;
    page.wait_visible("[data-testid=dead-end]").await;

    let texts = qr_texts();
    let script = QR_SCRIPT
        .replace("__LABEL__", &serde_json::to_string(QR_LABEL).unwrap())
        .replace("__TEXTS__", &serde_json::to_string(&texts).unwrap());
    let got = run(&page, &format!("{SVG_PIXELS}{script}")).await;
    let codes = got["codes"].as_array().unwrap();
    assert_eq!(codes.len(), texts.len());
    let mut versions = Vec::new();
    for (text, code) in texts.iter().zip(codes) {
        let rows: Vec<Vec<bool>> = code["matrix"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().chars().map(|c| c == '1').collect())
            .collect();
        let size = rows.len();
        assert!(rows.iter().all(|r| r.len() == size), "{text:?}: a square");
        assert!(size >= 21 && (size - 17).is_multiple_of(4), "{text:?}: no version is {size} wide");
        let version = (size - 17) / 4;
        versions.push(version);

        // The matrix, drawn here at 8 px a module with a 4-module quiet zone, decodes.
        let px = (size + 8) * 8;
        let module = |x: usize, y: usize| {
            let (mx, my) = ((x / 8).wrapping_sub(4), (y / 8).wrapping_sub(4));
            mx < size && my < size && rows[my][mx]
        };
        assert_eq!(decode_qr(px, module), (version, 0, text.clone()), "{text:?}: level M is 00");

        // The SVG as Chromium draws it: exactly those pixels (the quiet zone light), and decodes.
        let pixels: Vec<&[u8]> = code["pixels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().as_bytes())
            .collect();
        assert_eq!(pixels.len(), px, "{text:?}: the SVG drawn {px} px high");
        let wrong = (0..px * px)
            .filter(|i| (pixels[i / px][i % px] == b'1') != module(i % px, i / px))
            .count();
        assert_eq!(wrong, 0, "{text:?}: pixels of the SVG that differ from the matrix");
        assert_eq!(decode_qr(px, |x, y| pixels[y][x] == b'1'), (version, 0, text.clone()));

        let svg = &code["svg"];
        let n = size + 8;
        assert_eq!(
            svg,
            &json!({"role": "img", "label": QR_LABEL, "viewBox": format!("0 0 {n} {n}"),
                    "wellFormed": true, "defaultLabel": format!("QR code: {text}")}),
            "{text:?}: the SVG"
        );

        // The qrcode crate in byte mode at level M: the same version, 17 + 4 * version wide,
        // and the same symbol module for module, mask included (so codewords, error correction,
        // interleaving, placement and the penalty scores all agree).
        let (theirs_version, theirs) = qrcode_byte_mode(text);
        assert_eq!(version, theirs_version, "{text:?}: the version qrcode picks");
        assert_eq!(size, 17 + 4 * theirs_version);
        assert!(rows == theirs, "{text:?}: not the symbol qrcode draws in byte mode");
        // Left to choose its modes, qrcode may take fewer bits (a run of digits in numeric
        // mode), never more than byte mode needs.
        let auto = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).unwrap();
        let qrcode::Version::Normal(auto) = auto.version() else { panic!("a micro QR code") };
        assert!(auto as usize <= version, "{text:?}: qrcode's own choice, version {auto}");
    }
    assert_eq!(versions, [1, 1, 2, 2, 5, 8, 10], "the versions");
    assert_eq!(got["tooLong"], "RangeError", "214 bytes is more than version 10-M holds");
    assert_eq!(got["longest"], 57, "213 bytes is version 10");
    assert_eq!(page.accessible_name("[data-testid=qr-under-test] svg").await, QR_LABEL);
    page.close().await;
}
