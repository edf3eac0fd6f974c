/* Sign-in form: POST /api/v1/auth/login sets the session cookie, then on to the agent desktop. */
(function () {
  "use strict";
  var form = document.getElementById("login");
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var error = form.querySelector(".error");
    error.textContent = "";
    fetch("/api/v1/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({
        workspace: form.elements.workspace.value, email: form.elements.email.value,
        password: form.elements.password.value
      })
    }).then(function (r) {
      if (r.ok) { location.href = form.getAttribute("data-next") || "/agent"; return null; }
      return r.json().then(function (d) {
        error.textContent = form.getAttribute("data-failed") + ": " + ((d.error && d.error.message) || r.status);
      });
    }).catch(function (err) { error.textContent = form.getAttribute("data-failed") + ": " + err.message; });
  });
})();
