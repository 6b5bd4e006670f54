// Optional: the sign-in works without it. Adds the phone's location to the sign-in when the deputy allows it;
// a refusal or a slow answer signs in without one.
(function () {
  var form = document.getElementById("signin-form");
  if (!form || !navigator.geolocation) return;
  var lat = document.getElementById("id_lat"), lng = document.getElementById("id_lng");
  var status = document.getElementById("locate-status"), sent = false;
  function send() {
    if (sent) return;
    sent = true;
    form.submit();
  }
  form.addEventListener("submit", function (event) {
    if (lat.value || sent) return;
    event.preventDefault();
    status.textContent = "正在获取位置…";
    setTimeout(send, 10000);
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(6);
      lng.value = pos.coords.longitude.toFixed(6);
      send();
    }, send, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
  });
})();
