// "Turn on notifications on this phone" (templates/notifications/index.html): asks the
// browser's permission, subscribes through the service worker with the server's public
// key, and posts the subscription with the form's CSRF token like any other form.
(function () {
  "use strict";
  var form = document.getElementById("subscribe-form");
  if (!form) return;
  var problem = form.querySelector("[data-push-problem]");
  function say(kind) {
    problem.textContent = form.getAttribute("data-" + kind);
    problem.hidden = false;
  }
  function key(base64url) {
    var text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((base64url.length + 3) % 4));
    return Uint8Array.from(text, function (c) { return c.charCodeAt(0); });
  }
  function text(buffer) {
    return btoa(String.fromCharCode.apply(null, new Uint8Array(buffer)))
      .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  var supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  if (!supported) say("unsupported");
  form.addEventListener("submit", function (event) {
    if (!supported || form.dataset.ready === "1") return; // without support the server says why
    event.preventDefault();
    problem.hidden = true;
    // Asked from the tap itself: Safari allows the question only from a gesture.
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { say("denied"); return null; }
      return navigator.serviceWorker.ready.then(function (registration) {
        return registration.pushManager.subscribe({
          userVisibleOnly: true, applicationServerKey: key(form.getAttribute("data-public-key")),
        });
      }).then(function (subscription) {
        form.elements.endpoint.value = subscription.endpoint;
        form.elements.p256dh.value = text(subscription.getKey("p256dh"));
        form.elements.auth.value = text(subscription.getKey("auth"));
        form.dataset.ready = "1";
        form.submit();
      });
    }).catch(function () { say("failed"); });
  });
})();
