// Small progressive enhancements of the console; every page works without them.
(function () {
  'use strict';
  // Ask before a destructive form (remove a team or an expert) is sent.
  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (!window.confirm(form.getAttribute('data-confirm'))) event.preventDefault();
    });
  });
})();
