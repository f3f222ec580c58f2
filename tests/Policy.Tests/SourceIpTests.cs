using System.Net;
using static Gateway.Policy.Tests.PolicyTestData;

namespace Gateway.Policy.Tests;

public class SourceIpTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.255.255.255", true)]
    [InlineData("10.0.0.0/8", "11.0.0.0", false)]
    [InlineData("192.168.16.0/20", "192.168.31.254", true)]
    [InlineData("192.168.16.0/20", "192.168.32.1", false)]
    [InlineData("192.168.16.0/20", "192.168.15.255", false)]
    [InlineData("10.1.2.3/8", "10.200.0.1", true)] // host bits are cleared, as Go's ParseCIDR does
    [InlineData("203.0.113.7", "203.0.113.7", true)]
    [InlineData("203.0.113.7", "203.0.113.8", false)]
    [InlineData("203.0.113.7/32", "203.0.113.7", true)]
    [InlineData("0.0.0.0/0", "198.51.100.1", true)]
    [InlineData("0.0.0.0/0", "2001:db8::1", false)] // a v4 range never matches a v6 address
    [InlineData("10.0.0.0/8", "::ffff:10.9.8.7", true)] // dual-stack sockets report mapped v4
    [InlineData("2001:db8::/32", "2001:db8:1234::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("2001:db8:abcd:12::/63", "2001:db8:abcd:13:ffff::1", true)]
    [InlineData("2001:db8:abcd:12::/63", "2001:db8:abcd:14::1", false)]
    [InlineData("::1", "::1", true)]
    [InlineData("::1", "127.0.0.1", false)]
    [InlineData("::/0", "fe80::1", true)]
    [InlineData("::/0", "10.0.0.1", false)]
    [InlineData("::ffff:10.0.0.0/104", "10.3.3.3", false)] // as Go: a mapped CIDR stays IPv6
    [InlineData("::ffff:10.0.0.7", "10.0.0.7", true)] // as Go: a bare mapped address is IPv4
    public void Cidr_and_address(string rule, string address, bool expected)
    {
        var input = AnonymousHttp with { SourceIp = IPAddress.Parse(address) };
        Assert.Equal(expected, Admits(Single("source_ip", Q(rule)), input));
    }

    [Fact]
    public void List_matches_any_entry_and_empty_list_matches_nothing()
    {
        var input = AnonymousHttp with { SourceIp = IPAddress.Parse("2001:db8::5") };
        Assert.True(Admits(Single("source_ip", """["10.0.0.0/8","2001:db8::/64"]"""), input));
        Assert.False(Admits(Single("source_ip", """["10.0.0.0/8","192.0.2.0/24"]"""), input));
        Assert.False(Admits(Single("source_ip", "[]"), input));
    }
}
