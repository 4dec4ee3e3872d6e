// This device's key pair for end-to-end encrypted direct messages, one per player on this
// browser. The private key is made by WebCrypto as non-extractable and kept in IndexedDB (which
// stores the CryptoKey object itself): the page can use it, but neither the page nor anything
// else can read its bytes out. Only the public key ever leaves (publish_key).
//
// WebCrypto exists only in a secure context: a page over https, or on the machine itself
// (localhost). Over plain http on the Wi-Fi `canEncrypt()` is false and there is no key.

import { deviceId, generateDeviceKey } from "./hpke.js";

const DB_NAME = "capital-e2e";
const STORE = "devices";

/** Whether this page can encrypt: a secure context, with WebCrypto. */
export function canEncrypt() {
  return window.isSecureContext === true && typeof crypto !== "undefined" && !!crypto.subtle;
}

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function tx(db, mode, run) {
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const req = run(t.objectStore(STORE));
    t.oncomplete = () => resolve(req.result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

/**
 * The key of player `playerId` on this device: the one kept, or a new one (kept from now on).
 * Resolves to {privateKey, publicRaw, id}.
 */
export async function deviceFor(playerId) {
  const db = await openDb();
  try {
    const kept = await tx(db, "readonly", (s) => s.get(playerId));
    if (kept && kept.privateKey && kept.publicRaw) {
      const publicRaw = new Uint8Array(kept.publicRaw);
      return { privateKey: kept.privateKey, publicRaw, id: await deviceId(publicRaw) };
    }
    const fresh = await generateDeviceKey();
    await tx(db, "readwrite", (s) => s.put({ privateKey: fresh.privateKey, publicRaw: fresh.publicRaw }, playerId));
    return { ...fresh, id: await deviceId(fresh.publicRaw) };
  } finally {
    db.close();
  }
}
