// Signing in (hosted UI or custom UI: a password, a code by email or SMS,
// or a passkey), signing up, confirming, and resetting a forgotten password.
import { h, field, form, flash, screen } from "../ui.js";
import { passkeysSupported } from "../cognito.js";

// The username carried from one screen to the next (sign-up to confirm,
// forgot to reset): in memory, never in the URL.
let carried = "";

const passwordRules = "At least 12 characters with upper and lower case letters, a number and a symbol.";

// The one-time code channels, by their challenge (a first factor of the
// pool's): the sign-in button and how the code travels.
const channels = {
  EMAIL_OTP: { id: "signin-code", button: "Email me a code", sent: "emailed" },
  SMS_OTP: { id: "signin-sms", button: "Text me a code", sent: "texted" },
};

export function home(ctx) {
  return screen(
    "home",
    "Sign in",
    h("p", { text: "Sign in with the stage's hosted sign-in page, or with this app's own forms." }),
    h(
      "div",
      { class: "choices" },
      h("button", {
        type: "button",
        id: "hosted-sign-in",
        text: "Sign in with the hosted UI",
        onclick: (e) => {
          e.target.disabled = true;
          ctx.auth.signInHosted();
        },
      }),
      ctx.link("/signin", "Sign in here"),
      ctx.link("/signup", "Create an account"),
    ),
  );
}

// signIn takes a password (SRP), or signs in without one as the stage's
// pool allows (config.json's firstAuthFactors): a code Cognito emails or
// texts, or a passkey. Those buttons skip the form's validation, which
// wants a password.
export function signIn(ctx) {
  const offered = (factor) => ctx.cfg.firstAuthFactors.includes(factor);
  const without = (method, id, text) =>
    offered(method) && h("button", { type: "submit", name: "method", value: method, id, class: "secondary", formnovalidate: true, text });
  const choices = [
    ...Object.entries(channels).map(([method, c]) => without(method, c.id, c.button)),
    passkeysSupported() && without("WEB_AUTHN", "signin-passkey", "Sign in with a passkey"),
  ].filter(Boolean);
  return screen(
    "signin",
    "Sign in",
    form(
      { id: "signin-form" },
      async (v) => {
        const username = v.username.trim();
        if (v.method) return signInWithout(ctx, v.method, username);
        const next = await ctx.auth.signIn(username, v.password);
        if (next === "totp") return ctx.navigate("/signin/totp");
        if (next === "mfaSetup") return ctx.navigate("/signin/mfa-setup");
        flash("You are signed in.");
        return ctx.navigate("/todos");
      },
      field("Email or phone number", { name: "username", type: "text", autocomplete: "username", required: true, value: carried }),
      field("Password", { name: "password", type: "password", autocomplete: "current-password", required: true }),
      h("button", { type: "submit", text: "Sign in" }),
      choices.length ? [h("p", { class: "muted", text: "Or without your password:" }), h("div", { class: "row" }, choices)] : null,
    ),
    h("p", null, ctx.link("/forgot", "Forgot your password?"), " · ", ctx.link("/signup", "Create an account")),
  );
}

async function signInWithout(ctx, method, username) {
  if (!username) throw new Error("Enter your email or phone number first.");
  carried = username;
  if (channels[method]) {
    const to = await ctx.auth.signInWithCode(username, method);
    flash(`We ${channels[method].sent} a code to ${to}.`);
    return ctx.navigate("/signin/code");
  }
  await ctx.auth.signInWithPasskey(username);
  flash("You are signed in.");
  return ctx.navigate("/todos");
}

