using Gateway.Policy;
using Gateway.Config;

namespace Gateway.Config.Tests;

public class ValueParsingTests
{
    private static RouteConfig OneRoute(string hocon) =>
        Assert.Single(GatewayConfigLoader.Parse(hocon, "/base", ConfigAssert.NoEnv).Routes);

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("500ms", 500)]
    [InlineData("0.5s", 500)]
    [InlineData("1h", 3_600_000)]
    [InlineData("2h45m", 9_900_000)]
    [InlineData("1500us", 1.5)]
    [InlineData("30 seconds", 30_000)]
    [InlineData("10 ms", 10)]
    [InlineData("2 minutes", 120_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("0", 0)]
    public void DurationsInPomeriumAndHoconStyle(string text, double milliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("30")]
    [InlineData("-5s")]
    [InlineData("5 parsecs")]
    [InlineData("s")]
    [InlineData("1.2.3s")]
    [InlineData("")]
    public void DurationsRejected(string text) => Assert.False(DurationParser.TryParse(text, out _));

    [Fact]
    public void TrustedProxiesAreAddressesAndRangesAndDefaultToNone()
    {
        Assert.Empty(GatewayConfigLoader.Parse("", "/base", ConfigAssert.NoEnv).TrustedProxies);
        var config = GatewayConfigLoader.Parse("trusted_proxies = [\"10.0.0.0/8\", \"192.0.2.7\", \"2001:db8::/32\"]", "/base", ConfigAssert.NoEnv);
        Assert.Equal(["10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32"], config.TrustedProxies.Select(n => n.ToString()));
    }

    [Fact]
    public void RouteDurationsFromConfig()
    {
        var route = OneRoute(ConfigAssert.Route("timeout = 1m30s\nidle_timeout = \"500ms\""));
        Assert.Equal(TimeSpan.FromSeconds(90), route.Timeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), route.IdleTimeout);
    }

    [Fact]
    public void RetryOnTunnelFailureDefaultsToIdempotentAndTakesNever()
    {
        const string tunnel = "upstream_tunnel { ssh_policy { allow { or = [{ accept = true }] } } }";
        Assert.Equal(TunnelRetryPolicy.Idempotent, OneRoute(ConfigAssert.Route(tunnel)).RetryOnTunnelFailure);
        Assert.Equal(TunnelRetryPolicy.Idempotent, OneRoute(ConfigAssert.Route("retry_on_tunnel_failure = idempotent\n" + tunnel)).RetryOnTunnelFailure);
        Assert.Equal(TunnelRetryPolicy.Never, OneRoute(ConfigAssert.Route("retry_on_tunnel_failure = \"never\"\n" + tunnel)).RetryOnTunnelFailure);
    }

    [Fact]
    public void HealthyPanicThresholdDefaultsToEnvoys50AndTakesIntegersAndDecimals()
    {
        Assert.Equal(50, OneRoute(ConfigAssert.Route("")).HealthyPanicThreshold);
        Assert.Equal(0, OneRoute(ConfigAssert.Route("healthy_panic_threshold = 0")).HealthyPanicThreshold);
        Assert.Equal(100, OneRoute(ConfigAssert.Route("healthy_panic_threshold = 100")).HealthyPanicThreshold);
        Assert.Equal(33.3, OneRoute(ConfigAssert.Route("healthy_panic_threshold = 33.3")).HealthyPanicThreshold);
        // Accepted without health_checks, as Pomerium does (it has no effect there).
        Assert.Empty(OneRoute(ConfigAssert.Route("healthy_panic_threshold = 0")).HealthChecks);
    }

    [Fact]
    public void HealthCheckPayloadsThatFitTheBufferAreAccepted()
    {
        var route = OneRoute(ConfigAssert.Route("health_checks = [{ timeout = 1s, interval = 10s, unhealthy_threshold = 1, healthy_threshold = 1, http_health_check = { path = \"/\", response_buffer_size = 0, receive = [{ binary = \"" + Convert.ToBase64String(new byte[2048]) + "\" }], request_headers_to_remove = [\"user-agent\"] } }]"));
        Assert.Equal(0, route.HealthChecks[0].Http!.ResponseBufferSize);
        Assert.Equal(["user-agent"], route.HealthChecks[0].Http!.RequestHeadersToRemove);
    }

    [Fact]
    public void WeightSyntaxIsParsed()
    {
        var route = OneRoute(ConfigAssert.Route(to: "[\"http://a.internal:8080,3\", \"https://b.internal/path\", \"http://c.internal:9000, 1\"]"));
        Assert.Collection(route.To,
            t =>
            {
                Assert.Equal(new Uri("http://a.internal:8080"), t.Url);
                Assert.Equal(3, t.Weight);
                Assert.Equal(8080, t.EffectivePort);
            },
            t =>
            {
                Assert.Equal("https", t.Url.Scheme);
                Assert.Equal("/path", t.Url.AbsolutePath);
                Assert.Null(t.Weight);
                Assert.Equal(443, t.EffectivePort);
            },
            t =>
            {
                Assert.Equal("http", t.Url.Scheme);
                Assert.Equal(1, t.Weight);
                Assert.Equal(9000, t.EffectivePort);
            });
    }

    [Fact]
    public void H2cWeightSyntaxIsParsed()
    {
        // h2c cannot share a route with http or https (one HTTP/2-only client per route).
        var route = OneRoute(ConfigAssert.Route(to: "[\"h2c://c.internal:9000, 1\", \"h2c://d.internal\"]"));
        Assert.Collection(route.To,
            t =>
            {
                Assert.Equal("h2c", t.Url.Scheme);
                Assert.Equal(1, t.Weight);
                Assert.Equal(9000, t.EffectivePort);
            },
            t =>
            {
                Assert.Null(t.Weight);
                Assert.Equal(80, t.EffectivePort);
            });
    }

    [Fact]
    public void SingleStringTo()
    {
        var route = OneRoute(ConfigAssert.Route(to: "\"http://localhost:8080,2\""));
        var target = Assert.Single(route.To);
        Assert.Equal(2, target.Weight);
        Assert.Equal("localhost", target.Url.Host);
    }

    [Fact]
    public void WildcardFrom()
    {
        var route = OneRoute(ConfigAssert.Route(from: "https://*.Example.com"));
        Assert.True(route.From.IsWildcard);
        Assert.Equal("*.example.com", route.From.Host);
        Assert.Equal("https-wildcard.example.com", route.Id);
    }

    [Fact]
    public void FromWithPortAndDotsParses()
    {
        var route = OneRoute(ConfigAssert.Route(from: "https://a.b.example.com:8443"));
        Assert.Equal("a.b.example.com", route.From.Host);
        Assert.Equal(8443, route.From.Port);
        Assert.Equal("https-a.b.example.com-8443", route.Id);
    }

    [Fact]
    public void SshRoute()
    {
        var route = OneRoute(ConfigAssert.Route(from: "ssh://my-box", to: "\"ssh://localhost:22\"") + "");
        Assert.True(route.From.IsSsh);
        Assert.Equal("my-box", route.From.Host);
        Assert.Equal(22, Assert.Single(route.To).EffectivePort);
    }

    [Fact]
    public void ExplicitIdAndHostOptions()
    {
        var route = OneRoute(ConfigAssert.Route("""
            id = "my-route"
            preserve_host_header = true
            host_rewrite = "internal.example"
            host_rewrite_header = "X-Host"
            host_path_regex_rewrite_pattern = "^/(.+)/.+$"
            host_path_regex_rewrite_substitution = "\\1"
            allow_public_unauthenticated_access = yes
            """));
        Assert.Equal("my-route", route.Id);
        Assert.True(route.PreserveHostHeader);
        Assert.Equal("internal.example", route.HostRewrite);
        Assert.Equal("X-Host", route.HostRewriteHeader);
        Assert.Equal("^/(.+)/.+$", route.HostPathRegexRewritePattern);
        Assert.Equal("\\1", route.HostPathRegexRewriteSubstitution);
        Assert.True(route.AllowPublicUnauthenticatedAccess);
        Assert.False(route.TlsSkipVerify);
        Assert.Null(route.TlsUpstreamServerName);
    }

    [Fact]
    public void UpstreamPooledConnectionLifetime()
    {
        Assert.Equal(TimeSpan.FromMinutes(2), GatewayConfigLoader.Parse("", "/base").UpstreamPooledConnectionLifetime);
        Assert.Equal(TimeSpan.FromSeconds(45), GatewayConfigLoader.Parse("upstream_pooled_connection_lifetime = 45s", "/base").UpstreamPooledConnectionLifetime);
    }

    [Fact]
    public void UpstreamTlsOptions()
    {
        var route = OneRoute(ConfigAssert.Route("""
            tls_skip_verify = true
            tls_upstream_server_name = "backend.internal"
            """, to: "[\"https://10.0.0.5:8443\", \"https://10.0.0.6:8443\"]"));
        Assert.True(route.TlsSkipVerify);
        Assert.Equal("backend.internal", route.TlsUpstreamServerName);
        Assert.Equal(2, route.To.Count);
    }

    [Theory]
    [InlineData("allow_public_unauthenticated_acess", "allow_public_unauthenticated_access")]
    [InlineData("preserve-host-header", "preserve_host_header")]
    [InlineData("Timeout", "timeout")]
    [InlineData("upstream_tunel", "upstream_tunnel")]
    [InlineData("healthchecks", "health_checks")]
    public void UnknownKeySuggestsClosest(string typed, string expected)
    {
        var problem = ConfigAssert.HasProblem(ConfigAssert.Route($"{typed} = true"), $"routes[0].{typed}", "unknown key");
        Assert.Equal($"unknown key (did you mean `{expected}`?)", problem.Message);
    }

    [Fact]
    public void UnknownKeyWithoutCloseMatchHasNoSuggestion()
    {
        var problem = ConfigAssert.HasProblem(ConfigAssert.Route("session_recording = true"), "routes[0].session_recording", "unknown key");
        Assert.Equal("unknown key", problem.Message);
    }

    [Fact]
    public void PolicyTreeKeepsOrderKeysAndPaths()
    {
        var route = OneRoute(ConfigAssert.Route("""
            policy = [
              { allow { and = [{ email { is = "a@example.com" } }, { "claim/groups" { has = "admins" } }] } }
              { deny { or = [{ source_ip = "10.0.0.0/8" }, { http_method { in = ["POST", "PUT"] } }] } }
            ]
            """));
        var list = Assert.IsType<PolicyNode.List>(route.Policy);
        Assert.Equal(2, list.Items.Count);
        var allow = Assert.IsType<PolicyNode.Object>(((PolicyNode.Object)list.Items[0])["allow"]);
        var and = Assert.IsType<PolicyNode.List>(allow["and"]);
        Assert.Equal("routes[0].policy[0].allow.and", and.Path);
        var claim = Assert.IsType<PolicyNode.Object>(and.Items[1]);
        Assert.Equal("claim/groups", claim.Entries[0].Key);
        var has = Assert.IsType<PolicyNode.Scalar>(((PolicyNode.Object)claim.Entries[0].Value)["has"]);
        Assert.Equal(new PolicyNode.Scalar("admins", ScalarKind.String) { Path = has.Path }, has);
        var deny = Assert.IsType<PolicyNode.Object>(((PolicyNode.Object)list.Items[1])["deny"]);
        var methods = (PolicyNode.List)((PolicyNode.Object)((PolicyNode.Object)((PolicyNode.List)deny["or"]!).Items[1])["http_method"]!)["in"]!;
        Assert.Equal(["POST", "PUT"], methods.Items.Cast<PolicyNode.Scalar>().Select(s => s.Text));
    }

    [Fact]
    public void PolicyTreesCompareStructurally()
    {
        const string policy = "policy { allow { or = [{ email { is = \"a@b.c\" } }] } }";
        var a = OneRoute(ConfigAssert.Route(policy)).Policy;
        var b = OneRoute(ConfigAssert.Route(policy, from: "https://other.example.com")).Policy;
        Assert.Equal(a, b);
        Assert.NotEqual(a, OneRoute(ConfigAssert.Route(policy.Replace("a@b.c", "x@b.c"))).Policy);
    }

    [Fact]
    public void UpstreamTunnelWithoutPolicyIsKeptAsEmpty()
    {
        var route = OneRoute(ConfigAssert.Route("upstream_tunnel {}"));
        Assert.NotNull(route.UpstreamTunnel);
        Assert.Null(route.UpstreamTunnel!.SshPolicy);
    }

    [Fact]
    public void HealthChecksParsed()
    {
        var route = OneRoute(ConfigAssert.Route("""
            health_checks = [
              {
                http_health_check = {
                  path = "/health"
                  expected_statuses = [{ start = 200, end = 300 }]
                  codec_client_type = HTTP2
                }
                timeout = 0.5s
                interval = 10s
                unhealthy_threshold = 1
                healthy_threshold = 2
                always_log_health_check_success = true
                always_log_health_check_failures = true
              }
              { grpc_health_check = {}, timeout = 1s, interval = 5s, unhealthy_threshold = 3, healthy_threshold = 1 }
              {
                tcp_health_check = { send = { text = "0001ff" }, receive = [{ binary = "aGk=" }] }
                timeout = 1s
                interval = 5s
                unhealthy_threshold = 3
                healthy_threshold = 1
              }
            ]
            """));
        Assert.Equal(3, route.HealthChecks.Count);
        var http = route.HealthChecks[0];
        Assert.Equal(TimeSpan.FromMilliseconds(500), http.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(10), http.Interval);
        Assert.Equal(2, http.HealthyThreshold);
        Assert.True(http.AlwaysLogHealthCheckSuccess);
        Assert.Equal("/health", http.Http!.Path);
        Assert.Equal(HealthCheckCodec.Http2, http.Http.CodecClientType);
        var range = Assert.Single(http.Http.ExpectedStatuses);
        Assert.True(range.Contains(200) && range.Contains(299) && !range.Contains(300));
        Assert.NotNull(route.HealthChecks[1].Grpc);
        var tcp = route.HealthChecks[2].Tcp!;
        Assert.Equal(new byte[] { 0, 1, 0xff }, tcp.Send!.Bytes);
        Assert.Equal("hi"u8.ToArray(), Assert.Single(tcp.Receive).Bytes);
    }

    [Fact]
    public void UsersAndTrustedCaKeys()
    {
        const string key = "AAAAC3NzaC1lZDI1NTE5AAAAIL86LE6owiTocSBMGg/jZsfLICwhyJQJ9PMsMjwy22Hp";
        var config = GatewayConfigLoader.Parse($$"""
            users = [{ email = "a@example.com", name = "A", groups = ["x", "y"], ssh_keys = ["ssh-ed25519 {{key}} a@laptop"] }]
            trusted_user_ca_keys = ["cert-authority ssh-ed25519 {{key}} ca"]
            """, "/b", ConfigAssert.NoEnv);
        var user = Assert.Single(config.Users);
        Assert.Equal(["x", "y"], user.Groups);
        var sshKey = Assert.Single(user.SshKeys);
        Assert.Equal("a@laptop", sshKey.Comment);
        Assert.Equal(51, sshKey.Blob.Length);
        Assert.Empty(sshKey.Options);
        var ca = Assert.Single(config.TrustedUserCaKeys);
        Assert.Equal("cert-authority", Assert.Single(ca.Options).Name);
        Assert.Equal("ssh-ed25519", ca.KeyType);
    }

    [Fact]
    public void AlgorithmListsAndRuntimeFlags()
    {
        var config = GatewayConfigLoader.Parse("""
            ssh_kex_algorithms = ["curve25519-sha256", "ecdh-sha2-nistp256"]
            ssh_host_key_algorithms = ["ssh-ed25519"]
            runtime_flags { ssh_upstream_tunnel = false }
            """, "/b", ConfigAssert.NoEnv);
        Assert.Equal(["curve25519-sha256", "ecdh-sha2-nistp256"], config.SshKexAlgorithms);
        Assert.Equal(["ssh-ed25519"], config.SshHostKeyAlgorithms);
        Assert.False(config.RuntimeFlags.SshUpstreamTunnel);
    }

    [Fact]
    public void AkkaBlockPassesThrough()
    {
        var config = GatewayConfigLoader.Parse("akka.cluster.failure-detector.acceptable-heartbeat-pause = 2s", "/b", ConfigAssert.NoEnv);
        Assert.Equal(TimeSpan.FromSeconds(2), config.AkkaOverrides!.GetTimeSpan("cluster.failure-detector.acceptable-heartbeat-pause"));
    }
}

public class ParsePolicyTests
{
    [Fact]
    public void ParsesObjectAndListPolicies()
    {
        var one = Assert.IsType<PolicyNode.Object>(GatewayConfigLoader.ParsePolicy("{ allow { or = [{ accept = true }] } }"));
        Assert.Equal("policy", one.Path);
        var list = Assert.IsType<PolicyNode.List>(GatewayConfigLoader.ParsePolicy("[{ deny { not = [{ email { is = \"x@y.z\" } }] } }]"));
        Assert.Single(list.Items);
    }

    [Fact]
    public void ReportsShapeProblemsWithPaths()
    {
        var ex = Assert.Throws<ConfigException>(() => GatewayConfigLoader.ParsePolicy("{ allow = { or = \"x\" }, deny = 1 }"));
        Assert.Equal(["policy.allow.or", "policy.deny"], ex.Problems.Select(p => p.Path));
    }
}
