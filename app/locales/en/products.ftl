## The home page: the applications a signed-in admin can opt in to.

products-home-title = UPS Customer Solutions · OAuth Opt-In
products-home-heading = Authorize your applications
products-home-intro = Each application acts for your company through UPS APIs once a company admin opts in through UPS.com.

## What every product page shares: loading, the identification, the check, the company picker.

products-loading = Loading…
products-signed-in = Signed in
products-check-now = Check now
products-check-now-hint = {" "}Ask UPS to refresh this authorization now, to see how it answers.
products-company = Company
products-show = Show
products-no-company = Your sign-in does not administer any company yet. Ask your Account Executive to register one.

## UPS® Intelligent Reverse Logistics.

products-reverse-logistics-title = Administration · UPS® Intelligent Reverse Logistics
products-reverse-logistics-heading = Administration

## UPS® Intelligent Pickup Manager: its portal's navigation, the overview and Settings.

products-pickup-overview-title = Overview · UPS® Intelligent Pickup Manager
products-pickup-overview = Overview
products-pickup-api-heading = UPS API authorization
products-pickup-overview-hint = Open Manage ▸ Settings to authorize a company's UPS API access.
products-pickup-settings-title = Settings · UPS® Intelligent Pickup Manager
products-pickup-settings = Settings
products-pickup-companies = Companies
products-pickup-elsewhere = Part of the Intelligent Pickup Manager portal
products-pickup-create = Create Pickup
products-pickup-locations = Pickup Locations
products-pickup-batch = Batch Pickups
products-pickup-manage = Manage

## UPS® Intelligent Data Management: the left menu, the home page and Admin ▸ Token Manager.

products-data-nav-home = Home
products-data-nav-admin = Admin
products-data-access-heading = UPS data access
products-data-home-hint = Choose Admin to authorize a company and manage its tokens.
products-token-manager-title = Token Manager · UPS® Intelligent Data Management
products-token-manager = Token Manager

## The Activity log.

products-activity = Activity
products-activity-region = Activity (scrolls sideways)
products-activity-caption = What happened to this company's UPS authorizations, newest first
products-activity-when = When
products-activity-application = Application
products-activity-what = What
products-activity-who = Who
products-activity-details = Details
products-activity-service = OAuth Opt-In service

## The Token Manager grid (also in the widget).

products-tokens-heading = Access tokens
products-tokens-loading = Loading tokens…
products-tokens-empty = No access token has been generated for this company yet.
products-tokens-region = Access tokens (scrolls sideways)
products-tokens-caption = Most recently created access tokens, newest first
products-tokens-created = Created
products-tokens-expires = Expires
products-tokens-status = Status
products-tokens-fingerprint = Fingerprint
products-tokens-pages = Token pages
products-tokens-newer = Newer
products-tokens-older = Older
products-tokens-pager = Page { $page } of { $pages } ({ $total } tokens)
