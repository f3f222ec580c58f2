using System.Security.Claims;
using Gateway.Actors.SignIn;
using Gateway.Config;
using Gateway.Contracts.SignIn;
using Gateway.Node.Routing;
using Gateway.Ssh;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace Gateway.Node.SignIn;

/// <summary>
/// The authenticate host's pages, which every node serves on its own listener (so any node can
/// finish any sign-in), and the hand-off endpoint on route hosts:
/// <list type="bullet">
/// <item><c>GET /.pomerium/sign_in?pomerium_redirect_uri=URL</c>: sign in (through the identity
/// provider when there is no session yet), then back to the route's host with a hand-off token;</item>
/// <item><c>GET /.pomerium/sign_in?user_code=CODE</c>: the page confirming an SSH client's code;
/// <c>POST</c> confirms (binding the client's key to the session) or denies it;</item>
/// <item><c>/.pomerium/sign_out</c>: ends the session on every node;</item>
/// <item><c>GET /.pomerium/callback</c> on a route's host: sets that host's cookie.</item>
/// </list>
/// </summary>
public sealed class AuthenticateEndpoints
{
    private readonly SignInConfig _signIn;
    private readonly ISignInStore _store;
    private readonly RequestSessions _sessions;
    private readonly SessionHandoff _handoff;
    private readonly RouteTable _routes;
    private readonly TimeProvider _time;
    private readonly ILogger<AuthenticateEndpoints> _logger;

    public AuthenticateEndpoints(SignInConfig signIn, ISignInStore store, RequestSessions sessions, SessionHandoff handoff,
        RouteTable routes, TimeProvider time, ILogger<AuthenticateEndpoints> logger)
    {
        _signIn = signIn;
        _store = store;
        _sessions = sessions;
        _handoff = handoff;
        _routes = routes;
        _time = time;
        _logger = logger;
    }

