// The live queue: rows change as events arrive; critical cases raise an alarm until acknowledged.
(function () {
  "use strict";
  const live = window.hotlineLive;
  const body = document.getElementById("queue-rows");
  const ACK_KEY = "hotline.acknowledged";

  function acknowledged() {
    try { return new Set(JSON.parse(localStorage.getItem(ACK_KEY) || "[]")); } catch (e) { return new Set(); }
  }
  function compare(a, b) {
    const x = JSON.parse(a.dataset.sort); const y = JSON.parse(b.dataset.sort);
    for (let i = 0; i < Math.max(x.length, y.length); i += 1) {
      if (x[i] < y[i]) return -1;
      if (x[i] > y[i]) return 1;
    }
    return 0;
  }
  function resort() {
    const rows = Array.from(body.querySelectorAll("tr.queue-row")).sort(compare);
    rows.forEach((row) => body.append(row));
    document.getElementById("queue-empty").hidden = rows.length > 0;
  }
  function remaining(seconds) {
    const abs = Math.abs(seconds);
    const d = Math.floor(abs / 86400); const h = Math.floor(abs / 3600); const m = Math.floor((abs % 3600) / 60);
    const text = d > 1 ? d + "天" + (h % 24) + "小时" : h > 0 ? h + "小时" + m + "分" : m + "分" + (abs % 60) + "秒";
    return seconds >= 0 ? "剩 " + text : "超时 " + text;
  }
  function tick() {
    const now = Date.now();
    document.querySelectorAll(".clock[data-deadline]").forEach((clock) => {
      const left = Math.round((Date.parse(clock.dataset.deadline) - now) / 1000);
      clock.querySelector(".clock-left").textContent = remaining(left);
      if (left < 0 && !clock.classList.contains("clock-breached")) {
        clock.className = "clock clock-breached";
        clock.closest("tr").classList.add("level-breached");
      }
    });
  }

  const banner = document.getElementById("critical-banner");
  const pending = new Map();
  function alertCritical(id, tracking) {
    if (acknowledged().has(String(id)) || pending.has(String(id))) return;
    pending.set(String(id), tracking);
    document.getElementById("critical-text").textContent =
      Array.from(pending.values()).join("、") + " —— 特急情形，请立即处理";
    banner.hidden = false;
    document.body.classList.add("has-critical");
    live.alarm();
  }
  document.getElementById("critical-ack").addEventListener("click", () => {
    const done = acknowledged();
    pending.forEach((_, id) => done.add(id));
    localStorage.setItem(ACK_KEY, JSON.stringify(Array.from(done).slice(-500)));
    pending.clear();
    banner.hidden = true;
    document.body.classList.remove("has-critical");
  });

  async function refreshRow(caseId) {
    const answer = await live.send("/console/api/queue/" + caseId);
    if (!answer.ok) return;
    const old = body.querySelector('tr[data-case-id="' + caseId + '"]');
    if (!answer.body.row) { if (old) old.remove(); resort(); return; }
    const holder = document.createElement("tbody");
    holder.innerHTML = answer.body.html;
    const row = holder.querySelector("tr");
    row.classList.add(old ? "row-changed" : "row-new");
    if (old) old.replaceWith(row); else body.append(row);
    resort();
    tick();
  }

  live.on("case_event", (message) => {
    const c = message.case;
    if (c.urgency === "critical" && ["received", "triage", "dispatched"].includes(message.event.kind)) {
      alertCritical(c.id, c.tracking_no || "#" + c.id);
    }
    refreshRow(c.id);
  });

  live.on("intake_failed", async (message) => {
    const table = document.getElementById("failed-rows");
    if (!table) return;
    const answer = await live.send("/console/api/intakes/" + encodeURIComponent(message.intake_id));
    if (!answer.ok) return;
    const item = answer.body;
    table.prepend(live.el("tr", { "data-intake-id": item.id, class: "row-new" }, [
      live.el("td", { text: new Date(item.received_at).toLocaleString("zh-CN", {
        timeZone: "Asia/Shanghai", hour12: false, year: "numeric", month: "2-digit",
        day: "2-digit", hour: "2-digit", minute: "2-digit" }) }),
      live.el("td", { text: item.channel }), live.el("td", { text: item.source }),
      live.el("td", { text: item.excerpt }), live.el("td", { class: "small", text: item.error || "" }),
    ]));
    document.getElementById("failed-empty").hidden = true;
  });

  document.querySelectorAll('tr.queue-row[data-urgency="critical"]').forEach((row) => {
    alertCritical(row.dataset.caseId, row.dataset.tracking || "#" + row.dataset.caseId);
  });
  tick();
  setInterval(tick, 1000);
})();
