// Optional: the forms work without it. Fills the hidden lat/lng fields from the browser's location.
(function () {
  if (!navigator.geolocation) return;
  var status = document.getElementById("locate-status");
  var lat = document.getElementById("id_lat"), lng = document.getElementById("id_lng");
  function locate(done) {
    if (status) status.textContent = "正在获取位置…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(6);
      lng.value = pos.coords.longitude.toFixed(6);
      if (status) status.textContent = "已获取位置";
      if (done) done();
    }, function () {
      if (status) status.textContent = "无法获取位置，请手动选择或填写地点";
    }, { enableHighAccuracy: true, timeout: 10000 });
  }
  var box = document.getElementById("locate-box");
  if (box) {
    box.hidden = false;
    document.getElementById("locate").addEventListener("click", function () { locate(); });
  }
  var form = document.getElementById("locate-form");
  if (form) {
    form.addEventListener("submit", function (event) {
      if (lat.value) return;
      event.preventDefault();
      locate(function () { form.submit(); });
    });
  }
})();
// Optional: suggest a category from its keywords as people type.
(function () {
  var data = document.getElementById("category-keywords");
  var text = document.getElementById("id_text"), select = document.getElementById("id_category");
  var hint = document.getElementById("category-hint");
  if (!data || !text || !select || !hint) return;
  var categories = JSON.parse(data.textContent), suggested = null;
  text.addEventListener("input", function () {
    var value = text.value;
    suggested = null;
    for (var i = 0; i < categories.length && !suggested; i++) {
      for (var j = 0; j < categories[i].keywords.length; j++) {
        if (value.indexOf(categories[i].keywords[j]) >= 0) { suggested = categories[i]; break; }
      }
    }
    if (suggested && select.value !== String(suggested.id)) {
      hint.querySelector("span").textContent = "建议类别：" + suggested.name;
      hint.hidden = false;
    } else {
      hint.hidden = true;
    }
  });
  hint.querySelector("button").addEventListener("click", function () {
    if (suggested) select.value = String(suggested.id);
    hint.hidden = true;
  });
})();
// Optional: choosing a town or village loads the next list at once (the "下一步" button does it without script).
(function () {
  ["town", "village", "grid"].forEach(function (id, level, ids) {
    var select = document.getElementById(id);
    if (!select) return;
    select.addEventListener("change", function () {
      for (var i = level + 1; i < ids.length; i++) {
        var below = document.getElementById(ids[i]);
        if (below) below.disabled = true;  // a new town resets the village and the grid
      }
      select.form.submit();
    });
  });
})();
