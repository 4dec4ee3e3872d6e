// Who can read a message, in words: the line under each direct message, the notice at the top
// of a conversation, and the line in a room's chat. One place, so that every screen says the
// same thing (docs/privacy.md explains each case).

/** True when this page came over plain http (not the machine itself, where http is private). */
export function onPlainHttp() {
  return location.protocol === "http:" && !window.isSecureContext;
}

/**
 * The line under a direct message. `status` is the conversation's (e2e.js); `standing`, for a
 * message received sealed, how far this device trusts the key that sealed it (e2e.keyStanding);
 * `oddity`, what the server may have done to a received one (messages-view.js).
 */
export function messageLabel(m, status, name, standing = null, oddity = null) {
  if (oddity === "again") return `Delivered a second time: the same message as an earlier one from ${name}`;
  if (oddity === "clear") return `Not encrypted, in an encrypted conversation: it may not be from ${name}`;
  if (m.sealed) {
    if (m.unreadable) return `Encrypted, but this device cannot open it: ${m.unreadable}`;
    if (standing === "new") return `Sealed by a new device of ${name}'s that you have not accepted`;
    const verified = standing ? standing === "verified" && status === "verified" : status === "verified";
    return `Only you and ${name} can read this (${verified ? "verified" : "not verified"})`;
  }
  return onPlainHttp()
    ? "Not encrypted (http): the server and anyone on this Wi-Fi can read this"
    : "Not encrypted: the server can read this";
}

/** Why a message of mine waits (`heldFor`: whose keys it waits for; `meId`: mine). */
export function heldWords(status, heldFor, meId, name) {
  if (heldFor === meId || status === "self-changed") return "Waiting: a new device was added to your account";
  if (status === "lost") return `Waiting: ${name} has no encrypted device now`;
  return `Waiting: ${name}'s safety number changed`;
}

/** The button that goes on past a warning, for the statuses that hold messages. */
export const GO_ON = {
  changed: "I understand, go on",
  "self-changed": "It was me, go on",
  lost: "Send unencrypted",
};

/** The line on a room's chat. */
export const ROOM_CHAT_LABEL = "Room chat: the server and the teacher can read it";

/**
 * The notice at the top of a conversation: {kind, title, text}, kind one of "ok", "warn",
 * "danger". `wasSealed`: the conversation has encrypted messages.
 */
export function conversationNotice(status, name, wasSealed) {
  switch (status) {
    case "insecure":
      return wasSealed
        ? {
            kind: "danger",
            title: "Encrypted conversation: open it on the https page",
            text: `Your messages with ${name} are end-to-end encrypted, but this page came over plain http, where the browser cannot encrypt. Capital will not send them in the clear: open the secure address to read and write.`,
          }
        : {
            kind: "danger",
            title: "Not encrypted (http)",
            text: "This page came over plain http. Browsers encrypt only on a secure (https) page, so these messages go in the clear: the server can read them, and so can anyone on this Wi-Fi who looks. To encrypt, use Capital's https address (whoever runs it starts it with --tls) after installing its certificate on this phone.",
          };
    case "nokey":
      return {
        kind: "danger",
        title: "This browser has no encryption key",
        text: `This page can encrypt, but it could not make or publish its key (a private window, or storage that is full or blocked), so it can neither read nor send encrypted messages. Messages to ${name} are not sent in the clear on that account: reload the page to try again.`,
      };
    case "self-changed":
      return {
        kind: "danger",
        title: "A new device was added to your account",
        text: `The server lists a device of yours that this phone has not seen before. If you just signed in on another phone or browser, that is it. If not, someone may be trying to read your messages: do not send anything private. Messages you write now wait until you choose.`,
      };
    case "lost":
      return {
        kind: "danger",
        title: `${name} can no longer receive encrypted messages`,
        text: `${name} had a device that could read encrypted messages, and the server lists none now: ${name} may have cleared the browser or moved to a page on http, or someone wants your messages in the clear. Messages you write now wait: if you go on, they are not encrypted, and the server can read them.`,
      };
    case "none":
      return {
        kind: "warn",
        title: "Not encrypted",
        text: `${name}'s browser has no key yet (${name}'s page is not on https), so messages to ${name} are not encrypted: the server can read them.`,
      };
    case "changed":
      return {
        kind: "danger",
        title: `${name}'s safety number changed`,
        text: `${name} has a new device or browser, or someone is trying to read your messages. Compare your safety numbers again before you send anything private. Messages you write now wait until you choose.`,
      };
    case "verified":
      return { kind: "ok", title: `Only you and ${name} can read these (verified)`, text: "End-to-end encrypted. You compared your safety numbers." };
    case "unverified":
      return {
        kind: "ok",
        title: `Only you and ${name} can read these (not verified)`,
        text: "End-to-end encrypted. Compare your safety numbers to be sure nobody is in between.",
      };
    default:
      return { kind: "ok", title: "Checking encryption…", text: "" };
  }
}
