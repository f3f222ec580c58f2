using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Node.Http;

/// <summary>
/// First step of the proxy pipeline: refuses routes that need sign-in (not configured yet), and
/// after forwarding turns a failure into the right status and a page while nothing has been
/// sent: 503 when no tunnel is connected, 504 on upstream timeout, 502 otherwise.
/// </summary>
public sealed class GatewayProxyMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ILogger<GatewayProxyMiddleware> _logger;

    public GatewayProxyMiddleware(RequestDelegate next, ILogger<GatewayProxyMiddleware> logger)
    {
        _next = next;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var route = context.GetReverseProxyFeature().Route.Config;
        if (!IsPublic(route.Metadata))
        {
            await GatewayErrorPages.WriteAsync(context, StatusCodes.Status401Unauthorized,
                $"{GatewayErrorPages.HostOf(context)} requires sign-in, and sign-in is not configured on this gateway.").ConfigureAwait(false);
            return;
        }

        await _next(context).ConfigureAwait(false);

        var error = context.Features.Get<IForwarderErrorFeature>();
        if (error is null || context.Response.HasStarted)
            return;

        var host = GatewayErrorPages.HostOf(context);
        // The route timeout cancels RequestAborted, which YARP reports as a client cancel.
        if (context.Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested == true)
        {
            _logger.LogInformation("route {RouteId}: request timeout -> 504", route.RouteId);
            await GatewayErrorPages.WriteAsync(context, StatusCodes.Status504GatewayTimeout,
                $"the upstream of {host} did not answer in time", CancellationToken.None).ConfigureAwait(false);
            return;
        }
        if (context.RequestAborted.IsCancellationRequested)
            return;

        var usesTunnel = route.Metadata is { } m && m.TryGetValue(ProxyMetadata.UsesTunnel, out var t) && t == "true";
        var (status, message) = Classify(error, context.Response.StatusCode, host, usesTunnel);
        // Expected conditions (no tunnel, refused, upstream down): one line, the cause's message, no stack trace.
        if (error.Exception?.GetBaseException().Message is { } detail)
            _logger.LogInformation("route {RouteId}: {Error} -> {Status}: {Detail}", route.RouteId, error.Error, status, detail);
        else
            _logger.LogInformation("route {RouteId}: {Error} -> {Status}", route.RouteId, error.Error, status);
        await GatewayErrorPages.WriteAsync(context, status, message).ConfigureAwait(false);
    }

    private static (int Status, string Message) Classify(IForwarderErrorFeature error, int yarpStatus, string host, bool usesTunnel)
    {
        if (error.Error == ForwarderError.NoAvailableDestinations || Find<NoTunnelEndpointException>(error.Exception) is not null)
        {
            return (StatusCodes.Status503ServiceUnavailable, usesTunnel
                ? $"no upstream tunnel is connected for {host}"
                : $"no upstream is available for {host}");
        }
        if (error.Error is ForwarderError.RequestTimedOut or ForwarderError.UpgradeActivityTimeout || yarpStatus == StatusCodes.Status504GatewayTimeout)
            return (StatusCodes.Status504GatewayTimeout, $"the upstream of {host} did not answer in time");
        if (Find<TunnelOpenFailedException>(error.Exception) is { } refused)
            return (StatusCodes.Status502BadGateway, $"the upstream tunnel for {host} could not be opened: {refused.Message}");
        return (StatusCodes.Status502BadGateway, $"the upstream of {host} failed: {error.Error}");
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

    private static bool IsPublic(IReadOnlyDictionary<string, string>? metadata)
        => metadata is not null && metadata.TryGetValue(ProxyMetadata.Public, out var value) && value == "true";
}
