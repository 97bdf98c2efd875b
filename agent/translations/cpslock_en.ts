<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en" sourcelanguage="fr">
<context>
    <name>cpslock::agent::DiagnosticsDialog</name>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 h</translation>
    </message>
    <message>
        <source>%1 jours</source>
        <translation>%1 days</translation>
    </message>
    <message>
        <source>Session : %1</source>
        <translation>Session: %1</translation>
    </message>
    <message>
        <source>verrouillée</source>
        <translation>locked</translation>
    </message>
    <message>
        <source>ouverte</source>
        <translation>unlocked</translation>
    </message>
    <message>
        <source>état inconnu</source>
        <translation>state unknown</translation>
    </message>
    <message>
        <source>Service des cartes à puce (pcscd) : %1</source>
        <translation>Smart card service (pcscd): %1</translation>
    </message>
    <message>
        <source>répond</source>
        <translation>answers</translation>
    </message>
    <message>
        <source>NE RÉPOND PAS</source>
        <translation>NOT ANSWERING</translation>
    </message>
    <message>
        <source>Lecteurs et cartes :</source>
        <translation>Readers and cards:</translation>
    </message>
    <message>
        <source>  aucune carte</source>
        <translation>  no card</translation>
    </message>
    <message>
        <source>, carte n° %1</source>
        <translation>, card no. %1</translation>
    </message>
    <message>
        <source>, illisible : %1</source>
        <translation>, unreadable: %1</translation>
    </message>
    <message>
        <source>  carte de la session : n° %1 %2</source>
        <translation>  session card: no. %1 %2</translation>
    </message>
    <message>
        <source>Module PKCS#11 : %1</source>
        <translation>PKCS#11 module: %1</translation>
    </message>
    <message>
        <source>Politique : %1 (%2)</source>
        <translation>Policy: %1 (%2)</translation>
    </message>
    <message>
        <source>REFUSÉE, valeurs par défaut en vigueur</source>
        <translation>REFUSED, built-in defaults in force</translation>
    </message>
    <message>
        <source>appliquée</source>
        <translation>applied</translation>
    </message>
    <message>
        <source>Liste de révocation (CRL) : mise à jour il y a %1%2</source>
        <translation>Revocation list (CRL): updated %1 ago%2</translation>
    </message>
    <message>
        <source> — TROP ANCIENNE</source>
        <translation> — TOO OLD</translation>
    </message>
    <message>
        <source>Liste de révocation (CRL) : aucune dans %1</source>
        <translation>Revocation list (CRL): none in %1</translation>
    </message>
    <message>
        <source>Verrouillage : %1</source>
        <translation>Lock backend: %1</translation>
    </message>
    <message>
        <source>AUCUN moyen de verrouiller la session</source>
        <translation>NO way to lock the session</translation>
    </message>
    <message>
        <source>Détection d'inactivité : %1</source>
        <translation>Idle detection: %1</translation>
    </message>
    <message>
        <source>Journal d'audit : %1</source>
        <translation>Audit log: %1</translation>
    </message>
    <message>
        <source>Dossier des déclarations de perte : %1</source>
        <translation>Loss reports folder: %1</translation>
    </message>
    <message>
        <source>Derniers événements :</source>
        <translation>Last events:</translation>
    </message>
    <message>
        <source>  aucun</source>
        <translation>  none</translation>
    </message>
    <message>
        <source>cpslock : état et diagnostic</source>
        <translation>cpslock: status and diagnostics</translation>
    </message>
    <message>
        <source>Copier</source>
        <translation>Copy</translation>
    </message>
    <message>
        <source>Fermer</source>
        <translation>Close</translation>
    </message>
