/* The candidate's exam page: lobby, paper, autosave that never drops a change, server time.
 *
 * Every answer change gets the next sequence number and is kept in localStorage until the
 * server acknowledges it, so a reload, a network cut or a browser crash loses nothing: the
 * page replays whatever is still unacknowledged. The countdown follows the server's clock
 * (remaining seconds from /state, resynchronised every 30 s), never the machine's.
 *
 * The login form is part of this page: its answer carries the state with the paper, so at the
 * synchronised start each machine makes one request, and the page never reloads in between.
 */
(function () {
  "use strict";
  const app = document.getElementById("exam-app");
  if (!app) return;
  const T = JSON.parse(document.getElementById("exam-text").textContent);
  const csrf = document.querySelector("meta[name=csrf-token]").content;
  let KEY = null; // "exam:<attempt>:" once logged in
  const $ = (id) => document.getElementById(id);
  const fmt = (text, args) => text.replace(/\{(\w+)\}/g, (_, k) => String(args[k]));

  const store = {
    get(name, fallback) {
      if (!KEY) return fallback;
      try {
        const value = localStorage.getItem(KEY + name);
        return value === null ? fallback : JSON.parse(value);
      } catch (e) {
        return fallback;
      }
    },
    set(name, value) {
      if (!KEY) return;
      try {
        localStorage.setItem(KEY + name, JSON.stringify(value));
      } catch (e) {
        /* private mode or full: the in-memory copy still retries */
      }
    },
    clear() {
      Object.keys(localStorage).filter((k) => k.startsWith(KEY)).forEach((k) => localStorage.removeItem(k));
    },
  };

  let state = null;
  let items = [];
  let answers = {}; // item id -> {choice, flagged, seq}
  let pending = {}; // item id -> change not yet acknowledged (kept in localStorage too)
  let seq = 0;
  let index = 0;
  let mode = "one";
  let syncedAt = 0; // performance.now() when `state.remaining` was read
  let stopped = false;
  let sending = false;
  let retryDelay = 1000;
  let flushTimer = null;

  async function call(url, body) {
    const response = await fetch(url, {
      method: body === undefined ? "GET" : "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
    let data = {};
    try {
      data = await response.json();
    } catch (e) {
      /* not JSON: treat by status */
    }
    return { status: response.status, data };
  }

  function show(section) {
    ["login", "lobby", "paper", "summary", "done", "stopped"].forEach((id) => ($(id).hidden = id !== section));
  }

  function stop(title, text) {
    stopped = true;
    $("stopped-title").textContent = title;
    $("stopped-text").textContent = text;
    show("stopped");
    updateSaveState();
  }

  // ------------------------------------------------------------------ state and time

  async function sync() {
    let result;
    try {
      result = await call(app.dataset.stateUrl + "?paper=" + (items.length ? "0" : "1"));
    } catch (e) {
      updateSaveState(true);
      return;
    }
    if (result.status === 401) {
      window.location.reload();
      return;
    }
    if (result.status === 409) {
      stop(T.superseded, "");
      return;
    }
    return apply(result.data);
  }

  function apply(data) {
    state = data;
    syncedAt = performance.now();
    showMessages(state.messages || []);
    seq = Math.max(seq, state.last_seq || 0);
    store.set("seq", seq);
    $("who").textContent = fmt(T.lobby, state.candidate);
    if (state.items) {
      items = state.items;
      answers = state.answers || {};
    }
    function showResult(st) {
      var box = $("done-result");
      box.hidden = false;
      $("done-score").textContent = st.score;
      var list = $("done-areas");
      list.textContent = "";
      Object.keys(st.area_scores || {}).forEach(function (area) {
        var li = document.createElement("li");
        li.textContent = area + "：" + st.area_scores[area];
        list.appendChild(li);
      });
    }
    if (state.status === "submitted") {
      store.clear();
      if (state.score !== undefined) showResult(state);
      show(Object.keys(pending).length ? "stopped" : "done");
      if (Object.keys(pending).length) stop(T.deadline, fmt(T.unsent, { n: Object.keys(pending).length }));
      return;
    }
    if (!state.open) {
      $("lobby-info").textContent = fmt(T.lobby, state.candidate);
      show("lobby");
      return;
    }
    if (!items.length) return sync(); // opened between two polls: fetch the paper
    if (!store.get("rules", false)) {
      $("lobby-info").textContent = fmt(T.lobby, state.candidate);
      $("lobby-wait").hidden = true;
      $("begin").hidden = false;
      show("lobby");
      return;
    }
    if ($("paper").hidden && $("summary").hidden) {
      show("paper");
      render();
    }
    flush();
  }

  function showMessages(list) {
    // The proctor's broadcasts to the room, newest first.
    $("message-list").replaceChildren(...list.map((m) => {
      const line = document.createElement("p");
      line.textContent = new Date(m.at).toLocaleTimeString() + " " + m.body;
      return line;
    }));
    $("messages").hidden = !list.length;
  }

  function remaining() {
    if (!state || state.remaining === null || state.remaining === undefined) return null;
    if (state.paused) return state.remaining;
    return Math.max(0, state.remaining - Math.floor((performance.now() - syncedAt) / 1000));
  }

  function tick() {
    const left = remaining();
    if (left === null) {
      $("clock").textContent = "--:--";
    } else {
      const h = Math.floor(left / 3600);
      const m = Math.floor((left % 3600) / 60);
      const s = left % 60;
      $("clock").textContent = (h ? h + ":" : "") + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
      $("clock").classList.toggle("urgent", left <= 300);
      if (state && state.paused) $("clock").textContent += " · " + T.paused;
      if (left === 0 && state.open && !stopped) {
        flush();
        setTimeout(sync, 3000); // the deadline job submits; show it once it has
      }
    }
  }

  // ------------------------------------------------------------------ answers and saving

  function current(itemId) {
    const key = String(itemId);
    const saved = answers[key];
    const local = pending[key];
    if (local && (!saved || local.seq > saved.seq)) return local;
    return saved || { choice: [], flagged: false, seq: 0 };
  }

  function change(itemId, choice, flagged) {
    if (stopped) return;
    seq += 1;
    pending[String(itemId)] = { item: itemId, choice, flagged, seq };
    store.set("seq", seq);
    store.set("pending", pending);
    updateSaveState();
    clearTimeout(flushTimer);
    flushTimer = setTimeout(flush, 400);
  }

  async function flush() {
    const changes = Object.values(pending);
    if (sending || stopped || !changes.length) return;
    sending = true;
    let result = null;
    try {
      result = await call(app.dataset.saveUrl, { changes });
    } catch (e) {
      result = null; // the network is down: keep everything, try again
    }
    sending = false;
    if (result && result.status === 200) {
      heard(result.data); // a save is also a heartbeat
      const ack = result.data.ack;
      for (const [key, c] of Object.entries(pending)) {
        if (c.seq <= ack) {
          answers[key] = { choice: c.choice, flagged: c.flagged, seq: c.seq };
          delete pending[key];
        }
      }
      store.set("pending", pending);
      retryDelay = 1000;
      updateSaveState();
      if (Object.keys(pending).length) flush();
      return;
    }
    if (result && result.status === 409) {
      const reason = result.data.reason;
      if (reason === "paused" || reason === "not_started") return schedule(5000);
      if (reason === "superseded") return stop(T.superseded, fmt(T.unsent, { n: changes.length }));
      if (reason === "deadline" || reason === "submitted") {
        return stop(T.deadline, fmt(T.unsent, { n: changes.length }));
      }
    }
    if (result && result.status === 401) {
      window.location.reload(); // log in again: the changes stay in localStorage and are replayed
      return;
    }
    updateSaveState(true);
    schedule(retryDelay);
    retryDelay = Math.min(retryDelay * 2, 10000);
  }

  function schedule(ms) {
    clearTimeout(flushTimer);
    flushTimer = setTimeout(flush, ms);
  }

  function updateSaveState(offline) {
    const n = Object.keys(pending).length;
    const el = $("save-state");
    el.textContent = n === 0 ? T.saved : offline ? T.offline : fmt(T.unsaved, { n });
    el.className = "save-state " + (n === 0 ? "ok" : offline ? "offline" : "busy");
    el.dataset.pending = String(n);
  }

  // ------------------------------------------------------------------ rendering

  function render() {
    const box = $("items");
    box.innerHTML = "";
    box.className = mode === "one" ? "one" : "all";
    items.forEach((item, i) => {
      if (mode === "one" && i !== index) return;
      box.appendChild(renderItem(item));
    });
    $("prev").hidden = $("next").hidden = mode !== "one";
    renderGrid();
    store.set("index", index);
  }

  function renderItem(item) {
    const answer = current(item.id);
    const wrap = document.createElement("article");
    wrap.className = "item" + (answer.flagged ? " flagged" : "");
    wrap.id = "item-" + item.id;
    const head = document.createElement("h2");
    head.textContent = item.number + ". " + T[item.qtype] + "（" + item.points + T.points + "）";
    const stem = document.createElement("div");
    stem.className = "stem";
    stem.innerHTML = item.stem; // sanitised when the item was saved (nh3)
    wrap.append(head, stem);
    const multiple = item.qtype === "multiple";
    item.options.forEach((option, k) => {
      const label = document.createElement("label");
      label.className = "option";
      const input = document.createElement("input");
      input.type = multiple ? "checkbox" : "radio";
      input.name = "q" + item.id;
      input.value = option.label;
      input.checked = answer.choice.includes(option.label);
      input.addEventListener("change", () => choose(item, option.label, input.checked));
      const letter = document.createElement("b");
      letter.textContent = item.qtype === "true_false" ? "" : String.fromCharCode(65 + k) + ". ";
      const text = document.createElement("span");
      text.innerHTML = option.text;
      label.append(input, letter, text);
      wrap.appendChild(label);
    });
    return wrap;
  }

  function choose(item, label, on) {
    const answer = current(item.id);
    let choice;
    if (item.qtype === "multiple") {
      choice = answer.choice.filter((c) => c !== label);
      if (on) choice.push(label);
    } else {
      choice = [label];
    }
    change(item.id, choice, answer.flagged);
    renderGrid();
  }

  function toggleFlag() {
    const item = items[index];
    if (!item) return;
    const answer = current(item.id);
    change(item.id, answer.choice, !answer.flagged);
    render();
  }

  function renderGrid() {
    const grid = $("grid");
    grid.innerHTML = "";
    items.forEach((item, i) => {
      const a = current(item.id);
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = item.number;
      button.className = (a.choice.length ? "answered" : "") + (a.flagged ? " flagged" : "") + (i === index ? " here" : "");
      // what the colours say, for a screen reader
      const said = [fmt(T.grid_item, { n: item.number }), a.choice.length ? T.grid_answered : T.grid_unanswered];
      if (a.flagged) said.push(T.grid_flagged);
      button.setAttribute("aria-label", said.join("，"));
      if (i === index) button.setAttribute("aria-current", "true");
      button.addEventListener("click", () => go(i));
      grid.appendChild(button);
    });
  }

  function go(i) {
    index = Math.max(0, Math.min(items.length - 1, i));
    if (mode === "one") render();
    else {
      renderGrid();
      $("item-" + items[index].id).scrollIntoView({ block: "start" });
    }
    store.set("index", index);
  }

  function openSummary() {
    const unanswered = items.filter((it) => !current(it.id).choice.length).length;
    const flagged = items.filter((it) => current(it.id).flagged).length;
    $("summary-text").textContent = fmt(T.summary, { total: items.length, unanswered, flagged });
    show("summary");
  }

  async function submit() {
    await flush();
    for (let i = 0; i < 20 && Object.keys(pending).length; i += 1) {
      await new Promise((r) => setTimeout(r, 500));
      await flush();
    }
    if (Object.keys(pending).length) {
      $("summary-text").textContent = fmt(T.unsent, { n: Object.keys(pending).length });
      return;
    }
    const result = await call(app.dataset.submitUrl, {});
    if (result.status === 200) {
      store.clear();
      show("done");
    } else {
      $("summary-text").textContent = result.data.message || fmt(T.early, { n: state.earliest_submit_minutes });
    }
  }

  // ------------------------------------------------------------------ signals and keys

  function signal(kind, detail) {
    if (stopped || !KEY) return;
    fetch(app.dataset.signalUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ kind, detail: detail || "" }),
      credentials: "same-origin",
      keepalive: true,
    }).catch(() => {});
  }

  window.addEventListener("blur", () => signal("blur"));
  document.addEventListener("visibilitychange", () => document.hidden && signal("hidden"));
  ["copy", "paste", "cut"].forEach((kind) =>
    document.addEventListener(kind, (event) => {
      event.preventDefault();
      signal(kind === "cut" ? "copy" : kind);
    }),
  );

  document.addEventListener("keydown", (event) => {
    if ($("paper").hidden || event.ctrlKey || event.metaKey || event.altKey) return;
    const item = items[index];
    if (event.key === "ArrowRight") go(index + 1);
    else if (event.key === "ArrowLeft") go(index - 1);
    else if (event.key === "f" || event.key === "F") toggleFlag();
    else if (item && mode === "one") {
      const k = /^[1-9]$/.test(event.key) ? Number(event.key) - 1 : "abcdefgh".indexOf(event.key.toLowerCase());
      const option = item.options[k];
      if (option) {
        const on = item.qtype !== "multiple" || !current(item.id).choice.includes(option.label);
        choose(item, option.label, on);
        render();
      }
    }
  });

  $("begin").addEventListener("click", () => {
    store.set("rules", true);
    show("paper");
    render();
  });
  $("prev").addEventListener("click", () => go(index - 1));
  $("next").addEventListener("click", () => go(index + 1));
  $("flag").addEventListener("click", toggleFlag);
  $("toggle-mode").addEventListener("click", () => {
    mode = mode === "one" ? "all" : "one";
    store.set("mode", mode);
    render();
  });
  $("submit-open").addEventListener("click", openSummary);
  $("submit-cancel").addEventListener("click", () => show("paper"));
  $("submit-confirm").addEventListener("click", submit);
  $("toggle-font").addEventListener("click", () => {
    document.body.classList.toggle("large");
    localStorage.setItem("exam:large", document.body.classList.contains("large") ? "1" : "");
  });
  $("toggle-contrast").addEventListener("click", () => {
    document.body.classList.toggle("contrast");
    localStorage.setItem("exam:contrast", document.body.classList.contains("contrast") ? "1" : "");
  });
  if (localStorage.getItem("exam:large")) document.body.classList.add("large");
  if (localStorage.getItem("exam:contrast")) document.body.classList.add("contrast");
  window.addEventListener("online", flush);

  // The heartbeat: the console sees this seat online; a changed notice number means a proctor
  // did something this page must show now (a broadcast, a pause, extra time, the end).
  // A save answered within the interval stands in for the beat (the server counts it as one).
  let notice = null;
  let lastContact = -Infinity; // performance.now() of the last answered beat or save
  const beatMs = Math.max(1, Number(app.dataset.beatSeconds) || 5) * 1000;

  function heard(data) {
    lastContact = performance.now();
    if (data.notice === undefined || data.notice === null) return;
    if (notice !== null && data.notice !== notice) sync();
    notice = data.notice;
  }

  async function beat() {
    if (stopped || !state || state.status === "submitted") return;
    if (performance.now() - lastContact < beatMs - 500) return;
    try {
      const response = await fetch(app.dataset.beatUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (!response.ok) {
        if (response.status === 401 || response.status === 409) sync();
        return;
      }
      heard(await response.json());
    } catch (e) {
      /* no network: the next beat tries again; unsaved answers stay queued meanwhile */
    }
  }

  // ------------------------------------------------------------------ login and start

  function start(attemptId, first) {
    app.dataset.attempt = String(attemptId);
    KEY = "exam:" + attemptId + ":";
    pending = store.get("pending", {}); // replayed below: unsent before a reload or a crash
    seq = store.get("seq", 0);
    index = store.get("index", 0);
    mode = store.get("mode", "one");
    updateSaveState();
    Promise.resolve(first ? apply(first) : sync()).then(beat);
    setInterval(beat, beatMs);
    setInterval(tick, 1000);
    // Poll with a little jitter so 600 machines do not ask in the same second.
    setInterval(sync, 30000 + Math.floor(Math.random() * 5000));
    setInterval(() => state && !state.open && sync(), 5000 + Math.floor(Math.random() * 2000));
  }

  async function login(event) {
    event.preventDefault();
    const form = $("login-form");
    const button = form.querySelector("button[type=submit]");
    const error = $("login-error");
    error.hidden = true;
    button.disabled = true;
    let response = null;
    let data = {};
    try {
      response = await fetch(app.dataset.loginUrl, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json", "X-CSRFToken": csrf },
        credentials: "same-origin",
        cache: "no-store",
      });
      data = await response.json();
    } catch (e) {
      /* no answer, or not JSON: said below */
    }
    button.disabled = false;
    if (!response || !response.ok || !data.attempt) {
      error.textContent = response ? data.message || T.login_failed : T.network;
      error.hidden = false;
      const field = (data.errors || []).map((p) => p.field).find((f) => f && form.elements[f]);
      if (field) form.elements[field].focus();
      return;
    }
    history.replaceState(null, "", app.dataset.examUrl); // a reload now reopens the exam, not the form
    start(data.attempt, data.state);
  }

  if (app.dataset.attempt) {
    const nav = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
    start(app.dataset.attempt);
    if (nav && nav.type === "reload") signal("reload");
  } else {
    $("login-form").addEventListener("submit", login);
  }
})();
