// A real OpenID Connect provider (oidc-provider) for the sign-in tests, on loopback only.
//
// Environment:
//   IDP_PORT          port to listen on, 0 (the default) picks a free one; the issuer is
//                     http://127.0.0.1:<port>
//   IDP_CLIENTS       JSON array of {client_id, client_secret, redirect_uris[],
//                     post_logout_redirect_uris[]?, token_endpoint_auth_method?}; the method is
//                     client_secret_post unless given (what ASP.NET Core's OpenIdConnect handler
//                     sends); grant authorization_code (and refresh_token), response type code,
//                     PKCE with S256 accepted (required only by oidc-provider's rules for public
//                     clients)
//   IDP_ID_TOKEN_TTL  lifetime in seconds of ID tokens, access tokens and the provider's own
//                     sign-in session (default 3600)
//
// Users (accountId = login name = sub), password "password" for all of them:
//   alice  alice@example.com (verified), "Alice Example", groups engineering+admins, department eng
//   bob    bob@example.org, "Bob Other", groups sales, department sales
//   carol  carol@example.com, no name, no groups, department eng
// Scopes: openid; email -> email, email_verified; profile -> name, department; groups -> groups;
// offline_access (oidc-provider issues refresh tokens only with prompt=consent). The claims of
// the granted scopes go into the ID token as well as userinfo.
//
// Interactions: GET /interaction/<uid> shows a login form (inputs "login" and "password",
// button#sign-in). A wrong password or an unknown user gives the same form again with status 401
// and the text "Invalid login or password" (p#error); no redirect reaches the client.
// /interaction/<uid>/abort ends the request with error=access_denied at the client.
// Consent is granted automatically for every scope and claim asked for: there is no consent page.
// Logout (end_session) shows oidc-provider's confirmation form; button[name=logout] confirms.
//
// Prints "listening http://127.0.0.1:<port>" once it accepts connections; exits on SIGTERM/SIGINT.
import http from 'node:http';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';

const USERS = {
  alice: { sub: 'alice', email: 'alice@example.com', email_verified: true, name: 'Alice Example', groups: ['engineering', 'admins'], department: 'eng' },
  bob: { sub: 'bob', email: 'bob@example.org', name: 'Bob Other', groups: ['sales'], department: 'sales' },
  carol: { sub: 'carol', email: 'carol@example.com', groups: [], department: 'eng' },
};
const PASSWORD = 'password';

function fail(message) {
  process.stderr.write(`idp: ${message}\n`);
  process.exit(2);
}

function readClients() {
  let parsed;
  try {
    parsed = JSON.parse(process.env.IDP_CLIENTS ?? '[]');
  } catch (error) {
    fail(`IDP_CLIENTS is not JSON: ${error.message}`);
  }
  if (!Array.isArray(parsed)) fail('IDP_CLIENTS must be a JSON array');
  return parsed.map((c, i) => {
    if (typeof c?.client_id !== 'string' || typeof c.client_secret !== 'string' || !Array.isArray(c.redirect_uris))
      fail(`IDP_CLIENTS[${i}] needs client_id, client_secret and redirect_uris`);
    return {
      client_id: c.client_id,
      client_secret: c.client_secret,
      redirect_uris: c.redirect_uris,
      post_logout_redirect_uris: c.post_logout_redirect_uris ?? [],
      token_endpoint_auth_method: c.token_endpoint_auth_method ?? 'client_secret_post',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    };
  });
}

function readTtl() {
  const raw = process.env.IDP_ID_TOKEN_TTL ?? '3600';
  const ttl = Number(raw);
  if (!Number.isInteger(ttl) || ttl <= 0) fail(`IDP_ID_TOKEN_TTL must be a positive number of seconds, not "${raw}"`);
  return ttl;
}

function readPort() {
  const raw = process.env.IDP_PORT ?? '0';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`IDP_PORT must be a port number, not "${raw}"`);
  return port;
}

function signingKey() {
  // A key of its own per run: nothing here must be trusted outside the test that started it.
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: crypto.randomUUID(), use: 'sig', alg: 'RS256' };
}

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, clientId, error) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Sign in - test identity provider</title></head>
<body>
<h1>Sign in</h1>
<p id="client">to continue to ${escapeHtml(clientId)}</p>
${error ? `<p id="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">
<label>Login <input name="login" autofocus></label>
<label>Password <input name="password" type="password"></label>
<button type="submit" id="sign-in">Sign in</button>
</form>
<p><a id="abort" href="/interaction/${escapeHtml(uid)}/abort">Cancel</a></p>
</body></html>`;
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

// Grants every scope and claim the request asked for, so no consent page is ever shown.
async function grantEverything(provider, details) {
  const { prompt, params, session, grantId } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const missingScope = prompt.details.missingOIDCScope;
  if (missingScope) grant.addOIDCScope(missingScope.join(' '));
  const missingClaims = prompt.details.missingOIDCClaims;
  if (missingClaims) grant.addOIDCClaims(missingClaims);
  for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes ?? {}))
    grant.addResourceScope(indicator, scopes.join(' '));
  return grant.save();
}

async function interaction(provider, req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, '<p>interaction mismatch</p>');
  const clientId = details.params.client_id;
  if (action === 'abort') {
    return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'sign-in cancelled' }, { mergeWithLastSubmission: false });
  }
  if (details.prompt.name === 'consent') {
    const grantId = await grantEverything(provider, details);
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  if (action === 'login' && req.method === 'POST') {
    const form = await readForm(req);
    const login = form.get('login') ?? '';
    const user = Object.hasOwn(USERS, login) ? USERS[login] : undefined;
    if (!user || form.get('password') !== PASSWORD)
      return send(res, 401, loginPage(uid, clientId, 'Invalid login or password'));
    return provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
  }
  return send(res, 200, loginPage(uid, clientId));
}

const port = readPort();
const clients = readClients();
const ttl = readTtl();
let handler = (req, res) => send(res, 503, 'starting');
const server = http.createServer((req, res) => handler(req, res));

server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [signingKey()] },
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'groups'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'department'],
      groups: ['groups'],
    },
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true },
    },
    ttl: {
      IdToken: ttl,
      AccessToken: ttl,
      Session: ttl,
      Grant: ttl,
      AuthorizationCode: 60,
      Interaction: 600,
    },
    interactions: { url: (ctx, interactionRecord) => `/interaction/${interactionRecord.uid}` },
    async findAccount(ctx, id) {
      const user = Object.hasOwn(USERS, id) ? USERS[id] : undefined;
      if (!user) return undefined;
      return { accountId: id, async claims() { return { ...user }; } };
    },
  });
  provider.on('server_error', (ctx, error) => process.stderr.write(`idp: server_error ${error.stack ?? error}\n`));
  const callback = provider.callback();
  handler = (req, res) => {
    const match = /^\/interaction\/([^/?]+)(?:\/(login|abort))?(?:\?.*)?$/.exec(req.url);
    if (!match) return callback(req, res);
    interaction(provider, req, res, match[1], match[2]).catch((error) => {
      process.stderr.write(`idp: interaction failed: ${error.stack ?? error}\n`);
      if (!res.headersSent) send(res, 400, `<p id="error">${escapeHtml(error.message)}</p>`);
      else res.end();
    });
  };
  process.stdout.write(`listening ${issuer}\n`);
});
server.on('error', (error) => fail(`cannot listen on 127.0.0.1:${port}: ${error.message}`));

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
