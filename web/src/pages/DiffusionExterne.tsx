import { useEffect, useState } from "react";
import { type AccordDiffusion, api, type DemandeAccord, dateFr } from "../api";

const STATUT_DEMANDE: Record<DemandeAccord["statut"], string> = {
  en_attente: "en attente de la réponse du fournisseur",
  accordee: "accordée",
  refusee: "refusée",
};

/**
 * Handing this release outside the parties: the provider's approvals (scope,
 * recipient, date), the other parties' requests for one and the provider's
 * answers; the external export is offered once an approval exists.
 */
export function AccordsDiffusion({
  diffusionId,
  conventionId,
}: {
  diffusionId: string;
  conventionId: string;
}) {
  const [accords, setAccords] = useState<AccordDiffusion[]>([]);
  const [demandes, setDemandes] = useState<DemandeAccord[]>([]);
  const [peutAccorder, setPeutAccorder] = useState(false);
  const [peutDemander, setPeutDemander] = useState(false);
  const [portee, setPortee] = useState("");
  const [destinataire, setDestinataire] = useState("");
  const [motifs, setMotifs] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [erreur, setErreur] = useState<string | null>(null);
  const charger = async () => {
    setAccords(await api.accords(diffusionId).catch(() => []));
    setDemandes(await api.demandesAccord(diffusionId).catch(() => []));
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: reloads when the release changes
  useEffect(() => {
    void charger();
    api.convention(conventionId).then(
      (c) => {
        setPeutAccorder(c.permis.accorder_diffusion);
        // Another party of a convention in force asks the provider; the provider diffuses its own data.
        setPeutDemander(c.permis.exporter && !c.permis.accorder_diffusion);
      },
      () => setPeutAccorder(false),
    );
  }, [diffusionId, conventionId]);
  async function agir(action: () => Promise<unknown>, succes: string) {
    setErreur(null);
    setMessage(null);
    try {
      await action();
      setMessage(succes);
      setPortee("");
      setDestinataire("");
      await charger();
    } catch (err) {
      setErreur(err instanceof Error ? err.message : "Action impossible.");
    }
  }
  const enAttente = demandes.filter((d) => d.statut === "en_attente");
  return (
    <section aria-label="Diffusion externe">
      <h2>Diffusion externe</h2>
      {accords.length === 0 ? (
        <p className="discret">
          Aucun accord du fournisseur pour cette diffusion : elle ne sort pas des parties à la convention.
        </p>
      ) : (
        <>
          <ul>
            {accords.map((a) => (
              <li key={a.id}>
                Accord du {dateFr(a.accordeLe)} : {a.portee} — destinataire : {a.destinataire}
              </li>
            ))}
          </ul>
          <p>
            <a href={`/api/diffusions/${diffusionId}/export/xlsx?usage=externe`} download>
              Export pour la diffusion externe (XLSX)
            </a>
          </p>
        </>
      )}
      {demandes.length > 0 && (
        <section aria-label="Demandes d'accord">
          <h3>Demandes d'accord</h3>
          <ul>
            {demandes.map((d) => (
              <li key={d.id}>
                Demande du {dateFr(d.demandeLe)} : {d.portee} — destinataire : {d.destinataire} —{" "}
                {STATUT_DEMANDE[d.statut]}
                {d.motif ? ` (motif : ${d.motif})` : ""}
                {peutAccorder && d.statut === "en_attente" && (
                  <span className="ligne">
                    <button
                      type="button"
                      onClick={() =>
                        agir(
                          () => api.accorderDiffusion(diffusionId, d.portee, d.destinataire, d.id),
                          "Accord de diffusion externe enregistré.",
                        )
                      }
                    >
                      Accorder
                    </button>
                    <label>
                      Motif du refus
                      <input
                        value={motifs[d.id] ?? ""}
                        onChange={(e) => setMotifs({ ...motifs, [d.id]: e.target.value })}
                      />
                    </label>
                    <button
                      type="button"
                      className="secondaire"
                      onClick={() =>
                        agir(
                          () => api.refuserAccord(diffusionId, d.id, motifs[d.id] ?? ""),
                          "Demande d'accord refusée.",
                        )
                      }
                    >
                      Refuser
                    </button>
                  </span>
                )}
              </li>
            ))}
          </ul>
          {peutAccorder && enAttente.length > 0 && (
            <p className="discret">{enAttente.length} demande(s) en attente de votre réponse.</p>
          )}
        </section>
      )}
      {message && (
        <p className="succes" role="status">
          {message}
        </p>
      )}
      {erreur && (
        <p className="erreur" role="alert">
          {erreur}
        </p>
      )}
      {(peutAccorder || peutDemander) && (
        <form
          className="formulaire"
          onSubmit={(e) => {
            e.preventDefault();
            void (peutAccorder
              ? agir(
                  () => api.accorderDiffusion(diffusionId, portee, destinataire),
                  "Accord de diffusion externe enregistré.",
                )
              : agir(
                  () => api.demanderAccord(diffusionId, portee, destinataire),
                  "Demande d'accord envoyée au fournisseur.",
                ));
          }}
          aria-label={peutAccorder ? "Accorder la diffusion externe" : "Demander l'accord du fournisseur"}
        >
          <label>
            {peutAccorder ? "Portée de l'accord" : "Portée de la diffusion externe"}
            <input required value={portee} onChange={(e) => setPortee(e.target.value)} />
          </label>
          <label>
            Destinataire de la diffusion
            <input required value={destinataire} onChange={(e) => setDestinataire(e.target.value)} />
          </label>
          <button type="submit">
            {peutAccorder
              ? "Accorder la diffusion externe de cette diffusion"
              : "Demander l'accord du fournisseur"}
          </button>
        </form>
      )}
    </section>
  );
}
