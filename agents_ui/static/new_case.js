// The new-case form: the classifier's suggestion follows the agent's typing; the agent accepts or corrects it.
(function () {
  "use strict";
  const live = window.hotlineLive;
  const form = document.getElementById("new-case");
  const $ = (id) => document.getElementById(id);
  const touched = new Set();
  let suggestion = null;
  let asked = 0;
  let timer = null;

  function debounce(fn, ms) { return () => { clearTimeout(timer); timer = setTimeout(fn, ms); }; }
  const checked = (name) => Array.from(form.querySelectorAll('input[name="' + name + '"]:checked')).map((i) => i.value);

  function fillDecision(s) {
    if (!touched.has("categories")) {
      form.querySelectorAll('input[name="categories"]').forEach((box) => { box.checked = s.categories.includes(box.value); });
    }
    if (!touched.has("lead_department")) $("lead_department").value = s.lead_department || "";
    if (!touched.has("co_departments")) {
      form.querySelectorAll('input[name="co_departments"]').forEach((box) => { box.checked = s.co_departments.includes(box.value); });
    }
    if (!touched.has("urgency")) $("urgency").value = s.urgency || "";
  }

  function showCorrections() {
    if (!suggestion) return;
    const changes = [];
    const same = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
    if (!same(checked("categories"), suggestion.categories)) changes.push("诉求类别");
    if ($("lead_department").value && $("lead_department").value !== suggestion.lead_department) changes.push("主办部门");
    if (!same(checked("co_departments"), suggestion.co_departments)) changes.push("协办部门");
    if ($("urgency").value && $("urgency").value !== suggestion.urgency) changes.push("紧急程度");
    if ($("accepting_unit").value && $("accepting_unit").value !== suggestion.accepting_unit) changes.push("承办乡镇");
    $("correction-note").textContent = changes.length ? "您已更正：" + changes.join("、") + "（将记为训练样本）" : "采纳系统建议";
    $("decision").classList.toggle("corrected", changes.length > 0);
    form.dataset.corrected = changes.length ? "yes" : "no";
  }

  async function suggest() {
    const text = $("text").value.trim();
    if (!text) return;
    const mine = ++asked;
    $("suggestion").classList.add("busy");
    $("suggestion-state").textContent = "分析中…";
    const answer = await live.send("/console/api/suggest", "POST", {
      text: text, address: $("address").value, caller_number: form.caller_number.value,
      accepting_unit: $("accepting_unit").value,
    });
    if (mine !== asked) return;  // a newer request is on its way; its answer wins
    $("suggestion").classList.remove("busy");
    if (!answer.ok) { $("suggestion-state").textContent = (answer.body && answer.body.error) || "暂时无法给出建议"; return; }
    const s = answer.body;
    suggestion = s;
    $("suggestion-state").textContent = "置信度 " + Math.round(s.confidence * 100) + "%";
    $("s-needs").textContent = s.needs.length ? s.needs.map((n) => n.name + " " + Math.round(n.probability * 100) + "%").join("、") : "未识别";
    $("s-urgency").replaceChildren(live.el("span", { class: "tag urgency-tag-" + s.urgency,
      text: { critical: "特急", urgent: "紧急", normal: "一般" }[s.urgency] || s.urgency }));
    $("s-township").textContent = s.names.accepting_unit || "未能确定，请询问来电人";
    $("s-lead").textContent = s.names.lead_department || "—";
    $("s-co").textContent = s.names.co_departments.join("、") || "—";
    $("s-state").textContent = { dispatched: "直接派单", triage: "人工分拣", answered: "当场答复", transferred_out: "转12345" }[s.state] || s.state;
    $("s-explanation").textContent = s.explanation + (s.triage_reasons.length ? "\n须人工确认：" + s.triage_reasons.join("；") : "");
    document.body.dataset.suggested = String(mine);
    fillDecision(s);
    showCorrections();
    if ((s.categories.includes("zixun") || s.intent === "zixun") && !$("answer-query").value) searchAnswers(text);
  }

  async function searchAnswers(query) {
    const answer = await live.send("/console/api/answers?q=" + encodeURIComponent(query));
    const list = $("answer-results");
    list.replaceChildren();
    if (!answer.ok) return;
    answer.body.answers.slice(0, 5).forEach((a) => {
      const use = live.el("button", { type: "button", class: "use-answer", text: "选用此答复" });
      use.addEventListener("click", () => {
        $("answer_id").value = String(a.id);
        $("answer_note").value = a.answer;
        list.querySelectorAll("li").forEach((li) => li.classList.remove("chosen"));
        use.closest("li").classList.add("chosen");
      });
      list.append(live.el("li", { "data-answer-id": a.id }, [
        live.el("strong", { text: a.question }), live.el("div", { class: "small", text: a.answer }),
        live.el("div", { class: "rule", text: a.rule + "（" + a.source + "）" }), use,
      ]));
    });
  }

  const later = debounce(suggest, 350);
  ["text", "address", "accepting_unit"].forEach((id) => $(id).addEventListener("input", later));
  $("accepting_unit").addEventListener("change", later);
  form.caller_number.addEventListener("change", later);
  form.querySelectorAll('input[name="categories"]').forEach((b) => b.addEventListener("change", () => { touched.add("categories"); showCorrections(); }));
  form.querySelectorAll('input[name="co_departments"]').forEach((b) => b.addEventListener("change", () => { touched.add("co_departments"); showCorrections(); }));
  ["lead_department", "urgency"].forEach((id) => $(id).addEventListener("change", () => { touched.add(id); showCorrections(); }));
  let answerTimer = null;
  $("answer-query").addEventListener("input", () => {
    clearTimeout(answerTimer);
    answerTimer = setTimeout(() => searchAnswers($("answer-query").value), 250);
  });
  form.addEventListener("submit", () => { $("submit").disabled = true; $("submit").textContent = "正在提交…"; });
  if ($("text").value.trim()) suggest();
})();
