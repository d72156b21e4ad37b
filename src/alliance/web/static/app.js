// alliance dashboard: live forms, chart downloads, expression suggestions, map clicks, claim
// uploads. No framework and no build step; every page also works without this file.
"use strict";

// --- live forms: change a year or a definition and the page is swapped in place --------------
async function loadPage(url, push) {
  const main = document.getElementById("main");
  main.setAttribute("aria-busy", "true");
  const active = document.activeElement && document.activeElement.name;
  try {
    const response = await fetch(url, { headers: { Accept: "text/html" } });
    const text = await response.text();
    const next = new DOMParser().parseFromString(text, "text/html");
    main.replaceChildren(...next.getElementById("main").childNodes);
    document.title = next.title;
    if (push) history.pushState({}, "", url);
    shown = location.pathname + location.search;
    enhance(main);
    const again = active && main.querySelector(`[name="${active}"]`);
    if (again) again.focus();
  } finally {
    main.removeAttribute("aria-busy");
  }
}

function formUrl(form) {
  const params = new URLSearchParams(new FormData(form));
  for (const [key, value] of [...params]) if (value === "") params.delete(key);
  const query = params.toString();
  return form.getAttribute("action") + (query ? "?" + query : "");
}

function liveForm(form) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    loadPage(formUrl(form), true);
  });
  form.addEventListener("change", (event) => {
    if (event.target.matches("select, input[type=date]")) loadPage(formUrl(form), true);
  });
}

// What the page shows: a fragment link (the skip link, "#main") also fires popstate, and
// reloading then would pull the focused element out of the reader's hands.
let shown = location.pathname + location.search;
window.addEventListener("popstate", () => {
  if (location.pathname + location.search !== shown) loadPage(location.href, false);
});

// --- downloads: the chart's SVG with its title, units and sources; PNG drawn from it ---------
function wrapLines(text, width) {
  const words = text.split(/\s+/);
  const lines = [];
  let line = "";
  for (const word of words) {
    if ((line + " " + word).trim().length > width) {
      lines.push(line.trim());
      line = word;
    } else line += " " + word;
  }
  if (line.trim()) lines.push(line.trim());
  return lines;
}

function escapeXml(text) {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function framedSvg(figure) {
  const chart = figure.querySelector("svg");
  const box = chart.viewBox.baseVal;
  const width = Math.max(box.width, 560);
  const chars = Math.floor(width / 6.4);
  const title = figure.querySelector(".chart-title").textContent;
  const sub = wrapLines(figure.querySelector(".chart-sub").textContent, chars);
  const foot = [...figure.querySelectorAll(".chart-sources li")].flatMap((li) =>
    wrapLines(li.textContent, Math.floor(width / 5.6)),
  );
  const top = 34 + 17 * sub.length + 8;
  const height = top + box.height + 12 + 14 * foot.length + 8;
  const text = (x, y, size, content, extra = "") =>
    `<text x="${x}" y="${y}" font-size="${size}" ${extra}>${escapeXml(content)}</text>`;
  let parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Arial, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(8, 24, 18, title, 'font-weight="700" fill="#222222"'),
  ];
  sub.forEach((line, i) => parts.push(text(8, 46 + 17 * i, 13, line, 'fill="#5b5b5b"')));
  const inner = new XMLSerializer().serializeToString(chart);
  parts.push(`<g transform="translate(${(width - box.width) / 2},${top})">${inner}</g>`);
  foot.forEach((line, i) =>
    parts.push(text(8, top + box.height + 24 + 14 * i, 11, line, 'fill="#5b5b5b"')),
  );
  parts.push("</svg>");
  return { svg: parts.join(""), width, height };
}

function save(blob, name) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

function download(button) {
  const figure = button.closest("figure");
  const { svg, width, height } = framedSvg(figure);
  const name = button.dataset.name;
  const blob = new Blob([svg], { type: "image/svg+xml" });
  if (button.dataset.download === "svg") return save(blob, name + ".svg");
  const image = new Image();
  image.onload = () => {
    const canvas = document.createElement("canvas");
    canvas.width = width * 2;
    canvas.height = height * 2;
    const context = canvas.getContext("2d");
    context.scale(2, 2);
    context.drawImage(image, 0, 0);
    canvas.toBlob((png) => save(png, name + ".png"), "image/png");
  };
  image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
}

