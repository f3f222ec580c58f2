using Gateway.Node.Http;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Gateway.Node.Balancing;

/// <summary>
/// YARP's passive health policy for tunnel routes: feeds each proxied request's outcome on the
/// destination YARP picked to <see cref="TunnelOutlierDetection"/>. A failure to open the tunnel is
/// not counted here: the dialer counts it for the endpoint it really tried (it may have moved on
/// from YARP's pick). Requests the client abandoned, timeouts and the stand-in destinations say
/// nothing about one endpoint and are not counted.
/// </summary>
public sealed class TunnelPassiveHealthPolicy(TunnelOutlierDetection outliers) : IPassiveHealthCheckPolicy
{
    public const string PolicyName = "GatewayOutlierDetection";

    public string Name => PolicyName;

    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(destination);
        var endpoint = ProxyConfigBuilder.EndpointOf(destination.DestinationId);
        if (endpoint is null || endpoint == ProxyConfigBuilder.AnyEndpoint || context.RequestAborted.IsCancellationRequested)
            return;
        if (context.Features.Get<IForwarderErrorFeature>() is { } error)
        {
            if (TunnelRetryRules.Classify(error.Error, error.Exception) == TunnelFailureKind.InFlight)
                outliers.UpstreamFailure(cluster.ClusterId, destination.DestinationId, $"{error.Error}: {error.Exception?.GetBaseException().Message}");
            return;
        }
        var status = context.Response.StatusCode;
        if (status is StatusCodes.Status502BadGateway or StatusCodes.Status503ServiceUnavailable or StatusCodes.Status504GatewayTimeout)
            outliers.UpstreamFailure(cluster.ClusterId, destination.DestinationId, $"the upstream answered {status}");
        else
            outliers.UpstreamSuccess(cluster.ClusterId, destination.DestinationId);
    }
}
