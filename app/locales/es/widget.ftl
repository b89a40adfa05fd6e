## The embedded widget.

embed-signed-in-as = Sesión iniciada en su portal como { $user }.
embed-loading = Cargando…
embed-waiting = Termine de iniciar sesión en UPS.com en la ventana que se abrió. Esta página se actualiza cuando termine.
embed-blocked = Su navegador bloqueó la ventana de inicio de sesión de UPS.com. Permita las ventanas emergentes para este sitio y vuelva a intentarlo, o continúe en esta ventana; volverá aquí cuando termine.
embed-continue-here = Continuar en esta ventana
embed-unreachable = El widget no pudo conectarse con UPS OAuth. Revise su conexión y vuelva a intentarlo.
