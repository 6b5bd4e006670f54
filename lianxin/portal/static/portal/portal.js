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
