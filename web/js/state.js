// What the phone app knows, shared by its screens. Only plain data: who this page is, the room
// it shows, which screen is on. The room screen is drawn only from the last `room` the server
// sent (every state event carries the whole room as this player sees it) plus the chat; nothing
// is guessed locally. Each field says which module writes it.

export const state = {
  me: null, // {id, name, username} from welcome (session.js)
  games: null, // from list_games (session.js)
  code: null, // the room this page is in, or goes back to (room.js, from localStorage at start)
  room: null, // the last RoomView received for `code` (room.js)
  seq: 0, // the last event seq seen in `code` (room.js)
  pendingJoin: null, // {code, as} to join once connected, from /join/CODE (app.js; room.js clears it)
  badLink: null, // what followed /join/ in the address when it was no room code (app.js; room.js clears it)
  wantName: null, // a name to say hello with, first visit or renaming (home.js; session.js clears it)
  wantLogin: null, // {username, password} to log in with on the next connection (account.js)
  online: false, // the connection is up and past hello (session.js)
  myRooms: [], // open rooms this player belongs to, from welcome (session.js)
  screen: "loading", // the screen on show (screens.js)
  under: "home", // "home" or "room": what the messages screens go back to (room.js, messages-screens.js)
};

/** Wide screens show the chat as a column beside the game, always open (style.css, "Desktop");
 * a landscape phone, less tall, keeps the drawer (phone.css). */
export const WIDE = matchMedia("(min-width: 900px) and (min-height: 561px)");
