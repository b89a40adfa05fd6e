## The home page: the applications a signed-in admin can opt in to.

products-home-title = UPS Customer Solutions · Adhésion OAuth
products-home-heading = Autorisez vos applications
products-home-intro = Chaque application agit pour votre entreprise au moyen des API d’UPS dès qu’un administrateur de l’entreprise y adhère sur UPS.com.

## What every product page shares: loading, the identification, the check, the company picker.

products-loading = Chargement…
products-signed-in = Session ouverte
products-check-now = Vérifier maintenant
products-check-now-hint = {" "}Demandez à UPS d’actualiser cette autorisation maintenant, pour voir sa réponse.
products-company = Entreprise
products-show = Afficher
products-no-company = Votre compte n’administre encore aucune entreprise. Demandez à votre directeur de comptes d’en inscrire une.

## UPS® Intelligent Reverse Logistics.

products-reverse-logistics-title = Administration · UPS® Intelligent Reverse Logistics
products-reverse-logistics-heading = Administration

## UPS® Intelligent Pickup Manager: its portal's navigation, the overview and Settings.

products-pickup-overview-title = Aperçu · UPS® Intelligent Pickup Manager
products-pickup-overview = Aperçu
products-pickup-api-heading = Autorisation des API d’UPS
products-pickup-overview-hint = Ouvrez Gérer ▸ Paramètres pour autoriser l’accès d’une entreprise aux API d’UPS.
products-pickup-settings-title = Paramètres · UPS® Intelligent Pickup Manager
products-pickup-settings = Paramètres
products-pickup-companies = Entreprises
products-pickup-elsewhere = Fait partie du portail Intelligent Pickup Manager
products-pickup-create = Créer une cueillette
products-pickup-locations = Lieux de cueillette
products-pickup-batch = Cueillettes groupées
products-pickup-manage = Gérer

## UPS® Intelligent Data Management: the left menu, the home page and Admin ▸ Token Manager.

products-data-nav-home = Accueil
products-data-nav-admin = Administration
products-data-access-heading = Accès aux données d’UPS
products-data-home-hint = Choisissez Administration pour autoriser une entreprise et gérer ses jetons.
products-token-manager-title = Gestionnaire de jetons · UPS® Intelligent Data Management
products-token-manager = Gestionnaire de jetons

## The Activity log.

products-activity = Activité
products-activity-region = Activité (défile horizontalement)
products-activity-caption = Ce qui est arrivé aux autorisations UPS de cette entreprise, du plus récent au plus ancien
products-activity-when = Quand
products-activity-application = Application
products-activity-what = Quoi
products-activity-who = Qui
products-activity-details = Détails
products-activity-service = Service d’adhésion OAuth

## The Token Manager grid (also in the widget).

products-tokens-heading = Jetons d’accès
products-tokens-loading = Chargement des jetons…
products-tokens-empty = Aucun jeton d’accès n’a encore été généré pour cette entreprise.
products-tokens-region = Jetons d’accès (défile horizontalement)
products-tokens-caption = Derniers jetons d’accès créés, du plus récent au plus ancien
products-tokens-created = Créé
products-tokens-expires = Expire
products-tokens-status = Statut
products-tokens-fingerprint = Empreinte
products-tokens-pages = Pages de jetons
products-tokens-newer = Plus récents
products-tokens-older = Plus anciens
products-tokens-pager = Page { $page } de { $pages } ({ $total } jetons)
