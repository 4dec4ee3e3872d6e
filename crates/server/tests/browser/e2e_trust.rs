//! The page's trust decisions for encrypted messages (`web/js/e2e/e2e.js`, and the retry of a
//! message that could not be opened in `web/js/messages.js`), checked against a server that
//! lies: the module runs in Chromium with its real WebCrypto, IndexedDB and localStorage, and
//! its requests go to a stand-in written in the test, which lists whatever devices the test
//! says (as a dishonest server could). That is the narrow environment these decisions need: a
//! real server would never list a device of its own, or drop a contact's keys, on cue.
//!
//! What a user would check, each as a status or as what `fieldsFor` does with the message:
//! a device added to one's own list holds the next message (the safety numbers cannot show it);
//! a contact's added device holds it, a removed one does not; a contact whose keys vanish is
//! not written to in the clear unless the user says so; a device without a key of its own
//! refuses to send rather than fall back to the clear; callers asking for a list at the same
//! time share one request; a message the server was too busy to let open is tried again.

use serde_json::{Value, json};

use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME, Page};

/// JS: the stand-in server and the module; returns what each step showed.
const TRUST_SCRIPT: &str = r#"
window.capitalErrors = [];
window.addEventListener('unhandledrejection', (e) => window.capitalErrors.push(String(e.reason)));
const { E2e, KeysChanged } = await import('/js/e2e/e2e.js');
const { b64u, unb64u, deviceId, generateDeviceKey } = await import('/js/e2e/hpke.js');
const me = 'me' + Date.now();
const lists = { [me]: [], bo: [], cy: [] };
const asked = { keys_of: 0 };
let publishFails = false;
const request = async (type, f) => {
  if (type === 'publish_key') {
    if (publishFails) throw Object.assign(new Error('storage is blocked'), { code: 'internal' });
    if (!lists[me].some((k) => k.key === f.key)) {
      lists[me].push({ device: await deviceId(unb64u(f.key)), key: f.key, since: 1 });
    }
    return { type: 'key_published' };
  }
  if (type === 'keys_of') {
    asked.keys_of += 1;
    await new Promise((r) => setTimeout(r, 10));
    return { keys: lists[f.player].slice() };
  }
  throw new Error('unexpected request ' + type);
};
const device = async () => {
  const k = await generateDeviceKey();
  return { device: await deviceId(k.publicRaw), key: b64u(k.publicRaw), since: 2 };
};
const outcome = (p) => p.then(
  (f) => (f.sealed ? `sealed ${f.sealed.copies.length}` : 'clear'),
  (e) => (e instanceof KeysChanged ? `held for ${e.other === me ? 'me' : e.other}` : `refused ${e.code}: ${e.message}`),
);
const out = {};
const e2e = new E2e({ request, meId: () => me });
const [bo1, bo2, bo3, phantom] = [await device(), await device(), await device(), await device()];
lists.bo = [bo1];
await e2e.connected(request);
e2e.online();
out.first = [e2e.status('bo'), await e2e.keysOf('bo').then(() => e2e.status('bo')),
             await outcome(e2e.fieldsFor('bo', 'hi', 'm1'))];

const before = asked.keys_of;
await Promise.all(Array.from({ length: 20 }, () => e2e.keysOf('bo', true)));
out.shared = asked.keys_of - before;

lists[me].push(phantom);
await e2e.keysOf(me, true);
out.phantom = [e2e.status('bo'), await outcome(e2e.fieldsFor('bo', 'hi', 'm2')), e2e.deviceCount(me)];
e2e.acceptChange('bo');
out.phantomAccepted = [e2e.status('bo'), await outcome(e2e.fieldsFor('bo', 'hi', 'm3'))];

lists.bo = [bo1, bo2];
await e2e.keysOf('bo', true);
out.added = [e2e.status('bo'), await outcome(e2e.fieldsFor('bo', 'hi', 'm4'))];
e2e.acceptChange('bo');
out.addedAccepted = [e2e.status('bo'), await outcome(e2e.fieldsFor('bo', 'hi', 'm5'))];
lists.bo = [bo2];
await e2e.keysOf('bo', true);
out.removed = e2e.status('bo');

const { shown } = await e2e.safety('bo');
out.verified = [e2e.markVerified('bo', shown), e2e.status('bo')];
lists.bo = [bo2, bo3];
await e2e.keysOf('bo', true);
out.addedAfterVerified = e2e.status('bo');
e2e.acceptChange('bo');
out.acceptedNotVerified = e2e.status('bo');

lists.bo = [];
out.lost = [await e2e.keysOf('bo', true).then(() => e2e.status('bo')),
            await outcome(e2e.fieldsFor('bo', 'hi', 'm6')),
            await outcome(e2e.fieldsFor('bo', 'hi', 'm6', true))];
e2e.acceptChange('bo');
out.lostAccepted = [e2e.status('bo'), await outcome(e2e.fieldsFor('bo', 'hi', 'm7'))];
lists.bo = [bo2];
await e2e.keysOf('bo', true);
out.back = e2e.status('bo');
lists.bo = [];
await e2e.keysOf('bo', true);
out.lostAgain = e2e.status('bo');
lists.bo = [bo2];

out.neverHadKeys = [await outcome(e2e.fieldsFor('cy', 'hi', 'm8')), e2e.status('cy')];

