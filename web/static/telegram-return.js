// Telegram's OAuth page may return the login data after a "#tgAuthResult=" (base64 JSON)
// instead of in the query: turn it into the query this page's server reads. Nothing else.
(function () {
  var match = /[#&]tgAuthResult=([A-Za-z0-9_\-+/=]+)/.exec(window.location.hash);
  if (!match) { return; }
  var encoded = match[1].replace(/-/g, "+").replace(/_/g, "/");
  while (encoded.length % 4) { encoded += "="; }
  var bytes = Uint8Array.from(atob(encoded), function (c) { return c.charCodeAt(0); });
  var data = JSON.parse(new TextDecoder().decode(bytes));
  var query = Object.keys(data).map(function (key) {
    return encodeURIComponent(key) + "=" + encodeURIComponent(data[key]);
  }).join("&");
  window.location.replace(window.location.pathname + "?" + query);
})();
