using Gateway.Actors.SignIn;
using Gateway.Config;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;

namespace Gateway.Node.SignIn;

/// <summary>
/// What the session cookie holds and where it applies. When the identity provider's sign-in
/// completes, the person's claims become a <see cref="Contracts.SignIn.SignInSession"/> in the
/// cluster's store and the cookie keeps only its id; <c>cookie_domain</c> is set only on hosts
/// inside it (a browser drops a cookie whose domain does not cover the host that set it).
/// </summary>
public static class SessionCookie
{
    public static async Task OnSigningInAsync(CookieSigningInContext context, SignInConfig signIn)
    {
        ApplyDomain(context.CookieOptions, signIn, context.HttpContext.Request.Host.Host);
        if (context.Principal?.Identity?.AuthenticationType == AuthenticateEndpoints.SessionAuthenticationType)
            return;
        var services = context.HttpContext.RequestServices;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var session = SessionFromClaims.Create(context.Principal!.Claims, now, signIn.CookieExpire);
        await services.GetRequiredService<ISignInStore>().SaveSessionAsync(session, context.HttpContext.RequestAborted).ConfigureAwait(false);
        services.GetRequiredService<ILogger<AuthenticateEndpoints>>().LogInformation(
            "sign-in: {User} ({Subject}) signed in from {Source}, session until {Expiry:u}",
            session.Email ?? session.Subject, session.Subject, context.HttpContext.Connection.RemoteIpAddress, session.ExpiresAt.UtcDateTime);
        context.Principal = AuthenticateEndpoints.SessionPrincipal(session.Id);
        context.Properties.IsPersistent = true;
        context.Properties.ExpiresUtc = session.ExpiresAt;
    }

    public static void ApplyDomain(CookieOptions options, SignInConfig signIn, string host)
    {
        options.Domain = signIn.CookieDomain is { } domain
                         && (host.Equals(domain, StringComparison.OrdinalIgnoreCase) || host.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase))
            ? domain
            : null;
    }
}
