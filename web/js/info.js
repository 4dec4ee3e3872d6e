// Where phones can reach this server, from GET /api/info:
//   {"urls": ["http://192.168.1.20:8080/", ...], "mdns": "http://capital.local:8080/" | null, "version",
//    "ice_servers": [RTCIceServer...] (for peer-to-peer rooms; [] when the server names none)}
//
// A page opened on the server machine itself (localhost, 127.0.0.1, ::1) has an address no
// phone can open, so its join links use the server's main LAN address (urls[0]) instead. The
// mDNS name, when the server announces one, is offered as a second way in.

let info = null;
let loading = null;

/** True when this page was opened through the machine's loopback. */
export function onLoopback(hostname = location.hostname) {
  const name = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return name === "localhost" || name.endsWith(".localhost") || name === "::1" || /^127(\.\d{1,3}){3}$/.test(name);
}

/**
 * Fetches /api/info once; resolves with it (or null when it cannot be had). `onChange` runs
 * when it arrives, so a lobby already on screen can show the better link.
 */
export function loadServerInfo(onChange) {
  if (!loading) {
    loading = fetch("/api/info", { cache: "no-store" })
      .then((r) => (r.ok ? r.json() : null))
      .then((body) => {
        info = body && typeof body === "object" ? body : null;
        return info;
      })
      .catch(() => null);
  }
  if (onChange) loading.then((got) => got && onChange(got));
  return loading;
}

/** The origin to put in join links: this page's own, or the LAN address when on loopback. */
export function publicOrigin() {
  if (onLoopback() && info && Array.isArray(info.urls) && typeof info.urls[0] === "string") {
    return info.urls[0].replace(/\/+$/, "");
  }
  return location.origin;
}

/** The mDNS origin ("http://capital.local:8080") when the server has one and this page is
 * not already using it; else null. */
export function mdnsHint() {
  if (!info || typeof info.mdns !== "string" || !info.mdns) return null;
  try {
    const url = new URL(info.mdns);
    if (url.host === location.host) return null;
    return url.origin;
  } catch {
    return null;
  }
}

/** Testing aid: use this instead of what the server said. */
export function setServerInfo(value) {
  info = value;
  loading = Promise.resolve(value);
}
