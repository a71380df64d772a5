// Lớp Số: small enhancements only; every page works without this file.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  // Every htmx request carries the CSRF token, like the forms do.
  document.addEventListener("htmx:configRequest", function (event) {
    if (meta) { event.detail.headers["X-CSRFToken"] = meta.getAttribute("content"); }
  });

  // "Read aloud": the browser's own speech synthesis, with a Vietnamese voice when the phone has one.
  function setUpReadAloud(root) {
    var button = root.querySelector(".read-aloud-button");
    if (!button || !("speechSynthesis" in window)) { return; }
    var box = button.parentNode;
    var status = box.querySelector(".read-aloud-status");
    var startLabel = button.textContent;
    var wanted = button.getAttribute("data-lang");
    box.hidden = false;

    function pickVoice() {
      var prefix = wanted.slice(0, 2);
      var voices = window.speechSynthesis.getVoices();
      for (var i = 0; i < voices.length; i++) {
        if (voices[i].lang && voices[i].lang.replace("_", "-").toLowerCase().indexOf(prefix) === 0) { return voices[i]; }
      }
      return null;
    }
    function stop() {
      window.speechSynthesis.cancel();
      button.textContent = startLabel;
      button.setAttribute("aria-pressed", "false");
    }
    button.setAttribute("aria-pressed", "false");
    function withVoice(callback) {
      // Voices load late on some phones: wait for them once, briefly, before saying there are none.
      var voice = pickVoice();
      if (voice || window.speechSynthesis.getVoices().length) { callback(voice); return; }
      var done = false;
      function finish() { if (!done) { done = true; callback(pickVoice()); } }
      window.speechSynthesis.addEventListener("voiceschanged", finish, { once: true });
      window.setTimeout(finish, 1500);
    }
    button.addEventListener("click", function () {
      if (window.speechSynthesis.speaking) { stop(); return; }
      withVoice(function (voice) { speak(voice); });
    });
    function speak(voice) {
      if (!voice) { status.textContent = button.getAttribute("data-no-voice"); return; }
      var article = document.getElementById("lesson-text");
      var parts = article.querySelectorAll("h1, h2, h3, p, li, blockquote");
      var text = [];
      for (var i = 0; i < parts.length; i++) {
        if (!parts[i].closest(".read-aloud") && !parts[i].closest("li p")) { text.push(parts[i].textContent.trim()); }
      }
      var utterance = new SpeechSynthesisUtterance(text.join(". \n"));
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.rate = 0.9;
      utterance.onend = stop;
      status.textContent = "";
      button.textContent = button.getAttribute("data-label-stop");
      button.setAttribute("aria-pressed", "true");
      window.speechSynthesis.speak(utterance);
    }
  }
  document.addEventListener("DOMContentLoaded", function () { setUpReadAloud(document); });
})();