// --- suggestions for coalition expressions: complete the word being typed ---------------------
function suggestBox(input) {
  const list = document.getElementById(input.getAttribute("aria-controls"));
  const data = JSON.parse(document.getElementById("suggestions").textContent);
  let active = -1;
  const currentWord = () => {
    const upto = input.value.slice(0, input.selectionStart ?? input.value.length);
    const match = upto.match(/[^&|()\s]*$/);
    return { word: match ? match[0] : "", start: upto.length - (match ? match[0].length : 0) };
  };
  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const choose = (value) => {
    const { start } = currentWord();
    const end = input.selectionStart ?? input.value.length;
    input.value = input.value.slice(0, start) + value + input.value.slice(end);
    const caret = start + value.length;
    input.setSelectionRange(caret, caret);
    close();
    input.focus();
  };
  const render = () => {
    const { word } = currentWord();
    if (!word) return close();
    const key = word.toUpperCase();
    const found = data
      .filter((s) => s.value.toUpperCase().startsWith(key) || s.label.toUpperCase().includes(": " + key))
      .slice(0, 12);
    if (!found.length) return close();
    list.replaceChildren(
      ...found.map((item, i) => {
        const li = document.createElement("li");
        li.id = `suggestion-${i}`;
        li.setAttribute("role", "option");
        li.dataset.value = item.value;
        li.textContent = item.label;
        li.addEventListener("mousedown", (event) => {
          event.preventDefault();
          choose(item.value);
        });
        return li;
      }),
    );
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  };
  const highlight = (index) => {
    const items = [...list.children];
    if (!items.length) return;
    active = (index + items.length) % items.length;
    items.forEach((li, i) => li.setAttribute("aria-selected", String(i === active)));
    input.setAttribute("aria-activedescendant", items[active].id);
  };
  input.addEventListener("input", render);
  input.addEventListener("blur", () => setTimeout(close, 100));
  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown") highlight(active + 1);
    else if (event.key === "ArrowUp") highlight(active - 1);
    else if (event.key === "Escape") close();
    else if ((event.key === "Enter" || event.key === "Tab") && active >= 0)
      choose(list.children[active].dataset.value);
    else return;
    event.preventDefault();
  });
}

// --- the obligations map: a click becomes a latitude and longitude ----------------------------
// Inverse of the Lambert azimuthal equal-area projection in alliance/web/pages_map.py.
function inverseLaea(svg, sx, sy) {
  const d = svg.dataset;
  const rad = Math.PI / 180;
  const x = sx / Number(d.scale) + Number(d.x0);
  const y = Number(d.y1) - sy / Number(d.scale);
  const phi0 = Number(d.lat0) * rad;
  const rho = Math.hypot(x, y);
  if (rho === 0) return [Number(d.lat0), Number(d.lon0)];
  const c = 2 * Math.asin(Math.min(1, rho / (2 * Number(d.radius))));
  const lat = Math.asin(Math.cos(c) * Math.sin(phi0) + (y * Math.sin(c) * Math.cos(phi0)) / rho);
  const lon =
    Number(d.lon0) * rad +
    Math.atan2(x * Math.sin(c), rho * Math.cos(phi0) * Math.cos(c) - y * Math.sin(phi0) * Math.sin(c));
  return [lat / rad, ((lon / rad + 540) % 360) - 180];
}

function clickableMap(svg) {
  svg.addEventListener("click", (event) => {
    const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(svg.getScreenCTM().inverse());
    const [lat, lon] = inverseLaea(svg, point.x, point.y);
    const form = document.getElementById("obligations-form");
    form.elements.place.value = "";
    form.elements.at.value = `${lat.toFixed(2)},${lon.toFixed(2)}`;
    loadPage(formUrl(form), true);
  });
}

// --- fact-check: a chosen file fills the text box and is checked -----------------------------
function claimUpload(input) {
  input.addEventListener("change", async () => {
    const file = input.files[0];
    if (!file) return;
    const form = document.getElementById("claim-form");
    form.elements.claims.value = await file.text();
    form.requestSubmit();
  });
}

function enhance(root) {
  root.querySelectorAll("form[data-live]").forEach(liveForm);
  root.querySelectorAll("button[data-download]").forEach((button) =>
    button.addEventListener("click", () => download(button)),
  );
  root.querySelectorAll("input[role=combobox]").forEach(suggestBox);
  root.querySelectorAll("svg.clickable-map").forEach(clickableMap);
  root.querySelectorAll("#claim-file").forEach(claimUpload);
}

enhance(document);
