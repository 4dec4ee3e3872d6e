// The phone app: the modules it is made of, and how they are wired together.
//
// Screens: name (or log in) -> home (join by code, or create a room) -> room (lobby, game,
// result; chat). Messages (the conversation list, one conversation) open over home or a room and
// go back to it; the account screen logs in or turns the guest into an account.
//
//   state.js             what the page knows: who I am, the room on show, the screen on show
//   screens.js           which screen is on show, the page title, Back, the toast
//   session.js           the connection: hello or log in, the token in localStorage, the banner
//   account.js           register, log in, log out, an expired session; home's account card
//   home.js              the name screen and home (your rooms, join by code); new-room.js the
//                        New room card
//   room.js              the room this page is in: join, resume, follow, leave; its screen, drawn
//                        by room-view.js (lobby, game: boards.js) with its chat (chat.js)
//   games/               one module per game (its board and words) and the registry, index.js;
//                        boards.js, describe.js and members.js ask it (seats.js knows no game)
//   fun/                 players' looks, "joined" moments, sounds and buzzes, the celebration,
//                        the 3-2-1 reveal; room.js hands it the room's events (room-fun.js)
//   messages.js          direct messages: conversations, receipts, unread counts (no DOM)
//   messages-view.js     the conversation list and the open conversation
//   messages-screens.js  those screens over home or a room, the unread badges, blocking
//   e2e/                 end-to-end encryption of direct messages: this device's key, sealing
//                        and opening, safety numbers (e2e.js), who can read what (words.js);
//                        verify-view.js the safety-number screen and scanned codes;
//                        privacy-view.js "can somebody read my messages?", with a real one
//
// No module imports one that sits above it: each is handed what it calls in the others, here.
// The hooks are arrow functions, so the modules can be made in any order.

import { E2e } from "./e2e/e2e.js";
import { Messages } from "./messages.js";
import { MessagesView } from "./messages-view.js";
import { createMessageScreens } from "./messages-screens.js";
import { createVerify } from "./verify-view.js";
import { createPrivacy } from "./privacy-view.js";
import { createSession, hasToken } from "./session.js";
import { createAccount } from "./account.js";
import { createHome } from "./home.js";
import { createRoom } from "./room.js";
import { loadServerInfo, setServerInfo } from "./info.js";
import { setIceServers } from "./p2p/signal.js";
import { state } from "./state.js";
import { setAddress, toast } from "./screens.js";

// Script errors are collected so that the browser tests can check there were none.
window.capitalErrors = [];
window.addEventListener("error", (e) => window.capitalErrors.push(String(e.message)));
window.addEventListener("unhandledrejection", (e) => window.capitalErrors.push(String(e.reason)));

const session = createSession({
  onEvent: (msg) => room.onEvent(msg),
  onFrame: (msg) => room.onFrame(msg),
  // An announcement from the teacher's console shows on every phone; a peer-to-peer room's
  // signalling is the room's; the rest is messages'.
  onPush: (msg) =>
    msg.type === "announcement"
      ? toast(`Announcement: ${msg.text}`, "info")
      : msg.type === "signal"
        ? room.onSignal(msg)
        : messages.onPush(msg),
  enterRoom: (c, welcome) => room.enterRoom(c, welcome),
  catchUp: async (request) => {
    await e2e.connected(request);
    await messages.sync(request);
  },
  forgetRoom: () => room.leaveRoomLocally(),
  forgetMessages: () => {
    e2e.reset();
    messages.reset();
  },
  askName: (message) => home.showNameScreen(message),
  askLogin: (notice, username) => account.show("login", { notice, username }),
  loginFailed: (error, username) => account.loginFailed(error, username),
  backOnline: () => {
    e2e.online();
    room.flushChat();
    messages.backOnline();
    verify.checkAddress();
    privacy.checkAddress();
  },
  redraw: () => room.drawRoom(),
});
const conn = session.conn;

const e2e = new E2e({
  request: (type, fields) => conn.request(type, fields),
  meId: () => (state.me ? state.me.id : null),
});

const messages = new Messages({
  request: (type, fields) => conn.request(type, fields),
  meId: () => (state.me ? state.me.id : null),
  online: () => state.online,
  visible: () => state.screen === "conversation" && document.visibilityState === "visible",
  onUnread: () => messageScreens.drawBadges(),
  onChange: (id) => messagesView.changed(id),
  nameOf: (id) => room.knownName(id),
  e2e,
});

const messagesView = new MessagesView(messages, {
  meId: () => (state.me ? state.me.id : null),
  online: () => state.online,
  toast: (text, kind) => toast(text, kind),
  openConversation: (id, name) => messageScreens.openConversation(id, name, null, "messages"),
  e2e,
  openVerify: (id, name) => verify.openVerify(id, name),
});

const verify = createVerify({
  e2e,
  messages,
  backToConversation: () => messageScreens.backToConversation(),
  openConversation: (id, name) => messageScreens.openConversation(id, name, null, "messages"),
});

const room = createRoom({
  conn,
  showHome: () => home.showHome(),
  drawHome: () => home.drawHome(),
  showJoinError: (code, text) => home.showJoinError(code, text),
  drawTurnBars: () => messageScreens.drawTurnBars(),
  openConversation: (id, name, online, from) => messageScreens.openConversation(id, name, online, from),
});

const messageScreens = createMessageScreens({
  messages,
  view: messagesView,
  showHome: () => home.showHome(),
  drawRoom: () => room.drawRoom(),
});

const privacy = createPrivacy({
  request: (type, fields) => conn.request(type, fields),
  messages,
  e2e,
  showHome: () => home.showHome(),
});

const account = createAccount({
  session,
  showHome: () => home.showHome(),
  showNameScreen: (message, notice) => home.showNameScreen(message, notice),
});

const home = createHome({
  conn,
  room,
  drawAccountCard: () => account.drawCard(),
  drawBadges: () => messageScreens.drawBadges(),
});

function boot() {
  const link = location.pathname.match(/^\/join\/([^/]*)\/?$/);
  if (link) {
    let typed = link[1];
    try {
      typed = decodeURIComponent(typed);
    } catch {
      // Not valid percent-encoding: show it as it is.
    }
    if (/^[A-Za-z]{4}$/.test(typed)) {
      state.pendingJoin = { code: typed.toUpperCase(), as: "player" };
    } else {
      state.badLink = typed; // said on home once connected (room.js)
      setAddress("/");
    }
  }
  // Where phones reach this server: a page opened on the server itself shows the LAN address.
  loadServerInfo((info) => {
    setIceServers(info.ice_servers); // the STUN/TURN servers of peer-to-peer rooms, if any
    if (state.room) room.drawRoom();
  });
  if (hasToken()) {
    conn.start();
  } else {
    home.showNameScreen();
  }
}

// A hook for the browser tests: lose the network for a while, and get it back.
window.capitalTest = {
  dropConnection: (ms) => conn.dropFor(ms),
  retry: () => ({ attempt: conn.attempt, delay: conn.retryDelay, status: conn.status }),
  networkBack: () => conn.holdOver(),
  state: () => ({ code: state.code, seq: state.seq, online: state.online, me: state.me, screen: state.screen }),
  serverInfo: (info) => {
    setServerInfo(info);
    if (state.room) room.drawRoom();
  },
};

boot();
