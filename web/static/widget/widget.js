/*
 * Switchboard chat widget. Embed with one tag:
 *   <script src="https://inbox.example/static/widget/widget.js" data-widget="widget-main" async></script>
 * Optional: data-locale="ko"|"en" (default: the browser's language, Korean otherwise).
 *
 * Everything from the network or the visitor is rendered with textContent (never innerHTML),
 * inside a shadow root so the host page's CSS and ours never meet. The visitor's session
 * token lives in localStorage, so a reload resumes the conversation; it is sent as a bearer
 * header (no cookies: the widget runs on other sites). Agent replies arrive by long-polling.
 */
(function () {
  "use strict";

  var script = document.currentScript || document.querySelector("script[data-widget]");
  if (!script || window.__switchboardChat) { return; }
  var WIDGET = script.getAttribute("data-widget") || "widget-main";
  window.__switchboardChat = WIDGET;
  var ORIGIN = new URL(script.src, location.href).origin;
  var API = ORIGIN + "/chat/" + encodeURIComponent(WIDGET);
  var STORE_KEY = "switchboard-chat:" + WIDGET;

  var STRINGS = {
    ko: {
      launcher: "채팅 상담", title: "서울서플 고객센터", close: "닫기",
      intro: "무엇을 도와드릴까요? 이름과 이메일은 선택 사항이에요.",
      name: "이름 (선택)", email: "이메일 (선택)", start: "채팅 시작",
      placeholder: "메시지를 입력하세요", send: "보내기", attach: "사진 보내기", photo: "사진",
      you: "나", agent: "상담원",
      typing: function (name) { return (name || "상담원") + "님이 입력 중이에요…"; },
      faqIntro: "이런 답변을 찾았어요. 도움이 되었나요?",
      solved: "이 답변으로 해결됐어요", human: "상담원과 이야기할래요",
      solvedThanks: "해결되었다니 다행이에요! 더 궁금한 점이 있으면 언제든 물어보세요.",
      handedOff: "상담원을 연결해 드릴게요. 잠시만 기다려 주세요.",
      offlineIntro: "지금은 상담 시간이 아니에요. 이메일을 남겨 주시면 답변을 보내 드릴게요.",
      emailRequired: "이메일 (필수)", message: "문의 내용", leave: "남기기",
      offlineThanks: "문의가 접수되었어요. 상담 시간에 답변드릴게요.",
      tooLong: function (limit, length) {
        return "메시지가 너무 깁니다. 한 번에 최대 " + limit.toLocaleString("ko-KR") +
          "자까지 보낼 수 있어요 (현재 " + length.toLocaleString("ko-KR") + "자).";
      },
      fileTooLarge: function (mb) { return "이미지는 " + mb + " MB까지 보낼 수 있어요."; },
      fileType: "JPEG, PNG, GIF, WebP 이미지만 보낼 수 있어요.",
      failed: "전송하지 못했어요. 잠시 후 다시 시도해 주세요.",
      sessionLost: "채팅 세션이 만료되었어요. 새로 시작해 주세요.",
      rateTitle: "상담에 만족하셨나요?", rateLow: "매우 불만족", rateHigh: "매우 만족",
      rateComment: "하고 싶은 말씀 (선택)", rateSend: "평가 보내기",
      rateScore: function (n) { return n + "점"; },
      rateThanks: function (n) { return "평가해 주셔서 감사합니다 (" + n + "/5)."; }
    },
    en: {
      launcher: "Chat with us", title: "Seoul Supps customer center", close: "Close",
      intro: "How can we help? Name and email are optional.",
      name: "Name (optional)", email: "Email (optional)", start: "Start chat",
      placeholder: "Type a message", send: "Send", attach: "Send a photo", photo: "Photo",
      you: "You", agent: "Agent",
      typing: function (name) { return (name || "An agent") + " is typing…"; },
      faqIntro: "We found these answers. Do they help?",
      solved: "This solved it", human: "Talk to a person",
      solvedThanks: "Glad that helped! Ask any time if anything else comes up.",
      handedOff: "We are connecting you with an agent. Please wait a moment.",
      offlineIntro: "We are offline right now. Leave your email and we will answer by email.",
      emailRequired: "Email (required)", message: "Your message", leave: "Send",
      offlineThanks: "Thank you, we received your message and will answer during opening hours.",
      tooLong: function (limit, length) {
        return "That message is too long. You can send up to " + limit.toLocaleString("en-US") +
          " characters at a time (this one has " + length.toLocaleString("en-US") + ").";
      },
      fileTooLarge: function (mb) { return "Images can be at most " + mb + " MB."; },
      fileType: "Only JPEG, PNG, GIF and WebP images can be sent.",
      failed: "Could not send. Please try again in a moment.",
      sessionLost: "Your chat session has expired. Please start a new one.",
      rateTitle: "How satisfied were you?", rateLow: "Very unhappy", rateHigh: "Very happy",
      rateComment: "Anything you want to tell us? (optional)", rateSend: "Send rating",
      rateScore: function (n) { return n + " of 5"; },
      rateThanks: function (n) { return "Thank you for your rating (" + n + "/5)."; }
    }
  };
  var lang = (script.getAttribute("data-locale") || navigator.language || "ko").slice(0, 2).toLowerCase();
  var LOCALE = lang === "en" ? "en" : "ko";
  var T = STRINGS[LOCALE];

  var state = {
    config: null, token: null, after: 0, polling: false, seen: {}, pending: {}, lastTyping: 0
  };

  // --- DOM helpers: elements and text only ------------------------------------------------

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function show(node, on) { node.classList.toggle("sb-hidden", !on); }
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(16) + "-" + Math.random().toString(16).slice(2);
  }

  var host = el("div");
  host.id = "switchboard-chat";
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = ORIGIN + "/static/widget/widget.css";
  root.appendChild(css);

  var launcher = el("button", "sb-launcher", T.launcher);
  launcher.type = "button";
  var panel = el("section", "sb-panel sb-hidden");
  panel.setAttribute("aria-label", T.title);
  panel.setAttribute("lang", LOCALE);
  var header = el("header", "sb-header");
  var titleNode = el("span", "sb-title", T.title);
  var closeBtn = el("button", "sb-close", "×");
  closeBtn.type = "button";
  closeBtn.setAttribute("aria-label", T.close);
  header.appendChild(titleNode);
  header.appendChild(closeBtn);

  // Intro: optional name and email.
  var intro = el("form", "sb-intro sb-hidden");
  intro.appendChild(el("p", "sb-note", T.intro));
  var nameInput = el("input", "sb-name");
  nameInput.placeholder = T.name; nameInput.maxLength = 200; nameInput.autocomplete = "name";
  var emailInput = el("input", "sb-email");
  emailInput.type = "email"; emailInput.placeholder = T.email; emailInput.autocomplete = "email";
  var startBtn = el("button", "sb-start", T.start);
  startBtn.type = "submit";
  intro.appendChild(nameInput); intro.appendChild(emailInput); intro.appendChild(startBtn);

  // Offline: the email form.
  var offline = el("form", "sb-offline sb-hidden");
  offline.appendChild(el("p", "sb-note", T.offlineIntro));
  var offName = el("input", "sb-off-name");
  offName.placeholder = T.name; offName.maxLength = 200;
  var offEmail = el("input", "sb-off-email");
  offEmail.type = "email"; offEmail.placeholder = T.emailRequired; offEmail.required = true;
  var offText = el("textarea", "sb-off-text");
  offText.placeholder = T.message; offText.required = true; offText.rows = 4;
  var offBtn = el("button", "sb-off-send", T.leave);
  offBtn.type = "submit";
  offline.appendChild(offName); offline.appendChild(offEmail);
  offline.appendChild(offText); offline.appendChild(offBtn);

  var log = el("ol", "sb-log sb-hidden");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  var typingNode = el("p", "sb-typing sb-hidden");
  typingNode.setAttribute("aria-live", "polite");
  var faq = el("div", "sb-faq sb-hidden");
  var notice = el("p", "sb-notice sb-hidden");
  notice.setAttribute("role", "status");
  var error = el("p", "sb-error sb-hidden");
  error.setAttribute("role", "alert");

  var composer = el("form", "sb-composer sb-hidden");
  var input = el("textarea", "sb-input");
  input.placeholder = T.placeholder; input.rows = 2;
  input.setAttribute("aria-label", T.placeholder);
  var file = el("input", "sb-file");
  file.type = "file"; file.accept = "image/jpeg,image/png,image/gif,image/webp";
  file.setAttribute("aria-label", T.attach);
  var attachBtn = el("button", "sb-attach", T.photo);
  attachBtn.type = "button"; attachBtn.title = T.attach;
  attachBtn.setAttribute("aria-label", T.attach);
  var sendBtn = el("button", "sb-send", T.send);
  sendBtn.type = "submit";
  composer.appendChild(input); composer.appendChild(file);
  composer.appendChild(attachBtn); composer.appendChild(sendBtn);

  [header, intro, offline, log, typingNode, faq, notice, error, composer].forEach(function (n) {
    panel.appendChild(n);
  });
  root.appendChild(launcher);
  root.appendChild(panel);

  function setError(text) { error.textContent = text || ""; show(error, !!text); }
  function setNotice(text) { notice.textContent = text || ""; show(notice, !!text); }

  // --- network -------------------------------------------------------------------------------

  function call(method, path, body, isForm) {
    var headers = {};
    if (state.token) { headers.Authorization = "Bearer " + state.token; }
    var init = { method: method, headers: headers, credentials: "omit", mode: "cors" };
    if (body !== undefined) {
      if (isForm) { init.body = body; } else {
        headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
      }
    }
    return fetch(API + path, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var err = new Error(data.message || ("HTTP " + response.status));
          err.status = response.status; err.data = data;
          throw err;
        }
        return data;
      });
    });
  }

  function saveToken(token) {
    state.token = token;
    try { localStorage.setItem(STORE_KEY, token); } catch (e) { /* private mode */ }
  }
  function forgetToken() {
    state.token = null;
    try { localStorage.removeItem(STORE_KEY); } catch (e) { /* private mode */ }
  }

  function explain(err) {
    var data = err.data || {};
    if (data.error === "too_long") { return T.tooLong(data.limit, data.length); }
    if (data.error === "file_type") { return T.fileType; }
    if (data.error === "file_too_large") { return T.fileTooLarge(data.limit_mb); }
    if (data.error === "session") { return T.sessionLost; }
    return data.message || T.failed;
  }

  // --- messages ------------------------------------------------------------------------------

  function fill(item, msg) {
    item.textContent = "";
    item.className = "sb-msg " + (msg.from === "agent" ? "sb-agent" : "sb-visitor");
    item.appendChild(el("span", "sb-author",
      msg.from === "agent" ? (msg.author || T.agent) : T.you));
    var text = el("div", "sb-text", msg.text || "");
    text.setAttribute("dir", "auto");
    item.appendChild(text);
    (msg.attachments || []).forEach(function (att) {
      if (att.url && /^image\//.test(att.content_type || "")) {
        var img = el("img", "sb-image");
        img.alt = att.filename || "";
        img.src = att.url;
        item.appendChild(img);
      } else if (att.url) {
        // A file an agent sent (a PDF...): a download through the same signed link.
        var link = el("a", "sb-file-name", att.filename || "file");
        link.href = att.url;
        link.setAttribute("download", att.filename || "");
        link.rel = "noopener";
        link.setAttribute("dir", "auto");
        item.appendChild(link);
      } else {
        var name = el("span", "sb-file-name", att.filename || "");
        name.setAttribute("dir", "auto");
        item.appendChild(name);
      }
    });
    if (msg.from === "agent" && msg.csat && msg.csat.survey_id) {
      item.appendChild(rateCard(msg.csat));
    }
  }

  // The survey question's rating card: five buttons, an optional comment, one send.
  function rateCard(csat) {
    var card = el("form", "sb-rate");
    card.setAttribute("data-survey", String(csat.survey_id));
    if (csat.rating) {
      card.appendChild(el("p", "sb-rate-thanks", T.rateThanks(csat.rating)));
      return card;
    }
    card.appendChild(el("p", "sb-rate-title", T.rateTitle));
    var scale = el("div", "sb-rate-scale");
    scale.setAttribute("role", "radiogroup");
    scale.setAttribute("aria-label", T.rateTitle);
    var chosen = 0;
    var send = el("button", "sb-rate-send", T.rateSend);
    send.type = "submit";
    send.disabled = true;
    for (var n = 1; n <= 5; n++) {
      (function (score) {
        var b = el("button", "sb-rate-score", String(score));
        b.type = "button";
        b.setAttribute("role", "radio");
        b.setAttribute("aria-checked", "false");
        b.setAttribute("aria-label", T.rateScore(score));
        b.setAttribute("data-score", String(score));
        b.addEventListener("click", function () {
          chosen = score;
          Array.prototype.forEach.call(scale.children, function (other) {
            other.setAttribute("aria-checked", String(other === b));
          });
          send.disabled = false;
        });
        scale.appendChild(b);
      })(n);
    }
    card.appendChild(scale);
    var ends = el("div", "sb-rate-ends");
    ends.appendChild(el("span", null, "1 " + T.rateLow));
    ends.appendChild(el("span", null, "5 " + T.rateHigh));
    card.appendChild(ends);
    var comment = el("textarea", "sb-rate-comment");
    comment.rows = 2;
    comment.setAttribute("aria-label", T.rateComment);
    comment.placeholder = T.rateComment;
    card.appendChild(comment);
    card.appendChild(send);
    card.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!chosen) { return; }
      send.disabled = true;
      call("POST", "/csat", { survey_id: csat.survey_id, rating: chosen, comment: comment.value })
        .then(function (data) { card.replaceWith(rateCard(data.csat)); })
        .catch(function (err) { send.disabled = false; setError(explain(err)); });
    });
    return card;
  }

  function render(msg) {
    if (msg.id && state.seen[msg.id]) { return null; }
    var key = msg.client_msg_id ? "c:" + msg.client_msg_id : null;
    var item = key ? state.pending[key] : null;
    if (item) { delete state.pending[key]; } else { item = el("li"); }
    fill(item, msg);
    if (msg.id) {
      state.seen[msg.id] = true;
      item.setAttribute("data-id", String(msg.id));
      place(item, msg.id);
    } else if (!item.parentNode) {
      log.appendChild(item);
    }
    show(log, true);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  // Thread order is id order: a reply whose send finished late still goes where it belongs.
  function place(item, id) {
    var nodes = log.children;
    for (var i = 0; i < nodes.length; i++) {
      var other = nodes[i];
      if (other === item) { continue; }
      var otherId = +(other.getAttribute("data-id") || 0);
      if (!otherId || otherId > id) { log.insertBefore(item, other); return; }
    }
    log.appendChild(item);
  }

  function optimistic(clientId, text) {
    var item = el("li");
    fill(item, { from: "visitor", text: text, attachments: [] });
    item.classList.add("sb-pending");
    log.appendChild(item);
    show(log, true);
    log.scrollTop = log.scrollHeight;
    state.pending["c:" + clientId] = item;
    return item;
  }

  function dropPending(clientId) {
    var item = state.pending["c:" + clientId];
    if (item) { item.remove(); delete state.pending["c:" + clientId]; }
  }

  var typingTimer = null;
  function showTyping(who, replied) {
    if (replied || !who) {
      if (replied) { clearTimeout(typingTimer); show(typingNode, false); }
      return;
    }
    typingNode.textContent = T.typing(who.name);
    show(typingNode, true);
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { show(typingNode, false); }, 6000);
  }

  function poll() {
    if (state.polling || !state.token) { return; }
    state.polling = true;
    var seen = Object.keys(state.seen).filter(function (id) { return +id > state.after; });
    var query = "?after=" + state.after + "&seen=" + seen.join(",") + "&wait=25";
    call("GET", "/messages" + query).then(function (data) {
      state.polling = false;
      (data.messages || []).forEach(render);
      if (typeof data.cursor === "number") { state.after = data.cursor; }
      showTyping(data.typing, (data.messages || []).some(function (m) { return m.from === "agent"; }));
      poll();
    }).catch(function (err) {
      state.polling = false;
      if (err.status === 401) { forgetToken(); setError(T.sessionLost); showIntro(); return; }
      // 429 "busy": the server's waiting slots are full; it says when to ask again.
      var again = (err.data && +err.data.retry_after) || 2;
      setTimeout(poll, 1000 * Math.min(again, 60));
    });
  }

  // --- self-service --------------------------------------------------------------------------

  function showSuggestions(list) {
    faq.textContent = "";
    faq.appendChild(el("p", "sb-faq-intro", T.faqIntro));
    list.forEach(function (s) {
      var card = el("article", "sb-answer");
      card.setAttribute("data-slug", s.slug);
      var h = el("h4", "sb-answer-title", s.title);
      h.setAttribute("dir", "auto");
      var p = el("p", "sb-answer-text", s.answer);
      p.setAttribute("dir", "auto");
      var ok = el("button", "sb-solved", T.solved);
      ok.type = "button";
      ok.addEventListener("click", function () { choose("resolved", s.slug); });
      card.appendChild(h); card.appendChild(p); card.appendChild(ok);
      faq.appendChild(card);
    });
    var human = el("button", "sb-human", T.human);
    human.type = "button";
    human.addEventListener("click", function () { choose("handed_off", null); });
    faq.appendChild(human);
    show(faq, true);
  }

  function choose(outcome, slug) {
    call("POST", "/selfservice", { outcome: outcome, slug: slug }).then(function () {
      faq.textContent = "";
      show(faq, false);
      setNotice(outcome === "resolved" ? T.solvedThanks : T.handedOff);
    }).catch(function (err) { setError(explain(err)); });
  }

  // --- sending -------------------------------------------------------------------------------

  function sendText(text) {
    var limit = (state.config && state.config.max_chars) || 20000;
    if (text.length > limit) {
      setError(T.tooLong(limit, text.length));
      return;
    }
    setError(null);
    var clientId = "c_" + uuid();
    optimistic(clientId, text);
    input.value = "";
    call("POST", "/messages", { client_msg_id: clientId, text: text, page_url: location.href })
      .then(function (data) {
        if (data.message) { render(data.message); }
        if (data.status === "ignored") { dropPending(clientId); }
        if (data.suggestions && data.suggestions.length) { showSuggestions(data.suggestions); }
        else if (faq.childNodes.length) { faq.textContent = ""; show(faq, false); }
        // No FAQ answer fits: say at once that a person will answer instead of showing nothing.
        if (data.self_service === "no_match") { setNotice(T.handedOff); }
      })
      .catch(function (err) {
        dropPending(clientId);
        input.value = text;
        setError(explain(err));
      });
  }

  function sendFile(blob) {
    var cfg = state.config || {};
    if (cfg.image_max_bytes && blob.size > cfg.image_max_bytes) {
      setError(T.fileTooLarge(Math.floor(cfg.image_max_bytes / 1048576)));
      return;
    }
    setError(null);
    var clientId = "c_" + uuid();
    var form = new FormData();
    form.append("client_msg_id", clientId);
    form.append("file", blob, blob.name || "image");
    form.append("filename", blob.name || "image");
    form.append("page_url", location.href);
    optimistic(clientId, blob.name || "");
    call("POST", "/attachments", form, true).then(function (data) {
      if (data.message) { render(data.message); }
    }).catch(function (err) {
      dropPending(clientId);
      setError(explain(err));
    });
  }

  // --- flows ---------------------------------------------------------------------------------

  function showIntro() {
    show(intro, true); show(composer, false); show(offline, false);
  }
  function showChat() {
    show(intro, false); show(offline, false); show(composer, true);
    input.focus();
    poll();
  }
  function showOffline() {
    show(intro, false); show(composer, false); show(offline, true);
  }

  function ensureSession(profile) {
    if (state.token) { return Promise.resolve(); }
    return call("POST", "/session", profile).then(function (data) { saveToken(data.token); });
  }

  function open() {
    show(panel, true);
    show(launcher, false);
    if (!state.config) { return; }
    if (!state.config.online) { showOffline(); return; }
    if (state.token) { showChat(); } else { showIntro(); }
  }

  launcher.addEventListener("click", open);
  closeBtn.addEventListener("click", function () { show(panel, false); show(launcher, true); });

  intro.addEventListener("submit", function (event) {
    event.preventDefault();
    var profile = { name: nameInput.value, email: emailInput.value, locale: LOCALE };
    ensureSession(profile).then(showChat).catch(function (err) { setError(explain(err)); });
  });

  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim()) { return; }
    sendText(text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit ? composer.requestSubmit() : composer.dispatchEvent(new Event("submit"));
    }
  });
  input.addEventListener("input", function () {
    var now = Date.now();
    if (state.token && now - state.lastTyping > 3000) {
      state.lastTyping = now;
      call("POST", "/typing", {}).catch(function () { /* live-only, best effort */ });
    }
  });
  attachBtn.addEventListener("click", function () { file.click(); });
  file.addEventListener("change", function () {
    if (file.files && file.files[0]) { sendFile(file.files[0]); }
    file.value = "";
  });

  offline.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = offText.value;
    var limit = (state.config && state.config.max_chars) || 20000;
    if (text.length > limit) { setError(T.tooLong(limit, text.length)); return; }
    setError(null);
    ensureSession({ name: offName.value, locale: LOCALE }).then(function () {
      return call("POST", "/offline", {
        client_msg_id: "c_" + uuid(), name: offName.value, email: offEmail.value,
        text: text, page_url: location.href
      });
    }).then(function (data) {
      if (data.token) { saveToken(data.token); }
      offline.reset();
      show(offline, false);
      setNotice(T.offlineThanks);
    }).catch(function (err) { setError(explain(err)); });
  });

  function boot() {
    document.body.appendChild(host);
    try { state.token = localStorage.getItem(STORE_KEY); } catch (e) { state.token = null; }
    call("GET", "/config").then(function (cfg) {
      state.config = cfg;
      if (cfg.name) { titleNode.textContent = cfg.name; }
      if (!state.token) { return; }
      return call("GET", "/session").then(function (data) {
        if (data.suggestions && data.suggestions.length) { showSuggestions(data.suggestions); }
        poll();
      }).catch(function (err) {
        if (err.status === 401) { forgetToken(); }
      });
    }).catch(function () { setError(T.failed); }).then(function () {
      host.setAttribute("data-ready", "1");
      if (!panel.classList.contains("sb-hidden")) { open(); }
    });
  }

  if (document.body) { boot(); } else { document.addEventListener("DOMContentLoaded", boot); }
})();
