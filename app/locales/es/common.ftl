## Words every page may show: the site's title, the FAQ, the opt-in warning, dialogs.

page-not-found = Página no encontrada
page-not-found-home = Inicio

## Statuses, token states, Activity entries, second factors.

status-not-authorized = No autorizado
status-authorized = Autorizado
status-reauthorization-required = Se requiere una nueva autorización
token-status-active = Activo
token-status-expired = Vencido
token-status-refreshed = Renovado
token-status-replaced = Reemplazado
token-status-cleared = Borrado
audit-signed-in = Inicio de sesión
audit-opt-in-started = Adhesión iniciada
audit-authorized = Autorizado
audit-consent-denied = Consentimiento denegado en UPS.com
audit-opted-out = Adhesión retirada
audit-cleared = Autorización borrada
audit-refreshed = Token renovado
audit-refresh-failed = La renovación falló; se volverá a intentar
audit-reauthorization-required = Se requiere una nueva autorización
audit-webhook-delivered = Webhook entregado
audit-webhook-failed = Falló la entrega del webhook
audit-email-sent = Correo enviado
audit-email-failed = Falló el correo
audit-expiring = La autorización de UPS termina pronto
audit-checked = Autorización verificada con UPS
audit-consent-link-sent = Enlace de consentimiento enviado
audit-consent-link-opened = Enlace de consentimiento abierto
audit-consent-link-revoked = Enlace de consentimiento revocado
factor-passkey = Llave de acceso
factor-totp = Aplicación de autenticación

## Each product's walk-through wording (the seeds').

reverse-logistics-opt-in = Adherirse
reverse-logistics-revoke-label = Retirarse
reverse-logistics-confirm-title = ¿Retirarse de UPS OAuth?
reverse-logistics-confirm-label = Retirarse
pickup-manager-opt-in = API
pickup-manager-revoke-label = Retirarse
pickup-manager-confirm-title = ¿Retirar el acceso a la API de UPS?
pickup-manager-confirm-label = Aceptar
pickup-manager-explanation-title = API de UPS
pickup-manager-explanation-body = Intelligent Pickup Manager programa y rastrea recolecciones mediante las API de UPS. Para permitirlo, continúe con OAuth e inicie sesión en UPS.com con el ID de UPS.com al que están vinculados los números de expedidor de su empresa.
pickup-manager-explanation-proceed = OAuth
data-management-opt-in = Autorizar
data-management-revoke-label = Borrar
data-management-confirm-title = ¿Borrar la autorización?
data-management-confirm-label = Borrar

## The dialog, the opt-in warning and the FAQ (the seeds' wording).

dialog-cancel = Cancelar
opt-in-warning-label = Advertencia:
opt-in-warning = Con el método de adhesión (Opt-In), cambiar la contraseña del usuario de UPS.com que se adhirió invalida cualquier adhesión anterior. Por lo tanto, los administradores de la empresa deberán adherirse de nuevo cada vez que se cambie la contraseña.
faq-heading = Proceso de adhesión OAuth: preguntas frecuentes
faq-what-is-oauth = ¿Qué es OAuth 2.0?
faq-what-is-oauth-answer = OAuth 2.0 es un protocolo moderno de seguridad de API que usa un esquema de tokens temporales para autorizar transacciones de API.
faq-why-oauth = ¿Por qué UPS adoptó el estándar OAuth?
faq-why-oauth-answer = OAuth 2.0 permite a los clientes de UPS autorizar de forma segura a las aplicaciones para realizar transacciones en su nombre sin compartir credenciales.
faq-many-shipper-accounts = ¿Qué pasa si tengo muchas cuentas de expedidor?
faq-many-shipper-accounts-answer = Para autorizar transacciones de API con un número de expedidor de UPS, ese número debe estar vinculado al ID de UPS.com que se usa para autorizar la aplicación. Si un número de expedidor de UPS no está vinculado al ID de UPS.com usado para autorizar la aplicación, los usuarios no podrán usar ese número de expedidor. Los números de expedidor se pueden vincular a un ID de UPS.com en UPS.com.

## The authorization card (admin pages and widget).

authorization-not-authorized = { $product } no está autorizado para { $company }.
authorization-authorized-by = Autorizado por { $by } el { $time }.
authorization-authorized = Autorizado el { $time }.
authorization-reauthorization-since = Se requiere una nueva autorización desde el { $time }: { $reason }
authorization-reauthorize = Volver a autorizar
authorization-view-only = Puede ver la autorización de { $company }; solo sus administradores pueden cambiarla.
authorization-confirm-revoke = { $product } dejará de actuar de inmediato para { $company } mediante las API de UPS, y se eliminarán sus tokens guardados. Puede volver a autorizarlo en cualquier momento.
authorization-application-not-answering = UPS no responde a esta aplicación desde el { $time }. Se siguen usando los tokens aún válidos; se avisó a los operadores del servicio, y las renovaciones se reanudarán solas.
authorization-tip-label = Consejo:
authorization-tip = Si necesita ayuda, comuníquese con su ejecutivo de cuenta.
