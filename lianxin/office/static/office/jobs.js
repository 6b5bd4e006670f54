/* A long job's page: poll its status (JSON) and move the progress bar; reload once it has finished, so that the
   page shows the result file or the rejected rows. Plain JavaScript: no library, works in WeChat's browser. */
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.getAttribute("data-finished") === "true") return;
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("job-progress");
  var status = document.getElementById("job-status");
  var figures = document.getElementById("job-figures");
  var message = document.getElementById("job-message");
  var delay = 1000;

  function show(state) {
    status.textContent = state.status_label + (state.cancel_requested && !state.finished ? "（已请求取消）" : "");
    message.textContent = state.message;
    if (state.total > 0) {
      bar.max = state.total;
      bar.value = state.done;
      bar.textContent = state.percent + "%";
      figures.textContent = state.done + "/" + state.total;
    }
  }

  function poll() {
    var request = new XMLHttpRequest();
    request.open("GET", url);
    request.setRequestHeader("Accept", "application/json");
    request.onload = function () {
      if (request.status !== 200) { delay = Math.min(delay * 2, 10000); return later(); }
      var state = JSON.parse(request.responseText);
      show(state);
      if (state.finished) { window.location.reload(); return; }
      delay = 1000;
      later();
    };
    request.onerror = function () { delay = Math.min(delay * 2, 10000); later(); };
    request.send();
  }

  function later() { window.setTimeout(poll, delay); }
  later();
})();
