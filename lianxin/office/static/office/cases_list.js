// The case list: a "select the whole page" box (shown only when scripts run; without them, tick rows one by one).
(function () {
  var all = document.getElementById("pick-all");
  if (!all) return;
  var boxes = document.querySelectorAll("table.cases input[name=ids]");
  all.hidden = false;
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
  });
})();
