// A few DOM helpers: the app builds elements with h() and never writes
// HTML strings, so nothing a user or the API sends is parsed as markup.

// brand is the app's name as people read it: contract.Brand, which the
// build writes into the page (web/build.go), so a rename (cmd/rename)
// reaches the app without an edit here.
export const brand = document.querySelector('meta[name="application-name"]').content;

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") {
      el.addEventListener(k.slice(2).toLowerCase(), v);
    } else if (k === "class") {
      el.className = v;
    } else if (k === "text") {
      el.textContent = v;
    } else if (k in el && typeof v !== "string") {
      el[k] = v;
    } else {
      el.setAttribute(k, v === true ? "" : v);
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function mount(...nodes) {
  const app = document.getElementById("app");
  app.replaceChildren(...nodes.flat().filter(Boolean));
  const first = app.querySelector("input:not([type=hidden]), button");
  if (first && first.tagName === "INPUT") first.focus();
}

export function field(label, props) {
  const id = `f-${props.name}`;
  return h("label", { for: id }, h("span", { text: label }), h("input", { id, ...props }));
}

// form builds a form whose submit runs onSubmit(values, form) with its
// buttons disabled, showing any error in the form's alert line. The
// values include the name and value of the button that submitted it.
export function form(props, onSubmit, ...children) {
  const alert = h("p", { class: "alert", role: "alert", hidden: true });
  const f = h("form", { ...props, novalidate: false }, alert, ...children);
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    // Read before the buttons are disabled: a disabled submitter is not
    // among the values.
    const values = Object.fromEntries(new FormData(f, e.submitter));
    const buttons = [...f.querySelectorAll("button")];
    buttons.forEach((b) => (b.disabled = true));
    alert.hidden = true;
    try {
      await onSubmit(values, f);
    } catch (err) {
      alert.textContent = message(err);
      alert.hidden = false;
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  });
  return f;
}

export function message(err) {
  if (!err) return "Something went wrong.";
  // Cognito errors carry a code (the exception name) and a message meant
  // for people.
  return err.message || err.code || err.name || String(err);
}

let flashText = "";

// flash shows a notice on the next screen.
export function flash(text) {
  flashText = text;
}

export function takeFlash() {
  const t = flashText;
  flashText = "";
  return t ? h("p", { class: "notice", role: "status", text: t }) : null;
}

export function screen(name, title, ...children) {
  document.title = `${title} · ${brand}`;
  return h("section", { class: "screen", "data-screen": name }, h("h1", { text: title }), takeFlash(), ...children);
}

// pages returns load(reset), which appends the next page of the API's list
// at path to list (reset starts over), shows more only while the API has
// another page, and calls empty afterwards.
export function pages(api, path, limit, list, render, more, empty) {
  let cursor = "";
  return async function load(reset) {
    if (reset) {
      cursor = "";
      list.replaceChildren();
    }
    const q = new URLSearchParams({ limit: String(limit) });
    if (cursor) q.set("cursor", cursor);
    const page = await api.get(`${path}?${q}`);
    for (const item of page.items) list.append(render(item));
    cursor = page.nextCursor || "";
    more.hidden = !cursor;
    empty();
  };
}
