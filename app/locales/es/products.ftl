## The home page: the applications a signed-in admin can opt in to.

products-home-title = UPS Customer Solutions · Adhesión OAuth
products-home-heading = Autorice sus aplicaciones
products-home-intro = Cada aplicación actúa en nombre de su empresa mediante las API de UPS una vez que un administrador de la empresa se adhiere en UPS.com.

## What every product page shares: loading, the identification, the check, the company picker.

products-loading = Cargando…
products-signed-in = Sesión iniciada
products-check-now = Verificar ahora
products-check-now-hint = {" "}Pida a UPS que renueve esta autorización ahora, para ver cómo responde.
products-company = Empresa
products-show = Mostrar
products-no-company = Su cuenta todavía no administra ninguna empresa. Pida a su ejecutivo de cuenta que registre una.

## UPS® Intelligent Reverse Logistics.

products-reverse-logistics-title = Administración · UPS® Intelligent Reverse Logistics
products-reverse-logistics-heading = Administración

## UPS® Intelligent Pickup Manager: its portal's navigation, the overview and Settings.

products-pickup-overview-title = Resumen · UPS® Intelligent Pickup Manager
products-pickup-overview = Resumen
products-pickup-api-heading = Autorización de las API de UPS
products-pickup-overview-hint = Abra Administrar ▸ Configuración para autorizar el acceso de una empresa a las API de UPS.
products-pickup-settings-title = Configuración · UPS® Intelligent Pickup Manager
products-pickup-settings = Configuración
products-pickup-companies = Empresas
products-pickup-elsewhere = Parte del portal Intelligent Pickup Manager
products-pickup-create = Crear recolección
products-pickup-locations = Ubicaciones de recolección
products-pickup-batch = Recolecciones por lote
products-pickup-manage = Administrar

## UPS® Intelligent Data Management: the left menu, the home page and Admin ▸ Token Manager.

products-data-nav-home = Inicio
products-data-nav-admin = Administración
products-data-access-heading = Acceso a los datos de UPS
products-data-home-hint = Elija Administración para autorizar una empresa y administrar sus tokens.
products-token-manager-title = Administrador de tokens · UPS® Intelligent Data Management
products-token-manager = Administrador de tokens

## The Activity log.

products-activity = Actividad
products-activity-region = Actividad (se desplaza horizontalmente)
products-activity-caption = Lo que ocurrió con las autorizaciones de UPS de esta empresa, de lo más reciente a lo más antiguo
products-activity-when = Cuándo
products-activity-application = Aplicación
products-activity-what = Qué
products-activity-who = Quién
products-activity-details = Detalles
products-activity-service = Servicio de adhesión OAuth

## The Token Manager grid (also in the widget).

products-tokens-heading = Tokens de acceso
products-tokens-loading = Cargando tokens…
products-tokens-empty = Todavía no se ha generado ningún token de acceso para esta empresa.
products-tokens-region = Tokens de acceso (se desplaza horizontalmente)
products-tokens-caption = Tokens de acceso creados más recientemente, del más reciente al más antiguo
products-tokens-created = Creado
products-tokens-expires = Vence
products-tokens-status = Estado
products-tokens-fingerprint = Huella digital
products-tokens-pages = Páginas de tokens
products-tokens-newer = Más recientes
products-tokens-older = Más antiguos
products-tokens-pager = Página { $page } de { $pages } ({ $total } tokens)
