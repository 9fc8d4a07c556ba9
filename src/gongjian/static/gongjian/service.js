/* The organiser's sign-in screen: reload the QR code image every step (it rotates on the
   server; the current and the previous code are accepted). No inline script: CSP. */
(function () {
  "use strict";
  function start() {
    var img = document.querySelector("img[data-qr-refresh]");
    if (!img) return;
    var base = img.getAttribute("data-qr-refresh");
    var step = parseInt(img.getAttribute("data-qr-step"), 10) || 30;
    var refresh = function () {
      var next = new Image();
      next.onload = function () { img.src = next.src; };
      next.src = base + "?ts=" + Date.now();
    };
    // Refresh a little more often than the step, so the code shown is never older than one step.
    window.setInterval(refresh, Math.max(5, Math.floor(step / 3)) * 1000);
  }
  if (document.readyState !== "loading") {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
