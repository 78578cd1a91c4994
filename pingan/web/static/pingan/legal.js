// 青小律: ask, show the articles, the service line, the institutions nearby and
// what to do next. Voice input where the browser offers speech recognition.
(function () {
  "use strict";
  var chat = document.getElementById("chat");
  var form = document.getElementById("ask");
  var input = form.elements.q;
  var kiosk = chat.dataset.kiosk === "1";
  var TEXT_SHOWN = 160; // characters of an article shown before 展开

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "class") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function bubble(who, children) {
    var node = el("div", { class: "bubble " + who }, children);
    chat.appendChild(node);
    node.scrollIntoView({ behavior: "smooth", block: "start" });
    return node;
  }

  function article(hit) {
    var long = hit.text.length > TEXT_SHOWN;
    var text = el("span", { class: "text", text: long ? hit.text.slice(0, TEXT_SHOWN) + "…" : hit.text });
    var more = long ? el("button", { type: "button", class: "example", text: "展开" }) : null;
    if (more) more.addEventListener("click", function () { text.textContent = hit.text; more.remove(); });
    return el("li", { class: "article" }, [
      el("div", { class: "law", text: "《" + hit.law.replace(/^中华人民共和国/, "") + "》第" + hit.article + "条" }),
      text, more,
    ]);
  }

  // A number a phone can call at a tap: digits and hyphens only go into the link.
  function tel(label, number) {
    return el("a", { class: "tel", href: "tel:" + String(number).replace(/[^0-9-]/g, ""), text: label });
  }

  function institution(place) {
    return el("div", { class: "institution" }, [
      el("div", { class: "name", text: place.name.indexOf(place.kind) >= 0 ? place.name : place.name + "（" + place.kind + "）" }),
      el("div", { class: "muted", text: place.address + (place.hours ? " · " + place.hours : "") }),
      place.phone ? tel("拨打 " + place.phone, place.phone) : null,
    ]);
  }

  function offers(line, question) {
    var links = [];
    if (line === "人民调解") {
      links.push(el("a", { href: "/legal/mediation/?description=" + encodeURIComponent(question), text: "申请人民调解" }));
    }
    links.push(el("a", { href: "/bm/book/?kind=legal&note=" + encodeURIComponent(question.slice(0, 200)), text: "预约法律咨询" }));
    return el("div", { class: "offers" }, links);
  }

  // The plain answer first (what it is, what to do, where to go), the articles after.
  function answer(question, found, places) {
    var guide = found.guide;
    var parts = [
      el("p", { class: "about", id: "about", text: guide.about }),
      el("h3", { text: "您可以这样做" }),
      el("ol", { class: "steps", id: "steps" }, guide.steps.map(function (step) { return el("li", { text: step }); })),
    ];
    if (places.length || guide.hotlines.length) {
      parts.push(el("h3", { text: "去哪里办" }));
      var where = el("div", { id: "where" });
      places.slice(0, 3).forEach(function (place) { where.appendChild(institution(place)); });
      var hotlines = el("p", { class: "hotlines" }, guide.hotlines.map(function (h) { return tel(h.label, h.phone); }));
      where.appendChild(hotlines);
      parts.push(where);
    }
    parts.push(offers(found.service_line, question));
    if (found.results.length) {
      var list = el("ol", { class: "articles" }, found.results.map(article));
      parts.push(el("details", { class: "laws" }, [
        el("summary", { text: "相关法律条文（" + found.results.length + "条）" }), list,
      ]));
    }
    parts.push(el("p", { class: "muted" }, [
      document.createTextNode("法律服务类别："),
      el("span", { class: "line", id: "service-line", text: found.service_line }),
    ]));
    bubble("bot", parts);
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    });
  }

  function ask(question) {
    question = question.trim();
    if (!question) return;
    bubble("me", [el("p", { text: question })]);
    var waiting = bubble("bot", [el("p", { class: "muted", text: "正在查找相关法律…" })]);
    var township = form.elements.township.value;
    getJSON("/api/v1/legal/search?k=5&q=" + encodeURIComponent(question))
      .then(function (found) {
        var where = "/api/v1/legal/institutions?line=" + encodeURIComponent(found.service_line) +
          "&kinds=" + encodeURIComponent(found.guide.kinds.join(",")) +
          "&township=" + encodeURIComponent(township);
        return getJSON(where).catch(function () { return []; }).then(function (places) {
          waiting.remove();
          answer(question, found, places);
        });
      })
      .catch(function () {
        waiting.remove();
        bubble("bot", [el("p", { class: "error", text: "网络不通或服务繁忙，请稍后再试，或拨打 12348。" })]);
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    ask(input.value);
    input.value = "";
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  Array.prototype.forEach.call(document.querySelectorAll(".example"), function (button) {
    button.addEventListener("click", function () { ask(button.textContent); });
  });

  // Voice: the browser's own speech recognition, when it has one.
  var Recognition = chat.dataset.voice === "1" && (window.SpeechRecognition || window.webkitSpeechRecognition);
  var voice = document.getElementById("voice");
  var status = document.getElementById("voice-status");
  if (Recognition) {
    voice.hidden = false;
    voice.addEventListener("click", function () {
      var listening = new Recognition();
      listening.lang = "zh-CN";
      listening.interimResults = false;
      status.hidden = false;
      status.textContent = "请说话…";
      listening.onresult = function (event) {
        var said = event.results[0][0].transcript;
        status.hidden = true;
        input.value = said;
        ask(said);
        input.value = "";
      };
      listening.onerror = function () { status.textContent = "没有听清，请再说一次或直接输入"; };
      listening.onend = function () { if (status.textContent === "请说话…") status.hidden = true; };
      listening.start();
    });
  }

  // The kiosk forgets the last resident's conversation after two idle minutes.
  if (kiosk) {
    var idle;
    var reset = function () {
      clearTimeout(idle);
      idle = setTimeout(function () { window.location.reload(); }, 120000);
    };
    ["click", "keydown", "touchstart"].forEach(function (name) { document.addEventListener(name, reset); });
    reset();
  }
})();
