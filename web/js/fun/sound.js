// Short sounds made on the spot with WebAudio (no audio files): a move, "your turn", a win and a
// loss; and a buzz (navigator.vibrate) on a phone. One switch per page turns the sounds off, and
// the page remembers it (localStorage). Buzzes are not sounds: a phone on silent still buzzes,
// and so does one whose sounds are off.
//
// Browsers let a page make sound only after a tap or a key on it (the autoplay policy): until
// then, sounds are skipped without a word, and the first tap opens the audio for the rest of the
// visit. window.capitalSounds counts what was played and what was not, for the browser tests.

import { h } from "../dom.js";

/** Per sound, its notes: [frequency Hz, start s, length s], a wave and a loudness. */
const SOUNDS = {
  move: { wave: "triangle", gain: 0.12, notes: [[660, 0, 0.07]] },
  turn: { wave: "sine", gain: 0.16, notes: [[523, 0, 0.09], [784, 0.1, 0.14]] },
  win: { wave: "triangle", gain: 0.16, notes: [[523, 0, 0.1], [659, 0.1, 0.1], [784, 0.2, 0.1], [1047, 0.3, 0.28]] },
  lose: { wave: "sine", gain: 0.12, notes: [[392, 0, 0.16], [330, 0.17, 0.16], [262, 0.34, 0.3]] },
};

/** What the browser tests read: sounds played by name, sounds the switch silenced, and sounds
 * skipped because nobody had tapped the page yet. */
const counts = { played: { move: 0, turn: 0, win: 0, lose: 0 }, muted: 0, early: 0 };
window.capitalSounds = counts;

let storageKey = "capital.sound";
let muted = false;
let unlocked = false; // a tap or a key has happened on this page
let audio = null; // the AudioContext, made on the first tap
const switches = new Set(); // the switches on show, redrawn when the setting changes

/** Reads the page's setting (under `key` in localStorage) and waits for the first tap. */
export function setupSound(key) {
  storageKey = key;
  muted = localStorage.getItem(storageKey) === "off";
  const unlock = () => {
    unlocked = true;
    if (!muted) openAudio();
    for (const type of ["pointerdown", "keydown"]) window.removeEventListener(type, unlock, true);
  };
  for (const type of ["pointerdown", "keydown"]) window.addEventListener(type, unlock, true);
}

/** The AudioContext, made (or woken) during a tap; null where there is no WebAudio. */
function openAudio() {
  try {
    if (!audio) {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      audio = Ctx ? new Ctx() : null;
    }
    if (audio && audio.state === "suspended") audio.resume().catch(() => {});
  } catch {
    audio = null; // no sound on this browser: the game goes on silently
  }
  return audio;
}

export function soundOn() {
  return !muted;
}

export function setSoundOn(on) {
  muted = !on;
  localStorage.setItem(storageKey, on ? "on" : "off");
  if (on && unlocked) openAudio(); // the switch is a tap: audio may open now
  for (const s of switches) drawSwitch(s);
}

/** Plays sound `name` (move, turn, win, lose), unless the switch is off or nobody tapped yet. */
export function play(name) {
  const sound = SOUNDS[name];
  if (!sound) return;
  if (muted) {
    counts.muted += 1;
    return;
  }
  if (!unlocked) {
    counts.early += 1;
    return;
  }
  counts.played[name] += 1;
  const ctx = openAudio();
  if (!ctx) return;
  try {
    const t0 = ctx.currentTime + 0.01;
    for (const [freq, start, length] of sound.notes) {
      const osc = ctx.createOscillator();
      const env = ctx.createGain();
      osc.type = sound.wave;
      osc.frequency.value = freq;
      // A quick rise and a fall, so a note neither clicks nor rings on.
      env.gain.setValueAtTime(0.0001, t0 + start);
      env.gain.exponentialRampToValueAtTime(sound.gain, t0 + start + 0.015);
      env.gain.exponentialRampToValueAtTime(0.0001, t0 + start + length);
      osc.connect(env).connect(ctx.destination);
      osc.start(t0 + start);
      osc.stop(t0 + start + length + 0.02);
    }
  } catch {
    // The audio went away (a device unplugged): stay quiet.
  }
}

/** Buzzes a phone: `pattern` in ms (a number, or on-off-on...). Only while the page shows. */
export function buzz(pattern) {
  if (!navigator.vibrate || document.visibilityState !== "visible") return;
  try {
    navigator.vibrate(pattern);
  } catch {
    // Not allowed before a tap: fine.
  }
}

const SPEAKER = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 9h4l5-4v14l-5-4H4z" fill="currentColor"/>';
const WAVES = '<path class="sound-on" d="M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>';
const CROSS = '<path class="sound-off" d="M16 9l5 6M21 9l-5 6" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>';

/** The page's sound switch: a switch named "Sound", on or off (the speaker is crossed out when
 * off). `words`: "Sound" is written beside the speaker (the big screen); else it is the speaker
 * alone (the phone's header). */
export function soundSwitch({ words = false, cls = "" } = {}) {
  const b = h(
    "button",
    { class: `sound-switch ${cls}`, type: "button", role: "switch", "data-testid": "sound-switch" },
    h("span", { class: "sound-icon", html: SPEAKER + WAVES + CROSS }),
    h("span", { class: words ? "sound-words" : "sr-only" }, "Sound"),
  );
  b.addEventListener("click", () => setSoundOn(muted));
  switches.add(b);
  drawSwitch(b);
  return b;
}

function drawSwitch(b) {
  b.setAttribute("aria-checked", String(!muted));
  b.classList.toggle("muted", muted);
}
