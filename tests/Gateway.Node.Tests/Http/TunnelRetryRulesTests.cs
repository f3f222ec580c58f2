using System.Net.Http;
using Gateway.Config;
using Gateway.Node.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Node.Tests.Http;

/// <summary>When a request that failed on its tunnel is sent again: method, body, response and failure rules.</summary>
public sealed class TunnelRetryRulesTests
{
    private static readonly Exception NotOpened = new HttpRequestException("connect failed", new TunnelOpenFailedException("the ssh client refused the connection"));
    private static readonly Exception Gone = new HttpRequestException("connect failed", new TunnelEndpointGoneException("the tunnel closed"));
    private static readonly Exception Reset = new HttpRequestException("An error occurred while sending the request.", new IOException("the SSH connection ended"));

    [Theory]
    [InlineData("GET", true)]
    [InlineData("HEAD", true)]
    [InlineData("OPTIONS", true)]
    [InlineData("TRACE", true)]
    [InlineData("PUT", true)]
    [InlineData("DELETE", true)]
    [InlineData("POST", false)]
    [InlineData("PATCH", false)]
    [InlineData("CONNECT", false)]
    [InlineData("get", false)] // method names are case-sensitive (RFC 9110 §9.1): "get" is not GET
    public void Idempotent_methods_are_those_of_RFC_9110(string method, bool idempotent)
        => Assert.Equal(idempotent, TunnelRetryRules.IsIdempotent(method));

    [Theory]
    [InlineData(null, false, RequestBodyShape.None)]
    [InlineData(0L, true, RequestBodyShape.None)]
    [InlineData(1L, true, RequestBodyShape.Held)]
    [InlineData(65536L, true, RequestBodyShape.Held)]
    [InlineData(65537L, true, RequestBodyShape.Streaming)]
    [InlineData(null, true, RequestBodyShape.Streaming)] // chunked: unknown length
    public void Only_bodies_of_known_length_up_to_64_KiB_are_held(long? contentLength, bool canHaveBody, RequestBodyShape shape)
        => Assert.Equal(shape, TunnelRetryRules.BodyOf(contentLength, canHaveBody));

    [Fact]
    public void A_tunnel_that_did_not_open_means_the_request_was_not_sent()
    {
        Assert.Equal(TunnelFailureKind.NotSent, TunnelRetryRules.Classify(ForwarderError.Request, NotOpened));
        Assert.Equal(TunnelFailureKind.NotSent, TunnelRetryRules.Classify(ForwarderError.Request, Gone));
        Assert.Equal(TunnelFailureKind.InFlight, TunnelRetryRules.Classify(ForwarderError.Request, Reset));
        Assert.Equal(TunnelFailureKind.InFlight, TunnelRetryRules.Classify(ForwarderError.ResponseBodyDestination, Reset));
        Assert.Equal(TunnelFailureKind.InFlight, TunnelRetryRules.Classify(ForwarderError.RequestBodyDestination, Reset));
        // No endpoint at all: another attempt would find none either.
        Assert.Equal(TunnelFailureKind.Other, TunnelRetryRules.Classify(ForwarderError.Request, new HttpRequestException("x", new NoTunnelEndpointException("r"))));
        Assert.Equal(TunnelFailureKind.Other, TunnelRetryRules.Classify(ForwarderError.RequestTimedOut, new OperationCanceledException()));
        Assert.Equal(TunnelFailureKind.Other, TunnelRetryRules.Classify(ForwarderError.RequestCanceled, new OperationCanceledException()));
        Assert.Equal(TunnelFailureKind.Other, TunnelRetryRules.Classify(ForwarderError.RequestBodyClient, new IOException()));
        Assert.Equal(TunnelFailureKind.Other, TunnelRetryRules.Classify(ForwarderError.ResponseBodyClient, new IOException()));
    }

    [Theory]
    // idempotent, no body or a held body: retried after a reset, and when nothing was sent
    [InlineData("GET", RequestBodyShape.None, TunnelFailureKind.InFlight, true)]
    [InlineData("GET", RequestBodyShape.None, TunnelFailureKind.NotSent, true)]
    [InlineData("PUT", RequestBodyShape.Held, TunnelFailureKind.InFlight, true)]
    [InlineData("DELETE", RequestBodyShape.None, TunnelFailureKind.InFlight, true)]
    // not idempotent: only when the request never left the gateway
    [InlineData("POST", RequestBodyShape.Held, TunnelFailureKind.InFlight, false)]
    [InlineData("POST", RequestBodyShape.None, TunnelFailureKind.InFlight, false)]
    [InlineData("PATCH", RequestBodyShape.Held, TunnelFailureKind.InFlight, false)]
    [InlineData("POST", RequestBodyShape.Held, TunnelFailureKind.NotSent, true)]
    [InlineData("POST", RequestBodyShape.None, TunnelFailureKind.NotSent, true)]
    // a body the gateway no longer holds: never
    [InlineData("PUT", RequestBodyShape.Streaming, TunnelFailureKind.InFlight, false)]
    [InlineData("PUT", RequestBodyShape.Streaming, TunnelFailureKind.NotSent, false)]
    // timeouts, client errors, no endpoint: never
    [InlineData("GET", RequestBodyShape.None, TunnelFailureKind.Other, false)]
    public void Method_body_and_failure_decide(string method, RequestBodyShape body, TunnelFailureKind failure, bool retry)
        => Assert.Equal(retry, TunnelRetryRules.ShouldRetry(TunnelRetryPolicy.Idempotent, method, body, failure,
            responseStarted: false, clientGone: false, retriedBefore: false));

    [Fact]
    public void Never_after_the_response_started_after_the_client_left_or_a_second_time_or_when_the_route_says_never()
    {
        static bool Retry(TunnelRetryPolicy policy = TunnelRetryPolicy.Idempotent, bool started = false, bool gone = false, bool before = false)
            => TunnelRetryRules.ShouldRetry(policy, "GET", RequestBodyShape.None, TunnelFailureKind.NotSent, started, gone, before);

        Assert.True(Retry());
        Assert.False(Retry(started: true));
        Assert.False(Retry(gone: true));
        Assert.False(Retry(before: true));
        Assert.False(Retry(TunnelRetryPolicy.Never));
    }

    [Fact]
    public void Destination_ids_name_their_endpoint()
    {
        Assert.Equal("ssh-3-0a1b2c3d/https-app.example.com", ProxyConfigBuilder.EndpointOf("ssh-3-0a1b2c3d/https-app.example.com#1"));
        Assert.Equal(ProxyConfigBuilder.AnyEndpoint, ProxyConfigBuilder.EndpointOf("*#0"));
        Assert.Null(ProxyConfigBuilder.EndpointOf("to0-0")); // a direct route's destination
    }
}
