using Gateway.Config;
using Gateway.Contracts.SignIn;
using Gateway.Node.Routing;
using Gateway.Policy;
using Microsoft.AspNetCore.Http;

namespace Gateway.Node.SignIn;

/// <summary>
/// Decides each request to a route that is not public: the route's <c>policy</c> evaluated with
/// the request (method, path, client address) and the signed-in session's identity (email, user,
/// groups, claims), as Pomerium does per request. Without sign-in configured, such routes answer
/// 401 as they always did.
/// </summary>
public sealed class RouteAuthorization
{
    private readonly RequestSessions? _sessions;
    private readonly RouteTable? _routes;

    /// <summary>Takes the sign-in services when they are registered (only with <c>idp_provider</c>).</summary>
    public RouteAuthorization(IServiceProvider services)
    {
        _sessions = services.GetService<RequestSessions>();
        _routes = services.GetService<RouteTable>();
    }

    public async Task<AccessVerdict> CheckAsync(HttpContext context, string routeId)
    {
        if (_sessions is null || _routes is null)
            return new AccessVerdict(AccessOutcome.SignInNotConfigured, null, null);
        if (_routes.Find(routeId) is not { } route)
            return new AccessVerdict(AccessOutcome.Denied, null, null);
        var session = await _sessions.FindAsync(context).ConfigureAwait(false);
        var decision = route.Policy.Evaluate(Input(session, context.Request, context.Connection.RemoteIpAddress));
        if (decision.Allowed)
            return new AccessVerdict(AccessOutcome.Allowed, session, decision);
        return new AccessVerdict(session is null ? AccessOutcome.SignInRequired : AccessOutcome.Denied, session, decision);
    }

    /// <summary>The policy's view of one request; identity fields only with a valid session.</summary>
    public static PolicyInput Input(SignInSession? session, HttpRequest request, System.Net.IPAddress? source) => new()
    {
        Authenticated = session is not null,
        Email = session?.Email,
        UserId = session?.Subject,
        Name = session?.Name,
        Groups = session?.Groups,
        Claims = session?.Claims,
        SourceIp = source,
        HttpMethod = request.Method,
        HttpPath = request.Path.Value ?? "/",
    };

    /// <summary>Where a browser is sent to sign in for <paramref name="request"/>'s URL.</summary>
    public static string SignInUrl(SignInConfig signIn, HttpRequest request)
    {
        var back = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}";
        return new Uri(signIn.AuthenticateServiceUrl, SignInPaths.SignIn).AbsoluteUri
               + "?" + SignInPaths.RedirectUriParameter + "=" + Uri.EscapeDataString(back);
    }
}
