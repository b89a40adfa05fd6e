## Consent links: the card on the product pages that makes them and lists those waiting.

consent-links-heading = Pedirle a otra persona que autorice
consent-links-hint = Si el usuario de UPS.com que tiene las cuentas de expedidor de { $company } no es usted, envíele un enlace de consentimiento. Esa persona no necesita una cuenta aquí. El enlace funciona una sola vez, solo para { $product } y { $company }.
consent-links-recipient = Dirección de correo de esa persona
consent-links-message = Un mensaje para esa persona (opcional)
consent-links-create = Crear enlace de consentimiento
consent-links-loading = Cargando…
consent-links-none = No hay ningún enlace de consentimiento pendiente.
consent-links-table = Enlaces de consentimiento pendientes (se desplaza horizontalmente)
consent-links-caption = Enlaces de consentimiento pendientes para su destinatario
consent-links-sent-to = Enviado a
consent-links-by = Por
consent-links-works-until = Válido hasta
consent-links-opened = Abierto
consent-links-action = Acción
consent-links-opened-from = desde { $address }
consent-links-not-opened = Todavía no
consent-links-revoke = Revocar
consent-links-revoke-label = Revocar el enlace enviado a { $recipient }

## A link's own page, for whoever holds it. Messages with <strong> or <time> keep that markup.

consent-link-title = Autorizar { $product } para { $company }
consent-link-request = <strong>{ $sender }</strong> le pide que autorice a { $product } a actuar en nombre de <strong>{ $company }</strong> mediante las API de UPS.
consent-link-their-message = Mensaje de quien lo envía:
consent-link-instructions = En UPS.com, inicie sesión con el usuario de UPS.com que tiene las cuentas de expedidor de { $company } y permita el acceso. No necesita una cuenta aquí.
consent-link-continue = Continuar a UPS.com
consent-link-works-until = Este enlace funciona una sola vez, hasta el { $until }.
consent-link-unknown-product = Producto desconocido.

## Why a link does not open.

consent-refused-invalid-title = Este enlace de consentimiento no es válido
consent-refused-invalid = Verifique que se haya copiado el enlace completo. No se cambió nada. Si aún no se abre, pídale uno nuevo a quien se lo envió.
consent-refused-used-title = Este enlace de consentimiento ya se usó
consent-refused-used = Un enlace funciona una sola vez, y este ya cumplió su función. No se cambió nada. Si necesita dar su consentimiento de nuevo, pídale uno nuevo a quien se lo envió.
consent-refused-revoked-title = Este enlace de consentimiento fue revocado
consent-refused-revoked = Quien lo envió lo retiró. No se cambió nada. Pídale uno nuevo si todavía necesita dar su consentimiento.
consent-refused-expired-title = Este enlace de consentimiento venció
consent-refused-expired = Los enlaces funcionan por un tiempo limitado, y el plazo de este ya pasó. No se cambió nada. Pídale uno nuevo a quien se lo envió.
consent-refused-other-browser-title = Este enlace de consentimiento está en uso en otro navegador
consent-refused-other-browser = Alguien ya continuó a UPS.com con este enlace desde otro navegador, así que solo funciona allí. No se cambió nada. Si no fue usted, pídale uno nuevo a quien se lo envió.
consent-refused-sender-gone-title = Este enlace de consentimiento ya no funciona
consent-refused-sender-gone = Quien lo envió ya no puede hacer solicitudes en nombre de la empresa. No se cambió nada. Pídale uno nuevo a un administrador de la empresa.
consent-failed-title = Algo salió mal
consent-failed = No se pudo abrir el enlace en este momento. Vuelva a intentarlo en unos minutos.

## How a consent ended: on the link holder's screen, and in a widget's consent window.

consent-authorized = Autorizado
consent-not-authorized = No autorizado
consent-outcome-again = Para volver a intentarlo, abra otra vez el enlace que le enviaron.
consent-outcome-authorized = { $product } ahora puede actuar en nombre de { $company } mediante las API de UPS. Gracias; puede cerrar esta ventana.
consent-outcome-denied = No se dio el consentimiento en UPS.com, así que nada cambió. { consent-outcome-again }
consent-outcome-expired = El consentimiento tardó demasiado y venció. Nada cambió. { consent-outcome-again }
consent-outcome-rejected = UPS no aceptó el consentimiento. Nada cambió. { consent-outcome-again }
consent-outcome-unavailable = No se pudo contactar a UPS. Nada cambió. En unos minutos, abra otra vez el enlace que le enviaron.
consent-outcome-other-browser = Este consentimiento se inició en otro navegador, o ya se respondió. Nada cambió. Abra el enlace que le enviaron en el navegador que usó la primera vez.
consent-outcome-not-allowed = Este enlace de consentimiento ya no se puede usar: se usó o se revocó, o quien lo envió ya no puede hacer solicitudes. Nada cambió.
consent-outcome-failed = No se pudo completar el consentimiento. Nada cambió. { consent-outcome-again }
consent-window-close = Puede cerrar esta ventana.
consent-window-unknown-mode = Modo desconocido.

## The page an admin sees after making a link (the link itself is shown only this once).

consent-created-title = Enlace de consentimiento creado
consent-created-emailed = El enlace se envió por correo a <strong>{ $recipient }</strong>. Funciona una sola vez, hasta el { $until }.
consent-created-email-failed = No se pudo enviar el correo a { $recipient }. Envíele el enlace usted mismo.
consent-created-handed = Envíe este enlace a <strong>{ $recipient }</strong>. Solo se muestra esta vez, y funciona una sola vez, hasta el { $until }.
consent-created-link = Enlace de consentimiento
consent-created-back = Volver a { $product }
consent-not-created-title = No se creó el enlace de consentimiento
