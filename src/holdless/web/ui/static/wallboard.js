/* Supervisor wallboard: figures per queue, agents by state, callbacks, angry customers waiting, staffing
 * now, and a small chart of customers waiting over time (inline SVG, no library). Everything comes from
 * the public REST API; /ws/agent events only say "something changed", so a refresh runs at most once a
 * second after events, and every 10 s anyway. Licence: AGPL-3.0-or-later. */
(function () {
  "use strict";
  var t = JSON.parse(document.getElementById("texts").textContent);
  var el = function (id) { return document.getElementById(id); };
  var queuesEl = el("queues"), live = el("live"), errorEl = el("wall-error");
  var SVG = "http://www.w3.org/2000/svg";
  var waitingSince = {};          // queue id -> oldest queued_at (ms) among those waiting now
  var samples = [];               // [time ms, customers waiting] for the chart (last 10 minutes)
  var WINDOW_MS = 10 * 60 * 1000;

  function api(path) {
    return fetch("/api/v1" + path, { credentials: "same-origin" }).then(function (r) {
      if (r.status === 401) { location.href = "/login?next=/supervisor"; }
      return r.text().then(function (text) {
        var data = text ? JSON.parse(text) : null;
        if (!r.ok) throw new Error((data && data.error && data.error.message) || r.statusText);
        return data;
      });
    });
  }
  function node(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = text;
    return n;
  }
  function set(testid, text, bad) {
    var n = document.querySelector('[data-testid="' + testid + '"]');
    n.textContent = text;
    n.classList.toggle("bad", !!bad);
  }
  function pct(x) { return x === null || x === undefined ? "–" : Math.round(x * 100) + "%"; }
  function duration(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return s + " " + t.seconds_short;
    var m = Math.floor(s / 60);
    return m + " " + t.minutes_short + " " + (s % 60) + " " + t.seconds_short;
  }
  function fail(err) { errorEl.textContent = t.failed + ": " + err.message; }
  function soft(promise, fallback) { return promise.catch(function (err) { fail(err); return fallback; }); }

  // ---- figures ----------------------------------------------------------------------------------------
  function renderQueues(queues, rows, waiting) {
    var byQueue = {};
    rows.forEach(function (r) { byQueue[r.queue] = r; });
    var counts = {}, oldest = {};
    waiting.forEach(function (c) {
      var q = c.queue_id || "";
      counts[q] = (counts[q] || 0) + 1;
      var at = Date.parse(c.queued_at || c.first_queued_at || c.created_at);
      if (!isNaN(at) && (oldest[q] === undefined || at < oldest[q])) oldest[q] = at;
    });
    waitingSince = oldest;
    queuesEl.textContent = "";
    queues.forEach(function (q) {
      var r = byQueue[q.id] || {};
      var tr = node("tr");
      tr.setAttribute("data-testid", "wallboard-queue");
      tr.setAttribute("data-queue-id", q.id);
      var name = node("th", "", q.name);
      name.scope = "row";
      tr.appendChild(name);
      var waitingCell = node("td", "num", String(counts[q.id] || 0));
      waitingCell.setAttribute("data-testid", "wallboard-waiting");
      var longest = node("td", "num", oldest[q.id] === undefined ? "–" : duration(Date.now() - oldest[q.id]));
      longest.setAttribute("data-testid", "wallboard-longest-wait");
      longest.setAttribute("data-queue-id", q.id);
      var floor = Math.min.apply(null, (q.segments.length ? q.segments : [{ service_level: 0 }])
        .map(function (s) { return s.service_level; }));
      var sl = node("td", "num", pct(r.sl));
      sl.setAttribute("data-testid", "wallboard-service-level");
      if (r.sl !== null && r.sl !== undefined) sl.classList.add(r.sl < floor ? "bad" : "good");
      var targets = node("td", "", q.segments.map(function (s) {
        return s.name + ": " + pct(s.service_level) + " / " + s.target_seconds + " " + t.seconds_short;
      }).join(", ") || "–");
      var answered = node("td", "num", String(r.answered || 0));
      answered.setAttribute("data-testid", "wallboard-answered");
      var abandoned = node("td", "num", String(r.abandoned || 0));
      abandoned.setAttribute("data-testid", "wallboard-abandoned");
      [waitingCell, longest, sl, targets, answered, abandoned].forEach(function (c) { tr.appendChild(c); });
      queuesEl.appendChild(tr);
    });
  }
  function renderAgents(agents) {
    var by = { available: 0, away: 0, offline: 0 };
    agents.forEach(function (a) { by[a.state] = (by[a.state] || 0) + 1; });
    Object.keys(by).forEach(function (s) {
      var cell = document.querySelector('[data-testid="agents-' + s + '"]');
      if (cell) cell.textContent = String(by[s]);
    });
  }
  function renderCallbacks(summary, promised) {
    set("callbacks-open", summary ? String(summary.open) : "–");
    var risky = promised.filter(function (c) { return c.at_risk; }).length;
    set("callbacks-at-risk", String(risky), risky > 0);
    set("callbacks-kept-rate", summary ? pct(summary.kept_rate) : "–");
  }
  function renderStaffing(gap) {
    var now = Date.now(), current = null;
    if (gap && gap.intervals) {
      gap.intervals.forEach(function (i) {
        var start = Date.parse(i.start);
        if (start <= now && now < start + gap.interval_minutes * 60000) current = i;
      });
    }
    var noForecast = !current || current.needed === null || current.needed === undefined;
    el("staffing-note").hidden = !noForecast;
    if (gap && gap.note) el("staffing-note").title = gap.note;
    set("staffing-needed", noForecast ? "–" : String(current.needed));
    var on = current && current.logged_in !== null && current.logged_in !== undefined;
    set("staffing-logged-in", on ? String(Math.round(current.logged_in * 10) / 10) : "–");
    set("staffing-gap", noForecast || current.gap === null ? "–" : String(current.gap), !noForecast && current.gap < 0);
  }

  // ---- chart: customers waiting over time, an inline SVG polyline ---------------------------------------
  function svg(tag, attrs, text) {
    var n = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text !== undefined) n.textContent = text;
    return n;
  }
  function drawChart() {
    var W = 600, H = 160, L = 34, R = 8, T = 8, B = 22;
    var now = Date.now();
    samples = samples.filter(function (s) { return s[0] >= now - WINDOW_MS; });
    var top = Math.max(1, Math.max.apply(null, samples.map(function (s) { return s[1]; }).concat([1])));
    var x = function (ms) { return L + (W - L - R) * (1 - (now - ms) / WINDOW_MS); };
    var y = function (n) { return T + (H - T - B) * (1 - n / top); };
    var last = samples.length ? samples[samples.length - 1][1] : 0;
    var root = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": t.chart_label + ": " + last });
    root.appendChild(svg("title", {}, t.chart_label + ": " + last));
    root.appendChild(svg("line", { x1: L, y1: y(0), x2: W - R, y2: y(0), stroke: "#999" }));
    root.appendChild(svg("line", { x1: L, y1: T, x2: L, y2: y(0), stroke: "#999" }));
    root.appendChild(svg("text", { x: L - 4, y: T + 10, "text-anchor": "end", "font-size": 11, fill: "#555" }, String(top)));
    root.appendChild(svg("text", { x: L - 4, y: y(0), "text-anchor": "end", "font-size": 11, fill: "#555" }, "0"));
    root.appendChild(svg("text", { x: L, y: H - 6, "font-size": 11, fill: "#555" }, "−10 " + t.minutes_short));
    root.appendChild(svg("text", { x: W - R, y: H - 6, "text-anchor": "end", "font-size": 11, fill: "#555" },
      new Date(now).toLocaleTimeString()));
    if (samples.length) {
      // a step line: the count holds until the next sample
      var points = [], prev = null;
      samples.forEach(function (s) {
        if (prev !== null) points.push(x(s[0]).toFixed(1) + "," + y(prev).toFixed(1));
        points.push(x(s[0]).toFixed(1) + "," + y(s[1]).toFixed(1));
        prev = s[1];
      });
      points.push(x(now).toFixed(1) + "," + y(prev).toFixed(1));
      root.appendChild(svg("polyline", { points: points.join(" "), fill: "none", stroke: "#1f5fbf", "stroke-width": 2 }));
    }
    var box = el("chart");
    box.textContent = "";
    box.appendChild(root);
  }

  // ---- refresh ----------------------------------------------------------------------------------------
  var running = false, again = false, timer = null, lastRun = 0;
  function refresh() {
    if (running) { again = true; return; }
    running = true; lastRun = Date.now();
    Promise.all([
      api("/queues"),
      soft(api("/reports/live?by=queue"), { rows: [] }),
      soft(api("/conversations?status=queued&limit=200"), { items: [] }),
      soft(api("/agents"), []),
      soft(api("/callbacks/summary"), null),
      soft(api("/callbacks?status=promised&limit=1000"), []),
      soft(api("/workforce/gap"), null)
    ]).then(function (got) {
      var waiting = got[2].items;
      renderQueues(got[0], got[1].rows, waiting);
      renderAgents(got[3]);
      renderCallbacks(got[4], got[5]);
      set("wallboard-angry", String(waiting.filter(function (c) {
        return c.attributes && c.attributes.angry === "yes";
      }).length));
      renderStaffing(got[6]);
      samples.push([Date.now(), waiting.length]);
      drawChart();
      el("updated").textContent = t.updated + " " + new Date().toLocaleTimeString();
    }).catch(fail).finally(function () {
      running = false;
      if (again) { again = false; soon(); }
    });
  }
  function soon() {
    // at most one refresh a second, however many events arrive
    if (timer) return;
    timer = setTimeout(function () { timer = null; refresh(); }, Math.max(0, 1000 - (Date.now() - lastRun)));
  }
  setInterval(refresh, 10000);
  setInterval(function () {      // the longest wait keeps counting between refreshes
    document.querySelectorAll('[data-testid="wallboard-longest-wait"]').forEach(function (cell) {
      var since = waitingSince[cell.getAttribute("data-queue-id")];
      if (since !== undefined) cell.textContent = duration(Date.now() - since);
    });
  }, 1000);
  el("logout").addEventListener("click", function () {
    fetch("/api/v1/auth/logout", { method: "POST", credentials: "same-origin" })
      .finally(function () { location.href = "/login?next=/supervisor"; });
  });

  // ---- live -------------------------------------------------------------------------------------------
  refresh();
  window.holdlessStaffSocket({
    loginUrl: "/login?next=/supervisor",
    setLive: function (ok) {
      live.textContent = ok ? t.connected : t.reconnecting;
      live.classList.toggle("bad", !ok);
    },
    onReady: soon,
    onEvent: soon,
  });
})();
