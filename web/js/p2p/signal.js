// One WebRTC connection between this phone and another member of a peer-to-peer room, with one
// data channel ("game") for the game's messages. The server only carries the signalling: each
// offer, answer and ICE candidate goes out as a `signal` request to the other member, and
// theirs come back as `signal` pushes (docs/protocol.md, "Peer-to-peer rooms"). The host's phone
// makes the offer; the other answers. What `data` holds:
//
//   {hello: 1}                                   a player asks the host for an offer
//   {sdp: {type: "offer"|"answer", sdp}}         a session description
//   {candidate: {candidate, sdpMid, sdpMLineIndex}}  an ICE candidate
//
// By default only host candidates are used (`iceServers: []`: phones on one network, no
// outside server); the server's `ice_servers` setting (a TURN server of the school's, say)
// comes with /api/info, and app.js hands it to setIceServers().

/** The ICE servers each new connection gets (none: host candidates only). */
let iceServers = [];

/** Sets the ICE servers (RTCIceServer objects) of the connections made from now on. */
export function setIceServers(list) {
  iceServers = Array.isArray(list) ? list : [];
}

/** How long a connection may take to open its data channel before we say it did not (ms). */
export const OPEN_WITHIN_MS = 10_000;

export class Link {
  /**
   * @param {object} o
   * @param {string} o.peer          the other member's player id
   * @param {boolean} o.offerer      true on the host's phone
   * @param {(data: object) => Promise<unknown>} o.signal  sends signalling to the peer
   * @param {(link: Link) => void} o.onOpen       the data channel opened
   * @param {(msg: object, link: Link) => void} o.onMessage  a message over it (parsed JSON)
   * @param {(link: Link) => void} o.onClose      it closed, or never opened in time
   */
  constructor({ peer, offerer, signal, onOpen, onMessage, onClose }) {
    this.peer = peer;
    this.offerer = offerer;
    this.signal = signal;
    this.on = { open: onOpen, message: onMessage, close: onClose };
    this.state = "connecting"; // then "open", then "closed"; or "failed" (never opened)
    this.channel = null;
    this.early = []; // candidates that came before the other side's description
    this.pc = new RTCPeerConnection({ iceServers });
    this.pc.onicecandidate = (e) => {
      if (e.candidate) this.say({ candidate: e.candidate.toJSON() });
    };
    this.pc.onconnectionstatechange = () => {
      if (this.pc.connectionState === "failed" || this.pc.connectionState === "closed") this.ended();
    };
    this.pc.ondatachannel = (e) => this.adopt(e.channel);
    this.timer = setTimeout(() => {
      if (this.state === "connecting") {
        this.state = "failed";
        this.close();
        this.on.close(this);
      }
    }, OPEN_WITHIN_MS);
  }

  /** The host's side: makes the channel and the offer. */
  async offer() {
    this.adopt(this.pc.createDataChannel("game", { ordered: true }));
    await this.pc.setLocalDescription(await this.pc.createOffer());
    this.say({ sdp: this.pc.localDescription.toJSON() });
  }

  /** Signalling from the peer: their description or a candidate. */
  async heard(data) {
    if (!data || this.state === "closed" || this.state === "failed") return;
    if (data.sdp && (data.sdp.type === "offer" || data.sdp.type === "answer")) {
      if ((data.sdp.type === "offer") === this.offerer) return; // not ours to take
      await this.pc.setRemoteDescription(data.sdp);
      if (data.sdp.type === "offer") {
        await this.pc.setLocalDescription(await this.pc.createAnswer());
        this.say({ sdp: this.pc.localDescription.toJSON() });
      }
      for (const c of this.early.splice(0)) await this.pc.addIceCandidate(c).catch(() => {});
    } else if (data.candidate && typeof data.candidate === "object") {
      if (this.pc.remoteDescription) await this.pc.addIceCandidate(data.candidate).catch(() => {});
      else if (this.early.length < 100) this.early.push(data.candidate);
    }
  }

  /** Sends a game message to the peer (dropped when the channel is not open). */
  send(msg) {
    if (this.state === "open" && this.channel.readyState === "open") this.channel.send(JSON.stringify(msg));
  }

  /** Ends the connection (without telling onClose). */
  close() {
    clearTimeout(this.timer);
    if (this.state !== "failed") this.state = "closed";
    this.pc.close();
  }

  adopt(channel) {
    if (this.channel) return;
    this.channel = channel;
    channel.onopen = () => {
      if (this.state !== "connecting") return;
      clearTimeout(this.timer);
      this.state = "open";
      this.on.open(this);
    };
    channel.onmessage = (e) => {
      let msg;
      try {
        msg = JSON.parse(e.data);
      } catch {
        return; // not ours
      }
      if (msg && typeof msg === "object") this.on.message(msg, this);
    };
    channel.onclose = () => this.ended();
  }

  ended() {
    const was = this.state;
    if (was !== "open" && was !== "connecting") return;
    this.close();
    if (was === "connecting") this.state = "failed";
    this.on.close(this);
  }

  say(data) {
    this.signal(data).catch((err) => console.warn(`signal to ${this.peer}: ${err.code || err.message}`));
  }
}
