using System.Net;
using Gateway.Ssh;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Node.Http;

/// <summary>
/// The headers that tell an upstream who the client was. A client can write any of them, so they
/// are believed only from a peer in <c>trusted_proxies</c> (a load balancer in front of the
/// gateway): from such a peer X-Forwarded-For/-Proto/-Host/-Prefix are appended to, Forwarded is
/// kept, and X-Real-IP is kept (set to the peer when absent). From any other peer, which by default
/// is every peer, the X-Forwarded-* headers are replaced by what the gateway saw, X-Real-IP is the
/// peer's address and Forwarded is removed. YARP's own defaults replace X-Forwarded-* for every
/// peer and remove Forwarded, but pass X-Real-IP through; this transform takes their place.
/// </summary>
public sealed class ForwardedHeadersTransform : RequestTransform
{
    public const string RealIpHeader = "X-Real-IP";
    public const string ForwardedHeader = "Forwarded";

    private readonly IReadOnlyList<IPNetwork> _trustedProxies;
    private readonly RequestTransform[] _set = XForwarded(ForwardedTransformActions.Set);
    private readonly RequestTransform[] _append = XForwarded(ForwardedTransformActions.Append);

    public ForwardedHeadersTransform(IReadOnlyList<IPNetwork> trustedProxies)
    {
        _trustedProxies = trustedProxies;
    }

    public override async ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var peer = context.HttpContext.Connection.RemoteIpAddress;
        var trusted = peer is not null && IsTrusted(peer);
        foreach (var transform in trusted ? _append : _set)
            await transform.ApplyAsync(context).ConfigureAwait(false);

        var headers = context.ProxyRequest.Headers;
        if (trusted && headers.Contains(RealIpHeader))
            return;
        headers.Remove(RealIpHeader);
        if (!trusted)
            headers.Remove(ForwardedHeader);
        if (peer is not null)
            headers.TryAddWithoutValidation(RealIpHeader, (peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer).ToString());
    }

    private bool IsTrusted(IPAddress peer)
    {
        foreach (var network in _trustedProxies)
        {
            if (network.ContainsPeer(peer))
                return true;
        }
        return false;
    }

    private static RequestTransform[] XForwarded(ForwardedTransformActions action) =>
    [
        new RequestHeaderXForwardedForTransform("X-Forwarded-For", action),
        new RequestHeaderXForwardedProtoTransform("X-Forwarded-Proto", action),
        new RequestHeaderXForwardedHostTransform("X-Forwarded-Host", action),
        new RequestHeaderXForwardedPrefixTransform("X-Forwarded-Prefix", action),
    ];
}
