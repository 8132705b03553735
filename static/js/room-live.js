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
    row.querySelector(".status").textContent = root.dataset["status_" + data.status] || data.status;
    row.classList.toggle("paused", !!data.paused);
    row.classList.add("flash-update");
    setTimeout(() => row.classList.remove("flash-update"), 800);
  });
  socket.on("signal", (data) => {
    const feed = document.getElementById("signal-feed");
    const item = document.createElement("li");
    item.textContent = `${new Date(data.at).toLocaleTimeString()} · ${data.seat} · ${data.title} ${data.detail || ""}`;
    feed.prepend(item);
    const row = document.querySelector(`tr[data-attempt="${data.attempt}"] .signals`);
    if (row) row.textContent = String(Number(row.textContent || 0) + 1);
  });
})();
