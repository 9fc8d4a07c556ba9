/* Gongjian page behaviour. The Content-Security-Policy allows scripts from this site only, so
   nothing is inline: pages mark elements with data- attributes and this file wires them up. */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  onReady(function () {
    document.documentElement.classList.add("js");

    // Buttons that only matter without JavaScript (e.g. the language switcher's submit button).
    document.querySelectorAll(".js-hide").forEach(function (el) {
      el.classList.add("d-none");
    });

    // <select data-autosubmit>: submit the form as soon as the choice changes.
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () {
        var form = select.form;
        if (!form) return;
        if (typeof form.requestSubmit === "function") {
          form.requestSubmit();
        } else {
          form.submit();
        }
      });
    });

    // <form data-confirm="question">: ask before submitting (an empty value means no question).
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      var question = form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
      }
    }, true);

    // <div data-past-start="id_starts_at" hidden> around a checkbox "I am recording a past …": shown as
    // soon as the start typed in that field is in the past, hidden (and unticked) again otherwise.
    // The server still asks for it after a submit with a past start, and enforces it.
    document.querySelectorAll("[data-past-start]").forEach(function (box) {
      var input = document.getElementById(box.getAttribute("data-past-start"));
      if (!input) return;
      var check = box.querySelector("input[type=checkbox]");
      var update = function () {
        var when = input.value ? new Date(input.value).getTime() : NaN;
        var past = !isNaN(when) && when < Date.now();
        box.hidden = !past;
        if (!past && check) {
          check.checked = false;
        }
      };
      input.addEventListener("input", update);
      input.addEventListener("change", update);
      update();
    });

    // <button data-copy-target="#id">: copy the target's value to the clipboard.
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      button.addEventListener("click", function () {
        var target = document.querySelector(button.getAttribute("data-copy-target"));
        if (!target) return;
        var text = target.value !== undefined ? target.value : target.textContent;
        var done = function () {
          var label = button.getAttribute("data-copied-label");
          if (label) {
            button.textContent = label;
          }
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, function () {
            target.select();
          });
        } else if (target.select) {
          target.select();
          try {
            document.execCommand("copy");
            done();
          } catch (e) {
            /* the text stays selected for the user to copy */
          }
        }
      });
    });
    // <select data-picker="area|unit|org|member" data-pick-url="/pick/area/?levels=4&">: a searchable picker
    // (Tom Select) asking the server for the options matching what is typed (names in either script
    // or pinyin initials, within the person's scope). Without Tom Select it stays a plain drop-down.
    if (typeof window.TomSelect === "function") {
      document.querySelectorAll("select[data-picker]").forEach(function (select) {
        var url = select.getAttribute("data-pick-url");
        var none = select.getAttribute("data-pick-none") || "";
        var multiple = select.multiple;
        var plugins = multiple ? ["remove_button"] : [];
        var lastLoaded = {};
        var loadedFor = "";
        var picker = new window.TomSelect(select, {
          valueField: "value",
          labelField: "text",
          searchField: ["text"],
          maxOptions: 50,
          loadThrottle: 250,
          preload: "focus",
          plugins: plugins,
          allowEmptyOption: !select.required && !multiple,
          placeholder: select.getAttribute("data-pick-placeholder") || "",
          // The server has matched already (by pinyin initials, too): show what it sent for the
          // latest search, and nothing left over from an earlier one (the chosen value included).
          score: function (search) {
            return function (item) {
              return !search || (search === loadedFor && lastLoaded[item.value]) ? 1 : 0;
            };
          },
          load: function (query, callback) {
            var self = this;
            fetch(url + "q=" + encodeURIComponent(query), {
              credentials: "same-origin",
              headers: { "Accept": "application/json" }
            }).then(function (response) {
              return response.ok ? response.json() : { results: [] };
            }).then(function (data) {
              lastLoaded = {};
              loadedFor = query;
              data.results.forEach(function (row) { lastLoaded[row.value] = true; });
              self.clearOptions();
              callback(data.results);
            }).catch(function () {
              callback();
            });
          },
          render: {
            no_results: function () {
              var div = document.createElement("div");
              div.className = "no-results";
              div.textContent = none;
              return div;
            }
          }
        });
        // Tom Select points the field's label at its search box; the hidden drop-down it keeps
        // for the form is named by the same label, for the tools that still look at it.
        var label = picker.wrapper.ownerDocument.querySelector("label[for='" + picker.control_input.id + "']");
        if (label && label.id) {
          select.setAttribute("aria-labelledby", label.id);
        }
      });
    }
  });
})();
