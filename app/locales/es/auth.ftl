## Signing in and out: the sign-in page, the header's sign-out links, a page whose session is over.

auth-sign-in = Iniciar sesión
auth-sign-in-with = Iniciar sesión con { $provider }
auth-unlocked = Este navegador ya puede iniciar sesión con su cuenta: ingrese su contraseña y luego su segundo factor.
auth-sign-in-name = Nombre de usuario
auth-password = Contraseña
auth-use-recovery-code = Usar un código de recuperación
auth-where-signed-in = Sus sesiones abiertas
auth-sign-in-security = Seguridad del inicio de sesión
auth-sign-out = Cerrar sesión
auth-sign-out-everywhere = Cerrar sesión en todas partes
auth-back-to-applications = Volver a sus aplicaciones
auth-all-applications = Todas las aplicaciones
auth-loading = Cargando…

## "Where you're signed in": the user's sessions.

auth-sessions-title = Sus sesiones abiertas · UPS Customer Solutions
auth-session-ended = Se cerró esa sesión.
auth-sessions-not-you = ¿No fue usted? Cierre aquí la sesión de ese navegador, o cierre sesión en todas partes en la parte superior de la página, y luego cambie su contraseña.
auth-sessions-region = Sus sesiones (se desplaza horizontalmente)
auth-sessions-caption = Navegadores con sesión iniciada con su cuenta, del usado más recientemente al más antiguo
auth-sessions-browser = Navegador
auth-sessions-address = Dirección
auth-sessions-signed-in = Inicio de sesión
auth-sessions-last-active = Última actividad
auth-sessions-sign-out = Cerrar sesión
auth-sessions-sign-out-label = Cerrar la sesión de { $browser } ({ $address })
auth-sessions-this-browser = Este navegador

## Second factors: the sign-in's second step, the unlock page, "Sign-in security", and the words the script shows.

auth-factors-need-script = Las llaves de acceso y agregar una aplicación de autenticación requieren JavaScript; un código funciona sin él.
auth-passkey-name = Nombre de esta llave de acceso
auth-passkey-name-placeholder = Computadora del trabajo
auth-add-passkey = Agregar una llave de acceso
auth-add-totp = Agregar una aplicación de autenticación
auth-totp-instructions = En su aplicación de autenticación, agregue una cuenta con esta clave (o abra el enlace en este dispositivo) y luego ingrese el código de seis dígitos que muestra.
auth-totp-open = Abrir en una aplicación de autenticación
auth-totp-first-code = Código de la aplicación
auth-confirm = Confirmar
auth-recovery-heading = Sus códigos de recuperación
auth-recovery-explained = Cada código le permite iniciar sesión una vez si pierde su llave de acceso o su teléfono. Guárdelos en un lugar seguro: solo se muestran ahora.
auth-continue = Continuar
auth-second-step-title = Confirme que es usted · UPS Customer Solutions
auth-second-step-heading = Confirme que es usted
auth-second-step-explained = { $name }, su contraseña es correcta. Ahora use su segundo factor.
auth-sign-in-again = Volver a iniciar sesión
auth-enrol-heading = Agregar un segundo factor
auth-enrol-explained = { $name }, este servicio pide a cada administrador un segundo factor además de la contraseña. Agregue uno para terminar de iniciar sesión.
auth-use-passkey = Usar su llave de acceso
auth-code-totp-or-recovery = Código de su aplicación de autenticación, o un código de recuperación
auth-recovery-code = Un código de recuperación
auth-verify = Verificar
auth-unlock-title = Confirmar con un código de recuperación · UPS Customer Solutions
auth-unlock-heading = Confirmar con un código de recuperación
auth-unlock-explained = Muchos inicios de sesión con su nombre fallaron recientemente desde otro lugar, así que un navegador que nunca ha iniciado sesión con su cuenta primero debe dar uno de sus códigos de recuperación. Después, ese código ya no sirve. Luego inicie sesión como siempre con su contraseña y su segundo factor.
auth-back-to-sign-in = Volver al inicio de sesión
auth-factors-title = Seguridad del inicio de sesión · UPS Customer Solutions
auth-factor-removed = Se quitó ese segundo factor.
auth-factors-none = Usted inicia sesión solo con su contraseña. Agregue un segundo factor para que una contraseña filtrada no dé acceso a nada.
auth-factors-required = Usted inicia sesión con su contraseña y uno de estos factores. Este servicio requiere un segundo factor.
auth-factors-some = Usted inicia sesión con su contraseña y uno de estos factores.
auth-recovery-codes = Códigos de recuperación
auth-recovery-left =
    { $count ->
        [one] Le queda { $count } código de recuperación sin usar.
       *[other] Le quedan { $count } códigos de recuperación sin usar.
    }
auth-recovery-new = Obtener nuevos códigos de recuperación
auth-factors-region = Sus segundos factores (se desplaza horizontalmente)
auth-factors-caption = Sus segundos factores
auth-factors-name = Nombre
auth-factors-kind = Tipo
auth-factors-added = Agregado
auth-factors-last-used = Último uso
auth-factors-remove = Quitar
auth-factors-remove-label = Quitar { $label }
auth-factors-never = Nunca
auth-script-failed = Algo salió mal. Vuelva a intentarlo.
auth-script-cancelled = Se canceló la solicitud de la llave de acceso. Vuelva a intentarlo o use un código.

## Single sign-on's refusal page.

auth-sso-not-completed = Inicio de sesión no completado
auth-sso-back = Volver al inicio de sesión
auth-sso-no-such = No existe ese inicio de sesión.
auth-sso-state-unknown = Este inicio de sesión venció o ya se usó; vuelva a empezar.
auth-sso-unknown-user = { $provider } lo autenticó, pero ningún administrador de aquí está vinculado a esa cuenta. Pida a un administrador del servicio OAuth Opt-In que lo agregue y luego vuelva a iniciar sesión.
auth-sso-second-factor-account = { $provider } lo autenticó, pero el administrador de aquí con ese correo electrónico inicia sesión con una contraseña y un segundo factor. Mejor inicie sesión con su contraseña y su segundo factor.
auth-sso-provider-failed = El inicio de sesión a través de su proveedor de identidad no funcionó. Vuelva a intentarlo.
auth-sso-internal = Algo salió mal de nuestro lado. Vuelva a intentarlo.
auth-sso-provider-refused = El proveedor de identidad no inició su sesión. Vuelva a intentarlo o consulte a su administrador.
