/* Agent desktop: state, inbox (offers and assigned conversations), one conversation at a time.
 * REST for actions and state, /ws/agent (session cookie) for everything live; on each (re)connect the
 * lists are reloaded, so nothing depends on every event arriving. Licence: AGPL-3.0-or-later. */
(function () {
  "use strict";
  var desk = document.getElementById("desk");
  var me = desk.getAttribute("data-user-id");
  var t = JSON.parse(document.getElementById("texts").textContent);
  var el = function (id) { return document.getElementById(id); };
  var stateSelect = el("state"), live = el("live"), offersEl = el("offers"), assignedEl = el("assigned");
  var messagesEl = el("messages"), view = el("view"), errorEl = el("conv-error");
  var current = null;             // conversation id on screen
  var shown = {};                 // message id -> true (for the conversation on screen)
  var conversations = {};         // id -> conversation (cache for titles)

  function api(method, path, body) {
    return fetch("/api/v1" + path, {
      method: method, credentials: "same-origin",
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      return r.text().then(function (text) {
        var data = text ? JSON.parse(text) : null;
        if (r.status === 401) { location.href = "/login"; }
        if (!r.ok) throw new Error((data && data.error && data.error.message) || r.statusText);
        return data;
      });
    });
  }
  function node(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }
  function fail(err) { errorEl.textContent = t.failed + ": " + err.message; }
  var customers = {};             // id -> promise of the customer's name
  function title(c) {
    return (c && (c.subject || c.id)) || "";
  }
  function customerName(id) {
    if (!id) return Promise.resolve("");
    if (!customers[id]) {
      customers[id] = api("GET", "/customers/" + id).then(function (p) { return p.name; })
        .catch(function () { return ""; });
    }
    return customers[id];
  }
  function label(c) {
    // "Customer name — subject", falling back to the conversation id
    return customerName(c && c.customer_id).then(function (name) {
      var subject = (c && c.subject) || "";
      return name && subject ? name + " — " + subject : name || title(c);
    });
  }

  // ---- state ------------------------------------------------------------------------------------------
  api("GET", "/agents/" + me).then(function (a) { stateSelect.value = a.state; }).catch(fail);
  stateSelect.addEventListener("change", function () {
    api("POST", "/agents/" + me + "/state", { state: stateSelect.value })
      .then(function (a) { stateSelect.value = a.state; refresh(); }).catch(fail);
  });
  el("logout").addEventListener("click", function () {
    api("POST", "/auth/logout").finally(function () { location.href = "/login"; });
  });

  // ---- inbox ------------------------------------------------------------------------------------------
  function conversation(id) {
    if (conversations[id]) return Promise.resolve(conversations[id]);
    return api("GET", "/conversations/" + id).then(function (c) { conversations[id] = c; return c; })
      .catch(function () { return { id: id, subject: "" }; });
  }
  function renderOffers(offers) {
    offersEl.textContent = "";
    el("no-offers").hidden = offers.length > 0;
    offers.forEach(function (o) {
      var li = node("li");
      li.setAttribute("data-testid", "inbox-item");
      li.setAttribute("data-kind", "offer");
      li.setAttribute("data-conversation-id", o.conversation_id);
      var subject = node("span", "subject", o.conversation_id);
      var meta = node("span", "meta", t.expires + " " + new Date(o.expires_at).toLocaleTimeString());
      var actions = node("div", "actions");
      var accept = node("button", "", t.accept);
      accept.type = "button";
      accept.setAttribute("data-testid", "offer-accept");
      var decline = node("button", "secondary", t.decline);
      decline.type = "button";
      decline.setAttribute("data-testid", "offer-decline");
      accept.addEventListener("click", function () {
        accept.disabled = true;
        api("POST", "/offers/" + o.id + "/accept").then(function (c) {
          conversations[c.id] = c;
          refresh();
          openConversation(c.id);
        }).catch(function (err) { fail(err); refresh(); });
      });
      decline.addEventListener("click", function () {
        decline.disabled = true;
        api("POST", "/offers/" + o.id + "/decline", { reason: "" }).then(refresh).catch(function (err) { fail(err); refresh(); });
      });
      actions.appendChild(accept);
      actions.appendChild(decline);
      li.appendChild(subject); li.appendChild(meta); li.appendChild(actions);
      offersEl.appendChild(li);
      conversation(o.conversation_id).then(label).then(function (text) { subject.textContent = text; });
    });
  }
  function renderAssigned(items) {
    assignedEl.textContent = "";
    el("no-assigned").hidden = items.length > 0;
    items.forEach(function (c) {
      conversations[c.id] = c;
      var li = node("li");
      li.setAttribute("data-testid", "inbox-item");
      li.setAttribute("data-kind", "assigned");
      li.setAttribute("data-conversation-id", c.id);
      if (c.id === current) li.classList.add("current");
      var open = node("button", "open");
      open.type = "button";
      var name = node("span", "subject", title(c));
      label(c).then(function (text) { name.textContent = text; });
      open.appendChild(name);
      open.appendChild(node("span", "meta", c.channel + " · " + (c.language || "") + " · " + c.status));
      open.addEventListener("click", function () { openConversation(c.id); });
      li.appendChild(open);
      assignedEl.appendChild(li);
    });
  }
  var refreshing = null, again = false;
  function refresh() {
    if (refreshing) { again = true; return refreshing; }
    refreshing = Promise.all([
      api("GET", "/offers").then(renderOffers),
      api("GET", "/conversations?assignee_id=" + encodeURIComponent(me) + "&status=assigned&status=away&limit=200")
        .then(function (page) { renderAssigned(page.items); })
    ]).catch(fail).finally(function () {
      refreshing = null;
      if (again) { again = false; refresh(); }
    });
    return refreshing;
  }

  // ---- one conversation -------------------------------------------------------------------------------
  var maxSeq = 0;
  function showMessage(m) {
    if (m.conversation_id !== current || shown[m.id]) return;
    shown[m.id] = true;
    var li = node("li");
    li.setAttribute("data-testid", "conversation-message");
    li.setAttribute("data-author", m.author);
    li.setAttribute("data-seq", m.seq);
    li.appendChild(node("span", "who", t[m.author] || m.author));
    li.appendChild(node("span", "text", m.text));
    var before = null;
    messagesEl.querySelectorAll("li").forEach(function (x) {
      if (before === null && Number(x.getAttribute("data-seq")) > m.seq) before = x;
    });
    messagesEl.insertBefore(li, before);
    if (m.seq > maxSeq) maxSeq = m.seq;
    messagesEl.scrollTop = messagesEl.scrollHeight;
  }
  function loadMessages() {
    if (!current) return Promise.resolve();
    var id = current;
    return api("GET", "/conversations/" + id + "/messages?limit=200&after_seq=" + maxSeq).then(function (list) {
      if (id === current) list.forEach(showMessage);
    }).catch(fail);
  }
  function openConversation(id) {
    current = id; shown = {}; maxSeq = 0;
    messagesEl.textContent = "";
    errorEl.textContent = "";
    view.hidden = false;
    el("pick").hidden = true;
    el("conv-title").textContent = title(conversations[id]) || id;
    conversation(id).then(label).then(function (text) { if (current === id) el("conv-title").textContent = text; });
    assignedEl.querySelectorAll("li").forEach(function (li) {
      li.classList.toggle("current", li.getAttribute("data-conversation-id") === id);
    });
    loadMessages();
    el("reply-text").focus();
  }
  var counter = 0;
  el("reply").addEventListener("submit", function (e) {
    e.preventDefault();
    var box = el("reply-text"), text = box.value.trim();
    if (!text || !current) return;
    var body = { text: text, client_message_id: "a-" + Date.now().toString(36) + "-" + (counter++) };
    var send = function (attempt) {
      return api("POST", "/conversations/" + current + "/messages", body).then(function (m) {
        box.value = "";
        showMessage(m);
      }).catch(function (err) {
        // Retrying with the same client_message_id is safe: the server stores it once.
        if (attempt < 2) return new Promise(function (r) { setTimeout(r, 500); }).then(function () { return send(attempt + 1); });
        fail(err);
        return null;
      });
    };
    send(0);
  });
  el("reply-text").addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); el("reply").requestSubmit(); }
  });
  el("resolve").addEventListener("submit", function (e) {
    e.preventDefault();
    if (!current) return;
    api("POST", "/conversations/" + current + "/resolve", { disposition: el("disposition").value }).then(function (c) {
      conversations[c.id] = c;
      errorEl.textContent = t.resolved_msg;
      refresh();
    }).catch(fail);
  });

  // ---- live -------------------------------------------------------------------------------------------
  window.holdlessStaffSocket({
    loginUrl: "/login",
    setLive: function (ok) {
      live.textContent = ok ? t.connected : t.reconnecting;
      live.classList.toggle("bad", !ok);
    },
    onReady: function () { refresh(); loadMessages(); },
    onError: function (message) { fail(new Error(message)); },
    onEvent: function (f) {
      var d = f.data || {};
      if (f.type === "message.created" && d.message) showMessage(d.message);
      else if (f.type.indexOf("offer.") === 0 || f.type.indexOf("conversation.") === 0) {
        if (d.conversation) conversations[d.conversation.id] = d.conversation;
        refresh();
      }
    },
  });
})();
