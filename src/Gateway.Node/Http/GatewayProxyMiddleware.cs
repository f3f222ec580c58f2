using Gateway.Node.SignIn;
using Gateway.Ssh;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Node.Http;

/// <summary>
/// First step of the proxy pipeline: refuses a request whose connection was made for a route with
/// another certificate or other access rules (421), applies a route's <c>policy</c> with the
/// signed-in identity (sign in, or 403; 401 when sign-in is not configured), and after forwarding turns a failure into the right status and a page while
/// nothing has been sent: 503 when no tunnel is connected or all fail their health checks, 504 on upstream timeout, 502
/// otherwise. Pages say only the status, a generic reason and the request id; the cause goes to
/// the log under that id.
/// </summary>
public sealed class GatewayProxyMiddleware
{
    private readonly RequestDelegate _next;
    private readonly MisdirectedRequestCheck _misdirected;
    private readonly ILogger<GatewayProxyMiddleware> _logger;
    private readonly RouteAuthorization _authorization;
    private readonly Config.SignInConfig? _signIn;

    public GatewayProxyMiddleware(RequestDelegate next, MisdirectedRequestCheck misdirected, RouteAuthorization authorization,
        IServiceProvider services, ILogger<GatewayProxyMiddleware> logger)
    {
        _next = next;
        _misdirected = misdirected;
        _authorization = authorization;
        _signIn = services.GetService<Config.SignInConfig>();
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var route = context.GetReverseProxyFeature().Route.Config;
        if (_misdirected.Check(context, route.RouteId) is { } reason)
        {
            _logger.LogInformation("route {RouteId}: request {RequestId} for {Host} -> 421: {Reason}",
                route.RouteId, GatewayErrorPages.RequestId(context), PeerText.Sanitize(context.Request.Host.Host), reason);
            await GatewayErrorPages.WriteAsync(context, StatusCodes.Status421MisdirectedRequest,
                $"this connection was made for another host; connect again to reach {GatewayErrorPages.HostOf(context)}").ConfigureAwait(false);
            return;
        }
        if (!IsPublic(route.Metadata) && !await AuthorizeAsync(context, route.RouteId).ConfigureAwait(false))
            return;

        await _next(context).ConfigureAwait(false);

        var error = context.Features.Get<IForwarderErrorFeature>();
        if (error is null || context.Response.HasStarted)
            return;

        var host = GatewayErrorPages.HostOf(context);
        var requestId = GatewayErrorPages.RequestId(context);
        // The route timeout cancels RequestAborted, which YARP reports as a client cancel.
        if (context.Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested == true)
        {
            _logger.LogInformation("route {RouteId}: request {RequestId}: request timeout -> 504", route.RouteId, requestId);
            await GatewayErrorPages.WriteAsync(context, StatusCodes.Status504GatewayTimeout,
                $"the upstream of {host} did not answer in time", CancellationToken.None).ConfigureAwait(false);
            return;
        }
        if (context.RequestAborted.IsCancellationRequested)
            return;

        var usesTunnel = route.Metadata is { } m && m.TryGetValue(ProxyMetadata.UsesTunnel, out var t) && t == "true";
        var (status, message) = Classify(error, context.Response.StatusCode, host, usesTunnel);
        // Expected conditions (no tunnel, refused, upstream down): one line, the cause's message, no
        // stack trace. The message can carry peer text (a SOCKS or channel-open failure description).
        if (error.Exception is { } exception)
        {
            var detail = Describe(exception);
            // A tunnel's failure names its upstream; a direct connection's socket error does not.
            if (!usesTunnel && context.GetReverseProxyFeature().ProxiedDestination?.Model.Config.Address is { } address)
                detail = $"{address}: {detail}";
            _logger.LogInformation("route {RouteId}: request {RequestId}: {Error} -> {Status}: {Detail}",
                route.RouteId, requestId, error.Error, status, PeerText.Sanitize(detail, DetailLimit));
        }
        else
            _logger.LogInformation("route {RouteId}: request {RequestId}: {Error} -> {Status}", route.RouteId, requestId, error.Error, status);
        await GatewayErrorPages.WriteAsync(context, status, message).ConfigureAwait(false);
    }

