// 平安 · 移动工作台: one app for grid workers, handlers and managers.
//
// Works with no signal: the worker's grid is kept in IndexedDB, every record is
// queued there first (with a UUID made on the phone) and sent in order when the
// network is back. The server answers each item once; a replay changes nothing.
(function () {
  "use strict";

  // ---- storage: IndexedDB, a key-value store and the outgoing queue ----------

  const DB_NAME = "pingan-app";
  let dbPromise = null;

  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const open = indexedDB.open(DB_NAME, 1);
        open.onupgradeneeded = () => {
          open.result.createObjectStore("kv");
          open.result.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
        };
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
    }
    return dbPromise;
  }

  async function tx(store, mode, work) {
    const database = await db();
    return new Promise((resolve, reject) => {
      const t = database.transaction(store, mode);
      const result = work(t.objectStore(store));
      t.oncomplete = () => resolve(result && "result" in result ? result.result : result);
      t.onerror = () => reject(t.error);
    });
  }

  const kv = {
    get: (key) => tx("kv", "readonly", (s) => s.get(key)),
    set: (key, value) => tx("kv", "readwrite", (s) => s.put(value, key)),
    clear: () => tx("kv", "readwrite", (s) => s.clear()),
  };
  const queue = {
    all: () => tx("queue", "readonly", (s) => s.getAll()),
    add: (entry) => tx("queue", "readwrite", (s) => s.add(entry)),
    put: (entry) => tx("queue", "readwrite", (s) => s.put(entry)),
    remove: (seq) => tx("queue", "readwrite", (s) => s.delete(seq)),
  };

  // ---- the server -----------------------------------------------------------

  function csrf() {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  class Offline extends Error {}
  class LoggedOut extends Error {}
  class Refused extends Error {
    constructor(status, data) {
      super((data.error && data.error.message) || "服务器出错，请稍后再试");
      this.status = status;
      this.data = data;
    }
  }

  async function api(path, body) {
    let response;
    try {
      response = await fetch("/api" + path, {
        method: body === undefined ? "GET" : "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new Offline("没有网络");
    }
    if (response.status === 401) throw new LoggedOut("请重新登录");
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Refused(response.status, data);
    return data;
  }

  // ---- state -------------------------------------------------------------------

  const state = { me: null, snap: null, pending: [], syncing: false, lastSync: null, notice: "", storage: null, saved: [] };
  const FIELD_ROLES = ["grid_worker", "grid_leader"];
  const CENTRE_ROLES = ["village_centre", "township_centre", "district_centre", "admin"];
  const KINDS = {
    visit: "入户走访", inspection: "重点场所排查", general: "综合工作", video: "视频巡查", patrol: "巡逻",
  };

  function newUuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    const x = [...b].map((v) => v.toString(16).padStart(2, "0")).join("");
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
  }

  async function enqueue(kind, body, label) {
    const entry = {
      uuid: newUuid(), kind, body, label, owner: state.me.username, at: new Date().toISOString(), status: "waiting",
    };
    await queue.add(entry);
    await refreshPending();
    trySync();
    return entry;
  }

  async function refreshPending() {
    state.pending = await queue.all();
    await checkStorage();
    drawBar();
  }

  // The queue (photos included) lives in the browser's storage, which has a quota:
  // say so while there is still room, so the worker syncs before anything is lost.
  const STORAGE_WARN_SHARE = 0.8;

  async function checkStorage() {
    if (!(navigator.storage && navigator.storage.estimate)) return;
    try {
      const { usage, quota } = await navigator.storage.estimate();
      state.storage = quota ? { usage, quota } : null;
    } catch (error) {
      state.storage = null;
    }
  }

  function storageWarning() {
    const room = state.storage;
    if (!room || room.usage / room.quota < STORAGE_WARN_SHARE) return "";
    const mb = (bytes) => Math.round(bytes / (1024 * 1024));
    return `<p class="error" role="alert" id="storage-warning">手机存储空间快满了（已用 ${mb(room.usage)} / ${mb(room.quota)} MB）。请尽快联网同步：同步后的记录和照片会从手机上删除。</p>`;
  }

  // Send the queue in order, a few items a request. Taken (201) and replayed (200)
  // items leave the queue; refused ones stay, marked, for the worker to see. A
  // request is kept under the server's limit (PINGAN_SYNC_BATCH_BYTES, given to the
  // page); should the server still find it too large (413), the batch is split,
  // and a single record that can never fit is set aside so the rest go on.
  let batchBytes = Number(document.body.dataset.syncBytes) || 12 * 1024 * 1024;
  const MAX_ITEMS = 20;

  async function sync() {
    if (state.syncing || !navigator.onLine) return;
    state.syncing = true;
    drawBar();
    let saved = [];
    try {
      // Only the signed-in worker's own records: another's wait for them to sign in.
      const waiting = (await queue.all()).filter((e) => e.status === "waiting" && mine(e));
      state.saved = [];
      while (waiting.length) await send(takeBatch(waiting));
      saved = state.saved.splice(0);
      state.lastSync = new Date();
      await kv.set("lastSync", state.lastSync.toISOString());
      if (state.notice.startsWith("同步暂停")) state.notice = "";
      if (isField()) await loadSnapshot();
    } catch (error) {
      if (error instanceof LoggedOut) state.notice = "登录已过期，请重新登录后同步（记录已保存在手机上）";
      else if (!(error instanceof Offline)) state.notice = `同步暂停：${error.message}。记录仍在手机上，稍后会自动重试。`;
    } finally {
      state.syncing = false;
      await refreshPending();
      if (route().name === "queue" || route().name === "home") render();
      // After that redraw, which would wipe it: what the server made of the
      // records (the receipt of the event a checklist raised).
      if (saved.length) showSaved(saved);
    }
  }

  async function send(batch) {
    let results;
    try {
      const items = await Promise.all(batch.map(async (e) => ({ uuid: e.uuid, kind: e.kind, body: await wire(e.body) })));
      ({ results } = await api("/field/sync", { items }));
    } catch (error) {
      if (!(error instanceof Refused && error.status === 413)) throw error;
      if (error.data.error && error.data.error.max_bytes) batchBytes = error.data.error.max_bytes;
      if (batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        await send(batch.slice(0, half));
        await send(batch.slice(half));
        return;
      }
      const limit = Math.floor(batchBytes / (1024 * 1024));
      results = [{ status: 413, error: { message: `这条记录连同照片超过 ${limit} MB，无法上传：请删除它，少带几张照片重新记录` } }];
    }
    for (const [i, result] of results.entries()) await settle(batch[i], result);
  }

  function takeBatch(waiting) {
    const batch = [];
    let bytes = 0;
    while (waiting.length && batch.length < MAX_ITEMS) {
      const size = wireSize(waiting[0].body);
      if (batch.length && bytes + size > batchBytes) break;
      bytes += size;
      batch.push(waiting.shift());
    }
    return batch;
  }

  // Photos wait in the queue as Blobs (a third smaller than base64, and not held
  // as strings in memory); they become data: URLs only in the request that sends them.
  function wireSize(body) {
    const photos = body.photos || [];
    const rest = JSON.stringify({ ...body, photos: [] }).length;
    return rest + photos.reduce((n, p) => n + (typeof p === "string" ? p.length : Math.ceil(p.size / 3) * 4 + 32), 0);
  }

  async function wire(body) {
    if (!body.photos || !body.photos.length) return body;
    return { ...body, photos: await Promise.all(body.photos.map((p) => (typeof p === "string" ? p : dataUrl(p)))) };
  }

  function dataUrl(blob) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(new Error("无法读取照片"));
      reader.readAsDataURL(blob);
    });
  }

  async function settle(entry, result) {
    if (result.status === 200 || result.status === 201) {
      await queue.remove(entry.seq);
      const sent = (await kv.get("sent")) || [];
      sent.unshift({ label: entry.label, uuid: entry.uuid, at: new Date().toISOString(), result: result.result });
      await kv.set("sent", sent.slice(0, 50));
      // Say what the server did with it: 已上报事件 WMZAJXKQZT, or a point off the grid.
      if (result.result && result.result.message) state.saved.push(result.result.message);
    } else {
      entry.status = result.status === 409 ? "conflict" : "refused";
      entry.error = (result.error && result.error.message) || "未被接收";
      await queue.put(entry);
    }
  }

  function trySync() { if (navigator.onLine) sync(); }

  function mine(entry) { return state.me && entry.owner === state.me.username; }

  async function loadSnapshot() {
    try {
      state.snap = await api("/field/snapshot");
      await kv.set("snapshot", state.snap);
    } catch (error) {
      if (!(error instanceof Offline)) state.notice = error.message;
    }
  }

  function isField() { return state.me && FIELD_ROLES.includes(state.me.role); }

  // ---- small helpers -----------------------------------------------------------

  const esc = (value) => String(value == null ? "" : value)
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const today = () => new Date().toISOString().slice(0, 10);
  const daysAgo = (n) => new Date(Date.now() - n * 86400000).toISOString().slice(0, 10);
  const byId = (list, id) => (list || []).find((x) => x.id === Number(id));
  const view = () => document.getElementById("view");

  function locate() {
    return new Promise((resolve) => {
      if (!navigator.geolocation) return resolve(null);
      navigator.geolocation.getCurrentPosition(
        (p) => resolve({ lng: +p.coords.longitude.toFixed(6), lat: +p.coords.latitude.toFixed(6) }),
        () => resolve(null),
        { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 },
      );
    });
  }

  // Photos are shrunk on the phone (1600 px, JPEG): less to keep and to send.
  function shrink(file) {
    return new Promise((resolve, reject) => {
      const image = new Image();
      image.onload = () => {
        const scale = Math.min(1, 1600 / Math.max(image.width, image.height));
        const canvas = document.createElement("canvas");
        canvas.width = Math.round(image.width * scale);
        canvas.height = Math.round(image.height * scale);
        canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(image.src);
        canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("无法处理这张照片"))), "image/jpeg", 0.8);
      };
      image.onerror = () => reject(new Error("无法读取这张照片"));
      image.src = URL.createObjectURL(file);
    });
  }

  async function photosOf(form) {
    const input = form.querySelector("input[type=file]");
    return input ? Promise.all([...input.files].slice(0, 6).map(shrink)) : [];
  }

  function photoField() {
    return `<label>现场照片 <input type="file" name="photos" accept="image/*" capture="environment" multiple></label>`;
  }

  // ---- the bar, the tabs and the router ----------------------------------------

  function drawBar() {
    const bar = document.getElementById("bar");
    if (!bar) return;
    const waiting = state.pending.filter((e) => e.status === "waiting").length;
    const stuck = state.pending.length - waiting;
    const online = navigator.onLine;
    bar.innerHTML = `<span class="title">平安 · 移动工作台</span>
      <span class="net ${online ? "" : "off"}" id="net">${online ? (state.syncing ? "同步中…" : "在线") : "离线"}</span>
      ${state.pending.length ? `<a class="pending" href="#/queue" id="pending-count">待同步 ${waiting}${stuck ? ` · 需处理 ${stuck}` : ""}</a>` : ""}`;
  }

  function drawTabs() {
    const tabs = [["#/", "首页"]];
    if (isField()) tabs.push(["#/households", "户"], ["#/places", "场所"], ["#/parts", "部件"]);
    tabs.push(["#/queue", "同步"], ["#/stats", "统计"]);
    const here = location.hash || "#/";
    document.getElementById("tabs").innerHTML = tabs
      .map(([href, label]) => `<a href="${href}" class="${here === href ? "on" : ""}">${label}</a>`).join("");
  }

  function route() {
    const [path, query] = (location.hash.slice(1) || "/").split("?");
    const parts = path.split("/").filter(Boolean);
    return { name: parts[0] || "home", arg: parts[1], params: new URLSearchParams(query || "") };
  }

  const VIEWS = {};

  function render() {
    drawTabs();
    const r = route();
    const draw = VIEWS[r.name] || VIEWS.home;
    const notice = state.notice ? `<p class="error" role="alert">${esc(state.notice)}</p>` : "";
    const shown = draw(r);
    view().innerHTML = notice + storageWarning() + shown;
    if (draw.bind_ && !shown.missing) draw.bind_(r);
    window.scrollTo(0, 0);
  }

  function viewOf(name, draw, bind) { draw.bind_ = bind; VIEWS[name] = draw; }

  // What a view returns when it has nothing to show: drawn as it is, with the
  // view's bind step (which expects its form or list) skipped. Until the grid has
  // reached the phone, a deep link says so instead of that the thing is gone; the
  // view is drawn again once the data arrives.
  function missing(text) {
    let message = text;
    if (!state.snap && isField()) message = navigator.onLine ? "正在下载网格数据…" : "手机上还没有网格数据：请在有网络时打开一次工作台";
    const shown = new String(`<p>${esc(message)}</p>`);
    shown.missing = true;
    return shown;
  }

  function bindForm(handler) {
    const form = view().querySelector("form");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        await handler(form, new FormData(form));
      } catch (error) {
        const box = form.querySelector(".error") || form.insertAdjacentElement("afterbegin", document.createElement("p"));
        box.className = "error";
        box.setAttribute("role", "alert");
        box.textContent = error.message;
        button.disabled = false;
      }
    });
  }

  function showSaved(messages) {
    const box = document.getElementById("saved") || document.createElement("div");
    box.id = "saved";
    box.className = "ok";
    box.setAttribute("role", "status");
    box.replaceChildren(...messages.map((m) => { const p = document.createElement("p"); p.textContent = m; return p; }));
    if (!box.isConnected) view().prepend(box);
  }

  function done(message, next) {
    state.notice = "";
    location.hash = next || "#/";
    setTimeout(() => {
      view().insertAdjacentHTML("afterbegin", `<p class="ok" role="status">${esc(message)}</p>`);
    }, 0);
  }

  // ---- home: what today holds, by role -----------------------------------------

  viewOf("home", () => {
    if (!state.me) return `<p>正在加载…</p>`;
    const who = `<p class="muted">${esc(state.me.name)} · ${esc(state.me.role_label)} · ${esc(state.me.region_name || "")}</p>`;
    if (isField()) return who + fieldHome();
    if (state.me.role === "department") return who + `<h1>部门待办</h1><div id="todo" class="card">加载中…</div>`;
    if (CENTRE_ROLES.includes(state.me.role)) {
      return who + `<h1>待受理、待派遣</h1><div id="todo" class="card">加载中…</div>
        <h2>网格员提交的修改</h2><div id="review" class="card">加载中…</div>`;
    }
    return who + `<h1>辖区概况</h1><div id="figures">加载中…</div>`;
  }, (r) => {
    if (!state.me) return;
    if (state.me.role === "department" || CENTRE_ROLES.includes(state.me.role)) loadTodo();
    if (CENTRE_ROLES.includes(state.me.role)) loadReview();
    if (!isField() && !["department", ...CENTRE_ROLES].includes(state.me.role)) loadFigures();
  });

  function fieldHome() {
    const s = state.snap;
    if (!s) return missing("正在下载网格数据…");
    const horizon = new Date(Date.now() + 7 * 86400000).toISOString().slice(0, 10);
    const due = s.records.filter((r) => r.next_visit_due && r.next_visit_due <= horizon)
      .sort((a, b) => a.next_visit_due.localeCompare(b.next_visit_due));
    const since = daysAgo(s.visit_every_days);
    const unvisited = s.households.filter((h) => !h.last_visit || h.last_visit < since);
    const conflicts = s.changes.filter((c) => c.status === "conflict");
    return `
      <div class="grid2">
        <a href="#/households" id="go-visit">入户走访</a><a href="#/places">场所排查</a>
        <a href="#/event/new" id="go-event">上报事件</a><a href="#/work/general">综合工作</a>
        <a href="#/work/video">视频巡查</a><a href="#/patrol">巡逻</a>
      </div>
      ${conflicts.length ? `<p class="error"><a href="#/queue">有 ${conflicts.length} 条修改与服务器冲突，请处理</a></p>` : ""}
      <h2>今日任务</h2>
      <div class="card"><strong>核查事件</strong> <span class="muted">${s.verify.length} 件</span>
        ${s.verify.map((e) => `<a class="row" href="#/verify/${e.id}">${esc(e.category)} · ${esc(e.description)}<br><span class="muted">${esc(e.receipt)} ${esc(e.address)}</span></a>`).join("") || `<p class="muted">没有待核查的事件</p>`}</div>
      <div class="card"><strong>排查任务</strong>
        ${s.inspections.map((t) => `<a class="row" href="#/work/inspection?place=${t.place_id}">${esc(t.place)} <span class="tag">${esc(t.due_on)} 前</span><br><span class="muted">${esc(t.note)}</span></a>`).join("") || `<p class="muted">没有分派的排查任务</p>`}</div>
      <div class="card"><a class="row" href="#/households?unvisited=1"><strong>超过${s.visit_every_days}天未走访的户</strong> <span class="tag warning">${unvisited.length} 户</span></a></div>
      <div class="card"><strong>重点人员走访</strong> <span class="muted">逾期或7天内到期 ${due.length} 人</span>
        ${due.slice(0, 30).map(followUpRow).join("") || `<p class="muted">没有到期的走访</p>`}</div>`;
  }

  function subjectName(record) {
    const s = state.snap;
    if (record.subject === "person") {
      const p = byId(s.people, record.subject_id);
      return p ? p.name : "（人员）";
    }
    if (record.subject === "household") {
      const h = byId(s.households, record.subject_id);
      return h ? h.address : "（户）";
    }
    if (record.subject === "house") {
      const h = byId(s.houses, record.subject_id);
      return h ? h.address : "（房屋）";
    }
    const p = byId(s.places, record.subject_id);
    return p ? p.name : "（场所）";
  }

  function followUpRow(record) {
    const late = record.next_visit_due < today();
    const person = record.subject === "person" ? byId(state.snap.people, record.subject_id) : null;
    const target = person && person.household_id
      ? `#/work/visit?household=${person.household_id}&records=${record.id}`
      : `#/work/general?records=${record.id}`;
    return `<a class="row" href="${target}">${esc(subjectName(record))} <span class="tag">${esc(record.definition__name)}</span>
      ${record.risk_level ? `<span class="tag ${esc(record.risk_level)}">风险${{ high: "高", medium: "中", low: "低" }[record.risk_level]}</span>` : ""}
      <br><span class="muted">${late ? "已逾期，" : ""}应于 ${esc(record.next_visit_due)} 前走访</span></a>`;
  }

  // ---- households: list, map and card -------------------------------------------

  viewOf("households", (r) => {
    const s = state.snap;
    if (!s) return missing("没有网格数据");
    const since = daysAgo(s.visit_every_days);
    const only = r.params.get("unvisited");
    const list = only ? s.households.filter((h) => !h.last_visit || h.last_visit < since) : s.households;
    return `<h1>${only ? "未走访的户" : "我的网格"}（${list.length} 户）</h1>
      <input type="search" id="filter" placeholder="输入户号、地址或姓名">
      <p><button class="small" id="show-map">地图</button><a class="button small" href="#/household-new">新增户</a></p>
      <div id="map" hidden></div>
      <div class="card" id="list">${list.map(householdRow).join("")}</div>`;
  }, (r) => {
    bindListFilter();
    document.getElementById("show-map").addEventListener("click", () => drawMap());
  });

  // A list's search box: rows whose data-text holds what is typed stay shown.
  function bindListFilter() {
    const input = document.getElementById("filter");
    input.addEventListener("input", () => {
      const q = input.value.trim();
      for (const row of document.querySelectorAll("#list a.row")) row.hidden = q && !row.dataset.text.includes(q);
    });
  }

  function householdRow(h) {
    const members = state.snap.people.filter((p) => p.household_id === h.id);
    const text = [h.number, h.address, ...members.map((p) => p.name)].join(" ");
    const head = members.find((p) => p.relation_to_head === "户主") || members[0];
    return `<a class="row" href="#/household/${h.id}" data-text="${esc(text)}">${esc(h.address)}
      <br><span class="muted">${head ? `户主 ${esc(head.name)} · ` : ""}${esc(h.number)} · ${members.length} 人 · ${h.last_visit ? `上次走访 ${esc(h.last_visit)}` : "未走访"}</span></a>`;
  }

  function drawMap() {
    const box = document.getElementById("map");
    box.hidden = false;
    if (!window.L || box.dataset.ready) return;
    box.dataset.ready = "1";
    const map = L.map(box, { attributionControl: false });
    Pingan.basemap(map);
    // The view first: Leaflet cannot draw vectors on a map that has none.
    const grids = L.geoJSON(state.snap.grids.map((g) => ({ type: "Feature", geometry: g.boundary, properties: {} })),
      { style: { color: "#0b5394", weight: 2, fillOpacity: 0.05 } });
    map.fitBounds(grids.getBounds());
    grids.addTo(map);
    for (const h of state.snap.households) {
      if (h.lat == null) continue;
      L.circleMarker([h.lat, h.lng], { radius: 5, color: h.last_visit ? "#2e7d32" : "#e65100" })
        .bindPopup(`<a href="#/household/${h.id}">${esc(h.address)}</a>`).addTo(map);
    }
  }

  viewOf("household", (r) => {
    const s = state.snap;
    const h = s && byId(s.households, r.arg);
    if (!h) return missing("没有找到该户");
    const members = s.people.filter((p) => p.household_id === h.id);
    const houseIds = new Set(members.map((p) => p.house_id).filter(Boolean));
    const houses = s.houses.filter((x) => houseIds.has(x.id));
    const recordsOf = (kind, id) => s.records.filter((x) => x.subject === kind && x.subject_id === id);
    const records = [...recordsOf("household", h.id), ...members.flatMap((p) => recordsOf("person", p.id))];
    return `<h1>${esc(h.address)}</h1>
      <p class="muted">${[`户号 ${esc(h.number)}`, esc(h.village_group), h.last_visit ? `上次走访 ${esc(h.last_visit)}` : "尚未走访"].filter(Boolean).join(" · ")}</p>
      <a class="button primary" id="visit-this" href="#/work/visit?household=${h.id}&records=${records.map((x) => x.id).join(",")}">走访此户</a>
      <h2>家庭成员</h2><div class="card">
      ${members.map((p) => `<a class="row" href="#/person/${p.id}">${esc(p.name)} <span class="muted">${esc(p.relation_to_head)} · ${p.gender === "F" ? "女" : "男"} · ${p.age}岁</span>
        <br><span class="muted">${esc(p.id_number_masked)} ${esc(p.phone_masked)}</span>
        ${recordsOf("person", p.id).map((x) => `<span class="tag">${esc(x.definition__name)}</span>`).join("")}</a>`).join("") || `<p class="muted">没有登记成员</p>`}
      <a class="row" href="#/person-new?household=${h.id}">＋ 新增成员</a></div>
      ${houses.length ? `<h2>房屋</h2><div class="card">${houses.map((x) => `<p>${esc(x.number)} ${esc(x.address)} <span class="muted">${esc(x.owner_name)}</span></p>`).join("")}</div>` : ""}
      <h2>登记类别</h2><div class="card">${records.map((x) => `<p>${esc(subjectName(x))} <span class="tag">${esc(x.definition__name)}</span> ${x.next_visit_due ? `<span class="muted">下次走访 ${esc(x.next_visit_due)}</span>` : ""}</p>`).join("") || `<p class="muted">无</p>`}</div>
      <h2>最近走访</h2><div class="card" id="recent-visits">${(s.visits || []).filter((v) => v.household_id === h.id).map((v) => `<p>${esc(v.at)} <span class="muted">${esc(v.by)}</span><br>${esc(v.note)}</p>`).join("") || `<p class="muted">一年内没有走访记录</p>`}</div>
      <p><a href="#/household-edit/${h.id}">修改户信息</a> · <a href="#/house-new?household=${h.id}">登记房屋</a> · <a href="#/record-new?subject=household&id=${h.id}">登记类别</a></p>`;
  });

  // ---- work records ------------------------------------------------------------

  viewOf("work", (r) => {
    const kind = r.arg in KINDS ? r.arg : "general";
    const s = state.snap || { households: [], places: [], findings: {}, checklists: {} };
    const household = byId(s.households, r.params.get("household"));
    const place = byId(s.places, r.params.get("place"));
    const records = (r.params.get("records") || "").split(",").filter(Boolean).map(Number);
    let extra = "";
    if (kind === "visit") {
      extra = `<p class="card">${household ? esc(household.address) : "请从户列表选择"}</p>
        ${Object.entries(s.findings).map(([key, label]) => `<label>${esc(label)} <input name="f_${key}" placeholder="没有可不填"></label>`).join("")}
        ${records.length ? `<p class="muted">同时记录 ${records.length} 名重点人员的走访</p>` : ""}`;
    } else if (kind === "inspection") {
      extra = place ? `<p class="card">${esc(place.name)} · ${esc(place.address)}</p>
        <h2>检查项目</h2>${(s.checklists[place.kind] || []).map((item) => `<div class="check"><span>${esc(item.label)}</span>
          <label><input type="radio" name="c_${esc(item.key)}" value="ok" required> 正常</label>
          <label><input type="radio" name="c_${esc(item.key)}" value="problem"> 有问题</label></div>`).join("")}
        <h2>发现隐患（一键上报为事件）</h2><div id="hazards"></div><button type="button" class="small" id="add-hazard">＋ 添加隐患</button>`
        : `<p class="error">请先在场所列表中选择要排查的场所</p>`;
    } else if (kind === "video") {
      extra = `<label>摄像头/点位 <input name="camera" placeholder="如 平安大道与人民路口"></label>`;
    }
    return `<h1>${KINDS[kind]}</h1><form id="work-form">
      ${extra}
      <label>工作情况 <textarea name="note" rows="4" required minlength="2" placeholder="做了什么、了解到什么"></textarea></label>
      ${photoField()}
      <button type="submit" class="primary">保存（无网络时先存手机）</button></form>`;
  }, (r) => {
    const kind = r.arg in KINDS ? r.arg : "general";
    const add = document.getElementById("add-hazard");
    const addHazard = (category, description, item) => {
      const options = state.snap.categories.map((c) => `<option value="${esc(c.code)}"${c.code === category ? " selected" : ""}>${esc(c.group)}/${esc(c.name)}</option>`).join("");
      document.getElementById("hazards").insertAdjacentHTML("beforeend",
        `<div class="card hazard"${item ? ` data-item="${esc(item)}"` : ""}><select name="h_category" aria-label="隐患类别">${options}</select><input name="h_description" placeholder="隐患描述" required aria-label="隐患描述" value="${esc(description || "")}"></div>`);
    };
    if (add) add.addEventListener("click", () => addHazard("", "", ""));
    // 有问题 on a checklist item is the hazard: one tap files it with the item as
    // its text and the item's category; 正常 again takes it back.
    const place = byId((state.snap || {}).places, r.params.get("place"));
    for (const item of (place && state.snap.checklists[place.kind]) || []) {
      for (const radio of document.querySelectorAll(`input[name="c_${CSS.escape(item.key)}"]`)) {
        radio.addEventListener("change", () => {
          const existing = document.querySelector(`.hazard[data-item="${CSS.escape(item.key)}"]`);
          if (radio.value === "problem" && radio.checked && !existing) addHazard(item.category, `${item.label}：存在问题`, item.key);
          if (radio.value === "ok" && radio.checked && existing) existing.remove();
        });
      }
    }
    bindForm(async (form, data) => {
      const where = await locate();
      const body = { kind, note: data.get("note"), at: new Date().toISOString(), ...(where || {}) };
      body.photos = await photosOf(form);
      if (kind === "visit") {
        body.household_id = Number(r.params.get("household")) || null;
        body.findings = {};
        for (const key of Object.keys(state.snap.findings)) if (data.get("f_" + key)) body.findings[key] = data.get("f_" + key);
        body.follow_ups = (r.params.get("records") || "").split(",").filter(Boolean).map(Number);
      }
      if (kind === "inspection") {
        body.place_id = Number(r.params.get("place"));
        const place = byId(state.snap.places, body.place_id);
        body.findings = { checklist: {} };
        for (const item of state.snap.checklists[place.kind] || []) body.findings.checklist[item.key] = data.get("c_" + item.key);
        body.hazards = [...form.querySelectorAll(".hazard")].map((div) => ({
          category: div.querySelector("select").value, description: div.querySelector("input").value,
        }));
      }
      if (kind === "video") body.findings = { camera: data.get("camera") || "" };
      if (!body.household_id && kind === "visit") throw new Error("请先选择走访的户");
      await enqueue("work", body, KINDS[kind]);
      done(`${KINDS[kind]}已保存${navigator.onLine ? "，正在同步" : "，有网络后自动同步"}`);
    });
  });

  viewOf("places", () => {
    const s = state.snap;
    if (!s) return missing("没有网格数据");
    return `<h1>重点场所（${s.places.length}）</h1><div class="card">
      ${s.places.map((p) => `<a class="row" href="#/work/inspection?place=${p.id}">${esc(p.name)}<br><span class="muted">${esc(p.address)}</span></a>`).join("") || `<p class="muted">网格内没有登记场所</p>`}</div>`;
  });

  // ---- 部件: the grid's public facilities, a damaged one reported in one tap ------

  const DAMAGE = [["damaged", "破损"], ["lost", "丢失"], ["occupied", "占用"]];

  viewOf("parts", () => {
    const s = state.snap;
    if (!s) return missing("没有网格数据");
    const parts = s.parts || [];
    return `<h1>部件（${parts.length}）</h1>
      <input type="search" id="filter" placeholder="输入编码、名称或地址">
      <div class="card" id="list">${parts.map((p) => `<a class="row" href="#/part/${esc(p.code)}" data-text="${esc(`${p.code} ${p.name} ${p.address}`)}">${esc(p.name)} <span class="tag ${p.state === "good" ? "" : "warning"}">${esc(p.state_label)}</span><br><span class="muted">${esc(p.code)} ${esc(p.address)}</span></a>`).join("") || `<p class="muted">网格内没有登记部件</p>`}</div>`;
  }, bindListFilter);

  viewOf("part", (r) => {
    const part = state.snap && (state.snap.parts || []).find((p) => p.code === r.arg);
    if (!part) return missing("没有找到该部件");
    return `<h1>${esc(part.name)} <span class="tag">${esc(part.state_label)}</span></h1>
      <p class="muted">${esc(part.class_name)} · ${esc(part.code)}<br>${esc(part.address)}</p>
      <form id="damage-form"><label>情况 <select name="state">${DAMAGE.map(([v, l]) => `<option value="${v}">${l}</option>`).join("")}</select></label>
      <label>说明 <textarea name="description" rows="3" maxlength="500" placeholder="如：井盖碎裂，有行人踩空的危险"></textarea></label>
      ${photoField()}<button type="submit" class="primary" id="report-part">一键报损</button></form>`;
  }, (r) => {
    bindForm(async (f, data) => {
      const body = { code: r.arg, state: data.get("state"), description: data.get("description"), photos: await photosOf(f) };
      await enqueue("part_damage", body, `部件报损 ${r.arg}`);
      done(`已保存${navigator.onLine ? "，正在同步" : "，有网络后自动同步"}：将转部件的养护单位处置`, "#/parts");
    });
  });

  // A patrol records its track while the page is open.
  let patrol = null;
  viewOf("patrol", () => `<h1>巡逻</h1>
    <p class="card" id="patrol-status">${patrol ? `巡逻中，已记录 ${patrol.track.length} 个定位点` : "点击开始后，按定位记录巡逻轨迹"}</p>
    <button class="primary" id="patrol-toggle">${patrol ? "结束巡逻" : "开始巡逻"}</button>
    <form id="patrol-form" ${patrol && patrol.stopped ? "" : "hidden"}>
      <label>巡逻情况 <textarea name="note" rows="3" required minlength="2"></textarea></label>
      ${photoField()}<button type="submit" class="primary">保存巡逻记录</button></form>`, () => {
    document.getElementById("patrol-toggle").addEventListener("click", () => {
      if (!patrol) {
        patrol = { track: [], watch: null, stopped: false };
        if (navigator.geolocation) {
          patrol.watch = navigator.geolocation.watchPosition((p) => {
            patrol.track.push([+p.coords.longitude.toFixed(6), +p.coords.latitude.toFixed(6), Math.round(Date.now() / 1000)]);
            const status = document.getElementById("patrol-status");
            if (status) status.textContent = `巡逻中，已记录 ${patrol.track.length} 个定位点`;
          }, null, { enableHighAccuracy: true });
        }
      } else {
        if (patrol.watch != null) navigator.geolocation.clearWatch(patrol.watch);
        patrol.stopped = true;
      }
      render();
    });
    const form = document.getElementById("patrol-form");
    if (!form.hidden) bindForm(async (f, data) => {
      await enqueue("work", { kind: "patrol", note: data.get("note"), track: patrol.track, at: new Date().toISOString(), photos: await photosOf(f) }, "巡逻");
      patrol = null;
      done("巡逻记录已保存");
    });
  });

  // ---- events: report, verify, handle, accept and dispatch ----------------------

  viewOf("event", () => {
    const categories = (state.snap && state.snap.categories) || [];
    return `<h1>上报事件</h1><form id="event-form">
      <label>事件类别 <select name="category" required><option value="">请选择</option>
        ${categories.map((c) => `<option value="${esc(c.code)}">${esc(c.group)}/${esc(c.name)}</option>`).join("")}</select></label>
      <label>情况描述 <textarea name="description" rows="4" required maxlength="2000"></textarea></label>
      <label>地址 <input name="address" maxlength="200"></label>
      ${photoField()}
      <button type="submit" class="primary">上报（无网络时先存手机）</button></form>`;
  }, () => bindForm(async (form, data) => {
    const where = await locate();
    await enqueue("event", {
      category: data.get("category"), description: data.get("description"), address: data.get("address"),
      ...(where || {}), photos: await photosOf(form),
    }, "上报事件");
    done(`事件已保存${navigator.onLine ? "，正在同步" : "，有网络后自动上报"}`);
  }));

  viewOf("verify", (r) => {
    const e = state.snap && byId(state.snap.verify, r.arg);
    if (!e) return missing("该事件已不在待核查列表");
    const shots = (e.photos || []).map((p) => `<figure class="shot"><img src="${esc(p.url)}" alt="${esc(p.stage)}照片"><figcaption>${esc(p.stage)}</figcaption></figure>`).join("");
    return `<h1>核查：${esc(e.category)}</h1><p class="card">${esc(e.description)}<br><span class="muted">${esc(e.receipt)} ${esc(e.address)}</span></p>
      <div class="card"><strong>${esc(e.department || "部门")}处置情况</strong><p>${esc(e.handled_note || "（未填写）")}</p>${shots}</div>
      <form id="verify-form"><label>核查情况 <textarea name="reason" rows="3"></textarea></label>${photoField()}
      <button type="submit" class="primary" name="pass">核查通过</button>
      <button type="button" class="danger primary" id="fail">核查不通过（返工）</button></form>`;
  }, (r) => {
    const e = byId(state.snap.verify, r.arg);
    const send = async (action) => {
      const form = document.getElementById("verify-form");
      const reason = form.elements.reason.value;
      if (action === "verify_fail" && reason.trim().length < 2) throw new Error("返工请写明原因");
      await enqueue("event_action", { event_id: e.id, action, version: e.version, reason, photos: await photosOf(form) }, `核查 ${e.receipt}`);
      state.snap.verify = state.snap.verify.filter((x) => x.id !== e.id);
      done("核查结果已保存");
    };
    bindForm(() => send("verify_pass"));
    document.getElementById("fail").addEventListener("click", () => send("verify_fail").catch((err) => alert(err.message)));
  });

  async function loadTodo() {
    let items;
    try {
      items = (await api("/field/todo")).items;
      await kv.set("todo", items);
    } catch (error) {
      items = (await kv.get("todo")) || [];
    }
    state.todo = items;
    const box = document.getElementById("todo");
    if (!box) return;
    box.innerHTML = items.map((e) => `<a class="row" href="#/task/${e.id}">${esc(e.category)} <span class="tag ${esc(e.mark)}">${esc(e.state_label)}</span>
      <br>${esc(e.description)}<br><span class="muted">${esc(e.receipt)} ${esc(e.address)}</span></a>`).join("") || `<p class="muted">没有待办</p>`;
  }

  const ACTIONS = {
    reported: [["accept", "立案"], ["reject", "不予受理", true]],
    accepted: [["dispatch", "派遣"], ["resolve_on_spot", "就地解决", true]],
    returned: [["dispatch", "重新派遣"]],
    dispatched: [["sign", "签收"], ["send_back", "退回（非本部门职责）", true]],
    handling: [["handle", "处置完毕，反馈结果", true], ["request_extension", "申请延期", true]],
  };

  viewOf("task", (r) => {
    if (!state.todo) {  // opened by a link or a reload: fetch the list, then draw again
      loadTodo().then(() => { if (route().name === "task") render(); });
      return missing("正在加载待办…");
    }
    const e = byId(state.todo, r.arg);
    if (!e) return missing("该事件已不在待办列表");
    const actions = ACTIONS[e.state] || [];
    return `<h1>${esc(e.category)}</h1><p class="card">${esc(e.description)}<br><span class="muted">${esc(e.receipt)} ${esc(e.address)} · ${esc(e.state_label)}</span></p>
      <form id="task-form"><label>办理说明 <textarea name="reason" rows="3"></textarea></label>
      ${e.state === "handling" ? photoField() : ""}
      ${actions.map(([action, label, reason]) => `<button type="button" class="small" data-action="${action}" data-reason="${reason ? 1 : ""}">${label}</button>`).join("")}
      <button type="submit" hidden></button></form>`;
  }, (r) => {
    const e = byId(state.todo, r.arg);
    if (!e) return;
    for (const button of view().querySelectorAll("button[data-action]")) {
      button.addEventListener("click", async () => {
        const form = document.getElementById("task-form");
        const reason = form.elements.reason.value;
        if (button.dataset.reason && reason.trim().length < 2) return alert("请填写办理说明");
        const body = { event_id: e.id, action: button.dataset.action, version: e.version, reason, photos: await photosOf(form) };
        if (body.action === "dispatch") body.department_id = e.department_id;
        if (body.action === "request_extension") body.days = 3;
        await enqueue("event_action", body, `${button.textContent} ${e.receipt}`);
        state.todo = state.todo.filter((x) => x.id !== e.id);
        done(`已${button.textContent}`);
      });
    }
  });

  async function loadReview() {
    const box = document.getElementById("review");
    try {
      const { items } = await api("/field/changes?status=pending");
      box.innerHTML = items.map((c) => `<div class="row" data-id="${c.id}">${esc(c.kind_label)} <span class="muted">${esc(JSON.stringify(c.payload))}</span><br>
        <button class="small" data-approve="1">通过</button><button class="small danger" data-approve="">驳回</button></div>`).join("") || `<p class="muted">没有待审核的修改</p>`;
      for (const button of box.querySelectorAll("button")) {
        button.addEventListener("click", async () => {
          const id = button.closest("[data-id]").dataset.id;
          const note = button.dataset.approve ? "" : prompt("驳回理由") || "";
          try {
            await api(`/field/changes/${id}/review`, { approve: !!button.dataset.approve, note });
            loadReview();
          } catch (error) { alert(error.message); }
        });
      }
    } catch (error) {
      box.textContent = error instanceof Offline ? "离线时不能审核" : error.message;
    }
  }

  // ---- registry changes: people and households ---------------------------------

  const PERSON_EDITABLE = [["name", "姓名"], ["phone", "联系电话"], ["occupation", "职业"], ["workplace", "服务处所"], ["current_address", "现住地详址"], ["relation_to_head", "与户主关系"]];

  viewOf("person", (r) => {
    const p = state.snap && byId(state.snap.people, r.arg);
    if (!p) return missing("没有找到该人员");
    const value = (key) => (key === "phone" ? "" : p[key]);
    return `<h1>${esc(p.name)}</h1><p class="muted">${esc(p.id_number_masked)} · ${p.age}岁 · 电话 ${esc(p.phone_masked) || "未登记"}</p>
      <p><a href="#/record-new?subject=person&id=${p.id}">登记类别（如 流动人口、留守人员）</a></p>
      <form id="person-form">${PERSON_EDITABLE.map(([key, label]) => `<label>${label} <input name="${key}" value="${esc(value(key))}" ${key === "phone" ? `placeholder="如需更改，输入新号码"` : ""}></label>`).join("")}
      <button type="submit" class="primary">保存修改</button></form>`;
  }, (r) => {
    const p = byId(state.snap.people, r.arg);
    if (!p) return;
    bindForm(async (form, data) => {
      const payload = {}, base = {};
      for (const [key] of PERSON_EDITABLE) {
        const given = (data.get(key) || "").trim();
        if (key === "phone" ? given : given !== (p[key] || "")) {
          payload[key] = given;
          base[key] = key === "phone" ? p.phone_masked : p[key] || "";
        }
      }
      if (!Object.keys(payload).length) throw new Error("没有修改任何内容");
      await enqueue("change", { kind: "person_update", target_id: p.id, payload, base }, `修改 ${p.name}`);
      done("修改已保存，同步后生效（如需审核，由村（社区）审核）", `#/household/${p.household_id}`);
    });
  });

  viewOf("person-new", (r) => `<h1>新增成员</h1><form id="new-person">
    <label>姓名 <input name="name" required></label>
    <label>公民身份号码 <input name="id_number" required pattern="[0-9]{17}[0-9Xx]" inputmode="text"></label>
    <label>联系电话 <input name="phone" inputmode="tel"></label>
    <label>与户主关系 <input name="relation_to_head"></label>
    <label>职业 <input name="occupation"></label>
    <button type="submit" class="primary">登记</button></form>`, (r) => bindForm(async (form, data) => {
    const payload = { household_id: Number(r.params.get("household")) };
    for (const key of ["name", "id_number", "phone", "relation_to_head", "occupation"]) {
      if (data.get(key)) payload[key] = data.get(key).trim();
    }
    await enqueue("change", { kind: "person_create", payload }, `新增成员 ${payload.name}`);
    done("已保存，同步后登记（身份证号由服务器校验）", `#/household/${payload.household_id}`);
  }));

  viewOf("household-new", () => `<h1>新增户</h1><form id="new-household">
    <label>户号 <input name="number" required></label><label>地址 <input name="address" required></label>
    <label>自然村/小区 <input name="village_group"></label>
    <button type="submit" class="primary">登记</button></form>`, () => bindForm(async (form, data) => {
    const where = await locate();
    const payload = { number: data.get("number"), address: data.get("address"), village_group: data.get("village_group") || "", ...(where || {}) };
    await enqueue("change", { kind: "household_create", payload }, `新增户 ${payload.number}`);
    done("已保存，同步后登记", "#/households");
  }));

  viewOf("household-edit", (r) => {
    const h = state.snap && byId(state.snap.households, r.arg);
    if (!h) return missing("没有找到该户");
    return `<h1>修改户信息</h1><form><label>地址 <input name="address" value="${esc(h.address)}" required></label>
      <label>自然村/小区 <input name="village_group" value="${esc(h.village_group)}"></label>
      <button type="submit" class="primary">保存修改</button></form>`;
  }, (r) => {
    const h = byId(state.snap.households, r.arg);
    if (!h) return;
    bindForm(async (form, data) => {
      const payload = {}, base = {};
      for (const key of ["address", "village_group"]) {
        if ((data.get(key) || "") !== (h[key] || "")) { payload[key] = data.get(key); base[key] = h[key] || ""; }
      }
      if (!Object.keys(payload).length) throw new Error("没有修改任何内容");
      await enqueue("change", { kind: "household_update", target_id: h.id, payload, base }, `修改户 ${h.number}`);
      done("修改已保存", `#/household/${h.id}`);
    });
  });

  viewOf("house-new", (r) => {
    const s = state.snap;
    const h = s && byId(s.households, r.params.get("household"));
    if (!h) return missing("没有找到该户");
    return `<h1>登记房屋</h1><p class="muted">${esc(h.address)}</p><form>
      <label>房屋编号 <input name="number" required></label>
      <label>地址 <input name="address" value="${esc(h.address)}" required></label>
      <label>用途 <select name="use">${s.house_uses.map(([code, label]) => `<option value="${code}">${esc(label)}</option>`).join("")}</select></label>
      <label>房主 <input name="owner_name"></label>
      <button type="submit" class="primary">登记</button></form>`;
  }, (r) => {
    const h = byId(state.snap.households, r.params.get("household"));
    if (!h) return;
    bindForm(async (form, data) => {
      const payload = {
        household_id: h.id, number: data.get("number"), address: data.get("address"),
        use: data.get("use"), owner_name: data.get("owner_name") || "", lng: h.lng, lat: h.lat,
      };
      await enqueue("change", { kind: "house_create", payload }, `登记房屋 ${payload.number}`);
      done("已保存，同步后登记", `#/household/${h.id}`);
    });
  });

  // A category membership: the definition's own fields, as data.
  function fieldInput(field) {
    const name = esc(`v_${field.key}`);
    const required = field.required ? "required" : "";
    if (field.type === "choice") {
      return `<select name="${name}" ${required}><option value=""></option>${(field.choices || []).map(([code, label]) => `<option value="${esc(code)}">${esc(label)}</option>`).join("")}</select>`;
    }
    if (field.type === "boolean") return `<select name="${name}" ${required}><option value=""></option><option value="是">是</option><option value="否">否</option></select>`;
    const type = { date: "date", integer: "number", number: "number" }[field.type] || "text";
    return `<input name="${name}" type="${type}" ${field.type === "number" ? `step="any"` : ""} ${required}>`;
  }

  viewOf("record-new", (r) => {
    const s = state.snap;
    if (!s) return missing("没有网格数据");
    const subject = r.params.get("subject");
    const choices = s.definitions.filter((d) => d.subject === subject);
    const chosen = choices.find((d) => d.code === r.params.get("def"));
    const link = (d) => `#/record-new?subject=${encodeURIComponent(subject)}&id=${encodeURIComponent(r.params.get("id"))}&def=${encodeURIComponent(d.code)}`;
    if (!chosen) {
      return `<h1>登记类别</h1><div class="card">${choices.map((d) => `<a class="row" href="${link(d)}">${esc(d.name)}</a>`).join("") || `<p class="muted">没有可登记的类别</p>`}</div>`;
    }
    const risk = Object.keys(chosen.visit_days || {}).length
      ? `<label>风险等级 <select name="risk_level" required><option value=""></option><option value="low">低</option><option value="medium">中</option><option value="high">高</option></select></label>` : "";
    return `<h1>登记为「${esc(chosen.name)}」</h1><form>
      ${chosen.fields.map((f) => `<label>${esc(f.label)}${f.required ? " *" : ""} ${fieldInput(f)}</label>`).join("")}
      ${risk}<button type="submit" class="primary">登记</button></form>`;
  }, (r) => {
    const chosen = state.snap && state.snap.definitions.find((d) => d.code === r.params.get("def"));
    if (!chosen) return;
    bindForm(async (form, data) => {
      const values = {};
      for (const f of chosen.fields) if (data.get(`v_${f.key}`)) values[f.key] = data.get(`v_${f.key}`);
      const body = {
        kind: "record_add",
        payload: { definition: chosen.code, subject_id: Number(r.params.get("id")), values, risk_level: data.get("risk_level") || "" },
      };
      await enqueue("change", body, `登记为${chosen.name}`);
      done("已保存，同步后登记（字段由服务器按类别定义校验）");
    });
  });

  // ---- the queue: what waits, what was refused, what conflicts -------------------

  viewOf("queue", () => {
    const waiting = state.pending.filter((e) => e.status === "waiting");
    const stuck = state.pending.filter((e) => e.status !== "waiting");
    const conflicts = ((state.snap && state.snap.changes) || []).filter((c) => c.status === "conflict");
    const held = ((state.snap && state.snap.changes) || []).filter((c) => c.status === "pending");
    const labelOf = (key) => (PERSON_EDITABLE.find(([k]) => k === key) || [key, key])[1];
    return `<h1>同步</h1>
      <p class="muted">${state.lastSync ? `上次同步 ${new Date(state.lastSync).toLocaleString("zh-CN")}` : "尚未同步"}</p>
      <button class="primary" id="sync-now">立即同步</button>
      <h2>等待同步（${waiting.length}）</h2><div class="card" id="waiting">
      ${waiting.map((e) => `<p class="queued">${esc(e.label)} <span class="tag waiting">待同步</span><br><span class="muted">${new Date(e.at).toLocaleString("zh-CN")}${mine(e) ? "" : ` · 属于账号 ${esc(e.owner)}，请该账号登录后同步`}</span></p>`).join("") || `<p class="muted">全部已同步</p>`}</div>
      ${stuck.length ? `<h2>未被接收（${stuck.length}）</h2><div class="card">${stuck.map((e) => `<div class="row">${esc(e.label)} <span class="tag ${esc(e.status)}">${e.status === "conflict" ? "冲突" : "被退回"}</span><br><span class="muted">${esc(e.error)}</span><br>
        <button class="small" data-retry="${e.seq}">重新发送</button><button class="small danger" data-drop="${e.seq}">删除</button></div>`).join("")}</div>` : ""}
      ${conflicts.length ? `<h2>与服务器冲突的修改（${conflicts.length}）</h2><div class="card" id="conflicts">${conflicts.map((c) => `<div class="row conflict" data-id="${c.id}">${esc(c.kind_label)}
        ${Object.keys(c.server).map((key) => `<p>${esc(labelOf(key))}：服务器上已是「${esc(c.server[key])}」，您改为「${esc(c.payload[key])}」（您看到的是「${esc(c.base[key])}」）</p>`).join("")}
        <button class="small" data-keep="">保留服务器的</button><button class="small danger" data-keep="1">用我的覆盖</button></div>`).join("")}</div>` : ""}
      ${held.length ? `<h2>待村（社区）审核（${held.length}）</h2><div class="card">${held.map((c) => `<p>${esc(c.kind_label)}</p>`).join("")}</div>` : ""}
      <button class="small" id="logout">退出登录</button>`;
  }, () => {
    document.getElementById("sync-now").addEventListener("click", () => { state.notice = ""; sync(); });
    document.getElementById("logout").addEventListener("click", async () => {
      const left = state.pending.filter(mine).length;
      if (left && !confirm(`还有 ${left} 条记录未同步，退出后它们保留在手机上，下次登录时同步。确定退出吗？`)) return;
      await fetch("/logout/", { method: "POST", headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" });
      location.href = "/login/?next=/app/";
    });
    for (const button of view().querySelectorAll("[data-retry]")) {
      button.addEventListener("click", async () => {
        const entry = state.pending.find((e) => e.seq === Number(button.dataset.retry));
        entry.status = "waiting"; delete entry.error;
        await queue.put(entry); await refreshPending(); sync();
      });
    }
    for (const button of view().querySelectorAll("[data-drop]")) {
      button.addEventListener("click", async () => {
        if (!confirm("删除后这条记录将不再上传，确定吗？")) return;
        await queue.remove(Number(button.dataset.drop)); await refreshPending(); render();
      });
    }
    for (const button of view().querySelectorAll("[data-keep]")) {
      button.addEventListener("click", async () => {
        const id = button.closest("[data-id]").dataset.id;
        try {
          await api(`/field/changes/${id}/resolve`, { keep_mine: !!button.dataset.keep });
          await loadSnapshot(); render();
        } catch (error) { alert(error instanceof Offline ? "处理冲突需要网络" : error.message); }
      });
    }
  });

  // ---- statistics and figures ------------------------------------------------------

  const MEASURE_LABELS = { events: "上报事件", ...KINDS };

  async function statsTable(box, by, period) {
    try {
      const data = await api(`/field/stats?by=${by}&period=${period}`);
      await kv.set(`stats-${by}-${period}`, data);
      drawStats(box, data);
    } catch (error) {
      const cached = await kv.get(`stats-${by}-${period}`);
      if (cached) drawStats(box, cached, "（离线，显示上次数据）");
      else box.textContent = error.message;
    }
  }

  function drawStats(box, data, note = "") {
    const head = data.measures.map((m) => `<th>${MEASURE_LABELS[m]}</th>`).join("");
    const row = (label, counts) => `<tr><td>${esc(label)}</td>${data.measures.map((m) => `<td>${counts[m]}</td>`).join("")}</tr>`;
    box.innerHTML = `<p class="muted">${esc(data.start)} 至 ${esc(data.end)} ${note}</p>
      <table><thead><tr><th></th>${head}</tr></thead><tbody>${data.rows.map((r) => row(r.label, r)).join("")}
      ${row("合计", data.total)}</tbody></table>`;
  }

  viewOf("stats", (r) => {
    const period = r.params.get("period") || "month";
    const by = r.params.get("by") || (isField() ? "worker" : "grid");
    const option = (value, label, chosen) => `<option value="${value}" ${value === chosen ? "selected" : ""}>${label}</option>`;
    return `<h1>工作统计</h1>
      <select id="period">${option("today", "今天", period)}${option("week", "本周", period)}${option("month", "本月", period)}${option("last30", "近30天", period)}${option("year", "今年", period)}</select>
      <select id="by">${option("worker", "按人员", by)}${option("grid", "按网格", by)}${option("village", "按村/社区", by)}${option("township", "按乡镇/街道", by)}</select>
      <div id="stats" class="card">加载中…</div>`;
  }, (r) => {
    const change = () => { location.hash = `#/stats?period=${document.getElementById("period").value}&by=${document.getElementById("by").value}`; };
    document.getElementById("period").addEventListener("change", change);
    document.getElementById("by").addEventListener("change", change);
    statsTable(document.getElementById("stats"), r.params.get("by") || (isField() ? "worker" : "grid"), r.params.get("period") || "month");
  });

  const FIGURES = { events_open: "在办事件", events_overdue: "超期事件", events_today: "今日上报", people: "实有人口", households: "户" };

  async function loadFigures() {
    const box = document.getElementById("figures");
    try {
      const [figures, data] = await Promise.all([api("/field/figures"), api("/field/stats?by=township&period=last30")]);
      await kv.set("figures", { figures, data });
      drawFigures(box, figures, data);
    } catch (error) {
      const cached = await kv.get("figures");
      if (cached) drawFigures(box, cached.figures, cached.data);
      else box.textContent = error.message;
    }
  }

  function drawFigures(box, figures, data) {
    const card = (value, label) => `<div class="card"><div class="figure">${value}</div><div class="muted">${label}</div></div>`;
    box.innerHTML = `<div class="grid2">${Object.entries(FIGURES).map(([key, label]) => card(figures[key], label)).join("")}</div>
      <h2>近30天工作量</h2><div class="grid2">${data.measures.map((m) => card(data.total[m], MEASURE_LABELS[m])).join("")}</div>
      <div class="card" id="by-township"></div>`;
    drawStats(document.getElementById("by-township"), data);
  }

  // ---- start -----------------------------------------------------------------

  async function boot() {
    if ("serviceWorker" in navigator) navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch(() => {});
    // Ask the browser not to evict the queue and the grid when storage runs low.
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
    state.me = await kv.get("me");
    state.snap = await kv.get("snapshot");
    const last = await kv.get("lastSync");
    state.lastSync = last ? new Date(last) : null;
    await refreshPending();
    try {
      const me = await api("/me");
      if (state.me && state.me.username !== me.username) {
        // Another person on this phone: their grid, never the last one's.
        await kv.set("snapshot", null);
        state.snap = null;
      }
      state.me = me;
      await kv.set("me", me);
    } catch (error) {
      if (error instanceof LoggedOut) {
        if (!state.pending.length) { location.href = "/login/?next=/app/"; return; }
        state.notice = "登录已过期，请重新登录后同步（记录已保存在手机上）";
      }
    }
    render();
    if (isField() && navigator.onLine) { await loadSnapshot(); render(); }
    trySync();
  }

  window.addEventListener("hashchange", render);
  window.addEventListener("online", () => { drawBar(); sync(); });
  window.addEventListener("offline", drawBar);
  setInterval(trySync, 30000);
  boot();
})();
