// Elements that must survive a redraw. The page draws a room from scratch on every event, but
// some elements lose what they hold when they leave the document: a script game's board frame
// (an <iframe>) reloads. Such an element is drawn as a placeholder, keepSlot(live): fill()
// (dom.js) then keeps the live element where it is, in the document, and brings the new
// drawing around it, so it is never taken out. The elements on the way down to it (the board's
// wrappers) are kept too, with the new drawing's attributes; everything beside them is new.

/** A placeholder for `live` (an element with data-keep) in a new drawing. */
export function keepSlot(live) {
  const slot = document.createElement("div");
  slot.dataset.keepSlot = live.dataset.keep;
  slot.live = live;
  return slot;
}

/** Puts `children` into `el` in place of what it holds, keeping a live element that both the
 * old drawing and the new one (as a slot) have. */
export function replaceKeeping(el, children) {
  const slot = findSlot(children);
  if (!slot) return el.replaceChildren(...children);
  const live = slot.live;
  const oldPath = live.isConnected && el.contains(live) ? pathUp(live, el) : null;
  const newPath = pathUp(slot, null);
  const same = oldPath && oldPath.length === newPath.length && oldPath.every((n, i) => i === oldPath.length - 1 || n.tagName === newPath[i].tagName);
  if (!same) {
    // First drawing (or the shape changed): the live element goes in now.
    el.replaceChildren(...children);
    slot.replaceWith(live);
    return;
  }
  let parent = el;
  let kids = children;
  for (let i = 0; i < oldPath.length; i++) {
    const keep = oldPath[i];
    graft(parent, kids, newPath[i], keep);
    if (i === oldPath.length - 1) break;
    copyAttributes(newPath[i], keep);
    parent = keep;
    kids = [...newPath[i].childNodes];
  }
}

/** The slot among `nodes` or their descendants. */
function findSlot(nodes) {
  for (const n of nodes) {
    if (!(n instanceof Element)) continue;
    if (n.dataset.keepSlot !== undefined) return n;
    const inner = n.querySelector("[data-keep-slot]");
    if (inner) return inner;
  }
  return null;
}

/** `node` and its ancestors up to (not including) `top`, the topmost first. */
function pathUp(node, top) {
  const path = [];
  for (let n = node; n && n !== top; n = n.parentNode) {
    if (!(n instanceof Element)) break;
    path.unshift(n);
  }
  return path;
}

/** Makes `parent`'s children `kids`, with `keep` (already a child) in the place of `stand`. */
function graft(parent, kids, stand, keep) {
  for (const c of [...parent.childNodes]) if (c !== keep) c.remove();
  let before = true;
  for (const k of kids) {
    if (k === stand) before = false;
    else if (before) parent.insertBefore(k, keep);
    else parent.append(k);
  }
}

function copyAttributes(from, to) {
  for (const a of [...to.attributes]) if (!from.hasAttribute(a.name)) to.removeAttribute(a.name);
  for (const a of from.attributes) to.setAttribute(a.name, a.value);
}
