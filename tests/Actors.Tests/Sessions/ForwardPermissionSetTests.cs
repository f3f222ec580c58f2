using Gateway.Actors.Sessions;

namespace Gateway.Actors.Tests.Sessions;

public class ForwardPermissionSetTests
{
    private static readonly RouteAddress Https = new("https-route.example.com", RouteScheme.Https);
    private static readonly RouteAddress Ssh = new("box", RouteScheme.Ssh);

    [Fact]
    public void Port_zero_gets_a_virtual_port_in_range_and_replies_with_it()
    {
        var set = new ForwardPermissionSet();
        var result = set.Add("localhost", 0);
        Assert.True(result.Success);
        Assert.NotNull(result.ReplyPort);
        Assert.InRange(result.ReplyPort!.Value, 32768u, 65535u);
        Assert.Equal($"D {result.ReplyPort}", result.Permission!.PortLabel);
        Assert.Same(result.Permission, set.Match(Https));
        Assert.Same(result.Permission, set.Match(Ssh));
    }

    [Fact]
    public void Repeated_dynamic_requests_never_collide()
    {
        var set = new ForwardPermissionSet();
        var ports = Enumerable.Range(0, 100).Select(_ => set.Add("localhost", 0).ReplyPort!.Value).ToList();
        Assert.Equal(100, ports.Distinct().Count());
    }

    [Fact]
    public void Static_443_matches_only_the_https_route_of_that_exact_name_and_reports_no_port()
    {
        var set = new ForwardPermissionSet();
        var result = set.Add("https-route.example.com", 443);
        Assert.True(result.Success);
        Assert.Null(result.ReplyPort);
        Assert.Same(result.Permission, set.Match(Https));
        Assert.Null(set.Match(new RouteAddress("https-route.example.com", RouteScheme.Ssh)));
        Assert.Null(set.Match(new RouteAddress("HTTPS-route.example.com", RouteScheme.Https)));
    }

    [Fact]
    public void Literal_star_static_request_serves_the_wildcard_route()
    {
        var set = new ForwardPermissionSet();
        set.Add("*.example.com", 443);
        Assert.NotNull(set.Match(new RouteAddress("*.example.com", RouteScheme.Https)));
        Assert.Null(set.Match(new RouteAddress("a.example.com", RouteScheme.Https)));
    }

    [Fact]
    public void Other_ports_are_accepted_but_inert_with_an_explanation()
    {
        var set = new ForwardPermissionSet();
        var result = set.Add("https-route.example.com", 8080);
        Assert.True(result.Success);
        Assert.Contains("matches no route", result.Message);
        Assert.Null(set.Match(Https));
    }

    [Fact]
    public void Duplicates_are_refused_with_the_documented_message()
    {
        var set = new ForwardPermissionSet();
        set.Add("route.example.com", 443);
        var duplicate = set.Add("route.example.com", 443);
        Assert.False(duplicate.Success);
        Assert.Equal("received duplicate port forward request (host: route.example.com, port: 443)", duplicate.Message);
    }

    [Fact]
    public void At_most_128_requests_per_connection()
    {
        var set = new ForwardPermissionSet();
        for (var i = 0; i < ForwardPermissionSet.MaxEntries; i++) Assert.True(set.Add("localhost", 0).Success);
        var refused = set.Add("localhost", 0);
        Assert.False(refused.Success);
        Assert.Equal("exceeded maximum allowed port-forward requests", refused.Message);
    }

    [Fact]
    public void First_matching_request_in_order_binds_the_route()
    {
        var set = new ForwardPermissionSet();
        var first = set.Add("https-*", 0).Permission;
        set.Add("localhost", 0);
        Assert.Same(first, set.Match(Https));
    }

    [Fact]
    public void Cancel_needs_the_exact_pattern_and_the_server_port_and_frees_the_route()
    {
        var set = new ForwardPermissionSet();
        var port = set.Add("https-*", 0).ReplyPort!.Value;
        Assert.Null(set.Cancel("https-**", port));
        Assert.Null(set.Cancel("https-*", 0));
        Assert.NotNull(set.Cancel("https-*", port));
        Assert.Null(set.Match(Https));
        Assert.Empty(set.Permissions);
    }

    [Fact]
    public void Mismatch_hints_follow_the_request_shape()
    {
        var set = new ForwardPermissionSet();
        var staticLocal = set.Add("localhost", 443).Permission!;
        var d1 = MismatchDiagnostic.ForStaticExpectingDynamic(staticLocal, Https, "127.0.0.1:8080");
        Assert.Equal(MismatchDiagnostic.ExpectingDynamic, d1.Message);
        Assert.Equal(["request port 0 instead of 443 (ex: '-R 0')", "or, specify a local host:port (ex: '-R 443:127.0.0.1:8080')"], d1.Hints);

        var dynamicWild = set.Add("https-*", 0).Permission!;
        var d2 = MismatchDiagnostic.ForDynamicExpectingStatic(dynamicWild, Https, "127.0.0.1:8080");
        Assert.Equal(MismatchDiagnostic.ExpectingStatic, d2.Message);
        Assert.Equal(["when requesting port 0, do not specify a local host:port (ex: '-R https-*:0')"], d2.Hints);
        Assert.StartsWith("warning: ssh client may be expecting static port-forwarding\n   hint: ", d2.Render());
    }
}
