// The staff pages' live connection to /ws/agent (docs/realtime.md): resumes after= the last sequence,
// re-reads state on hello and resync, pings, and reconnects with back-off. Used by agent.js and
// wallboard.js; each page passes what to do with the frames.
(function () {
  "use strict";
  window.holdlessStaffSocket = function (o) {
    var socket = null, lastSeq = null, retry = 0, watchdog = null;
    function alive() {
      clearTimeout(watchdog);
      watchdog = setTimeout(function () { if (socket) socket.close(); }, 45000);
    }
    function connect() {
      var proto = location.protocol === "https:" ? "wss:" : "ws:";
      var ws = new WebSocket(proto + "//" + location.host + "/ws/agent" + (lastSeq !== null ? "?after=" + lastSeq : ""));
      socket = ws;
      o.setLive(false);
      ws.onopen = alive;
      ws.onmessage = function (e) {
        alive();
        var f = JSON.parse(e.data);
        if (f.type === "hello") {
          retry = 0;
          if (lastSeq === null) lastSeq = f.last_seq;
          o.setLive(true);
          o.onReady();
        } else if (f.type === "resync") {
          lastSeq = f.last_seq;
          o.onReady();
        } else if (f.type === "error") {
          if (o.onError) o.onError(f.message);
        } else if (f.seq) {
          lastSeq = f.seq;
          o.onEvent(f);
        }
      };
      ws.onclose = function (e) {
        if (socket !== ws) return;
        socket = null;
        clearTimeout(watchdog);
        o.setLive(false);
        if (e.code === 4401) { location.href = o.loginUrl; return; }
        setTimeout(connect, Math.min(10000, 500 * Math.pow(2, retry++)));
      };
    }
    setInterval(function () { if (socket && socket.readyState === 1) socket.send('{"type":"ping"}'); }, 15000);
    connect();
  };
})();