    public async Task SignInAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var session = await _sessions.FindAsync(context).ConfigureAwait(false);
        string? redirect = query[SignInPaths.RedirectUriParameter];
        if (redirect is not null && RouteRedirect(redirect) is null)
        {
            await SignInPages.MessageAsync(context, StatusCodes.Status400BadRequest, "Sign-in refused",
                "The address to return to is not a route of this gateway.").ConfigureAwait(false);
            return;
        }
        if (session is null)
        {
            await ChallengeAsync(context).ConfigureAwait(false);
            return;
        }
        if (query[SignInPaths.UserCodeParameter].ToString() is { Length: > 0 } code)
        {
            await ShowCodeAsync(context, session, code).ConfigureAwait(false);
            return;
        }
        if (redirect is not null)
        {
            var target = RouteRedirect(redirect)!;
            var token = _handoff.ProtectHandoff(session.Id, target);
            var callback = $"{target.GetLeftPart(UriPartial.Authority)}{SignInPaths.Callback}?{SignInPaths.RedirectUriParameter}={Uri.EscapeDataString(target.AbsoluteUri)}&{SignInPaths.HandoffParameter}={Uri.EscapeDataString(token)}";
            context.Response.Redirect(callback);
            return;
        }
        await SignInPages.SignedInAsync(context, session).ConfigureAwait(false);
    }

    /// <summary>A sign-in starts at the identity provider and comes back to the page that asked for it.</summary>
    private async Task ChallengeAsync(HttpContext context)
    {
        var back = context.Request.Path + context.Request.QueryString;
        try
        {
            await context.ChallengeAsync(SignInSchemes.OpenIdConnect, new AuthenticationProperties { RedirectUri = back }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or IOException)
        {
            // The provider's discovery document could not be read: the provider is down or misconfigured.
            _logger.LogWarning("sign-in: the identity provider {Provider} could not be reached: {Error}", _signIn.ProviderUrl, ex.GetBaseException().Message);
            await SignInPages.MessageAsync(context, StatusCodes.Status502BadGateway, "Sign-in unavailable",
                "The identity provider could not be reached. Try again in a moment.").ConfigureAwait(false);
        }
    }

    private async Task ShowCodeAsync(HttpContext context, SignInSession session, string codeText)
    {
        var now = _time.GetUtcNow();
        var code = _store.FindCode(codeText);
        if (await CodeProblemAsync(context, code, now).ConfigureAwait(false))
            return;
        await SignInPages.ConfirmCodeAsync(context, code!, session, _handoff.ProtectConfirm(session.Id, code!.Code)).ConfigureAwait(false);
    }

    /// <summary>Pomerium's answers: an unknown code 400 "code invalid", a decided one 409, an expired one 400.</summary>
    private static async Task<bool> CodeProblemAsync(HttpContext context, SignInCode? code, DateTimeOffset now)
    {
        if (code is null)
            await SignInPages.MessageAsync(context, StatusCodes.Status400BadRequest, "Code invalid", "This sign-in code is not known. Connect again to get a new one.").ConfigureAwait(false);
        else if (code.State != SignInCodeState.Pending)
            await SignInPages.MessageAsync(context, StatusCodes.Status409Conflict, "Code already processed", "This sign-in code was confirmed or denied before.").ConfigureAwait(false);
        else if (now >= code.ExpiresAt)
            await SignInPages.MessageAsync(context, StatusCodes.Status400BadRequest, "Code expired", "This sign-in code has expired. Connect again to get a new one.").ConfigureAwait(false);
        else
            return false;
        return true;
    }

    public async Task DecideCodeAsync(HttpContext context)
    {
        var session = await _sessions.FindAsync(context).ConfigureAwait(false);
        if (session is null)
        {
            await SignInPages.MessageAsync(context, StatusCodes.Status401Unauthorized, "Not signed in", "Sign in first, then open the link from your terminal again.").ConfigureAwait(false);
            return;
        }
        if (!context.Request.HasFormContentType)
        {
            await SignInPages.MessageAsync(context, StatusCodes.Status400BadRequest, "Bad request", "Expected the confirm form.").ConfigureAwait(false);
            return;
        }
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var codeText = form[SignInPaths.UserCodeParameter].ToString();
        if (!_handoff.ConfirmMatches(form["token"].ToString(), session.Id, codeText))
        {
            await SignInPages.MessageAsync(context, StatusCodes.Status400BadRequest, "Bad request", "The form is not from this sign-in; open the link from your terminal again.").ConfigureAwait(false);
            return;
        }
        var now = _time.GetUtcNow();
        var code = _store.FindCode(codeText);
        if (await CodeProblemAsync(context, code, now).ConfigureAwait(false))
            return;
        var accept = form["confirm"] == "true";
        if (accept)
        {
            // The binding first: connections waiting with this key look for it, not for the code.
            await _store.SaveBindingAsync(new SessionBinding(code!.KeyFingerprint, session.Id, code.Source, now, session.ExpiresAt), context.RequestAborted).ConfigureAwait(false);
        }
        var result = await _store.DecideCodeAsync(codeText, accept, accept ? session.Id : null, now, context.RequestAborted).ConfigureAwait(false);
        _logger.LogInformation("sign-in: code {Code}… for key {Fingerprint} from {Source} {Decision} by {User}: {Result}",
            codeText[..Math.Min(4, codeText.Length)], code!.KeyFingerprint, code.Source, accept ? "confirmed" : "denied", session.Email ?? session.Subject, result);
        if (result == CodeDecisionResult.AlreadyDecided)
            await SignInPages.MessageAsync(context, StatusCodes.Status409Conflict, "Code already processed", "This sign-in code was confirmed or denied before.").ConfigureAwait(false);
        else if (accept)
            await SignInPages.MessageAsync(context, StatusCodes.Status200OK, "SSH client signed in",
                $"The SSH client with key {code.KeyFingerprint} is signed in as {session.Email ?? session.Subject}. You can go back to your terminal.").ConfigureAwait(false);
        else
            await SignInPages.MessageAsync(context, StatusCodes.Status200OK, "Sign-in denied", "The SSH client's sign-in was denied.").ConfigureAwait(false);
    }

    public async Task SignOutAsync(HttpContext context)
    {
        var session = await _sessions.FindAsync(context).ConfigureAwait(false);
        if (HttpMethods.IsGet(context.Request.Method))
        {
            // A link must not sign anyone out (a page elsewhere could embed it): GET asks, POST does.
            await SignInPages.WriteAsync(context, StatusCodes.Status200OK, "Sign out",
                session is null ? "<p>You are not signed in.</p>\n"
                    : "<form method=\"post\"><button type=\"submit\" id=\"sign-out\">Sign out " + SignInPages.Html(session.Email ?? session.Subject) + "</button></form>\n").ConfigureAwait(false);
            return;
        }
        if (session is not null)
        {
            await _store.EndSessionAsync(session.Id, context.RequestAborted).ConfigureAwait(false);
            _logger.LogInformation("sign-in: session of {User} ended by sign-out", session.Email ?? session.Subject);
        }
        await context.SignOutAsync(SignInSchemes.Cookie).ConfigureAwait(false);
        await SignInPages.MessageAsync(context, StatusCodes.Status200OK, "Signed out",
            "You are signed out on every node, and SSH clients signed in with this session are disconnected.").ConfigureAwait(false);
    }

    /// <summary>On a route's host: the hand-off from the authenticate host becomes this host's cookie.</summary>
    public async Task RouteCallbackAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var redirect = query[SignInPaths.RedirectUriParameter].ToString();
        var token = query[SignInPaths.HandoffParameter].ToString();
        var target = RouteRedirect(redirect);
        var host = context.Request.Host.Host;
        var sessionId = target is not null && target.Host.Equals(host, StringComparison.OrdinalIgnoreCase)
            ? _handoff.UnprotectHandoff(token, host, target.AbsoluteUri)
            : null;
        var session = sessionId is null ? null : _store.FindSession(sessionId);
        if (session is null || !session.IsValidAt(_time.GetUtcNow()))
        {
            _logger.LogInformation("sign-in: hand-off for {Host} refused (invalid, expired or for another host)", PeerText.Sanitize(host));
            await SignInPages.MessageAsync(context, StatusCodes.Status400BadRequest, "Sign-in link invalid", "This sign-in link is invalid or has expired. Open the page you wanted again.").ConfigureAwait(false);
            return;
        }
        await context.SignInAsync(SignInSchemes.Cookie, SessionPrincipal(session.Id),
            new AuthenticationProperties { IsPersistent = true, ExpiresUtc = session.ExpiresAt }).ConfigureAwait(false);
        context.Response.Redirect(target!.AbsoluteUri);
    }

    /// <summary>The principal the cookie holds: the session id, nothing else.</summary>
    public static ClaimsPrincipal SessionPrincipal(string sessionId)
        => new(new ClaimsIdentity([new Claim(SignInSchemes.SessionIdClaim, sessionId)], SessionAuthenticationType));

    /// <summary>Marks a principal that already is a session reference (not the provider's fresh sign-in).</summary>
    public const string SessionAuthenticationType = "gateway-session-id";

    /// <summary>A URL to send the browser back to: absolute, on this gateway's listener scheme, and on one of its https routes' hosts (never an open redirect).</summary>
    private Uri? RouteRedirect(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme != _signIn.AuthenticateServiceUrl.Scheme || url.UserInfo.Length > 0)
            return null;
        return _routes.FindHttp(url.IdnHost.ToLowerInvariant()) is null ? null : url;
    }
}
