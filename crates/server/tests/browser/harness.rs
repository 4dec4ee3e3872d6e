//! The harness: a chromedriver process, one browser per page, and the page helpers the
//! scenarios are written in. Every wait polls until what it expects shows up, or fails the test
//! with a screenshot and the page's text.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// NSS's command-line tool (Debian: libnss3-tools), to make a certificate store a browser trusts.
const CERTUTIL: &str = "/usr/bin/certutil";
/// How long a step may take to show up in a page.
const UI_WAIT: Duration = Duration::from_secs(15);
/// How often a waiting step looks again.
pub const POLL: Duration = Duration::from_millis(50);

/// Chromium is heavy on a small machine: the scenarios take turns.
pub static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Screenshots are numbered across the whole run, so the files sort in the order taken.
static SHOT_NO: AtomicUsize = AtomicUsize::new(1);

/// A chromedriver process on a free 127.0.0.1 port; killed (with its browsers) when dropped.
pub struct Driver {
    child: Child,
    url: String,
    artifacts: PathBuf,
    /// The browsers' home directory, when it is one of the driver's own (see
    /// [`Driver::start_trusting_or_skip`]); removed when the driver is dropped.
    _home: Option<tempfile::TempDir>,
}

impl Driver {
    /// Starts chromedriver, or returns `None` after saying why the test skips. In CI a missing
    /// browser is a failure.
    pub async fn start_or_skip(test: &str) -> Option<Driver> {
        if !have(test, &[CHROMIUM, CHROMEDRIVER], "chromium chromium-driver") {
            return None;
        }
        Some(Self::start(None).await)
    }

    /// Like [`Driver::start_or_skip`], with browsers that trust the CA certificate `ca_pem`
    /// (PEM) as a root, for real: their HOME is a new directory whose NSS database
    /// (`~/.pki/nssdb`, where Chromium on Linux finds the certificates its user added) holds
    /// the CA, marked trusted to issue server certificates. No certificate error is ignored.
    pub async fn start_trusting_or_skip(test: &str, ca_pem: &Path) -> Option<Driver> {
        let needs = [CHROMIUM, CHROMEDRIVER, CERTUTIL];
        if !have(test, &needs, "chromium chromium-driver libnss3-tools") {
            return None;
        }
        let home = tempfile::tempdir().expect("a home directory for the browsers");
        let db = home.path().join(".pki/nssdb");
        std::fs::create_dir_all(&db).expect("create ~/.pki/nssdb");
        let db = format!("sql:{}", db.display());
        certutil(&["-N", "-d", &db, "--empty-password"]);
        let ca = ca_pem.to_str().expect("a UTF-8 path");
        certutil(&["-A", "-d", &db, "-t", "C,,", "-n", "capital-test-ca", "-i", ca]);
        // Read back: the CA is there, with the trust just given.
        let listed = certutil(&["-L", "-d", &db]);
        assert!(
            listed.lines().any(|l| l.starts_with("capital-test-ca") && l.contains("C,,")),
            "certutil lists the CA as trusted:\n{listed}"
        );
        Some(Self::start(Some(home)).await)
    }

