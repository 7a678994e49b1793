// The caller's todos: list (newest first, paged), create, rename,
// complete and delete. A change replaces the todo (title, done) and sends
// the version the screen showed; a stale one is refused (409) and the list
// is read again.
import { h, form, message, pages, screen } from "../ui.js";

export async function todos(ctx) {
  const list = h("ul", { class: "todos", id: "todo-list" });
  const more = h("button", { type: "button", class: "secondary", hidden: true, text: "Show more" });
  const alert = h("p", { class: "alert", role: "alert", hidden: true });

  const fail = (err) => {
    alert.textContent = message(err);
    alert.hidden = false;
  };

  const load = pages(ctx.api, "/todos", 20, list, item, more, () => {
    if (!list.children.length) list.append(h("li", { class: "muted empty", text: "Nothing to do yet." }));
  });

  async function change(run, undo) {
    alert.hidden = true;
    try {
      await run();
    } catch (err) {
      undo?.();
      fail(err);
      if (err.status === 409 || err.status === 404) await load(true).catch(fail);
    }
  }

  function item(t) {
    const li = h("li", { "data-id": t.id, class: t.done ? "done" : "" });
    const show = () => {
      const done = h("input", {
        type: "checkbox",
        checked: t.done,
        "aria-label": `Done: ${t.title}`,
        class: "toggle",
        onchange: () =>
          change(async () => {
            Object.assign(t, await ctx.api.put(`/todos/${t.id}`, { title: t.title, done: done.checked, version: t.version }));
            li.className = t.done ? "done" : "";
          }, () => (done.checked = t.done)),
      });
      li.replaceChildren(
        done,
        h("span", { class: "title", text: t.title }),
        h("button", { type: "button", class: "secondary edit", text: "Edit", onclick: edit }),
        h("button", {
          type: "button",
          class: "danger delete",
          text: "Delete",
          onclick: () =>
            change(async () => {
              await ctx.api.del(`/todos/${t.id}`);
              li.remove();
              if (!list.children.length) list.append(h("li", { class: "muted empty", text: "Nothing to do yet." }));
            }),
        }),
      );
    };
    const edit = () => {
      const input = h("input", { name: "title", value: t.title, required: true, maxlength: "500", "aria-label": "Title" });
      const f = h(
        "form",
        { class: "row edit-form" },
        input,
        h("button", { type: "submit", text: "Save" }),
        h("button", { type: "button", class: "secondary", text: "Cancel", onclick: show }),
      );
      f.addEventListener("submit", (e) => {
        e.preventDefault();
        change(async () => {
          Object.assign(t, await ctx.api.put(`/todos/${t.id}`, { title: input.value.trim(), done: t.done, version: t.version }));
          show();
        });
      });
      li.replaceChildren(f);
      input.focus();
    };
    show();
    return li;
  }

  const add = form(
    { id: "todo-form", class: "row" },
    async (v, f) => {
      const t = await ctx.api.post("/todos", { title: v.title.trim() });
      list.querySelector(".empty")?.remove();
      list.prepend(item(t));
      f.reset();
      f.querySelector("input").focus();
    },
    h("input", { name: "title", placeholder: "What needs doing?", required: true, maxlength: "500", "aria-label": "New todo" }),
    h("button", { type: "submit", text: "Add" }),
  );
  more.addEventListener("click", () => load(false).catch(fail));

  const view = screen("todos", "Todos", add, alert, list, more);
  await load(true).catch(fail);
  return view;
}
