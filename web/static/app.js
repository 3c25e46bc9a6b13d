// Switchboard inbox: keyboard, live updates (SSE), composer helpers. No framework, no inline
// handlers (the CSP allows only this file). The server renders every fragment it returns.
"use strict";

(function () {
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const csrf = () => ($('meta[name="csrf-token"]') || {}).content || "";
  const myId = () => Number(($('meta[name="me"]') || {}).content || 0);
  const inbox = () => $(".inbox");
  // The open conversation's section: a list row swaps it (and its data) without a page load.
  const thread = () => $("#thread[data-conversation]");
  const openId = () => Number((thread() || {}).dataset?.conversation || 0);

  // ---- X's weighted length (mirror of connectors/x/weighted_length.py; the server decides) --
  const LIGHT = [[0x0000, 0x10ff], [0x2000, 0x200d], [0x2010, 0x201f], [0x2032, 0x2037]];
  const URL_RE = /(?:https?:\/\/[^\s]+|(?:[a-z0-9][a-z0-9-]*\.)+(?:com|net|org|kr|co|io|me|ly|gl|app|dev|shop|store|info|biz|tv|xyz|jp|us|uk)(?:[\/?#][^\s]*)?)/gi;
  const EMOJI_RE = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;
  function weight(cp) {
    for (const [lo, hi] of LIGHT) if (cp >= lo && cp <= hi) return 100;
    return 200;
  }
  function weightedLength(text) {
    let total = 0;
    const rest = text.normalize("NFC").replace(URL_RE, () => { total += 2300; return "\u0000"; });
    const graphemes = typeof Intl.Segmenter === "function"
      ? Array.from(new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(rest), (s) => s.segment)
      : Array.from(rest);
    for (const g of graphemes) {
      if (g === "\u0000") continue;
      if (EMOJI_RE.test(g)) { total += 200; continue; }
      for (const ch of g) total += weight(ch.codePointAt(0));
    }
    return Math.floor(total / 100);
  }
  window.switchboardWeightedLength = weightedLength;

  // ---- SMS parts (mirror of connectors/phone/segments.py; the server decides) -------------
  const GSM7 = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  const GSM7_EXT = "^{}\\[~]|€\f";
  function smsSegments(text) {
    const chars = [...text];
    const gsm = chars.every((c) => GSM7.includes(c) || GSM7_EXT.includes(c));
    const units = gsm
      ? chars.reduce((n, c) => n + (GSM7_EXT.includes(c) ? 2 : 1), 0)
      : text.length; // UTF-16 code units: an emoji outside the BMP takes two
    const single = gsm ? 160 : 70;
    const part = gsm ? 153 : 67;
    const count = units === 0 ? 0 : units <= single ? 1 : Math.ceil(units / part);
    return { encoding: gsm ? "GSM-7" : "UCS-2", units, count, perSegment: units <= single ? single : part };
  }
  window.switchboardSmsSegments = smsSegments;

  // ---- small helpers ---------------------------------------------------------------------
  function post(url, data) {
    const body = new URLSearchParams(data || {});
    return fetch(url, {
      method: "POST", body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "X-Requested-With": "fetch" },
    });
  }
  async function fetchHtml(url) {
    const res = await fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } });
    if (!res.ok) throw new Error(String(res.status));
    return new DOMParser().parseFromString(await res.text(), "text/html");
  }
  function typingTarget(el) {
    return el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
  }

  // ---- auto-submitting selects and confirmations -----------------------------------------
  document.addEventListener("change", (ev) => {
    const el = ev.target;
    if (el.matches && el.matches("select[data-autosubmit], input[data-autosubmit-check]")) el.form.requestSubmit();
  });
  document.addEventListener("submit", (ev) => {
    const form = ev.target;
    const question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) ev.preventDefault();
  });

  // ---- list: keyboard cursor -------------------------------------------------------------
  let cursorId = null;
  function rows() { return $$(".conv-row[data-id]"); }
  function placeCursor(row) {
    rows().forEach((r) => r.classList.remove("cursor"));
    if (!row) return;
    row.classList.add("cursor");
    cursorId = row.dataset.id;
    row.scrollIntoView({ block: "nearest" });
  }
  function moveCursor(step) {
    const all = rows();
    if (!all.length) return;
    let at = all.findIndex((r) => r.dataset.id === cursorId);
    if (at < 0) at = all.findIndex((r) => r.classList.contains("selected"));
    placeCursor(all[Math.max(0, Math.min(all.length - 1, at + step))] || all[0]);
  }

  // ---- bulk selection: click a row's box or press x on the cursor row ----------------------
  const picked = new Set();
  function syncPicks() {
    $$(".conv-row .pick").forEach((box) => { box.checked = picked.has(box.value); });
    const bar = $("#bulk-form"), count = $("#bulk-count");
    if (!bar) return;
    bar.hidden = picked.size === 0;
    if (count) count.textContent = `${picked.size} ${count.dataset.label || ""}`;
  }
  function togglePick(id, on) {
    if (!id) return;
    if (on === undefined ? !picked.has(id) : on) picked.add(id); else picked.delete(id);
    syncPicks();
  }
  document.addEventListener("change", (ev) => {
    const box = ev.target;
    if (box.matches && box.matches(".conv-row .pick")) togglePick(box.value, box.checked);
  });
  document.addEventListener("click", (ev) => {
    if (ev.target.id === "bulk-clear") { picked.clear(); syncPicks(); }
    if (ev.target.id === "pick-page") { rows().forEach((r) => picked.add(r.dataset.id)); syncPicks(); }
  });
  document.addEventListener("submit", (ev) => {
    const form = ev.target;
    if (form.id !== "bulk-form") return;
    // Rows picked before a live refresh moved them off this page still count.
    const present = new Set($$(".conv-row .pick").map((b) => b.value));
    for (const id of picked) {
      if (present.has(id)) continue;
      const input = document.createElement("input");
      input.type = "hidden"; input.name = "ids"; input.value = id;
      form.append(input);
    }
  });

  // ---- composer ----------------------------------------------------------------------------
  function composerMode(mode) {
    const form = $("#composer-form");
    if (!form) return;
    const radio = $(`input[name="mode"][value="${mode}"]`, form);
    if (radio) radio.checked = true;
    syncComposer();
    $("#composer").focus();
  }
  function syncComposer() {
    const form = $("#composer-form");
    if (!form) return;
    const note = ($('input[name="mode"]:checked', form) || {}).value === "note";
    form.classList.toggle("note-mode", note);
    const send = $("#send-button");
    const blocked = form.dataset.windowOpen === "false" && !note;
    if (send) send.disabled = blocked;
    const text = $("#composer");
    const missing = note || !text ? [] : unfilledVariables(text.value);
    const warn = $("#unfilled-vars");
    if (warn) {
      warn.hidden = !missing.length;
      warn.textContent = missing.length ? `${warn.dataset.label} ${missing.join(", ")}` : "";
    }
    if (send && missing.length) send.disabled = true;
    const problems = note ? [] : fileProblems();
    const list = $("#file-problems");
    if (list) {
      list.replaceChildren(...problems.map((p) => Object.assign(document.createElement("li"), { textContent: p })));
      list.hidden = !problems.length;
    }
    if (send && problems.length) send.disabled = true;
    const input = $("#composer-file-input");
    if (text) text.required = note || !(input && input.files.length);
    const counter = $("#reply-counter");
    if (counter && text && text.dataset.counter === "sms") {
      const sms = smsSegments(text.value);
      const parts = (text.dataset.smsFormat || "{count} SMS ({encoding})")
        .replace("{count}", String(sms.count)).replace("{encoding}", sms.encoding);
      counter.textContent = `${sms.units} / ${sms.perSegment * Math.max(sms.count, 1)} · ${parts}`;
      const over = sms.count > Number(text.dataset.maxParts || 10);
      counter.classList.toggle("over", over);
      if (send && !note && over) send.disabled = true;
    } else if (counter && text) {
      const used =
        text.dataset.counter === "weighted" ? weightedLength(text.value) : [...text.value].length;
      const limit = Number(text.dataset.limit || 280);
      counter.textContent = `${used} / ${limit}`;
      counter.classList.toggle("over", used > limit);
      if (send && !note && used > limit) send.disabled = true;
    }
  }
  // Files against the channel's declared limits (the server checks the bytes again).
  const TYPE_ALIASES = { "audio/x-m4a": "audio/mp4", "audio/mp3": "audio/mpeg", "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav", "video/avi": "video/x-msvideo", "image/jpg": "image/jpeg" };
  function fileProblems() {
    const box = $("#composer-files");
    const input = $("#composer-file-input");
    if (!box || !input) return [];
    const caps = JSON.parse(box.dataset.caps || "{}");
    const files = [...input.files];
    const problems = files.length > Number(box.dataset.maxCount) ? [box.dataset.msgCount] : [];
    for (const f of files) {
      const type = TYPE_ALIASES[f.type] || f.type;
      const cap = "*" in caps ? caps["*"] : caps[type];
      if (cap === undefined && type) problems.push(box.dataset.msgType.replace("{name}", f.name));
      else if (cap !== undefined && f.size > cap) {
        const size = (cap / 1048576).toFixed(1).replace(/\.0$/, "");
        problems.push(box.dataset.msgSize.replace("{name}", f.name).replace("{size}", size));
      }
    }
    return problems;
  }
  // `{{name}}` left in a reply: the server refuses it too (inbox/canned.py UNFILLED).
  const UNFILLED = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/;
  function unfilledVariables(value) {
    const found = [...value.matchAll(new RegExp(UNFILLED.source, "g"))];
    return [...new Set(found.map((m) => `{{${m[1]}}}`))];
  }
  // Text inserted into the middle of a draft gets a separator on each side that lacks one:
  // a line break around a multi-line answer, else a space.
  function spaced(before, body, after) {
    const sep = body.includes("\n") ? "\n" : " ";
    const lead = before && !/\s$/.test(before) ? sep : "";
    const tail = after && !/^\s/.test(after) ? sep : "";
    return lead + body + tail;
  }
  function insertCanned(body) {
    const text = $("#composer");
    if (!text || !body) return;
    const start = text.selectionStart;
    const before = text.value.slice(0, start).replace(/(^|\s)\/[^\s\/]*$/, "$1");
    const after = text.value.slice(text.selectionEnd);
    const piece = spaced(before, body, after);
    text.value = before + piece + after;
    // The first unfilled variable of what was inserted is selected, ready to be typed over.
    const gap = UNFILLED.exec(piece);
    if (gap) text.setSelectionRange(before.length + gap.index, before.length + gap.index + gap[0].length);
    else text.setSelectionRange(before.length + piece.length, before.length + piece.length);
    text.focus();
    sessionStorage.setItem(`draft:${openId()}`, text.value);
    syncComposer();
  }
  function cannedByShortcut(shortcut) {
    const option = $$("#canned-select option").find((o) => o.value === shortcut);
    return option ? option.dataset.body : null;
  }
  let lastPing = 0;
  function pingTyping() {
    const box = thread();
    if (!box || !box.dataset.typingUrl || Date.now() - lastPing < 4000) return;
    lastPing = Date.now();
    const mode = ($('input[name="mode"]:checked') || {}).value || "reply";
    post(box.dataset.typingUrl, { mode }).catch(() => {});
  }
  function wireComposer() {
    const form = $("#composer-form");
    if (!form) return;
    const text = $("#composer");
    form.addEventListener("change", syncComposer);
    wireMentions(form, text);
    text.addEventListener("input", () => { syncComposer(); pingTyping(); });
    text.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        // A Hangul syllable still being composed is committed first, then sent with the rest.
        const send = () => { syncComposer(); if (!$("#send-button").disabled) form.requestSubmit(); };
        if (ev.isComposing) text.addEventListener("compositionend", send, { once: true });
        else send();
      } else if (ev.key === "Tab") {
        const word = text.value.slice(0, text.selectionStart).match(/(?:^|\s)\/([^\s\/]+)$/);
        const body = word && cannedByShortcut(word[1]);
        if (body) { ev.preventDefault(); insertCanned(body); }
      }
    });
    const canned = $("#canned-select");
    if (canned) canned.addEventListener("change", () => {
      const option = canned.selectedOptions[0];
      if (option && option.dataset.body) insertCanned(option.dataset.body);
      canned.value = "";
    });
    // Keep an unsent draft across the page loads that actions (assign, labels...) cause.
    // A sent draft is forgotten on the next page unless the server said it was refused.
    const key = `draft:${openId()}`;
    if (sessionStorage.getItem(`${key}:sent`)) {
      sessionStorage.removeItem(`${key}:sent`);
      if (!$(".flash-error")) sessionStorage.removeItem(key);
    }
    if (!text.value && sessionStorage.getItem(key)) text.value = sessionStorage.getItem(key);
    text.addEventListener("input", () => sessionStorage.setItem(key, text.value));
    form.addEventListener("submit", (ev) => {
      syncComposer();
      const note = ($('input[name="mode"]:checked', form) || {}).value === "note";
      if (!note && unfilledVariables(text.value).length) { ev.preventDefault(); return; }
      sessionStorage.setItem(key, text.value);
      sessionStorage.setItem(`${key}:sent`, "1");
      const b = $("#send-button");
      if (b) b.disabled = true;
    });
    syncComposer();
  }

  // ---- @mentions in notes: type "@" and a few letters, pick with arrows + Enter/Tab or click --
  function wireMentions(form, text) {
    const menu = $("#mention-menu");
    if (!menu || !text.dataset.mentionUrl) return;
    let people = null, shown = [], at = 0;
    const isNote = () => ($('input[name="mode"]:checked', form) || {}).value === "note";
    const query = () => {
      const m = text.value.slice(0, text.selectionStart).match(/(?:^|\s)@([^\s@]*)$/);
      return m ? m[1] : null;
    };
    const close = () => { menu.hidden = true; shown = []; };
    function render() {
      menu.replaceChildren();
      shown.forEach((p, i) => {
        const li = document.createElement("li");
        li.setAttribute("role", "option");
        li.dataset.id = p.id;
        li.className = i === at ? "active" : "";
        li.textContent = `${p.name} · ${p.email}`;
        li.addEventListener("mousedown", (ev) => { ev.preventDefault(); choose(p); });
        menu.append(li);
      });
      menu.hidden = !shown.length;
    }
    function choose(person) {
      const start = text.selectionStart;
      const before = text.value.slice(0, start).replace(/@([^\s@]*)$/, `@${person.name} `);
      text.value = before + text.value.slice(text.selectionEnd);
      text.setSelectionRange(before.length, before.length);
      text.dispatchEvent(new Event("input"));
      close();
      text.focus();
    }
    async function update() {
      const q = isNote() ? query() : null;
      if (q === null) { close(); return; }
      if (people === null) {
        people = [];
        try {
          const res = await fetch(text.dataset.mentionUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } });
          if (res.ok) people = await res.json();
        } catch (e) { /* offline: no suggestions */ }
      }
      const needle = q.toLowerCase();
      shown = people.filter((p) => p.name.toLowerCase().includes(needle) || p.email.toLowerCase().startsWith(needle)).slice(0, 6);
      at = 0;
      render();
    }
    text.addEventListener("input", update);
    text.addEventListener("blur", () => setTimeout(close, 150));
    text.addEventListener("keydown", (ev) => {
      if (menu.hidden || !shown.length || ev.isComposing) return;
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        at = (at + (ev.key === "ArrowDown" ? 1 : shown.length - 1)) % shown.length;
        render();
      } else if ((ev.key === "Enter" && !ev.ctrlKey && !ev.metaKey) || ev.key === "Tab") {
        choose(shown[at]);
      } else if (ev.key === "Escape") {
        close();
      } else {
        return;
      }
      ev.preventDefault();
      ev.stopImmediatePropagation();
    });
  }

  // ---- notification centre: the bell's count, browser notifications when the tab is hidden --
  const OPT_IN = "switchboard:browser-notifications";
  const browserNotifyOn = () => localStorage.getItem(OPT_IN) === "1"
    && typeof Notification === "function" && Notification.permission === "granted";
  function refreshBell(ev) {
    const bell = $("#bell");
    if (!bell) return;
    fetch(bell.dataset.summaryUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then((res) => (res.ok ? res.json() : null))
      .then((body) => {
        if (!body) return;
        const count = $("#bell-count");
        count.textContent = String(body.unread);
        count.hidden = !body.unread;
        const newest = body.items.find((item) => item.id === ev.notification_id);
        if (ev.topic === "notification.created" && newest && document.hidden && browserNotifyOn()) {
          const shown = new Notification(newest.title, { body: newest.text, tag: `switchboard-${newest.id}` });
          shown.onclick = () => { window.focus(); location.href = newest.url; };
        }
      })
      .catch(() => {});
  }
  function wireBrowserNotifyButton() {
    const button = $("#browser-notify");
    if (!button) return;
    const show = () => {
      if (typeof Notification !== "function" || Notification.permission === "denied") {
        button.textContent = button.dataset.denied;
        button.disabled = true;
      } else {
        button.textContent = browserNotifyOn() ? button.dataset.on : button.dataset.off;
        button.setAttribute("aria-pressed", browserNotifyOn() ? "true" : "false");
      }
    };
    // The permission prompt appears only here, when the agent asks for it.
    button.addEventListener("click", () => {
      if (browserNotifyOn()) { localStorage.removeItem(OPT_IN); show(); return; }
      Notification.requestPermission().then((answer) => {
        if (answer === "granted") localStorage.setItem(OPT_IN, "1");
        show();
      });
    });
    show();
  }

  // ---- FAQ suggestions beside the composer (fetched after the page is shown) ---------------
  function loadFaq() {
    const box = $("#faq-suggestions");
    if (!box) return;
    fetch(box.dataset.url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then((res) => (res.ok ? res.json() : { data: [] }))
      .then((body) => {
        const list = $(".faq-list", box);
        list.replaceChildren();
        for (const item of body.data || []) {
          const li = document.createElement("li");
          const title = document.createElement("strong");
          title.textContent = item.title;
          const answer = document.createElement("p");
          answer.textContent = item.answer;
          const use = document.createElement("button");
          use.type = "button";
          use.className = "small";
          use.textContent = box.dataset.insert;
          use.addEventListener("click", () => {
            composerMode("reply");
            insertCanned(item.answer);
            // Sent with the reply: the article becomes evidence for the customer's phrasing.
            const slug = $("#faq-slug");
            if (slug) slug.value = item.slug;
          });
          li.append(title, " ", use, answer);
          list.append(li);
        }
        if (!list.children.length) {
          const li = document.createElement("li");
          li.className = "muted";
          li.textContent = box.dataset.none;
          list.append(li);
        }
      })
      .catch(() => {});
  }

  // ---- live updates --------------------------------------------------------------------------
  let listTimer = null, threadTimer = null, countsTimer = null, countsAt = 0;
  // The list's filters, view and page are the address bar's (htmx pushes them on every swap).
  function withFilters(path) {
    const url = new URL(path, location.href);
    new URLSearchParams(location.search).forEach((v, k) => url.searchParams.set(k, v));
    if (openId()) url.searchParams.set("selected", String(openId()));
    return url;
  }
  // The views' counts: at most one refresh a second however fast events come (a count is a
  // query over the whole queue).
  function refreshCounts() {
    const box = inbox();
    if (!box || !box.dataset.countsUrl) return;
    const wait = countsAt + 1000 - Date.now();
    if (wait > 0) { clearTimeout(countsTimer); countsTimer = setTimeout(refreshCounts, wait); return; }
    countsAt = Date.now();
    const asked = swaps;
    fetchHtml(withFilters(box.dataset.countsUrl)).then((doc) => {
      if (swaps !== asked) { countsAt = 0; refreshCounts(); return; }
      const fresh = $("#views", doc), old = $("#views");
      if (fresh && old && !old.contains(document.activeElement)) {
        old.replaceWith(document.importNode(fresh, true));
        if (window.htmx) window.htmx.process($("#views"));
      }
    }).catch(() => {});
  }
  function refreshList() {
    const box = inbox();
    if (!box || !box.dataset.listUrl) return;
    const url = withFilters(box.dataset.listUrl);
    const asked = swaps;
    fetchHtml(url).then((doc) => {
      // The list was swapped (another view, filter or page) since: this answer is for the old one.
      if (swaps !== asked) { clearTimeout(listTimer); listTimer = setTimeout(refreshList, 120); return; }
      const fresh = $("#conv-list", doc), old = $("#conv-list");
      if (fresh && old) {
        old.replaceWith(document.importNode(fresh, true));
        if (window.htmx) window.htmx.process($("#conv-list"));  // its rows open threads by swap
      }
      if (cursorId) placeCursor($(`.conv-row[data-id="${cursorId}"]`));
      syncPicks();
    }).catch(() => {});
  }
  function refreshThread() {
    const box = thread();
    if (!box || !box.dataset.partsUrl) return;
    const messages = $("#messages");
    const atBottom = !messages || messages.scrollHeight - messages.scrollTop - messages.clientHeight < 80;
    const asked = swaps;
    fetchHtml(box.dataset.partsUrl + location.search).then((doc) => {
      // An action's own answer came in meanwhile and is newer than this one: ask again.
      if (swaps !== asked) { clearTimeout(threadTimer); threadTimer = setTimeout(refreshThread, 80); return; }
      for (const id of ["thread-head", "intake-panel", "messages", "conv-details"]) {
        const fresh = doc.getElementById(id), old = document.getElementById(id);
        // Keep the sidebar while the agent is using one of its controls.
        if (id === "conv-details" && old && old.contains(document.activeElement)) continue;
        if (fresh && old) {
          const open = openDetails(old);
          const kept = id === "conv-details" ? drafts(old) : [];
          old.replaceWith(document.importNode(fresh, true));
          reopenDetails(open);
          restoreDrafts(kept);
          if (window.htmx) window.htmx.process(document.getElementById(id));
        }
      }
      const now = $("#messages");
      if (now && atBottom) now.scrollTop = now.scrollHeight;
    }).catch(() => {});
  }
  // A swapped sidebar keeps what the agent typed and has not sent yet: the resolution summary
  // and follow-up fields belong to the Resolve form, which is submitted later (by a click or
  // `e`), so a live refresh or another action's answer in between must not blank them.
  // Selects that submit on change are not drafts: the server's answer is their truth.
  function drafts(root) {
    return $$("input[id], textarea[id], select[id]", root).filter((el) => el.tagName === "SELECT"
      ? !el.hasAttribute("data-autosubmit") && Array.from(el.options).some((o) => o.selected !== o.defaultSelected)
      : /^(text|search|number|datetime-local|textarea)$/.test(el.type) && el.value !== el.defaultValue
    ).map((el) => [el.id, el.tagName, el.value]);
  }
  function restoreDrafts(kept) {
    for (const [id, tag, value] of kept) {
      const el = document.getElementById(id);
      if (el && el.tagName === tag) el.value = value;
    }
  }
  let sidebarDrafts = [];  // between an action's answer arriving and it being in the page
  // A swapped sidebar keeps the menus (snooze, label picker) the agent had open.
  function openDetails(root) { return $$("details[id][open]", root).map((d) => d.id); }
  function reopenDetails(ids) { ids.forEach((id) => { const d = document.getElementById(id); if (d) d.open = true; }); }
  // The filter form sends every field; the pushed address keeps only what differs from the
  // list's defaults, like the server's own links (ListArgs.query in web/ui/inbox.py).
  const LIST_DEFAULTS = { view: "all", status: "open", sort: "activity" };
  document.addEventListener("htmx:configRequest", (ev) => {
    const d = ev.detail;
    // The views, filters and pager were rendered for the conversation open then; they keep
    // the one open now (the address bar's path, pushed by the last swap).
    if (d.verb === "get" && d.target && d.target.id === "list-pane") {
      const url = new URL(d.path, location.href);
      url.pathname = location.pathname;
      d.path = url.pathname + url.search;
    }
    // A sidebar action names the newest message the page shows: the answer then carries only
    // the header, the sidebar and the event lines added since (web/ui/actions.py). Not while
    // older messages are shown (?before=): the newest are not on the page to follow.
    if (d.verb === "post" && d.elt && d.elt.closest && d.elt.closest("#conv-details")) {
      const shown = $$("#messages > [id^='m']");
      const last = shown.length ? shown[shown.length - 1].id.slice(1) : "";
      if (/^\d+$/.test(last) && !new URLSearchParams(location.search).has("before")) {
        d.parameters.after = last;
      }
      return;
    }
    if (d.verb !== "get" || !d.formData || !d.elt || d.elt.id !== "filters") return;
    for (const key of Array.from(d.formData.keys())) {
      const value = d.formData.get(key);
      if (value === "" || LIST_DEFAULTS[key] === value) d.formData.delete(key);
    }
  });
  let swaps = 0;  // htmx swaps so far: a live refresh asked before the latest one is stale
  document.addEventListener("htmx:beforeSwap", () => { swaps += 1; });
  document.addEventListener("htmx:oobBeforeSwap", (ev) => {
    if (ev.target.id === "messages") {
      // Event lines appended by an action's answer: a live refresh may have shown them first.
      for (const line of Array.from(ev.detail.fragment.children)) {
        if (line.id && document.getElementById(line.id)) line.remove();
      }
      const atBottom = ev.target.scrollHeight - ev.target.scrollTop - ev.target.clientHeight < 80;
      if (atBottom) requestAnimationFrame(() => { ev.target.scrollTop = ev.target.scrollHeight; });
      return;
    }
    if (ev.target.id !== "conv-details") return;
    sidebarDrafts = drafts(ev.target);
    for (const id of openDetails(ev.target)) {
      const menu = ev.detail.fragment.querySelector(`details[id="${id}"]`);
      if (menu) menu.open = true;
    }
  });
  // "load" fires on each piece htmx puts in the page (the form that asked may be gone by then,
  // so its own after-swap events would not reach the document).
  document.addEventListener("htmx:load", (ev) => {
    const el = ev.target;
    if (el.id === "conv-details") { restoreDrafts(sidebarDrafts); sidebarDrafts = []; }
    // After a search or filter the keys work on the list again (j, k, Enter), as they did
    // when the form reloaded the page; htmx would otherwise refocus the new search box.
    if (el.id === "sidebar" && el.contains(document.activeElement)) document.activeElement.blur();
    // Likewise after choosing in one of the conversation's selects (assignee, team, ...).
    const active = document.activeElement;
    if (el.id === "conv-details" && el.contains(active) && active.type !== "checkbox" && typingTarget(active)) active.blur();
    if (el.id === "conv-list" || el.id === "sidebar") {
      if (cursorId) placeCursor($(`.conv-row[data-id="${cursorId}"]`));
      syncPicks();
    }
  });
  // A conversation opened from the list (or closed by the phone's back link): the list stays
  // as it was (scroll, cursor, picks), the new thread is wired like a loaded page's, and the
  // keyboard or screen reader lands on its heading.
  let listScroll = 0, wasOpen = 0;
  document.addEventListener("htmx:beforeSwap", (ev) => {
    if (ev.detail.target.id !== "conversation") return;
    if (!thread()) listScroll = window.scrollY;
    wasOpen = openId();
  });
  document.addEventListener("htmx:afterSwap", (ev) => {
    if (ev.detail.target.id !== "conversation") return;
    const id = String(openId() || "");
    rows().forEach((r) => r.classList.toggle("selected", r.dataset.id === id));
    // Closed (the phone's back link): the cursor stays on the row that was open.
    const row = $(`.conv-row[data-id="${id || wasOpen}"]`);
    if (row && id) {
      row.classList.remove("unread");
      $$(".dot", row).forEach((d) => d.remove());
    }
    if (row) placeCursor(row);
    Object.keys(typingTimers).forEach((k) => delete typingTimers[k]);
    wireComposer();
    loadFaq();
    const messages = $("#messages");
    if (messages) messages.scrollTop = messages.scrollHeight;
    // On a phone the thread replaces the list on screen: start it at the top, and give the
    // list back its place when the agent returns to it.
    const listShown = $("#list-pane") && $("#list-pane").offsetParent !== null;
    if (!listShown) window.scrollTo(0, 0);
    else if (!thread()) window.scrollTo(0, listScroll);
    const heading = $("#thread-head h1") || $("#refused h1");
    if (heading) heading.focus({ preventScroll: listShown });
    else if (row) $("a", row).focus({ preventScroll: true });
  });
  // Back and forward: htmx keeps no copies of pages (historyCacheSize 0: no customer data in
  // sessionStorage, and a copy would show stale counts), so it asks the server for the entry's
  // page and puts its #main in place (hx-history-elt in base.html): no page load, the event
  // stream and the top bar stay. The new content is wired like a loaded page's.
  let leaving = 0;  // the conversation open when back or forward was pressed
  let shownPath = location.pathname + location.search;  // the address the content is for
  const here = () => location.pathname + location.search;
  document.addEventListener("htmx:historyCacheMiss", () => { leaving = openId(); });
  document.addEventListener("htmx:pushedIntoHistory", () => { shownPath = here(); });
  document.addEventListener("htmx:replacedInHistory", () => { shownPath = here(); });
  function restored() {
    // Not an inbox any more (signed out meanwhile: the sign-in form came back): load the
    // page whole, top bar included, as the browser would have.
    if (!inbox()) { location.reload(); return; }
    shownPath = here();
    Object.keys(typingTimers).forEach((k) => delete typingTimers[k]);
    wireComposer();
    loadFaq();
    syncPicks();
    const messages = $("#messages");
    if (messages) messages.scrollTop = messages.scrollHeight;
    // The row of the thread just left (back from a thread to the list), else the open one.
    const row = $(`.conv-row[data-id="${leaving}"]`) || $(".conv-row.selected");
    if (row) placeCursor(row);
    const listShown = $("#list-pane") && $("#list-pane").offsetParent !== null;
    if (!listShown) window.scrollTo(0, 0);
    const heading = $("#thread-head h1") || $("#refused h1");
    if (heading) heading.focus({ preventScroll: listShown });
    else if (row) $("a", row).focus({ preventScroll: false });
  }
  document.addEventListener("htmx:historyRestore", restored);
  // The phone's screen links (#details, #thread, #filters) make history entries of their own,
  // which htmx does not restore (no state of its): between screens of the page shown the
  // browser only moves the target, but an entry of another page (back past a thread opened
  // since) gets that page's #main from the server, as htmx does for its own entries.
  window.addEventListener("popstate", (ev) => {
    if ((ev.state && ev.state.htmx) || here() === shownPath || !window.htmx || !inbox()) return;
    leaving = openId();
    const path = here();
    window.htmx.ajax("GET", path, {
      target: "#main", swap: "outerHTML", select: "#main",
      headers: { "HX-History-Restore-Request": "true" },
    }).then(() => { if (here() === path) restored(); }, () => location.reload());
  });
  // The entry's page could not be had (signed out, server down): load it as a browser would.
  document.addEventListener("htmx:historyCacheMissLoadError", () => location.reload());
  // A conversation that cannot be opened (deleted, or in an inbox the agent no longer sees)
  // answers 404 with its own message for #conversation: show it there, not the error page.
  document.addEventListener("htmx:beforeSwap", (ev) => {
    const d = ev.detail;
    if (d.target && d.target.id === "conversation" && d.xhr && d.xhr.status === 404) {
      d.shouldSwap = true;
      d.isError = false;
    }
  });
  // A refused swap (expired session, CSRF token, server error): show the page as it is.
  document.addEventListener("htmx:responseError", () => location.reload());
  const typingTimers = {};
  function showTyping(ev) {
    const box = $("#typing");
    if (!box || ev.user_id === myId()) return;
    typingTimers[ev.user_id] = { name: ev.user_name, mode: ev.mode, until: Date.now() + 6000 };
    renderTyping();
    setTimeout(renderTyping, 6100);
  }
  function renderTyping() {
    const box = $("#typing");
    if (!box) return;
    const names = Object.values(typingTimers).filter((t) => t.until > Date.now()).map((t) => t.name);
    box.hidden = !names.length;
    box.textContent = names.length ? `${names.join(", ")} ${box.dataset.label || "✎"}` : "";
  }
  function connectLive() {
    if ((!inbox() && !$("#bell")) || typeof EventSource !== "function") return;
    const state = $("#live-state");
    const source = new EventSource("/live/stream");
    // On every (re)connect, catch up on whatever happened while no stream was listening
    // (between a form's redirect and this page's stream, or during a reconnect).
    source.onopen = () => {
      if (state) state.className = "live-state on";
      refreshList();
      refreshThread();
      refreshCounts();
      refreshBell({});
    };
    source.onerror = () => { if (state) state.className = "live-state off"; };
    source.onmessage = (msg) => {
      let ev;
      try { ev = JSON.parse(msg.data); } catch (e) { return; }
      const open = openId();
      if (String(ev.topic).startsWith("notification.")) {
        refreshBell(ev);
        return;
      }
      if (!inbox()) return;
      if (ev.topic === "conversation.typing") {
        if (ev.conversation_id === open) showTyping(ev);
        return;
      }
      clearTimeout(listTimer);
      listTimer = setTimeout(refreshList, 120);
      refreshCounts();
      if (open && ev.conversation_id === open) {
        clearTimeout(threadTimer);
        threadTimer = setTimeout(refreshThread, 80);
      }
    };
    window.addEventListener("beforeunload", () => source.close());
  }

  // Letter shortcuts follow the physical key when the key does not type a Latin letter, so
  // they work while the Korean IME is in Hangul mode (where "j" types "ㅓ").
  const CODES = {
    KeyJ: "j", KeyK: "k", KeyR: "r", KeyN: "n", KeyE: "e", KeyA: "a", KeyX: "x", KeyM: "m",
    KeyI: "i", KeyP: "p", KeyS: "s", KeyL: "l", KeyC: "c", KeyT: "t",
  };
  function openMenu(id) {
    const menu = document.getElementById(id);
    if (!menu) return;
    menu.open = true;
    const first = $("button, select, input:not([type=hidden])", menu.querySelector(":scope > :not(summary)") || menu);
    if (first) first.focus();
  }
  function focusField(id) { const el = document.getElementById(id); if (el) el.focus(); }
  function press(id) { const el = document.getElementById(id); if (el) el.click(); }
  function shortcutKey(ev) {
    if (!ev.shiftKey && CODES[ev.code] && !/^[a-z]$/.test(ev.key)) return CODES[ev.code];
    return ev.key;  // "/", "?" and Enter are the same keys in both input modes
  }

  // ---- global keys -------------------------------------------------------------------------
  document.addEventListener("keydown", (ev) => {
    const help = $("#help");
    if (ev.key === "Escape") {
      if (help && help.open) help.close();
      if (typingTarget(document.activeElement)) document.activeElement.blur();
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typingTarget(ev.target)) return;
    // Enter on a focused link or button activates it (the skip link, menus), not the list row.
    if (ev.key === "Enter" && ev.target.closest && ev.target.closest("a, button, summary, select")) return;
    const resolve = $("#resolve-form button[data-resolve]");
    const actions = {
      j: () => moveCursor(1),
      k: () => moveCursor(-1),
      Enter: () => { const row = $(".conv-row.cursor a"); if (row) row.click(); },
      r: () => composerMode("reply"),
      n: () => composerMode("note"),
      e: () => { if (resolve) resolve.form.requestSubmit(); },
      a: () => focusField("assign-select"),
      i: () => press("assign-me"),
      p: () => press("pending-button"),
      s: () => openMenu("snooze-menu"),
      l: () => openMenu("label-picker"),
      c: () => focusField("category-select"),
      t: () => focusField("team-select"),
      x: () => {
        const row = $(".conv-row.cursor") || $(".conv-row.selected");
        if (row) togglePick(row.dataset.id);
      },
      m: () => { const sel = $("#macro-select"); if (sel) sel.focus(); },
      "/": () => { const s = $("#search"); if (s) { s.focus(); s.select(); } },
      "?": () => { if (help) (help.open ? help.close() : help.showModal()); },
    };
    const act = actions[shortcutKey(ev)];
    if (act) { ev.preventDefault(); act(); }
  });
  document.addEventListener("click", (ev) => {
    const btn = ev.target.closest && ev.target.closest('[data-action="help"]');
    if (btn) { const help = $("#help"); if (help) help.showModal(); }
  });
  // The intake checklist's request for the missing items (web/templates/ui/_intake.html);
  // delegated because the live refresh replaces the panel.
  document.addEventListener("click", (ev) => {
    const btn = ev.target.closest && ev.target.closest("[data-intake-request]");
    if (btn) { ev.preventDefault(); composerMode("reply"); insertCanned(btn.dataset.intakeRequest); }
  });

  document.addEventListener("DOMContentLoaded", () => {
    wireComposer();
    const messages = $("#messages");
    if (messages) messages.scrollTop = messages.scrollHeight;
    const selected = $(".conv-row.selected");
    if (selected) cursorId = selected.dataset.id;
    connectLive();
    refreshBell({});
    wireBrowserNotifyButton();
    loadFaq();
    document.documentElement.dataset.ready = "1";  // keyboard and composer are wired
  });
})();