lists[me] = lists[me].filter((k) => k.key !== e2e.device.key);
out.fellOff = [await outcome(e2e.fieldsFor('bo', 'hi', 'm9', true)),
               lists[me].some((k) => k.key === e2e.device.key)];

// A sealed text is held to the rules the server applies to one it can read.
const mineTo = async (text, id) => ({ from: me, to: 'bo', seq: 1, client_msg_id: id,
  sealed: (await e2e.fieldsFor('bo', text, id)).sealed });
out.rules = [await e2e.open(await mineTo('hello', 'o1')),
             await e2e.open(await mineTo('ring \u0007', 'o2')).catch((e) => e.message),
             await e2e.open(await mineTo(' \n ', 'o3')).catch((e) => e.message)];

publishFails = true;
const keyless = new E2e({ request, meId: () => me });
await keyless.connected(request);
keyless.online();
await keyless.keysOf('bo', true);
out.keyless = [keyless.status('bo'), await outcome(keyless.fieldsFor('bo', 'hi', 'm10')),
               await outcome(keyless.fieldsFor('cy', 'hi', 'm11'))];

// messages.js: a message whose opening the server refused for load is opened a little later.
const { Messages } = await import('/js/messages.js');
let tries = 0;
const busyOnce = { open: async () => { tries += 1; if (tries === 1) throw Object.assign(new Error('slow down'), { code: 'rate_limited' }); return 'opened at last'; } };
const model = new Messages({ request, meId: () => me, online: () => true, visible: () => false,
  onUnread: () => {}, onChange: () => {}, nameOf: () => 'Bo', e2e: busyOnce });
model.receive({ from: 'bo', to: me, seq: 1, ts: 1, text: '', client_msg_id: 'x',
  sealed: { from_key: bo2.key, copies: [] } });
const shown1 = model.convs.get('bo').msgs.get(1);
await new Promise((r) => setTimeout(r, 50));
const first = { unreadable: shown1.unreadable || null, opened: !!shown1.opened };
for (let i = 0; i < 100 && !model.convs.get('bo').msgs.get(1).opened; i += 1) {
  await new Promise((r) => setTimeout(r, 50));
}
const m = model.convs.get('bo').msgs.get(1);
out.busy = [first, { text: m.text, opened: !!m.opened, unreadable: m.unreadable || null }, tries];
out.errors = window.capitalErrors;
return out;
"#;

async fn run(page: &Page, body: &str) -> Value {
    let script = format!(
        "const done = arguments[arguments.length - 1]; \
         (async () => {{ {body} }})() \
           .then(done, (e) => done({{ thrown: String((e && e.stack) || e) }}));"
    );
    let value = page.js_async(&script).await;
    assert!(value.get("thrown").is_none(), "{}: the script threw {}", page.name(), value["thrown"]);
    value
}

/// e2e.js in Chromium, against a stand-in server that lists what the test says.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_holds_messages_when_a_lying_server_changes_the_devices_it_lists() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("e2e trust").await else { return };
    let server = TestServer::start().await;
    // http://127.0.0.1 is a secure context: WebCrypto and the module work as on https.
    let page = driver.desktop("e2e-trust", &format!("http://{}", server.addr)).await;
    page.open("/e2e-trust").await; // a dead end: a page of this origin with no script
    page.wait_visible("[data-testid=dead-end]").await;
    let out = run(&page, TRUST_SCRIPT).await;
    let check = |step: &str, expected: Value| assert_eq!(out[step], expected, "{step}: {out:#}");

    check("first", json!(["unknown", "unverified", "sealed 2"]));
    check("shared", json!(1));
    // A device added to my own list: held, whatever the contact's status.
    check("phantom", json!(["self-changed", "held for me", 2]));
    check("phantomAccepted", json!(["unverified", "sealed 3"]));
    check("added", json!(["changed", "held for bo"]));
    check("addedAccepted", json!(["unverified", "sealed 4"]));
    check("removed", json!("unverified"));
    check("verified", json!([true, "verified"]));
    check("addedAfterVerified", json!("changed"));
    check("acceptedNotVerified", json!("unverified"));
    // Keys gone: not in the clear on the server's word, asked again or not.
    check("lost", json!(["lost", "held for bo", "held for bo"]));
    check("lostAccepted", json!(["none", "clear"]));
    check("back", json!("verified"));
    check("lostAgain", json!("lost"));
    check("neverHadKeys", json!(["clear", "none"]));
    check("fellOff", json!(["sealed 3", true]));
    check(
        "rules",
        json!([
            "hello",
            "it has control characters, which a message may not have",
            "it is empty, which a message may not be"
        ]),
    );
    // No key of its own (publishing fails): refuses where it would have sealed.
    let keyless = &out["keyless"];
    assert_eq!(keyless[0], json!("nokey"), "{out:#}");
    let refused = keyless[1].as_str().unwrap_or_default();
    assert!(
        refused.starts_with("refused no_device_key: This browser has no encryption key"),
        "{out:#}"
    );
    assert_eq!(keyless[2], json!("clear"), "to one who never had keys: {out:#}");
    check(
        "busy",
        json!([
            { "unreadable": null, "opened": false },
            { "text": "opened at last", "opened": true, "unreadable": null },
            2
        ]),
    );
    // The one error the page reports: the key it could not publish.
    check("errors", json!(["could not publish this device's key: storage is blocked"]));
    page.close().await;
}
