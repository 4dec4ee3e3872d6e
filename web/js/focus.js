// The keyboard focus across redraws. The room's main area is drawn from scratch from every
// server message, so the button that had the focus is replaced by a new one and the focus would
// fall back to the page (a keyboard user would Tab from the top again, every turn). A keeper
// remembers the data-testid of what had the focus in its area and gives the focus back to the
// element with the same data-testid after each redraw. When that one cannot take it (a cell
// just taken, a board waiting for the other player) the board gets it: on the free cell nearest
// to it (games/kit.js, boardEntry), or the board itself until one is free.

import { boardEntry, rove } from "./games/kit.js";

/** Keeps the focus in `root` across redraws: `keeper.redraw(() => fill(root, ...))`. */
export function focusKeeper(root) {
  let wanted = null; // the data-testid of what had the focus last in `root`
  let inside = false; // the focus was last in `root` (it may have fallen to the page since)
  let restoring = false;

  document.addEventListener("focusin", (e) => {
    if (restoring) return;
    inside = root.contains(e.target);
    // The board itself takes the focus while a move is sent: keep the cell it came from.
    if (!inside || e.target.dataset.keys !== undefined) return;
    const el = e.target.closest("[data-testid]");
    wanted = el && root.contains(el) ? el.dataset.testid : null;
  });

  function restore() {
    const found = wanted ? root.querySelector(`[data-testid="${CSS.escape(wanted)}"]`) : null;
    let target = found && canFocus(found) ? found : null;
    const board = root.querySelector("[data-keys]");
    if (!target && board && canFocus(board)) {
      const items = [...board.querySelectorAll(":scope > button")];
      const was = found ? items.findIndex((b) => b.dataset.testid === wanted) : -1;
      const entry = boardEntry(board, was);
      rove(board, entry);
      target = entry || board;
    }
    if (!target && !found) {
      // Gone with its phase (Start once the game is on, Rematch back in the lobby): the main action.
      const action = root.querySelector(".room-actions button");
      if (action && canFocus(action)) target = action;
    }
    if (!target) return;
    if (board && board.contains(target) && target !== board) rove(board, target);
    restoring = true;
    try {
      target.focus({ preventScroll: true });
    } finally {
      restoring = false;
    }
  }

  return {
    /** Runs `draw` (which replaces what is in `root`), then puts the focus back. */
    redraw(draw) {
      const active = document.activeElement;
      const had = inside && (!active || active === document.body || root.contains(active));
      draw();
      if (had) restore();
    },
  };
}

/** Whether `el` can take the focus now: shown, and not a disabled control. */
function canFocus(el) {
  return !el.disabled && el.getClientRects().length > 0;
}
