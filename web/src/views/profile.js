// The profile: the user pool's attributes (read and written with the
// access token), what the API knows (GET /me), the session, the user's
// passkeys where the pool offers them (config.json's firstAuthFactors), and
// TOTP enrolment where the stage makes MFA optional.
import { h, field, form, flash, message, screen } from "../ui.js";
import { passkeysSupported } from "../cognito.js";
import { secretBlock } from "./account.js";

const editable = [
  ["name", "Name", "name"],
  ["custom:company", "Company", "organization"],
  // A job title to show; what a user may do comes from their groups.
  ["custom:role_name", "Role (job title)", "organization-title"],
  ["email", "Email", "email"],
  ["phone_number", "Phone number", "tel"],
];

export async function profile(ctx) {
  const alert = h("p", { class: "alert", role: "alert", hidden: true });
  const fail = (err) => {
    alert.textContent = message(err);
    alert.hidden = false;
  };
  let attrs = {};
  let me = null;
  let mfaOn = false;
  const passkeysOffered = ctx.cfg.firstAuthFactors.includes("WEB_AUTHN");
  // The passkeys load beside the rest; either failing leaves the other.
  const listed = passkeysOffered
    ? ctx.auth.passkeys().catch((err) => {
        fail(err);
        return [];
      })
    : [];
  try {
    const [data, claims] = await Promise.all([ctx.auth.userData(), ctx.api.get("/me")]);
    [attrs, me, mfaOn] = [data.attributes, claims, data.totp];
  } catch (err) {
    fail(err);
  }
  const keys = await listed;

  const verify = h("div", { id: "verify", hidden: true });
  const edit = form(
    { id: "profile-form" },
    async (v) => {
      const changes = {};
      for (const [name] of editable) {
        const value = (v[name] || "").trim();
        if (value !== (attrs[name] || "") && value !== "") changes[name] = value;
      }
      if (!Object.keys(changes).length) {
        flash("Nothing changed.");
        return ctx.render();
      }
      const details = await ctx.auth.updateAttributes(changes);
      const pending = (details || []).map((d) => d.AttributeName).filter(Boolean);
      if (pending.length) {
        showVerify(pending);
        return;
      }
      flash("Your profile is saved.");
      return ctx.render();
    },
    editable.map(([name, label, autocomplete]) =>
      field(label, { name, type: name === "email" ? "email" : "text", autocomplete, value: attrs[name] || "" }),
    ),
    h("button", { type: "submit", text: "Save profile" }),
  );

  function showVerify(names) {
    verify.replaceChildren(
      h("p", { text: `We sent a code to confirm the new ${names.join(" and ")}. Until then the old value stays in effect.` }),
      ...names.map((name) =>
        form(
          { class: "row verify-form" },
          async (v) => {
            await ctx.auth.verifyAttribute(name, v.code.trim());
            flash(`Your ${name.replace("_", " ")} is verified.`);
            return ctx.render();
          },
          field(`Code for ${name.replace("_", " ")}`, { name: "code", inputmode: "numeric", required: true }),
          h("button", { type: "submit", text: "Verify" }),
        ),
      ),
    );
    verify.hidden = false;
  }

  const s = ctx.session;
  const facts = h(
    "dl",
    { class: "facts", id: "profile-facts" },
    fact("Signed in with", s.kind === "hosted" ? "the hosted UI" : "this app's sign-in form"),
    fact("Email", [attrs.email, verified(attrs.email_verified)]),
    fact("Phone number", [attrs.phone_number, verified(attrs.phone_number_verified)]),
    fact("Company", attrs["custom:company"]),
    fact("Role (job title)", attrs["custom:role_name"]),
    fact("Groups", me && me.groups && (me.groups.join(", ") || "none")),
    fact("User id", me && me.sub),
    fact("Token scopes", me && me.scopes && me.scopes.join(" ")),
    fact("Authenticator (TOTP)", mfaOn ? "on" : "off"),
    fact("Session valid until", h("span", { id: "session-expiry", text: new Date(s.expiresAt * 1000).toLocaleTimeString() })),
  );

  const refresh = h("button", {
    type: "button",
    id: "refresh-session",
    class: "secondary",
    text: "Refresh session",
    onclick: async () => {
      try {
        await ctx.auth.refresh();
        flash("Your session was refreshed.");
        await ctx.render();
      } catch (err) {
        fail(err);
      }
    },
  });

  return screen(
    "profile",
    "Profile",
    alert,
    facts,
    h("div", { class: "row" }, refresh, mfaOn ? null : ctx.link("/profile/mfa", "Set up an authenticator app")),
    h("h2", { text: "Edit" }),
    edit,
    verify,
    passkeysOffered && passkeys(ctx, keys, fail),
  );
}

// passkeys lists the user's passkeys, each with its removal, and adds one
// made by this browser (or a phone or security key it offers).
function passkeys(ctx, keys, fail) {
  // A button's action, the button disabled meanwhile; then the profile again.
  const act = (run, done) => async (e) => {
    e.target.disabled = true;
    try {
      await run();
      flash(done);
      await ctx.render();
    } catch (err) {
      fail(err);
      e.target.disabled = false;
    }
  };
  const item = (k) =>
    h(
      "li",
      null,
      h("span", { class: "title", text: k.FriendlyCredentialName || "Passkey" }),
      h("span", { class: "muted", text: `added ${new Date(k.CreatedAt * 1000).toLocaleDateString()}` }),
      h("button", { type: "button", class: "danger", text: "Remove", onclick: act(() => ctx.auth.removePasskey(k.CredentialId), "The passkey is removed.") }),
    );
  return [
    h("h2", { text: "Passkeys" }),
    h("p", { class: "muted", text: "Sign in with your device's screen lock or a security key instead of a password." }),
    h("ul", { class: "list", id: "passkey-list" }, keys.length ? keys.map(item) : h("li", { class: "muted", text: "No passkeys yet." })),
    passkeysSupported()
      ? h("button", { type: "button", id: "add-passkey", class: "secondary", text: "Add a passkey", onclick: act(() => ctx.auth.addPasskey(), "Your passkey is added: sign in with it next time.") })
      : h("p", { class: "muted", text: "This browser cannot use passkeys." }),
  ];
}

function fact(label, value) {
  const v = [value].flat().filter((x) => x !== undefined && x !== null && x !== "");
  return [h("dt", { text: label }), h("dd", null, ...(v.length ? v : ["—"]))];
}

function verified(flag) {
  if (flag === undefined) return null;
  return h("span", { class: flag === "true" ? "ok" : "muted", text: flag === "true" ? " (verified)" : " (not verified)" });
}

// mfa enrols an authenticator app for a signed-in user: the pool hands out
// a secret, the first code proves the app has it, then TOTP becomes the
// user's MFA for the next sign-ins.
export async function mfa(ctx) {
  let secret = "";
  const alert = h("p", { class: "alert", role: "alert", hidden: true });
  try {
    secret = await ctx.auth.associateTotp();
  } catch (err) {
    alert.textContent = message(err);
    alert.hidden = false;
  }
  const claims = ctx.session.claims;
  return screen(
    "mfa",
    "Set up an authenticator app",
    alert,
    secret ? secretBlock(secret, claims.email || claims.phone_number || claims.sub, ctx.cfg) : null,
    form(
      { id: "mfa-form" },
      async (v) => {
        await ctx.auth.enableTotp(v.code.trim());
        flash("Your authenticator app is set up: sign-ins ask for its code.");
        return ctx.navigate("/profile");
      },
      field("Code", { name: "code", inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}", required: true }),
      h("button", { type: "submit", text: "Turn on" }),
    ),
  );
}
