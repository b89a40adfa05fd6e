## Signing in and out: the sign-in page, the header's sign-out links, a page whose session is over.

auth-sign-in = Se connecter
auth-sign-in-with = Se connecter avec { $provider }
auth-unlocked = Ce navigateur peut maintenant se connecter en votre nom : entrez votre mot de passe, puis votre deuxième facteur.
auth-sign-in-name = Nom d’utilisateur
auth-password = Mot de passe
auth-use-recovery-code = Utiliser un code de récupération
auth-where-signed-in = Vos sessions ouvertes
auth-sign-in-security = Sécurité de la connexion
auth-sign-out = Se déconnecter
auth-sign-out-everywhere = Se déconnecter partout
auth-back-to-applications = Retour à vos applications
auth-all-applications = Toutes les applications
auth-loading = Chargement…

## "Where you're signed in": the user's sessions.

auth-sessions-title = Vos sessions ouvertes · UPS Customer Solutions
auth-session-ended = Cette session a été fermée.
auth-sessions-not-you = Ce n’est pas vous? Fermez ici la session de ce navigateur, ou déconnectez-vous partout en haut de la page, puis changez votre mot de passe.
auth-sessions-region = Vos sessions (défilement horizontal)
auth-sessions-caption = Navigateurs connectés en votre nom, du plus récemment utilisé au plus ancien
auth-sessions-browser = Navigateur
auth-sessions-address = Adresse
auth-sessions-signed-in = Connexion
auth-sessions-last-active = Dernière activité
auth-sessions-sign-out = Fermer la session
auth-sessions-sign-out-label = Fermer la session de { $browser } ({ $address })
auth-sessions-this-browser = Ce navigateur

## Second factors: the sign-in's second step, the unlock page, "Sign-in security", and the words the script shows.

auth-factors-need-script = Les clés d’accès et l’ajout d’une application d’authentification nécessitent JavaScript; un code fonctionne sans.
auth-passkey-name = Nommez cette clé d’accès
auth-passkey-name-placeholder = Portable du travail
auth-add-passkey = Ajouter une clé d’accès
auth-add-totp = Ajouter une application d’authentification
auth-totp-instructions = Dans votre application d’authentification, ajoutez un compte avec cette clé (ou ouvrez le lien sur cet appareil), puis entrez le code à six chiffres qu’elle affiche.
auth-totp-open = Ouvrir dans une application d’authentification
auth-totp-first-code = Code de l’application
auth-confirm = Confirmer
auth-recovery-heading = Vos codes de récupération
auth-recovery-explained = Chaque code vous permet de vous connecter une fois si vous perdez votre clé d’accès ou votre téléphone. Conservez-les en lieu sûr : ils ne sont affichés que maintenant.
auth-continue = Continuer
auth-second-step-title = Confirmez votre identité · UPS Customer Solutions
auth-second-step-heading = Confirmez votre identité
auth-second-step-explained = { $name }, votre mot de passe est exact. Utilisez maintenant votre deuxième facteur.
auth-sign-in-again = Se connecter de nouveau
auth-enrol-heading = Ajouter un deuxième facteur
auth-enrol-explained = { $name }, ce service exige de chaque administrateur un deuxième facteur en plus du mot de passe. Ajoutez-en un pour terminer la connexion.
auth-use-passkey = Utiliser votre clé d’accès
auth-code-totp-or-recovery = Code de votre application d’authentification, ou code de récupération
auth-recovery-code = Un code de récupération
auth-verify = Vérifier
auth-unlock-title = Confirmer avec un code de récupération · UPS Customer Solutions
auth-unlock-heading = Confirmer avec un code de récupération
auth-unlock-explained = De nombreuses connexions à votre nom ont échoué récemment depuis ailleurs; un navigateur qui ne s’est jamais connecté en votre nom doit donc d’abord fournir l’un de vos codes de récupération. Ce code ne pourra ensuite plus servir. Connectez-vous alors comme d’habitude avec votre mot de passe et votre deuxième facteur.
auth-back-to-sign-in = Retour à la connexion
auth-factors-title = Sécurité de la connexion · UPS Customer Solutions
auth-factor-removed = Ce deuxième facteur a été retiré.
auth-factors-none = Vous vous connectez avec votre mot de passe seulement. Ajoutez un deuxième facteur pour qu’un mot de passe divulgué ne donne accès à rien.
auth-factors-required = Vous vous connectez avec votre mot de passe et l’un de ces facteurs. Ce service exige un deuxième facteur.
auth-factors-some = Vous vous connectez avec votre mot de passe et l’un de ces facteurs.
auth-recovery-codes = Codes de récupération
auth-recovery-left =
    { $count ->
        [one] Il vous reste { $count } code de récupération inutilisé.
       *[other] Il vous reste { $count } codes de récupération inutilisés.
    }
auth-recovery-new = Obtenir de nouveaux codes de récupération
auth-factors-region = Vos deuxièmes facteurs (défilement horizontal)
auth-factors-caption = Vos deuxièmes facteurs
auth-factors-name = Nom
auth-factors-kind = Type
auth-factors-added = Ajouté
auth-factors-last-used = Dernière utilisation
auth-factors-remove = Retirer
auth-factors-remove-label = Retirer { $label }
auth-factors-never = Jamais
auth-script-failed = Une erreur s’est produite. Veuillez réessayer.
auth-script-cancelled = La demande de clé d’accès a été annulée. Réessayez, ou utilisez un code.

## Single sign-on's refusal page.

auth-sso-not-completed = Connexion non terminée
auth-sso-back = Retour à la connexion
auth-sso-no-such = Cette connexion n’existe pas.
auth-sso-state-unknown = Cette connexion a expiré ou a déjà été utilisée; recommencez.
auth-sso-unknown-user = { $provider } vous a authentifié, mais aucun administrateur d’ici n’est lié à ce compte. Demandez à un administrateur du service OAuth Opt-In de vous ajouter, puis connectez-vous de nouveau.
auth-sso-second-factor-account = { $provider } vous a authentifié, mais l’administrateur d’ici qui a cette adresse courriel se connecte avec un mot de passe et un deuxième facteur. Connectez-vous plutôt avec votre mot de passe et votre deuxième facteur.
auth-sso-provider-failed = La connexion par votre fournisseur d’identité n’a pas fonctionné. Réessayez.
auth-sso-internal = Une erreur s’est produite de notre côté. Réessayez.
auth-sso-provider-refused = Le fournisseur d’identité ne vous a pas connecté. Réessayez, ou adressez-vous à votre administrateur.
