// Photos: ask the API for a presigned upload, PUT the bytes straight to the
// bucket with progress, complete, then the gallery (newest first, with
// short-lived download URLs) and delete.
import { h, form, message, pages, screen } from "../ui.js";

const types = ["image/jpeg", "image/png", "image/webp", "image/gif"];
const maxSize = 10 << 20;

export async function photos(ctx) {
  const gallery = h("ul", { class: "gallery", id: "gallery" });
  const more = h("button", { type: "button", class: "secondary", hidden: true, text: "Show more" });
  const alert = h("p", { class: "alert", role: "alert", hidden: true });
  const progress = h("progress", { id: "upload-progress", max: 1, value: 0, hidden: true });
  const status = h("p", { id: "upload-status", class: "muted", role: "status" });

  const fail = (err) => {
    alert.textContent = message(err);
    alert.hidden = false;
  };

  const load = pages(ctx.api, "/photos", 24, gallery, tile, more, empty);

  function empty() {
    if (!gallery.children.length) gallery.append(h("li", { class: "muted empty", text: "No photos yet." }));
  }

  function tile(p) {
    const li = h("li", { "data-id": p.id });
    li.append(
      h("img", { src: p.url, alt: p.caption || "Photo", loading: "lazy", width: 200, height: 150 }),
      h("span", { class: "caption", text: p.caption || "" }),
      h("button", {
        type: "button",
        class: "danger delete",
        text: "Delete",
        onclick: async (e) => {
          e.target.disabled = true;
          alert.hidden = true;
          try {
            await ctx.api.del(`/photos/${p.id}`);
            li.remove();
            empty();
          } catch (err) {
            e.target.disabled = false;
            fail(err);
          }
        },
      }),
    );
    return li;
  }

  const up = form(
    { id: "photo-form" },
    async (v, f) => {
      const file = f.querySelector("input[type=file]").files[0];
      if (!file) throw new Error("Choose a photo first.");
      if (!types.includes(file.type)) throw new Error(`A photo must be one of ${types.join(", ")}; this is ${file.type || "unknown"}.`);
      if (file.size > maxSize) throw new Error(`A photo may have at most ${maxSize >> 20} MB.`);
      const created = await ctx.api.post("/photos", { contentType: file.type, size: file.size, caption: v.caption.trim() });
      progress.hidden = false;
      progress.value = 0;
      status.textContent = "Uploading… 0%";
      await ctx.upload(created.upload, file, (fraction) => {
        progress.value = fraction;
        status.textContent = `Uploading… ${Math.round(fraction * 100)}%`;
      });
      status.textContent = "Upload done; checking…";
      await ctx.api.post(`/photos/${created.id}/complete`);
      status.textContent = "Uploaded.";
      f.reset();
      await load(true);
    },
    h("label", { for: "f-file" }, h("span", { text: "Photo (JPEG, PNG, WebP or GIF, up to 10 MB)" }), h("input", { id: "f-file", name: "file", type: "file", accept: types.join(","), required: true })),
    h("label", { for: "f-caption" }, h("span", { text: "Caption (optional)" }), h("input", { id: "f-caption", name: "caption", maxlength: "300" })),
    h("div", { class: "row" }, h("button", { type: "submit", text: "Upload" }), progress),
    status,
  );
  more.addEventListener("click", () => load(false).catch(fail));

  const view = screen("photos", "Photos", up, alert, gallery, more);
  await load(true).catch(fail);
  return view;
}
