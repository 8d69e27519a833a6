// Field report form: keep the draft if the page reloads, retry a failed send with the same key (never twice),
// and fill the coordinates from the phone when the collaborator asks. No framework, no external script.
(function () {
  "use strict";
  var form = document.getElementById("field-form");
  if (!form) { return; }
  var status = document.getElementById("field-status");
  var text = form.elements.text;
  var saved = window.localStorage && localStorage.getItem("civicpulse-field-draft");
  if (saved && !text.value) { text.value = saved; }
  text.addEventListener("input", function () { localStorage.setItem("civicpulse-field-draft", text.value); });
  var locate = document.getElementById("field-locate");
  if (navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (p) {
        form.elements.lat.value = p.coords.latitude.toFixed(5);
        form.elements.lon.value = p.coords.longitude.toFixed(5);
        locate.textContent = form.elements.lat.value + ", " + form.elements.lon.value;
      });
    });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    var attempt = 0;
    function send() {
      attempt += 1;
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (response) {
          localStorage.removeItem("civicpulse-field-draft");
          window.location.href = response.url;
        })
        .catch(function () {
          status.textContent = status.dataset.retrying;
          window.setTimeout(send, Math.min(30000, 2000 * attempt));
        });
    }
    send();
  });
})();
