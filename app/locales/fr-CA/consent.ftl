## Consent links: the card on the product pages that makes them and lists those waiting.

consent-links-heading = Demander à quelqu’un d’autre d’autoriser
consent-links-hint = Si l’utilisateur UPS.com qui détient les comptes d’expéditeur de { $company } n’est pas vous, envoyez-lui un lien de consentement. Cette personne n’a pas besoin de compte ici. Le lien fonctionne une seule fois, pour { $product } et { $company } seulement.
consent-links-recipient = Adresse courriel de cette personne
consent-links-message = Un message pour cette personne (facultatif)
consent-links-create = Créer le lien de consentement
consent-links-loading = Chargement…
consent-links-none = Aucun lien de consentement n’est en attente.
consent-links-table = Liens de consentement en attente (défilement horizontal)
consent-links-caption = Liens de consentement en attente de leur destinataire
consent-links-sent-to = Envoyé à
consent-links-by = Par
consent-links-works-until = Valide jusqu’au
consent-links-opened = Ouvert
consent-links-action = Action
consent-links-opened-from = depuis { $address }
consent-links-not-opened = Pas encore
consent-links-revoke = Révoquer
consent-links-revoke-label = Révoquer le lien envoyé à { $recipient }

## A link's own page, for whoever holds it. Messages with <strong> or <time> keep that markup.

consent-link-title = Autoriser { $product } pour { $company }
consent-link-request = <strong>{ $sender }</strong> vous demande d’autoriser { $product } à agir au nom de <strong>{ $company }</strong> au moyen des API UPS.
consent-link-their-message = Son message :
consent-link-instructions = Sur UPS.com, connectez-vous avec l’utilisateur UPS.com qui détient les comptes d’expéditeur de { $company }, puis autorisez l’accès. Vous n’avez pas besoin de compte ici.
consent-link-continue = Continuer vers UPS.com
consent-link-works-until = Ce lien fonctionne une seule fois, jusqu’au { $until }.
consent-link-unknown-product = Produit inconnu.

## Why a link does not open.

consent-refused-invalid-title = Ce lien de consentement n’est pas valide
consent-refused-invalid = Vérifiez que le lien a été copié en entier. Rien n’a été modifié. S’il ne s’ouvre toujours pas, demandez-en un nouveau à la personne qui vous l’a envoyé.
consent-refused-used-title = Ce lien de consentement a déjà été utilisé
consent-refused-used = Un lien ne fonctionne qu’une seule fois, et celui-ci a déjà servi. Rien n’a été modifié. Si vous devez consentir de nouveau, demandez-en un nouveau à la personne qui vous l’a envoyé.
consent-refused-revoked-title = Ce lien de consentement a été révoqué
consent-refused-revoked = La personne qui l’a envoyé l’a retiré. Rien n’a été modifié. Demandez-lui-en un nouveau si vous devez toujours consentir.
consent-refused-expired-title = Ce lien de consentement est expiré
consent-refused-expired = Les liens fonctionnent pendant une durée limitée, et celle de ce lien est écoulée. Rien n’a été modifié. Demandez-en un nouveau à la personne qui vous l’a envoyé.
consent-refused-other-browser-title = Ce lien de consentement est utilisé dans un autre navigateur
consent-refused-other-browser = Quelqu’un a déjà poursuivi vers UPS.com avec ce lien à partir d’un autre navigateur; il ne fonctionne donc que là. Rien n’a été modifié. Si ce n’était pas vous, demandez-en un nouveau à la personne qui vous l’a envoyé.
consent-refused-sender-gone-title = Ce lien de consentement ne fonctionne plus
consent-refused-sender-gone = La personne qui l’a envoyé ne peut plus faire de demande au nom de l’entreprise. Rien n’a été modifié. Demandez-en un nouveau à un administrateur de l’entreprise.
consent-failed-title = Un problème est survenu
consent-failed = Le lien n’a pas pu être ouvert pour le moment. Veuillez réessayer dans quelques minutes.

## How a consent ended: on the link holder's screen, and in a widget's consent window.

consent-authorized = Autorisé
consent-not-authorized = Non autorisé
consent-outcome-again = Pour réessayer, ouvrez de nouveau le lien qui vous a été envoyé.
consent-outcome-authorized = { $product } peut maintenant agir au nom de { $company } au moyen des API UPS. Merci; vous pouvez fermer cette fenêtre.
consent-outcome-denied = Le consentement n’a pas été donné sur UPS.com; rien n’a donc changé. { consent-outcome-again }
consent-outcome-expired = Le consentement a pris trop de temps et a expiré. Rien n’a changé. { consent-outcome-again }
consent-outcome-rejected = UPS n’a pas accepté le consentement. Rien n’a changé. { consent-outcome-again }
consent-outcome-unavailable = UPS n’a pas pu être joint. Rien n’a changé. Dans quelques minutes, ouvrez de nouveau le lien qui vous a été envoyé.
consent-outcome-other-browser = Ce consentement a été commencé dans un autre navigateur, ou a déjà reçu une réponse. Rien n’a changé. Ouvrez le lien qui vous a été envoyé dans le navigateur que vous avez utilisé la première fois.
consent-outcome-not-allowed = Ce lien de consentement ne peut plus être utilisé : il a été utilisé ou révoqué, ou la personne qui l’a envoyé ne peut plus faire de demande. Rien n’a changé.
consent-outcome-failed = Le consentement n’a pas pu être complété. Rien n’a changé. { consent-outcome-again }
consent-window-close = Vous pouvez fermer cette fenêtre.
consent-window-unknown-mode = Mode inconnu.

## The page an admin sees after making a link (the link itself is shown only this once).

consent-created-title = Lien de consentement créé
consent-created-emailed = Le lien a été envoyé par courriel à <strong>{ $recipient }</strong>. Il fonctionne une seule fois, jusqu’au { $until }.
consent-created-email-failed = Le courriel à { $recipient } n’a pas pu être envoyé. Envoyez-lui le lien vous-même.
consent-created-handed = Envoyez ce lien à <strong>{ $recipient }</strong>. Il n’est affiché que cette fois-ci et fonctionne une seule fois, jusqu’au { $until }.
consent-created-link = Lien de consentement
consent-created-back = Retour à { $product }
consent-not-created-title = Le lien de consentement n’a pas été créé