    /// Starts chromedriver, its browsers with `home` as HOME when given.
    async fn start(home: Option<tempfile::TempDir>) -> Driver {
        let artifacts = artifacts_dir();
        let port = free_port();
        let mut command = Command::new(CHROMEDRIVER);
        if let Some(home) = &home {
            command.env("HOME", home.path());
        }
        command
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", artifacts.join("chromedriver.log").display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Its own process group, so that dropping the driver also ends the browsers it started.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command.spawn().expect("chromedriver starts");
        let driver =
            Driver { child, url: format!("http://127.0.0.1:{port}"), artifacts, _home: home };
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen on port {port}");
            tokio::time::sleep(POLL).await;
        }
        driver
    }

    /// A phone: 360x640, touch, a mobile user agent.
    pub async fn phone(&self, name: &'static str, base: &str) -> Page {
        self.phone_sized(name, base, 360, 640).await
    }

    /// A phone whose browser is started with `extra` arguments besides the usual ones (e.g.
    /// `--host-resolver-rules=...`).
    pub async fn phone_with(&self, name: &'static str, base: &str, extra: &[&str]) -> Page {
        let (width, height) = (360, 640);
        let window = format!("--window-size={width},{height}");
        self.page(name, base, &window, Some(phone_metrics(width, height)), extra).await
    }

    /// A phone of another size, in CSS pixels: a landscape phone is 740x360, a small one 320x568.
    pub async fn phone_sized(
        &self,
        name: &'static str,
        base: &str,
        width: u32,
        height: u32,
    ) -> Page {
        let window = format!("--window-size={width},{height}");
        self.page(name, base, &window, Some(phone_metrics(width, height)), &[]).await
    }

    /// A big screen, or a laptop: 1280x720, no touch.
    pub async fn desktop(&self, name: &'static str, base: &str) -> Page {
        self.desktop_with(name, base, &[]).await
    }

    /// A big screen whose browser prefers reduced motion (the system setting a page reads as
    /// `prefers-reduced-motion: reduce`).
    pub async fn desktop_reduced_motion(&self, name: &'static str, base: &str) -> Page {
        self.desktop_with(name, base, &["--force-prefers-reduced-motion"]).await
    }

    /// A big screen whose browser is started with `extra` arguments besides the usual ones.
    pub async fn desktop_with(&self, name: &'static str, base: &str, extra: &[&str]) -> Page {
        let metrics = json!({
            "deviceMetrics": {
                "width": 1280, "height": 720, "pixelRatio": 1.0, "touch": false, "mobile": false,
            },
        });
        self.page(name, base, "--window-size=1280,720", Some(metrics), extra).await
    }

    async fn page(
        &self,
        name: &'static str,
        base: &str,
        window: &str,
        mobile: Option<Value>,
        extra: &[&str],
    ) -> Page {
        let profile = tempfile::tempdir().expect("browser profile dir");
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--disable-background-timer-throttling",
            "--disable-renderer-backgrounding",
            "--hide-scrollbars",
            // Element.computedName: the accessible name, as a screen reader gets it.
            "--enable-blink-features=ComputedAccessibilityInfo",
            window,
        ]
        .into_iter()
        .chain(extra.iter().copied())
        .map(str::to_owned)
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let mut chrome = json!({"binary": CHROMIUM, "args": args});
        if let Some(mobile) = mobile {
            chrome["mobileEmulation"] = mobile;
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), chrome);
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("a browser session for {name}: {e}"));
        Page {
            name,
            client,
            base: base.to_owned(),
            artifacts: self.artifacts.clone(),
            _profile: profile,
        }
    }
}

/// Whether the programs `needs` are installed; if not, says why the test skips (in CI: fails).
fn have(test: &str, needs: &[&str], packages: &str) -> bool {
    let missing: Vec<&str> = needs.iter().copied().filter(|p| !Path::new(p).exists()).collect();
    if missing.is_empty() {
        return true;
    }
    let why = format!(
        "browser test ({test}) needs {} (Debian: apt-get install {packages})",
        missing.join(" and ")
    );
    if std::env::var_os("CI").is_some() {
        panic!("CI is set and the browser is missing: {why}");
    }
    eprintln!("SKIPPED: {why}");
    false
}

/// Runs certutil with `args`; returns what it printed, or fails the test with it.
fn certutil(args: &[&str]) -> String {
    let out = Command::new(CERTUTIL).args(args).output().expect("certutil runs");
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "certutil {args:?} failed: {text}");
    text
}

