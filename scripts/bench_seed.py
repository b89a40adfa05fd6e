"""Opts the demo company in to a product through the built-in sandbox, as an admin would in a
browser: sign in, Opt-In, the sandbox's two sign-in steps, the callback. For scripts/bench.sh."""
import http.client
import sys
import urllib.parse

base, name, password, product = sys.argv[1:5]
host = urllib.parse.urlsplit(base).netloc
cookies = {}


def request(method, path, fields=None):
    connection = http.client.HTTPConnection(host, timeout=30)
    headers = {"Origin": base, "Accept": "text/html"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in cookies.items())
    body = None
    if fields is not None:
        body = urllib.parse.urlencode(fields)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body, headers)
    response = connection.getresponse()
    response.read()
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, cookie = pair.partition("=")
            cookies[key] = cookie
    return response.status, response.getheader("Location") or ""


def path_of(url):
    parts = urllib.parse.urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


status, _ = request("POST", "/api/sign_in", {"sign_in_name": name, "password": password})
assert status in (200, 302, 303), f"sign-in: {status}"
status, authorize = request("POST", f"/oauth/{product}/start", {"company": "1"})
assert status == 303, f"start: {status}"
status, sign_in_page = request("GET", path_of(authorize))
assert status in (302, 303), f"authorize: {status}"
fields = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize).query))
request("GET", path_of(sign_in_page))
request("POST", "/security/sandbox/sign-in", {**fields, "step": "username", "username": "shipper.one", "agree": "yes"})
status, callback = request("POST", "/security/sandbox/sign-in",
                           {**fields, "agree": "yes", "username": "shipper.one", "step": "password", "password": "Sandbox-Pass-1"})
assert status == 303, f"consent: {status}"
status, back = request("GET", path_of(callback))
assert status in (302, 303) and "authorized" in back, f"callback: {status} {back}"
