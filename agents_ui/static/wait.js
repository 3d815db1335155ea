// Between submission and the opened case: move on as soon as the worker has opened it.
(function () {
  "use strict";
  const live = window.hotlineLive;
  const box = document.getElementById("intake");
  const id = box.dataset.intakeId;
  let done = false;

  async function check() {
    if (done) return;
    const state = await live.send("/console/api/intakes/" + encodeURIComponent(id));
    if (!state.ok) return;
    if (state.body.state === "failed") {
      document.getElementById("intake-status").textContent =
        "自动处理失败：" + (state.body.error || "") + "。该来件已列入工作台“受理失败的来件”，请人工处理。";
      done = true;
      return;
    }
    if (!state.body.case_id) return;
    done = true;
    const applied = await live.send("/console/api/intakes/" + encodeURIComponent(id) + "/follow-up", "POST", {});
    if (applied.ok && applied.body.notices.length) sessionStorage.setItem("hotline.notice", applied.body.notices.join("；"));
    if (!applied.ok) sessionStorage.setItem("hotline.notice", (applied.body && applied.body.error) || "分派确认未能完成，请在工单页处理");
    location.href = "/console/cases/" + state.body.case_id;
  }
  live.on("hello", check);
  live.on("case_event", check);
  live.on("intake_failed", (m) => { if (m.intake_id === id) check(); });
})();