/// Chromium's emulation of a phone `width` x `height` CSS pixels: touch, a mobile user agent.
fn phone_metrics(width: u32, height: u32) -> Value {
    json!({
        "deviceMetrics": {"width": width, "height": height, "pixelRatio": 1.0, "touch": true},
        "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 \
                      (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36",
    })
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group id is chromedriver's pid (process_group(0) above): this ends chromedriver and
        // any browser a failed test left open, and nothing else.
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser session showing one page: a phone or the big screen.
pub struct Page {
    name: &'static str,
    pub client: Client,
    base: String,
    artifacts: PathBuf,
    /// The browser's own profile directory (its localStorage), removed when the page is dropped.
    _profile: tempfile::TempDir,
}

impl Page {
    /// The page's name, as in its screenshots.
    pub fn name(&self) -> &'static str {
        self.name
    }

    pub async fn open(&self, path: &str) {
        self.goto(&format!("{}{path}", self.base)).await;
    }

    /// Opens `url`, a whole address (a link read from another page, say).
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap_or_else(|e| panic!("{}: open {url}: {e}", self.name));
    }

    /// A new phone opens the app, picks `name`, and creates a room of `game` with the default
    /// options; returns the room's code.
    pub async fn create_room(&self, name: &str, game: &str) -> String {
        self.open("/").await;
        self.type_into("[data-testid=name-input]", name).await;
        self.click("[data-testid=name-submit]").await;
        self.wait_visible("[data-testid=screen-home]").await;
        self.click(&format!("[data-testid=game-{game}]")).await;
        self.click("[data-testid=create-room]").await;
        self.wait_text("[data-testid=room-code]", "").await
    }

    /// A new phone opens room `code`'s join link, picks `name`, and is in the room.
    pub async fn join_by_link(&self, code: &str, name: &str) {
        self.open(&format!("/join/{code}")).await;
        self.wait_text("[data-testid=name-joining]", code).await;
        self.type_into("[data-testid=name-input]", name).await;
        self.click("[data-testid=name-submit]").await;
        self.wait_text("[data-testid=room-code-small]", code).await;
    }

    /// Polls `probe` until it returns `Some`, or fails the test with a screenshot.
    pub(crate) async fn wait_for<T>(
        &self,
        what: &str,
        mut probe: impl AsyncFnMut() -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + UI_WAIT;
        loop {
            if let Some(found) = probe().await {
                return found;
            }
            if Instant::now() > deadline {
                self.fail(&format!("waited {UI_WAIT:?} for {what}")).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn find(&self, css: &str) -> Option<Element> {
        self.client.find(Locator::Css(css)).await.ok()
    }

    /// Waits until `css` exists and its visible text contains `needle`; returns the text.
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        let what = format!("{css} to contain {needle:?}");
        let found = self
            .wait_for(&what, async || {
                let text = self.find(css).await?.text().await.ok()?;
                let hit = text.contains(needle) && !(needle.is_empty() && text.trim().is_empty());
                hit.then_some(text)
            })
            .await;
        found.trim().to_owned()
    }

    /// The visible text of `css` right now (it must exist).
    pub async fn text(&self, css: &str) -> String {
        let what = format!("{css} to exist");
        let text = self.wait_for(&what, async || self.find(css).await?.text().await.ok()).await;
        text.trim().to_owned()
    }

    pub async fn exists(&self, css: &str) -> bool {
        self.find(css).await.is_some()
    }

    pub async fn enabled(&self, css: &str) -> bool {
        let el = self.wait_for(&format!("{css} to exist"), async || self.find(css).await).await;
        el.is_enabled().await.unwrap_or(false)
    }

    pub async fn wait_enabled(&self, css: &str) {
        self.wait_for(&format!("{css} to be enabled"), async || {
            self.find(css).await?.is_enabled().await.ok()?.then_some(())
        })
        .await;
    }

    pub async fn wait_visible(&self, css: &str) {
        self.wait_for(&format!("{css} to be visible"), async || {
            self.find(css).await?.is_displayed().await.ok()?.then_some(())
        })
        .await;
    }

    pub async fn wait_hidden(&self, css: &str) {
        self.wait_for(&format!("{css} to be hidden"), async || match self.find(css).await {
            None => Some(()),
            Some(el) => (!el.is_displayed().await.ok()?).then_some(()),
        })
        .await;
    }

    /// Waits until `css` is there and enabled, then taps it. The app redraws from every server
    /// message, so an element found a moment ago may be gone: then it looks again.
    pub async fn click(&self, css: &str) {
        self.wait_for(&format!("{css} to be tapped"), async || {
            let el = self.find(css).await?;
            if !el.is_enabled().await.ok()? || !el.is_displayed().await.ok()? {
                return None;
            }
            el.click().await.ok()
        })
        .await;
    }

    /// Clicks `css` even though the UI disabled it: to see what the server says.
    pub async fn force_click(&self, css: &str) {
        let script = format!(
            "const b = document.querySelector('{css}'); b.disabled = false; b.click(); return true;"
        );
        self.js(&script).await;
    }

    /// Types `text` into the field `css`, replacing what it held. Text beyond the Basic
    /// Multilingual Plane (an emoji) is put in as a paste would (some ChromeDriver versions
    /// refuse to type it): the value, then an `input` event.
    pub async fn type_into(&self, css: &str, text: &str) {
        // Shown and enabled, as `click` waits for: a field still in a screen that is on its way
        // in (a busy machine) is "not interactable".
        let el = self
            .wait_for(&format!("{css} to type into"), async || {
                let el = self.find(css).await?;
                let ready = el.is_enabled().await.ok()? && el.is_displayed().await.ok()?;
                ready.then_some(el)
            })
            .await;
        el.clear().await.unwrap_or_else(|e| panic!("{}: clear {css}: {e}", self.name));
        if text.chars().all(|c| u32::from(c) <= 0xFFFF) {
            el.send_keys(text)
                .await
                .unwrap_or_else(|e| panic!("{}: type into {css}: {e}", self.name));
            return;
        }
        let script = format!(
            "const el = document.querySelector({}); el.focus(); el.value = {}; \
             el.dispatchEvent(new Event('input', {{bubbles: true}})); return true;",
            json!(css),
            json!(text)
        );
        self.js(&script).await;
    }

    /// Waits until tic-tac-toe cell `cell` shows `mark`.
    pub async fn wait_mark(&self, cell: usize, mark: &str) {
        let script = format!(
            "const c = document.querySelector('[data-testid=cell-{cell}]'); \
             return !!c && c.dataset.mark === '{mark}';"
        );
        self.wait_js(&format!("cell {cell} to show {mark}"), &script).await;
    }

    /// Runs `script` (a function body that returns a value) in the page.
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("{}: script failed: {e}\n{script}", self.name))
    }

    /// Runs `script` in the page until it calls its last argument with a value, which it returns.
    pub async fn js_async(&self, script: &str) -> Value {
        self.client
            .execute_async(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("{}: script failed: {e}\n{script}", self.name))
    }

    /// Polls `script` until it returns true.
    pub async fn wait_js(&self, what: &str, script: &str) {
        self.wait_for(what, async || {
            let value = self.client.execute(script, vec![]).await.ok()?;
            (value == Value::Bool(true)).then_some(())
        })
        .await;
    }

    /// Polls `script`, which returns a list of what is wrong, until the list is empty; fails
    /// with the last list.
    pub async fn wait_no_problems(&self, what: &str, script: &str) {
        let deadline = Instant::now() + UI_WAIT;
        loop {
            let problems = match self.client.execute(script, vec![]).await {
                Ok(Value::Array(list)) if list.is_empty() => return,
                Ok(other) => other.to_string(),
                Err(e) => format!("the script failed: {e}"),
            };
            if Instant::now() > deadline {
                self.fail(&format!("waited {UI_WAIT:?} for {what}: {problems}")).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Presses keys on the keyboard, one after the other, in whatever has the focus.
    pub async fn press(&self, keys: &[Key]) {
        let mut actions = KeyActions::new("keyboard".into());
        for &key in keys {
            actions = actions
                .then(KeyAction::Down { value: key.into() })
                .then(KeyAction::Up { value: key.into() });
        }
        self.client
            .perform_actions(actions)
            .await
            .unwrap_or_else(|e| panic!("{}: press {keys:?}: {e}", self.name));
    }

    /// The `data-testid` of the element that has the keyboard focus ("" for none).
    pub async fn focused(&self) -> String {
        let script = "const e = document.activeElement; return (e && e.dataset.testid) || '';";
        self.js(script).await.as_str().unwrap_or_default().to_owned()
    }

    /// The accessible name of `css` (what a screen reader says for it), once it is there; with
    /// the spaces the browser puts between elements before a comma or colon taken out.
    pub async fn accessible_name(&self, css: &str) -> String {
        let script = format!(
            "const e = document.querySelector({css:?}); \
             return e ? e.computedName.replace(/\\s+([,:.])/g, '$1').replace(/\\s+/g, ' ') : null;"
        );
        let what = format!("{css} to have an accessible name");
        self.wait_for(&what, async || {
            let value = self.client.execute(&script, vec![]).await.ok()?;
            value.as_str().map(str::to_owned)
        })
        .await
    }

    /// From now on, keeps every text `css` shows in the page, for [`Page::seen`]: each time it
    /// shows (after being hidden or empty) or changes.
    pub async fn record_texts(&self, css: &str) {
        let script = format!(
            "const key = {css:?}; window.capitalSeen = window.capitalSeen || {{}}; \
             const seen = window.capitalSeen[key] = []; let last = ''; \
             const note = () => {{ const e = document.querySelector(key); \
                 const t = e && !e.closest('[hidden]') ? e.textContent.trim() : ''; \
                 if (t && t !== last) seen.push(t); last = t; }}; \
             new MutationObserver(note).observe(document.body, \
                 {{subtree: true, childList: true, characterData: true, attributes: true}}); \
             note(); return true;"
        );
        self.js(&script).await;
    }

    /// Every text `css` showed since [`Page::record_texts`], in order.
    pub async fn seen(&self, css: &str) -> Vec<String> {
        let script = format!("return (window.capitalSeen || {{}})[{css:?}] || [];");
        let list = self.js(&script).await;
        let list = list.as_array().cloned().unwrap_or_default();
        list.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()
    }

    /// With the chat open, the whole board is still on screen above it.
    pub async fn assert_board_above_chat(&self) {
        let script = "const b = document.querySelector('[data-testid=board]')\
                          .getBoundingClientRect(); \
                      const c = document.getElementById('chat').getBoundingClientRect(); \
                      return b.top >= 0 && b.height > 120 && b.bottom <= c.top + 1 \
                          && c.bottom <= window.innerHeight + 1;";
        self.wait_js("the board to show in full above the open chat", script).await;
    }

    pub async fn assert_no_script_errors(&self) {
        let errors = self.js("return window.capitalErrors || [];").await;
        assert_eq!(errors, json!([]), "{}: script errors in the page", self.name);
    }

    /// Saves a screenshot as `NN-<page>-<what>.png` in the artifacts directory, once the
    /// page's short animations (a mark popping in, a disc dropping) have finished.
    pub async fn shot(&self, what: &str) -> PathBuf {
        let settled = "return document.getAnimations().every(a => a.playState !== 'running' \
                       || a.effect.getComputedTiming().iterations === Infinity);";
        self.wait_js("animations to finish", settled).await;
        self.snap(what).await
    }

    /// Saves a screenshot now, without waiting for animations (a real-time game never settles).
    pub async fn snap(&self, what: &str) -> PathBuf {
        let png = self.client.screenshot().await.unwrap_or_else(|e| panic!("screenshot: {e}"));
        let n = SHOT_NO.fetch_add(1, Ordering::Relaxed);
        let path = self.artifacts.join(format!("{n:02}-{}-{what}.png", self.name));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    /// Fails the test, with a screenshot and the page's text to show what it showed instead.
    async fn fail(&self, why: &str) -> ! {
        let shot = self.snap("FAILED").await;
        let text = self
            .client
            .execute("return document.body.innerText;", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        panic!("{}: {why}\nscreenshot: {}\npage text:\n{text}", self.name, shot.display());
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// JS that defines `svgPixels(svg, px)` (async), to put before a script that calls it: the SVG
/// markup `svg` as the browser draws it on a `px` by `px` canvas, as rows (strings) of '1' for
/// a dark pixel and '0' for a light one, the input of [`decode_qr`].
pub const SVG_PIXELS: &str = r#"
const svgPixels = async (svg, px) => {
  const img = new Image();
  img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = px;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0, px, px);
  const data = ctx.getImageData(0, 0, px, px).data;
  const rows = [];
  for (let y = 0; y < px; y++) {
    let row = '';
    for (let x = 0; x < px; x++) row += data[4 * (y * px + x) + 1] < 128 ? '1' : '0';
    rows.push(row);
  }
  return rows;
};
"#;

/// Decodes a greyscale image (`dark(x, y)`, `size` pixels square) with rqrr, a QR decoder
/// written independently of the page's encoder: the one code's (version, level bits, text).
pub fn decode_qr(size: usize, dark: impl Fn(usize, usize) -> bool) -> (usize, u16, String) {
    let grey = |x, y| if dark(x, y) { 0 } else { 255 };
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(size, size, grey);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code found");
    let (meta, text) = grids[0].decode().unwrap_or_else(|e| panic!("rqrr: {e:?}"));
    (meta.version.0, meta.ecc_level, text)
}

/// `<workspace>/target/artifacts/browser/`, created if needed.
fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/artifacts/browser");
    std::fs::create_dir_all(&dir).expect("create the artifacts directory");
    dir.canonicalize().expect("artifacts directory")
}

/// A port that was free a moment ago on 127.0.0.1.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}
