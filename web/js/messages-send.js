// Sending direct messages: the part of the model (messages.js) that takes what I write to the
// server. A message shows at once as "sending..."; offline, it waits and is sent again with the
// same client_msg_id when the connection is back (the server stores it once). It goes out
// sealed whenever both players can (e2e/e2e.js), and in the clear only where the screen says so:
//
// - While keys wait to be accepted (a contact's new device, a device added to my own list, a
//   contact whose devices are all gone), it waits (`held`, with `heldFor` the player whose keys
//   changed) instead of going out.
// - A conversation that was encrypted is never continued in the clear from a page that cannot
//   encrypt (plain http), and a message that went out sealed once is never retried in the clear.
// - When the server says the devices changed (`keys_changed`), they are fetched again and the
//   message is sealed once more; when it is too busy or the address sent too much this minute
//   (`busy`, `rate_limited`), the same message goes again after the wait it names.
//
// These are methods of Messages (messages.js mixes them in), so they use its conversations.

import { friendly, isConnectionError } from "./describe.js";
import { newMsgId } from "./chat.js";
import { KeysChanged } from "./e2e/e2e.js";

/** Times a message refused for load (rate_limited, busy) is sent again before it fails. */
const SEND_TRIES = 5;

/** When to try again after `err`: the seconds the server said ("try again in 12 seconds"), or 5. */
function againInMs(err) {
  const said = /in (\d+) seconds?/.exec(err.message || "");
  return Math.min(60, said ? Number(said[1]) + 1 : 5) * 1000;
}

export const sending = {
  send(text) {
    const c = this.convs.get(this.current);
    if (!c) return;
    const pending = { text, clientMsgId: newMsgId(), failed: null, form: null };
    c.outbox.push(pending);
    this.changed(c.with);
    this.sendOne(c, pending);
  },

  async sendOne(c, pending) {
    if (!this.opts.online() || pending.sending) return; // flush() sends it when the connection is back
    pending.sending = true;
    try {
      const reply = await this.sendSealedOrNot(c, pending);
      if (!reply) return; // held, or refused before it went out
      this.add(c, {
        from: this.opts.meId(),
        to: c.with,
        seq: reply.seq,
        ts: reply.ts,
        text: pending.text,
        sealed: pending.sealed,
        opened: !!pending.sealed,
        client_msg_id: pending.clientMsgId,
        delivered: false,
        read: false,
      });
    } catch (err) {
      if (isConnectionError(err)) return; // sent again by flush()
      if (["rate_limited", "busy"].includes(err.code) && (pending.tries = (pending.tries || 0) + 1) <= SEND_TRIES) {
        // Too much at once (the server's bytes a minute, say): the same message, a little later.
        setTimeout(() => this.sendOne(c, pending), againInMs(err));
        return;
      }
      pending.failed = err.code === "blocked" ? this.blockedWords(c) : friendly(err);
    } finally {
      pending.sending = false;
      this.changed(c.with);
    }
  },

  /**
   * Sends `pending` sealed when both can, in the clear only where that is said on screen; the
   * reply, or null when it must wait or was refused here (`failed` says why).
   */
  async sendSealedOrNot(c, pending) {
    const e2e = this.opts.e2e;
    for (let attempt = 0; ; attempt += 1) {
      let fields;
      try {
        fields = await e2e.fieldsFor(c.with, pending.text, pending.clientMsgId, attempt > 0);
      } catch (err) {
        if (!(err instanceof KeysChanged)) throw err;
        Object.assign(pending, { held: true, heldFor: err.other });
        return null;
      }
      const form = fields.sealed ? "sealed" : "text";
      if (form === "text" && !e2e.available && (this.wasSealed(c) || e2e.wasEncrypted(c.with))) {
        pending.failed = "This conversation is encrypted, and this page cannot encrypt (it is not on https).";
        return null;
      }
      if (pending.form === "sealed" && form === "text") {
        // It may be stored sealed already (the reply was lost): never a second copy in the clear.
        pending.failed = "This message was going out encrypted, and now cannot be: it was not sent again.";
        return null;
      }
      pending.form = form;
      pending.sealed = fields.sealed || null;
      try {
        return await this.opts.request("dm", { to: c.with, client_msg_id: pending.clientMsgId, ...fields });
      } catch (err) {
        if (err.code !== "keys_changed" || attempt > 0) throw err;
      }
    }
  },

  /** The user accepted what the warning on `c` showed: what waited goes out (or waits again
   * for the next warning). */
  sendHeld(c) {
    this.opts.e2e.acceptChange(c.with);
    this.releaseHeld(c);
  },

  /**
   * What waited for keys goes out once they are accepted (verified: then accepting them again
   * would undo the verification); what still has reason to wait is held again.
   */
  releaseHeld(c) {
    for (const p of c.outbox) p.held = false;
    this.flush();
    this.changed(c.with);
  },

  /** Send what waits, with the same ids. */
  flush() {
    for (const c of this.convs.values()) for (const p of c.outbox) if (!p.failed && !p.held) this.sendOne(c, p);
  },

  blockedWords(c) {
    return this.isBlocked(c.with)
      ? `You blocked ${c.name || "this player"}. Unblock to write again.`
      : `${c.name || "This player"} is not taking messages from you.`;
  },
};
