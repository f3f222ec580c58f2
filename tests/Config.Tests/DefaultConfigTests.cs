using Gateway.Policy;
using Gateway.Config;
using Gateway.Ssh.Transport;

namespace Gateway.Config.Tests;

public class DefaultConfigTests
{
    private static readonly IReadOnlyDictionary<string, string> Home =
        new Dictionary<string, string> { ["HOME"] = "/home/tester" };

    [Fact]
    public void EmbeddedDefaultLoadsWithoutErrors()
    {
        var config = GatewayConfigLoader.Load(null, Home, []);

        Assert.Equal(new HostPort("127.0.0.1", 8443), config.Address);
        Assert.Equal(new HostPort("127.0.0.1", 2222), config.SshAddress);
        Assert.False(config.InsecureServer);
        Assert.Empty(config.Certificates);
        Assert.True(config.RuntimeFlags.SshUpstreamTunnel);
        Assert.Null(config.Cluster);
        Assert.Equal("/home/tester/.local/share/gateway", config.DataDir);
        Assert.Equal(SshAlgorithmPreferences.DefaultKeyExchange, config.SshKexAlgorithms);
        Assert.Equal(SshAlgorithmPreferences.DefaultCiphers, config.SshCiphers);

        var user = Assert.Single(config.Users);
        Assert.Equal("demo@gateway.test", user.Email);
        Assert.Equal("ssh-ed25519", Assert.Single(user.SshKeys).KeyType);

        var route = Assert.Single(config.Routes);
        Assert.True(route.From.IsHttps);
        Assert.False(route.From.IsWildcard);
        Assert.True(route.AllowPublicUnauthenticatedAccess);
        Assert.Equal(new Uri("http://localhost:8080"), Assert.Single(route.To).Url);
        Assert.NotNull(route.UpstreamTunnel);
        var policy = Assert.IsType<PolicyNode.Object>(route.UpstreamTunnel!.SshPolicy);
        var allow = Assert.IsType<PolicyNode.Object>(policy["allow"]);
        var or = Assert.IsType<PolicyNode.List>(allow["or"]);
        var criterion = Assert.IsType<PolicyNode.Object>(Assert.Single(or.Items));
        var value = Assert.IsType<PolicyNode.Scalar>(criterion["authenticated_user"]);
        Assert.True(value.AsBool());
        Assert.Equal(TimeSpan.FromSeconds(30), route.Timeout);
        Assert.Equal(TimeSpan.FromMinutes(5), route.IdleTimeout);
    }

    [Fact]
    public void RepositoryFileMatchesEmbeddedResource()
    {
        var dir = AppContext.BaseDirectory;
        string? file = null;
        for (var i = 0; i < 10 && dir is not null; i++, dir = Path.GetDirectoryName(dir))
        {
            var candidate = Path.Combine(dir, "config.hocon");
            if (File.Exists(candidate) && File.Exists(Path.Combine(dir, "Cluster.sln")))
            {
                file = candidate;
                break;
            }
        }
        Assert.NotNull(file);
        Assert.Equal(File.ReadAllText(file!), GatewayConfigLoader.ReadEmbeddedDefault());
    }

    [Theory]
    [InlineData("/xdg", "/home/u", "/xdg/gateway")]
    [InlineData(null, "/home/u", "/home/u/.local/share/gateway")]
    public void DataDirDefaultFollowsXdgThenHome(string? xdg, string? home, string expected)
    {
        var env = new Dictionary<string, string>();
        if (xdg is not null)
            env["XDG_DATA_HOME"] = xdg;
        if (home is not null)
            env["HOME"] = home;
        Assert.Equal(expected, GatewayConfigLoader.Parse("", "/base", env).DataDir);
    }

    [Fact]
    public void DataDirFallsBackToDotDataWithoutHome()
    {
        Assert.Equal("/base/.data", GatewayConfigLoader.Parse("", "/base", new Dictionary<string, string>()).DataDir);
    }

    [Fact]
    public void EmptyFileGivesDocumentedDefaults()
    {
        var config = GatewayConfigLoader.Parse("", "/base", new Dictionary<string, string>());
        Assert.Equal("127.0.0.1:8443", config.Address.ToString());
        Assert.Equal("127.0.0.1:2222", config.SshAddress!.ToString());
        Assert.Empty(config.Routes);
        Assert.Empty(config.Users);
        Assert.Equal(SshAlgorithmPreferences.DefaultHostKey, config.SshHostKeyAlgorithms);
        Assert.Equal(SshAlgorithmPreferences.DefaultMacs, config.SshMacs);
    }
}
