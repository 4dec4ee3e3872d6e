//! Reaching into a script game's board frame (`[data-testid=script-frame]`, a sandboxed
//! iframe): WebDriver enters the frame, looks or taps, and comes back out, at every poll.

use fantoccini::Locator;
use serde_json::Value;

use crate::harness::Page;

const FRAME: &str = "[data-testid=script-frame]";

impl Page {
    /// Runs `script` (a function body that returns a value) in the board frame, if there is
    /// one.
    pub async fn frame_js(&self, script: &str) -> Option<Value> {
        let frame = self.client.find(Locator::Css(FRAME)).await.ok()?;
        frame.enter_frame().await.ok()?;
        let value = self.client.execute(script, vec![]).await.ok();
        self.client.enter_parent_frame().await.expect("back out of the board frame");
        value
    }

    /// Polls `script` in the board frame until it returns true.
    pub async fn frame_wait_js(&self, what: &str, script: &str) {
        self.wait_for(what, async || {
            (self.frame_js(script).await? == Value::Bool(true)).then_some(())
        })
        .await;
    }

    /// Waits until `css` in the board frame shows a text containing `needle`; returns it.
    pub async fn frame_wait_text(&self, css: &str, needle: &str) -> String {
        let script =
            format!("const e = document.querySelector({css:?}); return e ? e.textContent : null;");
        self.wait_for(&format!("{css} in the board to contain {needle:?}"), async || {
            let text = self.frame_js(&script).await?;
            let text = text.as_str()?.to_owned();
            text.contains(needle).then_some(text)
        })
        .await
    }

    /// Taps `css` in the board frame once it is there and enabled.
    pub async fn frame_click(&self, css: &str) {
        self.wait_for(&format!("{css} in the board to be tapped"), async || {
            let frame = self.client.find(Locator::Css(FRAME)).await.ok()?;
            frame.enter_frame().await.ok()?;
            let tapped = async {
                let el = self.client.find(Locator::Css(css)).await.ok()?;
                if !el.is_enabled().await.ok()? || !el.is_displayed().await.ok()? {
                    return None;
                }
                el.click().await.ok()
            }
            .await;
            self.client.enter_parent_frame().await.expect("back out of the board frame");
            tapped
        })
        .await;
    }
}