</context>
<context>
    <name>cpslock::agent::LostCardConfirmDialog</name>
    <message>
        <source>Carte CPS perdue ou volée</source>
        <translation>Lost or stolen CPS card</translation>
    </message>
    <message>
        <source>Aucune carte n'est associée à cette session : le numéro de carte n'est pas connu.</source>
        <translation>No card is bound to this session: the card number is not known.</translation>
    </message>
    <message>
        <source>Carte n° %1</source>
        <translation>Card no. %1</translation>
    </message>
    <message>
        <source>Carte n° %1 de %2</source>
        <translation>Card no. %1 of %2</translation>
    </message>
    <message>
        <source>Signaler la perte ou le vol de votre carte CPS ?</source>
        <translation>Report your CPS card lost or stolen?</translation>
    </message>
    <message>
        <source>La session sera verrouillée immédiatement et cette carte ne pourra plus ouvrir ce poste. Vous devrez aussi faire opposer la carte (les numéros à appeler s'affichent ensuite).</source>
        <translation>The session will be locked at once and this card will no longer open this PC. You must also have the card opposed (the numbers to call are shown next).</translation>
    </message>
    <message>
        <source>Signaler et verrouiller</source>
        <translation>Report and lock</translation>
    </message>
    <message>
        <source>Annuler</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>cpslock::agent::LostCardResultDialog</name>
    <message>
        <source>Carte CPS perdue ou volée : que faire maintenant</source>
        <translation>Lost or stolen CPS card: what to do now</translation>
    </message>
    <message>
        <source>✔ La session a été verrouillée.</source>
        <translation>✔ The session was locked.</translation>
    </message>
    <message>
        <source>✘ La session n'a pas pu être verrouillée.</source>
        <translation>✘ The session could not be locked.</translation>
    </message>
    <message>
        <source>✔ Cette carte ne peut plus ouvrir ce poste.</source>
        <translation>✔ This card can no longer open this PC.</translation>
    </message>
    <message>
        <source>✘ La carte n'a PAS pu être bloquée sur ce poste. Appelez sans attendre les numéros ci-dessous pour la faire opposer.</source>
        <translation>✘ The card could NOT be blocked on this PC. Call the numbers below at once to have it opposed.</translation>
    </message>
    <message>
        <source>✔ L'événement a été enregistré dans le journal.</source>
        <translation>✔ The event was recorded in the audit log.</translation>
    </message>
    <message>
        <source>Numéro de carte :</source>
        <translation>Card number:</translation>
    </message>
    <message>
        <source>Copier</source>
        <translation>Copy</translation>
    </message>
    <message>
        <source>Titulaire :</source>
        <translation>Holder:</translation>
    </message>
    <message>
        <source>Faites opposer la carte sans attendre :</source>
        <translation>Have the card opposed at once:</translation>
    </message>
    <message>
        <source>• Téléphone : %1 (ayez le code de déblocage de la carte à portée de main)</source>
        <translation>• Phone: %1 (have the card's unblocking code at hand)</translation>
    </message>
    <message>
        <source>• Assistance en ligne : %1</source>
        <translation>• Online help: %1</translation>
    </message>
    <message>
        <source>Fermer</source>
        <translation>Close</translation>
    </message>
</context>
<context>
    <name>cpslock::agent::TrayController</name>
    <message>
        <source>Verrouiller maintenant</source>
        <translation>Lock now</translation>
    </message>
    <message>
        <source>Signaler la perte ou le vol de ma carte…</source>
        <translation>Report my card lost or stolen…</translation>
    </message>
    <message>
        <source>État et diagnostic…</source>
        <translation>Status and diagnostics…</translation>
    </message>
    <message>
        <source>À propos</source>
        <translation>About</translation>
    </message>
    <message>
        <source>carte insérée dans %1 (%2)</source>
        <translation>card inserted in %1 (%2)</translation>
    </message>
    <message>
        <source>carte retirée de %1</source>
        <translation>card removed from %1</translation>
    </message>
    <message>
        <source>session verrouillée</source>
        <translation>session locked</translation>
    </message>
    <message>
        <source>session ouverte</source>
        <translation>session unlocked</translation>
    </message>
    <message>
        <source>service des cartes à puce rétabli</source>
        <translation>smart card service restored</translation>
    </message>
    <message>
        <source>service des cartes à puce perdu</source>
        <translation>smart card service lost</translation>
    </message>
    <message>
        <source>Session verrouillée</source>
        <translation>Session locked</translation>
    </message>
    <message>
        <source>Verrouillage pour inactivité</source>
        <translation>Idle lock</translation>
    </message>
    <message>
        <source>La session sera verrouillée dans %1 s. Bougez la souris ou appuyez sur une touche pour continuer.</source>
        <translation>The session locks in %1 s. Move the mouse or press a key to keep working.</translation>
    </message>
    <message>
        <source>Carte CPS bientôt expirée</source>
        <translation>CPS card expiring soon</translation>
    </message>
    <message numerus="yes">
        <source>Le certificat de votre carte CPS expire dans %n jour(s) : commandez une nouvelle carte sur le portail maCarte.</source>
        <translation><numerusform>The certificate of your CPS card expires in %n day: order a new card on the maCarte portal.</numerusform><numerusform>The certificate of your CPS card expires in %n days: order a new card on the maCarte portal.</numerusform></translation>
    </message>
    <message>
        <source>Erreur : aucun moyen de verrouiller la session</source>
        <translation>Error: no way to lock the session</translation>
    </message>
    <message>
        <source>Erreur : le service des cartes à puce (pcscd) ne répond pas</source>
        <translation>Error: the smart card service (pcscd) is not answering</translation>
    </message>
    <message>
        <source>Verrouillage pour inactivité dans %1 s</source>
        <translation>Idle lock in %1 s</translation>
    </message>
    <message>
        <source>Attention : la politique a été refusée (valeurs par défaut en vigueur)</source>
        <translation>Warning: the policy was refused (built-in defaults in force)</translation>
    </message>
    <message>
        <source>Attention : la liste de révocation (CRL) n'est pas à jour</source>
        <translation>Warning: the revocation list (CRL) is out of date</translation>
    </message>
    <message>
        <source>Carte CPS : %1</source>
        <translation>CPS card: %1</translation>
    </message>
    <message>
        <source>Carte CPS n° %1</source>
        <translation>CPS card no. %1</translation>
    </message>
    <message>
        <source>Lecteur : %1</source>
        <translation>Reader: %1</translation>
    </message>
    <message>
        <source>Attention : %1</source>
        <translation>Warning: %1</translation>
    </message>
    <message numerus="yes">
        <source>Attention : le certificat expire dans %n jour(s)</source>
        <translation><numerusform>Warning: the certificate expires in %n day</numerusform><numerusform>Warning: the certificate expires in %n days</numerusform></translation>
    </message>
    <message>
        <source>Session exemptée (%1) : pas de verrouillage automatique</source>
        <translation>Exempt session (%1): no automatic lock</translation>
    </message>
    <message>
        <source>Aucune carte CPS</source>
        <translation>No CPS card</translation>
    </message>
    <message>
        <source>verrouillage demandé depuis le menu</source>
        <translation>lock requested from the menu</translation>
    </message>
    <message>
        <source>carte n° %1 déclarée perdue, bloquée sur ce poste</source>
        <translation>card no. %1 reported lost, blocked on this PC</translation>
    </message>
    <message>
        <source>carte n° %1 déclarée perdue, NON bloquée : %2</source>
        <translation>card no. %1 reported lost, NOT blocked: %2</translation>
    </message>
    <message>
        <source>À propos de cpslock</source>
        <translation>About cpslock</translation>
    </message>
    <message>
        <source>cpslock %1

Verrouille la session quand la carte CPS quitte le lecteur, après une inactivité, ou sur demande.
Les cartes, le verrouillage et la politique du poste : menu « État et diagnostic… ».</source>
        <translation>cpslock %1

Locks the session when the CPS card leaves the reader, after inactivity, or on request.
Cards, lock backend and this PC's policy: menu "Status and diagnostics…".</translation>
    </message>
</context>
</TS>