/* The proctor's room view, live: seat rows and the signal feed update from the /proctor channel.
 * Without a connection the page still works; it is plain HTML that the proctor can reload. */
(function () {
  "use strict";
  const root = document.getElementById("room-live");
  if (!root || typeof io === "undefined") return;
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
    const row = document.querySelector(`tr[data-attempt="${data.attempt}"]`);
    if (!row) return;
    row.querySelector(".answered").textContent = data.answered + "/" + row.dataset.items;
    if (data.seat) row.querySelector(".seat").textContent = data.seat; // moved to a spare seat
    row.querySelector(".status").textContent = root.dataset["status_" + data.status] || data.status;
    row.classList.toggle("paused", !!data.paused);
    row.classList.add("flash-update");
    setTimeout(() => row.classList.remove("flash-update"), 800);
  });
  socket.on("signal", (data) => {
    // The integrity feed (newest first) and the seat's own count and latest signal.
    const feed = document.getElementById("signal-feed");
    feed.querySelectorAll("li.empty").forEach((li) => li.remove());
    const item = document.createElement("li");
    item.textContent = `${new Date(data.at).toLocaleTimeString()} · ${data.seat} ${data.name || ""} · ${data.title} ${data.detail || ""}`;
    feed.prepend(item);
    const row = document.querySelector(`tr[data-attempt="${data.attempt}"]`);
    if (!row) return;
    const count = row.querySelector(".signals");
    count.textContent = String(Number(count.textContent || 0) + 1);
    row.querySelector(".last-signal").textContent = data.title;
    row.classList.add("flash-update");
    setTimeout(() => row.classList.remove("flash-update"), 800);
  });
  socket.on("broadcast", (data) => {
    const item = document.createElement("li");
    item.textContent = `${new Date(data.at).toLocaleTimeString()} · ${root.dataset.broadcast} ${data.body}`;
    document.getElementById("broadcasts").prepend(item);
  });
})();