    private const int DetailLimit = 512;

    /// <summary>The page's text when every endpoint fails the route's health checks and the route does not panic.</summary>
    public static string FailingHealthChecksMessage(string host) => $"the upstreams of {host} are failing health checks";

    /// <summary>The gateway's own account of a failed tunnel open when there is one, else the innermost cause.</summary>
    private static string Describe(Exception exception)
        => Find<TunnelOpenFailedException>(exception)?.Message ?? exception.GetBaseException().Message;

    private static (int Status, string Message) Classify(IForwarderErrorFeature error, int yarpStatus, string host, bool usesTunnel)
    {
        if (Find<NoTunnelEndpointException>(error.Exception) is { FailingHealthChecks: true })
            return (StatusCodes.Status503ServiceUnavailable, FailingHealthChecksMessage(host));
        if (error.Error == ForwarderError.NoAvailableDestinations || Find<NoTunnelEndpointException>(error.Exception) is not null)
        {
            return (StatusCodes.Status503ServiceUnavailable, usesTunnel
                ? $"no upstream tunnel is connected for {host}"
                : $"no upstream is available for {host}");
        }
        if (error.Error is ForwarderError.RequestTimedOut or ForwarderError.UpgradeActivityTimeout || yarpStatus == StatusCodes.Status504GatewayTimeout)
            return (StatusCodes.Status504GatewayTimeout, $"the upstream of {host} did not answer in time");
        return (StatusCodes.Status502BadGateway, $"the upstream of {host} could not be reached");
    }

    private static T? Find<T>(Exception? exception) where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is T match)
                return match;
        }
        return null;
    }

    /// <summary>A route that is not public: the route's policy with the signed-in identity; answers the request itself when it may not go on.</summary>
    private async Task<bool> AuthorizeAsync(HttpContext context, string routeId)
    {
        var verdict = await _authorization.CheckAsync(context, routeId).ConfigureAwait(false);
        var host = GatewayErrorPages.HostOf(context);
        switch (verdict.Outcome)
        {
            case AccessOutcome.Allowed:
                return true;
            case AccessOutcome.SignInNotConfigured:
                await GatewayErrorPages.WriteAsync(context, StatusCodes.Status401Unauthorized,
                    $"{host} requires sign-in, and sign-in is not configured on this gateway.").ConfigureAwait(false);
                return false;
            case AccessOutcome.SignInRequired:
                var signInUrl = RouteAuthorization.SignInUrl(_signIn!, context.Request);
                // A browser navigating is sent to sign in; an API call or a form post cannot follow, so it gets 401 with the address.
                if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
                {
                    context.Response.Headers.CacheControl = "no-store";
                    context.Response.Redirect(signInUrl);
                    return false;
                }
                await GatewayErrorPages.WriteAsync(context, StatusCodes.Status401Unauthorized,
                    $"{host} requires sign-in: sign in at {signInUrl}").ConfigureAwait(false);
                return false;
            default:
                _logger.LogInformation("route {RouteId}: request {RequestId}: {User} denied -> 403: {Decision}",
                    routeId, GatewayErrorPages.RequestId(context), verdict.Session?.Email ?? verdict.Session?.Subject, verdict.Decision);
                await GatewayErrorPages.WriteAsync(context, StatusCodes.Status403Forbidden,
                    verdict.Session is { } who ? $"{who.Email ?? who.Subject} is not allowed to reach {host}." : $"access to {host} is denied.").ConfigureAwait(false);
                return false;
        }
    }

    private static bool IsPublic(IReadOnlyDictionary<string, string>? metadata)
        => metadata is not null && metadata.TryGetValue(ProxyMetadata.Public, out var value) && value == "true";
}
