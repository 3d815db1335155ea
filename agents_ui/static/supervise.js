// 督办: at-risk clocks and on-time rates from the SLA API, refreshed on every SLA event.
(function () {
  "use strict";
  const live = window.hotlineLive;
  const levels = { breached: "超时", warned: "将超时", running: "计时中" };

  function remaining(seconds) {
    const abs = Math.abs(seconds);
    const d = Math.floor(abs / 86400); const h = Math.floor((abs % 86400) / 3600);
    const m = Math.floor((abs % 3600) / 60);
    const text = d > 0 ? d + "天" + h + "小时" : h + "小时" + m + "分";
    return (seconds >= 0 ? "剩 " : "超时 ") + text;
  }

  function fill(id, rows) {
    const body = document.querySelector("#" + id + " tbody");
    body.replaceChildren(...rows);
  }

  async function supervise(caseId, button) {
    const note = window.prompt("督办意见（将记入时间线并通知承办单位）", "请抓紧办理，按时限办结");
    if (!note) return;
    const reply = await live.send("/console/api/cases/" + caseId + "/actions/supervise", "POST", { note: note });
    button.textContent = reply.ok ? "已督办" : ((reply.body && reply.body.error) || "督办失败");
    button.disabled = reply.ok;
  }

  async function loadAtRisk() {
    const reply = await live.send("/api/v1/sla/at-risk?limit=100");
    if (!reply.ok) return;
    const warnings = document.getElementById("calendar-warnings");
    warnings.textContent = reply.body.warnings.join("；");
    warnings.hidden = reply.body.warnings.length === 0;
    fill("at-risk", reply.body.clocks.map(({ case: c, clock: k }) => {
      const button = live.el("button", { type: "button", class: "small", text: "督办" });
      button.addEventListener("click", () => supervise(c.id, button));
      return live.el("tr", { class: "level-" + k.level }, [
        live.el("td", { text: remaining(k.remaining_s) + "（" + (levels[k.level] || k.level) + "）" }),
        live.el("td", {}, [live.el("a", { href: "/console/cases/" + c.id, text: c.tracking_no })]),
        live.el("td", { text: k.name }),
        live.el("td", { text: k.department_name || k.department || "—" }),
        live.el("td", { text: c.accepting_unit_name || c.accepting_unit || "待定" }),
        live.el("td", {}, [button]),
      ]);
    }));
    document.getElementById("at-risk-empty").hidden = reply.body.clocks.length > 0;
  }

  function rateRows(rows) {
    return rows.map((r) => live.el("tr", {}, [
      live.el("td", { text: r.name || r.key || "—" }), live.el("td", { text: String(r.on_time) }),
      live.el("td", { text: String(r.late) }),
      live.el("td", { text: r.on_time_rate === null ? "—" : Math.round(r.on_time_rate * 100) + "%" }),
    ]));
  }

  async function loadStats() {
    const reply = await live.send("/api/v1/sla/stats?period=month");
    if (!reply.ok) return;
    const o = reply.body.overall;
    document.getElementById("overall").textContent = "按时 " + o.on_time + "，超时 " + o.late +
      "，按时率 " + (o.on_time_rate === null ? "—" : Math.round(o.on_time_rate * 100) + "%") + "；仍在计时 " + reply.body.open;
    fill("by-unit", rateRows(reply.body.by_unit));
    fill("by-category", rateRows(reply.body.by_category));
  }

  function refresh() { loadAtRisk(); loadStats(); }
  live.on("case_event", (m) => {
    if (["sla_warned", "sla_breached", "escalated", "clock_met_late"].includes(m.event.kind)) refresh();
  });
  refresh();
})();
