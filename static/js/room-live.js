/* The proctor's room console, live: the seat map (each seat's state), the room totals, the
 * candidate rows and the signal feed update from the /proctor channel. Without a connection the
 * page still works; it is plain HTML that the proctor can reload. */
(function () {
  "use strict";
  const root = document.getElementById("room-live");
  if (!root) return;

  // Event times are the server's; the proctor's PC clock may drift, so "now" is the server's.
  const skew = Number(root.dataset.now || Date.now()) - Date.now();
  const now = () => Date.now() + skew;
  const idleMs = Number(root.dataset.idleSeconds || 600) * 1000;
  const roomPaused = !!root.dataset.roomPaused; // a room pause or resume reloads the proctor's page
  const STATES = ["absent", "checked_in", "in_progress", "idle", "offline", "paused", "submitted"];

  /* A seat's state. Mirrors examsys/modules/delivery/monitor.py (seat_state and the module
   * docstring): the first rule that applies wins — submitted > paused > offline > idle >
   * in_progress > checked_in > absent. Keep the two in step. "Flagged" is a marker, not a state. */
  function stateOf(seat, t) {
    if (seat.status === "submitted") return "submitted";
    if (seat.status === "in_progress") {
      if (seat.paused || roomPaused) return "paused";
      if (!seat.online) return "offline";
      if (seat.activity && t - seat.activity >= idleMs) return "idle";
      return "in_progress";
    }
    if (seat.loggedIn || seat.present === true) return "checked_in";
    return "absent";
  }

  function factsOf(cell) {
    const d = cell.dataset;
    return {
      status: d.status,
      paused: !!d.paused,
      online: !!d.online,
      loggedIn: !!d.loggedIn,
      present: d.present === "" ? null : d.present === "1",
      activity: d.activity ? Number(d.activity) : null,
    };
  }

  const cells = () => document.querySelectorAll("#seatmap [data-cell]");
  const cellOf = (attempt) => document.querySelector(`#seatmap [data-cell="${attempt}"]`);
  const rowOf = (attempt) => document.querySelector(`tr[data-attempt="${attempt}"]`);

  function flash(el) {
    el.classList.add("flash-update");
    setTimeout(() => el.classList.remove("flash-update"), 800);
  }

  // Time left: counts down while the seat's clock runs, frozen while paused; not shown for an
  // absent or handed-in seat.
  const running = (cell) => cell.dataset.status !== "submitted" && !cell.dataset.paused && !roomPaused;
  function remainingOf(cell, t) {
    if (cell.dataset.remaining === "") return null;
    const left = Number(cell.dataset.remaining);
    const since = Number(cell.dataset.remainingAt || root.dataset.now);
    return Math.max(0, Math.round(running(cell) ? left - (t - since) / 1000 : left));
  }
  function freezeRemaining(cell, t) {
    const left = remainingOf(cell, t);
    if (left === null) return;
    cell.dataset.remaining = String(left);
    cell.dataset.remainingAt = String(t);
  }
  function showRemaining(cell, t) {
    const left = remainingOf(cell, t);
    const hide = left === null || cell.dataset.state === "submitted" || cell.dataset.state === "absent";
    const text = hide ? "" : `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
    const el = cell.querySelector(".left");
    if (el.textContent !== text) el.textContent = text;
  }

  function render(cell, t) {
    const state = stateOf(factsOf(cell), t);
    if (cell.dataset.state !== state) {
      STATES.forEach((s) => cell.classList.remove("seat-state-" + s));
      cell.classList.add("seat-state-" + state);
      cell.dataset.state = state;
      cell.querySelector(".state-text").textContent = root.dataset["state_" + state] || state;
    }
    const flagged = !!cell.dataset.flagged;
    cell.classList.toggle("flagged", flagged);
    cell.querySelector(".flag").hidden = !flagged;
    cell.querySelector(".answered").textContent = cell.dataset.answered + "/" + cell.dataset.items;
    showRemaining(cell, t);
  }

  function renderTotals() {
    const counts = Object.fromEntries(STATES.map((s) => [s, 0]));
    let flagged = 0, seats = 0, started = 0, answered = 0;
    cells().forEach((cell) => {
      seats += 1;
      counts[cell.dataset.state] += 1;
      if (cell.dataset.flagged) flagged += 1;
      if (cell.dataset.status !== "prepared") {
        started += 1;
        answered += Number(cell.dataset.answered);
      }
    });
    const set = (key, value) => {
      const el = document.querySelector(`#room-totals [data-total="${key}"]`);
      if (el && el.textContent !== String(value)) el.textContent = String(value);
    };
    STATES.forEach((s) => set(s, counts[s]));
    set("flagged", flagged);
    set("seats", seats);
    set("answered_avg", started ? (answered / started).toFixed(1) : "—");
  }

  function refresh() {
    const t = now();
    cells().forEach((cell) => render(cell, t));
    renderTotals();
  }

  // A move to a spare seat: the candidate's cell takes the spare's place; the old seat is retired.
  function moveCell(cell, label) {
    const spare = document.querySelector(`#seatmap .seat-empty[data-label="${label}"]`);
    const old = cell.dataset.label;
    if (spare) {
      [cell.style.gridRow, spare.style.gridRow] = [spare.style.gridRow, cell.style.gridRow];
      [cell.style.gridColumn, spare.style.gridColumn] = [spare.style.gridColumn, cell.style.gridColumn];
      spare.dataset.label = old;
      spare.querySelector(".label").textContent = old;
      spare.classList.add("seat-out");
      spare.querySelector(".state-text").textContent = root.dataset.out || "";
    }
    cell.dataset.label = label;
    cell.querySelector(".label").textContent = label;
  }

  function applySeat(cell, data) {
    const t = now();
    const d = cell.dataset;
    const seen = Date.parse(data.last_seen) || t;
    const paused = data.paused ? "1" : "";
    freezeRemaining(cell, t); // before the clock may start or stop
    const quiet = d.status === data.status && d.paused === paused && (!data.seat || data.seat === d.label);
    if (data.seat && data.seat !== d.label) moveCell(cell, data.seat);
    // Activity (for idle): an answer save. saved_at when the server sends it, else a higher seq.
    let saved = null;
    if ("saved_at" in data) saved = data.saved_at ? Date.parse(data.saved_at) : null;
    else if (Number(data.seq) > Number(d.seq)) saved = seen;
    if (d.status === "prepared" && data.status === "in_progress") saved = Math.max(saved || 0, seen); // the paper opened
    // Other seat events repeat the last save's time: only a later one is a new save (1 s absorbs rounding).
    if (saved && saved - Number(d.activity || 0) >= 1000) {
      d.activity = String(saved);
      d.online = "1"; // a new save is contact from the candidate's browser
    }
    // Logged in: the server's flag when sent; else a seat event that changed nothing else is a login.
    if ("logged_in" in data) d.loggedIn = data.logged_in ? "1" : "";
    else if (data.status !== "prepared" || quiet) d.loggedIn = "1";
    d.status = data.status;
    d.paused = paused;
    d.seq = String(data.seq);
    d.answered = String(data.answered);
    if (typeof data.remaining === "number") d.remaining = String(data.remaining);
    d.remainingAt = String(t);
    render(cell, t);
    renderTotals();
    flash(cell);
  }

  refresh();
  setInterval(refresh, 15000); // idle is a matter of time passing: re-evaluate every 15 s
  setInterval(() => {
    const t = now();
    cells().forEach((cell) => showRemaining(cell, t));
  }, 1000);

  if (typeof io === "undefined") return;
  const socket = io("/proctor", { transports: ["websocket", "polling"] });
  const watch = { session: Number(root.dataset.session), room: Number(root.dataset.room) };
  const status = document.getElementById("live-status");
  socket.on("connect", () => {
    socket.emit("watch", watch, (answer) => {
      status.textContent = answer && answer.ok ? status.dataset.on : status.dataset.off;
    });
  });
  socket.on("disconnect", () => (status.textContent = status.dataset.off));
  socket.on("seat", (data) => {
    const row = rowOf(data.attempt);
    if (row) {
      row.querySelector(".answered").textContent = data.answered + "/" + row.dataset.items;
      if (data.seat) row.querySelector(".seat").textContent = data.seat; // moved to a spare seat
      row.querySelector(".status").textContent =
        (root.dataset["status_" + data.status] || data.status) + (data.paused ? `（${root.dataset.paused}）` : "");
      row.classList.toggle("paused", !!data.paused);
      flash(row);
    }
    const cell = cellOf(data.attempt);
    if (cell) applySeat(cell, data);
  });
  socket.on("presence", (data) => {
    // The server's verdict on heartbeats: offline when they stop, online when they come back.
    const cell = cellOf(data.attempt);
    if (!cell) return;
    cell.dataset.online = data.online ? "1" : "";
    refresh();
    flash(cell);
  });
  socket.on("checkin", (data) => {
    const cell = document.querySelector(`#seatmap [data-placement="${data.placement}"]`);
    if (!cell) return;
    cell.dataset.present = data.present ? "1" : "0";
    refresh();
  });
  socket.on("incident", (data) => {
    // An entry in the room record flags its candidate (when the event names the placement).
    const cell = data.placement && document.querySelector(`#seatmap [data-placement="${data.placement}"]`);
    if (!cell) return;
    cell.dataset.flagged = "1";
    refresh();
    flash(cell);
  });
  socket.on("signal", (data) => {
    // The integrity feed (newest first), the seat's flag, and its row's count and latest signal.
    const feed = document.getElementById("signal-feed");
    feed.querySelectorAll("li.empty").forEach((li) => li.remove());
    const item = document.createElement("li");
    item.textContent = `${new Date(data.at).toLocaleTimeString()} · ${data.seat} ${data.name || ""} · ${data.title} ${data.detail || ""}`;
    feed.prepend(item);
    const cell = cellOf(data.attempt);
    if (cell) {
      cell.dataset.flagged = "1";
      render(cell, now());
      renderTotals();
      flash(cell);
    }
    const row = rowOf(data.attempt);
    if (!row) return;
    const count = row.querySelector(".signals");
    count.textContent = String(Number(count.textContent || 0) + 1);
    row.querySelector(".last-signal").textContent = data.title;
    flash(row);
  });
  socket.on("broadcast", (data) => {
    const item = document.createElement("li");
    item.textContent = `${new Date(data.at).toLocaleTimeString()} · ${root.dataset.broadcast} ${data.body}`;
    document.getElementById("broadcasts").prepend(item);
  });
})();
