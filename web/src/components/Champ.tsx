import { cloneElement, type ReactElement, useId } from "react";

/**
 * A labelled form field whose error is tied to it: the control gets
 * `aria-invalid` and `aria-describedby` pointing to the message (and to the
 * hint, if any), so a screen reader reads the error with the field.
 */
export function Champ({
  libelle,
  erreur,
  aide,
  erreurCommune,
  children,
}: {
  libelle: string;
  erreur?: string | null | undefined;
  aide?: string;
  /** Id of a message shown elsewhere that concerns this field too (a refused login). */
  erreurCommune?: string | null | undefined;
  children: ReactElement<Record<string, unknown>>;
}) {
  const id = useId();
  const idErreur = `${id}-erreur`;
  const idAide = `${id}-aide`;
  const decrit = [aide ? idAide : null, erreur ? idErreur : null, erreurCommune ?? null]
    .filter(Boolean)
    .join(" ");
  return (
    <div className={erreur ? "champ champ-erreur" : "champ"}>
      <label htmlFor={id}>{libelle}</label>
      {aide && (
        <p className="aide" id={idAide}>
          {aide}
        </p>
      )}
      {cloneElement(children, {
        id,
        "aria-invalid": erreur || erreurCommune ? true : undefined,
        "aria-describedby": decrit || undefined,
      })}
      {erreur && (
        <p className="erreur-champ" id={idErreur}>
          {erreur}
        </p>
      )}
    </div>
  );
}
