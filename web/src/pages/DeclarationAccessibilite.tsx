/** The accessibility statement (RGAA 4.1 structure), readable without an account. */
export function DeclarationAccessibilite() {
  return (
    <section className="texte">
      <h1>Déclaration d'accessibilité</h1>
      <p>
        L'organisme qui exploite cette instance de Socle s'engage à rendre ses services numériques
        accessibles, conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration
        s'applique à l'application web Socle.
      </p>
      <h2>État de conformité</h2>
      <p>
        Socle est <strong>partiellement conforme</strong> au référentiel général d'amélioration de
        l'accessibilité (RGAA 4.1) : aucun audit complet n'a encore été réalisé.
      </p>
      <h2>Ce qui est fait</h2>
      <ul>
        <li>chaque page a un titre qui lui est propre et un titre principal ;</li>
        <li>un lien « Aller au contenu » permet d'éviter la navigation ;</li>
        <li>après chaque changement de page, le focus est placé sur le titre de la page ;</li>
        <li>
          les erreurs de saisie sont liées à leur champ (le champ est signalé invalide et le message lui est
          associé) ;
        </li>
        <li>l'application s'utilise sur un écran de 390 pixels de large et au clavier ;</li>
        <li>
          chaque carte est accompagnée d'un tableau des mêmes valeurs, et sa légende distingue les valeurs
          sous secret statistique des valeurs non disponibles.
        </li>
      </ul>
      <h2>Contenus non accessibles</h2>
      <ul>
        <li>
          les cartes (images interactives) ne sont pas entièrement utilisables au clavier : le tableau des
          valeurs qui les accompagne donne les mêmes informations ;
        </li>
        <li>les documents déposés par les partenaires ne sont pas contrôlés par Socle.</li>
      </ul>
      <h2>Retour d'information et contact</h2>
      <p>
        Si vous n'arrivez pas à accéder à un contenu ou à un service, contactez le référent de votre
        convention ou l'administrateur de cette instance pour être orienté vers une alternative accessible.
      </p>
      <h2>Voies de recours</h2>
      <p>
        Si, après nous avoir signalé un défaut d'accessibilité, vous n'obtenez pas de réponse satisfaisante,
        vous pouvez saisir le Défenseur des droits (formulaire en ligne, délégués territoriaux, ou courrier
        gratuit : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07).
      </p>
    </section>
  );
}
