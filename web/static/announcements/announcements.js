// Announcements: live per-platform checks while composing, live target statuses (SSE).
// No inline handlers or styles anywhere (strict CSP); the server decides every verdict.
"use strict";

(function () {
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const csrf = () => ($('meta[name="csrf-token"]') || {}).content || "";

  function fillList(list, items) {
    if (!list) return;
    list.replaceChildren(...items.map((text) => {
      const li = document.createElement("li");
      li.textContent = text;
      return li;
    }));
  }

  // ---- compose: ask the server to check every chosen target as the marketer types ---------
  const form = $("#compose");
  if (form) {
    let timer = null;
    let seq = 0;
    const later = () => { clearTimeout(timer); timer = setTimeout(check, 250); };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    check();

    function payload() {
      const targets = {};
      $$(".ann-target", form).forEach((box) => {
        const on = $('input[name="target"]', box).checked;
        box.classList.toggle("off", !on);
        if (on) targets[box.dataset.account] = $('[data-role="override"]', box).value;
      });
      const images = [];
      $$('input[name="keep_image"]:checked', form).forEach((el) => images.push({
        content_type: el.dataset.contentType, size: Number(el.dataset.size), filename: el.dataset.filename,
      }));
      const files = $("#ann-images", form);
      Array.from((files && files.files) || []).forEach((f) => images.push({
        content_type: f.type || "application/octet-stream", size: f.size, filename: f.name,
      }));
      return { text: $("#ann-text", form).value, link: $("#ann-link", form).value, targets, images };
    }

    async function check() {
      const mine = ++seq;
      const body = payload();
      let res;
      try {
        res = await fetch(form.dataset.checkUrl, {
          method: "POST", credentials: "same-origin", body: JSON.stringify(body),
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "X-Requested-With": "fetch" },
        });
      } catch (e) { return; }
      if (!res.ok || mine !== seq) return;
      const verdict = await res.json();
      fillList($("#general-errors"), verdict.errors || []);
      $$(".ann-target", form).forEach((box) => {
        const result = (verdict.targets || {})[box.dataset.account];
        box.classList.toggle("invalid", Boolean(result && result.errors.length));
        $('[data-role="count"]', box).textContent = result ? result.count : "";
        $('[data-role="preview"]', box).textContent = result ? result.preview : "";
        const extras = [];
        if (body.images.length && result && result.with_images) extras.push(`🖼 × ${body.images.length}`);
        if (result && result.link) extras.push(`🔗 ${result.link}`);
        $('[data-role="media"]', box).textContent = extras.join("  ");
        fillList($('[data-role="errors"]', box), result ? result.errors : []);
        fillList($('[data-role="warnings"]', box), result ? result.warnings : []);
      });
    }
  }

  // ---- live statuses ------------------------------------------------------------------------
  const page = $("[data-live]");
  if (page && typeof EventSource === "function") {
    let labels = {};
    try { labels = JSON.parse(page.dataset.statusLabels || "{}"); } catch (e) { labels = {}; }
    const state = $("#live-state");
    const source = new EventSource(page.dataset.live);
    source.onopen = () => { if (state) state.className = "live-state on"; };
    source.onerror = () => { if (state) state.className = "live-state off"; };
    const paint = (badge, status) => {
      if (!badge) return;
      badge.className = `ann-status ann-status-${status}`;
      badge.textContent = labels[status] || status;
      badge.dataset.status = status;
    };
    source.onmessage = (msg) => {
      let ev;
      try { ev = JSON.parse(msg.data); } catch (e) { return; }
      if (ev.topic !== "announcement.updated") return;
      if (String(ev.announcement_id) === page.dataset.announcementId) {
        paint($('#ann-status [data-role="status"]'), ev.status);
      }
      $$(`[data-announcement-row="${ev.announcement_id}"] [data-role="announcement-status"] [data-role="status"]`)
        .forEach((b) => paint(b, ev.status));
      if (!ev.target_id) return;
      $$(`[data-target-id="${ev.target_id}"]`).forEach((row) => {
        paint($('[data-role="status"]', row), ev.target_status);
        const reason = $('[data-role="reason"]', row);
        if (reason) reason.textContent = ev.failure_reason || "";
        const link = $('[data-role="link"]', row);
        if (link && ev.external_id) {
          link.replaceChildren();
          if (ev.permalink && /^https?:\/\//.test(ev.permalink)) {
            const a = document.createElement("a");
            a.href = ev.permalink; a.rel = "noopener noreferrer nofollow"; a.target = "_blank";
            a.textContent = ev.external_id;
            link.appendChild(a);
          } else {
            link.textContent = ev.external_id;
          }
        }
        const retry = $('[data-role="retry"]', row);
        if (retry && ev.target_status !== "failed") retry.replaceChildren();
      });
    };
  }
})();
