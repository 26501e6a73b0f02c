/** Downloads built in the browser: a text file, or an SVG rasterised to PNG. */

export function telecharger(blob: Blob, nom: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = nom;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The same SVG as a PNG, at twice its size for print. */
export async function svgEnPng(svg: string, largeur: number, hauteur: number, echelle = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = largeur * echelle;
    canvas.height = hauteur * echelle;
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("Export PNG impossible : le navigateur refuse le dessin.");
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("Export PNG impossible."))), "image/png"),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** A file name from a title: no accents, no spaces. */
export function nomFichier(titre: string, ext: string): string {
  const base = titre
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 80);
  return `${base || "carte"}.${ext}`;
}
