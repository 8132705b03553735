// Live progress of bulk document jobs: poll each running job's status until it is done or failed.
(function () {
  "use strict";
  function poll(row) {
    fetch(row.dataset.jobUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) { return; }
        row.querySelector("progress").value = job.percent;
        row.querySelector(".job-count").textContent = job.done + "/" + job.total;
        row.querySelector(".job-status").textContent = job.status_title + (job.error ? "：" + job.error : "");
        if (job.ready) { row.querySelector(".job-download").hidden = false; }
        if (job.status === "done" || job.status === "failed") { row.dataset.live = "no"; }
      })
      .catch(function () { /* the next tick tries again */ });
  }
  function tick() {
    document.querySelectorAll("tr[data-live='yes']").forEach(poll);
  }
  if (document.querySelector("tr[data-live='yes']")) {
    setInterval(tick, 1000);
    tick();
  }
})();