// code answers the one-time code challenge signInWithCode started.
export function code(ctx) {
  const channel = ctx.auth.pending && channels[ctx.auth.pending.challenge];
  if (!channel) return signIn(ctx);
  return screen(
    "signin-code",
    `Enter the code we ${channel.sent}`,
    h("p", { text: "It works for a few minutes, and only in this tab." }),
    form(
      { id: "code-form" },
      async (v) => {
        await ctx.auth.answerCode(v.code.trim());
        flash("You are signed in.");
        return ctx.navigate("/todos");
      },
      field("Code", { name: "code", inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6,8}", required: true }),
      h("button", { type: "submit", text: "Sign in" }),
    ),
    h("p", null, ctx.link("/signin", "Start over")),
  );
}

export function totp(ctx) {
  return screen(
    "totp",
    "Authenticator code",
    h("p", { text: "Enter the 6-digit code your authenticator app shows." }),
    form(
      { id: "totp-form" },
      async (v) => {
        await ctx.auth.answerTotp(v.code.trim());
        flash("You are signed in.");
        return ctx.navigate("/todos");
      },
      field("Code", { name: "code", inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}", required: true }),
      h("button", { type: "submit", text: "Verify" }),
    ),
  );
}

export function mfaSetup(ctx) {
  const p = ctx.auth.pending;
  if (!p || !p.secret) return signIn(ctx);
  return screen(
    "mfa-setup",
    "Set up your authenticator",
    h("p", { text: "This account must use an authenticator app. Add this key to the app (type it, or paste the setup link), then enter the code it shows." }),
    secretBlock(p.secret, p.label, ctx.cfg),
    form(
      { id: "mfa-setup-form" },
      async (v) => {
        await ctx.auth.verifyTotpSetup(v.code.trim());
        flash("Your authenticator is set up and you are signed in.");
        return ctx.navigate("/todos");
      },
      field("Code", { name: "code", inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}", required: true }),
      h("button", { type: "submit", text: "Verify and sign in" }),
    ),
  );
}

// secretBlock shows a TOTP secret and its otpauth:// link (RFC 6238
// authenticators read it).
export function secretBlock(secret, account, cfg) {
  const label = encodeURIComponent(`Portcullis:${account}`);
  const uri = `otpauth://totp/${label}?secret=${secret}&issuer=Portcullis&algorithm=SHA1&digits=6&period=30`;
  return h(
    "div",
    { class: "secret" },
    h("p", null, "Key: ", h("code", { id: "totp-secret", text: secret })),
    h("p", null, "Setup link: ", h("code", { class: "uri", text: uri })),
    h("p", { class: "muted", text: `Region ${cfg.region}; the key is shown once.` }),
  );
}

export function signUp(ctx) {
  const kind = h(
    "fieldset",
    { class: "inline" },
    h("legend", { text: "Sign up with" }),
    h("label", null, h("input", { type: "radio", name: "kind", value: "email", checked: true }), " email"),
    h("label", null, h("input", { type: "radio", name: "kind", value: "phone" }), " phone number"),
  );
  return screen(
    "signup",
    "Create an account",
    form(
      { id: "signup-form" },
      async (v) => {
        const username = v.username.trim();
        const attrs = { name: v.name.trim(), "custom:company": v.company.trim(), "custom:role_name": v.role.trim() };
        if (v.kind === "phone") {
          if (!/^\+[1-9][0-9]{6,14}$/.test(username)) throw new Error("A phone number starts with + and the country code, e.g. +14155550100.");
          attrs.phone_number = username;
        } else {
          attrs.email = username;
        }
        const out = await ctx.auth.signUp(username, v.password, attrs);
        carried = username;
        if (out.userConfirmed) {
          flash("Your account is ready: sign in.");
          return ctx.navigate("/signin");
        }
        const d = out.codeDeliveryDetails;
        flash(d ? `We sent a code to ${d.Destination} (${d.DeliveryMedium.toLowerCase()}).` : "We sent you a code.");
        return ctx.navigate("/confirm");
      },
      kind,
      field("Email or phone number", { name: "username", type: "text", autocomplete: "username", required: true }),
      field("Password", { name: "password", type: "password", autocomplete: "new-password", required: true, minlength: "12" }),
      h("p", { class: "muted", text: passwordRules }),
      field("Name (optional)", { name: "name", type: "text", autocomplete: "name" }),
      field("Company (optional)", { name: "company", type: "text", autocomplete: "organization" }),
      field("Role, your job title (optional)", { name: "role", type: "text", autocomplete: "organization-title" }),
      h("button", { type: "submit", text: "Create account" }),
    ),
    h("p", null, "Have an account? ", ctx.link("/signin", "Sign in")),
  );
}

export function confirm(ctx) {
  const resend = h("button", {
    type: "button",
    class: "secondary",
    text: "Send a new code",
    onclick: async (e) => {
      const f = e.target.form;
      const username = new FormData(f).get("username").trim();
      const out = await ctx.auth.resendCode(username).catch((err) => ({ err }));
      const alert = f.querySelector("[role=alert]");
      alert.textContent = out.err ? out.err.message : `We sent a new code to ${out.CodeDeliveryDetails.Destination}.`;
      alert.hidden = false;
    },
  });
  return screen(
    "confirm",
    "Confirm your account",
    form(
      { id: "confirm-form" },
      async (v) => {
        await ctx.auth.confirmSignUp(v.username.trim(), v.code.trim());
        carried = v.username.trim();
        flash("Your account is confirmed: sign in.");
        return ctx.navigate("/");
      },
      field("Email or phone number", { name: "username", type: "text", autocomplete: "username", required: true, value: carried }),
      field("Code", { name: "code", inputmode: "numeric", autocomplete: "one-time-code", required: true }),
      h("div", { class: "row" }, h("button", { type: "submit", text: "Confirm" }), resend),
    ),
  );
}

export function forgot(ctx) {
  return screen(
    "forgot",
    "Forgot your password",
    h("p", { text: "We send a code to the email or phone number you verified." }),
    form(
      { id: "forgot-form" },
      async (v) => {
        const username = v.username.trim();
        const out = await ctx.auth.forgotPassword(username);
        carried = username;
        const d = out && out.CodeDeliveryDetails;
        flash(d ? `We sent a code to ${d.Destination}.` : "If the account exists, we sent it a code.");
        return ctx.navigate("/reset");
      },
      field("Email or phone number", { name: "username", type: "text", autocomplete: "username", required: true, value: carried }),
      h("button", { type: "submit", text: "Send code" }),
    ),
  );
}

export function reset(ctx) {
  return screen(
    "reset",
    "Choose a new password",
    form(
      { id: "reset-form" },
      async (v) => {
        await ctx.auth.confirmPassword(v.username.trim(), v.code.trim(), v.password);
        carried = v.username.trim();
        flash("Your password is changed: sign in with it.");
        return ctx.navigate("/");
      },
      field("Email or phone number", { name: "username", type: "text", autocomplete: "username", required: true, value: carried }),
      field("Code", { name: "code", inputmode: "numeric", autocomplete: "one-time-code", required: true }),
      field("New password", { name: "password", type: "password", autocomplete: "new-password", required: true, minlength: "12" }),
      h("p", { class: "muted", text: passwordRules }),
      h("button", { type: "submit", text: "Change password" }),
    ),
  );
}
