// The messages screens as the app sees them: the conversation list and a conversation open over
// home or a room and go back to it (the conversation's back button to where it was opened
// from); the unread count on the Messages buttons; the bar that says the game waits for me;
// blocking from a conversation. What the screens show is messages-view.js's.

import { fill, h } from "./dom.js";
import { friendly, gameName, mySeat } from "./describe.js";
import { state } from "./state.js";
import { onScreenChange, showScreen, toast } from "./screens.js";

const $ = (id) => document.getElementById(id);

/**
 * @param {object} env
 * @param {import("./messages.js").Messages} env.messages  the model
 * @param {import("./messages-view.js").MessagesView} env.view
 * @param {() => void} env.showHome
 * @param {() => void} env.drawRoom
 */
export function createMessageScreens({ messages, view, showHome, drawRoom }) {
  let convFrom = "messages"; // where the conversation's back button goes: "messages", "home" or "room"

  /** The conversation list, over home or the room. */
  function openMessages() {
    if (state.screen === "home" || state.screen === "room") state.under = state.screen;
    showScreen("messages");
    drawBadges();
    view.drawList();
    messages.refresh();
  }

  /** One conversation; `from` is where its back button goes. */
  function openConversation(id, name, online, from) {
    if (state.screen === "home" || state.screen === "room") state.under = state.screen;
    convFrom = from;
    showScreen("conversation");
    view.open(id, name, online);
  }

  /** Back from the messages to the room (if still in one) or home. */
  function backToMain() {
    if (state.under === "room" && state.room) {
      showScreen("room");
      drawRoom();
    } else {
      showHome();
    }
  }

  /** The unread count on the Messages buttons. */
  function drawBadges() {
    const n = messages.totalUnread();
    for (const where of ["home", "room"]) {
      const badge = document.querySelector(`[data-testid=messages-badge-${where}]`);
      badge.hidden = n === 0;
      badge.textContent = n > 99 ? "99+" : String(n);
      $(`messages-${where}`).setAttribute("aria-label", n ? `Messages, ${n} unread` : "Messages");
    }
    $("messages-sub").textContent = n ? `${n} unread` : "";
  }

  /** On the messages screens, a bar that says when the game waits for me. */
  function drawTurnBars() {
    const room = state.room;
    const me = room ? mySeat(room) : null;
    const mine = !!room && room.phase === "playing" && me !== null && (room.turn || []).includes(me);
    for (const bar of document.querySelectorAll(".turn-bar")) {
      bar.hidden = !mine || state.under !== "room";
      if (mine) {
        bar.setAttribute("aria-label", `Your turn in ${gameName(room.game)}: back to the game`);
        fill(bar, h("strong", { class: "turn-bar-text" }, "It's your turn!"), h("span", { class: "turn-bar-go" }, "Back to the game"));
      }
    }
  }

  $("messages-home").addEventListener("click", () => openMessages());
  $("messages-room").addEventListener("click", () => openMessages());
  $("messages-back").addEventListener("click", () => backToMain());
  $("dm-back").addEventListener("click", () => {
    if (convFrom === "messages") openMessages();
    else backToMain();
  });
  for (const bar of document.querySelectorAll(".turn-bar")) bar.addEventListener("click", () => backToMain());

  $("dm-block").addEventListener("click", async () => {
    const c = messages.convs.get(messages.current);
    if (!c) return;
    const name = c.name || "this player";
    if (messages.isBlocked(c.with)) {
      try {
        await messages.setBlocked(c.with, false);
        toast(`${name} can write to you again.`, "info");
      } catch (err) {
        toast(friendly(err));
      }
      return;
    }
    $("block-title").textContent = `Block ${name}?`;
    $("block-text").textContent = `${name} will not be able to write to you or see when you are online. You can unblock later.`;
    $("block-dialog").returnValue = "";
    $("block-dialog").showModal();
  });
  $("block-dialog").addEventListener("close", async () => {
    if ($("block-dialog").returnValue !== "block" || !messages.current) return;
    try {
      await messages.setBlocked(messages.current, true);
    } catch (err) {
      toast(friendly(err));
    }
  });

  onScreenChange((before, name) => {
    if (before === "conversation" && name !== "conversation" && name !== "verify") view.close();
    if (before === "verify" && name !== "conversation") view.close();
    drawTurnBars();
  });

  /** Back from the safety number to its conversation. */
  function backToConversation() {
    showScreen("conversation");
    view.drawConversation(true);
  }

  return { openConversation, drawBadges, drawTurnBars, backToConversation };
}
