// The door's scanner page. A hand scanner types the code and presses Enter into the focused
// field; where the browser has the BarcodeDetector API, the camera can scan the QR code too.
(function () {
  "use strict";
  var form = document.getElementById("verify-form");
  var field = document.getElementById("code");
  var button = document.getElementById("camera");
  var video = document.getElementById("preview");
  if (!form || !("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      var timer = setInterval(function () {
        detector.detect(video).then(function (codes) {
          if (!codes.length) { return; }
          clearInterval(timer);
          stream.getTracks().forEach(function (t) { t.stop(); });
          field.value = codes[0].rawValue;
          form.submit();
        }).catch(function () {});
      }, 250);
    }).catch(function () { button.disabled = true; });
  });
})();
