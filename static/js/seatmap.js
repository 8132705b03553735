/* Seat map: clicking a seat opens the editor on the same page instead of the seat's own page.
   Without JavaScript each seat is a plain link to its edit page, so nothing depends on this. */
(function () {
  "use strict";
  var map = document.querySelector("[data-seatmap]");
  var form = document.getElementById("seat-editor");
  if (!map || !form) return;
  var selected = null;

  function close() {
    form.hidden = true;
    if (selected) {
      selected.classList.remove("selected");
      selected.removeAttribute("aria-current");
      selected.focus();
    }
    selected = null;
  }

  function open(seat) {
    if (selected) selected.classList.remove("selected");
    selected = seat;
    seat.classList.add("selected");
    seat.setAttribute("aria-current", "true");
    form.action = seat.getAttribute("href");
    form.elements.label.value = seat.dataset.label;
    form.elements.hostname.value = seat.dataset.hostname;
    form.elements.ip.value = seat.dataset.ip;
    form.elements.in_service.checked = seat.dataset.inService === "1";
    form.querySelector("[data-editing]").textContent = seat.dataset.label;
    form.hidden = false;
    form.scrollIntoView({ block: "nearest" });
    form.elements.label.focus();
  }

  map.addEventListener("click", function (event) {
    var seat = event.target.closest("a.seat");
    if (!seat || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    open(seat);
  });
  form.querySelector("[data-cancel]").addEventListener("click", close);
  form.addEventListener("keydown", function (event) {
    if (event.key === "Escape") close();
  });
})();
