// Warn two minutes before the idle sign-out, and let the person stay signed in.
(function () {
  "use strict";
  var body = document.body;
  var minutes = parseInt(body.getAttribute("data-idle-timeout-min"), 10);
  var dialog = document.getElementById("idle-warning");
  if (!minutes || !dialog || typeof dialog.showModal !== "function") { return; }
  var warnBeforeMs = Math.min(2 * 60 * 1000, minutes * 60 * 1000 / 2);
  var warnTimer, expireTimer, tickTimer;
  var countdown = dialog.querySelector("[data-idle-countdown]");
  var form = dialog.querySelector("[data-keepalive-form]");

  function schedule() {
    clearTimeout(warnTimer); clearTimeout(expireTimer); clearInterval(tickTimer);
    var totalMs = minutes * 60 * 1000;
    warnTimer = setTimeout(warn, totalMs - warnBeforeMs);
    expireTimer = setTimeout(expire, totalMs);
  }
  function warn() {
    var deadline = Date.now() + warnBeforeMs;
    function tick() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      countdown.textContent = Math.floor(left / 60) + " min " + (left % 60) + " s";
    }
    tick(); tickTimer = setInterval(tick, 1000);
    dialog.showModal();
  }
  function expire() {
    window.location.href = body.getAttribute("data-login-url") + "?next=" + encodeURIComponent(window.location.pathname);
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        if (response.ok) { dialog.close(); schedule(); } else { expire(); }
      })
      .catch(expire);
  });
  document.body.addEventListener("htmx:afterRequest", schedule);
  schedule();
})();
