using Gateway.Config;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Node.Http;

/// <summary>What the gateway holds of a request's body, which decides whether it can send it twice.</summary>
public enum RequestBodyShape
{
    /// <summary>No body (or Content-Length: 0).</summary>
    None,

    /// <summary>A body of known length up to <see cref="TunnelRetryRules.MaxHeldBody"/>: buffered as it is forwarded, so it can be sent again.</summary>
    Held,

    /// <summary>Chunked, unknown length or larger: streamed through and gone once read; such a request is never sent twice.</summary>
    Streaming,
}

/// <summary>How a forwarded request failed, as far as a retry cares.</summary>
public enum TunnelFailureKind
{
    /// <summary>The tunnel did not open: the request never left the gateway (safe for any method).</summary>
    NotSent,

    /// <summary>The connection through the tunnel broke after the request may have reached the upstream (a reset, a closed channel).</summary>
    InFlight,

    /// <summary>Anything else: timeouts, the client going away, no endpoint at all, errors of the gateway itself.</summary>
    Other,
}

/// <summary>
/// The one place that decides whether a failed request is sent again on another endpoint
/// (<c>retry_on_tunnel_failure</c>). A request is retried at most once, never after a byte of the
/// response went to the client, never with a body the gateway no longer holds; a request that
/// reached the tunnel is retried only for idempotent methods (RFC 9110 §9.2.2), one that never
/// left the gateway for any method. Timeouts are not retried: the route's timeout is the client's
/// budget for the whole request, not for each attempt.
/// </summary>
public static class TunnelRetryRules
{
    /// <summary>The largest request body the gateway keeps for a second attempt (64 KiB, in memory).</summary>
    public const int MaxHeldBody = 64 * 1024;

    /// <summary>GET, HEAD, OPTIONS, TRACE, PUT and DELETE (RFC 9110 §9.2.2); method names are case-sensitive.</summary>
    public static bool IsIdempotent(string method) => method is "GET" or "HEAD" or "OPTIONS" or "TRACE" or "PUT" or "DELETE";

    /// <param name="contentLength">The request's Content-Length, null when absent (chunked or HTTP/2 without one).</param>
    /// <param name="canHaveBody">The server's verdict (<c>IHttpRequestBodyDetectionFeature.CanHaveBody</c>).</param>
    public static RequestBodyShape BodyOf(long? contentLength, bool canHaveBody)
    {
        if (!canHaveBody || contentLength == 0) return RequestBodyShape.None;
        return contentLength is { } length && length <= MaxHeldBody ? RequestBodyShape.Held : RequestBodyShape.Streaming;
    }

    /// <summary>Classifies YARP's error and its exception (the tunnel layer's exceptions travel inside SocketsHttpHandler's).</summary>
    public static TunnelFailureKind Classify(ForwarderError error, Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            // The connect callback failed: SocketsHttpHandler sends nothing before it has a connection.
            if (e is TunnelOpenFailedException or TunnelEndpointGoneException) return TunnelFailureKind.NotSent;
            if (e is NoTunnelEndpointException) return TunnelFailureKind.Other;
        }
        return error is ForwarderError.Request or ForwarderError.RequestBodyDestination or ForwarderError.ResponseBodyDestination
            ? TunnelFailureKind.InFlight
            : TunnelFailureKind.Other;
    }

    /// <summary>Whether to send the request again, on another endpoint, after it failed as <paramref name="failure"/>.</summary>
    public static bool ShouldRetry(TunnelRetryPolicy policy, string method, RequestBodyShape body, TunnelFailureKind failure,
        bool responseStarted, bool clientGone, bool retriedBefore)
    {
        if (policy == TunnelRetryPolicy.Never || retriedBefore || responseStarted || clientGone) return false;
        if (body == RequestBodyShape.Streaming) return false;
        return failure switch
        {
            TunnelFailureKind.NotSent => true,
            TunnelFailureKind.InFlight => IsIdempotent(method),
            _ => false,
        };
    }

    /// <summary>The body shape of a request as the server sees it.</summary>
    public static RequestBodyShape BodyOf(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var canHaveBody = request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>()?.CanHaveBody
            ?? (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0);
        return BodyOf(request.ContentLength, canHaveBody);
    }
}
