using Gateway.Node.Http;
using Gateway.Node.Tests.Http.Support;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Node.Tests.Http;

public sealed class MisdirectedRequestCheckTests
{
    private readonly MisdirectedRequestCheck _check = new(
        Routes.Table([Routes.Public("a", "a.test", "http://127.0.0.1:1"), Routes.Public("b", "b.test", "http://127.0.0.1:2")]),
        new ServiceCollection().BuildServiceProvider());

    private static HttpContext Request(string? serverName, string host)
    {
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString(host);
        context.Features.Set<ITlsHandshakeFeature>(new Handshake(serverName));
        return context;
    }

    [Fact]
    public void A_server_name_of_another_route_or_of_no_route_is_misdirected()
    {
        Assert.Null(_check.Check(Request("a.test", "a.test"), "a"));
        Assert.Contains("matches no route", _check.Check(Request("c.test", "a.test"), "a"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void No_server_name_or_an_address_literal_is_not_checked(string? serverName)
    {
        // RFC 6066 §3 allows no address literals in SNI; some clients (wrk) send one anyway for
        // https://127.0.0.1/...: such a connection names no host, as one without SNI.
        Assert.Null(_check.Check(Request(serverName, "a.test"), "a"));
    }

    private sealed class Handshake(string? hostName) : ITlsHandshakeFeature
    {
        public string HostName => hostName ?? "";
        public System.Security.Authentication.SslProtocols Protocol => System.Security.Authentication.SslProtocols.Tls13;
        public System.Net.Security.TlsCipherSuite? NegotiatedCipherSuite => null;
        public System.Security.Authentication.CipherAlgorithmType CipherAlgorithm => default;
        public int CipherStrength => 0;
        public System.Security.Authentication.HashAlgorithmType HashAlgorithm => default;
        public int HashStrength => 0;
        public System.Security.Authentication.ExchangeAlgorithmType KeyExchangeAlgorithm => default;
        public int KeyExchangeStrength => 0;
    }
}
