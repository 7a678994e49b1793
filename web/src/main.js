// The app's start: read the stage's config, finish a hosted-UI sign-in if
// this is its callback, then route by path (History API; the distribution
// and `make dev` answer every client route with index.html).
import "./app.css";
import { loadConfig } from "./config.js";
import { Auth } from "./auth.js";
import { API, upload } from "./api.js";
import { brand, h, mount, message, screen } from "./ui.js";
import * as account from "./views/account.js";
import { todos } from "./views/todos.js";
import { photos } from "./views/photos.js";
import { profile, mfa } from "./views/profile.js";

const open = {
  "/": account.home,
  "/signin": account.signIn,
  "/signin/code": account.code,
  "/signin/totp": account.totp,
  "/signin/mfa-setup": account.mfaSetup,
  "/signup": account.signUp,
  "/confirm": account.confirm,
  "/forgot": account.forgot,
  "/reset": account.reset,
};
const signedIn = {
  "/todos": todos,
  "/photos": photos,
  "/profile": profile,
  "/profile/mfa": mfa,
};

const ctx = { navigate, render, upload };

function navigate(path) {
  if (path !== location.pathname) history.pushState(null, "", path);
  return render();
}

async function render() {
  const path = location.pathname.replace(/\/+$/, "") || "/";
  ctx.session = await ctx.auth.session();
  bar();
  if (signedIn[path]) {
    if (!ctx.session) return navigate("/signin");
    return mount(await signedIn[path](ctx));
  }
  if (open[path]) {
    if (ctx.session && path === "/") return navigate("/todos");
    return mount(await open[path](ctx));
  }
  mount(screen("not-found", "Not found", h("p", { text: "There is no such page." }), link("/", "Home")));
}

function link(href, text) {
  return h("a", { href, "data-link": true, text });
}
ctx.link = link;

function bar() {
  const s = ctx.session;
  const el = document.getElementById("bar");
  if (!s) {
    el.replaceChildren(h("nav", null, h("a", { href: "/", "data-link": true, class: "brand", text: brand })));
    return;
  }
  const who = s.claims.email || s.claims.phone_number || s.claims["cognito:username"] || "";
  el.replaceChildren(
    h(
      "nav",
      null,
      h("a", { href: "/todos", "data-link": true, class: "brand", text: brand }),
      link("/todos", "Todos"),
      link("/photos", "Photos"),
      link("/profile", "Profile"),
      h("span", { class: "who", text: who }),
      h("button", { type: "button", id: "sign-out", class: "secondary", text: "Sign out", onclick: signOut }),
    ),
  );
}

async function signOut(e) {
  e.target.disabled = true;
  try {
    await ctx.auth.signOut();
  } catch (err) {
    // The tokens are gone from this tab either way; say what failed.
    mount(screen("error", "Signed out with a problem", h("p", { role: "alert", text: message(err) })));
  }
}

document.addEventListener("click", (e) => {
  const a = e.target.closest && e.target.closest("a[data-link]");
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  navigate(a.getAttribute("href"));
});
window.addEventListener("popstate", () => render());

async function start() {
  try {
    ctx.cfg = await loadConfig();
  } catch (err) {
    mount(screen("error", "This stage is not configured", h("p", { role: "alert", text: message(err) })));
    return;
  }
  ctx.auth = new Auth(ctx.cfg);
  ctx.api = new API(ctx.cfg, ctx.auth);
  if (location.pathname === ctx.cfg.callbackPath) {
    try {
      await ctx.auth.completeHostedSignIn();
    } catch (err) {
      // replaceState: the code (spent or not) leaves the address bar.
      history.replaceState(null, "", "/signin");
      mount(screen("error", "Sign-in failed", h("p", { role: "alert", text: message(err) }), link("/", "Try again")));
      return;
    }
    history.replaceState(null, "", "/todos");
  }
  await render();
}

start();
