using System.Net;

namespace Gateway.Ssh.Tests;

/// <summary>
/// The two readings of an address list: OpenSSH's (certificate source-address; more in
/// HandBuiltCertificateTests) and Go's (policy source_ip; more in Policy.Tests' SourceIpTests).
/// </summary>
public sealed class IPNetworksTests
{
    [Theory]
    [InlineData("10.1.2.0/24", "10.1.2.0/24")]
    [InlineData("192.0.2.5", "192.0.2.5/32")]
    [InlineData("2001:db8::/32", "2001:db8::/32")]
    [InlineData("2001:db8::1", "2001:db8::1/128")]
    [InlineData("::ffff:10.0.0.7", "::ffff:10.0.0.7/128")]
    public void Exact_reading_takes_networks_and_bare_addresses(string text, string expected)
    {
        Assert.True(IPNetworks.TryParseExact(text, out var network));
        Assert.Equal(IPNetwork.Parse(expected), network);
    }

    [Theory]
    [InlineData("10.1.2.3/24")] // host bits set
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.0/+8")]
    [InlineData("10/8")] // IPAddress.TryParse would take "10"
    [InlineData("0x0a.0.0.1")]
    [InlineData("fe80::1%eth0")]
    [InlineData("")]
    public void Exact_reading_refuses(string text) => Assert.False(IPNetworks.TryParseExact(text, out _));

    [Theory]
    [InlineData("10.1.2.3/8", "10.0.0.0/8")]
    [InlineData("::ffff:10.0.0.7", "10.0.0.7/32")]
    [InlineData("::ffff:10.0.0.0/104", "::ffff:10.0.0.0/104")]
    public void Masked_reading_clears_host_bits_and_unmaps_a_bare_address(string text, string expected)
    {
        Assert.True(IPNetworks.TryParseMasked(text, out var network));
        Assert.Equal(IPNetwork.Parse(expected), network);
    }

    [Theory]
    [InlineData("10.0.0.0/8", "::ffff:10.9.8.7", true)]
    [InlineData("10.0.0.0/8", "10.9.8.7", true)]
    [InlineData("::ffff:10.0.0.0/104", "::ffff:10.9.8.7", false)] // the peer is taken as IPv4
    [InlineData("0.0.0.0/0", "2001:db8::1", false)]
    public void A_mapped_peer_is_matched_as_ipv4(string network, string peer, bool expected) =>
        Assert.Equal(expected, IPNetwork.Parse(network).ContainsPeer(IPAddress.Parse(peer)));
}
