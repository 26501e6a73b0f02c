/**
 * Spreadsheet formats Socle does not read, recognised by their first bytes so
 * that their users get the right advice instead of « fichier binaire ».
 * ODS: no maintained npm reader passes the posture of DESIGN.md (the npm build
 * of SheetJS has unfixed advisories for crafted files; the other ODS readers
 * are unmaintained), so ODS is refused like XLS, with how to convert it.
 */
import { invalide } from "../core/errors.js";

const SAVE_AS_XLSX =
  "enregistrez-le au format Excel .xlsx (LibreOffice Calc : Fichier › Enregistrer sous › « Classeur Excel 2007-365 (.xlsx) » ; Excel : Fichier › Enregistrer sous › « Classeur Excel (.xlsx) ») ou en CSV, puis déposez ce fichier";

/** The old binary Excel (.xls, OLE2 compound file) or an OpenDocument spreadsheet (.ods), from the first bytes. */
export function unsupportedSpreadsheet(head: Uint8Array): "xls" | "ods" | null {
  const ole = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
  if (head.length >= 8 && ole.every((b, i) => head[i] === b)) return "xls";
  // An ODF package starts with an uncompressed « mimetype » entry naming its type.
  if (head[0] === 0x50 && head[1] === 0x4b) {
    const text = Buffer.from(head.subarray(0, Math.min(head.length, 200))).toString("latin1");
    if (text.includes("mimetypeapplication/vnd.oasis.opendocument.spreadsheet")) return "ods";
  }
  return null;
}

/** Refuses an XLS or ODS file with a French message saying to save it as XLSX. */
export function refuseUnsupportedSpreadsheet(head: Uint8Array, fileName: string): void {
  const kind = unsupportedSpreadsheet(head);
  if (kind === "xls")
    throw invalide(
      "format_xls",
      `${fileName} : classeur Excel 97-2003 (.xls), format que Socle ne lit pas ; ${SAVE_AS_XLSX}.`,
    );
  if (kind === "ods")
    throw invalide(
      "format_ods",
      `${fileName} : classeur OpenDocument (.ods), format que Socle ne lit pas ; ${SAVE_AS_XLSX}.`,
    );
}
