// The console's live channel: one websocket per page, handlers by message type, the call screen-pop.
(function () {
  "use strict";
  const handlers = {};
  const live = {
    on(type, fn) { (handlers[type] = handlers[type] || []).push(fn); },
    csrf() { const m = document.querySelector('meta[name="csrf-token"]'); return m ? m.content : ""; },
    // A JSON request carrying the session's CSRF token; resolves to {ok, status, body}.
    async send(url, method, data) {
      const response = await fetch(url, {
        method: method || "GET", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": live.csrf(), "Accept": "application/json" },
        body: data === undefined ? undefined : JSON.stringify(data),
      });
      let body = null;
      try { body = await response.json(); } catch (e) { body = null; }
      return { ok: response.ok, status: response.status, body: body };
    },
    el(tag, attrs, children) {
      const node = document.createElement(tag);
      Object.entries(attrs || {}).forEach(([k, v]) => {
        if (k === "text") node.textContent = v; else if (v !== null && v !== undefined) node.setAttribute(k, v);
      });
      (children || []).forEach((c) => node.append(c));
      return node;
    },
  };
  window.hotlineLive = live;

  function setStatus(text, state) {
    document.body.dataset.live = state;
    const badge = document.getElementById("live-status");
    if (badge) { badge.textContent = text; badge.className = "live-status live-" + state; }
  }

  let retry = 1000;
  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + "/console/ws");
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "hello") { retry = 1000; setStatus("实时更新已连接", "ready"); }
      (handlers[message.type] || []).forEach((fn) => fn(message));
    };
    socket.onclose = (event) => {
      if (event.code === 4401) {
        setStatus("登录已失效", "closed");
        location.href = "/console/login?next=" + encodeURIComponent(location.pathname + location.search);
        return;
      }
      setStatus("实时通道已断开，正在重连…", "down");
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 15000);
    };
  }

  // Browsers keep sound off until the page has been touched; the first click unlocks it.
  let audio = null;
  function audioContext() {
    if (!audio) { const Ctx = window.AudioContext || window.webkitAudioContext; audio = Ctx ? new Ctx() : null; }
    return audio;
  }
  document.addEventListener("click", () => { const ctx = audioContext(); if (ctx && ctx.state === "suspended") ctx.resume(); });
  live.alarm = function () {
    const ctx = audioContext();
    if (!ctx) return false;
    if (ctx.state === "suspended") ctx.resume();
    const start = ctx.currentTime + 0.05;
    for (let i = 0; i < 3; i += 1) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = "square";
      osc.frequency.value = i % 2 ? 660 : 880;
      gain.gain.setValueAtTime(0.15, start + i * 0.35);
      gain.gain.setValueAtTime(0, start + i * 0.35 + 0.25);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start + i * 0.35);
      osc.stop(start + i * 0.35 + 0.3);
    }
    document.body.dataset.alarms = String(Number(document.body.dataset.alarms || 0) + 1);
    return true;
  };

  // The screen-pop: the phone system says a call rings for this agent.
  const CALL_STATES = { ringing: "来电振铃", answered: "通话中", hangup: "已挂断" };
  function callPop(message) {
    let pop = document.getElementById("call-pop");
    if (!pop) {
      pop = live.el("aside", { id: "call-pop", class: "call-pop", role: "dialog", "aria-label": "来电" });
      document.body.append(pop);
    }
    if (pop.dataset.callId === message.call_id && !message.history) {
      pop.querySelector(".call-state").textContent = CALL_STATES[message.event];
      pop.dataset.event = message.event;
      return;
    }
    pop.dataset.callId = message.call_id;
    pop.dataset.event = message.event;
    pop.replaceChildren();
    const history = message.history || { people: [], cases: [] };
    const newCase = "/console/cases/new?call_id=" + encodeURIComponent(message.call_id) +
      "&caller=" + encodeURIComponent(message.caller_number);
    pop.append(
      live.el("div", { class: "call-head" }, [
        live.el("span", { class: "call-state", text: CALL_STATES[message.event] }),
        live.el("button", { type: "button", class: "link call-close", text: "收起" }),
      ]),
      live.el("div", { class: "call-number", text: message.caller_number.replace(/^\+86/, "") }),
      live.el("div", { class: "call-area muted", text: "号码归属地：" + (message.area || "未知") }),
    );
    const people = history.people.map((p) => p.name || "（未留姓名）").join("、");
    pop.append(live.el("div", { class: "call-people small", text: people ? "关联人员：" + people : "首次来电，无关联人员" }));
    const list = live.el("ul", { class: "call-history" });
    history.cases.forEach((c) => {
      list.append(live.el("li", {}, [
        live.el("a", { href: "/console/cases/" + c.id, text: c.tracking_no || "#" + c.id }),
        live.el("span", { class: "small", text: " " + c.created_at.slice(0, 10) + " " + c.category_name + " · " + c.state_name }),
        live.el("div", { class: "muted small", text: c.excerpt }),
      ]));
    });
    pop.append(live.el("div", { class: "small", text: "历史工单 " + history.cases.length + " 件" }), list);
    pop.append(live.el("a", { class: "button primary", href: newCase, id: "call-new-case", text: "为此来电新建工单" }));
    pop.querySelector(".call-close").addEventListener("click", () => pop.remove());
  }
  live.on("call", callPop);

  document.addEventListener("DOMContentLoaded", connect);
})();
