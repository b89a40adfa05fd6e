## Words every page may show: the site's title, the FAQ, the opt-in warning, dialogs.

page-not-found = Page introuvable
page-not-found-home = Accueil

## Statuses, token states, Activity entries, second factors.

status-not-authorized = Non autorisé
status-authorized = Autorisé
status-reauthorization-required = Nouvelle autorisation requise
token-status-active = Actif
token-status-expired = Expiré
token-status-refreshed = Renouvelé
token-status-replaced = Remplacé
token-status-cleared = Effacé
audit-signed-in = Connexion
audit-opt-in-started = Adhésion commencée
audit-authorized = Autorisé
audit-consent-denied = Consentement refusé sur UPS.com
audit-opted-out = Retrait de l’adhésion
audit-cleared = Autorisation effacée
audit-refreshed = Jeton renouvelé
audit-refresh-failed = Échec du renouvellement, nouvel essai prévu
audit-reauthorization-required = Nouvelle autorisation requise
audit-webhook-delivered = Webhook livré
audit-webhook-failed = Échec de livraison du webhook
audit-email-sent = Courriel envoyé
audit-email-failed = Échec du courriel
audit-expiring = L’autorisation UPS prend bientôt fin
audit-checked = Autorisation vérifiée auprès d’UPS
audit-consent-link-sent = Lien de consentement envoyé
audit-consent-link-opened = Lien de consentement ouvert
audit-consent-link-revoked = Lien de consentement révoqué
factor-passkey = Clé d’accès
factor-totp = Application d’authentification

## Each product's walk-through wording (the seeds').

reverse-logistics-opt-in = Adhérer
reverse-logistics-revoke-label = Se retirer
reverse-logistics-confirm-title = Vous retirer d’UPS OAuth?
reverse-logistics-confirm-label = Se retirer
pickup-manager-opt-in = API
pickup-manager-revoke-label = Se retirer
pickup-manager-confirm-title = Retirer l’accès à l’API UPS?
pickup-manager-confirm-label = OK
pickup-manager-explanation-title = API UPS
pickup-manager-explanation-body = Intelligent Pickup Manager planifie et suit les cueillettes au moyen des API UPS. Pour l’autoriser, continuez avec OAuth et connectez-vous à UPS.com avec l’identifiant UPS.com auquel les numéros d’expéditeur de votre entreprise sont liés.
pickup-manager-explanation-proceed = OAuth
data-management-opt-in = Autoriser
data-management-revoke-label = Effacer
data-management-confirm-title = Effacer l’autorisation?
data-management-confirm-label = Effacer

## The dialog, the opt-in warning and the FAQ (the seeds' wording).

dialog-cancel = Annuler
opt-in-warning-label = Avertissement :
opt-in-warning = Avec la méthode d’adhésion (Opt-In), changer le mot de passe de l’utilisateur UPS.com qui a adhéré annule toute adhésion précédente. Les administrateurs de l’entreprise devront donc adhérer de nouveau chaque fois que le mot de passe est changé.
faq-heading = Processus d’adhésion OAuth : FAQ
faq-what-is-oauth = Qu’est-ce qu’OAuth 2.0?
faq-what-is-oauth-answer = OAuth 2.0 est un protocole moderne de sécurité des API qui utilise un cadre de jetons temporaires pour autoriser les transactions d’API.
faq-why-oauth = Pourquoi UPS a-t-elle adopté la norme OAuth?
faq-why-oauth-answer = OAuth 2.0 permet aux clients d’UPS d’autoriser en toute sécurité des applications à effectuer des transactions en leur nom sans partager leurs identifiants.
faq-many-shipper-accounts = Que faire si j’ai beaucoup de comptes d’expéditeur?
faq-many-shipper-accounts-answer = Pour autoriser des transactions d’API sur un numéro d’expéditeur UPS, ce numéro doit être lié à l’identifiant UPS.com utilisé pour autoriser l’application. Si un numéro d’expéditeur UPS n’est pas lié à l’identifiant UPS.com utilisé pour autoriser l’application, les utilisateurs ne pourront pas utiliser ce numéro d’expéditeur. Les numéros d’expéditeur peuvent être liés à un identifiant UPS.com sur UPS.com.

## The authorization card (admin pages and widget).

authorization-not-authorized = { $product } n’est pas autorisé pour { $company }.
authorization-authorized-by = Autorisé par { $by } le { $time }.
authorization-authorized = Autorisé le { $time }.
authorization-reauthorization-since = Nouvelle autorisation requise depuis le { $time } : { $reason }
authorization-reauthorize = Autoriser de nouveau
authorization-view-only = Vous pouvez consulter l’autorisation de { $company }; seuls ses administrateurs peuvent la modifier.
authorization-confirm-revoke = { $product } cessera immédiatement d’agir pour { $company } au moyen des API UPS, et ses jetons enregistrés seront supprimés. Vous pourrez l’autoriser de nouveau en tout temps.
authorization-application-not-answering = UPS ne répond plus à cette application depuis le { $time }. Les jetons encore valides sont utilisés; les exploitants du service ont été avisés, et les renouvellements reprendront d’eux-mêmes.
authorization-tip-label = Conseil :
authorization-tip = Si vous avez besoin d’aide, communiquez avec votre directeur de comptes.
