/* Holdless chat widget. One script tag on any page:
 *   <script src="https://holdless.example/widget.js" data-workspace="demo" data-queue="que_…"></script>
 * Optional: data-lang="ru" (otherwise the page's <html lang>), data-open="true" (open at once).
 * No framework, no build step. The panel lives in a shadow root so the host page's styles do not leak in.
 * Protocol: docs/realtime.md (hello, replay with ?after=, resync, heartbeat, ack). Licence: AGPL-3.0-or-later.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__holdlessWidget) return;
  window.__holdlessWidget = true;

  var T = {
    en: {
      open: "Chat with us", close: "Close chat", title: "Chat", input: "Your message", send: "Send",
      place: "You are number {n} in line", wait: "Expected wait: about {m} min", waitSoon: "Expected wait: under a minute",
      waitUnknown: "Expected wait: being estimated", connecting: "Connecting…", reconnecting: "Reconnecting…",
      online: "Connected", sending: "sending…", you: "You", agent: "Agent", bot: "Assistant", system: "Holdless",
      assigned: "An agent has joined.", resolved: "This conversation is closed.", newChat: "Start a new conversation",
      callback: "Call me / write me back", cbChannel: "How should we reach you?", cbWebchat: "Write me back here",
      cbVoice: "Call me", cbPhone: "Phone number", cbWindow: "When", cbNext1: "Within the next hour",
      cbNext2: "In 1–2 hours", cbNext4: "In 2–4 hours", cbTomorrow: "Tomorrow 9:00–12:00", cbSubmit: "Request",
      cbCancel: "Cancel", cbDone: "We will contact you between {a} and {b}.", failed: "Something went wrong: ",
      survey: "How did we do?", surveyComment: "Comment (optional)", surveySubmit: "Send feedback",
      surveyThanks: "Thank you for your feedback!", messages: "Messages", error: "Could not start the chat."
    },
    ru: {
      open: "Написать нам", close: "Закрыть чат", title: "Чат", input: "Ваше сообщение", send: "Отправить",
      place: "Вы {n}-й в очереди", wait: "Ожидание: около {m} мин", waitSoon: "Ожидание: меньше минуты",
      waitUnknown: "Ожидание: рассчитываем", connecting: "Подключение…", reconnecting: "Переподключение…",
      online: "На связи", sending: "отправляется…", you: "Вы", agent: "Оператор", bot: "Помощник", system: "Holdless",
      assigned: "К чату подключился оператор.", resolved: "Обращение закрыто.", newChat: "Начать новое обращение",
      callback: "Перезвоните / напишите мне", cbChannel: "Как с вами связаться?", cbWebchat: "Напишите мне здесь",
      cbVoice: "Позвоните мне", cbPhone: "Номер телефона", cbWindow: "Когда", cbNext1: "В течение часа",
      cbNext2: "Через 1–2 часа", cbNext4: "Через 2–4 часа", cbTomorrow: "Завтра 9:00–12:00", cbSubmit: "Отправить",
      cbCancel: "Отмена", cbDone: "Мы свяжемся с вами между {a} и {b}.", failed: "Ошибка: ",
      survey: "Как мы справились?", surveyComment: "Комментарий (необязательно)", surveySubmit: "Отправить отзыв",
      surveyThanks: "Спасибо за отзыв!", messages: "Сообщения", error: "Не удалось открыть чат."
    },
    zh: {
      open: "联系我们", close: "关闭聊天", title: "在线聊天", input: "您的消息", send: "发送",
      place: "您前面排在第 {n} 位", wait: "预计等待约 {m} 分钟", waitSoon: "预计等待不到一分钟",
      waitUnknown: "正在估算等待时间", connecting: "正在连接…", reconnecting: "正在重新连接…",
      online: "已连接", sending: "发送中…", you: "您", agent: "客服", bot: "助手", system: "Holdless",
      assigned: "客服已加入会话。", resolved: "此会话已结束。", newChat: "开始新的会话",
      callback: "给我回电 / 回复我", cbChannel: "我们如何联系您？", cbWebchat: "在这里回复我",
      cbVoice: "给我打电话", cbPhone: "电话号码", cbWindow: "时间", cbNext1: "一小时内",
      cbNext2: "1–2 小时后", cbNext4: "2–4 小时后", cbTomorrow: "明天 9:00–12:00", cbSubmit: "提交",
      cbCancel: "取消", cbDone: "我们将在 {a} 至 {b} 之间联系您。", failed: "出错了：",
      survey: "您对我们的服务满意吗？", surveyComment: "留言（可选）", surveySubmit: "提交评价",
      surveyThanks: "感谢您的反馈！", messages: "消息", error: "无法开始聊天。"
    }
  };
  var SCALES = { csat: [1, 5], nps: [0, 10], ces: [1, 7] };

  var base = new URL(script.src, location.href).origin;
  var wsBase = base.replace(/^http/, "ws");
  var workspace = script.getAttribute("data-workspace") || "demo";
  var queueId = script.getAttribute("data-queue") || null;
  var lang = (script.getAttribute("data-lang") || document.documentElement.lang || navigator.language || "en")
    .slice(0, 2).toLowerCase();
  if (!T[lang]) lang = "en";
  var t = T[lang];
  var KEY = "holdless.widget." + workspace;

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, k) { return String(values[k]); });
  }
  function loadState() {
    try { return JSON.parse(localStorage.getItem(KEY) || "{}") || {}; } catch (e) { return {}; }
  }
  var state = loadState();      // visitor_id, token, conversation_id, outbox: [{client_message_id, text}]
  state.outbox = state.outbox || [];
  function save() {
    try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode: no resume */ }
  }

  // ---- DOM ----------------------------------------------------------------------------------------
  var host = document.createElement("div");
  host.setAttribute("data-holdless-widget", "");
  document.body.appendChild(host);
  var root = host.attachShadow({ mode: "open" });
  root.innerHTML =
    '<style>' +
    ':host{all:initial}*{box-sizing:border-box;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}' +
    '.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:24px;padding:12px 20px;' +
    'background:#1f5fbf;color:#fff;font-size:16px;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3)}' +
    '.launcher:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:3px solid #f5a623;outline-offset:2px}' +
    '.panel{position:fixed;right:20px;bottom:20px;z-index:2147483001;width:370px;height:560px;max-height:calc(100vh - 40px);' +
    'display:flex;flex-direction:column;background:#fff;color:#1a1a1a;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.3);overflow:hidden;font-size:15px}' +
    '.panel[hidden],[hidden]{display:none!important}' +
    'header{display:flex;align-items:center;justify-content:space-between;padding:10px 14px;background:#1f5fbf;color:#fff}' +
    'header h2{font-size:16px;margin:0}header button{background:transparent;border:0;color:#fff;font-size:22px;cursor:pointer;line-height:1}' +
    '.status{font-size:12px;padding:2px 14px;background:#eef3fb;color:#333}.status.bad{background:#fff3cd;color:#6b4e00}' +
    '.place{padding:8px 14px;background:#f7f7f7;border-bottom:1px solid #e3e3e3;font-size:14px}.place p{margin:0}' +
    '.log{flex:1;overflow-y:auto;padding:10px 14px;display:flex;flex-direction:column;gap:6px;margin:0;list-style:none}' +
    '.msg{max-width:85%;padding:7px 10px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word;background:#eef0f3;align-self:flex-start}' +
    '.msg[data-author=customer]{background:#1f5fbf;color:#fff;align-self:flex-end}.msg[data-author=system]{background:transparent;color:#555;font-size:13px;align-self:center}' +
    '.msg .who{display:block;font-size:11px;opacity:.75}.msg.pending{opacity:.6}' +
    'form.send{display:flex;gap:6px;padding:8px;border-top:1px solid #e3e3e3}form.send input{flex:1;padding:9px;font-size:15px;border:1px solid #aaa;border-radius:6px}' +
    'button.primary{background:#1f5fbf;color:#fff;border:0;border-radius:6px;padding:8px 12px;font-size:15px;cursor:pointer}' +
    'button.link{background:none;border:0;color:#1f5fbf;text-decoration:underline;cursor:pointer;font-size:14px;padding:4px 14px;text-align:left}' +
    '.box{padding:8px 14px;border-top:1px solid #e3e3e3;background:#fafafa;display:flex;flex-direction:column;gap:6px;font-size:14px}' +
    '.box label{display:flex;flex-direction:column;gap:2px}.box select,.box input,.box textarea{padding:6px;font-size:14px}' +
    '.row{display:flex;gap:6px}.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}' +
    '@media (max-width:480px){.panel{right:0;bottom:0;width:100vw;height:100vh;max-height:100vh;border-radius:0}}' +
    '</style>' +
    '<button class="launcher" type="button" data-testid="chat-launcher" aria-haspopup="dialog"></button>' +
    '<section class="panel" role="dialog" aria-modal="false" hidden data-testid="chat-panel">' +
    '  <header><h2 class="title"></h2><button type="button" class="close" data-testid="chat-close"></button></header>' +
    '  <div class="status" role="status" aria-live="polite" data-testid="chat-status"></div>' +
    '  <div class="place" hidden data-testid="queue-place"><p data-testid="queue-position"></p><p data-testid="queue-wait"></p></div>' +
    '  <ol class="log" aria-live="polite" aria-relevant="additions" data-testid="chat-log"></ol>' +
    '  <button type="button" class="link newchat" hidden data-testid="chat-new"></button>' +
    '  <button type="button" class="link cbopen" data-testid="callback-request"></button>' +
    '  <form class="box callback" hidden data-testid="callback-form">' +
    '    <label><span class="l-channel"></span><select name="channel" data-testid="callback-channel"><option value="webchat"></option><option value="voice"></option></select></label>' +
    '    <label class="phone" hidden><span class="l-phone"></span><input name="phone" type="tel" autocomplete="tel" data-testid="callback-phone"></label>' +
    '    <label><span class="l-window"></span><select name="window" data-testid="callback-window"><option value="0-60"></option><option value="60-120"></option><option value="120-240"></option><option value="tomorrow"></option></select></label>' +
    '    <div class="row"><button class="primary" type="submit" data-testid="callback-submit"></button><button class="link cbcancel" type="button"></button></div>' +
    '  </form>' +
    '  <form class="box survey" hidden data-testid="survey-form"><strong class="s-title"></strong><div class="questions"></div>' +
    '    <label><span class="l-comment"></span><textarea name="comment" rows="2" maxlength="2000"></textarea></label>' +
    '    <button class="primary" type="submit" data-testid="survey-submit"></button></form>' +
    '  <form class="send" data-testid="chat-form"><label class="sr" for="hl-input"></label>' +
    '    <input id="hl-input" name="text" autocomplete="off" maxlength="10000" data-testid="chat-input">' +
    '    <button class="primary" type="submit" data-testid="chat-send"></button></form>' +
    '</section>';

  function $(sel) { return root.querySelector(sel); }
  var launcher = $(".launcher"), panel = $(".panel"), log = $(".log"), statusEl = $(".status");
  var placeBox = $(".place"), posEl = $('[data-testid="queue-position"]'), waitEl = $('[data-testid="queue-wait"]');
  var input = $("#hl-input"), sendForm = $("form.send"), cbForm = $("form.callback"), surveyForm = $("form.survey");
  launcher.textContent = t.open;
  $(".title").textContent = t.title;
  panel.setAttribute("aria-label", t.title);
  log.setAttribute("aria-label", t.messages);
  $(".close").textContent = "×";
  $(".close").setAttribute("aria-label", t.close);
  $(".sr").textContent = t.input;
  input.placeholder = t.input;
  $('[data-testid="chat-send"]').textContent = t.send;
  $(".newchat").textContent = t.newChat;
  $(".cbopen").textContent = t.callback;
  $(".l-channel").textContent = t.cbChannel;
  $(".l-phone").textContent = t.cbPhone;
  $(".l-window").textContent = t.cbWindow;
  var opts = cbForm.querySelectorAll("option");
  [t.cbWebchat, t.cbVoice, t.cbNext1, t.cbNext2, t.cbNext4, t.cbTomorrow].forEach(function (s, i) { opts[i].textContent = s; });
  $('[data-testid="callback-submit"]').textContent = t.cbSubmit;
  $(".cbcancel").textContent = t.cbCancel;
  $(".s-title").textContent = t.survey;
  $(".l-comment").textContent = t.surveyComment;
  $('[data-testid="survey-submit"]').textContent = t.surveySubmit;

  // ---- REST -----------------------------------------------------------------------------------------
  function api(method, path, body, anonymous) {
    var headers = { "Content-Type": "application/json" };
    if (!anonymous && state.token) headers.Authorization = "Bearer " + state.token;
    return fetch(base + "/api/v1" + path, {
      method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      return r.text().then(function (text) {
        var data = text ? JSON.parse(text) : null;
        if (!r.ok) {
          var err = new Error((data && data.error && data.error.message) || r.statusText);
          err.status = r.status;
          throw err;
        }
        return data;
      });
    });
  }

  // ---- messages -------------------------------------------------------------------------------------
  var shown = {};          // message id -> element
  var pendingEls = {};     // client_message_id -> element
  var maxMessageSeq = 0;

  function setStatus(text, bad) {
    statusEl.textContent = text;
    statusEl.classList.toggle("bad", !!bad);
  }
  function bubble(author, text) {
    var li = document.createElement("li");
    li.className = "msg";
    li.setAttribute("data-testid", "chat-message");
    li.setAttribute("data-author", author);
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = { customer: t.you, agent: t.agent, bot: t.bot, system: t.system }[author] || author;
    var body = document.createElement("span");
    body.className = "text";
    body.textContent = text;
    li.appendChild(who);
    li.appendChild(body);
    return li;
  }
  function scrollDown() { log.scrollTop = log.scrollHeight; }
  function showMessage(m) {
    if (shown[m.id]) return;
    var li = m.client_message_id && pendingEls[m.client_message_id];
    if (li) {
      delete pendingEls[m.client_message_id];
      li.classList.remove("pending");
    } else {
      var text = m.text;
      (m.attachments || []).forEach(function (a) { text += (text ? "\n" : "") + "📎 " + a.name; });
      li = bubble(m.author, text);
      // keep the log in message order even when history and live events interleave
      var after = null;
      log.querySelectorAll("li[data-seq]").forEach(function (el) {
        if (after === null && Number(el.getAttribute("data-seq")) > m.seq) after = el;
      });
      log.insertBefore(li, after || firstPending());
    }
    li.setAttribute("data-seq", m.seq);
    li.setAttribute("data-message-id", m.id);
    shown[m.id] = li;
    if (m.seq > maxMessageSeq) maxMessageSeq = m.seq;
    state.outbox = state.outbox.filter(function (p) { return p.client_message_id !== m.client_message_id; });
    save();
    scrollDown();
  }
  function firstPending() { return log.querySelector("li.pending"); }
  function systemLine(text) {
    var li = bubble("system", text);
    li.removeAttribute("data-testid");
    li.setAttribute("data-testid", "chat-notice");
    log.appendChild(li);
    scrollDown();
  }

  // ---- place in line --------------------------------------------------------------------------------
  function showPlace(position, waitSeconds) {
    if (position === null || position === undefined) { placeBox.hidden = true; return; }
    placeBox.hidden = false;
    posEl.textContent = fmt(t.place, { n: position });
    posEl.setAttribute("data-position", position);
    if (waitSeconds === null || waitSeconds === undefined) waitEl.textContent = t.waitUnknown;
    else if (waitSeconds < 60) waitEl.textContent = t.waitSoon;
    else waitEl.textContent = fmt(t.wait, { m: Math.round(waitSeconds / 60) });
    waitEl.setAttribute("data-seconds", waitSeconds === null || waitSeconds === undefined ? "" : waitSeconds);
  }
  function loadPlace() {
    if (!state.conversation_id) return;
    api("GET", "/widget/conversations/" + state.conversation_id + "/place").then(function (p) {
      if (p.waiting) showPlace(p.position, p.expected_wait_seconds); else showPlace(null);
    }).catch(function () { /* shown on the next queue.position event */ });
  }
  function conversationChanged(c) {
    if (!c) return;
    if (c.status !== "queued") showPlace(null);
    var closed = c.status === "resolved" || c.status === "abandoned";
    $(".newchat").hidden = !closed;
  }

  // ---- websocket ------------------------------------------------------------------------------------
  var socket = null, lastSeq = null, retry = 0, watchdog = null, pinger = null, opened = false;

  function connect() {
    if (!state.conversation_id || socket) return;
    setStatus(opened ? t.reconnecting : t.connecting, opened);
    var url = wsBase + "/ws/customer?token=" + encodeURIComponent(state.token) +
      "&conversation_id=" + encodeURIComponent(state.conversation_id) + (lastSeq !== null ? "&after=" + lastSeq : "");
    var ws = new WebSocket(url);
    socket = ws;
    ws.onmessage = function (e) {
      if (socket !== ws) return;
      alive();
      var f = JSON.parse(e.data);
      if (f.type === "hello") {
        retry = 0; opened = true;
        if (lastSeq === null) lastSeq = f.last_seq;
        setStatus(t.online, false);
        loadPlace();  // after hello: a later change arrives as a queue.position event
        catchUp();
        flush();
      } else if (f.type === "resync") {
        lastSeq = f.last_seq; catchUp(); loadPlace();
      } else if (f.type === "heartbeat" || f.type === "pong") {
        /* alive */
      } else if (f.type === "ack") {
        /* the message itself follows as message.created */
      } else if (f.type === "error") {
        if (f.client_message_id) failPending(f.client_message_id, f.message);
        else if (/session|sign/i.test(f.message)) { reset(); }
        else setStatus(t.failed + f.message, true);
      } else if (f.seq) {
        lastSeq = f.seq;
        onEvent(f);
      }
    };
    ws.onclose = function (e) {
      if (socket !== ws) return;
      socket = null;
      clearTimeout(watchdog); clearInterval(pinger);
      if (e.code === 4401) { reset(); return; }
      setStatus(t.reconnecting, true);
      var delay = Math.min(10000, 500 * Math.pow(2, retry++));
      setTimeout(connect, delay);
    };
    ws.onopen = function () {
      clearInterval(pinger);
      pinger = setInterval(function () { if (ws.readyState === 1) ws.send('{"type":"ping"}'); }, 15000);
      alive();
    };
  }
  function alive() {
    clearTimeout(watchdog);
    watchdog = setTimeout(function () { if (socket) socket.close(); }, 45000);
  }
  function onEvent(f) {
    var d = f.data || {};
    if (f.type === "message.created" && d.message) showMessage(d.message);
    else if (f.type === "queue.position") showPlace(d.position, d.expected_wait_seconds);
    else if (f.type === "survey.requested") showSurvey(d);
    else if (d.conversation) {
      conversationChanged(d.conversation);
      if (f.type === "conversation.assigned") systemLine(t.assigned);
      if (f.type === "conversation.resolved") systemLine(t.resolved);
    }
  }
  function catchUp() {
    // History over REST from the last message we have; live events that overlap are dropped by id.
    var from = maxMessageSeq;
    return api("GET", "/widget/conversations/" + state.conversation_id + "/messages?limit=200&after_seq=" + from)
      .then(function (list) { list.forEach(showMessage); })
      .catch(function (err) { if (err.status === 401 || err.status === 404) reset(); });
  }
  function flush() {
    if (!socket || socket.readyState !== 1) return;
    state.outbox.forEach(function (p) {
      socket.send(JSON.stringify({ type: "message", text: p.text, client_message_id: p.client_message_id }));
    });
  }
  function failPending(id, message) {
    var li = pendingEls[id];
    if (li) { li.classList.remove("pending"); li.classList.add("failed"); li.querySelector(".who").textContent = t.failed + message; }
    state.outbox = state.outbox.filter(function (p) { return p.client_message_id !== id; });
    save();
  }
  function newId() {
    return "w-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  }
  function send(text) {
    var p = { client_message_id: newId(), text: text };
    state.outbox.push(p);
    save();
    var li = bubble("customer", text);
    li.classList.add("pending");
    pendingEls[p.client_message_id] = li;
    log.appendChild(li);
    scrollDown();
    flush();
  }
  function showOutbox() {
    state.outbox.forEach(function (p) {
      var li = bubble("customer", p.text);
      li.classList.add("pending");
      pendingEls[p.client_message_id] = li;
      log.appendChild(li);
    });
  }

  // ---- session and conversation ---------------------------------------------------------------------
  var starting = null;
  function ensureConversation() {
    if (state.conversation_id) return Promise.resolve();
    if (starting) return starting;
    starting = (state.token ? Promise.resolve() : api("POST", "/widget/sessions", {
      workspace: workspace, visitor_id: state.visitor_id || undefined, language: lang
    }, true).then(function (s) {
      state.visitor_id = s.visitor_id; state.token = s.customer_token; save();
    })).then(function () {
      return api("POST", "/widget/conversations", { queue_id: queueId });
    }).then(function (c) {
      state.conversation_id = c.id; save();
      conversationChanged(c);
    }).finally(function () { starting = null; });
    return starting;
  }
  function start() {
    ensureConversation().then(function () {
      connect();
      api("GET", "/widget/conversations").then(function (list) {
        list.forEach(function (c) { if (c.id === state.conversation_id) conversationChanged(c); });
      }).catch(function () { /* status shown by the next event */ });
    }).catch(function (err) {
      if (err.status === 401) { reset(); return; }
      setStatus(t.error + " " + err.message, true);
    });
  }
  function reset() {
    // The stored session is no longer valid (expired, or the server's data was reset): start afresh.
    if (socket) { var s = socket; socket = null; s.close(); }
    var visitor = state.visitor_id;
    state = { visitor_id: visitor, outbox: [] };
    save();
    shown = {}; pendingEls = {}; maxMessageSeq = 0; lastSeq = null; opened = false;
    log.textContent = "";
    showPlace(null);
    if (!panel.hidden) start();
  }
  function newConversation() {
    if (socket) { var s = socket; socket = null; s.close(); }
    state.conversation_id = null; state.outbox = []; save();
    shown = {}; pendingEls = {}; maxMessageSeq = 0; lastSeq = null; opened = false;
    log.textContent = "";
    $(".newchat").hidden = true;
    surveyForm.hidden = true;
    start();
  }

  // ---- callback -------------------------------------------------------------------------------------
  function windowOf(choice) {
    var now = new Date(), a, b;
    if (choice === "tomorrow") {
      a = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 9, 0);
      b = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 12, 0);
    } else {
      var parts = choice.split("-");
      a = new Date(now.getTime() + Number(parts[0]) * 60000);
      b = new Date(now.getTime() + Number(parts[1]) * 60000);
    }
    return [a, b];
  }
  function hhmm(d) {
    return d.toLocaleString(lang, { weekday: "short", hour: "2-digit", minute: "2-digit" });
  }
  cbForm.elements.channel.addEventListener("change", function () {
    $(".phone").hidden = cbForm.elements.channel.value !== "voice";
  });
  $(".cbopen").addEventListener("click", function () {
    cbForm.hidden = !cbForm.hidden;
    if (!cbForm.hidden) cbForm.elements.channel.focus();
  });
  $(".cbcancel").addEventListener("click", function () { cbForm.hidden = true; $(".cbopen").focus(); });
  cbForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var w = windowOf(cbForm.elements.window.value);
    var body = {
      window_start: w[0].toISOString(), window_end: w[1].toISOString(), channel: cbForm.elements.channel.value
    };
    if (body.channel === "voice") body.phone = cbForm.elements.phone.value;
    ensureConversation().then(function () {
      return api("POST", "/widget/conversations/" + state.conversation_id + "/callback", body);
    }).then(function (c) {
      cbForm.hidden = true;
      systemLine(fmt(t.cbDone, { a: hhmm(new Date(c.window_start)), b: hhmm(new Date(c.window_end)) }));
    }).catch(function (err) { systemLine(t.failed + err.message); });
  });

  // ---- survey ---------------------------------------------------------------------------------------
  function showSurvey(d) {
    if (d.answered_at) return;
    var box = surveyForm.querySelector(".questions");
    box.textContent = "";
    (d.questions || []).forEach(function (q) {
      var range = SCALES[q];
      if (!range) return;
      var label = document.createElement("label");
      var span = document.createElement("span");
      span.textContent = (d.texts && d.texts[q]) || q;
      var select = document.createElement("select");
      select.name = q;
      select.setAttribute("data-testid", "survey-" + q);
      select.appendChild(document.createElement("option"));
      for (var i = range[0]; i <= range[1]; i++) {
        var o = document.createElement("option");
        o.value = String(i); o.textContent = String(i);
        select.appendChild(o);
      }
      label.appendChild(span); label.appendChild(select); box.appendChild(label);
    });
    surveyForm.hidden = false;
  }
  surveyForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var body = { comment: surveyForm.elements.comment.value };
    Object.keys(SCALES).forEach(function (q) {
      var el = surveyForm.elements[q];
      if (el && el.value !== "") body[q] = Number(el.value);
    });
    api("POST", "/widget/conversations/" + state.conversation_id + "/survey", body).then(function () {
      surveyForm.hidden = true;
      systemLine(t.surveyThanks);
    }).catch(function (err) { systemLine(t.failed + err.message); });
  });

  // ---- opening and closing --------------------------------------------------------------------------
  function open() {
    panel.hidden = false;
    launcher.hidden = true;
    state.open = true; save();
    input.focus();
    start();
  }
  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    state.open = false; save();
    launcher.focus();
  }
  launcher.addEventListener("click", open);
  $(".close").addEventListener("click", close);
  $(".newchat").addEventListener("click", newConversation);
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") close(); });
  sendForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    ensureConversation().then(function () { send(text); connect(); })
      .catch(function (err) { setStatus(t.error + " " + err.message, true); });
  });

  showOutbox();
  if (state.open || script.getAttribute("data-open") === "true") open();
})();
