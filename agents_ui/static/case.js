// The case page: actions go to the action API; a refusal (409) is shown; changes arrive live.
(function () {
  "use strict";
  const live = window.hotlineLive;
  const caseId = Number(document.getElementById("case").dataset.caseId);
  const error = document.getElementById("action-error");
  let editing = false;
  const carried = sessionStorage.getItem("hotline.notice");
  if (carried) {
    sessionStorage.removeItem("hotline.notice");
    const notice = document.getElementById("case-notice");
    notice.textContent = carried;
    notice.hidden = false;
  }

  function valuesOf(form) {
    const data = {};
    new FormData(form).forEach((value, key) => {
      if (key === "categories" || key === "co_departments") (data[key] = data[key] || []).push(value);
      else if (key === "target_case_id") data[key] = value ? Number(value) : null;
      else if (value !== "") data[key] = value;
    });
    if (form.querySelector('[name="categories"]') && !data.categories) data.categories = [];
    if (form.querySelector('[name="co_departments"]') && !data.co_departments) data.co_departments = [];
    return data;
  }

  document.querySelectorAll("form.action-form").forEach((form) => {
    form.addEventListener("input", () => { editing = true; });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.hidden = true;
      const button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      const url = "/console/api/cases/" + caseId + "/actions/" + form.dataset.action;
      const answer = await live.send(url, "POST", valuesOf(form));
      button.disabled = false;
      if (!answer.ok) {
        error.textContent = (answer.body && answer.body.error) || ("操作失败（" + answer.status + "）");
        error.hidden = false;
        error.dataset.status = String(answer.status);
        return;
      }
      editing = false;
      location.reload();
    });
  });

  const reveal = document.getElementById("reveal");
  if (reveal) {
    reveal.addEventListener("click", async () => {
      const answer = await live.send("/console/api/cases/" + caseId + "/reveal", "POST", { reason: "办理需要" });
      const box = document.getElementById("revealed");
      if (!answer.ok) { box.textContent = (answer.body && answer.body.error) || "无法查看"; return; }
      box.replaceChildren();
      [["求助对象", answer.body.case.person], ["来电人", answer.body.case.caller]].forEach(([label, p]) => {
        if (!p) return;
        box.append(live.el("p", { class: "small", text: label + "：" + (p.name || "未留姓名") + " · 电话 " +
          (p.phone || "—").replace(/^\+86/, "") + " · 身份证 " + (p.id_number || "—") + (p.address ? " · " + p.address : "") }));
      });
      reveal.disabled = true;
    });
  }

  function remaining(seconds) {
    const abs = Math.abs(seconds);
    const d = Math.floor(abs / 86400); const h = Math.floor((abs % 86400) / 3600);
    const m = Math.floor((abs % 3600) / 60);
    const text = d > 1 ? d + "天" + h + "小时" : (d * 24 + h > 0 ? d * 24 + h + "小时" : "") + m + "分";
    return (seconds >= 0 ? "（剩 " : "（超时 ") + text + "）";
  }
  function tick() {
    document.querySelectorAll(".clock[data-deadline]").forEach((clock) => {
      if (!["running", "warned", "breached"].includes(clock.dataset.level)) return;
      const left = Math.round((Date.parse(clock.dataset.deadline) - Date.now()) / 1000);
      clock.querySelector(".clock-left").textContent = remaining(left);
    });
  }
  tick();
  setInterval(tick, 30000);

  live.on("case_event", (message) => {
    if (message.case.id !== caseId) return;
    const notice = document.getElementById("case-notice");
    notice.textContent = "此工单刚有更新：" + message.event.kind + "（" + message.event.actor + "）";
    notice.hidden = false;
    if (!editing) location.reload();
  });
})();
