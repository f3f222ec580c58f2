using Gateway.Config;
using Gateway.Node.Balancing;
using Gateway.Node.Routing;
using Gateway.Ssh;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Node.Http;

/// <summary>
/// Proxy-pipeline step for tunnel routes, between the error pages and load balancing:
/// <list type="bullet">
/// <item>A route whose proxy view has no destination (the view follows the endpoint table about
/// 50 ms behind, and health may leave it empty) is given <see cref="ProxyConfigBuilder.AnyEndpointDestinations"/>,
/// so the dialer serves it from the table and answers 503 only when the table lists no endpoint
/// health allows either; when the route's endpoints all fail their health checks and it does not
/// panic (<c>healthy_panic_threshold = 0</c>), 503 at once, without a dial.</item>
/// <item>A request that failed on its tunnel before any response byte went out is, when
/// <see cref="TunnelRetryRules"/> allows, sent once more on another endpoint: YARP's pipeline
/// (load balancing and the forwarder) runs again with the failed endpoint's destinations left out
/// and the dialer told not to fall back to it. Bodies of up to 64 KiB are buffered for this as they
/// are forwarded.</item>
/// </list>
/// </summary>
public sealed class TunnelRetryMiddleware
{
    private const string FailedEndpointItem = "gateway.retry.failed-endpoint";

    private readonly RequestDelegate _next;
    private readonly RouteTable _routes;
    private readonly ProxyConfigBuilder _proxy;
    private readonly ProxyRetryCounters _counters;
    private readonly RouteHealthView _health;
    private readonly ILogger<TunnelRetryMiddleware> _logger;

    public TunnelRetryMiddleware(RequestDelegate next, RouteTable routes, ProxyConfigBuilder proxy, ProxyRetryCounters counters, RouteHealthView health,
        ILogger<TunnelRetryMiddleware> logger)
    {
        _health = health;
        _next = next;
        _routes = routes;
        _proxy = proxy;
        _counters = counters;
        _logger = logger;
    }

    /// <summary>The endpoint a retried request failed on, for the dialer (null on a first attempt).</summary>
    public static string? FailedEndpoint(HttpContext context)
        => context.Items.TryGetValue(FailedEndpointItem, out var value) ? value as string : null;

    public async Task InvokeAsync(HttpContext context)
    {
        var feature = context.GetReverseProxyFeature();
        var route = _routes.Find(feature.Route.Config.RouteId);
        if (route is null || !route.UsesTunnel)
        {
            await _next(context).ConfigureAwait(false);
            return;
        }

        if (feature.AvailableDestinations.Count == 0)
        {
            // Fail fast: every endpoint fails its checks and the route does not panic. No dial.
            if (_health.IsFailingHealthChecks(route.Id))
            {
                _logger.LogInformation("route {RouteId}: request {RequestId}: every endpoint is failing its health checks -> 503",
                    route.Id, GatewayErrorPages.RequestId(context));
                await GatewayErrorPages.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                    GatewayProxyMiddleware.FailingHealthChecksMessage(GatewayErrorPages.HostOf(context))).ConfigureAwait(false);
                return;
            }
            feature.AvailableDestinations = _proxy.AnyEndpointDestinations(route.Id);
        }
        // Load balancing narrows the list to its pick; a retry chooses again from the rest.
        var candidates = feature.AvailableDestinations;
        var policy = route.RetryOnTunnelFailure;
        var body = TunnelRetryRules.BodyOf(context.Request);
        if (policy != TunnelRetryPolicy.Never && body == RequestBodyShape.Held)
            context.Request.EnableBuffering(TunnelRetryRules.MaxHeldBody, TunnelRetryRules.MaxHeldBody);

        await _next(context).ConfigureAwait(false);

        if (context.Features.Get<IForwarderErrorFeature>() is not { } error)
            return;
        var failure = TunnelRetryRules.Classify(error.Error, error.Exception);
        if (!TunnelRetryRules.ShouldRetry(policy, context.Request.Method, body, failure,
                context.Response.HasStarted, context.RequestAborted.IsCancellationRequested, retriedBefore: false))
            return;

        var failedEndpoint = feature.ProxiedDestination is { } failed ? ProxyConfigBuilder.EndpointOf(failed.DestinationId) : null;
        IReadOnlyList<DestinationState> others = [.. candidates.Where(d => ProxyConfigBuilder.EndpointOf(d.DestinationId) != failedEndpoint)];
        if (others.Count == 0 && failedEndpoint != ProxyConfigBuilder.AnyEndpoint)
            others = _proxy.AnyEndpointDestinations(route.Id);
        if (others.Count == 0)
            return;

        var firstStatus = context.Response.StatusCode;

        context.Features.Set<IForwarderErrorFeature>(null);
        context.Response.Clear();
        if (body == RequestBodyShape.Held)
            context.Request.Body.Position = 0;
        if (failedEndpoint is not null && failedEndpoint != ProxyConfigBuilder.AnyEndpoint)
            context.Items[FailedEndpointItem] = failedEndpoint;
        feature.AvailableDestinations = others;
        feature.ProxiedDestination = null;

        await _next(context).ConfigureAwait(false);

        var second = context.Features.Get<IForwarderErrorFeature>();
        if (second is not null && IsNoEndpoint(second.Exception) && !context.Response.HasStarted)
        {
            // The stand-in found no endpoint but the failed one: nothing was sent again, and the
            // client hears of the first failure (a refused tunnel is a 502, not "no tunnel").
            context.Features.Set(error);
            context.Response.Clear();
            context.Response.StatusCode = firstStatus;
            return;
        }
        _counters.RetryAttempted();
        if (second is null)
            _counters.RetrySucceeded();
        // One line per retry, after it: a failed second attempt adds the usual status line.
        _logger.LogInformation("route {RouteId}: request {RequestId}: {Method} failed on endpoint {Endpoint} before any response byte ({Error}: {Reason}); sent again on another endpoint: {Outcome}",
            route.Id, GatewayErrorPages.RequestId(context), context.Request.Method, failedEndpoint ?? "?", error.Error,
            PeerText.Sanitize(error.Exception?.GetBaseException().Message ?? "no detail", 512), second is null ? "answered" : "failed too");
    }

    private static bool IsNoEndpoint(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is NoTunnelEndpointException) return true;
        }
        return false;
    }
}
