// The OpenID Provider the Chromium specs sign in through: the certified `oidc-provider` package,
// on loopback, with its built-in (development) sign-in and consent pages, where any login name
// signs in as that person. Started by serve.sh before the service:
//   node oidc/provider.mjs PORT SERVICE_ORIGIN
// Its accounts: `{login}@example.com` (verified), named after the login; `sso.admin` is in the
// `returns-admins` group.
import Provider from "oidc-provider";

const [port, service] = [Number(process.argv[2]), process.argv[3]];
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "optin-e2e",
      client_secret: "optin-e2e-secret",
      redirect_uris: [`${service}/sso/corp/callback`],
      // Signing out of the service ends the session here too, and comes back to its sign-in page.
      post_logout_redirect_uris: [`${service}/sign-in`],
      grant_types: ["authorization_code"],
      response_types: ["code"],
    },
  ],
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  // The ID token carries the claims its scopes grant (the service reads no userinfo).
  conformIdTokenClaims: false,
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "groups"] },
  async findAccount(_ctx, login) {
    return {
      accountId: login,
      async claims() {
        return {
          sub: login,
          email: `${login}@example.com`,
          email_verified: true,
          name: login,
          groups: login === "sso.admin" ? ["returns-admins"] : [],
        };
      },
    };
  },
  cookies: { keys: ["e2e-only-cookie-key"] },
});
provider.listen(port, "127.0.0.1", () => console.log(`OpenID Provider: ${issuer}`));
