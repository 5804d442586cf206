/* kiosk.js — the kiosk mode of post offices: the session ends and the
 * screen is wiped after the kiosk's idle time counted from the last touch
 * or key (the server ends the session too, kept while someone types: a
 * quiet request now and then); an on-screen keyboard for the
 * fields that take names and FİN (data-osk, and every text field of an
 * application); the receipt's print button.  Without it the pages work as
 * they are (the <noscript> refresh wipes the screen). */
(function () {
  'use strict';
  var body = document.body;
  if (!body || !body.classList.contains('kiosk')) return;

  var idle = parseInt(body.getAttribute('data-idle'), 10) || 120;
  var timer = null, told = Date.now();
  function wipe() { window.location.replace('/kiosk/end'); }
  function touch() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(wipe, idle * 1000);
    /* someone is typing on this page: the server's session is kept too */
    if (Date.now() - told > idle * 1000 / 3) {
      told = Date.now();
      fetch('/kiosk/alive', {credentials: 'same-origin', cache: 'no-store'}).catch(function () {});
    }
  }
  ['pointerdown', 'keydown', 'input', 'scroll'].forEach(function (e) {
    document.addEventListener(e, touch, {passive: true, capture: true});
  });
  touch();

  var print = document.querySelector('[data-print]');
  if (print) {
    print.hidden = false;
    print.addEventListener('click', function () { window.print(); });
  }

  /* The keyboard: Azerbaijani letters and digits; types into the field
   * that last had the focus, a real keyboard works as always. */
  var fields = document.querySelectorAll('input[data-osk], main input[type=text]:not([inputmode])');
  if (!fields.length) return;
  var target = fields[0];
  fields.forEach(function (f) { f.addEventListener('focus', function () { target = f; }); });
  var rows = ['1234567890', 'QÜERTYUİOPÖĞ', 'ASDFGHJKLIŞƏ', 'ZXCVBNMÇ-'];
  var pad = document.createElement('div');
  pad.className = 'osk';
  pad.setAttribute('role', 'group');
  pad.setAttribute('aria-label', body.getAttribute('data-keyboard') || 'Keyboard');
  function key(label, name, fn, wide) {
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    if (name) b.setAttribute('aria-label', name);
    if (wide) b.className = 'osk-wide';
    /* keep the field's focus: the button acts on pointer down */
    b.addEventListener('mousedown', function (e) { e.preventDefault(); });
    b.addEventListener('click', function () { fn(); target.dispatchEvent(new Event('input', {bubbles: true})); });
    pad.appendChild(b);
  }
  function type(ch) {
    var max = target.maxLength > 0 ? target.maxLength : 1e6;
    if (target.value.length < max) target.value += ch;
  }
  rows.join('').split('').forEach(function (ch) {
    key(ch, null, function () {
      /* a FİN in capitals; a name with a capital at the start of each word */
      var caps = target.getAttribute('autocapitalize') === 'characters' || /(^|[ -])$/.test(target.value);
      type(caps ? ch : ch.toLocaleLowerCase('az'));
    });
  });
  key('␣', body.getAttribute('data-key-space'), function () { type(' '); }, true);
  key('⌫', body.getAttribute('data-key-back'), function () { target.value = target.value.slice(0, -1); }, true);
  document.querySelector('main').appendChild(pad);
})();
