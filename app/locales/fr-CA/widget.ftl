## The embedded widget.

embed-signed-in-as = Connecté à votre portail en tant que { $user }.
embed-loading = Chargement…
embed-waiting = Terminez la connexion à UPS.com dans la fenêtre qui s’est ouverte. Cette page se met à jour lorsque vous avez terminé.
embed-blocked = Votre navigateur a bloqué la fenêtre de connexion UPS.com. Autorisez les fenêtres contextuelles pour ce site et réessayez, ou continuez dans cette fenêtre; vous reviendrez ici lorsque vous aurez terminé.
embed-continue-here = Continuer dans cette fenêtre
embed-unreachable = Le widget n’a pas pu joindre UPS OAuth. Vérifiez votre connexion et réessayez.
