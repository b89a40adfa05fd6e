## The embedded widget.

embed-signed-in-as = Signed in to your portal as { $user }.
embed-loading = Loading…
embed-waiting = Finish signing in to UPS.com in the window that opened. This page updates when you are done.
embed-blocked = Your browser blocked the UPS.com sign-in window. Allow pop-ups for this site and try again, or continue in this window; you will come back here when you are done.
embed-continue-here = Continue in this window
embed-unreachable = The widget could not reach UPS OAuth. Check your connection and try again.
